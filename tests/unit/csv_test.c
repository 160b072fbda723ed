/* csv_test.c — tests of runtime/delivery/csv_import.c (reconcile files into tables)
 * and runtime/delivery/extract.c (atomic CSV extraction files, outbox rows), on the
 * fixtures in tests/unit/data/ and on files made here in a temp directory.
 * Prints `csv_test: N passed, N failed`; exits 1 on a failure.  Run from
 * anywhere when built with an absolute source path, else from the repo root
 * (or set CSV_TEST_DATA to the fixture directory).
 *
 * Build: gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I runtime \
 *          -o csv_test tests/unit/csv_test.c runtime/delivery/csv_import.c \
 *          runtime/delivery/extract.c runtime/db/db_sqlite.c -lsqlite3 -lcsv -lm */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/delivery/csv_import.h"
#include "runtime/db/db.h"
#include "runtime/delivery/extract.h"

static int passed, failed;
static char data_dir[1024], tmp_dir[256];

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond) {                                                               \
      passed++;                                                               \
    } else {                                                                  \
      failed++;                                                               \
      fprintf(stderr, "FAIL csv_test %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                         \
  } while (0)

/* ------------------------------------------------------------ helpers */

static Db *open_memory(void) {
  char err[256];
  Db *db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "FAIL csv_test: cannot open :memory:: %s\n", err);
    exit(1);
  }
  return db;
}

static const char *fixture(const char *name) {
  static char buf[4][1200];
  static int k;
  char *b = buf[k++ % 4];
  snprintf(b, sizeof buf[0], "%s/%s", data_dir, name);
  return b;
}

static const char *tmp_path(const char *name) {
  static char buf[4][512];
  static int k;
  char *b = buf[k++ % 4];
  snprintf(b, sizeof buf[0], "%s/%s", tmp_dir, name);
  return b;
}

/* First column of the first row as text ("NULL" for NULL, "" if no row);
 * a static buffer. */
static const char *q1(Db *db, const char *sql) {
  static char out[4][512];
  static int k;
  char *o = out[k++ % 4];
  o[0] = 0;
  DbStmt *st = db_prepare(db, sql);
  if (!st) {
    snprintf(o, 512, "ERROR %s", db_error(db));
    return o;
  }
  if (db_step(st) == 1) {
    DbValue v = db_column(st, 0);
    switch (v.kind) {
      case DBV_NULL: snprintf(o, 512, "NULL"); break;
      case DBV_INT: snprintf(o, 512, "%lld", (long long)v.i); break;
      case DBV_REAL: snprintf(o, 512, "%.17g", v.r); break;
      case DBV_TEXT: snprintf(o, 512, "%s", v.s); break;
    }
  }
  db_finalize(st);
  return o;
}

static int eq(const char *got, const char *want) {
  if (strcmp(got, want) == 0) return 1;
  fprintf(stderr, "  want [%s]\n  got  [%s]\n", want, got);
  return 0;
}

static char *read_all(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  rewind(fp);
  char *s = malloc((size_t)n + 1);
  s[fread(s, 1, (size_t)n, fp)] = 0;
  fclose(fp);
  return s;
}

static int file_exists(const char *path) { return access(path, F_OK) == 0; }

static int table_exists(Db *db, const char *name) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM (SELECT name FROM sqlite_master UNION ALL "
           "SELECT name FROM sqlite_temp_master) WHERE name = '%s'", name);
  return db_query_int(db, sql, -1) > 0;
}

static void dump_errors(const CsvErrors *e) {
  for (int i = 0; i < e->nmsgs; i++) fprintf(stderr, "    %s\n", e->msgs[i]);
}

/* Does errs hold exactly `want` (messages with the fixture dir stripped)? */
static int errors_are(const CsvErrors *e, const char *const *want, int n) {
  int ok = e->nmsgs == n;
  size_t dl = strlen(data_dir);
  for (int i = 0; ok && i < n; i++) {
    const char *m = e->msgs[i];
    if (strncmp(m, data_dir, dl) == 0 && m[dl] == '/') m += dl + 1;
    ok = strcmp(m, want[i]) == 0;
    if (!ok) fprintf(stderr, "  message %d: want [%s]\n  got [%s]\n", i, want[i], m);
  }
  if (!ok) dump_errors(e);
  return ok;
}

static const CsvColumn ALL[] = {{"id", "int"},       {"name", "text"}, {"amount", "decimal"},
                                {"active", "bool"},  {"day", "date"},  {"at", "timestamp"}};

