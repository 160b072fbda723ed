/* mem_steps.c — the in-memory plan of each step kind: select, combine,
 * dedup, enrich, split, channel, audience and change dimension. */
#include "runtime/exec/exec_mem_int.h"

/* ------------------------------------------------------------ steps */

int mem_step_select(ExecMem *m, Step *s) {
  MPop *in = s->inputs.len ? mem_input(m, s, 0) : mem_all_rows(m, s->pops[0]);
  if (!s->rule) {
    *mem_slot(m, s, 0) = in;
    return 0;
  }
  uint8_t *flags = malloc((size_t)in->n + 1);
  if (!flags) abort();
  if (mem_conditions(m, s, in, &s->rule, 1, flags)) return free(flags), 1;
  int64_t cnt;
  int64_t *pos = mem_where_flags(flags, in->n, 1, 0, &cnt);
  *mem_slot(m, s, 0) = mem_subset(m, in, pos, cnt);
  free(pos);
  free(flags);
  return 0;
}

/* union / intersect / except, and the complement output.  An added
 * column's value comes, for a union, from the first input holding the row
 * (the SQL's row_number() over _src); otherwise from the first input (NULL
 * for complement rows it does not hold: the SQL's LEFT JOIN). */
int mem_step_combine(ExecMem *m, Step *s) {
  if (s->on_cols.len) return mem_decline(m, s, "combine on (...) columns runs in SQL%s", NULL);
  const SnapTable *t = engine_table(&m->x->eng, s->pops[0]->dim);
  int64_t nr = t->nrows;
  int nin = s->inputs.len, rc = 0;
  /* src[r] = first input holding row r (-1: none), at[r] = its position;
   * hits[r] = how many inputs after the first hold it */
  int32_t *src = malloc(sizeof *src * (size_t)(nr + 1));
  int64_t *at = malloc(sizeof *at * (size_t)(nr + 1)), *at0 = malloc(sizeof *at0 * (size_t)(nr + 1));
  int32_t *hits = calloc((size_t)nr + 1, sizeof *hits);
  if (!src || !at || !at0 || !hits) abort();
  memset(src, 0xff, sizeof *src * (size_t)(nr + 1));
  for (int i = 0; i < nin; i++) {
    MPop *p = mem_input(m, s, i);
    if (p->dim != s->pops[0]->dim) {
      rc = mem_decline(m, s, "inputs of different dimensions%s", NULL);
      goto done;
    }
    for (int64_t j = 0; j < p->n; j++) {
      uint32_t r = p->rows[j];
      if (src[r] < 0) src[r] = i, at[r] = j;
      if (i == 0) at0[r] = j;
      else hits[r]++;
    }
  }
  int nouts = s->outputs.len > 1 ? 2 : 1;
  for (int o = 0; o < nouts; o++) {
    Pop *pop = s->pops[o < s->npops ? o : 0];
    MPop *out = mem_new_pop(m, pop);
    out->rows = mem_track(m, malloc(sizeof *out->rows * (size_t)(nr + 1)));
    int32_t *which = malloc(sizeof *which * (size_t)(nr + 1));
    int64_t *pos = malloc(sizeof *pos * (size_t)(nr + 1)), n = 0;
    if (!which || !pos) abort();
    for (int64_t r = 0; r < nr; r++) {
      int in0 = src[r] == 0, keep;
      if (s->combine == COMB_UNION) keep = src[r] >= 0;
      else if (s->combine == COMB_INTERSECT) keep = (in0 && hits[r] == nin - 1) == (o == 0) && src[r] >= 0;
      else keep = in0 && (hits[r] == 0) == (o == 0);
      if (!keep) continue;
      out->rows[n] = (uint32_t)r;
      which[n] = s->combine == COMB_UNION ? src[r] : in0 ? 0 : -1;
      pos[n] = s->combine == COMB_UNION ? at[r] : in0 ? at0[r] : -1;
      n++;
    }
    out->n = n;
    for (int c = 0; c < out->ncols && rc == 0; c++) {
      IVals *srcs[64];
      if (nin > 64) {
        rc = mem_decline(m, s, "more than 64 inputs%s", NULL);
        break;
      }
      for (int i = 0; i < nin; i++) {
        MPop *p = mem_input(m, s, i);
        int ci = mem_col_index(p, out->names[c]);
        srcs[i] = ci < 0 ? NULL : p->cols[ci].v;
      }
      out->cols[c].v = mem_gather_from(m, srcs, s->combine == COMB_UNION ? nin : 1, which, pos, n);
      if (!out->cols[c].v) rc = mem_decline(m, s, "column %s is not computed in memory", out->names[c]);
    }
    free(which);
    free(pos);
    *mem_slot(m, s, o) = out;
  }
done:
  free(src), free(at), free(at0), free(hits);
  return rc;
}

