/* ast.c — node constructors and the parse entry point. */
#include "ast.h"

#include <string.h>

#include "lexstate.h"
#include "parser.h"

/* flex's reentrant API, declared here to avoid including the scanner header. */
typedef void *yyscan_t;
int camp_yylex_init_extra(LexState *extra, yyscan_t *scanner);
int camp_yylex_destroy(yyscan_t scanner);
void *camp_yy_scan_bytes(const char *bytes, int len, yyscan_t scanner);
int camp_yyparse(yyscan_t scanner, LexState *st);

Expr *expr_new(Arena *a, ExprKind k, Loc loc) {
  Expr *e = arena_alloc(a, sizeof *e);
  e->kind = k;
  e->loc = loc;
  return e;
}

Expr *expr_binary(Arena *a, BinOp op, Expr *l, Expr *r, Loc loc) {
  Expr *e = expr_new(a, E_BINARY, loc);
  e->op = op;
  e->left = l;
  e->right = r;
  return e;
}

Step *step_new(Arena *a, StepKind k, Loc loc) {
  Step *s = arena_alloc(a, sizeof *s);
  s->kind = k;
  s->loc = loc;
  s->keep = 1;
  return s;
}

const char *binop_text(BinOp op) {
  switch (op) {
    case OP_AND: return "and";
    case OP_OR: return "or";
    case OP_NOT: return "not";
    case OP_NEG: return "-";
    case OP_EQ: return "=";
    case OP_NE: return "!=";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_MOD: return "%";
    case OP_CONCAT: return "||";
    case OP_LIKE: return "like";
    case OP_NOT_LIKE: return "not like";
    case OP_CONTAINS: return "contains";
    case OP_NOT_CONTAINS: return "not contains";
    case OP_STARTS: return "starts with";
    case OP_NOT_STARTS: return "not starts with";
    case OP_NONE: break;
  }
  return "?";
}

const char *channel_name(Channel c) {
  switch (c) {
    case CH_EMAIL: return "email";
    case CH_SMS: return "sms";
    case CH_PUSH: return "push";
    case CH_MAIL: return "mail";
  }
  return "?";
}

Module *parse_source(Arena *a, Diags *d, int file) {
  const SourceFile *f = diags_file(d, file);
  Module *m = arena_alloc(a, sizeof *m);
  m->file = file;
  if (!f) return m;
  LexState st;
  memset(&st, 0, sizeof st);
  st.arena = a;
  st.diags = d;
  st.module = m;
  st.file = file;
  st.line = 1;
  st.col = 1;
  yyscan_t scanner;
  if (camp_yylex_init_extra(&st, &scanner) != 0) return m;
  camp_yy_scan_bytes(f->text, (int)f->len, scanner);
  camp_yyparse(scanner, &st);
  camp_yylex_destroy(scanner);
  return m;
}
