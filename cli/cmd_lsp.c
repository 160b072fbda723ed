/* cmd_lsp.c — `camp lsp`: the Language Server Protocol over stdio.  Reads
 * framed JSON-RPC messages until `exit`, answers requests in order, and
 * never dies on bad input: malformed JSON gets ParseError, unknown requests
 * MethodNotFound, requests before `initialize` ServerNotInitialized,
 * unknown notifications are ignored.  Exit status 0 after shutdown + exit,
 * 1 when the input ends or `exit` comes without `shutdown` (as LSP says). */
#include <string.h>

#include "cli/cli.h"
#include "cli/lsp/lsp.h"

typedef json_t *(*Feature)(Lsp *, json_t *, int *, const char **);

static const struct {
  const char *method;
  Feature run;
} features[] = {
    {"textDocument/completion", lsp_completion},
    {"textDocument/hover", lsp_hover},
    {"textDocument/definition", lsp_definition},
    {"textDocument/formatting", lsp_formatting},
};

static json_t *capabilities(void) {
  return json_pack(
      "{s:{s:{s:b, s:i}, s:{s:[s]}, s:b, s:b, s:b}, s:{s:s, s:s}}", "capabilities",
      "textDocumentSync", "openClose", 1, "change", 1, "completionProvider",
      "triggerCharacters", ".", "hoverProvider", 1, "definitionProvider", 1,
      "documentFormattingProvider", 1, "serverInfo", "name", "camp", "version", "0.1.0");
}

static void notification(Lsp *s, const char *m, json_t *params) {
  if (!s->initialized || s->shutdown) return;
  if (strcmp(m, "textDocument/didOpen") == 0) lsp_did_open(s, params);
  else if (strcmp(m, "textDocument/didChange") == 0) lsp_did_change(s, params);
  else if (strcmp(m, "textDocument/didClose") == 0) lsp_did_close(s, params);
  /* initialized, didSave, $/... and the rest need nothing from us */
}

static void request(Lsp *s, const char *m, json_t *id, json_t *params) {
  if (strcmp(m, "initialize") == 0) {
    if (s->initialized) return lsp_error(s, id, LSP_INVALID_REQUEST, "already initialized");
    s->initialized = 1;
    return lsp_reply(s, id, capabilities());
  }
  if (!s->initialized) return lsp_error(s, id, LSP_NOT_INITIALIZED, "server not initialized");
  if (s->shutdown) return lsp_error(s, id, LSP_INVALID_REQUEST, "server is shut down");
  if (strcmp(m, "shutdown") == 0) {
    s->shutdown = 1;
    return lsp_reply(s, id, NULL);
  }
  for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
    if (strcmp(m, features[i].method) != 0) continue;
    int code = 0;
    const char *message = NULL;
    json_t *r = features[i].run(s, params, &code, &message);
    if (code) return lsp_error(s, id, code, message);
    return lsp_reply(s, id, r);
  }
  lsp_error(s, id, LSP_METHOD_NOT_FOUND, "method not found");
}

static void handle(Lsp *s, json_t *msg) {
  json_t *id = json_object_get(msg, "id");
  const char *m = json_string_value(json_object_get(msg, "method"));
  if (!m) {
    /* A response to nothing we asked, or garbage. */
    if (json_is_object(msg) && (json_object_get(msg, "result") || json_object_get(msg, "error")))
      return;
    return lsp_error(s, json_is_integer(id) || json_is_string(id) ? id : NULL,
                     LSP_INVALID_REQUEST, "not a JSON-RPC request");
  }
  if (strcmp(m, "exit") == 0) {
    s->exit = 1;
    return;
  }
  json_t *params = json_object_get(msg, "params");
  if (id && !json_is_null(id)) request(s, m, id, params);
  else notification(s, m, params);
}

int cmd_lsp(int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--stdio") == 0) continue;  /* what LSP clients pass */
    fprintf(stderr, "usage: camp lsp [--stdio]   (LSP over stdin/stdout)\n");
    return 2;
  }
  Lsp s = {.in = stdin, .out = stdout};
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
  return s.exit && s.shutdown ? 0 : 1;
}
