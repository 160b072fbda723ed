/* check_mops_segment.c — D365 segments declared in .camp files (mops.h,
 * docs/marketing-ops.md):
 *
 *   segment spring_targets on customers {
 *     add where tier = gold
 *     reduce where country = "NO"
 *     refine where email is not null
 *   }
 *
 * Each criterion is a rule over the dimension, checked exactly like the
 * rule of a filter `on customers` (unknown columns, wrong types, with
 * their locations).  Its text is kept in camp fmt's layout: `camp segment
 * apply` stores and compares that text, so reformatting a file is not a
 * change of criteria. */
#include <stdlib.h>
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/mops.h"
#include "lang/format.h"

static const char *const seg_ops[] = {"add", "reduce", "refine"};

MopsSegment *check_mops_segment(Ctx *c, Decl *d) {
  MopsSegment *sg = arena_alloc(c->a, sizeof *sg);
  memset(sg, 0, sizeof *sg);
  sg->name = d->name;
  sg->loc = d->name_loc;
  sg->dim = d->on_schema;
  int n = d->mops_fields.len;
  sg->ops = arena_alloc(c->a, sizeof *sg->ops * (size_t)(n ? n : 1));
  sg->rules = arena_alloc(c->a, sizeof *sg->rules * (size_t)(n ? n : 1));
  Schema *dim = d->on_schema ? names_schema(c, d->on_schema) : NULL;
  if (!d->on_schema) {
    diag_error(c->d, d->name_loc, "segment `%s` needs its dimension: `segment %s on SCHEMA { ... }`", d->name,
               d->name);
  } else if (!dim) {
    int nc = c->p->schemas.len;
    const char **cands = arena_alloc(c->a, sizeof *cands * (size_t)(nc + 1));
    for (int i = 0; i < nc; i++) cands[i] = ((Schema *)c->p->schemas.items[i])->name;
    names_unknown(c, d->on_loc, "schema", d->on_schema, cands, nc);
  } else if (!dim->key) {
    diag_error(c->d, d->on_loc, "schema `%s` has no key: a segment's contacts are keys", d->on_schema);
    dim = NULL;
  }
  for (int i = 0; i < n; i++) {
    MopsField *f = d->mops_fields.items[i];
    int known = 0;
    for (int k = 0; k < 3; k++) known |= !strcmp(f->name, seg_ops[k]);
    if (!known || !f->rule) {
      if (!known) {
        diag_error(c->d, f->loc, "unknown criterion `%s` in a segment", f->name);
        const char *best = diag_closest(f->name, seg_ops, 3);
        if (best) diag_hint(c->d, "did you mean `%s`?", best);
        else diag_hint(c->d, "a criterion is `add`, `reduce` or `refine`, then `where RULE`");
      } else
        diag_error(c->d, f->loc, "`%s` is followed by `where RULE` (a rule over the segment's dimension)", f->name);
      continue;
    }
    char *text = format_expr_text(f->rule);
    if (strchr(text, '}'))
      diag_error(c->d, f->rule->loc, "a segment's rule cannot contain `}` (camp keeps criteria as text)");
    sg->ops[sg->ncriteria] = f->name;
    sg->rules[sg->ncriteria++] = arena_strdup(c->a, text);
    free(text);
    if (dim) {
      Scope s;
      memset(&s, 0, sizeof s);
      s.schema = dim;
      f->rule = check_rule(c, &s, f->rule, "`where`");
    }
  }
  if (sg->ncriteria && strcmp(sg->ops[0], "add"))
    diag_warning(c->d, d->name_loc, "segment `%s` starts empty: its first criterion `%s` keeps nobody", d->name,
                 sg->ops[0]);
  return sg;
}
