/* cmd_schema.c — TEMPORARY placeholder during bring-up. */
#include "cli.h"
int cmd_schema(int argc, char **argv) { (void)argc; (void)argv; return 2; }
