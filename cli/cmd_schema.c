/* cmd_schema.c — `camp schema --from-db DB [--output FILE]`: writes `.camp`
 * schemas for the tables of a database (stdout by default).
 * `--from-ddl FILE.sql` loads the file's CREATE TABLE statements into an
 * in-memory database and imports that.  Exit 0 on success, 1 when the
 * database or file cannot be used, 2 on bad usage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "lang/format.h"
#include "runtime/db/schema_import.h"

static int usage(void) {
  fprintf(stderr, "usage: camp schema --from-db DB.sqlite [--output FILE]\n"
                  "       camp schema --from-ddl FILE.sql [--output FILE]\n");
  return 2;
}

/* The generated text in `camp fmt` layout, so imports are fmt-clean. */
static char *canonical(FILE *tmp) {
  long n = ftell(tmp);
  rewind(tmp);
  char *raw = malloc((size_t)n + 1);
  if (!raw || fread(raw, 1, (size_t)n, tmp) != (size_t)n) abort();
  raw[n] = 0;
  Arena a = {0};
  Diags d;
  diags_init(&d, &a);
  int f = diags_add_source(&d, "schema", raw, (size_t)n);
  Module *m = parse_source(&a, &d, f);
  char *out = d.nerrors ? NULL : format_module(m, diags_file(&d, f));
  if (out) free(raw); else out = raw;
  diags_free(&d);
  arena_free(&a);
  return out;
}

/* Writes the import into path, or stdout when path is NULL. */
static int write_schemas(Db *db, const char *how, const char *label, const char *path) {
  char err[1024];
  FILE *tmp = tmpfile(); /* so a failed import leaves FILE untouched */
  if (!tmp) {
    fprintf(stderr, "camp schema: cannot create a temporary file: %s\n", strerror(errno));
    return 1;
  }
  if (schema_import(db, how, label, SCHEMA_IMPORT_SAMPLE, tmp, err, sizeof err) != 0) {
    fprintf(stderr, "camp schema: %s\n", err);
    fclose(tmp);
    return 1;
  }
  FILE *out = path ? fopen(path, "w") : stdout;
  if (!out) {
    fprintf(stderr, "camp schema: cannot write `%s`: %s\n", path, strerror(errno));
    fclose(tmp);
    return 1;
  }
  char *text = canonical(tmp);
  fclose(tmp);
  fputs(text, out);
  free(text);
  int bad = ferror(out) || fflush(out) != 0;
  if (path && fclose(out) != 0) bad = 1;
  if (bad) {
    fprintf(stderr, "camp schema: cannot write `%s`: %s\n", path ? path : "stdout",
            strerror(errno));
    return 1;
  }
  return 0;
}

/* The whole of path, NUL-terminated (malloc'd), or NULL with errno set. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 8192, len = 0, n;
  char *buf = malloc(cap);
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (len + 1 == cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf) abort();
  if (bad) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  buf[len] = 0;
  return buf;
}

/* An in-memory SQLite database holding the tables of a DDL file. */
static Db *load_ddl(const char *path) {
  char err[1024];
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    fprintf(stderr, "camp schema: `%s` is a directory\n", path);
    return NULL;
  }
  char *sql = slurp(path);
  if (!sql) {
    fprintf(stderr, "camp schema: cannot read `%s`: %s\n", path, strerror(errno));
    return NULL;
  }
  Db *db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp schema: %s\n", err);
    free(sql);
    return NULL;
  }
  if (db_exec(db, sql) != 0) {
    fprintf(stderr, "camp schema: %s: %s\n", path, db_error(db));
    db_close(db);
    db = NULL;
  }
  free(sql);
  return db;
}

int cmd_schema(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("schema", argc, argv, "from-db,from-ddl,output", &o);
  if (rc) return rc;
  if (!o.from_db == !o.from_ddl || o.nfiles > 0) return usage();
  char err[1024];
  Db *db = o.from_ddl ? load_ddl(o.from_ddl) : db_open(o.from_db, DB_OPEN_READONLY, err, sizeof err);
  if (!db) {
    if (!o.from_ddl) fprintf(stderr, "camp schema: %s\n", err);
    return 1;
  }
  rc = o.from_ddl ? write_schemas(db, "--from-ddl", o.from_ddl, o.output)
                  : write_schemas(db, "--from-db", o.from_db, o.output);
  db_close(db);
  return rc;
}
