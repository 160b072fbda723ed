-- fixture.sql — the customers of tests/policy/run.sh.  The expected answers
-- in run.sh are worked out by hand from these rows (see the table there).
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT);
CREATE TABLE consents(id INTEGER PRIMARY KEY, customer_id INTEGER, channel TEXT, granted INTEGER);
INSERT INTO customers VALUES
  (1, 'ann', 'a@x.se',        '+46701234567'),
  (2, 'bo',  'b@x.se',        '0701234567'),
  (3, 'cy',  'not an email',  '+4670'),
  (4, 'di',  'd@x.se',        NULL),
  (5, 'ed',  NULL,            '+12125551234'),
  (6, 'fay', 'F@X.SE',        '+1'),
  (7, 'gus', 'g@x.se',        '+46709999999'),
  (8, 'hal', 'h@x.se',        '+46708888888');
INSERT INTO consents(customer_id, channel, granted) VALUES
  (1, 'email', 1), (1, 'sms', 1),
  (2, 'email', 0), (2, 'sms', 1),
  (3, 'email', 1),
  (4, 'email', 1),
  (5, 'sms', 1),
  (6, 'email', 1),
  (7, 'email', 1), (7, 'sms', 1),
  (8, 'email', 1), (8, 'sms', 0);
