/* engines_test.c — differential test of the rule engines.
 *
 * Each "world" is a random schema (grp <- dim <- kid: a link and a
 * collection, columns of every type) with random data (NULLs everywhere,
 * case variants, LIKE metacharacters, UTF-8, integral decimals stored as
 * integers under NUMERIC affinity) in an in-memory SQLite database.  Each
 * case is a random well-typed rule written as camp source, pushed through
 * program_load_text + program_check, then evaluated by every engine through
 * engine_select (sql, interp, auto, jit); the selected keys must be
 * identical to the SQL engine's.  The jit compiles all rules of a world in
 * one libgccjit context up front (engine_jit_precompile), as a campaign
 * does; a rule the jit declines runs on the interpreter and counts as
 * declined for the jit.
 * A columnar engine may decline (return 1: the caller would run SQL) — that
 * is counted as "declined", never as passed.
 *
 * With CAMP_TEST_PG_URL (tests/pg/run.sh section 13) each world is also
 * copied into that PostgreSQL database, typed from its camp schemas
 * (tests/pg/pg_fixture.c: int bigint, decimal numeric, bool boolean, date,
 * timestamp, text), and every rule is evaluated there (engines_pg.c): its
 * step SQL in the PostgreSQL dialect (sql_params + sql_step, over the whole
 * table), interp and jit over the COPY snapshot (with the case's input
 * keys; cached in $CAMP_CACHE_DIR and re-validated by content hash when the
 * next world replaces the tables); each must select SQLite's SQL keys.
 * Every value is computed by interp and jit over PostgreSQL's snapshot and
 * must be the interpreter's over SQLite's, bit for bit; as an enrich
 * column, its step SQL on PostgreSQL must give SQLite's step SQL values
 * row by row (numbers equal as doubles, text bytewise).  A rule SQLite
 * answers by dividing decimals it stores as integers (the interpreter
 * declines it on SQLite) may differ: reported as KNOWN (docs/postgres.md),
 * and PostgreSQL's engines are held to PostgreSQL's SQL answer for it.
 * PostgreSQL's checks also count in passed/failed, and apart in the line
 * `engines: PostgreSQL: ...`.
 *
 *   engines_test [SEED [WORLDS [CASES_PER_WORLD]]]
 *   ENGINES_VERBOSE=1 prints every rule.  ENGINES_WORLD=N runs world N only;
 *   with ENGINES_DUMP=FILE it also writes that world's schemas and data.  ENGINES_JIT_OPT=1 keeps
 *   $CAMP_JIT_OPT as set (else worlds run at -O1, every 10th at -O2).
 * Prints failing rules with their seed/world/case for replay and ends with
 * `engines: N passed, N failed`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "runtime/db/db.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/interp.h"
#include "compiler/check/program.h"
#include "tests/engines/engines_pg.h"

enum { TY_INT, TY_DEC, TY_TEXT, TY_ENUM, TY_DATE, TY_TS, TY_BOOL, NTY };
static const char *ty_camp[] = {"int", "decimal", "text", "enum(bronze, silver, gold)", "date", "timestamp", "bool"};
static const char *ty_letter = "inseatb";

typedef struct Col {
  char name[16];
  int ty;
  int numeric_affinity; /* decimal declared NUMERIC: integral values stored as ints */
} Col;

typedef struct Tab {
  const char *name;
  char prefix;
  Col cols[8];
  int ncols;
  int nrows;
} Tab;

static Tab grp, dim, kid;
static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static int rn(int n) { return (int)(rnd() % (uint64_t)n); }
static int chance(int pct) { return rn(100) < pct; }

/* ------------------------------------------------------------ buffers */

typedef struct Buf {
  char *s;
  size_t n, cap;
} Buf;

static void bput(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bput(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (b->n + (size_t)need + 1 > b->cap) {
    b->cap = (b->n + (size_t)need + 1) * 2;
    b->s = realloc(b->s, b->cap);
    if (!b->s) abort();
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)need + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)need;
}

/* ------------------------------------------------------------- values */

static const char *texts[] = {"", "a", "A", "abc", "ABC", "aBc", "b%", "a_c", "x y", " pad ", "\xc3\xa9",
                              "\xc3\x89mile", "zz", "ab", "%", "_", "abc@x.com", "ABC@X.COM", "abd", "ba"};
static const char *labels[] = {"bronze", "silver", "gold"};

static void date_text(char *out, int days) {
  /* 2025-01-01 + days, via a simple civil conversion */
  static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = 2025, m = 0;
  for (;;) {
    int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    int ml = md[m] + (m == 1 && leap);
    if (days < ml) break;
    days -= ml;
    if (++m == 12) m = 0, y++;
  }
  sprintf(out, "%04d-%02d-%02d", y, m + 1, days + 1);
}

