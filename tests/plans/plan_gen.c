/* plan_gen.c — random campaigns and data for the plan differential test
 * (tests/plans/run.sh): `camp plan --engine sql` (SQLite TEMP tables) must
 * select exactly the members `--engine interp` and `--engine jit` (the
 * in-memory plan of runtime/exec/exec_mem.c) select, for every step output.
 *
 *   plan_gen SEED DIR    writes DIR/campaign.camp and DIR/data.sql
 *
 * Everything follows from SEED (same seed, same files), so a failing case
 * is replayed from its seed alone.  Standalone C11, no camp headers: run.sh
 * compiles it with cc.
 *
 * The world (schemas and rows): regions <- stores <- customers <- purchases.
 * customers is the targeting dimension: int key (sometimes not the primary
 * key, rows inserted in random order, negative keys), address(email) and
 * address(sms) columns (NULL, '' and case variants of one address), a
 * random subset of int / decimal (REAL or NUMERIC affinity) / text (few
 * distinct values, mixed case, UTF-8, LIKE metacharacters) / enum / date /
 * timestamp / bool columns, NULLs everywhere, a many-to-one link
 * (store.city, store.region.rname; NULL and dangling links) and a one-to-
 * many collection (purchases: NULL and dangling parents).  stores is a
 * second dimension (change dimension, its collection `customers`, and
 * two collections deep `count(customers.purchases)`).
 *
 * The campaign `pc` (seeded) chains 8-30 steps: selects from the schemas
 * and from other steps with random typed rules (comparisons, in-lists,
 * like / contains / starts with, between, is null, exists / count / sum /
 * min / max / avg over the collection with `where`, links, arithmetic,
 * text and date functions, and / or / not), union / intersect / except
 * (with the complement output), dedup (text, int and several keys; keep
 * 0-3; prefer max / min / non-null / in [...] / random; two outputs),
 * enrich (aggregates, link columns, arithmetic, first N rows), selects,
 * splits and dedups reading the enriched columns, splits with limit N,
 * limit P%, order by, else, overlap and skip empty, email / sms / push /
 * mail steps with placeholders, wait, save, fork, join, change dimension,
 * saved audiences and retarget.  Every output nobody reads is saved.
 * A second campaign `saver` (run with `camp run` before the plans) saves
 * the audiences `aud_c` and `aud_s` the plan reads back. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ random */

static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static int rn(int n) { return n <= 0 ? 0 : (int)(rnd() % (uint64_t)n); }
static int chance(int pct) { return rn(100) < pct; }
#define PICK(arr) ((arr)[rn((int)(sizeof(arr) / sizeof(arr)[0]))])

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

/* ------------------------------------------------------------ schema */

enum { TY_INT, TY_DEC, TY_TEXT, TY_ENUM, TY_DATE, TY_TS, TY_BOOL, NTY, TY_ROWS = 99 };

static const char *const label_sets[][3] = {
    {"bronze", "silver", "gold"}, {"free", "basic", "pro"}, {"online", "shop", "app"}};

/* Text value pools: few distinct values, case variants, UTF-8, LIKE
 * metacharacters, spaces, the empty string. */
static const char *const text_pools[][8] = {
    {"SE", "se", "Se", "DK", "dk", "NO", "FI", ""},
    {"alpha", "Alpha", "ALPHA", "beta", "Beta", "gamma", " alpha", "alpha "},
    {"\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89", "ete", "ETE", "\xc3\xb6l", "\xc3\x96L", "x%y", "x_y"},
    {"Stockholm", "stockholm", "Malm\xc3\xb6", "MALM\xc3\x96", "Oslo", "oslo", "Uppsala", "a%"},
    {"red", "Red", "green", "blue", "BLUE", "", "r_d", "re%"},
};
#define NPOOLS 5

typedef struct Col {
  char name[32];
  int ty;
  int lab;     /* enum: label set */
  int pool;    /* text: value pool */
  int numeric; /* decimal declared NUMERIC: integral values stored as ints */
  int nullpct;
} Col;

enum { T_REG, T_STO, T_CUS, T_PUR, NTAB };

typedef struct Tab {
  const char *name;
  Col cols[24];
  int ncols;
  int link;             /* parent table or -1 */
  const char *link_col; /* store_id */
  const char *link_nav; /* store */
  int child;            /* table whose link points here (a collection) or -1 */
  int nrows;
  int64_t *keys;
  int pk; /* id INTEGER PRIMARY KEY */
} Tab;

static Tab tabs[NTAB];
static int have_push;
static int use_substr; /* this campaign may call substr(...) */

static Col *add_col(Tab *t, const char *name, int ty) {
  Col *c = &t->cols[t->ncols++];
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  c->ty = ty;
  c->lab = rn(3);
  c->pool = rn(NPOOLS);
  c->numeric = ty == TY_DEC && chance(35);
  c->nullpct = chance(15) ? 0 : chance(15) ? 40 : 3 + rn(12);
  return c;
}

static void make_schema(void) {
  memset(tabs, 0, sizeof tabs);
  Tab *r = &tabs[T_REG], *s = &tabs[T_STO], *c = &tabs[T_CUS], *p = &tabs[T_PUR];
  r->name = "regions", r->link = -1, r->child = T_STO;
  s->name = "stores", s->link = T_REG, s->link_col = "region_id", s->link_nav = "region", s->child = T_CUS;
  c->name = "customers", c->link = T_STO, c->link_col = "store_id", c->link_nav = "store", c->child = T_PUR;
  p->name = "purchases", p->link = T_CUS, p->link_col = "customer_id", p->link_nav = "customer", p->child = -1;
  add_col(r, "rname", TY_TEXT);
  if (chance(50)) add_col(r, "rsize", TY_INT);
  add_col(s, "city", TY_TEXT)->pool = 3;
  add_col(s, "size", TY_INT);
  if (chance(60)) add_col(s, "opened", TY_DATE);
  if (chance(40)) add_col(s, "rating", TY_DEC);
  /* customers: the address columns, then a random set of typed columns */
  add_col(c, "email", TY_TEXT);
  add_col(c, "phone", TY_TEXT);
  have_push = chance(40);
  if (have_push) add_col(c, "push_token", TY_TEXT);
  static const char *const ints[] = {"loyalty", "visits", "points", "kids"};
  static const char *const decs[] = {"score", "balance", "credit"};
  static const char *const txts[] = {"country", "nickname", "segment", "color"};
  static const char *const enums[] = {"tier", "plan"};
  static const char *const dates[] = {"born", "joined"};
  static const char *const tss[] = {"seen_at", "created_at"};
  static const char *const bools[] = {"active", "opt_in"};
  for (int i = 0; i < 4; i++)
    if (i == 0 || chance(50)) add_col(c, ints[i], TY_INT);
  for (int i = 0; i < 3; i++)
    if (i == 0 || chance(40)) add_col(c, decs[i], TY_DEC);
  for (int i = 0; i < 4; i++)
    if (i == 0 || chance(45)) add_col(c, txts[i], TY_TEXT);
  for (int i = 0; i < 2; i++)
    if (chance(70)) add_col(c, enums[i], TY_ENUM)->lab = i;
  for (int i = 0; i < 2; i++)
    if (chance(65)) add_col(c, dates[i], TY_DATE);
  for (int i = 0; i < 2; i++)
    if (chance(65)) add_col(c, tss[i], TY_TS);
  for (int i = 0; i < 2; i++)
    if (chance(60)) add_col(c, bools[i], TY_BOOL);
  add_col(p, "amount", TY_DEC);
  if (chance(70)) add_col(p, "qty", TY_INT);
  add_col(p, "at", TY_TS);
  if (chance(60)) add_col(p, "kind", TY_ENUM)->lab = 2;
  if (chance(50)) add_col(p, "note", TY_TEXT);
  if (chance(40)) add_col(p, "paid", TY_BOOL);
  if (chance(30)) add_col(p, "on_day", TY_DATE);
  /* sizes: mostly a few hundred customers, sometimes a few thousand */
  r->nrows = 2 + rn(5);
  s->nrows = 3 + rn(25);
  c->nrows = chance(15) ? 1500 + rn(2500) : 100 + rn(900);
  p->nrows = rn(c->nrows * 3 + 1);
}

