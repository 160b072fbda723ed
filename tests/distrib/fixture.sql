-- 12 customers of 4 stores (store 9 has no entity); 11 with an e-mail.
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, store_id INTEGER);
INSERT INTO customers VALUES
  (1, 'ann@example.com', 'Ann', 1), (2, 'bo@example.com', 'Bo', 1), (3, 'cy@example.com', 'Cy', 1),
  (4, 'di@example.com', 'Di', 2), (5, 'ed@example.com', 'Ed', 2), (6, 'flo@example.com', 'Flo', 2),
  (7, 'gus@example.com', 'Gus', 2), (8, 'hal@example.com', 'Hal', 3), (9, 'ida@example.com', 'Ida', 3),
  (10, 'jo@example.com', 'Jo', 9), (11, NULL, 'Kim', 1), (12, 'lu@example.com', 'Lu', 3);
