CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, tz TEXT);
INSERT INTO customers VALUES (1, 'sven', 's@x.se', 'Europe/Stockholm'), (2, 'nora', 'n@x.us', 'America/New_York'),
  (3, 'kiran', 'k@x.in', 'Asia/Kolkata'), (4, 'sam', 'sam@x.au', 'Australia/Sydney'),
  (5, 'nil', 'nil@x.in', NULL), (6, 'mars', 'm@x.in', 'Mars/Base');
