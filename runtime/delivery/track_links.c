/* track_links.c — link rewriting and HTML to text over gumbo's parse tree
 * (see track_links.h). */
#include "runtime/delivery/track_links.h"

#include <ctype.h>
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct Buf {
  char *s;
  size_t len, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) abort();
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* ------------------------------------------------------------ rewrite */

typedef struct Edit {
  size_t from, to; /* byte span of the original attribute value (quotes included) */
  char *with;      /* malloc'd replacement, quotes included */
} Edit;

typedef struct Rewriter {
  const char *html;
  const char *base;
  const TrackKey *k;
  int64_t id;
  Edit *edits;
  int nedits, cap;
  TrackLinks *links;
  size_t body_end; /* offset of </body>, or (size_t)-1 */
} Rewriter;

static void add_edit(Rewriter *r, size_t from, size_t to, const char *url) {
  if (r->nedits == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 16;
    r->edits = realloc(r->edits, (size_t)r->cap * sizeof *r->edits);
    if (!r->edits) abort();
  }
  size_t n = strlen(url) + 3;
  char *w = malloc(n);
  if (!w) abort();
  snprintf(w, n, "\"%s\"", url);
  r->edits[r->nedits++] = (Edit){from, to, w};
}

/* The href value without surrounding white space, as a new string. */
static char *trimmed(const char *v) {
  while (*v && isspace((unsigned char)*v)) v++;
  size_t n = strlen(v);
  while (n && isspace((unsigned char)v[n - 1])) n--;
  char *s = strndup(v, n);
  if (!s) abort();
  return s;
}

static void visit_link(Rewriter *r, GumboElement *el) {
  GumboAttribute *a = gumbo_get_attribute(&el->attributes, "href");
  if (!a || !a->original_value.data || !a->original_value.length) return;
  const char *start = a->original_value.data;
  if (start < r->html) return;
  size_t from = (size_t)(start - r->html), to = from + a->original_value.length;
  char *url = trimmed(a->value);
  char out[TRACK_BASE_MAX + 64];
  if (!strcmp(url, "camp:unsubscribe")) {
    track_url(r->base, r->k, TRACK_UNSUB, r->id, 0, out, sizeof out);
    add_edit(r, from, to, out);
    free(url);
    return;
  }
  if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)) {
    free(url); /* mailto:, tel:, #anchors, relative links: not tracked */
    return;
  }
  TrackLinks *l = r->links;
  char **u = realloc(l->urls, (size_t)(l->n + 1) * sizeof *u);
  if (!u) abort();
  l->urls = u;
  track_url(r->base, r->k, TRACK_CLICK, r->id, l->n, out, sizeof out);
  l->urls[l->n++] = url;
  add_edit(r, from, to, out);
}

static void walk(Rewriter *r, GumboNode *n) {
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) return;
  GumboElement *el = &n->v.element;
  if (el->tag == GUMBO_TAG_A || el->tag == GUMBO_TAG_AREA) visit_link(r, el);
  if (el->tag == GUMBO_TAG_BODY && el->original_end_tag.data && el->original_end_tag.length &&
      el->original_end_tag.data >= r->html)
    r->body_end = (size_t)(el->original_end_tag.data - r->html);
  for (unsigned i = 0; i < el->children.length; i++) walk(r, el->children.data[i]);
}

static int edit_cmp(const void *a, const void *b) {
  const Edit *x = a, *y = b;
  return x->from < y->from ? -1 : x->from > y->from;
}

char *track_rewrite_html(const char *html, const char *base, const TrackKey *k, int64_t id,
                         TrackLinks *links) {
  memset(links, 0, sizeof *links);
  size_t len = strlen(html);
  GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
  Rewriter r = {.html = html, .base = base, .k = k, .id = id, .links = links,
                .body_end = (size_t)-1};
  if (g) walk(&r, g->root);
  /* qsort's array must not be NULL, even for no element (UBSan) */
  if (r.nedits > 1) qsort(r.edits, (size_t)r.nedits, sizeof *r.edits, edit_cmp);
  char pix[TRACK_BASE_MAX + 64], img[TRACK_BASE_MAX + 160];
  track_url(base, k, TRACK_OPEN, id, 0, pix, sizeof pix);
  snprintf(img, sizeof img,
           "<img src=\"%s\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">",
           pix);
  size_t pixel_at = r.body_end != (size_t)-1 ? r.body_end : len;
  Buf out = {0};
  buf_add(&out, "", 0);
  size_t at = 0;
  int pixel_done = 0;
  for (int i = 0; i <= r.nedits; i++) {
    size_t next = i < r.nedits ? r.edits[i].from : len;
    if (!pixel_done && pixel_at <= next && pixel_at >= at) {
      buf_add(&out, html + at, pixel_at - at);
      buf_str(&out, img);
      at = pixel_at;
      pixel_done = 1;
    }
    if (next < at) next = at; /* overlapping spans cannot occur; be safe */
    buf_add(&out, html + at, next - at);
    if (i < r.nedits) {
      buf_str(&out, r.edits[i].with);
      at = r.edits[i].to > next ? r.edits[i].to : next;
    } else {
      at = next;
    }
  }
  if (!pixel_done) buf_str(&out, img);
  for (int i = 0; i < r.nedits; i++) free(r.edits[i].with);
  free(r.edits);
  if (g) gumbo_destroy_output(&kGumboDefaultOptions, g);
  return out.s;
}

