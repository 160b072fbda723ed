/* lsp_io.c — LSP base protocol: `Content-Length: N\r\n\r\n` + N bytes of
 * JSON, in both directions. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/lsp/lsp.h"

/* Larger frames are skipped unread: no editor sends a 256 MiB document. */
#define LSP_MAX_BODY (256L * 1024 * 1024)

static void discard(FILE *in, long n) {
  char buf[65536];
  while (n > 0) {
    size_t k = fread(buf, 1, n < (long)sizeof buf ? (size_t)n : sizeof buf, in);
    if (k == 0) return;
    n -= (long)k;
  }
}

/* Reads the header block; returns the Content-Length, -1 if missing or
 * invalid, -2 at end of input. */
static long read_headers(FILE *in) {
  char line[1024];
  long len = -1;
  int any = 0;
  for (;;) {
    if (!fgets(line, sizeof line, in)) return -2;
    if (line[0] == '\r' || line[0] == '\n') {
      if (any) return len;
      continue;  /* stray blank line between frames */
    }
    any = 1;
    if (strncasecmp(line, "Content-Length:", 15) == 0) {
      char *end;
      long n = strtol(line + 15, &end, 10);
      len = end == line + 15 || n < 0 ? -1 : n;
    }
  }
}

json_t *lsp_read(FILE *in, LspReadStatus *st) {
  long len = read_headers(in);
  *st = LSP_READ_BAD;
  if (len == -2) *st = LSP_READ_EOF;
  if (len < 0) return NULL;
  if (len > LSP_MAX_BODY) {
    lsp_log("message of %ld bytes skipped (limit %ld)", len, LSP_MAX_BODY);
    discard(in, len);
    return NULL;
  }
  char *buf = malloc((size_t)len + 1);
  if (!buf) {
    discard(in, len);
    return NULL;
  }
  size_t got = fread(buf, 1, (size_t)len, in);
  if (got != (size_t)len) {
    free(buf);
    *st = LSP_READ_EOF;
    return NULL;
  }
  json_error_t err;
  json_t *j = json_loadb(buf, (size_t)len, 0, &err);
  free(buf);
  if (!j) {
    lsp_log("bad JSON: %s (line %d)", err.text, err.line);
    return NULL;
  }
  *st = LSP_READ_OK;
  return j;
}

void lsp_send(Lsp *s, json_t *msg) {
  json_object_set_new(msg, "jsonrpc", json_string("2.0"));
  char *body = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(msg);
  if (!body) {
    lsp_log("cannot encode a message");
    return;
  }
  fprintf(s->out, "Content-Length: %zu\r\n\r\n", strlen(body));
  fputs(body, s->out);
  fflush(s->out);
  free(body);
}

void lsp_reply(Lsp *s, json_t *id, json_t *result) {
  json_t *m = json_object();
  json_object_set(m, "id", id ? id : json_null());
  json_object_set_new(m, "result", result ? result : json_null());
  lsp_send(s, m);
}

void lsp_error(Lsp *s, json_t *id, int code, const char *message) {
  json_t *m = json_object();
  json_object_set(m, "id", id ? id : json_null());
  json_object_set_new(m, "error", json_pack("{s:i, s:s}", "code", code, "message", message));
  lsp_send(s, m);
}

void lsp_notify(Lsp *s, const char *method, json_t *params) {
  json_t *m = json_object();
  json_object_set_new(m, "method", json_string(method));
  json_object_set_new(m, "params", params);
  lsp_send(s, m);
}

void lsp_log(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("camp lsp: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}
