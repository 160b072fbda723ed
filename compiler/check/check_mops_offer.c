/* check_mops_offer.c — campaign prices and line discounts (mops.h):
 *
 *   offer vip_price { item "TENT-2"; price 149; segment vip }
 *   offer loyal_10 { item "BOOTS"; discount 10; segment regulars; who targets }
 *
 * One of `price` (an amount) or `discount` (a percentage above 0, at most
 * 100); `segment` names a step output of the campaign (its population);
 * `who targets` keeps only the contacts the campaign messaged. */
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/mops.h"

/* Is name an output of a step of the campaign? */
static int is_output(Decl *camp, const char *name) {
  for (int i = 0; i < camp->steps.len; i++) {
    Step *s = camp->steps.items[i];
    for (int k = 0; k < s->outputs.len; k++)
      if (!strcmp(s->outputs.items[k], name)) return 1;
    if (s->label && !strcmp(s->label, name) && s->npops) return 1;
  }
  return 0;
}

/* camp's own events, then what is logged by import (calls, meetings) */
static const char *const events[] = {"sent", "delivered", "opened", "clicked", "bounced", "unsubscribed", "call", "meeting"};

static int is_event(const char *w) {
  for (size_t i = 0; i < sizeof events / sizeof *events; i++)
    if (!strcmp(events[i], w)) return 1;
  return 0;
}

MopsInteraction *check_mops_interaction(Ctx *c, Decl *d) {
  static const char *const fields[] = {"type", "channel", "unit_cost", "unit_minutes"};
  MopsInteraction *t = arena_alloc(c->a, sizeof *t);
  t->name = d->name;
  t->loc = d->name_loc;
  for (int i = 0; i < d->mops_fields.len; i++) {
    const MopsField *f = d->mops_fields.items[i];
    const MopsValue *v = f->values.len == 1 ? f->values.items[0] : NULL;
    if (!v) {
      diag_error(c->d, f->loc, "`%s` takes one value", f->name);
      continue;
    }
    if (!strcmp(f->name, "type")) {
      if (v->kind == MV_WORD && is_event(v->text)) t->type = v->text;
      else diag_error(c->d, v->loc, "an interaction type is sent, delivered, opened, clicked, bounced, unsubscribed, call or meeting");
    } else if (!strcmp(f->name, "channel")) {
      if (v->kind == MV_WORD && (!strcmp(v->text, "email") || !strcmp(v->text, "sms") || !strcmp(v->text, "push") ||
                                 !strcmp(v->text, "mail")))
        t->channel = v->text;
      else diag_error(c->d, v->loc, "unknown channel (email, sms, push or mail)");
    } else if (!strcmp(f->name, "unit_cost")) check_mops_amount(c, v, &t->unit_cost);
    else if (!strcmp(f->name, "unit_minutes")) {
      if (v->kind == MV_INT && v->ival >= 0) t->unit_minutes = v->ival;
      else diag_error(c->d, v->loc, "`unit_minutes` takes a whole number of at least 0");
    } else {
      diag_error(c->d, f->loc, "unknown field `%s` in an interaction", f->name);
      const char *best = diag_closest(f->name, fields, 4);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
    }
  }
  if (!t->type) diag_error(c->d, d->name_loc, "interaction `%s` needs a `type`", d->name);
  return t;
}

