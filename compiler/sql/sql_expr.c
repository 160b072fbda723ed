/* sql_expr.c — lowering checked expressions to SQL.  Row scopes are
 * aliased t0 (the population's dimension row), t1... (collection rows in
 * nested subqueries); links become scalar subqueries so NULL links give
 * NULL values exactly as SQL's three-valued logic expects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/sql/sql_internal.h"

const char *sql_alias(int depth) {
  static const char *names[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
  return depth >= 0 && depth < 8 ? names[depth] : "t7";
}

char *sql_expr_str(SqlGen *g, Expr *e) {
  SqlBuf b = {0};
  sql_expr(g, &b, e);
  return sb_take(&b);
}

static void tmpl1(SqlGen *g, SqlBuf *b, const char *t, Expr *a) {
  char *s1 = sql_expr_str(g, a);
  sb_tmpl(b, t, s1, NULL, NULL);
  free(s1);
}

static void tmpl2s(SqlBuf *b, const char *t, const char *s1, const char *s2) {
  sb_tmpl(b, t, s1, s2, NULL);
}

static void tmpl2(SqlGen *g, SqlBuf *b, const char *t, Expr *x, Expr *y) {
  char *s1 = sql_expr_str(g, x), *s2 = sql_expr_str(g, y);
  sb_tmpl(b, t, s1, s2, NULL);
  free(s1);
  free(s2);
}

static void now_sql(SqlGen *g, SqlBuf *b) {
  sb_printf(b, "(SELECT \"now\" FROM %s)", g->d->params ? g->d->params : "temp.\"camp_params\"");
}

/* Wraps the SQL in b (from byte `from` on) in template t, if the dialect
 * has one: the value becomes t(value). */
static void wrap_from(SqlBuf *b, size_t from, const char *t) {
  if (!t) return;
  char *inner = strdup(b->s + from);
  if (!inner) abort();
  b->len = from;
  b->s[from] = 0;
  sb_tmpl(b, t, inner, NULL, NULL);
  free(inner);
}

static int is_text_type(const Type *t) { return t && (t->kind == T_TEXT || t->kind == T_ENUM); }

/* A date compared or combined with a timestamp is read as its midnight. */
static void as_timestamp(SqlGen *g, SqlBuf *b, Expr *e) {
  if (e->type && e->type->kind == T_DATE)
    tmpl1(g, b, g->d->to_timestamp, e);
  else
    sql_expr(g, b, e);
}

static char *as_timestamp_str(SqlGen *g, Expr *e) {
  SqlBuf b = {0};
  as_timestamp(g, &b, e);
  return sb_take(&b);
}

static void link_key(SqlGen *g, SqlBuf *b, Expr *e);

/* Column e->col of the row the link e->left points at, as a subquery. */
static void lookup_through(SqlGen *g, SqlBuf *b, Expr *e) {
  int a = ++g->next_alias;
  Schema *t = e->left->type->schema;
  sb_printf(b, "(SELECT l%d.", a);
  sb_ident(b, e->col->name);
  sb_put(b, " FROM ");
  sb_ident(b, t->name);
  sb_printf(b, " AS l%d WHERE l%d.", a, a);
  sb_ident(b, t->key->name);
  sb_put(b, " = ");
  link_key(g, b, e->left);
  sb_put(b, ")");
}

/* The key value a link path points at: t0."store_id", or for store.region
 * the region_id of that store (a nested look-up). */
static void link_key(SqlGen *g, SqlBuf *b, Expr *e) {
  if (e->kind == E_NAME) {
    sb_printf(b, "%s.", sql_alias(e->depth));
    sb_ident(b, e->col->name);
    return;
  }
  /* E_FIELD whose left is a link: fk column of the left's target row. */
  lookup_through(g, b, e);
}

/* Column reached through a link: (SELECT lN."city" FROM "stores" ...). */
static void field_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  size_t from = b->len;
  if (e->ref == REF_LINK)
    link_key(g, b, e);
  else
    lookup_through(g, b, e);
  if (e->type && e->type->kind == T_DECIMAL) wrap_from(b, from, g->d->decimal_col);
}

