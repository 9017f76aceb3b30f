/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report top: a trace as it is made, redrawn every --delay seconds
 * as kvm_stat redraws KVM's counters. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "model/live.h"

typedef struct {
  KvmmmuCli *cli;
  KvmmmuStats *stats;
  KvmmmuLive *live;
  KvmmmuTopFrame *frame;
  GString *out;
  gint64 delay_us, due_us;
  guint max_vcpus;
  gboolean tty, once, drawn;
} Top;

static void
draw(Top *t)
{
  g_string_truncate(t->out, 0);
  if (t->tty)
    g_string_append(t->out, "\033[H\033[2J"); /* home, clear: one frame on screen */
  else if (t->drawn)
    g_string_append_c(t->out, '\n');
  kvmmmu_render_top_frame(t->out, t->frame, t->live, t->stats, t->max_vcpus);
  fwrite(t->out->str, 1, t->out->len, stdout);
  fflush(stdout);
  t->drawn = TRUE;
  t->due_us = g_get_monotonic_time() + t->delay_us;
  if (t->once)
    t->cli->stop_reading = TRUE;
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  Top *t = data;

  kvmmmu_live_add(t->live, rec);
  if (g_get_monotonic_time() >= t->due_us)
    draw(t);
}

/* The input is quiet: a frame when one is due.  FALSE (end the input)
 * once --once has drawn its frame. */
static gboolean
on_idle(gpointer data)
{
  Top *t = data;

  if (g_get_monotonic_time() >= t->due_us)
    draw(t);
  return !t->cli->stop_reading;
}

/* -f: the file's bytes, as they are written, into a pipe the reader reads
 * as it reads stap's.  The thread only moves bytes: it shares nothing with
 * the report but the pipe and its stop flag.  It ends at the flag, or when
 * the reader has closed its end (SIGPIPE is blocked here: EPIPE). */
typedef struct {
  int in, out;
  gint stop;
} Follow;

static gpointer
follow_thread(gpointer data)
{
  Follow *f = data;
  char buf[65536];
  sigset_t pipe_sig;

  sigemptyset(&pipe_sig);
  sigaddset(&pipe_sig, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
  while (!g_atomic_int_get(&f->stop)) {
    ssize_t n = read(f->in, buf, sizeof buf);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    if (n == 0) {
      g_usleep(100000); /* the end for now: look again, as tail -f does */
      continue;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(f->out, buf + off, (size_t)(n - off));

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        goto out; /* the reader is gone */
      off += w;
    }
  }
out:
  close(f->out);
  close(f->in);
  return NULL;
}

int
kvmmmu_cmd_top(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuLive) live = kvmmmu_live_new();
  g_autoptr(KvmmmuTopFrame) frame = kvmmmu_top_frame_new();
  g_autoptr(GString) out = g_string_new("");
  gboolean once = FALSE, follow = FALSE;
  double delay = 1.0;
  gint vcpus = 20;
  guint64 bad_lines;
  Follow fol = { -1, -1, 0 };
  GThread *follower = NULL;
  Top t;
  int status;
  const GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once,
      "One frame, when the delay has passed or the input ended, then exit", NULL },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow,
      "Read FILE as it grows, as tail -f does, until SIGINT", NULL },
    { "delay", 0, 0, G_OPTION_ARG_DOUBLE, &delay, "Seconds between frames (default 1)", "S" },
    { "vcpus", 'n', 0, G_OPTION_ARG_INT, &vcpus, "Show at most N vCPUs (default 20)", "N" },
    { NULL },
  };

  if (!kvmmmu_cli_parse(&cli, "top",
                        "A trace as it is written (a pipe from stap, or -f FILE), redrawn every\n"
                        "second: walks, pages per walk, loads and prev_roots hits per vCPU, load\n"
                        "latency percentiles, and what was lost.",
                        entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  if (cli.format != KVMMMU_FORMAT_TEXT || !(delay >= 0.1 && delay <= 3600) || vcpus < 1 ||
      g_strv_length(cli.files) != 1 || cli.output || cli.bulk) {
    fprintf(stderr, "kvmmmu-report top: expected one FILE or -, text, --delay 0.1 to 3600 "
                    "seconds and --vcpus 1 or more\n");
    kvmmmu_cli_clear(&cli);
    return KVMMMU_EXIT_USAGE;
  }
  if (follow) {
    int p[2];

    if (strcmp(cli.files[0], "-") == 0) {
      fprintf(stderr, "kvmmmu-report top: -f follows a file, not stdin (a pipe is read as it "
                      "comes without it)\n");
      kvmmmu_cli_clear(&cli);
      return KVMMMU_EXIT_USAGE;
    }
    fol.in = open(cli.files[0], O_RDONLY | O_CLOEXEC);
    if (fol.in < 0 || pipe2(p, O_CLOEXEC) != 0) {
      fprintf(stderr, "kvmmmu-report top: cannot follow %s: %s\n", cli.files[0], g_strerror(errno));
      if (fol.in >= 0)
        close(fol.in);
      kvmmmu_cli_clear(&cli);
      return KVMMMU_EXIT_UNUSABLE;
    }
    fol.out = p[1];
    cli.follow = TRUE; /* the reader reads p[0], and names the file in its messages */
    cli.follow_fd = p[0];
    follower = g_thread_new("follow", follow_thread, &fol);
  }
  t = (Top){ &cli, stats, live, frame, out, (gint64)(delay * G_USEC_PER_SEC), 0, (guint)vcpus,
             isatty(STDOUT_FILENO), once, FALSE };
  t.due_us = g_get_monotonic_time() + t.delay_us;
  cli.shows_no_roles = TRUE;
  cli.quiet = TRUE; /* bad lines are totalled at the end, not scrolled over the frames */
  cli.idle_func = on_idle;
  cli.idle_data = &t;
  cli.idle_ms = MIN((guint)(delay * 1000), 250);
  status = kvmmmu_cli_read(&cli, stats, on_record, &t, &bad_lines);
  if (follower) {
    /* The reader has closed its end of the pipe: a write there fails. */
    g_atomic_int_set(&fol.stop, 1);
    g_thread_join(follower);
  }
  /* The last frame: what the whole input held (not after --once's). */
  if (!(once && t.drawn))
    draw(&t);
  kvmmmu_cli_clear(&cli);
  return status;
}
