/* format.c — `camp fmt`: prints a parsed module in the canonical layout.
 *
 * Layout rules (the output is a function of the syntax tree, the comments
 * and where the source had blank lines; nothing else of the source layout
 * survives, so fmt(fmt(x)) == fmt(x)):
 *  - 2-space indentation; `{` ends the line that opens a block, `}` stands
 *    on its own line at the block's indentation; an empty block is `{}`.
 *  - One top-level declaration after another with one blank line between
 *    them, except that consecutive imports keep the source's grouping.
 *  - `schema x { ... }` always expanded, one field per line, modifiers in
 *    the order: key unique version address(..) default .. -> target.
 *  - Campaigns: header fields first (in source order), a blank line, then
 *    one step per line.  Enrich, split and brace channel bodies put one
 *    item per line, indented one more level.  A channel whose only
 *    property is its main text (email subject, other channels' body) uses
 *    the short form `sms x "text"`.
 *  - Inside blocks, where the source had one or more blank lines before a
 *    field, header, step, item or own-line comment, exactly one is kept
 *    (never right after `{`); otherwise none.
 *  - `;` separators are dropped; tokens are separated by single spaces,
 *    binary operators have a space on each side, `,` is followed by one;
 *    `<>` is written `!=`.
 *  - Expressions keep the parentheses the user wrote and add only those
 *    the grammar needs (a bare `exists .. where` operand of and/or).
 *    `asc` and `filter f()` empty parentheses are dropped (defaults).
 *  - Literals: strings re-escaped (\n \t \r \" \\), numbers as written,
 *    durations in the largest exact unit of w d h m s (`14d` -> `2w`,
 *    `90d` stays), timestamps `YYYY-MM-DD HH:MM` when the seconds are 0,
 *    `wait x until` a midnight timestamp printed as a bare date.
 *  - Names that are keywords the grammar would not accept in their place
 *    are written in backquotes.
 *  - A where-rule (select, retarget, split `when`, enrich `first .. where`,
 *    func/filter body) whose line would pass 100 columns is broken before
 *    each `and`/`or` of its outermost chain, continuation lines indented 4
 *    more than the item.  A leading `not` is looked through; the rule of a
 *    leading `exists c where` is broken 4 columns deeper still.  Whatever
 *    follows the rule (split `limit`, `order by`) counts toward the width.
 *  - A reconcile step too long for one line puts `columns (..)` and
 *    `to .. on ..` on continuation lines indented 4 more.
 *  - Lines end in \n (CRLF input becomes LF); no trailing blanks outside
 *    block comments.
 *  - Comments: every comment is written exactly once.  An own-line
 *    comment goes on its own line before the item that follows it,
 *    at that item's indentation (before `}`: at the block's inner
 *    indentation); own-line comments inside a one-line item (e.g. between
 *    the lines of a where-rule) move above the item.  A comment that
 *    followed code on its line goes at the end of the line the preceding
 *    code is printed on; the trailing comments of consecutive lines of
 *    one indentation are aligned one space after the longest code (a line
 *    opening or closing a block is aligned alone).  `//` comments lose
 *    trailing blanks; block comments are copied verbatim.
 */
#include "lang/format.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lang/format_int.h"

/* Opens a block on the current line; nothing inside yet. */
static void open_block(Fmt *f) {
  fmt_tok(f, " {");
  f->block_start = 1;
}

/* ----------------------------------------------------------- schemas */

static int max_end(int a, int b) { return a > b ? a : b; }

/* End of a field as far as locations tell (modifier keywords have none). */
static int field_end(const FieldDecl *fd) {
  int end = fd->loc.end_off;
  if (fd->type) end = max_end(end, fd->type->loc.end_off);
  if (fd->address) end = max_end(end, fd->address_loc.end_off);
  if (fd->link_target) end = max_end(end, fd->link_loc.end_off);
  if (fd->default_value) end = max_end(end, fd->default_value->loc.end_off);
  return end;
}

static void fmt_field(Fmt *f, const FieldDecl *fd) {
  Buf b = {0};
  fmt_ident(&b, fd->name, ID_ANY);
  buf_put(&b, " ");
  fmt_typeref(&b, fd->type);
  if (fd->is_key) buf_put(&b, " key");
  if (fd->is_unique) buf_put(&b, " unique");
  if (fd->is_version) buf_put(&b, " version");
  if (fd->address) {
    buf_put(&b, " address(");
    fmt_ident(&b, fd->address, ID_ANY);
    buf_put(&b, ")");
  }
  if (fd->default_value) {
    buf_put(&b, " default ");
    fmt_expr(&b, fd->default_value, P_OR);
  }
  if (fd->link_target) {
    buf_put(&b, " -> ");
    fmt_ident(&b, fd->link_target, ID_ANY);
  }
  fmt_tok_buf(f, &b);
}

