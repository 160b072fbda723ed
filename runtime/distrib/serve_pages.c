/* serve_pages.c — the pages of `camp serve` (see serve_html.h).  Every
 * query is restricted to the logged-in operator's entity in SQL, not by
 * hiding links: a changed id in a URL or a form finds nothing and is
 * refused with 403. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/distrib/serve_html.h"

static const char *text(DbStmt *st, int col) {
  DbValue v = db_column(st, col);
  return v.kind == DBV_TEXT ? v.s : "";
}

static void csrf_field(Page *p, Html *h) {
  html_put(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
  html_esc(h, p->csrf);
  html_put(h, "\">");
}

static void forbid(Page *p, const char *why) {
  p->status = 403;
  Html b = {0};
  html_put(&b, "<p class=\"error\" id=\"error\">Refused: ");
  html_esc(&b, why);
  html_put(&b, "</p><p><a href=\"/\">Back</a></p>");
  page_frame(&p->out, "Refused", p->op, p->csrf, NULL, b.s);
  free(b.s);
}

static void invalid(Page *p, const char *why) {
  forbid(p, why);
  p->status = 400;
}

static int acts(const DistOp *op) { return strcmp(op->role, "viewer") != 0; }


/* The delivery feedback of the entity's own contacts, per closed
 * approval: messages queued to them in that run, sent, opened, clicked. */
static void delivery_report(Page *p, Html *b) {
  html_put(b, "<h2>Results of your sends</h2><table id=\"report\"><tr><th>Campaign</th><th>Run</th>"
              "<th>Messages</th><th>Sent</th><th>Opened</th><th>Clicked</th></tr>");
  DbStmt *st = db_prepare(p->db,
      "SELECT r.run_id, r.campaign, count(o.id), sum(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END),"
      " sum(CASE WHEN EXISTS (SELECT 1 FROM camp_feedback AS f WHERE f.outbox_id = o.id AND f.event = 'opened') THEN 1 ELSE 0 END),"
      " sum(CASE WHEN EXISTS (SELECT 1 FROM camp_feedback AS f WHERE f.outbox_id = o.id AND f.event = 'clicked') THEN 1 ELSE 0 END)"
      " FROM camp_distrib_requests AS r"
      " JOIN camp_distrib_contacts AS c ON c.run_id = r.run_id AND c.step = r.step AND c.entity = r.entity"
      " JOIN camp_outbox AS o ON o.run_id = r.run_id AND CAST(o.recipient_key AS TEXT) = c.recipient_key"
      " WHERE r.entity = ? AND r.state = 'closed' GROUP BY r.run_id, r.step, r.campaign ORDER BY r.run_id DESC");
  if (st) db_bind_text(st, 1, p->op->entity);
  while (st && db_step(st) == 1) {
    html_put(b, "<tr><td>");
    html_esc(b, text(st, 1));
    html_printf(b, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>",
                (long long)db_column(st, 0).i, (long long)db_column(st, 2).i, (long long)db_column(st, 3).i,
                (long long)db_column(st, 4).i, (long long)db_column(st, 5).i);
  }
  db_finalize(st);
  html_put(b, "</table>");
}

/* The entity's share of the cost of each package offered to it (costs.c):
 * its own row only. */
static void cost_report(Page *p, Html *b) {
  html_put(b, "<h2>Your share of the costs</h2><table id=\"costs\"><tr><th>Package</th><th>Messages sent</th>"
              "<th>Share of the cost</th><th>Per message</th><th>Total</th></tr>");
  DbStmt *st = db_prepare(p->db, "SELECT package FROM camp_distrib_offers WHERE entity = ? ORDER BY package");
  if (st) db_bind_text(st, 1, p->op->entity);
  char pkgs[32][128];
  int n = 0;
  while (st && db_step(st) == 1 && n < 32) snprintf(pkgs[n++], 128, "%s", text(st, 0));
  db_finalize(st);
  for (int i = 0; i < n; i++) {
    DistCosts c;
    char err[256];
    if (distrib_costs(p->db, pkgs[i], &c, err, sizeof err)) continue;
    for (int k = 0; k < c.n; k++) {
      DistCost *r = &c.rows[k];
      if (strcmp(r->entity, p->op->entity)) continue;
      html_put(b, "<tr><td>");
      html_esc(b, pkgs[i]);
      html_printf(b, "</td><td>%lld</td><td>%.2f</td><td>%.2f</td><td class=\"total\">%.2f</td></tr>", (long long)r->sent,
                  r->fixed, r->messages, r->total);
    }
    distrib_costs_free(&c);
  }
  html_put(b, "</table>");
}

