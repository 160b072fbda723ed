-- A small shop: the common case (keys, links, unique, address guesses).
CREATE TABLE stores (id INTEGER PRIMARY KEY, city TEXT NOT NULL, region VARCHAR(40));
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT UNIQUE,
  phone TEXT,
  mobile TEXT,
  first_name TEXT,
  birthdate DATE,
  loyalty INT DEFAULT 0,
  vip BOOLEAN,
  store_id INTEGER REFERENCES stores(id),
  updated_at TIMESTAMP
);
CREATE TABLE purchases (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers,
  amount DECIMAL(10,2),
  at DATETIME
);
CREATE TABLE camp_runs (id INTEGER PRIMARY KEY, started TEXT);
INSERT INTO customers (email) VALUES ('a@example.com');
