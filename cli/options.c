/* options.c — shared option parsing and the compile-and-report helper. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* Is `name` in the comma-separated list `allowed`? */
static int allowed_opt(const char *allowed, const char *name) {
  size_t n = strlen(name);
  for (const char *p = allowed; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return 1;
    p = comma ? comma + 1 : NULL;
  }
  return 0;
}

typedef struct {
  const char *name;
  size_t offset; /* of a const char* field, or (size_t)-1 for flags */
} OptSpec;

#define STROPT(n, f) {n, offsetof(CliOpts, f)}
static const OptSpec string_opts[] = {
    STROPT("format", format),   STROPT("campaign", campaign),
    STROPT("step", step),       STROPT("dialect", dialect), STROPT("grouped", grouped),
    STROPT("db", db),           STROPT("from-db", from_db),
    STROPT("now", now),         STROPT("run", run),
    STROPT("engine", engine),   STROPT("output", output),
    STROPT("debug-jit", debug_jit), STROPT("from-ddl", from_ddl),
    STROPT("keep", keep),
    STROPT("holdout", holdout), /* report --holdout LABEL */
    STROPT("listen", listen),   STROPT("track-url", track_url),
    STROPT("recipient", recipient),
    STROPT("channel", channel), STROPT("limit", limit),
    STROPT("lease", lease),     STROPT("batch", batch),
    STROPT("proof", proof),     STROPT("proofs", proofs),
    STROPT("as", as),           STROPT("reason", reason),
    STROPT("next", next),
    STROPT("who", who),         STROPT("due-before", due_before),
    STROPT("done", done),       STROPT("contact", contact),
    STROPT("item", item),       STROPT("on", on),
    STROPT("entity", entity),   STROPT("params", params),
    STROPT("keys", keys),
    STROPT("where", where),     STROPT("of", of),
    STROPT("login-limit", login_limit), STROPT("login-window", login_window),
};

#define FLAGOPT(n, f) {n, offsetof(CliOpts, f)}
static const OptSpec flag_opts[] = {
    FLAGOPT("check", check),   FLAGOPT("explain", explain), FLAGOPT("diff", diff),
    FLAGOPT("dry-run", dry_run), FLAGOPT("man", man),     FLAGOPT("send", send),
    FLAGOPT("test", test),     FLAGOPT("new-run", new_run),
    FLAGOPT("all", all),
};

#define NSTR (sizeof string_opts / sizeof string_opts[0])
#define NFLAG (sizeof flag_opts / sizeof flag_opts[0])

static int known(const OptSpec *specs, size_t n, const char *name) {
  for (size_t k = 0; k < n; k++)
    if (strcmp(specs[k].name, name) == 0) return 1;
  return 0;
}

/* `allowed` must name exactly the options of cmd's table entry, each of the
 * kind (flag or value) the parser gives it: the table is what `--help`, the
 * man page and the completions print.  Returns 0 when they agree. */
static int check_table(const char *cmd, const char *allowed) {
  const CliCommand *c = cli_command(cmd);
  if (!c) {
    fprintf(stderr, "camp %s: internal error: no entry in cli/commands.c\n", cmd);
    return 2;
  }
  int n = 0;
  for (const CliOption *o = c->opts; o->name; o++, n++) {
    int is_i = strcmp(o->name, "I") == 0;
    int ok = allowed_opt(allowed, o->name) &&
             (is_i ? o->arg != NULL
                   : o->arg ? known(string_opts, NSTR, o->name) : known(flag_opts, NFLAG, o->name));
    if (!ok) {
      fprintf(stderr, "camp %s: internal error: option `%s` of cli/commands.c does not match "
                      "the parser\n", cmd, o->name);
      return 2;
    }
  }
  int m = 0;
  for (const char *p = allowed; p && *p; m++) {
    const char *comma = strchr(p, ',');
    p = comma ? comma + 1 : NULL;
  }
  if (m != n) {
    fprintf(stderr, "camp %s: internal error: the parser accepts an option that cli/commands.c "
                    "does not list\n", cmd);
    return 2;
  }
  return 0;
}

int cli_parse(const char *cmd, int argc, char **argv, const char *allowed,
              CliOpts *o) {
  memset(o, 0, sizeof *o);
  if (check_table(cmd, allowed)) return 2;
  o->format = "text";
  o->color = isatty(2) && getenv("NO_COLOR") == NULL;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
      if (strcmp(a, "--") == 0) {
        for (i++; i < argc; i++)
          if (o->nfiles < 256) o->files[o->nfiles++] = argv[i];
        break;
      }
      if (strcmp(a, "-I") == 0 && allowed_opt(allowed, "I") && i + 1 < argc) {
        if (o->nincludes < 32) o->includes[o->nincludes++] = argv[++i];
        continue;
      }
      if (a[0] == '-' && a[1]) {
        fprintf(stderr, "camp %s: unknown option `%s`\n", cmd, a);
        return 2;
      }
      if (o->nfiles >= 256) {
        fprintf(stderr, "camp %s: too many files\n", cmd);
        return 2;
      }
      o->files[o->nfiles++] = a;
      continue;
    }
    const char *name = a + 2;
    const char *eq = strchr(name, '=');
    char key[64];
    size_t klen = eq ? (size_t)(eq - name) : strlen(name);
    if (klen >= sizeof key) klen = sizeof key - 1;
    memcpy(key, name, klen);
    key[klen] = 0;
    if (!allowed_opt(allowed, key)) {
      fprintf(stderr, "camp %s: unknown option `--%s`\n", cmd, key);
      return 2;
    }
    int found = 0;
    for (size_t k = 0; k < NFLAG; k++) {
      if (strcmp(flag_opts[k].name, key) != 0) continue;
      if (eq) {
        fprintf(stderr, "camp %s: option `--%s` takes no value\n", cmd, key);
        return 2;
      }
      *(int *)((char *)o + flag_opts[k].offset) = 1;
      found = 1;
    }
    if (found) continue;
    for (size_t k = 0; k < NSTR; k++) {
      if (strcmp(string_opts[k].name, key) != 0) continue;
      const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
      if (!val) {
        fprintf(stderr, "camp %s: option `--%s` needs a value\n", cmd, key);
        return 2;
      }
      *(const char **)((char *)o + string_opts[k].offset) = val;
      found = 1;
    }
    if (!found) {
      fprintf(stderr, "camp %s: unknown option `--%s`\n", cmd, key);
      return 2;
    }
  }
  return 0;
}

void cli_print_diags(Program *p, const CliOpts *o) {
  diags_sort(&p->diags);
  if (strcmp(o->format, "json") == 0)
    diags_print_json(&p->diags, stdout);
  else
    diags_print_text(&p->diags, stderr, o->color);
}

Program *cli_compile(CliOpts *o, int *status) {
  Program *p = program_new();
  for (int i = 0; i < o->nincludes; i++)
    vec_push(&p->arena, &p->include_dirs, (void *)o->includes[i]);
  int unreadable = 0;
  for (int i = 0; i < o->nfiles; i++) {
    if (program_load(p, o->files[i]) != 0) {
      Loc none = {.file = -1};
      diag_error(&p->diags, none, "cannot read `%s`", o->files[i]);
      unreadable = 1;
    }
  }
  (void)unreadable;
  program_check(p);
  *status = p->diags.nerrors ? 1 : 0;
  return p;
}

const char *cli_who(const CliOpts *o) {
  if (o->as && *o->as) return o->as;
  const char *u = getenv("USER");
  return u && *u ? u : "unknown";
}
