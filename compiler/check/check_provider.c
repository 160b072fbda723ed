/* check_provider.c — checks `provider` declarations (fields per kind, value
 * types, URLs, secrets only through `env "VAR"`, JSON body templates naming
 * message fields) and resolves which provider sends each channel step
 * (`email x via NAME`, or the only provider that can send the channel).
 * See provider.h for the fields. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "compiler/check/check.h"
#include "compiler/check/provider.h"

const char *const provider_message_fields[] = {
    "to", "address", "subject", "body", "text", "message_id", "recipient",
    "run", "step", "campaign", "channel", "outbox_id", NULL};

/* What a field's values must be. */
typedef enum {
  VT_WORD,     /* one bare word from `words` */
  VT_STRING,   /* one string */
  VT_TEMPLATE, /* one string with {{message fields}} */
  VT_TEXT,     /* strings and env "VAR", concatenated */
  VT_SECRET,   /* env "VAR" parts only (and strings around them) */
  VT_INT,      /* a positive integer */
  VT_NUMBER,   /* a positive integer or decimal */
  VT_DURATION, /* a positive duration */
  VT_HEADER,   /* "Name" then text */
  VT_URL,      /* a template string, or text with env "VAR" (checked when sending) */
} ValType;

enum { KS = 1 << PK_SMTP, KH = 1 << PK_HTTP, KF = 1 << PK_FILE, KALL = KS | KH | KF };

typedef struct FieldSpec {
  const char *name;
  int kinds;
  ValType type;
  const char *words; /* VT_WORD: allowed words, space separated */
  int repeat;
} FieldSpec;

static const FieldSpec specs[] = {
    {"kind", KALL, VT_WORD, "smtp http file", 0},
    {"url", KS | KH, VT_URL, NULL, 0},
    {"starttls", KS, VT_WORD, "none try required", 0},
    {"user", KS, VT_TEXT, NULL, 0},
    {"password", KS, VT_SECRET, NULL, 0},
    {"from", KS, VT_STRING, NULL, 0},
    {"return_path", KS, VT_STRING, NULL, 0},
    {"ca_file", KS | KH, VT_STRING, NULL, 0},
    {"list_unsubscribe", KS, VT_TEMPLATE, NULL, 0},
    {"max_connections", KS, VT_INT, NULL, 0},
    {"messages_per_connection", KS, VT_INT, NULL, 0},
    {"method", KH, VT_WORD, "POST PUT PATCH GET", 0},
    {"header", KH, VT_HEADER, NULL, 1},
    {"body", KH, VT_TEMPLATE, NULL, 0},
    {"id_field", KH, VT_STRING, NULL, 0},
    {"channel", KH, VT_WORD, "sms push", 0},
    {"concurrency", KH, VT_INT, NULL, 0},
    {"directory", KF, VT_STRING, NULL, 0},
    {"rate", KALL, VT_NUMBER, NULL, 0},
    {"timeout", KALL, VT_DURATION, NULL, 0},
    {"max_attempts", KALL, VT_INT, NULL, 0},
    {"max_age", KALL, VT_DURATION, NULL, 0},
};
#define NSPECS ((int)(sizeof specs / sizeof specs[0]))

const char *provider_kind_name(ProviderKind k) {
  switch (k) {
    case PK_SMTP: return "smtp";
    case PK_HTTP: return "http";
    case PK_FILE: return "file";
    case PK_NONE: break;
  }
  return "?";
}

const ProviderField *provider_field(const Decl *d, const char *name) {
  for (int i = 0; i < d->pfields.len; i++) {
    const ProviderField *f = d->pfields.items[i];
    if (!strcmp(f->name, name)) return f;
  }
  return NULL;
}

ProviderKind provider_kind(const Decl *d) {
  const ProviderField *f = provider_field(d, "kind");
  if (!f || f->values.len != 1) return PK_NONE;
  const ProviderValue *v = f->values.items[0];
  if (v->kind != PV_WORD) return PK_NONE;
  if (!strcmp(v->text, "smtp")) return PK_SMTP;
  if (!strcmp(v->text, "http")) return PK_HTTP;
  if (!strcmp(v->text, "file")) return PK_FILE;
  return PK_NONE;
}

