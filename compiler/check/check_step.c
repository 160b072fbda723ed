/* check_step.c — the audience-shaping steps: the population (dimension +
 * added columns) of every output of select, audience, combine, dedup,
 * enrich, split, change dimension, fork, join and wait. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check_graph.h"
#include "compiler/check/policy.h"

/* ------------------------------------------------------------ steps */

void step_select(Graph *g, Step *s) {
  Ctx *c = g->c;
  Pop *p = NULL;
  Output *o = find_output(g, s->source);
  Schema *sch = names_schema(c, s->source);
  if (o) {
    Pop *in = input_pop(g, s->source, s->source_loc, NULL);
    if (!in) return;
    p = pop_copy(c, in);
    StepInput *si = arena_alloc(c->a, sizeof *si);
    si->name = s->source;
    si->loc = s->source_loc;
    si->step = o->step;
    vec_push(c->a, &s->inputs, si);
  } else if (sch) {
    if (!sch->key) {
      diag_error(c->d, s->source_loc, "schema `%s` has no key, so it cannot be a campaign's targeting dimension", sch->name);
      diag_hint(c->d, "mark one column with `key`");
      return;
    }
    p = pop_new(c, sch);
  } else {
    int n1, n2;
    const char **a = schema_names(c, &n1), **b = output_names(g, &n2);
    const char **all = arena_alloc(c->a, sizeof(char *) * (size_t)(n1 + n2 + 1));
    memcpy(all, a, sizeof(char *) * (size_t)n1);
    memcpy(all + n1, b, sizeof(char *) * (size_t)n2);
    names_unknown(c, s->source_loc, "schema or step", s->source, all, n1 + n2);
    return;
  }
  check_outputs(c, s, 1, 1, "a selection");
  if (s->rule) {
    Scope sc = scope_of_pop(p);
    s->rule = check_rule(c, &sc, s->rule, "`where`");
  }
  set_pops(c, s, p, 1);
}

void step_audience(Graph *g, Step *s) {
  Ctx *c = g->c;
  Schema *sch = names_schema(c, s->source);
  if (!sch) {
    int n;
    const char **cands = schema_names(c, &n);
    names_unknown(c, s->source_loc, "schema", s->source, cands, n);
    return;
  }
  if (!sch->key) {
    diag_error(c->d, s->source_loc, "schema `%s` has no key", sch->name);
    return;
  }
  if (!s->text[0]) diag_error(c->d, s->text_loc, "an audience needs a name");
  check_outputs(c, s, 1, 1, "audience");
  set_pops(c, s, pop_new(c, sch), 1);
}

/* The column `name` of a population: added or dimension column. */

void step_combine(Graph *g, Step *s) {
  Ctx *c = g->c;
  static const char *names[] = {"union", "intersect", "except"};
  const char *kind = names[s->combine];
  if (s->inputs.len < 2) {
    diag_error(c->d, s->loc, "%s needs at least two inputs", kind);
    return;
  }
  Pop *in[64];
  int n = s->inputs.len < 64 ? s->inputs.len : 64, ok = 1;
  for (int i = 0; i < n; i++) {
    StepInput *si = s->inputs.items[i];
    in[i] = input_pop(g, si->name, si->loc, &si->step);
    if (!in[i]) ok = 0;
    for (int j = 0; j < i; j++)
      if (strcmp(si->name, ((StepInput *)s->inputs.items[j])->name) == 0)
        diag_warning(c->d, si->loc, "`%s` is combined with itself", si->name);
  }
  check_outputs(c, s, 1, s->combine == COMB_UNION ? 1 : 2, kind);
  if (!ok) return;
  if (!in[0]->dim) {
    diag_error(c->d, ((StepInput *)s->inputs.items[0])->loc,
               "rows that matched nothing in a reconcile have no dimension to %s on", kind);
    return;
  }
  int same = 1;
  for (int i = 1; i < n; i++) same &= in[i]->dim == in[0]->dim;
  if (!same && s->on_cols.len == 0) {
    StepInput *bad = NULL;
    for (int i = 1; i < n && !bad; i++)
      if (in[i]->dim != in[0]->dim) bad = s->inputs.items[i];
    Pop *bp = NULL;
    for (int i = 1; i < n && !bp; i++)
      if (in[i]->dim != in[0]->dim) bp = in[i];
    diag_error(c->d, bad->loc, "cannot %s %s rows with %s rows without `on (...)`", kind,
               in[0]->dim->name, bp->dim ? bp->dim->name : "unmatched file");
    diag_hint(c->d, "name the columns that identify the same person, e.g. `%s(...) on (email)`", kind);
    return;
  }
  for (int k = 0; k < s->on_cols.len; k++) {
    const char *col = s->on_cols.items[k];
    Loc loc = *(Loc *)s->on_locs.items[k];
    Type *t0 = NULL;
    for (int i = 0; i < n; i++) {
      Type *t = pop_column_type(in[i], col);
      if (!t) {
        diag_error(c->d, loc, "input `%s` has no column `%s`",
                   ((StepInput *)s->inputs.items[i])->name, col);
        continue;
      }
      if (t0 && !type_compatible(t0, t))
        diag_error(c->d, loc, "column `%s` is %s in one input and %s in another", col,
                   type_name(c->a, t0), type_name(c->a, t));
      if (!t0) t0 = t;
    }
  }
  Pop *p = pop_new(c, in[0]->dim);
  if (s->combine == COMB_UNION) {
    /* A union keeps the added columns every input has, with one type. */
    for (int k = 0; k < in[0]->added.len; k++) {
      AddedCol *ac = in[0]->added.items[k];
      int everywhere = 1;
      for (int i = 1; i < n; i++) {
        AddedCol *o = pop_added(in[i], ac->name);
        everywhere &= o && type_compatible(o->type, ac->type);
      }
      if (everywhere && same && s->on_cols.len == 0) add_col(c, p, ac->name, ac->type, ac->loc);
    }
  } else {
    p->added = in[0]->added;
  }
  set_pops(c, s, p, s->outputs.len);
}

