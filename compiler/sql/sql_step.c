/* sql_step.c — one CREATE TABLE ... AS SELECT per step output.  Every
 * table holds `_key` (the dimension key; the line number for unmatched
 * reconcile rows) followed by the population's added columns. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check/distrib.h"
#include "compiler/check/policy.h"
#include "compiler/sql/sql_internal.h"

void sql_table(SqlGen *g, SqlBuf *b, const char *name) {
  SqlBuf t = {0};
  sb_printf(&t, "%s%s", g->o && g->o->table_prefix ? g->o->table_prefix : "s_", name);
  sb_ident(b, t.s);
  sb_free(&t);
}

static const char *in_name(Step *s, int i) {
  StepInput *si = s->inputs.items[i];
  return si->name;
}

/* Later statements look rows up by key (EXISTS, joins) — even within the
 * same step, as split subsets do: without an index each look-up scans the
 * table and a step is quadratic.  The index of a table is written when the
 * next table starts or the step ends. */
static void flush_key_index(SqlGen *g, SqlBuf *b) {
  if (!g->pending_index[0]) return;
  const char *prefix = g->o && g->o->table_prefix ? g->o->table_prefix : "s_";
  SqlBuf t = {0}, idx = {0}, iname = {0};
  sql_table(g, &t, g->pending_index);
  sb_printf(&iname, "%s%s__key", prefix, g->pending_index);
  sb_ident(&idx, iname.s);
  sb_tmpl(b, g->o && g->o->persistent ? g->d->key_index : g->d->key_index_temp, idx.s, t.s, NULL);
  sb_put(b, ";\n");
  sb_free(&t);
  sb_free(&idx);
  sb_free(&iname);
  g->pending_index[0] = 0;
}

static void create(SqlGen *g, SqlBuf *b, const char *name) {
  flush_key_index(g, b);
  snprintf(g->pending_index, sizeof g->pending_index, "%s", name);
  SqlBuf t = {0};
  sql_table(g, &t, name);
  int durable = g->o && g->o->persistent;
  sb_tmpl(b, durable ? g->d->drop_table : g->d->drop_temp, t.s, NULL, NULL);
  sb_put(b, ";\n");
  sb_printf(b, "%s %s AS\n", durable ? g->d->create_table : g->d->create_temp, t.s);
  sb_free(&t);
}

/* p."_key", p."col1", ... : the columns of population pop read from alias. */
static void pop_columns(SqlBuf *b, Pop *pop, const char *alias) {
  sb_printf(b, "%s.\"_key\"", alias);
  for (int i = 0; i < pop->added.len; i++) {
    AddedCol *ac = pop->added.items[i];
    sb_printf(b, ", %s.", alias);
    sb_ident(b, ac->name);
  }
}

/* FROM "s_in" AS p JOIN "dim" AS t0 ON t0.key = p._key */
static void from_pop(SqlGen *g, SqlBuf *b, const char *input, Pop *pop) {
  sb_put(b, "FROM ");
  sql_table(g, b, input);
  sb_put(b, " AS p");
  if (pop->dim) {
    sb_put(b, "\n  JOIN ");
    sb_ident(b, pop->dim->name);
    sb_put(b, " AS t0 ON t0.");
    sb_ident(b, pop->dim->key->name);
    sb_put(b, " = p.\"_key\"");
  }
  sql_group_mark(g, b); /* grouped aggregates join here (sql_group.c) */
}

static void where_rule(SqlGen *g, SqlBuf *b, Expr *rule, int first) {
  sb_put(b, first ? "\nWHERE " : "\n  AND ");
  sql_expr(g, b, rule);
}

static const char *params_table(SqlGen *g) {
  return g->d->params ? g->d->params : "temp.\"camp_params\"";
}

static void seed_sql(SqlGen *g, SqlBuf *b) { sb_printf(b, "(SELECT \"seed\" FROM %s)", params_table(g)); }

/* A key compared with a key column of camp's own tables (camp_outbox,
 * camp_audience), which hold keys of every type. */
static void key_as_stored(SqlGen *g, SqlBuf *b, const char *key) {
  if (g->d->key_text)
    sb_tmpl(b, g->d->key_text, key, NULL, NULL);
  else
    sb_put(b, key);
}

/* camp_hash(seed, 'salt', p."_key") : seeded random order and tie-breaks. */
static void hash_sql(SqlGen *g, SqlBuf *b, const char *salt, const char *key) {
  SqlBuf s = {0}, salt_b = {0};
  seed_sql(g, &s);
  sb_string(&salt_b, salt);
  sb_tmpl(b, g->d->hash, s.s, salt_b.s, key);
  sb_free(&s);
  sb_free(&salt_b);
}

/* A user string inside a `--` comment: control characters would end the
 * comment and let the rest run as SQL, so they are shown as `?`. */
static void sql_gen_step_tables(SqlGen *g, SqlBuf *b, Step *s);
static void flush_key_index(SqlGen *g, SqlBuf *b);

