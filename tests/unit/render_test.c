/* render_test.c — tests of runtime/delivery/render.c: substitution, HTML escaping,
 * NULL counting, sections over JSON arrays (empty, nested, outer names),
 * number formatting, UTF-8 pass-through, malformed and long templates.
 * Prints `render_test: N passed, N failed`; exits 1 on a failure.
 *
 * Build: gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I runtime \
 *          -o render_test tests/unit/render_test.c runtime/delivery/render.c -ljansson -lm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/delivery/render.h"

static int passed, failed;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (cond) {                                                                  \
      passed++;                                                                  \
    } else {                                                                     \
      failed++;                                                                  \
      fprintf(stderr, "FAIL render_test %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                            \
  } while (0)

/* A row: name/value pairs, NULL-terminated; a NULL value is SQL NULL. */
typedef struct Row {
  const char *kv[32];
} Row;

static const char *row_lookup(void *ctx, const char *name) {
  Row *r = ctx;
  for (int i = 0; r->kv[i]; i += 2)
    if (strcmp(r->kv[i], name) == 0) return r->kv[i + 1];
  return NULL;
}

/* Renders and compares; on mismatch prints both.  Returns 1 if equal. */
static int renders(const char *tmpl, Row *row, int html, const char *want, int want_missing) {
  RenderStats st = {0};
  char err[256] = "";
  char *got = render_template(tmpl, row_lookup, row, html, &st, err, sizeof err);
  int ok = got && strcmp(got, want) == 0 && st.missing == want_missing;
  if (!ok)
    fprintf(stderr, "  template %s\n  want [%s] missing %d\n  got  [%s] missing %d err %s\n",
            tmpl, want, want_missing, got ? got : "(null)", st.missing, err);
  free(got);
  return ok;
}

/* Expects a malformed-template error containing `msg`. */
static int rejects(const char *tmpl, const char *msg) {
  char err[256] = "";
  Row row = {{NULL}};
  char *got = render_template(tmpl, row_lookup, &row, 1, NULL, err, sizeof err);
  int ok = !got && strstr(err, msg) && render_validate(tmpl, NULL, 0) == -1;
  if (!ok) fprintf(stderr, "  template %s: want error [%s], got [%s] err [%s]\n", tmpl, msg,
                   got ? got : "(null)", err);
  free(got);
  return ok;
}

static void test_substitution(void) {
  Row row = {{"first_name", "Ada", "store.city", "Uppsala", "n", "3", NULL}};
  CHECK(renders("Hi {{first_name}}!", &row, 0, "Hi Ada!", 0));
  CHECK(renders("{{ first_name }} from {{store.city}}", &row, 0, "Ada from Uppsala", 0));
  CHECK(renders("{{\tfirst_name\t}}{{n}}{{n}}", &row, 0, "Ada33", 0));
  CHECK(renders("no placeholders", &row, 1, "no placeholders", 0));
  CHECK(renders("", &row, 1, "", 0));
  CHECK(renders("{{first_name}}", &row, 0, "Ada", 0));
  CHECK(renders("a } b }} c {", &row, 0, "a } b }} c {", 0)); /* lone braces are text */
}

static void test_escaping(void) {
  Row row = {{"v", "<b>\"Tom\" & 'Jerry'</b>", NULL}};
  CHECK(renders("<p>{{v}}</p>", &row, 1,
                "<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>", 0));
  CHECK(renders("<p>{{v}}</p>", &row, 0, "<p><b>\"Tom\" & 'Jerry'</b></p>", 0));
  /* Template text itself is never escaped. */
  CHECK(renders("<a href=\"x?a=1&b=2\">'</a>", &row, 1, "<a href=\"x?a=1&b=2\">'</a>", 0));
  /* A value containing {{...}} is not rendered again. */
  Row inj = {{"v", "{{secret}}", "secret", "x", NULL}};
  CHECK(renders("{{v}}", &inj, 1, "{{secret}}", 0));
}

