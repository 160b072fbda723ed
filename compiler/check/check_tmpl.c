/* check_tmpl.c — channel texts at compile time: every `{{placeholder}}`
 * names a column of the population, every filter is known, has valid
 * arguments (locale, currency, date pattern: lang/tmpl.c) and suits the
 * value's type; language variants (`language "col"`, `subject_sv "..."`)
 * are complete and well formed. */
#include <ctype.h>
#include <string.h>

#include "compiler/check/check.h"
#include "lang/tmpl.h"

/* Resolves name (maybe a link path) as an expression in the population;
 * NULL after reporting an unknown name. */
static Expr *resolve(Ctx *c, Scope *sc, const char *name, Loc loc, const char *where) {
  Expr *e = NULL;
  const char *rest = name, *dot;
  while ((dot = strchr(rest, '.'))) {
    Expr *f = expr_new(c->a, e ? E_FIELD : E_NAME, loc);
    f->name = arena_strndup(c->a, rest, (size_t)(dot - rest));
    if (e) f->left = e;
    e = f;
    rest = dot + 1;
  }
  Expr *last = expr_new(c->a, e ? E_FIELD : E_NAME, loc);
  last->name = arena_strdup(c->a, rest);
  last->left = e;
  int before = c->d->nerrors, len = c->d->len;
  Expr *r = check_expr(c, sc, last);
  if (c->d->nerrors == before) return r;
  /* Replace the expression error with one about the placeholder. */
  c->d->len = len;
  c->d->nerrors = before;
  const char **cands;
  int n2 = scope_names(c, sc, &cands);
  diag_error(c->d, loc, "%s: placeholder `{{%s}}` names no column of this population", where, name);
  const char *best = diag_closest(name, cands, n2);
  if (best) diag_hint(c->d, "did you mean `{{%s}}`?", best);
  return NULL;
}

static int numeric(TypeKind k) { return k == T_INT || k == T_DECIMAL; }
static int temporal(TypeKind k) { return k == T_DATE || k == T_TIMESTAMP; }

/* Filters against the value's type (t NULL: unknown, e.g. a JSON key). */
static void check_filters(Ctx *c, const TmplTag *tag, Type *t, Loc loc, const char *where) {
  int formats = 0;
  for (int i = 0; i < tag->nfilters; i++) {
    const TmplFilter *f = &tag->filters[i];
    char msg[400];
    if (tmpl_check_filter(f, msg, sizeof msg)) {
      diag_error(c->d, loc, "%s: `{{%s}}`: %s", where, tag->name, msg);
      continue;
    }
    if (f->kind == TF_DEFAULT) continue;
    if (formats++) {
      diag_error(c->d, loc, "%s: `{{%s}}`: `%s` formats a value that is text already", where,
                 tag->name, tmpl_filter_name(f->kind));
      diag_hint(c->d, "use one of number, currency, percent, date per placeholder");
      continue;
    }
    if (!t || t->kind == T_ERROR || t->kind == T_NULL) continue;
    int want_num = f->kind != TF_DATE;
    if (want_num ? !numeric(t->kind) : !temporal(t->kind))
      diag_error(c->d, loc, "%s: `{{%s | %s}}` needs a %s value, but `%s` is %s", where, tag->name,
                 tmpl_filter_name(f->kind), want_num ? "number (int or decimal)" : "date or timestamp",
                 tag->name, type_name(c->a, t));
  }
}

/* Reads a template named in the campaign; NULL if unreadable. */
char *check_read_template(Ctx *c, Loc at, const char *name) {
  const SourceFile *f = diags_file(c->d, at.file);
  char path[4096];
  program_find_file(f ? f->path : NULL, name, 0, path, sizeof path);
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = arena_alloc(c->a, cap + 1);
  size_t n;
  while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
    len += n;
    if (len == cap) {
      char *nb = arena_alloc(c->a, cap * 2 + 1);
      memcpy(nb, buf, len);
      buf = nb;
      cap *= 2;
    }
  }
  fclose(fp);
  buf[len] = 0;
  return buf;
}

/* `&euro;`, `&amp;`, `&#8364;`, `&#x20AC;` at p? Sets *len. */
static int entity_at(const char *p, size_t *len) {
  const char *q = p + 1;
  if (*q == '#') {
    q++;
    int hex = *q == 'x' || *q == 'X';
    q += hex;
    const char *d = q;
    while (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q)) q++;
    if (q == d) return 0;
  } else {
    const char *d = q;
    while (isalnum((unsigned char)*q)) q++;
    if (q == d || !isalpha((unsigned char)*d)) return 0;
  }
  if (*q != ';') return 0;
  *len = (size_t)(q + 1 - p);
  return 1;
}

