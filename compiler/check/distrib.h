/* distrib.h — the checked model of distributed marketing (docs/distributed.md):
 * entities (one central, local ones below it), their operators and roles,
 * campaign packages, and the settings of each local approval step.  Built by
 * compiler/check/check_distrib.c from `entity`, `package` declarations and
 * `approval local` steps; stored by runtime/db/store_distrib.c. */
#ifndef CAMP_DISTRIB_H
#define CAMP_DISTRIB_H

#include "lang/ast.h"

typedef enum { DROLE_ADMINISTRATOR, DROLE_APPROVER, DROLE_MANAGER, DROLE_VIEWER } DistRole;

/* The role's name as written (`administrator` ...). */
const char *distrib_role_name(DistRole r);

typedef struct DistOperator {
  char *login;
  DistRole role;
  Loc loc;
  struct DistEntity *entity;
} DistOperator;

typedef struct DistEntity {
  char *name;
  char *label;             /* `label "..."`, else the name */
  int central;             /* `kind central` */
  struct DistEntity *parent;
  char *data;              /* `data V`: the distribution value that is this entity's, as text; or NULL */
  PtrVec operators;        /* DistOperator*; of a group: its members */
  int group;               /* an operator group (`group NAME { members ... }`), not an entity */
  Decl *decl;
} DistEntity;

typedef struct DistPackage {
  char *name;
  char *label;
  char *campaign;          /* the campaign it publishes */
  PtrVec offer;            /* DistEntity*: local entities it is published to (expanded) */
  char visible_from[20], visible_until[20]; /* "" = open */
  char register_by[20];    /* ordering deadline ("" = none) */
  char personalize_by[20]; /* personalization deadline ("" = none) */
  int automatic;           /* mode automatic: pre-registered */
  char *variant;           /* simple | form | campaign | target */
  PtrVec params;           /* FormParam* (form variant) */
  double cost;             /* shared between participants */
  int cost_by_contacts;    /* share by contacts (else equally) */
  double central_pct;      /* `central_pays N`: the centre's percentage of `cost` */
  double per_message;      /* `cost_per_message X`: charged to an entity per message sent to its contacts */
  Decl *decl;
} DistPackage;

typedef struct DistModel {
  PtrVec entities;         /* DistEntity*, declaration order */
  PtrVec packages;         /* DistPackage* */
  PtrVec operators;        /* DistOperator*, all entities */
  PtrVec groups;           /* DistEntity* with group = 1: operator groups */
} DistModel;

/* One breakdown value of a local approval: rows whose distribution field
 * is `value` go to `entity` (at most `limit` rows, or percent %). */
typedef struct DistLine {
  char *value;             /* as text */
  char *label;
  DistEntity *entity;      /* the local entity, or the operator group (entity->group) */
  int has_limit, percent;
  int64_t limit;
} DistLine;

/* A checked `approval local` step. */
typedef struct DistApproval {
  char *field;             /* distribution field: a column of the population */
  int field_added;         /* an added column (else the dimension's) */
  int percent;             /* type percentage (else set) */
  int64_t deadline;        /* seconds (default 3 days) */
  int64_t remind;          /* seconds between reminders, 0 = none */
  int approve_default;     /* `otherwise approve`: undecided rows pass at the deadline */
  int assign_group;        /* `assign group`: lines name operator groups (DistLine.entity->group) */
  PtrVec lines;            /* DistLine* */
  /* The `variant form` or `variant campaign` package that publishes the
   * campaign, or NULL: its
   * form parameters are added columns of the first output, each contact
   * getting its entity's values (compiler/sql, runtime/exec/exec_local.c). */
  DistPackage *form_pkg;
} DistApproval;

/* The entity / package / operator called name, or NULL. */
DistEntity *distrib_entity(const DistModel *m, const char *name);
DistPackage *distrib_package(const DistModel *m, const char *name);
DistOperator *distrib_operator(const DistModel *m, const char *login);
/* The operator group called name, or NULL. */
DistEntity *distrib_group(const DistModel *m, const char *name);

#endif
