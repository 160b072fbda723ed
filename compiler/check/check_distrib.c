/* check_distrib.c — distributed marketing in the checker: `entity` and
 * `package` declarations become p->distrib (compiler/check/distrib.h), and
 * each `approval local` step gets its checked settings (s->dist).  Every
 * error is at the word that is wrong. */
#include <stdio.h>
#include <string.h>

#include "compiler/check/check_graph.h"
#include "compiler/check/distrib.h"
#include "lang/clock.h"

static const char *const ROLES[] = {"administrator", "approver", "manager", "viewer"};

const char *distrib_role_name(DistRole r) { return ROLES[r]; }

DistEntity *distrib_entity(const DistModel *m, const char *name) {
  for (int i = 0; m && name && i < m->entities.len; i++) {
    DistEntity *e = m->entities.items[i];
    if (!strcmp(e->name, name)) return e;
  }
  return NULL;
}

DistPackage *distrib_package(const DistModel *m, const char *name) {
  for (int i = 0; m && name && i < m->packages.len; i++) {
    DistPackage *p = m->packages.items[i];
    if (!strcmp(p->name, name)) return p;
  }
  return NULL;
}

DistOperator *distrib_operator(const DistModel *m, const char *login) {
  for (int i = 0; m && login && i < m->operators.len; i++) {
    DistOperator *o = m->operators.items[i];
    if (!strcmp(o->login, login)) return o;
  }
  return NULL;
}

DistEntity *distrib_group(const DistModel *m, const char *name) {
  for (int i = 0; m && name && i < m->groups.len; i++) {
    DistEntity *g = m->groups.items[i];
    if (!strcmp(g->name, name)) return g;
  }
  return NULL;
}

/* The one value of a line, or NULL after an error. */
static Expr *one_value(Ctx *c, DistField *f) {
  if (f->braced || f->values.len != 1 || f->until) {
    diag_error(c->d, f->loc, "`%s` takes one value", f->name);
    return NULL;
  }
  return f->values.items[0];
}

