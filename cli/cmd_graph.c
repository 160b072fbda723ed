/* cmd_graph.c — `camp graph FILE`: a campaign as a Graphviz digraph (DOT,
 * SVG or PNG through Graphviz's `dot`, or a self-contained HTML page with
 * the SVG inline), optionally annotated with a run's states and counts read
 * from the database. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compiler/graph/graph.h"
#include "runtime/report/report.h"

/* A run's annotations with the strings they point to. */
typedef struct RunData {
  GraphRun run;
  GraphStepState *steps;
  GraphCount *counts;
  char **strs;
  int nstrs, capstrs;
} RunData;

static const char *keep(RunData *d, DbStmt *st, int col) {
  char *s = report_col_text(st, col);
  if (!s) return NULL;
  if (d->nstrs == d->capstrs) {
    d->capstrs = d->capstrs ? 2 * d->capstrs : 64;
    d->strs = realloc(d->strs, sizeof(char *) * (size_t)d->capstrs);
    if (!d->strs) abort();
  }
  return d->strs[d->nstrs++] = s;
}

static void run_data_free(RunData *d) {
  for (int i = 0; i < d->nstrs; i++) free(d->strs[i]);
  free(d->strs);
  free(d->steps);
  free(d->counts);
}

/* Rows of `sql` (bound to the run id) read into d; -1 on a DB error. */
static int load_rows(Db *db, RunData *d, const char *sql, int counts) {
  DbStmt *st = db_prepare(db, sql);
  if (!st) return -1;
  db_bind_int(st, 1, d->run.id);
  int rc, n = 0, cap = 0;
  while ((rc = db_step(st)) == 1) {
    if (n == cap) {
      cap = cap ? 2 * cap : 32;
      void *p = counts ? realloc(d->counts, sizeof(GraphCount) * (size_t)cap)
                       : realloc(d->steps, sizeof(GraphStepState) * (size_t)cap);
      if (!p) abort();
      if (counts) d->counts = p;
      else d->steps = p;
    }
    if (counts)
      d->counts[n] = (GraphCount){keep(d, st, 0), keep(d, st, 1), db_column(st, 2).i, db_column(st, 3).i};
    else
      d->steps[n] = (GraphStepState){keep(d, st, 0), keep(d, st, 1), keep(d, st, 2)};
    n++;
  }
  db_finalize(st);
  if (counts) d->run.counts = d->counts, d->run.ncounts = n;
  else d->run.steps = d->steps, d->run.nsteps = n;
  return rc == 0 ? 0 : -1;
}

/* Finds the run (given, or the campaign's latest) and checks it belongs
 * to the campaign.  0, or 1 after printing an error. */
static int find_run(Db *db, const CliOpts *o, const char *campaign, RunData *d) {
  DbStmt *st = db_prepare(db, o->run ? "SELECT id, state, campaign FROM camp_runs WHERE id = ?"
                                     : "SELECT id, state, campaign FROM camp_runs WHERE campaign = ?"
                                       " ORDER BY id DESC LIMIT 1");
  if (!st) {
    fprintf(stderr, "camp graph: cannot read camp's tables: %s\n", db_error(db));
    return 1;
  }
  if (o->run) db_bind_int(st, 1, strtoll(o->run, NULL, 10));
  else db_bind_text(st, 1, campaign);
  int rc = db_step(st), status = 0;
  if (rc != 1) {
    if (o->run) fprintf(stderr, "camp graph: no run %s in %s\n", o->run, o->db);
    else fprintf(stderr, "camp graph: campaign `%s` has no run in %s\n", campaign, o->db);
    status = 1;
  } else if (strcmp(db_column(st, 2).s ? db_column(st, 2).s : "", campaign) != 0) {
    fprintf(stderr, "camp graph: run %s is of campaign `%s`, not `%s`\n", o->run,
            db_column(st, 2).s, campaign);
    status = 1;
  } else {
    d->run.id = db_column(st, 0).i;
    d->run.state = keep(d, st, 1);
  }
  db_finalize(st);
  return status;
}

static int load_run(const CliOpts *o, const char *campaign, RunData *d) {
  Db *db = report_open("graph", o->db);
  if (!db) return 1;
  int status = 0;
  if (!report_has_runs(db)) {
    fprintf(stderr, "camp graph: no camp runs in %s\n", o->db);
    status = 1;
  } else if (!(status = find_run(db, o, campaign, d))) {
    if (load_rows(db, d, "SELECT step, state, due_at FROM camp_steps WHERE run_id = ? ORDER BY idx", 0) ||
        load_rows(db, d,
                  db_table_exists(db, "camp_policy_removed") == 1
                      /* and how many of the step's input the contact policy took out */
                      ? "SELECT c.step, c.output, c.count, (SELECT count(*) FROM camp_policy_removed p"
                        " WHERE p.run_id = c.run_id AND p.step = c.step AND p.stage = 'render'"
                        " AND p.reason <> 'suppressed') FROM camp_counts c WHERE c.run_id = ? ORDER BY c.rowid"
                      : "SELECT step, output, count, 0 FROM camp_counts WHERE run_id = ? ORDER BY rowid",
                  1)) {
      fprintf(stderr, "camp graph: cannot read camp's tables: %s\n", db_error(db));
      status = 1;
    }
  }
  db_close(db);
  return status;
}

/* ------------------------------------------------------------ SVG */

/* Is `prog` an executable file in PATH? */
static int in_path(const char *prog) {
  const char *path = getenv("PATH");
  if (!path) return 0;
  char buf[4096];
  for (const char *p = path; *p;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", prog) < (int)sizeof buf &&
        access(buf, X_OK) == 0)
      return 1;
    if (!colon) break;
    p = colon + 1;
  }
  return 0;
}

