/* provider.c — provider declarations to JSON (recorded with a run) and
 * back into the struct the senders use; secrets resolved from the
 * environment at send time.  See provider.h. */
#include "runtime/delivery/provider.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) abort();
  return d;
}

/* --------------------------------------------------------- to JSON */

static json_t *value_json(const ProviderValue *v) {
  switch (v->kind) {
    case PV_STRING:
    case PV_WORD: return json_string(v->text);
    case PV_INT:
    case PV_DURATION: return json_integer(v->ival);
    case PV_DEC: return json_real(v->dval);
    case PV_ENV: return json_pack("{s:s}", "env", v->text);
  }
  return json_null();
}

/* dir relative to the campaign file's directory (absolute when it can be). */
static char *resolve_dir(const char *dir, const char *source_file) {
  if (dir[0] == '/' || !source_file) return xstrdup(dir);
  char base[PATH_MAX];
  snprintf(base, sizeof base, "%s", source_file);
  char *slash = strrchr(base, '/');
  if (slash) *slash = 0;
  else snprintf(base, sizeof base, ".");
  char abs[PATH_MAX];
  if (!realpath(base, abs)) snprintf(abs, sizeof abs, "%s", base);
  size_t n = strlen(abs) + strlen(dir) + 2;
  char *out = malloc(n);
  if (!out) abort();
  snprintf(out, n, "%s/%s", abs, dir);
  return out;
}

char *provider_config_json(const Decl *d, const char *source_file) {
  json_t *fields = json_object();
  for (int i = 0; i < d->pfields.len; i++) {
    const ProviderField *f = d->pfields.items[i];
    json_t *occ = json_array();
    for (int k = 0; k < f->values.len; k++) {
      const ProviderValue *v = f->values.items[k];
      if ((!strcmp(f->name, "directory") || !strcmp(f->name, "ca_file")) && v->kind == PV_STRING) {
        char *dir = resolve_dir(v->text, source_file);
        json_array_append_new(occ, json_string(dir));
        free(dir);
      } else {
        json_array_append_new(occ, value_json(v));
      }
    }
    json_t *list = json_object_get(fields, f->name);
    if (!list) {
      list = json_array();
      json_object_set_new(fields, f->name, list);
    }
    json_array_append_new(list, occ);
  }
  json_t *root = json_pack("{s:s, s:s, s:o}", "name", d->name, "kind",
                           provider_kind_name(provider_kind(d)), "fields", fields);
  char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(root);
  if (!s) abort();
  return s;
}

/* --------------------------------------------------------- from JSON */

/* The first occurrence of field `name` (an array of values), or NULL. */
static json_t *occ(json_t *fields, const char *name, size_t i) {
  json_t *list = json_object_get(fields, name);
  return json_is_array(list) ? json_array_get(list, i) : NULL;
}

static char *str_field(json_t *fields, const char *name, const char *def) {
  json_t *o = occ(fields, name, 0);
  json_t *v = o ? json_array_get(o, 0) : NULL;
  if (json_is_string(v)) return xstrdup(json_string_value(v));
  return def ? xstrdup(def) : NULL;
}

static double num_field(json_t *fields, const char *name, double def) {
  json_t *o = occ(fields, name, 0);
  json_t *v = o ? json_array_get(o, 0) : NULL;
  return json_is_number(v) ? json_number_value(v) : def;
}

/* Values [from, ...) of an occurrence as a PvText. */
static int text_of(json_t *o, size_t from, PvText *t) {
  memset(t, 0, sizeof *t);
  if (!json_is_array(o)) return 0;
  size_t n = json_array_size(o);
  if (n <= from) return 0;
  t->nparts = (int)(n - from);
  t->parts = calloc((size_t)t->nparts, sizeof *t->parts);
  t->is_env = calloc((size_t)t->nparts, sizeof *t->is_env);
  if (!t->parts || !t->is_env) abort();
  for (size_t i = from; i < n; i++) {
    json_t *v = json_array_get(o, i);
    int k = (int)(i - from);
    if (json_is_object(v) && json_is_string(json_object_get(v, "env"))) {
      t->parts[k] = xstrdup(json_string_value(json_object_get(v, "env")));
      t->is_env[k] = 1;
    } else if (json_is_string(v)) {
      t->parts[k] = xstrdup(json_string_value(v));
    } else {
      return -1;
    }
  }
  return 0;
}

static void text_free(PvText *t) {
  for (int i = 0; i < t->nparts; i++) free(t->parts[i]);
  free(t->parts);
  free(t->is_env);
  if (t->value) {
    /* a secret: do not leave it in freed memory */
    memset(t->value, 0, strlen(t->value));
    free(t->value);
  }
  memset(t, 0, sizeof *t);
}

