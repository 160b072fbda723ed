/* mutate.c — crash-freedom fuzzing of the camp command line.
 *
 * For every seed file it derives cases — every truncation (files up to
 * TRUNC_ALL bytes; a sample of TRUNC_SAMPLE points for larger ones) and
 * random mutations (byte flips, deletions, insertions of NUL / 0xFF / broken
 * UTF-8, duplicated slices, keyword swaps, nasty snippets) — deterministically
 * from a fixed seed, runs `camp check`, `camp check --format json` and, on a
 * subset, `camp fmt --check` on each, and requires:
 *   - no signal, no timeout, exit code 0, 1 or 2, no sanitizer report;
 *   - exit 1 from check comes with an `: error:` line on stderr, exit 0
 *     without one;
 *   - --format json prints valid JSON and exits like the text run.
 * Cases run round-robin over the seeds (so a time budget still covers every
 * seed) on -j parallel slots via posix_spawn.  A failing case is saved to the
 * failure directory with its exact reproduction command.
 *
 * usage: mutate -c CAMP [-c ARG]... -l SEEDLIST [-R REGRESSIONLIST]
 *               [-w WORKDIR] [-f FAILDIR] [-j JOBS] [-t TIMEOUT_S]
 *               [-b BUDGET_S] [-n MAX_CASES] [-m MUTATIONS_PER_SEED] [-s SEED]
 * The last line printed is `fuzz: N passed, N failed` (N counts cases). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { MAX_INCS = 8, TRUNC_ALL = 2048, TRUNC_SAMPLE = 300, MAX_JOBS = 64, MAX_PREFIX = 32,
       MAX_SAVED = 100, MAX_PRINTED = 30, FMT_EVERY = 8 };

/* ---- vocabulary: the one keyword table, for token swaps ---------------- */

static const char *const vocab[] = {
#define KW(w, t, c) w,
#define TYPE(w) w,
#define FUNC(w, lo, hi) w,
#define AGG(w) w,
#define FEEDBACK(w) w,
#include "lang/keywords.def"
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

/* Fragments that stress the lexer's and parser's error paths. */
static const char *const snippets[] = {
    "\"unterminated", "'single'", "==", "/*", "*/", "//", "->", "2026-02-30",
    "2026-13-01 25:61", "3x", "99999999999999999999999999", "1.", ".5",
    "{", "}", "(", ")", "[", "]", "{{", "}}", "\n", ";", ",", ".", "%", ":",
    "\"{{first_name\"", "\\", "\"\\u{110000}\"", "\"\\", "`", "`x", "``",
    "\r\n", "\t", "\xEF\xBB\xBF", "non-null", "-> ->", "= =", "where where",
    "limit 200%", "order by", "keep 0", "0d", "-0", "1e999", "\"\"", "#",
    "$", "@", "?", "!", "&", "|", "^", "~",
};
#define NSNIPPETS (sizeof snippets / sizeof snippets[0])

/* Bytes that are not valid (or not plain) UTF-8, NUL included. */
static const unsigned char bad_bytes[] = {0x00, 0xFF, 0xFE, 0x80, 0xBF, 0xC0,
                                          0xC1, 0xED, 0xF4, 0xF5, 0xF8, 0x7F,
                                          0x01, 0x1B, 0x0B, 0x0C};

/* ---- deterministic random numbers (splitmix64) ------------------------- */

typedef struct { uint64_t s; } Rng;

static uint64_t rng_next(Rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform-enough integer in [0, n); n == 0 gives 0. */
static size_t rng_below(Rng *r, size_t n) { return n ? (size_t)(rng_next(r) % n) : 0; }

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* ---- growable byte buffer ---------------------------------------------- */

typedef struct { unsigned char *p; size_t len, cap; } Buf;

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) { perror("mutate"); exit(2); }
  return p;
}

static void buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  b->cap = (b->len + extra) * 2 + 64;
  b->p = xrealloc(b->p, b->cap);
}

