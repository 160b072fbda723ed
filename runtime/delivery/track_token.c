/* track_token.c — tracking tokens: libsodium's HMAC-SHA-256 and base64url
 * (see track_token.h). */
#include "runtime/delivery/track_token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAYLOAD = 14, MAC = 16, VERSION = 1 };

static int sodium_ready(void) {
  static int done;
  if (!done) done = sodium_init() >= 0 ? 1 : -1;
  return done == 1 ? 0 : -1;
}

int track_key_set(TrackKey *k, const void *bytes, size_t len) {
  if (len < TRACK_KEY_MIN || len > sizeof k->bytes || sodium_ready()) return -1;
  memcpy(k->bytes, bytes, len);
  k->len = len;
  return 0;
}

int track_key_from_env(TrackKey *k, char *err, size_t errlen) {
  const char *v = getenv("CAMP_TRACK_KEY");
  if (!v || !*v) {
    snprintf(err, errlen, "CAMP_TRACK_KEY is not set (the secret that signs tracking links; "
                          "at least %d bytes, e.g. from `head -c 32 /dev/urandom | base64`)",
             TRACK_KEY_MIN);
    return -1;
  }
  size_t n = strlen(v);
  if (n < TRACK_KEY_MIN || n > sizeof k->bytes) {
    snprintf(err, errlen, "CAMP_TRACK_KEY must be %d to %zu bytes long (it has %zu)",
             TRACK_KEY_MIN, sizeof k->bytes, n);
    return -1;
  }
  if (track_key_set(k, v, n)) {
    snprintf(err, errlen, "cannot initialise libsodium");
    return -1;
  }
  return 0;
}

static void mac_of(const TrackKey *k, const unsigned char *payload, unsigned char out[32]) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, k->bytes, k->len);
  crypto_auth_hmacsha256_update(&st, payload, PAYLOAD);
  crypto_auth_hmacsha256_final(&st, out);
}

void track_token_make(const TrackKey *k, TrackKind kind, int64_t id, int32_t link, char *out) {
  unsigned char raw[PAYLOAD + 32];
  raw[0] = VERSION;
  raw[1] = (unsigned char)kind;
  uint64_t u = (uint64_t)id;
  for (int i = 0; i < 8; i++) raw[2 + i] = (unsigned char)(u >> (56 - 8 * i));
  uint32_t l = (uint32_t)link;
  for (int i = 0; i < 4; i++) raw[10 + i] = (unsigned char)(l >> (24 - 8 * i));
  mac_of(k, raw, raw + PAYLOAD);
  sodium_bin2base64(out, TRACK_TOKEN_MAX, raw, PAYLOAD + MAC,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int track_token_check(const TrackKey *k, const char *tok, size_t len, TrackKind *kind,
                      int64_t *id, int32_t *link) {
  unsigned char raw[PAYLOAD + MAC + 4], mac[32];
  size_t n = 0;
  /* A valid token is exactly 40 characters: refuse anything else early. */
  if (len != sodium_base64_ENCODED_LEN(PAYLOAD + MAC, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1)
    return -1;
  /* Only the base64url alphabet: libsodium's decoder, written for 0..127,
   * reads some bytes >= 0x80 as letters (a signed char), which gave every
   * token other spellings (found by tests/fuzz/fuzz_track.c). */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)tok[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return -1;
  }
  if (sodium_base642bin(raw, sizeof raw, tok, len, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != PAYLOAD + MAC)
    return -1;
  mac_of(k, raw, mac);
  if (crypto_verify_16(mac, raw + PAYLOAD) != 0) return -1;
  if (raw[0] != VERSION) return -1;
  if (raw[1] != TRACK_OPEN && raw[1] != TRACK_CLICK && raw[1] != TRACK_UNSUB) return -1;
  uint64_t u = 0;
  for (int i = 0; i < 8; i++) u = u << 8 | raw[2 + i];
  uint32_t l = 0;
  for (int i = 0; i < 4; i++) l = l << 8 | raw[10 + i];
  *kind = (TrackKind)raw[1];
  *id = (int64_t)u;
  *link = (int32_t)l;
  return 0;
}

int track_base_check(const char *base, char *err, size_t errlen) {
  if (!base || (strncmp(base, "http://", 7) && strncmp(base, "https://", 8))) {
    snprintf(err, errlen, "the tracking URL must start with http:// or https://");
    return -1;
  }
  const char *host = base + (base[4] == 's' ? 8 : 7);
  if (!*host || *host == '/') {
    /* "http://" + "/o/TOKEN" would make the kind letter the host */
    snprintf(err, errlen, "the tracking URL has no host (e.g. https://t.example.com)");
    return -1;
  }
  if (strlen(base) > TRACK_BASE_MAX) {
    snprintf(err, errlen, "the tracking URL is longer than %d bytes", TRACK_BASE_MAX);
    return -1;
  }
  for (const char *p = base; *p; p++) {
    if ((unsigned char)*p <= ' ' || strchr("\"'<>\\`?#", *p) || (unsigned char)*p >= 0x7f) {
      snprintf(err, errlen, "the tracking URL may not contain white space, quotes, <, >, "
                            "a query or a fragment");
      return -1;
    }
  }
  return 0;
}

void track_url(const char *base, const TrackKey *k, TrackKind kind, int64_t id, int32_t link,
               char *out, size_t outlen) {
  char tok[TRACK_TOKEN_MAX];
  track_token_make(k, kind, id, link, tok);
  size_t n = strlen(base);
  int slash = n && base[n - 1] == '/';
  snprintf(out, outlen, "%.*s/%c/%s", (int)(n - (size_t)slash), base, (char)kind, tok);
}
