/* check_mops.c — marketing operations (mops.h, docs/marketing-ops.md):
 * `plan`, `program`, `statuses` and `team` declarations at the top of a
 * file, `task` declarations inside a campaign, and the campaign headers
 * `program "NAME"` and `statuses "NAME"`.  Every bad declaration is an
 * error at its location; a bad date formula points at its bad character. */
#include <stdio.h>
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/mops.h"
#include "compiler/check/ops.h"

static const char *const top_kinds[] = {"plan", "program", "statuses", "team", "stock", "interaction", "segment"};
static const char *const camp_kinds[] = {"task", "cost", "consume", "offer"};

int check_mops_header(const char *name) {
  return !strcmp(name, "program") || !strcmp(name, "statuses") || !strcmp(name, "budget") ||
         !strcmp(name, "over_budget") || !strcmp(name, "success");
}

const MopsModel *program_mops(Program *p) {
  static const MopsModel empty;
  return p->mops ? p->mops : &empty;
}

const MopsCampaign *program_mops_campaign(const Decl *campaign) {
  static const MopsCampaign empty = {.budget = -1};
  return campaign->mops_info ? campaign->mops_info : &empty;
}

int mops_status_index(const MopsStatusSet *set, const char *code) {
  for (int i = 0; set && i < set->ncodes; i++)
    if (!strcmp(set->codes[i], code)) return i;
  return -1;
}

/* ------------------------------------------------------------ values */

static int one_value(Ctx *c, const MopsField *f) {
  if (f->values.len == 1) return 1;
  diag_error(c->d, f->loc, "`%s` takes one value", f->name);
  return 0;
}

/* A person, team or other name: a bare word or a string. */
static const char *name_value(Ctx *c, const MopsField *f) {
  if (!one_value(c, f)) return NULL;
  const MopsValue *v = f->values.items[0];
  if (v->kind == MV_WORD || (v->kind == MV_STRING && v->text[0])) return v->text;
  diag_error(c->d, v->loc, "`%s` takes a name (a word or a string)", f->name);
  return NULL;
}

static const char *word_value(Ctx *c, const MopsField *f) {
  if (!one_value(c, f)) return NULL;
  const MopsValue *v = f->values.items[0];
  if (v->kind == MV_WORD) return v->text;
  diag_error(c->d, v->loc, "`%s` takes a name", f->name);
  return NULL;
}

static void date_value(Ctx *c, const MopsField *f, char out[11]) {
  if (!one_value(c, f)) return;
  const MopsValue *v = f->values.items[0];
  int64_t d;
  if (v->kind != MV_DATE || df_parse_date(v->text, &d)) {
    diag_error(c->d, v->loc, "`%s` takes a date (YYYY-MM-DD)", f->name);
    return;
  }
  df_format_date(d, out);
}

static void unknown_field(Ctx *c, const MopsField *f, const char *kind, const char *const *known, int n) {
  diag_error(c->d, f->loc, "unknown field `%s` in a %s", f->name, kind);
  const char *best = diag_closest(f->name, known, n);
  if (best) diag_hint(c->d, "did you mean `%s`?", best);
}

/* Reports a second declaration of name among seen (Decl*). */
static int duplicate(Ctx *c, PtrVec *seen, Decl *d) {
  for (int i = 0; i < seen->len; i++) {
    Decl *o = seen->items[i];
    if (!strcmp(o->mops_kind, d->mops_kind) && !strcmp(o->name, d->name)) {
      diag_error(c->d, d->name_loc, "%s `%s` is declared twice", d->mops_kind, d->name);
      diag_note(c->d, o->name_loc, "first declared here");
      return 1;
    }
  }
  vec_push(c->a, seen, d);
  return 0;
}

/* A rule (`where`) belongs to a segment's criteria and `order by` to a
 * stock item: anywhere else they are errors (the grammar takes both in
 * every KIND NAME { } block). */
