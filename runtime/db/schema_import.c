/* schema_import.c — `camp schema --from-db`/`--from-ddl`: reads the tables
 * of a database through db.h and writes matching `.camp` schemas, with the
 * guesses of schema_infer.c marked in comments.  Everything camp cannot
 * express is written as a comment, so the output always parses. */
#include "runtime/db/schema_import.h"
#include "runtime/db/schema_infer.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
  DbTableInfo *t;
  int n;
} Tables;

typedef struct {
  const char *word, *cls;
} Keyword;

static const Keyword keywords[] = {
#define KW(w, t, c) {w, #c},
#include "lang/keywords.def"
};

/* Matches [A-Za-z_][A-Za-z0-9_]*, what camp accepts as a (quoted) name. */
static int plain_ident(const char *s) {
  if (!s || !(isalpha((unsigned char)*s) || *s == '_')) return 0;
  for (s++; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_')) return 0;
  return 1;
}

/* Keywords the grammar also accepts as names: `soft_kw` in parser.y (the
 * channel words plus `plain_kw`).  Same rule as `camp fmt` (fmt_ident with
 * ID_ANY), so the output is already in canonical form. */
static const char *const soft_keywords[] = {
    "subject", "template", "body", "extract", "columns", "dimension",
    "primary", "overlap", "empty", "audience", "from", "nulls",
};

static int needs_quotes(const char *s) {
  for (size_t i = 0; i < sizeof soft_keywords / sizeof soft_keywords[0]; i++)
    if (strcmp(soft_keywords[i], s) == 0) return 0;
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strcmp(keywords[i].word, s) == 0) return strcmp(keywords[i].cls, "channel") != 0;
  return 0;
}

static void put_name(FILE *out, const char *s) {
  fprintf(out, needs_quotes(s) ? "`%s`" : "%s", s);
}

