/* cmd_proof.c — `camp send FILE --db DB --step S --proof ADDR[,ADDR...]
 * [--proofs N]`: renders step S as `camp preview` does (a plan; nothing
 * stored), keeps its first N messages and sends each to every address
 * through the step's provider (runtime/delivery/proof.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/delivery/direct.h"
#include "runtime/exec/exec.h"

typedef struct Proofs {
  ProofMsg *m;
  int n, max;
} Proofs;

static char *dup_or_null(const char *s) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) abort();
  return d;
}

/* exec's preview callback: keeps the first max messages. */
static int keep(void *ctx, DbValue key, const char *address, const char *subject, const char *body) {
  (void)address;
  Proofs *p = ctx;
  if (p->n >= p->max) return 0;
  char k[256];
  cli_key_text(key, k, sizeof k);
  ProofMsg *m = &p->m[p->n++];
  m->recipient = dup_or_null(k);
  m->subject = dup_or_null(subject);
  m->body = dup_or_null(body);
  return 0;
}

/* Splits a comma-separated list in place; at most cap entries. */
static int split_addrs(char *s, char **out, int cap) {
  int n = 0;
  for (char *t = strtok(s, ","); t && n < cap; t = strtok(NULL, ",")) {
    while (*t == ' ') t++;
    char *e = t + strlen(t);
    while (e > t && e[-1] == ' ') *--e = 0;
    if (*t) out[n++] = t;
  }
  return n;
}

static int usage_error(const char *msg) {
  fprintf(stderr, "camp send --proof: %s\n", msg);
  return 2;
}

int cli_send_proof(CliOpts *o) {
  int max = 3;
  if (o->proofs) {
    char *end;
    long v = strtol(o->proofs, &end, 10);
    if (*end || v < 1 || v > 100) return usage_error("--proofs must be a number from 1 to 100");
    max = (int)v;
  }
  char norm[20];
  if (o->now && exec_parse_now(o->now, norm)) return usage_error("--now is not a date or time");
  char *list = strdup(o->proof);
  if (!list) abort();
  char *addrs[64];
  int naddrs = split_addrs(list, addrs, 64);
  if (naddrs == 0) {
    free(list);
    return usage_error("--proof names no address");
  }
  for (int i = 0; i < naddrs; i++)
    if (strpbrk(addrs[i], "<>\r\n\t")) {
      free(list);
      return usage_error("an address may not hold <, >, tabs or line breaks");
    }
  int status, rc = 1;
  Program *p = cli_compile(o, &status);
  Decl *camp = status ? NULL : program_campaign(p, o->campaign);
  Step *s = camp ? cli_channel_step(camp, o->step) : NULL;
  Db *db = NULL;
  Proofs pr = {calloc((size_t)max, sizeof(ProofMsg)), 0, max};
  if (!pr.m) abort();
  char err[1024];
  if (!camp) {
    cli_print_diags(p, o);
  } else if (!s) {
    fprintf(stderr, "camp send --proof: campaign %s has no channel step `%s`\n", camp->name, o->step);
    rc = 2;
  } else if (s->channel == CH_MAIL || !s->provider_decl) {
    fprintf(stderr, "camp send --proof: step %s %s\n", s->label,
            s->channel == CH_MAIL ? "is direct mail: proofs are for e-mail, SMS and push"
                                  : "has no provider to send proofs through");
    rc = 2;
  } else if (!(db = db_open(o->db, DB_OPEN_READONLY, err, sizeof err))) {
    fprintf(stderr, "camp send --proof: %s\n", err);
  } else if (exec_verify_schema(db, p, camp)) {
    fprintf(stderr, "camp send --proof: the database %s does not match the campaign's schemas:\n", o->db);
    cli_print_diags(p, o);
  } else {
    FILE *devnull = fopen("/dev/null", "w");
    ExecOptions e = {.now = o->now, .engine = "sql", .db_path = o->db, .out = devnull,
                     .preview_step = s->label, .preview = keep, .preview_ctx = &pr};
    rc = devnull ? exec_plan(db, p, camp, o->files[0], &e) : 1;
    if (devnull) fclose(devnull);
    if (rc == 0 && pr.n == 0) {
      fprintf(stderr, "camp send --proof: step %s renders no message (its population is empty)\n", s->label);
      rc = 1;
    } else if (rc == 0) {
      time_t now = cli_now_time(o->now ? norm : NULL);
      rc = proof_send(s->provider_decl, o->files[0], s->label, channel_name(s->channel), pr.m, pr.n, addrs,
                      naddrs, now, stdout, err, sizeof err);
      if (rc < 0) fprintf(stderr, "camp send --proof: %s\n", err);
      rc = rc ? 1 : 0;
    }
  }
  for (int i = 0; i < pr.n; i++) {
    free(pr.m[i].recipient);
    free(pr.m[i].subject);
    free(pr.m[i].body);
  }
  free(pr.m);
  db_close(db);
  program_free(p);
  free(list);
  return rc;
}
