/* fuzz_lsp.c — fuzz target: the language server's input (cli/lsp/,
 * cli/cmd_lsp.c).  Each input is the whole byte stream an editor would
 * send on stdin — Content-Length frames of JSON-RPC — served to the end by
 * the real dispatch loop (cmd_lsp.c is compiled into this file for its
 * static handler); the answers go to /dev/null.  Seeds: editor sessions
 * over the .camp files of tests/lsp (open, change, completion, hover, definition,
 * formatting at many positions, shutdown, exit) and broken frames.  See
 * fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
/* the server's loop and handlers, as `camp lsp` runs them */
#include "cli/cmd_lsp.c"

static FILE *devnull;

void fuzz_lsp_init(void) {
  devnull = fopen("/dev/null", "w");
  if (!devnull) abort();
}

int fuzz_lsp_one(const uint8_t *d, size_t n) {
  if (!n) return 0;
  FILE *in = fmemopen((void *)d, n, "r");
  if (!in) abort();
  Lsp s = {.in = in, .out = devnull};
  while (!s.exit) {
    LspReadStatus st;
    json_t *msg = lsp_read(s.in, &st);
    if (st == LSP_READ_EOF) break;
    if (!msg) {
      lsp_error(&s, NULL, LSP_PARSE_ERROR, "parse error");
      continue;
    }
    handle(&s, msg);
    json_decref(msg);
  }
  lsp_docs_free(&s);
  fclose(in);
  return 0;
}

/* ------------------------------------------------------------ seeds */

typedef struct Out {
  char *buf;
  size_t len;
  FILE *f;
  int id;
} Out;

static void frame(Out *o, json_t *msg) {
  char *body = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (!body) abort();
  fprintf(o->f, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
  free(body);
}

static void req(Out *o, const char *method, json_t *params) {
  frame(o, json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", ++o->id, "method", method, "params",
                     params ? params : json_object()));
}

static void note(Out *o, const char *method, json_t *params) {
  frame(o, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params",
                     params ? params : json_object()));
}

static json_t *at(const char *uri, int line, int ch) {
  return json_pack("{s:{s:s}, s:{s:i, s:i}}", "textDocument", "uri", uri, "position", "line", line,
                   "character", ch);
}

/* One editor session over file name (tests/lsp/NAME), changed to other. */
static void session(FuzzEmit emit, void *ctx, const char *name, const char *other) {
  char path[512], uri[600], *cwd = getcwd(NULL, 0);
  snprintf(path, sizeof path, "%s/tests/lsp/%s", cwd ? cwd : ".", name);
  snprintf(uri, sizeof uri, "file://%s", path);
  free(cwd);
  char *text = fuzz_read_file(path, NULL);
  char opath[512];
  snprintf(opath, sizeof opath, "tests/lsp/%s", other);
  char *text2 = fuzz_read_file(opath, NULL);
  if (!text || !text2) {
    free(text), free(text2);
    return;
  }
  Out o = {0};
  o.f = open_memstream(&o.buf, &o.len);
  if (!o.f) abort();
  req(&o, "initialize", json_pack("{s:i, s:{}}", "processId", 1, "capabilities"));
  note(&o, "initialized", NULL);
  note(&o, "textDocument/didOpen", json_pack("{s:{s:s, s:s, s:i, s:s}}", "textDocument", "uri", uri,
                                             "languageId", "camp", "version", 1, "text", text));
  int lines = 1;
  for (const char *p = text; *p; p++) lines += *p == '\n';
  for (int l = 0; l < lines; l += 3)
    for (int c = 0; c < 30; c += 7) {
      req(&o, "textDocument/completion", at(uri, l, c));
      req(&o, "textDocument/hover", at(uri, l, c));
      req(&o, "textDocument/definition", at(uri, l, c));
    }
  req(&o, "textDocument/formatting",
      json_pack("{s:{s:s}, s:{s:i, s:b}}", "textDocument", "uri", uri, "options", "tabSize", 2, "insertSpaces", 1));
  note(&o, "textDocument/didChange",
       json_pack("{s:{s:s, s:i}, s:[{s:s}]}", "textDocument", "uri", uri, "version", 2, "contentChanges", "text", text2));
  req(&o, "textDocument/completion", at(uri, 3, 10));
  note(&o, "textDocument/didClose", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
  req(&o, "shutdown", NULL);
  note(&o, "exit", NULL);
  fclose(o.f);
  emit((const uint8_t *)o.buf, o.len, ctx);
  free(o.buf);
  free(text);
  free(text2);
}

static void emit_str(FuzzEmit emit, void *ctx, const char *s) { emit((const uint8_t *)s, strlen(s), ctx); }

void fuzz_lsp_seeds(FuzzEmit emit, void *ctx) {
  session(emit, ctx, "broken.camp", "fixed.camp");
  session(emit, ctx, "fixed.camp", "broken.camp");
  session(emit, ctx, "unformatted.camp", "schemas.camp");
  emit_str(emit, ctx, "Content-Length: 5\r\n\r\n{\"a\":Content-Length: 2\r\n\r\n[]Content-Length: 99999999999\r\n\r\n");
  emit_str(emit, ctx, "Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hover\"}"
                      "Content-Length: 33\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
}

FUZZ_LIBFUZZER_MAIN(lsp)