/* ------------------------------------------------------------ dedup */

static int is_random(Expr *e) {
  return e->kind == E_NAME || (e->kind == E_CALL && !strcmp(e->name, "random"));
}

/* Numeric or text equality of x[i] and a constant list item, as SQL `=`
 * (NULL never equal; 1 = 1.0). */
static int vals_equal(const IVals *x, int64_t i, const IVals *k) {
  if (x->nul[i] || k->nul[0]) return 0;
  if (x->ph == P_TEXT || k->ph == P_TEXT) {
    if (x->ph != k->ph) return 0;
    return !rules_text_cmp(ivals_str(x, i), ivals_str(k, 0));
  }
  if (x->ph == P_INT && k->ph == P_INT) return x->iv[i] == k->iv[0];
  double a = x->ph == P_INT ? (double)x->iv[i] : x->fv[i], b = k->ph == P_INT ? (double)k->iv[0] : k->fv[0];
  return a == b;
}

/* The CASE rank of `prefer x in [...]` per row: index of the first equal
 * item, else the list's length.  NULL (declined) on a non-constant item. */
static IVals *list_rank(ExecMem *m, Step *s, MPop *in, IVals *x, Expr *e) {
  int n = e->args.len;
  IVals *rank = mem_new_vals(m);
  rank->ph = P_INT, rank->t = T_INT, rank->n = in->n;
  rank->iv = malloc(sizeof *rank->iv * (size_t)(in->n + 1));
  rank->nul = calloc((size_t)in->n + 1, 1);
  if (!rank->iv || !rank->nul) abort();
  for (int64_t i = 0; i < in->n; i++) rank->iv[i] = n;
  MPop one = *in;
  one.n = in->n ? 1 : 0; /* constants: evaluate on one row */
  for (int k = n - 1; k >= 0 && one.n; k--) {
    Expr *item = e->args.items[k];
    Expr *lit = item->kind == E_UNARY && item->op == OP_NEG ? item->left : item;
    if (!lit || (lit->kind != E_INT && lit->kind != E_DEC && lit->kind != E_STR && lit->kind != E_BOOL &&
                 lit->kind != E_NAME && lit->kind != E_DATE && lit->kind != E_TIMESTAMP)) {
      mem_decline(m, s, "prefer ... in [...] with a computed item%s", NULL);
      return NULL;
    }
    IVals *kv;
    if (mem_values(m, s, &one, &item, 1, &kv)) return NULL;
    for (int64_t i = 0; i < in->n; i++)
      if (vals_equal(x, i, kv)) rank->iv[i] = k; /* last write = first match */
  }
  return rank;
}

