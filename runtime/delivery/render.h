/* render.h — personalization of channel texts (subjects, bodies, SMS, push).
 *
 * Template syntax (the same that compiler/check/check_step.c checks):
 *   {{name}}                  the value of `name` (a column, `store.city`, or
 *                             inside a section a key of the current element)
 *   {{#rows}} ... {{/rows}}   the inner text once per element of the JSON
 *                             array `rows` holds
 *   {{^rows}} ... {{/rows}}   the inner text once if `rows` is empty
 *   {{name | filter ARG...}}  the value formatted: number, currency,
 *                             percent, date, default (see lang/tmpl.h)
 * Names are [A-Za-z0-9_.]+; spaces and tabs may surround them and the
 * sigil: `{{ name }}`, `{{# rows }}`.  Everything else is copied verbatim
 * (bytes, not characters: UTF-8 passes through untouched). */
#ifndef CAMP_RENDER_H
#define CAMP_RENDER_H

#include <stddef.h>

/* Looks up a placeholder name (`first_name`, `store.city`) for the row
 * being rendered; returns its value as text (owned by the callee, valid
 * until the render call returns) or NULL for SQL NULL / unknown.  A name
 * used as a section must look up to the JSON text of an array (as SQLite's
 * json_group_array makes), or NULL. */
typedef const char *(*RenderLookup)(void *ctx, const char *name);

#define RENDER_MAX_NAMES 16

typedef struct RenderStats {
  int missing; /* placeholders that rendered empty: NULL, JSON null, unknown */
  /* their names, each once (the first RENDER_MAX_NAMES; longer names cut) */
  char names[RENDER_MAX_NAMES][64];
  int nnames;
} RenderStats;

/* Per placeholder name, how many messages it rendered empty in. */
typedef struct RenderTally {
  char **names;
  int *counts;
  int n;
} RenderTally;

/* Counts one message: every name in s (rendered empty in it) once. */
void render_tally_add(RenderTally *t, const RenderStats *s);
void render_tally_free(RenderTally *t);

/* Renders tmpl into a malloc'd string (caller frees).
 *
 * Values: lookup text is inserted as is.  Values taken from JSON elements:
 * strings raw; integers plain ("42"); reals the way SQLite writes a REAL as
 * text ("%.15g" with ".0" added when it would look integral: 100.0 ->
 * "100.0", 2.5 -> "2.5", 1e20 -> "1.0e+20"); true/false as "true"/"false";
 * objects and arrays as compact JSON (reals to 15 digits).  A NULL, JSON null or unknown value
 * renders empty and increments stats->missing (stats may be NULL).
 *
 * Sections: inside {{#rows}}, names are looked up first in the current
 * element (a JSON object; innermost section first, exact key, then a dotted
 * path through nested objects), then in the enclosing elements, then with
 * `lookup` — so outer names stay visible.  A section value that is not an
 * array follows mustache: null, false, 0, "" and [] are empty; any other
 * value renders the inner text once (an object becomes the current element).
 * Lookup text that is not JSON counts as a non-empty string.
 *
 * html=1 escapes & < > " ' in substituted values (&amp; &lt; &gt; &quot;
 * &#39;), never in the template text; html=0 inserts values verbatim.
 *
 * A malformed template (`{{` without `}}`, a bad name, an unclosed or
 * mismatched section, a close without open) returns NULL with a message
 * "line N: ..." in err (errlen bytes; err may be NULL). */
char *render_template(const char *tmpl, RenderLookup lookup, void *ctx, int html,
                      RenderStats *stats, char *err, size_t errlen);

/* render_template with the message's locale for filters that name none
 * (NULL = "en"): the contact's language when the step has one. */
char *render_template_loc(const char *tmpl, RenderLookup lookup, void *ctx, int html,
                          const char *locale, RenderStats *stats, char *err, size_t errlen);

/* Checks tmpl for the errors render_template reports; 0 if well formed,
 * else -1 with the message in err. */
int render_validate(const char *tmpl, char *err, size_t errlen);

/* The names `lookup` may be asked for at the top level, for precomputing
 * what to select: every {{name}} outside sections and every outermost
 * section name, each once, in order of first use.  Names used inside a
 * section are not listed (they are keys of the elements; one that is no key
 * falls back to lookup, so a caller that wants them must provide them too).
 * Sets *names to a malloc'd array of malloc'd strings (free with
 * render_free_names) and returns the count; -1 if tmpl is malformed. */
int render_placeholders(const char *tmpl, char ***names);
/* The names used inside sections (nested section names included), each
 * once, in order of first use; same conventions as render_placeholders.
 * Each is either a key of the elements or an outer name that lookup must
 * answer; the caller tells them apart (e.g. by the section's row schema). */
int render_inner_placeholders(const char *tmpl, char ***names);
void render_free_names(char **names, int n);

#endif
