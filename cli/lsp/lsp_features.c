/* lsp_features.c — completion, hover, go-to-definition (compiler/query/query.h
 * over the document's checked program) and formatting (lang/format.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/format.h"
#include "cli/lsp/lsp.h"
#include "compiler/query/query.h"

/* The open document and byte offset a TextDocumentPositionParams names;
 * sets an InvalidParams error when there is none. */
static LspDoc *doc_at(Lsp *s, json_t *params, int *off, int *code, const char **message) {
  json_t *td = json_object_get(params, "textDocument");
  json_t *pos = json_object_get(params, "position");
  LspDoc *d = lsp_doc_find(s, json_string_value(json_object_get(td, "uri")));
  if (!d || (off && !json_is_object(pos)) || !d->cur || lsp_doc_file(d) < 0) {
    *code = LSP_INVALID_PARAMS;
    *message = d ? "missing position" : "document is not open";
    return NULL;
  }
  if (off)
    *off = lsp_offset(d->text, d->len, (int)json_integer_value(json_object_get(pos, "line")),
                      (int)json_integer_value(json_object_get(pos, "character")));
  return d;
}

static int item_kind(QueryCompKind k) {
  switch (k) {   /* LSP CompletionItemKind */
    case QC_COLUMN: return 5;       /* Field */
    case QC_ADDED: return 10;       /* Property */
    case QC_LINK: return 18;        /* Reference */
    case QC_COLLECTION: return 19;  /* Folder: rows below */
    case QC_STEP: return 6;         /* Variable */
    case QC_SCHEMA: return 22;      /* Struct */
    case QC_FUNC: return 3;         /* Function */
    default: return 14;             /* Keyword */
  }
}

json_t *lsp_completion(Lsp *s, json_t *params, int *code, const char **message) {
  int off;
  LspDoc *d = doc_at(s, params, &off, code, message);
  if (!d) return NULL;
  PtrVec items = {0};
  Program *fb = d->good != d->cur ? d->good : NULL;
  query_complete(d->cur, lsp_doc_file(d), off, fb, &items);
  json_t *arr = json_array();
  for (int i = 0; i < items.len; i++) {
    QueryItem *it = items.items[i];
    char sort[16];
    snprintf(sort, sizeof sort, "%d%05d", (int)it->kind, i);  /* columns first */
    json_t *o = json_pack("{s:o, s:i, s:s}", "label", lsp_text(it->label), "kind",
                          item_kind(it->kind), "sortText", sort);
    if (it->detail) json_object_set_new(o, "detail", lsp_text(it->detail));
    json_array_append_new(arr, o);
  }
  return json_pack("{s:b, s:o}", "isIncomplete", 0, "items", arr);
}

json_t *lsp_hover(Lsp *s, json_t *params, int *code, const char **message) {
  int off;
  LspDoc *d = doc_at(s, params, &off, code, message);
  if (!d) return NULL;
  Loc range;
  char *text = query_hover(d->cur, lsp_doc_file(d), off, &range);
  if (!text) return NULL;
  const SourceFile *f = diags_file(&d->cur->diags, lsp_doc_file(d));
  return json_pack("{s:{s:s, s:o}, s:o}", "contents", "kind", "markdown", "value",
                   lsp_text(text), "range", lsp_range(f, range));
}

/* A path as an absolute file URI (paths of imports may be relative to the
 * working directory when the document's URI was not a file). */
static json_t *uri_of(const char *path) {
  char cwd[4096], *full = NULL;
  if (path[0] != '/' && getcwd(cwd, sizeof cwd)) {
    full = malloc(strlen(cwd) + strlen(path) + 2);
    if (!full) abort();
    sprintf(full, "%s/%s", cwd, path);
  }
  char *uri = lsp_path_to_uri(full ? full : path);
  json_t *j = lsp_text(uri);
  free(uri);
  free(full);
  return j;
}

json_t *lsp_definition(Lsp *s, json_t *params, int *code, const char **message) {
  int off;
  LspDoc *d = doc_at(s, params, &off, code, message);
  if (!d) return NULL;
  const char *path = NULL;
  Loc target;
  if (!query_definition(d->cur, lsp_doc_file(d), off, &path, &target)) return NULL;
  /* The document's own file: its URI as the client sent it. */
  int own = target.line > 0 && target.file == lsp_doc_file(d);
  const SourceFile *f = target.line > 0 ? diags_file(&d->cur->diags, target.file) : NULL;
  return json_pack("{s:o, s:o}", "uri", own ? json_string(d->uri) : uri_of(path), "range",
                   lsp_range(f, target));
}

/* Parses text; returns the formatted text (malloc'd) or NULL on syntax
 * errors or when the formatter's output does not parse back the same. */
static char *format_text(const char *path, const char *text, size_t len) {
  Program *p = program_new();
  int f = diags_add_source(&p->diags, path, text, len);
  Module *m = parse_source(&p->arena, &p->diags, f);
  char *out = p->diags.nerrors ? NULL : format_module(m, diags_file(&p->diags, f));
  int ncomments = m->comments.len;
  program_free(p);
  if (!out) return NULL;
  Program *q = program_new();  /* same guard as `camp fmt`: never lose code */
  int g = diags_add_source(&q->diags, path, out, strlen(out));
  Module *m2 = parse_source(&q->arena, &q->diags, g);
  int bad = q->diags.nerrors != 0 || m2->comments.len != ncomments;
  program_free(q);
  if (bad) {
    lsp_log("formatter output of %s does not re-parse; not formatted", path);
    free(out);
    return NULL;
  }
  return out;
}

json_t *lsp_formatting(Lsp *s, json_t *params, int *code, const char **message) {
  LspDoc *d = doc_at(s, params, NULL, code, message);
  if (!d) return NULL;
  char *out = format_text(d->path, d->text, d->len);
  if (!out) return NULL;  /* syntax errors: leave the document alone */
  json_t *edits = json_array();
  if (strlen(out) != d->len || memcmp(out, d->text, d->len) != 0) {
    json_t *range = json_pack("{s:{s:i, s:i}, s:o}", "start", "line", 0, "character", 0, "end",
                              lsp_position(d->text, d->len, (int)d->len));
    json_array_append_new(edits, json_pack("{s:o, s:o}", "range", range, "newText", lsp_text(out)));
  }
  free(out);
  return edits;
}
