/* graph.c — DOT text of a checked campaign (see graph.h).  Node summaries
 * are the step's own source text, one line, comments dropped, cut short. */
#include "compiler/graph/graph.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_WIDTH 48
#define MAX_BRANCH_LINES 6

typedef enum { CAT_SOURCE, CAT_TRANSFORM, CAT_COMBINE, CAT_SPLIT, CAT_WAIT, CAT_CHANNEL,
               CAT_SAVE, CAT_FEEDBACK } Category;

/* Shape and fill per category, indexed by Category. */
static const struct {
  const char *shape, *fill;
} look[] = {
    {"cylinder", "#dbeafe"},  {"box", "#f3f4f6"},    {"hexagon", "#fef3c7"},
    {"trapezium", "#ede9fe"}, {"octagon", "#fce7f3"}, {"component", "#dcfce7"},
    {"folder", "#e0e7ff"},    {"invhouse", "#ccfbf1"},
};

const char *graph_kind_name(const Step *s) {
  static const char *const combine[] = {"union", "intersect", "except"};
  switch (s->kind) {
    case S_SELECT: return s->inputs.len ? "filter" : "select";
    case S_AUDIENCE: return "audience";
    case S_COMBINE: return combine[s->combine];
    case S_DEDUP: return "dedup";
    case S_ENRICH: return "enrich";
    case S_SPLIT: return "split";
    case S_CHANGE_DIM: return "change dimension";
    case S_FORK: return "fork";
    case S_JOIN: return "join";
    case S_WAIT: return "wait";
    case S_CHANNEL: return channel_name(s->channel);
    case S_SAVE: return "save";
    case S_RETARGET: return "retarget";
    case S_RECONCILE: return "reconcile";
  }
  return "step";
}

const char *graph_channel_dropped(const Step *s) {
  if (s->kind != S_CHANNEL) return NULL;
  switch (s->channel) {
    case CH_EMAIL: return "without an email address";
    case CH_SMS: return "without a phone number";
    case CH_PUSH: return "without a push token";
    default: return NULL;
  }
}

int graph_input_output(const StepInput *si) {
  const Step *from = si->step;
  for (int k = 0; from && k < from->outputs.len; k++)
    if (!strcmp(from->outputs.items[k], si->name)) return k;
  return 0;
}

static Category category(const Step *s) {
  switch (s->kind) {
    case S_SELECT: return s->inputs.len ? CAT_TRANSFORM : CAT_SOURCE;
    case S_AUDIENCE: case S_RECONCILE: return CAT_SOURCE;
    case S_COMBINE: case S_JOIN: return CAT_COMBINE;
    case S_SPLIT: case S_FORK: return CAT_SPLIT;
    case S_WAIT: return CAT_WAIT;
    case S_CHANNEL: return CAT_CHANNEL;
    case S_SAVE: return CAT_SAVE;
    case S_RETARGET: return CAT_FEEDBACK;
    default: return CAT_TRANSFORM;
  }
}

/* ------------------------------------------------------------ source text */

/* Length of the string or backquoted name starting at s[0] (a quote). */
static size_t quoted_len(const char *s, size_t n) {
  size_t i = 1;
  while (i < n && s[i] != s[0]) i += s[i] == '\\' && s[0] == '"' ? 2 : 1;
  return i < n ? i + 1 : n;
}

/* Appends src[0..n) to out on one line: comments dropped, every run of
 * blanks one space, cut at width characters with an ellipsis. */
static void put_collapsed(FILE *out, const char *src, size_t n, int width) {
  int chars = 0, space = 0;
  for (size_t i = 0; i < n;) {
    size_t len = 1;
    int blank = 0;
    if (src[i] == '"' || src[i] == '`') {
      len = quoted_len(src + i, n - i);
    } else if (src[i] == '/' && i + 1 < n && src[i + 1] == '/') {
      while (i + len < n && src[i + len] != '\n') len++;
      blank = 1;
    } else if (src[i] == '/' && i + 1 < n && src[i + 1] == '*') {
      const char *end = strstr(src + i + 2, "*/");
      len = end && (size_t)(end - src) < n ? (size_t)(end - src) - i + 2 : n - i;
      blank = 1;
    } else if ((unsigned char)src[i] <= ' ') {
      blank = 1;
    }
    if (blank) {
      space = chars > 0;
      i += len;
      continue;
    }
    if (space) {
      if (chars >= width) {
        fputs("\xE2\x80\xA6", out); /* U+2026 */
        return;
      }
      fputc(' ', out);
      chars++;
      space = 0;
    }
    for (size_t k = 0; k < len; k++) {
      unsigned char c = (unsigned char)src[i + k];
      int starts = (c & 0xC0) != 0x80;
      if (starts && chars >= width) {
        fputs("\xE2\x80\xA6", out);
        return;
      }
      chars += starts;
      fputc(c < ' ' ? ' ' : c, out);
    }
    i += len;
  }
}