int mem_step_dedup(ExecMem *m, Step *s) {
  MPop *in = mem_input(m, s, 0);
  int nk = s->keys.len, np = s->prefer.len;
  if (nk + np + 1 > 40) return mem_decline(m, s, "too many dedup keys%s", NULL);
  Expr *ex[40];
  int ne = 0;
  for (int i = 0; i < nk; i++) ex[ne++] = s->keys.items[i];
  for (int i = 0; i < np; i++) {
    Expr *e = s->prefer.items[i];
    if (is_random(e)) continue;
    ex[ne++] = e->kind == E_IN ? e->left : e->args.items[0];
  }
  IVals *v[40];
  if (ne && mem_values(m, s, in, ex, ne, v)) return 1;
  /* prefer x in [a, b, ...]: CASE WHEN x = a THEN 0 ... ELSE n END */
  for (int i = 0, at = nk; i < np; i++) {
    Expr *e = s->prefer.items[i];
    if (is_random(e)) continue;
    if (e->kind == E_IN && (v[at] = list_rank(m, s, in, v[at], e)) == NULL) return 1;
    at++;
  }
  Sorter so = {.group = nk};
  int vi = 0, has_random = 0;
  for (int i = 0; i < nk; i++) so.keys[so.nkeys++] = (SortKey){v[vi++], 0, 0};
  for (int i = 0; i < np; i++) {
    Expr *e = s->prefer.items[i];
    if (is_random(e)) {
      so.keys[so.nkeys++] = (SortKey){NULL, 0, 0};
      has_random = 1;
      continue;
    }
    int mx = e->kind != E_IN && !strcmp(e->name, "max"), mn = e->kind == E_IN || !strcmp(e->name, "min");
    so.keys[so.nkeys++] = (SortKey){v[vi++], mx, !mx && !mn};
  }
  if (!has_random) so.keys[so.nkeys++] = (SortKey){NULL, 0, 0};
  int64_t *keys = mem_keys_of(m, in), seed = program_seed(m->x->camp);
  /* the seeded tie-break hash, computed only for rows that have duplicates */
  uint64_t *hash = malloc(sizeof *hash * (size_t)(in->n + 1));
  int64_t *pos = malloc(sizeof *pos * (size_t)(in->n + 1));
  uint8_t *kept = malloc((size_t)in->n + 1);
  HashPos *hp = malloc(sizeof *hp * (size_t)(in->n + 1));
  if (!hash || !pos || !kept || !hp) abort();
  so.hash = hash, so.key = keys;
  /* Rows with a NULL key are kept; the others are grouped by a hash of
   * their key, and only groups of two or more are sorted in full (which
   * also separates rows whose different keys share a hash). */
  int64_t ng = 0;
  for (int64_t i = 0; i < in->n; i++) {
    int nullkey = 0;
    for (int k = 0; k < nk; k++) nullkey |= v[k]->nul[i];
    kept[i] = 1;
    if (!nullkey && s->keep > 0) hp[ng++] = (HashPos){mem_key_hash(v, nk, i), 0, i};
  }
  mem_radix_sort(hp, ng);
  for (int64_t a = 0, b; a < ng; a = b) {
    for (b = a + 1; b < ng && hp[b].h == hp[a].h; b++) {}
    if (b - a == 1) continue;
    int64_t n = b - a;
    for (int64_t j = 0; j < n; j++) {
      pos[j] = hp[a + j].pos;
      hash[pos[j]] = exec_seeded_hash(seed, s->label, keys[pos[j]]);
    }
    mem_sort_positions(&so, pos, n);
    int64_t rank = 0;
    for (int64_t j = 0; j < n; j++) {
      rank = j > 0 && mem_same_group(&so, pos[j - 1], pos[j]) ? rank + 1 : 1;
      kept[pos[j]] = rank <= s->keep;
    }
  }
  free(hp);
  for (int o = 0; o < (s->outputs.len > 1 ? 2 : 1); o++) {
    int64_t c = 0;
    for (int64_t i = 0; i < in->n; i++)
      if (kept[i] == (o == 0)) pos[c++] = i;
    *mem_slot(m, s, o) = mem_subset(m, in, pos, c);
  }
  free(pos), free(kept), free(keys), free(hash);
  return 0;
}

/* ------------------------------------------------------------ enrich */

