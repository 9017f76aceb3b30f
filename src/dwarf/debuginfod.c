/* SPDX-License-Identifier: GPL-2.0-or-later */
/* debuginfod.c - see debuginfod.h. */
#define G_LOG_DOMAIN "kvmmmu"
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf/debuginfod.h"
#include "dwarf/layout.h"

/* The five calls used, as debuginfod_find_debuginfo(3) documents them; the
 * header (libdebuginfod-dev) checks them when it is installed. */
typedef struct debuginfod_client debuginfod_client;
typedef debuginfod_client *(*begin_fn)(void);
typedef int (*find_fn)(debuginfod_client *, const unsigned char *, int, char **);
typedef int (*progressfn_t)(debuginfod_client *, long, long);
typedef void (*set_progressfn_fn)(debuginfod_client *, progressfn_t);
typedef void (*set_user_data_fn)(debuginfod_client *, void *);
typedef void *(*get_user_data_fn)(debuginfod_client *);
typedef const char *(*get_url_fn)(debuginfod_client *);
typedef void (*end_fn)(debuginfod_client *);

#if defined(__has_include)
#if __has_include(<elfutils/debuginfod.h>)
#include <elfutils/debuginfod.h>
static G_GNUC_UNUSED begin_fn check_begin = debuginfod_begin;
static G_GNUC_UNUSED find_fn check_find = debuginfod_find_debuginfo;
static G_GNUC_UNUSED set_progressfn_fn check_progress = debuginfod_set_progressfn;
static G_GNUC_UNUSED set_user_data_fn check_set_data = debuginfod_set_user_data;
static G_GNUC_UNUSED get_user_data_fn check_get_data = debuginfod_get_user_data;
static G_GNUC_UNUSED get_url_fn check_url = debuginfod_get_url;
static G_GNUC_UNUSED end_fn check_end = debuginfod_end;
#endif
#endif

#define LIBDEBUGINFOD "libdebuginfod.so.1"

typedef struct {
  begin_fn begin;
  find_fn find;
  set_progressfn_fn set_progressfn;
  set_user_data_fn set_user_data;
  get_user_data_fn get_user_data;
  get_url_fn get_url;
  end_fn end;
  char *error; /* why the library cannot be used, NULL when it can */
} Lib;

static gpointer
lib_open(gpointer unused)
{
  Lib *lib = g_new0(Lib, 1);
  void *h = dlopen(LIBDEBUGINFOD, RTLD_NOW | RTLD_LOCAL);

  if (!h) {
    lib->error = g_strdup_printf("cannot load %s (Debian: libdebuginfod1): %s", LIBDEBUGINFOD,
                                 dlerror());
    return lib;
  }
  lib->begin = (begin_fn)dlsym(h, "debuginfod_begin");
  lib->find = (find_fn)dlsym(h, "debuginfod_find_debuginfo");
  lib->set_progressfn = (set_progressfn_fn)dlsym(h, "debuginfod_set_progressfn");
  lib->set_user_data = (set_user_data_fn)dlsym(h, "debuginfod_set_user_data");
  lib->get_user_data = (get_user_data_fn)dlsym(h, "debuginfod_get_user_data");
  lib->get_url = (get_url_fn)dlsym(h, "debuginfod_get_url");
  lib->end = (end_fn)dlsym(h, "debuginfod_end");
  if (!lib->begin || !lib->find || !lib->set_progressfn || !lib->set_user_data ||
      !lib->get_user_data || !lib->get_url || !lib->end)
    lib->error = g_strdup_printf("%s lacks the debuginfod_* calls of elfutils 0.179 or later",
                                 LIBDEBUGINFOD);
  return lib; /* kept open for the life of the process, as libdw does */
}

static const Lib *
lib_get(void)
{
  static GOnce once = G_ONCE_INIT;
  return g_once(&once, lib_open, NULL);
}

gboolean
kvmmmu_debuginfod_wanted(void)
{
  const char *urls = g_getenv("DEBUGINFOD_URLS");

  if (!urls)
    return FALSE;
  for (; *urls; urls++)
    if (!g_ascii_isspace(*urls))
      return TRUE;
  return FALSE;
}

typedef struct {
  const Lib *lib;
  const char *build_id;
  KvmmmuDebuginfodProgress progress;
  gpointer data;
} Call;

static int
on_progress(debuginfod_client *c, long done, long total)
{
  const Call *call = lib_get()->get_user_data(c);

  if (!call || !call->progress)
    return 0;
  return call->progress(call->build_id, call->lib->get_url(c), done, total > 0 ? total : 0,
                        call->data)
             ? 0
             : 1;
}

char *
kvmmmu_debuginfod_find(const char *build_id, KvmmmuDebuginfodProgress progress, gpointer data,
                       GError **error)
{
  const Lib *lib;
  debuginfod_client *client;
  Call call = { NULL, build_id, progress, data };
  char *path = NULL, *found;
  int fd;

  if (!kvmmmu_debuginfod_wanted()) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "DEBUGINFOD_URLS names no server");
    return NULL;
  }
  if (!build_id || !*build_id || strspn(build_id, "0123456789abcdef") != strlen(build_id) ||
      strlen(build_id) % 2) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "build-id '%s' is not lower-case hex",
                build_id ? build_id : "");
    return NULL;
  }
  lib = lib_get();
  if (lib->error) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "%s", lib->error);
    return NULL;
  }
  client = lib->begin();
  if (!client) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "debuginfod_begin failed: %s", g_strerror(errno));
    return NULL;
  }
  call.lib = lib;
  lib->set_user_data(client, &call);
  lib->set_progressfn(client, on_progress);
  /* A build-id length of 0: the build-id is given as a hex string. */
  fd = lib->find(client, (const unsigned char *)build_id, 0, &path);
  lib->end(client);
  if (fd < 0) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "no debuginfo for build-id %s from %s: %s",
                build_id, g_getenv("DEBUGINFOD_URLS"), g_strerror(-fd));
    free(path);
    return NULL;
  }
  close(fd);
  if (!path) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "debuginfod gave no path for build-id %s", build_id);
    return NULL;
  }
  found = g_strdup(path);
  free(path);
  return found;
}
