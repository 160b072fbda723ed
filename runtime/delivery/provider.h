/* provider.h — a provider as the send worker uses it.
 *
 * When a run executes a channel step, the step's provider declaration
 * (compiler/check/provider.h) is recorded in camp_delivery as JSON
 * (provider_config_json): names and values as written, env "VAR" as the
 * variable's NAME only, a file provider's directory resolved against the
 * campaign file.  `camp send` reads that JSON back (provider_parse), so it
 * needs no campaign source, and reads the secrets from the environment
 * only when it sends (provider_resolve_env).  Secret values live in this
 * struct's `*_value` fields in memory and are never written anywhere. */
#ifndef CAMP_DELIVERY_PROVIDER_H
#define CAMP_DELIVERY_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "compiler/check/provider.h"
#include "lang/ast.h"

/* A value made of literal and env parts: "Bearer " env "TOKEN". */
typedef struct PvText {
  int nparts;
  char **parts;       /* literal text, or the variable name when is_env */
  int *is_env;
  char *value;        /* resolved (provider_resolve_env), or NULL */
} PvText;

typedef struct PvHeader {
  char *name;
  PvText value;
} PvHeader;

typedef enum { TLS_NONE, TLS_TRY, TLS_REQUIRED } StartTls;

typedef struct Provider {
  char *name;
  ProviderKind kind;
  char *config;        /* the JSON it was parsed from (identity) */
  /* smtp */
  char *url;           /* smtp: as written; http: a template (set by
                        * provider_resolve_env when it comes from env) */
  PvText url_text;     /* url with env parts */
  StartTls starttls;
  PvText user, password;
  char *from, *return_path, *list_unsubscribe;
  char *ca_file;       /* smtp, http: CA certificates (PEM) to trust, or NULL */
  int max_connections, per_connection;
  /* http */
  char *method;
  PvHeader *headers;
  int nheaders;
  char *body;          /* JSON template */
  char *id_field;
  int concurrency;
  /* file */
  char *directory;
  /* all */
  double rate;         /* messages per second; 0 = unlimited */
  int timeout;         /* seconds per attempt */
  int max_attempts;
  int64_t max_age;     /* seconds after queueing; then failed */
} Provider;

/* The JSON recorded for declaration d (a checked D_PROVIDER).  Relative
 * directories are resolved against source_file's directory.  malloc'd. */
char *provider_config_json(const Decl *d, const char *source_file);

/* Parses provider_config_json output; NULL with a message in err. */
Provider *provider_parse(const char *json, char *err, size_t errlen);
void provider_free(Provider *p);

/* Reads every env part from the environment.  0, or -1 with a message
 * naming the missing variable (never a value) in err. */
int provider_resolve_env(Provider *p, char *err, size_t errlen);

#endif
