/* check.h — internals shared by the checker's files:
 *   names.c      schemas, links, collections, functions (declarations)
 *   check_expr.c rules and expressions (types, names, inlining)
 *   check_graph.c the campaign graph (check_step.c, check_channel.c: steps)
 *   check.c      program_check: the order of the passes */
#ifndef CAMP_CHECK_H
#define CAMP_CHECK_H

#include "compiler/check/program.h"

/* Where names in an expression are looked up.  Scopes nest for the rows of
 * a collection inside `exists` / aggregates; depth 0 is the population. */
typedef struct Scope {
  Schema *schema;          /* the row's schema (NULL in func bodies) */
  Pop *pop;                /* added columns (depth 0 only) */
  struct Scope *outer;
  int depth;
  Decl *func;              /* inside a func/filter body: its params */
  int feedback;            /* retarget rule: feedback events are names */
} Scope;

typedef struct Ctx {
  Program *p;
  Arena *a;
  Diags *d;
  Decl *campaign;          /* campaign being checked, or NULL */
  int inline_depth;
} Ctx;

/* names.c */
void names_build_schemas(Ctx *c);
void names_collect_funcs(Ctx *c);
Schema *names_schema(Ctx *c, const char *name);
Decl *names_func(Ctx *c, const char *name);
/* Reports `unknown X `name``, with a did-you-mean over cands. */
void names_unknown(Ctx *c, Loc loc, const char *what, const char *name,
                   const char *const *cands, int n);
/* Resolves a written type; reports unknown names; never NULL. */
Type *names_type(Ctx *c, TypeRef *t);

/* check_expr.c */
/* Type-checks e in scope s and returns the expression to use in its place
 * (calls to func/filter are replaced by their inlined bodies). */
Expr *check_expr(Ctx *c, Scope *s, Expr *e);
/* Checks a rule: like check_expr, and requires a boolean. */
Expr *check_rule(Ctx *c, Scope *s, Expr *e, const char *what);
void check_funcs(Ctx *c);
/* A copy of e (funcs' parameters replaced by args when f is given). */
Expr *clone_expr(Ctx *c, Expr *e, Decl *f, PtrVec *args);
/* check_policy.c: consent declarations; the `transactional` header. */
void check_policy(Ctx *c);
void check_transactional(Ctx *c, HeaderField *h);
void check_weight(Ctx *c, HeaderField *h);
void check_holdout(Ctx *c, HeaderField *h);
void check_window_header(Ctx *c, HeaderField *h);
void check_window_prop(Ctx *c, Step *s, Loc loc, const char *value);
/* Scope for rows of population p. */
Scope scope_of_pop(Pop *p);
/* Names visible in a scope, for did-you-mean (arena-allocated array). */
int scope_names(Ctx *c, Scope *s, const char ***out);

/* check_graph.c, check_channel.c */
void check_campaign(Ctx *c, Decl *campaign);
/* Reads a template named in the campaign (relative to the file of `at`);
 * NULL if unreadable. */
char *check_read_template(Ctx *c, Loc at, const char *name);

/* check_tmpl.c */
/* check_ops.c: schedule, approval, start/end dates -> campaign->ops. */
void check_ops(Ctx *c, Decl *campaign);
/* Checks `{{name}}` placeholders of text against population p. */
void check_placeholders(Ctx *c, Pop *p, const char *text, Loc loc, const char *where);
/* Same, plus: filters (names, arguments, the value's type); html=0 marks a
 * text that is not HTML (subjects, SMS, push), where an HTML entity such as
 * `&euro;` would be sent literally: a warning. */
void check_text(Ctx *c, Pop *p, const char *text, Loc loc, const char *where, int html);
/* Is key a setting of the language variants (`language`, `subject_sv`,
 * `body_de`, `template_pt_BR`) that channel ch may take? */
int check_is_variant_key(Channel ch, const char *key);
/* Checks a channel step's `language` column and its variant settings. */
void check_variants(Ctx *c, Step *s, Pop *in);
/* check_abtest.c: a channel step's `test "..."` and its variant texts
 * (`subject_B`, ...; compiler/check/abtest.h). */
void check_abtest(Ctx *c, Step *s, Pop *in);

/* check_mops.c: plans, programs, statuses, teams (top level) and each
 * campaign's tasks -> p->mops and campaign->mops_info. */
void check_mops(Ctx *c);
/* Is name a campaign header that check_mops reads (`program`, `statuses`,
 * `budget`, `over_budget`)? */
int check_mops_header(const char *name);
/* check_mops_cost.c: an amount (`1200`, `0.85`) in 1/10000 units; 0, or
 * -1 after an error at v. */
struct MopsValue;
int check_mops_amount(Ctx *c, const struct MopsValue *v, int64_t *out);
/* The campaign's `cost` items and `budget` / `over_budget` headers. */
struct MopsCampaign;
void check_mops_costs(Ctx *c, Decl *campaign, struct MopsCampaign *mc);
/* check_mops_stock.c: a top-level `stock` declaration, and a campaign's
 * `consume` items (against the stock items of model). */
struct MopsStock;
struct MopsModel;
struct MopsStock *check_mops_stock(Ctx *c, Decl *d);
/* check_mops_segment.c: `segment NAME on SCHEMA { add where RULE ... }`. */
struct MopsSegment *check_mops_segment(Ctx *c, Decl *d);
void check_mops_consumes(Ctx *c, Decl *campaign, struct MopsCampaign *mc, const struct MopsModel *m);
/* check_mops_offer.c: a campaign's `offer` items and `success` header;
 * a top-level `interaction` template. */
struct MopsInteraction;
struct MopsInteraction *check_mops_interaction(Ctx *c, Decl *d);
void check_mops_offers(Ctx *c, Decl *campaign, struct MopsCampaign *mc);
/* check_distrib.c */
/* Checks `entity` and `package` declarations into p->distrib (never NULL
 * afterwards); before campaigns, whose local approval steps name entities. */
void check_distrib_model(Ctx *c);

/* check_provider.c */
/* Collects and checks every `provider` declaration into p->providers. */
void check_providers(Ctx *c);
/* Resolves the provider of each channel step of a checked campaign
 * (s->provider_decl): the one named by `via`, or the only one that can
 * send the channel; reports unknown and mismatched providers. */
void check_channel_providers(Ctx *c, Decl *campaign);

#endif
