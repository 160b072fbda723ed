/* client.c — a scripted LSP client for `camp lsp` (tests/lsp/run.sh).
 *
 *   client CAMP DIR OUTDIR
 *
 * Starts `CAMP lsp` on pipes and drives it like an editor: initialize ->
 * didOpen (broken.camp: an unknown column after a non-ASCII string, so the
 * UTF-16 range is checked) -> publishDiagnostics -> didChange (fixed.camp)
 * -> no diagnostics -> completion (enriched column, link path, while
 * typing) -> hover -> definition (step, schema in an import, the import)
 * -> formatting -> shutdown -> exit (status 0).  Then fresh servers for the
 * robustness cases: bad JSON, requests before initialize, unknown methods,
 * a huge document, end of input without exit.
 * Prints `PASS what` / `FAIL what: why` per assertion; the formatted text
 * is written to OUTDIR/formatted.camp for run.sh to compare with camp fmt.
 * Exit status: the number of failures (capped at 100). */
#define _GNU_SOURCE
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static const char *camp, *dir, *outdir;

typedef struct Server {
  pid_t pid;
  FILE *to, *from;
} Server;

static void check(int ok, const char *what, const char *fmt, ...) {
  if (ok) {
    printf("PASS %s\n", what);
    return;
  }
  failures++;
  printf("FAIL %s: ", what);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static Server start(void) {
  int in[2], out[2];
  Server s = {0};
  if (pipe(in) || pipe(out)) abort();
  s.pid = fork();
  if (s.pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    execl(camp, camp, "lsp", (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  s.to = fdopen(in[1], "w");
  s.from = fdopen(out[0], "r");
  return s;
}

/* Closes the server's input and returns its exit status (-1: signal). */
static int finish(Server *s) {
  fclose(s->to);
  fclose(s->from);
  int st;
  waitpid(s->pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void send_raw(Server *s, const char *body) {
  fprintf(s->to, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
  fflush(s->to);
}

static void send_msg(Server *s, json_t *m) {
  json_object_set_new(m, "jsonrpc", json_string("2.0"));
  char *body = json_dumps(m, JSON_COMPACT);
  send_raw(s, body);
  free(body);
  json_decref(m);
}

static void request(Server *s, int id, const char *method, json_t *params) {
  send_msg(s, json_pack("{s:i, s:s, s:o}", "id", id, "method", method, "params",
                        params ? params : json_object()));
}

static void notify(Server *s, const char *method, json_t *params) {
  send_msg(s, json_pack("{s:s, s:o}", "method", method, "params", params ? params : json_object()));
}

/* Next message from the server, NULL at end of output. */
static json_t *next(Server *s) {
  char line[256];
  long len = -1;
  while (fgets(line, sizeof line, s->from)) {
    if (strncmp(line, "Content-Length:", 15) == 0) len = atol(line + 15);
    if (strcmp(line, "\r\n") == 0) break;
  }
  if (len < 0) return NULL;
  char *buf = malloc((size_t)len + 1);
  if (fread(buf, 1, (size_t)len, s->from) != (size_t)len) {
    free(buf);
    return NULL;
  }
  json_t *j = json_loadb(buf, (size_t)len, 0, NULL);
  free(buf);
  return j;
}

/* Reads until the response to id; notifications before it are dropped. */
static json_t *response(Server *s, int id) {
  json_t *m;
  while ((m = next(s))) {
    if (json_integer_value(json_object_get(m, "id")) == id && !json_object_get(m, "method"))
      return m;
    json_decref(m);
  }
  return NULL;
}

/* Reads until a publishDiagnostics notification; returns its params. */
static json_t *diagnostics(Server *s) {
  json_t *m;
  while ((m = next(s))) {
    const char *meth = json_string_value(json_object_get(m, "method"));
    if (meth && strcmp(meth, "textDocument/publishDiagnostics") == 0) {
      json_t *p = json_incref(json_object_get(m, "params"));
      json_decref(m);
      return p;
    }
    json_decref(m);
  }
  return NULL;
}

static char *slurp(const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "client: cannot read %s\n", path);
    exit(100);
  }
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return strdup(buf);
}

static char uri[4200], schemas_uri[4200];

static json_t *pos(int line, int character) {
  return json_pack("{s:{s:s}, s:{s:i, s:i}}", "textDocument", "uri", uri, "position", "line", line,
                   "character", character);
}

static void did_change(Server *s, int version, const char *text) {
  notify(s, "textDocument/didChange",
         json_pack("{s:{s:s, s:i}, s:[{s:s}]}", "textDocument", "uri", uri, "version", version,
                   "contentChanges", "text", text));
}

static json_t *result(json_t *resp) { return json_object_get(resp, "result"); }

static int range_is(json_t *r, int l1, int c1, int l2, int c2) {
  json_t *a = json_object_get(r, "start"), *b = json_object_get(r, "end");
  return json_integer_value(json_object_get(a, "line")) == l1 &&
         json_integer_value(json_object_get(a, "character")) == c1 &&
         json_integer_value(json_object_get(b, "line")) == l2 &&
         json_integer_value(json_object_get(b, "character")) == c2;
}

/* Labels of a completion result joined by spaces, with spaces around. */
static char *labels(json_t *resp) {
  static char buf[1 << 15];
  strcpy(buf, " ");
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(result(resp), "items"), i, it) {
    const char *l = json_string_value(json_object_get(it, "label"));
    if (l && strlen(buf) + strlen(l) + 2 < sizeof buf) {
      strcat(buf, l);
      strcat(buf, " ");
    }
  }
  return buf;
}

static int has(const char *list, const char *word) {
  char w[128];
  snprintf(w, sizeof w, " %s ", word);
  return strstr(list, w) != NULL;
}

/* ------------------------------------------------------------ session */

static void open_broken(Server *s) {
  request(s, 1, "initialize", json_pack("{s:i, s:{}}", "processId", (int)getpid(), "capabilities"));
  json_t *r = response(s, 1);
  json_t *caps = json_object_get(result(r), "capabilities");
  check(json_is_true(json_object_get(caps, "hoverProvider")) &&
            json_object_get(caps, "completionProvider") &&
            json_is_true(json_object_get(caps, "documentFormattingProvider")),
        "initialize: capabilities", "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  notify(s, "initialized", NULL);
  char *text = slurp("broken.camp");
  notify(s, "textDocument/didOpen",
         json_pack("{s:{s:s, s:s, s:i, s:s}}", "textDocument", "uri", uri, "languageId", "camp",
                   "version", 1, "text", text));
  free(text);
  json_t *p = diagnostics(s);
  json_t *d = json_array_get(json_object_get(p, "diagnostics"), 0);
  const char *msg = json_string_value(json_object_get(d, "message"));
  check(json_array_size(json_object_get(p, "diagnostics")) == 1 && msg &&
            strstr(msg, "unknown column `loyalti`") && strstr(msg, "did you mean `loyalty`"),
        "didOpen: the error and its hint", "got %s", p ? json_dumps(p, JSON_COMPACT) : "nothing");
  /* `loyalti` starts at byte 60 but UTF-16 unit 56 (after a flag emoji). */
  check(range_is(json_object_get(d, "range"), 3, 56, 3, 63) &&
            json_integer_value(json_object_get(d, "severity")) == 1,
        "didOpen: UTF-16 range and severity", "got %s",
        d ? json_dumps(d, JSON_COMPACT) : "nothing");
  check(p && strcmp(json_string_value(json_object_get(p, "uri")), uri) == 0,
        "didOpen: diagnostics for the document's URI", "wrong uri");
  json_decref(p);
}

static void fix_it(Server *s) {
  char *text = slurp("fixed.camp");
  did_change(s, 2, text);
  free(text);
  json_t *p = diagnostics(s);
  check(p && json_array_size(json_object_get(p, "diagnostics")) == 0,
        "didChange: fixed document has no diagnostics", "got %s",
        p ? json_dumps(p, JSON_COMPACT) : "nothing");
  json_decref(p);
}

static void completion(Server *s) {
  /* line 8: `  vip = rich where spent > 10`, cursor before `spent` */
  request(s, 10, "textDocument/completion", pos(8, 19));
  json_t *r = response(s, 10);
  char *l = labels(r);
  check(has(l, "spent") && has(l, "city") && has(l, "first_name") && has(l, "loyalty") &&
            has(l, "store") && has(l, "purchases") && has(l, "buyers") && has(l, "where") &&
            has(l, "holdout"),
        "completion: columns, enriched columns, links, steps, keywords (and `holdout` in a campaign)", "got%s", l);
  json_decref(r);
  /* line 6: `    city = store.city`, cursor after `store.` */
  request(s, 11, "textDocument/completion", pos(6, 17));
  r = response(s, 11);
  l = labels(r);
  check(has(l, "city") && has(l, "region") && !has(l, "loyalty") && !has(l, "where"),
        "completion: link path store. -> columns of stores", "got%s", l);
  json_decref(r);
}

/* While typing the document does not parse: completion still answers from
 * the statement's source, resolved in the last good program. */
static void completion_while_typing(Server *s) {
  char *text = slurp("fixed.camp");
  char *at = strstr(text, "  save vip");
  char *broken = malloc(strlen(text) + 64);
  sprintf(broken, "%.*s  x = rich where store.\n%s", (int)(at - text), text, at);
  did_change(s, 3, broken);
  json_decref(diagnostics(s));
  request(s, 12, "textDocument/completion", pos(9, 23));
  json_t *r = response(s, 12);
  char *l = labels(r);
  check(has(l, "city") && has(l, "region"), "completion: link path in a broken document",
        "got%s", l);
  json_decref(r);
  request(s, 13, "textDocument/completion", pos(9, 17));
  r = response(s, 13);
  l = labels(r);
  check(has(l, "spent") && has(l, "first_name"),
        "completion: enriched column in a broken document", "got%s", l);
  json_decref(r);
  did_change(s, 4, text);
  json_decref(diagnostics(s));
  free(broken);
  free(text);
}

static void hover(Server *s) {
  request(s, 20, "textDocument/hover", pos(8, 21));  /* spent */
  json_t *r = response(s, 20);
  const char *v = json_string_value(json_object_get(json_object_get(result(r), "contents"), "value"));
  check(v && strstr(v, "decimal") && strstr(v, "added"), "hover: enriched column type",
        "got %s", v ? v : "nothing");
  check(range_is(json_object_get(result(r), "range"), 8, 19, 8, 24), "hover: range of the name",
        "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  request(s, 21, "textDocument/hover", pos(8, 9));  /* rich */
  r = response(s, 21);
  v = json_string_value(json_object_get(json_object_get(result(r), "contents"), "value"));
  check(v && strstr(v, "population of `customers`") && strstr(v, "spent decimal") &&
            strstr(v, "first_name text"),
        "hover: step population (dimension + added columns)", "got %s", v ? v : "nothing");
  json_decref(r);
  request(s, 22, "textDocument/hover", pos(3, 30));  /* country */
  r = response(s, 22);
  v = json_string_value(json_object_get(json_object_get(result(r), "contents"), "value"));
  check(v && strstr(v, "`country`: **text**"), "hover: column type", "got %s", v ? v : "nothing");
  json_decref(r);
}

static void definition(Server *s) {
  request(s, 30, "textDocument/definition", pos(8, 9));  /* rich -> its step */
  json_t *r = response(s, 30);
  check(json_is_string(json_object_get(result(r), "uri")) &&
            strcmp(json_string_value(json_object_get(result(r), "uri")), uri) == 0 &&
            range_is(json_object_get(result(r), "range"), 4, 2, 4, 6),
        "definition: step name", "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  request(s, 31, "textDocument/definition", pos(3, 14));  /* customers -> schemas.camp */
  r = response(s, 31);
  const char *u = json_string_value(json_object_get(result(r), "uri"));
  check(u && strcmp(u, schemas_uri) == 0 && range_is(json_object_get(result(r), "range"), 2, 7, 2, 16),
        "definition: schema in an imported file", "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  request(s, 32, "textDocument/definition", pos(0, 10));  /* import "schemas" */
  r = response(s, 32);
  u = json_string_value(json_object_get(result(r), "uri"));
  check(u && strcmp(u, schemas_uri) == 0, "definition: import -> the imported file", "got %s",
        r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  request(s, 33, "textDocument/definition", pos(1, 0));  /* blank line */
  r = response(s, 33);
  check(r && json_is_null(result(r)), "definition: nothing there -> null", "got %s",
        r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
}

static void formatting(Server *s) {
  char *text = slurp("unformatted.camp");
  did_change(s, 5, text);
  json_decref(diagnostics(s));
  request(s, 40, "textDocument/formatting",
          json_pack("{s:{s:s}, s:{s:i, s:b}}", "textDocument", "uri", uri, "options", "tabSize", 2,
                    "insertSpaces", 1));
  json_t *r = response(s, 40);
  json_t *e = json_array_get(result(r), 0);
  const char *nt = json_string_value(json_object_get(e, "newText"));
  int lines = 0;
  for (char *c = text; *c; c++) lines += *c == '\n';
  check(json_array_size(result(r)) == 1 && nt && range_is(json_object_get(e, "range"), 0, 0, lines, 0),
        "formatting: one whole-document edit", "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  char path[4096];
  snprintf(path, sizeof path, "%s/formatted.camp", outdir);
  FILE *f = fopen(path, "w");
  if (f && nt) fputs(nt, f);
  if (f) fclose(f);
  json_decref(r);
  free(text);
}

static void shutdown_exit(Server *s) {
  request(s, 50, "shutdown", NULL);
  json_t *r = response(s, 50);
  check(r && json_is_null(result(r)) && !json_object_get(r, "error"), "shutdown: null result",
        "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  notify(s, "exit", NULL);
  int st = finish(s);
  check(st == 0, "exit after shutdown: status 0", "status %d", st);
}

/* ------------------------------------------------------------ robustness */

static int error_code(json_t *r) {
  return (int)json_integer_value(json_object_get(json_object_get(r, "error"), "code"));
}

static void robustness(void) {
  Server s = start();
  request(&s, 1, "textDocument/hover", pos(0, 0));
  json_t *r = response(&s, 1);
  check(error_code(r) == -32002, "request before initialize: ServerNotInitialized", "got %s",
        r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  send_raw(&s, "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": ");
  r = next(&s);
  check(error_code(r) == -32700, "bad JSON: ParseError", "got %s", r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  request(&s, 3, "initialize", json_pack("{s:{}}", "capabilities"));
  json_decref(response(&s, 3));
  notify(&s, "workspace/didChangeSomethingUnknown", NULL);  /* ignored: no answer */
  request(&s, 4, "textDocument/unknownThing", NULL);
  r = next(&s);
  check(json_integer_value(json_object_get(r, "id")) == 4 && error_code(r) == -32601,
        "unknown request: MethodNotFound (unknown notification ignored)", "got %s",
        r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  request(&s, 5, "textDocument/hover", pos(0, 0));
  r = response(&s, 5);
  check(error_code(r) == -32602, "hover on a document that is not open: InvalidParams", "got %s",
        r ? json_dumps(r, JSON_COMPACT) : "nothing");
  json_decref(r);
  /* A big document: a 2 MB comment line and 5000 steps, every one an
   * unused-step warning. */
  size_t cap = 3u << 20, len = 0;
  char *big = malloc(cap);
  len += (size_t)sprintf(big, "import \"schemas\"\n//");
  memset(big + len, 'x', 2u << 20);
  len += 2u << 20;
  len += (size_t)sprintf(big + len, "\ncampaign big {\n");
  for (int i = 0; i < 5000; i++)
    len += (size_t)sprintf(big + len, "  s%d = customers where loyalty > %d and country = \"é\"\n", i, i);
  strcpy(big + len, "}\n");
  notify(&s, "textDocument/didOpen",
         json_pack("{s:{s:s, s:s, s:i, s:s}}", "textDocument", "uri", uri, "languageId", "camp",
                   "version", 1, "text", big));
  free(big);
  json_t *p = diagnostics(&s);
  check(json_array_size(json_object_get(p, "diagnostics")) == 5000, "huge document: diagnostics",
        "got %zu", json_array_size(json_object_get(p, "diagnostics")));
  json_decref(p);
  request(&s, 6, "textDocument/completion", pos(3000, 30));
  r = response(&s, 6);
  check(has(labels(r), "loyalty"), "huge document: completion", "no `loyalty`");
  json_decref(r);
  int st = finish(&s);  /* end of input without shutdown/exit */
  check(st == 1, "end of input without exit: status 1, no crash", "status %d", st);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: client CAMP DIR OUTDIR\n");
    return 100;
  }
  signal(SIGPIPE, SIG_IGN);
  alarm(120);  /* a hung server fails the suite instead of blocking it */
  camp = argv[1];
  dir = argv[2];
  outdir = argv[3];
  snprintf(uri, sizeof uri, "file://%s/shop.camp", dir);
  snprintf(schemas_uri, sizeof schemas_uri, "file://%s/schemas.camp", dir);
  Server s = start();
  open_broken(&s);
  fix_it(&s);
  completion(&s);
  completion_while_typing(&s);
  hover(&s);
  definition(&s);
  formatting(&s);
  shutdown_exit(&s);
  robustness();
  return failures > 100 ? 100 : failures;
}
