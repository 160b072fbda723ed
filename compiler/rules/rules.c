/* rules.c — memory of a lowered rule program: nodes with their batch
 * vectors and text buffers, value arrays, and freeing it all. */
#include <stdlib.h>
#include <string.h>

#include "compiler/rules/rules.h"

VNode *vnode_new(VProg *p, VKind k, Phys ph, TypeKind t) {
  VNode *n = calloc(1, sizeof *n);
  if (!n) abort();
  n->kind = k;
  n->phys = ph;
  n->t = t;
  n->iv = calloc(VB, sizeof *n->iv);
  n->nul = calloc(VB, 1);
  if (ph == P_REAL) n->fv = calloc(VB, sizeof *n->fv);
  if (ph == P_TEXT) n->sv = calloc(VB, sizeof *n->sv);
  if (!n->iv || !n->nul || (ph == P_REAL && !n->fv) || (ph == P_TEXT && !n->sv)) abort();
  if (p->nall == p->capall) {
    p->capall = p->capall ? p->capall * 2 : 64;
    p->all = realloc(p->all, sizeof *p->all * (size_t)p->capall);
    if (!p->all) abort();
  }
  p->all[p->nall++] = n;
  return n;
}

/* Text results live in a chain of buffers: the newest is n->buf, each
 * buffer's first word points at the previous one.  Reset frees the older
 * ones and keeps the newest for the next batch. */
void vnode_text_reset(VNode *n) {
  if (!n->buf) return;
  char *old = *(char **)n->buf;
  while (old) {
    char *next = *(char **)old;
    free(old);
    old = next;
  }
  *(char **)n->buf = NULL;
  n->buflen = sizeof(char *);
}

/* Copies len bytes into the node's text buffer (valid for this batch). */
const char *vnode_text_put(VNode *n, const char *s, size_t len) {
  if (!n->buf || n->buflen + len + 1 > n->bufcap) {
    size_t cap = (n->bufcap ? n->bufcap * 2 : 65536) + len + 1 + sizeof(char *);
    char *nb = malloc(cap);
    if (!nb) abort();
    *(char **)nb = n->buf; /* earlier strings of this batch stay valid */
    n->buf = nb;
    n->bufcap = cap;
    n->buflen = sizeof(char *);
  }
  char *d = n->buf + n->buflen;
  memcpy(d, s, len);
  d[len] = 0;
  n->buflen += len + 1;
  return d;
}

void ivals_free(IVals *v) {
  free(v->iv);
  free(v->fv);
  free(v->off);
  free(v->bytes);
  free(v->nul);
  memset(v, 0, sizeof *v);
}

void rules_free(VProg *p) {
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
