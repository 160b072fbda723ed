-- fixture.sql — the database of the regression tests (tests/regress/run.sh).
CREATE TABLE stores(id INTEGER PRIMARY KEY, city TEXT, manager INTEGER);
INSERT INTO stores VALUES (1,'Stockholm',3),(2,'Malmö',6);
CREATE TABLE customers(id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, loyalty INTEGER,
  store_id INTEGER);
INSERT INTO customers VALUES
 (1,'a@x.se','Anna',1500,1),(2,'b@x.se','Bo',200,1),(3,'c@x.se','Cia',3000,2),
 (4,NULL,'Dan',NULL,NULL),(5,'e@x.se','Eva',1000,2),(6,'f@x.se','Fia',999,1);
CREATE TABLE purchases(id INTEGER PRIMARY KEY, customer_id INTEGER, amount REAL, at TEXT);
INSERT INTO purchases VALUES
 (1,1,100.0,'2026-02-20 10:00:00'),(2,1,30.5,'2025-12-01 09:00:00'),(3,1,12.0,'2026-01-01 00:00:00'),
 (4,3,600.0,'2026-02-01 12:00:00'),(5,3,45.0,'2026-01-10 08:00:00'),
 (6,5,20.0,'2025-01-01 00:00:00'),(7,6,60.0,'2026-01-15 00:00:00');
-- a link to a text key whose column is not named *_id / *_key (item 2)
CREATE TABLE plans(code TEXT PRIMARY KEY, data_gb INTEGER, name TEXT);
INSERT INTO plans VALUES ('S',2,'Small'),('M',10,'Medium'),('L',50,'Large');
CREATE TABLE subs(id INTEGER PRIMARY KEY, email TEXT, tariff TEXT, plan_code TEXT);
INSERT INTO subs VALUES (1,'s1@x.se','S','L'),(2,'s2@x.se','M','M'),(3,'s3@x.se','L',NULL),
 (4,'s4@x.se',NULL,'S'),(5,'s5@x.se','X','L'),(6,'s6@x.se','L','M');
-- two collections deep: holders -> policies -> claims (item 8)
CREATE TABLE policyholders(id INTEGER PRIMARY KEY, email TEXT);
INSERT INTO policyholders VALUES (1,'h1@x.se'),(2,'h2@x.se'),(3,'h3@x.se'),(4,'h4@x.se');
CREATE TABLE policies(id INTEGER PRIMARY KEY, holder_id INTEGER, kind TEXT);
INSERT INTO policies VALUES (10,1,'car'),(11,1,'home'),(12,2,'car'),(13,3,'home');
CREATE TABLE claims(id INTEGER PRIMARY KEY, policy_id INTEGER, amount REAL);
INSERT INTO claims VALUES (100,10,50.0),(101,10,700.0),(102,11,20.0),(103,12,5.0),(104,99,1.0);
