-- What camp cannot express: composite keys, odd names, links to non-keys.
CREATE TABLE "order" (id TEXT PRIMARY KEY, "key" TEXT, "first name" TEXT, "where" INT);
CREATE TABLE lines (
  order_id TEXT REFERENCES "order"(id),
  line_no INTEGER,
  sku TEXT,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE shipments (
  id INTEGER PRIMARY KEY,
  order_id TEXT,
  line_no INTEGER,
  sku TEXT REFERENCES products(sku),
  code TEXT,
  ref_code TEXT REFERENCES shipments(code),
  email INTEGER,
  FOREIGN KEY (order_id, line_no) REFERENCES lines(order_id, line_no)
);
CREATE UNIQUE INDEX shipments_code ON shipments(code);
CREATE UNIQUE INDEX shipments_pair ON shipments(order_id, line_no);
CREATE UNIQUE INDEX shipments_partial ON shipments(sku) WHERE sku IS NOT NULL;
CREATE TABLE "order items" (id INTEGER PRIMARY KEY);
CREATE TABLE notes (body TEXT, order_ref TEXT REFERENCES "order items"(id), enum TEXT,
  "line
break" TEXT, "say ""hi""" TEXT, _ok_2 integer);
CREATE TABLE Campaigns (id INTEGER PRIMARY KEY, name TEXT);
