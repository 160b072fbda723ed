/* interp_run.c — drives a compiled rule set over rows in batches of VB:
 * fills the frame with row numbers, evaluates each root over the full
 * selection, and records which rows each rule selects (true, not NULL). */
#include <stdlib.h>
#include <string.h>

#include "interp.h"

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

void interp_free(VProg *p) {
  if (!p) return;
  for (int i = 0; i < p->nall; i++) {
    VNode *n = p->all[i];
    vnode_text_reset(n);
    free(n->buf);
    free(n->iv);
    free(n->fv);
    free(n->sv);
    free(n->nul);
    free(n->args);
    free(n->conj);
    free(n->codeset);
    free(n->child);
    free(n->acc);
    free(n);
  }
  free(p->all);
  free(p->roots);
  free(p);
}
