/* format_lines.c — the formatter's line machinery: tokens onto lines at an
 * indentation, blank lines kept from the source, comments placed exactly
 * once (own-line before the next item, trailing at the end of the line),
 * and where-rules broken before `and`/`or` past 100 columns.  format.c
 * (declarations) and format_step.c (steps) print through it. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lang/format_int.h"

/* ------------------------------------------------------ line machinery */

static int blank_before(const Fmt *f, int off) {
  int nl = 0, i = off - 1;
  while (i >= 0 && (f->src[i] == ' ' || f->src[i] == '\t' || f->src[i] == '\r' ||
                    f->src[i] == '\n')) {
    if (f->src[i] == '\n') nl++;
    i--;
  }
  return i >= 0 && nl >= 2;
}

static void start_line(Fmt *f, int indent, int blank) {
  if (f->line_open) buf_put(&f->out, "\n");
  if ((blank || f->force_blank) && !f->block_start) buf_put(&f->out, "\n");
  f->force_blank = 0;
  f->block_start = 0;
  for (int i = 0; i < indent; i++) buf_put(&f->out, " ");
  f->col = indent;
  f->line_open = 1;
  f->can_append = 1;
  f->last_comment = -1;
  f->line_has_code = 0;
  f->line_trailing = 0;
}

void fmt_tok(Fmt *f, const char *s) {
  if (*s) f->line_has_code = 1;
  buf_put(&f->out, s);
  f->col += (int)strlen(s);
  f->last_comment = -1;
}

void fmt_tok_buf(Fmt *f, Buf *b) {
  if (b->s) fmt_tok(f, b->s);
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

static int is_line_comment(const Fmt *f, const Comment *c) {
  return (size_t)c->loc.off + 1 < f->srclen && f->src[c->loc.off] == '/' &&
         f->src[c->loc.off + 1] == '/';
}

/* Remembers where the open line's code ends and its trailing comment
 * starts, for align_trailing. */
static void note_trailing(Fmt *f) {
  if (f->ntrail == f->captrail) {
    f->captrail = f->captrail ? 2 * f->captrail : 64;
    f->trail = realloc(f->trail, sizeof(int) * (size_t)f->captrail);
    if (!f->trail) abort();
  }
  f->trail[f->ntrail++] = (int)f->out.len;
  f->line_trailing = 1;
}

static void emit_comment(Fmt *f, int i, int indent) {
  const Comment *c = f->cm[i];
  int same_line = f->last_comment >= 0 &&
                  f->cm[f->last_comment]->loc.end_line == c->loc.line;
  if (f->line_open && f->can_append && (!c->own_line || same_line)) {
    if (f->line_has_code && !f->line_trailing) note_trailing(f);
    buf_put(&f->out, " ");
    f->col++;
  } else {
    start_line(f, indent, blank_before(f, c->loc.off));
  }
  int line = is_line_comment(f, c);
  size_t n = (size_t)(c->loc.end_off - c->loc.off);
  const char *text = f->src + c->loc.off;
  if (line)
    while (n > 2 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r')) n--;
  buf_putn(&f->out, text, n);
  f->col += (int)n;
  if (line) f->can_append = 0;
  f->last_comment = i;
  f->used[i] = 1;
}

void fmt_flush(Fmt *f, int limit, int indent) {
  /* comments are in source order: stop at the first one past limit */
  for (int i = f->first_unused; i < f->ncm && f->cm[i]->loc.off < limit; i++)
    if (!f->used[i]) emit_comment(f, i, indent);
  while (f->first_unused < f->ncm && f->used[f->first_unused]) f->first_unused++;
}

int fmt_pending(const Fmt *f, int limit) {
  for (int i = f->first_unused; i < f->ncm && f->cm[i]->loc.off < limit; i++)
    if (!f->used[i]) return 1;
  return 0;
}

void fmt_item(Fmt *f, int off, int end, int indent) {
  fmt_flush(f, off, indent);
  for (int i = f->first_unused; i < f->ncm && f->cm[i]->loc.off < end; i++) {
    const Comment *c = f->cm[i];
    if (!f->used[i] && c->own_line && c->loc.off >= off)
      emit_comment(f, i, indent);
  }
  start_line(f, indent, blank_before(f, off));
}

void fmt_cont_line(Fmt *f, int indent) { start_line(f, indent, 0); }

void fmt_close(Fmt *f, int brace_off, int indent) {
  fmt_flush(f, brace_off, indent + FMT_INDENT);
  start_line(f, indent, 0);
  fmt_tok(f, "}");
}

/* Collects the operands of the left-leaning chain of op rooted at e. */
static void chain_operands(const Expr *e, BinOp op, PtrVec *out, Arena *a) {
  if (e->kind == E_BINARY && e->op == op && !e->paren) {
    chain_operands(e->left, op, out, a);
    vec_push(a, out, e->right);
    return;
  }
  vec_push(a, out, (void *)e);
}

void fmt_rule(Fmt *f, const Expr *e, int cont, int tail) {
  Buf one = {0};
  fmt_expr(&one, e, P_OR);
  int chain = e->kind == E_BINARY && !e->paren && (e->op == OP_AND || e->op == OP_OR);
  int exists = e->kind == E_EXISTS && !e->paren && e->right;
  int not = e->kind == E_UNARY && e->op == OP_NOT && !e->paren;
  if ((!chain && !exists && !not) || f->col + (int)one.len + tail <= FMT_WIDTH) {
    fmt_tok_buf(f, &one);
    return;
  }
  free(one.s);
  if (not) { /* `not` + its operand's rule, which may break */
    fmt_tok(f, "not ");
    fmt_rule(f, e->left, cont, tail);
    return;
  }
  if (exists) { /* `exists c where` + its rule, broken one level deeper */
    Buf b = {0};
    buf_put(&b, "exists ");
    fmt_expr(&b, e->left, P_POSTFIX);
    buf_put(&b, " where ");
    fmt_tok_buf(f, &b);
    fmt_rule(f, e->right, cont + FMT_CONT, tail);
    return;
  }
  Arena a = {0};
  PtrVec ops = {0};
  chain_operands(e, e->op, &ops, &a);
  int prec = expr_prec(e);
  for (int i = 0; i < ops.len; i++) {
    Buf b = {0};
    if (i) {
      fmt_cont_line(f, cont);
      buf_printf(&b, "%s ", binop_text(e->op));
    }
    if (i + 1 < ops.len)
      fmt_operand(&b, ops.items[i], i ? prec + 1 : prec, 0);
    else
      fmt_expr(&b, ops.items[i], i ? prec + 1 : prec);
    fmt_tok_buf(f, &b);
  }
  arena_free(&a);
}
