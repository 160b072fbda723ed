/* check_policy.c — the contact policy's declarations (docs/policy.md):
 * `consent CHANNEL on SCHEMA = RULE` (parsed as a filter named
 * consent_<channel>, whose body check_funcs already checked once) and the
 * campaign header `transactional true`, the reviewed opt-out of consent
 * and suppression. */
#include <stdio.h>
#include <string.h>

#include "compiler/check/timezone.h"

#include "compiler/check/check.h"
#include "compiler/check/policy.h"

static void check_pressure(Ctx *c);

void check_policy(Ctx *c) {
  check_pressure(c);
  for (int i = 0; i < c->p->funcs.len; i++) {
    Decl *d = c->p->funcs.items[i];
    if (d->kind != D_FILTER || !d->consent || !d->schema) continue;
    Channel ch = (Channel)(d->consent - 1);
    if (!d->schema->key) {
      diag_error(c->d, d->on_loc, "consent needs a schema with a key: `%s` has none", d->schema->name);
      continue;
    }
    if (ch != CH_MAIL && !schema_address(d->schema, channel_name(ch)))
      diag_warning(c->d, d->name_loc, "`%s` has no address(%s) column: no %s step can target it",
                   d->schema->name, channel_name(ch), channel_name(ch));
    /* The runtime evaluates its own checked copy (the body stays untouched
     * for inlining where it is used as a filter). */
    Scope s;
    memset(&s, 0, sizeof s);
    s.schema = d->schema;
    int nerr = c->d->nerrors;
    Expr *rule = check_rule(c, &s, clone_expr(c, d->body, NULL, NULL), "consent");
    if (c->d->nerrors == nerr) d->consent_rule = rule;
  }
}

/* pressure rules: at most one per channel (and one for all), N >= 1, a
 * period of at least a minute. */
static void check_pressure(Ctx *c) {
  Decl *seen[6] = {0};
  for (int m = 0; m < c->p->modules.len; m++) {
    Module *mod = c->p->modules.items[m];
    for (int i = 0; i < mod->decls.len; i++) {
      Decl *d = mod->decls.items[i];
      if (d->kind != D_PRESSURE) continue;
      if (d->pmax < 1) diag_error(c->d, d->pmax_loc, "pressure: max must be at least 1");
      if (d->pperiod->ival < 60) diag_error(c->d, d->pperiod->loc, "pressure: the period must be at least 1m");
      if (seen[d->consent]) {
        diag_error(c->d, d->loc, "pressure for %s is declared twice",
                   d->consent ? channel_name((Channel)(d->consent - 1)) : "all channels");
        diag_note(c->d, seen[d->consent]->loc, "first declared here");
      } else {
        seen[d->consent] = d;
      }
    }
  }
}

void check_weight(Ctx *c, HeaderField *h) {
  if (h->value->kind != E_INT || h->value->ival < 0 || h->value->ival > 1000)
    diag_error(c->d, h->value->loc, "`weight` must be an integer from 0 to 1000");
}

int64_t program_weight(const Decl *campaign) {
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "weight") && h->value->kind == E_INT) return h->value->ival;
  }
  return 5;
}

int program_pressure(Program *p, PtrVec *out) {
  for (int m = 0; m < p->modules.len; m++) {
    Module *mod = p->modules.items[m];
    for (int i = 0; i < mod->decls.len; i++)
      if (((Decl *)mod->decls.items[i])->kind == D_PRESSURE) vec_push(&p->arena, out, mod->decls.items[i]);
  }
  return out->len;
}

/* `holdout 5%`: a share of every channel step's recipients, more than 0
 * and less than 100; `conversion "filter"`: a filter with one timestamp (or
 * date) parameter, the time of the run, saying who converted. */
void check_holdout(Ctx *c, HeaderField *h) {
  if (!strcmp(h->name, "holdout")) {
    double v = h->value->kind == E_INT ? (double)h->value->ival : h->value->kind == E_DEC ? h->value->dval : -1;
    if (!h->percent || v <= 0 || v >= 100)
      diag_error(c->d, h->value->loc, "`holdout` takes a percentage above 0 and below 100, e.g. `holdout 5%%`");
    return;
  }
  if (h->value->kind != E_STR) {
    diag_error(c->d, h->value->loc, "`conversion` names a filter: `conversion \"converted\"`");
    return;
  }
  Decl *f = names_func(c, h->value->text);
  if (!f || f->kind != D_FILTER) {
    diag_error(c->d, h->value->loc, "`conversion`: no filter named `%s`", h->value->text);
    return;
  }
  Type *t = f->params.len == 1 ? names_type(c, ((Param *)f->params.items[0])->type) : NULL;
  if (!t || (t->kind != T_TIMESTAMP && t->kind != T_DATE))
    diag_error(c->d, h->value->loc,
               "`conversion`: filter `%s` must take one timestamp parameter (the time of the run), e.g. "
               "`filter converted(since timestamp) on customers = exists purchases where at >= since and at < since + 14d`",
               f->name);
}