static void stray_exprs(Ctx *c, const Decl *d) {
  for (int i = 0; i < d->mops_fields.len; i++) {
    const MopsField *f = d->mops_fields.items[i];
    if (f->rule && strcmp(d->mops_kind, "segment"))
      diag_error(c->d, f->loc, "`%s where ...`: only a segment's criteria take a rule", f->name);
    if (f->order.len && strcmp(d->mops_kind, "stock") && strcmp(d->mops_kind, "segment"))
      diag_error(c->d, f->loc, "`order by` belongs to a stock item (who keeps it under `on_shortage limit`)");
  }
}

/* --------------------------------------------- plans and programs */

static MopsNode *node(Ctx *c, Decl *d) {
  static const char *const plan_fields[] = {"owner", "start", "end", "description", "budget"};
  static const char *const prog_fields[] = {"plan", "owner", "start", "end", "description", "statuses", "budget"};
  int prog = !strcmp(d->mops_kind, "program");
  MopsNode *n = arena_alloc(c->a, sizeof *n);
  n->kind = prog ? "program" : "plan";
  n->name = d->name;
  n->loc = d->name_loc;
  n->budget = -1;
  for (int i = 0; i < d->mops_fields.len; i++) {
    MopsField *f = d->mops_fields.items[i];
    if (!strcmp(f->name, "budget")) {
      if (one_value(c, f)) check_mops_amount(c, f->values.items[0], &n->budget);
    } else if (!strcmp(f->name, "owner")) n->owner = name_value(c, f);
    else if (!strcmp(f->name, "start")) date_value(c, f, n->start);
    else if (!strcmp(f->name, "end")) date_value(c, f, n->end);
    else if (!strcmp(f->name, "description")) {
      if (one_value(c, f) && ((MopsValue *)f->values.items[0])->kind != MV_STRING)
        diag_error(c->d, f->loc, "`description` takes a string");
    } else if (prog && !strcmp(f->name, "plan")) n->parent = word_value(c, f);
    else if (prog && !strcmp(f->name, "statuses")) n->statuses = word_value(c, f);
    else if (prog) unknown_field(c, f, "program", prog_fields, 7);
    else unknown_field(c, f, "plan", plan_fields, 5);
  }
  if (n->start[0] && n->end[0] && strcmp(n->start, n->end) > 0)
    diag_error(c->d, d->name_loc, "%s `%s` ends (%s) before it starts (%s)", n->kind, n->name, n->end, n->start);
  return n;
}

static MopsNode *find_node(const MopsModel *m, const char *kind, const char *name) {
  for (int i = 0; i < m->nodes.len; i++) {
    MopsNode *n = m->nodes.items[i];
    if (!strcmp(n->kind, kind) && !strcmp(n->name, name)) return n;
  }
  return NULL;
}

static MopsStatusSet *find_set(const MopsModel *m, const char *name) {
  for (int i = 0; i < m->sets.len; i++) {
    MopsStatusSet *s = m->sets.items[i];
    if (!strcmp(s->name, name)) return s;
  }
  return NULL;
}

/* The field of d named `name`, or NULL. */
static MopsField *field_named(Decl *d, const char *name) {
  for (int i = 0; i < d->mops_fields.len; i++) {
    MopsField *f = d->mops_fields.items[i];
    if (!strcmp(f->name, name)) return f;
  }
  return NULL;
}

/* --------------------------------------------------------- statuses */

