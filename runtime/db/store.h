/* store.h — camp's own tables in the user's database (all named camp_*),
 * created and migrated automatically, and the small API the executor and
 * the reporting commands use on them.
 *
 * Schema (version STORE_VERSION, recorded in camp_meta):
 *   camp_meta(key TEXT PRIMARY KEY, value TEXT)
 *   camp_runs(id INTEGER PRIMARY KEY, campaign TEXT, source_file TEXT,
 *             source_hash TEXT, state TEXT, started_at TEXT, updated_at TEXT,
 *             finished_at TEXT, seed INTEGER, warnings INTEGER)
 *       state: running | waiting | done | failed
 *   camp_steps(run_id, step, idx, kind, state, started_at, finished_at,
 *              due_at, message, PRIMARY KEY(run_id, step))
 *       step is the step's label; state: pending | waiting | done | skipped
 *       | failed; due_at is set for waits.
 *   camp_counts(run_id, step, output, count, PRIMARY KEY(run_id, output))
 *   camp_outbox(id INTEGER PRIMARY KEY, run_id, step, recipient_key,
 *               channel, address, subject, body, status, queued_at, sent_at,
 *               UNIQUE(run_id, step, recipient_key))
 *       one row per message; for direct mail, body is the extract row (CSV);
 *       status 'suppressed' = the address opted out (store_track.h)
 *   camp_feedback(id INTEGER PRIMARY KEY, outbox_id, event, at)
 *       event: sent | delivered | bounced | opened | clicked | unsubscribed
 *       | complained | failed (camp track, camp feedback import, delivery,
 *       or tests); columns link and detail: see store_track.h
 *   camp_audience(name, dimension, key, run_id, saved_at,
 *                 PRIMARY KEY(name, key))
 *   camp_warnings(run_id, step, message, count)
 * Step results are tables camp_r<RUN>_<output> holding `_key` and the
 * population's added columns (see compiler/sql/sqlgen.h). */
#ifndef CAMP_STORE_H
#define CAMP_STORE_H

#include <stdint.h>

#include "runtime/db/db.h"

#define STORE_VERSION 1

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
/* Current UTC time as 'YYYY-MM-DD HH:MM:SS' (or the fixed clock). */
void store_now(char out[20]);

#endif
