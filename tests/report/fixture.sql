-- fixture.sql — camp's tables exactly as store_migrate (runtime/db/store.c,
-- store version 1) creates them, filled with two runs of tests/report/
-- promo.camp: run 1 done, run 2 waiting on `later`, plus a run of another
-- campaign.  Outbox bodies hold commas, quotes and newlines for CSV tests.
CREATE TABLE camp_meta(key TEXT PRIMARY KEY, value TEXT);
INSERT INTO camp_meta VALUES ('schema_version', '1');
CREATE TABLE camp_runs(id INTEGER PRIMARY KEY, campaign TEXT NOT NULL, source_file TEXT, source_hash TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT, updated_at TEXT, finished_at TEXT, seed INTEGER, warnings INTEGER NOT NULL DEFAULT 0);
CREATE TABLE camp_steps(run_id INTEGER NOT NULL, step TEXT NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT, finished_at TEXT, due_at TEXT, message TEXT, PRIMARY KEY(run_id, step));
CREATE TABLE camp_counts(run_id INTEGER NOT NULL, step TEXT NOT NULL, output TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(run_id, output));
CREATE TABLE camp_outbox(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, step TEXT NOT NULL, recipient_key NOT NULL, channel TEXT NOT NULL, address TEXT, subject TEXT, body TEXT, status TEXT NOT NULL DEFAULT 'queued', queued_at TEXT, sent_at TEXT, UNIQUE(run_id, step, recipient_key));
CREATE TABLE camp_feedback(id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL REFERENCES camp_outbox(id), event TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX camp_feedback_outbox ON camp_feedback(outbox_id, event);
CREATE TABLE camp_audience(name TEXT NOT NULL, dimension TEXT NOT NULL, key NOT NULL, run_id INTEGER, saved_at TEXT, PRIMARY KEY(name, key));
CREATE TABLE camp_warnings(run_id INTEGER NOT NULL, step TEXT NOT NULL, message TEXT NOT NULL, count INTEGER NOT NULL);

INSERT INTO camp_runs VALUES
  (1, 'promo', 'tests/report/promo.camp', 'h1', 'done', '2026-04-01 09:00:00', '2026-04-03 09:00:05', '2026-04-03 09:00:05', 7, 0),
  (2, 'promo', 'tests/report/promo.camp', 'h1', 'waiting', '2026-04-10 09:00:00', '2026-04-10 09:00:04', NULL, 7, 2),
  (3, 'other', 'other.camp', 'h2', 'failed', '2026-04-11 08:00:00', '2026-04-11 08:00:01', NULL, NULL, 0);

-- run 2: everything before the wait done, the wait due, its sms pending.
INSERT INTO camp_steps VALUES
  (2, 'nordic', 0, 'select', 'done', '2026-04-10 09:00:00', '2026-04-10 09:00:01', NULL, NULL),
  (2, 'loyal', 1, 'select', 'done', '2026-04-10 09:00:01', '2026-04-10 09:00:01', NULL, NULL),
  (2, 'pool', 2, 'union', 'done', '2026-04-10 09:00:01', '2026-04-10 09:00:01', NULL, NULL),
  (2, 'both', 3, 'intersect', 'done', '2026-04-10 09:00:01', '2026-04-10 09:00:02', NULL, NULL),
  (2, 'rest', 4, 'except', 'done', '2026-04-10 09:00:02', '2026-04-10 09:00:02', NULL, NULL),
  (2, 'uniq', 5, 'dedup', 'done', '2026-04-10 09:00:02', '2026-04-10 09:00:02', NULL, NULL),
  (2, 'top', 6, 'split', 'done', '2026-04-10 09:00:02', '2026-04-10 09:00:03', NULL, NULL),
  (2, 'later', 7, 'wait', 'waiting', '2026-04-10 09:00:03', NULL, '2026-04-12 09:00:03', NULL),
  (2, 'top_mail', 8, 'email', 'done', '2026-04-10 09:00:03', '2026-04-10 09:00:03', NULL, NULL),
  (2, '_sms_later', 9, 'sms', 'pending', NULL, NULL, NULL, NULL),
  (2, '_push_low', 10, 'push', 'done', '2026-04-10 09:00:03', '2026-04-10 09:00:04', NULL, NULL),
  (2, '_mail_both', 11, 'mail', 'failed', '2026-04-10 09:00:04', '2026-04-10 09:00:04', NULL, 'cannot write `out/both.csv`: No such file or directory'),
  (2, '_save_top', 12, 'save', 'done', '2026-04-10 09:00:04', '2026-04-10 09:00:04', NULL, NULL),
  (2, 'found', 13, 'reconcile', 'skipped', NULL, NULL, NULL, 'file data/returns.csv not present');
INSERT INTO camp_steps
  SELECT 1, step, idx, kind, 'done', started_at, finished_at, NULL, NULL FROM camp_steps WHERE run_id = 2;
INSERT INTO camp_steps VALUES
  (3, 'start', 0, 'select', 'failed', '2026-04-11 08:00:00', '2026-04-11 08:00:01', NULL, 'no such table: people');

INSERT INTO camp_counts VALUES
  (2, 'nordic', 'nordic', 40), (2, 'loyal', 'loyal', 30), (2, 'pool', 'pool', 60),
  (2, 'both', 'both', 10), (2, 'both', 'nordic_only', 30),
  (2, 'rest', 'rest', 50), (2, 'rest', 'dropped', 10),
  (2, 'uniq', 'uniq', 48), (2, 'uniq', 'dupes', 2),
  (2, 'top', 'top', 5), (2, 'top', 'mid', 11), (2, 'top', 'low', 32),
  (2, 'later', 'later', 11), (2, 'top_mail', 'top_mail', 3), (2, '_push_low', '_push_low', 32),
  (2, '_save_top', '_save_top', 5);
INSERT INTO camp_counts SELECT 1, step, output, count + 1 FROM camp_counts WHERE run_id = 2;

INSERT INTO camp_outbox VALUES
  (1, 2, 'top_mail', 101, 'email', 'ann@example.com', 'Hi "Ann"', 'Hello Ann, welcome', 'sent', '2026-04-10 09:00:03', '2026-04-10 09:05:00'),
  (2, 2, 'top_mail', 102, 'email', 'bo@example.com', 'Hi "Bo"', 'Line one
line two, with "quotes"', 'queued', '2026-04-10 09:00:03', NULL),
  (3, 2, 'top_mail', 103, 'email', 'cy@example.com', 'Hi "Cy"', 'Hello Cy', 'bounced', '2026-04-10 09:00:03', '2026-04-10 09:05:00'),
  (4, 2, '_push_low', 201, 'push', 'tok-201', NULL, 'Low', 'queued', '2026-04-10 09:00:04', NULL),
  (5, 2, '_push_low', 202, 'push', 'tok-202', NULL, 'A very long push body that goes on and on well past the width the text table allows for a body column', 'queued', '2026-04-10 09:00:04', NULL),
  (6, 1, 'top_mail', 101, 'email', 'ann@example.com', 'Hi "Ann"', 'Hello Ann', 'sent', '2026-04-01 09:00:03', '2026-04-01 09:05:00');

INSERT INTO camp_warnings VALUES
  (2, 'uniq', 'rows without an email were dropped', 2),
  (2, 'top', 'subset `mid` hit its limit', 1);