static MopsStatusSet *status_set(Ctx *c, Decl *d) {
  MopsStatusSet *s = arena_alloc(c->a, sizeof *s);
  s->name = d->name;
  s->loc = d->name_loc;
  MopsField *codes = field_named(d, "codes");
  if (!codes) {
    diag_error(c->d, d->name_loc, "statuses `%s` needs `codes`: the status codes in order", d->name);
    diag_hint(c->d, "statuses flow { codes planned, approved, done; planned approved; approved done }");
    return NULL;
  }
  s->codes = arena_alloc(c->a, sizeof(char *) * (size_t)codes->values.len);
  for (int i = 0; i < codes->values.len; i++) {
    MopsValue *v = codes->values.items[i];
    if (v->kind != MV_WORD) {
      diag_error(c->d, v->loc, "a status code is a name");
      continue;
    }
    if (mops_status_index(s, v->text) >= 0) {
      diag_error(c->d, v->loc, "status code `%s` is listed twice", v->text);
      continue;
    }
    s->codes[s->ncodes++] = v->text;
  }
  if (!s->ncodes) return NULL;
  s->next = arena_alloc(c->a, (size_t)s->ncodes * (size_t)s->ncodes);
  memset(s->next, 0, (size_t)s->ncodes * (size_t)s->ncodes);
  for (int i = 0; i < d->mops_fields.len; i++) {
    MopsField *f = d->mops_fields.items[i];
    if (f == codes) continue;
    int from = mops_status_index(s, f->name);
    if (from < 0) {
      diag_error(c->d, f->loc, "`%s` is not a status code of `%s`", f->name, s->name);
      const char *best = diag_closest(f->name, s->codes, s->ncodes);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      else diag_hint(c->d, "a line `CODE NEXT, NEXT` lists the codes allowed after CODE");
      continue;
    }
    for (int k = 0; k < f->values.len; k++) {
      MopsValue *v = f->values.items[k];
      int to = v->kind == MV_WORD ? mops_status_index(s, v->text) : -1;
      if (to < 0) {
        diag_error(c->d, v->loc, "not a status code of `%s`", s->name);
        continue;
      }
      if (to == from) diag_error(c->d, v->loc, "a status cannot follow itself");
      s->next[from * s->ncodes + to] = 1;
    }
  }
  return s;
}

static MopsTeam *team(Ctx *c, Decl *d) {
  MopsTeam *t = arena_alloc(c->a, sizeof *t);
  t->name = d->name;
  for (int i = 0; i < d->mops_fields.len; i++) {
    MopsField *f = d->mops_fields.items[i];
    if (strcmp(f->name, "members")) {
      static const char *const fields[] = {"members"};
      unknown_field(c, f, "team", fields, 1);
      continue;
    }
    t->members = arena_alloc(c->a, sizeof(char *) * (size_t)f->values.len);
    for (int k = 0; k < f->values.len; k++) {
      MopsValue *v = f->values.items[k];
      if (v->kind == MV_WORD || v->kind == MV_STRING) t->members[t->nmembers++] = v->text;
      else diag_error(c->d, v->loc, "a team member is a name");
    }
  }
  return t;
}

/* ------------------------------------------------------------- tasks */

/* Parses a formula string; an error points at the bad character (the
 * string's column + 1 for the quote + the offset, on one line). */
static int formula(Ctx *c, const MopsValue *v, DateFormula *out) {
  int off = 0;
  char err[200];
  if (v->kind != MV_STRING) {
    diag_error(c->d, v->loc, "a date formula is a string: `due \"1M+CM\"`");
    return -1;
  }
  if (dateformula_parse(v->text, out, &off, err, sizeof err) == 0) return 0;
  Loc at = v->loc;
  if (at.line == at.end_line && v->loc.end_off - v->loc.off == (int)strlen(v->text) + 2) {
    at.col += 1 + off;
    at.off += 1 + off;
    at.end_col = at.col + 1;
    at.end_off = at.off + 1;
  }
  diag_error(c->d, at, "%s", err);
  diag_hint(c->d, "terms: 10D, -1W, 1M, 1Q, 1Y; CM = end of the month, -CM = its first day; join with + or -");
  return -1;
}