/* The local approvals op decides: its own local entity's and those of the
 * operator groups it is a member of (a group's rows link with &for=). */
static void approvals_table(Page *p, Html *b) {
  html_put(b, "<h2>Contacts awaiting your approval</h2><table id=\"approvals\"><tr><th>Campaign</th>"
              "<th>Run</th><th>Contacts</th><th>Approved</th><th>Removed</th><th>Pending</th><th>Deadline</th><th>For</th><th></th></tr>");
  DbStmt *st = db_prepare(p->db, "SELECT r.run_id, r.step, r.campaign, r.contacts, r.deadline_at, r.state,"
                         " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id AND c.step = r.step"
                         "  AND c.entity = r.entity AND c.state = 'approved'),"
                         " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id AND c.step = r.step"
                         "  AND c.entity = r.entity AND c.state = 'removed'),"
                         " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id AND c.step = r.step"
                         "  AND c.entity = r.entity AND c.state = 'pending'), r.entity, r.entity <> ?"
                         " FROM camp_distrib_requests AS r WHERE (r.entity = ? AND ? = 0)"
                         " OR r.entity IN (SELECT grp FROM camp_distrib_members WHERE login = ?)"
                         " ORDER BY r.run_id DESC, r.step, r.entity");
  if (st) {
    db_bind_text(st, 1, p->op->entity);
    db_bind_text(st, 2, p->op->entity);
    db_bind_int(st, 3, p->op->central);
    db_bind_text(st, 4, p->op->login);
  }
  while (st && db_step(st) == 1) {
    int group = db_column(st, 10).i != 0;
    html_put(b, "<tr><td>");
    html_esc(b, text(st, 2));
    html_printf(b, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td class=\"deadline\">",
                (long long)db_column(st, 0).i, (long long)db_column(st, 3).i, (long long)db_column(st, 6).i,
                (long long)db_column(st, 7).i, (long long)db_column(st, 8).i);
    html_esc(b, text(st, 4));
    html_put(b, " UTC</td><td class=\"for\">");
    html_esc(b, text(st, 9));
    html_printf(b, "</td><td><a href=\"/approval?run=%lld&amp;step=", (long long)db_column(st, 0).i);
    html_esc(b, text(st, 1));
    if (group) {
      html_put(b, "&amp;for=");
      html_esc(b, text(st, 9));
    }
    html_printf(b, "\">%s</a></td></tr>", strcmp(text(st, 5), "open") ? "View" : "Review");
  }
  db_finalize(st);
  html_put(b, "</table>");
}

static void local_home(Page *p, Html *b) {
  html_put(b, "<h2>Campaign packages offered to ");
  html_esc(b, p->op->entity);
  html_put(b, "</h2><table id=\"packages\"><tr><th>Package</th><th>Mode</th><th>Visible</th>"
              "<th>Order by</th><th>State</th><th></th></tr>");
  DbStmt *st = db_prepare(p->db, "SELECT k.name, k.label, k.automatic, COALESCE(k.visible_from, ''),"
                                 " COALESCE(k.visible_until, ''), COALESCE(k.register_by, ''), k.params,"
                                 " COALESCE(o.state, ''), COALESCE(o.params, '')"
                                 " FROM camp_distrib_packages AS k JOIN camp_distrib_offers AS f ON f.package = k.name"
                                 " LEFT JOIN camp_distrib_orders AS o ON o.package = k.name AND o.entity = f.entity"
                                 " WHERE f.entity = ? AND (k.visible_from IS NULL OR k.visible_from <= ?)"
                                 " AND (k.visible_until IS NULL OR k.visible_until >= ?) ORDER BY k.name");
  if (st) {
    db_bind_text(st, 1, p->op->entity);
    db_bind_text(st, 2, p->now);
    db_bind_text(st, 3, p->now);
  }
  while (st && db_step(st) == 1) {
    const char *name = text(st, 0), *state = text(st, 7);
    int in = !strcmp(state, "ordered") || !strcmp(state, "approved") || !strcmp(state, "registered");
    html_put(b, "<tr><td>");
    html_esc(b, text(st, 1));
    html_put(b, "</td><td>");
    html_put(b, db_column(st, 2).i ? "automatic" : "manual");
    html_put(b, "</td><td>");
    html_esc(b, text(st, 3));
    html_put(b, " – ");
    html_esc(b, text(st, 4));
    html_put(b, "</td><td>");
    html_esc(b, text(st, 5));
    html_put(b, "</td><td class=\"state\">");
    html_esc(b, state[0] ? state : "not ordered");
    html_put(b, "</td><td>");
    if (acts(p->op)) {
      html_put(b, "<form method=\"post\" action=\"/order\">");
      csrf_field(p, b);
      html_put(b, "<input type=\"hidden\" name=\"package\" value=\"");
      html_esc(b, name);
      html_put(b, "\">");
      html_param_inputs(b, text(st, 6), text(st, 8));
      html_printf(b, "<button type=\"submit\" name=\"action\" value=\"order\">%s</button>",
                  in ? "Save values" : "Order");
      if (in) html_put(b, " <button type=\"submit\" name=\"action\" value=\"unsubscribe\">Unsubscribe</button>");
      html_put(b, "</form>");
    }
    html_put(b, "</td></tr>");
  }
  db_finalize(st);
  html_put(b, "</table>");
  approvals_table(p, b);
  children_section(p, b);
  delivery_report(p, b);
  cost_report(p, b);
}

