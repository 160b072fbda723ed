-- press_history.sql — the message history of tests/policy section 7, built
-- by hand (the expected answers in run.sh are worked out from it).
-- "now" is 2026-03-10 12:00, so the 7-day window starts 2026-03-03 12:00.
INSERT INTO customers VALUES (1, 'ann', 'a@x.se', '+46701111111'), (2, 'bo', 'b@x.se', '+46702222222'),
  (3, 'cy', 'c@x.se', '+46703333333'), (4, 'di', 'd@x.se', '+46704444444');
INSERT INTO camp_runs(id, campaign, source_hash, state) VALUES
  (101, 'old', 'h', 'done'), (102, 'old2', 'h', 'done'), (103, 'big', 'h', 'done'),
  (104, 'small', 'h', 'done'), (105, 'sms1', 'h', 'done'), (106, 'txn', 'h', 'done');
INSERT INTO camp_policy_steps(run_id, step, channel, dimension, key_column, address_column, transactional, weight, campaign) VALUES
  (101, 'e1', 'email', 'customers', 'id', 'email', 0, 5, 'old'),
  (102, 'e2', 'email', 'customers', 'id', 'email', 0, 5, 'old2'),
  (103, 'e3', 'email', 'customers', 'id', 'email', 0, 9, 'big'),
  (104, 'e4', 'email', 'customers', 'id', 'email', 0, 1, 'small'),
  (105, 's1', 'sms', 'customers', 'id', 'phone', 0, 5, 'sms1'),
  (106, 't1', 'email', 'customers', 'id', 'email', 1, 5, 'txn');
INSERT INTO camp_outbox(run_id, step, recipient_key, channel, address, status, queued_at, sent_at) VALUES
  (101, 'e1', 1, 'email', 'a@x.se', 'sent',   '2026-03-09 08:00:00', '2026-03-09 08:00:00'),  -- in the window
  (101, 'e1', 2, 'email', 'b@x.se', 'sent',   '2026-03-01 08:00:00', '2026-03-01 08:00:00'),  -- before it
  (102, 'e2', 1, 'email', 'a@x.se', 'sent',   '2026-03-05 08:00:00', '2026-03-05 08:00:00'),
  (102, 'e2', 3, 'email', 'c@x.se', 'sent',   '2026-03-04 10:00:00', '2026-03-04 10:00:00'),
  (103, 'e3', 1, 'email', 'a@x.se', 'queued', '2026-03-10 09:00:00', NULL),                   -- planned, weight 9
  (103, 'e3', 3, 'email', 'c@x.se', 'queued', '2026-03-10 09:00:00', NULL),
  (104, 'e4', 1, 'email', 'a@x.se', 'queued', '2026-03-10 09:00:00', NULL),                   -- planned, weight 1
  (104, 'e4', 2, 'email', 'b@x.se', 'queued', '2026-03-10 09:00:00', NULL),
  (104, 'e4', 3, 'email', 'c@x.se', 'queued', '2026-03-10 09:00:00', NULL),
  (104, 'e4', 4, 'email', 'd@x.se', 'queued', '2026-03-10 09:00:00', NULL),
  (105, 's1', 4, 'sms', '+46704444444', 'sent', '2026-03-08 08:00:00', '2026-03-08 08:00:00'),
  (105, 's1', 3, 'sms', '+46703333333', 'sent', '2026-03-09 08:00:00', '2026-03-09 08:00:00'),
  (106, 't1', 1, 'email', 'a@x.se', 'sent',   '2026-03-09 09:00:00', '2026-03-09 09:00:00'),  -- transactional: not counted
  (106, 't1', 4, 'email', 'd@x.se', 'sent',   '2026-03-09 09:00:00', '2026-03-09 09:00:00');