/* --------------------------------------------------------- csv_import */

static void test_good(void) {
  Db *db = open_memory();
  CsvErrors e = {0};
  int rc = csv_import(db, fixture("good.csv"), ALL, 6, "rec", 0, &e);
  CHECK(rc == 0 && e.count == 0);
  if (rc) dump_errors(&e);
  CHECK(db_query_int(db, "SELECT count(*) FROM rec", -1) == 6);
  CHECK(eq(q1(db, "SELECT group_concat(_line || ':' || id, ' ') FROM rec"),
           "2:1 3:2 4:3 6:4 7:5 9:6"));
  CHECK(eq(q1(db, "SELECT name FROM rec WHERE id = 2"), "Lovelace, Ada"));
  CHECK(eq(q1(db, "SELECT name FROM rec WHERE id = 3"), "She said \"hi\"\non two lines"));
  CHECK(eq(q1(db, "SELECT name FROM rec WHERE id = 4"), "NULL"));
  CHECK(eq(q1(db, "SELECT name FROM rec WHERE id = 5"), "Åsa Öberg 😀"));
  CHECK(eq(q1(db, "SELECT name FROM rec WHERE id = 6"), " spaced "));
  CHECK(eq(q1(db, "SELECT group_concat(typeof(amount) || '=' || ifnull(amount, '-'), ' ') "
                  "FROM rec"), "real=100.5 real=-3.0 real=1000.0 null=- real=0.25 real=7.0"));
  CHECK(eq(q1(db, "SELECT group_concat(ifnull(active, '-'), '') FROM rec"), "101-10"));
  CHECK(eq(q1(db, "SELECT typeof(active) FROM rec WHERE id = 1"), "integer"));
  CHECK(eq(q1(db, "SELECT group_concat(ifnull(day, '-'), ' ') FROM rec"),
           "2026-03-01 2024-02-29 - 2026-12-31 2026-01-02 2000-02-29"));
  CHECK(eq(q1(db, "SELECT group_concat(ifnull(at, '-'), '|') FROM rec"),
           "2026-03-01 09:30:00|2026-03-01 23:59:59|-|2026-01-01 00:00:00|"
           "2026-01-02 03:04:00|1999-12-31 23:59:59"));
  /* Columns in declared order after _line; extra file columns left out. */
  CHECK(eq(q1(db, "SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('rec')"),
           "_line INTEGER, id INTEGER, name TEXT, amount REAL, active BOOLEAN, day DATE, "
           "at TIMESTAMP"));
  /* A second import into the same name fails and leaves the first alone. */
  rc = csv_import(db, fixture("good.csv"), ALL, 6, "rec", 0, &e);
  CHECK(rc == -1 && e.count == 1 && strstr(e.msgs[0], "already exists"));
  CHECK(db_query_int(db, "SELECT count(*) FROM rec", -1) == 6);
  csv_errors_free(&e);
  CHECK(e.count == 0 && e.nmsgs == 0);
  db_close(db);
}

static void test_crlf_bom_temp(void) {
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"name", "text"}, {"id", "int"}};
  /* An awkward table name is quoted, not spliced. */
  int rc = csv_import(db, fixture("crlf_bom.csv"), cols, 2, "we\"ird t", 1, &e);
  CHECK(rc == 0);
  if (rc) dump_errors(&e);
  CHECK(eq(q1(db, "SELECT group_concat(_line || ':' || id || ':' || name, '|') "
                  "FROM temp.\"we\"\"ird t\""), "2:1:multi\r\nline|4:2:plain|6:3:last"));
  CHECK(db_query_int(db, "SELECT count(*) FROM sqlite_temp_master WHERE name = 'we\"ird t'",
                     -1) == 1);
  CHECK(db_query_int(db, "SELECT count(*) FROM sqlite_master", -1) == 0);
  db_close(db);
}

