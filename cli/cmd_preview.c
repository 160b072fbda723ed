/* cmd_preview.c — `camp preview FILE --db DB --step S [--recipient KEY]
 * [--format text|html|json|eml] [--now TS]`: renders the messages a channel
 * step would queue, queueing nothing.  `eml` builds each e-mail with the
 * send worker's MIME builder (runtime/delivery/mime.c) and the step's
 * provider's From: one message as an .eml file, several as an mbox.  The campaign runs as a plan (TEMP
 * tables, rolled back; waits pass through, retarget steps see no
 * feedback), and step S renders through the same code as a run
 * (runtime/exec/exec_channel.c).  Tracked links are not rewritten: a
 * preview has no outbox row to sign them for. */
#include <jansson.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/db/db.h"
#include "runtime/delivery/mime.h"
#include "runtime/delivery/provider.h"
#include "runtime/delivery/track_links.h"
#include "runtime/exec/exec.h"

typedef struct Preview {
  const char *fmt;
  const char *recipient;
  Channel channel;
  const char *step;
  const char *from;    /* eml: the provider's From */
  time_t date;         /* eml: the Date header (--now) */
  int n;
  int failed;          /* eml: a message could not be built */
  json_t *arr;
} Preview;

/* One e-mail as MIME (mboxrd-quoted "From " lines when mbox: several
 * messages in one stream open in any mail client). */
static void show_eml(Preview *p, const char *k, const char *address, const char *subject,
                     const char *body, int mbox) {
  char mid[300], err[256];
  char domain[256];
  mime_domain(p->from, domain, sizeof domain);
  snprintf(mid, sizeof mid, "preview-%.60s-%.60s@%.150s", p->step, k, domain);
  MimeInput in = {.from = p->from, .to = address ? address : "", .subject = subject, .html = body,
                  .message_id = mid, .date = p->date};
  size_t len = 0;
  char *msg = mime_build(&in, &len, err, sizeof err);
  if (!msg) {
    fprintf(stderr, "camp preview: recipient %s: the message cannot be built: %s\n", k, err);
    p->failed = 1;
    return;
  }
  if (!mbox) {
    fwrite(msg, 1, len, stdout);
    free(msg);
    return;
  }
  struct tm tm;
  char when[64];
  gmtime_r(&p->date, &tm);
  strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
  printf("From camp-preview %s\n", when);
  /* mboxrd: a line starting with >*From gains one more > */
  for (const char *l = msg; l < msg + len;) {
    const char *e = memchr(l, '\n', (size_t)(msg + len - l));
    size_t n = e ? (size_t)(e - l) + 1 : (size_t)(msg + len - l);
    const char *q = l;
    while (q < l + n && *q == '>') q++;
    if ((size_t)(l + n - q) >= 5 && !strncmp(q, "From ", 5)) putchar('>');
    fwrite(l, 1, n, stdout);
    l += n;
  }
  printf("\n");
  free(msg);
}

void cli_key_text(DbValue k, char *out, size_t n) {
  if (k.kind == DBV_INT) snprintf(out, n, "%lld", (long long)k.i);
  else if (k.kind == DBV_REAL) snprintf(out, n, "%.15g", k.r);
  else snprintf(out, n, "%s", k.kind == DBV_TEXT ? k.s : "");
}

static int show(void *ctx, DbValue key, const char *address, const char *subject,
                const char *body) {
  Preview *p = ctx;
  char k[256];
  cli_key_text(key, k, sizeof k);
  if (p->recipient && strcmp(p->recipient, k)) return 0;
  int html = p->channel == CH_EMAIL;
  if (!strcmp(p->fmt, "eml")) {
    show_eml(p, k, address, subject, body, !p->recipient);
    p->n++;
    return 0;
  }
  char *text = html && body ? html_to_text(body) : NULL;
  if (!strcmp(p->fmt, "json")) {
    json_t *o = json_object();
    json_object_set_new(o, "recipient", key.kind == DBV_INT ? json_integer(key.i) : json_string(k));
    json_object_set_new(o, "address", address ? json_string(address) : json_null());
    json_object_set_new(o, "subject", subject ? json_string(subject) : json_null());
    json_object_set_new(o, "body", body ? json_string(body) : json_null());
    json_object_set_new(o, "text", text ? json_string(text) : body ? json_string(body) : json_null());
    json_array_append_new(p->arr, o);
  } else if (!strcmp(p->fmt, "html")) {
    printf("%s<!-- recipient %s%s%s%s -->\n%s%s", p->n ? "\n" : "", k, address ? " <" : "",
           address ? address : "", address ? ">" : "", body ? body : "",
           body && *body && body[strlen(body) - 1] != '\n' ? "\n" : "");
  } else {
    printf("%s== recipient %s%s%s%s\n", p->n ? "\n" : "", k, address ? " <" : "",
           address ? address : "", address ? ">" : "");
    if (subject) printf("Subject: %s\n", subject);
    printf("\n%s", text ? text : body ? body : "");
    const char *t = text ? text : body;
    if (t && *t && t[strlen(t) - 1] != '\n') putchar('\n');
  }
  free(text);
  p->n++;
  return 0;
}

