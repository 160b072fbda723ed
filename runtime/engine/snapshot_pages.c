/* snapshot_pages.c — a content hash of one table, taken from the pages of
 * its b-tree in the database file, so that a refresh can tell a table that
 * did not change from one that did without reading its rows.
 *
 * The table's b-tree is walked from its root page (interior pages, leaf
 * pages and the overflow pages of large rows), following the SQLite file
 * format (https://www.sqlite.org/fileformat2.html), and every page visited
 * is hashed with its number.  Equal hashes mean equal bytes in every page
 * of the tree (up to a 64-bit hash collision), hence equal rows; any change
 * to a row rewrites at least one of these pages.  The hash also covers the
 * table's CREATE statement (column defaults and affinities decide what a
 * row reads as), the root page, the page size and the text encoding.
 *
 * Soundness needs the file to hold the current content of every visited
 * page:
 *   - the caller holds a read transaction on the database, so in rollback
 *     journal mode no writer can change the file meanwhile;
 *   - in WAL mode, a page that has any frame in the WAL (current salts) is
 *     not hashed: the table's hash is then unknown.  Frames appended after
 *     the caller's transaction began are also counted, which only makes the
 *     answer "unknown" more often.
 * Anything unexpected (a page number out of range, a page of another type,
 * a cell outside its page, a WITHOUT ROWID table, a view) gives "unknown",
 * never a hash: the caller then reads the table. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/snapshot_impl.h"

struct SnapPages {
  int fd;
  uint32_t page_size, usable, encoding;
  uint64_t npages;       /* pages in the file */
  uint32_t *wal;         /* sorted page numbers with a frame in the WAL */
  size_t nwal;
  unsigned char *win;    /* read-ahead window: pages [wfirst, wfirst + wn) */
  uint64_t wfirst, wn, wcap;
  unsigned char *ovfl;   /* one overflow page (read outside the window) */
};

/* Pages are read 256 KiB at a time: a table's pages mostly follow each
 * other in the file, and one read per page costs more than the copy. */
#define WINDOW_BYTES (256 * 1024)

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Page numbers of the WAL's frames that carry its header's salts. */
static int read_wal(SnapPages *p, const char *db_path) {
  size_t n = strlen(db_path);
  char *wal = malloc(n + 5);
  if (!wal) abort();
  memcpy(wal, db_path, n);
  memcpy(wal + n, "-wal", 5);
  int fd = open(wal, O_RDONLY);
  free(wal);
  if (fd < 0) return 0; /* no WAL: the file is the database */
  struct stat st;
  unsigned char h[32];
  int rc = 0;
  if (fstat(fd, &st) != 0) rc = -1;
  else if (st.st_size < 32) rc = 0; /* empty WAL: no frames */
  else if (pread(fd, h, 32, 0) != 32) rc = -1;
  else {
    uint32_t magic = be32(h);
    if ((magic != 0x377f0682 && magic != 0x377f0683) || be32(h + 8) != p->page_size) {
      rc = -1;
    } else {
      uint64_t frame = 24 + (uint64_t)p->page_size, cap = 0;
      for (uint64_t off = 32; off + frame <= (uint64_t)st.st_size; off += frame) {
        unsigned char f[24];
        if (pread(fd, f, 24, (off_t)off) != 24) { rc = -1; break; }
        if (memcmp(f + 8, h + 16, 8) != 0) continue; /* an older generation */
        if (p->nwal == cap) {
          cap = cap ? cap * 2 : 256;
          p->wal = realloc(p->wal, sizeof *p->wal * cap);
          if (!p->wal) abort();
        }
        p->wal[p->nwal++] = be32(f);
      }
      if (p->nwal) qsort(p->wal, p->nwal, sizeof *p->wal, cmp_u32);
    }
  }
  close(fd);
  return rc;
}

SnapPages *snap_pages_open(const char *db_path) {
  if (!db_path || !strcmp(db_path, ":memory:") || !*db_path) return NULL;
  if (!strncmp(db_path, "sqlite:", 7)) db_path += 7;
  int fd = snap_db_fd(db_path); /* never closed: see snapshot_fd.c */
  if (fd < 0) return NULL;
  unsigned char h[100];
  struct stat st;
  if (fstat(fd, &st) != 0 || pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
      memcmp(h, "SQLite format 3", 16) != 0)
    return NULL;
  uint32_t ps = be16(h + 16);
  if (ps == 1) ps = 65536;
  if (ps < 512 || ps > 65536 || (ps & (ps - 1)) || ps - h[20] < 480) return NULL;
  SnapPages *p = calloc(1, sizeof *p);
  if (!p) abort();
  p->fd = fd;
  p->page_size = ps;
  p->usable = ps - h[20];
  p->encoding = be32(h + 56);
  p->npages = (uint64_t)st.st_size / ps;
  p->wcap = WINDOW_BYTES / ps ? WINDOW_BYTES / ps : 1;
  p->win = malloc((size_t)(p->wcap * ps));
  p->ovfl = malloc(ps);
  if (!p->win || !p->ovfl) abort();
  if (read_wal(p, db_path) != 0) {
    snap_pages_close(p);
    return NULL;
  }
  return p;
}

