/* query_int.h — helpers shared by query.c (hover, definition) and
 * query_complete.c (completion): finding the declaration, step and
 * population around a byte offset. */
#ifndef CAMP_QUERY_INT_H
#define CAMP_QUERY_INT_H

#include "compiler/query/query.h"

/* Does l (in file) contain byte offset off?  The end is inclusive so a
 * cursor just after a name still counts as on it. */
int qi_in(Loc l, int file, int off);
/* The module parsed from file, or NULL. */
Module *qi_module(Program *p, int file);
/* The campaign declaration of file around off, or NULL. */
Decl *qi_campaign_at(Program *p, int file, int off);
/* The step of camp whose text contains off, or NULL. */
Step *qi_step_at(Decl *camp, int off);
/* The step of camp with output `name` (its index in *output), or NULL. */
Step *qi_step_named(Decl *camp, const char *name, int *output);
/* Population named by output `name` of camp (checked), or NULL. */
Pop *qi_output_pop(Decl *camp, const char *name);
/* The population whose rows a step's expressions read, or NULL. */
Pop *qi_step_scope(Decl *camp, Step *s);
/* Schema by name among p's checked schemas, or NULL. */
Schema *qi_schema(Program *p, const char *name);
/* Markdown description of a population / a schema, in p's arena. */
char *qi_pop_text(Program *p, const char *title, Pop *pop);
char *qi_schema_text(Program *p, Schema *s);

#endif
