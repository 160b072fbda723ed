/* fuzz.h — the fuzz targets of camp (tests/fuzz/fuzz_*.c), one per input
 * camp reads: .camp sources (check), reconcile CSV files (csv), templates
 * (render), snapshot files (snapshot), LSP messages (lsp), requests to the
 * tracking server (track), provider answers (reply), feedback import files
 * (feedback).
 *
 * Each target X defines
 *   void fuzz_X_init(void);                     once, before any input
 *   int  fuzz_X_one(const uint8_t *d, size_t n); one input (returns 0)
 *   void fuzz_X_seeds(FuzzEmit emit, void *ctx); its seed inputs, made
 *                                              from the repository's tests
 * and, built with -DFUZZ_LIBFUZZER (tests/fuzz/build.sh, `make fuzz`), the
 * libFuzzer entry points.  Without it the targets are linked into
 * tests/fuzz/replay_test.c, which `make test` runs over every seed and every
 * regression input in tests/fuzz/regress/X/ (deterministic, sanitized under
 * `make asan`).  Both run from the repository root. */
#ifndef CAMP_FUZZ_H
#define CAMP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef void (*FuzzEmit)(const uint8_t *data, size_t size, void *ctx);

/* Emits the contents of every regular file under dir (recursively) whose
 * name ends with one of the suffixes (NULL-terminated list; NULL = all). */
void fuzz_emit_files(const char *dir, const char *const *suffixes, FuzzEmit emit, void *ctx);
/* A whole file (malloc'd, NUL-terminated; *len set), NULL if unreadable. */
char *fuzz_read_file(const char *path, size_t *len);

#define FUZZ_TARGET(X)                                                   \
  void fuzz_##X##_init(void);                                            \
  int fuzz_##X##_one(const uint8_t *d, size_t n);                        \
  void fuzz_##X##_seeds(FuzzEmit emit, void *ctx);
FUZZ_TARGET(check)
FUZZ_TARGET(csv)
FUZZ_TARGET(render)
FUZZ_TARGET(snapshot)
FUZZ_TARGET(lsp)
FUZZ_TARGET(track)
FUZZ_TARGET(reply)
FUZZ_TARGET(feedback)

/* Writes every seed of a target into dir as a file named by its hash. */
void fuzz_write_seeds(void (*seeds)(FuzzEmit, void *), const char *dir);

#ifdef FUZZ_LIBFUZZER
/* $FUZZ_WRITE_SEEDS=DIR: the seeds are written there first (build.sh). */
#define FUZZ_LIBFUZZER_MAIN(X)                                           \
  int LLVMFuzzerInitialize(int *argc, char ***argv) {                    \
    (void)argc, (void)argv;                                              \
    fuzz_##X##_init();                                                   \
    const char *w = getenv("FUZZ_WRITE_SEEDS");                          \
    if (w && *w) fuzz_write_seeds(fuzz_##X##_seeds, w);                  \
    return 0;                                                            \
  }                                                                      \
  int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return fuzz_##X##_one(d, n); }
#else
#define FUZZ_LIBFUZZER_MAIN(X)
#endif

#endif
