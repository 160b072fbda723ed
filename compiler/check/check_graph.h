/* check_graph.h — internals shared by the campaign-graph files of the
 * checker: check_graph.c (outputs, order, cycles, the dispatch over step
 * kinds), check_step.c (audience-shaping steps) and check_channel.c
 * (channels, retarget, reconcile).  Each step_* function checks one step,
 * resolves its inputs through input_pop (which visits producers first) and
 * sets its outputs' populations. */
#ifndef CAMP_CHECK_GRAPH_H
#define CAMP_CHECK_GRAPH_H

#include "compiler/check/check.h"

/* A named output of a step. */
typedef struct Output {
  char *name;
  Loc loc;
  Step *step;
  int index;
  int used; /* another step reads it */
} Output;

typedef struct Graph {
  Ctx *c;
  Decl *campaign;
  PtrVec outputs;   /* Output* */
  Output **slots;   /* open-addressing hash of outputs by name */
  int nslots;
  PtrVec order;     /* Step* in dependency order */
  int *state;       /* per step: 0 new, 1 visiting, 2 done */
} Graph;

/* The output called name, or NULL. */
Output *find_output(Graph *g, const char *name);

/* Populations. */
Pop *pop_new(Ctx *c, Schema *dim);
Pop *pop_copy(Ctx *c, Pop *src);
void add_col(Ctx *c, Pop *p, const char *name, Type *t, Loc loc);
/* Type of column `name` of p (added or of the dimension); NULL if none. */
Type *pop_column_type(Pop *p, const char *name);
/* Candidate names for did-you-mean hints (arena arrays). */
const char **schema_names(Ctx *c, int *n);
const char **output_names(Graph *g, int *n);
/* Resolves a step input by name, visiting its producer first; NULL after
 * reporting an unknown name.  *producer (may be NULL) gets its step. */
Pop *input_pop(Graph *g, const char *name, Loc loc, Step **producer);
/* Reports a wrong number of outputs (lo..hi); 1 when the count is right. */
int check_outputs(Ctx *c, Step *s, int lo, int hi, const char *kind);
/* Gives the n outputs of s population p. */
void set_pops(Ctx *c, Step *s, Pop *p, int n);

/* check_step.c: one function per audience-shaping step kind. */
void step_select(Graph *g, Step *s);
void step_audience(Graph *g, Step *s);
void step_combine(Graph *g, Step *s);
void step_dedup(Graph *g, Step *s);
void step_enrich(Graph *g, Step *s);
void step_split(Graph *g, Step *s);
void step_change_dim(Graph *g, Step *s);
void step_passthrough(Graph *g, Step *s, int lo, int hi, const char *kind);
/* check_step.c: `holdout N% of INPUT`; check_holdout.c: a channel step's
 * `holdout N%` setting, and the two errors both report (a percentage out
 * of range; rows without a key, which a control group is recorded by). */
void step_holdout(Graph *g, Step *s);
void check_holdout_prop(Ctx *c, Step *s, Pop *in, ChannelProp *p);
void check_holdout_percent_error(Ctx *c, Loc loc, const char *text);
void check_holdout_key(Ctx *c, Pop *in, Loc loc, const char *what);
void step_join(Graph *g, Step *s);
void step_wait(Graph *g, Step *s);

/* check_channel.c: channels, feedback and reconciliation. */
void step_channel(Graph *g, Step *s);
void step_retarget(Graph *g, Step *s);
void step_reconcile(Graph *g, Step *s);

/* check_distrib.c: the `approval local` step (settings in s->dist). */
void step_local_approval(Graph *g, Step *s);

#endif
