/* check.c — program_check: the order of the checker's passes. */
#include "check.h"

void program_check(Program *p) {
  if (p->checked) return;
  p->checked = 1;
  Ctx c = {.p = p, .a = &p->arena, .d = &p->diags};
  names_build_schemas(&c);   /* schemas first: everything refers to them */
  names_collect_funcs(&c);
  check_funcs(&c);
  for (int i = 0; i < p->campaigns.len; i++) check_campaign(&c, p->campaigns.items[i]);
}
