/* format_distrib.c — `camp fmt` for distributed marketing: `entity NAME
 * { ... }`, `package NAME { ... }` and the local approval step, one line
 * per setting, breakdown lines where they were written. */
#include <string.h>

#include "lang/format_int.h"

static void put_values(Buf *b, const PtrVec *v) {
  for (int k = 0; k < v->len; k++) {
    buf_put(b, k ? ", " : " ");
    fmt_expr(b, v->items[k], 0);
  }
}

static void put_param(Buf *b, const FormParam *p) {
  fmt_ident(b, p->name, ID_ANY);
  buf_put(b, " ");
  fmt_typeref(b, p->type);
  if (p->lo && p->hi) {
    buf_put(b, " between ");
    fmt_expr(b, p->lo, 0);
    buf_put(b, " and ");
    fmt_expr(b, p->hi, 0);
  }
  if (p->def) {
    buf_put(b, " default ");
    fmt_expr(b, p->def, 0);
  }
  if (p->has_maxlen) buf_printf(b, " limit %lld", (long long)p->maxlen);
}

/* One setting line; a `form { ... }` block gets a line per parameter. */
static void fmt_dfield(Fmt *f, const DistField *df, int indent) {
  fmt_item(f, df->loc.off, df->braced ? df->loc.off : df->loc.end_off, indent);
  Buf b = {0};
  if (!strcmp(df->name, "campaign")) buf_put(&b, "campaign");
  else fmt_ident(&b, df->name, ID_STRICT);
  if (df->braced) {
    int brace = df->loc.end_off - 1;
    if (df->params.len == 0 && !fmt_pending(f, brace)) {
      buf_put(&b, " {}");
      fmt_tok_buf(f, &b);
      return;
    }
    buf_put(&b, " {");
    fmt_tok_buf(f, &b);
    f->block_start = 1;
    for (int i = 0; i < df->params.len; i++) {
      const FormParam *p = df->params.items[i];
      fmt_item(f, p->loc.off, p->loc.end_off, indent + 2);
      Buf l = {0};
      put_param(&l, p);
      fmt_tok_buf(f, &l);
    }
    fmt_close(f, brace, indent);
    return;
  }
  const Expr *v0 = df->values.len == 1 ? df->values.items[0] : NULL;
  if (v0 && v0->kind == E_NAME && !strcmp(v0->name, "campaign") && strcmp(df->name, "campaign"))
    buf_put(&b, " campaign"); /* `variant campaign`: the word is written as is (parser.y) */
  else put_values(&b, &df->values);
  if (df->until) {
    buf_put(&b, " until ");
    fmt_expr(&b, df->until, 0);
  }
  fmt_tok_buf(f, &b);
}

static void fmt_breakdown(Fmt *f, const Breakdown *bd, int indent) {
  fmt_item(f, bd->loc.off, bd->loc.end_off, indent);
  Buf b = {0};
  fmt_expr(&b, bd->value, 0);
  if (bd->label) {
    buf_put(&b, " ");
    fmt_string(&b, bd->label);
  }
  buf_put(&b, " -> ");
  fmt_ident(&b, bd->entity, ID_ANY);
  if (bd->has_limit) buf_printf(&b, " limit %lld%s", (long long)bd->limit, bd->percent ? "%" : "");
  fmt_tok_buf(f, &b);
}

void fmt_distrib_decl(Fmt *f, const Decl *d) {
  Buf b = {0};
  buf_put(&b, d->dkind);
  buf_put(&b, " ");
  fmt_ident(&b, d->name, ID_ANY);
  fmt_tok_buf(f, &b);
  int brace = d->loc.end_off - 1;
  if (d->dfields.len == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  fmt_tok(f, " {");
  f->block_start = 1;
  for (int i = 0; i < d->dfields.len; i++) fmt_dfield(f, d->dfields.items[i], FMT_INDENT);
  fmt_close(f, brace, 0);
}

void fmt_local_approval(Fmt *f, const Step *s, Buf *b, int indent) {
  buf_put(b, "approval local ");
  fmt_ident(b, ((StepInput *)s->inputs.items[0])->name, ID_ANY);
  fmt_tok_buf(f, b);
  int brace = s->loc.end_off - 1;
  if (s->dfields.len + s->breakdown.len == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  fmt_tok(f, " {");
  f->block_start = 1;
  /* settings and breakdown lines merged back into source order */
  int i = 0, j = 0;
  while (i < s->dfields.len || j < s->breakdown.len) {
    const DistField *df = i < s->dfields.len ? s->dfields.items[i] : NULL;
    const Breakdown *bd = j < s->breakdown.len ? s->breakdown.items[j] : NULL;
    if (df && (!bd || df->loc.off < bd->loc.off)) {
      fmt_dfield(f, df, indent + FMT_INDENT);
      i++;
    } else {
      fmt_breakdown(f, bd, indent + FMT_INDENT);
      j++;
    }
  }
  fmt_close(f, brace, indent);
}