static void sb_comment_text(SqlBuf *b, const char *text) {
  sb_put(b, "'");
  for (const char *p = text; *p; p++) {
    char ch = (unsigned char)*p < 0x20 ? '?' : *p;
    sb_putn(b, &ch, 1);
  }
  sb_put(b, "'");
}

static void not_in_table(SqlGen *g, SqlBuf *b, const char *table, const char *key, int negate) {
  sb_put(b, negate ? "NOT EXISTS (SELECT 1 FROM " : "EXISTS (SELECT 1 FROM ");
  sql_table(g, b, table);
  sb_printf(b, " AS x WHERE x.\"_key\" = %s)", key);
}

/* ---------------------------------------------------------------- select */

static void gen_select(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *pop = s->pops[0];
  create(g, b, s->label);
  sql_group_begin(g);
  if (s->inputs.len) {
    sb_put(b, "SELECT ");
    pop_columns(b, pop, "p");
    sb_put(b, "\n");
    from_pop(g, b, in_name(s, 0), pop);
  } else {
    sb_put(b, "SELECT t0.");
    sb_ident(b, pop->dim->key->name);
    sb_put(b, " AS \"_key\"\nFROM ");
    sb_ident(b, pop->dim->name);
    sb_put(b, " AS t0");
    sql_group_mark(g, b);
  }
  if (s->rule) where_rule(g, b, s->rule, 1);
  sql_group_end(g, b);
  sb_put(b, ";\n");
}

static void gen_audience(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *pop = s->pops[0];
  create(g, b, s->label);
  sb_put(b, "SELECT DISTINCT t0.");
  sb_ident(b, pop->dim->key->name);
  sb_put(b, " AS \"_key\"\nFROM \"camp_audience\" AS a\n  JOIN ");
  sb_ident(b, pop->dim->name);
  sb_put(b, " AS t0 ON ");
  SqlBuf k = {0};
  sb_put(&k, "t0.");
  sb_ident(&k, pop->dim->key->name);
  key_as_stored(g, b, k.s);
  sb_free(&k);
  sb_put(b, " = a.\"key\"\nWHERE a.\"name\" = ");
  sb_string(b, s->text);
  sb_put(b, " AND a.\"dimension\" = ");
  sb_string(b, pop->dim->name);
  sb_put(b, ";\n");
}

/* ---------------------------------------------------------------- combine */

/* Value of identity column `col` for the row of input i (alias p, t0). */
static void on_value(SqlBuf *b, Pop *pop, const char *col, const char *palias, const char *talias) {
  if (pop_added(pop, col)) {
    sb_printf(b, "%s.", palias);
  } else {
    sb_printf(b, "%s.", talias);
  }
  sb_ident(b, col);
}

/* Whether a row of input i matches the row (pa, ta).  Without on-columns:
 * EXISTS a row with the same key.  With on-columns: the row's values IN the
 * non-NULL values of input i, which SQLite answers from one temporary index
 * (a correlated EXISTS on unindexed columns was quadratic: minutes at 1M
 * rows).  coalesce(..., 0) keeps EXISTS's answer when a value is NULL: no
 * row matches it. */
static void matches_input(SqlGen *g, SqlBuf *b, Step *s, int i, const char *pa, const char *ta,
                          Pop *outer) {
  Pop *pop = ((StepInput *)s->inputs.items[i])->step->pops[0];
  for (int k = 0; k < ((StepInput *)s->inputs.items[i])->step->npops; k++) {
    Step *prod = ((StepInput *)s->inputs.items[i])->step;
    for (int o = 0; o < prod->outputs.len; o++)
      if (!strcmp(prod->outputs.items[o], in_name(s, i))) pop = prod->pops[o];
  }
  if (s->on_cols.len == 0) {
    sb_put(b, "EXISTS (SELECT 1 FROM ");
    sql_table(g, b, in_name(s, i));
    sb_printf(b, " AS q WHERE q.\"_key\" = %s.\"_key\")", pa);
    return;
  }
  int n = s->on_cols.len;
  sb_put(b, n > 1 ? "coalesce((" : "coalesce(");
  for (int k = 0; k < n; k++) {
    if (k) sb_put(b, ", ");
    on_value(b, outer, s->on_cols.items[k], pa, ta);
  }
  sb_put(b, n > 1 ? ") IN (SELECT " : " IN (SELECT ");
  for (int k = 0; k < n; k++) {
    if (k) sb_put(b, ", ");
    on_value(b, pop, s->on_cols.items[k], "q", "u");
  }
  sb_put(b, " FROM ");
  sql_table(g, b, in_name(s, i));
  sb_put(b, " AS q");
  if (pop->dim) {
    sb_put(b, " JOIN ");
    sb_ident(b, pop->dim->name);
    sb_put(b, " AS u ON u.");
    sb_ident(b, pop->dim->key->name);
    sb_put(b, " = q.\"_key\"");
  }
  sb_put(b, " WHERE ");
  for (int k = 0; k < n; k++) {
    if (k) sb_put(b, " AND ");
    on_value(b, pop, s->on_cols.items[k], "q", "u");
    sb_put(b, " IS NOT NULL");
  }
  sb_printf(b, "), %s)", g->d->false_lit);
}

