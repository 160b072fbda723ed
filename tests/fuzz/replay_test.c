/* replay_test.c — the fuzz targets (fuzz.h) in `make test`: every target
 * runs every one of its seeds (made from the repository's tests) and every
 * regression input in tests/fuzz/regress/TARGET/ — the inputs libFuzzer
 * found crashing once — deterministically, in one process (sanitized under
 * `make asan`).  A crash is a failure of the suite; a target's inputs
 * counting as passed means they ran to their end.
 *
 *   replay_test                      every target (from the repository root)
 *   replay_test TARGET FILE...       one target over the given inputs
 * Last line: `fuzzreplay: N passed, N failed`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

typedef struct Target {
  const char *name;
  void (*init)(void);
  int (*one)(const uint8_t *, size_t);
  void (*seeds)(FuzzEmit, void *);
} Target;

static const Target targets[] = {
    {"check", fuzz_check_init, fuzz_check_one, fuzz_check_seeds},
    {"csv", fuzz_csv_init, fuzz_csv_one, fuzz_csv_seeds},
    {"render", fuzz_render_init, fuzz_render_one, fuzz_render_seeds},
    {"snapshot", fuzz_snapshot_init, fuzz_snapshot_one, fuzz_snapshot_seeds},
    {"lsp", fuzz_lsp_init, fuzz_lsp_one, fuzz_lsp_seeds},
    {"track", fuzz_track_init, fuzz_track_one, fuzz_track_seeds},
    {"reply", fuzz_reply_init, fuzz_reply_one, fuzz_reply_seeds},
    {"feedback", fuzz_feedback_init, fuzz_feedback_one, fuzz_feedback_seeds},
};

static int passed;

static void run(const uint8_t *d, size_t n, void *ctx) {
  const Target *t = ctx;
  t->one(d, n);
  passed++;
}

int main(int argc, char **argv) {
  size_t nt = sizeof targets / sizeof targets[0];
  if (argc > 2) {
    for (size_t i = 0; i < nt; i++) {
      if (strcmp(targets[i].name, argv[1])) continue;
      targets[i].init();
      for (int k = 2; k < argc; k++) {
        size_t n;
        char *b = fuzz_read_file(argv[k], &n);
        if (!b) {
          fprintf(stderr, "cannot read %s\n", argv[k]);
          return 2;
        }
        run((const uint8_t *)b, n, (void *)&targets[i]);
        free(b);
      }
      printf("fuzzreplay: %d passed, 0 failed\n", passed);
      return 0;
    }
    fprintf(stderr, "no target %s\n", argv[1]);
    return 2;
  }
  for (size_t i = 0; i < nt; i++) {
    const Target *t = &targets[i];
    int before = passed;
    t->init();
    t->seeds(run, (void *)t);
    int seeds = passed - before;
    char dir[256];
    snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", t->name);
    fuzz_emit_files(dir, NULL, run, (void *)t);
    fprintf(stderr, "fuzzreplay %s: %d seeds, %d regression inputs\n", t->name, seeds, passed - before - seeds);
    if (seeds == 0) {
      printf("FAIL fuzzreplay %s: no seeds (run from the repository root)\n", t->name);
      printf("fuzzreplay: %d passed, 1 failed\n", passed);
      return 1;
    }
  }
  printf("fuzzreplay: %d passed, 0 failed\n", passed);
  return 0;
}
