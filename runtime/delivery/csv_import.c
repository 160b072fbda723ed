/* csv_import.c — reconcile files into tables (see csv_import.h).  libcsv
 * parses; the file is fed in pieces that end at a line feed so that each
 * record's first physical line is known. */
#include "runtime/delivery/csv_import.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ errors */

void csv_errors_free(CsvErrors *e) {
  for (int i = 0; i < e->nmsgs; i++) free(e->msgs[i]);
  e->nmsgs = e->count = 0;
}

static void add_error(CsvErrors *e, const char *fmt, ...) {
  e->count++;
  if (e->nmsgs >= CSV_ERRORS_KEEP) return;
  va_list ap;
  va_start(ap, fmt);
  char *m = NULL;
  if (vasprintf(&m, fmt, ap) >= 0) e->msgs[e->nmsgs++] = m;
  va_end(ap);
}

/* ------------------------------------------------------------- types */

typedef enum { CT_INT, CT_DECIMAL, CT_TEXT, CT_BOOL, CT_DATE, CT_TIMESTAMP } ColType;

/* sql: SQLite's declared type; pg: PostgreSQL's (REAL and INTEGER are
 * 4-byte there; booleans are typed and bound as 0/1 through `<> 0`). */
static const struct {
  const char *camp, *sql, *pg;
} TYPES[] = {{"int", "INTEGER", "bigint"},     {"decimal", "REAL", "double precision"},
             {"text", "TEXT", "text"},         {"bool", "BOOLEAN", "boolean"},
             {"date", "DATE", "date"},         {"timestamp", "TIMESTAMP", "timestamp"}};

static int type_of(const char *name) {
  for (int i = 0; i < (int)(sizeof TYPES / sizeof TYPES[0]); i++)
    if (strcmp(TYPES[i].camp, name) == 0) return i;
  return -1;
}

/* ------------------------------------------------------ value parsing */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Strict UTF-8 (no overlongs, surrogates, NUL or code points > U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
              : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (c == 0 || len == 0 || i + (size_t)len > n) return 0;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    i += (size_t)len;
  }
  return 1;
}

static int parse_int(const char *s, int64_t *out) {
  const char *p = s + (*s == '+' || *s == '-');
  if (!*p) return 0;
  for (const char *k = p; *k; k++)
    if (!is_digit(*k)) return 0;
  errno = 0;
  long long v = strtoll(s, NULL, 10);
  if (errno == ERANGE) return 0;
  *out = v;
  return 1;
}

/* [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)? */
static int parse_decimal(const char *s, double *out) {
  const char *p = s + (*s == '+' || *s == '-');
  int digits = 0;
  while (is_digit(*p)) p++, digits++;
  if (*p == '.')
    for (p++; is_digit(*p); p++) digits++;
  if (!digits) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    p += *p == '+' || *p == '-';
    if (!is_digit(*p)) return 0;
    while (is_digit(*p)) p++;
  }
  if (*p) return 0;
  double v = strtod(s, NULL);
  if (!isfinite(v)) return 0;
  *out = v;
  return 1;
}

static int parse_bool(const char *s, int64_t *out) {
  static const char *yes[] = {"true", "1", "yes"}, *no[] = {"false", "0", "no"};
  for (int i = 0; i < 3; i++) {
    if (strcasecmp(s, yes[i]) == 0) return *out = 1, 1;
    if (strcasecmp(s, no[i]) == 0) return *out = 0, 1;
  }
  return 0;
}

/* Reads exactly n digits at s. */
static int digits_at(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit(s[i])) return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : d[m - 1];
}

/* YYYY-MM-DD at s (no terminator check); fills y, m, d. */
static int parse_ymd(const char *s, int *y, int *m, int *d) {
  if (!digits_at(s, 4, y) || s[4] != '-' || !digits_at(s + 5, 2, m) || s[7] != '-' ||
      !digits_at(s + 8, 2, d))
    return 0;
  return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

static int parse_date(const char *s, char *out, size_t n) {
  int y, m, d;
  if (strlen(s) != 10 || !parse_ymd(s, &y, &m, &d)) return 0;
  snprintf(out, n, "%04d-%02d-%02d", y, m, d);
  return 1;
}

static int parse_timestamp(const char *s, char *out, size_t n) {
  int y, mo, d, h, mi, sec = 0;
  size_t len = strlen(s);
  if ((len != 16 && len != 19) || !parse_ymd(s, &y, &mo, &d)) return 0;
  if ((s[10] != ' ' && s[10] != 'T') || !digits_at(s + 11, 2, &h) || s[13] != ':' ||
      !digits_at(s + 14, 2, &mi))
    return 0;
  if (len == 19 && (s[16] != ':' || !digits_at(s + 17, 2, &sec))) return 0;
  if (h > 23 || mi > 59 || sec > 59) return 0;
  snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, sec);
  return 1;
}

