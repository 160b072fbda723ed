/* arena.h — bump allocator owning every AST node, type and string of one
 * compilation.  Freed in one call, so no stage has to track ownership. */
#ifndef CAMP_ARENA_H
#define CAMP_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
  ArenaBlock *head;
} Arena;

/* Returns zeroed memory of n bytes, aligned for any type; aborts on OOM. */
void *arena_alloc(Arena *a, size_t n);
/* Copies n bytes of s into the arena and NUL-terminates the copy. */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Releases every block; the arena may be reused afterwards. */
void arena_free(Arena *a);

/* Growable pointer vector whose storage lives in an arena. */
typedef struct PtrVec {
  void **items;
  int len, cap;
} PtrVec;
void vec_push(Arena *a, PtrVec *v, void *item);

#endif
