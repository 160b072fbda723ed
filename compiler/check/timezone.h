/* timezone.h — IANA time zones (Europe/Stockholm, America/New_York, ...)
 * read from the system's tz database (tzdata, the files glibc reads).  Used by
 * the checker (zone names written in a campaign) and by the SQLite backend
 * (camp_to_timezone, the SQL form of to_timezone). */
#ifndef CAMP_TIMEZONE_H
#define CAMP_TIMEZONE_H

#include <stddef.h>

/* 1 when name is a zone of the tz database ("UTC" and "Etc/UTC" included). */
int tz_known(const char *name);

/* Converts a UTC time "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD", read as
 * midnight) to the wall-clock time of zone `name`, written to out as
 * "YYYY-MM-DD HH:MM:SS".  Returns 0, or -1 (out untouched) when the zone is
 * unknown or the time cannot be read.  Thread-safe (zones are parsed once,
 * into a cache guarded by a mutex). */
int tz_from_utc(const char *utc, const char *name, char *out, size_t outlen);

#endif
