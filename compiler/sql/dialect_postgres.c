/* dialect_postgres.c — how camp's operations are spelled in PostgreSQL so
 * that every answer equals SQLite's (one semantic, two dialects).
 *
 * Storage assumed in PostgreSQL (docs/postgres.md): int -> integer/bigint,
 * decimal -> numeric/real/double precision, text/enum -> text/varchar,
 * bool -> boolean, date -> date, timestamp -> timestamp (timestamptz is read
 * in the session time zone, which camp sets to UTC).
 *
 * Where SQLite and PostgreSQL differ, the template below reproduces SQLite:
 *   - decimals are REAL (IEEE doubles) in SQLite: decimal columns and
 *     literals are read as double precision, so sums and products round
 *     like SQLite's and `sum(amount) > 300` keeps its boundary rows;
 *   - CAST(x AS INTEGER) truncates in SQLite but rounds in PostgreSQL:
 *     floor()/trunc() before every cast (a 5% holdout of 9,040 rows is
 *     floor(452.5) = 452 on both);
 *   - x / 0 and x % 0 are NULL in SQLite, an error in PostgreSQL: NULLIF;
 *   - LIKE is ASCII case-insensitive and has no escape character in SQLite:
 *     both sides folded with translate(A-Z -> a-z), ESCAPE '';
 *   - lower()/upper() are ASCII-only in SQLite: translate() again;
 *   - text orders bytewise in SQLite (BINARY): COLLATE "C" on <, >,
 *     BETWEEN, ORDER BY and min/max of text;
 *   - scalar min/max are NULL when an argument is NULL (LEAST ignores NULL);
 *   - date arithmetic works on typed columns (timestamp + interval), and
 *     day/second differences go through SQLite's julianday() doubles so
 *     fractions truncate exactly as SQLite's do;
 *   - booleans are true/false, written back as 0/1 where SQLite shows them;
 *   - camp_hash is camp's FNV-1a + splitmix64 hash (runtime/db/db_sqlite.c,
 *     db_hash_values) written in PL/pgSQL on 32-bit limbs: bit-identical,
 *     so seeded samples and tie-breaks choose the same members;
 *   - json_group_array/json_object become text built with to_json, in
 *     SQLite's compact form;
 *   - temp tables live in pg_temp; unquoted identifiers are never used
 *     (PostgreSQL folds them to lower case, SQLite ignores case).
 * The helper functions live in camp's schema (%1 in `preamble`), found
 * through the search_path that the script (or the runtime) sets. */
#include "compiler/sql/sql_internal.h"

#define AZ "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'"
#define JD(x) "camp_julianday(" x ")"

/* One FNV-1a step over byte expression B on the state (hi, lo): 32-bit
 * limbs in bigints, so no product overflows (PostgreSQL checks overflow).
 * h * (2^40 + 435) mod 2^64: lo*435 carries into hi; h<<40 adds lo<<8. */
#define FNV_STEP(B)                                                            \
  "  lo := lo # (" B ");\n"                                                    \
  "  t := lo * 435; hi := ((hi * 435) + (t >> 32) + (lo << 8)) & 4294967295;" \
  " lo := t & 4294967295;\n"

/* z * C mod 2^64 for a 64-bit constant C given as 16-bit pieces of its low
 * (L0 L1) and high (H0 H1) words; uses lo, hi, t as scratch. */
#define MUL64(L0, L1, H0, H1)                                                              \
  "  lo := z & 4294967295; hi := (z >> 32) & 4294967295; t := lo * " L1 ";\n"            \
  "  z := (lo * " L0 ") + ((t & 65535) << 16);\n"                                        \
  "  z := ((((z >> 32) + (t >> 16) + (hi * " L0 ") + (((hi * " L1 ") & 65535) << 16)"   \
  " + (lo * " H0 ") + (((lo * " H1 ") & 65535) << 16)) & 4294967295) << 32)"             \
  " | (z & 4294967295);\n"

/* splitmix64's finalizer on (hi << 32) | lo, then >> 1 (63 bits). */
#define FINISH                                                       \
  "  z := (hi << 32) | lo;\n"                                        \
  "  z := z # ((z >> 30) & 17179869183);\n"                          \
  MUL64("58809", "7396", "18285", "48984") /* 0xbf58476d1ce4e5b9 */ \
  "  z := z # ((z >> 27) & 137438953471);\n"                         \
  MUL64("4587", "4913", "18875", "38096") /* 0x94d049bb133111eb */  \
  "  z := z # ((z >> 31) & 8589934591);\n"                           \
  "  RETURN (z >> 1) & 9223372036854775807;\n"

