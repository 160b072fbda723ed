/* csv_import.h — loads a reconcile file (CSV) into a database table, typed
 * and validated, streaming (the file is never held in memory whole). */
#ifndef CAMP_CSV_IMPORT_H
#define CAMP_CSV_IMPORT_H

#include "runtime/db/db.h"

/* A declared column: name as in the header, camp type name (int, decimal,
 * text, bool, date, timestamp). */
typedef struct CsvColumn {
  const char *name;
  const char *type;
} CsvColumn;

#define CSV_ERRORS_KEEP 100

/* Error messages of one import: all are counted, the first
 * CSV_ERRORS_KEEP are kept (malloc'd).  Zero-initialise; free with
 * csv_errors_free (which leaves it empty and reusable). */
typedef struct CsvErrors {
  char *msgs[CSV_ERRORS_KEEP];
  int nmsgs;  /* messages kept */
  int count;  /* messages reported */
} CsvErrors;

void csv_errors_free(CsvErrors *e);

/* Reads the CSV file `path` into a new table `table` (quoted identifier;
 * TEMP if temp=1) with columns "_line" INTEGER — the 1-based physical line
 * the record starts on — then the declared columns in order, declared
 * INTEGER (int), REAL (decimal), TEXT (text), BOOLEAN (bool, 0/1), DATE
 * (date, 'YYYY-MM-DD'), TIMESTAMP (timestamp, 'YYYY-MM-DD HH:MM:SS').
 *
 * File format: RFC 4180 (strict quoting), a header row required, LF or
 * CRLF line ends, quoted fields may hold newlines, an optional UTF-8 BOM,
 * blank lines skipped (line numbers count LFs: a CR-only file reads, but
 * every record reports line 1).  Header names match declared columns
 * case-sensitively; extra file columns are ignored.
 *
 * Fields: an empty field ("" too) is NULL.  Text is kept byte for byte and
 * must be valid UTF-8.  Other types ignore surrounding spaces/tabs: int must
 * parse fully as a 64-bit integer; decimal as [+-]digits[.digits][e[+-]digits];
 * bool is true/false/1/0/yes/no (any case); date YYYY-MM-DD, a real calendar
 * date; timestamp YYYY-MM-DD HH:MM[:SS] (or a `T` separator), normalised to
 * 'YYYY-MM-DD HH:MM:SS'.
 *
 * Every problem is reported into errs as "PATH:LINE: message" (a record
 * with the wrong field count, a bad value: "column `x`: `abc` is not a
 * valid int", invalid UTF-8, broken quoting; a declared column missing from
 * the header, a duplicated header name, an empty file).  Records are never
 * silently dropped: if anything is wrong the table is dropped again
 * (nothing stays behind) and the number of bad records (> 0) is returned;
 * errs->count counts messages (one per bad value, so it may be larger).
 * Header problems and an empty file count as one bad record.  Broken
 * quoting stops the reading: later records are not checked.
 *
 * Returns 0 when every record was inserted; the count of bad records; or -1
 * for other failures — the file cannot be opened or read ("cannot open
 * PATH: reason"), an unknown type name, a database error (e.g. the table
 * exists) — with the message also in errs.  The caller runs this inside its
 * transaction. */
int csv_import(Db *db, const char *path, const CsvColumn *cols, int ncols, const char *table,
               int temp, CsvErrors *errs);

#endif
