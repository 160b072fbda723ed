/* parser.y — grammar of the camp language (bison, pure, with locations).
 * Newlines carry no meaning: statements end where the next one begins.
 * Error recovery resumes at the next declaration, step or `}` so one run
 * reports several syntax errors. */
%code requires {
#include "lang/ast.h"
#include "lang/lexstate.h"
typedef void *yyscan_t;
#define CAMP_YYLTYPE Loc
#define CAMP_YYLTYPE_IS_DECLARED 1
}

%code {
#include <stdlib.h>
#include <string.h>
int camp_yylex(CAMP_YYSTYPE *lval, Loc *lloc, yyscan_t scanner);
static void camp_yyerror(Loc *loc, yyscan_t scanner, LexState *st, const char *msg);
#define A (st->arena)
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                       \
  do {                                                                    \
    if (N) {                                                              \
      (Cur) = YYRHSLOC(Rhs, 1);                                           \
      (Cur).end_line = YYRHSLOC(Rhs, N).end_line;                         \
      (Cur).end_col = YYRHSLOC(Rhs, N).end_col;                           \
      (Cur).end_off = YYRHSLOC(Rhs, N).end_off;                           \
    } else {                                                              \
      (Cur) = YYRHSLOC(Rhs, 0);                                           \
      (Cur).line = (Cur).end_line;                                        \
      (Cur).col = (Cur).end_col;                                          \
      (Cur).off = (Cur).end_off;                                          \
    }                                                                     \
  } while (0)

static Loc *loc_copy(Arena *a, Loc l) {
  Loc *p = arena_alloc(a, sizeof *p);
  *p = l;
  return p;
}
static PtrVec vec1(Arena *a, void *x) {
  PtrVec v = {0};
  vec_push(a, &v, x);
  return v;
}
static Expr *lit(Arena *a, ExprKind k, Loc l) { return expr_new(a, k, l); }
/* A duration literal keeps its text as written ("7d"), so the formatter
 * keeps the user's unit. */
static Expr *duration(LexState *st, int64_t secs, Loc l) {
  Expr *e = expr_new(st->arena, E_DURATION, l);
  e->ival = secs;
  const SourceFile *f = diags_file(st->diags, l.file);
  if (f && l.off >= 0 && l.end_off > l.off && (size_t)l.end_off <= f->len)
    e->text = arena_strndup(st->arena, f->text + l.off, (size_t)(l.end_off - l.off));
  return e;
}
static StepInput *input(Arena *a, char *name, Loc l) {
  StepInput *in = arena_alloc(a, sizeof *in);
  in->name = name;
  in->loc = l;
  return in;
}
/* After a syntax error, lists half-built by the broken statement must not
 * leak into the next one (they would give it wrong locations). */
static void clear_scratch(LexState *st) {
  memset(&st->params, 0, sizeof st->params);
  memset(&st->inputs, 0, sizeof st->inputs);
  memset(&st->on_locs, 0, sizeof st->on_locs);
  memset(&st->out_locs, 0, sizeof st->out_locs);
}

static OpItem *op_item(Arena *a, OpItemKind k, char *name, Loc name_loc, Loc l) {
  OpItem *it = arena_alloc(a, sizeof *it);
  it->kind = k;
  it->name = name;
  it->name_loc = name_loc;
  it->loc = l;
  return it;
}
/* A campaign has one schedule and one approval: the second is an error. */
static void set_block(LexState *st, OpBlock **slot, OpBlock *b, const char *what) {
  if (*slot) {
    diag_error(st->diags, b->loc, "`%s` is set twice", what);
    diag_note(st->diags, (*slot)->loc, "first set here");
    return;
  }
  *slot = b;
}

static Step *combine_step(LexState *st, CombineOp op, PtrVec on, Loc l) {
  Step *s = step_new(st->arena, S_COMBINE, l);
  s->combine = op;
  s->inputs = st->inputs;
  s->on_cols = on;
  s->on_locs = st->on_locs;
  memset(&st->inputs, 0, sizeof st->inputs);
  memset(&st->on_locs, 0, sizeof st->on_locs);
  return s;
}
static Step *unary_step(Arena *a, StepKind k, char *name, Loc nl, Loc l) {
  Step *s = step_new(a, k, l);
  vec_push(a, &s->inputs, input(a, name, nl));
  return s;
}
/* `holdout P% of INPUT` (contact policy): P as written goes to text. */
static Step *holdout_step(LexState *st, const char *word, Loc wl, char *percent, Loc pl, char *in, Loc il, Loc l) {
  if (strcmp(word, "holdout"))
    diag_error(st->diags, wl, "syntax error: unexpected name `%s` (a step written `N%% of INPUT` is `holdout N%% of INPUT`)", word);
  Step *s = unary_step(st->arena, S_HOLDOUT, in, il, l);
  s->text = percent;
  s->text_loc = pl;
  return s;
}
}

%define api.pure full
%define api.prefix {camp_yy}
%define parse.error verbose
%locations
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {LexState *st}

%union {
  int64_t i;
  char *s;
  Expr *e;
  Step *step;
  Decl *decl;
  TypeRef *type;
  FieldDecl *field;
  EnrichItem *enrich;
  SplitBranch *branch;
  ChannelProp *prop;
  OrderItem *order;
  ProviderField *pfield;
  ProviderValue *pval;
  OpBlock *opblock;
  OpItem *opitem;
  OpValue *opval;
  OpTime *optime;
  MopsValue *mval;
  MopsField *mfield;
  DistField *dfield;
  FormParam *fparam;
  Breakdown *bdown;
  PtrVec v;
  int flag;
}

