/* cmd_sql.c — TEMPORARY placeholder during bring-up. */
#include "cli.h"
int cmd_sql(int argc, char **argv) { (void)argc; (void)argv; return 2; }
