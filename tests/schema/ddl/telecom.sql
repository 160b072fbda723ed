-- A DDL file as a data team hands it over (camp schema --from-ddl): only
-- CREATE statements, no rows, so types come from the declarations and
-- address columns from the names.
CREATE TABLE plans (
  code VARCHAR(8) PRIMARY KEY,
  name VARCHAR(80) NOT NULL,
  data_gb INTEGER
);

CREATE TABLE subscribers (
  id BIGINT PRIMARY KEY,
  msisdn VARCHAR(15) NOT NULL UNIQUE,
  email VARCHAR(200),
  device_token TEXT,
  tariff VARCHAR(8) REFERENCES plans (code),
  activated_at TIMESTAMP,
  birth_date DATE,
  is_prepaid BOOLEAN DEFAULT FALSE
);

CREATE TABLE cdrs (
  subscriber_id BIGINT NOT NULL,
  started_at TIMESTAMP NOT NULL,
  seconds INTEGER,
  PRIMARY KEY (subscriber_id, started_at),
  FOREIGN KEY (subscriber_id) REFERENCES subscribers (id)
);

CREATE INDEX cdrs_started ON cdrs (started_at);
