/* cmd_stubs.c — TEMPORARY during bring-up. */
#include "cli.h"
int cmd_sql(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int cmd_fmt(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int cmd_schema(int argc, char **argv) { (void)argc; (void)argv; return 2; }
