/* format_ops.c — `camp fmt` for a campaign's `schedule` and `approval`:
 * one line (`schedule daily at 08:00`, `approval none`) or a block with one
 * line per item; times as HH:MM, ordinals with their suffix. */
#include <stdio.h>
#include <string.h>

#include "lang/format_int.h"

static void put_times(Buf *b, const PtrVec *times) {
  for (int i = 0; i < times->len; i++) {
    const OpTime *t = times->items[i];
    buf_printf(b, "%s%02lld:%02lld", i ? ", " : " ", (long long)t->hour, (long long)t->minute);
  }
}

static void put_ordinal(Buf *b, int64_t n) {
  int64_t m = n < 0 ? -n : n;
  const char *suf = (m % 100 >= 11 && m % 100 <= 13) ? "th"
                  : m % 10 == 1 ? "st" : m % 10 == 2 ? "nd" : m % 10 == 3 ? "rd" : "th";
  buf_printf(b, "%lld%s", (long long)n, suf);
}

static void put_value(Buf *b, const OpValue *v) {
  switch (v->kind) {
    case OV_LITERAL: fmt_expr(b, v->lit, P_OR); break;
    case OV_WORD: fmt_ident(b, v->word, ID_ANY); break;
    case OV_ORDINAL: put_ordinal(b, v->n); break;
    case OV_COMMA: buf_put(b, ","); break;
  }
}

/* One item as written on its line. */
static void put_item(Buf *b, const OpItem *it) {
  if (it->kind == OI_FROM || it->kind == OI_UNTIL) {
    buf_put(b, it->kind == OI_FROM ? "from " : "until ");
    fmt_expr(b, it->stamp, P_OR);
    return;
  }
  fmt_ident(b, it->name, ID_STRICT);
  switch (it->kind) {
    case OI_VALUES:
      for (int i = 0; i < it->values.len; i++) {
        buf_put(b, i ? ", " : " ");
        put_value(b, it->values.items[i]);
      }
      break;
    case OI_STAMP:
      buf_put(b, " ");
      fmt_ident(b, it->word, ID_STRICT);
      buf_put(b, " ");
      fmt_timestamp(b, it->stamp->text);
      break;
    case OI_TIMES:
      buf_put(b, " ");
      fmt_ident(b, it->word, ID_STRICT);
      put_times(b, &it->times);
      break;
    case OI_ON:
      buf_put(b, " on");
      for (int i = 0; i < it->values.len; i++) {
        const OpValue *v = it->values.items[i];
        if (v->kind != OV_COMMA) buf_put(b, " ");
        put_value(b, v);
      }
      put_times(b, &it->times);
      break;
    default: break;
  }
}

void fmt_ops_block(Fmt *f, const OpBlock *blk, const char *kw, int indent) {
  fmt_item(f, blk->loc.off, blk->loc.end_off, indent);
  Buf b = {0};
  buf_put(&b, kw);
  if (!blk->braced) {
    if (blk->items.len) {
      buf_put(&b, " ");
      put_item(&b, blk->items.items[0]);
    }
    fmt_tok_buf(f, &b);
    return;
  }
  fmt_tok_buf(f, &b);
  int brace = blk->loc.end_off - 1;
  if (blk->items.len == 0 && !fmt_pending(f, brace)) {
    fmt_tok(f, " {}");
    return;
  }
  fmt_tok(f, " {");
  f->block_start = 1;
  for (int i = 0; i < blk->items.len; i++) {
    const OpItem *it = blk->items.items[i];
    fmt_item(f, it->loc.off, it->loc.end_off, indent + FMT_INDENT);
    Buf line = {0};
    put_item(&line, it);
    fmt_tok_buf(f, &line);
  }
  fmt_close(f, brace, indent);
}
