/* exec_test.c — runs the SQL that camp generates on small SQLite fixtures
 * and compares the rows of each step with expected keys.
 *
 * Test files (tests/exec/NAME.test) hold cases in plain text:
 *
 *   === case name
 *   --- camp            camp source (schemas + one campaign)
 *   --- data            SQL creating and filling the fixture tables
 *   --- now             optional fixed clock, e.g. 2026-03-01 00:00:00
 *   --- expect          one line per step output:  name: key key key
 *                       or per column:  name.col: key=value key=value
 *                       or a row count:  name#: 3
 *                       (keys ascending; NULL for null values)
 *   --- errors          instead of expect: the case must fail to check
 *                       and each line must appear in some diagnostic
 *
 * Every case that checks is also planned (`camp plan`) with each engine:
 * sql (TEMP tables), interp and jit (the in-memory plan of
 * runtime/exec/exec_mem.c, or its fallback) must give the same members for
 * every step output (CAMP_PLAN_KEYS), and a memory plan that stops must
 * not be the reason two engines agree by accident: the memory plan's own
 * keys are what is compared whenever it ran.
 *
 * With CAMP_TEST_PG_URL set (tests/pg/run.sh does), every such case is
 * also planned on PostgreSQL: the fixture is copied there typed the way a
 * PostgreSQL user types columns (tests/pg/pg_fixture.c) and `camp plan
 * --engine sql|interp|jit` (select and split steps over a snapshot read
 * with COPY) must give SQLite's members for every step output.
 * CAMP_TEST_PG_ONLY=1 leaves out the interp/jit comparisons.
 *
 * A case named `@setup` is not run: its camp and data sections are put in
 * front of every later case of the same file (shared schema and fixture).
 *
 * Usage: exec_test FILE...   prints failures and `exec: N passed, N failed`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/db/db.h"
#include "compiler/check/program.h"
#include "runtime/exec/exec.h"
#include "compiler/sql/sqlgen.h"
#include "tests/pg/pg_fixture.h"

typedef struct Case {
  char *name, *camp, *data, *now, *expect, *errors;
  int line;
} Case;

static int passed, failed;

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  buf[n] = 0;
  fclose(f);
  return buf;
}

static void append(char **dst, const char *line, size_t n) {
  size_t old = *dst ? strlen(*dst) : 0;
  char *s = realloc(*dst, old + n + 2);
  if (!s) abort();
  memcpy(s + old, line, n);
  s[old + n] = '\n';
  s[old + n + 1] = 0;
  *dst = s;
}

static void fail(const char *file, Case *c, const char *fmt, const char *a, const char *b) {
  failed++;
  printf("FAIL %s:%d %s: ", file, c->line, c->name);
  printf(fmt, a, b);
  printf("\n");
}

/* Rows of one step (or step.column) formatted as the expect line's text. */
static char *actual_rows(Db *db, const char *spec, char *err, size_t errlen) {
  char step[256], col[256] = "";
  const char *dot = strchr(spec, '.');
  if (dot) {
    snprintf(step, sizeof step, "%.*s", (int)(dot - spec), spec);
    snprintf(col, sizeof col, "%s", dot + 1);
  } else {
    snprintf(step, sizeof step, "%s", spec);
  }
  char sql[1024];
  size_t sl = strlen(step);
  if (!col[0] && sl && step[sl - 1] == '#') { /* name#: row count */
    step[sl - 1] = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM temp.\"s_%s\"", step);
    col[0] = 0;
  } else if (col[0])
    snprintf(sql, sizeof sql, "SELECT \"_key\", \"%s\" FROM temp.\"s_%s\" ORDER BY 1", col, step);
  else
    snprintf(sql, sizeof sql, "SELECT \"_key\" FROM temp.\"s_%s\" ORDER BY 1", step);
  DbStmt *st = db_prepare(db, sql);
  if (!st) {
    snprintf(err, errlen, "%s", db_error(db));
    return NULL;
  }
  char *out = calloc(1, 1);
  size_t len = 0;
  int rc;
  while ((rc = db_step(st)) == 1) {
    char cell[512];
    for (int i = 0; i < (col[0] ? 2 : 1); i++) {
      DbValue v = db_column(st, i);
      if (v.kind == DBV_NULL) snprintf(cell, sizeof cell, "NULL");
      else if (v.kind == DBV_INT) snprintf(cell, sizeof cell, "%lld", (long long)v.i);
      else if (v.kind == DBV_REAL) snprintf(cell, sizeof cell, "%g", v.r);
      else snprintf(cell, sizeof cell, "%s", v.s);
      size_t n = strlen(cell);
      out = realloc(out, len + n + 3);
      if (!out) abort();
      if (i == 0 && len) out[len++] = ' ';
      if (i == 1) out[len++] = '=';
      memcpy(out + len, cell, n);
      len += n;
      out[len] = 0;
    }
  }
  if (rc < 0) snprintf(err, errlen, "%s", db_error(db));
  db_finalize(st);
  return out;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
  return s;
}

