/* snapshot_fd.c — the database file as the snapshot code reads it itself
 * (header fingerprint, page hashes).  POSIX record locks belong to a
 * process and an inode: closing *any* descriptor of the database file
 * drops every lock SQLite holds on it in this process.  Another process
 * could then take the write lock in the middle of our transaction, find
 * our rollback journal "hot" and roll it back under us (SQLite's "How To
 * Corrupt", 2.2): commits failed with SQLITE_IOERR_DELETE_NOENT and the
 * schema was damaged when `camp tick`s ran in parallel.  So each file is
 * opened once per process and its descriptor is never closed. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/engine/snapshot_impl.h"

typedef struct Held {
  dev_t dev;
  ino_t ino;
  int fd;
} Held;

static Held held[32];
static int nheld;

int snap_db_fd(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  for (int i = 0; i < nheld; i++)
    if (held[i].dev == st.st_dev && held[i].ino == st.st_ino) return held[i].fd;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (fstat(fd, &st) != 0) return -1; /* kept open all the same: see above */
  if (nheld < (int)(sizeof held / sizeof held[0])) held[nheld++] = (Held){st.st_dev, st.st_ino, fd};
  return fd;
}
