/* check_abtest.c — A/B content tests: the `test "..."` spec and the
 * variant texts of a channel step (see abtest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/abtest.h"
#include "compiler/check/check.h"

const char *abtest_metric_text(const AbSpec *sp) {
  return sp->metric == AB_OPEN_RATE ? "open_rate" : sp->metric == AB_CLICK_RATE ? "click_rate" : sp->success;
}

/* A name as the language writes one: a letter or _, then letters, digits, _. */
static int is_name(const char *w) {
  if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || *w == '_') || strlen(w) >= 64) return 0;
  for (; *w; w++)
    if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || (*w >= '0' && *w <= '9') || *w == '_')) return 0;
  return 1;
}

int abtest_variant_key(const char *key, char *letter, const char **base) {
  static const char *const bases[] = {"subject", "body", "template"};
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(bases[i]);
    /* subject_B, or subject_B_sv: variant B's text in a language (lowercase first) */
    if (!strncmp(key, bases[i], n) && key[n] == '_' && key[n + 1] >= 'B' && key[n + 1] <= 'Z' &&
        (!key[n + 2] || (key[n + 2] == '_' && key[n + 3] >= 'a' && key[n + 3] <= 'z'))) {
      *letter = key[n + 1];
      *base = bases[i];
      return 1;
    }
  }
  return 0;
}

/* "2d" -> seconds; -1 when not a positive duration of m, h, d or w. */
static int64_t duration_of(const char *w) {
  char *end;
  long long n = strtoll(w, &end, 10);
  if (end == w || n <= 0 || n > 1000000 || end[0] == 0 || end[1] != 0) return -1;
  switch (end[0]) {
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'd': return n * 86400;
    case 'w': return n * 7 * 86400;
    default: return -1;
  }
}

/* The variant letters of s: "A" and each letter with a text, in order. */
static void letters_of(Step *s, char out[27]) {
  int seen[26] = {0};
  seen[0] = 1;
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    char l;
    const char *base;
    if (abtest_variant_key(p->key, &l, &base)) seen[l - 'A'] = 1;
  }
  int n = 0;
  for (int i = 0; i < 26; i++)
    if (seen[i]) out[n++] = (char)('A' + i);
  out[n] = 0;
}

int abtest_of(Step *s, AbSpec *out, char *err, size_t errlen) {
  const char *spec = NULL;
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "test")) spec = p->value;
  }
  if (s->kind != S_CHANNEL || !spec) return 1;
  memset(out, 0, sizeof *out);
  letters_of(s, out->variants);
  int has_cells = 0, has_metric = 0, has_after = 0;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", spec);
  char *save = NULL;
  for (char *item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
    char *words[32];
    int nw = 0;
    char *wsave = NULL;
    for (char *w = strtok_r(item, " \t", &wsave); w && nw < 32; w = strtok_r(NULL, " \t", &wsave)) words[nw++] = w;
    if (nw == 0) continue;
    if (!strcmp(words[0], "cells")) {
      char *end = NULL;
      double v = nw >= 2 ? strtod(words[1], &end) : -1;
      if (nw < 2 || nw > 3 || !end || strcmp(end, "%") || v <= 0 || (nw == 3 && strcmp(words[2], "each"))) {
        snprintf(err, errlen, "test: cells are written `cells 10%%` (each variant's share of the recipients)");
        return -1;
      }
      out->cell_percent = v;
      has_cells = 1;
    } else if (!strcmp(words[0], "metric")) {
      if (nw != 2 || !is_name(words[1])) {
        snprintf(err, errlen, "test: the metric is `metric open_rate`, `metric click_rate` or `metric FILTER` "
                              "(a success rule)%s%s%s", nw >= 2 ? ", not `" : "", nw >= 2 ? words[1] : "",
                 nw >= 2 ? "`" : "");
        return -1;
      }
      out->metric = !strcmp(words[1], "open_rate") ? AB_OPEN_RATE : !strcmp(words[1], "click_rate") ? AB_CLICK_RATE : AB_SUCCESS;
      if (out->metric == AB_SUCCESS) snprintf(out->success, sizeof out->success, "%s", words[1]);
      has_metric = 1;
    } else if (!strcmp(words[0], "after")) {
      out->after = nw == 2 ? duration_of(words[1]) : -1;
      if (out->after <= 0) {
        snprintf(err, errlen, "test: the wait before the winner is chosen is `after 2d` (a positive number of m, h, d or w)");
        return -1;
      }
      has_after = 1;
    } else if (!strcmp(words[0], "variants")) {
      char named[27] = "";
      int n = 0;
      for (int i = 1; i < nw; i++) {
        if (strlen(words[i]) != 1 || words[i][0] < 'A' || words[i][0] > 'Z' || n >= 26) {
          snprintf(err, errlen, "test: variants are capital letters (`variants A B`), not `%s`", words[i]);
          return -1;
        }
        named[n++] = words[i][0];
        named[n] = 0;
      }
      if (strcmp(named, out->variants)) {
        char shown[60] = "";
        for (int i = 0; named[i]; i++) snprintf(shown + 2 * i, sizeof shown - 2 * (size_t)i, " %c", named[i]);
        snprintf(err, errlen, "test: `variants%s` does not match the step's variants %s (A is the step's own "
                              "texts; B... come from subject_B, body_B, template_B)", shown, out->variants);
        return -1;
      }
    } else {
      snprintf(err, errlen, "test: unknown item `%s` (a test has cells, metric, after and optionally variants)",
               words[0]);
      return -1;
    }
  }
  if (!has_cells || !has_metric || !has_after) {
    snprintf(err, errlen, "test: missing `%s`; write e.g. test \"cells 10%%; metric click_rate; after 2d\"",
             !has_cells ? "cells" : !has_metric ? "metric" : "after");
    return -1;
  }
  size_t nv = strlen(out->variants);
  if (nv < 2) {
    snprintf(err, errlen, "test: only one variant; give variant B's texts (subject_B, body_B or template_B)");
    return -1;
  }
  if (out->cell_percent * (double)nv >= 100) {
    snprintf(err, errlen, "test: %zu cells of %g%% leave no remainder for the winner (below 100%% in all)", nv,
             out->cell_percent);
    return -1;
  }
  return 0;
}

