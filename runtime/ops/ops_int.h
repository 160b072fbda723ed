/* ops_int.h — internals shared by runtime/ops's files:
 *   launch.c  which launch of a deployed campaign is due, and the next one
 *   tick.c    camp tick: launches, resumes, completion, approvals, sending */
#ifndef CAMP_OPS_INT_H
#define CAMP_OPS_INT_H

#include <limits.h>

#include "runtime/ops/ops.h"

/* A deployed campaign as camp_campaigns and its current version say. */
typedef struct Deployed {
  char name[256];
  CampState state;
  char file[PATH_MAX];
  char hash[64];
  int64_t version;
  char started_at[20];   /* first start ("" if never) */
  char active_since[20]; /* last start ("" if never) */
} Deployed;

#define LAUNCH_MAX_MISSED 64

/* What the schedule says at `now` (launch.c). */
typedef struct LaunchPlan {
  int has_due;           /* a launch is due: the latest one in (last, now] */
  time_t due;
  time_t missed[LAUNCH_MAX_MISSED]; /* earlier due launches this tick skips */
  int nmissed;
  int has_next;          /* the first launch after now */
  time_t next;
  int exhausted;         /* no launch after now */
  char why[300];         /* why none is due or next (for status) */
} LaunchPlan;

/* Loads the deployed campaign `name`: 0, or -1 when it is not deployed. */
int ops_load_deployed(Db *db, const char *name, Deployed *d);
/* Fills lp for d (compiled into ops) at now.  0, or -1 with lp->why. */
int ops_plan_launch(Db *db, const Deployed *d, const CampOps *ops, time_t now, LaunchPlan *lp);

#endif
