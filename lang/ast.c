/* ast.c — node constructors and the parse entry point. */
#include "lang/ast.h"

#include <stdlib.h>
#include <string.h>

#include "lang/lexstate.h"
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


typedef struct {
  Expr *e;
  int depth;
} DepthItem;

/* Iterative depth check: the tree may be too deep to walk recursively. */
static int expr_too_deep(Expr *root, Diags *d) {
  if (!root) return 0;
  int cap = 64, n = 0;
  DepthItem *stack = malloc(sizeof *stack * (size_t)cap);
  if (!stack) abort();
  stack[n++] = (DepthItem){root, 1};
  int bad = 0;
  while (n > 0 && !bad) {
    DepthItem it = stack[--n];
    if (it.depth > CAMP_MAX_DEPTH) {
      diag_error(d, it.e->loc, "expression nested more than %d levels deep", CAMP_MAX_DEPTH);
      diag_hint(d, "split it into several steps, funcs or filters");
      bad = 1;
      break;
    }
    Expr *kids[3] = {it.e->left, it.e->right, it.e->where};
    int nk = 3 + it.e->args.len;
    if (n + nk >= cap) {
      while (n + nk >= cap) cap *= 2;
      stack = realloc(stack, sizeof *stack * (size_t)cap);
      if (!stack) abort();
    }
    for (int i = 0; i < 3; i++)
      if (kids[i]) stack[n++] = (DepthItem){kids[i], it.depth + 1};
    for (int i = 0; i < it.e->args.len; i++)
      stack[n++] = (DepthItem){it.e->args.items[i], it.depth + 1};
  }
  free(stack);
  return bad;
}

static void limit_order(PtrVec *order, Diags *d) {
  for (int i = 0; i < order->len; i++) {
    OrderItem *o = order->items[i];
    if (expr_too_deep(o->expr, d)) o->expr = expr_new(d->arena, E_NULL, o->expr->loc);
  }
}

#define LIMIT(x) do { if (expr_too_deep((x), d)) (x) = expr_new(d->arena, E_NULL, (x)->loc); } while (0)

static void limit_step(Step *s, Diags *d) {
  if (s->rule) LIMIT(s->rule);
  for (int i = 0; i < s->keys.len; i++) LIMIT(*(Expr **)&s->keys.items[i]);
  for (int i = 0; i < s->prefer.len; i++) LIMIT(*(Expr **)&s->prefer.items[i]);
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (it->expr) LIMIT(it->expr);
    if (it->collection) LIMIT(it->collection);
    if (it->where) LIMIT(it->where);
    limit_order(&it->order, d);
  }
  for (int i = 0; i < s->branches.len; i++) {
    SplitBranch *b = s->branches.items[i];
    if (b->rule) LIMIT(b->rule);
    limit_order(&b->order, d);
  }
}

static void limit_depth(Module *m, Diags *d) {
  for (int i = 0; i < m->decls.len; i++) {
    Decl *dc = m->decls.items[i];
    if (dc->body) LIMIT(dc->body);
    for (int k = 0; k < dc->steps.len; k++) limit_step(dc->steps.items[k], d);
    for (int k = 0; k < dc->fields.len; k++) {
      FieldDecl *f = dc->fields.items[k];
      if (f->default_value) LIMIT(f->default_value);
    }
  }
}

Module *parse_source(Arena *a, Diags *d, int file) {
  const SourceFile *f = diags_file(d, file);
  Module *m = arena_alloc(a, sizeof *m);
  m->file = file;
  if (!f || lex_check_text(d, file)) return m;
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
  limit_depth(m, d);
  return m;
}