static void buf_set(Buf *b, const unsigned char *p, size_t n) {
  b->len = 0;
  buf_reserve(b, n);
  memcpy(b->p, p, n);
  b->len = n;
}

/* Inserts n bytes at position at (clamped to the end). */
static void buf_insert(Buf *b, size_t at, const void *p, size_t n) {
  if (at > b->len) at = b->len;
  buf_reserve(b, n);
  memmove(b->p + at + n, b->p + at, b->len - at);
  memcpy(b->p + at, p, n);
  b->len += n;
}

static void buf_delete(Buf *b, size_t at, size_t n) {
  if (at >= b->len) return;
  if (n > b->len - at) n = b->len - at;
  memmove(b->p + at, b->p + at + n, b->len - at - n);
  b->len -= n;
}

static int read_file(const char *path, Buf *b) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  unsigned char chunk[65536];
  size_t n;
  b->len = 0;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_insert(b, b->len, chunk, n);
  fclose(f);
  return 0;
}

static int write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(p, 1, n, f) == n;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* ---- mutations ---------------------------------------------------------- */

static void mut_flip(Buf *b, Rng *r) {
  if (!b->len) return;
  size_t at = rng_below(r, b->len);
  b->p[at] = rng_below(r, 2) ? (unsigned char)(b->p[at] ^ (1u << rng_below(r, 8)))
                             : (unsigned char)rng_next(r);
}

static void mut_delete(Buf *b, Rng *r) {
  if (b->len) buf_delete(b, rng_below(r, b->len), 1 + rng_below(r, 16));
}

static void mut_insert_bytes(Buf *b, Rng *r) {
  unsigned char bytes[8];
  size_t n = 1 + rng_below(r, sizeof bytes);
  for (size_t i = 0; i < n; i++)
    bytes[i] = rng_below(r, 3) ? bad_bytes[rng_below(r, sizeof bad_bytes)]
                               : (unsigned char)rng_next(r);
  buf_insert(b, rng_below(r, b->len + 1), bytes, n);
}

static void mut_duplicate(Buf *b, Rng *r) {
  if (!b->len) return;
  size_t from = rng_below(r, b->len), n = 1 + rng_below(r, 64);
  if (n > b->len - from) n = b->len - from;
  unsigned char tmp[64];
  memcpy(tmp, b->p + from, n);
  buf_insert(b, rng_below(r, b->len + 1), tmp, n);
}

