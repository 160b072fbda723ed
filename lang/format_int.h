/* format_int.h — internals shared by the formatter's files:
 * format.c (declarations; the module) -> format_step.c (campaign steps)
 * -> format_lines.c (lines, indentation, comments) -> format_expr.c
 * (expressions, names, literals): each calls only those after it. */
#ifndef CAMP_FORMAT_INT_H
#define CAMP_FORMAT_INT_H

#include <stdint.h>

#include "lang/ast.h"

/* Lines longer than this get their where-rule broken before and/or. */
#define FMT_WIDTH 100
#define FMT_INDENT 2
#define FMT_CONT 4

/* Growable malloc'd string. */
typedef struct Buf {
  char *s;
  size_t len, cap;
} Buf;

void buf_putn(Buf *b, const char *s, size_t n);
void buf_put(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------ format_expr.c */

/* Binding strength of the grammar levels, loosest first (parser.y). */
enum {
  P_OR = 1, P_AND, P_NOT, P_PRED, P_ARITH, P_TERM, P_UNARY, P_POSTFIX,
  P_PRIMARY
};

/* Where a name is printed: which keywords the grammar accepts there bare. */
typedef enum {
  ID_ANY,    /* `ident`: soft keywords (channels and plain_kw) allowed */
  ID_SOURCE, /* `source_ident`: plain_kw allowed, channel words not */
  ID_STRICT, /* `IDENT` only: every keyword needs backquotes */
} IdentCtx;

/* A name, in backquotes when it is a keyword the context would not accept. */
void fmt_ident(Buf *b, const char *name, IdentCtx ctx);
/* A string literal with \n \t \r \" \\ escaped. */
void fmt_string(Buf *b, const char *s);
/* A duration literal in the unit it was written in (e->text), else in the
 * largest exact unit (w d h m s). */
void fmt_duration(Buf *b, const Expr *e);
/* `YYYY-MM-DD HH:MM:SS` as written back (seconds dropped when 0). */
void fmt_timestamp(Buf *b, const char *text);
void fmt_typeref(Buf *b, const TypeRef *t);
/* e, in parentheses when the user wrote them or when its level is looser
 * than min_prec.  Expressions never contain newlines. */
void fmt_expr(Buf *b, const Expr *e, int min_prec);
/* Like fmt_expr, for an operand followed by `and`/`or` (follow_where = 0)
 * or by `where` (1): parenthesized when a bare `exists` would swallow it. */
void fmt_operand(Buf *b, const Expr *e, int min_prec, int follow_where);
/* Level of e's outermost operator as printed without parentheses. */
int expr_prec(const Expr *e);

/* ---------------------------------------------------- format_lines.c */

/* The output being built and the comments still to place. */
typedef struct Fmt {
  const char *src;
  size_t srclen;
  Comment **cm;
  int ncm;
  char *used;       /* per comment: already written */
  int first_unused; /* comments before it are all used */
  Buf out;
  int col;          /* column of the end of the open line */
  int line_open;    /* a line has been started and not ended */
  int can_append;   /* the open line takes more text (no // at its end) */
  int last_comment; /* comment ending the open line, or -1 */
  int block_start;  /* nothing written yet in the current block */
  int force_blank;  /* the next line starts after a blank line */
  int line_has_code;  /* the open line holds code (not only comments) */
  int line_trailing;  /* the open line already has a trailing comment */
  int *trail;         /* out offsets of the space before trailing comments */
  int ntrail, captrail;
} Fmt;

/* Appends code text to the open line. */
void fmt_tok(Fmt *f, const char *s);
/* Writes pending comments that start before limit (own-line ones on lines
 * of their own at indent, trailing ones at the end of the open line). */
void fmt_flush(Fmt *f, int limit, int indent);
/* Places comments before an item starting at off (ending at end), then
 * starts the item's line at indent; own-line comments inside [off, end)
 * are moved above the item. */
void fmt_item(Fmt *f, int off, int end, int indent);
/* Starts a continuation line (no blank line, no comments). */
void fmt_cont_line(Fmt *f, int indent);
/* Are there unwritten comments starting before limit? */
int fmt_pending(const Fmt *f, int limit);
/* Closes a block whose `}` is at brace_off: comments before it at
 * inner indentation, then `}` at indent. */
void fmt_close(Fmt *f, int brace_off, int indent);
/* Writes a where-rule / body at the end of the open line, broken before
 * each `and`/`or` of its outermost chain (looking through a leading `not`
 * and `exists c where`) onto lines at cont when the line, plus tail more
 * columns that will follow the rule, would pass FMT_WIDTH columns. */
void fmt_rule(Fmt *f, const Expr *e, int cont, int tail);
/* Writes one rendered piece of code (a Buf) and frees it. */
void fmt_tok_buf(Fmt *f, Buf *b);

/* ----------------------------------------------------- format_step.c */

/* Writes step s (a campaign item) on its line(s) at indent. */
void fmt_step(Fmt *f, const Step *s, int indent);

/* ------------------------------------------------- format_provider.c */

/* Writes `provider NAME { ... }`, one field per line. */
void fmt_provider(Fmt *f, const Decl *d);
/* A marketing-operations declaration (`plan`, `task`, ...) at indent. */
void fmt_mops(Fmt *f, const Decl *d, int indent);
/* ------------------------------------------------- format_distrib.c */

/* Writes `entity NAME { ... }` / `package NAME { ... }`. */
void fmt_distrib_decl(Fmt *f, const Decl *d);
/* Writes the rest of a local approval step after its outputs (in b). */
void fmt_local_approval(Fmt *f, const Step *s, Buf *b, int indent);
/* --------------------------------------------------- format_ops.c */

/* Writes a campaign's `schedule` / `approval` (kw) at indent: one line, or
 * a block with one item per line. */
void fmt_ops_block(Fmt *f, const OpBlock *blk, const char *kw, int indent);

#endif
