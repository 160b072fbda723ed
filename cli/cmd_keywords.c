/* cmd_keywords.c — `camp keywords`: the vocabulary from lang/keywords.def,
 * so editor grammars and their tests read the same single source. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
  const char *word, *cls;
} Word;

static const Word kws[] = {
#define KW(w, t, c) {w, #c},
#include "lang/keywords.def"
};
static const char *const types[] = {
#define TYPE(w) w,
#include "lang/keywords.def"
};
static const char *const funcs[] = {
#define FUNC(w, lo, hi) w,
#include "lang/keywords.def"
};
static const char *const aggs[] = {
#define AGG(w) w,
#include "lang/keywords.def"
};
static const char *const feedback[] = {
#define FEEDBACK(w) w,
#include "lang/keywords.def"
};

static const char *const headers[] = {
#define HEADER(w) w,
#include "lang/keywords.def"
};

#define N(a) (sizeof a / sizeof a[0])

static json_t *list(const char *const *w, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(w[i]));
  return a;
}

int cmd_keywords(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("keywords", argc, argv, "format", &o);
  if (rc) return rc;
  if (strcmp(o.format, "json") == 0) {
    json_t *root = json_object();
    json_t *k = json_object();
    for (size_t i = 0; i < N(kws); i++) {
      json_t *cls = json_object_get(k, kws[i].cls);
      if (!cls) {
        cls = json_array();
        json_object_set_new(k, kws[i].cls, cls);
      }
      json_array_append_new(cls, json_string(kws[i].word));
    }
    json_object_set_new(root, "keywords", k);
    json_object_set_new(root, "types", list(types, N(types)));
    json_object_set_new(root, "functions", list(funcs, N(funcs)));
    json_object_set_new(root, "aggregates", list(aggs, N(aggs)));
    json_object_set_new(root, "feedback", list(feedback, N(feedback)));
    json_object_set_new(root, "headers", list(headers, N(headers)));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    puts(s);
    free(s);
    json_decref(root);
    return 0;
  }
  for (size_t i = 0; i < N(kws); i++) printf("keyword %s %s\n", kws[i].cls, kws[i].word);
  for (size_t i = 0; i < N(types); i++) printf("type %s\n", types[i]);
  for (size_t i = 0; i < N(funcs); i++) printf("function %s\n", funcs[i]);
  for (size_t i = 0; i < N(aggs); i++) printf("aggregate %s\n", aggs[i]);
  for (size_t i = 0; i < N(feedback); i++) printf("feedback %s\n", feedback[i]);
  for (size_t i = 0; i < N(headers); i++) printf("header %s\n", headers[i]);
  return 0;
}
