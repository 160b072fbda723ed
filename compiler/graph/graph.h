/* graph.h — a checked campaign as a Graphviz digraph (`camp graph`).
 * One node per step (name, kind, a short summary taken from the source),
 * one edge per input, labelled with the output name when the producer has
 * several outputs.  Optionally annotated with a run's step states and
 * counts.  The text is deterministic: same campaign + run, same bytes. */
#ifndef CAMP_GRAPH_H
#define CAMP_GRAPH_H

#include <stdint.h>

#include "compiler/check/program.h"

/* What a run recorded for one step (camp_steps) ... */
typedef struct GraphStepState {
  const char *step;   /* the step's label */
  const char *state;  /* pending | waiting | done | skipped | failed */
  const char *due_at; /* waits: when the run resumes, or NULL */
} GraphStepState;

/* ... and for one output (camp_counts). */
typedef struct GraphCount {
  const char *step;
  const char *output;
  int64_t count;
  int64_t policy;     /* of a channel step: recipients the contact policy took out */
} GraphCount;

typedef struct GraphRun {
  int64_t id;
  const char *state;  /* the run's state */
  const GraphStepState *steps;
  int nsteps;
  const GraphCount *counts;
  int ncounts;
} GraphRun;

/* The DOT text of campaign c of the checked program p (no errors), with
 * run's annotations when run is not NULL.  Returns a malloc'd string the
 * caller frees; aborts on OOM. */
char *graph_dot(const Program *p, const Decl *c, const GraphRun *run);
/* The campaign's graph as one self-contained HTML page: svg (the output
 * of `dot -Tsvg` on graph_dot's text) inline, a heading, a legend of what
 * the counts mean and, with a run, a table of every step's state and
 * counts.  No script, no external stylesheet, image or font.  Returns a
 * malloc'd string; aborts on OOM. */
char *graph_html(const Program *p, const Decl *c, const GraphRun *run, const char *svg);
/* What a step is, as a node's first line says it: its names, or what an
 * unnamed step does ("Email to vip").  malloc'd. */
char *graph_step_title(const Step *s);
/* A step's counts as its node shows them ("top 5 (10%) · mid 11 (23%)",
 * "3 of 5 — 2 without an email address"), "" when the run has none.
 * malloc'd. */
char *graph_step_counts(const Step *s, const GraphRun *run);
/* The step kind as camp names it: "select", "filter" (a selection from a
 * step), "audience", "union", "dedup", "change dimension", "email", ... */
const char *graph_kind_name(const Step *s);
/* For a channel step that needs an address (email, sms, push): who it
 * leaves out, "without an email address" / "without a phone number" /
 * "without a push token".  NULL for any other step (direct mail extracts
 * every row). */
const char *graph_channel_dropped(const Step *s);
/* The input's output index in its producing step (0 when it has one). */
int graph_input_output(const StepInput *si);

#endif
