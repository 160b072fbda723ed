/* cmd_serve.c — `camp serve --db DB --listen HOST:PORT [--now TS]`: the
 * distributed-marketing web page (runtime/distrib/serve.c). */
#include <stdlib.h>

#include "cli/cli.h"
#include "runtime/distrib/distrib.h"
#include "runtime/exec/exec.h"

int cmd_serve(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("serve", argc, argv, "db,listen,now,login-limit,login-window", &o);
  if (rc) return rc;
  if (o.nfiles || !o.db || !o.listen) {
    fprintf(stderr, "usage: camp serve --db DB --listen HOST:PORT [--now TS] [--login-limit N] [--login-window SECONDS]\n");
    return 2;
  }
  char now[20] = "";
  if (o.now && exec_parse_now(o.now, now)) {
    fprintf(stderr, "camp serve: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  /* 5 failed logins per account or address in 15 minutes, by default */
  long limit = 5, window = 900;
  char *end;
  if (o.login_limit) {
    limit = strtol(o.login_limit, &end, 10);
    if (*end || end == o.login_limit || limit < 0 || limit > 1000000) {
      fprintf(stderr, "camp serve: --login-limit `%s` is not a count (0 turns the limit off)\n", o.login_limit);
      return 2;
    }
  }
  if (o.login_window) {
    window = strtol(o.login_window, &end, 10);
    if (*end || end == o.login_window || window < 1 || window > 30L * 86400) {
      fprintf(stderr, "camp serve: --login-window `%s` is not a number of seconds (1 to 2592000)\n", o.login_window);
      return 2;
    }
  }
  DistServeOptions s = {.db = o.db, .listen = o.listen, .now = now, .login_limit = (int)limit,
                        .login_window = window};
  return distrib_serve(&s);
}
