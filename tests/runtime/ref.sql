-- ref.sql — the expected populations of full.camp as plain SQL views over
-- fixture.sql, written independently of camp's SQL generator.  run.sh
-- loads this into a scratch copy of the fixture (plus data/ret.csv as
-- table `ret`) and compares camp's counts with these.
CREATE VIEW nordic AS SELECT * FROM customers WHERE country IN ('SE', 'DK', 'NO');
CREATE VIEW rich AS SELECT * FROM customers WHERE loyalty >= 1000;
CREATE VIEW u AS SELECT * FROM nordic UNION SELECT * FROM rich;
CREATE VIEW both_ AS SELECT * FROM nordic INTERSECT SELECT * FROM rich;
CREATE VIEW either_only AS SELECT * FROM u EXCEPT SELECT * FROM both_;
CREATE VIEW poor AS SELECT * FROM nordic EXCEPT SELECT * FROM rich;
CREATE VIEW removed AS SELECT * FROM nordic INTERSECT SELECT * FROM rich;
-- keep 1 per lower(email), highest loyalty (no ties in the fixture); NULL emails are never duplicates
CREATE VIEW uniq AS SELECT * FROM u c WHERE c.email IS NULL OR NOT EXISTS (
  SELECT 1 FROM u d WHERE lower(d.email) = lower(c.email) AND coalesce(d.loyalty, -1) > coalesce(c.loyalty, -1));
CREATE VIEW dupes AS SELECT * FROM u EXCEPT SELECT * FROM uniq;
CREATE VIEW en AS SELECT c.*, (SELECT sum(amount) FROM purchases p WHERE p.customer_id = c.id) AS spent,
  s.city AS city FROM uniq c LEFT JOIN stores s ON s.id = c.store_id;
CREATE VIEW vip AS SELECT * FROM en WHERE loyalty >= 1500 ORDER BY loyalty DESC LIMIT 2;
CREATE VIEW rest AS SELECT * FROM en WHERE id NOT IN (SELECT id FROM vip);
CREATE VIEW vip_stores AS SELECT * FROM stores WHERE id IN (SELECT store_id FROM vip);
CREATE VIEW matched AS SELECT c.* FROM customers c WHERE c.email IN (SELECT email FROM ret);
CREATE VIEW unmatched AS SELECT * FROM ret WHERE email NOT IN (SELECT email FROM customers WHERE email IS NOT NULL);
-- "output count" in the order of full.camp's steps (plan --format json order)
CREATE VIEW expected_counts AS
  SELECT 'nordic', (SELECT count(*) FROM nordic) UNION ALL
  SELECT 'rich', (SELECT count(*) FROM rich) UNION ALL
  SELECT 'u', (SELECT count(*) FROM u) UNION ALL
  SELECT 'both', (SELECT count(*) FROM both_) UNION ALL
  SELECT 'either_only', (SELECT count(*) FROM either_only) UNION ALL
  SELECT 'poor', (SELECT count(*) FROM poor) UNION ALL
  SELECT 'removed', (SELECT count(*) FROM removed) UNION ALL
  SELECT 'uniq', (SELECT count(*) FROM uniq) UNION ALL
  SELECT 'dupes', (SELECT count(*) FROM dupes) UNION ALL
  SELECT 'en', (SELECT count(*) FROM en) UNION ALL
  SELECT 'vip', (SELECT count(*) FROM vip) UNION ALL
  SELECT 'rest', (SELECT count(*) FROM rest) UNION ALL
  SELECT 'vip_stores', (SELECT count(*) FROM vip_stores) UNION ALL
  SELECT 'a', (SELECT count(*) FROM rest) UNION ALL
  SELECT 'b', (SELECT count(*) FROM rest) UNION ALL
  SELECT 'later', (SELECT count(*) FROM rest) UNION ALL
  SELECT 'until_b', (SELECT count(*) FROM rest) UNION ALL
  SELECT 'm1', (SELECT count(*) FROM vip WHERE email IS NOT NULL) UNION ALL
  SELECT 's1', (SELECT count(*) FROM rest WHERE phone IS NOT NULL) UNION ALL
  SELECT 'p1', (SELECT count(*) FROM rest WHERE push_token IS NOT NULL) UNION ALL
  SELECT 'm2', (SELECT count(*) FROM rest WHERE email IS NOT NULL) UNION ALL
  SELECT 'pv', (SELECT count(*) FROM vip WHERE push_token IS NOT NULL) UNION ALL
  SELECT 'j', (SELECT count(*) FROM vip WHERE email IS NOT NULL) UNION ALL
  SELECT '_mail_vip_stores', (SELECT count(*) FROM vip_stores) UNION ALL
  SELECT '_mail_vip', (SELECT count(*) FROM vip) UNION ALL
  SELECT '_mail_rest', (SELECT count(*) FROM rest) UNION ALL
  SELECT '_save_vip', (SELECT count(*) FROM vip) UNION ALL
  -- retarget at the run's own clock: nobody has opened anything yet
  SELECT 'r', (SELECT count(*) FROM vip WHERE email IS NOT NULL) UNION ALL
  SELECT 'matched', (SELECT count(*) FROM matched) UNION ALL
  SELECT 'unmatched', (SELECT count(*) FROM unmatched) UNION ALL
  SELECT '_sms_j', (SELECT count(*) FROM vip WHERE email IS NOT NULL AND phone IS NOT NULL) UNION ALL
  SELECT '_sms_r', (SELECT count(*) FROM vip WHERE email IS NOT NULL AND phone IS NOT NULL) UNION ALL
  SELECT '_sms_matched', (SELECT count(*) FROM matched WHERE phone IS NOT NULL) UNION ALL
  SELECT '_mail_unmatched', (SELECT count(*) FROM unmatched);
