/* format_step.c — the formatter's layout of campaign steps (one per line;
 * enrich, split and brace channel bodies one item per line). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/format_int.h"

static void put_names(Buf *b, const PtrVec *names) {
  for (int i = 0; i < names->len; i++) {
    if (i) buf_put(b, ", ");
    fmt_ident(b, names->items[i], ID_ANY);
  }
}

static void put_inputs(Buf *b, const PtrVec *inputs) {
  for (int i = 0; i < inputs->len; i++) {
    if (i) buf_put(b, ", ");
    fmt_ident(b, ((StepInput *)inputs->items[i])->name, ID_ANY);
  }
}

static const char *input0(const Step *s) {
  return s->inputs.len ? ((StepInput *)s->inputs.items[0])->name : "?";
}

static void put_exprs(Buf *b, const PtrVec *exprs) {
  for (int i = 0; i < exprs->len; i++) {
    if (i) buf_put(b, ", ");
    fmt_expr(b, exprs->items[i], P_OR);
  }
}

static void put_order(Buf *b, const PtrVec *order) {
  if (!order->len) return;
  buf_put(b, " order by ");
  for (int i = 0; i < order->len; i++) {
    const OrderItem *o = order->items[i];
    if (i) buf_put(b, ", ");
    fmt_expr(b, o->expr, P_OR);
    if (o->desc) buf_put(b, " desc");
  }
}

/* Shortest fixed-point spelling that reads back as v (INT or DEC token). */
static void put_percent(Buf *b, double v) {
  char tmp[1024];
  for (int prec = 0; prec < 400; prec++) {
    snprintf(tmp, sizeof tmp, "%.*f", prec, v);
    if (strtod(tmp, NULL) == v) break;
  }
  buf_printf(b, "%s%%", tmp);
}

/* Keyword and first input of a step that has one input: `dedup x`. */
static void put_head(Buf *b, const char *kw, const Step *s) {
  buf_printf(b, "%s ", kw);
  fmt_ident(b, input0(s), ID_ANY);
}

/* ------------------------------------------------------- brace bodies */

static int enrich_end(const EnrichItem *it) {
  int end = it->loc.end_off;
  const Expr *parts[] = {it->expr, it->collection, it->where};
  for (size_t i = 0; i < 3; i++)
    if (parts[i] && parts[i]->loc.end_off > end) end = parts[i]->loc.end_off;
  for (int i = 0; i < it->order.len; i++) {
    const Expr *e = ((OrderItem *)it->order.items[i])->expr;
    if (e->loc.end_off > end) end = e->loc.end_off;
  }
  return end;
}

static void fmt_enrich_item(Fmt *f, const EnrichItem *it, int indent) {
  fmt_item(f, it->loc.off, enrich_end(it), indent);
  Buf b = {0};
  fmt_ident(&b, it->name, ID_ANY);
  buf_put(&b, " = ");
  if (it->expr) {
    fmt_tok_buf(f, &b);
    fmt_rule(f, it->expr, indent + FMT_CONT, 0);
    return;
  }
  buf_printf(&b, "first %" PRId64 " ", it->first_n);
  fmt_expr(&b, it->collection, P_POSTFIX);
  if (it->where) buf_put(&b, " where ");
  fmt_tok_buf(f, &b);
  put_order(&b, &it->order);
  if (it->where) fmt_rule(f, it->where, indent + FMT_CONT, (int)b.len);
  fmt_tok_buf(f, &b);
}

static int branch_end(const SplitBranch *br) {
  int end = br->loc.end_off;
  if (br->rule && br->rule->loc.end_off > end) end = br->rule->loc.end_off;
  for (int i = 0; i < br->order.len; i++) {
    const Expr *e = ((OrderItem *)br->order.items[i])->expr;
    if (e->loc.end_off > end) end = e->loc.end_off;
  }
  return end;
}

static void fmt_branch(Fmt *f, const SplitBranch *br, int indent) {
  fmt_item(f, br->loc.off, branch_end(br), indent);
  Buf b = {0};
  if (br->label) {
    fmt_ident(&b, br->label, ID_ANY);
    buf_put(&b, " ");
  }
  if (br->is_else) {
    buf_put(&b, "else");
    fmt_tok_buf(f, &b);
    return;
  }
  buf_put(&b, "when ");
  fmt_tok_buf(f, &b);
  if (br->has_limit) {
    buf_put(&b, " limit ");
    if (br->is_percent)
      put_percent(&b, br->limit_percent);
    else
      buf_printf(&b, "%" PRId64, br->limit);
  }
  put_order(&b, &br->order);
  fmt_rule(f, br->rule, indent + FMT_CONT, (int)b.len);
  fmt_tok_buf(f, &b);
}

