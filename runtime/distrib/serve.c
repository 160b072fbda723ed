/* serve.c — `camp serve`: the distributed-marketing web page on
 * libmicrohttpd (see distrib.h).  One polling thread handles every request,
 * so the one database connection is used by one thread.  Sessions: a random
 * token (libsodium) in an HttpOnly SameSite=Strict cookie, only its hash in
 * camp_distrib_sessions; every POST carries the session's CSRF token,
 * compared in constant time; logging in starts a new session (the login
 * form's pre-session is discarded), logging out deletes it. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/db/store.h"
#include "runtime/distrib/serve_html.h"

enum { MAX_BODY = 64 * 1024, SESSION_HOURS = 8 };

typedef struct Server {
  Db *db;
  char fixed_now[20];
  int login_limit;
  int64_t login_window;
} Server;

/* Per connection: the POST body being parsed. */
typedef struct Conn {
  struct MHD_PostProcessor *pp;
  Form form;
  size_t total;
  int too_big;
} Conn;

static void clock_now(Server *s, char out[20]) {
  if (s->fixed_now[0]) snprintf(out, 20, "%s", s->fixed_now);
  else store_now(out);
}

static void plus_hours(const char *ts, int h, char out[20]) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(ts, "%Y-%m-%d %H:%M:%S", &tm); /* ts may be out */
  out[0] = 0;
  if (!end) return;
  time_t t = timegm(&tm) + (time_t)h * 3600;
  struct tm r;
  if (gmtime_r(&t, &r)) strftime(out, 20, "%Y-%m-%d %H:%M:%S", &r);
}

static void form_add(Form *f, const char *k, const char *v, size_t vlen) {
  if (f->n >= FORM_MAX) {
    f->overflow = 1;
    return;
  }
  f->name[f->n] = strdup(k);
  f->value[f->n] = strndup(v ? v : "", vlen);
  f->n++;
}

static void form_free(Form *f) {
  for (int i = 0; i < f->n; i++) {
    free(f->name[i]);
    free(f->value[i]);
  }
  f->n = 0;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                 const char *type, const char *enc, const char *data, uint64_t off, size_t size) {
  (void)kind, (void)filename, (void)type, (void)enc;
  Conn *c = cls;
  if (off > 0 && c->form.n && !strcmp(c->form.name[c->form.n - 1], key)) {
    /* continuation of the previous value */
    char *old = c->form.value[c->form.n - 1];
    size_t ol = strlen(old);
    char *nv = malloc(ol + size + 1);
    if (!nv) return MHD_NO;
    memcpy(nv, old, ol);
    memcpy(nv + ol, data, size);
    nv[ol + size] = 0;
    free(old);
    c->form.value[c->form.n - 1] = nv;
    return MHD_YES;
  }
  form_add(&c->form, key, data, size);
  return MHD_YES;
}

static enum MHD_Result get_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  form_add(cls, key, value, value ? strlen(value) : 0);
  return MHD_YES;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *body, const char *location,
                               const char *cookie) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
  MHD_add_response_header(r, "Content-Security-Policy", serve_csp());
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  if (location) MHD_add_response_header(r, "Location", location);
  if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
  enum MHD_Result rc = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return rc;
}

static void token_hash(const char *token, char out[65]) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
  sodium_bin2hex(out, 65, h, sizeof h);
}

static void random_hex(char out[65]) {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  sodium_bin2hex(out, 65, b, sizeof b);
}

typedef struct Session {
  int valid;
  char hash[65];
  char login[72];
  char csrf[65];
} Session;

static void session_load(Server *s, struct MHD_Connection *c, const char *now, Session *out) {
  memset(out, 0, sizeof *out);
  const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "camp_session");
  if (!tok || strlen(tok) != 64) return;
  token_hash(tok, out->hash);
  DbStmt *st = db_prepare(s->db, "SELECT login, csrf FROM camp_distrib_sessions WHERE token_hash = ? AND expires_at > ?");
  if (!st) return;
  db_bind_text(st, 1, out->hash);
  db_bind_text(st, 2, now);
  if (db_step(st) == 1) {
    DbValue l = db_column(st, 0), k = db_column(st, 1);
    snprintf(out->login, sizeof out->login, "%s", l.kind == DBV_TEXT ? l.s : "");
    snprintf(out->csrf, sizeof out->csrf, "%s", k.kind == DBV_TEXT ? k.s : "");
    out->valid = 1;
  }
  db_finalize(st);
}

