/* clock.h — the one way camp reads a date or time written by a user: a
 * timestamp literal in a .camp file, `--now` of plan/run/resume/sql. */
#ifndef CAMP_CLOCK_H
#define CAMP_CLOCK_H

#include <stdint.h>

/* Normalises `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS` (a
 * `T` may separate date and time; blanks around it are ignored) into
 * out[20] = 'YYYY-MM-DD HH:MM:SS'.
 * 0 on success; -1 (out unchanged) when text is not a valid calendar date
 * and time of years 1-9999. */
int clock_normalize(const char *text, char out[20]);

/* 'YYYY-MM-DD HH:MM:SS' (or a date) plus secs, in UTC, written as SQLite's
 * datetime(ts, '+N seconds') writes it; "" when ts is not such a time.
 * camp does time arithmetic here, not in SQL, so every backend stores the
 * same text (wait due times, approval deadlines and reminders). */
void clock_add_seconds(const char *ts, int64_t secs, char out[20]);

#endif
