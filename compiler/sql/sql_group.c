/* sql_group.c — per-row aggregates as grouped derived tables, for dialects
 * with SqlDialect.grouped_aggregates (PostgreSQL).
 *
 * `sum(purchases.amount where at > now() - 90d) > 100` on customers is, by
 * default, a correlated scalar subquery per customer:
 *   (SELECT sum(t1."amount") FROM "purchases" AS t1
 *     WHERE t1."customer_id" = t0."id" AND (t1."at" > ...)) > 100
 * Here it becomes one aggregate over all qualifying rows, grouped by the
 * link column and joined to the population's row:
 *   LEFT JOIN (SELECT t1."customer_id" AS "k", sum(t1."amount") AS "a1"
 *     FROM "purchases" AS t1 WHERE (t1."at" > ...) GROUP BY t1."customer_id")
 *     AS g1 ON g1."k" = t0."id"
 *   ... g1."a1" > 100
 * PostgreSQL plans it as a hash join instead of a nested loop, and when the
 * collection is partitioned by its link column over postgres_fdw shards
 * (examples/sharded, enable_partitionwise_aggregate) each shard computes its
 * part of the GROUP BY.  The answers are the subquery's: the GROUP BY makes
 * at most one row per key, so the LEFT JOIN neither drops nor repeats rows;
 * no row for a key is NULL, which is what sum/avg/min/max of no rows are,
 * and count becomes coalesce(..., 0); exists is "a group row was found".
 * Aggregates that read the outer row inside (a filter comparing with a
 * customer's column, an added column) stay correlated subqueries.
 *
 * Only for the tables SqlOptions.grouped names: on one server the grouped
 * form aggregates every qualifying row of the collection, whatever the size
 * of the population, so a selective rule (2,000 of 1M customers) went from
 * 0.5 s to 8-10 s, while unselective ones came out even (bench/RESULTS.md);
 * over shards it saves a round trip per customer and shard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/sql/sql_internal.h"

#define GROUPS_MAX 16
#define ITEMS_MAX 16

typedef struct SqlGroup {
  char *rows;   /* " FROM ... [WHERE (filter)]" without the link to t0 */
  char *fk;     /* t1."customer_id" */
  char *parent; /* t0."id" */
  int nitems;
  char *items[ITEMS_MAX]; /* rendered aggregates: "a1", "a2" ... */
} SqlGroup;

struct SqlGroups {
  int marked;   /* the FROM clause has joined t0: joins go at `at` */
  size_t at;
  SqlBuf *buf;
  int n;
  SqlGroup g[GROUPS_MAX];
};

void sql_group_begin(SqlGen *g) {
  if (!g->d->grouped_aggregates) return;
  if (g->groups) sql_group_end(g, NULL); /* never nested: a stale one is dropped */
  g->groups = calloc(1, sizeof *g->groups);
  if (!g->groups) abort();
}

void sql_group_mark(SqlGen *g, SqlBuf *b) {
  if (!g->groups) return;
  g->groups->marked = 1;
  g->groups->at = b->len;
  g->groups->buf = b;
}

static void free_groups(struct SqlGroups *gs) {
  for (int i = 0; i < gs->n; i++) {
    free(gs->g[i].rows);
    free(gs->g[i].fk);
    free(gs->g[i].parent);
    for (int k = 0; k < gs->g[i].nitems; k++) free(gs->g[i].items[k]);
  }
  free(gs);
}

void sql_group_end(SqlGen *g, SqlBuf *b) {
  struct SqlGroups *gs = g->groups;
  if (!gs) return;
  g->groups = NULL;
  if (gs->n && b) {
    /* a statement that took grouped aggregates without joining t0 would
     * write SQL that cannot run: a bug in sql_step.c, not in the input */
    if (!gs->marked || gs->buf != b || gs->at > b->len) {
      fprintf(stderr, "camp: internal error: grouped aggregates without a FROM clause\n");
      abort();
    }
    SqlBuf j = {0};
    for (int i = 0; i < gs->n; i++) {
      SqlGroup *gr = &gs->g[i];
      sb_printf(&j, "\n  LEFT JOIN (SELECT %s AS \"k\"", gr->fk);
      for (int k = 0; k < gr->nitems; k++) sb_printf(&j, ", %s AS \"a%d\"", gr->items[k], k + 1);
      sb_printf(&j, "%s GROUP BY %s) AS g%d ON g%d.\"k\" = %s", gr->rows, gr->fk, i + 1, i + 1, gr->parent);
    }
    char *tail = strdup(b->s + gs->at);
    if (!tail) abort();
    b->len = gs->at;
    b->s[b->len] = 0;
    sb_put(b, j.s);
    sb_put(b, tail);
    free(tail);
    sb_free(&j);
  }
  free_groups(gs);
}