static void sql_value(Buf *b, int ty) {
  char d[32];
  if (chance(20)) { bput(b, "NULL"); return; }
  switch (ty) {
    case TY_INT: bput(b, "%d", rn(40) - 5); break;
    case TY_DEC: bput(b, "%d.%02d", rn(40) - 5, chance(40) ? 0 : 25 * rn(4)); break;
    case TY_TEXT: bput(b, "'%s'", texts[rn(20)]); break;
    case TY_ENUM: bput(b, "'%s'", labels[rn(3)]); break;
    case TY_DATE: date_text(d, rn(500)); bput(b, "'%s'", d); break;
    case TY_TS: date_text(d, rn(500)); bput(b, "'%s %02d:%02d:%02d'", d, rn(24), rn(60), rn(60)); break;
    case TY_BOOL: bput(b, "%d", rn(2)); break;
  }
}

/* ------------------------------------------------------------- schema */

static void make_table(Tab *t, const char *name, char prefix, int ncols) {
  t->name = name;
  t->prefix = prefix;
  t->ncols = ncols;
  for (int i = 0; i < ncols; i++) {
    Col *c = &t->cols[i];
    c->ty = rn(NTY);
    c->numeric_affinity = c->ty == TY_DEC && chance(30);
    snprintf(c->name, sizeof c->name, "%c_%c%d", prefix, ty_letter[c->ty], i);
  }
}

static void camp_schema(Buf *b, Tab *t, const char *link) {
  bput(b, "schema %s { id int key", t->name);
  if (link) bput(b, "; %s_id int -> %s", link, link);
  for (int i = 0; i < t->ncols; i++) bput(b, "; %s %s", t->cols[i].name, ty_camp[t->cols[i].ty]);
  bput(b, " }\n");
}

static const char *sql_type(const Col *c) {
  switch (c->ty) {
    case TY_INT: case TY_BOOL: return "INTEGER";
    case TY_DEC: return c->numeric_affinity ? "NUMERIC" : "REAL";
    case TY_DATE: return "DATE";
    case TY_TS: return "TIMESTAMP";
    default: return "TEXT";
  }
}

static void sql_table(Buf *b, Tab *t, const char *link, int link_rows) {
  bput(b, "CREATE TABLE %s(id INTEGER PRIMARY KEY", t->name);
  if (link) bput(b, ", %s_id INTEGER", link);
  for (int i = 0; i < t->ncols; i++) bput(b, ", %s %s", t->cols[i].name, sql_type(&t->cols[i]));
  bput(b, ");\n");
  for (int r = 1; r <= t->nrows; r++) {
    bput(b, "INSERT INTO %s VALUES(%d", t->name, r * 3 + rn(3));
    if (link) {
      if (chance(10)) bput(b, ", NULL");
      else bput(b, ", %d", rn(link_rows * 3 + 6)); /* some dangling */
    }
    for (int i = 0; i < t->ncols; i++) {
      bput(b, ", ");
      sql_value(b, t->cols[i].ty);
    }
    bput(b, ");\n");
  }
}

/* ---------------------------------------------------------- rule text */

typedef struct Scope {
  int in_kid; /* inside exists/aggregate over kid */
} Scope;

static void gen(Buf *b, int ty, int depth, Scope *s);

/* A column reference of type ty visible in scope, or 0 if none. */
static int column_ref(Buf *b, int ty, Scope *s) {
  const char *cand[32];
  int n = 0;
  static char tmp[32][32];
  for (int i = 0; i < dim.ncols; i++)
    if (dim.cols[i].ty == ty) cand[n++] = dim.cols[i].name;
  for (int i = 0; i < grp.ncols && n < 30; i++)
    if (grp.cols[i].ty == ty) {
      snprintf(tmp[n], sizeof tmp[n], "grp.%s", grp.cols[i].name);
      cand[n] = tmp[n];
      n++;
    }
  if (s->in_kid)
    for (int i = 0; i < kid.ncols && n < 31; i++)
      if (kid.cols[i].ty == ty) cand[n++] = kid.cols[i].name, cand[n++] = kid.cols[i].name;
  if (!n) return 0;
  bput(b, "%s", cand[rn(n)]);
  return 1;
}

static int kid_col(int ty) {
  int idx[8], n = 0;
  for (int i = 0; i < kid.ncols; i++)
    if (kid.cols[i].ty == ty) idx[n++] = i;
  return n ? idx[rn(n)] : -1;
}

static void literal(Buf *b, int ty) {
  char d[32];
  switch (ty) {
    case TY_INT: bput(b, "%d", rn(30) - 3); break;
    case TY_DEC: bput(b, "%d.%d", rn(30) - 3, rn(2) * 5); break;
    case TY_TEXT: {
      static const char *lit[] = {"a", "A", "abc", "ABC", "", "b%", "zz", "\xc3\xa9", "ab", "x y", "abc@x.com"};
      bput(b, "\"%s\"", lit[rn(11)]);
      break;
    }
    case TY_ENUM: bput(b, "%s", labels[rn(3)]); break;
    case TY_DATE: date_text(d, rn(520)); bput(b, "%s", d); break;
    case TY_TS: date_text(d, rn(520)); bput(b, "%s %02d:%02d:%02d", d, rn(24), rn(60), rn(60)); break;
    case TY_BOOL: bput(b, chance(50) ? "true" : "false"); break;
  }
}

