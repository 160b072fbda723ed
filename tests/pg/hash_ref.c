/* hash_ref.c — prints camp_hash reference values from camp's C
 * implementation (db_hash_values in runtime/db/db_sqlite.c), one case a
 * line: seed|salt|kind|value|hash.  tests/pg/section_3_semantics.sh feeds
 * the same arguments to PostgreSQL's camp_hash and compares bit for bit. */
#include <stdint.h>
#include <stdio.h>

#include "runtime/db/db.h"

static void one(int64_t seed, const char *salt, DbValue v, const char *kind, const char *shown) {
  DbValue a[3] = {{DBV_INT, seed, 0, NULL}, {DBV_TEXT, 0, 0, salt}, v};
  printf("%lld|%s|%s|%s|%llu\n", (long long)seed, salt, kind, shown,
         (unsigned long long)db_hash_values(a, 3));
}

int main(void) {
  static const int64_t ints[] = {0, 1, -1, 2, 42, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL,
                                 -4294967296LL, 123456789012345LL, INT64_MAX, INT64_MIN, -42};
  static const char *texts[] = {"", "a", "abc", "Ärger", "x'y", "e\xcc\x81", "日本語", "0123456789abcdef0123"};
  static const double reals[] = {0.0, -0.0, 1.5, -2.25, 0.1, 1e300, -1e-300};
  static const int64_t seeds[] = {0, 42, -7, 9007199254740993LL};
  static const char *salts[] = {"", "dedup", "split:vip"};
  char buf[64];
  for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++)
    for (size_t t = 0; t < sizeof salts / sizeof *salts; t++) {
      for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        snprintf(buf, sizeof buf, "%lld", (long long)ints[i]);
        one(seeds[s], salts[t], (DbValue){DBV_INT, ints[i], 0, NULL}, "int", buf);
      }
      for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        one(seeds[s], salts[t], (DbValue){DBV_TEXT, 0, 0, texts[i]}, "text", texts[i]);
      for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
        snprintf(buf, sizeof buf, "%.17g", reals[i]);
        one(seeds[s], salts[t], (DbValue){DBV_REAL, 0, reals[i], NULL}, "real", buf);
      }
      one(seeds[s], salts[t], (DbValue){DBV_NULL, 0, 0, NULL}, "null", "");
    }
  return 0;
}