static const char *camp_type(const Col *c) {
  static char buf[64];
  switch (c->ty) {
    case TY_INT: return "int";
    case TY_DEC: return "decimal";
    case TY_TEXT: return "text";
    case TY_ENUM:
      snprintf(buf, sizeof buf, "enum(%s, %s, %s)", label_sets[c->lab][0], label_sets[c->lab][1],
               label_sets[c->lab][2]);
      return buf;
    case TY_DATE: return "date";
    case TY_TS: return "timestamp";
    default: return "bool";
  }
}

static void camp_schemas(Buf *b) {
  static const int order[] = {T_REG, T_STO, T_CUS, T_PUR};
  for (int k = 0; k < NTAB; k++) {
    Tab *t = &tabs[order[k]];
    bput(b, "schema %s {\n  id int key\n", t->name);
    if (t->link >= 0) bput(b, "  %s int -> %s\n", t->link_col, tabs[t->link].name);
    for (int i = 0; i < t->ncols; i++) {
      Col *c = &t->cols[i];
      bput(b, "  %s %s", c->name, camp_type(c));
      if (order[k] == T_CUS && !strcmp(c->name, "email")) bput(b, " address(email)");
      if (order[k] == T_CUS && !strcmp(c->name, "phone")) bput(b, " address(sms)");
      if (order[k] == T_CUS && !strcmp(c->name, "push_token")) bput(b, " address(push)");
      bput(b, "\n");
    }
    bput(b, "}\n");
  }
}

/* ------------------------------------------------------------- data */

static void date_text(char *out, int days) { /* 2024-01-01 + days */
  static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y = 2024, m = 0;
  for (;;) {
    int leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    int ml = md[m] + (m == 1 && leap);
    if (days < ml) break;
    days -= ml;
    if (++m == 12) m = 0, y++;
  }
  sprintf(out, "%04d-%02d-%02d", y, m + 1, days + 1);
}

/* Day numbers around now (2026-03-01 is day 790 from 2024-01-01). */
static int some_day(void) { return chance(50) ? 700 + rn(120) : rn(900); }

static void sql_text(Buf *b, const char *s) {
  bput(b, "'");
  for (; *s; s++) bput(b, *s == '\'' ? "''" : "%c", *s);
  bput(b, "'");
}

static void sql_value(Buf *b, const Tab *t, const Col *c, int row) {
  char d[32];
  if (chance(c->nullpct)) {
    bput(b, "NULL");
    return;
  }
  if (t == &tabs[T_CUS] && !strcmp(c->name, "email")) {
    if (chance(6)) { bput(b, "''"); return; }
    /* one mailbox, several accounts: case variants of the same address */
    int k = rn(t->nrows / 2 + 1);
    static const char *const forms[] = {"user%d@ex.com", "User%d@Ex.com", "USER%d@EX.COM", "user%d@ex.COM"};
    char a[64];
    snprintf(a, sizeof a, PICK(forms), k);
    sql_text(b, a);
    return;
  }
  if (t == &tabs[T_CUS] && !strcmp(c->name, "phone")) {
    if (chance(6)) { bput(b, "''"); return; }
    bput(b, "'+46%07d'", chance(20) ? rn(50) : row);
    return;
  }
  if (t == &tabs[T_CUS] && !strcmp(c->name, "push_token")) {
    if (chance(6)) { bput(b, "''"); return; }
    bput(b, "'tok%d'", row);
    return;
  }
  switch (c->ty) {
    case TY_INT: bput(b, "%d", chance(10) ? rn(2000) - 500 : rn(25) - 3); break;
    case TY_DEC:
      if (chance(10)) bput(b, "%d.%02d", rn(300), rn(100)); /* arbitrary cents */
      else bput(b, "%d.%02d", rn(40) - 5, c->numeric && chance(50) ? 0 : 25 * rn(4));
      break;
    case TY_TEXT: sql_text(b, text_pools[c->pool][rn(8)]); break;
    case TY_ENUM: bput(b, "'%s'", label_sets[c->lab][rn(3)]); break;
    case TY_DATE: date_text(d, some_day()); bput(b, "'%s'", d); break;
    case TY_TS:
      date_text(d, some_day());
      if (chance(15)) bput(b, "'%s 00:00:00'", d);
      else bput(b, "'%s %02d:%02d:%02d'", d, rn(24), rn(60), rn(60));
      break;
    default: bput(b, "%d", rn(2)); break;
  }
}

static const char *sql_type(const Col *c) {
  switch (c->ty) {
    case TY_INT: case TY_BOOL: return "INTEGER";
    case TY_DEC: return c->numeric ? "NUMERIC" : "REAL";
    case TY_DATE: return "DATE";
    case TY_TS: return "TIMESTAMP";
    default: return "TEXT";
  }
}

static void make_keys(Tab *t) {
  t->keys = malloc(sizeof *t->keys * (size_t)(t->nrows + 1));
  if (!t->keys) abort();
  int neg = chance(15);
  int64_t k = neg ? -(int64_t)rn(50) - 3 * t->nrows : 1 + rn(3);
  for (int i = 0; i < t->nrows; i++) {
    t->keys[i] = k;
    k += 1 + (chance(20) ? rn(10) : 0);
  }
}

static void sql_table(Buf *b, Tab *t) {
  t->pk = !chance(25);
  bput(b, "CREATE TABLE %s(id INTEGER%s", t->name, t->pk ? " PRIMARY KEY" : " NOT NULL");
  if (t->link >= 0) bput(b, ", %s INTEGER", t->link_col);
  for (int i = 0; i < t->ncols; i++) bput(b, ", %s %s", t->cols[i].name, sql_type(&t->cols[i]));
  bput(b, ");\n");
  /* insertion order: by key, or shuffled (rowid order != key order) */
  int *ord = malloc(sizeof *ord * (size_t)(t->nrows + 1));
  if (!ord) abort();
  for (int i = 0; i < t->nrows; i++) ord[i] = i;
  if (chance(40))
    for (int i = t->nrows - 1; i > 0; i--) {
      int j = rn(i + 1), x = ord[i];
      ord[i] = ord[j], ord[j] = x;
    }
  const Tab *par = t->link >= 0 ? &tabs[t->link] : NULL;
  int nullpct = rn(15), dangling = rn(6);
  for (int r = 0; r < t->nrows; r++) {
    if (r % 400 == 0) bput(b, "%sINSERT INTO %s VALUES\n", r ? ";\n" : "", t->name);
    else bput(b, ",\n");
    int row = ord[r];
    bput(b, "(%lld", (long long)t->keys[row]);
    if (par) {
      if (chance(nullpct)) bput(b, ", NULL");
      else if (chance(dangling) || par->nrows == 0) bput(b, ", %lld", (long long)(par->keys[0] - 1 - rn(5)));
      else {
        /* skewed: some parents get many children */
        int pr = chance(30) ? rn(par->nrows < 10 ? par->nrows : 10) : rn(par->nrows);
        bput(b, ", %lld", (long long)par->keys[pr]);
      }
    }
    for (int i = 0; i < t->ncols; i++) {
      bput(b, ", ");
      sql_value(b, t, &t->cols[i], row);
    }
    bput(b, ")");
  }
  if (t->nrows) bput(b, ";\n");
  if (t->link >= 0) bput(b, "CREATE INDEX %s_link ON %s(%s);\n", t->name, t->name, t->link_col);
  free(ord);
}

