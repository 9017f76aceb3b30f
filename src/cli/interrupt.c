/* SPDX-License-Identifier: GPL-2.0-or-later */
/* interrupt.c - SIGINT and SIGTERM end the input (interrupt.h). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/interrupt.h"

static const int caught[] = { SIGINT, SIGTERM };

static volatile sig_atomic_t got_signal;
static gboolean installed[G_N_ELEMENTS(caught)]; /* written before the handler can run */
static int wake[2] = { -1, -1 };
static guint64 records_read;

static void
on_signal(int sig)
{
  const int saved = errno;
  struct sigaction dfl = { .sa_handler = SIG_DFL };

  if (!got_signal)
    got_signal = sig;
  /* The next one kills, whichever it is. */
  for (guint i = 0; i < G_N_ELEMENTS(caught); i++)
    if (installed[i])
      sigaction(caught[i], &dfl, NULL);
  /* Left unread: the pipe stays readable, a flag every poll can see.  A
   * full pipe (never, with one byte a signal) would still be readable. */
  if (write(wake[1], "", 1) < 0) {
    /* nothing to do in a handler */
  }
  errno = saved;
}

int
kvmmmu_interrupt_begin(void)
{
  /* SA_RESTART: only the reader's poll() must return for a signal, and it
   * does whatever the flags say.  Output written while reading (walks
   * streams its dumps) must not fail with EINTR. */
  struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

  if (wake[0] < 0 && pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) {
    wake[0] = wake[1] = -1;
    return -1;
  }
  sigemptyset(&sa.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS(caught); i++)
    sigaddset(&sa.sa_mask, caught[i]);
  for (guint i = 0; i < G_N_ELEMENTS(caught); i++) {
    struct sigaction old;

    if (sigaction(caught[i], NULL, &old) < 0 || old.sa_handler == SIG_IGN)
      continue;
    installed[i] = TRUE;
    sigaction(caught[i], &sa, NULL);
  }
  return wake[0];
}

void
kvmmmu_interrupt_end(guint64 records)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigset_t block, old;

  /* The handler must not run half-way through this. */
  sigemptyset(&block);
  for (guint i = 0; i < G_N_ELEMENTS(caught); i++)
    sigaddset(&block, caught[i]);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  for (guint i = 0; i < G_N_ELEMENTS(caught); i++)
    if (installed[i]) {
      sigaction(caught[i], &dfl, NULL);
      installed[i] = FALSE;
    }
  records_read = records;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int
kvmmmu_interrupt_signal(void)
{
  return got_signal;
}

int
kvmmmu_interrupt_status(int status)
{
  const int sig = got_signal;

  if (!sig)
    return status;
  fprintf(stderr, "kvmmmu-report: interrupted by %s after %" G_GUINT64_FORMAT
          " records: the report covers what was read\n", sig == SIGINT ? "SIGINT" : "SIGTERM",
          records_read);
  return 128 + sig;
}
