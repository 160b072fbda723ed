/* mops.h — marketing operations, checked (docs/marketing-ops.md): the
 * plan -> program -> campaign hierarchy with owners and dates, user-declared
 * status codes with the statuses allowed next, teams, and each campaign's
 * tasks linked by date formulas.  compiler/check/check_mops.c fills one
 * MopsModel per program (program_mops) and one MopsCampaign per campaign
 * (Decl.mops_info); runtime/mops/ stores and computes with them. */
#ifndef CAMP_MOPS_H
#define CAMP_MOPS_H

#include <stdint.h>

#include "compiler/check/dateformula.h"
#include "compiler/check/program.h"

/* A plan or a program. */
typedef struct MopsNode {
  const char *kind;      /* "plan" or "program" */
  const char *name;
  const char *parent;    /* program: its plan; plan: NULL */
  const char *owner;     /* NULL when not given */
  char start[11], end[11]; /* YYYY-MM-DD, "" when open */
  const char *statuses;  /* program: its status set (campaigns inherit), or NULL */
  int64_t budget;        /* in 1/10000 units (MOPS_AMOUNT_SCALE); -1 when none */
  Loc loc;
} MopsNode;

/* Amounts are exact integers in 1/10000 of a currency unit: `0.85` is
 * 8500.  Four decimals at most. */
#define MOPS_AMOUNT_SCALE 10000

/* A cost line of a campaign (Campaign Classic's budgetMgt, seed 004):
 * fixed, per message of channel steps, or per printed piece of direct-mail
 * steps; optionally attached to a task. */
typedef enum { MC_FIXED, MC_PER_MESSAGE, MC_PER_PIECE } MopsCostKind;

typedef struct MopsCost {
  const char *name;
  MopsCostKind kind;
  int64_t amount;        /* per unit (or the fixed amount), MOPS_AMOUNT_SCALE */
  int nsteps;
  const char **steps;    /* labels of the channel steps it counts (per unit) */
  const char *task;      /* NULL, or the task it belongs to */
  char scope[160];       /* what it applies to, for reports: `step letters` */
  Loc loc;
} MopsCost;

/* `statuses NAME { codes a, b, c; a b, c; b c }`: ordered codes; a line
 * `CODE NEXT, NEXT` lists the codes allowed after CODE. */
typedef struct MopsStatusSet {
  const char *name;
  int ncodes;
  const char **codes;
  unsigned char *next;   /* ncodes * ncodes: next[from * ncodes + to] */
  Loc loc;
} MopsStatusSet;

typedef struct MopsTeam {
  const char *name;
  int nmembers;
  const char **members;
} MopsTeam;

/* A stock item (Campaign Classic's stockMgt, seed 004): a starting
 * quantity, an alert threshold, and what a run that would use more than
 * is left does. */
typedef struct MopsStock {
  const char *name;
  int64_t quantity;      /* at the start; order lines add to it */
  int64_t alert;         /* a notification when the level falls to it or below */
  const char *unit;      /* "vouchers"; NULL */
  int block;             /* on_shortage block: a run that would run out is refused */
  int limit;             /* on_shortage limit: a consuming step keeps only as many
                          * recipients as the level covers */
  const PtrVec *order;   /* `order by ...` (OrderItem*, unchecked: each consume
                          * checks its own copy); NULL: lowest keys first */
  const char *order_text; /* the order as written back: "loyalty desc, city"; NULL */
  Loc order_loc;
  Loc loc;
} MopsStock;

/* `consume NAME { stock S; step X; per_recipient N }` in a campaign. */
typedef struct MopsConsume {
  const char *name;
  const char *stock;
  const char *step;      /* the channel step's label */
  int64_t per;           /* units per recipient */
  PtrVec order;          /* the stock item's `order by`, checked against this
                          * step's population (OrderItem*); empty: by key */
  Loc loc;
} MopsConsume;

/* `interaction NAME { type sent|delivered|opened|clicked; channel C;
 * unit_cost AMOUNT; unit_minutes N }`: what each logged interaction of
 * the type (on the channel, or any) costs and takes. */