int provider_sends(const Decl *d, Channel ch) {
  switch (provider_kind(d)) {
    case PK_SMTP: return ch == CH_EMAIL;
    case PK_FILE: return ch == CH_MAIL;
    case PK_HTTP: {
      if (ch != CH_SMS && ch != CH_PUSH) return 0;
      const ProviderField *f = provider_field(d, "channel");
      if (!f || f->values.len != 1) return 1;
      const ProviderValue *v = f->values.items[0];
      return v->kind == PV_WORD && !strcmp(v->text, channel_name(ch));
    }
    case PK_NONE: break;
  }
  return 0;
}

/* "an smtp", "an http", "a file" */
static const char *art(ProviderKind k) { return k == PK_FILE ? "a" : "an"; }

static const FieldSpec *spec_of(const char *name) {
  for (int i = 0; i < NSPECS; i++)
    if (!strcmp(specs[i].name, name)) return &specs[i];
  return NULL;
}

static int word_in(const char *word, const char *list) {
  size_t n = strlen(word);
  for (const char *p = list; *p;) {
    const char *sp = strchr(p, ' ');
    size_t len = sp ? (size_t)(sp - p) : strlen(p);
    if (len == n && !strncmp(p, word, n)) return 1;
    p = sp ? sp + 1 : p + len;
  }
  return 0;
}

static const char *value_what(const ProviderValue *v) {
  switch (v->kind) {
    case PV_STRING: return "a string";
    case PV_INT: return "an integer";
    case PV_DEC: return "a decimal number";
    case PV_DURATION: return "a duration";
    case PV_ENV: return "an environment variable";
    case PV_WORD: return "a word";
  }
  return "a value";
}

static int is_ident_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* {{name}} placeholders of a provider template must be message fields. */
static void check_template(Ctx *c, const ProviderValue *v, const char *field) {
  const char *text = v->text;
  for (const char *q = strstr(text, "{{"); q; q = strstr(q, "{{")) {
    const char *end = strstr(q + 2, "}}");
    if (!end) {
      diag_error(c->d, v->loc, "%s: `{{` without `}}`", field);
      return;
    }
    const char *n = q + 2, *ne = end;
    while (n < ne && (*n == ' ' || *n == '\t')) n++;
    while (ne > n && (ne[-1] == ' ' || ne[-1] == '\t')) ne--;
    char *name = arena_strndup(c->a, n, (size_t)(ne - n));
    q = end + 2;
    int ok = ne > n;
    for (const char *k = n; k < ne; k++) ok &= is_ident_char(*k);
    if (!ok) {
      diag_error(c->d, v->loc, "%s: `{{%s}}` is not a message field", field, name);
      diag_hint(c->d, "a provider template names message fields, like {{address}} or {{body}}");
      continue;
    }
    int known = 0;
    for (int i = 0; provider_message_fields[i]; i++) known |= !strcmp(provider_message_fields[i], name);
    if (!known) {
      int nf = 0;
      while (provider_message_fields[nf]) nf++;
      diag_error(c->d, v->loc, "%s: unknown message field `%s`", field, name);
      const char *best = diag_closest(name, provider_message_fields, nf);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      else
        diag_hint(c->d, "message fields: to, address, subject, body, text, message_id, recipient, "
                        "run, step, campaign, channel, outbox_id");
    }
  }
}

/* The JSON body: valid JSON once placeholders are in its strings. */
static void check_body(Ctx *c, const ProviderValue *v) {
  json_error_t je;
  json_t *j = json_loads(v->text, JSON_DECODE_ANY, &je);
  if (!j) {
    diag_error(c->d, v->loc, "body is not JSON: %s (at character %d)", je.text, je.position);
    diag_hint(c->d, "write the JSON with {{fields}} inside its strings: \"{\\\"to\\\": \\\"{{address}}\\\"}\"");
    return;
  }
  json_decref(j);
  check_template(c, v, "body");
}

