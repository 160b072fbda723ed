/* track_links.h — rewriting a rendered HTML e-mail for tracking, and its
 * plain-text rendition.  Both parse the HTML with gumbo (an HTML5 parser),
 * so links in comments, scripts or attribute values that merely look like
 * links are left alone, and entities are decoded as a browser would. */
#ifndef CAMP_TRACK_LINKS_H
#define CAMP_TRACK_LINKS_H

#include <stdint.h>

#include "runtime/delivery/track_token.h"

/* The links found while rewriting: urls[i] is the original (entity-decoded,
 * trimmed) target of link i, the one BASE/c/TOKEN(id, i) redirects to. */
typedef struct TrackLinks {
  char **urls;
  int n;
} TrackLinks;

/* Rewrites html for outbox row id: every <a>/<area> href that is an http or
 * https URL becomes BASE/c/TOKEN(id, i) (i counts them in document order),
 * an href of exactly `camp:unsubscribe` becomes BASE/u/TOKEN(id), and an
 * open pixel <img src="BASE/o/TOKEN(id)"> goes before </body> (at the end
 * when there is none).  Everything else is kept byte for byte.  Returns a
 * malloc'd string and fills links (free with track_links_free). */
char *track_rewrite_html(const char *html, const char *base, const TrackKey *k, int64_t id,
                         TrackLinks *links);
void track_links_free(TrackLinks *links);

/* The text of an HTML document for a text/plain part or a preview:
 * entities decoded (`&euro;` -> €), <head>, <script> and <style> dropped,
 * white space collapsed, a line break after block elements and <br>, a
 * blank line between paragraphs, list items as "- ", and a link written
 * as "text (url)" unless its text is the url.  Returns a malloc'd string. */
char *html_to_text(const char *html);

#endif
