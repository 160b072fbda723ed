-- fixture.sql — tables for tests/snapshot/run.sh.  stores and tags have an
-- int version column, customers a timestamp one, purchases none.
-- customers.email is mostly distinct (a "plain" text column in the
-- snapshot); country, tier and label repeat (sorted dictionaries).
CREATE TABLE stores(id INTEGER PRIMARY KEY, city TEXT, rev INTEGER);
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, country TEXT, tier TEXT,
  loyalty INTEGER, score, birthdate DATE, vip BOOLEAN, store_id INTEGER,
  updated_at TIMESTAMP);
CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL, at TIMESTAMP);
CREATE TABLE tags(id INTEGER PRIMARY KEY, customer_id INTEGER, label TEXT, changed INTEGER);

INSERT INTO stores VALUES (1, 'Stockholm', 1), (2, 'Oslo', 1), (3, 'Malmö', 1), (5, 'Bergen', 1);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
INSERT INTO customers
SELECT i * 2,
       CASE WHEN i % 97 = 0 THEN NULL ELSE char(97 + i % 26) || 'user' || i || '@example.se' END,
       CASE i % 5 WHEN 0 THEN 'SE' WHEN 1 THEN 'DK' WHEN 2 THEN 'NO' WHEN 3 THEN 'FI' ELSE 'DE' END,
       CASE WHEN i % 11 = 0 THEN 'gold' WHEN i % 3 = 0 THEN 'silver' ELSE 'bronze' END,
       (i * 37) % 1000,
       ((i * 13) % 100) / 100.0,
       printf('%04d-%02d-%02d', 1950 + i % 50, 1 + i % 12, 1 + i % 28),
       i % 7 = 0,
       CASE WHEN i % 13 = 0 THEN NULL WHEN i % 17 = 0 THEN 4 ELSE 1 + i % 3 END,
       printf('2026-01-%02d %02d:%02d:00', 1 + i % 28, i % 24, i % 60)
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO purchases
SELECT i, 2 * (1 + (i * 7919) % 6100), ((i * 31) % 200) + 0.5,
       printf('2026-02-%02d 12:00:00', 1 + i % 28)
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO tags
SELECT i, 2 * (1 + (i * 104729) % 6000),
       CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'loyal' WHEN 2 THEN 'churn' ELSE 'vip' END, 1
FROM n;

-- the SQL engine's correlated subqueries need these to stay quick
CREATE INDEX purchases_customer_id ON purchases(customer_id);
CREATE INDEX tags_customer_id ON tags(customer_id);
