/* program.c — loading sources and their imports into one Program. */
#include "compiler/check/program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  const char *name;
  const char *text;
} CampEmbedded;
extern const CampEmbedded camp_stdlib[];

Program *program_new(void) {
  Program *p = calloc(1, sizeof *p);
  if (!p) abort();
  diags_init(&p->diags, &p->arena);
  return p;
}

void program_free(Program *p) {
  if (!p) return;
  diags_free(&p->diags);
  arena_free(&p->arena);
  free(p);
}

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The module already loaded from this path, if any (imports load once). */
static Module *find_loaded(Program *p, const char *path) {
  for (int i = 0; i < p->modules.len; i++) {
    Module *m = p->modules.items[i];
    if (strcmp(diags_file(&p->diags, m->file)->path, path) == 0) return m;
  }
  return NULL;
}

static void load_imports(Program *p, Module *m);

static Module *load_index(Program *p, int file) {
  Module *m = parse_source(&p->arena, &p->diags, file);
  load_imports(p, m);
  vec_push(&p->arena, &p->modules, m);
  return m;
}

static char *dir_of(Arena *a, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return arena_strdup(a, ".");
  return arena_strndup(a, path, (size_t)(slash - path));
}

/* Import search: std/ from the embedded stdlib, else relative to the
 * importing file's directory and each of its parents, then -I dirs. */
static char *resolve_import(Program *p, const char *from, const char *name) {
  const char *ext = strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".camp") == 0
                        ? "" : ".camp";
  if (name[0] == '/') {
    char *c = arena_printf(&p->arena, "%s%s", name, ext);
    return file_exists(c) ? c : NULL;
  }
  char *dir = dir_of(&p->arena, from);
  for (int depth = 0; depth < 16; depth++) {
    char *c = arena_printf(&p->arena, "%s/%s%s", dir, name, ext);
    if (file_exists(c)) return c;
    if (strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0 || dir[0] == 0) break;
    if (strcmp(dir, "..") == 0 || (strlen(dir) >= 3 &&
        strcmp(dir + strlen(dir) - 3, "/..") == 0))
      break;
    dir = strchr(dir, '/') ? dir_of(&p->arena, dir) : arena_strdup(&p->arena, ".");
  }
  for (int i = 0; i < p->include_dirs.len; i++) {
    char *c = arena_printf(&p->arena, "%s/%s%s", (char *)p->include_dirs.items[i],
                           name, ext);
    if (file_exists(c)) return c;
  }
  return NULL;
}

static void load_imports(Program *p, Module *m) {
  const char *from = diags_file(&p->diags, m->file)->path;
  for (int i = 0; i < m->decls.len; i++) {
    Decl *d = m->decls.items[i];
    if (d->kind != D_IMPORT) continue;
    if (strncmp(d->name, "std/", 4) == 0) {
      const CampEmbedded *e = camp_stdlib;
      while (e->name && strcmp(e->name, d->name) != 0) e++;
      if (!e->name) {
        diag_error(&p->diags, d->name_loc, "no standard library module `%s`", d->name);
        continue;
      }
      char *path = arena_printf(&p->arena, "<stdlib>/%s.camp", e->name + 4);
      if (find_loaded(p, path)) continue;
      int f = diags_add_source(&p->diags, path, e->text, strlen(e->text));
      Module *sm = load_index(p, f);
      for (int k = 0; k < sm->decls.len; k++)
        ((Decl *)sm->decls.items[k])->from_stdlib = 1;
      continue;
    }
    char *path = resolve_import(p, from, d->name);
    if (!path) {
      diag_error(&p->diags, d->name_loc, "cannot find module `%s`", d->name);
      diag_hint(&p->diags, "imports are looked up next to the importing file and in its parent directories; std/... names the standard library");
      continue;
    }
    if (find_loaded(p, path)) continue;
    /* Register the path before parsing so an import cycle stops here. */
    int f = diags_load_file(&p->diags, path);
    if (f < 0) {
      diag_error(&p->diags, d->name_loc, "cannot read module `%s`", path);
      continue;
    }
    Module *placeholder = arena_alloc(&p->arena, sizeof *placeholder);
    placeholder->file = f;
    vec_push(&p->arena, &p->modules, placeholder);
    Module *im = parse_source(&p->arena, &p->diags, f);
    *placeholder = *im;
    load_imports(p, placeholder);
  }
}