#define FN(name_args, ret, lang) \
  "CREATE OR REPLACE FUNCTION %1." name_args " RETURNS " ret " LANGUAGE " lang " IMMUTABLE PARALLEL SAFE AS $f$\n"

#define LIMBS "DECLARE lo bigint := h & 4294967295; hi bigint := (h >> 32) & 4294967295; t bigint; z bigint;\n"

static const char preamble[] =
    "CREATE SCHEMA IF NOT EXISTS %1;\n"
    /* FNV-1a over bytes b, continuing state h (a uint64 in a bigint) */
    FN("camp_fnv_bytes(h bigint, b bytea)", "bigint", "plpgsql") LIMBS
    "BEGIN\n"
    "  FOR i IN 0 .. length(b) - 1 LOOP\n" FNV_STEP("get_byte(b, i)") "  END LOOP;\n"
    "  RETURN (hi << 32) | lo;\n"
    "END $f$;\n"
    /* a tag byte, then v as 8 little-endian bytes (unrolled: the hot path) */
    FN("camp_fnv_u64(h bigint, tag integer, v bigint)", "bigint", "plpgsql") LIMBS
    "BEGIN\n"
    FNV_STEP("tag") FNV_STEP("v & 255") FNV_STEP("(v >> 8) & 255") FNV_STEP("(v >> 16) & 255")
    FNV_STEP("(v >> 24) & 255") FNV_STEP("(v >> 32) & 255") FNV_STEP("(v >> 40) & 255")
    FNV_STEP("(v >> 48) & 255") FNV_STEP("(v >> 56) & 255")
    "  RETURN (hi << 32) | lo;\n"
    "END $f$;\n"
    FN("camp_hash_finish(h bigint)", "bigint", "plpgsql") LIMBS
    "BEGIN\n" FINISH "END $f$;\n"
    /* the encodings of db_hash_values: 'N'; 'I' + int64; 'R' + IEEE bits
     * (-0 as 0); 'T' + byte length + UTF-8 bytes */
    FN("camp_fnv(h bigint, v bigint)", "bigint", "sql")
    "SELECT CASE WHEN v IS NULL THEN %1.camp_fnv_bytes(h, '\\x4e') ELSE %1.camp_fnv_u64(h, 73, v) END $f$;\n"
    FN("camp_fnv(h bigint, v double precision)", "bigint", "sql")
    "SELECT CASE WHEN v IS NULL THEN %1.camp_fnv_bytes(h, '\\x4e') ELSE %1.camp_fnv_u64(h, 82,"
    " ('x' || encode(float8send(CASE WHEN v = 0 THEN 0::float8 ELSE v END), 'hex'))::bit(64)::bigint) END $f$;\n"
    FN("camp_fnv(h bigint, v text)", "bigint", "sql")
    "SELECT CASE WHEN v IS NULL THEN %1.camp_fnv_bytes(h, '\\x4e') ELSE %1.camp_fnv_bytes("
    "%1.camp_fnv_u64(h, 84, octet_length(convert_to(v, 'UTF8'))), convert_to(v, 'UTF8')) END $f$;\n"
    /* state after (seed, salt): computed once per statement (an InitPlan) */
    FN("camp_hash_prefix(seed bigint, salt text)", "bigint", "sql")
    "SELECT %1.camp_fnv(%1.camp_fnv(-3750763034362895579, seed), salt) $f$;\n"
    /* the int key: FNV of 'I' + 8 bytes and the finish in one function */
    FN("camp_hash_key(h bigint, v bigint)", "bigint", "plpgsql") LIMBS
    "BEGIN\n"
    "  IF v IS NULL THEN RETURN %1.camp_hash_finish(%1.camp_fnv_bytes(h, '\\x4e')); END IF;\n"
    FNV_STEP("73") FNV_STEP("v & 255") FNV_STEP("(v >> 8) & 255") FNV_STEP("(v >> 16) & 255")
    FNV_STEP("(v >> 24) & 255") FNV_STEP("(v >> 32) & 255") FNV_STEP("(v >> 40) & 255")
    FNV_STEP("(v >> 48) & 255") FNV_STEP("(v >> 56) & 255")
    FINISH
    "END $f$;\n"
    FN("camp_hash_key(h bigint, v text)", "bigint", "sql")
    "SELECT %1.camp_hash_finish(%1.camp_fnv(h, v)) $f$;\n"
    FN("camp_hash_key(h bigint, v double precision)", "bigint", "sql")
    "SELECT %1.camp_hash_finish(%1.camp_fnv(h, v)) $f$;\n"
    /* dates and timestamps are text in SQLite: hash their text */
    FN("camp_hash_key(h bigint, v date)", "bigint", "sql")
    "SELECT %1.camp_hash_finish(%1.camp_fnv(h, to_char(v, 'YYYY-MM-DD'))) $f$;\n"
    FN("camp_hash_key(h bigint, v timestamp)", "bigint", "sql")
    "SELECT %1.camp_hash_finish(%1.camp_fnv(h, to_char(v, 'YYYY-MM-DD HH24:MI:SS'))) $f$;\n"
    /* camp_hash(seed, salt, key) as the SQLite function is called */
    FN("camp_hash(seed bigint, salt text, v bigint)", "bigint", "sql")
    "SELECT %1.camp_hash_key(%1.camp_hash_prefix(seed, salt), v) $f$;\n"
    FN("camp_hash(seed bigint, salt text, v text)", "bigint", "sql")
    "SELECT %1.camp_hash_key(%1.camp_hash_prefix(seed, salt), v) $f$;\n"
    FN("camp_hash(seed bigint, salt text, v double precision)", "bigint", "sql")
    "SELECT %1.camp_hash_key(%1.camp_hash_prefix(seed, salt), v) $f$;\n"
    /* SQLite's julianday(): milliseconds / 86400000.0 as a double */
    FN("camp_julianday(t timestamp)", "double precision", "sql")
    "SELECT (floor(EXTRACT(EPOCH FROM t) * 1000) + 210866760000000)::float8 / 86400000.0::float8 $f$;\n"
    FN("camp_julianday(t timestamptz)", "double precision", "sql")
    "SELECT %1.camp_julianday(t AT TIME ZONE 'UTC') $f$;\n"
    /* SQLite's round(x): (double)(int64)(x + 0.5), mirrored for x < 0 */
    FN("camp_round(x double precision)", "double precision", "sql")
    "SELECT CASE WHEN x >= 0 THEN floor(x + 0.5::float8) ELSE -floor(-x + 0.5::float8) END $f$;\n"
    FN("camp_round(x double precision, n bigint)", "double precision", "sql")
    "SELECT CASE WHEN n <= 0 THEN %1.camp_round(x)"
    " ELSE round(x::numeric, least(n, 30)::integer)::float8 END $f$;\n"
    /* a REAL as SQLite writes it as text: printf("%.15g"), with ".0" when
     * there is no decimal point; x::numeric rounds to those 15 digits */
    FN("camp_real_text(x double precision)", "text", "plpgsql")
    "DECLARE n numeric; t text; d text; e integer; neg boolean;\n"
    "BEGIN\n"
    "  IF x IS NULL OR x = 'NaN'::float8 THEN RETURN NULL; END IF;\n"
    "  IF x = 'Infinity'::float8 THEN RETURN 'Inf'; END IF;\n"
    "  IF x = '-Infinity'::float8 THEN RETURN '-Inf'; END IF;\n"
    "  IF x = 0 THEN RETURN '0.0'; END IF;\n"
    "  n := x::numeric; neg := n < 0; n := abs(n);\n"
    "  IF n >= 1 THEN e := length(trunc(n)::text) - 1;\n"
    "  ELSE e := -(length(substring(n::text FROM '^0[.](0*)')) + 1); END IF;\n"
    "  IF e < -4 OR e >= 15 THEN\n"
    "    d := rtrim(ltrim(replace(n::text, '.', ''), '0'), '0');\n"
    "    t := substr(d, 1, 1) || '.' || CASE WHEN length(d) > 1 THEN substr(d, 2) ELSE '0' END\n"
    "         || 'e' || CASE WHEN e < 0 THEN '-' ELSE '+' END || lpad(abs(e)::text, 2, '0');\n"
    "  ELSE\n"
    "    t := n::text;\n"
    "    IF strpos(t, '.') = 0 THEN t := t || '.0'; END IF;\n"
    "  END IF;\n"
    "  RETURN CASE WHEN neg THEN '-' || t ELSE t END;\n"
    "END $f$;\n"
    /* SQLite's substr(): negative starts count from the end, a negative
     * length takes the characters before the start */
    FN("camp_substr(s text, p1 bigint, p2 bigint)", "text", "plpgsql")
    "DECLARE len bigint; neg boolean := false;\n"
    "BEGIN\n"
    "  IF s IS NULL OR p1 IS NULL OR p2 IS NULL THEN RETURN NULL; END IF;\n"
    "  len := char_length(s);\n"
    "  IF p2 < 0 THEN p2 := -p2; neg := true; END IF;\n"
    "  IF p1 < 0 THEN\n"
    "    p1 := p1 + len;\n"
    "    IF p1 < 0 THEN p2 := greatest(p2 + p1, 0); p1 := 0; END IF;\n"
    "  ELSIF p1 > 0 THEN p1 := p1 - 1;\n"
    "  ELSIF p2 > 0 THEN p2 := p2 - 1;\n"
    "  END IF;\n"
    "  IF neg THEN p1 := p1 - p2; IF p1 < 0 THEN p2 := p2 + p1; p1 := 0; END IF; END IF;\n"
    "  IF p1 >= len THEN RETURN ''; END IF;\n"
    "  RETURN substr(s, (p1 + 1)::integer, least(greatest(p2, 0), len)::integer);\n"
    "END $f$;\n";