static Pop *input_pop_of(Step *s, int i) {
  StepInput *si = s->inputs.items[i];
  Step *prod = si->step;
  for (int o = 0; o < prod->outputs.len; o++)
    if (!strcmp(prod->outputs.items[o], si->name)) return prod->pops[o];
  return prod->pops[0];
}

/* Rows of the primary's dimension that match any non-primary input. */
static void translated_rows(SqlGen *g, SqlBuf *b, Step *s, Pop *out) {
  Schema *dim = out->dim;
  sb_put(b, "SELECT t0.");
  sb_ident(b, dim->key->name);
  sb_put(b, " AS \"_key\" FROM ");
  sb_ident(b, dim->name);
  sb_put(b, " AS t0 WHERE ");
  Pop dimpop = {.dim = dim};
  for (int i = 1; i < s->inputs.len; i++) {
    if (i > 1) sb_put(b, "\n    OR ");
    matches_input(g, b, s, i, "t0", "t0", &dimpop);
  }
}

static void gen_union(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *out = s->pops[0];
  create(g, b, s->label);
  if (s->on_cols.len) {
    sb_put(b, "SELECT \"_key\" FROM ");
    sql_table(g, b, in_name(s, 0));
    sb_put(b, "\nUNION\n");
    translated_rows(g, b, s, out);
    sb_put(b, ";\n");
    return;
  }
  if (out->added.len == 0) {
    for (int i = 0; i < s->inputs.len; i++) {
      if (i) sb_put(b, "\nUNION\n");
      sb_put(b, "SELECT \"_key\" FROM ");
      sql_table(g, b, in_name(s, i));
    }
    sb_put(b, ";\n");
    return;
  }
  /* With added columns: each key once, values from the first input having it. */
  sb_put(b, "SELECT ");
  pop_columns(b, out, "r");
  sb_put(b, "\nFROM (\n  SELECT ");
  pop_columns(b, out, "u");
  sb_put(b, ", row_number() OVER (PARTITION BY u.\"_key\" ORDER BY u.\"_src\") AS \"_rn\"\n  FROM (\n");
  for (int i = 0; i < s->inputs.len; i++) {
    if (i) sb_put(b, "\n    UNION ALL\n");
    sb_printf(b, "    SELECT %d AS \"_src\", ", i);
    pop_columns(b, out, "v");
    sb_put(b, " FROM ");
    sql_table(g, b, in_name(s, i));
    sb_put(b, " AS v");
  }
  sb_put(b, ") AS u\n) AS r\nWHERE r.\"_rn\" = 1;\n");
}

static void gen_intersect_except(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *out = s->pops[0];
  int except = s->combine == COMB_EXCEPT;
  Pop *prim = input_pop_of(s, 0);
  create(g, b, s->label);
  sb_put(b, "SELECT ");
  pop_columns(b, out, "p");
  sb_put(b, "\n");
  from_pop(g, b, in_name(s, 0), prim);
  for (int i = 1; i < s->inputs.len; i++) {
    sb_put(b, i == 1 ? "\nWHERE " : "\n  AND ");
    if (except) sb_put(b, "NOT ");
    matches_input(g, b, s, i, "p", "t0", prim);
  }
  sb_put(b, ";\n");
  if (s->outputs.len < 2) return;
  /* Complement: except -> the removed rows; intersect -> union - result. */
  const char *comp = s->outputs.items[1];
  create(g, b, comp);
  if (except) {
    sb_put(b, "SELECT ");
    pop_columns(b, out, "p");
    sb_put(b, "\n");
    from_pop(g, b, in_name(s, 0), prim);
    sb_put(b, "\nWHERE ");
    not_in_table(g, b, s->label, "p.\"_key\"", 1);
    sb_put(b, ";\n");
    return;
  }
  sb_put(b, "SELECT k.\"_key\"");
  for (int i = 0; i < out->added.len; i++) {
    sb_put(b, ", p.");
    sb_ident(b, ((AddedCol *)out->added.items[i])->name);
  }
  sb_put(b, "\nFROM (\n");
  if (s->on_cols.len) {
    sb_put(b, "  SELECT \"_key\" FROM ");
    sql_table(g, b, in_name(s, 0));
    sb_put(b, "\n  UNION\n  ");
    translated_rows(g, b, s, out);
  } else {
    for (int i = 0; i < s->inputs.len; i++) {
      if (i) sb_put(b, "\n  UNION\n");
      sb_put(b, "  SELECT \"_key\" FROM ");
      sql_table(g, b, in_name(s, i));
    }
  }
  sb_put(b, "\n) AS k\n  LEFT JOIN ");
  sql_table(g, b, in_name(s, 0));
  sb_put(b, " AS p ON p.\"_key\" = k.\"_key\"\nWHERE ");
  not_in_table(g, b, s->label, "k.\"_key\"", 1);
  sb_put(b, ";\n");
}

/* ---------------------------------------------------------------- dedup */