static void aggregate(Buf *b, int ty, int depth) {
  static const char *fn[] = {"sum", "min", "max", "avg"};
  int k = kid_col(ty == TY_DEC && chance(50) ? TY_INT : ty);
  if (ty == TY_INT && (k < 0 || chance(40))) {
    bput(b, "count(kid");
  } else {
    if (k < 0) { literal(b, ty); return; }
    const char *f = fn[rn(ty == TY_DEC ? 4 : 3)];
    if (ty != TY_INT && ty != TY_DEC) f = fn[1 + rn(2)];
    bput(b, "%s(kid.%s", f, kid.cols[k].name);
  }
  if (chance(50)) {
    Scope in = {1};
    bput(b, " where ");
    gen(b, TY_BOOL, depth + 1, &in);
  }
  bput(b, ")");
}

static void gen_cmp(Buf *b, int depth, Scope *s) {
  static const char *ops[] = {"=", "!=", "<", "<=", ">", ">="};
  int ty = rn(NTY - 1);
  if (ty == TY_ENUM) {
    if (!column_ref(b, TY_ENUM, s)) { literal(b, TY_INT); bput(b, " > 3"); return; }
    bput(b, " %s ", ops[rn(6)]);
    if (chance(30)) bput(b, "\"%s\"", labels[rn(3)]); else literal(b, TY_ENUM);
    return;
  }
  int ty2 = ty;
  if (ty == TY_INT && chance(30)) ty2 = TY_DEC;
  if (ty == TY_DATE && chance(30)) ty2 = TY_TS;
  gen(b, ty, depth + 1, s);
  bput(b, " %s ", ops[rn(6)]);
  if (chance(5)) bput(b, "null"); else gen(b, ty2, depth + 1, s);
}

static void gen_bool(Buf *b, int depth, Scope *s) {
  int pick = depth > 3 ? rn(3) : rn(14);
  switch (pick) {
    case 0: case 1: gen_cmp(b, depth, s); return;
    case 2:
      if (!column_ref(b, TY_BOOL, s)) literal(b, TY_BOOL);
      return;
    case 3: case 4:
      gen(b, TY_BOOL, depth + 1, s);
      bput(b, chance(50) ? " and " : " or ");
      gen(b, TY_BOOL, depth + 1, s);
      return;
    case 5: bput(b, "not "); gen(b, TY_BOOL, depth + 1, s); return;
    case 6: {
      int ty = rn(4) == 0 ? TY_ENUM : (int[]){TY_INT, TY_TEXT, TY_DATE, TY_DEC}[rn(4)];
      if (!column_ref(b, ty, s)) gen(b, ty == TY_ENUM ? TY_INT : ty, depth + 1, s), ty = ty == TY_ENUM ? TY_INT : ty;
      bput(b, chance(30) ? " not in [" : " in [");
      int n = 1 + rn(4);
      for (int i = 0; i < n; i++) {
        if (i) bput(b, ", ");
        if (chance(10)) bput(b, "null"); else literal(b, ty);
      }
      bput(b, "]");
      return;
    }
    case 7: {
      int ty = (int[]){TY_INT, TY_DEC, TY_DATE, TY_TS, TY_TEXT}[rn(5)];
      gen(b, ty, depth + 1, s);
      bput(b, chance(30) ? " not between " : " between ");
      gen(b, ty == TY_DATE && chance(30) ? TY_TS : ty, depth + 1, s);
      bput(b, " and ");
      gen(b, ty, depth + 1, s);
      return;
    }
    case 8: gen(b, rn(NTY - 1), depth + 1, s); bput(b, chance(50) ? " is null" : " is not null"); return;
    case 9: {
      static const char *pats[] = {"a%", "%c", "%b%", "_b%", "A%", "%", "\xc3\xa9%", "%@x.com", "a_c", "abc", "%%a", "_"};
      static const char *ops[] = {"like", "not like", "contains", "not contains", "starts with", "not starts with"};
      gen(b, TY_TEXT, depth + 1, s);
      bput(b, " %s ", ops[rn(6)]);
      if (chance(85)) bput(b, "\"%s\"", pats[rn(12)]); else gen(b, TY_TEXT, depth + 1, s);
      return;
    }
    case 10:
      if (s->in_kid) { gen_cmp(b, depth, s); return; }
      bput(b, "exists kid");
      if (chance(70)) {
        Scope in = {1};
        bput(b, " where ");
        gen(b, TY_BOOL, depth + 1, &in);
      }
      return;
    default: gen_cmp(b, depth, s); return;
  }
}