void snap_pages_close(SnapPages *p) {
  if (!p) return;
  /* p->fd stays open: closing it would drop SQLite's locks (snapshot_fd.c) */
  free(p->wal);
  free(p->win);
  free(p->ovfl);
  free(p);
}

/* ------------------------------------------------------------- hashing */

/* Four 64-bit lanes over 32-byte blocks (the xxHash64 round), two 64-bit
 * results from different foldings of the lanes. */
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL

typedef struct Hasher {
  uint64_t acc[4];
  uint64_t len;
} Hasher;

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static void h_init(Hasher *h) {
  h->acc[0] = P1 + P2;
  h->acc[1] = P2;
  h->acc[2] = 0;
  h->acc[3] = (uint64_t)0 - P1;
  h->len = 0;
}

/* n must be a multiple of 32. */
static void h_blocks(Hasher *h, const unsigned char *p, size_t n) {
  uint64_t a0 = h->acc[0], a1 = h->acc[1], a2 = h->acc[2], a3 = h->acc[3];
  for (size_t i = 0; i + 32 <= n; i += 32) {
    uint64_t w[4];
    memcpy(w, p + i, 32);
    a0 = rotl(a0 + w[0] * P2, 31) * P1;
    a1 = rotl(a1 + w[1] * P2, 31) * P1;
    a2 = rotl(a2 + w[2] * P2, 31) * P1;
    a3 = rotl(a3 + w[3] * P2, 31) * P1;
  }
  h->acc[0] = a0, h->acc[1] = a1, h->acc[2] = a2, h->acc[3] = a3;
  h->len += n;
}

/* Any bytes: padded with zeros to 32, preceded by their length. */
static void h_bytes(Hasher *h, const void *data, size_t n) {
  unsigned char blk[32];
  uint64_t len = n;
  memset(blk, 0, sizeof blk);
  memcpy(blk, &len, 8);
  h_blocks(h, blk, 32);
  const unsigned char *p = data;
  size_t full = n / 32 * 32;
  h_blocks(h, p, full);
  if (n > full) {
    memset(blk, 0, sizeof blk);
    memcpy(blk, p + full, n - full);
    h_blocks(h, blk, 32);
  }
}

static void h_u64(Hasher *h, uint64_t v) { h_bytes(h, &v, 8); }

static uint64_t avalanche(uint64_t x) {
  x ^= x >> 33;
  x *= P2;
  x ^= x >> 29;
  x *= P3;
  x ^= x >> 32;
  return x;
}

static void h_final(const Hasher *h, uint64_t out[2]) {
  uint64_t a = rotl(h->acc[0], 1) + rotl(h->acc[1], 7) + rotl(h->acc[2], 12) + rotl(h->acc[3], 18);
  uint64_t b = rotl(h->acc[0], 19) ^ rotl(h->acc[1], 29) ^ rotl(h->acc[2], 41) ^ rotl(h->acc[3], 53);
  out[0] = avalanche(a + h->len);
  out[1] = avalanche(b * P1 + h->len + 1);
}

/* ---------------------------------------------------------- the b-tree */

static int in_wal(const SnapPages *p, uint32_t pg) {
  size_t lo = 0, hi = p->nwal;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->wal[mid] < pg) lo = mid + 1; else hi = mid;
  }
  return lo < p->nwal && p->wal[lo] == pg;
}

/* Page pg, through the read-ahead window; NULL if it cannot be read. */
static const unsigned char *page(SnapPages *p, uint32_t pg) {
  if (pg >= p->wfirst && pg < p->wfirst + p->wn) return p->win + (pg - p->wfirst) * p->page_size;
  uint64_t n = p->npages - pg + 1 < p->wcap ? p->npages - pg + 1 : p->wcap;
  size_t bytes = (size_t)(n * p->page_size);
  ssize_t got = pread(p->fd, p->win, bytes, (off_t)((uint64_t)(pg - 1) * p->page_size));
  if (got < (ssize_t)p->page_size) {
    p->wn = 0;
    return NULL;
  }
  p->wfirst = pg;
  p->wn = (uint64_t)got / p->page_size;
  return p->win;
}