%token <s> IDENT "name" STRING "string" DEC "decimal number" DATE "date"
%token <s> TIMESTAMP "timestamp"
%token <s> DISTKW "entity or package"
%token <i> INT "integer" DURATION "duration" ORDINAL "ordinal"
%token ARROW "->" NE "!=" LE "<=" GE ">=" CONCAT "||"
%token <s> IMPORT "import"
%token <s> SCHEMA "schema"
%token <s> CAMPAIGN "campaign"
%token <s> FUNC "func"
%token <s> FILTER "filter"
%token <s> KEY "key"
%token <s> UNIQUE "unique"
%token <s> ADDRESS "address"
%token <s> DEFAULT "default"
%token <s> VERSION "version"
%token <s> ENUM "enum"
%token <s> ON "on"
%token <s> PROVIDER "provider"
%token <s> SCHEDULE "schedule"
%token <s> APPROVAL "approval"
%token <s> UNION "union"
%token <s> INTERSECT "intersect"
%token <s> EXCEPT "except"
%token <s> DEDUP "dedup"
%token <s> ENRICH "enrich"
%token <s> SPLIT "split"
%token <s> CHANGE "change"
%token <s> DIMENSION "dimension"
%token <s> FORK "fork"
%token <s> JOIN "join"
%token <s> WAIT "wait"
%token <s> SAVE "save"
%token <s> AUDIENCE "audience"
%token <s> RETARGET "retarget"
%token <s> RECONCILE "reconcile"
%token <s> EMAIL "email"
%token <s> SMS "sms"
%token <s> PUSH "push"
%token <s> MAIL "mail"
%token <s> WHERE "where"
%token <s> BY "by"
%token <s> KEEP "keep"
%token <s> PREFER "prefer"
%token <s> FIRST "first"
%token <s> ORDER "order"
%token <s> ASC "asc"
%token <s> DESC "desc"
%token <s> WHEN "when"
%token <s> LIMIT "limit"
%token <s> ELSE "else"
%token <s> OVERLAP "overlap"
%token <s> SKIP "skip"
%token <s> EMPTY "empty"
%token <s> TO "to"
%token <s> VIA "via"
%token <s> PRIMARY "primary"
%token <s> UNTIL "until"
%token <s> AS "as"
%token <s> OF "of"
%token <s> WITHIN "within"
%token <s> COLUMNS "columns"
%token <s> SUBJECT "subject"
%token <s> TEMPLATE "template"
%token <s> BODY "body"
%token <s> EXTRACT "extract"
%token <s> FROM "from"
%token <s> ENV "env"
%token <s> AND "and"
%token <s> OR "or"
%token <s> NOT "not"
%token <s> IN "in"
%token <s> BETWEEN "between"
%token <s> IS "is"
%token <s> LIKE "like"
%token <s> CONTAINS "contains"
%token <s> STARTS "starts"
%token <s> WITH "with"
%token <s> EXISTS "exists"
%token <s> NULLS "nulls"
%token <s> DISTINCT "distinct"
%token <s> NULL_KW "null"
%token <s> TRUE_KW "true"
%token <s> FALSE_KW "false"

%type <s> ident soft_kw source_ident plain_kw
%type <e> expr or_expr and_expr not_expr pred arith term unary postfix primary
%type <e> literal signed_literal call_arg
%type <v> expr_list call_args ident_list outputs order_list
%type <v> fields enrich_items branches props params label_list rcols rcols_opt matches
%type <v> on_opt order_opt
%type <step> step channel_step
%type <decl> decl policy_decl
%type <type> typeref
%type <field> field
%type <enrich> enrich_item
%type <branch> branch branch_opts
%type <prop> prop
%type <pfield> pfield
%type <pval> pval
%type <v> pfields pvals
%type <s> pname
%type <order> order_item
%type <opblock> op_block op_line
%type <opitem> op_item op_rule
%type <opval> op_val op_word
%type <optime> op_time
%type <v> op_items op_vals op_words op_times
%type <i> channel keep_opt pressure_channel
%type <flag> split_flags
%type <v> prefer_opt
%type <decl> mops_decl
%type <v> mops_fields mops_vals
%type <mfield> mops_field
%type <mval> mops_val mops_word
%type <s> mops_fname
%type <decl> dist_decl
%type <dfield> dfield
%type <fparam> fparam
%type <bdown> bd_item
%type <e> dval
%type <v> dfields dvals fparams la_items
%type <s> bd_label
%type <step> la_step

/* Four shift/reduce conflicts, all resolved by shifting: the rule after
 * `exists coll where` extends as far right as possible (and/or/where). */
%expect 4

%start file

%%

file
  : %empty
  | file decl               { if ($2) vec_push(A, &st->module->decls, $2); }
  | file ';'
  | file error decl_end     { clear_scratch(st); }
  ;

decl_end: '}' | ';' ;

decl
  : IMPORT STRING {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_IMPORT; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; }
  | SCHEMA ident '{' fields '}' {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_SCHEMA; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; $$->fields = $4; }
  | CAMPAIGN ident '{' campaign_items '}' {
      $$ = st->campaign; st->campaign = NULL; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; }
  | FUNC ident '(' params ')' typeref '=' expr {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_FUNC; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; $$->params = $4; $$->ret = $6; $$->body = $8; }
  | FILTER ident ON ident '=' expr {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_FILTER; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; $$->on_schema = $4; $$->on_loc = @4;
      $$->body = $6; }
  | FILTER ident '(' params ')' ON ident '=' expr {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_FILTER; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; $$->params = $4; $$->on_schema = $7;
      $$->on_loc = @7; $$->body = $9; }
  | PROVIDER ident '{' pfields '}' {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_PROVIDER; $$->loc = @$;
      $$->name = $2; $$->name_loc = @2; $$->pfields = $4; }
  | mops_decl
  | dist_decl
  | policy_decl
  ;

/* ==================================== marketing operations (issue 18) ====
 * `plan NAME { ... }`, `task NAME { ... }`, ... at the top or inside a
 * campaign.  A field is a name and one value, values separated by commas
 * (`next approved, cancelled`), or a word followed by values
 * (`per_piece letters 0.85`); newlines carry no meaning, so two words in a
 * row start a new field.  check_mops.c gives kinds and fields meaning. */

mops_decl
  : IDENT ident '{' mops_fields '}' {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_MOPS; $$->loc = @$;
      $$->mops_kind = $1; $$->mops_kind_loc = @1;
      $$->name = $2; $$->name_loc = @2; $$->mops_fields = $4; }
  /* `segment NAME on DIMENSION { add where RULE ... }` (a D365 segment);
   * check_mops_segment.c says which kinds take `on` */
  | IDENT source_ident ON ident '{' mops_fields '}' {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_MOPS; $$->loc = @$;
      $$->mops_kind = $1; $$->mops_kind_loc = @1;
      $$->name = $2; $$->name_loc = @2; $$->on_schema = $4; $$->on_loc = @4;
      $$->mops_fields = $6; }
  ;

mops_fields
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | mops_fields mops_field  { $$ = $1; vec_push(A, &$$, $2); }
  | mops_fields ';'         { $$ = $1; }
  | mops_fields error       { $$ = $1; }
  ;

mops_field
  : mops_fname mops_vals    { $$ = arena_alloc(A, sizeof(MopsField)); $$->loc = @$;
                              $$->name = $1; $$->values = $2; }
  /* a segment's criterion: `add where tier = "gold"` */
  | mops_fname WHERE expr   { $$ = arena_alloc(A, sizeof(MopsField)); $$->loc = @$;
                              $$->name = $1; $$->rule = $3; }
  /* a stock item's priority under `on_shortage limit` */
  | ORDER BY order_list     { $$ = arena_alloc(A, sizeof(MopsField)); $$->loc = @$;
                              $$->name = "order"; $$->order = $3; }
  ;

mops_fname : IDENT | FROM | UNTIL | TEMPLATE | LIMIT ;

mops_vals
  : mops_word               { $$ = vec1(A, $1); }
  | mops_val                { $$ = vec1(A, $1); }
  | mops_vals mops_val      { $$ = $1; vec_push(A, &$$, $2); }
  | mops_vals ',' mops_word { $$ = $1; $3->comma = 1; vec_push(A, &$$, $3); }
  | mops_vals ',' mops_val  { $$ = $1; $3->comma = 1; vec_push(A, &$$, $3); }
  ;