static void test_bad_records(void) {
  Db *db = open_memory();
  CsvErrors e = {0};
  int rc = csv_import(db, fixture("bad.csv"), ALL, 6, "rec", 0, &e);
  CHECK(rc == 8);
  CHECK(e.count == 11);
  const char *want[] = {
      "bad.csv:3: column `id`: `x1` is not a valid int",
      "bad.csv:4: column `day`: `2026-02-30` is not a valid date",
      "bad.csv:5: 3 fields, the header has 6",
      "bad.csv:6: column `amount`: `1,5` is not a valid decimal",
      "bad.csv:6: column `active`: `maybe` is not a valid bool",
      "bad.csv:6: column `at`: `2026-01-01 24:00` is not a valid timestamp",
      "bad.csv:7: column `name`: invalid UTF-8",
      "bad.csv:9: column `day`: `2026-1-1` is not a valid date",
      "bad.csv:9: column `at`: `2026-01-01 10:00:60` is not a valid timestamp",
      "bad.csv:10: column `amount`: `99999999999999999999e999` is not a valid decimal",
      "bad.csv:11: column `id`: `9223372036854775808` is not a valid int",
  };
  CHECK(errors_are(&e, want, 11));
  CHECK(!table_exists(db, "rec")); /* nothing half-filled stays behind */
  csv_errors_free(&e);
  /* The same inside a caller's transaction, TEMP: still no table. */
  CHECK(db_begin(db) == 0);
  CHECK(csv_import(db, fixture("bad.csv"), ALL, 6, "rec", 1, &e) == 8);
  CHECK(!table_exists(db, "rec"));
  CHECK(db_commit(db) == 0);
  csv_errors_free(&e);
  db_close(db);
}

static void test_header_problems(void) {
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"id", "int"}, {"name", "text"}, {"store", "int"}};
  CHECK(csv_import(db, fixture("missing_col.csv"), cols, 3, "rec", 0, &e) == 1);
  const char *want[] = {"missing_col.csv:1: column `name` is missing from the header",
                        "missing_col.csv:1: column `store` is missing from the header"};
  CHECK(errors_are(&e, want, 2));
  CHECK(!table_exists(db, "rec"));
  csv_errors_free(&e);
  CHECK(csv_import(db, fixture("dup_header.csv"), cols, 2, "rec", 0, &e) == 1);
  const char *dup[] = {"dup_header.csv:1: column `id` appears twice in the header"};
  CHECK(errors_are(&e, dup, 1));
  csv_errors_free(&e);
  const char *empty[] = {"empty.csv:1: empty file (a header row is required)"};
  CHECK(csv_import(db, fixture("empty.csv"), cols, 2, "rec", 0, &e) == 1);
  CHECK(errors_are(&e, empty, 1));
  csv_errors_free(&e);
  const char *blank[] = {"blank.csv:1: empty file (a header row is required)"};
  CHECK(csv_import(db, fixture("blank.csv"), cols, 2, "rec", 0, &e) == 1);
  CHECK(errors_are(&e, blank, 1));
  CHECK(!table_exists(db, "rec"));
  csv_errors_free(&e);
  /* A header and no records: an empty table. */
  CHECK(csv_import(db, fixture("header_only.csv"), cols, 2, "rec", 0, &e) == 0);
  CHECK(table_exists(db, "rec") && db_query_int(db, "SELECT count(*) FROM rec", -1) == 0);
  db_close(db);
}

static void test_quoting_errors(void) {
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"id", "int"}, {"name", "text"}};
  CHECK(csv_import(db, fixture("bad_quote.csv"), cols, 2, "rec", 0, &e) == 1);
  const char *q[] = {"bad_quote.csv:3: bad quoting (a `\"` inside an unquoted field, or "
                     "text after a closing quote)"};
  CHECK(errors_are(&e, q, 1));
  CHECK(!table_exists(db, "rec"));
  csv_errors_free(&e);
  CHECK(csv_import(db, fixture("unclosed.csv"), cols, 2, "rec", 0, &e) == 1);
  const char *u[] = {"unclosed.csv:3: a quoted field is never closed"};
  CHECK(errors_are(&e, u, 1));
  CHECK(!table_exists(db, "rec"));
  csv_errors_free(&e);
  db_close(db);
}

static void test_io_errors(void) {
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"id", "int"}};
  CHECK(csv_import(db, fixture("no_such.csv"), cols, 1, "rec", 0, &e) == -1);
  CHECK(e.nmsgs == 1 && strstr(e.msgs[0], "cannot open ") == e.msgs[0] &&
        strstr(e.msgs[0], "no_such.csv: No such file or directory"));
  csv_errors_free(&e);
  CHECK(csv_import(db, data_dir, cols, 1, "rec", 0, &e) == -1); /* a directory */
  CHECK(e.nmsgs == 1 && strstr(e.msgs[0], "Is a directory"));
  csv_errors_free(&e);
  const CsvColumn badtype[] = {{"id", "integer"}};
  CHECK(csv_import(db, fixture("good.csv"), badtype, 1, "rec", 0, &e) == -1);
  CHECK(e.nmsgs == 1 && strstr(e.msgs[0], "column `id`: unknown type"));
  csv_errors_free(&e);
  const CsvColumn reserved[] = {{"_line", "int"}};
  CHECK(csv_import(db, fixture("good.csv"), reserved, 1, "rec", 0, &e) == -1);
  CHECK(!table_exists(db, "rec"));
  csv_errors_free(&e);
  db_close(db);
}

