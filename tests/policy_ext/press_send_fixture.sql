CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT);
INSERT INTO customers VALUES (1, 'ann', 'a@x.se', '+46701111111'), (2, 'bo', 'b@x.se', '+46702222222'),
  (3, 'cy', 'c@x.se', '+46703333333'), (4, 'di', 'd@x.se', '+46704444444');