/* Database names may hold anything; keep a line comment on one line. */
static void put_comment_text(FILE *out, const char *s) {
  for (; *s; s++) fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

/* ----------------------------------------------------------------- types */

static int has(const char *up, const char *word) { return strstr(up, word) != NULL; }

/* The camp type for a declared SQLite type, following SQLite's affinity
 * rules plus the date/time/bool names SQLite itself does not know.  Sets
 * *guessed when the declaration says nothing camp understands. */
static const char *camp_type(const char *decl, int *guessed) {
  char up[128];
  size_t n = 0;
  for (; decl[n] && decl[n] != '(' && n < sizeof up - 1; n++)
    up[n] = (char)toupper((unsigned char)decl[n]);
  while (n > 0 && up[n - 1] == ' ') n--;
  up[n] = 0;
  *guessed = 0;
  if (strncmp(up, "BOOL", 4) == 0) return "bool";
  if (strcmp(up, "DATE") == 0) return "date";
  if (strncmp(up, "DATETIME", 8) == 0 || has(up, "TIMESTAMP")) return "timestamp";
  if (has(up, "INT")) return "int";
  if (has(up, "CHAR") || has(up, "CLOB") || has(up, "TEXT")) return "text";
  if (has(up, "REAL") || has(up, "FLOA") || has(up, "DOUB") || has(up, "NUMERIC") ||
      has(up, "DECIMAL"))
    return "decimal";
  *guessed = 1;
  return "text";
}

/* ------------------------------------------------------------ notes */

typedef struct {
  char buf[512];
  size_t len;
} Note;

static void note_add(Note *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(Note *n, const char *fmt, ...) {
  if (n->len && n->len < sizeof n->buf)
    n->len += (size_t)snprintf(n->buf + n->len, sizeof n->buf - n->len, "; ");
  if (n->len >= sizeof n->buf) return;
  va_list ap;
  va_start(ap, fmt);
  n->len += (size_t)vsnprintf(n->buf + n->len, sizeof n->buf - n->len, fmt, ap);
  va_end(ap);
}

/* ------------------------------------------------------------ tables */

static DbTableInfo *find_table(const Tables *ts, const char *name) {
  for (int i = 0; i < ts->n; i++)
    if (strcasecmp(ts->t[i].name, name) == 0) return &ts->t[i];
  return NULL;
}

static int pk_count(const DbTableInfo *t) {
  int n = 0;
  for (int i = 0; i < t->ncols; i++) n += t->cols[i].pk > 0;
  return n;
}

/* The column camp will declare `key`, or NULL: the primary key when it is
 * one column; under a composite primary key, the first NOT NULL column
 * with a unique index of its own (rows are identified by it too). */
static const DbColumnInfo *camp_key(const DbTableInfo *t) {
  int npk = pk_count(t);
  for (int i = 0; i < t->ncols; i++) {
    const DbColumnInfo *c = &t->cols[i];
    if (!plain_ident(c->name)) continue;
    if (npk == 1 && c->pk) return c;
    if (npk > 1 && c->unique && c->notnull) return c;
  }
  return NULL;
}

/* The table a foreign key column links to, or NULL with the reason noted. */
static const DbTableInfo *link_target(const Tables *ts, const DbColumnInfo *c, Note *note) {
  const DbTableInfo *to = find_table(ts, c->fk_table);
  const char *col = c->fk_column ? c->fk_column : "?";
  if (!to) {
    note_add(note, "refers to %s(%s), not a table of this database: no link", c->fk_table, col);
    return NULL;
  }
  if (!plain_ident(to->name)) {
    note_add(note, "refers to skipped table \"%s\": no link", to->name);
    return NULL;
  }
  const DbColumnInfo *key = camp_key(to);
  if (!key || !c->fk_column || strcasecmp(key->name, c->fk_column) != 0) {
    note_add(note, "refers to %s(%s), which is not its key: no link", to->name, col);
    return NULL;
  }
  return to;
}

/* A column as it will be written: its type after looking at the values,
 * and the channel it addresses. */
typedef struct {
  Inferred inf;
  const char *address;
  int addr_strength;
} ColPlan;

static void write_column(FILE *out, const Tables *ts, const DbTableInfo *t,
                         const DbColumnInfo *c, ColPlan *plan) {
  if (!plain_ident(c->name)) {
    fputs("  // skipped column \"", out);
    put_comment_text(out, c->name);
    fputs("\": not a plain name ([A-Za-z_][A-Za-z0-9_]*)\n", out);
    return;
  }
  Note note = {.len = 0};
  int guessed;
  const char *type = camp_type(c->decl_type, &guessed);
  fputs("  ", out);
  put_name(out, c->name);
  if (!strcmp(plan->inf.type, "enum")) {
    fputs(" enum(", out);
    for (int i = 0; i < plan->inf.nlabels; i++) {
      if (i) fputs(", ", out);
      put_name(out, plan->inf.labels[i]);
    }
    fputs(")", out);
  } else {
    fprintf(out, " %s", plan->inf.type);
  }
  if (guessed && !strcmp(plan->inf.type, type)) {
    if (c->decl_type[0]) note_add(&note, "declared as %s", c->decl_type);
    else note_add(&note, "declared without a type");
  }
  if (plan->inf.note[0]) note_add(&note, "%s", plan->inf.note);
  const DbColumnInfo *key = camp_key(t);
  int is_key = key == c;
  if (is_key) fputs(" key", out);
  if (is_key && !c->pk) {
    note_add(&note, "the key: unique and not null (the primary key is composite)");
  }
  if (c->unique && !is_key) fputs(" unique", out);
  if (plan->address) {
    fprintf(out, " address(%s)", plan->address);
    note_add(&note, "guessed from the name: address column");
  }
  const DbTableInfo *to = c->fk_table ? link_target(ts, c, &note) : NULL;
  if (to) {
    fputs(" -> ", out);
    put_name(out, to->name);
  }
  if (note.len) {
    fputs(" // ", out);
    put_comment_text(out, note.buf);
  }
  fputc('\n', out);
}

/* Types from the values, then one address column per channel: the one
 * whose name says it most clearly (the first of equals). */
static void plan_columns(Db *db, const DbTableInfo *t, int flags, ColPlan *plans) {
  for (int i = 0; i < t->ncols; i++) {
    const DbColumnInfo *c = &t->cols[i];
    int guessed;
    const char *type = camp_type(c->decl_type, &guessed);
    if (flags & SCHEMA_IMPORT_SAMPLE)
      infer_values(db, t->name, c->name, type, c->decl_type[0] != 0, &plans[i].inf);
    else
      plans[i].inf.type = type;
  }
  static const char *const channels[] = {"email", "sms", "push"};
  for (size_t ch = 0; ch < 3; ch++) {
    int best = -1, strength = 0;
    for (int i = 0; i < t->ncols; i++) {
      const char *channel;
      int st = infer_address(t->cols[i].name, &channel);
      if (st > strength && channel && !strcmp(channel, channels[ch]) &&
          !strcmp(plans[i].inf.type, "text") && plain_ident(t->cols[i].name)) {
        best = i;
        strength = st;
      }
    }
    if (best >= 0) plans[best].address = channels[ch];
  }
}

static void put_name_list(FILE *out, char **names, int n) {
  for (int i = 0; i < n; i++) {
    if (i) fputs(", ", out);
    put_comment_text(out, names[i] ? names[i] : "?");
  }
}

/* Comments for the keys camp cannot declare: composite ones. */
static void write_key_notes(FILE *out, Db *db, const DbTableInfo *t) {
  int npk = pk_count(t);
  if (npk > 1) {
    fputs("  // primary key (", out);
    for (int k = 1, first = 1; k <= npk; k++)
      for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].pk == k) {
          fputs(first ? "" : ", ", out);
          put_comment_text(out, t->cols[i].name);
          first = 0;
        }
    if (camp_key(t))
      fputs(") is composite: a camp key is one column\n", out);
    else
      fputs(") is composite: a camp key is one column,\n"
            "  // so this schema cannot be a campaign's dimension; its links still give\n"
            "  // the schemas it links to a collection\n", out);
  }
  DbForeignKey *fks;
  int n = db_foreign_keys(db, t->name, &fks);
  for (int i = 0; i < n; i++) {
    if (fks[i].ncols < 2) continue;
    fputs("  // foreign key (", out);
    put_name_list(out, fks[i].from, fks[i].ncols);
    fputs(") -> ", out);
    put_comment_text(out, fks[i].table);
    fputs("(", out);
    put_name_list(out, fks[i].to, fks[i].ncols);
    fputs(") is composite: not a link\n", out);
  }
  if (n > 0) db_free_foreign_keys(fks, n);
}

