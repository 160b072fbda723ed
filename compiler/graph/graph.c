/* graph.c — DOT text of a checked campaign (see graph.h).  A node's first
 * line says what the step is: its name, or for an unnamed channel or save
 * step what it does ("Email to vip", "Save top as “vips”"), never the
 * internal label.  Node summaries are the step's own source text, one
 * line, comments dropped, cut short.  The steps that only one output of a
 * split or fork leads to are drawn inside a box (a cluster) named after
 * that output; a legend explains shapes and, with a run, border colours. */
#include "compiler/graph/graph.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_WIDTH 48
#define MAX_BRANCH_LINES 6
/* Width of a node over the height of a rank (labels are wide). */
#define GRAPH_NODE_ASPECT 3.0

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
    case S_LOCAL_APPROVAL: return "local approval";
    case S_HOLDOUT: return "holdout";
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
    case S_WAIT: case S_LOCAL_APPROVAL: return CAT_WAIT;
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

/* A channel's message (subject, body, template) or extraction file. */
static void put_channel(FILE *out, const Step *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) abort();
  int lines = 0;
  for (int i = 0; i < s->props.len; i++) {
    const ChannelProp *p = s->props.items[i];
    if (!p->value && strcmp(p->key, "columns")) continue;
    if (lines++) fputc('\n', m);
    if (!strcmp(p->key, "columns")) {
      fputs("columns (", m);
      for (int k = 0; k < p->cols.len; k++) fprintf(m, "%s%s", k ? ", " : "", (char *)p->cols.items[k]);
      fputc(')', m);
    } else {
      fprintf(m, "%s: %s%s", p->key, p->value, p->percent ? "%" : ""); /* holdout: 10% */
    }
  }
  fclose(m);
  /* each line cut on its own */
  for (char *line = buf, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    size_t n = next ? (size_t)(next - line) : strlen(line);
    if (line != buf) fputc('\n', out);
    put_collapsed(out, line, n, SUMMARY_WIDTH);
    if (next) next++;
  }
  free(buf);
}

static void put_summary(FILE *out, const Program *p, const Step *s) {
  if (s->kind == S_SPLIT) put_branches(out, p, s);
  else if (s->kind == S_ENRICH) put_enrich(out, s);
  else if (s->kind == S_CHANNEL) put_channel(out, s);
  else if (s->kind == S_SAVE) return; /* the title says it all */
  else put_step_text(out, p, s);
}

/* The node's first line: the step's names, or what an unnamed step does. */
static void put_title(FILE *out, const Step *s) {
  if (s->outputs.len) {
    for (int i = 0; i < s->outputs.len; i++) fprintf(out, "%s%s", i ? ", " : "", (char *)s->outputs.items[i]);
    return;
  }
  const char *in = s->inputs.len ? ((const StepInput *)s->inputs.items[0])->name : "?";
  static const char *const verb[] = {"Email to", "SMS to", "Push to", "Direct mail to"};
  if (s->kind == S_CHANNEL && (int)s->channel >= 0 && (int)s->channel < 4)
    fprintf(out, "%s %s", verb[s->channel], in);
  else if (s->kind == S_SAVE)
    fprintf(out, "Save %s as \xE2\x80\x9C%s\xE2\x80\x9D", in, s->text ? s->text : "?");
  else
    fputs(s->label, out);
}

char *graph_step_title(const Step *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) abort();
  put_title(m, s);
  if (fclose(m) != 0) abort();
  return buf;
}

