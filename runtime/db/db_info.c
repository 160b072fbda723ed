/* db_info.c — freeing the introspection results of db.h (DbTableInfo,
 * DbForeignKey), shared by both backends. */
#include <stdlib.h>
#include <string.h>

#include "runtime/db/db.h"

static void free_fk(DbForeignKey *fk) {
  for (int i = 0; i < fk->ncols; i++) {
    free(fk->from[i]);
    free(fk->to[i]);
  }
  free(fk->from);
  free(fk->to);
  free(fk->table);
}

void db_free_foreign_keys(DbForeignKey *fks, int n) {
  for (int i = 0; i < n; i++) free_fk(&fks[i]);
  free(fks);
}

void db_free_table_info(DbTableInfo *t) {
  if (!t) return;
  for (int i = 0; i < t->ncols; i++) {
    DbColumnInfo *c = &t->cols[i];
    free(c->name);
    free(c->decl_type);
    free(c->fk_table);
    free(c->fk_column);
  }
  free(t->cols);
  free(t->name);
  memset(t, 0, sizeof *t);
}

void db_free_tables(DbTableInfo *t, int n) {
  for (int i = 0; i < n; i++) db_free_table_info(&t[i]);
  free(t);
}
