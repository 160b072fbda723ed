-- What the import infers from names and sampled values (camp schema
-- --from-db): dates and timestamps stored as text, yes/no integers, small
-- sets of labels (enums), address columns by name, composite primary keys
-- and links from foreign keys.
CREATE TABLE plans (code TEXT PRIMARY KEY, name TEXT, monthly DECIMAL(8,2));
CREATE TABLE subscribers (
  id INTEGER PRIMARY KEY,
  msisdn TEXT NOT NULL,
  home_phone TEXT,
  email_address TEXT,
  email_verified INTEGER,
  push_token TEXT,
  is_active INTEGER,
  opt_in INT,
  n_children INTEGER,          -- 0/1 values but no yes/no name: stays int
  segment TEXT,                -- 3 labels over 12 rows: enum (a guess)
  city TEXT,                   -- labels with spaces: no enum
  signup TEXT,                 -- dates as text
  last_seen TEXT,              -- timestamps as text
  iso_seen TEXT,               -- ISO 8601 with T: stays text, with a note
  mixed TEXT,                  -- a date among other text: stays text
  plan_code TEXT REFERENCES plans(code),
  born DATE                    -- declared: date without sampling
);
CREATE TABLE usage (
  subscriber_id INTEGER REFERENCES subscribers(id),
  day TEXT,
  mb INTEGER,
  PRIMARY KEY (subscriber_id, day)
);
CREATE TABLE tickets (
  subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
  seq INTEGER NOT NULL,
  ref TEXT NOT NULL UNIQUE,
  status TEXT,
  PRIMARY KEY (subscriber_id, seq)
);
CREATE TABLE empty_table (id INTEGER PRIMARY KEY, created TEXT, kind TEXT);
INSERT INTO plans VALUES ('S', 'Small', 9.5), ('L', 'Large', 29);
INSERT INTO subscribers VALUES
 (1, '46700000001', '081', 'a@x.se', 1, 'tok1', 1, 0, 0, 'prepaid', 'Umeå', '2025-01-03', '2026-03-01 10:00:00', '2026-03-01T10:00:00Z', 'x', 'S', '1980-01-01'),
 (2, '46700000002', NULL, 'b@x.se', 0, NULL, 0, 1, 1, 'postpaid', 'Stockholm', '2025-02-03', '2026-03-02 11:00:00', '2026-03-02T11:00:00Z', '2025-01-01', 'L', NULL),
 (3, '46700000003', NULL, NULL, 0, NULL, 1, 1, 0, 'business', 'New York', '2025-03-03', '2026-03-03 12:30:15', '2026-03-03T12:30:15Z', 'y', 'S', NULL),
 (4, '46700000004', NULL, NULL, 1, NULL, 1, 0, 1, 'prepaid', 'Umeå', '2025-04-03', '2026-03-04 09:00:00', '2026-03-04T09:00:00+01:00', 'z', 'S', NULL),
 (5, '46700000005', NULL, NULL, 1, NULL, 0, 0, 0, 'prepaid', 'Umeå', '2025-05-03', '2026-03-05 09:00:00', NULL, NULL, NULL, NULL),
 (6, '46700000006', NULL, NULL, 1, NULL, 0, 0, 0, 'postpaid', 'Umeå', '2025-06-03', '2026-03-06 09:00:00', NULL, NULL, NULL, NULL),
 (7, '46700000007', NULL, NULL, 1, NULL, 1, 0, 0, 'postpaid', 'Umeå', '2025-07-03', NULL, NULL, NULL, NULL, NULL),
 (8, '46700000008', NULL, NULL, 1, NULL, 1, 0, 0, 'prepaid', 'Umeå', '2025-08-03', NULL, NULL, NULL, NULL, NULL),
 (9, '46700000009', NULL, NULL, 1, NULL, 1, 0, 0, 'prepaid', 'Umeå', '2025-09-03', NULL, NULL, NULL, NULL, NULL),
 (10, '46700000010', NULL, NULL, 1, NULL, 1, 0, 0, 'business', 'Umeå', '2025-10-03', NULL, NULL, NULL, NULL, NULL),
 (11, '46700000011', NULL, NULL, 1, NULL, 1, 0, 0, 'prepaid', 'Umeå', '2025-11-03', NULL, NULL, NULL, NULL, NULL),
 (12, '46700000012', NULL, NULL, 1, NULL, 1, 0, 0, 'prepaid', 'Umeå', '2025-12-03', NULL, NULL, NULL, NULL, NULL);
INSERT INTO usage VALUES (1, '2026-03-01', 120), (1, '2026-03-02', 80), (2, '2026-03-01', 5);
INSERT INTO tickets VALUES (1, 1, 'T-1', 'open'), (1, 2, 'T-2', 'closed');
