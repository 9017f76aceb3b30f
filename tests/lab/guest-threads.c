/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-threads: the nested Linux guest's `threads` scenario
 * (tests/lab/guest-init.sh): many threads in one address space.
 *
 *   guest-threads ROUNDS THREADS
 *
 * Each round starts THREADS threads that each touch pages of their own
 * (stack and a fresh mapping) and yield a few times, then joins them.
 * Every switch between them stays in one page table, so the guest writes
 * CR3 only when another process runs: the contrast with `storm`, where
 * every process is a new address space.  Built static (make lab runs gcc
 * -static -pthread), as busybox is.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGES_PER_THREAD 16
#define YIELDS_PER_THREAD 8

static void *
worker(void *arg)
{
  size_t len = PAGES_PER_THREAD * 4096;
  char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  (void)arg;
  if (p == MAP_FAILED)
    return (void *)1;
  for (int y = 0; y < YIELDS_PER_THREAD; y++) {
    for (size_t off = 0; off < len; off += 4096)
      p[off] = (char)(off + y);
    sched_yield();
  }
  munmap(p, len);
  return NULL;
}

static long
number(const char *what, const char *s)
{
  char *end;
  long v = strtol(s, &end, 10);

  if (*s == '\0' || *end != '\0' || v < 1 || v > 4096) {
    fprintf(stderr, "guest-threads: %s must be a number from 1 to 4096, not '%s'\n", what, s);
    exit(2);
  }
  return v;
}

int
main(int argc, char **argv)
{
  long rounds, threads, failed = 0;
  pthread_t *tid;

  if (argc != 3) {
    fprintf(stderr, "usage: guest-threads ROUNDS THREADS\n");
    return 2;
  }
  rounds = number("ROUNDS", argv[1]);
  threads = number("THREADS", argv[2]);
  tid = calloc(threads, sizeof *tid);
  if (!tid)
    return 1;
  for (long r = 0; r < rounds; r++) {
    long started = 0;

    for (long i = 0; i < threads; i++) {
      if (pthread_create(&tid[i], NULL, worker, NULL) != 0)
        break;
      started++;
    }
    for (long i = 0; i < started; i++) {
      void *ret;

      pthread_join(tid[i], &ret);
      failed += ret != NULL;
    }
    failed += threads - started;
  }
  free(tid);
  printf("guest-threads: %ld rounds of %ld threads, %ld failed\n", rounds, threads, failed);
  return failed ? 1 : 0;
}