int program_load(Program *p, const char *path) {
  Module *m = find_loaded(p, path);
  if (m) {
    vec_push(&p->arena, &p->roots, m);
    return 0;
  }
  int f = diags_load_file(&p->diags, path);
  if (f < 0) return -1;
  m = load_index(p, f);
  vec_push(&p->arena, &p->roots, m);
  return 0;
}

int program_load_text(Program *p, const char *path, const char *text) {
  int f = diags_add_source(&p->diags, path, text, strlen(text));
  Module *m = load_index(p, f);
  vec_push(&p->arena, &p->roots, m);
  return 0;
}

Decl *program_campaign(Program *p, const char *name) {
  Decl *found = NULL;
  int n = 0;
  for (int i = 0; i < p->campaigns.len; i++) {
    Decl *c = p->campaigns.items[i];
    if (name ? strcmp(c->name, name) == 0 : !c->from_stdlib) {
      found = c;
      n++;
    }
  }
  Loc none = {0};
  none.file = p->roots.len ? ((Module *)p->roots.items[0])->file : -1;
  if (name && !found) {
    diag_error(&p->diags, none, "no campaign named `%s`", name);
    const char *cands[64];
    int k = 0;
    for (int i = 0; i < p->campaigns.len && k < 64; i++)
      cands[k++] = ((Decl *)p->campaigns.items[i])->name;
    const char *best = diag_closest(name, cands, k);
    if (best) diag_hint(&p->diags, "did you mean `%s`?", best);
    return NULL;
  }
  if (!name && n != 1) {
    diag_error(&p->diags, none, n ? "several campaigns: choose one with --campaign NAME"
                                  : "no campaign in the given files");
    return NULL;
  }
  return found;
}

static int usable(const char *path, int output) {
  struct stat st;
  if (!output) return stat(path, &st) == 0 && S_ISREG(st.st_mode);
  char dir[4096];
  if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) return 0;
  char *slash = strrchr(dir, '/');
  if (!slash) return 1;
  *slash = 0;
  return stat(dir[0] ? dir : "/", &st) == 0 && S_ISDIR(st.st_mode);
}

int program_find_file(const char *from, const char *name, int output, char *out, size_t outlen) {
  if (name[0] == '/') {
    snprintf(out, outlen, "%s", name);
    return usable(out, output) ? 0 : -1;
  }
  char dir[4096];
  const char *slash = from ? strrchr(from, '/') : NULL;
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - from) : 1, slash ? from : ".");
  char first[8192];
  if (snprintf(first, sizeof first, "%s/%s", dir, name) >= (int)sizeof first) first[0] = 0;
  for (int depth = 0; depth < 16; depth++) {
    snprintf(out, outlen, "%s/%s", dir, name);
    if (usable(out, output)) return 0;
    char *s = strrchr(dir, '/');
    if (!s) {
      if (strcmp(dir, ".") == 0) break;
      snprintf(dir, sizeof dir, ".");
      continue;
    }
    if (strcmp(s, "/..") == 0 || s == dir) break;
    *s = 0;
  }
  snprintf(out, outlen, "%s", first);
  return -1;
}

int64_t program_seed(const Decl *campaign) {
  for (int i = 0; campaign && i < campaign->headers.len; i++) {
    HeaderField *h = campaign->headers.items[i];
    if (!strcmp(h->name, "seed") && h->value->kind == E_INT) return h->value->ival;
  }
  return 0;
}
