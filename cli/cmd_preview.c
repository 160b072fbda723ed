/* cmd_preview.c — placeholder until preview lands. */
#include "cli/cli.h"
int cmd_preview(int argc, char **argv) { (void)argc; (void)argv; return 2; }
