/* fuzz_check.c — fuzz target: the whole front end in-process.  Each input
 * is parsed as a .camp file, checked, and its diagnostics sorted and
 * printed both as text and as JSON into a memory stream, so lexer, parser,
 * checker and both printers all see arbitrary bytes; every input that
 * checks without errors is also formatted and turned into SQL.  Seeds:
 * every .camp file of tests/, examples/, stdlib/.  See fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/program.h"
#include "compiler/sql/sqlgen.h"
#include "lang/format.h"
#include "tests/fuzz/fuzz.h"

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

void fuzz_check_init(void) {}

int fuzz_check_one(const uint8_t *data, size_t size) {
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
  if (!p->diags.nerrors) {
    /* a valid program: its layout and its SQL */
    for (int i = 0; i < p->roots.len; i++) {
      Module *m = p->roots.items[i];
      free(format_module(m, diags_file(&p->diags, m->file)));
    }
    SqlOptions so = {0};
    so.dialect = sql_dialect("sqlite");
    for (int i = 0; i < p->campaigns.len; i++) free(sql_campaign(p, p->campaigns.items[i], &so));
  }
  program_free(p);
  free(text);
  return 0;
}

void fuzz_check_seeds(FuzzEmit emit, void *ctx) {
  static const char *const camp[] = {".camp", NULL};
  fuzz_emit_files("tests/check", camp, emit, ctx);
  fuzz_emit_files("tests/sql", camp, emit, ctx);
  fuzz_emit_files("tests/exec", camp, emit, ctx);
  fuzz_emit_files("tests/runtime", camp, emit, ctx);
  fuzz_emit_files("tests/snapshot", camp, emit, ctx);
  fuzz_emit_files("examples", camp, emit, ctx);
  fuzz_emit_files("stdlib", camp, emit, ctx);
}

FUZZ_LIBFUZZER_MAIN(check)