static void gen_int(Buf *b, int depth, Scope *s) {
  static const char *ops[] = {"+", "-", "*", "/", "%"};
  int pick = depth > 3 ? rn(2) : rn(12);
  switch (pick) {
    case 0: if (!column_ref(b, TY_INT, s)) literal(b, TY_INT); return;
    case 1: literal(b, TY_INT); return;
    case 2: case 3: gen(b, TY_INT, depth + 1, s); bput(b, " %s ", ops[rn(5)]); gen(b, TY_INT, depth + 1, s); return;
    case 4: if (s->in_kid) literal(b, TY_INT); else aggregate(b, TY_INT, depth); return;
    case 5: bput(b, "length("); gen(b, TY_TEXT, depth + 1, s); bput(b, ")"); return;
    case 6: {
      static const char *f[] = {"year", "month", "day", "weekday", "hour", "days_since", "age"};
      bput(b, "%s(", f[rn(7)]);
      gen(b, chance(50) ? TY_DATE : TY_TS, depth + 1, s);
      bput(b, ")");
      return;
    }
    case 7: bput(b, chance(50) ? "floor(" : "ceil("); gen(b, TY_DEC, depth + 1, s); bput(b, ")"); return;
    case 8: bput(b, "abs("); gen(b, TY_INT, depth + 1, s); bput(b, ")"); return;
    case 9: bput(b, "coalesce("); gen(b, TY_INT, depth + 1, s); bput(b, ", "); literal(b, TY_INT); bput(b, ")"); return;
    case 10: bput(b, "-"); gen(b, TY_INT, depth + 1, s); return;
    default: bput(b, chance(50) ? "min(" : "max("); gen(b, TY_INT, depth + 1, s); bput(b, ", "); gen(b, TY_INT, depth + 1, s); bput(b, ")"); return;
  }
}

static void gen_dec(Buf *b, int depth, Scope *s) {
  static const char *ops[] = {"+", "-", "*", "/", "%"};
  int pick = depth > 3 ? rn(2) : rn(8);
  switch (pick) {
    case 0: if (!column_ref(b, TY_DEC, s)) literal(b, TY_DEC); return;
    case 1: literal(b, TY_DEC); return;
    case 2: case 3: gen(b, TY_DEC, depth + 1, s); bput(b, " %s ", ops[rn(5)]); gen(b, chance(50) ? TY_INT : TY_DEC, depth + 1, s); return;
    case 4: if (s->in_kid) literal(b, TY_DEC); else aggregate(b, TY_DEC, depth); return;
    case 5: bput(b, "round("); gen(b, TY_DEC, depth + 1, s); bput(b, ")"); return;
    case 6: bput(b, "abs("); gen(b, TY_DEC, depth + 1, s); bput(b, ")"); return;
    default: bput(b, "coalesce("); gen(b, TY_DEC, depth + 1, s); bput(b, ", "); literal(b, chance(50) ? TY_INT : TY_DEC); bput(b, ")"); return;
  }
}

static void gen_text(Buf *b, int depth, Scope *s) {
  int pick = depth > 3 ? rn(2) : rn(8);
  switch (pick) {
    case 0: case 1: if (!column_ref(b, TY_TEXT, s)) literal(b, TY_TEXT); return;
    case 2: literal(b, TY_TEXT); return;
    case 3: {
      static const char *f[] = {"lower", "upper", "trim"};
      bput(b, "%s(", f[rn(3)]);
      gen(b, TY_TEXT, depth + 1, s);
      bput(b, ")");
      return;
    }
    case 4: gen(b, TY_TEXT, depth + 1, s); bput(b, " || "); gen(b, TY_TEXT, depth + 1, s); return;
    case 5: bput(b, "concat("); gen(b, TY_TEXT, depth + 1, s); bput(b, ", "); gen(b, TY_TEXT, depth + 1, s); bput(b, ")"); return;
    case 6: if (s->in_kid) literal(b, TY_TEXT); else aggregate(b, TY_TEXT, depth); return;
    default: bput(b, "coalesce("); gen(b, TY_TEXT, depth + 1, s); bput(b, ", "); literal(b, TY_TEXT); bput(b, ")"); return;
  }
}

static void gen_temporal(Buf *b, int ty, int depth, Scope *s) {
  int pick = depth > 3 ? rn(2) : rn(7);
  switch (pick) {
    case 0: case 1: if (!column_ref(b, ty, s)) literal(b, ty); return;
    case 2: literal(b, ty); return;
    case 3:
      gen(b, ty, depth + 1, s);
      if (ty == TY_DATE) bput(b, chance(50) ? " + %dd" : " - %dd", rn(100));
      else bput(b, chance(50) ? " + %dh" : " - %dd", rn(100));
      return;
    case 4: bput(b, ty == TY_DATE ? "today()" : "now()"); return;
    case 5:
      if (ty == TY_DATE) { bput(b, "date("); gen(b, TY_TS, depth + 1, s); bput(b, ")"); }
      else { gen(b, TY_DATE, depth + 1, s); bput(b, " + %dh", rn(50)); }
      return;
    default: if (s->in_kid) literal(b, ty); else aggregate(b, ty, depth); return;
  }
}

