/* SPDX-License-Identifier: GPL-2.0-or-later */
/* output.c - a report written to a file the user named (output.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/output.h"

G_DEFINE_QUARK(kvmmmu-output-error-quark, kvmmmu_output_error)

/* As the kernel: more links than this in a row is a loop. */
#define MAX_LINKS 40

static gboolean
fail(GError **error, const char *what, const char *path, int e)
{
  g_set_error(error, KVMMMU_OUTPUT_ERROR, KVMMMU_OUTPUT_ERROR_IO,
              "Failed to write %s: path=%s: %s", what, path, g_strerror(e));
  return FALSE;
}

static gboolean
is_dir(GError **error, const char *what, const char *path)
{
  g_set_error(error, KVMMMU_OUTPUT_ERROR, KVMMMU_OUTPUT_ERROR_IS_DIR,
              "Cannot write %s: path=%s is a directory", what, path);
  return FALSE;
}

/* The file path's links lead to, which need not exist (a dangling link is
 * written through, creating its target, as a redirection does).  transfer
 * full; NULL with errno set. */
static char *
follow_links(const char *path)
{
  g_autofree char *cur = g_strdup(path);

  for (int i = 0; i < MAX_LINKS; i++) {
    struct stat st;
    g_autofree char *target = NULL, *dir = NULL;
    char buf[4096];
    ssize_t n;

    if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
      return g_steal_pointer(&cur); /* stat() of it says the rest */
    n = readlink(cur, buf, sizeof buf - 1);
    if (n < 0)
      return NULL;
    buf[n] = '\0';
    if (g_path_is_absolute(buf)) {
      target = g_strdup(buf);
    } else {
      dir = g_path_get_dirname(cur);
      target = g_build_filename(dir, buf, NULL);
    }
    g_free(cur);
    cur = g_steal_pointer(&target);
  }
  errno = ELOOP;
  return NULL;
}

gboolean
kvmmmu_output_check(const char *path, const char *what, GError **error)
{
  struct stat st;

  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return is_dir(error, what, path);
  return TRUE; /* anything else is found out when written */
}

static gboolean
write_all(int fd, const char *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, MIN(len, (gsize)1 << 30));

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO; /* no progress and no reason: the device took nothing */
      return FALSE;
    }
    data += n;
    len -= n;
  }
  return TRUE;
}

/* Room for len bytes in the open file fd, reserved before any byte of it
 * is written: a disk or quota that is full, or a file size limit, fails
 * here, before the old content is touched.  A file system that cannot
 * reserve (EOPNOTSUPP, EINVAL) is written without; glibc's fallback for it
 * writes only zero bytes past the end or into holes, never over content. */
static int
reserve(int fd, gsize len)
{
  int e;

  if (len == 0 || len > G_MAXINT64)
    return 0;
  e = posix_fallocate(fd, 0, (off_t)len);
  return e == EOPNOTSUPP || e == EINVAL ? 0 : e;
}

/* Write data into the open file fd from its start; a regular file is then
 * cut to len and synced. */
static gboolean
write_fd(int fd, gboolean regular, const char *what, const char *path, const char *data,
         gsize len, GError **error)
{
  int e = regular ? reserve(fd, len) : 0;

  if (e) {
    close(fd);
    return fail(error, what, path, e);
  }
  if (!write_all(fd, data, len) ||
      (regular && (ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0))) {
    e = errno;
    close(fd);
    return fail(error, what, path, e);
  }
  if (close(fd) < 0)
    return fail(error, what, path, errno);
  return TRUE;
}

gboolean
kvmmmu_output_write(const char *path, const char *what, const char *data, gsize len,
                    GError **error)
{
  g_autofree char *target = follow_links(path);
  struct stat st;
  int fd;

  if (!target)
    return fail(error, what, path, errno);
  if (stat(target, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return is_dir(error, what, path);
    /* The file itself, written through: its inode, links, mode, owner and
     * attributes stay; a device or FIFO is neither cut nor synced. */
    fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
      return fail(error, what, path, errno);
    return write_fd(fd, S_ISREG(st.st_mode), what, path, data, len, error);
  }
  if (errno != ENOENT)
    return fail(error, what, path, errno);
  /* A new file, 0666 less the umask; if it cannot be written whole, it
   * is ours to remove. */
  fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0)
    return fail(error, what, path, errno);
  if (!write_fd(fd, TRUE, what, path, data, len, error)) {
    unlink(target);
    return FALSE;
  }
  return TRUE;
}