void step_dedup(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  check_outputs(c, s, 1, 2, "dedup");
  if (!in) return;
  Scope sc = scope_of_pop(in);
  for (int i = 0; i < s->keys.len; i++) {
    Expr *k = check_expr(c, &sc, s->keys.items[i]);
    s->keys.items[i] = k;
    if (k->type->kind == T_ROWS || k->type->kind == T_COLLECTION || k->type->kind == T_LINK)
      diag_error(c->d, k->loc, "a dedup key must be a value, not %s", type_name(c->a, k->type));
  }
  if (s->keep < 0) diag_error(c->d, s->loc, "keep must be 0 (all) or more");
  for (int i = 0; i < s->prefer.len; i++) {
    Expr *e = s->prefer.items[i];
    if (e->kind == E_NAME && strcmp(e->name, "random") == 0) {
      e->type = type_basic(T_INT);
      continue;
    }
    if (e->kind == E_IN) {
      s->prefer.items[i] = check_expr(c, &sc, e);
      continue;
    }
    if (e->kind == E_CALL && e->args.len == 1 &&
        (!strcmp(e->name, "max") || !strcmp(e->name, "min") || !strcmp(e->name, "non-null") ||
         !strcmp(e->name, "nonnull"))) {
      Expr *a = check_expr(c, &sc, e->args.items[0]);
      e->args.items[0] = a;
      if (a->type->kind == T_ROWS || a->type->kind == T_COLLECTION || a->type->kind == T_LINK)
        diag_error(c->d, a->loc, "prefer %s(...) needs a value, not %s", e->name,
                   type_name(c->a, a->type));
      e->type = a->type;
      continue;
    }
    if (e->kind == E_CALL && !strcmp(e->name, "random") && e->args.len == 0) {
      e->type = type_basic(T_INT);
      continue;
    }
    diag_error(c->d, e->loc, "prefer takes max(expr), min(expr), non-null(expr), `expr in [values...]` or random");
  }
  set_pops(c, s, pop_copy(c, in), s->outputs.len);
}

void step_enrich(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  check_outputs(c, s, 1, 1, "enrich");
  if (!in) return;
  Pop *p = pop_copy(c, in);
  Scope sc = scope_of_pop(in);
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (it->name[0] == '_') diag_error(c->d, it->loc, "names starting with `_` are reserved");
    if (schema_column(p->dim, it->name) || pop_added(p, it->name)) {
      diag_error(c->d, it->loc, "`%s` is already a column of this population", it->name);
      diag_hint(c->d, "choose another name");
      continue;
    }
    if (it->expr) {
      it->expr = check_expr(c, &sc, it->expr);
      Type *t = it->expr->type;
      if (t->kind == T_COLLECTION || t->kind == T_LINK) {
        diag_error(c->d, it->expr->loc, "`%s` would be %s; enrich with a column, an aggregate or `first N ...`",
                   it->name, type_name(c->a, t));
        t = type_basic(T_ERROR);
      }
      if (t->kind == T_NULL) t = type_basic(T_TEXT);
      it->type = t;
    } else {
      it->collection = check_expr(c, &sc, it->collection);
      if (it->collection->type->kind != T_COLLECTION) {
        if (it->collection->type->kind != T_ERROR)
          diag_error(c->d, it->collection->loc, "first %lld needs a one-to-many collection",
                     (long long)it->first_n);
        continue;
      }
      if (it->first_n <= 0) diag_error(c->d, it->loc, "first N needs N of at least 1");
      Scope cs;
      memset(&cs, 0, sizeof cs);
      cs.schema = it->collection->schema;
      cs.outer = &sc;
      cs.depth = 1;
      if (it->where) it->where = check_rule(c, &cs, it->where, "`where`");
      for (int k = 0; k < it->order.len; k++) {
        OrderItem *oi = it->order.items[k];
        oi->expr = check_expr(c, &cs, oi->expr);
      }
      it->type = type_of_schema(c->a, T_ROWS, it->collection->schema);
    }
  }
  /* Added after checking all items: an item cannot read a sibling. */
  for (int i = 0; i < s->enrich.len; i++) {
    EnrichItem *it = s->enrich.items[i];
    if (!it->type || pop_added(p, it->name)) {
      if (it->type) diag_error(c->d, it->loc, "`%s` is enriched twice", it->name);
      continue;
    }
    add_col(c, p, it->name, it->type, it->loc);
  }
  set_pops(c, s, p, 1);
}

