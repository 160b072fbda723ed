/* cli.h — the `camp` command line: one function per sub-command, each in
 * cli/cmd_NAME.c, plus the shared option parser. */
#ifndef CAMP_CLI_H
#define CAMP_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "compiler/check/program.h"
#include "runtime/db/db.h"

#define CAMP_VERSION "camp 0.1.0"

/* Options common to the sub-commands; each command reads what it needs. */
typedef struct CliOpts {
  const char *files[256];
  int nfiles;
  const char *format;    /* text (default) | json | dot | svg | csv */
  const char *campaign;
  const char *step;
  const char *dialect;
  const char *grouped;   /* sql --grouped TABLES */
  const char *db;
  const char *from_db;
  const char *now;
  const char *run;
  const char *engine;
  const char *output;
  const char *debug_jit; /* plan/run/resume --debug-jit DIR */
  const char *listen;    /* track --listen HOST:PORT */
  const char *track_url; /* run/resume/preview --track-url URL (sets CAMP_TRACK_URL) */
  const char *recipient; /* preview --recipient KEY */
  const char *from_ddl;  /* schema --from-ddl FILE.sql */
  const char *keep;      /* gc --keep N */
  const char *holdout;   /* report --holdout LABEL */
  const char *channel;   /* send --channel C */
  const char *limit;     /* send --limit N */
  const char *lease;     /* send --lease SECONDS */
  const char *batch;     /* send --batch N */
  const char *proof;     /* send --proof ADDR[,ADDR...] */
  const char *proofs;    /* send --proofs N (messages per address) */
  const char *as;        /* operations: who (--as NAME; default $USER) */
  const char *reason;    /* operations: why (--reason TEXT) */
  const char *next;      /* schedule --next N */
  const char *who;       /* tasks --who NAME */
  const char *due_before; /* tasks --due-before DATE */
  const char *done;      /* tasks --done ID */
  const char *contact;   /* offers --contact KEY */
  const char *item;      /* offers --item X */
  const char *where;     /* segment add|reduce|refine --where RULE */
  const char *of;        /* segment create --of DIMENSION */
  const char *on;        /* offers --on DATE */
  const char *entity;    /* packages --entity E */
  const char *params;    /* packages order --params JSON */
  const char *keys;      /* packages approve-contacts --keys K,K */
  int all;               /* packages approve-contacts --all */
  const char *login_limit;  /* serve --login-limit N */
  const char *login_window; /* serve --login-window SECONDS */
  const char *includes[32];
  int nincludes;
  int check;             /* fmt --check */
  int explain;
  int diff;              /* fmt --diff */
  int dry_run;           /* gc --dry-run */
  int man;               /* help --man */
  int send;              /* run/resume --send; send --dry-run shares dry_run */
  int test;              /* run --test */
  int new_run;           /* run --new-run */
  int color;             /* diagnostics in colour (stderr is a TTY) */
} CliOpts;

/* Parses argv after the sub-command name.  `allowed` lists the long options
 * this command accepts (e.g. "format,campaign"); others are errors.  It must
 * name exactly the options of the command's entry in cli/commands.c (checked
 * on every call, so help, man page and completions cannot drift from the
 * parser).  Returns 0, or 2 after printing a usage error. */
int cli_parse(const char *cmd, int argc, char **argv, const char *allowed,
              CliOpts *o);

/* Loads every file in o->files and checks them; prints diagnostics per
 * o->format.  Returns the program (NULL only on allocation failure) and sets
 * *status to 0 if clean, 1 on compile errors. */
Program *cli_compile(CliOpts *o, int *status);
/* Prints p's diagnostics to stderr (text) or stdout (json). */
void cli_print_diags(Program *p, const CliOpts *o);

int cmd_check(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_keywords(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_lsp(int argc, char **argv);
/* `camp send FILE --db DB --step S --proof ADDR[,ADDR]` (cli/cmd_proof.c):
 * o parsed by cmd_send.  0, 1 or 2. */
int cli_send_proof(CliOpts *o);
/* The channel step of camp named `name` (its label or an output name), or
 * NULL (cli/cmd_preview.c). */
Step *cli_channel_step(Decl *camp, const char *name);
/* A recipient key as text (ints as digits, reals as %.15g); cmd_preview.c. */
void cli_key_text(DbValue k, char *out, size_t n);
/* A --now normalised by exec_parse_now as a time, or the current time
 * when norm is NULL; cmd_preview.c. */
time_t cli_now_time(const char *norm);
int cmd_track(int argc, char **argv);
int cmd_feedback(int argc, char **argv);
int cmd_suppress(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_preview(int argc, char **argv);
int cmd_gc(int argc, char **argv);
int cmd_values(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_completion(int argc, char **argv);

/* ---- the command table (cli/commands.c): one source for dispatch, the
 * option parser, `camp help`, the man page and the shell completions. ---- */

/* One option of a command.  `name` is the long name without "--" ("I" is
 * the short -I); `arg` the value's placeholder (NULL for a flag);
 * `complete` what a shell completes for the value: "file", "dir", "camp",
 * "sql", a list "a|b|c", or NULL for nothing. */
typedef struct CliOption {
  const char *name;
  const char *arg;
  const char *complete;
  const char *help;
} CliOption;

#define CLI_MAX_OPTS 24

typedef struct CliCommand {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *synopsis;  /* after "camp NAME ": operands and required options */
  const char *summary;   /* one line for `camp help` */
  const char *operands;  /* completion of operands: "camp", "sql", "shell", "command", NULL */
  const char *details;   /* a paragraph for the command's help, or NULL */
  CliOption opts[CLI_MAX_OPTS]; /* ends at the first entry with name NULL */
  const char *example;   /* example lines, '\n'-separated */
} CliCommand;

extern const CliCommand cli_commands[];
extern const int cli_ncommands;

/* The table entry of `name`, or NULL. */
const CliCommand *cli_command(const char *name);
/* Prints `camp NAME`'s usage, options (aligned) and example to out. */
void cli_print_help(const CliCommand *c, FILE *out);
/* Prints the list of commands (`camp help`) to out. */
void cli_print_usage(FILE *out);
int cmd_send(int argc, char **argv);
/* cmd_send.c: sends the due messages of run (0 = every run) with the send
 * options of o (--channel --limit --dry-run --now --lease --batch); the
 * database must be open read-write. */
struct Db;
int cli_send(struct Db *db, CliOpts *o, int64_t run);
/* operations: cli/cmd_deploy.c, cmd_lifecycle.c, cmd_schedule.c,
 * cmd_tick.c, cmd_approve.c */
int cmd_deploy(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_close(int argc, char **argv);
int cmd_archive(int argc, char **argv);
int cmd_campaigns(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_set_status(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_stock(int argc, char **argv);
int cmd_offers(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_interactions(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_tick(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_reject(int argc, char **argv);
/* distributed marketing: cli/cmd_packages.c, cmd_serve.c */
int cmd_packages(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* Who does an operation: --as NAME, else $USER, else "unknown". */
const char *cli_who(const CliOpts *o);

#endif