/* FROM child AS tN WHERE tN.fk = <parent key> : the rows of a collection.
 * A collection of its rows (coll->inner: policies.claims) is joined:
 * FROM policies AS t1 JOIN claims AS t2 ON t2.policy_id = t1.id WHERE ...,
 * one row per innermost row. */
static void collection_tables(SqlGen *g, SqlBuf *b, Expr *coll, int depth) {
  (void)g;
  Schema *child = coll->schema;
  const char *ca = sql_alias(depth + 1);
  sb_put(b, " FROM ");
  sb_ident(b, child->name);
  sb_printf(b, " AS %s", ca);
  int d = depth + 1;
  for (Expr *in = coll->inner; in; in = in->inner, d++) {
    Schema *parent = in->col->link;
    sb_put(b, " JOIN ");
    sb_ident(b, in->schema->name);
    sb_printf(b, " AS %s ON %s.", sql_alias(d + 1), sql_alias(d + 1));
    sb_ident(b, in->col->name);
    sb_printf(b, " = %s.", sql_alias(d));
    sb_ident(b, parent->key->name);
  }
}

/* The child's link column (t<depth+1>."fk") ... */
static void collection_fk(SqlGen *g, SqlBuf *b, Expr *coll, int depth) {
  (void)g;
  sb_printf(b, "%s.", sql_alias(depth + 1));
  sb_ident(b, coll->col->name);
}

/* ... and the parent row's value it must equal (t0."id", or a link column). */
static void collection_parent(SqlGen *g, SqlBuf *b, Expr *coll) {
  if (coll->kind == E_NAME) {
    Schema *parent = coll->col->link;
    sb_printf(b, "%s.", sql_alias(coll->depth));
    sb_ident(b, parent->key->name);
  } else {
    link_key(g, b, coll->left);
  }
}

static void collection_from(SqlGen *g, SqlBuf *b, Expr *coll, int depth) {
  collection_tables(g, b, coll, depth);
  sb_put(b, " WHERE ");
  collection_fk(g, b, coll, depth);
  sb_put(b, " = ");
  collection_parent(g, b, coll);
}

/* An aggregate or exists over coll's rows (filter `where`) as a column of a
 * grouped join (sql_group.c): its rows without the link to t0, grouped by
 * the link column. */
static void grouped_ref(SqlGen *g, SqlBuf *b, Expr *coll, Expr *where, const char *item, int zero) {
  SqlBuf rows = {0}, fk = {0}, parent = {0};
  collection_tables(g, &rows, coll, 0);
  if (where) {
    sb_put(&rows, " WHERE (");
    sql_expr(g, &rows, where);
    sb_put(&rows, ")");
  }
  collection_fk(g, &fk, coll, 0);
  collection_parent(g, &parent, coll);
  sql_group_ref(g, b, rows.s, fk.s, parent.s, item, zero);
  sb_free(&rows);
  sb_free(&fk);
  sb_free(&parent);
}

/* The rows an aggregate or exists reads, with its filter: FROM ... WHERE ... */
static void rows_sql(SqlGen *g, SqlBuf *b, Expr *coll, int depth, Expr *where) {
  collection_from(g, b, coll, depth);
  if (where) {
    sb_put(b, " AND (");
    sql_expr(g, b, where);
    sb_put(b, ")");
  }
}

static int is_agg(Expr *e, const char *n) { return strcmp(e->name, n) == 0; }

static void exists_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  if (sql_group_ok(g, e, e->left, NULL, e->right)) {
    grouped_ref(g, b, e->left, e->right, NULL, 0);
    return;
  }
  sb_put(b, "EXISTS (SELECT 1");
  rows_sql(g, b, e->left, e->depth, e->right);
  sb_put(b, ")");
}

/* Sample (n - 1) or population (n) standard deviation in two steps over
 * one scan: each value's distance from the window's mean, squared and
 * summed (numerically stable, unlike sum of squares minus squared sum).
 * NULL values are skipped; no value gives NULL, and the sample form of a
 * single value divides by zero, which is NULL in SQL. */
