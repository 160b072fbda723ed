/* ast.h — the syntax tree of a .camp file.  The parser builds it; the checker
 * (compiler/check/check.c) annotates it in place (types, resolved names,
 * populations); the SQL generator and the runtime read the annotated tree.
 * All nodes live in the compilation's Arena. */
#ifndef CAMP_AST_H
#define CAMP_AST_H

#include <stdint.h>

#include "lang/arena.h"
#include "lang/diag.h"

/* Nesting deeper than this is refused at parse time (expressions by
 * lang/ast.c, brackets by the scanner, bison's stack by the parser), so
 * every later stage may recurse without overflowing the stack. */
#define CAMP_MAX_DEPTH 1000

struct Type;
struct Schema;
struct Column;
struct Pop;
struct Decl;

/* ---------------------------------------------------------------- exprs */

typedef enum {
  E_INT,      /* ival */
  E_DEC,      /* text holds the literal as written; dval its value */
  E_STR,      /* text */
  E_BOOL,     /* ival 0/1 */
  E_NULL,
  E_DATE,     /* text 'YYYY-MM-DD' */
  E_TIMESTAMP,/* text 'YYYY-MM-DD HH:MM[:SS]' normalised to seconds */
  E_DURATION, /* ival = seconds; text as written ("90d") */
  E_NAME,     /* name */
  E_FIELD,    /* a.name : left = a */
  E_CALL,     /* name(args); args are Expr; an arg may carry `where` */
  E_UNARY,    /* op, left */
  E_BINARY,   /* op, left, right */
  E_IN,       /* left in list (args); negated */
  E_BETWEEN,  /* left between args[0] and args[1]; negated */
  E_ISNULL,   /* left is [not] null; negated */
  E_EXISTS,   /* exists left [where right] */
  E_LIST,     /* [args] */
  E_WITHIN,   /* name within right (retarget feedback) */
} ExprKind;

typedef enum {
  OP_NONE,
  OP_AND, OP_OR, OP_NOT, OP_NEG,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_CONCAT,
  OP_LIKE, OP_NOT_LIKE, OP_CONTAINS, OP_NOT_CONTAINS, OP_STARTS,
  OP_NOT_STARTS,
} BinOp;

/* What a name in an expression resolved to (set by the checker). */
typedef enum {
  REF_NONE,
  REF_COLUMN,     /* column of the current row's schema: col */
  REF_ADDED,      /* added (enriched) column of the population: added name */
  REF_LINK,       /* many-to-one link: target schema, via column col */
  REF_COLLECTION, /* one-to-many collection: child schema, fk column col */
  REF_ENUM,       /* enum label (text) */
  REF_PARAM,      /* func parameter (replaced by inlining) */
  REF_FEEDBACK,   /* delivery feedback event */
} RefKind;

typedef struct Expr Expr;
struct Expr {
  ExprKind kind;
  BinOp op;
  Loc loc;
  int negated;
  int paren; /* written in parentheses (kept by fmt) */
  int frozen; /* an inlined argument, already checked in the caller's scope */
  int64_t ival;
  double dval;
  char *text;
  char *name;
  Expr *left, *right;
  Expr *where; /* filter on an aggregate argument: sum(x.y where c) */
  int distinct; /* count(distinct x.y), string_agg(distinct ...) */
  PtrVec args; /* Expr* */
  /* --- checker annotations --- */
  struct Type *type;
  RefKind ref;
  struct Column *col;      /* REF_COLUMN, REF_LINK (fk), REF_COLLECTION (fk) */
  struct Schema *schema;   /* schema the name was found in / target schema */
  int depth;               /* row scope depth the reference belongs to */
  struct Decl *callee;     /* resolved func/filter for E_CALL / E_NAME */
  /* A checked collection (the first argument of an aggregate, the left of
   * exists) that goes on into a collection of each of its rows:
   * policies.claims has inner = claims (checked in the scope of policies). */
  Expr *inner;
};

/* ---------------------------------------------------------------- schemas */

typedef struct TypeRef {
  Loc loc;
  char *name;      /* int, decimal, text, bool, date, timestamp, duration, enum */
  PtrVec labels;   /* enum labels (char*) */
  PtrVec label_locs;
} TypeRef;

typedef struct FieldDecl {
  Loc loc;
  char *name;
  TypeRef *type;
  int is_key, is_unique, is_version;
  char *address;   /* channel named in address(...) or NULL */
  Loc address_loc;
  Expr *default_value;
  char *link_target; /* -> schema */
  Loc link_loc;
} FieldDecl;

/* ---------------------------------------------------------------- steps */