/* ------------------------------------------------------ populations */

typedef struct Pop {
  char name[24];
  int tab;         /* T_CUS or T_STO */
  Col added[32];
  int nadded;
  int channel;     /* output of an email / sms / push step (retarget reads it) */
  int used;
  double est;      /* a guess of the share of the table it holds: inputs are
                      picked by it, so chains do not run dry */
} Pop;

static Pop pops[256];
static int npops;
static int nstep;

/* ------------------------------------------------------------- rules */

typedef struct Scope {
  int tab;        /* the row's table */
  const Pop *pop; /* its added columns, or NULL */
  int coll;       /* inside exists / an aggregate over this child table, or -1 */
} Scope;

typedef struct Ref {
  char text[80];
  int ty, lab;
} Ref;

static int refs_of(const Scope *s, int ty, Ref *out, int cap) {
  int n = 0;
#define ADDREF(txt, c)                                                   \
  do {                                                                   \
    if (n < cap) {                                                       \
      snprintf(out[n].text, sizeof out[n].text, "%s", txt);              \
      out[n].ty = (c)->ty, out[n].lab = (c)->lab;                        \
      n++;                                                               \
    }                                                                    \
  } while (0)
  char tmp[80];
  Col idc = {.ty = TY_INT};
  if (s->coll >= 0) {
    const Tab *k = &tabs[s->coll];
    for (int i = 0; i < k->ncols; i++)
      if (k->cols[i].ty == ty) {
        ADDREF(k->cols[i].name, &k->cols[i]); /* twice: more weight */
        ADDREF(k->cols[i].name, &k->cols[i]);
      }
    if (ty == TY_INT && chance(30)) ADDREF("id", &idc);
  }
  const Tab *t = &tabs[s->tab];
  for (int i = 0; i < t->ncols; i++)
    if (t->cols[i].ty == ty) ADDREF(t->cols[i].name, &t->cols[i]);
  if (ty == TY_INT && s->coll < 0 && chance(20)) ADDREF("id", &idc);
  if (s->pop)
    for (int i = 0; i < s->pop->nadded; i++)
      if (s->pop->added[i].ty == ty) {
        ADDREF(s->pop->added[i].name, &s->pop->added[i]);
        if (s->coll < 0) ADDREF(s->pop->added[i].name, &s->pop->added[i]); /* more weight */
      }
  /* links: store.city, store.region.rname */
  if (t->link >= 0 && chance(60)) {
    const Tab *u = &tabs[t->link];
    for (int i = 0; i < u->ncols; i++)
      if (u->cols[i].ty == ty) {
        snprintf(tmp, sizeof tmp, "%s.%s", t->link_nav, u->cols[i].name);
        ADDREF(tmp, &u->cols[i]);
      }
    if (u->link >= 0) {
      const Tab *v = &tabs[u->link];
      for (int i = 0; i < v->ncols; i++)
        if (v->cols[i].ty == ty) {
          snprintf(tmp, sizeof tmp, "%s.%s.%s", t->link_nav, u->link_nav, v->cols[i].name);
          ADDREF(tmp, &v->cols[i]);
        }
    }
  }
#undef ADDREF
  return n;
}

/* A column reference of type ty; 0 if the scope has none. */
static int column_ref(Buf *b, int ty, const Scope *s, int *lab) {
  Ref r[96];
  int n = refs_of(s, ty, r, 96);
  if (!n) return 0;
  Ref *x = &r[rn(n)];
  bput(b, "%s", x->text);
  if (lab) *lab = x->lab;
  return 1;
}

static void gen(Buf *b, int ty, int depth, const Scope *s);
static void gen_leaf(Buf *b, const Scope *s);

static void literal(Buf *b, int ty) {
  char d[32];
  switch (ty) {
    case TY_INT: bput(b, "%d", chance(10) ? rn(1000) - 200 : rn(25) - 3); break;
    case TY_DEC: bput(b, "%d.%s", rn(30) - 3, PICK(((const char *[]){"0", "5", "25", "75", "1"}))); break;
    case TY_TEXT: {
      if (chance(70)) {
        const char *v = text_pools[rn(NPOOLS)][rn(8)];
        bput(b, "\"%s\"", v);
      } else {
        static const char *const lit[] = {"a", "A", "", "x", "user1@ex.com", "+46"};
        bput(b, "\"%s\"", PICK(lit));
      }
      break;
    }
    case TY_ENUM: bput(b, "%s", label_sets[0][rn(3)]); break;
    case TY_DATE: date_text(d, some_day()); bput(b, "%s", d); break;
    case TY_TS: date_text(d, some_day()); bput(b, "%s %02d:%02d", d, rn(24), rn(60)); break;
    case TY_BOOL: bput(b, chance(50) ? "true" : "false"); break;
  }
}

/* An aggregate over the scope table's collection, of type ty. */
static int aggregate(Buf *b, int ty, int depth, const Scope *s) {
  const Tab *t = &tabs[s->tab];
  if (s->coll >= 0 || t->child < 0) return 0;
  const Tab *k = &tabs[t->child];
  const char *coll = k->name;
  if (ty == TY_INT && k->child >= 0 && chance(50)) {
    /* two collections deep: count(customers.purchases) on a store (the
     * filter reads the first collection's rows) */
    bput(b, "count(%s.%s", coll, tabs[k->child].name);
    if (chance(40)) {
      Scope in = *s;
      in.coll = t->child;
      bput(b, " where ");
      gen_leaf(b, &in);
    }
    bput(b, ")");
    return 1;
  }
  int idx[24], n = 0;
  int want = ty == TY_DEC && chance(40) ? TY_INT : ty;
  for (int i = 0; i < k->ncols; i++)
    if (k->cols[i].ty == want && k->cols[i].ty != TY_BOOL && k->cols[i].ty != TY_ENUM) idx[n++] = i;
  if (ty == TY_INT && (n == 0 || chance(45))) {
    bput(b, "count(%s", coll);
  } else if (n) {
    const Col *c = &k->cols[idx[rn(n)]];
    const char *f;
    if (ty == TY_DEC && want == TY_INT) f = "avg";
    else if (ty == TY_DEC) f = PICK(((const char *[]){"sum", "min", "max", "avg"}));
    else if (ty == TY_INT) f = PICK(((const char *[]){"sum", "min", "max"}));
    else f = chance(50) ? "min" : "max";
    bput(b, "%s(%s.%s", f, coll, c->name);
  } else {
    return 0;
  }
  if (chance(55)) {
    Scope in = *s;
    in.coll = t->child;
    bput(b, " where ");
    gen(b, TY_BOOL, depth + 1, &in);
  }
  bput(b, ")");
  return 1;
}

