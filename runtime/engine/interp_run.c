/* interp_run.c — drives a compiled rule set over rows in batches of VB:
 * fills the frame with row numbers, evaluates each root over the full
 * selection, and records which rows each rule selects (true, not NULL). */
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/interp.h"

int interp_eval(VProg *p, VRun *r, const uint32_t *rows, int64_t nrows, uint8_t *out) {
  Frame *f = malloc(sizeof *f);
  if (!f) abort();
  uint16_t sel[VB];
  for (int i = 0; i < VB; i++) sel[i] = (uint16_t)i;
  r->bail = NULL;
  for (int64_t base = 0; base < nrows; base += VB) {
    int n = nrows - base < VB ? (int)(nrows - base) : VB;
    if (rows) memcpy(f->rows[0], rows + base, sizeof(uint32_t) * (size_t)n);
    else for (int i = 0; i < n; i++) f->rows[0][i] = (uint32_t)(base + i);
    f->n = n;
    for (int k = 0; k < p->nroots; k++) {
      VNode *root = p->roots[k];
      root->eval(root, r, f, sel, n);
      uint8_t *o = out + base * p->nroots + k;
      for (int i = 0; i < n; i++) o[(size_t)i * (size_t)p->nroots] = !root->nul[i] && root->iv[i] != 0;
    }
    if (r->bail) break;
  }
  free(f);
  return r->bail ? 1 : 0;
}

static void ivals_init(IVals *v, const VNode *root, int64_t n) {
  memset(v, 0, sizeof *v);
  v->ph = root->phys;
  v->t = root->t;
  v->n = n;
  v->nul = malloc((size_t)n + 1);
  if (v->ph == P_INT) v->iv = malloc(sizeof *v->iv * (size_t)(n + 1));
  if (v->ph == P_REAL) v->fv = malloc(sizeof *v->fv * (size_t)(n + 1));
  if (v->ph == P_TEXT) v->off = malloc(sizeof *v->off * (size_t)(n + 2));
  if (!v->nul || (v->ph == P_INT && !v->iv) || (v->ph == P_REAL && !v->fv) || (v->ph == P_TEXT && !v->off))
    abort();
  if (v->off) v->off[0] = 0;
}

/* Appends one string (NUL-terminated) to a text result. */
static void ivals_put(IVals *v, int64_t i, const char *p, size_t len) {
  if (v->nbytes + len + 1 > v->capbytes) {
    v->capbytes = (v->nbytes + len + 1) * 2 + 4096;
    v->bytes = realloc(v->bytes, v->capbytes);
    if (!v->bytes) abort();
  }
  if (len) memcpy(v->bytes + v->nbytes, p, len);
  v->nbytes += len;
  v->bytes[v->nbytes++] = 0;
  v->off[i + 1] = v->nbytes;
}

/* Copies one batch of a root's values to out at base. */
static void ivals_copy(IVals *v, const VNode *root, int64_t base, int n) {
  memcpy(v->nul + base, root->nul, (size_t)n);
  if (v->ph == P_INT) memcpy(v->iv + base, root->iv, sizeof *v->iv * (size_t)n);
  if (v->ph == P_REAL) memcpy(v->fv + base, root->fv, sizeof *v->fv * (size_t)n);
  if (v->ph == P_TEXT)
    for (int i = 0; i < n; i++) {
      if (root->nul[i]) ivals_put(v, base + i, "", 0);
      else ivals_put(v, base + i, root->sv[i].p, root->sv[i].n);
    }
}

int interp_eval_values(VProg *p, VRun *r, const uint32_t *rows, int64_t nrows, IVals *out) {
  Frame *f = malloc(sizeof *f);
  if (!f) abort();
  uint16_t sel[VB];
  for (int i = 0; i < VB; i++) sel[i] = (uint16_t)i;
  for (int k = 0; k < p->nroots; k++) ivals_init(&out[k], p->roots[k], nrows);
  r->bail = NULL;
  for (int64_t base = 0; base < nrows; base += VB) {
    int n = nrows - base < VB ? (int)(nrows - base) : VB;
    if (rows) memcpy(f->rows[0], rows + base, sizeof(uint32_t) * (size_t)n);
    else for (int i = 0; i < n; i++) f->rows[0][i] = (uint32_t)(base + i);
    f->n = n;
    for (int k = 0; k < p->nroots; k++) {
      VNode *root = p->roots[k];
      root->eval(root, r, f, sel, n);
      ivals_copy(&out[k], root, base, n);
    }
    if (r->bail) break;
  }
  free(f);
  return r->bail ? 1 : 0;
}