double program_holdout(const Decl *campaign) {
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (strcmp(h->name, "holdout") || !h->percent) continue;
    return h->value->kind == E_INT ? (double)h->value->ival : h->value->kind == E_DEC ? h->value->dval : 0;
  }
  return 0;
}

const char *program_conversion(const Decl *campaign) {
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "conversion") && h->value->kind == E_STR) return h->value->text;
  }
  return NULL;
}

void check_transactional(Ctx *c, HeaderField *h) {
  if (h->value->kind != E_BOOL)
    diag_error(c->d, h->value->loc, "`transactional` must be true or false");
  (void)c;
}

Expr *program_consent(Program *p, const Schema *dim, Channel ch) {
  for (int i = 0; dim && i < p->funcs.len; i++) {
    Decl *d = p->funcs.items[i];
    if (d->kind == D_FILTER && d->consent == 1 + (int)ch && d->schema == dim) return d->consent_rule;
  }
  return NULL;
}

int program_transactional(const Decl *campaign) {
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "transactional") && h->value->kind == E_BOOL) return h->value->ival != 0;
  }
  return 0;
}

/* ------------------------------------------------------- send windows */

static int day_of(const char *s) {
  static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (int i = 0; i < 7; i++)
    if (!strncmp(s, names[i], 3)) return i;
  return -1;
}

int policy_window_parse(const char *spec, PolicyWindow *w, char *err, size_t errlen) {
  char days[64];
  int h1, m1, h2, m2, n = 0;
  memset(w, 0, sizeof *w);
  if (sscanf(spec, "%63s %d:%d-%d:%d%n", days, &h1, &m1, &h2, &m2, &n) != 5 || spec[n]) {
    snprintf(err, errlen, "a window is `DAYS HH:MM-HH:MM`, e.g. \"weekdays 09:00-18:00\"");
    return -1;
  }
  if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 ||
      h1 * 60 + m1 > 1440 || h2 * 60 + m2 > 1440 || h1 * 60 + m1 >= h2 * 60 + m2) {
    snprintf(err, errlen, "the window's hours must be a time of day and start before they end (%s)", spec);
    return -1;
  }
  w->start = h1 * 60 + m1;
  w->end = h2 * 60 + m2;
  if (!strcmp(days, "daily")) w->days = 0x7f;
  else if (!strcmp(days, "weekdays")) w->days = 0x3e;
  else if (!strcmp(days, "weekends")) w->days = 0x41;
  else {
    for (char *tok = strtok(days, ","); tok; tok = strtok(NULL, ",")) {
      int a = day_of(tok), b = a;
      if (strlen(tok) == 7 && tok[3] == '-') b = day_of(tok + 4);
      else if (strlen(tok) != 3) a = -1;
      if (a < 0 || b < 0) {
        snprintf(err, errlen, "unknown days `%s`: daily, weekdays, weekends, or mon,tue,... / mon-fri", tok);
        return -1;
      }
      for (int d = a;; d = (d + 1) % 7) {
        w->days |= 1u << d;
        if (d == b) break;
      }
    }
  }
  return 0;
}

const char *program_contact_tz(const Decl *campaign) {
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "contact_timezone") && h->value->kind == E_STR) return h->value->text;
  }
  return NULL;
}

const char *program_default_tz(const Decl *campaign) {
  for (int i = 0; i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "default_timezone") && h->value->kind == E_STR) return h->value->text;
  }
  return "UTC";
}

void check_window_header(Ctx *c, HeaderField *h) {
  if (h->value->kind != E_STR) {
    diag_error(c->d, h->value->loc, "`%s` must be a string", h->name);
    return;
  }
  if (!strcmp(h->name, "default_timezone") && !tz_known(h->value->text))
    diag_error(c->d, h->value->loc, "`%s` is not a time zone of the tz database", h->value->text);
}

void check_window_prop(Ctx *c, Step *s, Loc loc, const char *value) {
  PolicyWindow w;
  char err[200];
  if (!value) diag_error(c->d, loc, "a window is a string: window \"weekdays 09:00-18:00\"");
  else if (s->channel == CH_MAIL) diag_error(c->d, loc, "a send window applies to email, sms and push, not mail");
  else if (policy_window_parse(value, &w, err, sizeof err)) diag_error(c->d, loc, "%s", err);
}

Step *program_local_wait(Step *s) {
  for (Step *cur = s; cur->inputs.len == 1;) {
    Step *p = ((StepInput *)cur->inputs.items[0])->step;
    if (!p) return NULL;
    if (p->kind == S_WAIT) return p->wait_local ? p : NULL;
    if (p->kind == S_LOCAL_APPROVAL || p->kind == S_RETARGET) return NULL;
    cur = p;
  }
  return NULL;
}
