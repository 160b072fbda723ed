/* html_text.c — the text/plain alternative of an HTML e-mail body, through
 * libxml2's HTML parser (see mime.h: html_to_text). */
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/mime.h"

typedef struct Out {
  char *s;
  size_t len, cap;
  int space;   /* a blank is pending before the next word */
  int lines;   /* line breaks pending (0..2) */
} Out;

static void put(Out *o, const char *s, size_t n) {
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n + 1) cap *= 2;
    char *ns = realloc(o->s, cap);
    if (!ns) abort();
    o->s = ns;
    o->cap = cap;
  }
  memcpy(o->s + o->len, s, n);
  o->len += n;
  o->s[o->len] = 0;
}

static void brk(Out *o, int n) {
  if (o->len && n > o->lines) o->lines = n;
}

/* Words of a text node, white space collapsed. */
static void words(Out *o, const char *t) {
  for (const char *p = t; *p;) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
      o->space = 1;
      p++;
      continue;
    }
    const char *e = p;
    while (*e && !(*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r' || *e == '\f')) e++;
    if (o->lines) {
      put(o, "\n\n", (size_t)o->lines);
      o->lines = 0;
      o->space = 0;
    } else if (o->space && o->len) {
      put(o, " ", 1);
    }
    o->space = 0;
    put(o, p, (size_t)(e - p));
    p = e;
  }
}

static int is(const xmlNode *n, const char *name) {
  return n->name && !strcasecmp((const char *)n->name, name);
}

static void walk(Out *o, xmlNode *n) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) words(o, (const char *)n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE) continue;
    if (is(n, "script") || is(n, "style") || is(n, "head") || is(n, "title")) continue;
    if (is(n, "br")) {
      if (o->lines < 1) o->lines = 1;
      continue;
    }
    int block = is(n, "p") || is(n, "div") || is(n, "h1") || is(n, "h2") || is(n, "h3") ||
                is(n, "h4") || is(n, "h5") || is(n, "h6") || is(n, "table") || is(n, "ul") ||
                is(n, "ol") || is(n, "blockquote") || is(n, "section") || is(n, "hr");
    int line = is(n, "li") || is(n, "tr");
    if (block) brk(o, 2);
    if (line) brk(o, 1);
    if (is(n, "li")) {
      words(o, "-");
      o->space = 1;
    }
    walk(o, n->children);
    if (is(n, "a")) {
      xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
      if (href && strncmp((const char *)href, "mailto:", 7) && *href) {
        o->space = 1;
        words(o, "(");
        o->space = 0;
        words(o, (const char *)href);
        put(o, ")", 1);
      }
      xmlFree(href);
    }
    if (block) brk(o, 2);
    if (line) brk(o, 1);
    if (is(n, "td") || is(n, "th")) o->space = 1;
  }
}

void html_text_init(void) { xmlInitParser(); }

char *html_to_text(const char *html) {
  Out o = {0};
  put(&o, "", 0);
  htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                      HTML_PARSE_NOBLANKS);
  if (doc) {
    walk(&o, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
  }
  put(&o, "\n", 1);
  return o.s;
}