static void prefer_order(SqlGen *g, SqlBuf *b, Step *s) {
  for (int i = 0; i < s->prefer.len; i++) {
    Expr *e = s->prefer.items[i];
    if (e->kind == E_NAME || (e->kind == E_CALL && !strcmp(e->name, "random"))) {
      hash_sql(g, b, s->label, "p.\"_key\"");
    } else if (e->kind == E_IN) {
      sb_put(b, "CASE");
      for (int k = 0; k < e->args.len; k++) {
        sb_put(b, " WHEN ");
        sql_expr(g, b, e->left);
        sb_put(b, " = ");
        sql_expr(g, b, e->args.items[k]);
        sb_printf(b, " THEN %d", k);
      }
      sb_printf(b, " ELSE %d END", e->args.len);
    } else if (!strcmp(e->name, "max") || !strcmp(e->name, "min")) {
      Expr *v = e->args.items[0];
      sql_expr(g, b, v);
      if (v->type && (v->type->kind == T_TEXT || v->type->kind == T_ENUM) && g->d->text_order)
        sb_put(b, g->d->text_order);
      sb_put(b, !strcmp(e->name, "max") ? " DESC" : " ASC");
      sb_put(b, g->d->nulls_last);
    } else { /* non-null */
      sb_put(b, "(");
      sql_expr(g, b, e->args.items[0]);
      sb_put(b, " IS NULL)");
    }
    sb_put(b, ", ");
  }
  /* Ties are broken by the seeded hash, then the key: reproducible. */
  int has_random = 0;
  for (int i = 0; i < s->prefer.len; i++) {
    Expr *e = s->prefer.items[i];
    has_random |= e->kind == E_NAME || (e->kind == E_CALL && !strcmp(e->name, "random"));
  }
  if (!has_random) {
    hash_sql(g, b, s->label, "p.\"_key\"");
    sb_put(b, ", ");
  }
  sb_put(b, "p.\"_key\"");
}

static void dedup_ranked(SqlGen *g, SqlBuf *b, Step *s, Pop *in) {
  sql_group_begin(g);
  sb_put(b, "WITH ranked AS (\n  SELECT ");
  pop_columns(b, in, "p");
  sb_put(b, ",\n    row_number() OVER (PARTITION BY ");
  for (int i = 0; i < s->keys.len; i++) {
    if (i) sb_put(b, ", ");
    sql_expr(g, b, s->keys.items[i]);
  }
  sb_put(b, " ORDER BY ");
  prefer_order(g, b, s);
  sb_put(b, ") AS \"_rank\",\n    (");
  for (int i = 0; i < s->keys.len; i++) {
    if (i) sb_put(b, " OR ");
    sql_expr(g, b, s->keys.items[i]);
    sb_put(b, " IS NULL");
  }
  sb_put(b, ") AS \"_nullkey\"\n  ");
  from_pop(g, b, in_name(s, 0), in);
  sql_group_end(g, b);
  sb_put(b, "\n)\nSELECT ");
  pop_columns(b, in, "r");
  sb_put(b, " FROM ranked AS r\n");
}

static void gen_dedup(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = s->pops[0];
  create(g, b, s->label);
  dedup_ranked(g, b, s, in);
  /* Rows whose key is NULL are never duplicates of each other. */
  if (s->keep == 0)
    sb_printf(b, "WHERE %s;\n", g->d->true_lit);
  else
    sb_printf(b, "WHERE r.\"_nullkey\" OR r.\"_rank\" <= %lld;\n", (long long)s->keep);
  if (s->outputs.len < 2) return;
  create(g, b, s->outputs.items[1]);
  dedup_ranked(g, b, s, in);
  if (s->keep == 0)
    sb_printf(b, "WHERE %s;\n", g->d->false_lit);
  else
    sb_printf(b, "WHERE NOT r.\"_nullkey\" AND r.\"_rank\" > %lld;\n", (long long)s->keep);
}

/* ---------------------------------------------------------------- enrich */

