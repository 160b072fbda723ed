/* provider.h — `provider NAME { kind smtp|http|file; ... }` declarations:
 * the fields each kind takes (checked in check_provider.c) and accessors
 * the runtime uses on a checked declaration.
 *
 *   kind        smtp | http | file                     required
 *   url         smtp: "smtp://host:port" / "smtps://..."; http: "https://..."
 *               (http: may hold {{placeholders}} of the message fields), or
 *               text with env "VAR" parts (checked when sending)
 *   starttls    none | try | required (smtp://, default try)
 *   user        "name" or env "VAR"                    smtp
 *   password    env "VAR" (never a literal)            smtp
 *   from        "Name <addr@domain>"                   smtp, required
 *   return_path "bounces@domain" (envelope sender)     smtp
 *   ca_file     "certs/ca.pem": trust these CA certificates (PEM) for
 *               TLS instead of the system's (a private relay's CA);
 *               relative to the campaign file       smtp, http
 *   list_unsubscribe "https://.../{{message_id}}"      smtp (RFC 8058 one-click)
 *   max_connections N, messages_per_connection N        smtp
 *   method      POST | PUT | PATCH | GET               http (default POST)
 *   header      "Name" value...  (repeatable; values may be env "VAR")  http
 *   body        JSON template, {{placeholders}} in its strings          http
 *   id_field    "id" or "data.id": the answer's provider message id     http
 *   channel     sms | push (default: both)             http
 *   concurrency N                                      http
 *   directory   "drop/dir"                             file, required
 *   rate N      messages per second (token bucket)     all
 *   timeout D, max_attempts N, max_age D               all
 *
 * Message fields a template may name: to, address, subject, body, text,
 * message_id, recipient, run, step, campaign, channel, outbox_id. */
#ifndef CAMP_PROVIDER_DECL_H
#define CAMP_PROVIDER_DECL_H

#include "lang/ast.h"

typedef enum { PK_NONE, PK_SMTP, PK_HTTP, PK_FILE } ProviderKind;

/* The message fields templates of a provider may use, NULL-terminated. */
extern const char *const provider_message_fields[];

/* The kind of a provider declaration (PK_NONE when missing or unknown). */
ProviderKind provider_kind(const Decl *d);
const char *provider_kind_name(ProviderKind k);
/* The field `name` of d, or NULL (the first one for repeated fields). */
const ProviderField *provider_field(const Decl *d, const char *name);
/* Does a provider of kind k send channel ch?  (An http provider with a
 * `channel` field only sends that one.) */
int provider_sends(const Decl *d, Channel ch);

#endif
