/* check_policy.c — the contact policy's declarations (docs/policy.md):
 * `consent CHANNEL on SCHEMA = RULE` (parsed as a filter named
 * consent_<channel>, whose body check_funcs already checked once) and the
 * campaign header `transactional true`, the reviewed opt-out of consent
 * and suppression. */
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/policy.h"

void check_policy(Ctx *c) {
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