void check_text(Ctx *c, Pop *p, const char *text, Loc loc, const char *where, int html) {
  Scope sc = scope_of_pop(p);
  Schema *section = NULL; /* inside {{#rows}} ... {{/rows}} */
  if (!html) {
    size_t n;
    for (const char *a = strchr(text, '&'); a; a = strchr(a + 1, '&')) {
      if (!entity_at(a, &n)) continue;
      diag_warning(c->d, loc, "%s: `%.*s` is an HTML entity, but this text is not HTML: it is "
                              "sent as written", where, (int)n, a);
      diag_hint(c->d, "write the character itself (UTF-8 is fine)");
      break;
    }
  }
  for (const char *q = strstr(text, "{{"); q; q = strstr(q, "{{")) {
    const char *end = strstr(q + 2, "}}");
    if (!end) {
      diag_error(c->d, loc, "%s: `{{` without `}}`", where);
      return;
    }
    TmplTag tag;
    char msg[400];
    int bad = tmpl_parse_tag(q + 2, (size_t)(end - q - 2), &tag, msg, sizeof msg);
    q = end + 2;
    if (bad) {
      diag_error(c->d, loc, "%s: %s", where, msg);
      continue;
    }
    const char *name = arena_strdup(c->a, tag.name);
    if (tag.sigil == '/') {
      section = NULL;
      tmpl_tag_free(&tag);
      continue;
    }
    Column *col = section ? schema_column(section, name) : NULL;
    if (col) {
      check_filters(c, &tag, col->type, loc, where);
      tmpl_tag_free(&tag);
      continue;
    }
    Expr *r = resolve(c, &sc, name, loc, where);
    if (!r) {
      tmpl_tag_free(&tag);
      continue;
    }
    if (tag.sigil == '#' || tag.sigil == '^') {
      if (r->type->kind == T_ROWS) section = r->type->schema;
    } else if (r->type->kind == T_ROWS) {
      diag_error(c->d, loc, "%s: `{{%s}}` holds several rows: use {{#%s}}...{{/%s}}", where, name,
                 name, name);
    } else {
      check_filters(c, &tag, r->type, loc, where);
    }
    tmpl_tag_free(&tag);
  }
}

void check_placeholders(Ctx *c, Pop *p, const char *text, Loc loc, const char *where) {
  check_text(c, p, text, loc, where, 1);
}

/* ------------------------------------------------------- variants */

static const char *const variant_bases[] = {"subject", "body", "template"};

/* Splits `subject_sv` into its base index and the language; -1 if not one. */
static int variant_of(const char *key, const char **lang) {
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(variant_bases[i]);
    /* one capital letter (`subject_B`, `subject_B_sv`) is an A/B test variant (check_abtest.c), not a language */
    if (!strncmp(key, variant_bases[i], n) && key[n] == '_' && key[n + 1] &&
        !(key[n + 1] >= 'A' && key[n + 1] <= 'Z' && (!key[n + 2] || key[n + 2] == '_'))) {
      *lang = key + n + 1;
      return i;
    }
  }
  return -1;
}

/* Which bases a channel takes (as in check_step.c's settings table). */
static int channel_takes(Channel ch, int base) {
  switch (ch) {
    case CH_EMAIL: return 1;
    case CH_SMS: return base == 1;
    case CH_PUSH: return base != 2;
    default: return 0;
  }
}

int check_is_variant_key(Channel ch, const char *key) {
  if (ch == CH_MAIL) return 0;
  if (!strcmp(key, "language")) return 1;
  const char *lang;
  int b = variant_of(key, &lang);
  return b >= 0 && channel_takes(ch, b);
}

static ChannelProp *find_prop(Step *s, const char *key) {
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, key)) return p;
  }
  return NULL;
}

void check_variants(Ctx *c, Step *s, Pop *in) {
  if (s->channel == CH_MAIL) return;
  ChannelProp *lang = find_prop(s, "language");
  if (lang && in) {
    Scope sc = scope_of_pop(in);
    Expr *r = resolve(c, &sc, lang->value, lang->loc, "language");
    if (r && r->type->kind != T_TEXT && r->type->kind != T_ENUM && r->type->kind != T_ERROR)
      diag_error(c->d, lang->loc, "language: `%s` is %s; the contact's language is text such as "
                                  "\"sv\" or \"de-AT\"", lang->value, type_name(c->a, r->type));
  }
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    const char *code;
    int b = variant_of(p->key, &code);
    if (b < 0) continue;
    if (!tmpl_known_locale(code)) {
      diag_error(c->d, p->loc, "`%s`: `%s` is not a language (write subject_sv, body_de, "
                               "template_pt_BR)", p->key, code);
      continue;
    }
    if (!lang)
      diag_error(c->d, p->loc, "`%s` is a language variant, but the step names no `language` column",
                 p->key);
    if (!find_prop(s, variant_bases[b]))
      diag_error(c->d, p->loc, "`%s` needs `%s` too: it is what other languages get", p->key,
                 variant_bases[b]);
    if (!in) continue;
    int html = s->channel == CH_EMAIL && b != 0;
    if (b == 2) {
      char *text = check_read_template(c, p->loc, p->value);
      if (!text) diag_error(c->d, p->loc, "cannot read template `%s`", p->value);
      else check_text(c, in, text, p->loc, arena_printf(c->a, "template %s", p->value), 1);
    } else {
      check_text(c, in, p->value, p->loc, p->key, html);
    }
  }
}