static int is_word(unsigned char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* Replaces the word at or after a random point with a random camp word. */
static void mut_swap_word(Buf *b, Rng *r) {
  const char *w = vocab[rng_below(r, NVOCAB)];
  size_t at = rng_below(r, b->len + 1);
  while (at < b->len && !is_word(b->p[at])) at++;
  while (at > 0 && at < b->len && is_word(b->p[at - 1])) at--;
  size_t end = at;
  while (end < b->len && is_word(b->p[end])) end++;
  buf_delete(b, at, end - at);
  buf_insert(b, at, w, strlen(w));
}

static void mut_snippet(Buf *b, Rng *r) {
  const char *s = snippets[rng_below(r, NSNIPPETS)];
  size_t n = strcmp(s, "\xEF\xBB\xBF") == 0 ? 3 : strlen(s);
  buf_insert(b, rng_below(r, b->len + 1), s, n);
}

/* Rare: deep nesting or a huge token, for recursion and length limits. */
static void mut_deep(Buf *b, Rng *r) {
  static const char *const units[] = {"(", "[", "{", "-", "not ", "a.", "\""};
  const char *u = units[rng_below(r, sizeof units / sizeof units[0])];
  size_t reps = 100 + rng_below(r, 5000), n = strlen(u);
  size_t at = rng_below(r, b->len + 1);
  for (size_t i = 0; i < reps; i++) buf_insert(b, at, u, n);
}

/* Rare: a very long left-associative chain right after a `where`, so the
 * tree is deep although the parser's stack stays flat (recursion limits of
 * checker, SQL generator and formatter). */
static void mut_long_chain(Buf *b, Rng *r) {
  static const char *const units[] = {"1 = 1 and ", "x + ", "1 < 2 or "};
  const char *u = units[rng_below(r, sizeof units / sizeof units[0])];
  size_t reps = (size_t)1000 << rng_below(r, 7), n = strlen(u);
  size_t from = rng_below(r, b->len + 1);
  unsigned char *w = memmem(b->p + from, b->len - from, "where ", 6);
  if (!w) w = memmem(b->p, b->len, "where ", 6);
  size_t at = w ? (size_t)(w - b->p) + 6 : rng_below(r, b->len + 1);
  Buf chain = {0};
  for (size_t i = 0; i < reps; i++) buf_insert(&chain, chain.len, u, n);
  buf_insert(b, at, chain.p, chain.len);
  free(chain.p);
}

/* Swaps two whole lines (statements out of order, braces unbalanced). */
static void mut_swap_lines(Buf *b, Rng *r) {
  if (b->len < 2) return;
  size_t a = rng_below(r, b->len), c = rng_below(r, b->len);
  while (a > 0 && b->p[a - 1] != '\n') a--;
  size_t ae = a;
  while (ae < b->len && b->p[ae] != '\n') ae++;
  if (ae - a > 4096) return;
  unsigned char line[4096];
  size_t n = ae - a;
  memcpy(line, b->p + a, n);
  buf_delete(b, a, n);
  if (c > b->len) c = b->len;
  while (c > 0 && b->p[c - 1] != '\n') c--;
  buf_insert(b, c, line, n);
}

/* Applies 1-4 random mutations; the operator mix favours cheap local edits. */
static void mutate(Buf *b, Rng *r) {
  size_t k = 1 + rng_below(r, 4);
  for (size_t i = 0; i < k; i++) {
    switch (rng_below(r, 20)) {
    case 0: case 1: case 2: mut_flip(b, r); break;
    case 3: case 4: case 5: mut_delete(b, r); break;
    case 6: case 7: case 8: mut_insert_bytes(b, r); break;
    case 9: case 10: mut_duplicate(b, r); break;
    case 11: case 12: case 13: case 14: mut_swap_word(b, r); break;
    case 15: case 16: case 17: mut_snippet(b, r); break;
    case 18: mut_swap_lines(b, r); break;
    default: rng_below(r, 3) ? mut_deep(b, r) : mut_long_chain(b, r); break;
    }
  }
}

/* ---- seeds and the case schedule ---------------------------------------- */

typedef struct {
  char *path;
  Buf data;
  int verbatim;        /* run as-is once (saved failures, as regressions) */
  char *incs[MAX_INCS]; /* -I dirs: the seed's directory and its parents, so
                           its relative imports still resolve from WORKDIR */
  int nincs;
  size_t ntrunc, nmut, total, stride, next;
} Seed;

static size_t gcd(size_t a, size_t b) {
  while (b) { size_t t = a % b; a = b; b = t; }
  return a;
}

/* The seed's directory and its ancestors, nearest first (import lookup). */
static void seed_includes(Seed *s) {
  char *dir = strdup(s->path);
  for (char *slash; s->nincs < MAX_INCS && (slash = strrchr(dir, '/'));) {
    *slash = 0;
    if (!dir[0]) break;
    s->incs[s->nincs++] = strdup(dir);
  }
  free(dir);
}

/* Cases of a seed are visited in the order k*stride mod total so that a run
 * cut short by the time budget still spreads over the whole file and mixes
 * truncations with mutations. */
static void seed_plan(Seed *s, size_t nmut) {
  if (s->verbatim) { s->ntrunc = 1; s->nmut = 0; s->total = 1; s->stride = 1; return; }
  s->ntrunc = s->data.len <= TRUNC_ALL ? s->data.len + 1 : TRUNC_SAMPLE + 1;
  s->nmut = nmut;
  s->total = s->ntrunc + s->nmut;
  size_t st = s->total * 618 / 1000 + 1;
  while (gcd(st, s->total) != 1) st++;
  s->stride = st;
}

/* Builds case k of seed s into out; label names it (for file names). */
static void make_case(const Seed *s, size_t k, uint64_t seed, Buf *out,
                      char *label, size_t lsize) {
  size_t p = (k * s->stride) % s->total;
  if (s->verbatim) {
    buf_set(out, s->data.p, s->data.len);
    snprintf(label, lsize, "verbatim");
  } else if (p < s->ntrunc) {
    size_t len = p;
    if (s->data.len > TRUNC_ALL) {
      size_t step = s->data.len / TRUNC_SAMPLE;
      Rng r = {seed ^ hash_str(s->path) ^ (p * 7919)};
      len = p == TRUNC_SAMPLE ? s->data.len : p * step + rng_below(&r, step);
    }
    buf_set(out, s->data.p, len);
    snprintf(label, lsize, "trunc-%zu", len);
  } else {
    size_t m = p - s->ntrunc;
    Rng r = {seed ^ hash_str(s->path) ^ ((uint64_t)(m + 1) << 20)};
    buf_set(out, s->data.p, s->data.len);
    mutate(out, &r);
    snprintf(label, lsize, "mut-%zu", m);
  }
}

/* ---- options ------------------------------------------------------------ */

typedef struct {
  char *prefix[MAX_PREFIX + 1];
  int nprefix;
  const char *seed_list, *regress_list, *workdir, *faildir;
  int jobs;
  double timeout, budget;
  size_t max_cases, nmut;
  uint64_t seed;
} Opts;

static void usage(void) {
  fprintf(stderr, "usage: mutate -c CAMP [-c ARG]... -l SEEDLIST [-R LIST] [-w DIR] "
                  "[-f FAILDIR] [-j N] [-t S] [-b S] [-n MAX] [-m MUT] [-s SEED]\n");
  exit(2);
}

static void parse_opts(int argc, char **argv, Opts *o) {
  *o = (Opts){.workdir = "/tmp", .faildir = "tests/fuzz/failures", .jobs = 2,
              .timeout = 5, .budget = 60, .max_cases = (size_t)-1, .nmut = 100,
              .seed = 20260301};
  int c;
  while ((c = getopt(argc, argv, "c:l:R:w:f:j:t:b:n:m:s:")) != -1) {
    switch (c) {
    case 'c': if (o->nprefix < MAX_PREFIX) o->prefix[o->nprefix++] = optarg; break;
    case 'l': o->seed_list = optarg; break;
    case 'R': o->regress_list = optarg; break;
    case 'w': o->workdir = optarg; break;
    case 'f': o->faildir = optarg; break;
    case 'j': o->jobs = atoi(optarg); break;
    case 't': o->timeout = atof(optarg); break;
    case 'b': o->budget = atof(optarg); break;
    case 'n': o->max_cases = strtoull(optarg, NULL, 10); break;
    case 'm': o->nmut = strtoull(optarg, NULL, 10); break;
    case 's': o->seed = strtoull(optarg, NULL, 10); break;
    default: usage();
    }
  }
  if (!o->nprefix || !o->seed_list) usage();
  if (o->jobs < 1) o->jobs = 1;
  if (o->jobs > MAX_JOBS) o->jobs = MAX_JOBS;
}

/* Reads one path per line from list into *seeds (appending). */
static void load_seeds(const char *list, Seed **seeds, size_t *n, size_t *cap,
                       size_t nmut, int verbatim) {
  FILE *f = fopen(list, "r");
  if (!f) { perror(list); exit(2); }
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0]) continue;
    if (*n == *cap) {
      *cap = *cap * 2 + 16;
      *seeds = xrealloc(*seeds, *cap * sizeof **seeds);
    }
    Seed *s = &(*seeds)[*n];
    *s = (Seed){.path = strdup(line), .verbatim = verbatim};
    if (read_file(line, &s->data) != 0) { perror(line); exit(2); }
    seed_plan(s, nmut);
    seed_includes(s);
    (*n)++;
  }
  fclose(f);
}