mops_word
  : IDENT                   { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_WORD; $$->text = $1; }
  | channel                 { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_WORD; $$->text = (char *)channel_name((Channel)$1); }
  | LIMIT                   { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_WORD; $$->text = "limit"; } /* on_shortage limit */
  ;

mops_val
  : STRING                  { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_STRING; $$->text = $1; }
  | INT                     { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_INT; $$->ival = $1; }
  | '-' INT                 { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_INT; $$->ival = -$2; }
  | DEC                     { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_DEC; $$->text = $1; $$->dval = atof($1); }
  | DATE                    { $$ = arena_alloc(A, sizeof(MopsValue)); $$->loc = @$;
                              $$->kind = MV_DATE; $$->text = $1; }
  ;
/* ============================== end of marketing operations (issue 18) == */

/* ======================= distributed marketing (docs/distributed.md) ====
 * `entity NAME { ... }` and `package NAME { ... }` start with DISTKW: the
 * lexer gives `entity` / `package` that token only where a declaration
 * starts at the top level (lang/lexer.l), so they stay plain names
 * everywhere else and a marketing-operations `KIND NAME { }` block cannot
 * be mistaken for one; before: a plain name
 * (no new reserved word), and a local approval is the step
 * `ok, refused = approval local INPUT { ... }`.  Lines are a name and
 * comma-separated values; compiler/check/check_distrib.c gives them their
 * meaning and reports wrong ones at their location. */

dist_decl
  : DISTKW ident '{' dfields '}' {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_DISTRIB; $$->loc = @$;
      $$->dkind = $1; $$->name = $2; $$->name_loc = @2; $$->dfields = $4; }
  ;

dfields
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | dfields dfield          { $$ = $1; vec_push(A, &$$, $2); }
  | dfields ';'             { $$ = $1; }
  | dfields error           { $$ = $1; }
  ;

dfield
  : IDENT dvals             { $$ = arena_alloc(A, sizeof(DistField)); $$->loc = @$; $$->name = $1;
                              $$->name_loc = @1; $$->values = $2; }
  | IDENT dval UNTIL dval   { $$ = arena_alloc(A, sizeof(DistField)); $$->loc = @$; $$->name = $1;
                              $$->name_loc = @1; $$->values = vec1(A, $2); $$->until = $4; }
  | CAMPAIGN ident          { $$ = arena_alloc(A, sizeof(DistField)); $$->loc = @$; $$->name = $1;
                              $$->name_loc = @1; Expr *e = expr_new(A, E_NAME, @2); e->name = $2;
                              $$->values = vec1(A, e); }
  | IDENT '{' fparams '}'   { $$ = arena_alloc(A, sizeof(DistField)); $$->loc = @$; $$->name = $1;
                              $$->name_loc = @1; $$->params = $3; $$->braced = 1; }
  /* `variant campaign`: the reserved word as a value */
  | IDENT CAMPAIGN          { $$ = arena_alloc(A, sizeof(DistField)); $$->loc = @$; $$->name = $1;
                              $$->name_loc = @1; Expr *e = expr_new(A, E_NAME, @2); e->name = $2;
                              $$->values = vec1(A, e); }
  ;

dvals
  : dval                    { $$ = vec1(A, $1); }
  | dvals ',' dval          { $$ = $1; vec_push(A, &$$, $3); }
  ;

dval
  : literal
  | '-' INT                 { $$ = lit(A, E_INT, @$); $$->ival = -$2; }
  | ident                   { $$ = expr_new(A, E_NAME, @$); $$->name = $1; }
  ;

fparams
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | fparams fparam          { $$ = $1; vec_push(A, &$$, $2); }
  | fparams ';'             { $$ = $1; }
  | fparams error           { $$ = $1; }
  ;

fparam
  : ident typeref           { $$ = arena_alloc(A, sizeof(FormParam)); $$->loc = @$; $$->name = $1;
                              $$->type = $2; }
  | fparam BETWEEN signed_literal AND signed_literal { $$ = $1; $$->lo = $3; $$->hi = $5;
                              $$->loc.end_line = @5.end_line; $$->loc.end_col = @5.end_col;
                              $$->loc.end_off = @5.end_off; }
  | fparam DEFAULT signed_literal { $$ = $1; $$->def = $3; $$->loc.end_line = @3.end_line;
                              $$->loc.end_col = @3.end_col; $$->loc.end_off = @3.end_off; }
  | fparam LIMIT INT        { $$ = $1; $$->maxlen = $3; $$->has_maxlen = 1;
                              $$->loc.end_line = @3.end_line; $$->loc.end_col = @3.end_col;
                              $$->loc.end_off = @3.end_off; }
  ;

la_step
  : APPROVAL IDENT ident '{' la_items '}' {
      if (strcmp($2, "local")) {
        diag_error(st->diags, @2, "unknown approval step `approval %s`", $2);
        diag_hint(st->diags, "a local approval step is written `ok, refused = approval local INPUT { ... }`");
      }
      $$ = unary_step(A, S_LOCAL_APPROVAL, $3, @3, @$);
      for (int i = 0; i < $5.len; i++) {
        DistField *f = $5.items[i];
        if (f->name) vec_push(A, &$$->dfields, f);
        else vec_push(A, &$$->breakdown, f->params.items[0]);
      } }
  ;

/* Settings and breakdown lines, kept apart by the action above: a
 * breakdown line travels in a DistField without a name. */
la_items
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | la_items dfield         { $$ = $1; vec_push(A, &$$, $2); }
  | la_items bd_item        { $$ = $1; DistField *w = arena_alloc(A, sizeof *w); w->loc = $2->loc;
                              w->params = vec1(A, $2); vec_push(A, &$$, w); }
  | la_items ';'            { $$ = $1; }
  | la_items error          { $$ = $1; }
  ;

bd_item
  : literal bd_label ARROW ident { $$ = arena_alloc(A, sizeof(Breakdown));
                              $$->loc = @$; $$->value = $1; $$->label = $2; $$->entity = $4; $$->entity_loc = @4; }
  | bd_item LIMIT INT       { $$ = $1; $$->has_limit = 1; $$->limit = $3; }
  | bd_item LIMIT INT '%'   { $$ = $1; $$->has_limit = 1; $$->limit = $3; $$->percent = 1; }
  ;

bd_label
  : %empty                  { $$ = NULL; }
  | STRING
  ;

/* ================== end of distributed marketing ======================= */

/* ------------------------------------------------ contact policy (issue 15)
 * `consent email on customers = exists consents where channel = email and granted`
 * declares where a channel's consent lives, as a rule over the schema's rows.
 * It is a filter named consent_<channel> (usable as `customers where
 * consent_email`) that the runtime enforces on every channel step of that
 * dimension (docs/policy.md; compiler/check/check_policy.c). `consent` is
 * not a keyword: any other word there is a syntax error. */
