/* gen.c — deterministic generator of the retail example database.
 *
 *   retail-gen --out DB [--customers N] [--seed S]
 *
 * Writes stores, customers, products, purchases and consents for a Nordic
 * retail chain into a fresh SQLite file.  The same N and seed always give the
 * same rows: every value comes from our own PRNG (splitmix64), customer i
 * draws from a stream seeded by (seed, i) so it can be re-derived in O(1)
 * (that is how case-variant duplicate e-mails find their original), and all
 * dates are relative to a fixed reference day, 2026-03-01, never the clock.
 *
 * Scales to 10M customers / 50M purchases: rows are streamed through prepared
 * statements in one transaction with journaling off, indexes are built after
 * loading, and memory does not grow with N except for the per-country store
 * lists (N/2000 ints).  The file is built as OUT.tmp and renamed into place,
 * so a crash never leaves a half-built database under the final name.
 *
 * Build: cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
 *          -o bin/retail-gen examples/retail/gen.c -lsqlite3 */
#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MAX_PURCHASES 160 /* per customer: caps the tail of the skew */
#define N_PRODUCTS 240

/* ------------------------------------------------------------------ PRNG */

typedef struct {
  uint64_t s;
} Rng;

/* splitmix64: one 64-bit output per call; tiny state, good statistics. */
static uint64_t rng_next(Rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* A stream for (seed, purpose, index): independent of every other stream. */
static Rng rng_for(uint64_t seed, uint64_t purpose, uint64_t index) {
  Rng r = {seed ^ (purpose * 0xD1B54A32D192ED03ull)};
  r.s ^= rng_next(&r) + index * 0x8CB92BA72F3D8DD7ull;
  rng_next(&r);
  return r;
}

/* Uniform double in [0, 1). */
static double rng_unit(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform int in [0, n). */
static int rng_below(Rng *r, int n) { return (int)(rng_unit(r) * n); }

/* Uniform int64 in [lo, hi]. */
static int64_t rng_range(Rng *r, int64_t lo, int64_t hi) {
  return lo + (int64_t)(rng_unit(r) * (double)(hi - lo + 1));
}

/* True with probability p. */
static int rng_chance(Rng *r, double p) { return rng_unit(r) < p; }

/* Index into weights[0..n) chosen proportionally to the weights. */
static int rng_weighted(Rng *r, const int *weights, int n) {
  int total = 0;
  for (int i = 0; i < n; i++) total += weights[i];
  int x = rng_below(r, total);
  for (int i = 0; i < n; i++) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  return n - 1;
}

/* ------------------------------------------------------------ calendar */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Writes v (0 <= v < 10^width) as width zero-padded digits. */
static char *put_digits(char *p, int v, int width) {
  for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
  return p + width;
}

/* 'YYYY-MM-DD' of a day number (years 0..9999); buf holds at least 11 bytes. */
static void fmt_date(char *buf, int64_t day) {
  int y, m, d;
  civil_from_days(day, &y, &m, &d);
  char *p = put_digits(buf, y, 4);
  *p++ = '-';
  p = put_digits(p, m, 2);
  *p++ = '-';
  p = put_digits(p, d, 2);
  *p = 0;
}

/* 'YYYY-MM-DD HH:MM:SS' of non-negative seconds since the epoch; buf >= 20
 * bytes. */
static void fmt_ts(char *buf, int64_t sec) {
  int s = (int)(sec % 86400);
  fmt_date(buf, sec / 86400);
  char *p = buf + 10;
  *p++ = ' ';
  p = put_digits(p, s / 3600, 2);
  *p++ = ':';
  p = put_digits(p, s / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, s % 60, 2);
  *p = 0;
}

static int64_t ref_day(void) { return days_from_civil(2026, 3, 1); }
static int64_t ref_sec(void) { return ref_day() * 86400; }

/* A plausible time of day for a shop or web visit (07:00-22:59). */
static int64_t daytime(Rng *r) { return rng_range(r, 7 * 3600, 23 * 3600 - 1); }

/* ------------------------------------------------------------ reference data */

typedef struct {
  const char *code, *phone_prefix, *domain;
  int weight;
  const char *const *first, *const *last;
  int n_first, n_last;
} Country;

static const char *const se_first[] = {
    "Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Elin", "Ida", "Linnéa", "Åsa",
    "Ingrid", "Sofia", "Johanna", "Maja", "Astrid", "Erik", "Lars", "Karl", "Anders",
    "Johan", "Per", "Nils", "Olof", "Björn", "Mikael", "Oskar", "Gustav", "Lukas",
    "Viktor", "Hugo"};
static const char *const se_last[] = {
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindberg",
    "Lindström", "Holm", "Bergström", "Sandberg", "Ekström", "Lundqvist", "Åberg",
    "Söderberg", "Nyström", "Håkansson", "Forsberg"};
static const char *const dk_first[] = {
    "Mette", "Sofie", "Ida", "Freja", "Camilla", "Louise", "Signe", "Karen", "Lærke",
    "Mads", "Søren", "Jens", "Niels", "Rasmus", "Frederik", "Mikkel", "Anders",
    "Christian", "Emil", "Magnus"};
static const char *const dk_last[] = {
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen",
    "Olsen", "Thomsen", "Møller"};
static const char *const no_first[] = {
    "Ingrid", "Kari", "Nora", "Emma", "Sigrid", "Ingeborg", "Marit", "Solveig", "Ola",
    "Knut", "Håkon", "Sindre", "Magnus", "Jakob", "Øyvind", "Eirik", "Kristian",
    "Henrik"};
static const char *const no_last[] = {
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
    "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Dahl",
    "Solberg", "Strand", "Lie"};
static const char *const fi_first[] = {
    "Aino", "Eveliina", "Helmi", "Liisa", "Sanna", "Johanna", "Elina", "Minna",
    "Anneli", "Juha", "Mikko", "Timo", "Matti", "Jari", "Antti", "Ville", "Eero",
    "Väinö", "Onni"};
static const char *const fi_last[] = {
    "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen",
    "Salminen"};
static const char *const de_first[] = {
    "Anna", "Lena", "Leonie", "Hannah", "Sophie", "Julia", "Katrin", "Lukas", "Jonas",
    "Felix", "Maximilian", "Paul", "Jürgen", "Stefan", "Thomas", "Tobias"};
static const char *const de_last[] = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann"};

#define NAMES(f, l) f, l, N_ELEMS(f), N_ELEMS(l)
/* Mail domains are under the reserved example.* names: the data is fake and
 * must never address a real mailbox, even by accident. */
static const Country countries[] = {
    {"SE", "+467", "example.se", 45, NAMES(se_first, se_last)},
    {"DK", "+45", "example.dk", 18, NAMES(dk_first, dk_last)},
    {"NO", "+474", "example.no", 17, NAMES(no_first, no_last)},
    {"FI", "+3584", "example.fi", 12, NAMES(fi_first, fi_last)},
    {"DE", "+4915", "example.de", 8, NAMES(de_first, de_last)},
};
enum { N_COUNTRIES = N_ELEMS(countries) };

static const char *const common_domains[] = {"example.com", "example.net",
                                             "example.org", "mail.example.com"};

typedef struct {
  const char *city, *region;
  int country; /* index into countries[] */
  int weight;
} City;

/* The first store of each country is in its first city (fixed ids 1..5). */
static const City cities[] = {
    {"Stockholm", "Stockholms län", 0, 30},
    {"Göteborg", "Västra Götalands län", 0, 18},
    {"Malmö", "Skåne län", 0, 14},
    {"Uppsala", "Uppsala län", 0, 8},
    {"Linköping", "Östergötlands län", 0, 6},
    {"Örebro", "Örebro län", 0, 5},
    {"Västerås", "Västmanlands län", 0, 5},
    {"Helsingborg", "Skåne län", 0, 5},
    {"Umeå", "Västerbottens län", 0, 4},
    {"Luleå", "Norrbottens län", 0, 3},
    {"København", "Region Hovedstaden", 1, 40},
    {"Aarhus", "Region Midtjylland", 1, 25},
    {"Odense", "Region Syddanmark", 1, 15},
    {"Aalborg", "Region Nordjylland", 1, 12},
    {"Esbjerg", "Region Syddanmark", 1, 8},
    {"Oslo", "Oslo", 2, 40},
    {"Bergen", "Vestland", 2, 22},
    {"Trondheim", "Trøndelag", 2, 18},
    {"Stavanger", "Rogaland", 2, 15},
    {"Tromsø", "Troms", 2, 5},
    {"Helsinki", "Uusimaa", 3, 40},
    {"Espoo", "Uusimaa", 3, 15},
    {"Tampere", "Pirkanmaa", 3, 18},
    {"Turku", "Varsinais-Suomi", 3, 15},
    {"Oulu", "Pohjois-Pohjanmaa", 3, 12},
    {"Berlin", "Berlin", 4, 40},
    {"Hamburg", "Hamburg", 4, 35},
    {"Lübeck", "Schleswig-Holstein", 4, 15},
    {"Kiel", "Schleswig-Holstein", 4, 10},
};
enum { N_CITIES = N_ELEMS(cities) };

typedef struct {
  const char *name;
  const char *const *adjectives, *const *nouns;
  int n_adj, n_noun;
  int min_price, max_price; /* whole euros */
} Category;

static const char *const apparel_a[] = {"Merino", "Linen", "Organic Cotton", "Recycled",
                                        "Classic", "Relaxed"};
static const char *const apparel_n[] = {"Sweater", "T-Shirt", "Shirt", "Chinos",
                                        "Hoodie", "Dress", "Jacket", "Scarf"};
static const char *const shoes_a[] = {"Trail", "Leather", "Canvas", "Winter", "Running"};
static const char *const shoes_n[] = {"Sneakers", "Boots", "Sandals", "Loafers"};
static const char *const outdoor_a[] = {"Alpine", "Lightweight", "Waterproof", "Fjäll"};
static const char *const outdoor_n[] = {"Tent", "Backpack", "Sleeping Bag", "Rain Jacket",
                                        "Headlamp"};
static const char *const home_a[] = {"Nordic", "Oak", "Ceramic", "Wool", "Linen"};
static const char *const home_n[] = {"Blanket", "Candle Holder", "Vase", "Cushion",
                                     "Lamp", "Mug Set"};
static const char *const beauty_a[] = {"Hydrating", "Gentle", "Birch", "Sea Buckthorn"};
static const char *const beauty_n[] = {"Face Cream", "Shampoo", "Lip Balm",
                                       "Body Lotion", "Serum"};
static const char *const kids_a[] = {"Playful", "Cozy", "Rainproof"};
static const char *const kids_n[] = {"Overall", "Beanie", "Puzzle", "Wooden Toy",
                                     "Mittens"};
static const char *const elec_a[] = {"Wireless", "Portable", "Smart"};
static const char *const elec_n[] = {"Headphones", "Speaker", "Charger", "Watch"};
static const char *const sports_a[] = {"Pro", "Training", "Yoga", "Cross-Country"};
static const char *const sports_n[] = {"Mat", "Skis", "Poles", "Bottle", "Tights"};

#define WORDS(a, n) a, n, N_ELEMS(a), N_ELEMS(n)
static const Category categories[] = {
    {"apparel", WORDS(apparel_a, apparel_n), 19, 129},
    {"shoes", WORDS(shoes_a, shoes_n), 49, 189},
    {"outdoor", WORDS(outdoor_a, outdoor_n), 25, 399},
    {"home", WORDS(home_a, home_n), 9, 149},
    {"beauty", WORDS(beauty_a, beauty_n), 5, 59},
    {"kids", WORDS(kids_a, kids_n), 9, 79},
    {"electronics", WORDS(elec_a, elec_n), 29, 299},
    {"sports", WORDS(sports_a, sports_n), 12, 349},
};
enum { N_CATEGORIES = N_ELEMS(categories) };

static const char *const colours[] = {"black", "navy", "grey", "white", "forest green",
                                      "sand", "rust", "sky blue", "burgundy", "natural"};

/* ------------------------------------------------------------- database */

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *store, *customer, *product, *purchase, *consent;
  int64_t n_stores, n_customers, n_purchases, n_consents;
} Out;

static const char *const ddl =
    "CREATE TABLE stores(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  city TEXT NOT NULL,\n"
    "  region TEXT NOT NULL,\n"
    "  country TEXT NOT NULL,\n"
    "  opened DATE NOT NULL);\n"
    "CREATE TABLE customers(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  email TEXT UNIQUE,\n"
    "  phone TEXT,\n"
    "  push_token TEXT,\n"
    "  first_name TEXT NOT NULL,\n"
    "  last_name TEXT NOT NULL,\n"
    "  country TEXT NOT NULL,\n"
    "  birthdate DATE,\n"
    "  loyalty INTEGER NOT NULL DEFAULT 0,\n"
    "  tier TEXT NOT NULL DEFAULT 'bronze' CHECK (tier IN ('bronze', 'silver', 'gold')),\n"
    "  store_id INTEGER REFERENCES stores(id),\n"
    "  created_at TIMESTAMP NOT NULL,\n"
    "  updated_at TIMESTAMP NOT NULL);\n"
    "CREATE TABLE products(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  category TEXT NOT NULL,\n"
    "  price REAL NOT NULL);\n"
    "CREATE TABLE purchases(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customers(id),\n"
    "  product_id INTEGER NOT NULL REFERENCES products(id),\n"
    "  amount REAL NOT NULL,\n"
    "  at TIMESTAMP NOT NULL);\n"
    "CREATE TABLE consents(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customers(id),\n"
    "  channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),\n"
    "  granted BOOLEAN NOT NULL,\n"
    "  at TIMESTAMP NOT NULL);\n";

static const char *const indexes =
    "CREATE INDEX purchases_customer_id ON purchases(customer_id);\n"
    "CREATE INDEX purchases_at ON purchases(at);\n"
    "CREATE INDEX customers_store_id ON customers(store_id);\n"
    "CREATE INDEX consents_customer_id ON consents(customer_id);\n"
    "PRAGMA analysis_limit = 1000;\n"
    "ANALYZE;\n";

static void die_db(Out *o, const char *what) {
  fprintf(stderr, "retail-gen: %s: %s\n", what, sqlite3_errmsg(o->db));
  exit(1);
}

static void exec_sql(Out *o, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(o->db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "retail-gen: %s\n", err ? err : "sqlite error");
    exit(1);
  }
}

