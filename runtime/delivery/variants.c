/* variants.c — a channel step's texts by language (see variants.h). */
#include "runtime/delivery/variants.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "sv-SE" / "sv_SE" -> "sv_se" */
static void norm_code(const char *in, size_t n, char *out, size_t outlen) {
  size_t k = 0;
  for (size_t i = 0; i < n && k + 1 < outlen; i++)
    out[k++] = in[i] == '-' ? '_' : (char)tolower((unsigned char)in[i]);
  out[k] = 0;
}

static VariantText *slot(Variants *vs, const char *code) {
  for (int i = 0; i < vs->n; i++)
    if (!strcmp(vs->v[i].code, code)) return &vs->v[i];
  if (vs->n == VARIANTS_MAX) return NULL;
  VariantText *t = &vs->v[vs->n++];
  memset(t, 0, sizeof *t);
  snprintf(t->code, sizeof t->code, "%s", code);
  return t;
}

static int set_main(VariantText *t, const char *key, const char *value, VariantRead read,
                    void *ctx, char *err, size_t errlen) {
  if (!strncmp(key, "template", 8)) {
    char *text = read(ctx, value);
    if (!text) {
      snprintf(err, errlen, "cannot read template %.1000s", value);
      return -1;
    }
    if (t->main_owned) free((char *)t->main);
    t->main = text;
    t->main_owned = 1;
  } else if (!t->main_owned) {
    t->main = value; /* a template wins over a body */
  }
  return 0;
}

int variants_load(Variants *vs, Step *s, VariantRead read, void *ctx, char *err, size_t errlen) {
  memset(vs, 0, sizeof *vs);
  slot(vs, "");
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "language")) {
      vs->language = p->value;
      continue;
    }
    static const char *const bases[] = {"subject", "body", "template"};
    for (int b = 0; b < 3; b++) {
      size_t n = strlen(bases[b]);
      if (strncmp(p->key, bases[b], n) || (p->key[n] && p->key[n] != '_')) continue;
      /* subject_B: an A/B test variant (variants_load_ab), not a language */
      if (p->key[n] && p->key[n + 1] >= 'A' && p->key[n + 1] <= 'Z' && !p->key[n + 2]) continue;
      char code[32] = "";
      if (p->key[n]) norm_code(p->key + n + 1, strlen(p->key + n + 1), code, sizeof code);
      VariantText *t = slot(vs, code);
      if (!t) {
        snprintf(err, errlen, "more than %d language variants", VARIANTS_MAX);
        variants_free(vs);
        return -1;
      }
      if (b == 0) t->subject = p->value;
      else if (set_main(t, p->key, p->value, read, ctx, err, errlen)) {
        variants_free(vs);
        return -1;
      }
    }
  }
  return 0;
}

int variants_load_ab(Variants *vs, Step *s, char letter, VariantRead read, void *ctx, char *err, size_t errlen) {
  if (variants_load(vs, s, read, ctx, err, errlen)) return -1;
  if (letter <= 'A' || letter > 'Z') return 0;
  for (int i = 1; i < vs->n; i++) /* a test variant has no language variants */
    if (vs->v[i].main_owned) free((char *)vs->v[i].main);
  vs->n = 1;
  vs->language = NULL;
  VariantText *t = &vs->v[0];
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    size_t n = strlen(p->key);
    if (n < 3 || p->key[n - 2] != '_' || p->key[n - 1] != letter) continue;
    if (!strncmp(p->key, "subject_", 8) && n == 9) {
      t->subject = p->value;
    } else if ((!strncmp(p->key, "body_", 5) && n == 6) || (!strncmp(p->key, "template_", 9) && n == 10)) {
      const char *text = p->value;
      char *owned = NULL;
      if (p->key[0] == 't' && !(owned = read(ctx, p->value))) {
        snprintf(err, errlen, "cannot read template %.1000s", p->value);
        variants_free(vs);
        return -1;
      }
      if (t->main_owned) free((char *)t->main);
      t->main = owned ? owned : text;
      t->main_owned = owned != NULL;
    }
  }
  return 0;
}

void variants_free(Variants *vs) {
  for (int i = 0; i < vs->n; i++)
    if (vs->v[i].main_owned) free((char *)vs->v[i].main);
  vs->n = 0;
}

static const VariantText *find(const Variants *vs, const char *code) {
  for (int i = 1; i < vs->n; i++)
    if (!strcmp(vs->v[i].code, code)) return &vs->v[i];
  return NULL;
}

void variants_pick(const Variants *vs, const char *lang, const char **subject,
                   const char **main) {
  const VariantText *exact = NULL, *primary = NULL;
  if (lang && *lang && vs->n > 1) {
    char code[32], base[32];
    while (isspace((unsigned char)*lang)) lang++;
    norm_code(lang, strlen(lang), code, sizeof code);
    size_t n = strcspn(code, "_");
    norm_code(code, n, base, sizeof base);
    exact = find(vs, code);
    primary = find(vs, base);
  }
  const VariantText *fb = &vs->v[0];
  *subject = exact && exact->subject ? exact->subject
           : primary && primary->subject ? primary->subject : fb->subject;
  *main = exact && exact->main ? exact->main : primary && primary->main ? primary->main : fb->main;
}