policy_decl
  : IDENT channel ON ident '=' expr {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_FILTER; $$->loc = @$;
      if (strcmp($1, "consent"))
        diag_error(st->diags, @1, "syntax error: unexpected name `%s` (a declaration starts with schema, campaign, func, filter, provider, import or consent)", $1);
      $$->consent = 1 + $2;
      $$->name = arena_printf(A, "consent_%s", channel_name((Channel)$2)); $$->name_loc = @2;
      $$->on_schema = $4; $$->on_loc = @4; $$->body = $6; }
/* `pressure email max 3 per 7d`, `pressure all max 5 per 7d`: at most N
 * messages per rolling period to one recipient (docs/policy.md). */
  | IDENT pressure_channel IDENT INT IDENT DURATION {
      $$ = arena_alloc(A, sizeof(Decl)); $$->kind = D_PRESSURE; $$->loc = @$;
      if (strcmp($1, "pressure"))
        diag_error(st->diags, @1, "syntax error: unexpected name `%s` (a declaration starts with schema, campaign, func, filter, provider, import, consent or pressure)", $1);
      if (strcmp($3, "max")) diag_error(st->diags, @3, "syntax error: `pressure %s` is followed by `max N per DURATION`", $2 ? channel_name((Channel)($2 - 1)) : "all");
      if (strcmp($5, "per")) diag_error(st->diags, @5, "syntax error: `max %lld` is followed by `per DURATION`", (long long)$4);
      $$->name = "pressure"; $$->name_loc = @1;
      $$->consent = $2; $$->pmax = $4; $$->pmax_loc = @4; $$->pperiod = duration(st, $6, @6); }
  ;

/* 1 + Channel, or 0 for `all`. */
pressure_channel
  : channel                 { $$ = 1 + $1; }
  | IDENT                   { $$ = 0; if (strcmp($1, "all")) diag_error(st->diags, @1, "pressure applies to email, sms, push, mail or all, not `%s`", $1); }
  ;
/* ------------------------------------------- end of contact policy grammar */

/* ------------------------------------------------------------ providers */

pfields
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | pfields pfield          { $$ = $1; vec_push(A, &$$, $2); }
  | pfields ';'             { $$ = $1; }
  | pfields error           { $$ = $1; }
  ;

/* `kind smtp`, `url "..."`, `header "X-Key" "k-" env "KEY"`: a name, then
 * one bare word or one or more values (juxtaposed values concatenate). */
pfield
  : pname pvals             { $$ = arena_alloc(A, sizeof(ProviderField)); $$->loc = @$;
                              $$->name = $1; $$->values = $2; }
  | pname IDENT             { $$ = arena_alloc(A, sizeof(ProviderField)); $$->loc = @$; $$->name = $1;
                              ProviderValue *v = arena_alloc(A, sizeof *v); v->loc = @2;
                              v->kind = PV_WORD; v->text = $2; $$->values = vec1(A, v); }
  | pname channel           { $$ = arena_alloc(A, sizeof(ProviderField)); $$->loc = @$; $$->name = $1;
                              ProviderValue *v = arena_alloc(A, sizeof *v); v->loc = @2;
                              v->kind = PV_WORD; v->text = (char *)channel_name((Channel)$2);
                              $$->values = vec1(A, v); }
  | pname TRUE_KW           { $$ = arena_alloc(A, sizeof(ProviderField)); $$->loc = @$; $$->name = $1;
                              ProviderValue *v = arena_alloc(A, sizeof *v); v->loc = @2;
                              v->kind = PV_WORD; v->text = "true"; $$->values = vec1(A, v); }
  | pname FALSE_KW          { $$ = arena_alloc(A, sizeof(ProviderField)); $$->loc = @$; $$->name = $1;
                              ProviderValue *v = arena_alloc(A, sizeof *v); v->loc = @2;
                              v->kind = PV_WORD; v->text = "false"; $$->values = vec1(A, v); }
  ;

pname : IDENT | FROM | BODY | SUBJECT | TEMPLATE | KEY | DEFAULT | LIMIT ;

pvals
  : pval                    { $$ = vec1(A, $1); }
  | pvals pval              { $$ = $1; vec_push(A, &$$, $2); }
  ;

pval
  : STRING                  { $$ = arena_alloc(A, sizeof(ProviderValue)); $$->loc = @$;
                              $$->kind = PV_STRING; $$->text = $1; }
  | INT                     { $$ = arena_alloc(A, sizeof(ProviderValue)); $$->loc = @$;
                              $$->kind = PV_INT; $$->ival = $1; }
  | DEC                     { $$ = arena_alloc(A, sizeof(ProviderValue)); $$->loc = @$;
                              $$->kind = PV_DEC; $$->text = $1; $$->dval = atof($1); }
  | DURATION                { $$ = arena_alloc(A, sizeof(ProviderValue)); $$->loc = @$;
                              $$->kind = PV_DURATION; $$->ival = $1;
                              $$->text = duration(st, $1, @1)->text; /* the unit as written */ }
  | ENV STRING              { $$ = arena_alloc(A, sizeof(ProviderValue)); $$->loc = @$;
                              $$->kind = PV_ENV; $$->text = $2; }
  ;

/* ------------------------------------------------------------- schemas */

fields
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | fields field            { $$ = $1; vec_push(A, &$$, $2); }
  | fields ';'              { $$ = $1; }
  | fields error            { $$ = $1; }
  ;

field
  : ident typeref           { $$ = arena_alloc(A, sizeof(FieldDecl)); $$->loc = @1;
                              $$->name = $1; $$->type = $2; }
  | field KEY               { $$ = $1; $$->is_key = 1; }
  | field UNIQUE            { $$ = $1; $$->is_unique = 1; }
  | field VERSION           { $$ = $1; $$->is_version = 1; }
  | field ADDRESS '(' ident ')' { $$ = $1; $$->address = $4; $$->address_loc = @4; }
  | field DEFAULT signed_literal { $$ = $1; $$->default_value = $3; }
  | field ARROW ident       { $$ = $1; $$->link_target = $3; $$->link_loc = @3; }
  ;

typeref
  : ident                   { $$ = arena_alloc(A, sizeof(TypeRef)); $$->loc = @1; $$->name = $1; }
  | ENUM '(' label_list ')' { $$ = arena_alloc(A, sizeof(TypeRef)); $$->loc = @$;
                              $$->name = "enum"; $$->labels = $3; }
  ;

label_list
  : ident                   { $$ = vec1(A, $1); }
  | label_list ',' ident    { $$ = $1; vec_push(A, &$$, $3); }
  ;

params
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | param_list              { $$ = st->params; memset(&st->params, 0, sizeof st->params); }
  ;

param_list
  : param
  | param_list ',' param
  ;

param
  : ident typeref           { Param *p = arena_alloc(A, sizeof *p); p->loc = @1;
                              p->name = $1; p->type = $2; vec_push(A, &st->params, p); }
  ;

/* ------------------------------------------------------------ campaigns */

campaign_items
  : %empty                  { st->campaign = arena_alloc(A, sizeof(Decl));
                              st->campaign->kind = D_CAMPAIGN; }
  | campaign_items campaign_item
  | campaign_items ';'
  | campaign_items error    { clear_scratch(st); }
  ;

