/* fuzz_render.c — fuzz target: message templates (runtime/delivery/
 * render.c).  Each input is a template rendered for a fixed row (plain
 * values, HTML metacharacters, NULL, JSON arrays and objects for sections,
 * text that is not JSON), as HTML and as text; render_validate must agree
 * with render_template on whether it is well formed, and the placeholder
 * lists must come out.  Seeds: every template of tests/ and examples/,
 * plus a few written here.  See fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/render.h"
#include "tests/fuzz/fuzz.h"

static const char *const row[] = {
    "first_name", "Ada",
    "store.city", "Uppsala",
    "v", "<b>\"Tom\" & 'Jerry'</b>",
    "nul", NULL,
    "orders", "[{\"ref\":\"A1\",\"total\":100.0,\"items\":[{\"sku\":\"x\",\"n\":2}]},{\"ref\":\"B<2>\",\"total\":7}]",
    "obj", "{\"a\":{\"b\":[1,2.5,true,null]}}",
    "none", "[]",
    "zero", "0",
    "text", "not json {{",
    "nulj", "[{\"v\":\"a\\u0000b\"}]",
    NULL};

static const char *lookup(void *ctx, const char *name) {
  (void)ctx;
  for (int i = 0; row[i]; i += 2)
    if (!strcmp(row[i], name)) return row[i + 1];
  return NULL;
}

void fuzz_render_init(void) {}

int fuzz_render_one(const uint8_t *d, size_t n) {
  char *t = malloc(n + 1);
  if (!t) abort();
  memcpy(t, d, n);
  t[n] = 0;
  int valid = render_validate(t, NULL, 0) == 0;
  for (int html = 0; html < 2; html++) {
    RenderStats st = {0};
    char err[256];
    char *out = render_template(t, lookup, NULL, html, &st, err, sizeof err);
    /* a well-formed template renders, unless a value holds a NUL */
    if (!out && valid && !strstr(err, "NUL")) abort();
    if (out && !valid) abort();
    free(out);
  }
  char **names;
  int k = render_placeholders(t, &names);
  for (int i = 0; i < k; i++) free(names[i]);
  if (k >= 0) free(names);
  k = render_inner_placeholders(t, &names);
  for (int i = 0; i < k; i++) free(names[i]);
  if (k >= 0) free(names);
  free(t);
  return 0;
}

static void emit_str(FuzzEmit emit, void *ctx, const char *s) { emit((const uint8_t *)s, strlen(s), ctx); }

void fuzz_render_seeds(FuzzEmit emit, void *ctx) {
  static const char *const tpl[] = {".html", ".txt", NULL};
  fuzz_emit_files("tests/runtime/templates", tpl, emit, ctx);
  fuzz_emit_files("tests/check/steps/templates", tpl, emit, ctx);
  fuzz_emit_files("tests/sql/templates", tpl, emit, ctx);
  fuzz_emit_files("examples/retail/templates", tpl, emit, ctx);
  emit_str(emit, ctx, "Hi {{first_name}} from {{ store.city }}: {{v}}{{nul}}{{unknown}}");
  emit_str(emit, ctx, "{{#orders}}{{ref}}={{total}} {{#items}}{{sku}}x{{n}}{{/items}};{{/orders}}"
                      "{{^none}}no{{/none}}{{#obj}}{{a.b}}{{/obj}}{{#text}}t{{/text}}{{#zero}}z{{/zero}}");
  emit_str(emit, ctx, "{{#nulj}}{{v}}{{/nulj}}");
  emit_str(emit, ctx, "{{#a}}{{/b}} {{ {{}} }} {{#x}}");
}

FUZZ_LIBFUZZER_MAIN(render)