static void stddev_sql(SqlGen *g, SqlBuf *b, Expr *e, int sample) {
  Expr *coll = e->args.items[0];
  SqlBuf body = {0};
  const char *n = sample ? "(count(\"v\") - 1)" : "count(\"v\")";
  if (g->d->divide) /* NULL, not an error, when there are no two values */
    sb_tmpl(&body, g->d->divide, "sum((\"v\" - \"m\") * (\"v\" - \"m\"))", n, NULL);
  else
    sb_printf(&body, "sum((\"v\" - \"m\") * (\"v\" - \"m\")) / %s", n);
  sb_put(b, "(SELECT ");
  sb_tmpl(b, g->d->sqrt_, body.s, NULL, NULL);
  sb_free(&body);
  sb_put(b, " FROM (SELECT ");
  size_t v = b->len;
  sql_expr(g, b, e->right);
  wrap_from(b, v, g->d->decimal_col); /* REAL arithmetic, as SQLite's */
  sb_put(b, " AS \"v\", avg(");
  v = b->len;
  sql_expr(g, b, e->right);
  wrap_from(b, v, g->d->decimal_col);
  sb_put(b, ") OVER () AS \"m\"");
  rows_sql(g, b, coll, e->depth, e->where);
  sb_printf(b, ")%s)", g->d->subquery_alias ? g->d->subquery_alias : "");
}

/* string_agg / group_concat: the values in ascending order (NULLs skipped),
 * so the text is the same on every run; the ordered subquery is not
 * flattened into an aggregate (SQLite's flattening rule 16), so
 * group_concat sees the rows in that order. */
static void string_agg_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  Expr *coll = e->args.items[0];
  Expr *sep = e->args.len > 1 ? e->args.items[1] : NULL;
  SqlBuf sb = {0};
  sb_string(&sb, sep ? sep->text : ",");
  /* each value as SQLite's group_concat writes it, in SQLite's order */
  const char *conv = NULL;
  TypeKind k = e->right->type ? e->right->type->kind : T_TEXT;
  if (k == T_DECIMAL) conv = g->d->text_real;
  else if (k == T_BOOL) conv = g->d->text_bool;
  else if (k == T_TIMESTAMP) conv = g->d->text_ts;
  else if (g->d->text_bool) conv = "CAST(%1 AS text)"; /* a typed dialect: string_agg takes text */
  SqlBuf val = {0}, ord = {0};
  sb_tmpl(&val, conv ? conv : "%1", "\"v\"", NULL, NULL);
  sb_put(&ord, "\"v\"");
  if (is_text_type(e->right->type) && g->d->text_order) sb_put(&ord, g->d->text_order);
  sb_put(b, "(SELECT ");
  sb_tmpl(b, g->d->string_agg, val.s, sb.s, ord.s);
  sb_free(&sb);
  sb_free(&val);
  sb_put(b, e->distinct ? " FROM (SELECT DISTINCT " : " FROM (SELECT ");
  sql_expr(g, b, e->right);
  sb_put(b, " AS \"v\"");
  rows_sql(g, b, coll, e->depth, e->where);
  /* (the aggregate's own order, %3, is what counts where it has one) */
  sb_printf(b, " ORDER BY \"v\")%s)", g->d->subquery_alias ? g->d->subquery_alias : "");
  sb_free(&ord);
}

