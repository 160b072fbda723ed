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

/* Variant `letter`'s own texts by language: subject_B, body_B_sv, ... go
 * into ab (code "" for the plain ones). */
static int load_letter(Variants *ab, Step *s, char letter, VariantRead read, void *ctx, char *err, size_t errlen) {
  memset(ab, 0, sizeof *ab);
  slot(ab, "");
  static const char *const bases[] = {"subject", "body", "template"};
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    for (int b = 0; b < 3; b++) {
      size_t n = strlen(bases[b]);
      if (strncmp(p->key, bases[b], n) || p->key[n] != '_' || p->key[n + 1] != letter) continue;
      if (p->key[n + 2] && p->key[n + 2] != '_') continue;
      char code[32] = "";
      if (p->key[n + 2]) norm_code(p->key + n + 3, strlen(p->key + n + 3), code, sizeof code);
      VariantText *t = slot(ab, code);
      if (!t) {
        snprintf(err, errlen, "more than %d language variants", VARIANTS_MAX);
        return -1;
      }
      if (b == 0) t->subject = p->value;
      else if (set_main(t, p->key, p->value, read, ctx, err, errlen)) return -1;
    }
  }
  return 0;
}

static const VariantText *find(const Variants *vs, const char *code);

/* code's own entry, else its primary language's ("sv" for "sv_se"), else
 * the plain one's text of one kind (0 subject, 1 main); NULL if none. */
static const char *text_for(const Variants *vs, const char *code, int kind) {
  char base[32];
  size_t n = strcspn(code, "_");
  snprintf(base, sizeof base, "%.*s", (int)(n < sizeof base ? n : sizeof base - 1), code);
  const VariantText *c[3] = {*code ? find(vs, code) : NULL, *code && strcmp(base, code) ? find(vs, base) : NULL,
                             &vs->v[0]};
  for (int i = 0; i < 3; i++)
    if (c[i] && (kind ? c[i]->main : c[i]->subject)) return kind ? c[i]->main : c[i]->subject;
  return NULL;
}

int variants_load_ab(Variants *vs, Step *s, char letter, VariantRead read, void *ctx, char *err, size_t errlen) {
  if (variants_load(vs, s, read, ctx, err, errlen)) return -1;
  if (letter <= 'A' || letter > 'Z') return 0;
  Variants ab;
  if (load_letter(&ab, s, letter, read, ctx, err, errlen)) {
    variants_free(&ab);
    variants_free(vs);
    return -1;
  }
  /* One entry per language of A or of the variant, each resolved in the
   * order: the variant's text in that language, in its primary language,
   * its plain text, then A's text the same way (a variant may give only
   * some texts: the others are A's, in the contact's language). */
  Variants out;
  memset(&out, 0, sizeof out);
  out.language = vs->language;
  int rc = 0;
  for (int pass = 0; pass < 2 && rc == 0; pass++) {
    const Variants *from = pass ? &ab : vs;
    for (int i = 0; i < from->n && rc == 0; i++) {
      VariantText *t = slot(&out, from->v[i].code);
      if (!t) {
        snprintf(err, errlen, "more than %d language variants", VARIANTS_MAX);
        rc = -1;
      }
    }
  }
  for (int i = 0; rc == 0 && i < out.n; i++) {
    VariantText *t = &out.v[i];
    const char *sub = text_for(&ab, t->code, 0), *main = text_for(&ab, t->code, 1);
    t->subject = sub ? sub : text_for(vs, t->code, 0);
    const char *m = main ? main : text_for(vs, t->code, 1);
    if (m) { /* the merged set owns copies: vs and ab are freed below */
      t->main = strdup(m);
      if (!t->main) abort();
      t->main_owned = 1;
    }
  }
  /* subjects point into the step's settings (not owned): they outlive vs */
  variants_free(&ab);
  variants_free(vs);
  if (rc) {
    variants_free(&out);
    return -1;
  }
  *vs = out;
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
