/* check_step.c — the campaign graph: step names, inputs, cycles, and the
 * population (dimension + added columns) of every step output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check.h"

/* A named output of a step. */
typedef struct Output {
  char *name;
  Loc loc;
  Step *step;
  int index;
} Output;

typedef struct Graph {
  Ctx *c;
  Decl *campaign;
  PtrVec outputs;   /* Output* */
  Output **slots;   /* open-addressing hash of outputs by name */
  int nslots;
  PtrVec order;     /* Step* in dependency order */
  int *state;       /* per step: 0 new, 1 visiting, 2 done */
} Graph;

static unsigned name_hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Outputs are looked up for every input of every step: hash them. */
static Output *find_output(Graph *g, const char *name) {
  if (!g->nslots) return NULL;
  for (unsigned i = name_hash(name) % (unsigned)g->nslots;; i = (i + 1) % (unsigned)g->nslots) {
    Output *o = g->slots[i];
    if (!o) return NULL;
    if (strcmp(o->name, name) == 0) return o;
  }
}

static void add_output(Graph *g, Output *o) {
  vec_push(g->c->a, &g->outputs, o);
  for (unsigned i = name_hash(o->name) % (unsigned)g->nslots;; i = (i + 1) % (unsigned)g->nslots)
    if (!g->slots[i]) {
      g->slots[i] = o;
      return;
    }
}

/* Position of s in the campaign as written (set before the graph walk). */
static int step_index(Graph *g, Step *s) {
  (void)g;
  return s->pos;
}

static Pop *pop_new(Ctx *c, Schema *dim) {
  Pop *p = arena_alloc(c->a, sizeof *p);
  p->dim = dim;
  return p;
}

static Pop *pop_copy(Ctx *c, Pop *src) {
  Pop *p = pop_new(c, src ? src->dim : NULL);
  if (src) {
    p->added = src->added;
    p->external = src->external;
  }
  return p;
}

static void add_col(Ctx *c, Pop *p, const char *name, Type *t, Loc loc) {
  AddedCol *ac = arena_alloc(c->a, sizeof *ac);
  ac->name = (char *)name;
  ac->type = t;
  ac->loc = loc;
  PtrVec v = {0};
  for (int i = 0; i < p->added.len; i++) vec_push(c->a, &v, p->added.items[i]);
  vec_push(c->a, &v, ac);
  p->added = v;
}

static const char **schema_names(Ctx *c, int *n) {
  const char **v = arena_alloc(c->a, sizeof(char *) * (size_t)(c->p->schemas.len + 1));
  for (int i = 0; i < c->p->schemas.len; i++) v[i] = ((Schema *)c->p->schemas.items[i])->name;
  *n = c->p->schemas.len;
  return v;
}

static const char **output_names(Graph *g, int *n) {
  const char **v = arena_alloc(g->c->a, sizeof(char *) * (size_t)(g->outputs.len + 1));
  for (int i = 0; i < g->outputs.len; i++) v[i] = ((Output *)g->outputs.items[i])->name;
  *n = g->outputs.len;
  return v;
}

static void visit(Graph *g, Step *s);

/* Resolves a step input by name, visiting its producer first. */
static Pop *input_pop(Graph *g, const char *name, Loc loc, Step **producer) {
  Output *o = find_output(g, name);
  if (producer) *producer = o ? o->step : NULL;
  if (!o) {
    int n;
    const char **cands = output_names(g, &n);
    if (names_schema(g->c, name)) {
      diag_error(g->c->d, loc, "`%s` is a schema, not a step", name);
      diag_hint(g->c->d, "start from it with a step: `x = %s where ...`", name);
    } else {
      names_unknown(g->c, loc, "step", name, cands, n);
    }
    return NULL;
  }
  visit(g, o->step);
  o->step->used = 1;
  if (!o->step->pops || o->index >= o->step->npops) return NULL;
  return o->step->pops[o->index];
}

static int check_outputs(Ctx *c, Step *s, int lo, int hi, const char *kind) {
  int n = s->outputs.len;
  if (n >= lo && n <= hi) return 1;
  if (lo == hi)
    diag_error(c->d, s->loc, "%s has %d output%s, but %d name%s given", kind, lo,
               lo == 1 ? "" : "s", n, n == 1 ? " is" : "s are");
  else if (hi > 50)
    diag_error(c->d, s->loc, "%s needs at least %d output name%s", kind, lo, lo == 1 ? "" : "s");
  else
    diag_error(c->d, s->loc, "%s has %d to %d outputs, but %d name%s given", kind, lo, hi, n,
               n == 1 ? " is" : "s are");
  return 0;
}