static void gen(Buf *b, int ty, int depth, Scope *s) {
  bput(b, "(");
  switch (ty) {
    case TY_INT: gen_int(b, depth, s); break;
    case TY_DEC: gen_dec(b, depth, s); break;
    case TY_TEXT: gen_text(b, depth, s); break;
    case TY_ENUM: if (!column_ref(b, TY_ENUM, s)) literal(b, TY_TEXT); break;
    case TY_DATE: case TY_TS: gen_temporal(b, ty, depth, s); break;
    default: gen_bool(b, depth, s); break;
  }
  bput(b, ")");
}

/* ---------------------------------------------------------------- run */

static int passed, failed, declined, rejected;
static int only_world = -1; /* ENGINES_WORLD */
static int64_t engine_accepts;
/* PostgreSQL (CAMP_TEST_PG_URL): checks per engine, also in passed/failed */
static const char *pg_url;

static Step *first_step(Program *p) {
  Decl *c = p->campaigns.len ? p->campaigns.items[0] : NULL;
  return c && c->steps.len ? c->steps.items[0] : NULL;
}

static void check_case(Case *k, const char *schemas, uint64_t seed, int world, int cs) {
  Buf src = {0};
  bput(&src, "%scampaign t { r = dim where %s\n}\n", schemas, k->text);
  k->p = program_new();
  program_load_text(k->p, "engines.camp", src.s);
  program_check(k->p);
  free(src.s);
  Step *st = first_step(k->p);
  if (k->p->diags.nerrors || !st || !st->rule) {
    if (rejected++ < 5) fprintf(stderr, "generator produced an ill-typed rule (seed %llu world %d case %d): %s\n",
                                (unsigned long long)seed, world, cs, k->text);
    return;
  }
  k->rule = st->rule;
  k->dim = st->pops[0]->dim;
}

static int64_t jit_runs;

/* One rule: run SQL and the columnar engines, compare.  jctx: the world's
 * context whose JIT cache holds the world's rules (compiled in one go). */
static void run_case(Db *db, Case *k, EngineCtx *jctx, PgWorld *pw, uint64_t seed, int world, int cs, int use_input) {
  const char *rule = k->text;
  EngineCtx e;
  char err[256], why[256];
  if (engine_init(&e, db, NULL, "2026-03-01 12:00:00", 42, err, sizeof err)) abort();
  KeyVec input = {0}, want = {0}, got = {0};
  if (use_input)
    for (int i = 0; i < dim.nrows * 3 + 4; i += 1 + rn(3)) keyvec_push(&input, rn(4) ? i : 2);
  const KeyVec *in = use_input ? &input : NULL;
  int rc = engine_select(&e, ENGINE_SQL, k->dim, k->rule, in, &want, why, sizeof why);
  if (rc) {
    failed++;
    fprintf(stderr, "FAIL sql engine error (seed %llu world %d case %d): %s\n  rule: %s\n",
            (unsigned long long)seed, world, cs, why, rule);
  } else {
    EngineKind kinds[] = {ENGINE_INTERP, ENGINE_AUTO, ENGINE_JIT};
    int intdiv = 0; /* the interpreter declined an integer-or-real division */
    for (int i = 0; i < 3; i++) {
      EngineCtx *ec = kinds[i] == ENGINE_JIT ? jctx : &e;
      if (kinds[i] == ENGINE_JIT && !engine_have_jit()) continue;
      got.n = 0;
      rc = engine_select(ec, kinds[i], k->dim, k->rule, in, &got, why, sizeof why);
      if (getenv("ENGINES_VERBOSE")) fprintf(stderr, "%s rc=%d %s (%s): %s\n", engine_kind_name(kinds[i]), rc, ec->why, why, rule);
      if (kinds[i] == ENGINE_INTERP && rc == 1 && strstr(why, "decimals SQLite may hold as integers")) intdiv = 1;
      /* jit requested but another engine answered: the jit declined */
      if (rc == 1 || (kinds[i] == ENGINE_JIT && rc == 0 && ec->last_used != ENGINE_JIT)) { declined++; continue; }
      if (kinds[i] == ENGINE_INTERP) engine_accepts++;
      if (kinds[i] == ENGINE_JIT) jit_runs++;
      if (rc == 0 && same_keys(&want, &got)) { passed++; continue; }
      failed++;
      fprintf(stderr, "FAIL %s (seed %llu world %d case %d%s): %s\n  rule: %s\n", engine_kind_name(kinds[i]),
              (unsigned long long)seed, world, cs, use_input ? ", with input keys" : "", rc ? why : "different keys", rule);
      print_keys("sql", &want);
      print_keys(engine_kind_name(kinds[i]), &got);
    }
    if (pw) pg_case(pw, &e, k, in, &want, intdiv, seed, world, cs);
  }
  keyvec_free(&input);
  keyvec_free(&want);
  keyvec_free(&got);
  engine_free(&e);
}
/* A generated value (an enrich column): k->rule is its expression. */
static void check_value(Case *k, const char *schemas, uint64_t seed, int world, int cs) {
  Buf src = {0};
  bput(&src, "%scampaign t { r = dim\n e = enrich r { v = %s }\n}\n", schemas, k->text);
  k->p = program_new();
  program_load_text(k->p, "values.camp", src.s);
  program_check(k->p);
  free(src.s);
  Decl *c = k->p->campaigns.len ? k->p->campaigns.items[0] : NULL;
  Step *st = c && c->steps.len > 1 ? c->steps.items[1] : NULL;
  EnrichItem *it = st && st->enrich.len ? st->enrich.items[0] : NULL;
  if (k->p->diags.nerrors || !it || !it->expr) {
    if (rejected++ < 5) fprintf(stderr, "generator produced an ill-typed value (seed %llu world %d value %d): %s\n",
                                (unsigned long long)seed, world, cs, k->text);
    return;
  }
  k->rule = it->expr;
  k->dim = st->pops[0]->dim;
}