static void first_rows(SqlGen *g, SqlBuf *b, EnrichItem *it) {
  Schema *child = it->collection->schema;
  const SqlDialect *d = g->d;
  SqlBuf pairs = {0}, obj = {0};
  for (int i = 0; i < child->columns.len; i++) {
    Column *col = child->columns.items[i];
    SqlBuf name = {0}, val = {0};
    sb_string(&name, col->name);
    sb_put(&val, "r.");
    sb_ident(&val, col->name);
    /* the value as SQLite holds it: timestamps as text, booleans 0/1,
     * decimals as doubles */
    const char *conv = NULL;
    TypeKind ck = col->type ? col->type->kind : T_TEXT;
    if (ck == T_TIMESTAMP) conv = d->json_ts;
    if (ck == T_BOOL) conv = d->json_bool;
    if (ck == T_DECIMAL) conv = d->json_real ? d->json_real : d->decimal_col;
    if (conv) {
      char *raw = sb_take(&val);
      sb_tmpl(&val, conv, raw, NULL, NULL);
      free(raw);
    }
    if (i) sb_put(&pairs, d->rows_object_sep ? d->rows_object_sep : ", ");
    sb_tmpl(&pairs, d->rows_object_pair, name.s, val.s, NULL);
    sb_free(&name);
    sb_free(&val);
  }
  sb_tmpl(&obj, d->rows_object, pairs.s, NULL, NULL);
  sb_put(b, "coalesce((SELECT ");
  sb_tmpl(b, d->rows_array, obj.s, NULL, NULL);
  sb_put(b, " FROM (SELECT t1.*");
  Expr fake = {0};
  fake.left = it->collection;
  /* FROM child AS t1 WHERE t1.fk = parent */
  Schema *parent = it->collection->col->link;
  sb_put(b, " FROM ");
  sb_ident(b, child->name);
  sb_put(b, " AS t1 WHERE t1.");
  sb_ident(b, it->collection->col->name);
  sb_put(b, " = ");
  if (it->collection->kind == E_NAME) {
    sb_put(b, "t0.");
    sb_ident(b, parent->key->name);
  } else {
    sql_expr(g, b, it->collection->left);
  }
  if (it->where) {
    sb_put(b, " AND (");
    sql_expr(g, b, it->where);
    sb_put(b, ")");
  }
  sb_put(b, " ORDER BY ");
  if (it->order.len) {
    sql_order_items(g, b, &it->order);
    sb_put(b, ", ");
  }
  sb_put(b, "t1.");
  sb_ident(b, child->key ? child->key->name : child->columns.len ? ((Column *)child->columns.items[0])->name : "rowid");
  sb_printf(b, " LIMIT %lld) AS r), ", (long long)it->first_n);
  sb_put(b, d->rows_empty);
  sb_put(b, ")");
  (void)fake;
  sb_free(&pairs);
  sb_free(&obj);
}

static void gen_enrich(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = input_pop_of(s, 0);
  create(g, b, s->label);
  sql_group_begin(g);
  sb_put(b, "SELECT ");
  pop_columns(b, in, "p");
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    sb_put(b, ",\n  ");
    if (it->expr)
      sql_expr(g, b, it->expr);
    else
      first_rows(g, b, it);
    sb_put(b, " AS ");
    sb_ident(b, it->name);
  }
  sb_put(b, "\n");
  from_pop(g, b, in_name(s, 0), in);
  sql_group_end(g, b);
  sb_put(b, ";\n");
}

/* ---------------------------------------------------------------- split */

/* 1 if SQL text t is one parenthesized group, "(...)" (quotes skipped). */
static int enclosed(const char *t) {
  if (!t || t[0] != '(') return 0;
  int depth = 0;
  char q = 0;
  for (size_t i = 0; t[i]; i++) {
    char c = t[i];
    if (q) {
      if (c == q) q = 0;
    } else if (c == '\'' || c == '"') {
      q = c;
    } else if (c == '(') {
      depth++;
    } else if (c == ')' && --depth == 0 && t[i + 1]) {
      return 0;
    }
  }
  return depth == 0;
}

static void gen_split(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = input_pop_of(s, 0);
  for (int i = 0; i < s->branches.len && i < s->outputs.len; i++) {
    SplitBranch *br = s->branches.items[i];
    const char *name = s->outputs.items[i];
    create(g, b, name);
    sql_group_begin(g);
    sb_put(b, "SELECT ");
    pop_columns(b, in, "p");
    sb_put(b, "\n");
    from_pop(g, b, in_name(s, 0), in);
    int first = 1;
    if (br->rule) {
      /* parenthesized: the exclusions below must apply to a whole `or` */
      SqlBuf r = {0};
      sql_expr(g, &r, br->rule);
      sb_printf(b, enclosed(r.s) ? "\nWHERE %s" : "\nWHERE (%s)", r.s);
      sb_free(&r);
      first = 0;
    }
    /* Earlier subsets take their rows first, unless subsets overlap; the
     * complement (else) is whatever no subset took. */
    for (int k = 0; k < i; k++) {
      SplitBranch *prev = s->branches.items[k];
      if (s->overlap && !br->is_else) break;
      (void)prev;
      sb_put(b, first ? "\nWHERE " : "\n  AND ");
      first = 0;
      not_in_table(g, b, s->outputs.items[k], "p.\"_key\"", 1);
    }
    if (br->has_limit) {
      sb_put(b, "\nORDER BY ");
      if (br->order.len) {
        sql_order_items(g, b, &br->order);
        sb_put(b, ", ");
      } else {
        SqlBuf salt = {0};
        sb_printf(&salt, "%s:%s", s->label, name);
        hash_sql(g, b, salt.s, "p.\"_key\"");
        sb_free(&salt);
        sb_put(b, ", ");
      }
      sb_put(b, "p.\"_key\"\nLIMIT ");
      if (br->is_percent) {
        SqlBuf cnt = {0}, pct = {0};
        sb_put(&cnt, "(SELECT count(*) FROM ");
        sql_table(g, &cnt, in_name(s, 0));
        sb_put(&cnt, ")");
        sb_printf(&pct, "%g", br->limit_percent);
        sb_put(b, "(SELECT ");
        sb_tmpl(b, g->d->percent_limit, cnt.s, pct.s, NULL);
        sb_put(b, ")");
        sb_free(&cnt);
        sb_free(&pct);
      } else {
        sb_printf(b, "%lld", (long long)br->limit);
      }
    }
    sql_group_end(g, b);
    sb_put(b, ";\n");
  }
}

