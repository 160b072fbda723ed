/* lexstate.h — state shared by the flex scanner and the bison parser, and
 * the literal decoders the scanner calls (lang/lexutil.c). */
#ifndef CAMP_LEXSTATE_H
#define CAMP_LEXSTATE_H

#include <stdint.h>

#include "lang/ast.h"

typedef struct LexState {
  Arena *arena;
  Diags *diags;
  Module *module;
  int file;
  int line, col, off;
  int line_has_token; /* last line on which a token ended (for comments) */
  int nest;           /* open ( [ { */
  int last_token;     /* the token returned last (0 before the first) */
  int too_deep;       /* "nested too deep" reported: no follow-up errors */
  /* parser scratch lists, moved into nodes when a rule completes */
  Decl *campaign;
  PtrVec params, inputs, on_locs, out_locs;
} LexState;

/* Decodes escapes of a string body (without quotes) into the arena. */
char *lex_string(LexState *s, const char *body, int len, Loc loc);
/* Validates a calendar date `YYYY-MM-DD`; returns it, reporting bad dates. */
char *lex_date(LexState *s, const char *text, Loc loc);
/* Validates `YYYY-MM-DD HH:MM[:SS]`; returns `YYYY-MM-DD HH:MM:SS`. */
char *lex_timestamp(LexState *s, const char *text, Loc loc);
/* `90d` -> seconds; reports overflow. */
int64_t lex_duration(LexState *s, const char *text, int len, Loc loc);
/* Decimal integer; reports overflow. */
int64_t lex_int(LexState *s, const char *text, Loc loc);
/* Counts an opening (open = 1) or closing bracket; reports nesting deeper
 * than CAMP_MAX_DEPTH once. */
void lex_nest(LexState *s, int open, Loc loc);
/* The nesting error (from the scanner, or for bison's full stack). */
void lex_too_deep(LexState *s, Loc loc);
/* `2nd` -> 2; reports a suffix that does not fit the number (`2th`). */
int64_t lex_ordinal(LexState *s, const char *text, int len, Loc loc);
/* Reports a character that cannot start a token. */
void lex_bad_char(LexState *s, const char *text, Loc loc);
/* Is source `file` text camp can read (UTF-8 without NUL bytes)?  0 if so;
 * else -1 after one error that says where it stops being text — a binary
 * file gives that one error instead of thousands from the scanner. */
int lex_check_text(Diags *d, int file);

#endif