static int64_t jit_value_runs;

/* One value over every row (and over a row list): the jit must give the
 * interpreter's values bit for bit and the same NULLs; on PostgreSQL
 * (pw) interp and jit over its snapshot must give them too. */
static void run_value(Case *k, EngineCtx *jctx, PgWorld *pw, uint64_t seed, int world, int cs) {
  char why[256];
  if (engine_prepare(jctx, k->dim, &k->rule, 1, why, sizeof why)) {
    failed++;
    fprintf(stderr, "FAIL value snapshot (seed %llu world %d value %d): %s\n", (unsigned long long)seed, world, cs, why);
    return;
  }
  int64_t n = engine_table(jctx, k->dim)->nrows;
  uint32_t *rows = malloc(sizeof *rows * (size_t)(n + 1));
  if (!rows) abort();
  int64_t m = 0;
  for (int64_t i = n - 1; i >= 0; i -= 1 + rn(3)) rows[m++] = (uint32_t)i; /* descending, gaps */
  for (int pass = 0; pass < 2; pass++) {
    const uint32_t *r = pass ? rows : NULL;
    int64_t cnt = pass ? m : n;
    IVals want, got;
    int ri = engine_values_rows(jctx, ENGINE_INTERP, k->dim, &k->rule, 1, NULL, r, cnt, &want, why, sizeof why);
    if (pw && !pass)
      pg_value_sql(pw, jctx->db, k, ri == 1 && strstr(why, "decimals SQLite may hold as integers"), seed, world, cs);
    if (ri) { declined++; break; }
    if (pw) pg_value(pw, k, r, cnt, &want, seed, world, cs, pass);
    int rj = engine_values_rows(jctx, ENGINE_JIT, k->dim, &k->rule, 1, NULL, r, cnt, &got, why, sizeof why);
    if (rj || jctx->values_by_jit != 1) {
      if (!rj) ivals_free(&got);
      ivals_free(&want);
      declined++;
      break;
    }
    jit_value_runs++;
    if (same_values("jit value", "interp", "jit", &want, &got, cnt, k, seed, world, cs, pass)) passed++;
    else failed++;
    ivals_free(&want);
    ivals_free(&got);
  }
  free(rows);
}

