/* check_mops_cost.c — budgets and cost lines of marketing operations
 * (mops.h): the campaign headers `budget AMOUNT` and `over_budget "warn" |
 * "block"`, and `cost NAME { ... }` items:
 *
 *   cost agency   { fixed 1200; task brief }
 *   cost postage  { per_piece 0.85; step letters }      // direct mail
 *   cost sms_fee  { per_message 0.04; channel sms }     // or step S, provider P
 *
 * Amounts are exact (1/10000 units); a per-unit line resolves at compile
 * time to the labels of the channel steps it counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/mops.h"

void mops_amount_text(int64_t amount, char *out, size_t outlen) {
  int neg = amount < 0;
  uint64_t a = neg ? (uint64_t)(-(amount + 1)) + 1 : (uint64_t)amount;
  uint64_t cents = (a + 50) / 100;  /* half away from zero */
  snprintf(out, outlen, "%s%llu.%02llu", neg && cents ? "-" : "", (unsigned long long)(cents / 100),
           (unsigned long long)(cents % 100));
}

/* Parses "123", "0.85", "12.3456" into 1/10000 units; -1 when malformed,
 * with more than 4 decimals or too large. */
static int parse_amount(const char *t, int64_t *out) {
  int64_t whole = 0, frac = 0;
  int nfrac = 0;
  const char *p = t;
  if (!*p) return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    whole = whole * 10 + (*p - '0');
    if (whole > 100000000000LL) return -1;  /* 10^11 units: far beyond any budget */
  }
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++) {
      if (++nfrac > 4) return -1;
      frac = frac * 10 + (*p - '0');
    }
  }
  if (*p) return -1;
  while (nfrac++ < 4) frac *= 10;
  *out = whole * MOPS_AMOUNT_SCALE + frac;
  return 0;
}

int check_mops_amount(Ctx *c, const MopsValue *v, int64_t *out) {
  char buf[64];
  if (v->kind == MV_INT && v->ival >= 0) snprintf(buf, sizeof buf, "%lld", (long long)v->ival);
  else if (v->kind == MV_DEC && v->text[0] != '-') snprintf(buf, sizeof buf, "%s", v->text);
  else {
    diag_error(c->d, v->loc, "an amount is a number of at least 0 (`1200`, `0.85`)");
    return -1;
  }
  if (parse_amount(buf, out)) {
    diag_error(c->d, v->loc, "an amount has at most 4 decimals and at most 11 digits before the point");
    return -1;
  }
  return 0;
}

static Step *channel_step(Decl *camp, const char *label) {
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    if (s->kind == S_CHANNEL && s->label && !strcmp(s->label, label)) return s;
  }
  return NULL;
}

static void add_step(Ctx *c, MopsCost *m, Step *s) {
  const char **n = arena_alloc(c->a, sizeof(char *) * (size_t)(m->nsteps + 1));
  if (m->nsteps) memcpy(n, m->steps, sizeof(char *) * (size_t)m->nsteps);
  n[m->nsteps++] = s->label;
  m->steps = n;
}

static const char *one_word(Ctx *c, const MopsField *f) {
  const MopsValue *v = f->values.len == 1 ? f->values.items[0] : NULL;
  if (v && (v->kind == MV_WORD || v->kind == MV_STRING)) return v->text;
  diag_error(c->d, f->loc, "`%s` takes one name", f->name);
  return NULL;
}