/* Is the title already the kind ("Email to vip")? */
static int title_says_kind(const Step *s) {
  return !s->outputs.len && (s->kind == S_CHANNEL || s->kind == S_SAVE);
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

/* n as a share of of: "25%", "<1%" and ">99%" near the ends. */
static void put_pct(FILE *out, int64_t n, int64_t of) {
  if (of <= 0 || n < 0 || n > of) return;
  if (n == of) fputs(" (100%)", out);
  else if (n == 0) fputs(" (0%)", out);
  else if (n * 100 < of) fputs(" (<1%)", out);
  else if (n * 100 > of * 99) fputs(" (>99%)", out);
  else fprintf(out, " (%" PRId64 "%%)", (n * 200 + of) / (2 * of)); /* half up */
}

/* Steps whose outputs are parts of their one input: their counts get a
 * percentage of it. */
static int shares_input(const Step *s) {
  return s->inputs.len == 1 && ((s->kind == S_SELECT) || s->kind == S_DEDUP || s->kind == S_SPLIT || s->kind == S_HOLDOUT ||
                                s->kind == S_RETARGET || s->kind == S_CHANNEL);
}

/* The count of the step's first input in the run, or -1. */
static int64_t input_count(const Step *s, const GraphRun *run) {
  if (!s->inputs.len) return -1;
  const GraphCount *c = output_count(run, ((const StepInput *)s->inputs.items[0])->name);
  return c ? c->count : -1;
}

/* "state" line and the step's counts: "vip 120 (25%) · rest 360 (75%)",
 * "n = 120 (25%)", and for a channel that needs an address the drop and
 * its reason: "447 of 672 — 225 without a phone number". */
static void put_counts(FILE *out, const Step *s, const GraphRun *run, const char *sep);

static void put_run_lines(FILE *out, const Step *s, const GraphRun *run) {
  const GraphStepState *st = step_state(run, s->label);
  if (st) {
    fprintf(out, "\n[%s]", st->state ? st->state : "?");
    if (st->due_at && st->state && !strcmp(st->state, "waiting")) fprintf(out, " until %s", st->due_at);
  }
  put_counts(out, s, run, "\n");
}

/* The counts, after `sep` when there are any. */
static void put_counts(FILE *out, const Step *s, const GraphRun *run, const char *sep) {
  int64_t in = shares_input(s) ? input_count(s, run) : -1;
  const char *dropped = graph_channel_dropped(s);
  int first = 1;
  for (int i = 0; i < run->ncounts; i++) {
    const GraphCount *c = &run->counts[i];
    if (!c->step || strcmp(c->step, s->label) || !c->output) continue;
    fputs(first ? sep : " \xC2\xB7 ", out); /* middle dot */
    if (dropped && in > c->count + c->policy) {
      fprintf(out, "%" PRId64 " of %" PRId64 " \xE2\x80\x94 %" PRId64 " %s", c->count, in,
              in - c->count - c->policy, dropped);
      if (c->policy) fprintf(out, ", %" PRId64 " by the contact policy", c->policy);
    } else if (dropped && c->policy) {
      fprintf(out, "%" PRId64 " of %" PRId64 " \xE2\x80\x94 %" PRId64 " by the contact policy", c->count, in,
              c->policy);
    } else {
      if (!strcmp(c->output, s->label) && s->outputs.len <= 1)
        fprintf(out, "n = %" PRId64, c->count);
      else
        fprintf(out, "%s %" PRId64, c->output, c->count);
      if (!dropped) put_pct(out, c->count, in);
    }
    first = 0;
  }
}

char *graph_step_counts(const Step *s, const GraphRun *run) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) abort();
  if (run) put_counts(m, s, run, "");
  if (fclose(m) != 0) abort();
  return buf;
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

static void put_node(FILE *out, const Program *p, const Step *s, const char *id, const GraphRun *run,
                     int indent) {
  char *label = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&label, &len);
  if (!m) abort();
  put_title(m, s);
  if (!title_says_kind(s)) fprintf(m, "\n%s", graph_kind_name(s));
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
  fprintf(out, "%*s", indent, "");
  put_qstr(out, id);
  fputs(" [label=", out);
  put_quoted(out, label, len);
  put_node_style(out, s, run);
  fputs("];\n", out);
  free(label);
}

