/* pg_fixture.h — test fixtures from SQLite into PostgreSQL (tests only). */
#ifndef CAMP_PG_FIXTURE_H
#define CAMP_PG_FIXTURE_H

#include "compiler/check/program.h"
#include "runtime/db/db.h"

/* Copies the tables of p's schemas (and camp's own tables a fixture made)
 * from src into dst.  0 or -1 with a message in err. */
int pg_fixture_copy(Db *src, Db *dst, Program *p, char *err, size_t errlen);
/* A connection to url after emptying it: schemas public and camp dropped
 * and public created again.  NULL with a message in err. */
Db *pg_fixture_fresh(const char *url, char *err, size_t errlen);

#endif
