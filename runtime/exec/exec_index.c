/* exec_index.c — before a plan: the look-ups the campaign's SQL makes by a
 * column that has no index in the database.  A collection
 * (`exists purchases where ...`, `count(purchases)`) looks its child rows
 * up by the child's link column once per parent row, and a link
 * (`store.city`) or a step's rows look their target up by its key; without
 * an index each look-up scans the table (3,000 subscribers: 4 s instead of
 * 0.07 s).  Each such column is reported once with the CREATE INDEX that
 * fixes it. */
#include <string.h>

#include "runtime/exec/exec.h"

/* Tables smaller than this are scanned quickly enough not to warn. */
#define INDEX_MIN_ROWS 1000

typedef struct Need {
  Schema *table;
  const char *column;
  Step *steps[16];       /* steps that look it up */
  int nsteps;
} Need;

typedef struct Advice {
  Need needs[64];
  int n;
} Advice;

static void need(Advice *a, Step *s, Schema *table, const char *column) {
  if (!table || !column) return;
  Need *nd = NULL;
  for (int i = 0; i < a->n && !nd; i++)
    if (a->needs[i].table == table && !strcmp(a->needs[i].column, column)) nd = &a->needs[i];
  if (!nd) {
    if (a->n == (int)(sizeof a->needs / sizeof a->needs[0])) return;
    nd = &a->needs[a->n++];
    memset(nd, 0, sizeof *nd);
    nd->table = table;
    nd->column = column;
  }
  for (int i = 0; i < nd->nsteps; i++)
    if (nd->steps[i] == s) return;
  if (nd->nsteps < 16) nd->steps[nd->nsteps++] = s;
}

static void walk(Advice *a, Step *s, Expr *e) {
  if (!e) return;
  if (e->ref == REF_COLLECTION && e->col && e->schema)
    need(a, s, e->schema, e->col->name);
  /* A column through a link: the target row by its key. */
  if (e->kind == E_FIELD && e->ref != REF_LINK && e->left && e->left->type &&
      e->left->type->kind == T_LINK && e->left->type->schema && e->left->type->schema->key)
    need(a, s, e->left->type->schema, e->left->type->schema->key->name);
  walk(a, s, e->left);
  walk(a, s, e->right);
  walk(a, s, e->where);
  for (int i = 0; i < e->args.len; i++) walk(a, s, e->args.items[i]);
}

static void walk_order(Advice *a, Step *s, PtrVec *order) {
  for (int i = 0; i < order->len; i++) walk(a, s, ((OrderItem *)order->items[i])->expr);
}

static void walk_step(Advice *a, Step *s) {
  walk(a, s, s->rule);
  for (int i = 0; i < s->keys.len; i++) walk(a, s, s->keys.items[i]);
  for (int i = 0; i < s->prefer.len; i++) walk(a, s, s->prefer.items[i]);
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    walk(a, s, it->expr);
    walk(a, s, it->collection);
    walk(a, s, it->where);
    walk_order(a, s, &it->order);
  }
  for (int i = 0; i < s->branches.len; i++) {
    SplitBranch *b = s->branches.items[i];
    walk(a, s, b->rule);
    walk_order(a, s, &b->order);
  }
  /* Every step after the first joins its rows to the dimension by key. */
  if (s->inputs.len && s->npops && s->pops[0] && s->pops[0]->dim && s->pops[0]->dim->key)
    need(a, s, s->pops[0]->dim, s->pops[0]->dim->key->name);
}

/* Rows of table, cheaply: the largest rowid, else a count. */
static int64_t rows(Db *db, const char *table) {
  char sql[400];
  int64_t n = db_row_estimate(db, table);
  if (n >= 0) return n;
  snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
  return db_query_int(db, sql, 0);
}

int exec_index_advice(Db *db, Program *p, Decl *camp, FILE *out) {
  (void)p;
  Advice a = {.n = 0};
  for (int i = 0; i < camp->steps.len; i++) walk_step(&a, camp->steps.items[i]);
  int warned = 0;
  for (int i = 0; i < a.n; i++) {
    Need *nd = &a.needs[i];
    if (strchr(nd->table->name, '"') || db_column_indexed(db, nd->table->name, nd->column) != 0)
      continue; /* indexed, or the database cannot say */
    int64_t n = rows(db, nd->table->name);
    if (n < INDEX_MIN_ROWS) continue;
    char sql[700];
    db_index_sql(db, nd->table->name, nd->column, sql, sizeof sql);
    fprintf(out, "warning: no index on %s(%s): step%s ", nd->table->name, nd->column,
            nd->nsteps > 1 ? "s" : "");
    for (int k = 0; k < nd->nsteps; k++) {
      Step *st = nd->steps[k];
      fprintf(out, "%s%s", k ? ", " : "", st->outputs.len ? (char *)st->outputs.items[0] : st->label);
    }
    fprintf(out, " look%s up %s rows by %s, and each look-up scans all %lld rows\n  fix: %s\n",
            nd->nsteps > 1 ? "" : "s", nd->table->name, nd->column, (long long)n, sql);
    warned++;
  }
  return warned;
}
