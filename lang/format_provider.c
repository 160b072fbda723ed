/* format_provider.c — `camp fmt` for `provider NAME { ... }` declarations:
 * one field per line, values separated by single spaces, strings
 * re-escaped, durations in their largest exact unit. */
#include <string.h>

#include "lang/format_int.h"

/* Keywords the grammar accepts bare as a provider field name (pname). */
static int bare_field_kw(const char *name) {
  static const char *const kws[] = {"from", "body", "subject", "template", "key", "default", "limit"};
  for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
    if (!strcmp(kws[i], name)) return 1;
  return 0;
}

static void fmt_value(Buf *b, const ProviderValue *v) {
  switch (v->kind) {
    case PV_STRING: fmt_string(b, v->text); break;
    case PV_INT: buf_printf(b, "%lld", (long long)v->ival); break;
    case PV_DEC: buf_put(b, v->text); break;
    case PV_DURATION: {
      Expr e = {.kind = E_DURATION, .ival = v->ival, .text = v->text};
      fmt_duration(b, &e);
      break;
    }
    case PV_ENV:
      buf_put(b, "env ");
      fmt_string(b, v->text);
      break;
    case PV_WORD:
      /* true/false and channel names are tokens the grammar takes here */
      if (!strcmp(v->text, "true") || !strcmp(v->text, "false") || !strcmp(v->text, "email") ||
          !strcmp(v->text, "sms") || !strcmp(v->text, "push") || !strcmp(v->text, "mail"))
        buf_put(b, v->text);
      else fmt_ident(b, v->text, ID_STRICT);
      break;
  }
}

void fmt_provider(Fmt *f, const Decl *d) {
  Buf b = {0};
  buf_put(&b, "provider ");
  fmt_ident(&b, d->name, ID_ANY);
  fmt_tok_buf(f, &b);
  int brace = d->loc.end_off - 1;
  if (d->pfields.len == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  fmt_tok(f, " {");
  f->block_start = 1;
  for (int i = 0; i < d->pfields.len; i++) {
    const ProviderField *pf = d->pfields.items[i];
    fmt_item(f, pf->loc.off, pf->loc.end_off, FMT_INDENT);
    Buf line = {0};
    if (bare_field_kw(pf->name)) buf_put(&line, pf->name);
    else fmt_ident(&line, pf->name, ID_STRICT);
    for (int k = 0; k < pf->values.len; k++) {
      buf_put(&line, " ");
      fmt_value(&line, pf->values.items[k]);
    }
    fmt_tok_buf(f, &line);
  }
  fmt_close(f, brace, 0);
}

/* ------------------------------------------- marketing operations */

static void fmt_mops_value(Buf *b, const MopsValue *v) {
  switch (v->kind) {
    case MV_STRING: fmt_string(b, v->text); break;
    case MV_INT: buf_printf(b, "%lld", (long long)v->ival); break;
    case MV_DEC:
    case MV_DATE: buf_put(b, v->text); break;
    case MV_WORD:
      if (!strcmp(v->text, "email") || !strcmp(v->text, "sms") || !strcmp(v->text, "push") ||
          !strcmp(v->text, "mail") || !strcmp(v->text, "limit")) /* words the grammar takes as values */
        buf_put(b, v->text);
      else fmt_ident(b, v->text, ID_STRICT);
      break;
  }
}

/* `KIND NAME { field values }` at indent (a top-level declaration or an
 * item of a campaign): one field per line, commas kept where written. */
void fmt_mops(Fmt *f, const Decl *d, int indent) {
  if (indent) fmt_item(f, d->loc.off, d->loc.off, indent);
  Buf b = {0};
  fmt_ident(&b, d->mops_kind, ID_STRICT);
  buf_put(&b, " ");
  if (d->on_schema) { /* segment NAME on DIMENSION */
    fmt_ident(&b, d->name, ID_SOURCE);
    buf_put(&b, " on ");
    fmt_ident(&b, d->on_schema, ID_ANY);
  } else fmt_ident(&b, d->name, ID_ANY);
  fmt_tok_buf(f, &b);
  int brace = d->loc.end_off - 1;
  if (d->mops_fields.len == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  fmt_tok(f, " {");
  f->block_start = 1;
  for (int i = 0; i < d->mops_fields.len; i++) {
    const MopsField *mf = d->mops_fields.items[i];
    fmt_item(f, mf->loc.off, mf->loc.end_off, indent + FMT_INDENT);
    Buf line = {0};
    if (!strcmp(mf->name, "from") || !strcmp(mf->name, "until") || !strcmp(mf->name, "template") ||
        !strcmp(mf->name, "limit"))
      buf_put(&line, mf->name);
    else if (mf->order.len) buf_put(&line, "order by");
    else fmt_ident(&line, mf->name, ID_STRICT);
    if (mf->rule) { /* a segment's criterion */
      buf_put(&line, " where ");
      fmt_expr(&line, mf->rule, P_OR);
    }
    for (int k = 0; k < mf->order.len; k++) {
      const OrderItem *oi = mf->order.items[k];
      buf_put(&line, k ? ", " : " ");
      fmt_expr(&line, oi->expr, P_OR);
      if (oi->desc) buf_put(&line, " desc");
    }
    for (int k = 0; k < mf->values.len; k++) {
      const MopsValue *v = mf->values.items[k];
      buf_put(&line, v->comma ? ", " : " ");
      fmt_mops_value(&line, v);
    }
    fmt_tok_buf(f, &line);
  }
  fmt_close(f, brace, indent);
}