static void gen_cmp(Buf *b, int depth, const Scope *s) {
  static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
  int ty = rn(NTY - 1);
  if (ty == TY_ENUM) {
    int lab = 0;
    if (column_ref(b, TY_ENUM, s, &lab)) {
      bput(b, " %s ", PICK(ops));
      if (chance(30)) bput(b, "\"%s\"", label_sets[lab][rn(3)]);
      else bput(b, "%s", label_sets[lab][rn(3)]);
      return;
    }
    ty = TY_INT;
  }
  int ty2 = ty;
  if (ty == TY_INT && chance(30)) ty2 = TY_DEC;
  if (ty == TY_DATE && chance(30)) ty2 = TY_TS;
  gen(b, ty, depth + 1, s);
  bput(b, " %s ", PICK(ops));
  if (chance(3)) bput(b, "null");
  else if (chance(50)) literal(b, ty2);
  else gen(b, ty2, depth + 1, s);
}

static void gen_bool(Buf *b, int depth, const Scope *s) {
  int pick = depth > 3 ? rn(3) : rn(15);
  switch (pick) {
    case 0: case 1: gen_cmp(b, depth, s); return;
    case 2:
      if (!column_ref(b, TY_BOOL, s, NULL)) literal(b, TY_BOOL);
      else if (chance(30)) bput(b, " = %s", chance(50) ? "true" : "false");
      return;
    case 3: case 4:
      gen(b, TY_BOOL, depth + 1, s);
      bput(b, chance(50) ? " and " : " or ");
      gen(b, TY_BOOL, depth + 1, s);
      return;
    case 5: bput(b, "not "); gen(b, TY_BOOL, depth + 1, s); return;
    case 6: {
      int ty = PICK(((const int[]){TY_INT, TY_TEXT, TY_DATE, TY_DEC, TY_ENUM}));
      int lab = -1;
      if (!column_ref(b, ty, s, &lab)) {
        if (ty == TY_ENUM) ty = TY_INT;
        gen(b, ty, depth + 1, s);
      }
      bput(b, chance(30) ? " not in [" : " in [");
      int n = 1 + rn(4);
      for (int i = 0; i < n; i++) {
        if (i) bput(b, ", ");
        if (chance(8)) bput(b, "null");
        else if (ty == TY_ENUM) bput(b, "%s", label_sets[lab][rn(3)]);
        else literal(b, ty);
      }
      bput(b, "]");
      return;
    }
    case 7: {
      int ty = PICK(((const int[]){TY_INT, TY_DEC, TY_DATE, TY_TS, TY_TEXT}));
      gen(b, ty, depth + 1, s);
      bput(b, chance(25) ? " not between " : " between ");
      if (chance(60)) literal(b, ty); else gen(b, ty, depth + 1, s);
      bput(b, " and ");
      if (chance(60)) literal(b, ty); else gen(b, ty, depth + 1, s);
      return;
    }
    case 8: gen(b, rn(NTY - 1), depth + 1, s); bput(b, chance(50) ? " is null" : " is not null"); return;
    case 9: {
      static const char *const pats[] = {"a%", "%a", "%e%", "_l%", "A%", "%", "\xc3\xa9%", "%@ex.com",
                                         "x_y", "se", "%_%", "_", "user1%", "+46%"};
      static const char *const ops[] = {"like", "not like", "contains", "not contains", "starts with",
                                        "not starts with"};
      gen(b, TY_TEXT, depth + 1, s);
      bput(b, " %s ", PICK(ops));
      if (chance(85)) bput(b, "\"%s\"", PICK(pats)); else gen(b, TY_TEXT, depth + 1, s);
      return;
    }
    case 10: case 11: {
      const Tab *t = &tabs[s->tab];
      if (s->coll >= 0 || t->child < 0) { gen_cmp(b, depth, s); return; }
      bput(b, "%sexists %s", chance(30) ? "not " : "", tabs[t->child].name);
      if (chance(75)) {
        Scope in = *s;
        in.coll = t->child;
        bput(b, " where ");
        gen(b, TY_BOOL, depth + 1, &in);
      }
      return;
    }
    default: gen_cmp(b, depth, s); return;
  }
}

static void gen_int(Buf *b, int depth, const Scope *s) {
  static const char *const ops[] = {"+", "-", "*", "/", "%"};
  int pick = depth > 3 ? rn(2) : rn(14);
  switch (pick) {
    case 0: case 1: case 2: if (!column_ref(b, TY_INT, s, NULL)) literal(b, TY_INT); return;
    case 3: literal(b, TY_INT); return;
    case 4: case 5: gen(b, TY_INT, depth + 1, s); bput(b, " %s ", PICK(ops)); gen(b, TY_INT, depth + 1, s); return;
    case 6: case 7: if (!aggregate(b, TY_INT, depth, s)) literal(b, TY_INT); return;
    case 8: bput(b, "length("); gen(b, TY_TEXT, depth + 1, s); bput(b, ")"); return;
    case 9: {
      static const char *const f[] = {"year", "month", "day", "weekday", "hour", "days_since", "age"};
      bput(b, "%s(", PICK(f));
      gen(b, chance(50) ? TY_DATE : TY_TS, depth + 1, s);
      bput(b, ")");
      return;
    }
    case 10: bput(b, chance(50) ? "floor(" : "ceil("); gen(b, TY_DEC, depth + 1, s); bput(b, ")"); return;
    case 11: bput(b, "coalesce("); gen(b, TY_INT, depth + 1, s); bput(b, ", "); literal(b, TY_INT); bput(b, ")"); return;
    case 12: bput(b, "abs("); gen(b, TY_INT, depth + 1, s); bput(b, ")"); return;
    default: bput(b, chance(50) ? "min(" : "max("); gen(b, TY_INT, depth + 1, s); bput(b, ", "); gen(b, TY_INT, depth + 1, s); bput(b, ")"); return;
  }
}

static void gen_dec(Buf *b, int depth, const Scope *s) {
  static const char *const ops[] = {"+", "-", "*", "/"};
  int pick = depth > 3 ? rn(2) : rn(10);
  switch (pick) {
    case 0: case 1: case 2: if (!column_ref(b, TY_DEC, s, NULL)) literal(b, TY_DEC); return;
    case 3: literal(b, TY_DEC); return;
    case 4: gen(b, TY_DEC, depth + 1, s); bput(b, " %s ", PICK(ops)); gen(b, chance(50) ? TY_INT : TY_DEC, depth + 1, s); return;
    case 5: case 6: if (!aggregate(b, TY_DEC, depth, s)) literal(b, TY_DEC); return;
    case 7: bput(b, "round("); gen(b, TY_DEC, depth + 1, s); bput(b, ")"); return;
    case 8: bput(b, "abs("); gen(b, TY_DEC, depth + 1, s); bput(b, ")"); return;
    default: bput(b, "coalesce("); gen(b, TY_DEC, depth + 1, s); bput(b, ", "); literal(b, TY_DEC); bput(b, ")"); return;
  }
}

static void gen_text(Buf *b, int depth, const Scope *s) {
  int pick = depth > 3 ? rn(2) : rn(10);
  switch (pick) {
    case 0: case 1: case 2: if (!column_ref(b, TY_TEXT, s, NULL)) literal(b, TY_TEXT); return;
    case 3: literal(b, TY_TEXT); return;
    case 4: bput(b, "%s(", PICK(((const char *[]){"lower", "upper", "trim"}))); gen(b, TY_TEXT, depth + 1, s); bput(b, ")"); return;
    case 5: gen(b, TY_TEXT, depth + 1, s); bput(b, " || "); gen(b, TY_TEXT, depth + 1, s); return;
    case 6: bput(b, "concat("); gen(b, TY_TEXT, depth + 1, s); bput(b, ", "); gen(b, TY_TEXT, depth + 1, s); bput(b, ")"); return;
    case 7: if (!aggregate(b, TY_TEXT, depth, s)) literal(b, TY_TEXT); return;
    case 8:
      /* substr(...) is not in the columnar engines: only in a few campaigns
       * (which then plan step by step: the fallback is compared too) */
      if (!use_substr) { literal(b, TY_TEXT); return; }
      bput(b, "substr("); gen(b, TY_TEXT, depth + 1, s); bput(b, ", %d, %d)", 1 + rn(3), rn(4));
      return;
    default: bput(b, "coalesce("); gen(b, TY_TEXT, depth + 1, s); bput(b, ", "); literal(b, TY_TEXT); bput(b, ")"); return;
  }
}

