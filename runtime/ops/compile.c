/* compile.c — compiling a deployed campaign's file for the operations
 * commands (start, tick, campaigns): the first error, not the whole
 * diagnostic list, explains why a campaign cannot launch. */
#include <stdio.h>

#include "runtime/ops/ops.h"

int ops_compile(const char *file, const char *campaign, Program **pp, Decl **camp, char *err, size_t errlen) {
  Program *p = program_new();
  *pp = NULL;
  *camp = NULL;
  if (program_load(p, file) != 0) {
    snprintf(err, errlen, "cannot read %s", file);
    program_free(p);
    return -1;
  }
  program_check(p);
  Decl *c = p->diags.nerrors ? NULL : program_campaign(p, campaign);
  if (!c) {
    diags_sort(&p->diags);
    for (int i = 0; i < p->diags.len; i++) {
      Diag *d = &p->diags.items[i];
      if (d->level != DIAG_ERROR) continue;
      const SourceFile *f = d->loc.file >= 0 ? diags_file(&p->diags, d->loc.file) : NULL;
      snprintf(err, errlen, "%s:%d:%d: %s", f ? f->path : file, d->loc.line, d->loc.col, d->message);
      break;
    }
    program_free(p);
    return -1;
  }
  *pp = p;
  *camp = c;
  return 0;
}
