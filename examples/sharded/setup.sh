# setup.sh — the sharded cluster of examples/sharded, sourced (POSIX sh) by
# examples/sharded/run.sh and bench/sharded.sh so both build the same thing:
# a coordinator and 3 shard servers (tests/pg/lib.sh, unix sockets in
# $SHARDED_DIR/<node>), `customers` hash-partitioned by id and `purchases`
# by customer_id (MODULUS 3, co-located: a customer's purchases live on its
# shard) into postgres_fdw foreign partitions; every other table stays on
# the coordinator.  Needs tests/pg/lib.sh sourced first.
#
#   sharded_start DIR       starts servers coord s0 s1 s2 in DIR/<node>
#                           (DIR/<node>/where: "host port"); sets
#                           SHARDED_DIR and exports PGHOST PGPORT PGUSER
#                           PGDATABASE for the coordinator (pg_psql,
#                           pg_url, pg_createdb then talk to it).  Returns
#                           non-zero, message on stderr, if one fails;
#                           PG_SERVER_OPTS applies to every server,
#                           SHARD_SERVER_OPTS to the shards after it.
#   sharded_stop            stops the four servers (safe to call twice; put
#                           it in the caller's EXIT trap).
#   sharded_psql NODE ...   psql on server NODE as postgres (ON_ERROR_STOP).
#   sharded_shard_tables DB on each shard: database `shard` with customers
#                           and purchases as the coordinator's database DB
#                           has them (columns from its catalog), empty, with
#                           a primary key on id and purchases' indexes.
#   sharded_partition DB    in the coordinator's database DB, which holds
#                           plain tables customers and purchases: renames
#                           them customers_all and purchases_all, and
#                           creates customers and purchases as hash-
#                           partitioned tables of foreign partitions, one
#                           per shard (servers s0..s2: async_capable,
#                           fetch_size 10000, batch_size 1000).  The *_all
#                           tables stay for the caller to move and drop.
#   sharded_load_direct SRCDB  fills the shards straight from the
#                           coordinator's database SRCDB (plain customers
#                           and purchases), the 3 shards in parallel: each
#                           reads `COPY (SELECT ... WHERE
#                           satisfies_hash_partition(...)) TO STDOUT` —
#                           its own rows only, picked with the partition
#                           bound's hash — into `COPY ... FROM STDIN`.
#   sharded_analyze DB      ANALYZE on each shard, then on the coordinator's
#                           database DB of the foreign partitions by name and
#                           of the rest: a database-wide ANALYZE skips
#                           foreign tables, and without their statistics the
#                           coordinator guesses a few rows a partition and
#                           joins R2's 440,000 aggregated customers to R1's
#                           by a nested loop (not done after 8 minutes at
#                           1M, bench/RESULTS.md).
#                           postgres_fdw 15 reads the whole remote table to
#                           sample it.
#   sharded_check_routing DB   fails (message on stdout) unless every row
#                           on every shard satisfies its partition bound,
#                           and 200 customers looked up by id through DB's
#                           partitioned table (one partition each, pruned
#                           by the coordinator's own routing) are found.
#
# Why a separate loader: an INSERT through the coordinator's partitioned
# table moves every row through postgres_fdw in batches of batch_size; the
# direct load lets each shard read its third with one COPY (bench/sharded.sh
# measures both).

SHARDED_NODES="coord s0 s1 s2"
SHARDED_SHARDS="s0 s1 s2"

sharded_start() {
  SHARDED_DIR=$1
  chmod 755 "$SHARDED_DIR" # under root the servers run as another user
  for n_ in $SHARDED_NODES; do
    mkdir -p "$SHARDED_DIR/$n_"
    o_=${PG_SERVER_OPTS:-}
    [ "$n_" = coord ] || o_="$o_ ${SHARD_SERVER_OPTS:-}"
    # pg_start in a subshell leaves the server running (pg_ctl detaches)
    if ! (PG_SERVER_OPTS=$o_ && pg_start "$SHARDED_DIR/$n_" > /dev/null &&
          echo "$PGHOST $PGPORT" > "$SHARDED_DIR/$n_/where"); then
      echo "sharded_start: cannot start server $n_" >&2
      return 1
    fi
  done
  read -r PGHOST PGPORT < "$SHARDED_DIR/coord/where"
  PGUSER=postgres PGDATABASE=postgres
  export PGHOST PGPORT PGUSER PGDATABASE
}

sharded_stop() {
  [ -n "${SHARDED_DIR:-}" ] || return 0
  for n_ in $SHARDED_NODES; do pg_stop_dir "$SHARDED_DIR/$n_"; done
}

sharded_psql() {
  n_=$1
  shift
  read -r h_ p_ < "$SHARDED_DIR/$n_/where"
  psql -X -q -v ON_ERROR_STOP=1 -h "$h_" -p "$p_" -U postgres "$@"
}

# The CREATE TABLE of coordinator table $2 in database $1, from its catalog.
sharded_ddl() {
  pg_psql -d "$1" -At -c "SELECT 'CREATE TABLE ' || quote_ident('$2') || '(' ||
      string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) || ');'
    FROM pg_attribute WHERE attrelid = 'public.$2'::regclass AND attnum > 0 AND NOT attisdropped"
}

