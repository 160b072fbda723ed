/* schema_infer.h — the guesses `camp schema` makes beyond declared types:
 * address columns from their names, and dates, timestamps, booleans and
 * enums from a sample of the values (runtime/db/schema_infer.c). */
#ifndef CAMP_SCHEMA_INFER_H
#define CAMP_SCHEMA_INFER_H

#include "runtime/db/db.h"

/* The channel a column named `column` addresses, by its name alone
 * (`email`, `phone`, `msisdn`, `mobile`, `push_token`, ...): sets *channel
 * to "email", "sms" or "push" and returns a strength (3 an exact name,
 * 2 a plain phone, 1 a name containing such a word), or 0 and NULL. */
int infer_address(const char *column, const char **channel);

#define INFER_MAX_LABELS 8

typedef struct Inferred {
  const char *type;      /* camp type: the declared one or a better guess */
  char *labels[INFER_MAX_LABELS]; /* type "enum": the labels, sorted (owned) */
  int nlabels;
  char note[200];        /* why, for a comment; "" when nothing was guessed */
} Inferred;

/* Looks at up to 1000 non-null values of table.column, whose type from its
 * declaration is `type` (only "text" and "int" are refined; `declared` says
 * whether the column had a declared type).  Text whose every sampled value
 * is a date or a `YYYY-MM-DD HH:MM:SS` timestamp becomes date/timestamp; a
 * few identifier-like texts repeated over many rows an enum; an integer
 * with a yes/no name holding only 0/1 a bool.  Free with inferred_free. */
void infer_values(Db *db, const char *table, const char *column, const char *type, int declared,
                  Inferred *out);
void inferred_free(Inferred *in);

#endif
