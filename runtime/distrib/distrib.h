/* distrib.h — distributed marketing at run time (docs/distributed.md):
 * operators and their passwords, orders of campaign packages, local
 * approval decisions, reminders from `camp tick`, and the web page of
 * `camp serve` (serve.c).  Every function that acts for an operator checks
 * what that operator may do: an operator acts for their own entity only,
 * and a refusal changes nothing. */
#ifndef CAMP_DISTRIB_RT_H
#define CAMP_DISTRIB_RT_H

#include <stdint.h>
#include <stdio.h>

#include "runtime/db/db.h"

/* Results: refused (forbidden: another entity's data, wrong role, closed),
 * invalid (bad input), or an internal error. */
#define DISTRIB_OK 0
#define DISTRIB_FORBIDDEN -1
#define DISTRIB_INVALID -2
#define DISTRIB_ERROR -3

typedef struct DistOp {
  char login[72];
  char entity[128];
  char role[16];           /* administrator | approver | manager | viewer */
  int central;             /* the operator's entity is the central one */
} DistOp;

/* Loads operator login.  0, or -1 when there is none. */
int distrib_op_load(Db *db, const char *login, DistOp *op);

/* Sets login's password: stored only as crypto_pwhash_str (argon2id,
 * interactive limits).  pw must be 8..1024 bytes.  DISTRIB_OK or an error
 * with err. */
int distrib_set_password(Db *db, const char *login, const char *pw, char *err, size_t errlen);
/* 1 when pw is login's password (crypto_pwhash_str_verify), else 0. */
int distrib_check_password(Db *db, const char *login, const char *pw);

/* Orders package pkg for op's entity (manual: `ordered`, waits for the
 * central entity; automatic: `registered`), with form values params_json
 * (a JSON object checked against the package's form; NULL = defaults).
 * unsubscribe=1 unsubscribes instead.  Refused outside the visibility
 * dates, after the registration deadline, for a package not offered to the
 * entity and for viewers.  DISTRIB_* with err. */
int distrib_order(Db *db, const DistOp *op, const char *pkg, const char *params_json,
                  int unsubscribe, const char *now, char *err, size_t errlen);
/* The central entity approves (approve=1) or rejects an order in state
 * `ordered`: only operators of the central entity who are administrators
 * or approvers. */
int distrib_decide_order(Db *db, const DistOp *op, const char *pkg, const char *entity,
                         int approve, const char *now, char *err, size_t errlen);

/* Decides contacts of a local approval for `assignee`: op's own entity
 * (assignee NULL or op's entity: managers, approvers and administrators of
 * a local entity) or an operator group op is a member of.  keys (n of
 * them; n = -1: every pending contact of the assignee in that run and
 * step) become approved (approve=1) or removed.  Every key must be a
 * contact of the assignee in an open request before its deadline, else
 * nothing changes and DISTRIB_FORBIDDEN.  *changed gets the rows changed. */
int distrib_decide_contacts(Db *db, const DistOp *op, const char *assignee, int64_t run, const char *step,
                            const char *const *keys, int n, int approve, const char *now,
                            int64_t *changed, char *err, size_t errlen);

/* 1 when op may decide the contacts handed to `assignee`: op's own local
 * entity (not a viewer) or a group op is a member of. */
int distrib_may_decide(Db *db, const DistOp *op, const char *assignee);

/* `camp tick`: reminders of open local approvals that are due (one
 * notification per operator of the entity, then the next one `remind`
 * later, never after the deadline).  Prints a line when it did something.
 * Returns the number of reminders, or -1. */
int distrib_tick(Db *db, const char *now, FILE *out);

/* By campaign: op's entity edits the parameters of its child campaign of
 * package pkg in run `run` (params_json: a JSON object checked against
 * the package's declared form — nothing else can be changed), before the
 * deadline of its local approval.  Another entity's child, a viewer, the
 * centre, a closed approval: DISTRIB_FORBIDDEN, nothing changes. */
int distrib_edit_child(Db *db, const DistOp *op, int64_t run, const char *pkg, const char *params_json,
                       const char *now, char *err, size_t errlen);

/* ---- children.c: child campaigns (variant campaign) ---- */
typedef struct DistChild {
  int64_t run;
  char step[128], package[128], entity[128], campaign[300], params[1024], state[16];
  int64_t contacts, approved, removed, messages, sent;
} DistChild;
/* The child campaigns (run 0: all runs; entity NULL: all entities), with
 * their counts: contacts handed to them, approved (also by default),
 * removed, messages queued for them in the run, sent; state is the run's
 * (children run in step with their parent).  *out malloc'd; count or -1. */
int distrib_children(Db *db, int64_t run, const char *entity, DistChild **out);
/* `camp packages children [--run R] [--entity E]`. */
int distrib_print_children(Db *db, int64_t run, const char *entity, FILE *out);

/* ---- costs.c: cost sharing ---- */
typedef struct DistCost {
  char entity[128];
  int64_t sent;            /* messages sent to the entity's contacts */
  double fixed;            /* its part of the package's cost */
  double messages;         /* cost_per_message x sent */
  double total;
} DistCost;
typedef struct DistCosts {
  char campaign[128], share[16];
  double cost, central_pct, per_message;
  int64_t sent;            /* all entities */
  double central;          /* the centre's part: central_pays % of the cost (all of it without participants) */
  double total;            /* central + every entity's total */
  DistCost *rows;          /* participating entities, by name */
  int n;
} DistCosts;
/* Each participating entity's share of package pkg (see costs.c for the
 * rule): participants are the entities whose order stands (by target
 * approval: those handed contacts) and any entity whose contacts were
 * sent to.  DISTRIB_OK (free with distrib_costs_free) or an error. */
int distrib_costs(Db *db, const char *pkg, DistCosts *out, char *err, size_t errlen);
void distrib_costs_free(DistCosts *c);
/* `camp packages costs PKG [--entity E]`: the table of shares. */
int distrib_print_costs(Db *db, const char *pkg, const char *entity, FILE *out, char *err, size_t errlen);

/* Prints packages, offers and orders (entity = NULL: all). */
int distrib_print_packages(Db *db, const char *entity, FILE *out);

/* ---- serve_limit.c: the login rate limit of `camp serve` ---- */
/* 1 when login (or the client address ip) has `limit` failed logins in
 * the `window` seconds before now; until gets when the oldest of those
 * leaves the window.  limit <= 0: never. */
int distrib_login_blocked(Db *db, const char *login, const char *ip, const char *now, int limit,
                          int64_t window, char until[20]);
/* Records a failed login of login from ip at now (and forgets failures
 * older than the window).  0 or -1. */
int distrib_login_failed(Db *db, const char *login, const char *ip, const char *now, int64_t window);
/* A successful login forgets the account's failures (not the address's). */
int distrib_login_succeeded(Db *db, const char *login);

/* ---- serve.c: `camp serve` ---- */
typedef struct DistServeOptions {
  const char *db;          /* database path or URL */
  const char *listen;      /* HOST:PORT, loopback */
  const char *now;         /* fixed clock for tests ("" = real time) */
  int login_limit;         /* failed logins per account or address ... */
  int64_t login_window;    /* ... within this many seconds, then 429 */
} DistServeOptions;
/* Serves the local page until SIGINT/SIGTERM.  Returns the exit status. */
int distrib_serve(const DistServeOptions *o);

#endif
