-- press_send_history.sql — sent by other campaigns AFTER promo and vip were
-- run (2026-03-10 09:00) and before camp send (2026-03-10 12:00; the 7-day
-- window starts 2026-03-03 12:00:00, exclusive).  Expected answers: run.sh.
INSERT INTO camp_runs(id, campaign, source_hash, state) VALUES
  (201, 'flash', 'h', 'done'), (202, 'texts', 'h', 'done'), (203, 'txn', 'h', 'done');
INSERT INTO camp_policy_steps(run_id, step, channel, dimension, key_column, address_column, transactional, weight, campaign) VALUES
  (201, 'f1', 'email', 'customers', 'id', 'email', 0, 1, 'flash'),
  (201, 'f2', 'email', 'customers', 'id', 'email', 0, 1, 'flash'),
  (202, 's2', 'sms', 'customers', 'id', 'phone', 0, 1, 'texts'),
  (202, 's1', 'sms', 'customers', 'id', 'phone', 0, 1, 'texts'),
  (203, 't1', 'email', 'customers', 'id', 'email', 1, 5, 'txn');
INSERT INTO camp_outbox(run_id, step, recipient_key, channel, address, status, queued_at, sent_at) VALUES
  (201, 'f1', 1, 'email', 'a@x.se', 'sent', '2026-03-09 10:00:00', '2026-03-09 10:00:00'),
  (201, 'f2', 1, 'email', 'a@x.se', 'sent', '2026-03-10 10:00:00', '2026-03-10 10:00:00'),
  (201, 'f1', 2, 'email', 'b@x.se', 'sent', '2026-03-03 12:00:00', '2026-03-03 12:00:00'),  -- on the window's edge: out
  (201, 'f2', 2, 'email', 'b@x.se', 'sent', '2026-03-10 11:00:00', '2026-03-10 11:00:00'),
  (201, 'f1', 3, 'email', 'c@x.se', 'sent', '2026-03-09 10:00:00', '2026-03-09 10:00:00'),
  (202, 's1', 3, 'sms', '+46703333333', 'sent', '2026-03-08 10:00:00', '2026-03-08 10:00:00'),
  (202, 's2', 3, 'sms', '+46703333333', 'sent', '2026-03-09 10:00:00', '2026-03-09 10:00:00'),
  (201, 'f1', 4, 'email', 'd@x.se', 'sent', '2026-03-10 10:30:00', '2026-03-10 10:30:00'),
  (203, 't1', 2, 'email', 'b@x.se', 'sent', '2026-03-10 10:00:00', '2026-03-10 10:00:00'),  -- transactional: never counts
  (203, 't1', 4, 'email', 'd@x.se', 'sent', '2026-03-09 10:00:00', '2026-03-09 10:00:00');
