/* policy.h — what the checker knows of the contact policy
 * (compiler/check/check_policy.c, docs/policy.md). */
#ifndef CAMP_CHECK_POLICY_H
#define CAMP_CHECK_POLICY_H

#include "compiler/check/program.h"

/* The checked consent rule of channel ch on dimension dim (a condition
 * over dim's rows, SQL alias t0), or NULL when none is declared. */
Expr *program_consent(Program *p, const Schema *dim, Channel ch);
/* 1 when the campaign says `transactional true`: consent and the
 * suppression list are not applied to it (shown in plan). */
int program_transactional(const Decl *campaign);

#endif