static void central_home(Page *p, Html *b) {
  html_put(b, "<h2>Orders to approve</h2><table id=\"orders\"><tr><th>Package</th><th>Entity</th>"
              "<th>Form values</th><th>Ordered by</th><th></th></tr>");
  DbStmt *st = db_prepare(p->db, "SELECT package, entity, COALESCE(params, ''), COALESCE(ordered_by, ''),"
                                 " COALESCE(ordered_at, '') FROM camp_distrib_orders WHERE state = 'ordered'"
                                 " ORDER BY package, entity");
  int can = !strcmp(p->op->role, "administrator") || !strcmp(p->op->role, "approver");
  while (st && db_step(st) == 1) {
    html_put(b, "<tr><td>");
    html_esc(b, text(st, 0));
    html_put(b, "</td><td>");
    html_esc(b, text(st, 1));
    html_put(b, "</td><td><code>");
    html_esc(b, text(st, 2));
    html_put(b, "</code></td><td>");
    html_esc(b, text(st, 3));
    html_put(b, " ");
    html_esc(b, text(st, 4));
    html_put(b, "</td><td>");
    if (can) {
      html_put(b, "<form method=\"post\" action=\"/orders/decide\">");
      csrf_field(p, b);
      html_put(b, "<input type=\"hidden\" name=\"package\" value=\"");
      html_esc(b, text(st, 0));
      html_put(b, "\"><input type=\"hidden\" name=\"entity\" value=\"");
      html_esc(b, text(st, 1));
      html_put(b, "\"><button name=\"decision\" value=\"approve\">Approve</button> "
                  "<button name=\"decision\" value=\"reject\">Reject</button></form>");
    }
    html_put(b, "</td></tr>");
  }
  db_finalize(st);
  html_put(b, "</table><h2>All orders</h2><table id=\"all-orders\"><tr><th>Package</th><th>Entity</th><th>State</th>"
              "<th>Form values</th></tr>");
  st = db_prepare(p->db, "SELECT package, entity, state, COALESCE(params, '') FROM camp_distrib_orders ORDER BY package, entity");
  while (st && db_step(st) == 1) {
    html_put(b, "<tr>");
    for (int k = 0; k < 4; k++) {
      html_put(b, k == 3 ? "<td><code>" : "<td>");
      html_esc(b, text(st, k));
      html_put(b, k == 3 ? "</code></td>" : "</td>");
    }
    html_put(b, "</tr>");
  }
  db_finalize(st);
  html_put(b, "</table><h2>Approval progress per entity</h2><table id=\"progress\"><tr><th>Run</th><th>Campaign</th>"
              "<th>Entity</th><th>Contacts</th><th>Approved</th><th>Removed</th><th>Pending</th><th>Deadline</th>"
              "<th>State</th></tr>");
  st = db_prepare(p->db, "SELECT r.run_id, r.campaign, r.entity, r.contacts,"
                         " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id AND c.step = r.step"
                         "  AND c.entity = r.entity AND c.state IN ('approved', 'approved-by-default')),"
                         " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id AND c.step = r.step"
                         "  AND c.entity = r.entity AND c.state = 'removed'),"
                         " (SELECT count(*) FROM camp_distrib_contacts AS c WHERE c.run_id = r.run_id AND c.step = r.step"
                         "  AND c.entity = r.entity AND c.state = 'pending'), r.deadline_at, r.state"
                         " FROM camp_distrib_requests AS r ORDER BY r.run_id DESC, r.step, r.entity");
  while (st && db_step(st) == 1) {
    html_printf(b, "<tr><td>%lld</td><td>", (long long)db_column(st, 0).i);
    html_esc(b, text(st, 1));
    html_put(b, "</td><td>");
    html_esc(b, text(st, 2));
    html_printf(b, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td><td>", (long long)db_column(st, 3).i,
                (long long)db_column(st, 4).i, (long long)db_column(st, 5).i, (long long)db_column(st, 6).i);
    html_esc(b, text(st, 7));
    html_put(b, "</td><td>");
    html_esc(b, text(st, 8));
    html_put(b, "</td></tr>");
  }
  db_finalize(st);
  html_put(b, "</table>");
}

