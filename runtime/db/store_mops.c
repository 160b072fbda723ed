/* store_mops.c — the marketing-operations tables' migrations (see
 * store_mops.h). */
#include "runtime/db/store_mops.h"

#include <stdio.h>

static int to_v1(Db *db) {
  return db_exec_ddl(db,
      "CREATE TABLE IF NOT EXISTS camp_mops_nodes(kind TEXT NOT NULL, name TEXT NOT NULL,"
      " parent TEXT, owner TEXT, start_date TEXT, end_date TEXT, statuses TEXT,"
      " budget INTEGER, over_budget TEXT, success TEXT, PRIMARY KEY(kind, name));"
      "CREATE TABLE IF NOT EXISTS camp_mops_interaction_templates(name TEXT PRIMARY KEY, type TEXT NOT NULL,"
      " channel TEXT, unit_cost INTEGER NOT NULL, unit_minutes INTEGER NOT NULL);"
      "CREATE VIEW camp_interactions AS"
      " SELECT r.campaign, o.run_id, o.step, o.channel, CAST(o.recipient_key AS TEXT) AS contact,"
      " 'sent' AS type, o.sent_at AS at, o.id AS outbox_id"
      " FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE o.status = 'sent'"
      " UNION ALL SELECT r.campaign, o.run_id, o.step, o.channel, CAST(o.recipient_key AS TEXT), f.event, f.at, o.id"
      " FROM camp_feedback f JOIN camp_outbox o ON o.id = f.outbox_id JOIN camp_runs r ON r.id = o.run_id"
      " WHERE f.event <> 'sent';"  /* the sender's own `sent` event is the outbox row above */
      "CREATE TABLE IF NOT EXISTS camp_mops_costs(campaign TEXT NOT NULL, name TEXT NOT NULL,"
      " kind TEXT NOT NULL, amount INTEGER NOT NULL, scope TEXT NOT NULL, task TEXT,"
      " PRIMARY KEY(campaign, name));"
      "CREATE TABLE IF NOT EXISTS camp_mops_stock(item TEXT PRIMARY KEY, initial INTEGER NOT NULL,"
      " alert INTEGER NOT NULL, unit TEXT, on_shortage TEXT NOT NULL, alerted INTEGER NOT NULL DEFAULT 0);"
      "CREATE TABLE IF NOT EXISTS camp_mops_stock_orders(id INTEGER PRIMARY KEY, item TEXT NOT NULL,"
      " quantity INTEGER NOT NULL, at TEXT NOT NULL, who TEXT NOT NULL, reason TEXT);"
      "CREATE TABLE IF NOT EXISTS camp_mops_consumes(campaign TEXT NOT NULL, name TEXT NOT NULL,"
      " item TEXT NOT NULL, step TEXT NOT NULL, per INTEGER NOT NULL, PRIMARY KEY(campaign, name));"
      "CREATE TABLE IF NOT EXISTS camp_mops_offer_defs(campaign TEXT NOT NULL, name TEXT NOT NULL,"
      " item TEXT NOT NULL, price INTEGER, discount INTEGER, segment TEXT, targets_only INTEGER NOT NULL,"
      " valid_from TEXT, valid_to TEXT, PRIMARY KEY(campaign, name));"
      "CREATE TABLE IF NOT EXISTS camp_mops_offers(campaign TEXT NOT NULL, offer TEXT NOT NULL,"
      " item TEXT NOT NULL, contact TEXT NOT NULL, price INTEGER, discount INTEGER, valid_from TEXT,"
      " valid_to TEXT, run_id INTEGER NOT NULL, PRIMARY KEY(campaign, offer, contact));"
      "CREATE INDEX IF NOT EXISTS camp_mops_offers_contact ON camp_mops_offers(contact, item);"
      "CREATE VIEW camp_offer_prices AS SELECT contact, item, campaign, offer,"
      " CAST(price AS REAL) / 10000 AS price, CAST(discount AS REAL) / 10000 AS discount_percent,"
      " valid_from, valid_to FROM camp_mops_offers;"
      "CREATE TABLE IF NOT EXISTS camp_mops_cost_steps(campaign TEXT NOT NULL, cost TEXT NOT NULL,"
      " step TEXT NOT NULL, PRIMARY KEY(campaign, cost, step));"
      "CREATE TABLE IF NOT EXISTS camp_mops_status_codes(set_name TEXT NOT NULL, code TEXT NOT NULL,"
      " ord INTEGER NOT NULL, PRIMARY KEY(set_name, code));"
      "CREATE TABLE IF NOT EXISTS camp_mops_status_next(set_name TEXT NOT NULL, code TEXT NOT NULL,"
      " next_code TEXT NOT NULL, PRIMARY KEY(set_name, code, next_code));"
      "CREATE TABLE IF NOT EXISTS camp_mops_status(campaign TEXT PRIMARY KEY, set_name TEXT NOT NULL,"
      " code TEXT NOT NULL, set_at TEXT NOT NULL, set_by TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS camp_mops_teams(team TEXT NOT NULL, member TEXT NOT NULL,"
      " PRIMARY KEY(team, member));"
      "CREATE TABLE IF NOT EXISTS camp_mops_tasks(id INTEGER PRIMARY KEY, campaign TEXT NOT NULL,"
      " name TEXT NOT NULL, after_task TEXT, formula TEXT NOT NULL, due_date TEXT, owner TEXT,"
      " team TEXT, note TEXT, done_at TEXT, done_by TEXT, UNIQUE(campaign, name));");
}