/* Converts field s (NUL-terminated, non-empty) of type t into v; scratch
 * holds normalised text.  0 if the value is not valid for the type. */
static int convert(ColType t, char *s, DbValue *v, char *scratch, size_t n) {
  if (t == CT_TEXT) {
    *v = (DbValue){.kind = DBV_TEXT, .s = s};
    return 1;
  }
  while (*s == ' ' || *s == '\t') s++;
  size_t len = strlen(s);
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) s[--len] = 0;
  switch (t) {
    case CT_INT: v->kind = DBV_INT; return parse_int(s, &v->i);
    case CT_BOOL: v->kind = DBV_INT; return parse_bool(s, &v->i);
    case CT_DECIMAL: v->kind = DBV_REAL; return parse_decimal(s, &v->r);
    case CT_DATE: v->kind = DBV_TEXT; v->s = scratch; return parse_date(s, scratch, n);
    case CT_TIMESTAMP:
      v->kind = DBV_TEXT;
      v->s = scratch;
      return parse_timestamp(s, scratch, n);
    case CT_TEXT: break;
  }
  return 0;
}

/* ----------------------------------------------------------- import */

typedef struct Field {
  char *s;
  size_t len, cap;
} Field;

typedef struct Import {
  Db *db;
  const char *path;
  const CsvColumn *cols;
  int ncols;
  const char *table;
  int temp;
  CsvErrors *errs;
  ColType *types;
  int *pos;            /* file column of each declared column */
  Field *fields;       /* the record being read */
  int nfields, capfields;
  int nheader;         /* fields in the header; 0 before it is read */
  long line;           /* physical line being fed */
  long rec_line;       /* line the current record starts on */
  int bad;             /* bad records so far */
  int stop;            /* 1: header problem, -1: failure; stop reading */
  int created;
  DbStmt *ins;
} Import;

static void on_field(void *s, size_t len, void *data) {
  Import *im = data;
  if (im->stop) return;
  if (im->nfields == im->capfields) {
    int cap = im->capfields ? im->capfields * 2 : 16;
    Field *f = realloc(im->fields, (size_t)cap * sizeof *f);
    if (!f) abort();
    memset(f + im->capfields, 0, (size_t)(cap - im->capfields) * sizeof *f);
    im->fields = f;
    im->capfields = cap;
  }
  Field *f = &im->fields[im->nfields++];
  if (len + 1 > f->cap) {
    f->cap = len + 1 > 64 ? len + 1 : 64;
    free(f->s);
    f->s = malloc(f->cap);
    if (!f->s) abort();
  }
  if (len) memcpy(f->s, s, len);
  f->s[len] = 0;
  f->len = len;
}

static char *quote_ident(const char *name) {
  size_t n = strlen(name);
  char *q = malloc(2 * n + 3), *w = q;
  if (!q) abort();
  *w++ = '"';
  for (const char *p = name; *p; p++) {
    if (*p == '"') *w++ = '"';
    *w++ = *p;
  }
  *w++ = '"';
  *w = 0;
  return q;
}

/* Appends to a malloc'd string (aborts when out of memory). */
static void append(char **s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *add = NULL;
  if (vasprintf(&add, fmt, ap) < 0) abort();
  va_end(ap);
  size_t a = *s ? strlen(*s) : 0, b = strlen(add);
  char *r = realloc(*s, a + b + 1);
  if (!r) abort();
  memcpy(r + a, add, b + 1);
  free(add);
  *s = r;
}

static int db_fail(Import *im, const char *what) {
  add_error(im->errs, "%s: %s: %s", im->path, what, db_error(im->db));
  im->stop = -1;
  return -1;
}

