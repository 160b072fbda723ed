/* snapshot.h — the columnar snapshot of the tables rules read.
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
 * ...) marks its column `bad`: engines decline rules that read it.
 *
 * Files: DIR/snapshot.bin (what the snapshot holds) and DIR/seg-*.bin (the
 * arrays), DIR = $CAMP_CACHE_DIR/<hash of db path> or DB.camp-snapshot/.
 * Each written to a temporary name and renamed; mapped read-only on use.
 * A refresh writes only the arrays that changed (snapshot_file.c).
 *
 * A stale snapshot is refreshed table by table (snapshot_refresh.c):
 *   unchanged table      (same content hash of its pages in the database
 *                        file, snapshot_pages.c): its arrays are reused;
 *   `version` column     one scan of (key, version) finds the updated,
 *                        inserted and deleted rows; only those (and the
 *                        rows at the latest version) are read whole, and
 *                        the table is patched in memory (columns re-encoded
 *                        by the build's own code);
 *   otherwise            the table is read again.
 * Links and collections are recomputed in memory where a row set changed.
 * The result is the snapshot a full build would give (`camp snapshot
 * --check` compares them). */
#ifndef CAMP_SNAPSHOT_H
#define CAMP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"
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

/* The schemas a rule reads (its dimension, link targets, collection
 * children), added to set (no duplicates). */
void snapshot_rule_schemas(Expr *rule, Schema ***set, int *n);
void snapshot_add_schema(Schema *s, Schema ***set, int *n);

/* Reads the file fingerprint of db_path (NULL = in-memory: zeros).
 * 0 on success, -1 if the file cannot be read. */
int snapshot_fingerprint(const char *db_path, SnapFingerprint *fp);
/* 1 if a and b describe the same database file state (schema_hash aside). */
int snapshot_same_file(const SnapFingerprint *a, const SnapFingerprint *b);
/* Hash of the schemas' names, columns and types (order-sensitive). */
uint64_t snapshot_schema_hash(Schema **schemas, int n);

/* Builds a snapshot of the tables of `schemas` by reading db.  Returns NULL
 * with a message in err on database errors. */
Snapshot *snapshot_build(Db *db, Schema **schemas, int n, char *err, size_t errlen);
void snapshot_free(Snapshot *s);

/* How each table of a new snapshot was obtained. */
typedef enum { SNAP_TABLE_BUILT, SNAP_TABLE_REUSED, SNAP_TABLE_REFRESHED } SnapTableHow;

typedef struct SnapTableReport {
  SnapTableHow how;
  int64_t rows_read;        /* whole rows read from the database */
  int64_t versions_read;    /* (key, version) pairs scanned (refreshed) */
  int64_t updated, inserted, deleted;
  int64_t rechecked;        /* rows at the latest version read again */
  char why[200];            /* built although an earlier snapshot had it */
  double ms;                /* time spent on it */
} SnapTableReport;

typedef enum {
  SNAP_OPEN_FRESH,          /* the file was fresh: mapped as is */
  SNAP_OPEN_REFRESHED,      /* some tables reused or patched from the old one */
  SNAP_OPEN_BUILT           /* every table read from the database */
} SnapOpenHow;

typedef struct SnapReport {
  SnapOpenHow how;
  int ntables;              /* 0 when fresh; else the new snapshot's */
  SnapTableReport *tables;
  int64_t rows_read;        /* sum over the tables */
  int saved;                /* the new file was written */
  double ms_hash;           /* hashing the tables' pages */
  double ms_links;          /* links and collections */
  double ms_save;           /* writing the files */
} SnapReport;
void snapshot_report_free(SnapReport *r);

/* A snapshot of `schemas` as a full build would give it, reusing what it
 * can of `old` (NULL: build everything).  db_path (NULL for in-memory)
 * locates the file for the page hashes.  The result may keep pointers into
 * old's storage: it takes that storage over (old stays valid to free).
 * rep (may be NULL) tells per table what happened. */
Snapshot *snapshot_refresh(Db *db, const char *db_path, Snapshot *old, Schema **schemas, int n,
                           SnapReport *rep, char *err, size_t errlen);

/* 0 if a and b hold the same tables with the same content (every array,
 * flag and dictionary), else 1 with the first difference in why. */
int snapshot_compare(const Snapshot *a, const Snapshot *b, char *why, size_t whylen);

/* Writes s to path atomically (temp file + rename): arrays not already in
 * a segment file of path's directory go to a new one.  0 or -1 (err). */
int snapshot_save(const Snapshot *s, const char *path, char *err, size_t errlen);
/* Maps a snapshot file.  NULL (err) if missing, torn or of another layout. */
Snapshot *snapshot_load(const char *path, char *err, size_t errlen);
/* Directory of the snapshot of db_path (malloc'd): $CAMP_CACHE_DIR/<hash>
 * when set, else DB.camp-snapshot. */
char *snapshot_dir(const char *db_path);

/* 1 if s holds every schema (same columns, types) and still matches the
 * database: fingerprint, row counts and max rowids.  0 if stale. */
int snapshot_fresh(const Snapshot *s, Db *db, const char *db_path, Schema **schemas, int n);

/* Opens the snapshot for schemas: maps the file when fresh and holds them
 * all, else refreshes it (snapshot_refresh) with exactly these tables and
 * saves it.  *rebuilt is 0 when the file was used as is, 1 when a new
 * snapshot was made.  NULL with err on failure. */
Snapshot *snapshot_open(Db *db, const char *db_path, Schema **schemas, int n, int *rebuilt,
                        char *err, size_t errlen);
/* The same, telling in rep how (free it with snapshot_report_free). */
Snapshot *snapshot_open_report(Db *db, const char *db_path, Schema **schemas, int n,
                               SnapReport *rep, char *err, size_t errlen);

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