/* ---- running one command ------------------------------------------------- */

typedef enum { CMD_TEXT, CMD_JSON, CMD_FMT, CMD_DONE } CmdKind;

typedef struct {
  int busy;
  pid_t pid;
  struct timespec start;
  int killed;          /* by us, for the timeout */
  CmdKind cmd;
  Buf input;
  char label[64];
  size_t seed, ordinal; /* seed index; the case's position in the run */
  int text_rc;
  char casefile[4096], outfile[4096], errfile[4096];
} Slot;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double elapsed_s(const struct timespec *t0) {
  return now_s() - ((double)t0->tv_sec + (double)t0->tv_nsec / 1e9);
}

/* argv for one command of a case: prefix, sub-command words, -I dirs of
 * the seed (check only), case file. */
static void build_argv(const Opts *o, CmdKind k, const Seed *s, const char *file,
                       char **argv) {
  int n = 0;
  for (int i = 0; i < o->nprefix; i++) argv[n++] = o->prefix[i];
  if (k == CMD_FMT) { argv[n++] = "fmt"; argv[n++] = "--check"; }
  else argv[n++] = "check";
  if (k == CMD_JSON) { argv[n++] = "--format"; argv[n++] = "json"; }
  for (int i = 0; k != CMD_FMT && i < s->nincs; i++) {
    argv[n++] = "-I";
    argv[n++] = s->incs[i];
  }
  argv[n++] = (char *)file;
  argv[n] = NULL;
}