static int create_table(Import *im) {
  char *q = quote_ident(im->table), *sql = NULL, *ins = NULL;
  int pg = strcmp(db_backend(im->db), "postgres") == 0;
  append(&sql, "CREATE %sTABLE %s (\"_line\" %s", im->temp ? "TEMP " : "", q, pg ? "bigint" : "INTEGER");
  append(&ins, "INSERT INTO %s VALUES (?1", q);
  free(q);
  for (int c = 0; c < im->ncols; c++) {
    q = quote_ident(im->cols[c].name);
    append(&sql, ", %s %s", q, pg ? TYPES[im->types[c]].pg : TYPES[im->types[c]].sql);
    if (pg && im->types[c] == CT_BOOL)
      append(&ins, ", (?%d <> 0)", c + 2);
    else
      append(&ins, ", ?%d", c + 2);
    free(q);
  }
  append(&sql, ")");
  append(&ins, ")");
  int rc = db_exec(im->db, sql);
  if (rc == 0) {
    im->created = 1;
    im->ins = db_prepare(im->db, ins);
  }
  free(sql);
  free(ins);
  if (rc != 0) return db_fail(im, "cannot create the table");
  return im->ins ? 0 : db_fail(im, "cannot insert");
}

/* Matches the header record to the declared columns. */
static void read_header(Import *im) {
  int before = im->errs->count;
  for (int c = 0; c < im->ncols; c++) {
    im->pos[c] = -1;
    for (int k = 0; k < im->nfields; k++) {
      if (strcmp(im->fields[k].s, im->cols[c].name) != 0) continue;
      if (im->pos[c] >= 0)
        add_error(im->errs, "%s:%ld: column `%s` appears twice in the header", im->path,
                  im->rec_line, im->cols[c].name);
      im->pos[c] = k;
    }
    if (im->pos[c] < 0)
      add_error(im->errs, "%s:%ld: column `%s` is missing from the header", im->path,
                im->rec_line, im->cols[c].name);
  }
  im->nheader = im->nfields;
  if (im->errs->count != before) {
    im->stop = 1;
    im->bad = 1;
    return;
  }
  create_table(im);
}

/* Checks and converts one field; reports a bad value.  1 if good. */
static int field_value(Import *im, int c, DbValue *v, char *scratch, size_t n) {
  Field *f = &im->fields[im->pos[c]];
  const char *name = im->cols[c].name, *type = im->cols[c].type;
  if (f->len == 0) {
    *v = (DbValue){.kind = DBV_NULL};
    return 1;
  }
  if (!valid_utf8((const unsigned char *)f->s, f->len)) {
    add_error(im->errs, "%s:%ld: column `%s`: invalid UTF-8", im->path, im->rec_line, name);
    return 0;
  }
  char shown[64];
  snprintf(shown, sizeof shown, "%s", f->s);
  if (convert(im->types[c], f->s, v, scratch, n)) return 1;
  add_error(im->errs, "%s:%ld: column `%s`: `%s` is not a valid %s", im->path, im->rec_line,
            name, shown, type);
  return 0;
}

static void read_record(Import *im) {
  if (im->nfields != im->nheader) {
    add_error(im->errs, "%s:%ld: %d field%s, the header has %d", im->path, im->rec_line,
              im->nfields, im->nfields == 1 ? "" : "s", im->nheader);
    im->bad++;
    return;
  }
  int ok = 1;
  char scratch[64];
  for (int c = 0; c < im->ncols; c++) {
    DbValue v;
    /* Dates/timestamps are bound at once: scratch is reused per column. */
    if (!field_value(im, c, &v, scratch, sizeof scratch)) {
      ok = 0;
    } else if (!im->bad && db_bind(im->ins, c + 2, v) != 0) {
      db_fail(im, "cannot insert");
      return;
    }
  }
  if (!ok) {
    im->bad++;
    return;
  }
  if (im->bad) return; /* keep checking, stop inserting */
  if (db_bind_int(im->ins, 1, im->rec_line) != 0 || db_step(im->ins) < 0 ||
      db_reset(im->ins) != 0)
    db_fail(im, "cannot insert");
}

static void on_record(int term, void *data) {
  (void)term;
  Import *im = data;
  if (im->stop) return;
  if (im->nheader == 0)
    read_header(im);
  else
    read_record(im);
  im->nfields = 0;
}

