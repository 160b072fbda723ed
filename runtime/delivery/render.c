/* render.c — {{placeholder}} templates: parsed into a flat node list once
 * per call, then rendered against a lookup callback and a stack of JSON
 * elements (one per open section).  See render.h for the contract. */
#include "runtime/delivery/render.h"

#include "lang/tmpl.h"
#include "runtime/delivery/tmpl_format.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ buffers */

typedef struct Buf {
  char *s;
  size_t len, cap;
} Buf;

static void oom(void) {
  fputs("camp: out of memory\n", stderr);
  abort();
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom();
  return q;
}

static void buf_add(Buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void buf_add_value(Buf *b, const char *v, int html) {
  if (!html) {
    buf_add(b, v, strlen(v));
    return;
  }
  const char *run = v;
  for (const char *p = v; *p; p++) {
    const char *rep = NULL;
    switch (*p) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      default: continue;
    }
    buf_add(b, run, (size_t)(p - run));
    buf_add(b, rep, strlen(rep));
    run = p + 1;
  }
  buf_add(b, run, strlen(run));
}

/* ------------------------------------------------------------ parsing */

typedef enum { N_TEXT, N_VAR, N_SECTION, N_INVERTED } NodeKind;

typedef struct Node {
  NodeKind kind;
  const char *text; /* N_TEXT: points into the template */
  size_t len;
  char *name;       /* other kinds: malloc'd */
  int end;          /* sections: index just past the last inner node */
  TmplTag *tag;     /* N_VAR with filters (`{{x | currency "EUR"}}`), else NULL */
} Node;

typedef struct Tree {
  Node *nodes;
  int n, cap;
} Tree;

static int push_node(Tree *t, Node nd) {
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->nodes = xrealloc(t->nodes, (size_t)t->cap * sizeof *t->nodes);
  }
  t->nodes[t->n] = nd;
  return t->n++;
}

static void tree_free(Tree *t) {
  for (int i = 0; i < t->n; i++) {
    free(t->nodes[i].name);
    if (t->nodes[i].tag) tmpl_tag_free(t->nodes[i].tag);
    free(t->nodes[i].tag);
  }
  free(t->nodes);
}

static int line_of(const char *tmpl, const char *at) {
  int line = 1;
  for (const char *p = tmpl; p < at; p++) line += *p == '\n';
  return line;
}