typedef enum {
  S_SELECT,    /* source [where rule] : source is a schema or a step */
  S_AUDIENCE,  /* audience "name" of schema */
  S_COMBINE,   /* union/intersect/except(inputs) [on (cols)] */
  S_DEDUP,     /* dedup input by keys keep N prefer ... */
  S_ENRICH,    /* enrich input { name = expr | first N coll ... } */
  S_SPLIT,     /* split input { [label] when rule [limit] [order by] ; else } */
  S_CHANGE_DIM,/* change dimension input to schema [via link] */
  S_FORK,      /* fork input */
  S_JOIN,      /* join(inputs) primary name */
  S_WAIT,      /* wait input duration | until timestamp */
  S_CHANNEL,   /* email|sms|push|mail input {props} | "text" */
  S_SAVE,      /* save input as "name" */
  S_RETARGET,  /* retarget channel_step where feedback_rule */
  S_RECONCILE, /* reconcile "file" [columns (...)] to schema on a = b, ... */
  S_LOCAL_APPROVAL, /* approval local input { fields; breakdown } (docs/distributed.md) */
  S_HOLDOUT,   /* holdout P% of input: a control group left out (docs/policy.md); text = P */
} StepKind;

typedef enum { COMB_UNION, COMB_INTERSECT, COMB_EXCEPT } CombineOp;
typedef enum { CH_EMAIL, CH_SMS, CH_PUSH, CH_MAIL } Channel;

typedef struct StepInput {
  char *name;
  Loc loc;
  struct Step *step; /* resolved by the checker */
} StepInput;

typedef struct OrderItem {
  Expr *expr;
  int desc;
} OrderItem;

typedef struct EnrichItem {
  Loc loc;
  char *name;
  Expr *expr;          /* scalar column, or NULL for first-N */
  /* first N coll [where rule] [order by ...] */
  int64_t first_n;
  Expr *collection;    /* E_NAME / E_FIELD path to a collection */
  Expr *where;
  PtrVec order;        /* OrderItem* */
  struct Type *type;   /* checker */
} EnrichItem;

typedef struct SplitBranch {
  Loc loc;
  char *label;         /* optional label written before `when` */
  Expr *rule;          /* NULL for else */
  int is_else;
  int has_limit;
  int64_t limit;       /* count, or percent*100 when limit_percent */
  double limit_percent;
  int is_percent;
  PtrVec order;        /* OrderItem* : top-N; empty means seeded random */
} SplitBranch;

typedef struct ChannelProp {
  Loc loc;
  char *key;    /* subject, template, body, extract, columns, from */
  char *value;  /* string value */
  PtrVec cols;  /* columns (...) : char* */
  PtrVec col_locs;
  int percent;  /* written `N%` (`holdout 5%`): value holds N as written */
} ChannelProp;

typedef struct ReconcileCol {
  Loc loc;
  char *name;
  TypeRef *type;
} ReconcileCol;

typedef struct MatchPair {
  Loc loc;
  char *file_col;
  char *dim_col;
} MatchPair;

typedef struct Step Step;
struct Step {
  StepKind kind;
  Loc loc;
  PtrVec outputs;      /* char* : names bound on the left of `=` */
  PtrVec output_locs;  /* Loc* */
  PtrVec inputs;       /* StepInput* */
  /* S_SELECT / S_AUDIENCE / S_CHANGE_DIM / S_RECONCILE */
  char *source;        /* schema or step name */
  Loc source_loc;
  Expr *rule;          /* where-rule (select, retarget) */
  char *text;          /* audience name, save name, sms/push text, file */
  Loc text_loc;
  char *via;           /* change dimension via link column */
  Loc via_loc;
  CombineOp combine;
  PtrVec on_cols;      /* char*: combine on (...) */
  PtrVec on_locs;
  /* dedup */
  PtrVec keys;         /* Expr* */
  int64_t keep;
  int has_keep;
  PtrVec prefer;       /* Expr* */
  /* enrich */
  PtrVec enrich;       /* EnrichItem* */
  /* split */
  PtrVec branches;     /* SplitBranch* */
  int overlap, skip_empty;
  /* join */
  char *primary;
  Loc primary_loc;
  /* wait */
  Expr *wait_for;      /* duration */
  Expr *wait_until;    /* timestamp */
  int wait_local;      /* `until 08:00 local`: 1 + minutes after local midnight; 0 = none */
  Loc wait_local_loc;
  /* channel */
  Channel channel;
  PtrVec props;        /* ChannelProp* */
  char *provider;      /* `via NAME`, or NULL: the channel's default provider */
  Loc provider_loc;
  struct Decl *provider_decl; /* checker: the provider that sends it, or NULL */
  /* reconcile */
  PtrVec rcols;        /* ReconcileCol* */
  PtrVec match;        /* MatchPair* */
  /* local approval: DistField* settings, Breakdown* lines */
  PtrVec dfields;
  PtrVec breakdown;
  struct DistApproval *dist; /* checker: the checked settings */
  Expr *ab_success;    /* checker: an A/B test's success rule, FILTER(now()) (compiler/check/abtest.h) */
  /* --- checker annotations --- */
  struct Pop **pops;   /* one population per output (npops) */
  int npops;
  int index;           /* position in topological order */
  int pos;             /* position as written (checker scratch) */
  int used;            /* some other step reads an output */
  char *label;         /* unique name: first output, or _KIND_INPUT for unnamed */
};

