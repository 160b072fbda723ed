/* check_channel.c — channel steps (properties, templates, placeholders),
 * retarget on feedback and reconcile against an external file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/abtest.h"
#include "compiler/check/check_graph.h"

static ChannelProp *prop(Step *s, const char *key) {
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (strcmp(p->key, key) == 0) return p;
  }
  return NULL;
}


void step_channel(Graph *g, Step *s) {
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
    char ab_letter;
    const char *ab_base;
    if (!strcmp(p->key, "test") || (abtest_variant_key(p->key, &ab_letter, &ab_base) &&
                                    (s->channel == CH_EMAIL || strcmp(ab_base, "template")) &&
                                    (s->channel != CH_SMS || !strcmp(ab_base, "body"))))
      ok = 1; /* an A/B test (check_abtest.c) */
    if (!strcmp(p->key, "holdout")) { /* this step's control group (contact policy) */
      ok = 1;
      check_holdout_prop(c, s, in, p);
    }
    if (!strcmp(p->key, "window")) { /* a send window (contact policy) */
      ok = 1;
      check_window_prop(c, s, p->loc, p->value);
    }
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
  check_abtest(c, s, in);
  /* Unnamed channel steps still deliver to a population: keep one. */
  set_pops(c, s, pop_copy(c, in), s->outputs.len ? s->outputs.len : 1);
}

void step_retarget(Graph *g, Step *s) {
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

void step_reconcile(Graph *g, Step *s) {
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

/* Placeholders and language variants of channel texts: check_tmpl.c. */
