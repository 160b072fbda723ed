/* exec_mem.h — the in-memory plan (runtime/exec/exec_mem.c): `camp plan` with
 * --engine interp / jit (and auto on large tables) computes every step's
 * population over the columnar snapshot instead of writing TEMP tables. */
#ifndef CAMP_EXEC_MEM_H
#define CAMP_EXEC_MEM_H

#include <stddef.h>

struct Exec;
struct Step;
typedef struct ExecMem ExecMem;

/* Prepares an in-memory plan of x's campaign (the snapshot covering every
 * table it reads).  NULL with why when the campaign has a step kind the
 * memory plan cannot reproduce, or the snapshot cannot be opened. */
ExecMem *exec_mem_new(struct Exec *x, char *why, size_t whylen);
/* Computes step s (its inputs done) and sets its counts in x.  0, or 1
 * when it cannot reproduce the SQL's answer exactly (why): the caller then
 * plans the whole campaign again through SQL tables. */
int exec_mem_step(ExecMem *m, struct Step *s, char *why, size_t whylen);
void exec_mem_free(ExecMem *m);

#endif