void page_home(Page *p) {
  Html b = {0};
  html_put(&b, "");
  if (p->op->central) {
    central_home(p, &b);
    approvals_table(p, &b); /* the approvals of the groups the operator is a member of */
    children_section(p, &b);
  } else local_home(p, &b);
  page_frame(&p->out, p->op->central ? "Central entity" : "Local entity", p->op, p->csrf, p->notice, b.s);
  free(b.s);
}

/* A column list from camp's own request row, used only if every name is a
 * plain identifier (they come from a checked schema). */
static int plain_ident(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  return 1;
}

void page_approval(Page *p) {
  const char *run = form_get(p->form, "run"), *step = form_get(p->form, "step");
  const char *q = form_get(p->form, "q");
  char *end = NULL;
  long long r = run ? strtoll(run, &end, 10) : 0;
  if (!run || !step || *end || r < 1) return invalid(p, "which approval? (run and step)");
  const char *who = form_get(p->form, "for");
  if (!who || !*who) who = p->op->entity;
  int group = strcmp(who, p->op->entity) != 0;
  if (group && !distrib_may_decide(p->db, p->op, who)) return forbid(p, "you are not a member of this group");
  if (!group && p->op->central) return forbid(p, "contacts are approved by their local entity");
  DbStmt *st = db_prepare(p->db, "SELECT campaign, deadline_at, state, COALESCE(dim_table, ''), COALESCE(dim_key, ''),"
                                 " COALESCE(show_cols, ''), approve_default FROM camp_distrib_requests"
                                 " WHERE run_id = ? AND step = ? AND entity = ?");
  if (!st) return invalid(p, "database error");
  db_bind_int(st, 1, r);
  db_bind_text(st, 2, step);
  db_bind_text(st, 3, who);
  if (db_step(st) != 1) {
    db_finalize(st);
    return forbid(p, group ? "this approval is not your group's" : "this approval is not your entity's");
  }
  char campaign[128], deadline[20], state[16], dim[128], key[128], cols[512];
  snprintf(campaign, sizeof campaign, "%s", text(st, 0));
  snprintf(deadline, sizeof deadline, "%s", text(st, 1));
  snprintf(state, sizeof state, "%s", text(st, 2));
  snprintf(dim, sizeof dim, "%s", text(st, 3));
  snprintf(key, sizeof key, "%s", text(st, 4));
  snprintf(cols, sizeof cols, "%s", text(st, 5));
  int approve_default = db_column(st, 6).i != 0;
  db_finalize(st);
  int open = !strcmp(state, "open") && strcmp(p->now, deadline) < 0 && acts(p->op);
  const char *names[8];
  int ncols = 0;
  if (plain_ident(dim) && plain_ident(key))
    for (char *t = strtok(cols, ","); t && ncols < 4; t = strtok(NULL, ","))
      if (plain_ident(t)) names[ncols++] = t;
  if (!ncols) dim[0] = 0;
  Html sql = {0};
  html_put(&sql, "SELECT c.recipient_key, c.state");
  for (int i = 0; i < ncols; i++) html_printf(&sql, ", CAST(d.\"%s\" AS TEXT)", names[i]);
  html_put(&sql, " FROM camp_distrib_contacts AS c");
  if (dim[0]) html_printf(&sql, " LEFT JOIN \"%s\" AS d ON CAST(d.\"%s\" AS TEXT) = c.recipient_key", dim, key);
  html_put(&sql, " WHERE c.run_id = ? AND c.step = ? AND c.entity = ?");
  if (q && *q) {
    html_put(&sql, " AND (c.recipient_key LIKE ?4");
    for (int i = 0; i < ncols; i++) html_printf(&sql, " OR CAST(d.\"%s\" AS TEXT) LIKE ?4", names[i]);
    html_put(&sql, ")");
  }
  html_put(&sql, " ORDER BY c.recipient_key LIMIT 1000");
  Html b = {0};
  html_put(&b, "<p>Campaign <b>");
  html_esc(&b, campaign);
  html_printf(&b, "</b>, run %lld", r);
  if (group) {
    html_put(&b, ", for group <b id=\"group\">");
    html_esc(&b, who);
    html_put(&b, "</b>");
  }
  html_put(&b, ". Decide before <span class=\"deadline\" id=\"deadline\">");
  html_esc(&b, deadline);
  html_printf(&b, " UTC</span>; without a decision a contact is <b>%s</b>.%s</p>",
              approve_default ? "approved" : "dropped", open ? "" : " <b>This approval is closed.</b>");
  html_printf(&b, "<form method=\"get\" action=\"/approval\"><input type=\"hidden\" name=\"run\" value=\"%lld\">"
                  "<input type=\"hidden\" name=\"step\" value=\"", r);
  html_esc(&b, step);
  html_put(&b, "\"><input type=\"hidden\" name=\"for\" value=\"");
  html_esc(&b, who);
  html_put(&b, "\"><input type=\"search\" name=\"q\" placeholder=\"search\" value=\"");
  html_esc(&b, q ? q : "");
  html_put(&b, "\"> <button type=\"submit\">Search</button></form>");
  html_put(&b, "<form method=\"post\" action=\"/approval\" id=\"contacts-form\">");
  csrf_field(p, &b);
  html_printf(&b, "<input type=\"hidden\" name=\"run\" value=\"%lld\"><input type=\"hidden\" name=\"step\" value=\"", r);
  html_esc(&b, step);
  html_put(&b, "\"><input type=\"hidden\" name=\"for\" value=\"");
  html_esc(&b, who);
  html_printf(&b, "\"><table id=\"contacts\"><tr><th>%s</th><th>Key</th>",
              open ? "<input type=\"checkbox\" id=\"select-all\" title=\"select all\" hidden>" : "");
  for (int i = 0; i < ncols; i++) {
    html_put(&b, "<th>");
    html_esc(&b, names[i]);
    html_put(&b, "</th>");
  }
  html_put(&b, "<th>State</th></tr>");
  st = db_prepare(p->db, sql.s);
  free(sql.s);
  if (st) {
    db_bind_int(st, 1, r);
    db_bind_text(st, 2, step);
    db_bind_text(st, 3, who);
    if (q && *q) {
      char like[300];
      snprintf(like, sizeof like, "%%%s%%", q);
      db_bind_text(st, 4, like);
    }
  }
  int rows = 0;
  while (st && db_step(st) == 1) {
    rows++;
    html_put(&b, "<tr><td>");
    if (open) {
      html_put(&b, "<input type=\"checkbox\" name=\"key\" value=\"");
      html_esc(&b, text(st, 0));
      html_put(&b, "\">");
    }
    html_put(&b, "</td><td class=\"key\">");
    html_esc(&b, text(st, 0));
    html_put(&b, "</td>");
    for (int i = 0; i < ncols; i++) {
      html_put(&b, "<td>");
      html_esc(&b, text(st, 2 + i));
      html_put(&b, "</td>");
    }
    html_put(&b, "<td class=\"state\">");
    html_esc(&b, text(st, 1));
    html_put(&b, "</td></tr>");
  }
  db_finalize(st);
  html_printf(&b, "</table><p class=\"muted\">%d contact%s shown%s.</p>", rows, rows == 1 ? "" : "s",
              rows == 1000 ? " (the first 1000: search to see others; “Approve all pending” takes them all)" : "");
  if (open)
    html_put(&b, "<p><button type=\"submit\" name=\"action\" value=\"approve\" id=\"approve-selected\">Approve selected</button> "
                 "<button type=\"submit\" name=\"action\" value=\"remove\" id=\"remove-selected\">Remove selected</button> "
                 "<button type=\"submit\" name=\"action\" value=\"approve_all\" id=\"approve-all\">Approve all pending</button></p>");
  html_put(&b, "</form>");
  page_frame(&p->out, "Contacts to approve", p->op, p->csrf, p->notice, b.s);
  free(b.s);
}

