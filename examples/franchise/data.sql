-- data.sql — the franchise example's shops and customers: 24 stores, 480
-- customers, customer i in store ((i - 1) % 24) + 1, every tenth without an
-- e-mail, loyalty = i % 7 (examples/franchise/run.sh, tests/pg section 11).
CREATE TABLE stores(id INTEGER PRIMARY KEY, city TEXT);
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, loyalty INTEGER,
                       store_id INTEGER REFERENCES stores(id));
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24)
INSERT INTO stores SELECT i, 'City ' || printf('%02d', i) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 480)
INSERT INTO customers SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
  'C' || i, i % 7, ((i - 1) % 24) + 1 FROM n;
CREATE INDEX customers_store ON customers(store_id);
