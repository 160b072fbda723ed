/* camp.c — entry point: dispatches to the sub-command. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
    {"check", cmd_check, "check FILE...            report every error (--format json)"},
    {"sql", cmd_sql, "sql FILE [--campaign C] [--step S] [--dialect sqlite]"},
    {"fmt", cmd_fmt, "fmt FILE... [--check]     canonical layout, comments kept"},
    {"schema", cmd_schema, "schema --from-db DB      write .camp schemas for a database"},
    {"plan", cmd_plan, "plan FILE --db DB          dry run: exact counts per step, nothing saved"},
    {"run", cmd_run, "run FILE --db DB           start a run: steps, waits, outbox"},
    {"resume", cmd_resume, "resume --db DB             continue runs whose waits are due (cron)"},
    {"keywords", cmd_keywords, "keywords [--format json] the language vocabulary (editors)"},
    {"status", cmd_status, "status --db DB [RUN_ID]   runs, or one run's steps, outbox and warnings"},
    {"graph", cmd_graph, "graph FILE [--db DB]      the campaign as a Graphviz graph (--format dot|svg)"},
    {"outbox", cmd_outbox, "outbox --db DB [--run ID] queued messages (--format text|csv|json)"},
    {"snapshot", cmd_snapshot, "snapshot --db DB [FILE]   build/refresh the columnar snapshot of the tables"},
    {"track", cmd_track, "track --db DB --listen HOST:PORT  tracking server: opens, clicks, unsubscribe"},
    {"feedback", cmd_feedback, "feedback import FILE --db DB  delivery events from an ESP (CSV or JSON lines)"},
    {"preview", cmd_preview, "preview FILE --db DB --step S  render a step's messages, queue nothing"},
    {"lsp", cmd_lsp, "lsp                       language server (LSP over stdio) for editors"},
};

static void usage(FILE *out) {
  fprintf(out, "usage: camp COMMAND [ARGS]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %s\n", commands[i].summary);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("camp 0.1.0\n");
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 2, argv + 2);
  fprintf(stderr, "camp: unknown command `%s`\n", argv[1]);
  usage(stderr);
  return 2;
}
