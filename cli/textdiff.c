/* textdiff.c — a line diff (Myers' O((N+M)D) algorithm) printed as a
 * unified diff, for `camp fmt --diff`.  Written here rather than spawning
 * diff(1) so the output is the same on every machine and needs no
 * temporary files. */
#include "cli/textdiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT 3
/* Beyond this many ints of search trace, the diff is given up and the
 * whole text is shown as replaced (still a correct diff, only not minimal). */
#define MAX_TRACE (16u << 20)

typedef struct {
  const char *s;
  int len; /* without the newline */
  int nl;  /* ends with a newline */
} Line;

static Line *split(const char *t, size_t n, int *count) {
  int cap = 16, k = 0;
  Line *v = malloc(sizeof *v * (size_t)cap);
  if (!v) abort();
  for (size_t i = 0; i < n;) {
    const char *e = memchr(t + i, '\n', n - i);
    size_t len = e ? (size_t)(e - (t + i)) : n - i;
    if (k == cap) {
      v = realloc(v, sizeof *v * (size_t)(cap *= 2));
      if (!v) abort();
    }
    v[k++] = (Line){t + i, (int)len, e != NULL};
    i += len + (e != NULL);
  }
  *count = k;
  return v;
}

static int same(const Line *a, const Line *b) {
  return a->len == b->len && a->nl == b->nl && memcmp(a->s, b->s, (size_t)a->len) == 0;
}

/* op per line of the edit script: ' ' both, '-' only a, '+' only b. */
typedef struct {
  char op;
  int ai, bi; /* index into a (for ' ', '-') and b (for ' ', '+') */
} Edit;

/* Myers' greedy search keeping every V for the backtrack.  Returns the
 * edit script (malloc'd, *nedits long), or NULL when it would need more
 * than MAX_TRACE ints. */
static Edit *myers(const Line *a, int n, const Line *b, int m, int *nedits) {
  int max = n + m, off = max + 1, w = 2 * max + 3;
  int **trace = calloc((size_t)max + 1, sizeof *trace);
  int *v = calloc((size_t)w, sizeof *v);
  if (!trace || !v) abort();
  size_t used = 0;
  int d_end = -1;
  for (int d = 0; d <= max && d_end < 0; d++) {
    used += (size_t)w;
    if (used > MAX_TRACE) break;
    trace[d] = malloc(sizeof(int) * (size_t)w);
    if (!trace[d]) abort();
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
                                                                        : v[off + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && same(&a[x], &b[y])) x++, y++;
      v[off + k] = x;
      if (x >= n && y >= m) {
        d_end = d;
        break;
      }
    }
    memcpy(trace[d], v, sizeof(int) * (size_t)w);
  }
  Edit *e = NULL;
  if (d_end >= 0) {
    e = malloc(sizeof *e * (size_t)(n + m + 1));
    if (!e) abort();
    int ne = 0, x = n, y = m;
    for (int d = d_end; d > 0; d--) {
      int *pv = trace[d - 1], k = x - y;
      int pk = (k == -d || (k != d && pv[off + k - 1] < pv[off + k + 1])) ? k + 1 : k - 1;
      int px = pv[off + pk], py = px - pk;
      while (x > px && y > py) x--, y--, e[ne++] = (Edit){' ', x, y};
      if (x == px) e[ne++] = (Edit){'+', x, --y};
      else e[ne++] = (Edit){'-', --x, y};
    }
    while (x > 0 && y > 0) x--, y--, e[ne++] = (Edit){' ', x, y};
    for (int i = 0; i < ne / 2; i++) {
      Edit t = e[i];
      e[i] = e[ne - 1 - i];
      e[ne - 1 - i] = t;
    }
    *nedits = ne;
  }
  for (int d = 0; d <= max; d++) free(trace[d]);
  free(trace);
  free(v);
  return e;
}

/* The script "remove all of a, add all of b" (when the search gives up). */
static Edit *replace_all(int n, int m, int *nedits) {
  Edit *e = malloc(sizeof *e * (size_t)(n + m + 1));
  if (!e) abort();
  int k = 0;
  for (int i = 0; i < n; i++) e[k++] = (Edit){'-', i, 0};
  for (int j = 0; j < m; j++) e[k++] = (Edit){'+', n, j};
  *nedits = k;
  return e;
}

static void put_line(FILE *out, char op, const Line *l) {
  fputc(op, out);
  fwrite(l->s, 1, (size_t)l->len, out);
  fputc('\n', out);
  if (!l->nl) fputs("\\ No newline at end of file\n", out);
}

/* "start,count" of a unified hunk header (start is 1-based; an empty range
 * names the line before it). */
static void range(FILE *out, int start, int count) {
  if (count == 1) fprintf(out, "%d", start + 1);
  else fprintf(out, "%d,%d", count ? start + 1 : start, count);
}

int text_diff(FILE *out, const char *name_a, const char *name_b, const char *a, size_t alen,
              const char *b, size_t blen) {
  int n, m, ne = 0;
  Line *la = split(a, alen, &n), *lb = split(b, blen, &m);
  Edit *e = myers(la, n, lb, m, &ne);
  if (!e) e = replace_all(n, m, &ne);
  int changed = 0;
  for (int i = 0; i < ne; i++) changed += e[i].op != ' ';
  if (out && changed) {
    fprintf(out, "--- %s\n+++ %s\n", name_a, name_b);
    for (int i = 0; i < ne;) {
      while (i < ne && e[i].op == ' ') i++;
      if (i == ne) break;
      /* A hunk: from CONTEXT lines before this change to CONTEXT after the
       * last change that is at most 2*CONTEXT unchanged lines from the next. */
      int start = i - CONTEXT < 0 ? 0 : i - CONTEXT;
      while (start < i && e[start].op != ' ') start++;
      int end = i;
      for (;;) {
        while (end < ne && e[end].op != ' ') end++;
        int run = 0;
        while (end + run < ne && e[end + run].op == ' ') run++;
        if (end + run < ne && run <= 2 * CONTEXT) {
          end += run;
          continue;
        }
        end += run < CONTEXT ? run : CONTEXT;
        break;
      }
      int as = -1, bs = -1, ac = 0, bc = 0;
      for (int k = start; k < end; k++) {
        if (e[k].op != '+') {
          if (as < 0) as = e[k].ai;
          ac++;
        }
        if (e[k].op != '-') {
          if (bs < 0) bs = e[k].bi;
          bc++;
        }
      }
      if (as < 0) as = e[start].ai;
      if (bs < 0) bs = e[start].bi;
      fputs("@@ -", out);
      range(out, as, ac);
      fputs(" +", out);
      range(out, bs, bc);
      fputs(" @@\n", out);
      for (int k = start; k < end; k++)
        put_line(out, e[k].op, e[k].op == '+' ? &lb[e[k].bi] : &la[e[k].ai]);
      i = end;
    }
  }
  free(e);
  free(la);
  free(lb);
  return changed;
}