/* `metric converted`: a filter with one timestamp parameter on the step's
 * dimension; the step keeps `converted(now())`, checked, which the runtime
 * evaluates with now() = the test's start (exec_abtest.c). */
static void check_success(Ctx *c, Step *s, Pop *in, ChannelProp *test, const char *name) {
  Decl *f = names_func(c, name);
  if (!f || f->kind != D_FILTER) {
    diag_error(c->d, test->loc, "test: the metric `%s` is not open_rate, click_rate or a filter", name);
    return;
  }
  Type *t = f->params.len == 1 ? names_type(c, ((Param *)f->params.items[0])->type) : NULL;
  if (!t || (t->kind != T_TIMESTAMP && t->kind != T_DATE)) {
    diag_error(c->d, test->loc, "test: the success rule `%s` must take one timestamp parameter (the test's start), "
               "e.g. `filter converted(since timestamp) on customers = exists purchases where at >= since`", name);
    return;
  }
  if (!in->dim || !f->on_schema || strcmp(f->on_schema, in->dim->name)) {
    diag_error(c->d, test->loc, "test: the success rule `%s` is on %s, but the step's rows are %s", name,
               f->on_schema ? f->on_schema : "?", in->dim ? in->dim->name : "not rows of a schema");
    return;
  }
  Expr *call = expr_new(c->a, E_CALL, test->loc), *now = expr_new(c->a, E_CALL, test->loc);
  call->name = (char *)f->name;
  now->name = "now";
  vec_push(c->a, &call->args, now);
  Scope sc = scope_of_pop(in);
  s->ab_success = check_rule(c, &sc, call, "the A/B test's metric");
}

/* The checker's part: the spec, and each variant text like the main ones. */
void check_abtest(Ctx *c, Step *s, Pop *in) {
  ChannelProp *test = NULL;
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "test")) test = p;
  }
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    char l;
    const char *base;
    if (!abtest_variant_key(p->key, &l, &base)) continue;
    if (!test) {
      diag_error(c->d, p->loc, "`%s` is the text of A/B test variant %c, but the step has no `test \"...\"`", p->key, l);
      continue;
    }
    if (!in) continue;
    if (!strcmp(base, "template")) {
      char *text = check_read_template(c, p->loc, p->value);
      if (!text) diag_error(c->d, p->loc, "cannot read template `%s`", p->value);
      else check_text(c, in, text, p->loc, arena_printf(c->a, "template %s", p->value), 1);
    } else {
      check_text(c, in, p->value, p->loc, p->key, s->channel == CH_EMAIL && !strcmp(base, "body"));
    }
  }
  if (!test) return;
  AbSpec sp;
  char err[300];
  if (s->channel == CH_MAIL) diag_error(c->d, test->loc, "an A/B test needs a channel with feedback (email, sms, push), not mail");
  else if (!test->value) diag_error(c->d, test->loc, "a test is a string: test \"cells 10%%; metric click_rate; after 2d\"");
  else if (abtest_of(s, &sp, err, sizeof err) < 0) diag_error(c->d, test->loc, "%s", err);
  else if (sp.metric == AB_SUCCESS && in) check_success(c, s, in, test, sp.success);
}
