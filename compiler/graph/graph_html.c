/* graph_html.c — `camp graph --format html`: the campaign's picture as one
 * self-contained page (see graph.h).  The SVG is dot's, inline; the page
 * adds a heading, what the counts mean and, with a run, a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/graph/graph.h"

static void put_html(FILE *out, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", out); break;
      case '<': fputs("&lt;", out); break;
      case '>': fputs("&gt;", out); break;
      case '"': fputs("&quot;", out); break;
      case '\'': fputs("&#39;", out); break;
      default: fputc(*s, out);
    }
  }
}

static const char *title_of(const Decl *c) {
  for (int i = 0; i < c->headers.len; i++) {
    const HeaderField *h = c->headers.items[i];
    if (!strcmp(h->name, "title") && h->value && h->value->kind == E_STR) return h->value->text;
  }
  return NULL;
}

static const GraphStepState *state_of(const GraphRun *run, const char *label) {
  for (int i = 0; run && i < run->nsteps; i++)
    if (run->steps[i].step && !strcmp(run->steps[i].step, label)) return &run->steps[i];
  return NULL;
}

static void put_table(FILE *out, const Decl *c, const GraphRun *run) {
  fputs("<table>\n<thead><tr><th>step</th><th>kind</th><th>state</th><th>rows</th></tr></thead>\n<tbody>\n",
        out);
  for (int i = 0; i < c->steps.len; i++) {
    const Step *s = c->steps.items[i];
    const GraphStepState *st = state_of(run, s->label);
    char *title = graph_step_title(s), *counts = graph_step_counts(s, run);
    fputs("<tr><td>", out);
    put_html(out, title);
    fputs("</td><td>", out);
    put_html(out, graph_kind_name(s));
    fputs("</td><td>", out);
    put_html(out, st && st->state ? st->state : "");
    if (st && st->due_at && st->state && !strcmp(st->state, "waiting")) {
      fputs(" until ", out);
      put_html(out, st->due_at);
    }
    fputs("</td><td>", out);
    put_html(out, counts);
    fputs("</td></tr>\n", out);
    free(title);
    free(counts);
  }
  fputs("</tbody>\n</table>\n", out);
}

char *graph_html(const Program *p, const Decl *c, const GraphRun *run, const char *svg) {
  (void)p;
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (!out) abort();
  const char *title = title_of(c);
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
  put_html(out, c->name);
  if (title) {
    fputs(": ", out);
    put_html(out, title);
  }
  fputs("</title>\n<style>\n"
        "body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }\n"
        "h1 { font-size: 1.4em; margin: 0 0 .2em; }\n"
        "p.run { color: #4b5563; margin: 0 0 1em; }\n"
        ".graph { overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; padding: .5em; }\n"
        "table { border-collapse: collapse; margin-top: 1.5em; font-size: .9em; }\n"
        "th, td { text-align: left; padding: .25em .8em; border-bottom: 1px solid #e5e7eb; }\n"
        "p.note { color: #4b5563; font-size: .9em; }\n"
        "</style>\n</head>\n<body>\n<h1>", out);
  put_html(out, c->name);
  if (title) {
    fputs(": ", out);
    put_html(out, title);
  }
  fputs("</h1>\n", out);
  if (run) {
    fprintf(out, "<p class=\"run\">run %lld (", (long long)run->id);
    put_html(out, run->state ? run->state : "?");
    fputs(")</p>\n", out);
  }
  fputs("<div class=\"graph\">\n", out);
  /* dot's XML prolog, DOCTYPE and comments before <svg> have no place in HTML */
  const char *svg_start = svg ? strstr(svg, "<svg") : NULL;
  fputs(svg_start ? svg_start : "", out);
  fputs("</div>\n", out);
  if (run) {
    fputs("<p class=\"note\">Rows: the step's population, with its share of the step's input; a channel"
          " reaches only the rows with an address, and says how many of its input were left out and"
          " why.</p>\n", out);
    put_table(out, c, run);
  }
  fputs("</body>\n</html>\n", out);
  if (fclose(out) != 0) abort();
  return buf;
}
