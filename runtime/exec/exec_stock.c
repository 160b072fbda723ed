/* exec_stock.c — `on_shortage limit` (docs/marketing-ops.md): a channel
 * step that consumes a stock item declared with `limit` keeps only as many
 * recipients as the item's level covers (level / per_recipient, rounded
 * down): first in the item's declared `order by` (checked against the
 * step's population), then the lowest recipient keys — a total order, so
 * a plan and the run that follows it cut the same rows.  The level is read from camp's tables
 * (runtime/db/store_mops.h) inside the step's transaction; in a plan, the
 * units earlier steps of the same plan would use are subtracted too.  The
 * consumption itself needs no bookkeeping: it is the step's messages in
 * camp_outbox, as for the other shortage policies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/mops.h"
#include "compiler/sql/sqlgen.h"
#include "runtime/db/store_mops.h"
#include "runtime/exec/exec_int.h"

static const MopsStock *stock_named(const MopsModel *m, const char *name) {
  for (int k = 0; k < m->stocks.len; k++)
    if (!strcmp(((const MopsStock *)m->stocks.items[k])->name, name)) return m->stocks.items[k];
  return NULL;
}

static int stock_index(const MopsModel *m, const char *name) {
  for (int k = 0; k < m->stocks.len; k++)
    if (!strcmp(((const MopsStock *)m->stocks.items[k])->name, name)) return k;
  return -1;
}

int exec_stock_limited(Exec *x) {
  const MopsCampaign *mc = program_mops_campaign(x->camp);
  const MopsModel *m = program_mops(x->p);
  for (int i = 0; i < mc->nconsumes; i++) {
    const MopsStock *s = mc->consumes[i].stock ? stock_named(m, mc->consumes[i].stock) : NULL;
    if (s && s->limit) return 1;
  }
  return 0;
}

/* The per-step and per-item arrays, allocated on first use. */
static int ensure(Exec *x) {
  if (x->stock_cut) return 0;
  int n = x->camp->steps.len, ns = program_mops(x->p)->stocks.len;
  x->stock_cut = calloc((size_t)n + 1, sizeof *x->stock_cut);
  x->stock_note = calloc((size_t)n + 1, sizeof *x->stock_note);
  x->stock_planned = calloc((size_t)ns + 1, sizeof *x->stock_planned);
  if (!x->stock_cut || !x->stock_note || !x->stock_planned) {
    snprintf(x->err, sizeof x->err, "out of memory");
    return -1;
  }
  return 0;
}

int exec_stock_limit(Exec *x, Step *s) {
  const MopsCampaign *mc = program_mops_campaign(x->camp);
  const MopsModel *m = program_mops(x->p);
  int64_t cap = -1;
  const MopsConsume *by = NULL;
  int64_t by_level = 0;
  for (int i = 0; i < mc->nconsumes; i++) {
    const MopsConsume *u = &mc->consumes[i];
    if (!u->step || strcmp(u->step, s->label) || !u->stock) continue;
    const MopsStock *st = stock_named(m, u->stock);
    if (!st || !st->limit) continue;
    if (ensure(x)) return -1;
    int64_t level;
    /* an item not deployed yet (a plan before deploy) is at its declared quantity */
    if (store_mops_stock_level(x->db, st->name, &level)) level = st->quantity;
    if (x->dry) level -= x->stock_planned[stock_index(m, st->name)];
    int64_t c = level <= 0 ? 0 : level / u->per;
    if (cap < 0 || c < cap) {
      cap = c;
      by = u;
      by_level = level;
    }
  }
  if (!by) return 0;
  char table[512], sql[1400];
  exec_table(x, s->label, table, sizeof table);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  int64_t rows = db_query_int(x->db, sql, -1);
  if (rows < 0) {
    snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
    return -1;
  }
  int64_t kept = rows < cap ? rows : cap;
  if (rows > cap) {
    /* the declared `order by` (checked against this step), then the key */
    char *cut = sql_limit_rows(s, &by->order, cap, &x->so);
    int bad = db_exec(x->db, cut);
    free(cut);
    if (bad) {
      snprintf(x->err, sizeof x->err, "step %s: limiting to stock %s: %s", s->label, by->stock, db_error(x->db));
      return -1;
    }
    const MopsStock *item = stock_named(m, by->stock);
    char how[256];
    if (item && item->order_text && by->order.len)
      snprintf(how, sizeof how, "by %s, then lowest keys", item->order_text);
    else
      snprintf(how, sizeof how, "lowest keys first");
    x->stock_cut[s->index] = rows - cap;
    snprintf(x->stock_note[s->index], sizeof x->stock_note[s->index],
             "stock %s (on_shortage limit): %lld of %lld recipients kept, %lld left out"
             " (level %lld, %lld per recipient; %s)",
             by->stock, (long long)cap, (long long)rows, (long long)(rows - cap), (long long)(by_level < 0 ? 0 : by_level),
             (long long)by->per, how);
    if (!x->dry) {
      DbStmt *w = db_prepare(x->db, "INSERT INTO camp_warnings(run_id, step, message, count) VALUES (?,?,?,?)");
      if (!w) goto fail;
      db_bind_int(w, 1, x->run_id);
      db_bind_text(w, 2, s->label);
      db_bind_text(w, 3, x->stock_note[s->index]);
      db_bind_int(w, 4, rows - cap);
      int rc = db_step(w);
      db_finalize(w);
      snprintf(sql, sizeof sql, "UPDATE camp_runs SET warnings = warnings + 1 WHERE id = %lld", (long long)x->run_id);
      if (rc < 0 || db_exec(x->db, sql)) goto fail;
      x->warnings++;
    }
  }
  /* what this plan's step would use, for the plan's later steps */
  if (x->dry)
    for (int i = 0; i < mc->nconsumes; i++) {
      const MopsConsume *u = &mc->consumes[i];
      int k = u->step && u->stock && !strcmp(u->step, s->label) ? stock_index(m, u->stock) : -1;
      if (k >= 0) x->stock_planned[k] += kept * u->per;
    }
  return 0;
fail:
  snprintf(x->err, sizeof x->err, "step %s: %s", s->label, db_error(x->db));
  return -1;
}

int64_t exec_stock_cut(Exec *x, Step *s, const char **note) {
  if (!x->stock_cut || !x->stock_cut[s->index]) return 0;
  if (note) *note = x->stock_note[s->index];
  return x->stock_cut[s->index];
}