static void run_world(uint64_t seed, int world, int cases) {
  rng_state = seed * 1000003ULL + (uint64_t)world;
  make_table(&grp, "grp", 'g', 1 + rn(3));
  make_table(&dim, "dim", 'd', 3 + rn(5));
  make_table(&kid, "kid", 'k', 2 + rn(4));
  grp.nrows = 3 + rn(8);
  dim.nrows = 20 + rn(120);
  kid.nrows = rn(dim.nrows * 3);
  Buf schemas = {0}, sql = {0};
  camp_schema(&schemas, &grp, NULL);
  camp_schema(&schemas, &dim, "grp");
  camp_schema(&schemas, &kid, "dim");
  sql_table(&sql, &grp, NULL, 0);
  sql_table(&sql, &dim, "grp", grp.nrows);
  sql_table(&sql, &kid, "dim", dim.nrows);
  char err[256];
  const char *dump = getenv("ENGINES_DUMP"); /* the world's data for a replay: sqlite3 x.db < DUMP */
  FILE *df = dump && only_world >= 0 ? fopen(dump, "w") : NULL;
  if (df) {
    fprintf(df, "-- seed %llu world %d; camp schemas:\n-- ", (unsigned long long)seed, world);
    for (const char *c = schemas.s; *c; c++) fputs(*c == '\n' && c[1] ? "\n-- " : (char[]){*c, 0}, df);
    fprintf(df, "%s", sql.s);
    fclose(df);
  }
  Db *db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db || db_exec(db, sql.s)) {
    fprintf(stderr, "cannot build world %d: %s\n", world, db ? db_error(db) : err);
    failed++;
    if (db) db_close(db);
    free(schemas.s);
    free(sql.s);
    return;
  }
  Case *ks = calloc((size_t)cases + 1, sizeof *ks);
  Expr **rules = calloc((size_t)cases + 1, sizeof *rules);
  if (!ks || !rules) abort();
  int nr = 0;
  Schema *d = NULL;
  for (int c = 0; c < cases; c++) {
    Buf rule = {0};
    Scope s = {0};
    gen(&rule, TY_BOOL, 0, &s);
    ks[c].text = rule.s;
    check_case(&ks[c], schemas.s, seed, world, c);
    if (ks[c].rule) rules[nr++] = ks[c].rule, d = ks[c].dim;
  }
  /* numeric values (enrich columns, dedup / order keys) */
  static const int vty[] = {TY_INT, TY_DEC, TY_DATE, TY_TS, TY_BOOL};
  int nvals = cases / 4;
  Case *vs = calloc((size_t)nvals + 1, sizeof *vs);
  Expr **vals = calloc((size_t)nvals + 1, sizeof *vals);
  if (!vs || !vals) abort();
  int nv = 0;
  for (int c = 0; c < nvals; c++) {
    Buf v = {0};
    Scope s = {0};
    gen(&v, vty[rn(5)], 0, &s);
    vs[c].text = v.s;
    check_value(&vs[c], schemas.s, seed, world, c);
    if (vs[c].rule) vals[nv++] = vs[c].rule, d = d ? d : vs[c].dim;
  }
  /* every rule of the world in one libgccjit context, as a campaign would;
   * -O1 keeps a cold cache to ~0.3 s per world, every 10th world at -O2 */
  if (!getenv("ENGINES_JIT_OPT")) setenv("CAMP_JIT_OPT", world % 10 == 0 ? "2" : "1", 1);
  EngineCtx jctx;
  if (engine_init(&jctx, db, NULL, "2026-03-01 12:00:00", 42, err, sizeof err)) abort();
  int ncomp = 0;
  char why[256];
  EngineBatch bt = {rules, nr, vals, nv};
  if (d && engine_jit_precompile_batch(&jctx, d, &bt, &ncomp, why, sizeof why)) {
    failed++;
    fprintf(stderr, "FAIL jit precompile (seed %llu world %d): %s\n", (unsigned long long)seed, world, why);
  }
  /* PostgreSQL: the world copied there typed, its rules precompiled over
   * the COPY snapshot (the first program holds the schemas) */
  PgWorld *pw = NULL;
  Program *sp = NULL;
  for (int c = 0; c < cases && !sp; c++) sp = ks[c].rule ? ks[c].p : NULL;
  for (int c = 0; c < nvals && !sp; c++) sp = vs[c].rule ? vs[c].p : NULL;
  if (pg_url && sp) {
    pw = pgw_open(pg_url, db, sp, d, &bt, "2026-03-01 12:00:00", 42, why, sizeof why);
    if (pw) pg_n.worlds++;
    else {
      pg_n.failed++;
      fprintf(stderr, "FAIL world on PostgreSQL (seed %llu world %d): %s\n", (unsigned long long)seed, world, why);
    }
  }
  for (int c = 0; c < cases; c++) {
    if (ks[c].rule) run_case(db, &ks[c], &jctx, pw, seed, world, c, c % 5 == 4);
  }
  for (int c = 0; c < nvals && engine_have_jit(); c++)
    if (vs[c].rule) run_value(&vs[c], &jctx, pw, seed, world, c);
  pgw_close(pw); /* its context holds schemas of the programs too */
  engine_free(&jctx); /* holds schemas of the programs: free it first */
  for (int c = 0; c < cases; c++) {
    if (ks[c].p) program_free(ks[c].p);
    free(ks[c].text);
  }
  for (int c = 0; c < nvals; c++) {
    if (vs[c].p) program_free(vs[c].p);
    free(vs[c].text);
  }
  free(ks), free(vs);
  free(rules), free(vals);
  db_close(db);
  free(schemas.s);
  free(sql.s);
}

/* Snapshot files: a change to the database must be seen by the next
 * evaluation — in the same context and in a new one, in rollback-journal
 * and WAL mode — and a reused snapshot must give the same answer. */
static int select_interp(Db *db, const char *path, Schema *d, Expr *rule, KeyVec *out, int *rebuilt) {
  EngineCtx e;
  char err[256], why[256];
  if (engine_init(&e, db, path, "2026-03-01 12:00:00", 1, err, sizeof err)) return -1;
  out->n = 0;
  int rc = engine_select(&e, ENGINE_INTERP, d, rule, NULL, out, why, sizeof why);
  *rebuilt = e.snap_rebuilt;
  engine_free(&e);
  return rc;
}