Provider *provider_parse(const char *text, char *err, size_t errlen) {
  json_error_t je;
  json_t *root = json_loads(text, 0, &je);
  json_t *fields = root ? json_object_get(root, "fields") : NULL;
  const char *name = root ? json_string_value(json_object_get(root, "name")) : NULL;
  const char *kind = root ? json_string_value(json_object_get(root, "kind")) : NULL;
  if (!json_is_object(fields) || !name || !kind) {
    snprintf(err, errlen, "damaged provider record in camp_delivery");
    json_decref(root);
    return NULL;
  }
  Provider *p = calloc(1, sizeof *p);
  if (!p) abort();
  int bad = 0;
  p->name = xstrdup(name);
  p->config = xstrdup(text);
  p->kind = !strcmp(kind, "smtp") ? PK_SMTP : !strcmp(kind, "http") ? PK_HTTP
          : !strcmp(kind, "file") ? PK_FILE : PK_NONE;
  json_t *uo = occ(fields, "url", 0);
  if (json_array_size(uo) == 1 && json_is_string(json_array_get(uo, 0))) p->url = str_field(fields, "url", NULL);
  else if (uo) bad |= text_of(uo, 0, &p->url_text);
  char *tls = str_field(fields, "starttls", "try");
  p->starttls = !strcmp(tls, "none") ? TLS_NONE : !strcmp(tls, "required") ? TLS_REQUIRED : TLS_TRY;
  free(tls);
  bad |= text_of(occ(fields, "user", 0), 0, &p->user);
  bad |= text_of(occ(fields, "password", 0), 0, &p->password);
  p->from = str_field(fields, "from", NULL);
  p->return_path = str_field(fields, "return_path", NULL);
  p->ca_file = str_field(fields, "ca_file", NULL);
  p->list_unsubscribe = str_field(fields, "list_unsubscribe", NULL);
  p->max_connections = (int)num_field(fields, "max_connections", 2);
  p->per_connection = (int)num_field(fields, "messages_per_connection", 100);
  p->method = str_field(fields, "method", "POST");
  json_t *hl = json_object_get(fields, "header");
  p->nheaders = json_is_array(hl) ? (int)json_array_size(hl) : 0;
  p->headers = calloc((size_t)p->nheaders + 1, sizeof *p->headers);
  if (!p->headers) abort();
  for (int i = 0; i < p->nheaders; i++) {
    json_t *o = json_array_get(hl, (size_t)i);
    json_t *hn = json_array_get(o, 0);
    p->headers[i].name = xstrdup(json_is_string(hn) ? json_string_value(hn) : "");
    bad |= text_of(o, 1, &p->headers[i].value);
  }
  p->body = str_field(fields, "body", NULL);
  p->id_field = str_field(fields, "id_field", NULL);
  p->concurrency = (int)num_field(fields, "concurrency", 8);
  p->directory = str_field(fields, "directory", NULL);
  p->rate = num_field(fields, "rate", 0);
  p->timeout = (int)num_field(fields, "timeout", 30);
  p->max_attempts = (int)num_field(fields, "max_attempts", 8);
  p->max_age = (int64_t)num_field(fields, "max_age", 3 * 86400);
  json_decref(root);
  if (bad || p->kind == PK_NONE || (p->kind != PK_FILE && !p->url && !p->url_text.nparts) ||
      (p->kind == PK_FILE && !p->directory) || (p->kind == PK_SMTP && !p->from)) {
    snprintf(err, errlen, "damaged provider record for `%s` in camp_delivery", p->name);
    provider_free(p);
    return NULL;
  }
  if (p->max_connections < 1) p->max_connections = 1;
  if (p->per_connection < 1) p->per_connection = 1;
  if (p->concurrency < 1) p->concurrency = 1;
  return p;
}

void provider_free(Provider *p) {
  if (!p) return;
  free(p->name);
  free(p->config);
  free(p->url);
  text_free(&p->url_text);
  text_free(&p->user);
  text_free(&p->password);
  free(p->from);
  free(p->return_path);
  free(p->ca_file);
  free(p->list_unsubscribe);
  free(p->method);
  for (int i = 0; i < p->nheaders; i++) {
    free(p->headers[i].name);
    text_free(&p->headers[i].value);
  }
  free(p->headers);
  free(p->body);
  free(p->id_field);
  free(p->directory);
  free(p);
}

static int resolve(PvText *t, const char *provider, const char *what, char *err, size_t errlen) {
  if (!t->nparts || t->value) return 0;
  size_t n = 1;
  for (int i = 0; i < t->nparts; i++) {
    const char *v = t->is_env[i] ? getenv(t->parts[i]) : t->parts[i];
    if (!v || (t->is_env[i] && !*v)) {
      snprintf(err, errlen, "provider %s: environment variable %s (its %s) is not set", provider,
               t->parts[i], what);
      return -1;
    }
    n += strlen(v);
  }
  t->value = malloc(n);
  if (!t->value) abort();
  t->value[0] = 0;
  for (int i = 0; i < t->nparts; i++) strcat(t->value, t->is_env[i] ? getenv(t->parts[i]) : t->parts[i]);
  /* a value with a line break would let a header be injected */
  if (strpbrk(t->value, "\r\n")) {
    snprintf(err, errlen, "provider %s: the %s holds a line break", provider, what);
    return -1;
  }
  return 0;
}

int provider_resolve_env(Provider *p, char *err, size_t errlen) {
  if (p->url_text.nparts && !p->url) {
    if (resolve(&p->url_text, p->name, "url", err, errlen)) return -1;
    const char *u = p->url_text.value;
    int ok = p->kind == PK_SMTP ? (!strncmp(u, "smtp://", 7) || !strncmp(u, "smtps://", 8))
                                : (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8));
    if (!ok) {
      snprintf(err, errlen, "provider %s: its url (from the environment) must start with %s", p->name,
               p->kind == PK_SMTP ? "smtp:// or smtps://" : "http:// or https://");
      return -1;
    }
    p->url = strdup(u);
    if (!p->url) abort();
  }
  if (resolve(&p->user, p->name, "user", err, errlen)) return -1;
  if (resolve(&p->password, p->name, "password", err, errlen)) return -1;
  for (int i = 0; i < p->nheaders; i++) {
    char what[300];
    snprintf(what, sizeof what, "header %s", p->headers[i].name);
    if (resolve(&p->headers[i].value, p->name, what, err, errlen)) return -1;
  }
  return 0;
}