static void spawn_cmd(const Opts *o, const Seed *seed, Slot *s) {
  char *argv[MAX_PREFIX + 8 + 2 * MAX_INCS];
  build_argv(o, s->cmd, seed, s->casefile, argv);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, s->outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, s->errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawn(&s->pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    fprintf(stderr, "mutate: cannot run %s: %s\n", argv[0], strerror(rc));
    exit(2);
  }
  clock_gettime(CLOCK_MONOTONIC, &s->start);
  s->killed = 0;
}

/* ---- judging a finished command ----------------------------------------- */

static int has_line_with(const Buf *b, const char *needle) {
  return memmem(b->p, b->len, needle, strlen(needle)) != NULL;
}

static const char *const sanitizer_marks[] = {
    "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
    "ERROR: UndefinedBehaviorSanitizer", "Invalid read", "Invalid write",
    "uninitialised value", "definitely lost",
};

/* Why the command's outcome is wrong, or NULL when it is acceptable. */
static const char *judge(Slot *s, int status, double timeout_s, char *why,
                         size_t wsize) {
  Buf err = {0}, out = {0};
  read_file(s->errfile, &err);
  const char *bad = NULL;
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (s->killed)
    snprintf(why, wsize, "timeout (killed after %g s)", timeout_s), bad = why;
  else if (WIFSIGNALED(status))
    snprintf(why, wsize, "killed by signal %d (%s)", WTERMSIG(status),
             strsignal(WTERMSIG(status))), bad = why;
  else if (rc > 2)
    snprintf(why, wsize, "exit code %d", rc), bad = why;
  for (size_t i = 0; !bad && i < sizeof sanitizer_marks / sizeof *sanitizer_marks; i++)
    if (has_line_with(&err, sanitizer_marks[i]))
      snprintf(why, wsize, "sanitizer/valgrind report (%s)", sanitizer_marks[i]), bad = why;
  if (!bad && s->cmd == CMD_TEXT) {
    s->text_rc = rc;
    if (rc == 1 && !has_line_with(&err, ": error:")) bad = "exit 1 without an `: error:` line";
    if (rc == 0 && has_line_with(&err, ": error:")) bad = "exit 0 with an `: error:` line";
  }
  if (!bad && s->cmd == CMD_JSON) {
    read_file(s->outfile, &out);
    json_error_t je;
    json_t *j = json_loadb((const char *)out.p, out.len, 0, &je);
    if (!j && rc != 2)
      snprintf(why, wsize, "invalid JSON on stdout: %s (line %d)", je.text, je.line), bad = why;
    else if (rc != s->text_rc)
      snprintf(why, wsize, "--format json exits %d, text exits %d", rc, s->text_rc), bad = why;
    json_decref(j);
  }
  free(err.p);
  free(out.p);
  return bad;
}