/* Plans the case with one engine on a fresh copy of the fixture and
 * returns the keys of every step output (malloc'd), or NULL. */
static int in_memory, stepwise;

static char *plan_keys(const char *file, Case *c, Program *p, Decl *camp, const char *engine) {
  char err[1024];
  Db *db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db) return NULL;
  if (c->data && db_exec(db, c->data) != 0) {
    db_close(db);
    return NULL;
  }
  char path[] = "/tmp/camp-plan-keys-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    db_close(db);
    return NULL;
  }
  close(fd);
  setenv("CAMP_PLAN_KEYS", path, 1);
  FILE *devnull = fopen("/dev/null", "w");
  int mem = 0;
  ExecOptions o = {.now = c->now ? trim(c->now) : "2026-03-01 00:00:00", .engine = engine, .out = devnull,
                   .planned_in_memory = &mem, .explain = getenv("EXEC_EXPLAIN") != NULL};
  int rc = exec_plan(db, p, camp, file, &o);
  if (strcmp(engine, "sql")) mem ? in_memory++ : stepwise++;
  unsetenv("CAMP_PLAN_KEYS");
  fclose(devnull);
  db_close(db);
  char *keys = rc == 0 ? read_all(path) : NULL;
  unlink(path);
  return keys;
}

/* Plans the case on PostgreSQL (engine sql) after copying the fixture
 * there; the keys of every step output (malloc'd), or NULL with why. */
static int pg_cases;

static char *plan_keys_pg(const char *file, Case *c, Program *p, Decl *camp, const char *url,
                          const char *engine, char *why, size_t whylen) {
  char err[2048];
  Db *src = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!src || (c->data && db_exec(src, c->data) != 0)) {
    snprintf(why, whylen, "fixture: %s", src ? db_error(src) : err);
    db_close(src);
    return NULL;
  }
  Db *db = pg_fixture_fresh(url, err, sizeof err);
  if (!db || pg_fixture_copy(src, db, p, err, sizeof err)) {
    snprintf(why, whylen, "copying the fixture to PostgreSQL: %s", err);
    db_close(src);
    db_close(db);
    return NULL;
  }
  db_close(src);
  char path[] = "/tmp/camp-pg-keys-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    db_close(db);
    return NULL;
  }
  close(fd);
  setenv("CAMP_PLAN_KEYS", path, 1);
  char errpath[] = "/tmp/camp-pg-err-XXXXXX";
  int efd = mkstemp(errpath);
  FILE *devnull = fopen("/dev/null", "w");
  ExecOptions o = {.now = c->now ? trim(c->now) : "2026-03-01 00:00:00", .engine = engine, .out = devnull};
  fflush(stderr);
  int saved = dup(2);
  if (efd >= 0) dup2(efd, 2);
  int rc = exec_plan(db, p, camp, file, &o);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  unsetenv("CAMP_PLAN_KEYS");
  fclose(devnull);
  db_close(db);
  char *keys = rc == 0 ? read_all(path) : NULL;
  if (!keys) {
    char *msg = efd >= 0 ? read_all(errpath) : NULL;
    snprintf(why, whylen, "plan on PostgreSQL failed: %s", msg ? msg : "?");
    free(msg);
  }
  if (efd >= 0) close(efd);
  unlink(errpath);
  unlink(path);
  pg_cases++;
  return keys;
}