/* ------------------------------------------------------- change dimension */

static void gen_change_dim(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = input_pop_of(s, 0);
  Schema *to = s->pops[0]->dim;
  create(g, b, s->label);
  sb_put(b, "SELECT DISTINCT t1.");
  sb_ident(b, to->key->name);
  sb_put(b, " AS \"_key\"\n");
  from_pop(g, b, in_name(s, 0), in);
  sb_put(b, "\n  JOIN ");
  sb_ident(b, to->name);
  sb_put(b, " AS t1 ON ");
  if (s->keep) { /* many-to-one: follow the link column of t0 */
    sb_put(b, "t1.");
    sb_ident(b, to->key->name);
    sb_put(b, " = t0.");
    sb_ident(b, s->via);
  } else { /* one-to-many: children whose link points at t0 */
    sb_put(b, "t1.");
    sb_ident(b, s->via);
    sb_put(b, " = t0.");
    sb_ident(b, in->dim->key->name);
  }
  sb_put(b, ";\n");
}

/* ------------------------------------------------------------- the rest */

static void gen_copy(SqlGen *g, SqlBuf *b, Step *s, const char *input, const char *out,
                     Expr *filter_address) {
  /* the columns of the input copied (a join copies its primary) */
  Pop *in = input_pop_of(s, 0);
  for (int i = 0; i < s->inputs.len; i++)
    if (!strcmp(in_name(s, i), input)) in = input_pop_of(s, i);
  create(g, b, out);
  sb_put(b, "SELECT ");
  pop_columns(b, in, "p");
  sb_put(b, "\n");
  if (filter_address) {
    from_pop(g, b, input, in);
  } else {
    sb_put(b, "FROM ");
    sql_table(g, b, input);
    sb_put(b, " AS p");
  }
  sb_put(b, ";\n");
}

/* "the zone of column "tz" (else Europe/Stockholm, else UTC)" for the
 * comments on per-contact times. */
static void tz_comment(SqlGen *g, SqlBuf *b) {
  const char *col = g->campaign ? program_contact_tz(g->campaign) : NULL;
  const char *def = g->campaign ? program_default_tz(g->campaign) : "UTC";
  sb_put(b, "the zone of ");
  if (col) {
    sb_put(b, "the contact's column ");
    sb_comment_text(b, col);
    sb_put(b, " (unknown or missing: ");
  } else {
    sb_put(b, "every contact (");
  }
  sb_comment_text(b, def);
  sb_put(b, ")");
}

static void gen_channel(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = input_pop_of(s, 0);
  const char *ch = channel_name(s->channel);
  sb_printf(b, "-- %s: the runtime renders and queues one message per row below\n", ch);
  Step *lw = program_local_wait(s);
  const char *win = NULL;
  for (int i = 0; i < s->props.len; i++)
    if (!strcmp(((ChannelProp *)s->props.items[i])->key, "window")) win = ((ChannelProp *)s->props.items[i])->value;
  if (lw || win) { /* when each message is due, per contact: the runtime's part */
    sb_put(b, "-- due per contact, computed by the runtime (not by this script): ");
    if (lw) sb_printf(b, "at %02d:%02d local after wait %s", (lw->wait_local - 1) / 60, (lw->wait_local - 1) % 60,
                      lw->label);
    if (lw && win) sb_put(b, ", then ");
    if (win) {
      sb_put(b, "in the send window ");
      sb_comment_text(b, win);
    }
    sb_put(b, ",\n-- in ");
    tz_comment(g, b);
    sb_put(b, "\n");
  }
  int hbp = program_step_holdout_bp(s);
  if (hbp > 0) { /* applied by the runtime with the contact policy, so it can record them */
    char salt[600];
    program_holdout_salt(g->campaign ? g->campaign->name : "", s->label, salt, sizeof salt);
    sb_printf(b, "-- holdout %g%%: the runtime takes out (and records as this step's control group) the rows\n"
                 "-- whose camp_hash(seed, ", hbp / 100.0);
    sb_comment_text(b, salt);
    sb_printf(b, ", \"_key\") %% 10000 < %d, after the contact policy\n", hbp);
  }
  create(g, b, s->label);
  sb_put(b, "SELECT ");
  pop_columns(b, in, "p");
  sb_put(b, "\n");
  from_pop(g, b, in_name(s, 0), in);
  Column *addr = in->dim && s->channel != CH_MAIL ? schema_address(in->dim, ch) : NULL;
  if (addr) {
    /* Only rows with an address can be reached. */
    sb_put(b, "\nWHERE t0.");
    sb_ident(b, addr->name);
    sb_put(b, " IS NOT NULL AND t0.");
    sb_ident(b, addr->name);
    sb_put(b, " <> ''");
  }
  sb_put(b, ";\n");
}