static void fmt_prop(Fmt *f, const ChannelProp *p, int indent) {
  fmt_item(f, p->loc.off, p->loc.end_off, indent);
  Buf b = {0};
  buf_printf(&b, "%s ", p->key);
  if (strcmp(p->key, "columns") == 0) {
    buf_put(&b, "(");
    put_names(&b, &p->cols);
    buf_put(&b, ")");
  } else if (p->percent) {
    buf_printf(&b, "%s%%", p->value); /* `holdout 5%` */
  } else {
    fmt_string(&b, p->value ? p->value : "");
  }
  fmt_tok_buf(f, &b);
}

/* Does the channel step print as `sms x "text"` (its one property is the
 * one the short form sets)? */
static int channel_short(const Step *s) {
  if (s->props.len != 1) return 0;
  const ChannelProp *p = s->props.items[0];
  return strcmp(p->key, s->channel == CH_EMAIL ? "subject" : "body") == 0 && p->value;
}

static int has_body(const Step *s) {
  return s->kind == S_ENRICH || s->kind == S_SPLIT || s->kind == S_LOCAL_APPROVAL ||
         (s->kind == S_CHANNEL && !channel_short(s));
}

static int body_len(const Step *s) {
  if (s->kind == S_ENRICH) return s->enrich.len;
  if (s->kind == S_SPLIT) return s->branches.len;
  return s->props.len;
}

