/* baseline.h — inputs of the hand-written R1 kernel (bench/baseline.c). */
#ifndef CAMP_BENCH_BASELINE_H
#define CAMP_BENCH_BASELINE_H
#include <stdint.h>

typedef struct BaselineR1 {
  const int64_t *loyalty;
  const int32_t *country;       /* dictionary codes, -1 = NULL */
  const uint8_t *country_set;   /* per code: 1 = SE or NO */
  const int64_t *store;
  const uint64_t *store_nulls;
  const int32_t *email_codes;   /* NULL = plain column (code = row) */
  const uint64_t *email_nulls;
  const uint64_t *email_off;
  const char *email_bytes;
} BaselineR1;

/* out[i] = 1 when row i satisfies R1, for begin <= i < end. */
void baseline_r1(const BaselineR1 *b, int64_t begin, int64_t end, uint8_t *out);

#endif
