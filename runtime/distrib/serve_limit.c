/* serve_limit.c — the login rate limit of `camp serve` (see distrib.h):
 * failed logins are rows of camp_distrib_login_failures, one for the
 * account ('login:NAME') and one for the client address ('ip:ADDR'); a
 * login is refused while either has `limit` failures in the last `window`
 * seconds of the server's clock.  Kept in the database, so a restart does
 * not reset it and a test moves the clock with `--now` instead of
 * sleeping. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime/distrib/distrib.h"

/* ts plus secs (negative: minus), 'YYYY-MM-DD HH:MM:SS'; "" if ts is not one. */
static void shift(const char *ts, int64_t secs, char out[20]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(ts, "%Y-%m-%d %H:%M:%S", &tm); /* ts may be out */
  out[0] = 0;
  if (!end) return;
  time_t t = timegm(&tm) + (time_t)secs;
  struct tm r;
  if (gmtime_r(&t, &r)) strftime(out, 20, "%Y-%m-%d %H:%M:%S", &r);
}

int distrib_login_blocked(Db *db, const char *login, const char *ip, const char *now, int limit,
                          int64_t window, char until[20]) {
  until[0] = 0;
  if (limit <= 0) return 0;
  char since[20];
  shift(now, -window, since);
  if (!since[0]) return 0;
  int blocked = 0;
  const char *who[2] = {login, ip};
  const char *pre[2] = {"login:", "ip:"};
  for (int i = 0; i < 2; i++) {
    if (!who[i] || !who[i][0]) continue;
    char key[300];
    snprintf(key, sizeof key, "%s%.200s", pre[i], who[i]); /* as distrib_login_failed stores it */
    /* the limit-th most recent failure in the window: its time + window is
     * when one of them leaves the window and a login may be tried again */
    DbStmt *st = db_prepare(db, "SELECT at FROM camp_distrib_login_failures WHERE who = ? AND at > ?"
                                " ORDER BY at DESC LIMIT 1 OFFSET ?");
    if (!st) return 1; /* cannot tell: refuse rather than let a guesser through */
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, since);
    db_bind_int(st, 3, limit - 1);
    if (db_step(st) == 1) {
      DbValue v = db_column(st, 0);
      char u[20];
      shift(v.kind == DBV_TEXT ? v.s : now, window, u);
      if (strcmp(u, until) > 0) snprintf(until, 20, "%s", u);
      blocked = 1;
    }
    db_finalize(st);
  }
  return blocked;
}

int distrib_login_failed(Db *db, const char *login, const char *ip, const char *now, int64_t window) {
  char since[20];
  shift(now, -window, since);
  int rc = 0;
  /* old failures no longer count: keep the table small */
  DbStmt *st = since[0] ? db_prepare(db, "DELETE FROM camp_distrib_login_failures WHERE at <= ?") : NULL;
  if (st) {
    db_bind_text(st, 1, since);
    if (db_step(st) < 0) rc = -1;
    db_finalize(st);
  }
  const char *who[2] = {login, ip};
  const char *pre[2] = {"login:", "ip:"};
  for (int i = 0; i < 2; i++) {
    if (!who[i] || !who[i][0]) continue;
    char key[300];
    snprintf(key, sizeof key, "%s%.200s", pre[i], who[i]);
    st = db_prepare(db, "INSERT INTO camp_distrib_login_failures(who, at) VALUES (?, ?)");
    if (!st) return -1;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, now);
    if (db_step(st) < 0) rc = -1;
    db_finalize(st);
  }
  return rc;
}

int distrib_login_succeeded(Db *db, const char *login) {
  char key[300];
  snprintf(key, sizeof key, "login:%s", login);
  DbStmt *st = db_prepare(db, "DELETE FROM camp_distrib_login_failures WHERE who = ?");
  if (!st) return -1;
  db_bind_text(st, 1, key);
  int rc = db_step(st) < 0 ? -1 : 0;
  db_finalize(st);
  return rc;
}