static int has_ctl(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
  return 0;
}

static void check_values(Ctx *c, Decl *d, ProviderKind kind, const ProviderField *f, const FieldSpec *sp) {
  int n = f->values.len;
  const ProviderValue *v0 = n ? f->values.items[0] : NULL;
  switch (sp->type) {
    case VT_WORD:
      if (n != 1 || v0->kind != PV_WORD || !word_in(v0->text, sp->words)) {
        diag_error(c->d, v0 ? v0->loc : f->loc, "`%s` takes one of: %s", f->name, sp->words);
        return;
      }
      break;
    case VT_STRING:
    case VT_TEMPLATE:
      if (n != 1 || v0->kind != PV_STRING) {
        diag_error(c->d, n > 1 ? ((ProviderValue *)f->values.items[1])->loc : v0->loc,
                   "`%s` takes one string, not %s", f->name, n > 1 ? "several values" : value_what(v0));
        if (v0 && v0->kind == PV_ENV) diag_hint(c->d, "only url, user, password and header values come from env");
        return;
      }
      if (has_ctl(v0->text)) {
        diag_error(c->d, v0->loc, "`%s` must not hold control characters (line breaks, tabs)", f->name);
        return;
      }
      break;
    case VT_URL:
      if (n == 1 && v0->kind == PV_STRING) {
        if (has_ctl(v0->text)) {
          diag_error(c->d, v0->loc, "`%s` must not hold control characters (line breaks, tabs)", f->name);
          return;
        }
        break;
      }
      __attribute__((fallthrough)); /* parts from the environment */
    case VT_TEXT:
    case VT_SECRET:
    case VT_HEADER: {
      int first = 0, env = 0;
      if (sp->type == VT_HEADER) {
        if (n < 2 || v0->kind != PV_STRING) {
          diag_error(c->d, f->loc, "`header` takes a name and a value: header \"X-Key\" env \"KEY\"");
          return;
        }
        int ok = *v0->text != 0;
        for (const char *p = v0->text; *p; p++)
          ok &= (*p > 32 && *p < 127 && *p != ':');
        if (!ok) {
          diag_error(c->d, v0->loc, "`%s` is not a header name", v0->text);
          return;
        }
        first = 1;
      }
      for (int i = first; i < n; i++) {
        const ProviderValue *v = f->values.items[i];
        if (v->kind == PV_ENV) {
          env = 1;
          int ok = *v->text != 0;
          for (const char *p = v->text; *p; p++) ok &= is_ident_char(*p);
          if (!ok) diag_error(c->d, v->loc, "`%s` is not an environment variable name", v->text);
        } else if (v->kind != PV_STRING) {
          diag_error(c->d, v->loc, "`%s` takes strings and env \"VAR\", not %s", f->name, value_what(v));
          return;
        } else if (has_ctl(v->text)) {
          diag_error(c->d, v->loc, "`%s` must not hold control characters (line breaks, tabs)", f->name);
          return;
        }
      }
      if (sp->type == VT_SECRET && !env) {
        diag_error(c->d, v0->loc, "a %s must not be written in the source", f->name);
        char var[128];
        snprintf(var, sizeof var, "%s_%s", d->name, f->name);
        for (char *p = var; *p; p++)
          if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        diag_hint(c->d, "name the environment variable that holds it: %s env \"%s\"", f->name, var);
        return;
      }
      break;
    }
    case VT_INT:
      if (n != 1 || v0->kind != PV_INT || v0->ival < 1 || v0->ival > 100000) {
        diag_error(c->d, v0 ? v0->loc : f->loc, "`%s` takes a whole number from 1 to 100000", f->name);
        return;
      }
      break;
    case VT_NUMBER:
      if (n != 1 || (v0->kind != PV_INT && v0->kind != PV_DEC) ||
          (v0->kind == PV_INT ? v0->ival <= 0 : v0->dval <= 0)) {
        diag_error(c->d, v0 ? v0->loc : f->loc, "`%s` takes a positive number (messages per second)",
                   f->name);
        return;
      }
      break;
    case VT_DURATION:
      if (n != 1 || v0->kind != PV_DURATION || v0->ival <= 0) {
        diag_error(c->d, v0 ? v0->loc : f->loc, "`%s` takes a positive duration like 30s or 3d", f->name);
        return;
      }
      break;
  }
  /* Field-specific rules. */
  if (!strcmp(f->name, "url") && (n != 1 || v0->kind != PV_STRING)) {
    return; /* from the environment: checked when sending */
  } else if (!strcmp(f->name, "url")) {
    const char *u = v0->text;
    int ok = kind == PK_SMTP ? (!strncmp(u, "smtp://", 7) || !strncmp(u, "smtps://", 8))
                             : (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8));
    if (!ok) {
      diag_error(c->d, v0->loc, "%s %s provider's url starts with %s", art(kind), provider_kind_name(kind),
                 kind == PK_SMTP ? "smtp:// or smtps://" : "http:// or https://");
      return;
    }
    if (kind == PK_SMTP && strstr(u, "{{")) {
      diag_error(c->d, v0->loc, "an smtp url takes no {{placeholders}}");
      return;
    }
    check_template(c, v0, "url");
  } else if (!strcmp(f->name, "list_unsubscribe")) {
    if (strncmp(v0->text, "https://", 8) && strncmp(v0->text, "http://", 7)) {
      diag_error(c->d, v0->loc, "list_unsubscribe is an http(s) URL (RFC 8058 one-click unsubscribe)");
      return;
    }
    check_template(c, v0, "list_unsubscribe");
  } else if (!strcmp(f->name, "body")) {
    check_body(c, v0);
  } else if (!strcmp(f->name, "from") || !strcmp(f->name, "return_path")) {
    if (!strchr(v0->text, '@')) diag_error(c->d, v0->loc, "`%s` needs an e-mail address", f->name);
  }
}