void check_mops_offers(Ctx *c, Decl *camp, MopsCampaign *mc) {
  static const char *const fields[] = {"item", "price", "discount", "segment", "who", "saved_segment"};
  for (int k = 0; k < camp->headers.len; k++) {
    HeaderField *h = camp->headers.items[k];
    if (strcmp(h->name, "success")) continue;
    if (h->value->kind == E_STR && is_event(h->value->text) && strcmp(h->value->text, "bounced") &&
        strcmp(h->value->text, "unsubscribed"))
      mc->success = h->value->text;
    else
      diag_error(c->d, h->value->loc, "`success` is the event that counts: \"sent\", \"delivered\", \"opened\", \"clicked\", \"call\" or \"meeting\"");
  }
  int n = 0;
  for (int k = 0; k < camp->mops.len; k++) n += !strcmp(((Decl *)camp->mops.items[k])->mops_kind, "offer");
  mc->offers = arena_alloc(c->a, sizeof(MopsOffer) * (size_t)(n ? n : 1));
  for (int k = 0; k < camp->mops.len; k++) {
    Decl *d = camp->mops.items[k];
    if (strcmp(d->mops_kind, "offer")) continue;
    MopsOffer *o = &mc->offers[mc->noffers++];
    memset(o, 0, sizeof *o);
    o->name = d->name;
    o->loc = d->name_loc;
    o->price = o->discount = -1;
    for (int i = 0; i < d->mops_fields.len; i++) {
      const MopsField *f = d->mops_fields.items[i];
      const MopsValue *v = f->values.len == 1 ? f->values.items[0] : NULL;
      if (!v) {
        diag_error(c->d, f->loc, "`%s` takes one value", f->name);
        continue;
      }
      if (!strcmp(f->name, "item")) {
        if ((v->kind == MV_STRING || v->kind == MV_WORD) && v->text[0]) o->item = v->text;
        else diag_error(c->d, v->loc, "`item` takes the item's number (a string or a name)");
      } else if (!strcmp(f->name, "price")) {
        if (o->discount >= 0) diag_error(c->d, f->loc, "an offer has a `price` or a `discount`, not both");
        else check_mops_amount(c, v, &o->price);
      } else if (!strcmp(f->name, "discount")) {
        if (o->price >= 0) diag_error(c->d, f->loc, "an offer has a `price` or a `discount`, not both");
        else if (check_mops_amount(c, v, &o->discount) == 0 &&
                 (o->discount == 0 || o->discount > 100 * (int64_t)MOPS_AMOUNT_SCALE)) {
          diag_error(c->d, v->loc, "a discount is a percentage above 0 and at most 100");
          o->discount = -1;
        }
      } else if (!strcmp(f->name, "saved_segment")) {
        /* a segment lives in the database (camp segment): known at activation */
        if (o->segment) diag_error(c->d, f->loc, "an offer has a `segment` or a `saved_segment`, not both");
        else if (v->kind == MV_WORD || (v->kind == MV_STRING && v->text[0])) o->saved_segment = v->text;
        else diag_error(c->d, v->loc, "`saved_segment` names a segment (camp segment create)");
      } else if (!strcmp(f->name, "segment")) {
        if (o->saved_segment) diag_error(c->d, f->loc, "an offer has a `segment` or a `saved_segment`, not both");
        else if (v->kind == MV_WORD && is_output(camp, v->text)) o->segment = v->text;
        else diag_error(c->d, v->loc, "`segment` names a step of this campaign (its population)");
      } else if (!strcmp(f->name, "who")) {
        if (v->kind == MV_WORD && !strcmp(v->text, "targets")) o->targets_only = 1;
        else if (!(v->kind == MV_WORD && !strcmp(v->text, "all")))
          diag_error(c->d, v->loc, "`who` is `all` (the whole segment, the default) or `targets` (contacts the campaign messaged)");
      } else {
        diag_error(c->d, f->loc, "unknown field `%s` in an offer", f->name);
        const char *best = diag_closest(f->name, fields, 6);
        if (best) diag_hint(c->d, "did you mean `%s`?", best);
      }
    }
    if (!o->item) diag_error(c->d, d->name_loc, "offer `%s` needs an `item`", d->name);
    if (o->price < 0 && o->discount < 0)
      diag_error(c->d, d->name_loc, "offer `%s` needs a `price` or a `discount`", d->name);
    if (!o->segment && !o->saved_segment && !o->targets_only)
      diag_error(c->d, d->name_loc, "offer `%s` needs a `segment`, a `saved_segment`, or `who targets` for every contact messaged", d->name);
  }
}
