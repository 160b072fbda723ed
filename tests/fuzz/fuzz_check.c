/* fuzz_check.c — libFuzzer entry point: the whole front end in-process.
 * Each input is parsed as a .camp file, checked, and its diagnostics sorted
 * and printed both as text and as JSON into a memory stream, so lexer,
 * parser, checker and both printers all see arbitrary bytes.  Built and run
 * by tests/fuzz/build.sh (make fuzz); crashes, leaks and UB are findings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/program.h"

/* Prints every diagnostic both ways; the output itself is discarded. */
static void print_all(Program *p) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) abort();
  diags_print_text(&p->diags, m, 1);
  diags_print_json(&p->diags, m);
  fclose(m);
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* program_load_text takes a C string: the input ends at its first NUL
   * (the CLI path, which reads files, sees NULs; tests/fuzz/mutate.c covers
   * that). */
  char *text = malloc(size + 1);
  if (!text) abort();
  memcpy(text, data, size);
  text[size] = 0;
  Program *p = program_new();
  program_load_text(p, "fuzz.camp", text);
  program_check(p);
  diags_sort(&p->diags);
  print_all(p);
  program_free(p);
  free(text);
  return 0;
}
