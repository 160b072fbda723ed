/* cmd_fmt.c — TEMPORARY placeholder during bring-up. */
#include "cli.h"
int cmd_fmt(int argc, char **argv) { (void)argc; (void)argv; return 2; }
