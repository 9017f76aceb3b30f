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

/* Open target (which exists) with flags and write data into it. */
static gboolean
write_in_place(const char *target, int flags, const char *what, const char *path,
               const char *data, gsize len, gboolean sync, GError **error)
{
  int fd = open(target, O_WRONLY | O_CLOEXEC | O_NOCTTY | flags);
  int e;

  if (fd < 0)
    return fail(error, what, path, errno);
  if (!write_all(fd, data, len) || (sync && fsync(fd) < 0)) {
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
  g_autofree char *dir = NULL, *base = NULL, *tmp = NULL;
  struct stat st;
  gboolean exists;
  int fd, e;

  if (!target)
    return fail(error, what, path, errno);
  exists = stat(target, &st) == 0;
  if (!exists && errno != ENOENT)
    return fail(error, what, path, errno);
  if (exists && S_ISDIR(st.st_mode))
    return is_dir(error, what, path);
  if (exists && !S_ISREG(st.st_mode))
    /* A device or FIFO: truncating means nothing, syncing may be refused. */
    return write_in_place(target, 0, what, path, data, len, FALSE, error);

  dir = g_path_get_dirname(target);
  base = g_path_get_basename(target);
  tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
  /* A new file: 0666 less the umask (open() applies it).  An existing one:
   * private until it has the original's mode. */
  fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, exists ? 0600 : 0666);
  if (fd < 0) {
    e = errno;
    if (exists && (e == EACCES || e == EPERM))
      return write_in_place(target, O_TRUNC, what, path, data, len, TRUE, error);
    return fail(error, what, path, e);
  }
  if (exists) {
    /* Owner first: changing it clears set-id bits that fchmod() then sets. */
    if (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) < 0)
      goto failed;
    if (fchmod(fd, st.st_mode & 07777) < 0)
      goto failed;
  }
  if (!write_all(fd, data, len) || fsync(fd) < 0)
    goto failed;
  if (close(fd) < 0) {
    fd = -1;
    goto failed;
  }
  fd = -1;
  if (rename(tmp, target) < 0)
    goto failed;
  return TRUE;

failed:
  e = errno;
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  return fail(error, what, path, e);
}
