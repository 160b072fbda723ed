/* snapshot.h — the columnar snapshot of the tables rules read.
 *
 * The layout of the tables (arrays per column, dictionaries, NULL
 * bitmaps, links, collections) is compiler/rules/columns.h.
 *
 * Files: DIR/snapshot.bin (what the snapshot holds) and DIR/seg-*.bin (the
 * arrays), DIR = $CAMP_CACHE_DIR/<hash of db path> or DB.camp-snapshot/.
 * Each written to a temporary name and renamed; mapped read-only on use.
 * A refresh writes only the arrays that changed (snapshot_file.c).
 *
 * Used as is only while the database file is provably unchanged (its
 * fingerprint: snapshot_file_unchanged).  Otherwise refreshed table by
 * table (snapshot_refresh.c):
 *   unchanged table      (same content hash of its pages in the database
 *                        file, snapshot_pages.c): its arrays are reused;
 *   changed table        the rows of the leaf pages whose hashes the
 *                        snapshot did not record are read again, the others
 *                        kept, and the table patched in memory (columns
 *                        re-encoded by the build's own code:
 *                        snapshot_diff.c) — whatever made the change;
 *   otherwise            the table is read again.
 * Links and collections are recomputed in memory where a row set changed.
 * The result is the snapshot a full build would give (`camp snapshot
 * --check` compares them).  Every array read from a file is checked
 * (checksum, bounds) before it is used: compiler/rules/columns_check.c. */
#ifndef CAMP_SNAPSHOT_H
#define CAMP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/db/db.h"
#include "compiler/rules/columns.h"

/* The schemas a rule reads (its dimension, link targets, collection
 * children), added to set (no duplicates). */
void snapshot_rule_schemas(Expr *rule, Schema ***set, int *n);
void snapshot_add_schema(Schema *s, Schema ***set, int *n);

/* Reads the file fingerprint of db_path (NULL = in-memory: zeros).
 * 0 on success, -1 if the file cannot be read. */
int snapshot_fingerprint(const char *db_path, SnapFingerprint *fp);
/* 1 if a and b describe the same database file state (schema_hash and
 * when they were taken aside). */
int snapshot_same_file(const SnapFingerprint *a, const SnapFingerprint *b);
/* 1 when the database file at db_path is provably as it was when fp was
 * taken: the same fingerprint now (in rollback-journal mode every commit
 * changes the header's change counter; in WAL mode every commit changes
 * the WAL's size or salts), and, in WAL mode with an empty WAL, fp not racy
 * (the file last modified at least two seconds before fp was taken, so
 * that a commit checkpointed away since shows in its modification time). */
int snapshot_file_unchanged(const char *db_path, const SnapFingerprint *fp);
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
  int64_t pages, pages_changed; /* leaf pages of its b-tree (refreshed) */
  int64_t updated, inserted, deleted;
  int64_t rechecked;        /* rows read again (on a changed page) that
                             * had not changed */
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
  int kept;                 /* PostgreSQL: tables of the cached snapshot
                             * not asked for, kept in the file for the
                             * commands that read them (snapshot_open_pg) */
  int proven;               /* PostgreSQL: tables not hashed again, proven
                             * fresh earlier by this process */
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
/* For tools and fuzzing (tests/fuzz/fuzz_snapshot.c): writes fp (when not
 * NULL) into the manifest bytes buf and recomputes their checksum, as if
 * camp had written them.  -1 when buf is too short to be a manifest. */
int snapshot_manifest_seal(char *buf, size_t len, const SnapFingerprint *fp);
/* Directory of the snapshot of db_path (malloc'd): $CAMP_CACHE_DIR/<hash>
 * when set, else DB.camp-snapshot. */
char *snapshot_dir(const char *db_path);

/* 1 if s holds every schema (same columns, types, none damaged) and the
 * database file is provably unchanged since (snapshot_file_unchanged).
 * 0 otherwise: the caller refreshes it, which proves each table unchanged
 * from its pages or reads what changed (snapshot_refresh). */
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

/* PostgreSQL: where its snapshot is cached (malloc'd):
 * $CAMP_CACHE_DIR, else $XDG_CACHE_HOME/camp, else $HOME/.cache/camp
 * (created, private), then pg-<hash of database, role, port, server and
 * search_path>.camp-snapshot.  NULL when there is nowhere to cache
 * (CAMP_CACHE_DIR=off, no home) or the server does not answer: the
 * snapshot is then built in memory by each process. */
char *snapshot_pg_dir(Db *db);
/* Opens the PostgreSQL snapshot cached in dir: the server hashes each
 * table's content (snap_pg_table_hash), a table with the cached hash is
 * reused, any other read again with COPY; the result is saved back.
 * There is no file fingerprint to prove the whole fresh: the hashes do.
 * proven (may be NULL): a snapshot this process opened earlier; a table it
 * holds whose hash is still the cached one is not hashed again (within one
 * command a table is read or proven once).  The cached tables not in
 * schemas are kept in the saved file, without their links and collections
 * (computed again when a command asks for them), but not in the result. */
Snapshot *snapshot_open_pg(Db *db, const char *dir, Schema **schemas, int n, const Snapshot *proven,
                           SnapReport *rep, char *err, size_t errlen);

#endif