/* Many bad records: all counted, 100 kept. */
static void test_many_errors(void) {
  const char *path = tmp_path("many.csv");
  FILE *fp = fopen(path, "w");
  fprintf(fp, "id\n");
  for (int i = 0; i < 150; i++) fprintf(fp, "%s\n", i == 75 ? "1" : "bad");
  fclose(fp);
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"id", "int"}};
  CHECK(csv_import(db, path, cols, 1, "rec", 0, &e) == 149);
  CHECK(e.count == 149 && e.nmsgs == CSV_ERRORS_KEEP);
  CHECK(strstr(e.msgs[99], ":102: column `id`: `bad` is not a valid int") != NULL);
  CHECK(!table_exists(db, "rec"));
  csv_errors_free(&e);
  db_close(db);
}

/* A file far larger than the 64 KiB read buffer, with a quoted newline in
 * every record, so records and quoted fields cross buffer boundaries. */
static void test_large(void) {
  const char *path = tmp_path("large.csv");
  FILE *fp = fopen(path, "w");
  fprintf(fp, "id,note,amount\r\n");
  int n = 50000;
  for (int i = 1; i <= n; i++) fprintf(fp, "%d,\"line one %d\r\n\"\"two\"\"\",%d.5\r\n", i, i, i);
  fclose(fp);
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"id", "int"}, {"note", "text"}, {"amount", "decimal"}};
  CHECK(csv_import(db, path, cols, 3, "big", 0, &e) == 0);
  if (e.count) dump_errors(&e);
  CHECK(db_query_int(db, "SELECT count(*) FROM big", -1) == n);
  /* Record i starts on line 2i (header on 1, two lines per record). */
  CHECK(db_query_int(db, "SELECT count(*) FROM big WHERE _line = 2 * id", -1) == n);
  CHECK(eq(q1(db, "SELECT note FROM big WHERE id = 31337"), "line one 31337\r\n\"two\""));
  CHECK(db_query_int(db, "SELECT sum(amount) * 2 FROM big", -1) == (int64_t)n * (n + 1) + n);
  csv_errors_free(&e);
  db_close(db);
}

/* ------------------------------------------------------------ extract */

typedef struct Rows {
  const char *const (*rows)[4];
  int n, i, fail_at;
} Rows;

static int next_row(void *ctx, const char **fields) {
  Rows *r = ctx;
  if (r->i == r->fail_at) return -1;
  if (r->i >= r->n) return 0;
  memcpy(fields, r->rows[r->i++], 4 * sizeof *fields);
  return 1;
}

static const char *const HEADER[4] = {"id", "name", "note", "city"};
static const char *const ROWS[][4] = {
    {"1", "Ada", NULL, "Uppsala"},
    {"2", "Lovelace, Ada", "", " lead space"},
    {"3", "say \"hi\"", "two\nlines", "Umeå 😀"},
    {"4", "cr\rhere", "tab\tinside", "trail\t"},
};
static const char *const EXPECTED =
    "id,name,note,city\n"
    "1,Ada,,Uppsala\n"
    "2,\"Lovelace, Ada\",\"\",\" lead space\"\n"
    "3,\"say \"\"hi\"\"\",\"two\nlines\",Umeå 😀\n"
    "4,\"cr\rhere\",tab\tinside,\"trail\t\"\n";

static void test_row_csv(void) {
  char *s = extract_row_csv(ROWS[2], 4);
  CHECK(eq(s, "3,\"say \"\"hi\"\"\",\"two\nlines\",Umeå 😀"));
  free(s);
  s = extract_row_csv(ROWS[1], 4);
  CHECK(eq(s, "2,\"Lovelace, Ada\",\"\",\" lead space\""));
  free(s);
  const char *nulls[3] = {NULL, NULL, NULL};
  s = extract_row_csv(nulls, 3);
  CHECK(eq(s, ",,"));
  free(s);
  s = extract_row_csv(NULL, 0);
  CHECK(eq(s, ""));
  free(s);
}