int mem_step_enrich(ExecMem *m, Step *s) {
  MPop *in = mem_input(m, s, 0);
  MPop *out = mem_new_pop(m, s->pops[0]);
  out->rows = in->rows;
  out->n = in->n;
  for (int c = 0; c < out->ncols; c++) {
    int ci = mem_col_index(in, out->names[c]);
    if (ci >= 0) out->cols[c] = in->cols[ci];
  }
  Expr *ex[64];
  int at[64], ne = 0;
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (!it->expr) continue; /* first-N rows: JSON made by the SQL, not computed here */
    if (ne == 64) return mem_decline(m, s, "more than 64 enriched columns%s", NULL);
    ex[ne] = it->expr;
    at[ne++] = mem_col_index(out, it->name);
  }
  IVals *v[64];
  if (ne && mem_values(m, s, in, ex, ne, v)) return 1;
  for (int k = 0; k < ne; k++)
    if (at[k] >= 0) out->cols[at[k]].v = v[k];
  *mem_slot(m, s, 0) = out;
  return 0;
}

/* ------------------------------------------------------------ split */

int mem_step_split(ExecMem *m, Step *s) {
  MPop *in = mem_input(m, s, 0);
  int nb = s->branches.len, nr = 0;
  if (nb > 64 || s->outputs.len != nb) return mem_decline(m, s, "split shape%s", NULL);
  Expr *rules[64];
  for (int b = 0; b < nb; b++) {
    SplitBranch *br = s->branches.items[b];
    if (!br->is_else) rules[nr++] = br->rule;
  }
  uint8_t *flags = malloc((size_t)in->n * (size_t)(nr ? nr : 1) + 1);
  uint8_t *taken = calloc((size_t)in->n + 1, 1);
  int64_t *pos = malloc(sizeof *pos * (size_t)(in->n + 1));
  if (!flags || !taken || !pos) abort();
  int rc = nr ? mem_conditions(m, s, in, rules, nr, flags) : 0;
  int64_t *keys = mem_keys_of(m, in);
  int ri = 0;
  for (int b = 0; b < nb && rc == 0; b++) {
    SplitBranch *br = s->branches.items[b];
    int64_t nc = 0;
    for (int64_t i = 0; i < in->n; i++) {
      int match = br->is_else ? !taken[i] : flags[i * nr + ri] && (s->overlap || !taken[i]);
      pos[nc] = i;
      nc += match != 0;
    }
    int64_t keep = nc;
    if (br->has_limit) {
      int64_t lim = br->is_percent ? exec_percent_limit(in->n, br->limit_percent) : br->limit;
      if (lim < 0) lim = 0;
      if (lim < keep) keep = lim;
      int no = br->order.len;
      if (no > 39) {
        rc = mem_decline(m, s, "too many order keys%s", NULL);
        break;
      }
      if (no) {
        /* top-N: order by the values (NULLs last), then key */
        Sorter so = {0};
        IVals *ov[40];
        Expr *ex[40];
        for (int k = 0; k < no; k++) ex[k] = ((OrderItem *)br->order.items[k])->expr;
        if ((rc = mem_values(m, s, in, ex, no, ov))) break;
        for (int k = 0; k < no; k++) so.keys[so.nkeys++] = (SortKey){ov[k], ((OrderItem *)br->order.items[k])->desc, 0};
        so.key = keys;
        mem_top_k(&so, pos, nc, keep);
      } else {
        /* random: by camp_hash(seed, 'step:subset', key), then key */
        char salt[600];
        snprintf(salt, sizeof salt, "%s:%s", s->label, (char *)s->outputs.items[b]);
        int64_t seed = program_seed(m->x->camp);
        HashPos *hp = malloc(sizeof *hp * (size_t)(nc + 1));
        if (!hp) abort();
        for (int64_t k = 0; k < nc; k++)
          hp[k] = (HashPos){exec_seeded_hash(seed, salt, keys[pos[k]]), keys[pos[k]], pos[k]};
        qsort(hp, (size_t)nc, sizeof *hp, mem_cmp_hashpos);
        for (int64_t k = 0; k < keep; k++) pos[k] = hp[k].pos;
        free(hp);
      }
      qsort(pos, (size_t)keep, sizeof *pos, mem_cmp64); /* back to row order */
    }
    for (int64_t k = 0; k < keep; k++) taken[pos[k]] = 1; /* later subsets skip it (unless overlap) */
    *mem_slot(m, s, b) = mem_subset(m, in, pos, keep);
    if (!br->is_else) ri++;
  }
  free(keys), free(flags), free(taken), free(pos);
  return rc;
}

