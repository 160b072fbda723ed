/* query_complete.c — completion: the names that may be typed at a cursor.
 * The population in scope comes from the checked step around the cursor;
 * while the user types, that step is usually broken, so the statement's
 * source (`x = SOURCE ...`, `enrich SOURCE {`) is read from the text and
 * resolved in the current program or in the last one that checked. */
#include "compiler/query/query_int.h"

#include <ctype.h>
#include <string.h>

static const char *const keywords[] = {
#define KW(w, t, c) w,
#include "lang/keywords.def"
#undef KW
};
static const char *const builtins[] = {
#define FUNC(w, lo, hi) w,
#define AGG(w) w,
#include "lang/keywords.def"
#undef FUNC
#undef AGG
};
#define NKW (int)(sizeof keywords / sizeof keywords[0])
#define NBUILTIN (int)(sizeof builtins / sizeof builtins[0])

/* What the cursor's expressions read: a dimension and, at the top of a
 * path, the population's added columns. */
typedef struct Scope {
  Schema *dim;
  Pop *pop;
  Decl *camp;       /* campaign whose step names are offered */
  int stmt_start;   /* offset where the cursor's statement starts */
} QScope;

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

static void add(Program *p, PtrVec *out, const char *label, const char *detail,
                QueryCompKind kind) {
  if (!label || !label[0] || label[0] == '_') return;
  for (int i = 0; i < out->len; i++)
    if (strcmp(((QueryItem *)out->items[i])->label, label) == 0) return;
  QueryItem *it = arena_alloc(&p->arena, sizeof *it);
  it->label = label;
  it->detail = detail;
  it->kind = kind;
  vec_push(&p->arena, out, it);
}

/* Columns, links and collections of s (owner named in the detail when the
 * schema is not the dimension itself, e.g. a collection's rows). */
static void add_schema_names(Program *p, PtrVec *out, Schema *s, int nested) {
  Arena *a = &p->arena;
  for (int i = 0; s && i < s->columns.len; i++) {
    Column *c = s->columns.items[i];
    add(p, out, c->name, nested ? arena_printf(a, "%s (%s)", type_name(a, c->type), s->name)
                                : type_name(a, c->type), QC_COLUMN);
    if (c->link) add(p, out, c->link_name, arena_printf(a, "link to %s", c->link->name), QC_LINK);
  }
  for (int i = 0; s && i < s->collections.len; i++) {
    Collection *c = s->collections.items[i];
    add(p, out, c->name, arena_printf(a, "collection of %s", c->child->name), QC_COLLECTION);
  }
}

static void add_pop_names(Program *p, PtrVec *out, Pop *pop) {
  for (int i = 0; pop && i < pop->added.len; i++) {
    AddedCol *c = pop->added.items[i];
    add(p, out, c->name, arena_printf(&p->arena, "%s (added)", type_name(&p->arena, c->type)),
        QC_ADDED);
  }
}

/* Collections named between the statement start and the cursor put their
 * rows in scope (`exists purchases where |`, `sum(purchases.amount where |`). */
static void add_nested(Program *p, PtrVec *out, const char *text, QScope *sc, int off) {
  for (int i = sc->stmt_start; sc->dim && i < off;) {
    if (!ident_char(text[i])) { i++; continue; }
    int j = i;
    while (j < off && ident_char(text[j])) j++;
    for (int k = 0; k < sc->dim->collections.len; k++) {
      Collection *c = sc->dim->collections.items[k];
      if ((int)strlen(c->name) == j - i && strncmp(c->name, text + i, (size_t)(j - i)) == 0)
        add_schema_names(p, out, c->child, 1);
    }
    i = j;
  }
}

/* ------------------------------------------------------------ the scope */

