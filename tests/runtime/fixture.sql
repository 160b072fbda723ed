-- fixture.sql — the small database every runtime test starts from.
CREATE TABLE stores(id INTEGER PRIMARY KEY, city TEXT, country TEXT);
INSERT INTO stores VALUES (1,'Stockholm','SE'),(2,'Malmö','SE'),(3,'Oslo','NO');
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, phone TEXT, push_token TEXT,
  first_name TEXT, country TEXT, loyalty INTEGER, tier TEXT, store_id INTEGER);
INSERT INTO customers VALUES
 (1,'a@x.se','+461','tok1','Anna','SE',1500,'gold',1),
 (2,'A@x.se',NULL,NULL,'Anders','SE',200,'silver',1),
 (3,'b@y.dk','+453','tok3','<b>&"''','DK',3000,'gold',2),
 (4,NULL,'+464',NULL,'Cecilia','NO',NULL,'bronze',NULL),
 (5,'c@z.fi',NULL,'tok5',NULL,'FI',1000,NULL,3),
 (6,'d@x.se','+466',NULL,'David','DK',999,'silver',2),
 (7,'e@x.se','+467','tok7','Eva','SE',50,'bronze',1),
 (8,'f@x.se',NULL,NULL,'Frank, "Jr"','SE',2500,'gold',3);
CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL, at TEXT);
INSERT INTO purchases VALUES
 (1,1,100.0,'2026-02-20 10:00:00'),(2,1,30.5,'2025-12-01 09:00:00'),
 (3,3,600.0,'2026-02-01 12:00:00'),(4,8,45.0,'2026-01-10 08:00:00'),
 (5,5,20.0,'2025-01-01 00:00:00'),(6,6,60.0,'2026-01-15 00:00:00');
