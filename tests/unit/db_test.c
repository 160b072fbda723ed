/* db_test.c — tests of the SQLite backend (runtime/db/db_sqlite.c) through
 * db.h: open modes, exec, prepare/bind/step/column, transactions, camp_hash
 * (fixed outputs: the hash must never change between versions or hosts)
 * and table introspection.  Prints `db_test: N passed, N failed`.
 *
 * Build: gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I runtime \
 *          -o db_test tests/unit/db_test.c runtime/db/db_sqlite.c -lsqlite3 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/db/db.h"

static int passed, failed;

#define CHECK(cond)                                                    \
  do {                                                                 \
    if (cond) {                                                        \
      passed++;                                                        \
    } else {                                                           \
      failed++;                                                        \
      fprintf(stderr, "FAIL db_test %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                  \
  } while (0)

static Db *open_memory(void) {
  char err[256];
  Db *db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "FAIL db_test: cannot open :memory:: %s\n", err);
    exit(1);
  }
  return db;
}

static void test_exec_and_query(void) {
  Db *db = open_memory();
  CHECK(strcmp(db_backend(db), "sqlite") == 0);
  CHECK(db_exec(db, "CREATE TABLE t (a INTEGER, b TEXT, c REAL); "
                    "INSERT INTO t VALUES (1, 'one', 1.5), (2, NULL, 2.5)") == 0);
  CHECK(db_query_int(db, "SELECT count(*) FROM t", -1) == 2);
  CHECK(db_query_int(db, "SELECT a FROM t WHERE a > 5", -7) == -7); /* no row */
  CHECK(db_query_int(db, "SELECT NULL", -3) == -3);
  CHECK(db_exec(db, "SELEC nonsense") != 0);
  CHECK(strstr(db_error(db), "syntax error") != NULL);
  CHECK(db_prepare(db, "SELECT * FROM missing") == NULL);
  CHECK(strstr(db_error(db), "no such table") != NULL);
  db_close(db);
}

