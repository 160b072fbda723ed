/* cmd_send.c — `camp send`: drains the outbox through the providers (see
 * runtime/delivery/send.h), and the shared helper `camp run --send` /
 * `camp resume --send` use after a run. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/db/store.h"
#include "runtime/delivery/send.h"
#include "runtime/exec/exec.h"

static int positive(const char *flag, const char *v, int64_t *out) {
  char *end;
  long long n = v ? strtoll(v, &end, 10) : 0;
  if (!v || *end || n <= 0) {
    fprintf(stderr, "camp send: %s takes a positive whole number\n", flag);
    return 2;
  }
  *out = n;
  return 0;
}

/* Sends what is due with options o (run 0 = every run).  0, 1 or 2. */
int cli_send(Db *db, CliOpts *o, int64_t run) {
  SendOptions so;
  send_options_init(&so);
  int64_t v;
  so.run_id = run;
  so.channel = o->channel;
  so.dry_run = o->dry_run;
  if (o->limit) {
    if (positive("--limit", o->limit, &so.limit)) return 2;
  }
  if (o->batch) {
    if (positive("--batch", o->batch, &v)) return 2;
    so.batch = v > 5000 ? 5000 : (int)v;
  }
  if (o->lease) {
    if (positive("--lease", o->lease, &v)) return 2;
    so.lease = v > 86400 ? 86400 : (int)v;
  }
  char now[20];
  if (o->now) {
    if (exec_parse_now(o->now, now)) {
      fprintf(stderr, "camp send: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o->now);
      return 2;
    }
    so.now = now;
  }
  if (o->channel && strcmp(o->channel, "email") && strcmp(o->channel, "sms") && strcmp(o->channel, "push") &&
      strcmp(o->channel, "mail")) {
    fprintf(stderr, "camp send: --channel must be email, sms, push or mail\n");
    return 2;
  }
  so.progress = isatty(2);
  so.out = stdout;
  SendStats st;
  return send_outbox(db, &so, &st);
}

int cmd_send(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("send", argc, argv,
                     "db,run,channel,limit,dry-run,now,lease,batch,proof,proofs,step,campaign,I", &o);
  if (rc) return rc;
  if (o.proof || o.nfiles || o.step || o.proofs) {
    if (!o.proof || o.nfiles != 1 || !o.db || !o.step || o.run || o.channel || o.limit || o.dry_run ||
        o.lease || o.batch) {
      fprintf(stderr, "usage: camp send FILE --db DB --step STEP --proof ADDR[,ADDR...] [--proofs N]\n"
                      "                 [--campaign C] [--now TIMESTAMP]\n");
      return 2;
    }
    return cli_send_proof(&o);
  }
  if (!o.db || o.campaign || o.nincludes) {
    fprintf(stderr, "usage: camp send --db DB [--run ID] [--channel email|sms|push|mail] [--limit N]\n"
                    "                 [--dry-run] [--now TIMESTAMP] [--lease SECONDS] [--batch N]\n"
                    "       camp send FILE --db DB --step STEP --proof ADDR[,ADDR...] [--proofs N]\n");
    return 2;
  }
  int64_t run = 0;
  if (o.run && positive("--run", o.run, &run)) return 2;
  char err[1024];
  Db *db = db_open(o.db, DB_OPEN_READWRITE, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp send: %s\n", err);
    return 1;
  }
  if (!store_present(db)) {
    printf("no camp runs in %s\n", o.db);
    db_close(db);
    return 0;
  }
  rc = cli_send(db, &o, run);
  db_close(db);
  return rc;
}