static void aggregate_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  Expr *coll = e->args.items[0];
  if (is_agg(e, "stddev") || is_agg(e, "stddev_pop")) return stddev_sql(g, b, e, is_agg(e, "stddev"));
  if (is_agg(e, "string_agg") || is_agg(e, "group_concat")) return string_agg_sql(g, b, e);
  SqlBuf v = {0};
  sb_printf(&v, "%s(%s", e->name, e->distinct ? "DISTINCT " : "");
  if (e->right) {
    size_t arg = v.len;
    sql_expr(g, &v, e->right);
    /* avg is a double division in SQLite, not an exact numeric one */
    if (!strcmp(e->name, "avg") && e->right->type && e->right->type->kind == T_INT)
      wrap_from(&v, arg, g->d->decimal_col);
    if (is_text_type(e->right->type) && g->d->text_order) sb_put(&v, g->d->text_order);
  } else {
    sb_put(&v, "*");
  }
  sb_put(&v, ")");
  if (e->right && e->type && e->type->kind == T_INT) wrap_from(&v, 0, g->d->agg_int);
  if (e->right && e->type && e->type->kind == T_DECIMAL) wrap_from(&v, 0, g->d->agg_real);
  if (sql_group_ok(g, e, coll, e->right, e->where)) {
    /* count of no rows is 0, the others are NULL, as the subquery gives */
    grouped_ref(g, b, coll, e->where, v.s, is_agg(e, "count"));
  } else {
    sb_put(b, "(SELECT ");
    sb_put(b, v.s);
    rows_sql(g, b, coll, e->depth, e->where);
    sb_put(b, ")");
  }
  sb_free(&v);
}

static int is_fn(Expr *e, const char *n) { return strcmp(e->name, n) == 0; }

/* a[0] op a[1] op ... through a two-argument template, left to right;
 * `first` (a printf format) wraps the first argument when given. */
static void fold(SqlGen *g, SqlBuf *b, Expr **a, int n, const char *tmpl, const char *first) {
  char *acc = sql_expr_str(g, a[0]);
  SqlBuf t = {0};
  if (first && g->d->concat1) {
    sb_tmpl(&t, g->d->concat1, acc, NULL, NULL);
    free(acc);
    acc = sb_take(&t);
  } else if (first) {
    sb_printf(&t, first, acc);
    free(acc);
    acc = sb_take(&t);
  }
  for (int i = 1; i < n; i++) {
    char *next = sql_expr_str(g, a[i]);
    tmpl2s(&t, tmpl, acc, next);
    free(acc);
    free(next);
    acc = sb_take(&t);
  }
  sb_put(b, acc);
  free(acc);
}

static void call_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  const SqlDialect *d = g->d;
  Expr **a = (Expr **)e->args.items;
  int n = e->args.len;
  if (e->ref == REF_COLLECTION) {
    aggregate_sql(g, b, e);
    return;
  }
  if (is_fn(e, "now")) return now_sql(g, b);
  if (is_fn(e, "today")) {
    SqlBuf nb = {0};
    now_sql(g, &nb);
    sb_tmpl(b, d->to_date, nb.s, NULL, NULL);
    sb_free(&nb);
    return;
  }
  if (is_fn(e, "year")) return tmpl1(g, b, d->year, a[0]);
  if (is_fn(e, "month")) return tmpl1(g, b, d->month, a[0]);
  if (is_fn(e, "day")) return tmpl1(g, b, d->day, a[0]);
  if (is_fn(e, "hour")) return tmpl1(g, b, d->hour, a[0]);
  if (is_fn(e, "weekday")) return tmpl1(g, b, d->weekday, a[0]);
  if (is_fn(e, "weekday_iso")) return tmpl1(g, b, d->weekday_iso, a[0]);
  if (is_fn(e, "date_trunc")) {
    Expr *x = a[1];
    const char *t = x->type->kind == T_DATE ? d->trunc_date[e->ival] : d->trunc_ts[e->ival];
    return tmpl1(g, b, t, x);
  }
  if (is_fn(e, "to_timezone")) {
    char *x = as_timestamp_str(g, a[0]), *z = sql_expr_str(g, a[1]);
    tmpl2s(b, d->to_timezone, x, z);
    free(x);
    free(z);
    return;
  }
  if (is_fn(e, "days_between")) {
    char *x = as_timestamp_str(g, a[0]), *y = as_timestamp_str(g, a[1]);
    sb_put(b, "(");
    tmpl2s(b, d->days_between, y, x);
    sb_put(b, ")");
    free(x);
    free(y);
    return;
  }
  if (is_fn(e, "date")) return tmpl1(g, b, d->to_date, a[0]);
  if (is_fn(e, "floor")) return tmpl1(g, b, d->floor_, a[0]);
  if (is_fn(e, "ceil")) return tmpl1(g, b, d->ceil_, a[0]);
  if (is_fn(e, "round")) return n == 1 ? tmpl1(g, b, d->round1, a[0]) : tmpl2(g, b, d->round2, a[0], a[1]);
  if (is_fn(e, "days_since") || is_fn(e, "age")) {
    SqlBuf nb = {0};
    now_sql(g, &nb);
    char *x = as_timestamp_str(g, a[0]);
    const char *t = is_fn(e, "age") ? d->years_between : d->days_between;
    sb_put(b, "(");
    tmpl2s(b, t, nb.s, x);
    sb_put(b, ")");
    sb_free(&nb);
    free(x);
    return;
  }
  if ((is_fn(e, "min") || is_fn(e, "max")) && n >= 2)
    return fold(g, b, a, n, is_fn(e, "min") ? d->least : d->greatest, NULL);
  if (is_fn(e, "concat")) return fold(g, b, a, n, d->concat2, "coalesce(%s, '')");
  if (is_fn(e, "lower") && d->lower) return tmpl1(g, b, d->lower, a[0]);
  if (is_fn(e, "upper") && d->upper) return tmpl1(g, b, d->upper, a[0]);
  if (is_fn(e, "substr") && n == 2 && d->substr2) return tmpl2(g, b, d->substr2, a[0], a[1]);
  if (is_fn(e, "substr") && n == 3 && d->substr3) {
    char *s1 = sql_expr_str(g, a[0]), *s2 = sql_expr_str(g, a[1]), *s3 = sql_expr_str(g, a[2]);
    sb_tmpl(b, d->substr3, s1, s2, s3);
    free(s1);
    free(s2);
    free(s3);
    return;
  }
  /* lower upper trim length substr replace coalesce abs: same in SQL. */
  sb_printf(b, "%s(", e->name);
  for (int i = 0; i < n; i++) {
    if (i) sb_put(b, ", ");
    sql_expr(g, b, a[i]);
  }
  sb_put(b, ")");
}