/* v2: calls and meetings imported as interactions (camp interactions
 * import) join camp's own log in the view; D365 segments with their
 * criteria, versions and member snapshots; offers may name a segment. */
static int to_v2(Db *db) {
  return db_exec_ddl(db,
      "CREATE TABLE IF NOT EXISTS camp_mops_interaction_log(id INTEGER PRIMARY KEY, campaign TEXT NOT NULL,"
      " contact TEXT NOT NULL, template TEXT NOT NULL, type TEXT NOT NULL, channel TEXT, at TEXT NOT NULL,"
      " cost INTEGER NOT NULL, minutes INTEGER NOT NULL, source TEXT NOT NULL, imported_at TEXT NOT NULL,"
      " imported_by TEXT NOT NULL, UNIQUE(campaign, contact, template, at));"
      "DROP VIEW IF EXISTS camp_interactions;"
      "CREATE VIEW camp_interactions AS"
      " SELECT r.campaign, o.run_id, o.step, o.channel, CAST(o.recipient_key AS TEXT) AS contact,"
      " 'sent' AS type, o.sent_at AS at, o.id AS outbox_id"
      " FROM camp_outbox o JOIN camp_runs r ON r.id = o.run_id WHERE o.status = 'sent'"
      " UNION ALL SELECT r.campaign, o.run_id, o.step, o.channel, CAST(o.recipient_key AS TEXT), f.event, f.at, o.id"
      " FROM camp_feedback f JOIN camp_outbox o ON o.id = f.outbox_id JOIN camp_runs r ON r.id = o.run_id"
      " WHERE f.event <> 'sent'"
      " UNION ALL SELECT l.campaign, CAST(NULL AS INTEGER), CAST(NULL AS TEXT), l.channel, l.contact, l.type, l.at,"
      " CAST(NULL AS INTEGER) FROM camp_mops_interaction_log l;"
      "CREATE TABLE IF NOT EXISTS camp_mops_segments(name TEXT PRIMARY KEY, dimension TEXT NOT NULL,"
      " source_file TEXT NOT NULL, version INTEGER NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS camp_mops_segment_criteria(segment TEXT NOT NULL, seq INTEGER NOT NULL,"
      " op TEXT NOT NULL, rule TEXT NOT NULL, PRIMARY KEY(segment, seq));"
      "CREATE TABLE IF NOT EXISTS camp_mops_segment_versions(segment TEXT NOT NULL, version INTEGER NOT NULL,"
      " op TEXT NOT NULL, rule TEXT, at TEXT NOT NULL, who TEXT NOT NULL, members INTEGER NOT NULL,"
      " added INTEGER NOT NULL, removed INTEGER NOT NULL, PRIMARY KEY(segment, version));"
      "CREATE TABLE IF NOT EXISTS camp_mops_segment_members(segment TEXT NOT NULL, version INTEGER NOT NULL,"
      " contact TEXT NOT NULL, PRIMARY KEY(segment, version, contact));"
      "ALTER TABLE camp_mops_offer_defs ADD COLUMN saved_segment TEXT;");
}

/* v3: segments declared in .camp files (`camp segment apply`) are marked,
 * so the CLI's edits and a declaration never take over each other's. */
static int to_v3(Db *db) {
  return db_exec_ddl(db, "ALTER TABLE camp_mops_segments ADD COLUMN declared INTEGER NOT NULL DEFAULT 0;");
}

int store_mops_migrate(Db *db, char *err, size_t errlen) {
  int64_t v = db_query_int(db, "SELECT CAST(value AS INTEGER) FROM camp_meta"
                               " WHERE key = 'mops_schema_version'", 0);
  if (v > STORE_MOPS_VERSION) {
    snprintf(err, errlen, "this database's marketing-operations tables were written by a newer camp "
                          "(version %lld; this camp knows %d)", (long long)v, STORE_MOPS_VERSION);
    return -1;
  }
  if (v < 1 && to_v1(db)) goto fail;
  if (v < 2 && to_v2(db)) goto fail;
  if (v < 3 && to_v3(db)) goto fail;
  char sql[128];
  snprintf(sql, sizeof sql, "INSERT INTO camp_meta(key, value) VALUES ('mops_schema_version', '%d')"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value", STORE_MOPS_VERSION);
  if (db_exec(db, sql) == 0) return 0;
fail:
  snprintf(err, errlen, "cannot create the marketing-operations tables: %s", db_error(db));
  return -1;
}

int store_mops_stock_level(Db *db, const char *item, int64_t *level) {
  DbStmt *st = db_prepare(db, STORE_MOPS_LEVELS_SQL " WHERE s.item = ?");
  if (!st) return -1;
  db_bind_text(st, 1, item);
  int rc = -1;
  if (db_step(st) == 1) {
    *level = db_column(st, 1).i + db_column(st, 2).i - db_column(st, 3).i;
    rc = 0;
  }
  db_finalize(st);
  return rc;
}