const SqlDialect sql_dialect_postgres = {
    .name = "postgres",
    .create_temp = "CREATE TEMP TABLE",
    .drop_temp = "DROP TABLE IF EXISTS pg_temp.%1",
    .create_table = "CREATE TABLE",
    .drop_table = "DROP TABLE IF EXISTS %1",
    /* temp tables are never analyzed automatically: without statistics the
     * planner guesses joins over step tables badly */
    .key_index_temp = "CREATE INDEX %1 ON %2(\"_key\");\nANALYZE %2",
    .key_index = "CREATE INDEX %1 ON %2(\"_key\");\nANALYZE %2",
    .now_default = "date_trunc('second', now() AT TIME ZONE 'UTC')",
    .nulls_last = " NULLS LAST",
    .true_lit = "true",
    .false_lit = "false",
    .ts_add_seconds = "(%1 + make_interval(secs => %2))",
    .date_add_days = "(%1 + (%2))",
    .to_timestamp = "CAST(%1 AS timestamp)",
    .to_date = "CAST(%1 AS date)",
    .seconds_between = "CAST(camp_round((" JD("%1") " - " JD("%2") ") * 86400) AS bigint)",
    .days_between = "CAST(trunc(" JD("%1") " - " JD("%2") ") AS bigint)",
    .years_between = "(CAST(EXTRACT(YEAR FROM %1) AS bigint) - CAST(EXTRACT(YEAR FROM %2) AS bigint)"
                     " - CASE WHEN to_char(%1, 'MM-DD') COLLATE \"C\" < to_char(%2, 'MM-DD')"
                     " THEN 1 ELSE 0 END)",
    .year = "CAST(EXTRACT(YEAR FROM %1) AS bigint)",
    .month = "CAST(EXTRACT(MONTH FROM %1) AS bigint)",
    .day = "CAST(EXTRACT(DAY FROM %1) AS bigint)",
    .hour = "CAST(EXTRACT(HOUR FROM CAST(%1 AS timestamp)) AS bigint)",
    .weekday = "CAST(EXTRACT(DOW FROM %1) AS bigint)",
    .weekday_iso = "CAST(EXTRACT(ISODOW FROM %1) AS bigint)",
    /* date_trunc's weeks start on Monday and quarters on Jan/Apr/Jul/Oct 1,
     * as SQLite's templates do */
    .trunc_date = {"CAST(date_trunc('year', CAST(%1 AS timestamp)) AS date)",
                   "CAST(date_trunc('quarter', CAST(%1 AS timestamp)) AS date)",
                   "CAST(date_trunc('month', CAST(%1 AS timestamp)) AS date)",
                   "CAST(date_trunc('week', CAST(%1 AS timestamp)) AS date)",
                   "CAST(%1 AS date)", NULL, NULL},
    .trunc_ts = {"date_trunc('year', CAST(%1 AS timestamp))", "date_trunc('quarter', CAST(%1 AS timestamp))",
                 "date_trunc('month', CAST(%1 AS timestamp))", "date_trunc('week', CAST(%1 AS timestamp))",
                 "date_trunc('day', CAST(%1 AS timestamp))", "date_trunc('hour', CAST(%1 AS timestamp))",
                 "date_trunc('minute', CAST(%1 AS timestamp))"},
    /* an unknown zone is NULL, as camp_to_timezone gives in SQLite */
    .to_timezone = "CASE WHEN %2 IN (SELECT name FROM pg_timezone_names)"
                   " THEN (CAST(%1 AS timestamp) AT TIME ZONE 'UTC') AT TIME ZONE %2 END",
    .string_agg = "string_agg(%1, %2 ORDER BY %3)",
    .sqrt_ = "sqrt(%1)",
    .subquery_alias = " AS \"q\"",
    .like = "translate(%1, " AZ ") LIKE translate(%2, " AZ ") ESCAPE ''",
    .not_like = "translate(%1, " AZ ") NOT LIKE translate(%2, " AZ ") ESCAPE ''",
    .contains = "strpos(%1, %2) > 0",
    .starts = "substr(%1, 1, length(%2)) = %2",
    .concat1 = "concat(%1)",
    .concat2 = "concat(%1, %2)",
    .floor_ = "CAST(floor(%1) AS bigint)",
    .ceil_ = "CAST(ceil(%1) AS bigint)",
    .round1 = "camp_round(%1)",
    .round2 = "camp_round(%1, %2)",
    .least = "CASE WHEN %1 IS NULL OR %2 IS NULL THEN NULL ELSE LEAST(%1, %2) END",
    .greatest = "CASE WHEN %1 IS NULL OR %2 IS NULL THEN NULL ELSE GREATEST(%1, %2) END",
    .hash = "camp_hash_key((SELECT camp_hash_prefix(%1, %2)), %3)",
    /* the JSON text SQLite's json_object/json_group_array write, byte for
     * byte (json_build_object and json_agg put spaces around ':' and ','):
     * to_json escapes strings as SQLite does */
    .rows_array = "('[' || string_agg(%1, ',') || ']')",
    .rows_object_pair = "to_json(CAST(%1 AS text))::text || ':' || coalesce(to_json(%2)::text, 'null')",
    .rows_object_sep = " || ',' || ",
    .rows_object = "('{' || %1 || '}')",
    .rows_empty = "'[]'",
    .percent_limit = "CAST(floor(CAST(%1 AS double precision) * %2 / 100.0 + 0.5) AS bigint)",
    .params = "pg_temp.\"camp_params\"",
    .ts_lit = "TIMESTAMP %1",
    .date_lit = "DATE %1",
    .dec_lit = "CAST(%1 AS double precision)",
    .decimal_col = "CAST(%1 AS double precision)",
    .divide = "%1 / NULLIF(%2, 0)",
    .modulo = "%1 % NULLIF(%2, 0)",
    .modulo_real = "CAST(CAST(trunc(%1) AS bigint) % NULLIF(CAST(trunc(%2) AS bigint), 0) AS double precision)",
    .agg_int = "CAST(%1 AS bigint)",
    .agg_real = "CAST(%1 AS double precision)",
    .lower = "translate(%1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
    .upper = "translate(%1, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')",
    .substr2 = "camp_substr(%1, %2, 1000000000)",
    .substr3 = "camp_substr(%1, %2, %3)",
    .text_order = " COLLATE \"C\"",
    .json_ts = "to_char(%1, 'YYYY-MM-DD HH24:MI:SS')",
    .json_bool = "CAST(%1 AS integer)",
    .key_text = "CAST(%1 AS text)",
    .stored_time = "CAST(%1 AS timestamp)",
    .text_real = "camp_real_text(CAST(%1 AS double precision))",
    .text_bool = "CAST(CAST(%1 AS integer) AS text)",
    .text_ts = "to_char(%1, 'YYYY-MM-DD HH24:MI:SS')",
    .json_real = "CAST(camp_real_text(CAST(%1 AS double precision)) AS json)",
    .preamble = preamble,
    /* hash joins instead of a subquery per row, and GROUP BY pushed to
     * postgres_fdw shards (sql_group.c, docs/scale.md) */
    .grouped_aggregates = 1,
    /* with partitioned collections (postgres_fdw shards) the grouped
     * aggregates are computed per partition, on the shard; no effect on
     * plain tables (measured: docs/scale.md) */
    .session = "SET enable_partitionwise_aggregate = on; SET enable_partitionwise_join = on;",
};
