/* check.c — TEMPORARY during bring-up; replaced by the real checker. */
#include "program.h"
void program_check(Program *p) { (void)p; }