/* The differential part: sql vs interp vs jit plans of one case. */
static void plan_engines(const char *file, Case *c, Program *p, Decl *camp) {
  /* reconcile reads its file relative to the campaign: covered by the SQL
   * check above and by tests/runtime */
  for (int i = 0; i < camp->steps.len; i++)
    if (((Step *)camp->steps.items[i])->kind == S_RECONCILE) return;
  char *want = plan_keys(file, c, p, camp, "sql");
  if (!want) {
    fail(file, c, "plan --engine sql failed%s%s", "", "");
    return;
  }
  const char *pg = getenv("CAMP_TEST_PG_URL");
  static const char *pg_engines[] = {"sql", "interp", "jit"};
  for (int i = 0; pg && *pg && i < 3; i++) {
    char why[4096] = "";
    char *got = plan_keys_pg(file, c, p, camp, pg, pg_engines[i], why, sizeof why);
    if (!got || strcmp(got, want)) {
      char label[64];
      snprintf(label, sizeof label, "plan --engine %s on PostgreSQL", pg_engines[i]);
      fail(file, c, "%s: members differ from SQLite:\n%s", label, got ? got : why);
      printf("expected (SQLite):\n%s", want);
    } else {
      passed++;
    }
    free(got);
  }
  static const char *engines[] = {"interp", "jit"};
  const char *pg_only = getenv("CAMP_TEST_PG_ONLY");
  for (int i = 0; i < 2 && !(pg_only && *pg_only == '1'); i++) {
    char *got = plan_keys(file, c, p, camp, engines[i]);
    if (!got || strcmp(got, want)) {
      char label[64];
      snprintf(label, sizeof label, "plan --engine %s", engines[i]);
      fail(file, c, "%s: members differ from --engine sql:\n%s", label, got ? got : "(plan failed)");
      printf("expected (sql):\n%s", want);
    } else {
      passed++;
    }
    free(got);
  }
  free(want);
}