/* Page pg, hashed; NULL if it cannot be trusted.  A b-tree page stays
 * valid until the next b-tree page is taken: overflow pages (ovfl) are
 * read outside the window. */
static const unsigned char *take_page(SnapPages *p, Hasher *h, uint32_t pg, int ovfl,
                                      uint64_t *visited) {
  /* page 1 holds the database header, which changes on every commit */
  if (pg < 2 || pg > p->npages || in_wal(p, pg)) return NULL;
  if (++*visited > p->npages) return NULL; /* a cycle */
  const unsigned char *b = p->ovfl;
  if (!ovfl) b = page(p, pg);
  else if (pread(p->fd, p->ovfl, p->page_size, (off_t)((uint64_t)(pg - 1) * p->page_size)) !=
           (ssize_t)p->page_size)
    b = NULL;
  if (!b) return NULL;
  h_u64(h, pg);
  h_blocks(h, b, p->page_size);
  return b;
}

/* A varint at buf[*at], not past end.  -1 if cut. */
static int varint(const unsigned char *buf, uint32_t end, uint32_t *at, uint64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 9; i++) {
    if (*at >= end) return -1;
    unsigned char c = buf[(*at)++];
    if (i == 8) {
      *out = v << 8 | c;
      return 0;
    }
    v = v << 7 | (c & 0x7f);
    if (!(c & 0x80)) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

/* The overflow chain of one leaf cell. */
static int take_overflow(SnapPages *p, Hasher *h, const unsigned char *cell, uint32_t at,
                         uint64_t payload, uint64_t *visited) {
  uint32_t U = p->usable;
  uint64_t X = U - 35, M = (uint64_t)(U - 12) * 32 / 255 - 23;
  if (payload <= X) return 0;
  uint64_t K = M + (payload - M) % (U - 4);
  uint64_t local = K <= X ? K : M;
  if ((uint64_t)at + local + 4 > U) return -1;
  uint32_t next = be32(cell + at + local);
  uint64_t pages = (payload - local + (U - 4) - 1) / (U - 4);
  for (uint64_t i = 0; i < pages; i++) {
    const unsigned char *b = take_page(p, h, next, 1, visited);
    if (!b) return -1;
    next = be32(b);
  }
  return 0;
}

int snap_pages_table_hash(SnapPages *p, uint32_t root, const char *sql, uint64_t out[2]) {
  if (!p || root < 2) return -1;
  Hasher h;
  h_init(&h);
  h_u64(&h, root);
  h_u64(&h, p->page_size);
  h_u64(&h, p->usable);
  h_u64(&h, p->encoding);
  h_bytes(&h, sql ? sql : "", sql ? strlen(sql) : 0);
  uint32_t *stack = NULL;
  size_t n = 0, cap = 0;
  uint64_t visited = 0;
  int rc = 0;
#define PUSH(pg)                                                   \
  do {                                                             \
    if (n == cap) {                                                \
      cap = cap ? cap * 2 : 64;                                    \
      stack = realloc(stack, sizeof *stack * cap);                 \
      if (!stack) abort();                                         \
    }                                                              \
    stack[n++] = (pg);                                             \
  } while (0)
  PUSH(root);
  uint32_t U = p->usable;
  while (n && rc == 0) {
    uint32_t pg = stack[--n];
    const unsigned char *b = take_page(p, &h, pg, 0, &visited);
    if (!b) { rc = -1; break; }
    uint32_t ncell = be16(b + 3);
    if (b[0] == 0x05) { /* interior table page: children, right-most last */
      if (12 + 2 * (uint64_t)ncell > U) { rc = -1; break; }
      /* pushed in reverse: visited left to right */
      PUSH(be32(b + 8));
      for (uint32_t i = ncell; i-- > 0;) {
        uint32_t off = be16(b + 12 + 2 * i);
        if (off < 12 || (uint64_t)off + 4 > U) { rc = -1; break; }
        PUSH(be32(b + off));
      }
    } else if (b[0] == 0x0d) { /* leaf table page: follow overflow chains */
      if (8 + 2 * (uint64_t)ncell > U) { rc = -1; break; }
      for (uint32_t i = 0; i < ncell && rc == 0; i++) {
        uint32_t at = be16(b + 8 + 2 * i);
        uint64_t payload, rowid;
        if (at < 8 || at >= U) { rc = -1; break; }
        if (varint(b, U, &at, &payload) || varint(b, U, &at, &rowid)) { rc = -1; break; }
        if (take_overflow(p, &h, b, at, payload, &visited)) rc = -1;
      }
    } else {
      rc = -1; /* an index b-tree (WITHOUT ROWID) or not a b-tree page */
    }
  }
#undef PUSH
  free(stack);
  if (rc == 0) h_final(&h, out);
  return rc;
}