static void check_provider(Ctx *c, Decl *d) {
  ProviderKind kind = provider_kind(d);
  const ProviderField *kf = provider_field(d, "kind");
  if (!kf) {
    diag_error(c->d, d->name_loc, "provider `%s` needs a `kind`: smtp, http or file", d->name);
    return;
  }
  for (int i = 0; i < d->pfields.len; i++) {
    const ProviderField *f = d->pfields.items[i];
    const FieldSpec *sp = spec_of(f->name);
    if (!sp) {
      const char *names[NSPECS];
      int n = 0;
      for (int k = 0; k < NSPECS; k++)
        if (kind == PK_NONE || (specs[k].kinds & (1 << kind))) names[n++] = specs[k].name;
      diag_error(c->d, f->loc, "unknown provider field `%s`", f->name);
      const char *best = diag_closest(f->name, names, n);
      if (best) diag_hint(c->d, "did you mean `%s`?", best);
      continue;
    }
    if (!sp->repeat)
      for (int j = 0; j < i; j++)
        if (!strcmp(((ProviderField *)d->pfields.items[j])->name, f->name)) {
          diag_error(c->d, f->loc, "`%s` is set twice", f->name);
          break;
        }
    if (f == kf || kind == PK_NONE) {
      check_values(c, d, kind, f, sp);
      continue;
    }
    if (!(sp->kinds & (1 << kind))) {
      diag_error(c->d, f->loc, "`%s` is not a field of %s %s provider", f->name, art(kind),
                 provider_kind_name(kind));
      continue;
    }
    check_values(c, d, kind, f, sp);
  }
  if (kind == PK_NONE) return;
  static const char *const required[][3] = {
      {NULL}, {"url", "from", NULL}, {"url", NULL}, {"directory", NULL}};
  for (int k = 0; required[kind][k]; k++)
    if (!provider_field(d, required[kind][k]))
      diag_error(c->d, d->name_loc, "%s %s provider needs `%s`", art(kind), provider_kind_name(kind),
                 required[kind][k]);
  const ProviderField *m = provider_field(d, "method");
  int get = m && m->values.len == 1 && !strcmp(((ProviderValue *)m->values.items[0])->text, "GET");
  if (kind == PK_HTTP && !get && !provider_field(d, "body"))
    diag_error(c->d, d->name_loc, "an http provider needs a JSON `body` template");
  const ProviderField *u = provider_field(d, "url"), *st = provider_field(d, "starttls");
  if (kind == PK_SMTP && u && st && u->values.len == 1 &&
      !strncmp(((ProviderValue *)u->values.items[0])->text, "smtps://", 8))
    diag_error(c->d, st->loc, "smtps:// is TLS from the start: `starttls` applies to smtp:// only");
  if (provider_field(d, "password") && !provider_field(d, "user"))
    diag_error(c->d, provider_field(d, "password")->loc, "a `password` needs a `user`");
}

