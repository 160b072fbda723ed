/* camp.c — entry point: dispatches to the sub-command of cli/commands.c;
 * `camp CMD --help` (or -h) prints that command's help instead of running it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Does argv ask for help (before a `--` that ends the options)? */
static int wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) return 0;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    cli_print_usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    cli_print_usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("%s\n", CAMP_VERSION);
    return 0;
  }
  const CliCommand *c = cli_command(argv[1]);
  if (!c) {
    fprintf(stderr, "camp: unknown command `%s`\n", argv[1]);
    cli_print_usage(stderr);
    return 2;
  }
  if (wants_help(argc - 2, argv + 2)) {
    cli_print_help(c, stdout);
    return 0;
  }
  return c->run(argc - 2, argv + 2);
}