static void literal_duration(SqlBuf *b, int64_t secs) { sb_printf(b, "%lld", (long long)secs); }

/* timestamp/date +- duration. */
static void temporal_shift(SqlGen *g, SqlBuf *b, Expr *e) {
  Expr *t = e->left, *dur = e->right;
  if (t->type->kind == T_DURATION) { /* duration + timestamp */
    t = e->right;
    dur = e->left;
  }
  int sub = e->op == OP_SUB;
  char *ts = sql_expr_str(g, t);
  SqlBuf amount = {0};
  if (e->type->kind == T_DATE && dur->kind == E_DURATION) {
    sb_printf(&amount, "%lld", (long long)((sub ? -1 : 1) * (dur->ival / 86400)));
    sb_tmpl(b, g->d->date_add_days, ts, amount.s, NULL);
  } else {
    if (dur->kind == E_DURATION) {
      sb_printf(&amount, "%lld", (long long)((sub ? -1 : 1) * dur->ival));
    } else {
      char *ds = sql_expr_str(g, dur);
      sb_printf(&amount, sub ? "-(%s)" : "%s", ds);
      free(ds);
    }
    char *tts = as_timestamp_str(g, t);
    sb_tmpl(b, g->d->ts_add_seconds, tts, amount.s, NULL);
    free(tts);
  }
  sb_free(&amount);
  free(ts);
}

static int is_cmp(BinOp op) {
  return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE;
}