/* The source text of loc, or NULL when it is not available. */
static const char *loc_text(const Program *p, Loc loc, size_t *n) {
  const SourceFile *f = loc.file >= 0 ? diags_file(&p->diags, loc.file) : NULL;
  if (!f || loc.off < 0 || loc.end_off < loc.off || (size_t)loc.end_off > f->len) return NULL;
  *n = (size_t)(loc.end_off - loc.off);
  return f->text + loc.off;
}

/* The step's text after `outputs =`, collapsed and cut. */
static void put_step_text(FILE *out, const Program *p, const Step *s) {
  size_t n;
  const char *t = loc_text(p, s->loc, &n);
  if (!t) return;
  if (s->outputs.len) {
    const char *eq = memchr(t, '=', n);
    if (eq) {
      n -= (size_t)(eq + 1 - t);
      t = eq + 1;
    }
  }
  put_collapsed(out, t, n, SUMMARY_WIDTH);
}

/* One line per branch of a split ("vip when spent > 500 limit 10"). */
static void put_branches(FILE *out, const Program *p, const Step *s) {
  for (int i = 0; i < s->branches.len; i++) {
    if (i == MAX_BRANCH_LINES) {
      fprintf(out, "\n(+%d more)", s->branches.len - i);
      return;
    }
    const SplitBranch *b = s->branches.items[i];
    size_t n;
    const char *t = loc_text(p, b->loc, &n);
    if (i) fputc('\n', out);
    if (t) put_collapsed(out, t, n, SUMMARY_WIDTH);
    else fputs(b->is_else ? "else" : "when ...", out);
    /* The branch's location stops at its rule; the limit matters too. */
    if (b->has_limit && b->is_percent) fprintf(out, " limit %g%%", b->limit_percent);
    else if (b->has_limit) fprintf(out, " limit %" PRId64, b->limit);
    if (b->order.len) fputs(" (top)", out);
  }
}

static void put_enrich(FILE *out, const Step *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) abort();
  fputs("+ ", m);
  for (int i = 0; i < s->enrich.len; i++)
    fprintf(m, "%s%s", i ? ", " : "", ((EnrichItem *)s->enrich.items[i])->name);
  fclose(m);
  put_collapsed(out, buf, len, SUMMARY_WIDTH);
  free(buf);
}

static void put_summary(FILE *out, const Program *p, const Step *s) {
  if (s->kind == S_SPLIT) put_branches(out, p, s);
  else if (s->kind == S_ENRICH) put_enrich(out, s);
  else put_step_text(out, p, s);
}

/* ------------------------------------------------------------ run data */

static const GraphStepState *step_state(const GraphRun *run, const char *label) {
  for (int i = 0; run && i < run->nsteps; i++)
    if (run->steps[i].step && !strcmp(run->steps[i].step, label)) return &run->steps[i];
  return NULL;
}

static const GraphCount *output_count(const GraphRun *run, const char *output) {
  for (int i = 0; run && i < run->ncounts; i++)
    if (run->counts[i].output && !strcmp(run->counts[i].output, output)) return &run->counts[i];
  return NULL;
}

/* "state" line and the step's counts ("vip 120 · gold 40", or "n = 120"). */
static void put_run_lines(FILE *out, const Step *s, const GraphRun *run) {
  const GraphStepState *st = step_state(run, s->label);
  if (st) {
    fprintf(out, "\n[%s]", st->state ? st->state : "?");
    if (st->due_at && st->state && !strcmp(st->state, "waiting")) fprintf(out, " until %s", st->due_at);
  }
  int first = 1;
  for (int i = 0; i < run->ncounts; i++) {
    const GraphCount *c = &run->counts[i];
    if (!c->step || strcmp(c->step, s->label) || !c->output) continue;
    fputs(first ? "\n" : " \xC2\xB7 ", out); /* middle dot */
    if (!strcmp(c->output, s->label) && s->outputs.len <= 1)
      fprintf(out, "n = %" PRId64, c->count);
    else
      fprintf(out, "%s %" PRId64, c->output, c->count);
    first = 0;
  }
}

/* ------------------------------------------------------------ DOT output */

/* s as a DOT quoted string: \ and " escaped, newlines as \n (centred
 * label lines), other control characters as spaces. */
