/* serve_html.c — buffers, escaping and the page frame of `camp serve`. */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/distrib/serve_html.h"

static void grow(Html *h, size_t more) {
  if (h->len + more + 1 <= h->cap) return;
  size_t cap = h->cap ? h->cap * 2 : 4096;
  while (cap < h->len + more + 1) cap *= 2;
  h->s = realloc(h->s, cap);
  if (!h->s) abort();
  h->cap = cap;
}

void html_put(Html *h, const char *s) {
  size_t n = strlen(s);
  grow(h, n);
  memcpy(h->s + h->len, s, n + 1);
  h->len += n;
}

void html_printf(Html *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  grow(h, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(h->s + h->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  h->len += (size_t)n;
}

void html_esc(Html *h, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '&': html_put(h, "&amp;"); break;
      case '<': html_put(h, "&lt;"); break;
      case '>': html_put(h, "&gt;"); break;
      case '"': html_put(h, "&quot;"); break;
      case '\'': html_put(h, "&#39;"); break;
      default: grow(h, 1); h->s[h->len++] = *s; h->s[h->len] = 0;
    }
  }
}

const char *form_get(const Form *f, const char *name) {
  for (int i = 0; f && i < f->n; i++)
    if (!strcmp(f->name[i], name)) return f->value[i];
  return NULL;
}

static const char STYLE[] =
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:1.5em auto;padding:0 1em;color:#1f2937}"
    "header{display:flex;justify-content:space-between;align-items:center;border-bottom:2px solid #2563eb;"
    "padding-bottom:.5em;margin-bottom:1em}h1{font-size:1.4em;margin:0}h2{font-size:1.15em;margin-top:1.5em}"
    "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e7eb;padding:.35em .5em;"
    "text-align:left}th{background:#f3f4f6}.notice{background:#ecfdf5;border:1px solid #10b981;padding:.5em}"
    ".error{background:#fef2f2;border:1px solid #ef4444;padding:.5em}button{padding:.3em .8em;cursor:pointer}"
    ".muted{color:#6b7280}.deadline{font-weight:bold;color:#b45309}form.inline{display:inline}"
    "input[type=text],input[type=number],input[type=password],input[type=search]{padding:.3em}";

const char SERVE_SCRIPT[] =
    "document.addEventListener('DOMContentLoaded',function(){"
    "var a=document.getElementById('select-all');if(!a)return;a.hidden=false;"
    "a.addEventListener('change',function(){document.querySelectorAll('input[name=key]')"
    ".forEach(function(c){c.checked=a.checked;});});});";

static char csp[512];

void serve_csp_init(void) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, (const unsigned char *)SERVE_SCRIPT, strlen(SERVE_SCRIPT));
  char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
  snprintf(csp, sizeof csp,
           "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-%s'; img-src 'self';"
           " form-action 'self'; frame-ancestors 'none'; base-uri 'none'", b64);
}

const char *serve_csp(void) { return csp; }

void page_frame(Html *out, const char *title, const DistOp *op, const char *csrf, const char *notice,
                const char *body) {
  html_put(out, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width\"><title>");
  html_esc(out, title);
  html_printf(out, " — camp</title><style>%s</style></head><body><header><h1>", STYLE);
  html_esc(out, title);
  html_put(out, "</h1>");
  if (op) {
    html_put(out, "<div><span id=\"who\">");
    html_esc(out, op->login);
    html_put(out, " (");
    html_esc(out, op->role);
    html_put(out, ", ");
    html_esc(out, op->entity);
    html_put(out, ")</span> <form class=\"inline\" method=\"post\" action=\"/logout\">"
                  "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(out, csrf);
    html_put(out, "\"><button type=\"submit\">Log out</button></form> <a href=\"/\">Home</a></div>");
  }
  html_put(out, "</header>");
  if (notice) {
    html_put(out, "<p class=\"notice\" id=\"notice\">");
    html_esc(out, notice);
    html_put(out, "</p>");
  }
  html_put(out, body);
  html_printf(out, "<script>%s</script></body></html>", SERVE_SCRIPT);
}

/* The form's inputs of a package, from its declared parameters and the
 * entity's current values. */
void html_param_inputs(Html *h, const char *decl, const char *values) {
  json_error_t je;
  json_t *d = json_loads(decl, 0, &je), *v = values && *values ? json_loads(values, 0, &je) : NULL;
  for (size_t i = 0; d && i < json_array_size(d); i++) {
    json_t *p = json_array_get(d, i);
    const char *name = json_string_value(json_object_get(p, "name"));
    const char *type = json_string_value(json_object_get(p, "type"));
    json_t *cur = v ? json_object_get(v, name) : NULL;
    if (!cur) cur = json_object_get(p, "default");
    char val[1200] = "";
    if (json_is_string(cur)) snprintf(val, sizeof val, "%s", json_string_value(cur));
    else if (json_is_integer(cur)) snprintf(val, sizeof val, "%lld", (long long)json_integer_value(cur));
    else if (json_is_real(cur)) snprintf(val, sizeof val, "%g", json_real_value(cur));
    html_put(h, "<label>");
    html_esc(h, name);
    html_printf(h, " <input type=\"%s\" name=\"p_", strcmp(type, "text") ? "number" : "text");
    html_esc(h, name);
    html_put(h, "\" value=\"");
    html_esc(h, val);
    html_put(h, "\"");
    json_t *lo = json_object_get(p, "min"), *hi = json_object_get(p, "max"), *ml = json_object_get(p, "maxlen");
    if (lo) html_printf(h, " min=\"%g\"", json_number_value(lo));
    if (hi) html_printf(h, " max=\"%g\"", json_number_value(hi));
    if (!strcmp(type, "decimal")) html_put(h, " step=\"any\"");
    if (ml) html_printf(h, " maxlength=\"%lld\"", (long long)json_integer_value(ml));
    html_put(h, "></label> ");
  }
  json_decref(d);
  json_decref(v);
}