static char *word_of(Ctx *c, DistField *f, const char *const *allowed, int n) {
  Expr *e = one_value(c, f);
  if (!e) return NULL;
  if (e->kind != E_NAME) {
    diag_error(c->d, e->loc, "`%s` takes a word: %s", f->name, allowed[0]);
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (!strcmp(allowed[i], e->name)) return e->name;
  names_unknown(c, e->loc, f->name, e->name, allowed, n);
  return NULL;
}

static char *string_of(Ctx *c, DistField *f) {
  Expr *e = one_value(c, f);
  if (!e) return NULL;
  if (e->kind != E_STR) {
    diag_error(c->d, e->loc, "`%s` takes a string", f->name);
    return NULL;
  }
  return e->text;
}

/* A literal as the text the runtime compares distribution values with. */
static char *value_text(Ctx *c, Expr *e) {
  switch (e->kind) {
    case E_INT: return arena_printf(c->a, "%lld", (long long)e->ival);
    case E_DEC: case E_STR: case E_DATE: case E_TIMESTAMP: return e->text;
    case E_BOOL: return e->ival ? "1" : "0";
    default:
      diag_error(c->d, e->loc, "a distribution value is a number, a string or a date");
      return NULL;
  }
}

/* `register_by 2026-03-10` -> "2026-03-10 23:59:59"-style normalized time;
 * a date means its last second, as campaign end dates do. */
static int time_of(Ctx *c, DistField *f, Expr *e, char out[20], int end_of_day) {
  out[0] = 0;
  if (!e || (e->kind != E_DATE && e->kind != E_TIMESTAMP)) {
    diag_error(c->d, e ? e->loc : f->loc, "`%s` takes a date or a timestamp", f->name);
    return -1;
  }
  if (clock_normalize(e->text, out)) {
    diag_error(c->d, e->loc, "`%s` is not a valid time", e->text);
    return -1;
  }
  if (e->kind == E_DATE && end_of_day) memcpy(out + 11, "23:59:59", 8);
  return 0;
}

static void unknown_field(Ctx *c, DistField *f, const char *what, const char *const *fields, int n) {
  names_unknown(c, f->name_loc, what, f->name, fields, n);
}

static void check_entity(Ctx *c, DistModel *m, Decl *d, DistEntity *e) {
  static const char *const F[] = {"kind", "label", "parent", "data", "administrator", "approver",
                                  "manager", "viewer"};
  for (int i = 0; i < d->dfields.len; i++) {
    DistField *f = d->dfields.items[i];
    if (!strcmp(f->name, "kind")) {
      static const char *const K[] = {"local", "central"};
      char *w = word_of(c, f, K, 2);
      if (w) e->central = !strcmp(w, "central");
    } else if (!strcmp(f->name, "label")) {
      char *s = string_of(c, f);
      if (s) e->label = s;
    } else if (!strcmp(f->name, "parent")) {
      Expr *v = one_value(c, f);
      if (v && v->kind != E_NAME) diag_error(c->d, v->loc, "`parent` names an entity");
      else if (v) e->parent = (DistEntity *)v; /* resolved below */
    } else if (!strcmp(f->name, "data")) {
      Expr *v = one_value(c, f);
      if (v) e->data = value_text(c, v);
    } else {
      int role = -1;
      for (int r = 0; r < 4; r++)
        if (!strcmp(f->name, ROLES[r])) role = r;
      if (role < 0) {
        unknown_field(c, f, "entity setting", F, 8);
        continue;
      }
      if (f->braced || f->until || !f->values.len) {
        diag_error(c->d, f->loc, "`%s` takes operator logins as strings", f->name);
        continue;
      }
      for (int k = 0; k < f->values.len; k++) {
        Expr *v = f->values.items[k];
        if (v->kind != E_STR || !v->text[0] || strlen(v->text) > 64 || strpbrk(v->text, " \t<>&\"'/")) {
          diag_error(c->d, v->loc, "an operator login is a non-empty string of at most 64 characters without spaces, quotes, `<`, `>`, `&` or `/`");
          continue;
        }
        DistOperator *prev = distrib_operator(m, v->text);
        if (prev) {
          diag_error(c->d, v->loc, "operator `%s` is declared twice", v->text);
          diag_note(c->d, prev->loc, "first declared here");
          continue;
        }
        DistOperator *o = arena_alloc(c->a, sizeof *o);
        o->login = v->text;
        o->role = (DistRole)role;
        o->loc = v->loc;
        o->entity = e;
        vec_push(c->a, &e->operators, o);
        vec_push(c->a, &m->operators, o);
      }
    }
  }
}

/* `group NAME { label "..."; members "login", ... }`: operators (of any
 * entity, not viewers) who decide together the contacts a local approval
 * with `assign group` hands to the group. */
static void check_group(Ctx *c, DistModel *m, Decl *d, DistEntity *g) {
  static const char *const F[] = {"label", "members"};
  for (int i = 0; i < d->dfields.len; i++) {
    DistField *f = d->dfields.items[i];
    if (!strcmp(f->name, "label")) {
      char *s = string_of(c, f);
      if (s) g->label = s;
    } else if (!strcmp(f->name, "members")) {
      if (f->braced || f->until || !f->values.len) {
        diag_error(c->d, f->loc, "`members` takes operator logins as strings");
        continue;
      }
      for (int k = 0; k < f->values.len; k++) {
        Expr *v = f->values.items[k];
        DistOperator *o = v->kind == E_STR ? distrib_operator(m, v->text) : NULL;
        if (v->kind != E_STR) {
          diag_error(c->d, v->loc, "`members` takes operator logins as strings");
          continue;
        }
        if (!o) {
          const char *cands[256];
          int n = 0;
          for (int j = 0; j < m->operators.len && n < 256; j++) cands[n++] = ((DistOperator *)m->operators.items[j])->login;
          names_unknown(c, v->loc, "operator", v->text, cands, n);
          continue;
        }
        if (o->role == DROLE_VIEWER) {
          diag_error(c->d, v->loc, "operator `%s` is a viewer: a group's members decide contacts", o->login);
          continue;
        }
        int twice = 0;
        for (int j = 0; j < g->operators.len; j++) twice |= g->operators.items[j] == o;
        if (twice) diag_error(c->d, v->loc, "operator `%s` is listed twice", o->login);
        else vec_push(c->a, &g->operators, o);
      }
    } else {
      unknown_field(c, f, "group setting", F, 2);
    }
  }
  if (!g->operators.len) diag_error(c->d, d->name_loc, "group `%s` has no members (`members \"login\", ...`)", d->name);
}

/* Every local entity at or below e. */
static void locals_under(Ctx *c, DistModel *m, DistEntity *e, PtrVec *out) {
  for (int i = 0; i < m->entities.len; i++) {
    DistEntity *x = m->entities.items[i];
    if (x->central) continue;
    int leaf = 1; /* a region is offered through its stores */
    for (int k = 0; k < m->entities.len && leaf; k++) leaf = ((DistEntity *)m->entities.items[k])->parent != x;
    if (!leaf) continue;
    int below = 0;
    for (DistEntity *a = x; a && !below; a = a->parent) below = a == e;
    if (!below) continue;
    int have = 0;
    for (int k = 0; k < out->len; k++) have |= out->items[k] == x;
    if (!have) vec_push(c->a, out, x);
  }
}

static void check_package(Ctx *c, DistModel *m, Decl *d, DistPackage *p) {
  static const char *const F[] = {"campaign", "label", "offer", "visible", "register_by",
                                  "personalize_by", "mode", "variant", "form", "cost", "share",
                                  "central_pays", "cost_per_message"};
  p->variant = "simple";
  Loc campaign_loc = d->name_loc;
  int has_campaign = 0;
  for (int i = 0; i < d->dfields.len; i++) {
    DistField *f = d->dfields.items[i];
    if (!strcmp(f->name, "campaign")) {
      Expr *v = one_value(c, f);
      if (v) { p->campaign = v->name; campaign_loc = v->loc; has_campaign = 1; }
    } else if (!strcmp(f->name, "label")) {
      char *s = string_of(c, f);
      if (s) p->label = s;
    } else if (!strcmp(f->name, "offer")) {
      for (int k = 0; k < f->values.len; k++) {
        Expr *v = f->values.items[k];
        DistEntity *e = v->kind == E_NAME ? distrib_entity(m, v->name) : NULL;
        if (!e) {
          if (v->kind != E_NAME) diag_error(c->d, v->loc, "`offer` names entities");
          else {
            const char *cands[256];
            int n = 0;
            for (int j = 0; j < m->entities.len && n < 256; j++) cands[n++] = ((DistEntity *)m->entities.items[j])->name;
            names_unknown(c, v->loc, "entity", v->name, cands, n);
          }
          continue;
        }
        locals_under(c, m, e, &p->offer);
      }
    } else if (!strcmp(f->name, "visible")) {
      if (f->values.len != 1) { diag_error(c->d, f->loc, "write `visible FROM until UNTIL`"); continue; }
      time_of(c, f, f->values.items[0], p->visible_from, 0);
      if (f->until) time_of(c, f, f->until, p->visible_until, 1);
      if (p->visible_until[0] && strcmp(p->visible_until, p->visible_from) < 0)
        diag_error(c->d, f->until->loc, "the package stops being visible before it starts");
    } else if (!strcmp(f->name, "register_by")) {
      time_of(c, f, one_value(c, f), p->register_by, 1);
    } else if (!strcmp(f->name, "personalize_by")) {
      time_of(c, f, one_value(c, f), p->personalize_by, 1);
    } else if (!strcmp(f->name, "mode")) {
      static const char *const M[] = {"manual", "automatic"};
      char *w = word_of(c, f, M, 2);
      if (w) p->automatic = !strcmp(w, "automatic");
    } else if (!strcmp(f->name, "variant")) {
      static const char *const V[] = {"simple", "form", "campaign", "target"};
      char *w = word_of(c, f, V, 4);
      if (w) p->variant = w;
    } else if (!strcmp(f->name, "share")) {
      static const char *const S[] = {"equally", "by_contacts"};
      char *w = word_of(c, f, S, 2);
      if (w) p->cost_by_contacts = !strcmp(w, "by_contacts");
    } else if (!strcmp(f->name, "cost")) {
      Expr *v = one_value(c, f);
      if (v && v->kind == E_INT) p->cost = (double)v->ival;
      else if (v && v->kind == E_DEC) p->cost = v->dval;
      else if (v) diag_error(c->d, v->loc, "`cost` takes a number");
      if (p->cost < 0) diag_error(c->d, f->loc, "a cost cannot be negative");
    } else if (!strcmp(f->name, "central_pays") || !strcmp(f->name, "cost_per_message")) {
      Expr *v = one_value(c, f);
      double d = !v ? -1 : v->kind == E_INT ? (double)v->ival : v->kind == E_DEC ? v->dval : -1;
      int pct = !strcmp(f->name, "central_pays");
      if (v && (d < 0 || (pct && d > 100)))
        diag_error(c->d, v->loc, pct ? "`central_pays` takes a percentage of the cost, 0 to 100"
                                     : "`cost_per_message` takes a number, 0 or more");
      else if (v && pct) p->central_pct = d;
      else if (v) p->per_message = d;
    } else if (!strcmp(f->name, "form")) {
      if (!f->braced) { diag_error(c->d, f->loc, "write `form { NAME TYPE ... }`"); continue; }
      for (int k = 0; k < f->params.len; k++) {
        FormParam *fp = f->params.items[k];
        Type *t = names_type(c, fp->type);
        int num = t->kind == T_INT || t->kind == T_DECIMAL;
        if (!num && t->kind != T_TEXT) {
          diag_error(c->d, fp->type->loc, "a form parameter is an int, a decimal or a text");
          continue;
        }
        for (int j = 0; j < k; j++)
          if (!strcmp(((FormParam *)f->params.items[j])->name, fp->name))
            diag_error(c->d, fp->loc, "form parameter `%s` is declared twice", fp->name);
        Expr *lims[3] = {fp->lo, fp->hi, fp->def};
        for (int j = 0; j < 3; j++) {
          Expr *e = lims[j];
          if (!e) continue;
          int ok = num ? (e->kind == E_INT || (e->kind == E_DEC && t->kind == T_DECIMAL)) : e->kind == E_STR;
          if (!ok) diag_error(c->d, e->loc, "`%s` is a %s: this value does not fit", fp->name, num ? (t->kind == T_INT ? "int" : "decimal") : "text");
        }
        if ((fp->lo || fp->hi) && !num) diag_error(c->d, fp->loc, "`between` limits a number; a text takes `limit N` (its length)");
        if (fp->has_maxlen && num) diag_error(c->d, fp->loc, "`limit N` limits a text's length; a number takes `between`");
        if (fp->has_maxlen && (fp->maxlen < 1 || fp->maxlen > 10000)) diag_error(c->d, fp->loc, "a text limit is between 1 and 10000 characters");
        if (fp->lo && fp->hi && num) {
          double lo = fp->lo->kind == E_INT ? (double)fp->lo->ival : fp->lo->dval;
          double hi = fp->hi->kind == E_INT ? (double)fp->hi->ival : fp->hi->dval;
          if (lo > hi) diag_error(c->d, fp->hi->loc, "the upper limit is below the lower one");
          if (fp->def && (fp->def->kind == E_INT || fp->def->kind == E_DEC)) {
            double dv = fp->def->kind == E_INT ? (double)fp->def->ival : fp->def->dval;
            if (dv < lo || dv > hi) diag_error(c->d, fp->def->loc, "the default is outside the limits");
          }
        }
        if (fp->def && fp->has_maxlen && fp->def->kind == E_STR && (int64_t)strlen(fp->def->text) > fp->maxlen)
          diag_error(c->d, fp->def->loc, "the default is longer than the limit");
        vec_push(c->a, &p->params, fp);
      }
    } else {
      unknown_field(c, f, "package setting", F, 13);
    }
  }
  if (!has_campaign) diag_error(c->d, d->name_loc, "package `%s` names no campaign (`campaign NAME`)", d->name);
  else {
    int found = 0;
    for (int i = 0; i < c->p->campaigns.len; i++) found |= !strcmp(((Decl *)c->p->campaigns.items[i])->name, p->campaign);
    if (!found) diag_error(c->d, campaign_loc, "unknown campaign `%s`", p->campaign);
  }
  if (!p->offer.len && strcmp(p->variant, "target"))
    diag_error(c->d, d->name_loc, "package `%s` is offered to no local entity (`offer ENTITY, ...`)", d->name);
  if (p->params.len && strcmp(p->variant, "form") && strcmp(p->variant, "campaign"))
    diag_warning(c->d, d->name_loc, "package `%s` has a form but is not `variant form` or `variant campaign`", d->name);
  if (p->register_by[0] && p->visible_until[0] && strcmp(p->register_by, p->visible_until) > 0)
    diag_error(c->d, d->name_loc, "the registration deadline is after the package stops being visible");
}

void check_distrib_model(Ctx *c) {
  DistModel *m = arena_alloc(c->a, sizeof *m);
  c->p->distrib = m;
  PtrVec entity_decls = {0}, package_decls = {0}, group_decls = {0};
  for (int i = 0; i < c->p->modules.len; i++) {
    Module *mod = c->p->modules.items[i];
    for (int k = 0; k < mod->decls.len; k++) {
      Decl *d = mod->decls.items[k];
      if (d->kind != D_DISTRIB) continue;
      vec_push(c->a, !strcmp(d->dkind, "entity") ? &entity_decls : !strcmp(d->dkind, "group") ? &group_decls : &package_decls, d);
    }
  }
  for (int i = 0; i < entity_decls.len; i++) {
    Decl *d = entity_decls.items[i];
    DistEntity *prev = distrib_entity(m, d->name);
    if (prev) {
      diag_error(c->d, d->name_loc, "entity `%s` is declared twice", d->name);
      diag_note(c->d, prev->decl->name_loc, "first declared here");
      continue;
    }
    DistEntity *e = arena_alloc(c->a, sizeof *e);
    e->name = d->name;
    e->label = d->name;
    e->decl = d;
    vec_push(c->a, &m->entities, e);
    check_entity(c, m, d, e);
  }
  /* parents resolved once every entity is known */
  DistEntity *central = NULL;
  for (int i = 0; i < m->entities.len; i++) {
    DistEntity *e = m->entities.items[i];
    Expr *pv = (Expr *)e->parent;
    e->parent = NULL;
    if (pv) {
      DistEntity *p = distrib_entity(m, pv->name);
      if (!p) {
        const char *cands[256];
        int n = 0;
        for (int j = 0; j < m->entities.len && n < 256; j++) cands[n++] = ((DistEntity *)m->entities.items[j])->name;
        names_unknown(c, pv->loc, "entity", pv->name, cands, n);
      } else if (e->central) {
        diag_error(c->d, pv->loc, "the central entity has no parent");
      } else e->parent = p;
    }
    if (e->central) {
      if (central) {
        diag_error(c->d, e->decl->name_loc, "entity `%s` is a second central entity", e->name);
        diag_note(c->d, central->decl->name_loc, "`%s` is the central entity", central->name);
      } else central = e;
    }
  }
  for (int i = 0; i < m->entities.len; i++) {
    DistEntity *e = m->entities.items[i];
    int steps = 0;
    for (DistEntity *a = e->parent; a; a = a->parent)
      if (a == e || ++steps > m->entities.len) {
        diag_error(c->d, e->decl->name_loc, "entity `%s` is its own ancestor", e->name);
        e->parent = NULL;
        break;
      }
    if (!e->central && !e->parent && central) e->parent = central;
    if (e->central && e->data) diag_error(c->d, e->decl->name_loc, "the central entity sees all data: `data` is for local entities");
    for (int k = 0; e->data && k < i; k++) {
      DistEntity *o = m->entities.items[k];
      if (o->data && !strcmp(o->data, e->data))
        diag_error(c->d, e->decl->name_loc, "entities `%s` and `%s` have the same `data` value", o->name, e->name);
    }
  }
  if (m->entities.len && !central)
    diag_error(c->d, ((DistEntity *)m->entities.items[0])->decl->name_loc,
               "no central entity: one entity says `kind central`");
  for (int i = 0; i < group_decls.len; i++) {
    Decl *d = group_decls.items[i];
    DistEntity *same = distrib_entity(m, d->name);
    if (same || distrib_group(m, d->name)) {
      diag_error(c->d, d->name_loc, "`%s` is already %s", d->name, same ? "an entity" : "a group");
      continue;
    }
    DistEntity *g = arena_alloc(c->a, sizeof *g);
    g->name = d->name;
    g->label = d->name;
    g->group = 1;
    g->decl = d;
    vec_push(c->a, &m->groups, g);
    check_group(c, m, d, g);
  }
  for (int i = 0; i < package_decls.len; i++) {
    Decl *d = package_decls.items[i];
    if (distrib_package(m, d->name)) {
      diag_error(c->d, d->name_loc, "package `%s` is declared twice", d->name);
      continue;
    }
    DistPackage *p = arena_alloc(c->a, sizeof *p);
    p->name = d->name;
    p->label = d->name;
    p->decl = d;
    vec_push(c->a, &m->packages, p);
    check_package(c, m, d, p);
  }
}

static int64_t duration_of(Ctx *c, DistField *f) {
  Expr *e = one_value(c, f);
  if (!e) return -1;
  if (e->kind != E_DURATION || e->ival <= 0) {
    diag_error(c->d, e->loc, "`%s` takes a positive duration (`3d`, `12h`)", f->name);
    return -1;
  }
  return e->ival;
}

void step_local_approval(Graph *g, Step *s) {
  Ctx *c = g->c;
  DistModel *m = c->p->distrib;
  StepInput *si = s->inputs.items[0];
  Pop *in = input_pop(g, si->name, si->loc, &si->step);
  check_outputs(c, s, 1, 2, "a local approval");
  DistApproval *a = arena_alloc(c->a, sizeof *a);
  s->dist = a;
  a->deadline = 3 * 86400;
  static const char *const F[] = {"field", "type", "assign", "deadline", "remind", "otherwise"};
  Loc field_loc = s->loc;
  for (int i = 0; i < s->dfields.len; i++) {
    DistField *f = s->dfields.items[i];
    if (!strcmp(f->name, "field")) {
      Expr *v = one_value(c, f);
      if (v && v->kind != E_NAME) diag_error(c->d, v->loc, "`field` names a column of the population");
      else if (v) { a->field = v->name; field_loc = v->loc; }
    } else if (!strcmp(f->name, "type")) {
      static const char *const T[] = {"set", "percentage"};
      char *w = word_of(c, f, T, 2);
      if (w) a->percent = !strcmp(w, "percentage");
    } else if (!strcmp(f->name, "assign")) {
      static const char *const A2[] = {"entity", "group"};
      char *w = word_of(c, f, A2, 2);
      if (w) a->assign_group = !strcmp(w, "group");
    } else if (!strcmp(f->name, "deadline")) {
      int64_t d = duration_of(c, f);
      if (d > 0) a->deadline = d;
    } else if (!strcmp(f->name, "remind")) {
      int64_t d = duration_of(c, f);
      if (d > 0 && d < 900) diag_error(c->d, f->loc, "reminders are at least 15 minutes apart");
      else if (d > 0) a->remind = d;
    } else if (!strcmp(f->name, "otherwise")) {
      static const char *const O[] = {"drop", "approve"};
      char *w = word_of(c, f, O, 2);
      if (w) a->approve_default = !strcmp(w, "approve");
    } else {
      unknown_field(c, f, "local approval setting", F, 6);
    }
  }
  if (!m || !m->entities.len)
    diag_error(c->d, s->loc, "a local approval needs `entity` declarations (docs/distributed.md)");
  Type *ft = NULL;
  if (!a->field) diag_error(c->d, s->loc, "a local approval needs a distribution field (`field store_id`)");
  else if (in) {
    ft = pop_column_type(in, a->field);
    if (!ft) {
      int n = 0;
      Scope sc = scope_of_pop(in);
      const char **cands = NULL;
      n = scope_names(c, &sc, &cands);
      names_unknown(c, field_loc, "column", a->field, cands, n);
    } else {
      a->field_added = pop_added(in, a->field) != NULL;
      if (ft->kind == T_COLLECTION || ft->kind == T_LINK) {
        diag_error(c->d, field_loc, "the distribution field must be a column with a value");
        ft = NULL;
      }
    }
  }
  for (int i = 0; i < s->breakdown.len; i++) {
    Breakdown *b = s->breakdown.items[i];
    DistEntity *e = a->assign_group ? distrib_group(m, b->entity) : distrib_entity(m, b->entity);
    if (!e) {
      const PtrVec *from = m ? (a->assign_group ? &m->groups : &m->entities) : NULL;
      const char *cands[256];
      int n = 0;
      for (int j = 0; from && j < from->len && n < 256; j++) cands[n++] = ((DistEntity *)from->items[j])->name;
      names_unknown(c, b->entity_loc, a->assign_group ? "operator group" : "entity", b->entity, cands, n);
      if (!a->assign_group && distrib_group(m, b->entity)) diag_hint(c->d, "`%s` is an operator group: write `assign group`", b->entity);
      if (a->assign_group && distrib_entity(m, b->entity)) diag_hint(c->d, "`%s` is a local entity: write `assign entity`, or declare a `group`", b->entity);
      continue;
    }
    if (e->central) { diag_error(c->d, b->entity_loc, "contacts are approved by local entities, not the central one"); continue; }
    if (b->has_limit && b->percent != a->percent)
      diag_error(c->d, b->loc, "with `type %s` a limit is written %s", a->percent ? "percentage" : "set",
                 a->percent ? "as a percentage (`limit 50%`)" : "as a count (`limit 100`)");
    if (b->has_limit && b->percent && b->limit > 100) diag_error(c->d, b->loc, "a percentage limit is at most 100%%");
    if (ft) {
      int numeric_field = ft->kind == T_INT || ft->kind == T_DECIMAL || ft->kind == T_BOOL;
      int numeric_value = b->value->kind == E_INT || b->value->kind == E_DEC;
      if (numeric_field != numeric_value)
        diag_error(c->d, b->value->loc, "`%s` is a %s: this breakdown value does not fit", a->field, type_name(c->a, ft));
    }
    char *v = value_text(c, b->value);
    if (!v) continue;
    for (int k = 0; k < a->lines.len; k++)
      if (!strcmp(((DistLine *)a->lines.items[k])->value, v)) diag_error(c->d, b->value->loc, "breakdown value %s is listed twice", v);
    DistLine *l = arena_alloc(c->a, sizeof *l);
    l->value = v;
    l->label = b->label ? b->label : e->label;
    l->entity = e;
    l->has_limit = b->has_limit;
    l->percent = b->percent;
    l->limit = b->limit;
    vec_push(c->a, &a->lines, l);
  }
  if (!s->breakdown.len && m && a->assign_group)
    diag_error(c->d, s->loc, "with `assign group` every breakdown value names its group: write `VALUE -> GROUP` lines");
  else if (!s->breakdown.len && m) {
    /* no breakdown written: each local entity's `data` value */
    for (int i = 0; i < m->entities.len; i++) {
      DistEntity *e = m->entities.items[i];
      if (e->central || !e->data) continue;
      DistLine *l = arena_alloc(c->a, sizeof *l);
      l->value = e->data;
      l->label = e->label;
      l->entity = e;
      vec_push(c->a, &a->lines, l);
    }
    if (!a->lines.len && m->entities.len)
      diag_error(c->d, s->loc, "no breakdown: write `VALUE -> ENTITY` lines, or give local entities a `data` value");
  }
  if (!in) return;
  set_pops(c, s, pop_copy(c, in), s->outputs.len ? s->outputs.len : 1);
  /* by form: the publishing package's form values become columns */
  for (int i = 0; m && i < m->packages.len; i++) {
    DistPackage *p = m->packages.items[i];
    /* by form, and by campaign (the child campaigns' editable parameters) */
    if ((strcmp(p->variant, "form") && strcmp(p->variant, "campaign")) || !p->campaign || !g->campaign ||
        strcmp(p->campaign, g->campaign->name))
      continue;
    if (a->form_pkg) {
      diag_error(c->d, p->decl->name_loc, "campaign `%s` is published by two packages with parameters (`%s` and `%s`)",
                 p->campaign, a->form_pkg->name, p->name);
      continue;
    }
    a->form_pkg = p;
    for (int k = 0; k < p->params.len; k++) {
      FormParam *fp = p->params.items[k];
      if (pop_column_type(s->pops[0], fp->name)) {
        diag_error(c->d, fp->loc, "form parameter `%s` has the name of a column of the population it is added to",
                   fp->name);
        diag_note(c->d, s->loc, "the local approval adds the form's values as columns here");
        continue;
      }
      add_col(c, s->pops[0], fp->name, names_type(c, fp->type), fp->loc);
    }
  }
}