static void gen_temporal(Buf *b, int ty, int depth, const Scope *s) {
  int pick = depth > 3 ? rn(2) : rn(8);
  switch (pick) {
    case 0: case 1: case 2: if (!column_ref(b, ty, s, NULL)) literal(b, ty); return;
    case 3: literal(b, ty); return;
    case 4:
      gen(b, ty, depth + 1, s);
      if (ty == TY_DATE) bput(b, chance(50) ? " + %dd" : " - %dd", rn(100));
      else bput(b, chance(50) ? " + %dh" : " - %dd", rn(100));
      return;
    case 5: bput(b, ty == TY_DATE ? "today() - %dd" : "now() - %dd", rn(400)); return;
    case 6:
      if (ty == TY_DATE) { bput(b, "date("); gen(b, TY_TS, depth + 1, s); bput(b, ")"); }
      else { gen(b, TY_DATE, depth + 1, s); bput(b, " + %dh", rn(50)); }
      return;
    default: if (!aggregate(b, ty, depth, s)) literal(b, ty); return;
  }
}

static void gen(Buf *b, int ty, int depth, const Scope *s) {
  bput(b, "(");
  switch (ty) {
    case TY_INT: gen_int(b, depth, s); break;
    case TY_DEC: gen_dec(b, depth, s); break;
    case TY_TEXT: gen_text(b, depth, s); break;
    case TY_ENUM: if (!column_ref(b, TY_ENUM, s, NULL)) literal(b, TY_TEXT); break;
    case TY_DATE: case TY_TS: gen_temporal(b, ty, depth, s); break;
    default: gen_bool(b, depth, s); break;
  }
  bput(b, ")");
}

/* A simple condition (column against a literal, in-list, is null, like,
 * exists, an aggregate against a literal, a bool column): one of these
 * holds for a fair share of rows, so chained steps keep members. */
static void gen_leaf(Buf *b, const Scope *s) {
  static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
  const Tab *t = &tabs[s->tab];
  int k = rn(11), lab = 0;
  if (s->coll < 0 && t->child >= 0 && tabs[t->child].child >= 0 && chance(12)) {
    /* a store: count(customers.purchases ...) op literal */
    while (!aggregate(b, TY_INT, 2, s)) continue;
    bput(b, " %s %d", PICK(((const char *[]){">", ">=", "<", "<=", "!=", "="})), rn(6));
    return;
  }
  if (k <= 3) { /* column op literal */
    int ty = PICK(((const int[]){TY_INT, TY_INT, TY_DEC, TY_TEXT, TY_ENUM, TY_DATE, TY_TS}));
    if (column_ref(b, ty, s, &lab)) {
      bput(b, " %s ", PICK(ops));
      if (ty == TY_ENUM) bput(b, "%s", label_sets[lab][rn(3)]);
      else literal(b, ty);
      return;
    }
  } else if (k == 4) { /* in-list */
    int ty = PICK(((const int[]){TY_INT, TY_TEXT, TY_ENUM}));
    if (column_ref(b, ty, s, &lab)) {
      bput(b, chance(30) ? " not in [" : " in [");
      int n = 2 + rn(4);
      for (int i = 0; i < n; i++) {
        if (i) bput(b, ", ");
        if (ty == TY_ENUM) bput(b, "%s", label_sets[lab][rn(3)]);
        else if (ty == TY_INT) bput(b, "%d", rn(25) - 3);
        else literal(b, ty);
      }
      bput(b, "]");
      return;
    }
  } else if (k == 5) { /* is [not] null */
    if (column_ref(b, rn(NTY), s, NULL)) {
      bput(b, chance(35) ? " is null" : " is not null");
      return;
    }
  } else if (k == 6) { /* text patterns */
    if (column_ref(b, TY_TEXT, s, NULL)) {
      static const char *const pats[] = {"%a%", "s%", "%e", "_l%", "%", "\xc3\xa9%", "%@ex.com", "+46%", "user1%"};
      static const char *const tops[] = {"like", "not like", "contains", "starts with"};
      bput(b, " %s \"%s\"", PICK(tops), PICK(pats));
      return;
    }
  } else if (k == 7 && s->coll < 0 && t->child >= 0) { /* exists */
    bput(b, "%sexists %s", chance(25) ? "not " : "", tabs[t->child].name);
    if (chance(60)) {
      Scope in = *s;
      in.coll = t->child;
      bput(b, " where (");
      gen_leaf(b, &in);
      bput(b, ")");
    }
    return;
  } else if (k == 8 && s->coll < 0 && t->child >= 0) { /* aggregate op literal */
    int ty = chance(50) ? TY_INT : TY_DEC;
    if (aggregate(b, ty, 2, s)) {
      bput(b, " %s ", PICK(((const char *[]){">", ">=", "<", "<=", "!="})));
      bput(b, "%d", ty == TY_INT ? rn(4) : rn(60));
      return;
    }
  } else if (k == 9) {
    if (column_ref(b, TY_BOOL, s, NULL)) return;
  }
  gen_cmp(b, 2, s);
}

/* A rule for a population: mostly simple conditions and their and / or /
 * not, sometimes a deep random expression; biased towards the
 * population's added columns when it has some. */
static void gen_rule(Buf *b, const Scope *s) {
  if (s->pop && s->pop->nadded && chance(60)) {
    const Col *c = &s->pop->added[rn(s->pop->nadded)];
    if (c->ty != TY_ROWS) {
      Buf r = {0};
      Scope sc = *s;
      int ty = c->ty;
      static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
      if (ty == TY_BOOL) bput(&r, "%s%s", chance(30) ? "not " : "", c->name);
      else if (ty == TY_ENUM) bput(&r, "%s %s %s", c->name, PICK(ops), label_sets[c->lab][rn(3)]);
      else if (chance(15)) bput(&r, "%s is %snull", c->name, chance(50) ? "not " : "");
      else {
        bput(&r, "%s %s ", c->name, PICK(ops));
        if (chance(80)) literal(&r, ty); else gen(&r, ty, 2, &sc);
      }
      if (chance(35)) {
        bput(b, "(%s) %s (", r.s, chance(40) ? "and" : "or");
        gen_leaf(b, s);
        bput(b, ")");
      } else {
        bput(b, "%s", r.s);
      }
      free(r.s);
      return;
    }
  }
  int k = rn(20);
  if (k < 8) {
    gen_leaf(b, s);
  } else if (k < 12) {
    bput(b, "(");
    gen_leaf(b, s);
    bput(b, ") or (");
    gen_leaf(b, s);
    bput(b, ")");
  } else if (k < 15) {
    bput(b, "(");
    gen_leaf(b, s);
    bput(b, ") and (");
    gen_leaf(b, s);
    bput(b, ")");
  } else if (k < 16) {
    bput(b, "not (");
    gen_leaf(b, s);
    bput(b, ")");
  } else {
    gen(b, TY_BOOL, chance(50) ? 1 : 0, s);
  }
}