static void redirect(Page *p, const char *to) {
  p->status = 303;
  snprintf(p->redirect, sizeof p->redirect, "%s", to);
}

void post_order(Page *p) {
  const char *pkg = form_get(p->form, "package"), *action = form_get(p->form, "action");
  if (!pkg || !action || (strcmp(action, "order") && strcmp(action, "unsubscribe"))) return invalid(p, "which package and action?");
  json_t *params = json_object();
  for (int i = 0; i < p->form->n; i++)
    if (!strncmp(p->form->name[i], "p_", 2) && p->form->value[i][0])
      json_object_set_new(params, p->form->name[i] + 2, json_string(p->form->value[i]));
  char *pj = json_dumps(params, JSON_COMPACT);
  json_decref(params);
  char err[512] = "";
  int rc = distrib_order(p->db, p->op, pkg, pj, !strcmp(action, "unsubscribe"), p->now, err, sizeof err);
  free(pj);
  if (rc == DISTRIB_FORBIDDEN) return forbid(p, err);
  if (rc) return invalid(p, err);
  redirect(p, !strcmp(action, "unsubscribe") ? "/?done=unsubscribed" : "/?done=ordered");
}

void post_decide_order(Page *p) {
  const char *pkg = form_get(p->form, "package"), *entity = form_get(p->form, "entity");
  const char *d = form_get(p->form, "decision");
  if (!pkg || !entity || !d || (strcmp(d, "approve") && strcmp(d, "reject"))) return invalid(p, "which order and decision?");
  char err[512] = "";
  int rc = distrib_decide_order(p->db, p->op, pkg, entity, !strcmp(d, "approve"), p->now, err, sizeof err);
  if (rc == DISTRIB_FORBIDDEN) return forbid(p, err);
  if (rc) return invalid(p, err);
  redirect(p, "/?done=decided");
}