static void test_statements(void) {
  Db *db = open_memory();
  db_exec(db, "CREATE TABLE t (a INTEGER, b TEXT, c REAL, d)");
  DbStmt *ins = db_prepare(db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  CHECK(ins != NULL);
  char buf[16];
  strcpy(buf, "first");
  CHECK(db_bind_int(ins, 1, 10) == 0);
  CHECK(db_bind_text(ins, 2, buf) == 0);
  strcpy(buf, "clobbered"); /* text is copied at bind time */
  CHECK(db_bind(ins, 3, (DbValue){.kind = DBV_REAL, .r = 0.25}) == 0);
  CHECK(db_bind_null(ins, 4) == 0);
  CHECK(db_step(ins) == 0);
  CHECK(db_reset(ins) == 0);
  CHECK(db_bind(ins, 1, (DbValue){.kind = DBV_INT, .i = INT64_MAX}) == 0);
  CHECK(db_bind(ins, 2, (DbValue){.kind = DBV_NULL}) == 0);
  CHECK(db_bind_text(ins, 4, "x") == 0);
  CHECK(db_step(ins) == 0);
  CHECK(db_bind_int(ins, 9, 1) != 0); /* no such parameter */
  db_finalize(ins);

  DbStmt *sel = db_prepare(db, "SELECT a, b AS label, c, d FROM t ORDER BY a");
  CHECK(db_column_count(sel) == 4);
  CHECK(strcmp(db_column_name(sel, 1), "label") == 0);
  CHECK(db_step(sel) == 1);
  DbValue a = db_column(sel, 0), b = db_column(sel, 1), c = db_column(sel, 2), d = db_column(sel, 3);
  CHECK(a.kind == DBV_INT && a.i == 10);
  CHECK(b.kind == DBV_TEXT && strcmp(b.s, "first") == 0);
  CHECK(c.kind == DBV_REAL && c.r == 0.25);
  CHECK(d.kind == DBV_NULL);
  CHECK(db_step(sel) == 1);
  CHECK(db_column(sel, 0).i == INT64_MAX);
  CHECK(db_column(sel, 1).kind == DBV_NULL);
  CHECK(db_step(sel) == 0);
  db_finalize(sel);

  /* A constraint violation is reported by db_step as -1. */
  db_exec(db, "CREATE TABLE u (k INTEGER PRIMARY KEY)");
  db_exec(db, "INSERT INTO u VALUES (1)");
  DbStmt *dup = db_prepare(db, "INSERT INTO u VALUES (1)");
  CHECK(db_step(dup) == -1);
  CHECK(strstr(db_error(db), "UNIQUE") != NULL);
  db_finalize(dup);
  db_close(db);
}

static void test_transactions(void) {
  Db *db = open_memory();
  db_exec(db, "CREATE TABLE t (a INTEGER)");
  CHECK(db_begin(db) == 0);
  db_exec(db, "INSERT INTO t VALUES (1)");
  CHECK(db_rollback(db) == 0);
  CHECK(db_query_int(db, "SELECT count(*) FROM t", -1) == 0);
  CHECK(db_begin(db) == 0);
  CHECK(db_begin(db) != 0); /* no nesting */
  db_exec(db, "INSERT INTO t VALUES (1)");
  CHECK(db_commit(db) == 0);
  CHECK(db_query_int(db, "SELECT count(*) FROM t", -1) == 1);
  CHECK(db_commit(db) != 0); /* nothing open */
  db_close(db);
}

/* Fixed values: changing the hash would change every seeded sample. */
static void test_camp_hash(void) {
  Db *db = open_memory();
  static const struct {
    const char *sql;
    int64_t want;
  } cases[] = {
      {"SELECT camp_hash(42, 'split', 1)", 6478662170191752335},
      {"SELECT camp_hash(42, 'split', 2)", 1488772458944725830},
      {"SELECT camp_hash(42, 'split', '1')", 5705731359548233553},
      {"SELECT camp_hash(0, '', NULL)", 2606547394317768882},
      {"SELECT camp_hash(7, 'dedup', 3.5)", 1042097100415051898},
      {"SELECT camp_hash(1, 'x', -0.0)", 1329951249805869461},
      {"SELECT camp_hash(1, 'x', 0.0)", 1329951249805869461},
      {"SELECT camp_hash(42, 'sample', 'alice@example.com')", 4353580951245718745},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t got = db_query_int(db, cases[i].sql, -1);
    if (got != cases[i].want)
      fprintf(stderr, "  %s = %" PRId64 ", want %" PRId64 "\n", cases[i].sql, got,
              cases[i].want);
    CHECK(got == cases[i].want);
  }
  DbValue v[3] = {{.kind = DBV_INT, .i = 42}, {.kind = DBV_TEXT, .s = "split"},
                  {.kind = DBV_INT, .i = 1}};
  CHECK(db_hash_values(v, 3) == 6478662170191752335ULL); /* C agrees with SQL */
  /* Never negative, and roughly uniform: 10 buckets of 20000 values. */
  db_exec(db, "CREATE TABLE n (i INTEGER PRIMARY KEY)");
  db_exec(db, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) "
              "INSERT INTO n SELECT i FROM c");
  CHECK(db_query_int(db, "SELECT count(*) FROM n WHERE camp_hash(9, 's', i) < 0", -1) == 0);
  CHECK(db_query_int(db, "SELECT min(k) FROM (SELECT count(*) AS k FROM n "
                         "GROUP BY camp_hash(9, 's', i) % 10)", -1) > 1800);
  CHECK(db_query_int(db, "SELECT max(k) FROM (SELECT count(*) AS k FROM n "
                         "GROUP BY camp_hash(9, 's', i) % 10)", -1) < 2200);
  CHECK(db_query_int(db, "SELECT camp_hash()", -5) == -5); /* needs an argument */
  db_close(db);
}

static const DbColumnInfo *col(const DbTableInfo *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(t->cols[i].name, name) == 0) return &t->cols[i];
  return NULL;
}

static void test_introspection(void) {
  Db *db = open_memory();
  CHECK(db_exec(db,
                "CREATE TABLE stores (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(80) NOT NULL,"
                "  store_id INTEGER REFERENCES stores, store_code TEXT REFERENCES stores(code),"
                "  a INT, b INT, FOREIGN KEY (a, b) REFERENCES pairs(x, y));"
                "CREATE UNIQUE INDEX ce ON customers(email);"
                "CREATE UNIQUE INDEX cab ON customers(a, b);"
                "CREATE TABLE pairs (x INT, y INT, PRIMARY KEY (x, y));"
                "CREATE TABLE camp_runs (id INTEGER);"
                "CREATE TABLE campaigns (id INTEGER);") == 0);
  DbTableInfo t;
  CHECK(db_table_info(db, "CUSTOMERS", &t) == 0);
  CHECK(strcmp(t.name, "customers") == 0);
  CHECK(t.ncols == 6);
  const DbColumnInfo *id = col(&t, "id"), *email = col(&t, "email"),
                     *sid = col(&t, "store_id"), *scode = col(&t, "store_code"),
                     *a = col(&t, "a");
  CHECK(id && id->pk == 1 && !id->unique && !id->fk_table);
  CHECK(email && email->unique && email->notnull && strcmp(email->decl_type, "VARCHAR(80)") == 0);
  CHECK(sid && sid->fk_table && strcmp(sid->fk_table, "stores") == 0);
  CHECK(sid && sid->fk_column && strcmp(sid->fk_column, "id") == 0); /* resolved pk */
  CHECK(scode && scode->fk_column && strcmp(scode->fk_column, "code") == 0);
  CHECK(a && !a->fk_table && !a->unique); /* composite fk and index */
  db_free_table_info(&t);
  CHECK(db_table_info(db, "nope", &t) == -1);

  DbForeignKey *fks;
  int n = db_foreign_keys(db, "customers", &fks);
  CHECK(n == 3);
  if (n == 3) {
    CHECK(strcmp(fks[0].table, "stores") == 0 && fks[0].ncols == 1 && fks[0].to[0] == NULL);
    CHECK(fks[2].ncols == 2 && strcmp(fks[2].from[1], "b") == 0 && strcmp(fks[2].to[1], "y") == 0);
  }
  db_free_foreign_keys(fks, n);

  DbTableInfo *all;
  n = db_tables(db, &all);
  CHECK(n == 4); /* camp_runs skipped; campaigns kept */
  if (n == 4) {
    CHECK(strcmp(all[0].name, "campaigns") == 0 && strcmp(all[3].name, "stores") == 0);
    CHECK(all[2].cols[0].pk == 1 && all[2].cols[1].pk == 2); /* pairs */
  }
  db_free_tables(all, n);
  db_close(db);
}