static void binary_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  Expr *l = e->left, *r = e->right;
  const SqlDialect *d = g->d;
  switch (e->op) {
    case OP_LIKE: return tmpl2(g, b, d->like, l, r);
    case OP_NOT_LIKE: return tmpl2(g, b, d->not_like, l, r);
    case OP_CONTAINS: return tmpl2(g, b, d->contains, l, r);
    case OP_NOT_CONTAINS: sb_put(b, "NOT ("); tmpl2(g, b, d->contains, l, r); sb_put(b, ")"); return;
    case OP_STARTS: return tmpl2(g, b, d->starts, l, r);
    case OP_NOT_STARTS: sb_put(b, "NOT ("); tmpl2(g, b, d->starts, l, r); sb_put(b, ")"); return;
    default: break;
  }
  TypeKind lk = l->type->kind, rk = r->type->kind;
  if ((e->op == OP_ADD || e->op == OP_SUB) &&
      ((type_is_temporal(l->type) && rk == T_DURATION) ||
       (lk == T_DURATION && type_is_temporal(r->type)))) {
    temporal_shift(g, b, e);
    return;
  }
  if (e->op == OP_SUB && type_is_temporal(l->type) && type_is_temporal(r->type)) {
    char *x = as_timestamp_str(g, l), *y = as_timestamp_str(g, r);
    tmpl2s(b, d->seconds_between, x, y);
    free(x);
    free(y);
    return;
  }
  if (e->op == OP_DIV && (lk == T_DECIMAL || rk == T_DECIMAL) && d->divide_real)
    return tmpl2(g, b, d->divide_real, l, r); /* 31 held as an integer / 14 is 2.21, not 2 */
  if ((e->op == OP_DIV && d->divide) || (e->op == OP_MOD && d->modulo)) {
    const char *t = e->op == OP_DIV ? d->divide : d->modulo;
    if (e->op == OP_MOD && (lk == T_DECIMAL || rk == T_DECIMAL) && d->modulo_real) t = d->modulo_real;
    return tmpl2(g, b, t, l, r);
  }
  int mixed_time = is_cmp(e->op) && type_is_temporal(l->type) && type_is_temporal(r->type) && lk != rk;
  /* text order is bytewise in SQLite, whatever the server's collation */
  int text_ord = is_cmp(e->op) && e->op != OP_EQ && e->op != OP_NE && d->text_order &&
                 (is_text_type(l->type) || is_text_type(r->type));
  if (mixed_time) as_timestamp(g, b, l); else sql_expr(g, b, l);
  if (text_ord) sb_put(b, d->text_order);
  if (e->op == OP_AND || e->op == OP_OR)
    sb_printf(b, "\n      %s ", e->op == OP_AND ? "AND" : "OR");
  else if (e->op == OP_NE)
    sb_put(b, " <> ");
  else
    sb_printf(b, " %s ", binop_text(e->op));
  if (mixed_time) as_timestamp(g, b, r); else sql_expr(g, b, r);
}

/* Feedback of the outbox row being retargeted: EXISTS a matching event. */
static void feedback_sql(SqlGen *g, SqlBuf *b, Expr *e) {
  const char *o = g->outbox_alias ? g->outbox_alias : "o";
  sb_printf(b, "EXISTS (SELECT 1 FROM \"camp_feedback\" AS f WHERE f.\"outbox_id\" = %s.\"id\" AND f.\"event\" = ", o);
  sb_string(b, e->name);
  if (e->kind == E_WITHIN) {
    SqlBuf base = {0}, amount = {0};
    sb_printf(&base, "coalesce(%s.\"sent_at\", %s.\"queued_at\")", o, o);
    wrap_from(&base, 0, g->d->stored_time);
    literal_duration(&amount, e->right->ival);
    sb_put(b, " AND ");
    size_t at = b->len;
    sb_put(b, "f.\"at\"");
    wrap_from(b, at, g->d->stored_time);
    sb_put(b, " <= ");
    sb_tmpl(b, g->d->ts_add_seconds, base.s, amount.s, NULL);
    sb_free(&base);
    sb_free(&amount);
  }
  sb_put(b, ")");
}