campaign_item
  : IDENT literal           { HeaderField *h = arena_alloc(A, sizeof *h); h->loc = @$;
                              h->name = $1; h->value = $2;
                              vec_push(A, &st->campaign->headers, h); }
  | IDENT INT '%'            { HeaderField *h = arena_alloc(A, sizeof *h); h->loc = @$; /* holdout 5% (policy) */
                              h->name = $1; h->value = lit(A, E_INT, @2); h->value->ival = $2; h->percent = 1;
                              vec_push(A, &st->campaign->headers, h); }
  | IDENT DEC '%'            { HeaderField *h = arena_alloc(A, sizeof *h); h->loc = @$;
                              h->name = $1; h->value = lit(A, E_DEC, @2); h->value->text = $2; h->value->dval = atof($2); h->percent = 1;
                              vec_push(A, &st->campaign->headers, h); }
  | outputs '=' step        { $3->outputs = $1; $3->output_locs = st->out_locs;
                              memset(&st->out_locs, 0, sizeof st->out_locs);
                              $3->loc = @$; vec_push(A, &st->campaign->steps, $3); }
  | channel_step            { vec_push(A, &st->campaign->steps, $1); }
  | SAVE ident AS STRING    { Step *s = unary_step(A, S_SAVE, $2, @2, @$); s->text = $4;
                              s->text_loc = @4; vec_push(A, &st->campaign->steps, s); }
  | SCHEDULE op_block       { $2->loc = @$; set_block(st, &st->campaign->schedule, $2, "schedule"); }
  | APPROVAL op_line        { $2->loc = @$; set_block(st, &st->campaign->approval, $2, "approval"); }
  | mops_decl               { vec_push(A, &st->campaign->mops, $1); }   /* issue 18 */
  ;

/* ------------------------------------------- schedule and approval blocks */

/* `schedule daily at 08:00` (one rule) or `schedule { ... }` (lines). */
op_block
  : op_rule                 { $$ = arena_alloc(A, sizeof(OpBlock)); $$->items = vec1(A, $1); }
  | '{' op_items '}'        { $$ = arena_alloc(A, sizeof(OpBlock)); $$->braced = 1; $$->items = $2; }
  ;

/* `approval none` or `approval { ... }`. */
op_line
  : IDENT                   { $$ = arena_alloc(A, sizeof(OpBlock));
                              OpItem *it = op_item(A, OI_VALUES, $1, @1, @1); $$->items = vec1(A, it); }
  | '{' op_items '}'        { $$ = arena_alloc(A, sizeof(OpBlock)); $$->braced = 1; $$->items = $2; }
  ;

op_items
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | op_items op_item        { $$ = $1; vec_push(A, &$$, $2); }
  | op_items ';'            { $$ = $1; }
  | op_items error          { $$ = $1; }
  ;

/* A line inside braces: a name with comma-separated values (words too),
 * a rule, or the validity `from` / `until`. */
op_item
  : IDENT op_vals           { $$ = op_item(A, OI_VALUES, $1, @1, @$); $$->values = $2; }
  | IDENT IDENT TIMESTAMP   { $$ = op_item(A, OI_STAMP, $1, @1, @$); $$->word = $2; $$->word_loc = @2;
                              $$->stamp = lit(A, E_TIMESTAMP, @3); $$->stamp->text = $3; }
  | IDENT IDENT op_times    { $$ = op_item(A, OI_TIMES, $1, @1, @$); $$->word = $2; $$->word_loc = @2;
                              $$->times = $3; }
  | IDENT ON op_words op_times { $$ = op_item(A, OI_ON, $1, @1, @$); $$->values = $3; $$->times = $4; }
  | FROM literal            { $$ = op_item(A, OI_FROM, "from", @1, @$); $$->stamp = $2; }
  | UNTIL literal           { $$ = op_item(A, OI_UNTIL, "until", @1, @$); $$->stamp = $2; }
  ;

/* A rule on the `schedule` line itself (no bare-word values there: the
 * next campaign item may start with a name). */
op_rule
  : IDENT literal           { $$ = op_item(A, OI_VALUES, $1, @1, @$);
                              OpValue *v = arena_alloc(A, sizeof *v); v->kind = OV_LITERAL;
                              v->loc = @2; v->lit = $2; $$->values = vec1(A, v); }
  | IDENT IDENT TIMESTAMP   { $$ = op_item(A, OI_STAMP, $1, @1, @$); $$->word = $2; $$->word_loc = @2;
                              $$->stamp = lit(A, E_TIMESTAMP, @3); $$->stamp->text = $3; }
  | IDENT IDENT op_times    { $$ = op_item(A, OI_TIMES, $1, @1, @$); $$->word = $2; $$->word_loc = @2;
                              $$->times = $3; }
  | IDENT ON op_words op_times { $$ = op_item(A, OI_ON, $1, @1, @$); $$->values = $3; $$->times = $4; }
  ;

op_vals
  : op_val                  { $$ = vec1(A, $1); }
  | op_vals ',' op_val      { $$ = $1; vec_push(A, &$$, $3); }
  ;

op_val
  : signed_literal          { $$ = arena_alloc(A, sizeof(OpValue)); $$->loc = @$;
                              if ($1->kind == E_NAME) { $$->kind = OV_WORD; $$->word = $1->name; }
                              else { $$->kind = OV_LITERAL; $$->lit = $1; } }
  ;

/* After `on`: days, ordinals and commas, ending with the word before the
 * times (`at`); the checker reads them. */
op_words
  : op_word                 { $$ = vec1(A, $1); }
  | op_words op_word        { $$ = $1; vec_push(A, &$$, $2); }
  ;

op_word
  : ident                   { $$ = arena_alloc(A, sizeof(OpValue)); $$->loc = @$;
                              $$->kind = OV_WORD; $$->word = $1; }
  | ORDINAL                 { $$ = arena_alloc(A, sizeof(OpValue)); $$->loc = @$;
                              $$->kind = OV_ORDINAL; $$->n = $1;
                              }
  | ','                     { $$ = arena_alloc(A, sizeof(OpValue)); $$->loc = @$; $$->kind = OV_COMMA; }
  ;

op_times
  : op_time                 { $$ = vec1(A, $1); }
  | op_times ',' op_time    { $$ = $1; vec_push(A, &$$, $3); }
  ;

op_time
  : INT ':' INT             { $$ = arena_alloc(A, sizeof(OpTime)); $$->loc = @$;
                              $$->hour = $1; $$->minute = $3; }
  ;

outputs
  : ident                   { $$ = vec1(A, $1); vec_push(A, &st->out_locs, loc_copy(A, @1)); }
  | outputs ',' ident       { $$ = $1; vec_push(A, &$$, $3);
                              vec_push(A, &st->out_locs, loc_copy(A, @3)); }
  ;

