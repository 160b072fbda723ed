/* format_expr.c — the formatter's rendering of expressions, names and
 * literals into a Buf (single line; the caller decides line breaks). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/format.h"
#include "lang/format_int.h"
#include "lang/lexstate.h"
#include "parser.h"

void buf_putn(Buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) abort();
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

void buf_put(Buf *b, const char *s) { buf_putn(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    buf_putn(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) abort();
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  buf_putn(b, big, (size_t)n);
  free(big);
}

/* ------------------------------------------------------------- names */

typedef struct {
  const char *word;
  int token;
} FmtKeyword;

static const FmtKeyword fmt_keywords[] = {
#define KW(w, t, c) {w, t},
#include "lang/keywords.def"
};

static int keyword_token(const char *s) {
  for (size_t i = 0; i < sizeof fmt_keywords / sizeof fmt_keywords[0]; i++)
    if (strcmp(fmt_keywords[i].word, s) == 0) return fmt_keywords[i].token;
  return 0;
}

/* Mirrors `plain_kw` in parser.y: keywords usable as any name. */
static int plain_kw(int tok) {
  switch (tok) {
    case SUBJECT: case TEMPLATE: case BODY: case EXTRACT: case COLUMNS:
    case DIMENSION: case PRIMARY: case OVERLAP: case EMPTY: case AUDIENCE:
    case FROM: case NULLS:
      return 1;
    default:
      return 0;
  }
}

/* Mirrors `soft_kw` in parser.y: plain_kw plus the channel words. */
static int soft_kw(int tok) {
  return plain_kw(tok) || tok == EMAIL || tok == SMS || tok == PUSH || tok == MAIL;
}

void fmt_ident(Buf *b, const char *name, IdentCtx ctx) {
  int tok = keyword_token(name);
  int bare = !tok || (ctx == ID_ANY && soft_kw(tok)) ||
             (ctx == ID_SOURCE && plain_kw(tok));
  if (bare) {
    buf_put(b, name);
    return;
  }
  buf_printf(b, "`%s`", name);
}

/* ---------------------------------------------------------- literals */

void fmt_string(Buf *b, const char *s) {
  buf_put(b, "\"");
  for (const char *p = s; *p; p++) {
    switch (*p) {
      case '\n': buf_put(b, "\\n"); break;
      case '\t': buf_put(b, "\\t"); break;
      case '\r': buf_put(b, "\\r"); break;
      case '"': buf_put(b, "\\\""); break;
      case '\\': buf_put(b, "\\\\"); break;
      default: buf_putn(b, p, 1);
    }
  }
  buf_put(b, "\"");
}

void fmt_duration(Buf *b, const Expr *e) {
  /* The unit the user wrote stays (`7d` is not rewritten as `1w`); only
   * leading zeros go.  Literals made by the compiler have no text. */
  size_t n = e->text ? strlen(e->text) : 0;
  if (n >= 2) {
    static const struct { char unit; int64_t size; } units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
      if (e->text[n - 1] == units[i].unit && e->ival % units[i].size == 0) {
        buf_printf(b, "%" PRId64 "%c", e->ival / units[i].size, units[i].unit);
        return;
      }
  }
  static const struct { int64_t size; char unit; } units[] = {
      {7 * 86400, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}};
  int64_t secs = e->ival;
  for (size_t i = 0; secs && i < sizeof units / sizeof units[0]; i++)
    if (secs % units[i].size == 0) {
      buf_printf(b, "%" PRId64 "%c", secs / units[i].size, units[i].unit);
      return;
    }
  buf_printf(b, "%" PRId64 "s", secs);
}

void fmt_timestamp(Buf *b, const char *text) {
  size_t n = strlen(text);
  if (n == 19 && strcmp(text + 16, ":00") == 0) n = 16;
  buf_putn(b, text, n);
}

void fmt_typeref(Buf *b, const TypeRef *t) {
  if (t->labels.len == 0) { /* `enum(...)` always has labels */
    fmt_ident(b, t->name, ID_ANY);
    return;
  }
  buf_put(b, "enum(");
  for (int i = 0; i < t->labels.len; i++) {
    if (i) buf_put(b, ", ");
    fmt_ident(b, t->labels.items[i], ID_ANY);
  }
  buf_put(b, ")");
}

/* ------------------------------------------------------- expressions */

int expr_prec(const Expr *e) {
  switch (e->kind) {
    case E_BINARY:
      switch (e->op) {
        case OP_OR: return P_OR;
        case OP_AND: return P_AND;
        case OP_ADD: case OP_SUB: case OP_CONCAT: return P_ARITH;
        case OP_MUL: case OP_DIV: case OP_MOD: return P_TERM;
        default: return P_PRED;
      }
    case E_UNARY: return e->op == OP_NOT ? P_NOT : P_UNARY;
    case E_IN: case E_BETWEEN: case E_ISNULL: case E_EXISTS: return P_PRED;
    case E_FIELD: return P_POSTFIX;
    case E_INT: return e->ival < 0 ? P_UNARY : P_PRIMARY;
    case E_DEC: return e->text && e->text[0] == '-' ? P_UNARY : P_PRIMARY;
    default: return P_PRIMARY;
  }
}

/* Does e end in a bare `exists` that would swallow a following `and`/`or`
 * (its where-rule extends right) or a following `where`? */