static void test_missing(void) {
  Row row = {{"a", "A", "nul", NULL, NULL}};
  CHECK(renders("[{{nul}}][{{a}}][{{unknown}}]", &row, 1, "[][A][]", 2));
  CHECK(renders("{{nul}}{{nul}}", &row, 0, "", 2));
  /* stats may be NULL. */
  char *s = render_template("{{nul}}x", row_lookup, &row, 0, NULL, NULL, 0);
  CHECK(s && strcmp(s, "x") == 0);
  free(s);
  /* No lookup at all: everything is missing. */
  RenderStats st = {0};
  s = render_template("{{a}}-{{#r}}x{{/r}}", NULL, NULL, 0, &st, NULL, 0);
  CHECK(s && strcmp(s, "-") == 0 && st.missing == 1);
  free(s);
}

static void test_sections(void) {
  Row row = {{"first_name", "Ada",
              "orders", "[{\"ref\":\"A1\",\"total\":100.0},{\"ref\":\"B<2>\",\"total\":7}]",
              "none", "[]", "nul", NULL, "ref", "OUTER", NULL}};
  CHECK(renders("{{#orders}}{{ref}}={{total}};{{/orders}}", &row, 0, "A1=100.0;B<2>=7;", 0));
  CHECK(renders("{{#orders}}{{ref}};{{/orders}}", &row, 1, "A1;B&lt;2&gt;;", 0));
  /* Outer names stay visible; element keys shadow outer ones. */
  CHECK(renders("{{#orders}}{{first_name}}:{{ref}} {{/orders}}{{ref}}", &row, 0,
                "Ada:A1 Ada:B<2> OUTER", 0));
  /* Empty and NULL arrays. */
  CHECK(renders("[{{#none}}x{{/none}}][{{^none}}no orders{{/none}}]", &row, 0,
                "[][no orders]", 0));
  CHECK(renders("[{{#nul}}x{{/nul}}][{{^nul}}none{{/nul}}]", &row, 0, "[][none]", 0));
  CHECK(renders("[{{#unknown}}x{{/unknown}}]", &row, 0, "[]", 0));
  CHECK(renders("{{^orders}}x{{/orders}}", &row, 0, "", 0));
  CHECK(renders("{{# orders }}.{{/ orders }}", &row, 0, "..", 0));
  /* A key missing from an element falls back to lookup, then is missing. */
  CHECK(renders("{{#orders}}[{{nope}}]{{/orders}}", &row, 0, "[][]", 2));
}

static void test_nested_sections(void) {
  Row row = {{"name", "Ada",
              "stores", "[{\"city\":\"Uppsala\",\"items\":[{\"sku\":1},{\"sku\":2}]},"
                        "{\"city\":\"Lund\",\"items\":[]},"
                        "{\"city\":\"Umeå\",\"geo\":{\"lat\":63.8}}]",
              NULL}};
  CHECK(renders("{{#stores}}{{city}}({{#items}}{{sku}}@{{city}}/{{name}} {{/items}}"
                "{{^items}}none{{/items}}){{/stores}}",
                &row, 0, "Uppsala(1@Uppsala/Ada 2@Uppsala/Ada )Lund(none)Umeå(none)", 0));
  /* Dotted path into a nested object of the element. */
  CHECK(renders("{{#stores}}{{geo.lat}},{{/stores}}", &row, 0, ",,63.8,", 2));
  /* Objects and arrays as values render as compact JSON. */
  CHECK(renders("{{#stores}}{{geo}}{{/stores}}", &row, 0, "{\"lat\":63.8}", 2));
}

static void test_values(void) {
  Row row = {{"rows", "[{\"i\":42,\"neg\":-7,\"r\":2.5,\"whole\":100.0,\"big\":1e20,"
                      "\"small\":1.5e-7,\"t\":true,\"f\":false,\"n\":null,\"s\":\"x\"}]",
              "flag1", "1", "flag0", "0", "word", "hello", "obj", "{\"k\":\"v\"}", NULL}};
  CHECK(renders("{{#rows}}{{i}} {{neg}} {{r}} {{whole}} {{big}} {{small}} {{t}} {{f}} "
                "[{{n}}] {{s}}{{/rows}}",
                &row, 0, "42 -7 2.5 100.0 1.0e+20 1.5e-07 true false [] x", 1));
  /* Mustache truthiness for non-array section values. */
  CHECK(renders("{{#flag1}}VIP{{/flag1}}{{#flag0}}no{{/flag0}}{{^flag0}}regular{{/flag0}}",
                &row, 0, "VIPregular", 0));
  CHECK(renders("{{#word}}[{{word}}]{{/word}}", &row, 0, "[hello]", 0));
  CHECK(renders("{{#obj}}{{k}}{{/obj}}", &row, 0, "v", 0));
}

