/* tmpl_format.h — applying a template tag's filters to a value, with ICU
 * (number, currency, percent and date formatting by locale; see
 * lang/tmpl.h for the filters). */
#ifndef CAMP_TMPL_FORMAT_H
#define CAMP_TMPL_FORMAT_H

#include "lang/tmpl.h"

/* Applies tag's filters in order to value (NULL = missing).  locale is the
 * message's locale for filters without one (NULL or "" = "en").  Numbers
 * are formatted from their decimal text exactly (no binary rounding);
 * dates read 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]' (a `T` too) as UTC.
 * A value a filter cannot read (text given to `number`) passes unchanged.
 * Returns a malloc'd string, or NULL when the result is missing. */
char *tmpl_apply(const TmplTag *tag, const char *value, const char *locale);

/* The ICU locale id for a language tag ("sv-SE" -> "sv_SE"), into out. */
void tmpl_locale_id(const char *tag, char *out, size_t outlen);

#endif
