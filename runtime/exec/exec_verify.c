/* exec_verify.c — before a campaign touches a database, every table and
 * column it reads must exist with a compatible declared type; otherwise the
 * user gets one clear error per problem and nothing runs. */
#include <string.h>
#include <strings.h>

#include "runtime/exec/exec_int.h"

static int has(const char *decl, const char *word) { return strcasestr(decl, word) != NULL; }

/* SQLite declared types by affinity; "" (no type) accepts anything. */
static int type_ok(const Type *t, const char *decl) {
  if (!decl[0]) return 1;
  int integer = has(decl, "INT"), text = has(decl, "CHAR") || has(decl, "CLOB") || has(decl, "TEXT");
  int real = has(decl, "REAL") || has(decl, "FLOA") || has(decl, "DOUB");
  int numeric = !integer && !text && !real && !has(decl, "BLOB");
  int datey = has(decl, "DATE") || has(decl, "TIME");
  switch (t->kind) {
    case T_INT: return integer || numeric || has(decl, "BOOL");
    case T_DECIMAL: return integer || real || numeric;
    case T_BOOL: return integer || numeric || has(decl, "BOOL");
    case T_TEXT: case T_ENUM: return text || datey || numeric;
    case T_DATE: case T_TIMESTAMP: return text || datey || numeric;
    case T_DURATION: return integer || numeric;
    default: return 1;
  }
}

/* PostgreSQL's types are enforced: the dialect's SQL computes with them
 * (date + integer, boolean conditions, integer division), so a camp type
 * needs the matching kind of column.  decl is format_type()'s spelling. */
static int pg_type_ok(const Type *t, const char *decl) {
  int integer = !strcmp(decl, "smallint") || !strcmp(decl, "integer") || !strcmp(decl, "bigint");
  int number = integer || has(decl, "numeric") || !strcmp(decl, "real") || !strcmp(decl, "double precision");
  int text = !strcmp(decl, "text") || has(decl, "character") || !strcmp(decl, "name") || !strcmp(decl, "citext");
  switch (t->kind) {
    case T_INT: case T_DURATION: return integer;
    case T_DECIMAL: return number;
    case T_BOOL: return !strcmp(decl, "boolean");
    case T_TEXT: case T_ENUM: return text;
    case T_DATE: return !strcmp(decl, "date");
    case T_TIMESTAMP: return !strncmp(decl, "timestamp", 9);
    default: return 1;
  }
}

int exec_verify_schema(Db *db, Program *p, Decl *campaign) {
  int pg = strcmp(db_backend(db), "postgres") == 0;
  PtrVec used = {0};
  program_schemas_used(p, campaign, &used);
  int bad = 0;
  for (int i = 0; i < used.len; i++) {
    Schema *s = used.items[i];
    DbTableInfo info;
    if (db_table_info(db, s->name, &info) != 0) {
      diag_error(&p->diags, s->loc, "table `%s` does not exist in the database", s->name);
      bad++;
      continue;
    }
    for (int c = 0; c < s->columns.len; c++) {
      Column *col = s->columns.items[c];
      DbColumnInfo *dc = NULL;
      for (int k = 0; k < info.ncols; k++)
        if (!strcmp(info.cols[k].name, col->name)) dc = &info.cols[k];
      if (!dc) {
        diag_error(&p->diags, col->loc, "column `%s.%s` does not exist in the database", s->name, col->name);
        bad++;
      } else if (pg ? !pg_type_ok(col->type, dc->decl_type ? dc->decl_type : "")
                    : !type_ok(col->type, dc->decl_type ? dc->decl_type : "")) {
        diag_error(&p->diags, col->loc, "column `%s.%s` is %s in the database but %s in the schema",
                   s->name, col->name, dc->decl_type, type_name(&p->arena, col->type));
        bad++;
      }
    }
    db_free_table_info(&info);
  }
  return bad ? -1 : 0;
}