typedef struct MopsInteraction {
  const char *name;
  const char *type;      /* sent, delivered, opened, clicked, bounced, unsubscribed */
  const char *channel;   /* NULL = any */
  int64_t unit_cost;     /* MOPS_AMOUNT_SCALE */
  int64_t unit_minutes;
  Loc loc;
} MopsInteraction;

/* `segment NAME on DIMENSION { add where RULE; reduce where RULE; refine
 * where RULE }`: a D365 segment declared in a .camp file; `camp segment
 * apply` stores it and computes its members (runtime/mops/segments.c). */
typedef struct MopsSegment {
  const char *name;
  const char *dim;       /* the schema whose rows are its contacts */
  int ncriteria;
  const char **ops;      /* "add", "reduce", "refine", in order */
  const char **rules;    /* each rule as text, in camp fmt's layout */
  Loc loc;
} MopsSegment;

typedef struct MopsModel {
  PtrVec segments;       /* MopsSegment* */
  PtrVec interactions;   /* MopsInteraction* */
  PtrVec stocks;         /* MopsStock* */
  PtrVec nodes;          /* MopsNode* (plans, then programs) */
  PtrVec sets;           /* MopsStatusSet* */
  PtrVec teams;          /* MopsTeam* */
} MopsModel;

/* A task of a campaign: due `formula` after the campaign's start_date, or
 * after the due date of task `after`. */
typedef struct MopsTask {
  const char *name;
  const char *after;     /* NULL: relative to the campaign's start */
  DateFormula due;
  char formula[64];      /* canonical text */
  const char *owner;     /* a person, or NULL */
  const char *team;      /* a team, or NULL */
  const char *note;      /* NULL */
  char due_date[11];     /* computed; "" when the campaign has no start_date */
  Loc loc;
} MopsTask;

/* `offer NAME { item "SKU"; price 79 | discount 20; segment vip; who all | targets }`:
 * a campaign price or line discount (Business Central, seed 003) for the
 * contacts of a step's population (the whole segment), or only those the
 * campaign messaged (targets), valid between the campaign's dates once
 * activated (`camp offers activate`). */
typedef struct MopsOffer {
  const char *name;
  const char *item;
  int64_t price;         /* MOPS_AMOUNT_SCALE, -1 when a discount */
  int64_t discount;      /* percent x MOPS_AMOUNT_SCALE, -1 when a price */
  const char *segment;   /* a step output of the campaign; NULL = every contact messaged */
  const char *saved_segment; /* `saved_segment NAME`: a D365 segment's current members
                              * (camp segment); NULL */
  int targets_only;      /* only contacts the campaign messaged */
  Loc loc;
} MopsOffer;

typedef struct MopsCampaign {
  int ntasks;
  MopsTask *tasks;       /* in dependency order (a task after the one it follows) */
  const char *program;   /* NULL when the campaign is in no program */
  const MopsStatusSet *statuses; /* from its program or its `statuses` header; NULL */
  int64_t budget;        /* `budget` header, MOPS_AMOUNT_SCALE; -1 when none */
  int block;             /* `over_budget "block"`: a run over the remaining budget is refused */
  int ncosts;
  MopsCost *costs;
  int nconsumes;
  MopsConsume *consumes;
  int noffers;
  MopsOffer *offers;
  const char *success;   /* `success "clicked"`: the event that counts as a success; NULL */
} MopsCampaign;

/* The checked model (empty, never NULL, after program_check). */
const MopsModel *program_mops(Program *p);
/* A campaign's checked marketing operations (never NULL after program_check). */
const MopsCampaign *program_mops_campaign(const Decl *campaign);
/* Writes amount (MOPS_AMOUNT_SCALE) as text with two decimals, rounded
 * half away from zero: 12345 -> "1.23", 8500 -> "0.85". */
void mops_amount_text(int64_t amount, char *out, size_t outlen);

/* Index of code in set, or -1. */
int mops_status_index(const MopsStatusSet *set, const char *code);

#endif
