/* check_mops_stock.c — stock items and their consumption (mops.h):
 *
 *   stock vouchers { quantity 1000; alert 200; unit "vouchers"; on_shortage block }  (or warn, limit)
 *   campaign c { consume voucher_use { stock vouchers; step high_post; per_recipient 1 } }
 *
 * Quantities are whole numbers of at least 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/mops.h"
#include "lang/format.h"

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

/* "loyalty desc, city": for the notes of plan and run. */
static const char *order_text(Ctx *c, const PtrVec *order) {
  char buf[512] = "";
  size_t n = 0;
  for (int k = 0; k < order->len; k++) {
    const OrderItem *oi = order->items[k];
    char *e = format_expr_text(oi->expr);
    n += (size_t)snprintf(buf + (n < sizeof buf ? n : sizeof buf - 1), n < sizeof buf ? sizeof buf - n : 1,
                          "%s%s%s", k ? ", " : "", e, oi->desc ? " desc" : "");
    free(e);
  }
  return arena_strdup(c->a, buf);
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
    else if (!strcmp(f->name, "order") && f->order.len) {
      s->order = &f->order;
      s->order_loc = f->loc;
      s->order_text = order_text(c, &f->order);
    }
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
  if (s->order && !s->limit)
    diag_error(c->d, s->order_loc, "`order by` says who keeps a short stock: it needs `on_shortage limit`");
  if (!have_q) diag_error(c->d, d->name_loc, "stock `%s` needs `quantity`: how many there are to start with", d->name);
  return s;
}

/* The stock item's `order by`, checked against the population of the
 * consuming channel step (its dimension's columns and its enriched ones):
 * a copy per consume, as one item may be consumed by steps of different
 * populations. */
static void consume_order(Ctx *c, Decl *camp, MopsConsume *u, const MopsModel *m) {
  const MopsStock *st = NULL;
  for (int j = 0; j < m->stocks.len; j++)
    if (!strcmp(((MopsStock *)m->stocks.items[j])->name, u->stock)) st = m->stocks.items[j];
  Step *s = NULL;
  for (int j = 0; j < camp->steps.len; j++) {
    Step *x = camp->steps.items[j];
    if (x->kind == S_CHANNEL && x->label && !strcmp(x->label, u->step)) s = x;
  }
  if (!st || !st->order || !s || !s->inputs.len) return;
  StepInput *si = s->inputs.items[0];
  Step *prod = si->step;
  if (!prod || !prod->npops) return; /* the step's input is already an error */
  Pop *pop = prod->pops[0];
  for (int o = 0; o < prod->outputs.len && o < prod->npops; o++)
    if (!strcmp(prod->outputs.items[o], si->name)) pop = prod->pops[o];
  if (!pop || !pop->dim || !pop->dim->key) {
    diag_error(c->d, st->order_loc, "`order by` needs recipients with a dimension: step `%s` has none", u->step);
    return;
  }
  Scope sc = scope_of_pop(pop);
  int errs = c->d->nerrors;
  for (int k = 0; k < st->order->len; k++) {
    const OrderItem *oi = st->order->items[k];
    OrderItem *copy = arena_alloc(c->a, sizeof *copy);
    copy->desc = oi->desc;
    copy->expr = check_expr(c, &sc, clone_expr(c, oi->expr, NULL, NULL));
    TypeKind t = copy->expr->type ? copy->expr->type->kind : T_ERROR;
    if (t == T_COLLECTION || t == T_LINK || t == T_ROWS)
      diag_error(c->d, copy->expr->loc, "cannot order by %s: give a column or a value per recipient",
                 type_name(c->a, copy->expr->type));
    vec_push(c->a, &u->order, copy);
  }
  if (c->d->nerrors != errs)
    diag_note(c->d, u->loc, "stock `%s` is consumed here by step `%s` (recipients of schema `%s`)", st->name,
              u->step, pop->dim->name);
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
    else consume_order(c, camp, u, m);
  }
}
