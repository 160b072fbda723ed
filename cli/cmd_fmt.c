/* cmd_fmt.c — `camp fmt FILE...`: rewrites files in the canonical layout
 * (lang/format.c) and names each file it rewrote.  `--check` only reports
 * files that would change; `--diff` also prints what changes as a unified
 * diff; `--output -` (or the file `-`, read from stdin) prints to stdout.
 * Only the named files are parsed: imports are neither followed nor
 * rewritten, and the type checker is not run. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/textdiff.h"
#include "lang/format.h"

static int read_stdin(Program *p) {
  size_t cap = 4096, len = 0, n;
  char *buf = malloc(cap);
  while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
    len += n;
    if (len == cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  if (!buf) return -1;
  int f = diags_add_source(&p->diags, "<stdin>", buf, len);
  free(buf);
  return f;
}

/* Guards against formatter bugs: the output must parse without errors,
 * keep every comment and format to itself.  Returns 0 when it does. */
static int verify(const char *path, const char *out, int ncomments) {
  Program *q = program_new();
  int f = diags_add_source(&q->diags, path, out, strlen(out));
  Module *m = parse_source(&q->arena, &q->diags, f);
  int bad = q->diags.nerrors != 0 || m->comments.len != ncomments;
  if (!bad) {
    char *again = format_module(m, diags_file(&q->diags, f));
    bad = strcmp(again, out) != 0;
    free(again);
  }
  program_free(q);
  if (bad)
    fprintf(stderr, "camp fmt: internal error: the formatted %s does not re-format to itself; "
                    "file left unchanged (please report)\n", path);
  return bad;
}

/* Writes text to path through a temporary file renamed over it. */
static int write_file(const char *path, const char *text) {
  size_t n = strlen(path) + 16;
  char *tmp = malloc(n);
  if (!tmp) abort();
  snprintf(tmp, n, "%s.fmt-tmp", path);
  FILE *fp = fopen(tmp, "wb");
  int ok = fp && fwrite(text, 1, strlen(text), fp) == strlen(text);
  if (fp && fclose(fp) != 0) ok = 0;
  struct stat st;
  if (ok && stat(path, &st) == 0) chmod(tmp, st.st_mode & 07777);
  if (ok && rename(tmp, path) != 0) ok = 0;
  if (!ok) {
    remove(tmp);
    fprintf(stderr, "camp fmt: cannot write `%s`\n", path);
  }
  free(tmp);
  return ok ? 0 : 1;
}

/* Reports, prints or writes the formatted text of path. */
static int deliver(const CliOpts *o, const char *path, const SourceFile *src,
                   const char *out) {
  int same = src->len == strlen(out) && memcmp(src->text, out, src->len) == 0;
  int to_stdout = strcmp(path, "-") == 0 || (o->output && strcmp(o->output, "-") == 0);
  int changed = 0;
  if (!same) {
    /* The diff goes to stdout, except when stdout carries the text. */
    size_t n = strlen(path) + 16;
    char *old = malloc(n), *new = malloc(n);
    if (!old || !new) abort();
    snprintf(old, n, "%s\t(original)", path); /* a tab ends the name for patch(1) */
    snprintf(new, n, "%s\t(formatted)", path);
    changed = text_diff(o->diff ? (to_stdout ? stderr : stdout) : NULL, old, new, src->text,
                        src->len, out, strlen(out));
    free(old);
    free(new);
  }
  if (o->check) {
    if (!same) printf("%s: not formatted (%d line%s would change)\n", path, changed,
                      changed == 1 ? "" : "s");
    return same ? 0 : 1;
  }
  if (to_stdout) {
    fputs(out, stdout);
    return 0;
  }
  if (o->output) return write_file(o->output, out);
  if (same) return 0;
  if (write_file(path, out)) return 1;
  printf("%s: formatted (%d line%s changed)\n", path, changed, changed == 1 ? "" : "s");
  return 0;
}

static int fmt_one(const CliOpts *o, const char *path) {
  Program *p = program_new();
  int f = strcmp(path, "-") == 0 ? read_stdin(p) : diags_load_file(&p->diags, path);
  if (f < 0) {
    fprintf(stderr, "camp fmt: cannot read `%s`\n", path);
    program_free(p);
    return 1;
  }
  Module *m = parse_source(&p->arena, &p->diags, f);
  int status = 1;
  if (p->diags.nerrors) {
    cli_print_diags(p, o);  /* a file with syntax errors is left alone */
  } else {
    const SourceFile *src = diags_file(&p->diags, f);
    char *out = format_module(m, src);
    if (verify(path, out, m->comments.len) == 0) status = deliver(o, path, src, out);
    free(out);
  }
  program_free(p);
  return status;
}

int cmd_fmt(int argc, char **argv) {
  CliOpts o;
  int rc = cli_parse("fmt", argc, argv, "check,diff,output,format", &o);
  if (rc) return rc;
  if (o.nfiles == 0) {
    fprintf(stderr, "usage: camp fmt FILE... [--check] [--diff] [--output -|FILE]\n");
    return 2;
  }
  if (o.output && strcmp(o.output, "-") != 0 && o.nfiles != 1) {
    fprintf(stderr, "camp fmt: --output FILE takes exactly one input file\n");
    return 2;
  }
  int status = 0;
  for (int i = 0; i < o.nfiles; i++) status |= fmt_one(&o, o.files[i]);
  return status;
}