static void test_unicode(void) {
  Row row = {{"name", "Åsa Öberg 😀", NULL}};
  CHECK(renders("Hej {{name}} — välkommen! 日本語 «{{name}}»", &row, 1,
                "Hej Åsa Öberg 😀 — välkommen! 日本語 «Åsa Öberg 😀»", 0));
}

static void test_malformed(void) {
  CHECK(rejects("Hi {{first_name", "line 1: `{{` without `}}`"));
  CHECK(rejects("a\nb\n{{x}} {{", "line 3: `{{` without `}}`"));
  CHECK(rejects("{{#rows}}x", "line 1: section `{{#rows}}` is never closed"));
  CHECK(rejects("{{#a}}{{#b}}x{{/a}}{{/b}}", "`{{/a}}` closes section `b`"));
  CHECK(rejects("x\n{{/rows}}", "line 2: `{{/rows}}` closes no section"));
  CHECK(rejects("{{}}", "is not a placeholder"));
  CHECK(rejects("{{ first name }}", "is not a placeholder"));
  CHECK(rejects("{{#}}{{/}}", "is not a placeholder"));
  CHECK(rejects("{{{raw}}}", "is not a placeholder"));
  CHECK(rejects("{{a-b}}", "is not a placeholder"));
  char err[8];
  CHECK(render_template("{{", NULL, NULL, 0, NULL, err, sizeof err) == NULL &&
        strlen(err) == sizeof err - 1); /* truncated, still terminated */
  char deep[64 * 12 + 64 * 12 + 1] = "";
  for (int i = 0; i < 65; i++) strcat(deep, "{{#a}}");
  CHECK(rejects(deep, "nested deeper than 64"));
  CHECK(render_validate("{{#a}}{{b}}{{/a}}", NULL, 0) == 0);
}

static void test_long(void) {
  /* 20000 placeholders and 1 MB of text. */
  size_t n = 20000, cap = n * 60 + 1;
  char *tmpl = malloc(cap), *want = malloc(cap);
  tmpl[0] = want[0] = 0;
  size_t tl = 0, wl = 0;
  for (size_t i = 0; i < n; i++) {
    tl += (size_t)sprintf(tmpl + tl, "line %zu {{v}} & {{#rows}}<{{k}}>{{/rows}}\n", i);
    wl += (size_t)sprintf(want + wl, "line %zu a&amp;b & <1><2>\n", i);
  }
  Row row = {{"v", "a&b", "rows", "[{\"k\":1},{\"k\":2}]", NULL}};
  RenderStats st = {0};
  char *got = render_template(tmpl, row_lookup, &row, 1, &st, NULL, 0);
  CHECK(got && strcmp(got, want) == 0);
  CHECK(st.missing == 0);
  free(got);
  char **names;
  int k = render_placeholders(tmpl, &names);
  CHECK(k == 2 && strcmp(names[0], "v") == 0 && strcmp(names[1], "rows") == 0);
  render_free_names(names, k);
  free(tmpl);
  free(want);
}