/* ------------------------------------------- schedule and approval blocks */

/* A time of day written `08:30`: two integers around `:`. */
typedef struct OpTime {
  Loc loc;
  int64_t hour, minute;
} OpTime;

/* One value of a `schedule` / `approval` line.  After `on`, a line holds
 * words, ordinals (`2nd`) and commas as written. */
typedef enum { OV_LITERAL, OV_WORD, OV_ORDINAL, OV_COMMA } OpValueKind;

typedef struct OpValue {
  OpValueKind kind;
  Loc loc;
  Expr *lit;     /* OV_LITERAL */
  char *word;    /* OV_WORD, OV_ORDINAL (as written, `2nd`) */
  int64_t n;     /* OV_ORDINAL: its number */
} OpValue;

/* The shapes of a line; the checker gives the names their meaning. */
typedef enum {
  OI_VALUES, /* name v, v ...        every 30m | timezone "X" | approvers "a", "b" */
  OI_STAMP,  /* name word TIMESTAMP  once at 2026-03-02 09:00 */
  OI_TIMES,  /* name word T, T       daily at 08:00, 17:30 */
  OI_ON,     /* name on WORDS T, T   weekly on monday, friday at 09:00 */
  OI_FROM,   /* from LITERAL         (validity) */
  OI_UNTIL,  /* until LITERAL */
} OpItemKind;

typedef struct OpItem {
  OpItemKind kind;
  Loc loc;
  char *name;        /* first word (`from`/`until` for OI_FROM/OI_UNTIL) */
  Loc name_loc;
  PtrVec values;     /* OpValue*: OI_VALUES values; OI_ON words after `on` */
  char *word;        /* OI_STAMP / OI_TIMES: the word before the time (`at`) */
  Loc word_loc;
  PtrVec times;      /* OpTime*: OI_TIMES, OI_ON */
  Expr *stamp;       /* OI_STAMP; OI_FROM / OI_UNTIL: the literal */
} OpItem;

/* `schedule LINE` or `schedule { LINES }`; the same for `approval`
 * (`approval none` is one OI_VALUES line named none without values). */
typedef struct OpBlock {
  Loc loc;
  int braced;
  PtrVec items;      /* OpItem* */
} OpBlock;

/* ---------------------------------------------------------------- decls */

typedef enum { D_IMPORT, D_SCHEMA, D_CAMPAIGN, D_FUNC, D_FILTER, D_PROVIDER, D_MOPS, D_DISTRIB, D_PRESSURE } DeclKind;

/* ------------------------------------------------ marketing operations */

/* `KIND NAME { field value, value; ... }`: a plan, program, status set,
 * task, cost line, stock item (docs/marketing-ops.md).  The grammar is
 * generic; compiler/check/check_mops.c gives kinds and fields meaning. */
typedef enum { MV_WORD, MV_STRING, MV_INT, MV_DEC, MV_DATE } MopsValueKind;

typedef struct MopsValue {
  Loc loc;
  MopsValueKind kind;
  char *text;      /* word, string, decimal or date as written */
  int64_t ival;    /* int */
  double dval;     /* decimal */
  int comma;       /* written after a `,` */
} MopsValue;

typedef struct MopsField {
  Loc loc;
  char *name;
  PtrVec values;   /* MopsValue* */
  Expr *rule;      /* `add where RULE` in a segment; NULL */
  PtrVec order;    /* `order by a desc, b` (OrderItem*): a stock item's limit priority */
} MopsField;

/* ------------------------------------------------ distributed marketing */

/* A form parameter of a package: `discount int between 5 and 30 default 10`,
 * `message text limit 80` (docs/distributed.md). */
typedef struct FormParam {
  Loc loc;
  char *name;
  TypeRef *type;
  Expr *lo, *hi;      /* between lo and hi, or NULL */
  Expr *def;          /* default, or NULL */
  int64_t maxlen;     /* limit N (text length); has_maxlen */
  int has_maxlen;
} FormParam;

/* One line of an `entity` / `package` block or of a local approval step:
 * `name v, v`, `visible D until D`, `campaign NAME`, `form { params }`. */
