/* pg_load.c — `pg_load FILE.camp SQLITE URL`: empties the PostgreSQL
 * database URL (schemas public and camp) and copies into it the tables of
 * FILE.camp's schemas from the SQLite file, typed as tests/pg/pg_fixture.c
 * describes.  Used by tests/pg/run.sh and the PostgreSQL benchmark. */
#include <stdio.h>

#include "tests/pg/pg_fixture.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: pg_load FILE.camp SQLITE URL\n");
    return 2;
  }
  Program *p = program_new();
  program_load(p, argv[1]);
  program_check(p);
  if (p->diags.nerrors) {
    fprintf(stderr, "pg_load: %s does not check\n", argv[1]);
    return 1;
  }
  char err[4096];
  Db *src = db_open(argv[2], DB_OPEN_READONLY, err, sizeof err);
  if (!src) {
    fprintf(stderr, "pg_load: %s\n", err);
    return 1;
  }
  Db *dst = pg_fixture_fresh(argv[3], err, sizeof err);
  int rc = !dst || db_exec(dst, "BEGIN") || pg_fixture_copy(src, dst, p, err, sizeof err) ||
           db_exec(dst, "COMMIT; ANALYZE");
  if (rc) fprintf(stderr, "pg_load: %s\n", dst && !err[0] ? db_error(dst) : err);
  db_close(src);
  db_close(dst);
  program_free(p);
  return rc;
}