step
  : source_ident            { $$ = step_new(A, S_SELECT, @$); $$->source = $1; $$->source_loc = @1; }
  | source_ident WHERE expr        { $$ = step_new(A, S_SELECT, @$); $$->source = $1;
                              $$->source_loc = @1; $$->rule = $3; }
  | AUDIENCE STRING OF ident { $$ = step_new(A, S_AUDIENCE, @$); $$->text = $2; $$->text_loc = @2;
                              $$->source = $4; $$->source_loc = @4; }
  | UNION '(' inputs ')' on_opt     { $$ = combine_step(st, COMB_UNION, $5, @$); }
  | INTERSECT '(' inputs ')' on_opt { $$ = combine_step(st, COMB_INTERSECT, $5, @$); }
  | EXCEPT '(' inputs ')' on_opt    { $$ = combine_step(st, COMB_EXCEPT, $5, @$); }
  | DEDUP ident BY expr_list keep_opt prefer_opt {
                              $$ = unary_step(A, S_DEDUP, $2, @2, @$); $$->keys = $4;
                              $$->has_keep = $5 >= 0; $$->keep = $5 < 0 ? 1 : $5; $$->prefer = $6; }
  | ENRICH ident '{' enrich_items '}' {
                              $$ = unary_step(A, S_ENRICH, $2, @2, @$); $$->enrich = $4; }
  | SPLIT ident split_flags '{' branches '}' {
                              $$ = unary_step(A, S_SPLIT, $2, @2, @$); $$->branches = $5;
                              $$->overlap = $3 & 1; $$->skip_empty = ($3 & 2) != 0; }
  | CHANGE DIMENSION ident TO ident {
                              $$ = unary_step(A, S_CHANGE_DIM, $3, @3, @$); $$->source = $5;
                              $$->source_loc = @5; }
  | CHANGE DIMENSION ident TO ident VIA ident {
                              $$ = unary_step(A, S_CHANGE_DIM, $3, @3, @$); $$->source = $5;
                              $$->source_loc = @5; $$->via = $7; $$->via_loc = @7; }
  | FORK ident              { $$ = unary_step(A, S_FORK, $2, @2, @$); }
  | JOIN '(' inputs ')' PRIMARY ident {
                              $$ = step_new(A, S_JOIN, @$); $$->inputs = st->inputs;
                              memset(&st->inputs, 0, sizeof st->inputs);
                              $$->primary = $6; $$->primary_loc = @6; }
  | WAIT ident DURATION     { $$ = unary_step(A, S_WAIT, $2, @2, @$);
                              $$->wait_for = duration(st, $3, @3); }
  | WAIT ident UNTIL TIMESTAMP { $$ = unary_step(A, S_WAIT, $2, @2, @$);
                              $$->wait_until = lit(A, E_TIMESTAMP, @4); $$->wait_until->text = $4; }
  | WAIT ident UNTIL INT ':' INT IDENT { $$ = unary_step(A, S_WAIT, $2, @2, @$);
                              /* until 08:00 local: per contact, in its time zone (docs/policy.md) */
                              if (strcmp($7, "local"))
                                diag_error(st->diags, @7, "a wait until a time of day is `until HH:MM local` (in each contact's time zone), not `%s`", $7);
                              if ($4 < 0 || $4 > 23 || $6 < 0 || $6 > 59)
                                diag_error(st->diags, @4, "`%lld:%02lld` is not a time of day (00:00 to 23:59)", (long long)$4, (long long)$6);
                              $$->wait_local = 1 + (int)(($4 < 0 || $4 > 23 ? 0 : $4) * 60 + ($6 < 0 || $6 > 59 ? 0 : $6));
                              $$->wait_local_loc = @4; $$->wait_local_loc.end_off = @7.end_off;
                              $$->wait_local_loc.end_line = @7.end_line; $$->wait_local_loc.end_col = @7.end_col; }
  | WAIT ident UNTIL DATE   { $$ = unary_step(A, S_WAIT, $2, @2, @$);
                              $$->wait_until = lit(A, E_TIMESTAMP, @4);
                              $$->wait_until->text = arena_printf(A, "%s 00:00:00", $4); }
  | channel_step            { $$ = $1; }
  | SAVE ident AS STRING    { $$ = unary_step(A, S_SAVE, $2, @2, @$); $$->text = $4; $$->text_loc = @4; }
  | RETARGET ident WHERE expr { $$ = unary_step(A, S_RETARGET, $2, @2, @$); $$->rule = $4; }
  | la_step                 { $$ = $1; }
  /* `treated = holdout 5% of scored`: a control group drawn from an
   * audience, recorded and never passed on (docs/policy.md).  `holdout`
   * is not a keyword: any other word there is a syntax error. */
  | IDENT INT '%' OF ident  { $$ = holdout_step(st, $1, @1, arena_printf(A, "%lld", (long long)$2), @2, $5, @5, @$); }
  | IDENT DEC '%' OF ident  { $$ = holdout_step(st, $1, @1, $2, @2, $5, @5, @$); }
  | RECONCILE STRING rcols_opt TO ident ON matches {
                              $$ = step_new(A, S_RECONCILE, @$); $$->text = $2; $$->text_loc = @2;
                              $$->rcols = $3; $$->source = $5; $$->source_loc = @5; $$->match = $7; }
  ;

inputs
  : ident                   { vec_push(A, &st->inputs, input(A, $1, @1)); }
  | inputs ',' ident        { vec_push(A, &st->inputs, input(A, $3, @3)); }
  ;

on_opt
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | ON '(' ident_list ')'   { $$ = $3; }
  ;

ident_list
  : ident                   { $$ = vec1(A, $1); vec_push(A, &st->on_locs, loc_copy(A, @1)); }
  | ident_list ',' ident    { $$ = $1; vec_push(A, &$$, $3); vec_push(A, &st->on_locs, loc_copy(A, @3)); }
  ;

keep_opt
  : %empty                  { $$ = -1; }
  | KEEP INT                { $$ = $2; }
  ;

prefer_opt
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | PREFER expr_list        { $$ = $2; }
  ;

enrich_items
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | enrich_items enrich_item { $$ = $1; vec_push(A, &$$, $2); }
  | enrich_items ';'        { $$ = $1; }
  | enrich_items error      { $$ = $1; }
  ;

enrich_item
  : ident '=' expr          { $$ = arena_alloc(A, sizeof(EnrichItem)); $$->loc = @1;
                              $$->name = $1; $$->expr = $3; }
  | ident '=' FIRST INT postfix order_opt {
                              $$ = arena_alloc(A, sizeof(EnrichItem)); $$->loc = @1;
                              $$->name = $1; $$->first_n = $4; $$->collection = $5;
                              $$->order = $6; }
  | ident '=' FIRST INT postfix WHERE expr order_opt {
                              $$ = arena_alloc(A, sizeof(EnrichItem)); $$->loc = @1;
                              $$->name = $1; $$->first_n = $4; $$->collection = $5;
                              $$->where = $7; $$->order = $8; }
  ;

order_opt
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | ORDER BY order_list     { $$ = $3; }
  ;

