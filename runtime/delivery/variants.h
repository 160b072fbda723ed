/* variants.h — a channel step's texts by the contact's language.
 *
 * A step may name the population column holding the contact's language
 * (`language "lang"`) and give variants of its texts per language:
 * `subject_sv "..."`, `body_de "..."`, `template_pt_BR "file.html"`.  A
 * contact whose language is "sv-SE" gets the sv_SE variant if there is
 * one, else the sv variant, else the plain setting (the fallback); the
 * same language is the locale of the message's number and date filters
 * (lang/tmpl.h).  Checked at compile time by compiler/check/check_tmpl.c. */
#ifndef CAMP_VARIANTS_H
#define CAMP_VARIANTS_H

#include <stddef.h>

#include "compiler/check/program.h"

enum { VARIANTS_MAX = 64 };

typedef struct VariantText {
  char code[32];         /* normalized language ("sv", "pt_br"); "" = the fallback */
  const char *subject;   /* the step's text (not owned), or NULL */
  const char *main;      /* body or template text (owned when from a file), or NULL */
  int main_owned;
} VariantText;

typedef struct Variants {
  const char *language;  /* the population column, or NULL */
  VariantText v[VARIANTS_MAX];
  int n;                 /* v[0] is the fallback */
} Variants;

/* Reads a template file named in the campaign; malloc'd text or NULL. */
typedef char *(*VariantRead)(void *ctx, const char *name);

/* Collects the step's texts.  0, or -1 with err (a template unreadable). */
int variants_load(Variants *vs, Step *s, VariantRead read, void *ctx, char *err, size_t errlen);
/* The texts of A/B test variant `letter` (compiler/check/abtest.h): 'A' (or
 * 0) is variants_load; B..Z takes, per language of A or of the variant, the
 * variant's text in that language (`subject_B_sv`), else in its primary
 * language, else its plain text (`subject_B`), else A's text for that
 * language as variants_pick would choose it.  0 or -1. */
int variants_load_ab(Variants *vs, Step *s, char letter, VariantRead read, void *ctx, char *err, size_t errlen);
void variants_free(Variants *vs);
/* The texts for a contact's language (NULL / "" / unknown = fallback); each
 * of subject/main falls back on its own when a variant lacks it. */
void variants_pick(const Variants *vs, const char *lang, const char **subject,
                   const char **main);

#endif