/* ---- failures ------------------------------------------------------------ */

typedef struct {
  size_t passed, failed, saved, printed;
} Tally;

static const char *cmd_words(CmdKind k) {
  return k == CMD_JSON ? "check --format json" : k == CMD_FMT ? "fmt --check" : "check";
}

/* Writes PATH.txt next to a saved case: what failed and how to rerun it. */
static void write_note(const Opts *o, const Slot *s, const Seed *seed, const char *path,
                       const char *why) {
  char txt[4200];
  snprintf(txt, sizeof txt, "%s.txt", path);
  FILE *f = fopen(txt, "w");
  if (!f) return;
  fprintf(f, "seed: %s\ncase: %s\nproblem: %s\nreproduce: NO_COLOR=1", seed->path,
          s->label, why);
  char *argv[MAX_PREFIX + 8 + 2 * MAX_INCS];
  build_argv(o, s->cmd, seed, path, argv);
  for (int i = 0; argv[i]; i++) fprintf(f, " %s", argv[i]);
  fputc('\n', f);
  fclose(f);
}

/* Saves the case as FAILDIR/SEEDNAME-LABEL.camp (plus a note) unless it is
 * itself a saved failure, and prints the one-line report. */
static void save_failure(const Opts *o, Tally *t, Slot *s, const Seed *seed,
                         const char *why) {
  char base[512], path[4096];
  const char *slash = strrchr(seed->path, '/');
  snprintf(base, sizeof base, "%s", slash ? slash + 1 : seed->path);
  char *dot = strstr(base, ".camp");
  if (dot) *dot = 0;
  snprintf(path, sizeof path, "%s/%s-%s.camp", o->faildir, base, s->label);
  const char *where = path;
  if (seed->verbatim) {
    where = "(a saved failure, still failing)";
  } else if (t->saved >= MAX_SAVED || (mkdir(o->faildir, 0755) != 0 && errno != EEXIST) ||
             write_file(path, s->input.p, s->input.len) != 0) {
    where = "(not saved)";
  } else {
    t->saved++;
    write_note(o, s, seed, path, why);
  }
  if (t->printed++ < MAX_PRINTED)
    printf("FAIL fuzz %s [%s] camp %s: %s -> %s\n", seed->path, s->label,
           cmd_words(s->cmd), why, where);
}

/* ---- the scheduler --------------------------------------------------------- */

typedef struct {
  const Opts *o;
  Seed *seeds;
  size_t nseeds, cursor, started, planned;
  Slot slots[MAX_JOBS];
  Tally tally;
  double t0;
  int budget_hit;
} Run;

/* Next case in round-robin order over seeds; 0 when none is left. */
static int next_case(Run *r, size_t *si, size_t *k) {
  for (size_t tries = 0; tries < r->nseeds; tries++) {
    size_t i = r->cursor++ % r->nseeds;
    if (r->seeds[i].next < r->seeds[i].total) {
      *si = i;
      *k = r->seeds[i].next++;
      return 1;
    }
  }
  return 0;
}

static int start_case(Run *r, Slot *s) {
  if (r->started >= r->o->max_cases) return 0;
  if (now_s() - r->t0 > r->o->budget) { r->budget_hit = 1; return 0; }
  size_t si, k;
  if (!next_case(r, &si, &k)) return 0;
  make_case(&r->seeds[si], k, r->o->seed, &s->input, s->label, sizeof s->label);
  if (write_file(s->casefile, s->input.p, s->input.len) != 0) {
    perror(s->casefile);
    exit(2);
  }
  s->seed = si;
  s->ordinal = r->started;
  s->busy = 1;
  s->cmd = CMD_TEXT;
  r->started++;
  spawn_cmd(r->o, &r->seeds[si], s);
  return 1;
}