static void write_table(FILE *out, Db *db, const Tables *ts, const DbTableInfo *t, int flags) {
  if (!plain_ident(t->name)) {
    fputs("// skipped table \"", out);
    put_comment_text(out, t->name);
    fputs("\": not a plain name ([A-Za-z_][A-Za-z0-9_]*)\n", out);
    return;
  }
  fputs("schema ", out);
  put_name(out, t->name);
  fputs(" {\n", out);
  write_key_notes(out, db, t);
  ColPlan *plans = calloc((size_t)t->ncols + 1, sizeof *plans);
  if (!plans) abort();
  plan_columns(db, t, flags, plans);
  for (int i = 0; i < t->ncols; i++) {
    write_column(out, ts, t, &t->cols[i], &plans[i]);
    inferred_free(&plans[i].inf);
  }
  free(plans);
  fputs("}\n", out);
}

int schema_import(Db *db, const char *how, const char *label, int flags, FILE *out, char *err,
                  size_t errlen) {
  Tables ts;
  ts.n = db_tables(db, &ts.t);
  if (ts.n < 0) {
    snprintf(err, errlen, "cannot read the tables of `%s`: %s", label, db_error(db));
    return -1;
  }
  if (ts.n == 0) {
    snprintf(err, errlen, "`%s` has no tables (sqlite_* and camp_* tables are not imported)",
             label);
    db_free_tables(ts.t, ts.n);
    return -1;
  }
  /* Build in memory so a failure never leaves half a file behind. */
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) {
    snprintf(err, errlen, "out of memory");
    db_free_tables(ts.t, ts.n);
    return -1;
  }
  fprintf(mem, "// generated by camp schema %s ", how);
  put_comment_text(mem, label);
  fputc('\n', mem);
  for (int i = 0; i < ts.n; i++) {
    fputc('\n', mem);
    write_table(mem, db, &ts, &ts.t[i], flags);
  }
  fclose(mem);
  db_free_tables(ts.t, ts.n);
  fwrite(text, 1, len, out);
  free(text);
  return 0;
}
