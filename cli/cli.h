/* cli.h — the `camp` command line: one function per sub-command, each in
 * cli/cmd_NAME.c, plus the shared option parser. */
#ifndef CAMP_CLI_H
#define CAMP_CLI_H

#include <stdio.h>

#include "compiler/check/program.h"

/* Options common to the sub-commands; each command reads what it needs. */
typedef struct CliOpts {
  const char *files[256];
  int nfiles;
  const char *format;    /* text (default) | json | dot | svg | csv */
  const char *campaign;
  const char *step;
  const char *dialect;
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
  const char *includes[32];
  int nincludes;
  int check;             /* fmt --check */
  int explain;
  int color;             /* diagnostics in colour (stderr is a TTY) */
} CliOpts;

/* Parses argv after the sub-command name.  `allowed` lists the long options
 * this command accepts (e.g. "format,campaign"); others are errors.
 * Returns 0, or 2 after printing a usage error. */
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
int cmd_track(int argc, char **argv);
int cmd_feedback(int argc, char **argv);
int cmd_preview(int argc, char **argv);

#endif
