/* sender_file.c — direct mail to a drop directory (a print shop's
 * pick-up folder): the messages handed over together (up to 10,000) go
 * into one CSV file per run and step, with the extract's header, written
 * atomically (NAME.tmp, fsync, rename, directory fsync), followed by a
 * manifest NAME.manifest.json {"file", "rows", "sha256", ...} written the
 * same way.  A reader takes a CSV only once its manifest is there and the
 * SHA-256 matches. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/delivery/extract.h"
#include "runtime/delivery/sender.h"

enum { FILE_MAX_ROWS = 10000 };

static int mkdirs(const char *dir) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", dir);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, 0777) && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(tmp, 0777) && errno != EEXIST ? -1 : 0;
}

/* Writes data to path atomically. 0 or -1 (errno). */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len) {
  char tmp[4352], path[4352];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) return -1;
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      close(fd);
      unlink(tmp);
      return -1;
    }
    off += (size_t)w;
  }
  if (fsync(fd) || close(fd) || rename(tmp, path)) {
    unlink(tmp);
    return -1;
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd); /* best effort: the rename itself is durable */
    close(dfd);
  }
  return 0;
}

typedef struct Buf {
  char *s;
  size_t len, cap;
} Buf;

static void add(Buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1 << 16;
    while (cap < b->len + n + 1) cap *= 2;
    char *ns = realloc(b->s, cap);
    if (!ns) abort();
    b->s = ns;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

/* One group: jobs of one run and step, in id order. */
static void write_group(Sender *s, Job **jobs, int n) {
  Provider *pv = s->pv;
  Job *first = jobs[0];
  Buf b = {0};
  json_t *cols = first->columns ? json_loads(first->columns, 0, NULL) : NULL;
  size_t ncols = json_is_array(cols) ? json_array_size(cols) : 0;
  if (ncols) {
    const char **names = calloc(ncols, sizeof *names);
    if (!names) abort();
    for (size_t i = 0; i < ncols; i++) names[i] = json_string_value(json_array_get(cols, i));
    char *h = extract_row_csv(names, (int)ncols);
    add(&b, h, strlen(h));
    add(&b, "\n", 1);
    free(h);
    free(names);
  }
  json_decref(cols);
  for (int i = 0; i < n; i++) {
    add(&b, jobs[i]->body ? jobs[i]->body : "", jobs[i]->body ? strlen(jobs[i]->body) : 0);
    add(&b, "\n", 1);
    snprintf(jobs[i]->message_id, sizeof jobs[i]->message_id, "%s", jobs[i]->key);
  }
  unsigned char h[crypto_hash_sha256_BYTES];
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  crypto_hash_sha256(h, (const unsigned char *)(b.s ? b.s : ""), b.len);
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  char name[1024], mname[1100];
  snprintf(name, sizeof name, "%s_r%lld_%s_%lld-%lld.csv", first->campaign ? first->campaign : "camp",
           (long long)first->run_id, first->step, (long long)jobs[0]->id, (long long)jobs[n - 1]->id);
  for (char *p = name; *p; p++)
    if (*p == '/' || (unsigned char)*p < 0x20) *p = '_';
  snprintf(mname, sizeof mname, "%s.manifest.json", name);
  char at[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_t *man = json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:I}", "file", name, "rows", (json_int_t)n,
                          "sha256", hex, "run", (json_int_t)first->run_id, "step", first->step,
                          "campaign", first->campaign ? first->campaign : "", "created_at", at, "bytes",
                          (json_int_t)b.len);
  char *mtext = json_dumps(man, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(man);
  int rc = -1;
  if (s->dry_run) rc = 0;
  else if (mkdirs(pv->directory) == 0 && write_atomic(pv->directory, name, b.s ? b.s : "", b.len) == 0 &&
           write_atomic(pv->directory, mname, mtext, strlen(mtext)) == 0)
    rc = 0;
  int e = errno;
  for (int i = 0; i < n; i++) {
    Result *r = rc == 0 ? result_new(jobs[i], OUT_SENT, "%s %s", s->dry_run ? "dry run:" : "file", name)
                        : result_new(jobs[i], OUT_DEFERRED, "cannot write %s/%s: %s", pv->directory, name,
                                     strerror(e));
    if (rc) r->unavailable = 1;
    sender_note(s, r);
    resq_push(s->results, r);
  }
  free(mtext);
  free(b.s);
}

static int by_group(const void *a, const void *b) {
  const Job *x = *(Job *const *)a, *y = *(Job *const *)b;
  if (x->run_id != y->run_id) return x->run_id < y->run_id ? -1 : 1;
  int c = strcmp(x->step, y->step);
  if (c) return c;
  return x->id < y->id ? -1 : x->id > y->id;
}

static void *file_thread(void *arg) {
  Sender *s = arg;
  Job **batch = malloc(FILE_MAX_ROWS * sizeof *batch);
  if (!batch) abort();
  for (;;) {
    int n = 0;
    Job *j = jobq_pop(&s->jobs, 1);
    if (!j) break;
    batch[n++] = j;
    /* what the worker handed over together goes into one file */
    while (n < FILE_MAX_ROWS && (j = jobq_pop(&s->jobs, 0))) batch[n++] = j;
    if (s->stop) {
      for (int i = 0; i < n; i++) resq_push(s->results, sender_not_attempted(s, batch[i]));
      continue;
    }
    qsort(batch, (size_t)n, sizeof *batch, by_group);
    for (int i = 0; i < n;) {
      int k = i + 1;
      while (k < n && batch[k]->run_id == batch[i]->run_id && !strcmp(batch[k]->step, batch[i]->step)) k++;
      ratelimit_take(&s->rl); /* for a file provider: files per second */
      write_group(s, batch + i, k - i);
      i = k;
    }
  }
  free(batch);
  return NULL;
}

int file_start(Sender *s, char *err, size_t errlen) {
  if (pthread_create(&s->threads[0], NULL, file_thread, s)) {
    snprintf(err, errlen, "cannot start a sender thread");
    return -1;
  }
  s->nthreads = 1;
  return 0;
}