static int is_step_word(const char *w, int n) {
  static const char *const words[] = {
      "enrich", "dedup", "split", "fork", "wait", "change", "dimension", "email", "sms",
      "push", "mail", "save", "retarget", "union", "intersect", "except", "join"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if ((int)strlen(words[i]) == n && strncmp(words[i], w, (size_t)n) == 0) return 1;
  return 0;
}

/* The source of the statement on line [s, e): the first name after `=`
 * that is not a step keyword, or after a leading step keyword.  Copies it
 * to out and returns 1. */
static int line_source(const char *s, const char *e, char *out, size_t outlen) {
  while (s < e && isspace((unsigned char)*s)) s++;
  const char *first = s;
  while (s < e && ident_char(*s)) s++;
  int first_is_step = is_step_word(first, (int)(s - first));
  while (s < e && (ident_char(*s) || *s == ',' || isspace((unsigned char)*s))) s++;
  if (s < e && *s == '=' && (s + 1 >= e || s[1] != '=')) s++;
  else if (first_is_step) s = first;
  else return 0;
  for (;;) {
    while (s < e && (isspace((unsigned char)*s) || *s == '(')) s++;
    const char *w = s;
    while (s < e && ident_char(*s)) s++;
    if (s == w) return 0;
    if (is_step_word(w, (int)(s - w))) continue;
    if ((size_t)(s - w) >= outlen) return 0;
    memcpy(out, w, (size_t)(s - w));
    out[s - w] = 0;
    return 1;
  }
}

/* Resolves a statement source: a step output of camp, else a schema. */
static int resolve_source(Program *p, Decl *camp, const char *name, QScope *sc) {
  Pop *pop = qi_output_pop(camp, name);
  if (pop && pop->dim) {
    sc->pop = pop;
    sc->dim = pop->dim;
    return 1;
  }
  sc->dim = qi_schema(p, name);
  return sc->dim != NULL;
}

/* The campaign of q at about the cursor (same name as in p, else by offset). */
static Decl *camp_of(Program *q, Decl *like, int off) {
  if (!q || !q->roots.len) return NULL;
  for (int i = 0; like && i < q->campaigns.len; i++) {
    Decl *c = q->campaigns.items[i];
    if (strcmp(c->name, like->name) == 0) return c;
  }
  return qi_campaign_at(q, ((Module *)q->roots.items[0])->file, off);
}

/* From the text: the nearest statement head above the cursor that names a
 * resolvable source. */
static void scope_from_text(Program *p, Program *fb, const char *text, int off, QScope *sc) {
  Decl *fcamp = camp_of(fb, sc->camp, off);
  int end = off;
  for (int lines = 0; lines < 200 && end > 0; lines++) {
    int start = end;
    while (start > 0 && text[start - 1] != '\n') start--;
    char name[256];
    if (strncmp(text + start, "campaign", 8) == 0) break;
    if (line_source(text + start, text + end, name, sizeof name)) {
      sc->stmt_start = start;
      if (resolve_source(p, sc->camp, name, sc)) return;
      if (fb && resolve_source(fb, fcamp, name, sc)) return;
    }
    end = start - 1;
  }
  sc->stmt_start = off;
}

static QScope find_scope(Program *p, int file, int off, Program *fb, const char *text) {
  QScope sc;
  memset(&sc, 0, sizeof sc);
  sc.camp = qi_campaign_at(p, file, off);
  Step *s = qi_step_at(sc.camp, off);
  sc.pop = s ? qi_step_scope(sc.camp, s) : NULL;
  if (sc.pop && sc.pop->dim) {
    sc.dim = sc.pop->dim;
    sc.stmt_start = s->loc.off;
  } else {
    sc.pop = NULL;
    scope_from_text(p, fb, text, off, &sc);
  }
  if (!sc.camp || !sc.camp->steps.len) {
    Decl *c = camp_of(fb, sc.camp, off);
    if (c) sc.camp = c;
  }
  return sc;
}

/* ------------------------------------------------------------ paths */

/* Reads the `a.b.` path before the word at the cursor; returns the number
 * of segments (stored as offsets/lengths, left to right). */
static int read_path(const char *text, int off, int *segs, int *lens, int max) {
  int i = off, n = 0;
  while (i > 0 && ident_char(text[i - 1])) i--;
  while (i > 0 && text[i - 1] == '.' && n < max) {
    int j = i - 1, k = j;
    while (k > 0 && ident_char(text[k - 1])) k--;
    if (k == j) break;
    segs[n] = k;
    lens[n++] = j - k;
    i = k;
  }
  for (int a = 0, b = n - 1; a < b; a++, b--) {  /* reverse: left to right */
    int t = segs[a]; segs[a] = segs[b]; segs[b] = t;
    t = lens[a]; lens[a] = lens[b]; lens[b] = t;
  }
  return n;
}

/* The schema reached by following one path segment from s (a link, a
 * collection, or at the top an added `first N` column), or NULL. */
static Schema *follow(Program *p, Schema *s, Pop *top, const char *seg) {
  Column *l = schema_link(s, seg);
  if (l) return l->link;
  Collection *c = schema_collection(s, seg);
  if (c) return c->child;
  AddedCol *ac = pop_added(top, seg);
  if (ac && ac->type && ac->type->schema) return ac->type->schema;
  (void)p;
  return NULL;
}

void query_complete(Program *p, int file, int off, Program *fallback, PtrVec *out) {
  const SourceFile *src = diags_file(&p->diags, file);
  if (!src || off < 0 || off > (int)src->len) return;
  const char *text = src->text;
  QScope sc = find_scope(p, file, off, fallback, text);
  int segs[16], lens[16];
  int n = read_path(text, off, segs, lens, 16);
  if (n > 0) {
    Schema *s = sc.dim;
    for (int i = 0; i < n && s; i++) {
      char *seg = arena_strndup(&p->arena, text + segs[i], (size_t)lens[i]);
      s = follow(p, s, i == 0 ? sc.pop : NULL, seg);
      if (!s && i == 0) s = follow(p, NULL, NULL, seg);
    }
    add_schema_names(p, out, s, 0);
    return;
  }
  add_pop_names(p, out, sc.pop);
  add_schema_names(p, out, sc.dim, 0);
  add_nested(p, out, text, &sc, off);
  for (int i = 0; sc.camp && i < sc.camp->steps.len; i++) {
    Step *s = sc.camp->steps.items[i];
    for (int k = 0; k < s->outputs.len; k++) {
      Pop *pop = s->pops && k < s->npops ? s->pops[k] : NULL;
      add(p, out, s->outputs.items[k],
          pop && pop->dim ? arena_printf(&p->arena, "step: %s", pop->dim->name) : "step", QC_STEP);
    }
  }
  for (int i = 0; i < p->schemas.len; i++)
    add(p, out, ((Schema *)p->schemas.items[i])->name, "schema", QC_SCHEMA);
  for (int i = 0; i < p->funcs.len; i++) {
    Decl *d = p->funcs.items[i];
    add(p, out, d->name, d->kind == D_FUNC ? "func" : "filter", QC_FUNC);
  }
  for (int i = 0; i < NBUILTIN; i++) add(p, out, builtins[i], "built-in function", QC_FUNC);
  for (int i = 0; i < NKW; i++) add(p, out, keywords[i], "keyword", QC_KEYWORD);
  /* a word, not reserved (lang/keywords.def HEADER): offered inside a campaign */
  if (sc.camp)
    add(p, out, "holdout", "control group: `x = holdout 5% of y`, or `holdout 5%` in a header or channel step",
        QC_KEYWORD);
}