order_list
  : order_item              { $$ = vec1(A, $1); }
  | order_list ',' order_item { $$ = $1; vec_push(A, &$$, $3); }
  ;

order_item
  : expr                    { $$ = arena_alloc(A, sizeof(OrderItem)); $$->expr = $1; }
  | expr ASC                { $$ = arena_alloc(A, sizeof(OrderItem)); $$->expr = $1; }
  | expr DESC               { $$ = arena_alloc(A, sizeof(OrderItem)); $$->expr = $1; $$->desc = 1; }
  ;

split_flags
  : %empty                  { $$ = 0; }
  | split_flags OVERLAP     { $$ = $1 | 1; }
  | split_flags SKIP EMPTY  { $$ = $1 | 2; }
  ;

branches
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | branches branch         { $$ = $1; vec_push(A, &$$, $2); }
  | branches ';'            { $$ = $1; }
  | branches error          { $$ = $1; }
  ;

branch
  : branch_opts             { $$ = $1; }
  | ELSE                    { $$ = arena_alloc(A, sizeof(SplitBranch)); $$->loc = @1; $$->is_else = 1; }
  | ident ELSE              { $$ = arena_alloc(A, sizeof(SplitBranch)); $$->loc = @$;
                              $$->label = $1; $$->is_else = 1; }
  ;

branch_opts
  : WHEN expr               { $$ = arena_alloc(A, sizeof(SplitBranch)); $$->loc = @$; $$->rule = $2; }
  | ident WHEN expr         { $$ = arena_alloc(A, sizeof(SplitBranch)); $$->loc = @$;
                              $$->label = $1; $$->rule = $3; }
  | branch_opts LIMIT INT   { $$ = $1; $$->has_limit = 1; $$->limit = $3; }
  | branch_opts LIMIT INT '%' { $$ = $1; $$->has_limit = 1; $$->is_percent = 1;
                              $$->limit_percent = (double)$3; }
  | branch_opts LIMIT DEC '%' { $$ = $1; $$->has_limit = 1; $$->is_percent = 1;
                              $$->limit_percent = atof($3); }
  | branch_opts ORDER BY order_list { $$ = $1; $$->order = $4; }
  ;

channel
  : EMAIL                   { $$ = CH_EMAIL; }
  | SMS                     { $$ = CH_SMS; }
  | PUSH                    { $$ = CH_PUSH; }
  | MAIL                    { $$ = CH_MAIL; }
  ;

channel_step
  : channel ident '{' props '}' { $$ = unary_step(A, S_CHANNEL, $2, @2, @$);
                              $$->channel = (Channel)$1; $$->props = $4; }
  | channel ident STRING    { $$ = unary_step(A, S_CHANNEL, $2, @2, @$);
                              $$->channel = (Channel)$1;
                              ChannelProp *p = arena_alloc(A, sizeof *p); p->loc = @3;
                              p->key = $1 == CH_EMAIL ? "subject" : "body"; p->value = $3;
                              vec_push(A, &$$->props, p); }
  | channel ident VIA ident '{' props '}' { $$ = unary_step(A, S_CHANNEL, $2, @2, @$);
                              $$->channel = (Channel)$1; $$->props = $6;
                              $$->provider = $4; $$->provider_loc = @4; }
  | channel ident VIA ident STRING { $$ = unary_step(A, S_CHANNEL, $2, @2, @$);
                              $$->channel = (Channel)$1; $$->provider = $4; $$->provider_loc = @4;
                              ChannelProp *p = arena_alloc(A, sizeof *p); p->loc = @5;
                              p->key = $1 == CH_EMAIL ? "subject" : "body"; p->value = $5;
                              vec_push(A, &$$->props, p); }
  ;

props
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | props prop              { $$ = $1; vec_push(A, &$$, $2); }
  | props ';'               { $$ = $1; }
  | props error             { $$ = $1; }
  ;

prop
  : SUBJECT STRING          { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = "subject"; $$->value = $2; }
  | TEMPLATE STRING         { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = "template"; $$->value = $2; }
  | BODY STRING             { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = "body"; $$->value = $2; }
  | EXTRACT STRING          { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = "extract"; $$->value = $2; }
  | FROM STRING             { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = "from"; $$->value = $2; }
  | IDENT STRING            { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = $1; $$->value = $2; }
  /* `holdout 5%`: this step's own control group (docs/policy.md) */
  | IDENT INT '%'           { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = $1;
                              $$->value = arena_printf(A, "%lld", (long long)$2); $$->percent = 1; }
  | IDENT DEC '%'           { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = $1;
                              $$->value = $2; $$->percent = 1; }
  | COLUMNS '(' ident_list ')' { $$ = arena_alloc(A, sizeof(ChannelProp)); $$->loc = @$; $$->key = "columns";
                              $$->cols = $3; $$->col_locs = st->on_locs;
                              memset(&st->on_locs, 0, sizeof st->on_locs); }
  ;

rcols_opt
  : %empty                  { memset(&$$, 0, sizeof $$); }
  | COLUMNS '(' rcols ')'   { $$ = $3; }
  ;

rcols
  : ident typeref           { ReconcileCol *c = arena_alloc(A, sizeof *c); c->loc = @1;
                              c->name = $1; c->type = $2; $$ = vec1(A, c); }
  | rcols ',' ident typeref { ReconcileCol *c = arena_alloc(A, sizeof *c); c->loc = @3;
                              c->name = $3; c->type = $4; $$ = $1; vec_push(A, &$$, c); }
  ;

matches
  : ident '=' ident         { MatchPair *m = arena_alloc(A, sizeof *m); m->loc = @$;
                              m->file_col = $1; m->dim_col = $3; $$ = vec1(A, m); }
  | matches ',' ident '=' ident { MatchPair *m = arena_alloc(A, sizeof *m); m->loc = @3;
                              m->file_col = $3; m->dim_col = $5; $$ = $1; vec_push(A, &$$, m); }
  ;

/* ---------------------------------------------------------- expressions */

expr_list
  : expr                    { $$ = vec1(A, $1); }
  | expr_list ',' expr      { $$ = $1; vec_push(A, &$$, $3); }
  ;

expr : or_expr ;

or_expr
  : or_expr OR and_expr     { $$ = expr_binary(A, OP_OR, $1, $3, @$); }
  | and_expr
  ;

and_expr
  : and_expr AND not_expr   { $$ = expr_binary(A, OP_AND, $1, $3, @$); }
  | not_expr
  ;

not_expr
  : NOT not_expr            { $$ = expr_new(A, E_UNARY, @$); $$->op = OP_NOT; $$->left = $2; }
  | pred
  ;