void check_providers(Ctx *c) {
  for (int m = 0; m < c->p->modules.len; m++) {
    Module *mod = c->p->modules.items[m];
    for (int i = 0; i < mod->decls.len; i++) {
      Decl *d = mod->decls.items[i];
      if (d->kind != D_PROVIDER) continue;
      Decl *prev = NULL;
      for (int k = 0; k < c->p->providers.len && !prev; k++)
        if (!strcmp(((Decl *)c->p->providers.items[k])->name, d->name)) prev = c->p->providers.items[k];
      if (prev) {
        diag_error(c->d, d->name_loc, "provider `%s` is declared twice", d->name);
        diag_note(c->d, prev->name_loc, "first declared here");
        continue;
      }
      vec_push(c->a, &c->p->providers, d);
      check_provider(c, d);
    }
  }
}

static const char *kind_for(Channel ch) {
  return ch == CH_EMAIL ? "smtp" : ch == CH_MAIL ? "file" : "http";
}

void check_channel_providers(Ctx *c, Decl *campaign) {
  for (int i = 0; i < campaign->steps.len; i++) {
    Step *s = campaign->steps.items[i];
    if (s->kind != S_CHANNEL) continue;
    const char *ch = channel_name(s->channel);
    if (s->provider) {
      Decl *d = NULL;
      for (int k = 0; k < c->p->providers.len && !d; k++)
        if (!strcmp(((Decl *)c->p->providers.items[k])->name, s->provider)) d = c->p->providers.items[k];
      if (!d) {
        const char *names[256];
        int n = 0;
        for (int k = 0; k < c->p->providers.len && n < 256; k++)
          names[n++] = ((Decl *)c->p->providers.items[k])->name;
        names_unknown(c, s->provider_loc, "provider", s->provider, names, n);
        continue;
      }
      ProviderKind kind = provider_kind(d);
      if (kind != PK_NONE && !provider_sends(d, s->channel)) {
        if (kind == PK_HTTP && (s->channel == CH_SMS || s->channel == CH_PUSH))
          diag_error(c->d, s->provider_loc, "provider `%s` sends only %s, not %s", d->name,
                     s->channel == CH_SMS ? "push" : "sms", ch);
        else
          diag_error(c->d, s->provider_loc, "provider `%s` is %s %s provider and cannot send %s",
                     d->name, art(kind), provider_kind_name(kind), ch);
        diag_hint(c->d, "%s is sent through a provider of kind %s", ch, kind_for(s->channel));
        diag_note(c->d, d->name_loc, "`%s` is declared here", d->name);
        continue;
      }
      s->provider_decl = d;
      continue;
    }
    /* No `via`: the one provider that can send this channel, if any. */
    Decl *only = NULL;
    int n = 0;
    for (int k = 0; k < c->p->providers.len; k++) {
      Decl *d = c->p->providers.items[k];
      if (provider_sends(d, s->channel)) {
        only = d;
        n++;
      }
    }
    if (n == 1) s->provider_decl = only;
    if (n > 1) {
      Loc at = s->inputs.len ? ((StepInput *)s->inputs.items[0])->loc : s->loc;
      diag_error(c->d, at, "several providers can send %s: choose one with `%s %s via NAME`", ch, ch,
                 s->inputs.len ? ((StepInput *)s->inputs.items[0])->name : "x");
    }
  }
}