/* A command of slot s ended: judge it and start the next command or case. */
static void finish_cmd(Run *r, Slot *s, int status) {
  char why[256];
  const char *bad = judge(s, status, r->o->timeout, why, sizeof why);
  if (bad) {
    save_failure(r->o, &r->tally, s, &r->seeds[s->seed], bad);
    r->tally.failed++;
    s->cmd = CMD_DONE;
  } else if (s->cmd == CMD_TEXT) {
    s->cmd = CMD_JSON;
  } else if (s->cmd == CMD_JSON && s->ordinal % FMT_EVERY == 0) {
    s->cmd = CMD_FMT;
  } else {
    r->tally.passed++;
    s->cmd = CMD_DONE;
  }
  if (s->cmd != CMD_DONE) { spawn_cmd(r->o, &r->seeds[s->seed], s); return; }
  s->busy = 0;
  start_case(r, s);
}

static Slot *slot_of(Run *r, pid_t pid) {
  for (int i = 0; i < r->o->jobs; i++)
    if (r->slots[i].busy && r->slots[i].pid == pid) return &r->slots[i];
  return NULL;
}

static void kill_overdue(Run *r) {
  for (int i = 0; i < r->o->jobs; i++) {
    Slot *s = &r->slots[i];
    if (s->busy && !s->killed && elapsed_s(&s->start) > r->o->timeout) {
      kill(s->pid, SIGKILL);
      s->killed = 1;
    }
  }
}

static int any_busy(const Run *r) {
  for (int i = 0; i < r->o->jobs; i++)
    if (r->slots[i].busy) return 1;
  return 0;
}

/* Waits for children with SIGCHLD blocked, waking at least every 50 ms to
 * enforce the timeout. */
static void run_all(Run *r) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, NULL);
  for (int i = 0; i < r->o->jobs; i++) start_case(r, &r->slots[i]);
  while (any_busy(r)) {
    int status;
    pid_t pid;
    int reaped = 0;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      Slot *s = slot_of(r, pid);
      if (s) finish_cmd(r, s, status);
      reaped = 1;
    }
    if (reaped) continue;
    struct timespec ts = {0, 50 * 1000 * 1000};
    sigtimedwait(&set, NULL, &ts);
    kill_overdue(r);
  }
}

static void setup_slots(Run *r) {
  for (int i = 0; i < r->o->jobs; i++) {
    Slot *s = &r->slots[i];
    snprintf(s->casefile, sizeof s->casefile, "%s/case%d.camp", r->o->workdir, i);
    snprintf(s->outfile, sizeof s->outfile, "%s/case%d.out", r->o->workdir, i);
    snprintf(s->errfile, sizeof s->errfile, "%s/case%d.err", r->o->workdir, i);
  }
}

int main(int argc, char **argv) {
  Opts o;
  parse_opts(argc, argv, &o);
  setenv("NO_COLOR", "1", 1);
  Run r = {.o = &o};
  size_t cap = 0;
  load_seeds(o.seed_list, &r.seeds, &r.nseeds, &cap, o.nmut, 0);
  if (o.regress_list) load_seeds(o.regress_list, &r.seeds, &r.nseeds, &cap, 0, 1);
  for (size_t i = 0; i < r.nseeds; i++) r.planned += r.seeds[i].total;
  setup_slots(&r);
  r.t0 = now_s();
  if (r.nseeds) run_all(&r);
  if (r.tally.printed > MAX_PRINTED)
    printf("fuzz: ... %zu more failures not shown\n", r.tally.printed - MAX_PRINTED);
  printf("fuzz: ran %zu of %zu planned cases from %zu seeds in %.1f s%s\n",
         r.started, r.planned, r.nseeds, now_s() - r.t0,
         r.budget_hit ? " (time budget reached)" : "");
  printf("fuzz: %zu passed, %zu failed\n", r.tally.passed, r.tally.failed);
  return r.tally.failed ? 1 : 0;
}
