/* extract.h — direct-mail extraction files (CSV), written atomically, and
 * the one-line CSV form of a row that the outbox stores. */
#ifndef CAMP_EXTRACT_H
#define CAMP_EXTRACT_H

#include <stddef.h>

/* Fills fields[0..ncols-1] with the next row's values (NULL for SQL NULL;
 * the strings stay valid until the next call) and returns 1; returns 0
 * after the last row, -1 on an error (which abandons the file). */
typedef int (*ExtractRowFn)(void *ctx, const char **fields);

/* CSV quoting used by both functions (RFC 4180, fields quoted by
 * csv_fwrite/csv_write when needed): a field is quoted when it is empty or
 * holds a comma, a quote, CR, LF, or begins or ends with a space or tab;
 * quotes inside are doubled.  NULL is an empty unquoted field, so NULL and
 * "" stay distinct.  Lines end with LF; the file ends with one. */

/* Writes the header (column names) and every row to `path` via
 * `path.tmp`: written, flushed, fsync'd, renamed over path, and the
 * directory fsync'd (best effort), so path is either the old file or the complete new
 * one.  Creates missing parent directories (mode 0777 & umask).  Returns
 * 0, or -1 with a message in err (errlen bytes) and no .tmp left behind. */
int extract_write(const char *path, const char *const *header, int ncols,
                  ExtractRowFn next_row, void *ctx, char *err, size_t errlen);

/* One row as a CSV line without the newline, malloc'd (caller frees). */
char *extract_row_csv(const char *const *fields, int n);

#endif