static void set_pops(Ctx *c, Step *s, Pop *p, int n) {
  s->npops = n;
  s->pops = arena_alloc(c->a, sizeof(Pop *) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) s->pops[i] = i == 0 ? p : pop_copy(c, p);
}

/* ------------------------------------------------------------ steps */

static void step_select(Graph *g, Step *s) {
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

static void step_audience(Graph *g, Step *s) {
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
static Type *pop_column_type(Pop *p, const char *name) {
  AddedCol *ac = pop_added(p, name);
  if (ac) return ac->type;
  Column *col = schema_column(p->dim, name);
  return col ? col->type : NULL;
}

static void step_combine(Graph *g, Step *s) {
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

static void step_dedup(Graph *g, Step *s) {
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

static void step_enrich(Graph *g, Step *s) {
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

static void step_split(Graph *g, Step *s) {
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

static void step_change_dim(Graph *g, Step *s) {
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

static void step_passthrough(Graph *g, Step *s, int lo, int hi, const char *kind) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  check_outputs(c, s, lo, hi, kind);
  if (!in) return;
  set_pops(c, s, pop_copy(c, in), s->outputs.len ? s->outputs.len : 1);
}

static void step_join(Graph *g, Step *s) {
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

static void step_wait(Graph *g, Step *s) {
  step_passthrough(g, s, 1, 1, "wait");
  if (s->wait_for) {
    s->wait_for->type = type_basic(T_DURATION);
    if (s->wait_for->ival <= 0) diag_error(g->c->d, s->wait_for->loc, "a wait must be positive");
  }
  if (s->wait_until) s->wait_until->type = type_basic(T_TIMESTAMP);
}

static ChannelProp *prop(Step *s, const char *key) {
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (strcmp(p->key, key) == 0) return p;
  }
  return NULL;
}

/* Reads a template named in the campaign; NULL if unreadable. */
char *check_read_template(Ctx *c, Loc at, const char *name) {
  const SourceFile *f = diags_file(c->d, at.file);
  char path[4096];
  program_find_file(f ? f->path : NULL, name, 0, path, sizeof path);
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = arena_alloc(c->a, cap + 1);
  size_t n;
  while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
    len += n;
    if (len == cap) {
      char *nb = arena_alloc(c->a, cap * 2 + 1);
      memcpy(nb, buf, len);
      buf = nb;
      cap *= 2;
    }
  }
  fclose(fp);
  buf[len] = 0;
  return buf;
}

static void step_channel(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  const char *ch = channel_name(s->channel);
  check_outputs(c, s, 0, 1, ch);
  static const char *allowed[][5] = {
      {"subject", "template", "body", "from", NULL},   /* email */
      {"body", "from", NULL, NULL, NULL},              /* sms */
      {"body", "subject", NULL, NULL, NULL},           /* push: subject = title */
      {"extract", "columns", NULL, NULL, NULL},        /* mail */
  };
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    int ok = 0;
    for (int k = 0; k < 5 && allowed[s->channel][k]; k++) ok |= !strcmp(allowed[s->channel][k], p->key);
    ok |= check_is_variant_key(s->channel, p->key); /* language, subject_sv, ... */
    if (!ok) {
      diag_error(c->d, p->loc, "`%s` is not a setting of %s", p->key, ch);
      int n = 0;
      while (n < 5 && allowed[s->channel][n]) n++;
      const char *best = diag_closest(p->key, allowed[s->channel], n);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      else diag_hint(c->d, "%s takes: %s%s%s%s%s", ch, allowed[s->channel][0],
                     n > 1 ? ", " : "", n > 1 ? allowed[s->channel][1] : "",
                     n > 2 ? ", " : "", n > 2 ? allowed[s->channel][2] : "");
    }
    for (int j = 0; j < i; j++)
      if (!strcmp(((ChannelProp *)s->props.items[j])->key, p->key))
        diag_error(c->d, p->loc, "`%s` is set twice", p->key);
  }
  if (s->channel == CH_EMAIL) {
    if (!prop(s, "subject")) diag_error(c->d, s->loc, "an email needs a `subject`");
    if (!prop(s, "template") && !prop(s, "body"))
      diag_error(c->d, s->loc, "an email needs a `template` file or a `body`");
  } else if (s->channel == CH_MAIL) {
    if (!prop(s, "extract")) diag_error(c->d, s->loc, "direct mail needs `extract \"file.csv\"`");
    if (!prop(s, "columns")) diag_error(c->d, s->loc, "direct mail needs `columns (...)` to extract");
  } else if (!prop(s, "body")) {
    diag_error(c->d, s->loc, "%s needs a message text", ch);
  }
  if (!in) return;
  if (s->channel != CH_MAIL) {
    if (!in->dim || !schema_address(in->dim, ch)) {
      diag_error(c->d, si->loc, "%s rows have no address(%s) column, so they cannot receive %s",
                 in->dim ? in->dim->name : "these", ch, ch);
      diag_hint(c->d, "mark the column in the schema, e.g. `%s text address(%s)`",
                s->channel == CH_EMAIL ? "email" : s->channel == CH_SMS ? "phone" : "push_token",
                ch);
    }
  }
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "subject") || !strcmp(p->key, "body"))
      check_text(c, in, p->value, p->loc, p->key, s->channel == CH_EMAIL && !strcmp(p->key, "body"));
    if (!strcmp(p->key, "template")) {
      char *text = check_read_template(c, p->loc, p->value);
      if (!text)
        diag_error(c->d, p->loc, "cannot read template `%s`", p->value);
      else
        check_placeholders(c, in, text, p->loc, arena_printf(c->a, "template %s", p->value));
    }
    if (!strcmp(p->key, "columns")) {
      for (int k = 0; k < p->cols.len; k++) {
        const char *col = p->cols.items[k];
        Loc loc = *(Loc *)p->col_locs.items[k];
        Type *t = pop_column_type(in, col);
        if (!t) {
          Scope sc = scope_of_pop(in);
          const char **cands;
          int n = scope_names(c, &sc, &cands);
          names_unknown(c, loc, "column", col, cands, n);
        } else if (t->kind == T_ROWS) {
          diag_error(c->d, loc, "`%s` holds several rows and cannot be one extract column", col);
        }
      }
    }
  }
  check_variants(c, s, in);
  /* Unnamed channel steps still deliver to a population: keep one. */
  set_pops(c, s, pop_copy(c, in), s->outputs.len ? s->outputs.len : 1);
}

static void step_retarget(Graph *g, Step *s) {
  Ctx *c = g->c;
  StepInput *si = s->inputs.items[0];
  Step *producer = NULL;
  Pop *in = input_pop(g, si->name, si->loc, &producer);
  si->step = producer;
  check_outputs(c, s, 1, 1, "retarget");
  if (!in) return;
  if (producer->kind != S_CHANNEL || producer->channel == CH_MAIL) {
    diag_error(c->d, si->loc, "retarget reads delivery feedback, so `%s` must be an email, sms or push step",
               si->name);
    return;
  }
  Scope sc = scope_of_pop(in);
  sc.feedback = 1;
  s->rule = check_rule(c, &sc, s->rule, "`where`");
  set_pops(c, s, pop_copy(c, in), 1);
}

static void step_reconcile(Graph *g, Step *s) {
  Ctx *c = g->c;
  check_outputs(c, s, 1, 2, "reconcile");
  Schema *dim = names_schema(c, s->source);
  if (!dim) {
    int n;
    const char **cands = schema_names(c, &n);
    names_unknown(c, s->source_loc, "schema", s->source, cands, n);
    return;
  }
  if (!dim->key) {
    diag_error(c->d, s->source_loc, "schema `%s` has no key", dim->name);
    return;
  }
  if (s->match.len == 0) diag_error(c->d, s->loc, "reconcile needs `on file_column = column`");
  Pop *matched = pop_new(c, dim), *unmatched = pop_new(c, NULL);
  unmatched->external = s->text;
  PtrVec types = {0};
  for (int i = 0; i < s->rcols.len; i++) {
    ReconcileCol *rc = s->rcols.items[i];
    Type *t = names_type(c, rc->type);
    vec_push(c->a, &types, t);
    for (int j = 0; j < i; j++)
      if (!strcmp(((ReconcileCol *)s->rcols.items[j])->name, rc->name))
        diag_error(c->d, rc->loc, "file column `%s` is listed twice", rc->name);
  }
  for (int i = 0; i < s->match.len; i++) {
    MatchPair *m = s->match.items[i];
    Column *col = schema_column(dim, m->dim_col);
    if (!col) {
      Scope sc;
      memset(&sc, 0, sizeof sc);
      sc.schema = dim;
      const char **cands;
      int n = scope_names(c, &sc, &cands);
      diag_error(c->d, m->loc, "unknown column `%s` in %s", m->dim_col, dim->name);
      const char *best = diag_closest(m->dim_col, cands, n);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      continue;
    }
    int declared = -1;
    for (int k = 0; k < s->rcols.len; k++)
      if (!strcmp(((ReconcileCol *)s->rcols.items[k])->name, m->file_col)) declared = k;
    if (s->rcols.len && declared < 0) {
      diag_error(c->d, m->loc, "file column `%s` is not among the declared columns", m->file_col);
    } else if (declared >= 0 && !type_compatible(types.items[declared], col->type)) {
      diag_error(c->d, m->loc, "file column `%s` is %s but %s.%s is %s", m->file_col,
                 type_name(c->a, types.items[declared]), dim->name, col->name,
                 type_name(c->a, col->type));
    }
    if (declared < 0) {
      /* Undeclared match columns take the type of the column they match. */
      ReconcileCol *rc = arena_alloc(c->a, sizeof *rc);
      rc->name = m->file_col;
      rc->loc = m->loc;
      rc->type = arena_alloc(c->a, sizeof(TypeRef));
      rc->type->name = "text";
      vec_push(c->a, &s->rcols, rc);
      vec_push(c->a, &types, col->type);
    }
  }
  for (int i = 0; i < s->rcols.len; i++) {
    ReconcileCol *rc = s->rcols.items[i];
    Type *t = types.items[i];
    add_col(c, unmatched, rc->name, t, rc->loc);
    int is_match = 0;
    for (int k = 0; k < s->match.len; k++) {
      MatchPair *m = s->match.items[k];
      is_match |= !strcmp(m->file_col, rc->name) && !strcmp(m->dim_col, rc->name);
    }
    if (is_match) continue;
    if (schema_column(dim, rc->name)) {
      diag_error(c->d, rc->loc, "file column `%s` has the name of a %s column", rc->name, dim->name);
      diag_hint(c->d, "rename it in `columns (...)`, e.g. `file_%s`", rc->name);
      continue;
    }
    add_col(c, matched, rc->name, t, rc->loc);
  }
  s->npops = 2;
  s->pops = arena_alloc(c->a, sizeof(Pop *) * 2);
  s->pops[0] = matched;
  s->pops[1] = unmatched;
  if (s->outputs.len < 2) s->npops = 1;
}

static void check_step(Graph *g, Step *s) {
  switch (s->kind) {
    case S_SELECT: step_select(g, s); break;
    case S_AUDIENCE: step_audience(g, s); break;
    case S_COMBINE: step_combine(g, s); break;
    case S_DEDUP: step_dedup(g, s); break;
    case S_ENRICH: step_enrich(g, s); break;
    case S_SPLIT: step_split(g, s); break;
    case S_CHANGE_DIM: step_change_dim(g, s); break;
    case S_FORK: step_passthrough(g, s, 1, 64, "fork"); break;
    case S_JOIN: step_join(g, s); break;
    case S_WAIT: step_wait(g, s); break;
    case S_CHANNEL: step_channel(g, s); break;
    case S_SAVE:
      step_passthrough(g, s, 0, 1, "save");

      if (!s->text[0]) diag_error(g->c->d, s->text_loc, "a saved audience needs a name");
      break;
    case S_RETARGET: step_retarget(g, s); break;
    case S_RECONCILE: step_reconcile(g, s); break;
  }
}

/* Depth-first: producers are checked (and ordered) before consumers. */
static void visit(Graph *g, Step *s) {
  int i = step_index(g, s);
  if (i < 0) return;
  if (g->state[i] == 2) return;
  if (g->state[i] == 1) {
    const char *name = s->outputs.len ? s->outputs.items[0] : "?";
    diag_error(g->c->d, s->loc, "step `%s` depends on itself (cycle in the campaign graph)", name);
    g->state[i] = 2;
    return;
  }
  g->state[i] = 1;
  check_step(g, s);
  g->state[i] = 2;
  s->index = g->order.len;
  vec_push(g->c->a, &g->order, s);
}

static const char *kind_name(Step *s) {
  switch (s->kind) {
    case S_CHANNEL: return channel_name(s->channel);
    case S_SAVE: return "save";
    default: return "step";
  }
}

/* Unnamed steps (`sms later "..."`) get `_sms_later`, numbered if repeated;
 * a leading `_` cannot clash with user names, which may not start with it. */
static void label_steps(Ctx *c, Decl *camp) {
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    if (s->outputs.len) {
      s->label = s->outputs.items[0];
      continue;
    }
    const char *in = s->inputs.len ? ((StepInput *)s->inputs.items[0])->name : "x";
    char *base = arena_printf(c->a, "_%s_%s", kind_name(s), in);
    char *label = base;
    for (int n = 2;; n++) {
      int taken = 0;
      for (int j = 0; j < i; j++) taken |= !strcmp(((Step *)camp->steps.items[j])->label, label);
      if (!taken) break;
      label = arena_printf(c->a, "%s_%d", base, n);
    }
    s->label = label;
  }
}