static void fmt_schema(Fmt *f, const Decl *d) {
  Buf b = {0};
  buf_put(&b, "schema ");
  fmt_ident(&b, d->name, ID_ANY);
  fmt_tok_buf(f, &b);
  int brace = d->loc.end_off - 1;
  if (d->fields.len == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  open_block(f);
  for (int i = 0; i < d->fields.len; i++) {
    const FieldDecl *fd = d->fields.items[i];
    fmt_item(f, fd->loc.off, field_end(fd), FMT_INDENT);
    fmt_field(f, fd);
  }
  fmt_close(f, brace, 0);
}

/* --------------------------------------------------------- campaigns */

static void fmt_header(Fmt *f, const HeaderField *h) {
  fmt_item(f, h->loc.off, h->loc.end_off, FMT_INDENT);
  Buf b = {0};
  fmt_ident(&b, h->name, ID_STRICT);
  buf_put(&b, " ");
  fmt_expr(&b, h->value, P_OR);
  if (h->percent) buf_put(&b, "%");
  fmt_tok_buf(f, &b);
}

static void fmt_campaign(Fmt *f, const Decl *d) {
  Buf b = {0};
  buf_put(&b, "campaign ");
  fmt_ident(&b, d->name, ID_ANY);
  fmt_tok_buf(f, &b);
  int brace = d->loc.end_off - 1;
  if (d->headers.len == 0 && d->steps.len == 0 && !d->schedule && !d->approval && d->mops.len == 0 &&
      !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  open_block(f);
  for (int i = 0; i < d->headers.len; i++) fmt_header(f, d->headers.items[i]);
  if (d->schedule) fmt_ops_block(f, d->schedule, "schedule", FMT_INDENT);
  if (d->approval) fmt_ops_block(f, d->approval, "approval", FMT_INDENT);
  for (int i = 0; i < d->mops.len; i++) fmt_mops(f, d->mops.items[i], FMT_INDENT);
  if (d->headers.len || d->schedule || d->approval || d->mops.len) f->force_blank = 1;
  for (int i = 0; i < d->steps.len; i++) fmt_step(f, d->steps.items[i], FMT_INDENT);
  f->force_blank = 0;
  fmt_close(f, brace, 0);
}

/* ------------------------------------------------------------- funcs */

static void fmt_params(Buf *b, const PtrVec *params) {
  buf_put(b, "(");
  for (int i = 0; i < params->len; i++) {
    const Param *p = params->items[i];
    if (i) buf_put(b, ", ");
    fmt_ident(b, p->name, ID_ANY);
    buf_put(b, " ");
    fmt_typeref(b, p->type);
  }
  buf_put(b, ")");
}

static void fmt_func(Fmt *f, const Decl *d) {
  Buf b = {0};
  buf_put(&b, d->kind == D_FUNC ? "func " : d->consent ? "consent " : "filter ");
  if (d->consent) buf_put(&b, channel_name((Channel)(d->consent - 1)));
  else fmt_ident(&b, d->name, ID_ANY);
  if (d->kind == D_FUNC || d->params.len) fmt_params(&b, &d->params);
  if (d->kind == D_FUNC) {
    buf_put(&b, " ");
    fmt_typeref(&b, d->ret);
  } else {
    buf_put(&b, " on ");
    fmt_ident(&b, d->on_schema, ID_ANY);
  }
  buf_put(&b, " = ");
  fmt_tok_buf(f, &b);
  fmt_rule(f, d->body, FMT_CONT, 0);
}

/* ------------------------------------------------------------ module */

/* Columns a byte range takes (UTF-8 continuation bytes take none). */
static int text_width(const char *s, int n) {
  int w = 0;
  for (int i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xC0) != 0x80;
  return w;
}

/* Leading spaces of the line at s. */
static int line_indent(const char *s) {
  int i = 0;
  while (s[i] == ' ') i++;
  return i;
}

/* Does the code [s, s+n) open or close a block (such lines align alone)? */
static int brace_line(const char *s, int n) {
  while (n > 0 && s[n - 1] == ' ') n--;
  int i = line_indent(s);
  return (n > 0 && s[n - 1] == '{') || (i < n && s[i] == '}');
}

/* Rewrites out so that the trailing comments of consecutive lines of one
 * indentation start in one column: one space after the longest code of the
 * run.  Lines that open or close a block are not aligned with others. */
static char *align_trailing(Fmt *f) {
  const char *s = f->out.s;
  int n = (int)f->out.len, k = 0;
  Buf res = {0};
  for (int ls = 0; ls < n;) {
    /* a run: lines [ls, re) each with a trailing comment */
    int run_w = 0, re = ls, kk = k;
    while (re < n && kk < f->ntrail) {
      const char *nl = memchr(s + re, '\n', (size_t)(n - re));
      int le = nl ? (int)(nl - s) : n;
      int t = f->trail[kk];
      if (t < re || t >= le) break;
      int brace = brace_line(s + re, t - re);
      if (re > ls && (brace || line_indent(s + re) != line_indent(s + ls))) break;
      int w = text_width(s + re, t - re);
      if (w > run_w) run_w = w;
      kk++;
      re = nl ? le + 1 : n;
      if (brace) break;
    }
    if (re == ls) { /* a line without trailing comment: copy it */
      const char *nl = memchr(s + ls, '\n', (size_t)(n - ls));
      int le = nl ? (int)(nl - s) + 1 : n;
      buf_putn(&res, s + ls, (size_t)(le - ls));
      ls = le;
      continue;
    }
    for (; k < kk; k++) {
      const char *nl = memchr(s + ls, '\n', (size_t)(n - ls));
      int le = nl ? (int)(nl - s) + 1 : n;
      int t = f->trail[k];
      buf_putn(&res, s + ls, (size_t)(t - ls));
      for (int pad = text_width(s + ls, t - ls); pad < run_w; pad++) buf_put(&res, " ");
      buf_putn(&res, s + t, (size_t)(le - t));
      ls = le;
    }
  }
  free(f->out.s);
  return res.s;
}

static void fmt_decl(Fmt *f, const Decl *d) {
  int leaf = d->kind == D_IMPORT || d->kind == D_FUNC || d->kind == D_FILTER || d->kind == D_PRESSURE;
  fmt_item(f, d->loc.off, leaf ? d->loc.end_off : d->loc.off, 0);
  switch (d->kind) {
    case D_IMPORT: {
      Buf b = {0};
      buf_put(&b, "import ");
      fmt_string(&b, d->name);
      fmt_tok_buf(f, &b);
      break;
    }
    case D_SCHEMA: fmt_schema(f, d); break;
    case D_CAMPAIGN: fmt_campaign(f, d); break;
    case D_FUNC:
    case D_FILTER: fmt_func(f, d); break;
    case D_PROVIDER: fmt_provider(f, d); break;
    case D_MOPS: fmt_mops(f, d, 0); break;
    case D_DISTRIB: fmt_distrib_decl(f, d); break;
    case D_PRESSURE: {
      Buf b = {0};
      char n[64];
      buf_put(&b, "pressure ");
      buf_put(&b, d->consent ? channel_name((Channel)(d->consent - 1)) : "all");
      snprintf(n, sizeof n, " max %lld per ", (long long)d->pmax);
      buf_put(&b, n);
      fmt_duration(&b, d->pperiod);
      fmt_tok_buf(f, &b);
      break;
    }
  }
}

char *format_module(const Module *m, const SourceFile *src) {
  Fmt f;
  memset(&f, 0, sizeof f);
  f.src = src->text;
  f.srclen = src->len;
  f.cm = (Comment **)m->comments.items;
  f.ncm = m->comments.len;
  f.used = calloc((size_t)f.ncm + 1, 1);
  if (!f.used) abort();
  f.last_comment = -1;
  f.block_start = 1;
  const Decl *prev = NULL;
  for (int i = 0; i < m->decls.len; i++) {
    const Decl *d = m->decls.items[i];
    if (prev && !(prev->kind == D_IMPORT && d->kind == D_IMPORT)) f.force_blank = 1;
    fmt_decl(&f, d);
    prev = d;
  }
  fmt_flush(&f, INT_MAX, 0);
  if (f.line_open) buf_put(&f.out, "\n");
  free(f.used);
  if (f.ntrail) f.out.s = align_trailing(&f);
  free(f.trail);
  if (!f.out.s) {
    f.out.s = calloc(1, 1);
    if (!f.out.s) abort();
  }
  return f.out.s;
}