/* Feeds one piece of input (ending at a line feed, or the buffer's end). */
static int feed(Import *im, struct csv_parser *p, const char *s, size_t n) {
  if (p->pstate == 0) im->rec_line = im->line; /* 0: no record begun (libcsv) */
  if (csv_parse(p, s, n, on_field, on_record, im) != n) {
    if (csv_error(p) != CSV_EPARSE) abort(); /* out of memory */
    add_error(im->errs, "%s:%ld: bad quoting (a `\"` inside an unquoted field, or text "
              "after a closing quote)", im->path, im->line);
    im->bad++;
    im->stop = 1;
    return -1;
  }
  if (n && s[n - 1] == '\n') im->line++;
  return 0;
}

/* Feeds a buffer piece by piece, each piece ending at a line feed. */
static void feed_buffer(Import *im, struct csv_parser *p, const char *buf, size_t n) {
  while (n && !im->stop) {
    const char *nl = memchr(buf, '\n', n);
    size_t k = nl ? (size_t)(nl - buf) + 1 : n;
    if (feed(im, p, buf, k) != 0) return;
    buf += k;
    n -= k;
  }
}

static int no_space(unsigned char c) { (void)c; return 0; }

/* Reads the whole file through the parser. */
static int read_file(Import *im, FILE *fp) {
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) abort();
  csv_set_space_func(&p, no_space); /* RFC 4180: spaces belong to the field */
  enum { CHUNK = 1 << 16 };
  char *buf = malloc(CHUNK);
  if (!buf) abort();
  size_t n;
  int first = 1;
  while (!im->stop && (n = fread(buf, 1, CHUNK, fp)) > 0) {
    const char *b = buf;
    if (first && n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) b += 3, n -= 3;
    first = 0;
    feed_buffer(im, &p, b, n);
  }
  int rc = 0;
  if (ferror(fp)) {
    add_error(im->errs, "cannot read %s: %s", im->path, strerror(errno));
    rc = -1;
  } else if (!im->stop && csv_fini(&p, on_field, on_record, im) != 0) {
    add_error(im->errs, "%s:%ld: a quoted field is never closed", im->path, im->rec_line);
    im->bad++;
  }
  csv_free(&p);
  free(buf);
  return rc;
}

static int check_columns(Import *im) {
  for (int c = 0; c < im->ncols; c++) {
    int t = type_of(im->cols[c].type);
    if (t < 0 || strcmp(im->cols[c].name, "_line") == 0) {
      add_error(im->errs, "%s: column `%s`: %s", im->path, im->cols[c].name,
                t < 0 ? "unknown type" : "the name `_line` is reserved");
      return -1;
    }
    im->types[c] = (ColType)t;
  }
  return 0;
}

/* Drops the table again after a failed import. */
static void drop_table(Import *im) {
  char *q = quote_ident(im->table), *sql = NULL;
  if (im->temp)
    append(&sql, "DROP TABLE %s.%s", db_temp_schema(im->db), q);
  else if (strcmp(db_backend(im->db), "postgres") == 0)
    append(&sql, "DROP TABLE %s", q); /* camp's schema comes first on the search path */
  else
    append(&sql, "DROP TABLE main.%s", q);
  if (db_exec(im->db, sql) != 0) db_fail(im, "cannot drop the table");
  free(q);
  free(sql);
}

int csv_import(Db *db, const char *path, const CsvColumn *cols, int ncols, const char *table,
               int temp, CsvErrors *errs) {
  Import im = {.db = db, .path = path, .cols = cols, .ncols = ncols, .table = table,
               .temp = temp, .errs = errs, .line = 1, .rec_line = 1};
  im.types = calloc((size_t)ncols + 1, sizeof *im.types);
  im.pos = calloc((size_t)ncols + 1, sizeof *im.pos);
  if (!im.types || !im.pos) abort();
  int rc = check_columns(&im);
  FILE *fp = rc == 0 ? fopen(path, "rb") : NULL;
  if (rc == 0 && !fp) {
    add_error(errs, "cannot open %s: %s", path, strerror(errno));
    rc = -1;
  }
  if (fp) {
    rc = read_file(&im, fp);
    fclose(fp);
    if (rc == 0 && im.nheader == 0 && !im.bad) {
      add_error(errs, "%s:1: empty file (a header row is required)", path);
      im.bad = 1;
    }
  }
  if (im.ins) db_finalize(im.ins);
  if (im.created && (rc != 0 || im.bad || im.stop < 0)) drop_table(&im);
  if (im.stop < 0) rc = -1;
  for (int i = 0; i < im.capfields; i++) free(im.fields[i].s);
  free(im.fields);
  free(im.types);
  free(im.pos);
  return rc != 0 ? rc : im.bad;
}
