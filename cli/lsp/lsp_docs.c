/* lsp_docs.c — open documents: their text (full or ranged changes), the
 * program checked from it after every change, and the diagnostics that
 * `camp check` would print for it, published to the client. */
#include <stdlib.h>
#include <string.h>

#include "cli/lsp/lsp.h"

LspDoc *lsp_doc_find(Lsp *s, const char *uri) {
  for (LspDoc *d = s->docs; d && uri; d = d->next)
    if (strcmp(d->uri, uri) == 0) return d;
  return NULL;
}

int lsp_doc_file(const LspDoc *d) {
  return d->cur && d->cur->roots.len ? ((Module *)d->cur->roots.items[0])->file : -1;
}

static const char *str_at(json_t *o, const char *a, const char *b) {
  json_t *j = json_object_get(o, a);
  if (b) j = json_object_get(j, b);
  return json_string_value(j);
}

/* The message shown in the editor: the diagnostic, its hint, and where it
 * is when that is another file (an import). */
static json_t *diag_json(Program *p, const Diag *g, int file) {
  const SourceFile *f = g->loc.file >= 0 && g->loc.file < p->diags.nfiles
                            ? diags_file(&p->diags, g->loc.file) : NULL;
  int here = g->loc.file == file;
  Loc none = {0};
  char *msg;
  if (here || !f)
    msg = g->hint ? arena_printf(&p->arena, "%s\nhint: %s", g->message, g->hint)
                  : g->message;
  else
    msg = arena_printf(&p->arena, "%s:%d:%d: %s%s%s", f->path, g->loc.line, g->loc.col,
                       g->message, g->hint ? "\nhint: " : "", g->hint ? g->hint : "");
  static const int severity[] = {1, 2, 3};  /* error, warning, information */
  return json_pack("{s:o, s:i, s:s, s:o}", "range",
                   lsp_range(here ? f : NULL, here ? g->loc : none), "severity",
                   severity[g->level], "source", "camp", "message", lsp_text(msg));
}

static void publish(Lsp *s, LspDoc *d) {
  json_t *arr = json_array();
  int file = lsp_doc_file(d);
  for (int i = 0; d->cur && i < d->cur->diags.len; i++)
    json_array_append_new(arr, diag_json(d->cur, &d->cur->diags.items[i], file));
  lsp_notify(s, "textDocument/publishDiagnostics",
             json_pack("{s:s, s:o}", "uri", d->uri, "diagnostics", arr));
}

/* Checks d's text as `camp check` would and publishes the diagnostics; the
 * previous error-free program is kept for completion while typing. */
static void analyze(Lsp *s, LspDoc *d) {
  Program *p = program_new();
  program_load_text(p, d->path, d->text);
  program_check(p);
  diags_sort(&p->diags);
  Program *old = d->cur, *oldgood = d->good;
  d->cur = p;
  if (p->diags.nerrors == 0) d->good = p;
  if (old && old != d->cur && old != d->good) program_free(old);
  if (oldgood && oldgood != old && oldgood != d->cur && oldgood != d->good) program_free(oldgood);
  publish(s, d);
}

static void set_text(LspDoc *d, const char *text, size_t len) {
  char *t = malloc(len + 1);
  if (!t) abort();
  memcpy(t, text, len);
  t[len] = 0;
  free(d->text);
  d->text = t;
  d->len = len;
}

void lsp_did_open(Lsp *s, json_t *params) {
  const char *uri = str_at(params, "textDocument", "uri");
  json_t *text = json_object_get(json_object_get(params, "textDocument"), "text");
  if (!uri || !json_is_string(text)) {
    lsp_log("didOpen without uri or text ignored");
    return;
  }
  LspDoc *d = lsp_doc_find(s, uri);
  if (!d) {
    d = calloc(1, sizeof *d);
    if (!d) abort();
    d->uri = strdup(uri);
    d->path = lsp_uri_to_path(uri);
    d->next = s->docs;
    s->docs = d;
  }
  set_text(d, json_string_value(text), json_string_length(text));
  analyze(s, d);
}

/* Applies one content change: whole text, or a range replaced. */
static void apply_change(LspDoc *d, json_t *ch) {
  json_t *text = json_object_get(ch, "text");
  json_t *range = json_object_get(ch, "range");
  if (!json_is_string(text)) return;
  if (!json_is_object(range)) {
    set_text(d, json_string_value(text), json_string_length(text));
    return;
  }
  json_t *st = json_object_get(range, "start"), *en = json_object_get(range, "end");
  int a = lsp_offset(d->text, d->len, (int)json_integer_value(json_object_get(st, "line")),
                     (int)json_integer_value(json_object_get(st, "character")));
  int b = lsp_offset(d->text, d->len, (int)json_integer_value(json_object_get(en, "line")),
                     (int)json_integer_value(json_object_get(en, "character")));
  if (b < a) b = a;
  size_t n = json_string_length(text);
  char *t = malloc(d->len - (size_t)(b - a) + n + 1);
  if (!t) abort();
  memcpy(t, d->text, (size_t)a);
  memcpy(t + a, json_string_value(text), n);
  memcpy(t + a + n, d->text + b, d->len - (size_t)b);
  d->len = d->len - (size_t)(b - a) + n;
  t[d->len] = 0;
  free(d->text);
  d->text = t;
}

void lsp_did_change(Lsp *s, json_t *params) {
  LspDoc *d = lsp_doc_find(s, str_at(params, "textDocument", "uri"));
  json_t *changes = json_object_get(params, "contentChanges");
  if (!d || !json_is_array(changes)) {
    lsp_log("didChange for a document that is not open ignored");
    return;
  }
  size_t i;
  json_t *ch;
  json_array_foreach(changes, i, ch) apply_change(d, ch);
  analyze(s, d);
}

static void doc_free(LspDoc *d) {
  if (d->good && d->good != d->cur) program_free(d->good);
  program_free(d->cur);
  free(d->uri);
  free(d->path);
  free(d->text);
  free(d);
}

void lsp_did_close(Lsp *s, json_t *params) {
  const char *uri = str_at(params, "textDocument", "uri");
  for (LspDoc **pp = &s->docs; *pp; pp = &(*pp)->next) {
    if (uri && strcmp((*pp)->uri, uri) == 0) {
      LspDoc *d = *pp;
      *pp = d->next;
      /* Clear the editor's list: a closed file shows no diagnostics. */
      lsp_notify(s, "textDocument/publishDiagnostics",
                 json_pack("{s:s, s:[]}", "uri", d->uri, "diagnostics"));
      doc_free(d);
      return;
    }
  }
}

void lsp_docs_free(Lsp *s) {
  while (s->docs) {
    LspDoc *d = s->docs;
    s->docs = d->next;
    doc_free(d);
  }
}
