/* baseline.c — the hand-written C baseline of rule R1 (bench/README.md),
 * over the same snapshot columns the engines read, in the same two-phase
 * shape as the JIT's code: branch-free flags of the cheap conditions over a
 * block, a selection vector, then the e-mail suffix test on survivors.
 *
 *   loyalty >= 500 and country in ["SE", "NO"] and store_id > 3
 *   and email like "%@example.se"
 *
 * Compiled with -O2 (mk/engines.mk). */
#include <string.h>

#include "baseline.h"

static int ci_suffix(const char *s, uint32_t n, const char *lit, uint32_t ln) {
  if (n < ln) return 0;
  s += n - ln;
  for (uint32_t k = 0; k < ln; k++) {
    unsigned char c = (unsigned char)s[k];
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
    if (c != (unsigned char)lit[k]) return 0;
  }
  return 1;
}

void baseline_r1(const BaselineR1 *b, int64_t begin, int64_t end, uint8_t *out) {
  int32_t sel[1024];
  for (int64_t base = begin; base < end; base += 1024) {
    int64_t lim = base + 1024 < end ? base + 1024 : end;
    int cnt = 0;
    for (int64_t i = base; i < lim; i++) {
      int32_t code = b->country[i];
      uint64_t snull = b->store_nulls ? (b->store_nulls[i >> 6] >> (i & 63)) & 1 : 0;
      uint64_t enull = b->email_nulls ? (b->email_nulls[i >> 6] >> (i & 63)) & 1 : 0;
      int flag = (b->loyalty[i] >= 500) & (code >= 0) & b->country_set[code & ~(code >> 31)] &
                 (b->store[i] > 3) & !snull & !enull;
      out[i] = 0;
      sel[cnt] = (int32_t)(i - base);
      cnt += flag;
    }
    for (int j = 0; j < cnt; j++) {
      int64_t i = base + sel[j];
      uint32_t code = b->email_codes ? (uint32_t)b->email_codes[i] : (uint32_t)i;
      uint64_t a = b->email_off[code], z = b->email_off[code + 1];
      out[i] = (uint8_t)ci_suffix(b->email_bytes + a, (uint32_t)(z - a - 1), "@example.se", 11);
    }
  }
}