/* Whether e reads the row an aggregate at scope `depth` is computed for
 * (or anything else outside the collection's rows). */
static int reads_outer(Expr *e, int depth) {
  if (!e) return 0;
  if (e->kind == E_NAME) {
    if (e->ref == REF_ENUM) return 0;
    if (e->ref == REF_COLUMN || e->ref == REF_LINK || e->ref == REF_COLLECTION) return e->depth <= depth;
    return 1; /* added columns, feedback, anything else: keep it correlated */
  }
  if (e->kind == E_WITHIN) return 1;
  if (reads_outer(e->left, depth) || reads_outer(e->right, depth) || reads_outer(e->where, depth) ||
      reads_outer(e->inner, depth))
    return 1;
  for (int i = 0; i < e->args.len; i++)
    if (reads_outer(e->args.items[i], depth)) return 1;
  return 0;
}

/* Whether table `name` is in the comma-separated list (or it is "all"). */
static int listed(const char *list, const char *name) {
  if (!list || !*list || !name) return 0;
  if (!strcmp(list, "all")) return 1;
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && !strncmp(p, name, n)) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

int sql_group_ok(SqlGen *g, Expr *e, Expr *coll, Expr *value, Expr *where) {
  if (!g->groups || !g->d->grouped_aggregates || g->groups->n >= GROUPS_MAX) return 0;
  if (e->depth != 0 || !coll || !coll->schema) return 0;
  if (!listed(g->o ? g->o->grouped : NULL, coll->schema->name)) return 0;
  /* linked to t0 itself (customers.purchases) or to a link column of t0
   * (household.members); deeper paths stay subqueries */
  int direct = coll->kind == E_NAME && coll->depth == 0;
  int via_link = coll->kind == E_FIELD && coll->left && coll->left->kind == E_NAME &&
                 coll->left->ref == REF_LINK && coll->left->depth == 0;
  if (!direct && !via_link) return 0;
  return !reads_outer(value, 0) && !reads_outer(where, 0);
}

static char *dup(const char *s) {
  char *r = strdup(s ? s : "");
  if (!r) abort();
  return r;
}

void sql_group_ref(SqlGen *g, SqlBuf *b, const char *rows, const char *fk, const char *parent,
                   const char *item, int zero) {
  struct SqlGroups *gs = g->groups;
  /* aggregates over the same rows share one derived table */
  int gi = -1, ii = -1;
  for (int i = 0; i < gs->n && gi < 0; i++) {
    SqlGroup *gr = &gs->g[i];
    if (strcmp(gr->rows, rows) || strcmp(gr->fk, fk) || strcmp(gr->parent, parent)) continue;
    if (!item) {
      gi = i;
      break;
    }
    for (int k = 0; k < gr->nitems; k++)
      if (!strcmp(gr->items[k], item)) ii = k;
    if (ii >= 0 || gr->nitems < ITEMS_MAX) gi = i;
  }
  if (gi < 0) { /* sql_group_ok made sure there is room */
    gi = gs->n++;
    SqlGroup *gr = &gs->g[gi];
    memset(gr, 0, sizeof *gr);
    gr->rows = dup(rows);
    gr->fk = dup(fk);
    gr->parent = dup(parent);
  }
  SqlGroup *gr = &gs->g[gi];
  if (item && ii < 0) {
    ii = gr->nitems++;
    gr->items[ii] = dup(item);
  }
  if (!item)
    sb_printf(b, "(g%d.\"k\" IS NOT NULL)", gi + 1);
  else if (zero)
    sb_printf(b, "coalesce(g%d.\"a%d\", 0)", gi + 1, ii + 1);
  else
    sb_printf(b, "g%d.\"a%d\"", gi + 1, ii + 1);
}
