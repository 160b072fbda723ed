/* columns.h — the columnar layout rules are lowered against: tables as
 * arrays per column (the snapshot's in-memory form).  The lowered rule
 * program (compiler/rules/rules.h) points into these arrays; the runtime
 * builds, maps and refreshes them from a database (runtime/engine/
 * snapshot.h), the interpreter and the JIT read them.
 *
 * For each table (rows in ascending key order, or rowid order without key):
 *   int / duration  int64        decimal  double      bool  int8 (0/1)
 *   date            int32 days since 1970-01-01      timestamp int64 seconds
 *   text / enum     dictionary: strings sorted by bytes + int32 codes, so
 *                   `=` / `in` / `<` become integer tests; a column with
 *                   mostly distinct values is stored "plain" (one string per
 *                   row, codes = row numbers, dictionary unsorted)
 *   NULLs           one bitmap per column (NULL when the column has none)
 *   links           many-to-one columns resolved to target row indexes
 *                   (-1 = null or dangling)
 *   collections     one-to-many children grouped by parent row:
 *                   offsets[parent .. parent+1] index child row numbers
 *
 * A value the engines could not reproduce SQL's answer for (an int column
 * holding text, a date that is not a valid 'YYYY-MM-DD', a non-unique key,
 * ...) marks its column `bad`: engines decline rules that read it. */
#ifndef CAMP_COLUMNS_H
#define CAMP_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/check/types.h"

typedef enum { SC_I64, SC_F64, SC_I32, SC_I8, SC_TEXT } SnapColKind;

typedef struct SnapCol {
  char *name;
  SnapColKind kind;
  TypeKind type;            /* camp type of the column (T_INT, T_DATE ...) */
  int bad;                  /* values SQL would treat differently: decline */
  int dec_has_int;          /* decimal: some values stored as integers */
  const uint64_t *nulls;    /* bit i set = row i NULL; NULL = no NULLs */
  const void *data;         /* per kind; text: int32 codes or NULL (plain) */
  /* text */
  uint32_t ndict;
  int dict_sorted;          /* 1 = sorted dictionary; 0 = plain */
  const uint64_t *str_off;  /* ndict+1 offsets into str_bytes */
  const char *str_bytes;    /* strings, each NUL-terminated */
  /* link (column with ->): target table index and row per row */
  int link_table;           /* -1 if not a resolved link */
  const int32_t *link_rows;
} SnapCol;

typedef struct SnapColl {
  char *name;               /* collection name in the parent schema */
  int child_table;
  int fk_col;               /* column of the child table */
  const uint32_t *offsets;  /* nrows(parent)+1 */
  const uint32_t *rows;     /* child row numbers, grouped by parent */
} SnapColl;

typedef struct SnapTable {
  char *name;
  int64_t nrows;
  int64_t count;            /* count(*) when built */
  int64_t max_rowid;        /* max(rowid) when built, -1 if none */
  int key_col;              /* -1 when the schema has no key */
  int key_bad;              /* key not int / not unique / null */
  int has_hash;             /* hash is known (see snapshot_pages.c) */
  uint64_t hash[2];         /* content hash of the table in the database */
  SnapCol *cols;
  int ncols;
  SnapColl *colls;
  int ncolls;
} SnapTable;

/* What a snapshot was built from: any difference means stale.  In WAL
 * mode commits leave the header's change counter alone, and a checkpoint
 * that ends with the WAL deleted leaves no WAL to compare: the file's
 * modification time (and identity) tells those apart. */
typedef struct SnapFingerprint {
  uint32_t change_counter;  /* offset 24 of the database header */
  uint32_t wal_salt1, wal_salt2;
  uint32_t pad;
  int64_t db_size;
  int64_t wal_size;
  uint64_t schema_hash;     /* the schemas + layout version */
  int64_t db_mtime_ns, wal_mtime_ns;
  uint64_t db_ino, db_dev;
} SnapFingerprint;

/* A mapped segment file (see snapshot_file.c). */
typedef struct SnapSeg {
  char *name;               /* file name in the snapshot directory */
  uint64_t tag;             /* identity written in its header */
  const char *base;
  size_t len;
} SnapSeg;

typedef struct Snapshot {
  SnapTable *tables;
  int ntables;
  SnapFingerprint fp;
  /* storage: mapped segment files and owned heap blocks (a refreshed
   * snapshot has both: arrays it reused stay in the earlier files) */
  SnapSeg *segs;
  int nsegs;
  void **blocks;
  int nblocks, capblocks;
} Snapshot;

/* Lookups. */
int snapshot_table(const Snapshot *s, const char *name);
int snapshot_col(const SnapTable *t, const char *name);
int snapshot_coll(const SnapTable *t, const char *name);
/* Row of key in table t (binary search over the sorted key column); -1. */
int64_t snapshot_find_key(const SnapTable *t, int64_t key);

static inline int snap_is_null(const SnapCol *c, int64_t row) {
  return c->nulls && ((c->nulls[row >> 6] >> (row & 63)) & 1);
}
static inline const char *snap_str(const SnapCol *c, uint32_t code, uint32_t *len) {
  uint64_t a = c->str_off[code], b = c->str_off[code + 1];
  *len = (uint32_t)(b - a - 1);
  return c->str_bytes + a;
}
/* The dictionary code of a text cell (plain columns: the row number). */
static inline uint32_t snap_code(const SnapCol *c, int64_t row) {
  return c->data ? (uint32_t)((const int32_t *)c->data)[row] : (uint32_t)row;
}

/* Calendar helpers shared with the engines (proleptic Gregorian, UTC). */
int64_t snap_days_from_civil(int64_t y, int m, int d);
void snap_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Strict parsers: 'YYYY-MM-DD' / 'YYYY-MM-DD HH:MM:SS' with a valid
 * calendar date.  0 on success, -1 otherwise. */
int snap_parse_date(const char *s, int32_t *days);
int snap_parse_ts(const char *s, int64_t *secs);

#endif
