/* report.h — helpers shared by the reporting commands (camp status,
 * camp outbox, camp graph): opening a database camp has run on, reading
 * values, and writing aligned text tables, CSV and JSON.  Read-only: these
 * helpers never change camp's tables (see store.h for their schema). */
#ifndef CAMP_REPORT_H
#define CAMP_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/db/db.h"

/* Opens path read-only.  On failure prints "camp CMD: MESSAGE" to stderr
 * and returns NULL (missing file, not a database: db_open's message). */
Db *report_open(const char *cmd, const char *path);
/* 1 if db holds camp's run tables (camp_runs exists), else 0. */
int report_has_runs(Db *db);
/* Opens path for writing ("-" or NULL: stdout).  NULL after printing an
 * error naming cmd. */
FILE *report_output(const char *cmd, const char *path);
/* Closes what report_output opened; 0, or -1 after printing a write error. */
int report_close_output(const char *cmd, FILE *out, const char *path);

/* Column col of the current row as a malloc'd string (integers and reals
 * printed), or NULL for SQL NULL.  Caller frees. */
char *report_col_text(DbStmt *st, int col);
/* Column col as a new JSON value (integer, real, string or null). */
json_t *report_col_json(DbStmt *st, int col);
/* Parses "YYYY-MM-DD HH:MM[:SS]" (UTC); 0 on success. */
int report_parse_time(const char *s, int64_t *out);
/* Writes a rough duration like "2d 3h", "45m", "12s" into buf. */
void report_duration(int64_t secs, char *buf, size_t n);
/* A size like "812 bytes", "12.3 KB", "4.0 MB" into buf ("an unknown size"
 * when bytes < 0). */
void report_bytes(int64_t bytes, char *buf, size_t n);
/* A display copy of s on one line (control characters become spaces),
 * cut to at most width characters (UTF-8 aware) with "..." when longer.
 * NULL gives "-".  Caller frees. */
char *report_cell(const char *s, int width);

/* A text table printed with columns aligned (UTF-8 counted per character). */
typedef struct ReportTable {
  int ncols, nrows, cap;
  char **cells; /* nrows * ncols malloc'd strings; row 0 is the header */
} ReportTable;

void rt_init(ReportTable *t, int ncols, const char *const *headers);
/* Appends a row of ncols cells, copied; NULL cells print as "-". */
void rt_add(ReportTable *t, const char *const *cells);
/* Prints the table, each line prefixed by indent, trailing blanks trimmed. */
void rt_print(const ReportTable *t, FILE *out, const char *indent);
void rt_free(ReportTable *t);

/* Writes one RFC 4180 record: fields separated by commas, a field quoted
 * (with quotes doubled) when it holds a comma, quote, CR or LF, and the
 * record ended with CRLF.  NULL fields are written empty. */
void report_csv_row(FILE *out, const char *const *fields, int n);

#endif
