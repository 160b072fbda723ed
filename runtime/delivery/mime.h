/* mime.h — e-mail messages built with GMime (never by hand):
 * multipart/alternative (text/plain + text/html, quoted-printable UTF-8),
 * RFC 2047 encoded subject, From/To, Date, Message-ID, and for one-click
 * unsubscribe (RFC 8058) List-Unsubscribe + List-Unsubscribe-Post.
 *
 * Header injection cannot happen: a header value (subject, names,
 * addresses, the unsubscribe URL) with CR, LF or another control
 * character is never passed through.  A subject's line breaks and tabs
 * become spaces (mime_clean_header); an address or URL holding one is
 * rejected. */
#ifndef CAMP_DELIVERY_MIME_H
#define CAMP_DELIVERY_MIME_H

#include <stddef.h>
#include <time.h>

typedef struct MimeInput {
  const char *from;            /* "Name <addr@domain>" or "addr@domain" */
  const char *to;              /* one address */
  const char *subject;         /* UTF-8 */
  const char *html;            /* the HTML body (may be NULL) */
  const char *text;            /* the text body; NULL: derived from html */
  const char *message_id;      /* without <>: "camp-1-abc@domain" */
  time_t date;
  const char *list_unsubscribe; /* https URL or NULL */
} MimeInput;

/* Once per process, before threads use mime_build. */
void mime_init(void);

/* The message as bytes with CRLF line ends (malloc'd, *len set), or NULL
 * with the reason in err (a permanent failure for that message). */
char *mime_build(const MimeInput *in, size_t *len, char *err, size_t errlen);

/* Replaces CR, LF, tab and other control characters of a header value by
 * spaces, in place (runs of them by one space); returns s. */
char *mime_clean_header(char *s);

/* The domain of an address ("Shop <news@shop.example>" -> shop.example)
 * into out; "localhost" when there is none. */
void mime_domain(const char *address, char *out, size_t outlen);

/* The text/plain alternative of an HTML body is html_to_text
 * (track_links.h: gumbo's HTML5 parser, the one the link rewriting uses). */

#endif
