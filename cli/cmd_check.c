/* cmd_check.c — `camp check FILE...`: every diagnostic, exit 1 on errors. */
#include <string.h>

#include "cli/cli.h"

int cmd_check(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("check", argc, argv, "format,I", &o);
  if (rc) return rc;
  if (o.nfiles == 0) {
    fprintf(stderr, "usage: camp check FILE... [--format text|json]\n");
    return 2;
  }
  if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0) {
    fprintf(stderr, "camp check: --format must be text or json\n");
    return 2;
  }
  int status;
  Program *p = cli_compile(&o, &status);
  cli_print_diags(p, &o);
  program_free(p);
  return status;
}