static void task(Ctx *c, Decl *d, MopsTask *t, const MopsModel *m) {
  static const char *const fields[] = {"due", "after", "owner", "team", "note"};
  t->name = d->name;
  t->loc = d->name_loc;
  int have_due = 0;
  for (int i = 0; i < d->mops_fields.len; i++) {
    MopsField *f = d->mops_fields.items[i];
    if (!strcmp(f->name, "due")) {
      if (one_value(c, f) && formula(c, f->values.items[0], &t->due) == 0) {
        have_due = 1;
        dateformula_text(&t->due, t->formula, sizeof t->formula);
      } else have_due = -1;
    } else if (!strcmp(f->name, "after")) t->after = word_value(c, f);
    else if (!strcmp(f->name, "owner")) t->owner = name_value(c, f);
    else if (!strcmp(f->name, "team")) {
      t->team = name_value(c, f);
      int found = 0;
      for (int k = 0; t->team && k < m->teams.len; k++) found |= !strcmp(((MopsTeam *)m->teams.items[k])->name, t->team);
      if (t->team && !found) diag_error(c->d, f->loc, "unknown team `%s`", t->team);
    } else if (!strcmp(f->name, "note")) {
      if (one_value(c, f) && ((MopsValue *)f->values.items[0])->kind == MV_STRING)
        t->note = ((MopsValue *)f->values.items[0])->text;
      else diag_error(c->d, f->loc, "`note` takes a string");
    } else unknown_field(c, f, "task", fields, 5);
  }
  if (!have_due) {
    diag_error(c->d, d->name_loc, "task `%s` needs `due`: a date formula after the campaign's start or its `after` task", d->name);
    diag_hint(c->d, "task proofs { due \"10D\"; owner lena }");
  }
  if (!t->owner && !t->team) diag_warning(c->d, d->name_loc, "task `%s` is assigned to nobody (`owner` or `team`)", d->name);
}

/* Orders tasks so each comes after the task it follows; reports unknown
 * `after` names and cycles.  Computes due dates from start (or -1). */
static void order_tasks(Ctx *c, MopsCampaign *mc, int64_t start) {
  int n = mc->ntasks;
  MopsTask *sorted = arena_alloc(c->a, sizeof(MopsTask) * (size_t)(n ? n : 1));
  int *state = arena_alloc(c->a, sizeof(int) * (size_t)(n ? n : 1)); /* 0 new, 1 visiting, 2 done */
  int *parent = arena_alloc(c->a, sizeof(int) * (size_t)(n ? n : 1));
  int64_t *due = arena_alloc(c->a, sizeof(int64_t) * (size_t)(n ? n : 1));
  memset(state, 0, sizeof(int) * (size_t)n);
  int nsorted = 0, bad = 0;
  for (int i = 0; i < n; i++) {
    parent[i] = -1;
    MopsTask *t = &mc->tasks[i];
    for (int k = 0; k < i; k++)
      if (!strcmp(mc->tasks[k].name, t->name)) {
        diag_error(c->d, t->loc, "task `%s` is declared twice", t->name);
        diag_note(c->d, mc->tasks[k].loc, "first declared here");
        bad = 1;
      }
    if (!t->after) continue;
    for (int k = 0; k < n; k++)
      if (!strcmp(mc->tasks[k].name, t->after)) parent[i] = k;
    if (parent[i] < 0)  /* reported; ordered as if after the start so cycles are still found */
      diag_error(c->d, t->loc, "task `%s` comes after an unknown task `%s`", t->name, t->after);
  }
  if (bad) return;
  for (int i = 0; i < n; i++) {
    /* walk up to the root, then emit on the way down */
    int chain[256], len = 0, k = i;
    while (k >= 0 && state[k] != 2) {
      if (state[k] == 1 || len == 256) {
        char path[512] = "";
        for (int j = 0; j < len; j++) {
          strncat(path, mc->tasks[chain[j]].name, sizeof path - strlen(path) - 1);
          strncat(path, " -> ", sizeof path - strlen(path) - 1);
        }
        strncat(path, mc->tasks[k].name, sizeof path - strlen(path) - 1);
        diag_error(c->d, mc->tasks[k].loc, "tasks follow each other in a cycle: %s", path);
        for (int j = 0; j < len; j++) state[chain[j]] = 2;
        return;
      }
      state[k] = 1;
      chain[len++] = k;
      k = parent[k];
    }
    for (int j = len - 1; j >= 0; j--) {
      int t = chain[j];
      state[t] = 2;
      MopsTask *task = &mc->tasks[t];
      int64_t base = parent[t] >= 0 ? due[parent[t]] : start;
      due[t] = -1;
      if (base != -1 && dateformula_apply(&task->due, base, &due[t]) == 0)
        df_format_date(due[t], task->due_date);
      else if (base != -1) {
        diag_error(c->d, task->loc, "task `%s` falls outside the years 1 to 9999", task->name);
        due[t] = -1;
      }
      sorted[nsorted++] = *task;
    }
  }
  mc->tasks = sorted;
}

