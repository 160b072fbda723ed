/* serve_html.h — HTML building for `camp serve` (serve.c, serve_pages.c):
 * a growing buffer, escaping, the page frame. */
#ifndef CAMP_SERVE_HTML_H
#define CAMP_SERVE_HTML_H

#include <stddef.h>

#include "runtime/db/db.h"
#include "runtime/distrib/distrib.h"

typedef struct Html {
  char *s;
  size_t len, cap;
} Html;

void html_put(Html *h, const char *s);
void html_printf(Html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' escaped. */
void html_esc(Html *h, const char *s);

/* A request's parsed form fields (POST body or query string). */
#define FORM_MAX 2048
typedef struct Form {
  char *name[FORM_MAX], *value[FORM_MAX];
  int n;
  int overflow;            /* more fields than FORM_MAX: the request is refused */
} Form;
/* The first value of field name, or NULL. */
const char *form_get(const Form *f, const char *name);

/* What a page handler needs. */
typedef struct Page {
  Db *db;
  const DistOp *op;        /* the logged-in operator */
  const char *csrf;        /* the session's CSRF token */
  const char *now;
  const Form *form;        /* query (GET) or body (POST) */
  const char *notice;      /* message to show on top, or NULL */
  Html out;
  int status;              /* HTTP status (200 unless a handler says otherwise) */
  char redirect[512];      /* 303 to this when set */
} Page;

/* The inputs (p_NAME) of the parameters declared in decl (a package's
 * params JSON), showing values (a JSON object, or NULL: the defaults). */
void html_param_inputs(Html *h, const char *decl, const char *values);

/* serve_children.c: child campaigns (variant campaign) on the home pages —
 * a store's own, with a form for its parameters; all of them for the
 * centre — and their POST /child. */
void children_section(Page *p, Html *b);
void post_child(Page *p);

/* serve_pages.c: the pages.  Each sets p->out (or p->status/redirect). */
void page_home(Page *p);
void page_approval(Page *p);
/* POST handlers: act, then redirect (303) or refuse (403/400). */
void post_order(Page *p);
void post_decide_order(Page *p);
void post_approval(Page *p);
/* The page's one script (select all contacts; the page works without it)
 * and the Content-Security-Policy that allows exactly that script by its
 * SHA-256 (computed once by serve_csp_init). */
extern const char SERVE_SCRIPT[];
void serve_csp_init(void);
const char *serve_csp(void);
/* The frame around a page's body (title, who is logged in, logout form). */
void page_frame(Html *out, const char *title, const DistOp *op, const char *csrf, const char *notice,
                const char *body);

#endif