typedef struct DistField {
  Loc loc;
  char *name;
  Loc name_loc;
  PtrVec values;      /* Expr*: literals, and words as E_NAME */
  Expr *until;        /* `name V until V` */
  PtrVec params;      /* FormParam*: `form { ... }` */
  int braced;
} DistField;

/* A breakdown line of a local approval: `7 "Malmo" -> store_07 limit 50`. */
typedef struct Breakdown {
  Loc loc;
  Expr *value;
  char *label;        /* or NULL */
  char *entity;
  Loc entity_loc;
  int has_limit, percent;
  int64_t limit;
} Breakdown;

/* ------------------------------------------------------------ providers */

/* One value of a provider field: `"text"`, `42`, `2.5`, `30s`, `env "VAR"`
 * (the NAME of an environment variable, read when sending) or a bare word
 * (`smtp`, `required`, `true`). */
typedef enum { PV_STRING, PV_INT, PV_DEC, PV_DURATION, PV_ENV, PV_WORD } ProviderValueKind;

typedef struct ProviderValue {
  Loc loc;
  ProviderValueKind kind;
  char *text;      /* string, env var name, word, decimal as written */
  int64_t ival;    /* int, duration seconds */
  double dval;     /* decimal */
} ProviderValue;

/* `name value value ...` inside `provider NAME { ... }`. */
typedef struct ProviderField {
  Loc loc;
  char *name;
  PtrVec values;   /* ProviderValue* */
} ProviderField;

typedef struct Param {
  Loc loc;
  char *name;
  TypeRef *type;
} Param;

typedef struct HeaderField {
  Loc loc;
  char *name;
  Expr *value;
  int percent;         /* written `N%` (`holdout 5%`) */
} HeaderField;

typedef struct Decl Decl;
struct Decl {
  DeclKind kind;
  Loc loc;
  Loc name_loc;
  char *name;           /* schema/campaign/func/filter name; import path */
  PtrVec fields;        /* schema: FieldDecl* */
  PtrVec headers;       /* campaign: HeaderField* */
  PtrVec steps;         /* campaign: Step* */
  OpBlock *schedule;    /* campaign: `schedule ...` or NULL */
  OpBlock *approval;    /* campaign: `approval ...` or NULL */
  PtrVec params;        /* func/filter: Param* */
  TypeRef *ret;         /* func result type */
  char *on_schema;      /* filter ... on schema */
  Loc on_loc;
  Expr *body;           /* func/filter body */
  PtrVec pfields;       /* provider: ProviderField* */
  char *mops_kind;      /* D_MOPS: `plan`, `program`, `task`, ... */
  Loc mops_kind_loc;
  PtrVec mops_fields;   /* D_MOPS: MopsField* */
  PtrVec mops;          /* campaign: Decl* (D_MOPS) inside it */
  char *dkind;          /* D_DISTRIB: "entity", "package" or "group" */
  PtrVec dfields;       /* D_DISTRIB: DistField* */
  int consent;          /* filter: 1 + Channel for `consent CHANNEL on SCHEMA = rule` (policy) */
  struct Expr *consent_rule; /* its checked rule (compiler/check/check_policy.c) */
  /* pressure CHANNEL|all max N per DURATION (contact policy): consent holds
   * 1 + Channel, or 0 for all channels; pmax = N; pperiod = the duration */
  int64_t pmax;
  struct Expr *pperiod;
  Loc pmax_loc;
  /* --- checker annotations --- */
  struct Schema *schema;
  struct Type *ret_type;
  int from_stdlib;
  int checking;         /* recursion guard while inlining */
  int recursive;        /* recursion already reported */
  struct CampOps *ops;  /* campaign: checked schedule, approval, dates */
  struct MopsCampaign *mops_info; /* campaign: checked tasks, program, costs */
};

/* A comment kept for `camp fmt`: text without the leading `//` or `#`. */
typedef struct Comment {
  Loc loc;
  char *text;
  int own_line;        /* nothing but blanks before it on its line */
} Comment;

typedef struct Module {
  int file;            /* index in Diags */
  PtrVec decls;        /* Decl* */
  PtrVec comments;     /* Comment* in source order */
} Module;

/* Parses one source (already registered in diags) into a Module.  Syntax
 * errors are reported to diags; the returned module holds whatever parsed. */
Module *parse_source(Arena *a, Diags *d, int file);

/* Constructors used by the parser. */
Expr *expr_new(Arena *a, ExprKind k, Loc loc);
Expr *expr_binary(Arena *a, BinOp op, Expr *l, Expr *r, Loc loc);
Step *step_new(Arena *a, StepKind k, Loc loc);
const char *binop_text(BinOp op);
const char *channel_name(Channel c);

#endif