/* Writes ` { items }` of an enrich, split or brace channel step. */
static void fmt_body(Fmt *f, const Step *s, int indent) {
  int brace = s->loc.end_off - 1;
  if (body_len(s) == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  fmt_tok(f, " {");
  f->block_start = 1;
  int inner = indent + FMT_INDENT;
  for (int i = 0; i < body_len(s); i++) {
    if (s->kind == S_ENRICH) fmt_enrich_item(f, s->enrich.items[i], inner);
    else if (s->kind == S_SPLIT) fmt_branch(f, s->branches.items[i], inner);
    else fmt_prop(f, s->props.items[i], inner);
  }
  fmt_close(f, brace, indent);
}

/* ---------------------------------------------------------- one-liners */

/* Writes a reconcile step; when too long for one line, `columns (..)` and
 * `to .. on ..` go on continuation lines. */
static void fmt_reconcile(Fmt *f, const Step *s, Buf *head, int indent) {
  Buf cols = {0}, to = {0};
  buf_put(head, "reconcile ");
  fmt_string(head, s->text);
  if (s->rcols.len) {
    buf_put(&cols, "columns (");
    for (int i = 0; i < s->rcols.len; i++) {
      const ReconcileCol *c = s->rcols.items[i];
      if (i) buf_put(&cols, ", ");
      fmt_ident(&cols, c->name, ID_ANY);
      buf_put(&cols, " ");
      fmt_typeref(&cols, c->type);
    }
    buf_put(&cols, ")");
  }
  buf_put(&to, "to ");
  fmt_ident(&to, s->source, ID_ANY);
  buf_put(&to, " on ");
  for (int i = 0; i < s->match.len; i++) {
    const MatchPair *m = s->match.items[i];
    if (i) buf_put(&to, ", ");
    fmt_ident(&to, m->file_col, ID_ANY);
    buf_put(&to, " = ");
    fmt_ident(&to, m->dim_col, ID_ANY);
  }
  int one = f->col + (int)(head->len + cols.len + to.len) + (cols.len ? 2 : 1);
  fmt_tok_buf(f, head);
  Buf *parts[] = {&cols, &to};
  for (int i = 0; i < 2; i++) {
    if (!parts[i]->len) continue;
    if (one > FMT_WIDTH)
      fmt_cont_line(f, indent + FMT_CONT);
    else
      fmt_tok(f, " ");
    fmt_tok_buf(f, parts[i]);
  }
}

static void put_wait(Buf *b, const Step *s) {
  put_head(b, "wait", s);
  if (s->wait_for) {
    buf_put(b, " ");
    fmt_duration(b, s->wait_for);
    return;
  }
  if (s->wait_local) {
    char t[32];
    snprintf(t, sizeof t, " until %02d:%02d local", (s->wait_local - 1) / 60, (s->wait_local - 1) % 60);
    buf_put(b, t);
    return;
  }
  const char *t = s->wait_until->text;
  buf_put(b, " until ");
  if (strlen(t) == 19 && strcmp(t + 10, " 00:00:00") == 0)
    buf_putn(b, t, 10);  /* `until DATE` means midnight */
  else
    fmt_timestamp(b, t);
}

static void put_combine(Buf *b, const Step *s) {
  static const char *const kw[] = {"union", "intersect", "except"};
  buf_printf(b, "%s(", kw[s->combine]);
  put_inputs(b, &s->inputs);
  buf_put(b, ")");
  if (s->on_cols.len) {
    buf_put(b, " on (");
    put_names(b, &s->on_cols);
    buf_put(b, ")");
  }
}

static void put_dedup(Buf *b, const Step *s) {
  put_head(b, "dedup", s);
  buf_put(b, " by ");
  put_exprs(b, &s->keys);
  if (s->has_keep) buf_printf(b, " keep %" PRId64, s->keep);
  if (s->prefer.len) {
    buf_put(b, " prefer ");
    put_exprs(b, &s->prefer);
  }
}

/* The text of a step up to its rule or body (rule steps end in `where `). */
static void put_step(Buf *b, const Step *s) {
  switch (s->kind) {
    case S_SELECT:
      fmt_ident(b, s->source, ID_SOURCE);
      if (s->rule) buf_put(b, " where ");
      break;
    case S_AUDIENCE:
      buf_put(b, "audience ");
      fmt_string(b, s->text);
      buf_put(b, " of ");
      fmt_ident(b, s->source, ID_ANY);
      break;
    case S_COMBINE: put_combine(b, s); break;
    case S_DEDUP: put_dedup(b, s); break;
    case S_ENRICH: put_head(b, "enrich", s); break;
    case S_SPLIT:
      put_head(b, "split", s);
      if (s->overlap) buf_put(b, " overlap");
      if (s->skip_empty) buf_put(b, " skip empty");
      break;
    case S_CHANGE_DIM:
      put_head(b, "change dimension", s);
      buf_put(b, " to ");
      fmt_ident(b, s->source, ID_ANY);
      if (s->via) {
        buf_put(b, " via ");
        fmt_ident(b, s->via, ID_ANY);
      }
      break;
    case S_FORK: put_head(b, "fork", s); break;
    case S_JOIN:
      buf_put(b, "join(");
      put_inputs(b, &s->inputs);
      buf_put(b, ") primary ");
      fmt_ident(b, s->primary, ID_ANY);
      break;
    case S_WAIT: put_wait(b, s); break;
    case S_CHANNEL:
      put_head(b, channel_name(s->channel), s);
      if (s->provider) {
        buf_put(b, " via ");
        fmt_ident(b, s->provider, ID_ANY);
      }
      if (channel_short(s)) {
        buf_put(b, " ");
        fmt_string(b, ((ChannelProp *)s->props.items[0])->value);
      }
      break;
    case S_SAVE:
      put_head(b, "save", s);
      buf_put(b, " as ");
      fmt_string(b, s->text);
      break;
    case S_RETARGET:
      put_head(b, "retarget", s);
      buf_put(b, " where ");
      break;
    case S_RECONCILE: break; /* fmt_reconcile */
    case S_LOCAL_APPROVAL: break; /* fmt_local_approval */
    case S_HOLDOUT:
      buf_printf(b, "holdout %s%% of ", s->text);
      fmt_ident(b, input0(s), ID_ANY);
      break;
  }
}

void fmt_step(Fmt *f, const Step *s, int indent) {
  int body = has_body(s);
  fmt_item(f, s->loc.off, body ? s->loc.off : s->loc.end_off, indent);
  Buf b = {0};
  if (s->outputs.len) {
    put_names(&b, &s->outputs);
    buf_put(&b, " = ");
  }
  if (s->kind == S_RECONCILE) {
    fmt_reconcile(f, s, &b, indent);
    return;
  }
  if (s->kind == S_LOCAL_APPROVAL) {
    fmt_local_approval(f, s, &b, indent);
    return;
  }
  put_step(&b, s);
  fmt_tok_buf(f, &b);
  if (s->rule) fmt_rule(f, s->rule, indent + FMT_CONT, 0);
  if (body) fmt_body(f, s, indent);
}
