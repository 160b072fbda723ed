/* cmd_serve.c — `camp serve --db DB --listen HOST:PORT [--now TS]`: the
 * distributed-marketing web page (runtime/distrib/serve.c). */
#include "cli/cli.h"
#include "runtime/distrib/distrib.h"
#include "runtime/exec/exec.h"

int cmd_serve(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("serve", argc, argv, "db,listen,now", &o);
  if (rc) return rc;
  if (o.nfiles || !o.db || !o.listen) {
    fprintf(stderr, "usage: camp serve --db DB --listen HOST:PORT [--now TS]\n");
    return 2;
  }
  char now[20] = "";
  if (o.now && exec_parse_now(o.now, now)) {
    fprintf(stderr, "camp serve: --now `%s` is not a date or time (use YYYY-MM-DD[ HH:MM[:SS]])\n", o.now);
    return 2;
  }
  DistServeOptions s = {.db = o.db, .listen = o.listen, .now = now};
  return distrib_serve(&s);
}