/* A new session for login ("" = the login form's); the cookie header into
 * cookie. */
static int session_new(Server *s, const char *login, const char *now, Session *out, char *cookie, size_t n) {
  char tok[65], exp[20];
  random_hex(tok);
  memset(out, 0, sizeof *out);
  token_hash(tok, out->hash);
  random_hex(out->csrf);
  snprintf(out->login, sizeof out->login, "%s", login);
  plus_hours(now, SESSION_HOURS, exp);
  /* expired sessions go when new ones come */
  DbStmt *gc = db_prepare(s->db, "DELETE FROM camp_distrib_sessions WHERE expires_at <= ?");
  if (gc) {
    db_bind_text(gc, 1, now);
    db_step(gc);
    db_finalize(gc);
  }
  DbStmt *st = db_prepare(s->db, "INSERT INTO camp_distrib_sessions(token_hash, login, csrf, created_at, expires_at)"
                                 " VALUES (?, ?, ?, ?, ?)");
  if (!st) return -1;
  db_bind_text(st, 1, out->hash);
  db_bind_text(st, 2, login);
  db_bind_text(st, 3, out->csrf);
  db_bind_text(st, 4, now);
  db_bind_text(st, 5, exp);
  int rc = db_step(st) < 0 ? -1 : 0;
  db_finalize(st);
  snprintf(cookie, n, "camp_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d", tok, SESSION_HOURS * 3600);
  sodium_memzero(tok, sizeof tok);
  out->valid = rc == 0;
  return rc;
}

static void session_delete(Server *s, const char *hash) {
  DbStmt *st = db_prepare(s->db, "DELETE FROM camp_distrib_sessions WHERE token_hash = ?");
  if (!st) return;
  db_bind_text(st, 1, hash);
  db_step(st);
  db_finalize(st);
}

static int csrf_ok(const Session *ses, const Form *f) {
  const char *t = form_get(f, "csrf");
  return ses->valid && t && strlen(t) == 64 && sodium_memcmp(t, ses->csrf, 64) == 0;
}

static enum MHD_Result login_page(struct MHD_Connection *c, unsigned status, const Session *ses, const char *cookie,
                                  const char *msg) {
  Html b = {0}, out = {0};
  if (msg) {
    html_put(&b, "<p class=\"error\" id=\"error\">");
    html_esc(&b, msg);
    html_put(&b, "</p>");
  }
  html_put(&b, "<form method=\"post\" action=\"/login\" id=\"login\"><input type=\"hidden\" name=\"csrf\" value=\"");
  html_esc(&b, ses->csrf);
  html_put(&b, "\"><p><label>Login <input type=\"text\" name=\"login\" autocomplete=\"username\" required></label></p>"
               "<p><label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required>"
               "</label></p><p><button type=\"submit\">Log in</button></p></form>");
  page_frame(&out, "Log in", NULL, NULL, NULL, b.s);
  enum MHD_Result rc = respond(c, status, out.s, NULL, cookie);
  free(b.s);
  free(out.s);
  return rc;
}

static enum MHD_Result forbidden(struct MHD_Connection *c, const char *why) {
  Html b = {0}, out = {0};
  html_put(&b, "<p class=\"error\" id=\"error\">Refused: ");
  html_esc(&b, why);
  html_put(&b, "</p><p><a href=\"/login\">Log in</a></p>");
  page_frame(&out, "Refused", NULL, NULL, NULL, b.s);
  enum MHD_Result rc = respond(c, 403, out.s, NULL, NULL);
  free(b.s);
  free(out.s);
  return rc;
}

/* The client's address as text ("" if unknown). */
static void client_ip(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN]) {
  out[0] = 0;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !ci->client_addr) return;
  const struct sockaddr *sa = ci->client_addr;
  if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, INET6_ADDRSTRLEN);
}