/* Runs `dot -T<fmt>` on the DOT text: into file output (stdout if NULL),
 * or, with captured, into a malloc'd string.  The text goes through a
 * temporary file, so reading dot's output cannot dead-lock with writing
 * its input.  0, or 1 after printing an error. */
static int run_dot(const char *dot, const char *fmt, const char *output, char **captured) {
  if (!in_path("dot")) {
    fprintf(stderr, "camp graph: --format %s needs Graphviz's `dot`, which is not installed"
                    " (apt-get install graphviz), or use --format dot\n", fmt);
    return 1;
  }
  const char *tmpdir = getenv("TMPDIR");
  char in[4096];
  snprintf(in, sizeof in, "%s/camp-graph-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemp(in);
  if (fd < 0) {
    fprintf(stderr, "camp graph: cannot create a temporary file in %s: %s\n",
            tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
    return 1;
  }
  size_t len = strlen(dot), off = 0;
  while (off < len) {
    ssize_t w = write(fd, dot + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  close(fd);
  if (off < len) {
    fprintf(stderr, "camp graph: cannot write %s: %s\n", in, strerror(errno));
    unlink(in);
    return 1;
  }
  int fds[2] = {-1, -1};
  if (captured && pipe(fds) != 0) {
    fprintf(stderr, "camp graph: pipe: %s\n", strerror(errno));
    unlink(in);
    return 1;
  }
  char tflag[16];
  snprintf(tflag, sizeof tflag, "-T%s", fmt);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "camp graph: fork: %s\n", strerror(errno));
    unlink(in);
    return 1;
  }
  if (pid == 0) {
    if (captured) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
    }
    if (output) execlp("dot", "dot", tflag, "-o", output, in, (char *)NULL);
    else execlp("dot", "dot", tflag, in, (char *)NULL);
    _exit(127);
  }
  char *buf = NULL;
  size_t blen = 0, cap = 0;
  if (captured) {
    close(fds[1]);
    for (;;) {
      if (blen + 4096 + 1 > cap) {
        cap = cap ? cap * 2 : 65536;
        buf = realloc(buf, cap);
        if (!buf) abort();
      }
      ssize_t r = read(fds[0], buf + blen, cap - blen - 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      blen += (size_t)r;
    }
    close(fds[0]);
    buf[blen] = 0;
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  unlink(in);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "camp graph: `dot %s` failed (exit %d)\n", tflag, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    free(buf);
    return 1;
  }
  if (captured) *captured = buf;
  return 0;
}

static int write_output(const CliOpts *o, const Program *p, const Decl *c, const GraphRun *run,
                        const char *dot) {
  const char *path = o->output && strcmp(o->output, "-") ? o->output : NULL;
  if (!strcmp(o->format, "svg") || !strcmp(o->format, "png")) return run_dot(dot, o->format, path, NULL);
  const char *text = dot;
  char *page = NULL;
  if (!strcmp(o->format, "html")) {
    char *svg = NULL;
    if (run_dot(dot, "svg", NULL, &svg)) return 1;
    page = graph_html(p, c, run, svg);
    free(svg);
    text = page;
  }
  FILE *out = report_output("graph", o->output);
  if (!out) {
    free(page);
    return 1;
  }
  fputs(text, out);
  free(page);
  return report_close_output("graph", out, o->output) ? 1 : 0;
}

/* ------------------------------------------------------------ command */

static int check_opts(CliOpts *o) {
  if (!strcmp(o->format, "text")) o->format = "dot"; /* cli_parse's default */
  if (strcmp(o->format, "dot") && strcmp(o->format, "svg") && strcmp(o->format, "png") &&
      strcmp(o->format, "html")) {
    fprintf(stderr, "camp graph: unknown format `%s` (dot, svg, png or html)\n", o->format);
    return 2;
  }
  if (!strcmp(o->format, "png") && (!o->output || !strcmp(o->output, "-")) && isatty(1)) {
    fprintf(stderr, "camp graph: --format png writes an image: give --output FILE.png"
                    " (or redirect stdout)\n");
    return 2;
  }
  if (o->nfiles == 0 || (o->run && !o->db)) {
    fprintf(stderr, "usage: camp graph FILE... [--campaign NAME] [--db DB [--run ID]]"
                    " [--format dot|svg|png|html] [--output PATH]\n");
    return 2;
  }
  if (o->run) {
    char *end;
    strtoll(o->run, &end, 10);
    if (!*o->run || *end) {
      fprintf(stderr, "camp graph: --run needs a run id (a number), not `%s`\n", o->run);
      return 2;
    }
  }
  return 0;
}

int cmd_graph(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("graph", argc, argv, "campaign,db,run,format,output,I", &o);
  if (rc || (rc = check_opts(&o))) return rc;
  int status;
  Program *p = cli_compile(&o, &status);
  Decl *campaign = status ? NULL : program_campaign(p, o.campaign);
  if (p->diags.nerrors) {
    cli_print_diags(p, &o);
    program_free(p);
    return 1;
  }
  RunData d;
  memset(&d, 0, sizeof d);
  if (o.db && load_run(&o, campaign->name, &d) != 0) {
    run_data_free(&d);
    program_free(p);
    return 1;
  }
  char *dot = graph_dot(p, campaign, o.db ? &d.run : NULL);
  rc = write_output(&o, p, campaign, o.db ? &d.run : NULL, dot);
  free(dot);
  run_data_free(&d);
  program_free(p);
  return rc;
}