/* ------------------------------------------------------------ the rest */

/* The contact policy on a channel's rows, through the same SQL as a step
 * by step plan (exec_policy.c): the rows it keeps replace the slot. */
static int mem_policy(ExecMem *m, Step *s) {
  MPop *p = *mem_slot(m, s, 0);
  int64_t *keys = mem_keys_of(m, p), *pos = malloc(sizeof *pos * (size_t)(p->n + 1)), n = 0;
  uint8_t *keep = malloc((size_t)p->n + 1);
  if (!pos || !keep) abort();
  int rc = exec_policy_keys(m->x, s, keys, p->n, keep);
  if (rc == 0) {
    for (int64_t i = 0; i < p->n; i++)
      if (keep[i]) pos[n++] = i;
    if (n < p->n) *mem_slot(m, s, 0) = mem_subset(m, p, pos, n);
  }
  free(keys), free(pos), free(keep);
  return rc ? mem_decline(m, s, "%s", m->x->err) : 0;
}

/* `holdout N% of INPUT`: the input's rows less its control group, by the
 * same seeded hash as the step's SQL (exec_policy.c). */
int mem_step_holdout(ExecMem *m, Step *s) {
  MPop *in = mem_input(m, s, 0);
  int64_t *keys = mem_keys_of(m, in), *pos = malloc(sizeof *pos * (size_t)(in->n + 1)), n = 0;
  uint8_t *keep = malloc((size_t)in->n + 1);
  if (!pos || !keep) abort();
  exec_holdout_keys(m->x, s, keys, in->n, keep);
  for (int64_t i = 0; i < in->n; i++)
    if (keep[i]) pos[n++] = i;
  *mem_slot(m, s, 0) = n < in->n ? mem_subset(m, in, pos, n) : in;
  free(keys), free(pos), free(keep);
  return 0;
}

/* Rows with an address: NOT NULL and <> '' (as the channel SQL filters). */
int mem_step_channel(ExecMem *m, Step *s) {
  MPop *in = mem_input(m, s, 0);
  const char *ch = channel_name(s->channel);
  Column *addr = in->dim && s->channel != CH_MAIL ? schema_address(in->dim, ch) : NULL;
  if (!addr) {
    *mem_slot(m, s, 0) = in;
    return mem_policy(m, s);
  }
  const SnapTable *t = engine_table(&m->x->eng, in->dim);
  int ci = t ? snapshot_col(t, addr->name) : -1;
  if (ci < 0 || t->cols[ci].kind != SC_TEXT || t->cols[ci].bad)
    return mem_decline(m, s, "address column %s is not text in the snapshot", addr->name);
  char why[400];
  if (snapshot_check_col(m->x->eng.snap, t, ci, why, sizeof why)) return mem_decline(m, s, "%s", why);
  const SnapCol *c = &t->cols[ci];
  int64_t *pos = malloc(sizeof *pos * (size_t)(in->n + 1)), n = 0;
  if (!pos) abort();
  for (int64_t i = 0; i < in->n; i++) {
    uint32_t r = in->rows[i], len;
    if (snap_is_null(c, r)) continue;
    snap_str(c, snap_code(c, r), &len);
    if (len) pos[n++] = i;
  }
  MPop *reach = mem_subset(m, in, pos, n);
  free(pos);
  *mem_slot(m, s, 0) = reach;
  return mem_policy(m, s);
}