static void gen_retarget(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = input_pop_of(s, 0);
  StepInput *si = s->inputs.items[0];
  create(g, b, s->label);
  sb_put(b, "SELECT ");
  pop_columns(b, in, "p");
  sb_put(b, "\n");
  from_pop(g, b, si->name, in);
  sb_printf(b, "\n  JOIN \"camp_outbox\" AS o ON o.\"run_id\" = (SELECT \"run_id\" FROM %s)"
            " AND o.\"step\" = ", params_table(g));
  sb_string(b, si->step->label);
  sb_put(b, " AND o.\"recipient_key\" = ");
  key_as_stored(g, b, "p.\"_key\"");
  g->outbox_alias = "o";
  where_rule(g, b, s->rule, 1);
  g->outbox_alias = NULL;
  sb_put(b, ";\n");
}

/* A local approval (docs/distributed.md): the runtime hands each local
 * entity its rows in camp_distrib_contacts and runs this at the deadline;
 * the first output is what was approved (and, with `otherwise approve`,
 * what nobody decided), the second the rest. */
static void gen_local_approval(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *in = input_pop_of(s, 0);
  int approve_default = s->dist && s->dist->approve_default;
  sb_put(b, "-- local approval: each local entity approves its rows in camp_distrib_contacts;"
            " the runtime goes on at the deadline\n");
  for (int k = 0; k < (s->outputs.len > 1 ? 2 : 1); k++) {
    create(g, b, k ? s->outputs.items[1] : s->label);
    sb_put(b, "SELECT ");
    pop_columns(b, in, "p");
    DistPackage *fp = k == 0 && s->dist ? s->dist->form_pkg : NULL;
    for (int i = 0; fp && i < fp->params.len; i++) {
      /* the contact's entity's value of form parameter i (camp_distrib_values) */
      FormParam *prm = fp->params.items[i];
      const char *t = !strcmp(prm->type->name, "int") ? "INTEGER" : !strcmp(prm->type->name, "decimal") ? "REAL" : "TEXT";
      sb_printf(b, ",\n  (SELECT CAST(v.\"value\" AS %s) FROM \"camp_distrib_values\" AS v"
                   " JOIN \"camp_distrib_contacts\" AS c ON c.\"run_id\" = v.\"run_id\" AND c.\"step\" = v.\"step\""
                   " AND c.\"entity\" = v.\"entity\" WHERE c.\"run_id\" = (SELECT \"run_id\" FROM %s) AND c.\"step\" = ",
                t, params_table(g));
      sb_string(b, s->label);
      sb_put(b, " AND c.\"recipient_key\" = ");
      key_as_stored(g, b, "p.\"_key\"");
      sb_put(b, " AND v.\"name\" = ");
      sb_string(b, prm->name);
      sb_put(b, ") AS ");
      sb_ident(b, prm->name);
    }
    sb_put(b, "\nFROM ");
    sql_table(g, b, in_name(s, 0));
    sb_printf(b, " AS p\nWHERE %sEXISTS (SELECT 1 FROM \"camp_distrib_contacts\" AS c"
                 " WHERE c.\"run_id\" = (SELECT \"run_id\" FROM %s) AND c.\"step\" = ",
              k ? "NOT " : "", params_table(g));
    sb_string(b, s->label);
    sb_put(b, " AND c.\"recipient_key\" = ");
    key_as_stored(g, b, "p.\"_key\"");
    sb_printf(b, " AND c.\"state\" IN ('approved'%s));\n", approve_default ? ", 'pending'" : "");
  }
}

static void import_table(SqlBuf *b, Step *s) {
  SqlBuf t = {0};
  sb_printf(&t, "camp_import_%s", s->label);
  sb_ident(b, t.s);
  sb_free(&t);
}

/* t0."email" = i."email" AND ... : a file row matches a dimension row. */
static void match_condition(SqlBuf *b, Step *s) {
  for (int k = 0; k < s->match.len; k++) {
    MatchPair *m = s->match.items[k];
    if (k) sb_put(b, " AND ");
    sb_put(b, "t0.");
    sb_ident(b, m->dim_col);
    sb_put(b, " = i.");
    sb_ident(b, m->file_col);
  }
}

