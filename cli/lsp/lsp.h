/* lsp.h — `camp lsp`, the language server: JSON-RPC over stdio with
 * Content-Length framing (lsp_io.c), positions and URIs (lsp_text.c), open
 * documents and their diagnostics (lsp_docs.c), the language features
 * (lsp_features.c, over compiler/query/query.h) and the dispatch loop
 * (cmd_lsp.c).  stdout carries protocol messages only; logs go to stderr. */
#ifndef CAMP_LSP_H
#define CAMP_LSP_H

#include <jansson.h>
#include <stdio.h>

#include "compiler/check/program.h"

/* JSON-RPC / LSP error codes. */
enum {
  LSP_PARSE_ERROR = -32700,
  LSP_INVALID_REQUEST = -32600,
  LSP_METHOD_NOT_FOUND = -32601,
  LSP_INVALID_PARAMS = -32602,
  LSP_INTERNAL_ERROR = -32603,
  LSP_NOT_INITIALIZED = -32002,
};

/* One open document: its text and the programs checked from it. */
typedef struct LspDoc {
  char *uri;
  char *path;        /* file path the URI names: imports resolve from it */
  char *text;        /* current contents (malloc'd, NUL-terminated) */
  size_t len;
  Program *cur;      /* checked program of text */
  Program *good;     /* last program without errors (completion fallback) */
  struct LspDoc *next;
} LspDoc;

typedef struct Lsp {
  FILE *in, *out;
  LspDoc *docs;
  int initialized, shutdown, exit;
} Lsp;

/* ---- lsp_io.c */
typedef enum { LSP_READ_OK, LSP_READ_EOF, LSP_READ_BAD } LspReadStatus;
/* Reads one framed message.  Returns the parsed JSON (caller decrefs) with
 * *st = OK; NULL with *st = EOF at end of input, or BAD when the frame or
 * its JSON is malformed (the frame is consumed; reading may continue). */
json_t *lsp_read(FILE *in, LspReadStatus *st);
/* Writes msg framed to s->out and flushes; steals the reference. */
void lsp_send(Lsp *s, json_t *msg);
/* Response to request id with result (stolen; NULL means JSON null). */
void lsp_reply(Lsp *s, json_t *id, json_t *result);
/* Error response to request id (NULL id: JSON null). */
void lsp_error(Lsp *s, json_t *id, int code, const char *message);
/* Notification from the server; params stolen. */
void lsp_notify(Lsp *s, const char *method, json_t *params);
/* A log line on stderr. */
void lsp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- lsp_text.c */
/* file:///a%20b/x.camp -> /a b/x.camp (malloc'd).  Other schemes are kept
 * as they are (an untitled buffer then imports relative to the cwd). */
char *lsp_uri_to_path(const char *uri);
/* /a b/x.camp -> file:///a%20b/x.camp (malloc'd). */
char *lsp_path_to_uri(const char *path);
/* Byte offset in text of LSP position (0-based line, UTF-16 character),
 * clamped to the line's end and the text's end. */
int lsp_offset(const char *text, size_t len, int line, int character);
/* LSP position {line, character} of byte offset off in text. */
json_t *lsp_position(const char *text, size_t len, int off);
/* LSP range of a diagnostic/AST location in f (1-based byte columns);
 * positions with line < 1 map to 0:0. */
json_t *lsp_range(const SourceFile *f, Loc l);
/* A JSON string of s; invalid UTF-8 bytes become `?` (never NULL). */
json_t *lsp_text(const char *s);

/* ---- lsp_docs.c */
LspDoc *lsp_doc_find(Lsp *s, const char *uri);
void lsp_did_open(Lsp *s, json_t *params);
void lsp_did_change(Lsp *s, json_t *params);
void lsp_did_close(Lsp *s, json_t *params);
void lsp_docs_free(Lsp *s);
/* The file index of d's own text in d->cur. */
int lsp_doc_file(const LspDoc *d);

/* ---- lsp_features.c: each returns the result (NULL = JSON null), or sets
 * *code / *message for an error response. */
json_t *lsp_completion(Lsp *s, json_t *params, int *code, const char **message);
json_t *lsp_hover(Lsp *s, json_t *params, int *code, const char **message);
json_t *lsp_definition(Lsp *s, json_t *params, int *code, const char **message);
json_t *lsp_formatting(Lsp *s, json_t *params, int *code, const char **message);

#endif