sharded_shard_tables() {
  ddl_="$(sharded_ddl "$1" customers) $(sharded_ddl "$1" purchases)
ALTER TABLE customers ADD PRIMARY KEY (id);
ALTER TABLE purchases ADD PRIMARY KEY (id);
CREATE INDEX ON purchases(customer_id);
CREATE INDEX ON purchases(at);"
  for s_ in $SHARDED_SHARDS; do
    sharded_psql "$s_" -d postgres -c "DROP DATABASE IF EXISTS shard" -c "CREATE DATABASE shard" &&
      sharded_psql "$s_" -d shard -c "$ddl_" || { echo "sharded_shard_tables: shard $s_" >&2; return 1; }
  done
}

sharded_partition() {
  sv_="" parts_="" i_=0
  for s_ in $SHARDED_SHARDS; do
    read -r h_ p_ < "$SHARDED_DIR/$s_/where"
    sv_="$sv_
CREATE SERVER $s_ FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$h_', port '$p_', dbname 'shard', async_capable 'true', fetch_size '10000', batch_size '1000');
CREATE USER MAPPING FOR CURRENT_USER SERVER $s_ OPTIONS (user 'postgres');"
    parts_="$parts_
CREATE FOREIGN TABLE customers_$s_ PARTITION OF customers FOR VALUES WITH (MODULUS 3, REMAINDER $i_)
  SERVER $s_ OPTIONS (table_name 'customers');
CREATE FOREIGN TABLE purchases_$s_ PARTITION OF purchases FOR VALUES WITH (MODULUS 3, REMAINDER $i_)
  SERVER $s_ OPTIONS (table_name 'purchases');"
    i_=$((i_ + 1))
  done
  pg_psql -d "$1" << SQL
CREATE EXTENSION postgres_fdw;
$sv_
ALTER TABLE customers RENAME TO customers_all;
ALTER TABLE purchases RENAME TO purchases_all;
CREATE TABLE customers (LIKE customers_all) PARTITION BY HASH (id);
CREATE TABLE purchases (LIKE purchases_all) PARTITION BY HASH (customer_id);
$parts_
SQL
}

# A throw-away partitioned table with the same key type as TABLE.KEY in
# database DB on the coordinator, for satisfies_hash_partition: the same
# type and default hash opclass route as the coordinator's partition bounds.
sharded_route_ddl() {
  printf 'CREATE TEMP TABLE route_%s (k %s) PARTITION BY HASH (k);' "$2" \
    "$(pg_psql -d "$1" -At -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
       WHERE attrelid = 'public.$2'::regclass AND attname = '$3'")"
}

sharded_load_direct() {
  i_=0
  for s_ in $SHARDED_SHARDS; do
    (
      for tk_ in customers:id purchases:customer_id; do
        t_=${tk_%%:*} k_=${tk_#*:}
        cols_=$(pg_psql -d "$1" -At -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
          FROM pg_attribute WHERE attrelid = 'public.$t_'::regclass AND attnum > 0 AND NOT attisdropped")
        pg_psql -d "$1" -c "$(sharded_route_ddl "$1" "$t_" "$k_")" \
          -c "COPY (SELECT $cols_ FROM public.$t_ WHERE satisfies_hash_partition('route_$t_'::regclass, 3, $i_, $k_)) TO STDOUT" |
          sharded_psql "$s_" -d shard -c "COPY $t_ ($cols_) FROM STDIN" || exit 1
      done
    ) &
    pids_="${pids_:-} $!"
    i_=$((i_ + 1))
  done
  ok_=0
  for p_ in $pids_; do wait "$p_" || ok_=1; done
  pids_=""
  return $ok_
}

sharded_analyze() {
  parts_=""
  for s_ in $SHARDED_SHARDS; do
    sharded_psql "$s_" -d shard -c "ANALYZE" || return 1
    parts_="$parts_${parts_:+, }customers_$s_, purchases_$s_"
  done
  pg_psql -d "$1" -c "ANALYZE $parts_" -c "ANALYZE"
}

sharded_check_routing() {
  i_=0
  for s_ in $SHARDED_SHARDS; do
    for tk_ in customers:id purchases:customer_id; do
      t_=${tk_%%:*} k_=${tk_#*:}
      bad_=$(sharded_psql "$s_" -d shard -At -c "$(sharded_route_ddl "$1" "$t_" "$k_")" \
        -c "SELECT count(*) FROM $t_ WHERE NOT satisfies_hash_partition('route_$t_'::regclass, 3, $i_, $k_)") ||
        { echo "routing check failed on $s_"; return 1; }
      [ "$bad_" = 0 ] || { echo "$bad_ rows of $t_ on shard $s_ belong to another shard"; return 1; }
    done
    i_=$((i_ + 1))
  done
  # the coordinator's own routing: a lookup by key is planned on one
  # partition only, so a row on the wrong shard would not be found
  top_=$(pg_psql -d "$1" -At -c "SELECT max(id) FROM customers") || return 1
  found_=$(i_=0; while [ $i_ -lt 200 ]; do
      echo "SELECT count(*) FROM customers WHERE id = $((1 + i_ * (top_ / 200)));"; i_=$((i_ + 1)); done |
    pg_psql -d "$1" -At | grep -c '^1$')
  [ "$found_" = 200 ] || { echo "only $found_ of 200 customers found by id through the coordinator"; return 1; }
}
