/* clock.h — the one way camp reads a date or time written by a user: a
 * timestamp literal in a .camp file, `--now` of plan/run/resume/sql. */
#ifndef CAMP_CLOCK_H
#define CAMP_CLOCK_H

/* Normalises `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS` (a
 * `T` may separate date and time; blanks around it are ignored) into
 * out[20] = 'YYYY-MM-DD HH:MM:SS'.
 * 0 on success; -1 (out unchanged) when text is not a valid calendar date
 * and time of years 1-9999. */
int clock_normalize(const char *text, char out[20]);

#endif
