# section 15 of tests/pg/run.sh (sourced): the index advice of `camp plan`
# on PostgreSQL (runtime/exec/exec_index.c, db_pg_column_indexed).
#   - a plain table without an index on the looked-up column: warned;
#   - a partitioned table: warned while a local leaf partition lacks the
#     index, quiet once every leaf has it;
#   - a foreign table (postgres_fdw back to this server, as a shard): quiet,
#     its indexes are on its own server (examples/sharded warned of
#     customers(id) and purchases(customer_id) its shards have).

if want 15; then
  pg_createdb idx
  pg_psql -d idx -q -c "CREATE TABLE people(id bigint PRIMARY KEY, email text);
    CREATE TABLE buys(id bigint, person_id bigint, amount double precision);
    INSERT INTO people SELECT g, 'p' || g || '@x' FROM generate_series(1, 1500) g;
    INSERT INTO buys SELECT g, 1 + g % 1500, g % 70 FROM generate_series(1, 3000) g;
    ANALYZE"
  cat > "$TMP/idx.camp" << 'CAMP'
schema people { id int key; email text address(email) }
schema buys { id int; person_id int -> people; amount decimal }
campaign big { spenders = people where sum(buys.amount) > 50 }
CAMP
  idx_plan() { camp plan "$TMP/idx.camp" --db "$(pg_url idx)" --engine sql 2>&1 > /dev/null | grep -c '^warning: no index on buys(person_id)'; }
  eq "pg index advice: a plain table without the index is warned about" 1 "$(idx_plan)"
  pg_psql -d idx -q -c "ALTER TABLE buys RENAME TO buys_plain;
    CREATE TABLE buys(id bigint, person_id bigint, amount double precision) PARTITION BY HASH (person_id);
    CREATE TABLE buys_0 PARTITION OF buys FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE buys_1 PARTITION OF buys FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    INSERT INTO buys SELECT * FROM buys_plain; CREATE INDEX ON buys_0(person_id); ANALYZE"
  eq "pg index advice: a partitioned table with a leaf lacking the index is warned about" 1 "$(idx_plan)"
  pg_psql -d idx -q -c "CREATE INDEX ON buys_1(person_id)"
  eq "pg index advice: ... and not once every leaf has it" 0 "$(idx_plan)"
  pg_psql -d idx -q -c "DROP TABLE buys; CREATE EXTENSION postgres_fdw;
    CREATE SERVER self FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$PGHOST', port '$PGPORT', dbname 'idx');
    CREATE USER MAPPING FOR CURRENT_USER SERVER self OPTIONS (user 'postgres');
    CREATE FOREIGN TABLE buys(id bigint, person_id bigint, amount double precision)
      SERVER self OPTIONS (table_name 'buys_plain')"
  eq "pg index advice: a foreign table's indexes are its server's: no warning" 0 "$(idx_plan)"
  # the same plan either way: 3000 buys, amounts g % 70 over 1500 people
  want_n=$(pg_psql -d idx -At -c "SELECT count(*) FROM (SELECT person_id FROM buys_plain GROUP BY person_id HAVING sum(amount) > 50) s")
  eq "pg index advice: the plan over the foreign table counts as SQL does" "$want_n" \
    "$(camp plan "$TMP/idx.camp" --db "$(pg_url idx)" --engine sql 2> /dev/null | awk '$1 == "spenders" { print $3 }')"
fi