static void gen_reconcile(SqlGen *g, SqlBuf *b, Step *s) {
  Pop *matched = s->pops[0];
  Schema *dim = matched->dim;
  sb_put(b, "-- reconcile: the runtime loads ");
  sb_comment_text(b, s->text);
  sb_put(b, " into ");
  import_table(b, s);
  sb_put(b, " (\"_line\", declared columns)\n");
  create(g, b, s->label);
  sb_put(b, "SELECT ");
  pop_columns(b, matched, "r");
  sb_put(b, "\nFROM (\n  SELECT t0.");
  sb_ident(b, dim->key->name);
  sb_put(b, " AS \"_key\"");
  for (int i = 0; i < matched->added.len; i++) {
    AddedCol *ac = matched->added.items[i];
    sb_put(b, ", i.");
    sb_ident(b, ac->name);
  }
  sb_put(b, ",\n    row_number() OVER (PARTITION BY t0.");
  sb_ident(b, dim->key->name);
  sb_put(b, " ORDER BY i.\"_line\") AS \"_rn\"\n  FROM ");
  import_table(b, s);
  sb_put(b, " AS i\n    JOIN ");
  sb_ident(b, dim->name);
  sb_put(b, " AS t0 ON ");
  match_condition(b, s);
  sb_put(b, "\n) AS r\nWHERE r.\"_rn\" = 1;\n");
  if (s->outputs.len < 2) return;
  Pop *un = s->pops[1];
  create(g, b, s->outputs.items[1]);
  sb_put(b, "SELECT i.\"_line\" AS \"_key\"");
  for (int i = 0; i < un->added.len; i++) {
    sb_put(b, ", i.");
    sb_ident(b, ((AddedCol *)un->added.items[i])->name);
  }
  sb_put(b, "\nFROM ");
  import_table(b, s);
  sb_put(b, " AS i\nWHERE NOT EXISTS (SELECT 1 FROM ");
  sb_ident(b, dim->name);
  sb_put(b, " AS t0 WHERE ");
  match_condition(b, s);
  sb_put(b, ");\n");
}

void sql_gen_step(SqlGen *g, SqlBuf *b, Step *s) {
  g->next_alias = 0;
  g->row_alias = "p";
  g->pending_index[0] = 0;
  sql_gen_step_tables(g, b, s);
  flush_key_index(g, b);
}

/* `holdout P% of INPUT`: the members whose seeded hash falls below P% are
 * the control group (the runtime records them as INPUT minus this table). */
static void gen_holdout(SqlGen *g, SqlBuf *b, Step *s) {
  char salt[600];
  program_holdout_salt(g->campaign ? g->campaign->name : "", s->label, salt, sizeof salt);
  sb_printf(b, "-- holdout %s%%: the members left out are the control group, recorded by the runtime\n", s->text);
  create(g, b, s->label);
  sb_put(b, "SELECT ");
  pop_columns(b, input_pop_of(s, 0), "p");
  sb_put(b, "\nFROM ");
  sql_table(g, b, in_name(s, 0));
  sb_put(b, " AS p\nWHERE (");
  hash_sql(g, b, salt, "p.\"_key\"");
  sb_printf(b, ") %% 10000 >= %d;\n", program_step_holdout_bp(s));
}

static void sql_gen_step_tables(SqlGen *g, SqlBuf *b, Step *s) {
  switch (s->kind) {
    case S_SELECT: gen_select(g, b, s); break;
    case S_AUDIENCE: gen_audience(g, b, s); break;
    case S_COMBINE:
      if (s->combine == COMB_UNION) gen_union(g, b, s);
      else gen_intersect_except(g, b, s);
      break;
    case S_DEDUP: gen_dedup(g, b, s); break;
    case S_ENRICH: gen_enrich(g, b, s); break;
    case S_SPLIT: gen_split(g, b, s); break;
    case S_CHANGE_DIM: gen_change_dim(g, b, s); break;
    case S_HOLDOUT: gen_holdout(g, b, s); break;
    case S_FORK:
      for (int i = 0; i < s->outputs.len; i++)
        gen_copy(g, b, s, in_name(s, 0), s->outputs.items[i], NULL);
      break;
    case S_JOIN:
      sb_printf(b, "-- join: runs once every input is done; passes `%s`\n", s->primary);
      gen_copy(g, b, s, s->primary, s->label, NULL);
      break;
    case S_WAIT:
      if (s->wait_local) { /* per contact: plain SQL has no time zone database */
        sb_printf(b, "-- wait until %02d:%02d local: these rows go on at once; each message of the channel steps\n"
                     "-- they reach is due at the first %02d:%02d on the contact's wall clock at or after the wait\n"
                     "-- is reached, in ",
                  (s->wait_local - 1) / 60, (s->wait_local - 1) % 60, (s->wait_local - 1) / 60,
                  (s->wait_local - 1) % 60);
        tz_comment(g, b);
        sb_put(b, ".\n-- This script does not compute those due times (they need the tz database): the\n"
                  "-- runtime does, into camp_outbox.policy_due_at (docs/policy.md).\n");
      } else {
        sb_put(b, "-- wait: the runtime holds these rows until the wait is over\n");
      }
      gen_copy(g, b, s, in_name(s, 0), s->label, NULL);
      break;
    case S_CHANNEL: gen_channel(g, b, s); break;
    case S_SAVE:
      sb_put(b, "-- save: the runtime stores these rows in camp_audience as ");
      sb_comment_text(b, s->text);
      sb_put(b, "\n");
      gen_copy(g, b, s, in_name(s, 0), s->label, NULL);
      break;
    case S_RETARGET: gen_retarget(g, b, s); break;
    case S_RECONCILE: gen_reconcile(g, b, s); break;
    case S_LOCAL_APPROVAL: gen_local_approval(g, b, s); break;
  }
}

Pop *sql_input_pop(Step *s, int i) { return input_pop_of(s, i); }

void sql_from_pop(SqlGen *g, SqlBuf *b, const char *input, Pop *pop) { from_pop(g, b, input, pop); }
