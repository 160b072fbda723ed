/* sql_internal.h — shared by the SQL generator's files:
 *   sql_buf.c         growable string buffer and quoting
 *   dialect_sqlite.c  the SQLite dialect table (templates + capabilities)
 *   dialect_postgres.c  the PostgreSQL dialect table and its helper functions
 *   sql_expr.c        expressions -> SQL
 *   sql_step.c        steps -> CREATE TABLE ... AS SELECT
 *   sql_group.c       per-row aggregates as grouped joins (PostgreSQL)
 *   sqlgen.c          the public entry points (sqlgen.h) */
#ifndef CAMP_SQL_INTERNAL_H
#define CAMP_SQL_INTERNAL_H

#include <stddef.h>

#include "compiler/sql/sqlgen.h"

typedef struct SqlBuf {
  char *s;
  size_t len, cap;
} SqlBuf;

void sb_put(SqlBuf *b, const char *s);
void sb_putn(SqlBuf *b, const char *s, size_t n);
void sb_printf(SqlBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "name" with embedded quotes doubled: safe for any identifier. */
void sb_ident(SqlBuf *b, const char *name);
/* 'text' with embedded quotes doubled: safe for any literal. */
void sb_string(SqlBuf *b, const char *text);
/* Takes the buffer's string (caller frees) and resets the buffer. */
char *sb_take(SqlBuf *b);
void sb_free(SqlBuf *b);

/* A dialect: capabilities and templates.  In templates, %1 %2 %3 stand for
 * already-rendered SQL arguments; everything else is copied. */
struct SqlDialect {
  const char *name;
  const char *create_temp;        /* CREATE TEMP TABLE */
  const char *drop_temp;          /* DROP TABLE IF EXISTS temp.%1 */
  const char *create_table;       /* CREATE TABLE (persistent results) */
  const char *drop_table;         /* DROP TABLE IF EXISTS %1 */
  const char *key_index_temp;     /* index %1 on the _key of TEMP table %2 */
  const char *key_index;          /* index %1 on the _key of table %2 */
  const char *now_default;        /* current timestamp as text */
  const char *nulls_last;         /* " NULLS LAST" or "" if default */
  const char *true_lit, *false_lit;
  const char *ts_add_seconds;     /* timestamp %1 plus %2 seconds */
  const char *date_add_days;      /* date %1 plus %2 days */
  const char *to_timestamp;       /* date %1 as timestamp */
  const char *to_date;            /* timestamp %1 as date */
  const char *seconds_between;    /* %1 - %2 in whole seconds */
  const char *days_between;       /* whole days from %2 to %1 */
  const char *years_between;      /* age: whole years from %2 to %1 */
  const char *year, *month, *day, *hour, *weekday;
  const char *weekday_iso;        /* 1 = Monday ... 7 = Sunday */
  const char *trunc_date[7];      /* date_trunc of date %1: year quarter month week day */
  const char *trunc_ts[7];        /* ... of timestamp %1: also hour minute */
  const char *to_timezone;        /* UTC timestamp %1 as wall-clock time in zone %2 */
  const char *string_agg;         /* join the values %1 with separator %2, in order %3 */
  const char *sqrt_;              /* square root of %1 */
  const char *like, *not_like;    /* ASCII case-insensitive LIKE */
  const char *contains;           /* %1 contains %2 (case-sensitive) */
  const char *starts;             /* %1 starts with %2 */
  const char *concat2;            /* NULL-skipping concat of %1 and %2 */
  const char *floor_, *ceil_;
  const char *round1, *round2;
  const char *least, *greatest;   /* scalar min/max of two values */
  const char *hash;               /* seeded hash of %1 (seed) %2 (salt) %3 */
  const char *rows_array;         /* JSON array aggregate of object %1 */
  const char *rows_object_pair;   /* one 'key', value pair: %1 name %2 value */
  const char *rows_object;        /* object from pairs %1 */
  const char *rows_object_sep;    /* between two pairs (NULL: ", ") */
  const char *rows_empty;         /* empty JSON array */
  const char *percent_limit;      /* rows for %2 percent of count %1 */
  /* Added for a second dialect.  NULL means "as SQLite spells it" (the
   * generator's plain form), so SQLite's output does not change. */
  const char *params;             /* the camp_params table as steps read it */
  const char *ts_lit, *date_lit;  /* typed literal from quoted text %1 */
  const char *dec_lit;            /* decimal literal %1 */
  const char *decimal_col;        /* decimal column %1 read as camp's REAL */
  const char *divide, *modulo;    /* %1 / %2, %1 % %2: NULL when %2 is 0 */
  const char *modulo_real;        /* % on decimals: SQLite's, on integers */
  const char *divide_real;        /* / with a decimal operand: never integer
                                   * division (SQLite keeps an integral decimal
                                   * of a NUMERIC column as an integer) */
  const char *concat1;            /* concat of one value %1, NULL as '' */
  const char *agg_int, *agg_real; /* aggregate result %1 as camp int/decimal */
  const char *lower, *upper;      /* ASCII-only case mapping of %1 */
  const char *substr2, *substr3;  /* SQLite's substr(%1, %2[, %3]) */
  const char *text_order;         /* suffix giving text bytewise order */
  const char *json_ts, *json_bool;/* a row value %1 inside rows_object */
  const char *key_text;           /* key %1 compared with a text key column */
  const char *stored_time;        /* a time %1 camp's tables hold as text */
  const char *text_real;          /* decimal %1 as text, as SQLite writes a REAL */
  const char *text_bool;          /* bool %1 as text ('1'/'0') */
  const char *text_ts;            /* timestamp %1 as text */
  const char *json_real;          /* decimal %1 as a JSON number SQLite would write */
  const char *subquery_alias;     /* alias a FROM (subquery) must have */
  const char *preamble;           /* statements a script runs first */
  /* 1: a per-row aggregate over a one-to-many collection (sum, count, min,
   * max, avg, exists) becomes a column of a grouped derived table joined on
   * the key (sql_group.c) instead of a correlated scalar subquery, so a
   * server that shards the collection can aggregate on the shards. */
  int grouped_aggregates;
  const char *session;            /* settings for camp's session (sql_dialect_session) */
};

extern const SqlDialect sql_dialect_sqlite;
extern const SqlDialect sql_dialect_postgres;

/* Expands a dialect template with up to three rendered arguments. */
void sb_tmpl(SqlBuf *b, const char *tmpl, const char *a1, const char *a2, const char *a3);

/* State while generating one statement. */
typedef struct SqlGen {
  const SqlOptions *o;
  const SqlDialect *d;
  Decl *campaign;
  int next_alias;          /* l1, l2 ... for link look-ups */
  const char *row_alias;   /* alias of the input population table ("p") */
  const char *outbox_alias;/* retarget: alias of the outbox row */
  char pending_index[512]; /* table created last: its key index comes next */
  struct SqlGroups *groups;/* grouped aggregates of the statement being written */
} SqlGen;

/* Renders e (checked) into b.  Columns of depth d read alias t<d>. */
void sql_expr(SqlGen *g, SqlBuf *b, Expr *e);
/* Renders e into a new malloc'd string. */
char *sql_expr_str(SqlGen *g, Expr *e);
/* ORDER BY items for a list of OrderItem*, with NULLS LAST. */
void sql_order_items(SqlGen *g, SqlBuf *b, PtrVec *order);
/* Alias for row scope depth d: t0, t1 ... */
const char *sql_alias(int depth);

/* sql_group.c: grouped aggregates (SqlDialect.grouped_aggregates).
 * A statement that may hold them calls sql_group_begin before rendering
 * any expression, sql_group_mark(b) where its FROM clause has joined the
 * population's row t0 (the joins are inserted there), and sql_group_end(b)
 * once the statement is complete (before its ';').  Without begin (or on a
 * dialect without the capability) aggregates stay scalar subqueries. */
void sql_group_begin(SqlGen *g);
void sql_group_mark(SqlGen *g, SqlBuf *b);
void sql_group_end(SqlGen *g, SqlBuf *b);
/* Whether aggregate/exists e (at row scope 0, over collection coll with
 * value `value` and filter `where`, both read at scope 1) can be a grouped
 * column here: the options name coll's table (SqlOptions.grouped), the
 * statement takes them, e reads nothing of the outer row but the link to
 * it, and there is room.  */
int sql_group_ok(SqlGen *g, Expr *e, Expr *coll, Expr *value, Expr *where);
/* Writes into b the reference to aggregate `item` (rendered SQL over t1,
 * e.g. sum(t1."amount")) of the rows `rows` (" FROM "purchases" AS t1
 * [WHERE (filter)]", rendered without the link to t0), grouped by `fk`
 * (t1."customer_id") and joined on `parent` (t0."id"): g1."a1", or
 * coalesce(g1."a1", 0) when `zero` (count).  item NULL: exists, written
 * (g1."k" IS NOT NULL).  Only after sql_group_ok said yes.  (sql_expr.c
 * renders the parts: this file only keeps the statement's groups.) */
void sql_group_ref(SqlGen *g, SqlBuf *b, const char *rows, const char *fk, const char *parent,
                   const char *item, int zero);

/* sql_step.c: all statements creating the outputs of step s. */
void sql_gen_step(SqlGen *g, SqlBuf *b, Step *s);
/* Table of a population (prefix + label). */
void sql_table(SqlGen *g, SqlBuf *b, const char *name);
/* The population feeding input i of step s. */
Pop *sql_input_pop(Step *s, int i);
/* FROM <input's table> AS p JOIN <dimension> AS t0 ON t0.key = p._key */
void sql_from_pop(SqlGen *g, SqlBuf *b, const char *input, Pop *pop);

#endif