time_t cli_now_time(const char *norm) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  return norm && strptime(norm, "%Y-%m-%d %H:%M:%S", &tm) ? timegm(&tm) : time(NULL);
}

Step *cli_channel_step(Decl *camp, const char *name) {
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    if (s->kind != S_CHANNEL) continue;
    if (!strcmp(s->label, name)) return s;
    for (int k = 0; k < s->outputs.len; k++)
      if (!strcmp(s->outputs.items[k], name)) return s;
  }
  return NULL;
}

int cmd_preview(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("preview", argc, argv, "db,campaign,step,recipient,format,now,I", &o);
  if (rc) return rc;
  if (o.nfiles != 1 || !o.db || !o.step) {
    fprintf(stderr, "usage: camp preview FILE --db DB --step STEP [--recipient KEY] "
                    "[--format text|html|json|eml] [--now TIMESTAMP]\n");
    return 2;
  }
  if (strcmp(o.format, "text") && strcmp(o.format, "html") && strcmp(o.format, "json") &&
      strcmp(o.format, "eml")) {
    fprintf(stderr, "camp preview: --format must be text, html, json or eml\n");
    return 2;
  }
  char norm[20];
  if (o.now && exec_parse_now(o.now, norm)) {
    fprintf(stderr, "camp preview: --now `%s` is not a date or time\n", o.now);
    return 2;
  }
  int status;
  Program *p = cli_compile(&o, &status);
  Decl *camp = status ? NULL : program_campaign(p, o.campaign);
  if (!camp) {
    cli_print_diags(p, &o);
    program_free(p);
    return 1;
  }
  Step *s = cli_channel_step(camp, o.step);
  if (!s) {
    fprintf(stderr, "camp preview: campaign %s has no channel step `%s`; its channel steps:", camp->name,
            o.step);
    for (int i = 0; i < camp->steps.len; i++) {
      Step *t = camp->steps.items[i];
      if (t->kind == S_CHANNEL) fprintf(stderr, " %s", t->label);
    }
    fputc('\n', stderr);
    program_free(p);
    return 2;
  }
  char err[1024];
  Preview pv = {.fmt = o.format, .recipient = o.recipient, .channel = s->channel, .step = s->label,
                .date = time(NULL)};
  Provider *prov = NULL;
  if (!strcmp(o.format, "eml")) {
    if (s->channel != CH_EMAIL || !s->provider_decl) {
      fprintf(stderr, "camp preview: --format eml needs an e-mail step with a provider (step %s %s)\n",
              s->label, s->channel != CH_EMAIL ? "is not an e-mail step" : "has no provider");
      program_free(p);
      return 2;
    }
    /* the From the send worker would use, from the same recorded JSON */
    char *json = provider_config_json(s->provider_decl, o.files[0]);
    prov = json ? provider_parse(json, err, sizeof err) : NULL;
    free(json);
    if (!prov || !prov->from) {
      fprintf(stderr, "camp preview: provider %s: %s\n", s->provider_decl->name, prov ? "no from address" : err);
      provider_free(prov);
      program_free(p);
      return 1;
    }
    pv.from = prov->from;
    pv.date = cli_now_time(o.now ? norm : NULL);
    mime_init();
  }
  Db *db = db_open(o.db, DB_OPEN_READONLY, err, sizeof err);
  if (!db) {
    fprintf(stderr, "camp preview: %s\n", err);
    provider_free(prov);
    program_free(p);
    return 1;
  }
  if (exec_verify_schema(db, p, camp)) {
    fprintf(stderr, "camp preview: the database %s does not match the campaign's schemas:\n", o.db);
    cli_print_diags(p, &o);
    db_close(db);
    provider_free(prov);
    program_free(p);
    return 1;
  }
  if (!strcmp(o.format, "json")) pv.arr = json_array();
  FILE *devnull = fopen("/dev/null", "w");
  ExecOptions e = {.now = o.now, .engine = "sql", .db_path = o.db, .out = devnull,
                   .preview_step = s->label, .preview = show, .preview_ctx = &pv};
  rc = devnull ? exec_plan(db, p, camp, o.files[0], &e) : 1;
  if (devnull) fclose(devnull);
  if (rc == 0 && pv.arr) {
    json_dumpf(pv.arr, stdout, JSON_INDENT(2));
    putchar('\n');
  }
  if (rc == 0 && pv.n == 0) {
    if (o.recipient) fprintf(stderr, "camp preview: step %s has no message for recipient %s\n", s->label, o.recipient);
    else fprintf(stderr, "camp preview: step %s renders no message (its population is empty)\n", s->label);
    rc = o.recipient ? 1 : 0;
  }
  if (rc == 0 && pv.failed) rc = 1;
  provider_free(prov);
  json_decref(pv.arr);
  db_close(db);
  program_free(p);
  return rc;
}