/* A saved audience: the keys the SQL's join reads from camp_audience. */
int mem_step_audience(ExecMem *m, Step *s) {
  Pop *pop = s->pops[0];
  const SnapTable *t = engine_table(&m->x->eng, pop->dim);
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT DISTINCT t0.\"%s\" FROM \"camp_audience\" AS a JOIN \"%s\" AS t0 ON %st0.\"%s\"%s = a.\"key\""
           " WHERE a.\"name\" = ? AND a.\"dimension\" = ?",
           pop->dim->key->name, pop->dim->name, db_keys_as_text(m->x->db) ? "CAST(" : "", pop->dim->key->name,
           db_keys_as_text(m->x->db) ? " AS text)" : ""); /* as the SQL's join compares them (key_as_stored) */
  DbStmt *st = db_prepare(m->x->db, sql);
  if (!st) return mem_decline(m, s, "reading camp_audience: %s", db_error(m->x->db));
  db_bind_text(st, 1, s->text);
  db_bind_text(st, 2, pop->dim->name);
  uint8_t *in = calloc((size_t)t->nrows + 1, 1);
  if (!in) abort();
  int rc;
  while ((rc = db_step(st)) == 1) {
    DbValue v = db_column(st, 0);
    int64_t r = v.kind == DBV_INT ? snapshot_find_key(t, v.i) : -1;
    if (r >= 0) in[r] = 1;
  }
  db_finalize(st);
  if (rc < 0) {
    free(in);
    return mem_decline(m, s, "reading camp_audience: %s", db_error(m->x->db));
  }
  MPop *out = mem_new_pop(m, pop);
  out->rows = mem_track(m, malloc(sizeof *out->rows * (size_t)(t->nrows + 1)));
  for (int64_t r = 0; r < t->nrows; r++)
    if (in[r]) out->rows[out->n++] = (uint32_t)r;
  free(in);
  *mem_slot(m, s, 0) = out;
  return 0;
}

/* change dimension: the distinct rows of the new dimension reached through
 * the link column `via` (many-to-one: the input rows' link; one-to-many:
 * the children whose link points at an input row). */
int mem_step_change_dim(ExecMem *m, Step *s) {
  MPop *in = mem_input(m, s, 0);
  Pop *pop = s->pops[0];
  const SnapTable *from = engine_table(&m->x->eng, in->dim), *to = engine_table(&m->x->eng, pop->dim);
  const SnapTable *lt = s->keep ? from : to; /* table holding the link column */
  int ci = snapshot_col(lt, s->via);
  if (ci < 0 || !lt->cols[ci].link_rows || lt->cols[ci].bad)
    return mem_decline(m, s, "link %s is not resolved in the snapshot", s->via);
  char why[400];
  if (snapshot_check_col(m->x->eng.snap, lt, ci, why, sizeof why)) return mem_decline(m, s, "%s", why);
  const int32_t *link = lt->cols[ci].link_rows;
  uint8_t *hit = calloc((size_t)to->nrows + 1, 1);
  if (!hit) abort();
  if (s->keep) {
    for (int64_t i = 0; i < in->n; i++)
      if (link[in->rows[i]] >= 0) hit[link[in->rows[i]]] = 1;
  } else {
    uint8_t *inset = calloc((size_t)from->nrows + 1, 1);
    if (!inset) abort();
    for (int64_t i = 0; i < in->n; i++) inset[in->rows[i]] = 1;
    for (int64_t c = 0; c < to->nrows; c++)
      if (link[c] >= 0 && inset[link[c]]) hit[c] = 1;
    free(inset);
  }
  MPop *out = mem_new_pop(m, pop);
  out->rows = mem_track(m, malloc(sizeof *out->rows * (size_t)(to->nrows + 1)));
  for (int64_t r = 0; r < to->nrows; r++)
    if (hit[r]) out->rows[out->n++] = (uint32_t)r;
  free(hit);
  *mem_slot(m, s, 0) = out;
  return 0;
}
