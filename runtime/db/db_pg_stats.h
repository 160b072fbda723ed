/* db_pg_stats.h — PostgreSQL forms of db.h's catalogue functions (see
 * db_pg_stats.c); same contracts as their db.h counterparts. */
#ifndef CAMP_DB_PG_STATS_H
#define CAMP_DB_PG_STATS_H

#include "runtime/db/db.h"

int db_pg_table_names(Db *db, const char *prefix, char ***out);
int64_t db_pg_size_bytes(Db *db);
int64_t db_pg_table_bytes(Db *db, const char *table);
int db_pg_column_indexed(Db *db, const char *table, const char *column);
char *db_pg_distributed_tables(Db *db);

#endif
