/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-timed COMMAND [ARG...]: runs COMMAND with its output thrown away and
 * prints "SECONDS PEAK_RSS_KIB" on stdout: the wall time from before its
 * fork to after its exit was collected, and its peak resident set from
 * wait4().  make bench times every command this way.
 *
 * Timing with `date` before and after `/usr/bin/time` counted two extra
 * processes, about 2.5 ms a run on this machine's kind: a tenth of a
 * 100 MB report's time, and the same for every command, so it pulled every
 * ratio towards 1.  The fork and exec of the command itself are counted,
 * as they are part of running it.
 *
 * Exit status: the command's, or 128 + its signal; 127 if it could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
  struct rusage ru;
  double t0, t1;
  int status;
  pid_t pid;

  if (argc < 2) {
    fprintf(stderr, "usage: run-timed COMMAND [ARG...]\n");
    return 2;
  }
  t0 = now();
  pid = fork();
  if (pid < 0) {
    fprintf(stderr, "run-timed: fork: %s\n", strerror(errno));
    return 127;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);

    if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
      _exit(127);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  if (wait4(pid, &status, 0, &ru) != pid) {
    fprintf(stderr, "run-timed: wait4: %s\n", strerror(errno));
    return 127;
  }
  t1 = now();
  printf("%.6f %ld\n", t1 - t0, ru.ru_maxrss);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
