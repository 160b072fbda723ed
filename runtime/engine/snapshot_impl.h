/* snapshot_impl.h — shared by the snapshot_*.c files only: column builders
 * (snapshot_build.c), which the refresh (snapshot_refresh.c) reuses so that
 * a refreshed column is encoded exactly as a built one, and the page hashes
 * of tables (snapshot_pages.c). */
#ifndef CAMP_SNAPSHOT_IMPL_H
#define CAMP_SNAPSHOT_IMPL_H

#include "runtime/engine/snapshot.h"

void *snap_xmalloc(size_t n);
void *snap_xrealloc(void *p, size_t n);
/* Registers a heap block owned by the snapshot; returns p. */
void *snap_own(Snapshot *s, void *p);

/* String interning: ids in first-seen order. */
typedef struct Dict {
  char *bytes;
  uint64_t len, cap;
  uint64_t *off;      /* start of string id */
  uint32_t n, capn;
  uint32_t *slots;    /* hash table of id+1, 0 = empty */
  uint32_t nslots;
} Dict;

uint32_t snap_dict_add(Dict *d, const char *s);
void snap_dict_free(Dict *d);
static inline const char *snap_dict_str(const Dict *d, uint32_t id) { return d->bytes + d->off[id]; }

/* One column being filled row by row. */
typedef struct ColBuild {
  SnapCol *c;
  void *data;          /* i64 / f64 / i32 / i8 / u32 ids */
  uint64_t *nulls;
  int has_null;
  Dict dict;
  size_t width;
} ColBuild;

size_t snap_kind_width(SnapColKind k);
SnapColKind snap_kind_of(TypeKind t);
void snap_set_null(ColBuild *b, int64_t row);
/* Stores database value v as row `row` (data and nulls must hold it). */
void snap_put_value(ColBuild *b, int64_t row, DbValue v);
/* The same for column col of st's current row; a text value holding a NUL
 * character marks the column bad (SQL sees past the NUL, C strings not). */
void snap_put_column(ColBuild *b, int64_t row, DbStmt *st, int col);
/* Turns the ids of a text column into its final form (sorted dictionary or
 * plain); b->c->nulls must already be set.  Frees b->data and the dict. */
void snap_finish_text(Snapshot *s, ColBuild *b, int64_t nrows);
/* Reads one whole table from db (in key order) into t. */
int snap_build_table(Snapshot *s, Db *db, Schema *sc, SnapTable *t, char *err, size_t errlen);
/* Sets t up for schema sc's columns; the column builders to fill (calloc'd,
 * one per column; data grown by the reader). */
ColBuild *snap_table_begin(SnapTable *t, Schema *sc);
/* The n rows read into b become t's columns (frees b); rowids (the n rows'
 * SQLite rowids, or NULL) is taken over: kept where some rowid is not the
 * key (snapshot_diff.c places changed rows by them).  Also the counts used
 * by freshness checks (max(rowid): SQLite only, -1 when pg).  0. */
int snap_finish_table(Snapshot *s, Db *db, Schema *sc, SnapTable *t, ColBuild *b, int64_t n, int64_t *rowids,
                      int pg);
/* snapshot_copy.c: snap_build_table for PostgreSQL — the table read with
 * one COPY (FORMAT binary) instead of a row scan. */
int snap_copy_table(Snapshot *s, Db *db, Schema *sc, SnapTable *t, char *err, size_t errlen);
/* 1 if snapshot table t has exactly schema sc's columns, types and key. */
int snap_table_layout_matches(const SnapTable *t, Schema *sc);

/* snapshot_refresh with, when pg_hash, each table's content hash asked of
 * the PostgreSQL server (snap_pg_table_hash) instead of read from SQLite
 * pages: a table whose hash is the earlier snapshot's is reused, any other
 * read again whole (no leaf pages to patch from).  A table of proven (may
 * be NULL; pg_hash only) with old's hash for it is taken as fresh without
 * asking the server (rep->proven counts them). */
Snapshot *snap_refresh(Db *db, const char *db_path, int pg_hash, Snapshot *old, const Snapshot *proven,
                       Schema **schemas, int n, SnapReport *rep, char *err, size_t errlen);
/* Appends to s copies of old's tables that s lacks, are not marked
 * damaged and still exist in db (a dropped table is forgotten), without
 * links and collections, taking over old's storage for them; returns how
 * many.  For saving only: snap_drop_carried(s, n0) then takes them out
 * again (n0: s->ntables before). */
