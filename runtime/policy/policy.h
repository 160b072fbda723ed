/* policy.h — the contact policy the runtime enforces whatever a campaign
 * says (docs/policy.md): a channel step reaches only recipients with a
 * valid address (e-mail syntax, E.164 for SMS), with consent for the
 * channel where the schema declares it (`consent email on customers =
 * RULE`), and not on the suppression list (camp_suppression).  Applied in
 * SQL to the step's rows after its audience is computed, by every engine
 * alike, and again by `camp send` before messages leave. */
#ifndef CAMP_POLICY_H
#define CAMP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"

typedef enum { POL_INVALID_ADDRESS, POL_NO_CONSENT, POL_SUPPRESSED, POL_PRESSURE, POL_HOLDOUT, POL_NREASONS } PolicyReason;

/* "invalid_address", "no_consent", "suppressed", "pressure", "holdout". */
const char *policy_reason_name(PolicyReason r);
/* The words plan prints: "invalid address", "without consent", "suppressed",
 * "over pressure", "held out (control group)". */
const char *policy_reason_text(PolicyReason r);

/* 1 when addr is a deliverable address for the channel ("email", "sms",
 * "push"; anything else is always valid): e-mail local@domain (one @, no
 * blanks or control characters, local part 1-64 bytes, domain labels of
 * letters, digits, '-' or UTF-8, not starting or ending with '-'); SMS
 * E.164 (+, a digit 1-9, then 1-14 digits, nothing else); push a token
 * without blanks.  NULL or empty is invalid. */
int policy_address_valid(const char *channel, const char *addr);

/* What a channel step enforces. */
typedef struct PolicyStep {
  const char *channel;     /* "email", "sms", "push", "mail" */
  const char *dimension;   /* table of the step's dimension */
  const char *key_column;
  const char *address_column; /* NULL: the channel has no address (mail) */
  const char *consent_sql; /* condition over t0, or NULL (none declared) */
  int transactional;       /* campaign opted out of consent (and pressure) */
  int64_t weight;          /* the campaign's weight (pressure; default 5) */
  const char *campaign;
} PolicyStep;

/* Applies the policy to `table` (quoted, holding the step's rows in column
 * "_key"): rows with an invalid address or without consent are deleted from
 * it; rows whose address is suppressed stay (the run queues them as
 * 'suppressed', never sent) but are counted.  Adds the counts to
 * counts[reason].  With run_id > 0, records each row in camp_policy_removed
 * (stage 'render', at now).  0, or -1 with err. */
int policy_apply(Db *db, const PolicyStep *ps, const char *table, int64_t run_id, const char *step,
                 const char *now, int64_t counts[POL_NREASONS], char *err, size_t errlen);

/* Pressure (fatigue) rules, as Campaign Classic has them: a recipient of
 * step ps stays only while (messages on the rule's channel, or any channel,
 * sent to them within the rule's period before now) + (messages to them
 * not yet sent — queued, deferred, sending, held — of weight >= ps's
 * weight, and in a plan the earlier steps' recipients of the same plan)
 * stays below the rule's max.  Lower-weight planned messages do not count
 * against a higher-weight step.  Transactional steps are exempt and do
 * not count.  Every rule of camp_policy_rules that applies to ps's channel
 * is applied in turn to `table` (rows over it deleted); with plan = 1 the
 * TEMP table camp_policy_planned (this plan's earlier recipients) counts
 * too.  Adds to counts[POL_PRESSURE]; with run_id > 0 records the rows
 * (reason pressure, detail "email max 3 per 7d: 3 counted").  `why` gets
 * which messages counted against those taken out ("6 sent by news/_email_all,
 * 2 planned by spring/vip_mail"), "" if none.  0, or -1 with err. */
int policy_pressure(Db *db, const PolicyStep *ps, const char *table, int plan, int64_t run_id,
                    const char *step, const char *now, int64_t counts[POL_NREASONS], char *why,
                    size_t whylen, char *err, size_t errlen);
/* The control group (`holdout P%`): the rows of `table` whose seeded hash
 * of (campaign, key) falls below P% are taken out — the same recipients in
 * every run of the campaign — counted in counts[POL_HOLDOUT] and, with
 * run_id > 0, recorded (reason holdout) for `camp report`.  0 or -1. */
int policy_holdout(Db *db, const PolicyStep *ps, const char *table, double percent, int64_t run_id,
                   const char *step, const char *now, int64_t counts[POL_NREASONS], char *err, size_t errlen);
/* 1 when key of campaign is in a holdout of percent (the rule above). */
int policy_held_out(const char *campaign, DbValue key, double percent);

/* A plan's bookkeeping: after a channel step, its remaining rows become
 * planned messages (TEMP camp_policy_planned) for the later steps' pressure. */
int policy_plan_add(Db *db, const PolicyStep *ps, const char *table, const char *step, char *err,
                    size_t errlen);

/* Records what step of run enforces (camp_policy_steps), for camp send. */
int policy_record_step(Db *db, int64_t run_id, const char *step, const PolicyStep *ps, char *err,
                       size_t errlen);

/* camp send, before it claims anything: every queued or deferred message
 * (of run_id, 0 = all; of channel, NULL = all) whose step recorded a
 * policy and which the policy now refuses (address invalid, consent
 * withdrawn, address suppressed since) becomes 'suppressed' with the reason
 * in last_error, and is recorded in camp_policy_removed (stage 'send').
 * One transaction.  Returns the number of messages stopped, or -1 (err). */
int64_t policy_sweep(Db *db, int64_t run_id, const char *channel, const char *now, char *err,
                     size_t errlen);

/* Per step of a run, the recorded removals by reason (stage render and
 * send together): calls fn once per (step, reason, count), by step.
 * 0, or -1 when the tables are missing (an older database: nothing). */
typedef void (*PolicyCountFn)(void *ctx, const char *step, const char *reason, const char *stage,
                              int64_t count);
int policy_counts(Db *db, int64_t run_id, PolicyCountFn fn, void *ctx);

#endif