/* ------------------------------------------------------------- pass */

void check_mops(Ctx *c) {
  Program *p = c->p;
  MopsModel *m = arena_alloc(c->a, sizeof *m);
  memset(m, 0, sizeof *m);
  p->mops = m;
  PtrVec seen = {0};
  /* teams and status sets first: programs and tasks refer to them */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < p->modules.len; i++) {
      Module *mod = p->modules.items[i];
      for (int k = 0; k < mod->decls.len; k++) {
        Decl *d = mod->decls.items[k];
        if (d->kind != D_MOPS) continue;
        int early = !strcmp(d->mops_kind, "team") || !strcmp(d->mops_kind, "statuses") ||
                    !strcmp(d->mops_kind, "stock");
        if (early != (pass == 0)) continue;
        if (!strcmp(d->mops_kind, "task")) {
          diag_error(c->d, d->mops_kind_loc, "a task belongs inside a campaign");
          continue;
        }
        int known = 0;
        for (size_t j = 0; j < sizeof top_kinds / sizeof *top_kinds; j++) known |= !strcmp(top_kinds[j], d->mops_kind);
        if (!known) {
          diag_error(c->d, d->mops_kind_loc, "unknown declaration `%s`", d->mops_kind);
          const char *best = diag_closest(d->mops_kind, top_kinds, 7);
          if (best) diag_hint(c->d, "did you mean `%s`?", best);
          continue;
        }
        stray_exprs(c, d);
        if (duplicate(c, &seen, d)) continue;
        if (d->on_schema && strcmp(d->mops_kind, "segment")) {
          diag_error(c->d, d->on_loc, "only a segment is declared `on` a schema, not a %s", d->mops_kind);
          continue;
        }
        if (!strcmp(d->mops_kind, "segment")) vec_push(c->a, &m->segments, check_mops_segment(c, d));
        else if (!strcmp(d->mops_kind, "team")) vec_push(c->a, &m->teams, team(c, d));
        else if (!strcmp(d->mops_kind, "stock")) vec_push(c->a, &m->stocks, check_mops_stock(c, d));
        else if (!strcmp(d->mops_kind, "interaction")) vec_push(c->a, &m->interactions, check_mops_interaction(c, d));
        else if (!strcmp(d->mops_kind, "statuses")) {
          MopsStatusSet *s = status_set(c, d);
          if (s) vec_push(c->a, &m->sets, s);
        } else vec_push(c->a, &m->nodes, node(c, d));
      }
    }
  /* programs point at plans and status sets */
  for (int i = 0; i < m->nodes.len; i++) {
    MopsNode *n = m->nodes.items[i];
    if (n->parent && !find_node(m, "plan", n->parent))
      diag_error(c->d, n->loc, "program `%s` belongs to an unknown plan `%s`", n->name, n->parent);
    if (n->statuses && !find_set(m, n->statuses))
      diag_error(c->d, n->loc, "program `%s` uses unknown statuses `%s`", n->name, n->statuses);
    MopsNode *plan = n->parent ? find_node(m, "plan", n->parent) : NULL;
    if (plan && plan->start[0] && n->start[0] && strcmp(n->start, plan->start) < 0)
      diag_error(c->d, n->loc, "program `%s` starts (%s) before its plan `%s` (%s)", n->name, n->start, plan->name, plan->start);
    if (plan && plan->end[0] && n->end[0] && strcmp(n->end, plan->end) > 0)
      diag_error(c->d, n->loc, "program `%s` ends (%s) after its plan `%s` (%s)", n->name, n->end, plan->name, plan->end);
  }
  for (int i = 0; i < p->campaigns.len; i++) {
    Decl *camp = p->campaigns.items[i];
    MopsCampaign *mc = arena_alloc(c->a, sizeof *mc);
    memset(mc, 0, sizeof *mc);
    camp->mops_info = mc;
    for (int k = 0; k < camp->headers.len; k++) {
      HeaderField *h = camp->headers.items[k];
      if (strcmp(h->name, "program") && strcmp(h->name, "statuses")) continue;  /* budget: check_mops_cost.c */
      if (h->value->kind != E_STR) {
        diag_error(c->d, h->value->loc, "`%s` must be a string naming a %s", h->name,
                   !strcmp(h->name, "program") ? "program" : "status set");
        continue;
      }
      if (!strcmp(h->name, "program")) {
        MopsNode *prog = find_node(m, "program", h->value->text);
        if (!prog) diag_error(c->d, h->value->loc, "unknown program `%s`", h->value->text);
        else {
          mc->program = prog->name;
          if (prog->statuses && !mc->statuses) mc->statuses = find_set(m, prog->statuses);
          const CampOps *ops = program_ops(camp);
          if (prog->start[0] && ops->start_date[0] && strncmp(ops->start_date, prog->start, 10) < 0)
            diag_error(c->d, h->value->loc, "the campaign starts (%.10s) before its program `%s` (%s)", ops->start_date, prog->name, prog->start);
          if (prog->end[0] && ops->end_date[0] && strncmp(ops->end_date, prog->end, 10) > 0)
            diag_error(c->d, h->value->loc, "the campaign ends (%.10s) after its program `%s` (%s)", ops->end_date, prog->name, prog->end);
        }
      } else {
        MopsStatusSet *s = find_set(m, h->value->text);
        if (!s) diag_error(c->d, h->value->loc, "unknown statuses `%s`", h->value->text);
        else mc->statuses = s;
      }
    }
    int ntask = 0;
    for (int k = 0; k < camp->mops.len; k++) ntask += !strcmp(((Decl *)camp->mops.items[k])->mops_kind, "task");
    mc->tasks = arena_alloc(c->a, sizeof(MopsTask) * (size_t)(ntask ? ntask : 1));
    memset(mc->tasks, 0, sizeof(MopsTask) * (size_t)(ntask ? ntask : 1));
    for (int k = 0; k < camp->mops.len; k++) {
      Decl *d = camp->mops.items[k];
      if (d->on_schema && strcmp(d->mops_kind, "segment"))
        diag_error(c->d, d->on_loc, "only a segment is declared `on` a schema, not a %s", d->mops_kind);
      stray_exprs(c, d);
      if (!strcmp(d->mops_kind, "cost") || !strcmp(d->mops_kind, "consume") || !strcmp(d->mops_kind, "offer"))
        continue;  /* after the tasks */
      if (strcmp(d->mops_kind, "task")) {
        int top = 0;
        for (size_t j = 0; j < sizeof top_kinds / sizeof *top_kinds; j++) top |= !strcmp(top_kinds[j], d->mops_kind);
        if (top) diag_error(c->d, d->mops_kind_loc, "a %s is declared outside campaigns", d->mops_kind);
        else {
          diag_error(c->d, d->mops_kind_loc, "unknown campaign item `%s`", d->mops_kind);
          const char *best = diag_closest(d->mops_kind, camp_kinds, 4);
          if (best) diag_hint(c->d, "did you mean `%s`?", best);
        }
        continue;
      }
      task(c, d, &mc->tasks[mc->ntasks++], m);
    }
    const CampOps *ops = program_ops(camp);
    int64_t start = -1;
    if (ops->start_date[0] && df_parse_date(ops->start_date, &start)) start = -1;
    if (mc->ntasks && start == -1)
      diag_warning(c->d, camp->name_loc, "the tasks of `%s` have no dates: the campaign has no `start_date`", camp->name);
    order_tasks(c, mc, start);
    check_mops_costs(c, camp, mc);
    check_mops_consumes(c, camp, mc, m);
    check_mops_offers(c, camp, mc);
  }
}
