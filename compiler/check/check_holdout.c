/* check_holdout.c — control groups on one step (docs/policy.md):
 * `holdout 5%` inside a channel step (that step's recipients) and the
 * audience step `treated = holdout 5% of scored` (the held-out members are
 * recorded as the step's control group and never flow downstream). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check_graph.h"
#include "compiler/check/policy.h"

int policy_percent_bp(const char *text) {
  if (!text || !*text) return -1;
  int64_t whole = 0, frac = 0;
  int digits = 0, fdigits = 0;
  const char *p = text;
  for (; *p >= '0' && *p <= '9'; p++, digits++) {
    whole = whole * 10 + (*p - '0');
    if (whole >= 100) return -1;
  }
  if (!digits) return -1;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
      if (fdigits >= 2) {
        if (*p != '0') return -1; /* finer than a basis point */
        continue;
      }
      frac = frac * 10 + (*p - '0');
    }
    if (!fdigits) return -1;
  }
  if (*p) return -1;
  if (fdigits == 1) frac *= 10;
  int64_t bp = whole * 100 + frac;
  return bp > 0 && bp < 10000 ? (int)bp : -1;
}

int program_step_holdout_bp(const Step *s) {
  if (s->kind == S_HOLDOUT) return policy_percent_bp(s->text) > 0 ? policy_percent_bp(s->text) : 0;
  if (s->kind != S_CHANNEL) return 0;
  for (int i = 0; i < s->props.len; i++) {
    ChannelProp *p = s->props.items[i];
    if (!strcmp(p->key, "holdout") && p->percent) return policy_percent_bp(p->value) > 0 ? policy_percent_bp(p->value) : 0;
  }
  return 0;
}

void program_holdout_salt(const char *campaign, const char *step, char *out, size_t n) {
  snprintf(out, n, "holdout:%s:%s", campaign ? campaign : "", step ? step : "");
}

/* The members of a control group are told apart by their key. */
void check_holdout_key(Ctx *c, Pop *in, Loc loc, const char *what) {
  if (in && (!in->dim || !in->dim->key))
    diag_error(c->d, loc, "%s needs rows with a key (`%s` has none): the control group is recorded by key", what,
               in->dim ? in->dim->name : "these rows");
}

void check_holdout_percent_error(Ctx *c, Loc loc, const char *text) {
  diag_error(c->d, loc, "a holdout is a percentage above 0 and below 100 with at most two decimals, not `%s%%`",
             text);
  diag_hint(c->d, "e.g. `holdout 5%%` or `holdout 2.5%%`");
}

void check_holdout_prop(Ctx *c, Step *s, Pop *in, ChannelProp *p) {
  if (!p->percent) {
    diag_error(c->d, p->loc, "`holdout` takes a percentage: `holdout 5%%` (not a string)");
    return;
  }
  if (policy_percent_bp(p->value) < 0) check_holdout_percent_error(c, p->loc, p->value);
  check_holdout_key(c, in, p->loc, "a step's holdout");
  (void)s;
}