void sql_expr(SqlGen *g, SqlBuf *b, Expr *e) {
  const SqlDialect *d = g->d;
  int paren = e->paren && (e->kind == E_BINARY || e->kind == E_UNARY || e->kind == E_IN ||
                           e->kind == E_BETWEEN || e->kind == E_ISNULL || e->kind == E_EXISTS);
  if (e->kind == E_BINARY && !paren && e->op != OP_AND && e->op != OP_OR) paren = 1;
  if (paren) sb_put(b, "(");
  switch (e->kind) {
    case E_INT: sb_printf(b, "%lld", (long long)e->ival); break;
    case E_DEC:
      if (d->dec_lit) sb_tmpl(b, d->dec_lit, e->text, NULL, NULL); else sb_put(b, e->text);
      break;
    case E_STR: sb_string(b, e->text); break;
    case E_DATE: case E_TIMESTAMP: {
      size_t from = b->len;
      sb_string(b, e->text);
      wrap_from(b, from, e->kind == E_DATE ? d->date_lit : d->ts_lit);
      break;
    }
    case E_BOOL: sb_put(b, e->ival ? d->true_lit : d->false_lit); break;
    case E_NULL: sb_put(b, "NULL"); break;
    case E_DURATION: literal_duration(b, e->ival); break;
    case E_NAME:
      if (e->ref == REF_ADDED) {
        sb_printf(b, "%s.", g->row_alias ? g->row_alias : "p");
        sb_ident(b, e->name);
      } else if (e->ref == REF_FEEDBACK) {
        feedback_sql(g, b, e);
      } else if (e->ref == REF_LINK) {
        link_key(g, b, e);
      } else {
        size_t from = b->len;
        sb_printf(b, "%s.", sql_alias(e->depth));
        sb_ident(b, e->col ? e->col->name : e->name);
        if (e->type && e->type->kind == T_DECIMAL) wrap_from(b, from, d->decimal_col);
      }
      break;
    case E_FIELD: field_sql(g, b, e); break;
    case E_CALL: call_sql(g, b, e); break;
    case E_UNARY:
      if (e->op == OP_NOT) {
        sb_put(b, "NOT (");
        sql_expr(g, b, e->left);
        sb_put(b, ")");
      } else {
        sb_put(b, "-");
        sql_expr(g, b, e->left);
      }
      break;
    case E_BINARY: binary_sql(g, b, e); break;
    case E_IN:
      sql_expr(g, b, e->left);
      sb_put(b, e->negated ? " NOT IN (" : " IN (");
      for (int i = 0; i < e->args.len; i++) {
        if (i) sb_put(b, ", ");
        sql_expr(g, b, e->args.items[i]);
      }
      sb_put(b, ")");
      break;
    case E_BETWEEN: {
      Expr *lo = e->args.items[0], *hi = e->args.items[1];
      int ts = type_is_temporal(e->left->type) &&
               (e->left->type->kind == T_TIMESTAMP || lo->type->kind == T_TIMESTAMP ||
                hi->type->kind == T_TIMESTAMP);
      if (ts) as_timestamp(g, b, e->left); else sql_expr(g, b, e->left);
      if (is_text_type(e->left->type) && d->text_order) sb_put(b, d->text_order);
      sb_put(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
      if (ts) as_timestamp(g, b, lo); else sql_expr(g, b, lo);
      sb_put(b, " AND ");
      if (ts) as_timestamp(g, b, hi); else sql_expr(g, b, hi);
      break;
    }
    case E_ISNULL:
      sql_expr(g, b, e->left);
      sb_put(b, e->negated ? " IS NOT NULL" : " IS NULL");
      break;
    case E_EXISTS: exists_sql(g, b, e); break;
    case E_WITHIN: feedback_sql(g, b, e); break;
    case E_LIST: sb_put(b, "NULL"); break;
  }
  if (paren) sb_put(b, ")");
}

void sql_order_items(SqlGen *g, SqlBuf *b, PtrVec *order) {
  for (int i = 0; i < order->len; i++) {
    OrderItem *oi = order->items[i];
    if (i) sb_put(b, ", ");
    /* SQLite reads an integer literal in ORDER BY as a column position */
    Expr *e = oi->expr;
    int lit = e->kind == E_INT || (e->kind == E_UNARY && e->op == OP_NEG && e->left && e->left->kind == E_INT);
    if (lit) sb_put(b, "CAST(");
    sql_expr(g, b, e);
    if (lit) sb_put(b, " AS INTEGER)");
    if (is_text_type(e->type) && g->d->text_order) sb_put(b, g->d->text_order);
    sb_put(b, oi->desc ? " DESC" : " ASC");
    sb_put(b, g->d->nulls_last);
  }
}
