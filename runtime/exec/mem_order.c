/* mem_order.c — ordering for the in-memory plan: sorts and top-N by
 * value keys exactly as SQL orders them (NULLs last, key as the final
 * tie-break), and radix sorting of rows by a hash of their key values. */
#include "runtime/exec/exec_mem_int.h"

/* ------------------------------------------------------ ordering */

static Sorter *g_sorter; /* qsort has no context argument in C11 */

static int cmp_val(const IVals *v, int64_t a, int64_t b) {
  if (v->ph == P_INT) return v->iv[a] < v->iv[b] ? -1 : v->iv[a] > v->iv[b];
  if (v->ph == P_REAL) return v->fv[a] < v->fv[b] ? -1 : v->fv[a] > v->fv[b];
  return rules_text_cmp(ivals_str(v, a), ivals_str(v, b));
}

/* Compares positions a and b on key k: NULLS LAST in both directions. */
static int cmp_key(const SortKey *k, const Sorter *so, int64_t a, int64_t b) {
  if (!k->v) return so->hash[a] < so->hash[b] ? -1 : so->hash[a] > so->hash[b];
  int na = k->v->nul[a], nb = k->v->nul[b];
  if (k->nulls_only) return na - nb;
  if (na || nb) return na - nb;
  int c = cmp_val(k->v, a, b);
  return k->desc ? -c : c;
}

static int cmp_pos(const void *pa, const void *pb) {
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  const Sorter *so = g_sorter;
  for (int i = 0; i < so->nkeys; i++) {
    int c = cmp_key(&so->keys[i], so, a, b);
    if (c) return c;
  }
  return so->key[a] < so->key[b] ? -1 : so->key[a] > so->key[b];
}

/* Same partition (first `group` keys equal; NULLs equal each other). */
int mem_same_group(const Sorter *so, int64_t a, int64_t b) {
  for (int i = 0; i < so->group; i++) {
    const IVals *v = so->keys[i].v;
    if (v->nul[a] != v->nul[b]) return 0;
    if (!v->nul[a] && cmp_val(v, a, b)) return 0;
  }
  return 1;
}

int64_t *mem_keys_of(ExecMem *m, const MPop *p) {
  const SnapTable *t = engine_table(&m->x->eng, p->dim);
  const int64_t *k = t->cols[t->key_col].data;
  int64_t *out = malloc(sizeof *out * (size_t)(p->n + 1));
  if (!out) abort();
  for (int64_t i = 0; i < p->n; i++) out[i] = k[p->rows[i]];
  return out;
}

int mem_cmp64(const void *pa, const void *pb) {
  int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return a < b ? -1 : a > b;
}

static void sift_down(int64_t *heap, int64_t n, int64_t i) {
  for (;;) {
    int64_t l = 2 * i + 1, r = l + 1, big = i;
    if (l < n && cmp_pos(&heap[l], &heap[big]) > 0) big = l;
    if (r < n && cmp_pos(&heap[r], &heap[big]) > 0) big = r;
    if (big == i) return;
    int64_t t = heap[i];
    heap[i] = heap[big];
    heap[big] = t;
    i = big;
  }
}

void mem_sort_positions(Sorter *so, int64_t *pos, int64_t n) {
  g_sorter = so;
  qsort(pos, (size_t)n, sizeof *pos, cmp_pos);
  g_sorter = NULL;
}

/* Leaves the k first positions in sort order (so's order) at pos[0..k),
 * sorted: a bounded max-heap, so a small top-N over millions of rows costs
 * about one comparison per row instead of a full sort. */
void mem_top_k(Sorter *so, int64_t *pos, int64_t n, int64_t k) {
  if (k <= 0) return;
  if (k * 8 >= n) {
    mem_sort_positions(so, pos, n);
    return;
  }
  g_sorter = so;
  /* heap in pos[0..k): the root is the largest kept */
  for (int64_t i = k / 2 - 1; i >= 0; i--) sift_down(pos, k, i);
  for (int64_t i = k; i < n; i++) {
    if (cmp_pos(&pos[i], &pos[0]) >= 0) continue;
    pos[0] = pos[i];
    sift_down(pos, k, 0);
  }
  qsort(pos, (size_t)k, sizeof *pos, cmp_pos);
  g_sorter = NULL;
}


int mem_cmp_hashpos(const void *pa, const void *pb) {
  const HashPos *a = pa, *b = pb;
  if (a->h != b->h) return a->h < b->h ? -1 : 1;
  return a->key < b->key ? -1 : a->key > b->key;
}

/* Sorts by a 64-bit value (LSD radix, 16-bit digits): grouping millions of
 * rows by key hash without a comparison sort. */
void mem_radix_sort(HashPos *v, int64_t n) {
  HashPos *tmp = malloc(sizeof *tmp * (size_t)(n + 1));
  size_t *cnt = malloc(sizeof *cnt * 65536);
  if (!tmp || !cnt) abort();
  for (int shift = 0; shift < 64; shift += 16) {
    memset(cnt, 0, sizeof *cnt * 65536);
    for (int64_t i = 0; i < n; i++) cnt[(v[i].h >> shift) & 0xffff]++;
    size_t sum = 0;
    for (int d = 0; d < 65536; d++) {
      size_t c = cnt[d];
      cnt[d] = sum;
      sum += c;
    }
    for (int64_t i = 0; i < n; i++) tmp[cnt[(v[i].h >> shift) & 0xffff]++] = v[i];
    memcpy(v, tmp, sizeof *v * (size_t)n);
  }
  free(tmp);
  free(cnt);
}

/* FNV-1a of the key values of position i (the grouping hash of dedup). */
uint64_t mem_key_hash(IVals **v, int nk, int64_t i) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int k = 0; k < nk; k++) {
    const unsigned char *b;
    size_t len;
    int64_t iv;
    double fv;
    Str st;
    if (v[k]->ph == P_INT) iv = v[k]->iv[i], b = (const unsigned char *)&iv, len = 8;
    else if (v[k]->ph == P_REAL) fv = v[k]->fv[i] == 0 ? 0.0 : v[k]->fv[i], b = (const unsigned char *)&fv, len = 8;
    else st = ivals_str(v[k], i), b = (const unsigned char *)st.p, len = st.n;
    for (size_t j = 0; j < len; j++) h = (h ^ b[j]) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL; /* separator */
  }
  return h;
}