static void check_stale(const char *label, int ok) {
  if (ok) passed++;
  else failed++, fprintf(stderr, "FAIL snapshot staleness: %s\n", label);
}

static void staleness_test(const char *mode) {
  char dir[] = "/tmp/camp-engines-XXXXXX", path[128], err[256];
  if (!mkdtemp(dir)) return;
  snprintf(path, sizeof path, "%s/t.db", dir);
  Db *db = db_open(path, DB_OPEN_CREATE, err, sizeof err);
  Buf sql = {0};
  bput(&sql, "PRAGMA journal_mode=%s; CREATE TABLE c(id INTEGER PRIMARY KEY, v INTEGER);"
             "INSERT INTO c VALUES (1, 5), (2, 50), (3, 500);", mode);
  if (!db || db_exec(db, sql.s)) { failed++; fprintf(stderr, "FAIL staleness setup\n"); return; }
  /* the file as last written a minute ago: a WAL-mode fingerprint taken
   * within two seconds of a write is "racy" and never trusted alone
   * (runtime/engine/snapshot.c), which would make the reuse below a refresh */
  struct timespec past[2];
  clock_gettime(CLOCK_REALTIME, &past[0]);
  past[0].tv_sec -= 60;
  past[1] = past[0];
  char wal[160];
  snprintf(wal, sizeof wal, "%s-wal", path);
  utimensat(AT_FDCWD, path, past, 0);
  utimensat(AT_FDCWD, wal, past, 0); /* rollback mode: no such file */
  Program *p = program_new();
  program_load_text(p, "s.camp", "schema c { id int key; v int }\ncampaign t { r = c where v > 10 }\n");
  program_check(p);
  Step *st = first_step(p);
  Schema *d = st->pops[0]->dim;
  KeyVec k = {0};
  int rebuilt = 0;
  check_stale("first evaluation builds", select_interp(db, path, d, st->rule, &k, &rebuilt) == 0 && k.n == 2 && rebuilt == 1);
  check_stale("second evaluation reuses", select_interp(db, path, d, st->rule, &k, &rebuilt) == 0 && k.n == 2 && rebuilt == 0);
  db_exec(db, "UPDATE c SET v = 1 WHERE id = 2");
  check_stale("update seen by the next evaluation", select_interp(db, path, d, st->rule, &k, &rebuilt) == 0 && k.n == 1 && rebuilt == 1);
  /* same context across a change */
  EngineCtx e;
  char why[256];
  engine_init(&e, db, path, "2026-03-01 12:00:00", 1, err, sizeof err);
  k.n = 0;
  engine_select(&e, ENGINE_INTERP, d, st->rule, NULL, &k, why, sizeof why);
  db_exec(db, "INSERT INTO c VALUES (4, 99)");
  k.n = 0;
  int rc = engine_select(&e, ENGINE_INTERP, d, st->rule, NULL, &k, why, sizeof why);
  check_stale("insert seen within one context", rc == 0 && k.n == 2 && k.v[1] == 4);
  engine_free(&e);
  keyvec_free(&k);
  program_free(p);
  db_close(db);
  free(sql.s);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

int main(int argc, char **argv) {
  uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20260301;
  int worlds = argc > 2 ? atoi(argv[2]) : 100;
  int cases = argc > 3 ? atoi(argv[3]) : 40;
  int only = only_world = getenv("ENGINES_WORLD") ? atoi(getenv("ENGINES_WORLD")) : -1;
  pg_url = getenv("CAMP_TEST_PG_URL");
  if (pg_url && !*pg_url) pg_url = NULL;
  for (int w = 0; w < worlds; w++)
    if (only < 0 || w == only) run_world(seed, w, cases);
  if (only < 0) {
    staleness_test("delete");
    staleness_test("wal");
  }
  printf("engines: interp evaluated %lld rules itself, jit %lld (and %lld values, compared with the interpreter's); "
         "declined %d (fallback), %d ill-typed generated rules skipped\n",
         (long long)engine_accepts, (long long)jit_runs, (long long)jit_value_runs, declined, rejected);
  if (pg_url)
    printf("engines: PostgreSQL: %d worlds, sql %lld rules, interp %lld, jit %lld, %lld values, sql %lld values; "
           "%d checks passed, %d failed, %d declined, %d known differences\n",
           pg_n.worlds, (long long)pg_n.runs[0], (long long)pg_n.runs[1], (long long)pg_n.runs[2],
           (long long)pg_n.values, (long long)pg_n.sql_values, pg_n.passed, pg_n.failed, pg_n.declined, pg_n.known);
  passed += pg_n.passed, failed += pg_n.failed, declined += pg_n.declined;
  printf("engines: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