static void test_placeholders(void) {
  char **names;
  int n = render_placeholders("{{a}} {{ b.c }} {{a}} {{#rows}}{{x}}{{#inner}}{{y}}{{/inner}}"
                              "{{/rows}}{{^other}}{{z}}{{/other}}{{d}}", &names);
  CHECK(n == 5);
  const char *want[] = {"a", "b.c", "rows", "other", "d"};
  for (int i = 0; i < n && i < 5; i++) CHECK(strcmp(names[i], want[i]) == 0);
  render_free_names(names, n);
  n = render_inner_placeholders("{{a}} {{ b.c }} {{a}} {{#rows}}{{x}}{{a}}{{#inner}}{{y}}{{x}}"
                                "{{/inner}}{{/rows}}{{^other}}{{z}}{{/other}}{{d}}", &names);
  const char *inner[] = {"x", "a", "inner", "y", "z"};
  CHECK(n == 5);
  for (int i = 0; i < n && i < 5; i++) CHECK(strcmp(names[i], inner[i]) == 0);
  render_free_names(names, n);
  CHECK(render_inner_placeholders("{{a}}", &names) == 0);
  render_free_names(names, 0);
  CHECK(render_inner_placeholders("{{/a}}", &names) == -1 && names == NULL);
  CHECK(render_placeholders("{{#a}}", &names) == -1 && names == NULL);
  CHECK(render_placeholders("plain", &names) == 0);
  render_free_names(names, 0);
}

/* Random templates over a small alphabet: never a crash, and render and
 * validate agree on what is malformed. */
static void test_random(void) {
  static const char alphabet[] = "{{}}#^/ab.  \n<&x";
  Row row = {{"a", "<A>", "b", "[{\"a\":1},{\"b\":null}]", "x", "[]", NULL}};
  unsigned seed = 12345;
  int agree = 1;
  for (int iter = 0; iter < 20000; iter++) {
    char tmpl[48];
    int len = (int)(seed % 40);
    for (int i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      tmpl[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    tmpl[len] = 0;
    seed = seed * 1103515245u + 12345u;
    char err[128];
    RenderStats st = {0};
    char *out = render_template(tmpl, row_lookup, &row, (int)(seed & 1), &st, err, sizeof err);
    agree &= (out != NULL) == (render_validate(tmpl, NULL, 0) == 0);
    free(out);
  }
  CHECK(agree);
}

/* The names of the placeholders that rendered empty, each once per message
 * (subject and body share the stats), and the tally over messages. */
static void test_missing_names(void) {
  Row a = {{"first_name", NULL, "city", "Oslo", NULL}};
  Row b = {{"first_name", NULL, "city", NULL, NULL}};
  Row c = {{"first_name", "Eva", "city", "Umeå", NULL}};
  Row *rows[] = {&a, &b, &c};
  RenderTally t = {0};
  for (int i = 0; i < 3; i++) {
    RenderStats st = {0};
    char *subj = render_template("Hi {{first_name}}", row_lookup, rows[i], 0, &st, NULL, 0);
    char *body = render_template("{{first_name}} in {{ city }} {{#items}}{{sku}}{{/items}} {{nope}}",
                                 row_lookup, rows[i], 0, &st, NULL, 0);
    CHECK(subj && body);
    if (i == 0) {
      CHECK(st.missing == 3 && st.nnames == 2);
      CHECK(!strcmp(st.names[0], "first_name") && !strcmp(st.names[1], "nope"));
    }
    render_tally_add(&t, &st);
    free(subj);
    free(body);
  }
  /* first_name: a and b; city: b; nope: all three. */
  CHECK(t.n == 3);
  CHECK(t.n == 3 && !strcmp(t.names[0], "first_name") && t.counts[0] == 2);
  CHECK(t.n == 3 && !strcmp(t.names[1], "nope") && t.counts[1] == 3);
  CHECK(t.n == 3 && !strcmp(t.names[2], "city") && t.counts[2] == 1);
  render_tally_free(&t);
  /* JSON null inside a section names the element's key. */
  Row d = {{"rows", "[{\"sku\": null}, {\"sku\": \"A\"}]", NULL}};
  RenderStats st = {0};
  char *got = render_template("{{#rows}}[{{sku}}]{{/rows}}", row_lookup, &d, 0, &st, NULL, 0);
  CHECK(got && !strcmp(got, "[][A]") && st.missing == 1 && st.nnames == 1 && !strcmp(st.names[0], "sku"));
  free(got);
}

int main(void) {
  test_missing_names();
  test_substitution();
  test_escaping();
  test_missing();
  test_sections();
  test_nested_sections();
  test_values();
  test_unicode();
  test_malformed();
  test_long();
  test_placeholders();
  test_random();
  printf("render_test: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
