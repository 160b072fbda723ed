/* store.h — camp's own tables in the user's database (all named camp_*),
 * created and migrated automatically, and the small API the executor and
 * the reporting commands use on them.
 *
 * Schema (version STORE_VERSION, recorded in camp_meta):
 *   camp_meta(key TEXT PRIMARY KEY, value TEXT)
 *   camp_runs(id INTEGER PRIMARY KEY, campaign TEXT, source_file TEXT,
 *             source_hash TEXT, state TEXT, started_at TEXT, updated_at TEXT,
 *             finished_at TEXT, seed INTEGER, warnings INTEGER, clock TEXT)
 *       state: running | waiting | done | failed | stopped (camp stop);
 *       clock: fixed (started with --now: updated_at is the run's clock) | wall
 *   camp_steps(run_id, step, idx, kind, state, started_at, finished_at,
 *              due_at, message, PRIMARY KEY(run_id, step))
 *       step is the step's label; state: pending | waiting | done | skipped
 *       | failed; due_at is set for waits; a wait's finished_at is its
 *       due time (when it was over, even if a later resume noticed).
 *   camp_counts(run_id, step, output, count, PRIMARY KEY(run_id, output))
 *   camp_outbox(id INTEGER PRIMARY KEY, run_id, step, recipient_key,
 *               channel, address, subject, body, status, queued_at, sent_at,
 *               UNIQUE(run_id, step, recipient_key))
 *       one row per message; for direct mail, body is the extract row (CSV)
 *       version 2 adds the send worker's columns (runtime/delivery/send.h):
 *         attempts, next_attempt_at, lease_owner, lease_expires (unix s),
 *         last_error, message_id, provider_message_id, updated_at
 *       status: queued | sending | sent | deferred | failed | bounced
 *   camp_feedback(id INTEGER PRIMARY KEY, outbox_id, event, at)
 *       event: sent | delivered | bounced | opened | clicked | unsubscribed
 *       | failed | deferred (written by delivery, or inserted by tests)
 *       version 2 adds detail (the provider's answer) and source
 *       (smtp | http | file | ...)
 *   camp_delivery(run_id, step, channel, provider, config, columns,
 *                 key_type, PRIMARY KEY(run_id, step))    (version 2)
 *       per channel step of a run: its provider's name and declaration as
 *       JSON (env var NAMES only, never values), mail extract columns,
 *       and (version 6) whether its recipient keys are 'int' or 'text'
 *       in the campaign's schema (PostgreSQL's recipient_key is text)
 *       status 'suppressed' = the address opted out (store_track.h);
 *       columns link and detail of camp_feedback: see store_track.h
 *   camp_audience(name, dimension, key, run_id, saved_at,
 *                 PRIMARY KEY(name, key))
 *   camp_warnings(run_id, step, message, count)
 * Operations (runtime/ops, docs/operations.md):
 *   camp_campaigns(name PRIMARY KEY, state, version, source_file,
 *                  started_at, active_since, created_at, updated_at)
 *       started_at: first start (anchors `every` and `count`);
 *       active_since: the last start (launches due before it are not made)
 *       state: draft | test | scheduled | live | paused | closed
 *       | completed | stopped | archived
 *   camp_versions(campaign, version, source_hash, source_file, source,
 *                 deployed_at, deployed_by, planned_at)
 *   camp_version_counts(campaign, version, idx, step, output, count)
 *       the plan recorded when that version was deployed
 *   camp_audit(id, at, who, campaign, run_id, step, action, from_state,
 *              to_state, reason)
 *   camp_launches(campaign, launch_at, state, run_id, launch_key, reason,
 *                 at, PRIMARY KEY(campaign, launch_at))
 *       state: started | skipped | missed; unique per scheduled time, so
 *       two ticks never start the same launch
 *   camp_runs.launch_key: launches with the same key message a recipient
 *       at most once (the campaign's remessage policy)
 *   camp_approvals(run_id, step, state, messages, requested_at,
 *                  deadline_at, deadline_action, remind_every,
 *                  next_reminder_at, reminders, approvers, decided_at,
 *                  decided_by, reason, contacts, notify_config)
 *       approvers: the names ("lena, omar, group g"); contacts: a JSON
 *       object name -> e-mail address; notify_config: the provider that
 *       notifies them (provider_config_json), NULL when none
 *       state: pending | approved | rejected | expired | stopped
 *   camp_notifications(id, run_id, step, kind, recipient, subject, body,
 *                      status, created_at, address, sent_at, detail):
 *       approval requests, reminders and deadline notices; status pending
 *       (waiting for a tick to send it, or kept when there is no address
 *       or provider), sent or failed (detail: the provider's answer)
 *   camp_outbox.status adds `held` (parked until approved; a sender must
 *       never claim it) and `cancelled` (rejected, expired or stopped).
 * Step results are tables camp_r<RUN>_<output> holding `_key` and the
 * population's added columns (see compiler/sql/sqlgen.h). */
#ifndef CAMP_STORE_H
#define CAMP_STORE_H

#include <stdint.h>

#include "runtime/db/db.h"

#define STORE_VERSION 6

/* Creates or migrates camp's tables.  0 on success; on failure writes a
 * message to err and changes nothing. */
int store_migrate(Db *db, char *err, size_t errlen);
/* 1 if camp's tables exist (a database camp has run on). */
int store_present(Db *db);
/* The table holding output `name` of run `run_id` ("camp_r12_vip"). */
void store_result_table(int64_t run_id, const char *name, char *out, size_t outlen);
/* store_pg.c: the PostgreSQL form of migration i (0 -> 1 is i = 0), or
 * NULL when there is none. */
const char *store_pg_migration(int i);
/* Temporary stand-ins for camp_outbox, camp_feedback and camp_audience, for
 * plans on a database camp has not run on (the generated SQL reads them). */
const char *store_temp_tables(Db *db);
/* ---- retention (runtime/db/store_gc.c) ---- */

/* Finished runs whose result tables `camp gc` keeps per campaign by default. */
#define STORE_GC_KEEP 3

/* What camp's tables take in the database. */
typedef struct StoreSpace {
  int tables;        /* camp_* tables */
  int result_tables; /* of which camp_r<RUN>_* */
  int runs;          /* distinct runs those belong to */
  int64_t bytes;     /* camp_* tables and their indexes; -1 if unknown */
  int64_t db_bytes;  /* the whole database; -1 if unknown */
} StoreSpace;

/* Measures camp's tables.  0, or -1 on a database error. */
int store_space(Db *db, StoreSpace *s);

/* A run whose result tables gc drops (or would drop). */
typedef struct StoreGcRun {
  int64_t id;
  char campaign[256];
  int ntables;
  int64_t bytes;     /* before dropping; -1 if unknown */
} StoreGcRun;

/* Drops the result tables (camp_r<RUN>_*) of every finished (`done`) run
 * beyond the newest `keep` finished runs of its campaign; runs that are
 * running, waiting or failed are never touched, nor are run rows, counts,
 * the outbox or saved audiences.  Each run's tables go in one transaction.
 * With dry_run nothing is dropped.  *out (malloc'd, *nout long) lists the
 * runs.  0 on success; -1 with a message in err. */
int store_gc(Db *db, int keep, int dry_run, StoreGcRun **out, int *nout, char *err,
             size_t errlen);

/* Current UTC time as 'YYYY-MM-DD HH:MM:SS' (or the fixed clock). */
void store_now(char out[20]);

#endif