static void test_extract_write(void) {
  char path[512], tmp[600], err[256];
  snprintf(path, sizeof path, "%s", tmp_path("out/deep/er/mail.csv"));
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  Rows r = {ROWS, 4, 0, -1};
  CHECK(extract_write(path, HEADER, 4, next_row, &r, err, sizeof err) == 0);
  char *got = read_all(path);
  CHECK(got && eq(got, EXPECTED));
  free(got);
  CHECK(!file_exists(tmp));
  /* Overwriting replaces the whole file. */
  Rows one = {ROWS, 1, 0, -1};
  CHECK(extract_write(path, HEADER, 4, next_row, &one, err, sizeof err) == 0);
  got = read_all(path);
  CHECK(got && eq(got, "id,name,note,city\n1,Ada,,Uppsala\n"));
  free(got);
  /* A failing row source: -1, the old file untouched, no .tmp. */
  Rows bad = {ROWS, 4, 0, 2};
  err[0] = 0;
  CHECK(extract_write(path, HEADER, 4, next_row, &bad, err, sizeof err) == -1);
  CHECK(strstr(err, "cannot read the rows") != NULL);
  got = read_all(path);
  CHECK(got && eq(got, "id,name,note,city\n1,Ada,,Uppsala\n"));
  free(got);
  CHECK(!file_exists(tmp));
  /* A parent that is a regular file. */
  char blocked[600];
  snprintf(blocked, sizeof blocked, "%s/sub/x.csv", path);
  CHECK(extract_write(blocked, HEADER, 4, next_row, &r, err, sizeof err) == -1);
  CHECK(strstr(err, "cannot create directory") && strstr(err, "Not a directory"));
  /* No rows at all: the header alone. */
  Rows none = {ROWS, 0, 0, -1};
  const char *p2 = tmp_path("plain.csv");
  CHECK(extract_write(p2, HEADER, 4, next_row, &none, err, sizeof err) == 0);
  got = read_all(p2);
  CHECK(got && eq(got, "id,name,note,city\n"));
  free(got);
}

/* What extract writes, csv_import reads back (NULL and "" both NULL). */
static void test_round_trip(void) {
  char err[256];
  const char *path = tmp_path("round.csv");
  Rows r = {ROWS, 4, 0, -1};
  CHECK(extract_write(path, HEADER, 4, next_row, &r, err, sizeof err) == 0);
  Db *db = open_memory();
  CsvErrors e = {0};
  const CsvColumn cols[] = {{"city", "text"}, {"note", "text"}, {"id", "int"},
                            {"name", "text"}};
  CHECK(csv_import(db, path, cols, 4, "back", 0, &e) == 0);
  if (e.count) dump_errors(&e);
  CHECK(eq(q1(db, "SELECT group_concat(_line || '|' || id || '|' || name || '|' || "
                  "ifnull(note, 'NULL') || '|' || city, ';') FROM back"),
           "2|1|Ada|NULL|Uppsala;3|2|Lovelace, Ada|NULL| lead space;"
           "4|3|say \"hi\"|two\nlines|Umeå 😀;6|4|cr\rhere|tab\tinside|trail\t"));
  csv_errors_free(&e);
  db_close(db);
}

/* ------------------------------------------------------------- main */

static void find_data_dir(void) {
  const char *env = getenv("CSV_TEST_DATA");
  if (env) {
    snprintf(data_dir, sizeof data_dir, "%s", env);
    return;
  }
  const char *src = __FILE__, *slash = strrchr(src, '/');
  snprintf(data_dir, sizeof data_dir, "%.*sdata", slash ? (int)(slash - src + 1) : 0, src);
}

int main(void) {
  find_data_dir();
  if (access(fixture("good.csv"), R_OK) != 0) {
    fprintf(stderr, "csv_test: no fixtures in %s (run from the repository root or set "
            "CSV_TEST_DATA)\n", data_dir);
    printf("csv_test: 0 passed, 1 failed\n");
    return 1;
  }
  snprintf(tmp_dir, sizeof tmp_dir, "%s/csv_test.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmp_dir)) {
    fprintf(stderr, "csv_test: cannot make a temp directory: %s\n", strerror(errno));
    return 1;
  }
  test_good();
  test_crlf_bom_temp();
  test_bad_records();
  test_header_problems();
  test_quoting_errors();
  test_io_errors();
  test_many_errors();
  test_large();
  test_row_csv();
  test_extract_write();
  test_round_trip();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
  if (system(cmd) != 0) fprintf(stderr, "csv_test: could not remove %s\n", tmp_dir);
  printf("csv_test: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
