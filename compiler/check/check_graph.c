/* check_graph.c — the campaign graph: step names, inputs, cycles, the
 * dependency order, and the dispatch of each step to its checker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check_graph.h"

static unsigned name_hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* Outputs are looked up for every input of every step: hash them. */
Output *find_output(Graph *g, const char *name) {
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

Pop *pop_new(Ctx *c, Schema *dim) {
  Pop *p = arena_alloc(c->a, sizeof *p);
  p->dim = dim;
  return p;
}

Pop *pop_copy(Ctx *c, Pop *src) {
  Pop *p = pop_new(c, src ? src->dim : NULL);
  if (src) {
    p->added = src->added;
    p->external = src->external;
  }
  return p;
}

void add_col(Ctx *c, Pop *p, const char *name, Type *t, Loc loc) {
  AddedCol *ac = arena_alloc(c->a, sizeof *ac);
  ac->name = (char *)name;
  ac->type = t;
  ac->loc = loc;
  PtrVec v = {0};
  for (int i = 0; i < p->added.len; i++) vec_push(c->a, &v, p->added.items[i]);
  vec_push(c->a, &v, ac);
  p->added = v;
}

const char **schema_names(Ctx *c, int *n) {
  const char **v = arena_alloc(c->a, sizeof(char *) * (size_t)(c->p->schemas.len + 1));
  for (int i = 0; i < c->p->schemas.len; i++) v[i] = ((Schema *)c->p->schemas.items[i])->name;
  *n = c->p->schemas.len;
  return v;
}

const char **output_names(Graph *g, int *n) {
  const char **v = arena_alloc(g->c->a, sizeof(char *) * (size_t)(g->outputs.len + 1));
  for (int i = 0; i < g->outputs.len; i++) v[i] = ((Output *)g->outputs.items[i])->name;
  *n = g->outputs.len;
  return v;
}

static void visit(Graph *g, Step *s);

Type *pop_column_type(Pop *p, const char *name) {
  AddedCol *ac = pop_added(p, name);
  if (ac) return ac->type;
  Column *col = schema_column(p->dim, name);
  return col ? col->type : NULL;
}

/* One more output of a step others read — `dupes` of a dedup, the
 * complement of an except, a split subset — that nobody reads: as easy to
 * forget as a whole step (whose warning check_campaign gives). */
static void unused_outputs(Ctx *c, Graph *g) {
  for (int i = 0; i < g->outputs.len; i++) {
    Output *o = g->outputs.items[i];
    Step *s = o->step;
    if (o->used || !s->used || s->kind == S_CHANNEL || s->kind == S_SAVE) continue;
    int read = 0; /* s->used only because of an error: say nothing more */
    for (int k = 0; k < g->outputs.len; k++) {
      Output *q = g->outputs.items[k];
      read |= q->step == s && q->used;
    }
    if (read) diag_warning(c->d, o->loc, "output `%s` is never used", o->name);
  }
}

/* Resolves a step input by name, visiting its producer first. */
Pop *input_pop(Graph *g, const char *name, Loc loc, Step **producer) {
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
  o->used = 1;
  if (!o->step->pops || o->index >= o->step->npops) return NULL;
  return o->step->pops[o->index];
}

int check_outputs(Ctx *c, Step *s, int lo, int hi, const char *kind) {
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

void set_pops(Ctx *c, Step *s, Pop *p, int n) {
  s->npops = n;
  s->pops = arena_alloc(c->a, sizeof(Pop *) * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) s->pops[i] = i == 0 ? p : pop_copy(c, p);
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
    case S_LOCAL_APPROVAL: step_local_approval(g, s); break;
    case S_HOLDOUT: step_holdout(g, s); break;
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
  static const char *const known[] = {
#define HEADER(w) w,
#include "lang/keywords.def"
  };
  for (int i = 0; i < camp->headers.len; i++) {
    HeaderField *h = camp->headers.items[i];
    if (h->percent && strcmp(h->name, "holdout"))
      diag_error(c->d, h->loc, "`%s` does not take a percentage (only `holdout N%%` does)", h->name);
    for (int j = 0; j < i; j++)
      if (!strcmp(((HeaderField *)camp->headers.items[j])->name, h->name))
        diag_error(c->d, h->loc, "`%s` is set twice", h->name);
    if (!strcmp(h->name, "title") || !strcmp(h->name, "description") || !strcmp(h->name, "owner")) {
      if (h->value->kind != E_STR) diag_error(c->d, h->value->loc, "`%s` must be a string", h->name);
    } else if (!strcmp(h->name, "start_date") || !strcmp(h->name, "end_date")) {
      /* checked with the schedule (check_ops.c) */
    } else if (check_mops_header(h->name)) {
      /* checked with the marketing operations (check_mops.c) */
    } else if (!strcmp(h->name, "contact_timezone") || !strcmp(h->name, "default_timezone")) {
      check_window_header(c, h); /* send windows in the contact's zone (policy) */
    } else if (!strcmp(h->name, "holdout") || !strcmp(h->name, "conversion")) {
      check_holdout(c, h); /* control group and its success metric (policy) */
    } else if (!strcmp(h->name, "weight")) {
      check_weight(c, h); /* pressure rules: higher weight wins */
    } else if (!strcmp(h->name, "transactional")) {
      check_transactional(c, h); /* the reviewed opt-out of the contact policy */
    } else if (!strcmp(h->name, "seed")) {
      if (h->value->kind != E_INT) diag_error(c->d, h->value->loc, "`seed` must be an integer");
    } else {
      diag_warning(c->d, h->loc, "unknown campaign field `%s` is ignored", h->name);
      const char *best = diag_closest(h->name, known, (int)(sizeof known / sizeof known[0]));
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
  unused_outputs(c, &g);
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
