-- Every declared type the import maps, and some it cannot.
CREATE TABLE t (
  a INTEGER PRIMARY KEY, b INT, c BIGINT, d TINYINT, e UNSIGNED BIG INT,
  f REAL, g FLOAT, h DOUBLE PRECISION, i NUMERIC, j DECIMAL(10,2),
  k TEXT, l VARCHAR(255), m CHARACTER(20), n NCHAR(5), o CLOB,
  p BOOLEAN, q BOOL, r DATE, s DATETIME, u TIMESTAMP, v timestamp with time zone,
  w BLOB, x, y MONEY, z "custom type", aa varchar(10), bb Integer
);