/* A value expression of some type for keys and orderings: mostly plain
 * columns (ties and duplicates), sometimes computed. */
static int gen_value(Buf *b, const Scope *s, int allow_bool) {
  int ty;
  do ty = rn(NTY);
  while (ty == TY_BOOL && !allow_bool);
  if (s->pop && s->pop->nadded && chance(40)) {
    const Col *c = &s->pop->added[rn(s->pop->nadded)];
    if (c->ty != TY_ROWS && (c->ty != TY_BOOL || allow_bool)) {
      if (c->ty == TY_TEXT && chance(40)) bput(b, "lower(%s)", c->name);
      else bput(b, "%s", c->name);
      return c->ty;
    }
  }
  if (ty == TY_TEXT && chance(50)) {
    bput(b, "lower(");
    if (!column_ref(b, TY_TEXT, s, NULL)) literal(b, TY_TEXT);
    bput(b, ")");
    return ty;
  }
  if (chance(70) && column_ref(b, ty, s, NULL)) return ty;
  if (ty == TY_BOOL) ty = TY_INT;
  gen(b, ty, 2, s);
  return ty;
}

/* ---------------------------------------------------------- campaign */

static Pop *new_pop(const char *prefix, int tab) {
  if (npops == 256) abort();
  Pop *p = &pops[npops++];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s%d", prefix, npops);
  p->tab = tab;
  p->est = 0.4;
  return p;
}

static void copy_added(Pop *to, const Pop *from) {
  memcpy(to->added, from->added, sizeof to->added);
  to->nadded = from->nadded;
}

/* A random existing population (of table tab, or any when tab < 0),
 * biased to recent ones and ones with added columns; NULL if none. */
static Pop *pick_pop(int tab, int want_added) {
  double w[256], sum = 0;
  int any = 0;
  for (int i = 0; i < npops; i++) {
    w[i] = 0;
    if (tab >= 0 && pops[i].tab != tab) continue;
    any = 1;
    w[i] = pops[i].est + 0.03;
    if (i >= npops - 4) w[i] *= 2;
    if (want_added && pops[i].nadded) w[i] *= 3;
    sum += w[i];
  }
  if (!any) return NULL;
  double x = (double)(rnd() >> 11) / 9007199254740992.0 * sum;
  for (int i = 0; i < npops; i++) {
    if (w[i] > 0 && x < w[i]) return &pops[i];
    x -= w[i];
  }
  for (int i = npops - 1; i >= 0; i--)
    if (w[i] > 0) return &pops[i];
  return NULL;
}

/* PLAN_GEN_NO="join split_or order_int" avoids constructs of known bugs
 * (tests/plans/cases) while hunting for others: no join steps, split rules
 * parenthesized, no int constants in split `order by`.  The same seed
 * then gives another campaign. */
static int skip_kind(const char *kind) {
  const char *no = getenv("PLAN_GEN_NO");
  return no && strstr(no, kind) != NULL;
}

/* A population of table tab if there is one, else any. */
static Pop *pick_pref(int tab) {
  Pop *p = pick_pop(tab, 0);
  return p ? p : pick_pop(-1, 0);
}

static Pop *use(Pop *p) {
  p->used = 1;
  return p;
}

static Scope scope_of(const Pop *p) { return (Scope){p->tab, p, -1}; }

static void step_select_schema(Buf *b) {
  int tab = nstep == 0 || chance(88) ? T_CUS : T_STO;
  Pop *p = new_pop("sel", tab);
  Scope s = {tab, NULL, -1};
  bput(b, "  %s = %s", p->name, tabs[tab].name);
  p->est = 1;
  if (chance(92)) {
    p->est = 0.5;
    bput(b, " where ");
    gen_rule(b, &s);
  }
  bput(b, "\n");
}

static void step_select_pop(Buf *b) {
  Pop *in = use(pick_pop(-1, 1));
  Pop *p = new_pop("flt", in->tab);
  copy_added(p, in);
  p->est = in->est * 0.5;
  Scope s = scope_of(in);
  bput(b, "  %s = %s where ", p->name, in->name);
  gen_rule(b, &s);
  bput(b, "\n");
}

static int same_tab_pops(int tab, Pop **out, int want) {
  int n = 0;
  for (int i = 0; i < npops; i++) n += pops[i].tab == tab;
  if (n < 2) return 0;
  if (want > n) want = n;
  int got = 0;
  for (int tries = 0; got < want && tries < 50; tries++) {
    Pop *p = pick_pop(tab, 0);
    int dup = 0;
    for (int k = 0; k < got; k++) dup |= out[k] == p;
    if (!dup) out[got++] = p;
  }
  return got;
}

static void step_combine(Buf *b) {
  int tab = chance(90) ? T_CUS : T_STO;
  Pop *in[4];
  int n = same_tab_pops(tab, in, 2 + (chance(25) ? 1 + rn(2) : 0));
  if (n < 2) return;
  int kind = rn(3); /* union, intersect, except */
  static const char *const kinds[] = {"union", "intersect", "except"};
  Pop *p = new_pop(kind == 0 ? "uni" : kind == 1 ? "int" : "exc", tab);
  Pop *q = kind && chance(55) ? new_pop("cmp", tab) : NULL;
  if (kind == 0) {
    /* the added columns every input has (same names, same origin) */
    for (int k = 0; k < in[0]->nadded; k++) {
      int all = 1;
      for (int i = 1; i < n; i++) {
        int found = 0;
        for (int j = 0; j < in[i]->nadded; j++) found |= !strcmp(in[i]->added[j].name, in[0]->added[k].name);
        all &= found;
      }
      if (all) p->added[p->nadded++] = in[0]->added[k];
    }
  } else {
    copy_added(p, in[0]);
    if (q) copy_added(q, in[0]);
  }
  double lo = 1, hi = 0;
  for (int i = 0; i < n; i++) {
    if (in[i]->est < lo) lo = in[i]->est;
    if (in[i]->est > hi) hi = in[i]->est;
  }
  p->est = kind == 0 ? (hi * 1.5 < 1 ? hi * 1.5 : 1) : kind == 1 ? lo * 0.6 : in[0]->est * 0.6;
  if (q) q->est = kind == 1 ? hi : in[0]->est * 0.4;
  bput(b, "  %s%s%s = %s(", p->name, q ? ", " : "", q ? q->name : "", kinds[kind]);
  for (int i = 0; i < n; i++) bput(b, "%s%s", i ? ", " : "", use(in[i])->name);
  bput(b, ")\n");
}

static void prefer_item(Buf *b, const Scope *s) {
  int k = rn(10);
  if (k == 0) {
    bput(b, "random");
    return;
  }
  if (k <= 6) {
    bput(b, "%s(", k <= 3 ? "max" : k <= 5 ? "min" : "non-null");
    gen_value(b, s, 0);
    bput(b, ")");
    return;
  }
  /* x in [v1, v2, ...] */
  int ty = PICK(((const int[]){TY_INT, TY_TEXT, TY_ENUM, TY_DEC}));
  int lab = 0;
  if (!column_ref(b, ty, s, &lab)) {
    ty = TY_INT;
    if (!column_ref(b, ty, s, &lab)) bput(b, "id");
  }
  int n = 1 + rn(3);
  bput(b, " in [");
  for (int i = 0; i < n; i++) {
    if (i) bput(b, ", ");
    if (ty == TY_ENUM) bput(b, "%s", label_sets[lab][rn(3)]);
    else literal(b, ty);
  }
  bput(b, "]");
}