static void put_edge(FILE *out, const char *from_id, const char *to_id, const StepInput *si,
                     const GraphRun *run) {
  const Step *from = si->step;
  const GraphCount *c = run ? output_count(run, si->name) : NULL;
  fputs("  ", out);
  put_qstr(out, from_id);
  fputs(" -> ", out);
  put_qstr(out, to_id);
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

/* ------------------------------------------------------------ branches */

/* A branch: the steps that only output `out` of split/fork `from` leads
 * to.  Branches nest (a split inside a branch); -1 is the whole campaign. */
typedef struct {
  const Step *from;
  int out;
  int parent, depth;
} Branch;

typedef struct {
  Branch *b;
  int n;
  int *of;            /* branch of each step (by position in c->steps), -2 = not yet */
  char **id;          /* node id of each step: its title, unique */
  const Decl *c;
} Layout;

static int step_pos(const Decl *c, const Step *s) {
  for (int i = 0; i < c->steps.len; i++)
    if (c->steps.items[i] == s) return i;
  return -1;
}

static int branch_get(Layout *l, const Step *from, int out, int parent) {
  for (int i = 0; i < l->n; i++)
    if (l->b[i].from == from && l->b[i].out == out) return i;
  l->b = realloc(l->b, sizeof *l->b * (size_t)(l->n + 1));
  if (!l->b) abort();
  l->b[l->n] = (Branch){from, out, parent, parent < 0 ? 1 : l->b[parent].depth + 1};
  return l->n++;
}

static int branch_lca(const Layout *l, int a, int b) {
  while (a != b) {
    int da = a < 0 ? 0 : l->b[a].depth, db = b < 0 ? 0 : l->b[b].depth;
    if (da >= db) a = a < 0 ? -1 : l->b[a].parent;
    else b = l->b[b].parent;
  }
  return a;
}

/* The innermost branch holding every input of step i. */
static int branch_of(Layout *l, int i, int guard) {
  if (l->of[i] != -2) return l->of[i];
  const Step *s = l->c->steps.items[i];
  int br = -1, first = 1;
  l->of[i] = -1; /* cycles cannot happen in a checked campaign; be safe */
  for (int k = 0; k < s->inputs.len && guard < 4096; k++) {
    const StepInput *si = s->inputs.items[k];
    int pi = si->step ? step_pos(l->c, si->step) : -1;
    if (pi < 0) continue;
    int b = branch_of(l, pi, guard + 1);
    const Step *from = si->step;
    if ((from->kind == S_SPLIT || from->kind == S_FORK) && from->outputs.len > 1)
      b = branch_get(l, from, graph_input_output(si), b);
    br = first ? b : branch_lca(l, br, b);
    first = 0;
  }
  return l->of[i] = br;
}

/* The j-th branch in the order of the steps that open them, then outputs. */
static int branch_nth(const Layout *l, int j) {
  int seen = 0;
  for (int i = 0; i < l->c->steps.len; i++)
    for (int o = 0; o < 64; o++)
      for (int k = 0; k < l->n; k++)
        if (l->b[k].from == l->c->steps.items[i] && l->b[k].out == o && seen++ == j) return k;
  return j;
}

/* Nodes of branch br and, nested, its sub-branches. */
static void put_branch(FILE *out, const Program *p, const Layout *l, int br, const GraphRun *run,
                       int indent) {
  for (int i = 0; i < l->c->steps.len; i++)
    if (l->of[i] == br) put_node(out, p, l->c->steps.items[i], l->id[i], run, indent);
  for (int j = 0; j < l->n; j++) {
    int k = branch_nth(l, j);
    if (l->b[k].parent != br) continue;
    int used = 0;
    for (int i = 0; i < l->c->steps.len && !used; i++) used = l->of[i] == k;
    if (!used) continue;
    const Branch *b = &l->b[k];
    const char *name = b->from->outputs.items[b->out];
    fprintf(out, "%*ssubgraph \"cluster_%d\" {\n", indent, "", k);
    fprintf(out, "%*s  label=", indent, "");
    const GraphCount *c = run ? output_count(run, name) : NULL;
    char lab[300];
    if (c) snprintf(lab, sizeof lab, "%s (%" PRId64 ")", name, c->count);
    else snprintf(lab, sizeof lab, "%s", name);
    put_qstr(out, lab);
    fprintf(out, "; labeljust=l; style=\"rounded,dashed\"; color=\"#9ca3af\"; fontsize=10;\n");
    put_branch(out, p, l, k, run, indent + 2);
    fprintf(out, "%*s}\n", indent, "");
  }
}

/* ------------------------------------------------------------ legend */

static void put_legend(FILE *out, const Decl *c, const GraphRun *run) {
  static const char *const what[] = {"source: select, audience, reconcile", "filter, enrich, dedup, …",
                                     "union, intersect, except, join", "split, fork", "wait",
                                     "email, sms, push, mail", "save", "retarget"};
  int used[8] = {0};
  for (int i = 0; i < c->steps.len; i++) used[category(c->steps.items[i])] = 1;
  fputs("  subgraph \"cluster_legend\" {\n    label=\"Legend\"; labeljust=l; style=\"rounded\";"
        " color=\"#d1d5db\"; fontsize=10;\n", out);
  for (int k = 0; k < 8; k++) {
    if (!used[k]) continue;
    fprintf(out, "    \"legend %d\" [label=\"%s\", shape=%s, style=\"filled\", fillcolor=\"%s\","
                 " color=\"#4b5563\", fontsize=9];\n", k, what[k], look[k].shape, look[k].fill);
  }
  if (run) {
    static const struct {
      const char *state, *style, *color, *pen;
    } states[] = {{"done", "filled", "#15803d", "2"},
                  {"waiting", "filled,bold", "#d97706", "2.5"},
                  {"failed", "filled,bold", "#dc2626", "2.5"},
                  {"pending", "filled,dashed", "#9ca3af", "1"},
                  {"skipped", "filled,dotted", "#9ca3af", "1"}};
    for (int k = 0; k < 5; k++) {
      fprintf(out, "    \"legend state %d\" [label=\"[%s]\", shape=box, style=\"%s\", fillcolor=\"white\","
                   " color=\"%s\", penwidth=%s, fontsize=9];\n", k, states[k].state, states[k].style,
              states[k].color, states[k].pen);
    }
    fputs("    \"legend counts\" [label=\"n = rows of the step (share of its input)\\nchannels: "
          "recipients of input \xE2\x80\x94 the others and why\", shape=plaintext, fontsize=9];\n", out);
  } else {
    fputs("    \"legend counts\" [label=\"counts: camp graph --db DB\", shape=plaintext, fontsize=9];\n", out);
  }
  /* two columns (or rows) of entries, kept in order by invisible edges:
   * the shapes, then the states and the note on counts */
  char prev[40] = "", name[40];
  for (int k = 0; k < 14; k++) {
    if (k < 8 && !used[k]) continue;
    if (k >= 8 && k < 13 && !run) continue;
    if (k < 8) snprintf(name, sizeof name, "legend %d", k);
    else if (k < 13) snprintf(name, sizeof name, "legend state %d", k - 8);
    else snprintf(name, sizeof name, "legend counts");
    if (k == 8 || (k == 13 && !run)) prev[0] = 0; /* the second column */
    if (prev[0]) fprintf(out, "    \"%s\" -> \"%s\" [style=invis];\n", prev, name);
    memcpy(prev, name, sizeof prev);
  }
  fputs("  }\n", out);
}

/* Top to bottom or left to right: whichever brings the picture closer to
 * a screen's shape (16:10).  A step's rank is its place in the longest
 * chain leading to it; a node is about GRAPH_NODE_ASPECT times as wide as a
 * rank is tall, so a deep campaign stays top to bottom (drawn left to right
 * its chain of wide nodes becomes a strip) and a wide one (many steps side
 * by side) goes left to right. */
static const char *rankdir(const Decl *c) {
  int n = c->steps.len, depth = 0, widest = 0;
  int *rank = calloc((size_t)n + 1, sizeof *rank), *per = calloc((size_t)n + 2, sizeof *per);
  if (!rank || !per) abort();
  /* steps are in dependency order after checking; a second pass settles
   * ranks even if they were not */
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++) {
      const Step *s = c->steps.items[i];
      int r = 1;
      for (int k = 0; k < s->inputs.len; k++) {
        const StepInput *si = s->inputs.items[k];
        int pi = si->step ? step_pos(c, si->step) : -1;
        if (pi >= 0 && rank[pi] + 1 > r) r = rank[pi] + 1;
      }
      rank[i] = r < n + 1 ? r : n + 1;
    }
  for (int i = 0; i < n; i++) {
    if (rank[i] > depth) depth = rank[i];
    if (++per[rank[i]] > widest) widest = per[rank[i]];
  }
  free(rank);
  free(per);
  if (!depth) return "TB";
  /* aspect (width / height) of each layout, compared with 1.6 on a log scale */
  double tb = GRAPH_NODE_ASPECT * widest / depth, lr = GRAPH_NODE_ASPECT * depth / widest;
  double dtb = tb > 1.6 ? tb / 1.6 : 1.6 / tb, dlr = lr > 1.6 ? lr / 1.6 : 1.6 / lr;
  return dlr < dtb ? "LR" : "TB";
}