static int ends_open(const Expr *e, int follow_where) {
  if (e->paren) return 0;
  switch (e->kind) {
    case E_EXISTS: return e->right != NULL || follow_where;
    case E_UNARY: return e->op == OP_NOT && ends_open(e->left, follow_where);
    case E_BINARY:
      return (e->op == OP_AND || e->op == OP_OR) && ends_open(e->right, follow_where);
    default: return 0;
  }
}

static void fmt_bare(Buf *b, const Expr *e);

void fmt_expr(Buf *b, const Expr *e, int min_prec) {
  int paren = e->paren || expr_prec(e) < min_prec;
  if (paren) buf_put(b, "(");
  fmt_bare(b, e);
  if (paren) buf_put(b, ")");
}

void fmt_operand(Buf *b, const Expr *e, int min_prec, int follow_where) {
  if (!e->paren && ends_open(e, follow_where)) {
    buf_put(b, "(");
    fmt_bare(b, e);
    buf_put(b, ")");
    return;
  }
  fmt_expr(b, e, min_prec);
}

static void fmt_list(Buf *b, const PtrVec *args) {
  for (int i = 0; i < args->len; i++) {
    if (i) buf_put(b, ", ");
    fmt_expr(b, args->items[i], P_OR);
  }
}

static void fmt_binary(Buf *b, const Expr *e) {
  int p = expr_prec(e);
  if (p == P_OR || p == P_AND) {
    fmt_operand(b, e->left, p, 0);
    buf_printf(b, " %s ", binop_text(e->op));
    fmt_expr(b, e->right, p + 1);
    return;
  }
  fmt_expr(b, e->left, p == P_PRED ? P_ARITH : p);
  buf_printf(b, " %s ", binop_text(e->op));
  fmt_expr(b, e->right, p == P_PRED ? P_ARITH : p + 1);
}

static void fmt_call(Buf *b, const Expr *e) {
  fmt_ident(b, e->name, ID_ANY);
  buf_put(b, e->distinct ? "(distinct " : "(");
  for (int i = 0; i < e->args.len; i++) {
    const Expr *a = e->args.items[i];
    if (i) buf_put(b, ", ");
    if (!a->where) {
      fmt_expr(b, a, P_OR);
      continue;
    }
    fmt_operand(b, a, P_OR, 1);
    buf_put(b, " where ");
    fmt_expr(b, a->where, P_OR);
  }
  buf_put(b, ")");
}

static void fmt_literal(Buf *b, const Expr *e) {
  switch (e->kind) {
    case E_INT: buf_printf(b, "%" PRId64, e->ival); break;
    case E_DEC: buf_put(b, e->text); break;
    case E_STR: fmt_string(b, e->text); break;
    case E_BOOL: buf_put(b, e->ival ? "true" : "false"); break;
    case E_NULL: buf_put(b, "null"); break;
    case E_DATE: buf_put(b, e->text); break;
    case E_TIMESTAMP: fmt_timestamp(b, e->text); break;
    case E_DURATION: fmt_duration(b, e); break;
    default: break;
  }
}

static void fmt_bare(Buf *b, const Expr *e) {
  switch (e->kind) {
    case E_NAME: fmt_ident(b, e->name, ID_ANY); break;
    case E_FIELD:
      fmt_expr(b, e->left, P_POSTFIX);
      buf_put(b, ".");
      fmt_ident(b, e->name, ID_ANY);
      break;
    case E_CALL: fmt_call(b, e); break;
    case E_UNARY:
      buf_put(b, e->op == OP_NOT ? "not " : "-");
      fmt_expr(b, e->left, e->op == OP_NOT ? P_NOT : P_UNARY);
      break;
    case E_BINARY: fmt_binary(b, e); break;
    case E_IN:
      fmt_expr(b, e->left, P_ARITH);
      buf_put(b, e->negated ? " not in [" : " in [");
      fmt_list(b, &e->args);
      buf_put(b, "]");
      break;
    case E_BETWEEN:
      fmt_expr(b, e->left, P_ARITH);
      buf_put(b, e->negated ? " not between " : " between ");
      fmt_expr(b, e->args.items[0], P_ARITH);
      buf_put(b, " and ");
      fmt_expr(b, e->args.items[1], P_ARITH);
      break;
    case E_ISNULL:
      fmt_expr(b, e->left, P_ARITH);
      buf_put(b, e->negated ? " is not null" : " is null");
      break;
    case E_EXISTS:
      buf_put(b, "exists ");
      fmt_expr(b, e->left, P_POSTFIX);
      if (e->right) {
        buf_put(b, " where ");
        fmt_expr(b, e->right, P_OR);
      }
      break;
    case E_LIST:
      buf_put(b, "[");
      fmt_list(b, &e->args);
      buf_put(b, "]");
      break;
    case E_WITHIN:
      fmt_ident(b, e->name, ID_ANY);
      buf_put(b, " within ");
      fmt_duration(b, e->right);
      break;
    default: fmt_literal(b, e); break;
  }
}

char *format_expr_text(const Expr *e) {
  Buf b = {0};
  fmt_expr(&b, e, P_OR);
  buf_put(&b, ""); /* an empty expression still gives a string */
  return b.s;
}
