/* exec_names.c — what the executor's files call things: a step input's
 * population, an output's result table and count, the path of a file a
 * campaign names.  The bottom of runtime/exec: it calls no other file of
 * the folder, so the step files above it form no loop. */
#include <stdio.h>
#include <string.h>

#include "runtime/exec/exec_int.h"

Pop *exec_input_pop(Step *s, int i) {
  StepInput *si = s->inputs.items[i];
  Step *prod = si->step;
  for (int k = 0; k < prod->outputs.len && k < prod->npops; k++)
    if (!strcmp(prod->outputs.items[k], si->name)) return prod->pops[k];
  return prod->npops ? prod->pops[0] : NULL;
}

void exec_table(Exec *x, const char *name, char *out, size_t outlen) {
  snprintf(out, outlen, "\"%s%s\"", x->prefix, name);
}

int64_t exec_count(Exec *x, Step *s, int k) {
  return x->counts[x->count_base[s->index] + k];
}

void exec_path(Exec *x, const char *name, char *out, size_t outlen) {
  program_find_file(x->source_file, name, 0, out, outlen);
}

void exec_out_path(Exec *x, const char *name, char *out, size_t outlen) {
  program_find_file(x->source_file, name, 1, out, outlen);
}