static void put_quoted(FILE *out, const char *s, size_t n) {
  fputc('"', out);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fputc('\\', out);
    if (c == '\n') fputs("\\n", out);
    else fputc(c < ' ' ? ' ' : c, out);
  }
  fputc('"', out);
}

static void put_qstr(FILE *out, const char *s) { put_quoted(out, s, strlen(s)); }

static void put_node_style(FILE *out, const Step *s, const GraphRun *run) {
  Category cat = category(s);
  const GraphStepState *st = run ? step_state(run, s->label) : NULL;
  const char *state = st && st->state ? st->state : "";
  const char *style = "filled", *color = "#4b5563", *pen = "1";
  if (!strcmp(state, "done")) color = "#15803d", pen = "2";
  else if (!strcmp(state, "waiting")) color = "#d97706", pen = "2.5", style = "filled,bold";
  else if (!strcmp(state, "failed")) color = "#dc2626", pen = "2.5", style = "filled,bold";
  else if (!strcmp(state, "pending")) color = "#9ca3af", style = "filled,dashed";
  else if (!strcmp(state, "skipped")) color = "#9ca3af", style = "filled,dotted";
  fprintf(out, ", shape=%s, style=\"%s\", fillcolor=\"%s\", color=\"%s\", penwidth=%s", look[cat].shape,
          style, look[cat].fill, color, pen);
}

static void put_node(FILE *out, const Program *p, const Step *s, const GraphRun *run) {
  char *label = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&label, &len);
  if (!m) abort();
  if (s->outputs.len == 0) fputs(s->label, m);
  for (int i = 0; i < s->outputs.len; i++) fprintf(m, "%s%s", i ? ", " : "", (char *)s->outputs.items[i]);
  fprintf(m, "\n%s", graph_kind_name(s));
  char *sum = NULL;
  size_t sumlen = 0;
  FILE *sm = open_memstream(&sum, &sumlen);
  if (!sm) abort();
  put_summary(sm, p, s);
  fclose(sm);
  if (sumlen) fprintf(m, "\n%s", sum);
  free(sum);
  if (run) put_run_lines(m, s, run);
  fclose(m);
  fputs("  ", out);
  put_qstr(out, s->label);
  fputs(" [label=", out);
  put_quoted(out, label, len);
  put_node_style(out, s, run);
  fputs("];\n", out);
  free(label);
}

static void put_edge(FILE *out, const Step *s, const StepInput *si, const GraphRun *run) {
  const Step *from = si->step;
  const GraphCount *c = run ? output_count(run, si->name) : NULL;
  fputs("  ", out);
  put_qstr(out, from->label);
  fputs(" -> ", out);
  put_qstr(out, s->label);
  char buf[256];
  int named = from->outputs.len > 1;
  if (named && c) snprintf(buf, sizeof buf, "%s\n%" PRId64, si->name, c->count);
  else if (named) snprintf(buf, sizeof buf, "%s", si->name);
  else if (c) snprintf(buf, sizeof buf, "%" PRId64, c->count);
  else buf[0] = 0;
  if (buf[0]) {
    fputs(" [label=", out);
    put_qstr(out, buf);
    fputc(']', out);
  }
  fputs(";\n", out);
}

/* The graph's caption: campaign name, title header, run and its state. */
static void put_caption(FILE *out, const Decl *c, const GraphRun *run) {
  char *cap = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&cap, &len);
  if (!m) abort();
  fputs(c->name, m);
  for (int i = 0; i < c->headers.len; i++) {
    const HeaderField *h = c->headers.items[i];
    if (!strcmp(h->name, "title") && h->value && h->value->kind == E_STR)
      fprintf(m, ": %s", h->value->text);
  }
  if (run) fprintf(m, "\nrun %" PRId64 " (%s)", run->id, run->state ? run->state : "?");
  fclose(m);
  fputs("  label=", out);
  put_quoted(out, cap, len);
  fputs(";\n", out);
  free(cap);
}

char *graph_dot(const Program *p, const Decl *c, const GraphRun *run) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (!out) abort();
  fputs("digraph ", out);
  put_qstr(out, c->name);
  fputs(" {\n  labelloc=t;\n  fontname=\"Helvetica\";\n", out);
  put_caption(out, c, run);
  fputs("  node [fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#6b7280\"];\n", out);
  for (int i = 0; i < c->steps.len; i++) put_node(out, p, c->steps.items[i], run);
  for (int i = 0; i < c->steps.len; i++) {
    const Step *s = c->steps.items[i];
    for (int k = 0; k < s->inputs.len; k++) {
      const StepInput *si = s->inputs.items[k];
      if (si->step) put_edge(out, s, si, run);
    }
  }
  fputs("}\n", out);
  if (fclose(out) != 0) abort();
  return buf;
}