static void set_err(char *err, size_t errlen, const char *tmpl, const char *at,
                    const char *fmt, ...) {
  if (!err || !errlen) return;
  int k = snprintf(err, errlen, "line %d: ", line_of(tmpl, at));
  if (k < 0 || (size_t)k >= errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
  va_end(ap);
}

/* Parses the tag between `{{` at p and `}}` at end (lang/tmpl.c). */
static int parse_tag(const char *tmpl, const char *p, const char *end, char *sigil,
                     char **name, TmplTag **tagp, char *err, size_t errlen) {
  TmplTag tag;
  char msg[400];
  if (tmpl_parse_tag(p + 2, (size_t)(end - p - 2), &tag, msg, sizeof msg) != 0) {
    set_err(err, errlen, tmpl, p, "%s", msg);
    return -1;
  }
  for (int i = 0; i < tag.nfilters; i++) {
    if (tmpl_check_filter(&tag.filters[i], msg, sizeof msg) != 0) {
      set_err(err, errlen, tmpl, p, "%s", msg);
      tmpl_tag_free(&tag);
      return -1;
    }
  }
  *sigil = tag.sigil;
  *name = tag.name;
  tag.name = NULL;
  *tagp = NULL;
  if (tag.nfilters) {
    *tagp = malloc(sizeof **tagp);
    if (!*tagp) oom();
    **tagp = tag;
  } else {
    tmpl_tag_free(&tag);
  }
  return 0;
}

/* Closes the innermost open section at `p` with name `name`. */
static int close_section(Tree *t, int *stack, int *depth, const char *tmpl, const char *p,
                         const char *name, char *err, size_t errlen) {
  if (*depth == 0) {
    set_err(err, errlen, tmpl, p, "`{{/%s}}` closes no section", name);
    return -1;
  }
  Node *open = &t->nodes[stack[*depth - 1]];
  if (strcmp(open->name, name) != 0) {
    set_err(err, errlen, tmpl, p, "`{{/%s}}` closes section `%s`", name, open->name);
    return -1;
  }
  open->end = t->n;
  (*depth)--;
  return 0;
}

/* Sections nest at most this deep: templates are written by people. */
enum { MAX_DEPTH = 64 };

static int parse_tree(const char *tmpl, Tree *t, char *err, size_t errlen) {
  int stack[MAX_DEPTH], depth = 0;
  const char *open_at[MAX_DEPTH];
  const char *p = tmpl;
  for (;;) {
    const char *q = strstr(p, "{{");
    const char *stop = q ? q : p + strlen(p);
    if (stop > p) push_node(t, (Node){N_TEXT, p, (size_t)(stop - p), NULL, 0, NULL});
    if (!q) break;
    const char *end = strstr(q + 2, "}}");
    if (!end) {
      set_err(err, errlen, tmpl, q, "`{{` without `}}`");
      return -1;
    }
    char sigil, *name;
    TmplTag *tag;
    if (parse_tag(tmpl, q, end, &sigil, &name, &tag, err, errlen) != 0) return -1;
    if (sigil == '/') {
      int rc = close_section(t, stack, &depth, tmpl, q, name, err, errlen);
      free(name);
      if (rc != 0) return -1;
    } else if (sigil) {
      if (depth == MAX_DEPTH) {
        set_err(err, errlen, tmpl, q, "sections nested deeper than %d", MAX_DEPTH);
        free(name);
        return -1;
      }
      open_at[depth] = q;
      stack[depth++] = push_node(t, (Node){sigil == '#' ? N_SECTION : N_INVERTED,
                                           NULL, 0, name, 0, NULL});
    } else {
      push_node(t, (Node){N_VAR, NULL, 0, name, 0, tag});
    }
    p = end + 2;
  }
  if (depth > 0) {
    set_err(err, errlen, tmpl, open_at[depth - 1], "section `{{#%s}}` is never closed",
            t->nodes[stack[depth - 1]].name);
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------- rendering */

typedef struct Render {
  RenderLookup lookup;
  void *ctx;
  int html;
  const char *locale; /* for filters without a locale of their own */
  RenderStats *stats;
  json_t *frames[MAX_DEPTH]; /* current element of each open section */
  int nframes;
  Buf out;
} Render;

/* Writes a JSON real the way SQLite writes a REAL as text. */
static void format_real(double r, char *buf, size_t n) {
  if (!isfinite(r)) {
    snprintf(buf, n, "%s", isnan(r) ? "NaN" : r > 0 ? "Inf" : "-Inf");
    return;
  }
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%.15g", r);
  char *e = strchr(tmp, 'e');
  size_t mant = e ? (size_t)(e - tmp) : strlen(tmp);
  if (memchr(tmp, '.', mant)) {
    snprintf(buf, n, "%s", tmp);
  } else {
    snprintf(buf, n, "%.*s.0%s", (int)mant, tmp, e ? e : "");
  }
}

/* A placeholder rendered empty: counted, and its name kept once. */
static void note_missing(Render *r, const char *name) {
  if (!r->stats) return;
  r->stats->missing++;
  for (int i = 0; i < r->stats->nnames; i++)
    if (!strcmp(r->stats->names[i], name)) return;
  if (r->stats->nnames < RENDER_MAX_NAMES)
    snprintf(r->stats->names[r->stats->nnames++], sizeof r->stats->names[0], "%s", name);
}

/* Appends a JSON scalar/compound value; JSON null counts as missing. */
static void add_json(Render *r, json_t *v, const char *name) {
  char num[64];
  switch (json_typeof(v)) {
    case JSON_STRING: buf_add_value(&r->out, json_string_value(v), r->html); return;
    case JSON_INTEGER:
      snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
      buf_add_value(&r->out, num, r->html);
      return;
    case JSON_REAL:
      format_real(json_real_value(v), num, sizeof num);
      buf_add_value(&r->out, num, r->html);
      return;
    case JSON_TRUE: buf_add_value(&r->out, "true", r->html); return;
    case JSON_FALSE: buf_add_value(&r->out, "false", r->html); return;
    case JSON_NULL: note_missing(r, name); return;
    case JSON_OBJECT:
    case JSON_ARRAY: break;
  }
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  if (s) buf_add_value(&r->out, s, r->html);
  free(s);
}

/* The value of `name` in JSON element `el`: exact key, else a dotted path. */
static json_t *element_get(json_t *el, const char *name) {
  if (!json_is_object(el)) return NULL;
  json_t *v = json_object_get(el, name);
  if (v || !strchr(name, '.')) return v;
  char *path = strdup(name);
  if (!path) return NULL;
  v = el;
  for (char *part = path, *dot; v && part; part = dot ? dot + 1 : NULL) {
    dot = strchr(part, '.');
    if (dot) *dot = 0;
    v = json_is_object(v) ? json_object_get(v, part) : NULL;
  }
  free(path);
  return v;
}

/* Looks `name` up in the open sections, innermost first. */
static json_t *frame_get(Render *r, const char *name) {
  for (int i = r->nframes - 1; i >= 0; i--) {
    json_t *v = element_get(r->frames[i], name);
    if (v) return v;
  }
  return NULL;
}

/* A JSON value as the text a placeholder shows (NULL for JSON null). */
static char *json_text(json_t *v) {
  char num[64];
  switch (json_typeof(v)) {
    case JSON_STRING: return strdup(json_string_value(v));
    case JSON_INTEGER:
      snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
      return strdup(num);
    case JSON_REAL: format_real(json_real_value(v), num, sizeof num); return strdup(num);
    case JSON_TRUE: return strdup("true");
    case JSON_FALSE: return strdup("false");
    case JSON_NULL: return NULL;
    default: return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  }
}

static void render_var(Render *r, const Node *nd) {
  const char *name = nd->name;
  json_t *v = frame_get(r, name);
  if (!nd->tag) {
    if (v) {
      add_json(r, v, name);
      return;
    }
    const char *s = r->lookup ? r->lookup(r->ctx, name) : NULL;
    if (s)
      buf_add_value(&r->out, s, r->html);
    else
      note_missing(r, name);
    return;
  }
  char *raw = v ? json_text(v) : NULL;
  const char *val = v ? raw : r->lookup ? r->lookup(r->ctx, name) : NULL;
  char *out = tmpl_apply(nd->tag, val, r->locale);
  if (out)
    buf_add_value(&r->out, out, r->html);
  else
    note_missing(r, name);
  free(out);
  free(raw);
}

/* The section value of `name` as a new JSON reference (NULL if missing). */
static json_t *section_value(Render *r, const char *name) {
  json_t *v = frame_get(r, name);
  if (v) return json_incref(v);
  const char *s = r->lookup ? r->lookup(r->ctx, name) : NULL;
  if (!s) return NULL;
  v = json_loads(s, JSON_DECODE_ANY, NULL);
  return v ? v : json_string(s);
}

static int is_empty(json_t *v) {
  switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE: return 1;
    case JSON_ARRAY: return json_array_size(v) == 0;
    case JSON_STRING: return json_string_length(v) == 0;
    case JSON_INTEGER: return json_integer_value(v) == 0;
    case JSON_REAL: return json_real_value(v) == 0;
    default: return 0;
  }
}

static void render_range(Render *r, const Tree *t, int from, int to);

/* Renders the inner nodes once with `el` as the current element. */
static void render_with(Render *r, const Tree *t, int i, json_t *el) {
  r->frames[r->nframes++] = el;
  render_range(r, t, i + 1, t->nodes[i].end);
  r->nframes--;
}

static void render_section(Render *r, const Tree *t, int i) {
  const Node *nd = &t->nodes[i];
  json_t *v = section_value(r, nd->name);
  int empty = !v || is_empty(v);
  if (nd->kind == N_INVERTED) {
    if (empty) render_range(r, t, i + 1, nd->end);
  } else if (!empty && json_is_array(v)) {
    size_t k;
    json_t *el;
    json_array_foreach(v, k, el) render_with(r, t, i, el);
  } else if (!empty) {
    render_with(r, t, i, v);
  }
  json_decref(v);
}

static void render_range(Render *r, const Tree *t, int from, int to) {
  for (int i = from; i < to;) {
    const Node *nd = &t->nodes[i];
    switch (nd->kind) {
      case N_TEXT: buf_add(&r->out, nd->text, nd->len); i++; break;
      case N_VAR: render_var(r, nd); i++; break;
      case N_SECTION:
      case N_INVERTED: render_section(r, t, i); i = nd->end; break;
    }
  }
}

char *render_template_loc(const char *tmpl, RenderLookup lookup, void *ctx, int html,
                          const char *locale, RenderStats *stats, char *err, size_t errlen) {
  Tree t = {0};
  if (parse_tree(tmpl, &t, err, errlen) != 0) {
    tree_free(&t);
    return NULL;
  }
  Render r = {.lookup = lookup, .ctx = ctx, .html = html, .locale = locale, .stats = stats};
  buf_add(&r.out, "", 0); /* an empty template still yields "" */
  render_range(&r, &t, 0, t.n);
  tree_free(&t);
  return r.out.s;
}

char *render_template(const char *tmpl, RenderLookup lookup, void *ctx, int html,
                      RenderStats *stats, char *err, size_t errlen) {
  return render_template_loc(tmpl, lookup, ctx, html, NULL, stats, err, errlen);
}

int render_validate(const char *tmpl, char *err, size_t errlen) {
  Tree t = {0};
  int rc = parse_tree(tmpl, &t, err, errlen);
  tree_free(&t);
  return rc;
}

/* ------------------------------------------------------- placeholders */

/* Adds name to out[0..*n) unless present; takes ownership when added. */
static void add_name(char **out, int *n, char **name) {
  for (int k = 0; k < *n; k++)
    if (strcmp(out[k], *name) == 0) return;
  out[(*n)++] = *name;
  *name = NULL;
}

/* Collects the names of nodes [from, to): inner=0 only this level (nested
 * sections skipped), inner=1 everything nested inside sections. */
static void collect_names(Tree *t, int from, int to, int inner, int depth, char **out,
                          int *n) {
  for (int i = from; i < to;) {
    Node *nd = &t->nodes[i];
    int section = nd->kind == N_SECTION || nd->kind == N_INVERTED;
    if (nd->kind != N_TEXT && (inner ? depth > 0 : depth == 0)) add_name(out, n, &nd->name);
    if (section && inner) collect_names(t, i + 1, nd->end, inner, depth + 1, out, n);
    i = section ? nd->end : i + 1;
  }
}

static int names_of(const char *tmpl, int inner, char ***names) {
  Tree t = {0};
  *names = NULL;
  if (parse_tree(tmpl, &t, NULL, 0) != 0) {
    tree_free(&t);
    return -1;
  }
  char **out = xrealloc(NULL, (size_t)(t.n + 1) * sizeof *out);
  int n = 0;
  collect_names(&t, 0, t.n, inner, 0, out, &n);
  tree_free(&t);
  *names = out;
  return n;
}

int render_placeholders(const char *tmpl, char ***names) { return names_of(tmpl, 0, names); }

int render_inner_placeholders(const char *tmpl, char ***names) {
  return names_of(tmpl, 1, names);
}

void render_free_names(char **names, int n) {
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
}

void render_tally_add(RenderTally *t, const RenderStats *s) {
  for (int i = 0; i < s->nnames; i++) {
    int k = 0;
    while (k < t->n && strcmp(t->names[k], s->names[i])) k++;
    if (k == t->n) {
      t->names = realloc(t->names, sizeof *t->names * (size_t)(t->n + 1));
      t->counts = realloc(t->counts, sizeof *t->counts * (size_t)(t->n + 1));
      if (!t->names || !t->counts) abort();
      t->names[k] = strdup(s->names[i]);
      if (!t->names[k]) abort();
      t->counts[k] = 0;
      t->n++;
    }
    t->counts[k]++;
  }
}

void render_tally_free(RenderTally *t) {
  for (int i = 0; i < t->n; i++) free(t->names[i]);
  free(t->names);
  free(t->counts);
  memset(t, 0, sizeof *t);
}