static void check_headers(Ctx *c, Decl *camp) {
  static const char *known[] = {"title", "seed", "description", "owner"};
  for (int i = 0; i < camp->headers.len; i++) {
    HeaderField *h = camp->headers.items[i];
    for (int j = 0; j < i; j++)
      if (!strcmp(((HeaderField *)camp->headers.items[j])->name, h->name))
        diag_error(c->d, h->loc, "`%s` is set twice", h->name);
    if (!strcmp(h->name, "title") || !strcmp(h->name, "description") || !strcmp(h->name, "owner")) {
      if (h->value->kind != E_STR) diag_error(c->d, h->value->loc, "`%s` must be a string", h->name);
    } else if (!strcmp(h->name, "seed")) {
      if (h->value->kind != E_INT) diag_error(c->d, h->value->loc, "`seed` must be an integer");
    } else {
      diag_warning(c->d, h->loc, "unknown campaign field `%s` is ignored", h->name);
      const char *best = diag_closest(h->name, known, 4);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
    }
  }
}

void check_campaign(Ctx *c, Decl *camp) {
  Graph g;
  memset(&g, 0, sizeof g);
  g.c = c;
  g.campaign = camp;
  c->campaign = camp;
  check_headers(c, camp);
  int nout = 0;
  for (int i = 0; i < camp->steps.len; i++) nout += ((Step *)camp->steps.items[i])->outputs.len;
  g.nslots = 2 * nout + 1;
  g.slots = calloc((size_t)g.nslots, sizeof *g.slots);
  if (!g.slots) abort();
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    s->pos = i;
    for (int k = 0; k < s->outputs.len; k++) {
      Output *o = arena_alloc(c->a, sizeof *o);
      o->name = s->outputs.items[k];
      o->loc = *(Loc *)s->output_locs.items[k];
      o->step = s;
      o->index = k;
      Output *prev = find_output(&g, o->name);
      if (prev) {
        diag_error(c->d, o->loc, "step `%s` is defined twice", o->name);
        diag_note(c->d, prev->loc, "first defined here");
        s->used = 1; /* no "never used" on top of the real error */
        continue;
      }
      if (o->name[0] == '_') diag_error(c->d, o->loc, "names starting with `_` are reserved");
      add_output(&g, o);
    }
  }
  g.state = calloc((size_t)camp->steps.len + 1, sizeof(int));
  if (!g.state) abort();
  for (int i = 0; i < camp->steps.len; i++) visit(&g, camp->steps.items[i]);
  free(g.state);
  free(g.slots);
  /* Steps now in dependency order: later stages iterate camp->steps. */
  camp->steps = g.order;
  label_steps(c, camp);
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    int sink = s->kind == S_CHANNEL || s->kind == S_SAVE;
    if (!s->used && !sink && s->outputs.len)
      diag_warning(c->d, *(Loc *)s->output_locs.items[0], "step `%s` is never used",
                   (char *)s->outputs.items[0]);
  }
  c->campaign = NULL;
}

/* Placeholders and language variants of channel texts: check_tmpl.c. */
