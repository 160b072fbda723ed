/* track_token.h — signed tracking tokens and URLs (libsodium HMAC).
 *
 * A token names one tracked thing: the open pixel of outbox row ID, link
 * IDX of that row, or its unsubscribe.  It is base64url (no padding) of
 *   version(1) kind(1) outbox_id(8, big-endian) link(4, big-endian)
 *   HMAC-SHA-256(key, those 14 bytes) cut to 16 bytes
 * so it cannot be forged or altered without the key, and a token of one
 * kind is no token of another.  URLs: BASE/o/TOKEN (open pixel),
 * BASE/c/TOKEN (click), BASE/u/TOKEN (unsubscribe).
 *
 * The key comes from the environment variable CAMP_TRACK_KEY (at least 32
 * bytes; e.g. `head -c 32 /dev/urandom | base64`); it is never stored or
 * printed.  The base URL is where `camp track` is reachable from the
 * recipients, from CAMP_TRACK_URL (or --track-url, which sets it). */
#ifndef CAMP_TRACK_TOKEN_H
#define CAMP_TRACK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

typedef enum { TRACK_OPEN = 'o', TRACK_CLICK = 'c', TRACK_UNSUB = 'u' } TrackKind;

enum { TRACK_KEY_MIN = 32, TRACK_TOKEN_MAX = 48, TRACK_BASE_MAX = 512 };

typedef struct TrackKey {
  unsigned char bytes[256];
  size_t len;
} TrackKey;

/* Reads the key from CAMP_TRACK_KEY.  0, or -1 with a message in err (the
 * message never contains the key). */
int track_key_from_env(TrackKey *k, char *err, size_t errlen);
/* Sets the key from bytes (tests); len must be at least TRACK_KEY_MIN. */
int track_key_set(TrackKey *k, const void *bytes, size_t len);

/* Writes the token for (kind, id, link) into out (TRACK_TOKEN_MAX bytes). */
void track_token_make(const TrackKey *k, TrackKind kind, int64_t id, int32_t link, char *out);
/* Checks a token of len bytes (not NUL-terminated necessarily): 0 and the
 * fields if it is well formed and its HMAC verifies (constant time), else
 * -1.  The kind is part of what is signed. */
int track_token_check(const TrackKey *k, const char *tok, size_t len, TrackKind *kind,
                      int64_t *id, int32_t *link);

/* Validates a base URL (http:// or https:// and a host, no white space, quotes, <, >,
 * no query or fragment, at most TRACK_BASE_MAX bytes).  0 or -1 with err. */
int track_base_check(const char *base, char *err, size_t errlen);
/* BASE/<kind>/TOKEN into out (a trailing slash of base is not doubled). */
void track_url(const char *base, const TrackKey *k, TrackKind kind, int64_t id, int32_t link,
               char *out, size_t outlen);

#endif
