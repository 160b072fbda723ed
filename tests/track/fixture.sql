-- fixture.sql — customers for the tracking, feedback and template tests.
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, phone TEXT, first_name TEXT,
  lang TEXT, spent REAL, share REAL, joined TEXT, last_at TEXT);
INSERT INTO customers VALUES
 (1, 'anna@example.com', '+46701', 'Anna', 'sv', 1573.1, 0.25, '2024-03-18', '2026-02-20 10:05:00'),
 (2, 'Bo@Example.com', '+46702', 'Bo', 'sv-SE', 99.995, 0.5, '2025-12-01', '2026-01-02 00:00:00'),
 (3, 'carl@example.de', NULL, 'Carl', 'de', 1234567.891, 0.125, '2023-07-04', '2026-02-28 23:59:59'),
 (4, 'dana@example.com', NULL, NULL, 'en', 0, 1, '2020-01-01', NULL),
 (5, 'eve@example.com', '+46705', 'Eve', NULL, NULL, NULL, NULL, NULL);