static sqlite3_stmt *prepare(Out *o, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(o->db, sql, -1, &st, NULL) != SQLITE_OK) die_db(o, "prepare");
  return st;
}

/* Runs a bound insert and resets it for the next row. */
static void step_insert(Out *o, sqlite3_stmt *st) {
  if (sqlite3_step(st) != SQLITE_DONE) die_db(o, "insert");
  sqlite3_reset(st);
}

/* Binds a text, or NULL when s is NULL or empty.  The buffers outlive the
 * step, so SQLite need not copy them. */
static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s && *s)
    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

static void open_out(Out *o, const char *path) {
  memset(o, 0, sizeof *o);
  if (sqlite3_open(path, &o->db) != SQLITE_OK) die_db(o, "open");
  /* Bulk load: no rollback journal, no fsync, a generous fixed page cache
   * (constant, not proportional to N) for the UNIQUE(email) index. */
  exec_sql(o, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
              "PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -131072;");
  exec_sql(o, ddl);
  exec_sql(o, "BEGIN");
  o->store = prepare(o, "INSERT INTO stores VALUES (?1, ?2, ?3, ?4, ?5)");
  o->customer = prepare(o, "INSERT INTO customers VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  o->product = prepare(o, "INSERT INTO products VALUES (?1, ?2, ?3, ?4)");
  o->purchase = prepare(o, "INSERT INTO purchases VALUES (?1, ?2, ?3, ?4, ?5)");
  o->consent = prepare(o, "INSERT INTO consents VALUES (?1, ?2, ?3, ?4, ?5)");
}

static void close_out(Out *o) {
  sqlite3_finalize(o->store);
  sqlite3_finalize(o->customer);
  sqlite3_finalize(o->product);
  sqlite3_finalize(o->purchase);
  sqlite3_finalize(o->consent);
  exec_sql(o, "COMMIT");
  exec_sql(o, indexes);
  if (sqlite3_close(o->db) != SQLITE_OK) die_db(o, "close");
}

/* ---------------------------------------------------------------- stores */

/* Store ids per country, so customers shop mostly in their own country. */
typedef struct {
  int *ids;
  int n;
} StoreList;

typedef struct {
  int64_t regular;  /* stores 1..regular are open on the reference day */
  int64_t total;    /* regular+1..total open soon after it */
  StoreList by_country[N_COUNTRIES];
} Stores;

static int first_city_of(int country) {
  for (int i = 0; i < N_CITIES; i++)
    if (cities[i].country == country) return i;
  return 0;
}

static int random_city(Rng *r) {
  int w[N_CITIES];
  for (int i = 0; i < N_CITIES; i++) w[i] = cities[i].weight;
  return rng_weighted(r, w, N_CITIES);
}

static void insert_store(Out *o, int64_t id, int city, int64_t opened_day) {
  char opened[11];
  fmt_date(opened, opened_day);
  sqlite3_bind_int64(o->store, 1, id);
  bind_text(o->store, 2, cities[city].city);
  bind_text(o->store, 3, cities[city].region);
  bind_text(o->store, 4, countries[cities[city].country].code);
  bind_text(o->store, 5, opened);
  step_insert(o, o->store);
  o->n_stores++;
}

/* ~N/2000 open stores (at least one per country) plus ~2% opening in spring
 * 2026; the first of those is always Uppsala on 2026-03-21, the occasion of
 * the store-opening campaign. */
static void gen_stores(Out *o, Stores *s, uint64_t seed, int64_t n_customers) {
  Rng r = rng_for(seed, 1, 0);
  s->regular = n_customers / 2000 < N_COUNTRIES ? N_COUNTRIES : n_customers / 2000;
  int64_t soon = s->regular / 50 < 1 ? 1 : s->regular / 50;
  s->total = s->regular + soon;
  for (int c = 0; c < N_COUNTRIES; c++) {
    s->by_country[c].ids = calloc((size_t)s->regular, sizeof(int));
    if (!s->by_country[c].ids) abort();
  }
  for (int64_t id = 1; id <= s->regular; id++) {
    int city = id <= N_COUNTRIES ? first_city_of((int)id - 1) : random_city(&r);
    int64_t opened = rng_range(&r, days_from_civil(1998, 1, 1), days_from_civil(2025, 12, 31));
    insert_store(o, id, city, opened);
    StoreList *l = &s->by_country[cities[city].country];
    l->ids[l->n++] = (int)id;
  }
  for (int64_t id = s->regular + 1; id <= s->total; id++) {
    int first = id == s->regular + 1;
    int city = first ? 3 /* Uppsala */ : random_city(&r);
    int64_t opened = first ? days_from_civil(2026, 3, 21)
                           : rng_range(&r, days_from_civil(2026, 3, 15),
                                       days_from_civil(2026, 6, 30));
    insert_store(o, id, city, opened);
  }
}

/* -------------------------------------------------------------- products */

typedef struct {
  double price;
} Product;

static void gen_products(Out *o, uint64_t seed, Product *products) {
  Rng r = rng_for(seed, 2, 0);
  for (int i = 0; i < N_PRODUCTS; i++) {
    const Category *c = &categories[i % N_CATEGORIES];
    char name[128];
    snprintf(name, sizeof name, "%s %s, %s", c->adjectives[rng_below(&r, c->n_adj)],
             c->nouns[rng_below(&r, c->n_noun)], colours[rng_below(&r, N_ELEMS(colours))]);
    /* Shelf prices end in .00, .50 or .90. */
    static const int cents[] = {0, 50, 90};
    int euros = (int)rng_range(&r, c->min_price, c->max_price);
    products[i].price = euros + cents[rng_below(&r, 3)] / 100.0;
    sqlite3_bind_int64(o->product, 1, i + 1);
    bind_text(o->product, 2, name);
    bind_text(o->product, 3, c->name);
    sqlite3_bind_double(o->product, 4, products[i].price);
    step_insert(o, o->product);
  }
}

/* ------------------------------------------------------------- customers */

/* What identifies a person: derived from the customer's own stream first,
 * so a later duplicate account can re-derive it from the id alone. */
typedef struct {
  int country;
  const char *first, *last;
  char email[128]; /* "" = no e-mail on file */
} Person;

/* Lower-case ASCII of a name for an e-mail local part (å->a, ø->o, æ->ae). */
static void ascii_lower(char *dst, size_t cap, const char *src) {
  static const struct {
    const char *utf8, *ascii;
  } map[] = {{"å", "a"}, {"ä", "a"}, {"ö", "o"}, {"ø", "o"}, {"æ", "ae"}, {"é", "e"},
             {"ü", "u"}, {"ß", "ss"}, {"Å", "a"}, {"Ä", "a"}, {"Ö", "o"}, {"Ø", "o"},
             {"Æ", "ae"}, {"Ü", "u"}};
  size_t n = 0;
  while (*src && n + 3 < cap) {
    int done = 0;
    for (int i = 0; (unsigned char)*src >= 0x80 && i < N_ELEMS(map) && !done; i++) {
      size_t len = strlen(map[i].utf8);
      if (strncmp(src, map[i].utf8, len) == 0) {
        for (const char *a = map[i].ascii; *a; a++) dst[n++] = *a;
        src += len;
        done = 1;
      }
    }
    if (done) continue;
    char ch = *src++;
    dst[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  }
  dst[n] = 0;
}

/* The local part is letters, dots and dashes followed by the customer id, so
 * two customers can never produce the same address. */
static void make_email(Rng *r, Person *p, int64_t id) {
  char f[48], l[48];
  ascii_lower(f, sizeof f, p->first);
  ascii_lower(l, sizeof l, p->last);
  const char *domain = rng_chance(r, 0.5)
                           ? countries[p->country].domain
                           : common_domains[rng_below(r, N_ELEMS(common_domains))];
  switch (rng_below(r, 4)) {
  case 0: snprintf(p->email, sizeof p->email, "%s.%s%" PRId64 "@%s", f, l, id, domain); break;
  case 1: snprintf(p->email, sizeof p->email, "%s%s%" PRId64 "@%s", f, l, id, domain); break;
  case 2: snprintf(p->email, sizeof p->email, "%c.%s%" PRId64 "@%s", f[0], l, id, domain); break;
  default: snprintf(p->email, sizeof p->email, "%s%" PRId64 "@%s", f, id, domain); break;
  }
}

static void derive_person(Rng *r, Person *p, int64_t id) {
  int w[N_COUNTRIES];
  for (int i = 0; i < N_COUNTRIES; i++) w[i] = countries[i].weight;
  p->country = rng_weighted(r, w, N_COUNTRIES);
  const Country *c = &countries[p->country];
  p->first = c->first[rng_below(r, c->n_first)];
  p->last = c->last[rng_below(r, c->n_last)];
  make_email(r, p, id);
  if (rng_chance(r, 0.02)) p->email[0] = 0;
}

/* ~3% of accounts are a second sign-up of the previous customer: same name,
 * same address in different letter case (UNIQUE allows it; lower() finds it). */
static int is_duplicate(uint64_t seed, int64_t id) {
  Rng d = rng_for(seed, 3, (uint64_t)id);
  return id > 1 && rng_chance(&d, 0.031);
}

/* Upper-cases the first letter of each word ("Anna.Berg12@Example.se") or,
 * one time in three, the whole address. */
static void recase(Rng *r, char *email) {
  int all = rng_below(r, 3) == 0, start = 1;
  for (char *p = email; *p; p++) {
    int lower = *p >= 'a' && *p <= 'z';
    if (lower && (all || start)) *p = (char)(*p - 32);
    start = *p == '.' || *p == '@' || *p == '-';
  }
}

/* The person behind customer id: a fresh one, or a duplicate of id-1. */
static void person_for(uint64_t seed, int64_t id, Rng *r, Person *p) {
  derive_person(r, p, id);
  if (!is_duplicate(seed, id) || is_duplicate(seed, id - 1)) return;
  Rng prev_r = rng_for(seed, 4, (uint64_t)(id - 1));
  Person prev;
  derive_person(&prev_r, &prev, id - 1);
  if (!prev.email[0]) return;
  *p = prev;
  recase(r, p->email);
}

static void make_phone(Rng *r, const Person *p, char *buf, size_t cap) {
  if (rng_chance(r, 0.30)) {
    buf[0] = 0;
    return;
  }
  const char *prefix = countries[p->country].phone_prefix;
  int digits = p->country == 2 ? 7 : 8; /* national digits after the prefix */
  size_t n = (size_t)snprintf(buf, cap, "%s", prefix);
  if (p->country == 1) buf[n++] = (char)('2' + rng_below(r, 8)); /* DK: 2..9 */
  for (int i = p->country == 1; i < digits && n + 1 < cap; i++)
    buf[n++] = (char)('0' + rng_below(r, 10));
  buf[n] = 0;
}

static void make_push_token(Rng *r, char *buf) {
  buf[0] = 0;
  if (!rng_chance(r, 0.40)) return;
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) buf[i] = hex[rng_below(r, 16)];
  buf[32] = 0;
}

/* 8% unknown; otherwise an adult aged 18..85 on the reference day, most
 * between 25 and 60. */
static void make_birthdate(Rng *r, char *buf) {
  buf[0] = 0;
  if (rng_chance(r, 0.08)) return;
  int age = 18 + (int)((rng_unit(r) + rng_unit(r) + rng_unit(r)) / 3.0 * 68);
  int64_t day = ref_day() - (int64_t)age * 365 - rng_range(r, 0, 364);
  fmt_date(buf, day);
}

/* Store in the customer's country (85%), anywhere (8%), or none (7%: online
 * only). */
static int64_t pick_store(Rng *r, const Stores *s, int country) {
  double u = rng_unit(r);
  const StoreList *l = &s->by_country[country];
  if (u < 0.85 && l->n > 0) return l->ids[rng_below(r, l->n)];
  if (u < 0.93) return rng_range(r, 1, s->regular);
  return 0;
}

/* ------------------------------------------------------------- purchases */

typedef struct {
  int64_t at;
  int product;
  double amount;
} Purchase;

static int cmp_purchase(const void *a, const void *b) {
  const Purchase *x = a, *y = b;
  return (x->at > y->at) - (x->at < y->at);
}

/* Geometric count >= 1 with mean 1/(1-p). */
static int geometric(Rng *r, double p) {
  int k = 1;
  while (k < MAX_PURCHASES && rng_chance(r, p)) k++;
  return k;
}

/* Fills buf with the customer's purchases (sorted by time) and returns how
 * many: 20% none; otherwise mostly a handful, a few heavy buyers.  Lapsed
 * customers bought only more than a year before the reference day. */
static int gen_purchases(Rng *r, int64_t created, const Product *products, Purchase *buf) {
  if (rng_chance(r, 0.20)) return 0;
  int n = rng_chance(r, 0.85) ? geometric(r, 0.80) : geometric(r, 0.925);
  int64_t start = ref_sec() - 730 * 86400LL;
  if (created > start) start = created;
  int64_t end = ref_sec() - 1;
  if (start < ref_sec() - 400 * 86400LL && rng_chance(r, 0.25)) end = ref_sec() - 366 * 86400LL;
  for (int i = 0; i < n; i++) {
    double u = rng_unit(r);
    u = 1.0 - u * u; /* recent days are busier */
    int64_t t = start + (int64_t)(u * (double)(end - start));
    buf[i].at = t / 86400 * 86400 + daytime(r);
    if (buf[i].at > end) buf[i].at = end;
    double v = rng_unit(r);
    buf[i].product = (int)(v * v * N_PRODUCTS); /* a few best sellers */
    int qty = rng_chance(r, 0.8) ? 1 : rng_chance(r, 0.75) ? 2 : 3;
    double amount = products[buf[i].product].price * qty;
    if (rng_chance(r, 0.2)) amount *= 0.8; /* bought on sale */
    buf[i].amount = (double)(int64_t)(amount * 100 + 0.5) / 100.0;
  }
  qsort(buf, (size_t)n, sizeof *buf, cmp_purchase);
  return n;
}

static void insert_purchases(Out *o, int64_t customer, const Purchase *p, int n) {
  char at[20];
  for (int i = 0; i < n; i++) {
    fmt_ts(at, p[i].at);
    sqlite3_bind_int64(o->purchase, 1, ++o->n_purchases);
    sqlite3_bind_int64(o->purchase, 2, customer);
    sqlite3_bind_int64(o->purchase, 3, p[i].product + 1);
    sqlite3_bind_double(o->purchase, 4, p[i].amount);
    bind_text(o->purchase, 5, at);
    step_insert(o, o->purchase);
  }
}

/* ------------------------------------------------------------- consents */

static void insert_consent(Out *o, int64_t customer, const char *channel, int granted,
                           int64_t at) {
  char ts[20];
  fmt_ts(ts, at);
  sqlite3_bind_int64(o->consent, 1, ++o->n_consents);
  sqlite3_bind_int64(o->consent, 2, customer);
  bind_text(o->consent, 3, channel);
  sqlite3_bind_int(o->consent, 4, granted);
  bind_text(o->consent, 5, ts);
  step_insert(o, o->consent);
}

/* At most one row per (customer, channel): the current state and when it was
 * last changed.  Only channels the customer has an address for. */
static void gen_consents(Out *o, Rng *r, int64_t customer, int64_t created,
                         const char *email, const char *phone, const char *push) {
  static const struct {
    const char *channel;
    double present, granted;
  } ch[] = {{"email", 0.85, 0.90}, {"sms", 0.70, 0.60}, {"push", 0.90, 0.80}};
  const char *addr[] = {email, phone, push};
  for (int i = 0; i < 3; i++) {
    if (!addr[i][0] || !rng_chance(r, ch[i].present)) continue;
    int granted = rng_chance(r, ch[i].granted);
    int64_t at = rng_range(r, created, ref_sec() - 1);
    insert_consent(o, customer, ch[i].channel, granted, at);
  }
}

/* ------------------------------------------------------------ customers */

/* Loyalty points: 0.8 per euro spent, capped at 5000; tier follows points
 * except for a few manual upgrades. */
static int64_t loyalty_points(const Purchase *p, int n) {
  double spent = 0;
  for (int i = 0; i < n; i++) spent += p[i].amount;
  int64_t pts = (int64_t)(spent * 0.8);
  return pts > 5000 ? 5000 : pts;
}

static const char *tier_for(Rng *r, int64_t loyalty) {
  if (rng_chance(r, 0.03)) return rng_chance(r, 0.7) ? "silver" : "gold";
  return loyalty >= 1500 ? "gold" : loyalty >= 500 ? "silver" : "bronze";
}

typedef struct {
  uint64_t seed;
  const Stores *stores;
  const Product *products;
  Purchase *buf; /* MAX_PURCHASES */
} Ctx;

static void gen_customer(Out *o, const Ctx *cx, int64_t id) {
  Rng r = rng_for(cx->seed, 4, (uint64_t)id);
  Person p;
  person_for(cx->seed, id, &r, &p);
  char phone[24], push[33], birth[11], created_s[20], updated_s[20];
  make_phone(&r, &p, phone, sizeof phone);
  make_push_token(&r, push);
  make_birthdate(&r, birth);
  int64_t store = pick_store(&r, cx->stores, p.country);
  /* Sign-ups since 2015, more of them recently. */
  double u = rng_unit(&r);
  int64_t created = ref_sec() - 86400 - (int64_t)(u * u * 4000.0 * 86400.0);
  created = created / 86400 * 86400 + daytime(&r);
  int n = gen_purchases(&r, created, cx->products, cx->buf);
  int64_t loyalty = loyalty_points(cx->buf, n);
  const char *tier = tier_for(&r, loyalty);
  int64_t updated = rng_range(&r, created, ref_sec() - 1);
  if (n > 0 && updated < cx->buf[n - 1].at) updated = cx->buf[n - 1].at;
  fmt_ts(created_s, created);
  fmt_ts(updated_s, updated);

  sqlite3_stmt *st = o->customer;
  sqlite3_bind_int64(st, 1, id);
  bind_text(st, 2, p.email);
  bind_text(st, 3, phone);
  bind_text(st, 4, push);
  bind_text(st, 5, p.first);
  bind_text(st, 6, p.last);
  bind_text(st, 7, countries[p.country].code);
  bind_text(st, 8, birth);
  sqlite3_bind_int64(st, 9, loyalty);
  bind_text(st, 10, tier);
  if (store) sqlite3_bind_int64(st, 11, store); else sqlite3_bind_null(st, 11);
  bind_text(st, 12, created_s);
  bind_text(st, 13, updated_s);
  step_insert(o, st);
  o->n_customers++;
  insert_purchases(o, id, cx->buf, n);
  gen_consents(o, &r, id, created, p.email, phone, push);
}

/* ------------------------------------------------------------------ main */

static void usage(void) {
  fprintf(stderr, "usage: retail-gen --out DB [--customers N] [--seed S]\n"
                  "  N: 1..100000000 customers (default 10000); S: seed (default 1)\n");
  exit(2);
}

static uint64_t parse_u64(const char *s, const char *what) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || *s == '-') {
    fprintf(stderr, "retail-gen: %s must be a non-negative integer, not `%s`\n", what, s);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  const char *out = NULL;
  uint64_t n = 10000, seed = 1;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--out") == 0) out = argv[++i];
    else if (strcmp(argv[i], "--customers") == 0) n = parse_u64(argv[++i], "--customers");
    else if (strcmp(argv[i], "--seed") == 0) seed = parse_u64(argv[++i], "--seed");
    else usage();
  }
  if (!out || n < 1 || n > 100000000) usage();

  size_t len = strlen(out);
  char *tmp = malloc(len + 5);
  if (!tmp) abort();
  snprintf(tmp, len + 5, "%s.tmp", out);
  if (unlink(tmp) != 0 && errno != ENOENT) {
    fprintf(stderr, "retail-gen: cannot remove stale %s: %s\n", tmp, strerror(errno));
    return 1;
  }

  Out o;
  Stores stores = {0};
  Product products[N_PRODUCTS];
  Purchase buf[MAX_PURCHASES];
  open_out(&o, tmp);
  gen_stores(&o, &stores, seed, (int64_t)n);
  gen_products(&o, seed, products);
  Ctx cx = {seed, &stores, products, buf};
  for (int64_t id = 1; id <= (int64_t)n; id++) gen_customer(&o, &cx, id);
  close_out(&o);
  for (int c = 0; c < N_COUNTRIES; c++) free(stores.by_country[c].ids);

  if (rename(tmp, out) != 0) {
    fprintf(stderr, "retail-gen: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
    return 1;
  }
  printf("retail-gen: %s: %" PRId64 " stores, %" PRId64 " customers, %d products, %" PRId64
         " purchases, %" PRId64 " consents (seed %" PRIu64 ")\n",
         out, o.n_stores, o.n_customers, N_PRODUCTS, o.n_purchases, o.n_consents, seed);
  free(tmp);
  return 0;
}