static void cost_line(Ctx *c, Decl *camp, Decl *d, MopsCost *m, const MopsCampaign *mc) {
  static const char *const fields[] = {"fixed", "per_message", "per_piece", "step", "channel", "provider", "task"};
  m->name = d->name;
  m->loc = d->name_loc;
  int have = 0;
  const MopsField *step_f = NULL, *chan_f = NULL, *prov_f = NULL;
  for (int i = 0; i < d->mops_fields.len; i++) {
    const MopsField *f = d->mops_fields.items[i];
    int k = !strcmp(f->name, "fixed") ? MC_FIXED : !strcmp(f->name, "per_message") ? MC_PER_MESSAGE
          : !strcmp(f->name, "per_piece") ? MC_PER_PIECE : -1;
    if (k >= 0) {
      if (have++) diag_error(c->d, f->loc, "a cost line has one amount: `fixed`, `per_message` or `per_piece`");
      m->kind = (MopsCostKind)k;
      if (f->values.len != 1) diag_error(c->d, f->loc, "`%s` takes one amount", f->name);
      else check_mops_amount(c, f->values.items[0], &m->amount);
    } else if (!strcmp(f->name, "step")) step_f = f;
    else if (!strcmp(f->name, "channel")) chan_f = f;
    else if (!strcmp(f->name, "provider")) prov_f = f;
    else if (!strcmp(f->name, "task")) {
      m->task = one_word(c, f);
      int found = 0;
      for (int t = 0; m->task && t < mc->ntasks; t++) found |= !strcmp(mc->tasks[t].name, m->task);
      if (m->task && !found) diag_error(c->d, f->loc, "unknown task `%s` in this campaign", m->task);
    } else {
      diag_error(c->d, f->loc, "unknown field `%s` in a cost line", f->name);
      const char *best = diag_closest(f->name, fields, 7);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
    }
  }
  if (!have) {
    diag_error(c->d, d->name_loc, "cost `%s` needs an amount: `fixed 1200`, `per_message 0.02` or `per_piece 0.85`", d->name);
    return;
  }
  if ((step_f != NULL) + (chan_f != NULL) + (prov_f != NULL) > 1)
    diag_error(c->d, d->name_loc, "a cost line counts the messages of one `step`, `channel` or `provider`");
  if (m->kind == MC_FIXED) {
    const MopsField *f = step_f ? step_f : chan_f ? chan_f : prov_f;
    if (f) diag_error(c->d, f->loc, "a fixed cost does not count messages: leave out `%s`", f->name);
    snprintf(m->scope, sizeof m->scope, "%s%s", m->task ? "task " : "campaign", m->task ? m->task : "");
    return;
  }
  const char *name;
  if (step_f && (name = one_word(c, step_f))) {
    Step *s = channel_step(camp, name);
    if (!s) diag_error(c->d, step_f->loc, "`%s` is not a channel step of this campaign", name);
    else if (m->kind == MC_PER_PIECE && s->channel != CH_MAIL)
      diag_error(c->d, step_f->loc, "`per_piece` counts printed pieces of `mail` steps: `%s` sends %s", name,
                 channel_name(s->channel));
    else add_step(c, m, s);
    snprintf(m->scope, sizeof m->scope, "step %s", name);
  } else if (chan_f && (name = one_word(c, chan_f))) {
    int ch = !strcmp(name, "email") ? CH_EMAIL : !strcmp(name, "sms") ? CH_SMS : !strcmp(name, "push") ? CH_PUSH
           : !strcmp(name, "mail") ? CH_MAIL : -1;
    if (ch < 0) diag_error(c->d, chan_f->loc, "unknown channel `%s` (email, sms, push or mail)", name);
    else if (m->kind == MC_PER_PIECE && ch != CH_MAIL)
      diag_error(c->d, chan_f->loc, "`per_piece` counts printed pieces of `mail` steps");
    for (int i = 0; ch >= 0 && i < camp->steps.len; i++) {
      Step *s = camp->steps.items[i];
      if (s->kind == S_CHANNEL && (int)s->channel == ch) add_step(c, m, s);
    }
    if (ch >= 0 && !m->nsteps) diag_error(c->d, chan_f->loc, "the campaign has no %s step", name);
    snprintf(m->scope, sizeof m->scope, "channel %s", name);
  } else if (prov_f && (name = one_word(c, prov_f))) {
    int known = 0;
    for (int i = 0; i < c->p->providers.len; i++) known |= !strcmp(((Decl *)c->p->providers.items[i])->name, name);
    if (!known) diag_error(c->d, prov_f->loc, "unknown provider `%s`", name);
    for (int i = 0; known && i < camp->steps.len; i++) {
      Step *s = camp->steps.items[i];
      if (s->kind == S_CHANNEL && s->provider_decl && !strcmp(s->provider_decl->name, name)) add_step(c, m, s);
    }
    if (known && !m->nsteps) diag_error(c->d, prov_f->loc, "no channel step of this campaign is sent by `%s`", name);
    snprintf(m->scope, sizeof m->scope, "provider %s", name);
  } else if (!step_f && !chan_f && !prov_f) {
    /* every channel step (per message) or every mail step (per piece) */
    for (int i = 0; i < camp->steps.len; i++) {
      Step *s = camp->steps.items[i];
      if (s->kind == S_CHANNEL && (m->kind == MC_PER_MESSAGE || s->channel == CH_MAIL)) add_step(c, m, s);
    }
    if (!m->nsteps) diag_error(c->d, d->name_loc, "cost `%s` counts no step: the campaign has no %s step", d->name,
                               m->kind == MC_PER_PIECE ? "mail" : "channel");
    snprintf(m->scope, sizeof m->scope, "%s", m->kind == MC_PER_PIECE ? "every mail step" : "every channel step");
  }
}

void check_mops_costs(Ctx *c, Decl *camp, MopsCampaign *mc) {
  mc->budget = -1;
  for (int k = 0; k < camp->headers.len; k++) {
    HeaderField *h = camp->headers.items[k];
    if (!strcmp(h->name, "budget")) {
      MopsValue v = {.loc = h->value->loc, .text = h->value->text, .ival = h->value->ival};
      v.kind = h->value->kind == E_INT ? MV_INT : h->value->kind == E_DEC ? MV_DEC : MV_STRING;
      if (v.kind == MV_STRING) diag_error(c->d, h->value->loc, "`budget` is an amount (`5000`, `1250.50`)");
      else check_mops_amount(c, &v, &mc->budget);
    } else if (!strcmp(h->name, "over_budget")) {
      if (h->value->kind == E_STR && !strcmp(h->value->text, "block")) mc->block = 1;
      else if (!(h->value->kind == E_STR && !strcmp(h->value->text, "warn")))
        diag_error(c->d, h->value->loc, "`over_budget` is \"warn\" (the default) or \"block\"");
    }
  }
  int n = 0;
  for (int k = 0; k < camp->mops.len; k++) n += !strcmp(((Decl *)camp->mops.items[k])->mops_kind, "cost");
  mc->costs = arena_alloc(c->a, sizeof(MopsCost) * (size_t)(n ? n : 1));
  for (int k = 0; k < camp->mops.len; k++) {
    Decl *d = camp->mops.items[k];
    if (strcmp(d->mops_kind, "cost")) continue;
    for (int j = 0; j < mc->ncosts; j++)
      if (!strcmp(mc->costs[j].name, d->name)) {
        diag_error(c->d, d->name_loc, "cost `%s` is declared twice", d->name);
        diag_note(c->d, mc->costs[j].loc, "first declared here");
      }
    memset(&mc->costs[mc->ncosts], 0, sizeof(MopsCost));
    cost_line(c, camp, d, &mc->costs[mc->ncosts++], mc);
  }
}
