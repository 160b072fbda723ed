/* fuzz_feedback.c — fuzz target: provider feedback files (`camp feedback
 * import`, runtime/delivery/feedback_import.c; CSV or JSON lines).  Each
 * input is written to a file and imported into an in-memory SQLite
 * database with camp's tables (store_migrate) and six messages: outbox ids
 * 1-6 on email and sms, message ids <camp-1-01@example.com>..., provider
 * ids esp-1... (esp-dup names two).  After each input the feedback and
 * suppression rows are deleted again, so every input meets the same
 * database.
 * Invariants: an import that succeeds reports no message and counts every
 * row as imported or already present; the stored rows are exactly the
 * imported ones, each with a well-formed time (YYYY-MM-DD HH:MM:SS) and
 * an event camp knows; the new suppressions are the counted ones.  A
 * failed import reports at least one message, returns zeroed counts and
 * leaves both tables untouched (all or nothing).
 * Seeds: the import files of tests/track (tests/fuzz/regress/feedback/)
 * and a few written here.  See fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/delivery/feedback_import.h"
#include "tests/fuzz/fuzz.h"

static Db *db;
static char path[256];

void fuzz_feedback_init(void) {
  char err[512];
  db = db_open(":memory:", DB_OPEN_CREATE, err, sizeof err);
  if (!db || store_migrate(db, err, sizeof err) != 0) {
    fprintf(stderr, "fuzz_feedback: %s\n", err);
    abort();
  }
  if (db_exec(db, "INSERT INTO camp_outbox(id, run_id, step, recipient_key, channel, address,"
                  " status, message_id, provider_message_id) VALUES"
                  " (1, 1, 'mail', 1, 'email', 'anna@example.com', 'sent', 'camp-1-01@example.com', 'esp-1'),"
                  " (2, 1, 'mail', 2, 'email', 'Bo@Example.com', 'sent', 'camp-1-02@example.com', 'esp-2'),"
                  " (3, 1, 'mail', 3, 'email', NULL, 'sent', 'camp-1-03@example.com', 'esp-dup'),"
                  " (4, 1, 'mail', 4, 'email', 'dana@example.com', 'sent', 'camp-1-04@example.com', 'esp-dup'),"
                  " (5, 1, 'sms', 5, 'sms', '+46 70-100 00 05', 'sent', NULL, 'esp-5'),"
                  " (6, 1, 'sms', 6, 'sms', '', 'queued', NULL, NULL)") != 0)
    abort();
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(path, sizeof path, "%s/camp-fuzz-feedback-%ld.csv", base, (long)getpid());
}

static void count_msg(void *ctx, const char *msg) {
  (void)msg;
  ++*(int *)ctx;
}

int fuzz_feedback_one(const uint8_t *d, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (n && fwrite(d, 1, n, f) != n) abort();
  fclose(f);
  FeedbackCounts c;
  int msgs = 0;
  int rc = feedback_import(db, path, "2026-03-01 00:00:00", &c, count_msg, &msgs);
  int64_t fb = db_query_int(db, "SELECT count(*) FROM camp_feedback", -1);
  int64_t supp = db_query_int(db, "SELECT count(*) FROM camp_suppression", -1);
  if (rc == 0) {
    if (msgs) abort(); /* a message, yet imported */
    if (c.rows < 1 || c.imported + c.duplicates != c.rows) abort();
    if (c.delivered + c.bounced_hard + c.bounced_soft + c.complaints != c.imported) abort();
    if (fb != c.imported || supp != c.suppressed) abort();
    /* every stored row: a time camp can compare as text, a known event */
    if (db_query_int(db, "SELECT count(*) FROM camp_feedback WHERE length(at) != 19 OR at NOT GLOB"
                         " '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9]'"
                         " OR event NOT IN ('delivered', 'bounced', 'complained')"
                         " OR outbox_id NOT BETWEEN 1 AND 6", -1) != 0)
      abort();
    if (db_query_int(db, "SELECT count(*) FROM camp_suppression WHERE reason NOT IN"
                         " ('bounced_hard', 'complaint') OR outbox_id NOT BETWEEN 1 AND 6", -1) != 0)
      abort();
  } else {
    if (msgs < 1) abort(); /* refused without a word */
    if (fb != 0 || supp != 0) abort(); /* partly written */
    if (c.rows || c.imported || c.duplicates || c.suppressed) abort();
  }
  if (db_exec(db, "DELETE FROM camp_feedback") || db_exec(db, "DELETE FROM camp_suppression")) abort();
  unlink(path);
  return 0;
}

static void emit_str(FuzzEmit emit, void *ctx, const char *s) { emit((const uint8_t *)s, strlen(s), ctx); }

void fuzz_feedback_seeds(FuzzEmit emit, void *ctx) {
  emit_str(emit, ctx,
           "\xef\xbb\xbf" "event,type,message_id,provider_id,at,reason\r\n"
           "bounced,HARD,<camp-1-02@example.com>,,2026-03-01T08:01:02.5z,\"550 5.1.1, \"\"gone\"\"\"\r\n"
           "complaint,,,esp-5,0,\r\n"
           "delivered,,,esp-dup,,\r\n"
           "bounced,soft,,esp-1,2024-02-29 23:59:60,\r\n");
  emit_str(emit, ctx,
           "{\"event\":\"complaint\",\"outbox_id\":4,\"at\":\"2026-03-01 08:00-00:00\"}\n"
           "{\"event\":\"bounced\",\"type\":\"hard\",\"outbox_id\":\"3\",\"reason\":null}\n"
           "{\"event\":\"delivered\",\"outbox_id\":6,\"at\":1772352000,\"extra\":[1,{}]}\n"
           "{\"event\":\"delivered\",\"outbox_id\":6,\"event\":\"bounced\"}\n"
           "[1,2]\n{\"event\":true}\n");
  emit_str(emit, ctx, "   \n\t");
  emit_str(emit, ctx, "type,at\nhard,1\n");
}

FUZZ_LIBFUZZER_MAIN(feedback)