static enum MHD_Result too_many(struct MHD_Connection *c, const Session *ses, const char *until) {
  char msg[200];
  snprintf(msg, sizeof msg, "too many failed logins: try again after %s UTC", until);
  Html b = {0}, out = {0};
  html_put(&b, "<p class=\"error\" id=\"error\">");
  html_esc(&b, msg);
  html_put(&b, "</p><form method=\"post\" action=\"/login\" id=\"login\"><input type=\"hidden\" name=\"csrf\" value=\"");
  html_esc(&b, ses->csrf);
  html_put(&b, "\"><p><label>Login <input type=\"text\" name=\"login\" autocomplete=\"username\" required></label></p>"
               "<p><label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required>"
               "</label></p><p><button type=\"submit\">Log in</button></p></form>");
  page_frame(&out, "Log in", NULL, NULL, NULL, b.s);
  enum MHD_Result rc = respond(c, 429, out.s, NULL, NULL);
  free(b.s);
  free(out.s);
  return rc;
}

static enum MHD_Result route(Server *s, struct MHD_Connection *c, const char *url, int post, Form *form) {
  char now[20], cookie[256];
  clock_now(s, now);
  Session ses;
  session_load(s, c, now, &ses);
  if (!strcmp(url, "/login")) {
    if (!post) {
      /* a pre-session carries the login form's CSRF token; an open one is
       * kept, so a second load of the page (or a favicon request sent to
       * it) does not void the form on screen */
      if (ses.valid && !ses.login[0]) return login_page(c, 200, &ses, NULL, NULL);
      if (session_new(s, "", now, &ses, cookie, sizeof cookie)) return forbidden(c, "database error");
      return login_page(c, 200, &ses, cookie, NULL);
    }
    if (!csrf_ok(&ses, form) || ses.login[0]) return forbidden(c, "the form has expired: open the login page again");
    const char *login = form_get(form, "login"), *pw = form_get(form, "password");
    char ip[INET6_ADDRSTRLEN], until[20];
    client_ip(c, ip);
    /* refused before the password is even looked at, right or wrong */
    if (distrib_login_blocked(s->db, login, ip, now, s->login_limit, s->login_window, until))
      return too_many(c, &ses, until);
    DistOp op;
    if (!login || !pw || distrib_op_load(s->db, login, &op) || !distrib_check_password(s->db, login, pw)) {
      if (s->login_limit > 0) distrib_login_failed(s->db, login, ip, now, s->login_window);
      return login_page(c, 403, &ses, NULL, "wrong login or password");
    }
    distrib_login_succeeded(s->db, login);
    session_delete(s, ses.hash);
    Session fresh;
    if (session_new(s, login, now, &fresh, cookie, sizeof cookie)) return forbidden(c, "database error");

    return respond(c, 303, "", "/", cookie);
  }
  DistOp op;
  int logged = ses.valid && ses.login[0] && distrib_op_load(s->db, ses.login, &op) == 0;
  if (!logged) {
    if (post) return forbidden(c, "not logged in");
    if (strcmp(url, "/") && strcmp(url, "/approval")) {
      Html out = {0};
      page_frame(&out, "Not found", NULL, NULL, NULL, "<p>No such page. <a href=\"/login\">Log in</a></p>");
      enum MHD_Result rc = respond(c, 404, out.s, NULL, NULL);
      free(out.s);
      return rc;
    }
    return respond(c, 303, "", "/login", NULL);
  }
  if (post && !csrf_ok(&ses, form)) return forbidden(c, "the form's token does not match your session");
  if (post && !strcmp(url, "/logout")) {
    session_delete(s, ses.hash);
    return respond(c, 303, "", "/login", "camp_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  }
  Page p = {.db = s->db, .op = &op, .csrf = ses.csrf, .now = now, .form = form, .status = 200};
  const char *done = form_get(form, "done");
  char notice[128];
  if (done) {
    snprintf(notice, sizeof notice, "%s%s", strspn(done, "0123456789") == strlen(done) ? "contacts changed: " : "",
             done);
    p.notice = notice;
  }
  if (!post && !strcmp(url, "/")) page_home(&p);
  else if (!post && !strcmp(url, "/approval")) page_approval(&p);
  else if (post && !strcmp(url, "/order")) post_order(&p);
  else if (post && !strcmp(url, "/orders/decide")) post_decide_order(&p);
  else if (post && !strcmp(url, "/approval")) post_approval(&p);
  else if (post && !strcmp(url, "/child")) post_child(&p);
  else {
    p.status = 404;
    page_frame(&p.out, "Not found", &op, ses.csrf, NULL, "<p>No such page. <a href=\"/\">Home</a></p>");
  }
  enum MHD_Result rc = p.status == 303 ? respond(c, 303, "", p.redirect, NULL)
                                       : respond(c, (unsigned)p.status, p.out.s ? p.out.s : "", NULL, NULL);
  free(p.out.s);
  return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
  (void)version;
  Server *s = cls;
  int post = !strcmp(method, "POST");
  if (!post && strcmp(method, "GET") && strcmp(method, "HEAD")) return forbidden(c, "method not allowed");
  Conn *cn = *con_cls;
  if (!cn) {
    cn = calloc(1, sizeof *cn);
    if (!cn) return MHD_NO;
    *con_cls = cn;
    if (post) {
      cn->pp = MHD_create_post_processor(c, 4096, post_iter, cn);
      if (!cn->pp) cn->too_big = 1; /* not a urlencoded/multipart form */
    }
    return MHD_YES;
  }
  if (post && *upload_size) {
    cn->total += *upload_size;
    if (cn->total > MAX_BODY) cn->too_big = 1;
    if (!cn->too_big && cn->pp) MHD_post_process(cn->pp, upload_data, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (cn->too_big) return forbidden(c, "the request is too large or not a form");
  if (!post) MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, get_iter, &cn->form);
  if (cn->form.overflow) return forbidden(c, "too many form fields");
  return route(s, c, url, post, &cn->form);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t) {
  (void)cls, (void)c, (void)t;
  Conn *cn = *con_cls;
  if (!cn) return;
  if (cn->pp) MHD_destroy_post_processor(cn->pp);
  form_free(&cn->form);
  free(cn);
  *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, char *err, size_t errlen) {
  const char *colon = strrchr(listen, ':');
  if (!colon || colon == listen) {
    snprintf(err, errlen, "--listen: write HOST:PORT (e.g. 127.0.0.1:8080)");
    return -1;
  }
  char host[256];
  snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
  if (host[0] == '[' && host[strlen(host) - 1] == ']') {
    memmove(host, host + 1, strlen(host));
    host[strlen(host) - 1] = 0;
  }
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535 || !colon[1]) {
    snprintf(err, errlen, "--listen: `%s` is not a port number", colon + 1);
    return -1;
  }
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
  int g = getaddrinfo(host, NULL, &hints, &res);
  if (g != 0 || !res) {
    snprintf(err, errlen, "--listen: cannot resolve `%s`: %s", host, gai_strerror(g));
    return -1;
  }
  memset(ss, 0, sizeof *ss);
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (ss->ss_family == AF_INET) ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
  else ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
  return 0;
}

int distrib_serve(const DistServeOptions *o) {
  char err[1024];
  if (sodium_init() < 0) {
    fprintf(stderr, "camp serve: libsodium cannot start\n");
    return 1;
  }
  serve_csp_init();
  struct sockaddr_storage ss;
  if (parse_listen(o->listen, &ss, err, sizeof err)) {
    fprintf(stderr, "camp serve: %s\n", err);
    return 2;
  }
  Server s = {0};
  snprintf(s.fixed_now, sizeof s.fixed_now, "%s", o->now ? o->now : "");
  s.login_limit = o->login_limit;
  s.login_window = o->login_window;
  s.db = db_open(o->db, DB_OPEN_READWRITE, err, sizeof err);
  if (!s.db) {
    fprintf(stderr, "camp serve: %s\n", err);
    return 1;
  }
  if (store_migrate(s.db, err, sizeof err)) {
    fprintf(stderr, "camp serve: %s\n", err);
    db_close(s.db);
    return 1;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
  if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
  struct MHD_Daemon *d = MHD_start_daemon(flags, 0, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR,
                                          (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 256u,
                                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
                                          MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_NOTIFY_COMPLETED,
                                          request_done, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "camp serve: cannot listen on %s (address in use or not available?)\n", o->listen);
    db_close(s.db);
    return 1;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  char host[300];
  const char *colon = strrchr(o->listen, ':');
  snprintf(host, sizeof host, "%.*s", (int)(colon - o->listen), o->listen);
  printf("camp serve: listening on http://%s:%d\n", host, info ? info->port : 0);
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  db_close(s.db);
  printf("camp serve: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  return 0;
}