static void run_case(const char *file, Case *c) {
  Program *p = program_new();
  program_load_text(p, file, c->camp ? c->camp : "");
  program_check(p);
  diags_sort(&p->diags);
  if (c->errors) {
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    diags_print_text(&p->diags, mem, 0);
    fclose(mem);
    int ok = p->diags.nerrors > 0;
    char *lines = strdup(c->errors), *save = NULL;
    for (char *l = strtok_r(lines, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
      l = trim(l);
      if (*l && !strstr(text, l)) {
        fail(file, c, "expected a diagnostic containing `%s`, got:\n%s", l, text);
        ok = -1;
        break;
      }
    }
    if (ok == 0) fail(file, c, "expected errors, but the campaign checked clean%s%s", "", "");
    if (ok == 1) passed++;
    free(lines);
    free(text);
    program_free(p);
    return;
  }
  if (p->diags.nerrors) {
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    diags_print_text(&p->diags, mem, 0);
    fclose(mem);
    fail(file, c, "does not check:\n%s%s", text, "");
    free(text);
    program_free(p);
    return;
  }
  Decl *camp = program_campaign(p, NULL);
  char err[1024] = "";
  Db *db = camp ? db_open(":memory:", DB_OPEN_CREATE, err, sizeof err) : NULL;
  if (!db) {
    fail(file, c, "cannot start: %s%s", camp ? err : "no campaign", "");
    program_free(p);
    return;
  }
  SqlOptions so = {.dialect = sql_dialect("sqlite"), .now = c->now ? trim(c->now) : NULL};
  char *sql = sql_campaign(p, camp, &so);
  if (c->data && db_exec(db, c->data) != 0) {
    fail(file, c, "fixture data failed: %s%s", db_error(db), "");
  } else if (db_exec(db, sql) != 0) {
    fail(file, c, "generated SQL failed: %s\n%s", db_error(db), sql);
  } else {
    char *lines = strdup(c->expect ? c->expect : ""), *save = NULL;
    int ok = 1;
    for (char *l = strtok_r(lines, "\n", &save); l && ok; l = strtok_r(NULL, "\n", &save)) {
      char *colon = strchr(l, ':');
      if (!colon) continue;
      *colon = 0;
      char *spec = trim(l), *want = trim(colon + 1);
      err[0] = 0;
      char *got = actual_rows(db, spec, err, sizeof err);
      if (!got || err[0]) {
        fail(file, c, "reading %s: %s", spec, err);
        ok = 0;
      } else if (strcmp(got, want) != 0) {
        char msg[4096];
        snprintf(msg, sizeof msg, "%s: expected [%s]", spec, want);
        fail(file, c, "%s, got [%s]", msg, got);
        ok = 0;
      }
      free(got);
    }
    if (ok) passed++;
    free(lines);
    if (ok) plan_engines(file, c, p, camp);
  }
  free(sql);
  db_close(db);
  program_free(p);
}

static Case setup;

static char *joined(const char *a, const char *b) {
  size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
  char *s = malloc(la + lb + 1);
  if (!s) abort();
  memcpy(s, a ? a : "", la);
  memcpy(s + la, b ? b : "", lb);
  s[la + lb] = 0;
  return s;
}

/* Runs c with the file's @setup in front, or records it as the setup. */
static void run_or_setup(const char *path, Case *c) {
  if (!strcmp(c->name, "@setup")) {
    free(setup.camp);
    free(setup.data);
    setup.camp = c->camp ? strdup(c->camp) : NULL;
    setup.data = c->data ? strdup(c->data) : NULL;
    return;
  }
  char *camp = joined(setup.camp, c->camp), *data = joined(setup.data, c->data);
  char *oc = c->camp, *od = c->data;
  c->camp = camp;
  c->data = data;
  run_case(path, c);
  c->camp = oc;
  c->data = od;
  free(camp);
  free(data);
}

static void run_file(const char *path) {
  free(setup.camp);
  free(setup.data);
  memset(&setup, 0, sizeof setup);
  char *text = read_all(path);
  if (!text) {
    printf("FAIL %s: cannot read\n", path);
    failed++;
    return;
  }
  Case c = {0};
  char **section = NULL;
  int lineno = 0;
  char *save = NULL;
  /* strtok_r drops empty lines, which no section needs. */
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    if (!strncmp(line, "===", 3)) {
      if (c.name) run_or_setup(path, &c);
      free(c.name); free(c.camp); free(c.data); free(c.now); free(c.expect); free(c.errors);
      memset(&c, 0, sizeof c);
      c.name = strdup(trim(line + 3));
      c.line = lineno;
      section = NULL;
      continue;
    }
    if (!strncmp(line, "---", 3)) {
      char *what = trim(line + 3);
      section = !strcmp(what, "camp") ? &c.camp : !strcmp(what, "data") ? &c.data
              : !strcmp(what, "now") ? &c.now : !strcmp(what, "expect") ? &c.expect
              : !strcmp(what, "errors") ? &c.errors : NULL;
      if (!section) printf("warning: %s:%d: unknown section `%s`\n", path, lineno, what);
      continue;
    }
    if (section) append(section, line, strlen(line));
  }
  if (c.name) run_or_setup(path, &c);
  free(c.name); free(c.camp); free(c.data); free(c.now); free(c.expect); free(c.errors);
  free(text);
  free(setup.camp);
  free(setup.data);
  memset(&setup, 0, sizeof setup);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) run_file(argv[i]);
  printf("exec: plans with interp/jit: %d in memory, %d step by step\n", in_memory, stepwise);
  if (pg_cases) printf("exec: %d cases planned on PostgreSQL too\n", pg_cases);
  printf("exec: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