static void step_dedup(Buf *b) {
  Pop *in = use(pick_pref(chance(90) ? T_CUS : -1));
  Pop *p = new_pop("ded", in->tab);
  Pop *q = chance(60) ? new_pop("dup", in->tab) : NULL;
  copy_added(p, in);
  if (q) copy_added(q, in);
  p->est = in->est * 0.8;
  if (q) q->est = in->est * 0.15;
  Scope s = scope_of(in);
  bput(b, "  %s%s%s = dedup %s by ", p->name, q ? ", " : "", q ? q->name : "", in->name);
  int nk = chance(75) ? 1 : 2 + rn(2);
  for (int i = 0; i < nk; i++) {
    if (i) bput(b, ", ");
    if (in->tab == T_CUS && chance(25)) bput(b, "lower(email)");
    else gen_value(b, &s, 1);
  }
  if (chance(70)) bput(b, " keep %d", chance(10) ? 0 : 1 + rn(3));
  if (chance(80)) {
    int np = chance(70) ? 1 : 2 + rn(2);
    bput(b, " prefer ");
    for (int i = 0; i < np; i++) {
      if (i) bput(b, ", ");
      prefer_item(b, &s);
    }
  }
  bput(b, "\n");
}

static void step_enrich(Buf *b) {
  Pop *in = use(pick_pref(chance(85) ? T_CUS : -1));
  Pop *p = new_pop("enr", in->tab);
  copy_added(p, in);
  p->est = in->est;
  Scope s = scope_of(in);
  const Tab *t = &tabs[in->tab];
  int n = 1 + rn(4);
  bput(b, "  %s = enrich %s {\n", p->name, in->name);
  for (int i = 0; i < n && p->nadded < 30; i++) {
    Col *c = &p->added[p->nadded];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "e%d_%d", nstep, i);
    Buf e = {0};
    int k = rn(12), ty;
    if (k <= 4 && t->child >= 0) { /* aggregate over the collection */
      ty = PICK(((const int[]){TY_INT, TY_INT, TY_DEC, TY_DEC, TY_TS, TY_TEXT, TY_DATE}));
      if (!aggregate(&e, ty, 1, &s)) {
        ty = TY_INT;
        bput(&e, "count(%s)", tabs[t->child].name);
      }
    } else if (k <= 6 && t->link >= 0) { /* a link column */
      const Tab *u = &tabs[t->link];
      const Col *uc = &u->cols[rn(u->ncols)];
      bput(&e, "%s.%s", t->link_nav, uc->name);
      ty = uc->ty, c->lab = uc->lab;
    } else if (k == 7 && t->child >= 0 && chance(40)) { /* first N rows (JSON) */
      const Tab *u = &tabs[t->child];
      bput(&e, "first %d %s", 1 + rn(3), u->name);
      if (chance(50)) {
        Scope in2 = s;
        in2.coll = t->child;
        bput(&e, " where ");
        gen(&e, TY_BOOL, 2, &in2);
      }
      bput(&e, " order by %s%s", u->cols[rn(u->ncols)].name, chance(50) ? " desc" : "");
      ty = TY_ROWS;
    } else if (k == 8) { /* a copy of a dimension column (enum keeps its labels) */
      const Col *dc = &t->cols[rn(t->ncols)];
      bput(&e, "%s", dc->name);
      ty = dc->ty, c->lab = dc->lab;
    } else { /* arithmetic and friends, may read added columns */
      ty = PICK(((const int[]){TY_INT, TY_DEC, TY_DEC, TY_TEXT, TY_DATE, TY_TS, TY_BOOL}));
      gen(&e, ty, 1, &s);
    }
    c->ty = ty;
    bput(b, "    %s = %s\n", c->name, e.s);
    free(e.s);
    p->nadded++;
  }
  bput(b, "  }\n");
}

/* "17", "(-3)": an int constant (SQLite's ORDER BY reads it as a column
 * number; PLAN_GEN_NO=order_int avoids it). */
static int int_constant(const char *t) {
  while (*t == '(' || *t == '-' || *t == ' ') t++;
  if (*t < '0' || *t > '9') return 0;
  while (*t >= '0' && *t <= '9') t++;
  while (*t == ')') t++;
  return *t == 0;
}

static void step_split(Buf *b) {
  Pop *in = use(pick_pop(-1, 1));
  int nb = 2 + rn(3);
  int has_else = chance(65);
  int overlap = chance(25), skip = chance(15);
  Pop *out[8];
  for (int i = 0; i < nb; i++) {
    out[i] = new_pop("spl", in->tab);
    copy_added(out[i], in);
    out[i]->est = in->est * 0.35;
  }
  Scope s = scope_of(in);
  bput(b, "  ");
  for (int i = 0; i < nb; i++) bput(b, "%s%s", i ? ", " : "", out[i]->name);
  bput(b, " = split %s%s%s {\n", in->name, overlap ? " overlap" : "", skip ? " skip empty" : "");
  for (int i = 0; i < nb; i++) {
    int labelled = chance(50);
    if (i == nb - 1 && has_else) {
      bput(b, "    %s%selse\n", labelled ? out[i]->name : "", labelled ? " " : "");
      break;
    }
    bput(b, "    %s%swhen ", labelled ? out[i]->name : "", labelled ? " " : "");
    int all = chance(12); /* `when true`, always with a limit */
    if (all) {
      bput(b, "true");
    } else if (skip_kind("split_or")) { /* parenthesized: no top-level `or` */
      bput(b, "(");
      gen_rule(b, &s);
      bput(b, ")");
    } else {
      gen_rule(b, &s);
    }
    int lim = all || chance(55);
    if (lim) {
      if (chance(60)) bput(b, " limit %d", PICK(((const int[]){1, 2, 3, 5, 10, 25, 50, 100, 250, 1000})));
      else bput(b, " limit %s%%", PICK(((const char *[]){"1", "5", "10", "12.5", "33", "33.3", "50", "66.7", "99", "100", "0.5"})));
    }
    if ((lim && chance(55)) || chance(4)) {
      int no = chance(70) ? 1 : 2;
      bput(b, " order by ");
      for (int k = 0; k < no; k++) {
        if (k) bput(b, ", ");
        Buf v = {0};
        gen_value(&v, &s, 1);
        while (skip_kind("order_int") && int_constant(v.s)) v.n = 0, gen_value(&v, &s, 1);
        bput(b, "%s", v.s);
        free(v.s);
        int d = rn(3);
        bput(b, "%s", d == 0 ? " desc" : d == 1 ? " asc" : "");
      }
    }
    bput(b, "\n");
  }
  bput(b, "  }\n");
}

/* A placeholder naming a column of p (dimension, link or added). */
static void placeholder(Buf *b, const Pop *p) {
  const Tab *t = &tabs[p->tab];
  int k = rn(3);
  if (k == 0 && p->nadded) {
    const Col *c = &p->added[rn(p->nadded)];
    if (c->ty != TY_ROWS) {
      bput(b, "{{%s}}", c->name);
      return;
    }
  }
  if (k == 1 && t->link >= 0) {
    const Tab *u = &tabs[t->link];
    bput(b, "{{%s.%s}}", t->link_nav, u->cols[rn(u->ncols)].name);
    return;
  }
  bput(b, "{{%s}}", t->cols[rn(t->ncols)].name);
}

