/* suppress.c — `camp suppress add|remove|list` (see suppress.h). */
#include "runtime/policy/suppress.h"

#include <string.h>

#include "runtime/db/store_track.h"

int suppress_add(Db *db, const char *channel, const char *const *addresses, int n, const char *reason,
                 const char *now, char *err, size_t errlen) {
  if (db_begin(db)) goto fail0;
  DbStmt *st = db_prepare(db, "INSERT INTO camp_suppression(channel, address, reason, at, source)"
                              " VALUES (?, ?, ?, ?, 'camp suppress') ON CONFLICT DO NOTHING");
  if (!st) goto fail;
  int added = 0;
  for (int i = 0; i < n; i++) {
    char norm[1024];
    store_track_norm_address(channel, addresses[i], norm, sizeof norm);
    if (!norm[0]) continue;
    db_reset(st);
    db_bind_text(st, 1, channel);
    db_bind_text(st, 2, norm);
    db_bind_text(st, 3, reason ? reason : "manual");
    db_bind_text(st, 4, now);
    if (db_step(st) < 0) {
      db_finalize(st);
      goto fail;
    }
    added += (int)db_changes(db);
  }
  db_finalize(st);
  if (db_commit(db) == 0) return added;
fail:
  snprintf(err, errlen, "suppression list: %s", db_error(db));
  db_rollback(db);
  return -1;
fail0:
  snprintf(err, errlen, "suppression list: %s", db_error(db));
  return -1;
}

int suppress_remove(Db *db, const char *channel, const char *const *addresses, int n, char *err,
                    size_t errlen) {
  if (db_begin(db)) {
    snprintf(err, errlen, "suppression list: %s", db_error(db));
    return -1;
  }
  DbStmt *st = db_prepare(db, "DELETE FROM camp_suppression WHERE channel = ? AND address = ?");
  int removed = 0, rc = st ? 0 : -1;
  for (int i = 0; rc == 0 && i < n; i++) {
    char norm[1024];
    store_track_norm_address(channel, addresses[i], norm, sizeof norm);
    db_reset(st);
    db_bind_text(st, 1, channel);
    db_bind_text(st, 2, norm);
    if (db_step(st) < 0) rc = -1;
    else removed += (int)db_changes(db);
  }
  db_finalize(st);
  if (rc == 0 && db_commit(db) == 0) return removed;
  snprintf(err, errlen, "suppression list: %s", db_error(db));
  db_rollback(db);
  return -1;
}

static void csv_field(FILE *out, const char *s) {
  if (!s) return;
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

int suppress_list(Db *db, const char *channel, int csv, FILE *out, char *err, size_t errlen) {
  DbStmt *st = db_prepare(db, "SELECT channel, address, reason, at, source FROM camp_suppression"
                              " WHERE CAST(?1 AS TEXT) IS NULL OR channel = ?1 ORDER BY channel, address");
  if (!st) {
    snprintf(err, errlen, "suppression list: %s", db_error(db));
    return -1;
  }
  if (channel) db_bind_text(st, 1, channel); else db_bind_null(st, 1);
  if (csv) fputs("channel,address,reason,at,source\r\n", out);
  int n = 0, r;
  while ((r = db_step(st)) == 1) {
    const char *v[5];
    for (int i = 0; i < 5; i++) {
      DbValue x = db_column(st, i);
      v[i] = x.kind == DBV_TEXT ? x.s : NULL;
    }
    if (csv) {
      for (int i = 0; i < 5; i++) {
        if (i) fputc(',', out);
        csv_field(out, v[i]);
      }
      fputs("\r\n", out);
    } else {
      fprintf(out, "%-6s %-40s %-13s %s %s\n", v[0] ? v[0] : "", v[1] ? v[1] : "", v[2] ? v[2] : "",
              v[3] ? v[3] : "", v[4] ? v[4] : "");
    }
    n++;
  }
  db_finalize(st);
  if (r < 0) {
    snprintf(err, errlen, "suppression list: %s", db_error(db));
    return -1;
  }
  return n;
}
