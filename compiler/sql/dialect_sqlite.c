/* dialect_sqlite.c — how camp's operations are spelled in SQLite.  Dates
 * are ISO-8601 text, booleans 0/1, durations integer seconds; camp_hash is
 * registered by the runtime's SQLite backend (runtime/db/db_sqlite.c). */
#include <string.h>

#include "compiler/sql/sql_internal.h"

const SqlDialect sql_dialect_sqlite = {
    .name = "sqlite",
    .create_temp = "CREATE TEMP TABLE",
    .drop_temp = "DROP TABLE IF EXISTS temp.%1",
    .create_table = "CREATE TABLE",
    .drop_table = "DROP TABLE IF EXISTS %1",
    .key_index_temp = "CREATE INDEX temp.%1 ON %2(\"_key\")",
    .key_index = "CREATE INDEX %1 ON %2(\"_key\")",
    .now_default = "datetime('now')",
    .nulls_last = " NULLS LAST",
    .true_lit = "1",
    .false_lit = "0",
    .ts_add_seconds = "datetime(%1, (%2) || ' seconds')",
    .date_add_days = "date(%1, (%2) || ' days')",
    .to_timestamp = "datetime(%1)",
    .to_date = "date(%1)",
    .seconds_between = "CAST(round((julianday(%1) - julianday(%2)) * 86400) AS INTEGER)",
    .days_between = "CAST(julianday(%1) - julianday(%2) AS INTEGER)",
    .years_between = "(CAST(strftime('%Y', %1) AS INTEGER) - CAST(strftime('%Y', %2) AS INTEGER)"
                     " - (strftime('%m-%d', %1) < strftime('%m-%d', %2)))",
    .year = "CAST(strftime('%Y', %1) AS INTEGER)",
    .month = "CAST(strftime('%m', %1) AS INTEGER)",
    .day = "CAST(strftime('%d', %1) AS INTEGER)",
    .hour = "CAST(strftime('%H', %1) AS INTEGER)",
    .weekday = "CAST(strftime('%w', %1) AS INTEGER)",
    .weekday_iso = "((CAST(strftime('%w', %1) AS INTEGER) + 6) % 7 + 1)",
    /* weeks start on Monday (ISO 8601); a quarter on Jan 1, Apr 1, Jul 1, Oct 1 */
    .trunc_date = {"date(%1, 'start of year')",
                   "date(%1, 'start of month', '-' || ((CAST(strftime('%m', %1) AS INTEGER) - 1) % 3) || ' months')",
                   "date(%1, 'start of month')",
                   "date(%1, '-' || ((CAST(strftime('%w', %1) AS INTEGER) + 6) % 7) || ' days')",
                   "date(%1)", NULL, NULL},
    .trunc_ts = {"datetime(%1, 'start of year')",
                 "datetime(%1, 'start of month', '-' || ((CAST(strftime('%m', %1) AS INTEGER) - 1) % 3) || ' months')",
                 "datetime(%1, 'start of month')",
                 "datetime(%1, 'start of day', '-' || ((CAST(strftime('%w', %1) AS INTEGER) + 6) % 7) || ' days')",
                 "datetime(%1, 'start of day')",
                 "strftime('%Y-%m-%d %H:00:00', %1)",
                 "strftime('%Y-%m-%d %H:%M:00', %1)"},
    /* registered by runtime/db/db_sqlite.c (libical's tz database) */
    .to_timezone = "camp_to_timezone(%1, %2)",
    .string_agg = "group_concat(%1, %2)",
    .sqrt_ = "sqrt(%1)",
    .like = "%1 LIKE %2",
    .not_like = "%1 NOT LIKE %2",
    .contains = "instr(%1, %2) > 0",
    .starts = "substr(%1, 1, length(%2)) = %2",
    .concat2 = "coalesce(%1, '') || coalesce(%2, '')",
    .floor_ = "(CAST(%1 AS INTEGER) - ((%1) < CAST(%1 AS INTEGER)))",
    .ceil_ = "(CAST(%1 AS INTEGER) + ((%1) > CAST(%1 AS INTEGER)))",
    .round1 = "round(%1)",
    .round2 = "round(%1, %2)",
    .least = "min(%1, %2)",
    .greatest = "max(%1, %2)",
    .hash = "camp_hash(%1, %2, %3)",
    .rows_array = "json_group_array(json(%1))",
    .rows_object_pair = "%1, %2",
    .rows_object = "json_object(%1)",
    .rows_empty = "'[]'",
    .percent_limit = "CAST(%1 * %2 / 100.0 + 0.5 AS INTEGER)",
    .divide_real = "CAST(%1 AS REAL) / %2",
    /* a decimal is a REAL: written as text (placeholders, extracts,
     * string_agg) and into JSON rows as one, 130.0, also when a NUMERIC
     * column holds the integral value as an integer (which SQLite writes
     * 130, PostgreSQL's numeric read as double 130.0) */
    .text_real = "CAST(CAST(%1 AS REAL) AS TEXT)",
    .json_real = "CAST(%1 AS REAL)",
};

const SqlDialect *sql_dialect(const char *name) {
  if (!name || strcmp(name, "sqlite") == 0) return &sql_dialect_sqlite;
  if (strcmp(name, "postgres") == 0 || strcmp(name, "postgresql") == 0) return &sql_dialect_postgres;
  return NULL;
}

const char *sql_dialect_name(const SqlDialect *d) { return d ? d->name : "sqlite"; }