int snap_carry_tables(Snapshot *s, Snapshot *old, Db *db);
void snap_drop_carried(Snapshot *s, int n0);
/* Frees what table t owns (its name, column and collection names and
 * arrays of them; not the data, which the snapshot's storage holds) and
 * zeroes it. */
void snap_table_free(SnapTable *t);
/* snapshot_copy.c: the hash of table sc's content on a PostgreSQL server,
 * over the columns the snapshot holds: the sum modulo 2^64 of a 64-bit
 * hash of each row's text (out[0]) and the row count (out[1]).
 * Order-independent; a changed, added or removed row changes it but for a
 * 2^-64 chance.  0 and out set, or -1 (the table is then read again). */
int snap_pg_table_hash(Db *db, Schema *sc, uint64_t out[2]);

/* A read-only descriptor of database file path, opened once per process
 * and never closed (closing one would drop SQLite's locks: snapshot_fd.c).
 * -1 if the file cannot be opened.  Callers must not close it. */
int snap_db_fd(const char *path);

/* Page hashes (snapshot_pages.c).  Open while holding a read transaction
 * on the database; NULL when the file cannot be read as SQLite's. */
typedef struct SnapPages SnapPages;
SnapPages *snap_pages_open(const char *db_path);
/* Hash of the table with b-tree root page `root` and CREATE statement sql:
 * 0 and out set, or -1 when it cannot be known from the file. */
int snap_pages_table_hash(SnapPages *p, uint32_t root, const char *sql, uint64_t out[2]);
/* One leaf page of a table's b-tree: XXH3-128 of its bytes and its
 * overflow pages (seeded with what decides how they read: the CREATE
 * statement, page size, encoding), its first and last rowid, its cells. */
typedef struct SnapLeaf {
  uint64_t h[2];
  int64_t lo, hi;
  uint32_t ncell;
} SnapLeaf;
/* The hash as snap_pages_table_hash, and the table's leaves with cells in
 * rowid order (malloc'd into *leaves).  -1 when unknown (nothing set). */
int snap_pages_table_walk(SnapPages *p, uint32_t root, const char *sql, uint64_t out[2],
                          SnapLeaf **leaves, size_t *nleaves);
/* Forget the WAL: its frames are all checkpointed into the file, which
 * then holds every page as the caller's read transaction sees it. */
void snap_pages_ignore_wal(SnapPages *p);
/* 1 when some page has a frame in the WAL. */
int snap_pages_wal_frames(const SnapPages *p);
void snap_pages_close(SnapPages *p);

/* Old and new row numbers of a patched table (snapshot_diff.c). */
typedef struct SnapRowMap {
  int rows_same;        /* the same keys in the same rows */
  int32_t *new_to_old;  /* !rows_same: row -> earlier row, -1 when new */
  int32_t *old_to_new;  /* !rows_same: earlier row -> row, -1 when gone */
} SnapRowMap;

/* Patches the earlier table ot into t from the rows of the leaves (the
 * table's b-tree now, snap_pages_table_walk) whose hashes ot does not
 * have.  0 done (map, tr set), 1 not possible (tr->why: the caller reads
 * the table), -1 database error (err).  Runs in the caller's read
 * transaction, the one the leaves were read in. */
int snap_patch_table(Snapshot *s, Db *db, Schema *sc, const SnapTable *ot, const SnapLeaf *leaves,
                     size_t nleaves, SnapRowMap *map, SnapTable *t, SnapTableReport *tr, char *err,
                     size_t errlen);
/* The sorted leaf hashes (2 words each) a table records, owned by s. */
uint64_t *snap_leaf_set(Snapshot *s, const SnapLeaf *leaves, size_t n);
/* 1 when a column of sc is named rowid, _rowid_ or oid. */
int snap_shadows_rowid(Schema *sc);

/* snapshot_load, telling in *damage whether a failure was damage (an
 * earlier camp's format, a missing file are not). */
Snapshot *snap_load(const char *path, int *damage, char *err, size_t errlen);

/* The on_damage of an opened snapshot (snapshot_open.c): warns once per
 * table and names the table in the directory's `damaged` file, so the next
 * open reads it again. */
void snapshot_mark_damaged(Snapshot *s, const SnapTable *t, const char *file, const char *what);

#endif
