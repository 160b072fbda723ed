/* check_mops_stock.c — stock items and their consumption (mops.h):
 *
 *   stock vouchers { quantity 1000; alert 200; unit "vouchers"; on_shortage block }  (or warn, limit)
 *   campaign c { consume voucher_use { stock vouchers; step high_post; per_recipient 1 } }
 *
 * Quantities are whole numbers of at least 0. */
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/mops.h"

static int count_value(Ctx *c, const MopsField *f, int64_t *out, int positive) {
  const MopsValue *v = f->values.len == 1 ? f->values.items[0] : NULL;
  if (!v || v->kind != MV_INT || v->ival < (positive ? 1 : 0)) {
    diag_error(c->d, f->loc, "`%s` takes a whole number of at least %d", f->name, positive ? 1 : 0);
    return -1;
  }
  *out = v->ival;
  return 0;
}

static const char *word(Ctx *c, const MopsField *f) {
  const MopsValue *v = f->values.len == 1 ? f->values.items[0] : NULL;
  if (v && (v->kind == MV_WORD || v->kind == MV_STRING)) return v->text;
  diag_error(c->d, f->loc, "`%s` takes one name", f->name);
  return NULL;
}

MopsStock *check_mops_stock(Ctx *c, Decl *d) {
  static const char *const fields[] = {"quantity", "alert", "unit", "on_shortage"};
  MopsStock *s = arena_alloc(c->a, sizeof *s);
  s->name = d->name;
  s->loc = d->name_loc;
  int have_q = 0;
  for (int i = 0; i < d->mops_fields.len; i++) {
    const MopsField *f = d->mops_fields.items[i];
    if (!strcmp(f->name, "quantity")) have_q = count_value(c, f, &s->quantity, 0) == 0;
    else if (!strcmp(f->name, "alert")) count_value(c, f, &s->alert, 0);
    else if (!strcmp(f->name, "unit")) s->unit = word(c, f);
    else if (!strcmp(f->name, "on_shortage")) {
      const char *w = word(c, f);
      if (w && !strcmp(w, "block")) s->block = 1;
      else if (w && !strcmp(w, "limit")) s->limit = 1;
      else if (w && strcmp(w, "warn"))
        diag_error(c->d, f->loc, "`on_shortage` is `warn` (the default), `block` or `limit`");
    } else {
      diag_error(c->d, f->loc, "unknown field `%s` in a stock item", f->name);
      const char *best = diag_closest(f->name, fields, 4);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
    }
  }
  if (!have_q) diag_error(c->d, d->name_loc, "stock `%s` needs `quantity`: how many there are to start with", d->name);
  return s;
}

void check_mops_consumes(Ctx *c, Decl *camp, MopsCampaign *mc, const MopsModel *m) {
  static const char *const fields[] = {"stock", "step", "per_recipient"};
  int n = 0;
  for (int k = 0; k < camp->mops.len; k++) n += !strcmp(((Decl *)camp->mops.items[k])->mops_kind, "consume");
  mc->consumes = arena_alloc(c->a, sizeof(MopsConsume) * (size_t)(n ? n : 1));
  for (int k = 0; k < camp->mops.len; k++) {
    Decl *d = camp->mops.items[k];
    if (strcmp(d->mops_kind, "consume")) continue;
    MopsConsume *u = &mc->consumes[mc->nconsumes++];
    u->name = d->name;
    u->loc = d->name_loc;
    u->per = 1;
    for (int i = 0; i < d->mops_fields.len; i++) {
      const MopsField *f = d->mops_fields.items[i];
      if (!strcmp(f->name, "stock")) {
        u->stock = word(c, f);
        int found = 0;
        for (int j = 0; u->stock && j < m->stocks.len; j++) found |= !strcmp(((MopsStock *)m->stocks.items[j])->name, u->stock);
        if (u->stock && !found) diag_error(c->d, f->loc, "unknown stock item `%s`", u->stock);
      } else if (!strcmp(f->name, "step")) {
        u->step = word(c, f);
        int found = 0;
        for (int j = 0; u->step && j < camp->steps.len; j++) {
          Step *s = camp->steps.items[j];
          found |= s->kind == S_CHANNEL && s->label && !strcmp(s->label, u->step);
        }
        if (u->step && !found) diag_error(c->d, f->loc, "`%s` is not a channel step of this campaign", u->step);
      } else if (!strcmp(f->name, "per_recipient")) count_value(c, f, &u->per, 1);
      else {
        diag_error(c->d, f->loc, "unknown field `%s` in a consume item", f->name);
        const char *best = diag_closest(f->name, fields, 3);
        if (best) diag_hint(c->d, "did you mean `%s`?", best);
      }
    }
    if (!u->stock || !u->step)
      diag_error(c->d, d->name_loc, "consume `%s` needs `stock` and `step` (the channel step whose recipients use it)", d->name);
  }
}