void post_approval(Page *p) {
  const char *run = form_get(p->form, "run"), *step = form_get(p->form, "step");
  const char *action = form_get(p->form, "action");
  char *end = NULL;
  long long r = run ? strtoll(run, &end, 10) : 0;
  if (!run || !step || !action || *end || r < 1) return invalid(p, "which approval and action?");
  static const char *keys[FORM_MAX];
  int n = 0;
  for (int i = 0; i < p->form->n && n < FORM_MAX; i++)
    if (!strcmp(p->form->name[i], "key")) keys[n++] = p->form->value[i];
  int all = !strcmp(action, "approve_all"), approve = all || !strcmp(action, "approve");
  if (!all && strcmp(action, "approve") && strcmp(action, "remove")) return invalid(p, "unknown action");
  if (!all && !n) return invalid(p, "select contacts first");
  char err[512] = "";
  int64_t changed = 0;
  const char *who = form_get(p->form, "for");
  int rc = distrib_decide_contacts(p->db, p->op, who, r, step, keys, all ? -1 : n, approve, p->now, &changed, err, sizeof err);
  if (rc == DISTRIB_FORBIDDEN) return forbid(p, err);
  if (rc) return invalid(p, err);
  char to[400];
  Html esc = {0};
  for (const char *c = step; *c; c++) {
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_') html_printf(&esc, "%c", *c);
    else html_printf(&esc, "%%%02X", (unsigned char)*c);
  }
  if (who && *who) {
    /* the group's name goes back into the URL: a checked identifier */
    html_put(&esc, "&for=");
    for (const char *c = who; *c; c++) {
      if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_') html_printf(&esc, "%c", *c);
      else html_printf(&esc, "%%%02X", (unsigned char)*c);
    }
  }
  snprintf(to, sizeof to, "/approval?run=%lld&step=%s&done=%lld", r, esc.s ? esc.s : "", (long long)changed);
  free(esc.s);
  redirect(p, to);
}
