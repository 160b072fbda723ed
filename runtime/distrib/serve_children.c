/* serve_children.c — the child campaigns of `variant campaign` packages
 * on the pages of `camp serve` (see serve_html.h).  A store sees and edits
 * only its own children (the SQL and distrib_edit_child are restricted to
 * its entity); the centre sees every child with its counts. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/distrib/serve_html.h"

/* The package's declared parameters (JSON), or "" when unknown. */
static void package_params(Db *db, const char *pkg, char *out, size_t n) {
  out[0] = 0;
  DbStmt *st = db_prepare(db, "SELECT params FROM camp_distrib_packages WHERE name = ?");
  if (!st) return;
  db_bind_text(st, 1, pkg);
  if (db_step(st) == 1 && db_column(st, 0).kind == DBV_TEXT) snprintf(out, n, "%s", db_column(st, 0).s);
  db_finalize(st);
}

void children_section(Page *p, Html *b) {
  DistChild *v;
  int n = distrib_children(p->db, 0, p->op->central ? NULL : p->op->entity, &v);
  if (n < 0) return;
  html_put(b, p->op->central ? "<h2>Child campaigns</h2>" : "<h2>Your child campaigns</h2>");
  html_put(b, "<table id=\"children\"><tr><th>Run</th><th>Child campaign</th><th>Entity</th><th>State</th>"
              "<th>Contacts</th><th>Approved</th><th>Removed</th><th>Messages</th><th>Sent</th><th>Values</th></tr>");
  for (int i = 0; i < n; i++) {
    DistChild *c = &v[i];
    html_printf(b, "<tr><td>%lld</td><td>", (long long)c->run);
    html_esc(b, c->campaign);
    html_put(b, "</td><td>");
    html_esc(b, c->entity);
    html_put(b, "</td><td>");
    html_esc(b, c->state);
    html_printf(b, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>", (long long)c->contacts,
                (long long)c->approved, (long long)c->removed, (long long)c->messages, (long long)c->sent);
    if (!p->op->central && strcmp(p->op->role, "viewer") && strcmp(c->state, "done")) {
      /* the store's own child: its declared parameters, nothing else */
      char decl[8192];
      package_params(p->db, c->package, decl, sizeof decl);
      html_put(b, "<form method=\"post\" action=\"/child\"><input type=\"hidden\" name=\"csrf\" value=\"");
      html_esc(b, p->csrf);
      html_printf(b, "\"><input type=\"hidden\" name=\"run\" value=\"%lld\"><input type=\"hidden\" name=\"package\" value=\"",
                  (long long)c->run);
      html_esc(b, c->package);
      html_put(b, "\">");
      html_param_inputs(b, decl, c->params);
      html_put(b, "<button type=\"submit\">Save</button></form>");
    } else html_esc(b, c->params[0] ? c->params : "-");
    html_put(b, "</td></tr>");
  }
  html_put(b, "</table>");
  free(v);
}

void post_child(Page *p) {
  const char *run = form_get(p->form, "run"), *pkg = form_get(p->form, "package");
  char *end = NULL;
  long long r = run ? strtoll(run, &end, 10) : 0;
  if (!run || !pkg || *end || r < 1) {
    p->status = 400;
    page_frame(&p->out, "Refused", p->op, p->csrf, NULL, "<p class=\"error\" id=\"error\">Refused: which child campaign?</p>");
    return;
  }
  json_t *params = json_object();
  for (int i = 0; i < p->form->n; i++)
    if (!strncmp(p->form->name[i], "p_", 2) && p->form->value[i][0])
      json_object_set_new(params, p->form->name[i] + 2, json_string(p->form->value[i]));
  char *pj = json_dumps(params, JSON_COMPACT);
  json_decref(params);
  char err[512] = "";
  int rc = distrib_edit_child(p->db, p->op, r, pkg, pj, p->now, err, sizeof err);
  free(pj);
  if (rc) {
    p->status = rc == DISTRIB_FORBIDDEN ? 403 : 400;
    Html b = {0};
    html_put(&b, "<p class=\"error\" id=\"error\">Refused: ");
    html_esc(&b, err);
    html_put(&b, "</p><p><a href=\"/\">Back</a></p>");
    page_frame(&p->out, "Refused", p->op, p->csrf, NULL, b.s);
    free(b.s);
    return;
  }
  p->status = 303;
  snprintf(p->redirect, sizeof p->redirect, "/?done=child%%20campaign%%20saved");
}