static void test_open_errors(void) {
  char err[256], path[] = "/tmp/db_test_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  const char junk[] = "this is a text file and certainly not a SQLite database\n";
  CHECK(write(fd, junk, sizeof junk - 1) == (ssize_t)(sizeof junk - 1));
  close(fd);
  CHECK(db_open(path, DB_OPEN_READONLY, err, sizeof err) == NULL);
  CHECK(strstr(err, "is not a SQLite database") != NULL);
  unlink(path);
  CHECK(db_open(path, DB_OPEN_READWRITE, err, sizeof err) == NULL); /* missing */
  CHECK(strstr(err, "No such file") != NULL);
  Db *db = db_open(path, DB_OPEN_CREATE, err, sizeof err);
  CHECK(db != NULL);
  if (db) {
    CHECK(db_exec(db, "CREATE TABLE t (a)") == 0);
    db_close(db);
  }
  char prefixed[64];
  snprintf(prefixed, sizeof prefixed, "sqlite:%s", path);
  db = db_open(prefixed, DB_OPEN_READONLY, err, sizeof err);
  CHECK(db != NULL);
  if (db) {
    CHECK(db_query_int(db, "SELECT count(*) FROM t", -1) == 0);
    CHECK(db_exec(db, "INSERT INTO t VALUES (1)") != 0); /* read-only */
    db_close(db);
  }
  unlink(path);
}

/* A second process waits for the write lock (busy timeout) instead of
 * failing with "database is locked".  The child opens its own connection:
 * SQLite connections must not cross fork(). */
static void test_busy_wait(void) {
  char err[256], path[] = "/tmp/db_test_lock_XXXXXX";
  int fd = mkstemp(path), ready[2];
  close(fd);
  Db *setup = db_open(path, DB_OPEN_READWRITE, err, sizeof err);
  CHECK(setup && db_exec(setup, "CREATE TABLE t (a)") == 0);
  db_close(setup);
  CHECK(pipe(ready) == 0);
  pid_t pid = fork();
  if (pid == 0) { /* takes the lock, holds it 300 ms, then commits */
    Db *a = db_open(path, DB_OPEN_READWRITE, err, sizeof err);
    int bad = !a || db_begin(a) != 0 || db_exec(a, "INSERT INTO t VALUES (1)") != 0;
    CHECK(write(ready[1], "x", 1) == 1);
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    bad = bad || db_commit(a) != 0;
    if (bad) fprintf(stderr, "  child: %s\n", a ? db_error(a) : err);
    db_close(a);
    _exit(bad);
  }
  char c;
  CHECK(read(ready[0], &c, 1) == 1);
  Db *b = db_open(path, DB_OPEN_READWRITE, err, sizeof err);
  CHECK(b != NULL);
  if (b) {
    CHECK(db_begin(b) == 0); /* blocks until the child commits */
    CHECK(db_query_int(b, "SELECT count(*) FROM t", -1) == 1);
    CHECK(db_exec(b, "INSERT INTO t VALUES (2)") == 0 && db_commit(b) == 0);
    db_close(b);
  }
  int status = 1;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(ready[0]);
  close(ready[1]);
  unlink(path);
}

int main(void) {
  test_exec_and_query();
  test_statements();
  test_transactions();
  test_camp_hash();
  test_introspection();
  test_open_errors();
  test_busy_wait();
  printf("db_test: %d passed, %d failed\n", passed, failed);
  return failed != 0;
}