char *graph_dot(const Program *p, const Decl *c, const GraphRun *run) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (!out) abort();
  fputs("digraph ", out);
  put_qstr(out, c->name);
  fprintf(out, " {\n  labelloc=t;\n  fontname=\"Helvetica\";\n  newrank=true;\n  rankdir=%s;\n"
               "  nodesep=0.3;\n  ranksep=0.45;\n",
          rankdir(c));
  put_caption(out, c, run);
  fputs("  node [fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#6b7280\"];\n", out);
  Layout l = {NULL, 0, NULL, NULL, c};
  l.of = malloc(sizeof *l.of * (size_t)(c->steps.len + 1));
  if (!l.of) abort();
  for (int i = 0; i < c->steps.len; i++) l.of[i] = -2;
  /* Node ids are what the step is (SVG shows them as tooltips): the title,
   * with the internal label added only if two titles are the same. */
  l.id = calloc((size_t)c->steps.len + 1, sizeof *l.id);
  if (!l.id) abort();
  for (int i = 0; i < c->steps.len; i++) l.id[i] = graph_step_title(c->steps.items[i]);
  for (int i = 0; i < c->steps.len; i++) {
    int dup = !strncmp(l.id[i], "legend", 6); /* the legend's own node names */
    for (int k = 0; k < c->steps.len && !dup; k++) {
      const char *t = l.id[k];
      size_t n = strcspn(t, "\x01"); /* ids already made unique end in \x01label */
      dup = k != i && strlen(l.id[i]) == n && !strncmp(t, l.id[i], n);
    }
    if (!dup) continue;
    const Step *s = c->steps.items[i];
    size_t n = strlen(l.id[i]) + strlen(s->label) + 2;
    char *both = malloc(n);
    if (!both) abort();
    snprintf(both, n, "%s\x01%s", l.id[i], s->label);
    free(l.id[i]);
    l.id[i] = both;
  }
  for (int i = 0; i < c->steps.len; i++) /* "title\x01label" -> "title [label]" */
    if (strchr(l.id[i], '\x01')) {
      size_t n = strlen(l.id[i]) + 3;
      char *t = malloc(n);
      if (!t) abort();
      char *cut = strchr(l.id[i], '\x01');
      *cut = 0;
      snprintf(t, n, "%s [%s]", l.id[i], cut + 1);
      free(l.id[i]);
      l.id[i] = t;
    }
  for (int i = 0; i < c->steps.len; i++) branch_of(&l, i, 0);
  put_branch(out, p, &l, -1, run, 2);
  for (int i = 0; i < c->steps.len; i++) {
    const Step *s = c->steps.items[i];
    for (int k = 0; k < s->inputs.len; k++) {
      const StepInput *si = s->inputs.items[k];
      int from = si->step ? step_pos(c, si->step) : -1;
      if (from >= 0) put_edge(out, l.id[from], l.id[i], si, run);
    }
  }
  put_legend(out, c, run);
  fputs("}\n", out);
  for (int i = 0; i < c->steps.len; i++) free(l.id[i]);
  free(l.id);
  free(l.of);
  free(l.b);
  if (fclose(out) != 0) abort();
  return buf;
}