void step_split(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  if (s->branches.len == 0) {
    diag_error(c->d, s->loc, "split needs at least one `when` subset");
    return;
  }
  if (s->outputs.len != s->branches.len) {
    diag_error(c->d, s->loc, "split has %d subset%s but %d output name%s", s->branches.len,
               s->branches.len == 1 ? "" : "s", s->outputs.len, s->outputs.len == 1 ? "" : "s");
    diag_hint(c->d, "name one output per subset, in order: `a, b, rest = split ...`");
  }
  if (!in) return;
  Scope sc = scope_of_pop(in);
  for (int i = 0; i < s->branches.len; i++) {
    SplitBranch *b = s->branches.items[i];
    if (b->label && i < s->outputs.len && strcmp(b->label, s->outputs.items[i]) != 0)
      diag_error(c->d, b->loc, "subset `%s` is output %d, which is named `%s`", b->label,
                 i + 1, (char *)s->outputs.items[i]);
    if (b->is_else) {
      if (i != s->branches.len - 1) diag_error(c->d, b->loc, "`else` must be the last subset");
      continue;
    }
    b->rule = check_rule(c, &sc, b->rule, "`when`");
    if (b->is_percent && (b->limit_percent <= 0 || b->limit_percent > 100))
      diag_error(c->d, b->loc, "a percentage limit must be more than 0%% and at most 100%%");
    if (b->has_limit && !b->is_percent && b->limit < 1)
      diag_error(c->d, b->loc, "a limit must be at least 1");
    if (b->order.len && !b->has_limit)
      diag_warning(c->d, b->loc, "`order by` only matters with a limit");
    for (int k = 0; k < b->order.len; k++) {
      OrderItem *oi = b->order.items[k];
      oi->expr = check_expr(c, &sc, oi->expr);
    }
  }
  set_pops(c, s, pop_copy(c, in), s->outputs.len);
}