static void step_channel(Buf *b) {
  Pop *in = pick_pop(T_CUS, 0);
  if (!in) return;
  use(in);
  int ch = rn(have_push ? 5 : 4); /* email, sms, mail, email, push */
  Pop *p = NULL;
  if (ch != 2 && chance(60)) {
    p = new_pop("msg", T_CUS);
    copy_added(p, in);
    p->channel = 1;
    p->est = in->est * 0.8;
    bput(b, "  %s = ", p->name);
  } else {
    bput(b, "  ");
  }
  if (ch == 0 || ch == 3) {
    bput(b, "email %s { subject \"Hi ", in->name);
    placeholder(b, in);
    bput(b, "\"; body \"Offer for ");
    placeholder(b, in);
    bput(b, "\" }\n");
  } else if (ch == 1) {
    bput(b, "sms %s \"Hello ", in->name);
    placeholder(b, in);
    bput(b, "\"\n");
  } else if (ch == 4) {
    bput(b, "push %s \"Ping ", in->name);
    placeholder(b, in);
    bput(b, "\"\n");
  } else {
    const Tab *t = &tabs[in->tab];
    bput(b, "mail %s { extract \"out/mail%d.csv\" columns (%s", in->name, nstep, t->cols[rn(t->ncols)].name);
    for (int i = 0; i < in->nadded; i++)
      if (in->added[i].ty != TY_ROWS && chance(50)) bput(b, ", %s", in->added[i].name);
    bput(b, ") }\n");
  }
}

static void step_misc(Buf *b) {
  int k = rn(9);
  if (k <= 1) { /* wait */
    Pop *in = use(pick_pop(-1, 0));
    Pop *p = new_pop("wt", in->tab);
    copy_added(p, in);
    p->est = in->est;
    if (chance(50)) bput(b, "  %s = wait %s %d%s\n", p->name, in->name, 1 + rn(10), chance(50) ? "d" : "h");
    else bput(b, "  %s = wait %s until 2026-03-%02d 09:00\n", p->name, in->name, 2 + rn(20));
  } else if (k == 2) { /* save */
    Pop *in = use(pick_pop(-1, 0));
    bput(b, "  save %s as \"keep%d\"\n", in->name, nstep);
  } else if (k == 3) { /* fork */
    Pop *in = use(pick_pop(-1, 0));
    int n = 2 + rn(2);
    bput(b, "  ");
    for (int i = 0; i < n; i++) {
      Pop *p = new_pop("frk", in->tab);
      copy_added(p, in);
      p->est = in->est;
      bput(b, "%s%s", i ? ", " : "", p->name);
    }
    bput(b, " = fork %s\n", in->name);
  } else if (k == 4) { /* join */
    if (skip_kind("join")) return;
    Pop *in[3];
    int tab = chance(90) ? T_CUS : T_STO;
    int n = same_tab_pops(tab, in, 2);
    if (n < 2) return;
    Pop *p = new_pop("jn", tab);
    int prim = rn(n);
    copy_added(p, in[prim]);
    p->est = in[prim]->est;
    bput(b, "  %s = join(%s, %s) primary %s\n", p->name, use(in[0])->name, use(in[1])->name, in[prim]->name);
  } else if (k == 5) { /* change dimension */
    Pop *in = use(pick_pop(-1, 0));
    Pop *p = new_pop("chg", in->tab == T_CUS ? T_STO : T_CUS);
    bput(b, "  %s = change dimension %s to %s%s\n", p->name, in->name, tabs[p->tab].name,
         chance(30) ? " via store_id" : "");
  } else if (k == 6) { /* a saved audience */
    int tab = chance(80) ? T_CUS : T_STO;
    Pop *p = new_pop("aud", tab);
    int none = chance(15);
    p->est = none ? 0 : 0.4;
    bput(b, "  %s = audience \"%s\" of %s\n", p->name, none ? "nobody" : tab == T_CUS ? "aud_c" : "aud_s",
         tabs[tab].name);
  } else { /* retarget a channel step */
    int idx[256], n = 0;
    for (int i = 0; i < npops; i++)
      if (pops[i].channel) idx[n++] = i;
    if (!n) return;
    Pop *in = use(&pops[idx[rn(n)]]);
    Pop *p = new_pop("rt", T_CUS);
    copy_added(p, in);
    p->est = 0; /* a plan delivers nothing: no feedback */
    static const char *const ev[] = {"sent", "delivered", "bounced", "opened", "clicked", "unsubscribed", "failed"};
    bput(b, "  %s = retarget %s where %s%s", p->name, in->name, chance(50) ? "not " : "", PICK(ev));
    if (chance(50)) bput(b, " within %dd", 1 + rn(7));
    bput(b, "\n");
  }
}

static void gen_campaign(Buf *b, uint64_t seed) {
  npops = 0;
  use_substr = chance(4);
  int nsteps = 8 + rn(23);
  static const char *const big_seeds[] = {"0", "9007199254740993", "9223372036854775807", "4294967296"};
  char sd[32];
  snprintf(sd, sizeof sd, "%d", rn(1000000));
  bput(b, "\ncampaign pc {\n  title \"plan differential %llu\"\n  seed %s\n", (unsigned long long)seed,
       chance(10) ? PICK(big_seeds) : sd);
  for (nstep = 0; nstep < nsteps; nstep++) {
    if (nstep < 2) {
      step_select_schema(b);
      continue;
    }
    int k = rn(100);
    if (k < 8) step_select_schema(b);
    else if (k < 22) step_select_pop(b);
    else if (k < 36) step_combine(b);
    else if (k < 47) step_dedup(b);
    else if (k < 60) step_enrich(b);
    else if (k < 77) step_split(b);
    else if (k < 85) step_channel(b);
    else step_misc(b);
  }
  /* every output nobody reads is saved (a sink), so the campaign has no
   * unused steps */
  for (int i = 0; i < npops; i++)
    if (!pops[i].used) bput(b, "  save %s as \"end_%s\"\n", pops[i].name, pops[i].name);
  bput(b, "}\n");
  /* the audiences the plan reads back, saved by `camp run --campaign saver` */
  Scope sc = {T_CUS, NULL, -1}, ss = {T_STO, NULL, -1};
  bput(b, "\ncampaign saver {\n  seed 1\n  a = customers where ");
  gen(b, TY_BOOL, 1, &sc);
  bput(b, "\n  save a as \"aud_c\"\n  s = stores where ");
  gen(b, TY_BOOL, 2, &ss);
  bput(b, "\n  save s as \"aud_s\"\n}\n");
}

/* --------------------------------------------------------------- main */

static int write_file(const char *dir, const char *name, const Buf *b) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f || fwrite(b->s, 1, b->n, f) != b->n || fclose(f) != 0) {
    fprintf(stderr, "plan_gen: cannot write %s\n", path);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: plan_gen SEED DIR\n");
    return 2;
  }
  uint64_t seed = strtoull(argv[1], NULL, 10);
  rng_state = seed * 0x2545f4914f6cdd1dULL + 12345;
  make_schema();
  static const int order[] = {T_REG, T_STO, T_CUS, T_PUR};
  for (int k = 0; k < NTAB; k++) make_keys(&tabs[order[k]]);
  Buf camp = {0}, sql = {0};
  bput(&camp, "// plan_gen %llu: schemas, the campaign `pc` (planned by every engine) and\n"
              "// `saver` (run first: saves the audiences pc reads).\n",
       (unsigned long long)seed);
  camp_schemas(&camp);
  gen_campaign(&camp, seed);
  for (int k = 0; k < NTAB; k++) sql_table(&sql, &tabs[order[k]]);
  int rc = write_file(argv[2], "campaign.camp", &camp) || write_file(argv[2], "data.sql", &sql);
  for (int k = 0; k < NTAB; k++) free(tabs[k].keys);
  free(camp.s);
  free(sql.s);
  return rc;
}