pred
  : arith '=' arith         { $$ = expr_binary(A, OP_EQ, $1, $3, @$); }
  | arith NE arith          { $$ = expr_binary(A, OP_NE, $1, $3, @$); }
  | arith '<' arith         { $$ = expr_binary(A, OP_LT, $1, $3, @$); }
  | arith LE arith          { $$ = expr_binary(A, OP_LE, $1, $3, @$); }
  | arith '>' arith         { $$ = expr_binary(A, OP_GT, $1, $3, @$); }
  | arith GE arith          { $$ = expr_binary(A, OP_GE, $1, $3, @$); }
  | arith LIKE arith        { $$ = expr_binary(A, OP_LIKE, $1, $3, @$); }
  | arith NOT LIKE arith    { $$ = expr_binary(A, OP_NOT_LIKE, $1, $4, @$); }
  | arith CONTAINS arith    { $$ = expr_binary(A, OP_CONTAINS, $1, $3, @$); }
  | arith NOT CONTAINS arith { $$ = expr_binary(A, OP_NOT_CONTAINS, $1, $4, @$); }
  | arith STARTS WITH arith { $$ = expr_binary(A, OP_STARTS, $1, $4, @$); }
  | arith NOT STARTS WITH arith { $$ = expr_binary(A, OP_NOT_STARTS, $1, $5, @$); }
  | arith IN '[' expr_list ']' { $$ = expr_new(A, E_IN, @$); $$->left = $1; $$->args = $4; }
  | arith NOT IN '[' expr_list ']' { $$ = expr_new(A, E_IN, @$); $$->left = $1; $$->args = $5;
                              $$->negated = 1; }
  | arith BETWEEN arith AND arith { $$ = expr_new(A, E_BETWEEN, @$); $$->left = $1;
                              $$->args = vec1(A, $3); vec_push(A, &$$->args, $5); }
  | arith NOT BETWEEN arith AND arith { $$ = expr_new(A, E_BETWEEN, @$); $$->left = $1;
                              $$->args = vec1(A, $4); vec_push(A, &$$->args, $6); $$->negated = 1; }
  | arith IS NULL_KW        { $$ = expr_new(A, E_ISNULL, @$); $$->left = $1; }
  | arith IS NOT NULL_KW    { $$ = expr_new(A, E_ISNULL, @$); $$->left = $1; $$->negated = 1; }
  | EXISTS postfix          { $$ = expr_new(A, E_EXISTS, @$); $$->left = $2; }
  | EXISTS postfix WHERE expr { $$ = expr_new(A, E_EXISTS, @$); $$->left = $2; $$->right = $4; }
  | arith
  ;

arith
  : arith '+' term          { $$ = expr_binary(A, OP_ADD, $1, $3, @$); }
  | arith '-' term          { $$ = expr_binary(A, OP_SUB, $1, $3, @$); }
  | arith CONCAT term       { $$ = expr_binary(A, OP_CONCAT, $1, $3, @$); }
  | term
  ;

term
  : term '*' unary          { $$ = expr_binary(A, OP_MUL, $1, $3, @$); }
  | term '/' unary          { $$ = expr_binary(A, OP_DIV, $1, $3, @$); }
  | term '%' unary          { $$ = expr_binary(A, OP_MOD, $1, $3, @$); }
  | unary
  ;

unary
  : '-' unary               { $$ = expr_new(A, E_UNARY, @$); $$->op = OP_NEG; $$->left = $2; }
  | postfix
  ;

postfix
  : primary
  | postfix '.' ident       { $$ = expr_new(A, E_FIELD, @$); $$->left = $1; $$->name = $3; }
  ;

primary
  : literal
  | ident                   { $$ = expr_new(A, E_NAME, @$); $$->name = $1; }
  | ident WITHIN DURATION   { $$ = expr_new(A, E_WITHIN, @$); $$->name = $1;
                              $$->right = duration(st, $3, @3); }
  | ident '(' ')'           { $$ = expr_new(A, E_CALL, @$); $$->name = $1; }
  | ident '(' call_args ')' { $$ = expr_new(A, E_CALL, @$); $$->name = $1; $$->args = $3; }
  | ident '(' DISTINCT call_args ')' { $$ = expr_new(A, E_CALL, @$); $$->name = $1; $$->args = $4;
                              $$->distinct = 1; }
  | '(' expr ')'            { $$ = $2; $$->paren = 1; }
  | '[' expr_list ']'       { $$ = expr_new(A, E_LIST, @$); $$->args = $2; }
  ;

call_args
  : call_arg                { $$ = vec1(A, $1); }
  | call_args ',' call_arg  { $$ = $1; vec_push(A, &$$, $3); }
  ;

call_arg
  : expr
  | expr WHERE expr         { $$ = $1; $$->where = $3; }
  ;

literal
  : INT                     { $$ = lit(A, E_INT, @$); $$->ival = $1; }
  | DEC                     { $$ = lit(A, E_DEC, @$); $$->text = $1; $$->dval = atof($1); }
  | STRING                  { $$ = lit(A, E_STR, @$); $$->text = $1; }
  | DATE                    { $$ = lit(A, E_DATE, @$); $$->text = $1; }
  | TIMESTAMP               { $$ = lit(A, E_TIMESTAMP, @$); $$->text = $1; }
  | DURATION                { $$ = duration(st, $1, @$); }
  | TRUE_KW                 { $$ = lit(A, E_BOOL, @$); $$->ival = 1; }
  | FALSE_KW                { $$ = lit(A, E_BOOL, @$); $$->ival = 0; }
  | NULL_KW                 { $$ = lit(A, E_NULL, @$); }
  ;

signed_literal
  : literal
  | '-' INT                 { $$ = lit(A, E_INT, @$); $$->ival = -$2; }
  | '-' DEC                 { $$ = lit(A, E_DEC, @$); $$->text = arena_printf(A, "-%s", $2);
                              $$->dval = -atof($2); }
  | ident                   { $$ = expr_new(A, E_NAME, @$); $$->name = $1; }
  ;

/* Keywords that are also ordinary names (columns, steps, channels). */
ident
  : IDENT
  | soft_kw
  ;

soft_kw
  : EMAIL | SMS | PUSH | MAIL | APPROVAL | plain_kw
  ;

/* A name where a channel keyword would be ambiguous: `x = email vip {..}`. */
source_ident
  : IDENT
  | plain_kw
  ;

plain_kw
  : SUBJECT | TEMPLATE | BODY | EXTRACT | COLUMNS | DIMENSION | PRIMARY
  | OVERLAP | EMPTY | AUDIENCE | FROM | NULLS | PROVIDER | ENV | SCHEDULE
  ;

%%

static void camp_yyerror(Loc *loc, yyscan_t scanner, LexState *st, const char *msg) {
  (void)scanner;
  /* bison's stack is full: nesting (`not not ...`, `- - ...`, brackets) */
  if (!strcmp(msg, "memory exhausted")) {
    lex_too_deep(st, *loc);
    return;
  }
  if (st->too_deep) return; /* follow-ups of a cut-off expression */
  /* bison says "syntax error, unexpected X, expecting Y": keep the detail. */
  const char *p = strncmp(msg, "syntax error, ", 14) == 0 ? msg + 14 : msg;
  diag_error(st->diags, *loc, "syntax error: %s", p);
  if (strstr(p, "unexpected end of file"))
    diag_hint(st->diags, "a `{` is not closed: every schema, campaign and block ends with `}`");
}
