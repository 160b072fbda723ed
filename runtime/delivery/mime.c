/* mime.c — building e-mail messages with GMime (see mime.h). */
#include "runtime/delivery/mime.h"
#include "runtime/delivery/track_links.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mime_init(void) {
  g_mime_init();
}

char *mime_clean_header(char *s) {
  if (!s) return s;
  char *w = s;
  int pending = 0; /* a run of control characters was skipped */
  for (const char *r = s; *r; r++) {
    unsigned char c = (unsigned char)*r;
    if (c < 0x20 || c == 0x7f) {
      pending = 1;
      continue;
    }
    if (pending && w != s) *w++ = ' ';
    pending = 0;
    *w++ = *r;
  }
  *w = 0;
  return s;
}

static int has_ctl(const char *s) {
  for (; s && *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
  return 0;
}

void mime_domain(const char *address, char *out, size_t outlen) {
  const char *at = address ? strrchr(address, '@') : NULL;
  if (!at) {
    snprintf(out, outlen, "localhost");
    return;
  }
  size_t n = 0;
  for (const char *p = at + 1; *p && *p != '>' && *p != ' ' && n + 1 < outlen; p++) out[n++] = *p;
  out[n] = 0;
  if (!n) snprintf(out, outlen, "localhost");
}

/* One text part, quoted-printable (safe for any line length, 7-bit). */
static GMimeTextPart *text_part(const char *subtype, const char *text) {
  GMimeTextPart *p = g_mime_text_part_new_with_subtype(subtype);
  g_mime_text_part_set_charset(p, "utf-8");
  g_mime_text_part_set_text(p, text);
  g_mime_part_set_content_encoding((GMimePart *)p, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  return p;
}

char *mime_build(const MimeInput *in, size_t *len, char *err, size_t errlen) {
  if (!in->to || !*in->to || has_ctl(in->to) || !strchr(in->to, '@')) {
    snprintf(err, errlen, "invalid recipient address");
    return NULL;
  }
  if (!in->from || has_ctl(in->from)) {
    snprintf(err, errlen, "invalid from address");
    return NULL;
  }
  if (has_ctl(in->message_id) ||
      (in->list_unsubscribe && (has_ctl(in->list_unsubscribe) || strpbrk(in->list_unsubscribe, " <>\"")))) {
    snprintf(err, errlen, "a header value holds a control character");
    return NULL;
  }
  InternetAddressList *from = internet_address_list_parse(NULL, in->from);
  InternetAddressList *to = internet_address_list_parse(NULL, in->to);
  int ok_from = from && internet_address_list_length(from) == 1 &&
                INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(from, 0));
  int ok_to = to && internet_address_list_length(to) == 1 &&
              INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(to, 0));
  if (!ok_from || !ok_to) {
    snprintf(err, errlen, "invalid %s address", ok_from ? "recipient" : "from");
    if (from) g_object_unref(from);
    if (to) g_object_unref(to);
    return NULL;
  }
  GMimeMessage *m = g_mime_message_new(TRUE);
  internet_address_list_append(g_mime_message_get_from(m), from);
  internet_address_list_append(g_mime_message_get_to(m), to);
  g_object_unref(from);
  g_object_unref(to);

  char *subject = strdup(in->subject ? in->subject : "");
  if (!subject) abort();
  mime_clean_header(subject);
  g_mime_message_set_subject(m, subject, "utf-8");
  free(subject);
  g_mime_message_set_message_id(m, in->message_id);
  GDateTime *dt = g_date_time_new_from_unix_utc((gint64)in->date);
  g_mime_message_set_date(m, dt);
  g_date_time_unref(dt);
  if (in->list_unsubscribe) {
    /* a URL is no text to encode (RFC 2047 would break it): set it raw */
    g_mime_object_set_header((GMimeObject *)m, "List-Unsubscribe", "x", NULL);
    GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list((GMimeObject *)m),
                                                   "List-Unsubscribe");
    char *v = g_strdup_printf(" <%s>\n", in->list_unsubscribe);
    g_mime_header_set_raw_value(h, v);
    g_free(v);
    g_mime_object_set_header((GMimeObject *)m, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click", NULL);
  }

  char *derived = NULL;
  const char *text = in->text;
  if (!text && in->html) text = derived = html_to_text(in->html);
  if (in->html) {
    GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
    GMimeTextPart *tp = text_part("plain", text ? text : "");
    GMimeTextPart *hp = text_part("html", in->html);
    g_mime_multipart_add(alt, (GMimeObject *)tp); /* the preferred part comes last */
    g_mime_multipart_add(alt, (GMimeObject *)hp);
    g_object_unref(tp);
    g_object_unref(hp);
    g_mime_message_set_mime_part(m, (GMimeObject *)alt);
    g_object_unref(alt);
  } else {
    GMimeTextPart *tp = text_part("plain", text ? text : "");
    g_mime_message_set_mime_part(m, (GMimeObject *)tp);
    g_object_unref(tp);
  }
  free(derived);

  GMimeFormatOptions *fo = g_mime_format_options_clone(NULL);
  g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
  GMimeStream *mem = g_mime_stream_mem_new();
  ssize_t w = g_mime_object_write_to_stream((GMimeObject *)m, fo, mem);
  g_mime_format_options_free(fo);
  g_object_unref(m);
  if (w < 0) {
    g_object_unref(mem);
    snprintf(err, errlen, "cannot serialize the message");
    return NULL;
  }
  GByteArray *ba = g_mime_stream_mem_get_byte_array((GMimeStreamMem *)mem);
  char *out = malloc(ba->len + 1);
  if (!out) abort();
  memcpy(out, ba->data, ba->len);
  out[ba->len] = 0;
  *len = ba->len;
  g_object_unref(mem);
  return out;
}