void step_change_dim(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  check_outputs(c, s, 1, 1, "change dimension");
  Schema *to = names_schema(c, s->source);
  if (!to) {
    int n;
    const char **cands = schema_names(c, &n);
    names_unknown(c, s->source_loc, "schema", s->source, cands, n);
    return;
  }
  if (!in || !in->dim) return;
  if (!to->key) {
    diag_error(c->d, s->source_loc, "schema `%s` has no key", to->name);
    return;
  }
  /* Candidates: many-to-one links from the current dimension to `to`, and
   * one-to-many collections of the current dimension whose child is `to`. */
  Column *up = NULL;
  Collection *down = NULL;
  int nup = 0, ndown = 0;
  for (int i = 0; i < in->dim->columns.len; i++) {
    Column *col = in->dim->columns.items[i];
    if (col->link != to) continue;
    if (s->via && strcmp(s->via, col->name) && strcmp(s->via, col->link_name)) continue;
    up = col;
    nup++;
  }
  for (int i = 0; i < in->dim->collections.len; i++) {
    Collection *cl = in->dim->collections.items[i];
    if (cl->child != to) continue;
    if (s->via && strcmp(s->via, cl->fk->name) && strcmp(s->via, cl->name)) continue;
    down = cl;
    ndown++;
  }
  if (nup + ndown == 0 && s->via) {
    PtrVec cands = {0};
    for (int i = 0; i < in->dim->columns.len; i++) {
      Column *col = in->dim->columns.items[i];
      if (col->link == to) vec_push(c->a, &cands, col->name);
    }
    for (int i = 0; i < in->dim->collections.len; i++) {
      Collection *cl = in->dim->collections.items[i];
      if (cl->child == to) vec_push(c->a, &cands, cl->fk->name);
    }
    diag_error(c->d, s->via_loc, "`%s` is not a link between %s and %s", s->via, in->dim->name,
               to->name);
    const char *best = diag_closest(s->via, (const char *const *)cands.items, cands.len);
    if (best) diag_hint(c->d, "did you mean `%s`?", best);
    else if (cands.len) diag_hint(c->d, "the links are: %s%s", (char *)cands.items[0], cands.len > 1 ? ", ..." : "");
    return;
  }
  if (nup + ndown == 0) {
    diag_error(c->d, s->source_loc, "no link between %s and %s", in->dim->name, to->name);
    diag_hint(c->d, "declare one in a schema, e.g. `%s_id int -> %s`", to->name, to->name);
    return;
  }
  if (nup + ndown > 1) {
    diag_error(c->d, s->source_loc, "several links lead from %s to %s: choose one with `via`",
               in->dim->name, to->name);
    char *list = "";
    for (int i = 0; i < in->dim->columns.len; i++) {
      Column *col = in->dim->columns.items[i];
      if (col->link == to) list = arena_printf(c->a, "%s%s`%s`", list, list[0] ? ", " : "", col->name);
    }
    for (int i = 0; i < in->dim->collections.len; i++) {
      Collection *cl = in->dim->collections.items[i];
      if (cl->child == to) list = arena_printf(c->a, "%s%s`%s`", list, list[0] ? ", " : "", cl->fk->name);
    }
    diag_hint(c->d, "the links are %s", list);
    return;
  }
  /* Record the path on the step for the SQL generator. */
  s->via = up ? up->name : down->fk->name;
  s->keep = up ? 1 : 0; /* 1: many-to-one (up), 0: one-to-many (down) */
  set_pops(c, s, pop_new(c, to), 1);
}

void step_passthrough(Graph *g, Step *s, int lo, int hi, const char *kind) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  check_outputs(c, s, lo, hi, kind);
  if (!in) return;
  set_pops(c, s, pop_copy(c, in), s->outputs.len ? s->outputs.len : 1);
}

void step_join(Graph *g, Step *s) {
  Ctx *c = g->c;
  Pop *primary = NULL;
  int found = 0;
  check_outputs(c, s, 1, 1, "join");
  if (s->inputs.len < 2) diag_error(c->d, s->loc, "join waits for at least two inputs");
  for (int i = 0; i < s->inputs.len; i++) {
    StepInput *si = s->inputs.items[i];
    Pop *p = input_pop(g, si->name, si->loc, &si->step);
    if (strcmp(si->name, s->primary) == 0) {
      primary = p;
      found = 1;
    }
  }
  if (!found) {
    diag_error(c->d, s->primary_loc, "the primary `%s` is not one of the joined inputs",
               s->primary);
    return;
  }
  if (primary) set_pops(c, s, pop_copy(c, primary), 1);
}

void step_wait(Graph *g, Step *s) {
  step_passthrough(g, s, 1, 1, "wait");
  if (s->wait_for) {
    s->wait_for->type = type_basic(T_DURATION);
    if (s->wait_for->ival <= 0) diag_error(g->c->d, s->wait_for->loc, "a wait must be positive");
  }
  if (s->wait_until) s->wait_until->type = type_basic(T_TIMESTAMP);
  /* until 08:00 local: each contact's zone is a column of a keyed dimension */
  Pop *p = s->npops > 0 ? s->pops[0] : NULL;
  if (s->wait_local && p && (!p->dim || !p->dim->key))
    diag_error(g->c->d, s->wait_local_loc, "a wait until a local time needs rows of a schema with a key "
                                           "(each contact's time zone is read from its row)");
}

/* `holdout N% of INPUT` (contact policy, check_holdout.c): one output, the
 * treated members; the control group is recorded, never an output. */
void step_holdout(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  if (s->outputs.len > 1) {
    diag_error(c->d, *(Loc *)s->output_locs.items[1],
               "`holdout` has one output, the treated members; the control group is not an output");
    diag_hint(c->d, "the held-out members are recorded per run (`camp report CAMPAIGN --holdout %s`) and never "
                    "reach a later step",
              (char *)s->outputs.items[0]);
  } else {
    check_outputs(c, s, 1, 1, "holdout");
  }
  if (policy_percent_bp(s->text) < 0) check_holdout_percent_error(c, s->text_loc, s->text);
  check_holdout_key(c, in, s->loc, "`holdout`");
  if (!in) return;
  set_pops(c, s, pop_copy(c, in), 1);
}