void track_links_free(TrackLinks *links) {
  for (int i = 0; i < links->n; i++) free(links->urls[i]);
  free(links->urls);
  links->urls = NULL;
  links->n = 0;
}

/* -------------------------------------------------------------- text */

typedef struct Text {
  Buf b;
  int space;    /* a white space run is pending */
  int newlines; /* line breaks at the end of the output (0..2) */
} Text;

static void text_break(Text *t, int lines) {
  t->space = 0;
  if (t->b.len == 0) return; /* nothing before: no leading blank lines */
  while (t->newlines < lines) {
    buf_add(&t->b, "\n", 1);
    t->newlines++;
  }
}

static void text_add(Text *t, const char *s) {
  for (const char *p = s; *p; p++) {
    if (isspace((unsigned char)*p)) {
      t->space = 1;
      continue;
    }
    if (t->space && t->newlines == 0 && t->b.len) buf_add(&t->b, " ", 1);
    t->space = 0;
    buf_add(&t->b, p, 1);
    t->newlines = 0;
  }
}

static int is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_DIV: case GUMBO_TAG_TABLE: case GUMBO_TAG_TR: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_CENTER:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_NAV: case GUMBO_TAG_MAIN: case GUMBO_TAG_ASIDE:
      return 1;
    default: return 0;
  }
}

static int is_paragraph(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_PRE:
    case GUMBO_TAG_HR:
      return 1;
    default: return 0;
  }
}

/* Text of a subtree without markup (for comparing a link's text with its URL). */
static void plain(GumboNode *n, Buf *b) {
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
    buf_str(b, n->v.text.text);
  } else if (n->type == GUMBO_NODE_ELEMENT) {
    for (unsigned i = 0; i < n->v.element.children.length; i++)
      plain(n->v.element.children.data[i], b);
  }
}

static void text_walk(Text *t, GumboNode *n) {
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
      n->type == GUMBO_NODE_WHITESPACE) {
    text_add(t, n->v.text.text);
    return;
  }
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) return;
  GumboVector *kids = n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children
                                                     : &n->v.element.children;
  GumboTag tag = n->type == GUMBO_NODE_ELEMENT ? n->v.element.tag : GUMBO_TAG_UNKNOWN;
  switch (tag) {
    case GUMBO_TAG_HEAD: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_TEMPLATE:
      return;
    case GUMBO_TAG_BR: text_break(t, 1); t->newlines = t->newlines > 1 ? 1 : t->newlines; return;
    case GUMBO_TAG_IMG: {
      GumboAttribute *alt = gumbo_get_attribute(&n->v.element.attributes, "alt");
      if (alt && alt->value[0]) text_add(t, alt->value);
      return;
    }
    default: break;
  }
  int para = is_paragraph(tag), block = is_block(tag) || tag == GUMBO_TAG_LI;
  if (para) text_break(t, 2);
  else if (block) text_break(t, 1);
  if (tag == GUMBO_TAG_LI) text_add(t, "- ");
  if (tag == GUMBO_TAG_HR) text_add(t, "----");
  for (unsigned i = 0; i < kids->length; i++) text_walk(t, kids->data[i]);
  if (tag == GUMBO_TAG_A) {
    GumboAttribute *href = gumbo_get_attribute(&n->v.element.attributes, "href");
    if (href && href->value[0] && href->value[0] != '#') {
      Buf inner = {0};
      buf_add(&inner, "", 0);
      plain(n, &inner);
      char *u = trimmed(href->value), *in = trimmed(inner.s);
      if (strcmp(u, in)) {
        if (t->b.len && t->newlines == 0) buf_str(&t->b, in[0] ? " (" : " ");
        buf_str(&t->b, u);
        if (in[0]) buf_str(&t->b, ")");
        t->space = 0;
        t->newlines = 0;
      }
      free(u);
      free(in);
      free(inner.s);
    }
  }
  if (para) text_break(t, 2);
  else if (block) text_break(t, 1);
}

char *html_to_text(const char *html) {
  GumboOutput *g = gumbo_parse(html);
  Text t = {0};
  buf_add(&t.b, "", 0);
  if (g) text_walk(&t, g->document);
  if (g) gumbo_destroy_output(&kGumboDefaultOptions, g);
  while (t.b.len && t.b.s[t.b.len - 1] == '\n') t.b.s[--t.b.len] = 0;
  buf_add(&t.b, "\n", 1);
  return t.b.s;
}
