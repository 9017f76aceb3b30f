/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scale-trace: a large trace made deterministically from real captures,
 * for make bench.  The event records of the inputs are repeated, copy k
 * shifted by k times their span in time, with walk and snapshot ids moved
 * past every earlier copy's and sp/parent pointers moved by k pages, so every copy is
 * a valid capture's worth of fresh walks; seq is renumbered per CPU; one
 * header first, one trailer last.
 *
 *   scale-trace BYTES OUT IN.trace...
 *
 * With --walks N --id-step S it stops after N walk records instead, and
 * multiplies every walk id by S: S = 2 leaves every other id missing, as
 * lost walk records do, against S = 1 for the same walks with dense ids.
 *
 *   scale-trace --walks N --id-step S OUT IN.trace...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CPUS 4096
#define MAX_LINE 65536

typedef struct {
  char **lines;
  size_t n, cap;
  uint64_t first_ts, last_ts, max_walk, max_snap;
  char header[1024];
} Input;

static void
add_line(Input *in, const char *s)
{
  if (in->n == in->cap) {
    in->cap = in->cap ? in->cap * 2 : 1024;
    in->lines = realloc(in->lines, in->cap * sizeof *in->lines);
  }
  in->lines[in->n++] = strdup(s);
}

/* Read the event records of every input, merged in time order by a simple
 * insertion of whole files one after another (each file is time-ordered;
 * interleaving them is not needed for the readers' costs). */
static void
read_input(Input *in, const char *path)
{
  char line[MAX_LINE];
  FILE *f = fopen(path, "r");

  if (!f) {
    perror(path);
    exit(2);
  }
  while (fgets(line, sizeof line, f)) {
    uint64_t ts, walk;
    char kind[32];

    if (line[0] == '#' || line[0] == '\n')
      continue;
    if (strncmp(line, "kvmmmu ", 7) == 0) {
      if (!in->header[0]) {
        strncpy(in->header, line, sizeof in->header - 1);
        in->header[sizeof in->header - 1] = '\0';
      }
      continue;
    }
    if (sscanf(line, "%31s %" SCNu64, kind, &ts) != 2 || strcmp(kind, "end") == 0)
      continue;
    if (!in->first_ts || ts < in->first_ts)
      in->first_ts = ts;
    if (ts > in->last_ts)
      in->last_ts = ts;
    if ((strcmp(kind, "walk") == 0 || strcmp(kind, "step") == 0) &&
        sscanf(line, "%*s %*s %*s %*s %" SCNu64, &walk) == 1 && walk > in->max_walk)
      in->max_walk = walk;
    if (strcmp(kind, "vcpu_root") == 0 &&
        sscanf(line, "%*s %*s %*s %*s %" SCNu64, &walk) == 1 && walk > in->max_snap)
      in->max_snap = walk; /* snapshot ids, fresh in each copy as walk ids are */
    add_line(in, line);
  }
  fclose(f);
}

static uint64_t seq[MAX_CPUS];
static uint64_t id_step = 1;  /* walk ids multiplied by this */
static uint64_t walks_written;
static uint64_t snap_shift;   /* snapshot ids of copy k: k times this later */

/* The token of a walk's parent: format 2 put kvm before it. */
static int walk_parent_tok = 6;

/* Write one record of copy k. */
static size_t
write_scaled(FILE *out, const char *line, uint64_t k, uint64_t dt, uint64_t dwalk)
{
  char buf[MAX_LINE], *tok[64], *save = NULL;
  int n = 0;
  uint64_t ts, cpu;
  size_t len = 0;
  int walkish;

  snprintf(buf, sizeof buf, "%s", line);
  buf[strcspn(buf, "\n")] = '\0';
  for (char *t = strtok_r(buf, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
    tok[n++] = t;
  if (n < 4)
    return 0;
  ts = (uint64_t)strtoull(tok[1], NULL, 10) + k * dt;
  cpu = (uint64_t)strtoull(tok[2], NULL, 10) % MAX_CPUS;
  walkish = strcmp(tok[0], "walk") == 0 || strcmp(tok[0], "step") == 0;
  walks_written += strcmp(tok[0], "walk") == 0;
  len += fprintf(out, "%s %" PRIu64 " %" PRIu64 " %" PRIu64, tok[0], ts, cpu, ++seq[cpu]);
  for (int i = 4; i < n; i++) {
    if (i == 4 && strcmp(tok[0], "vcpu_root") == 0) {
      len += fprintf(out, " %" PRIu64, (uint64_t)strtoull(tok[i], NULL, 10) + k * snap_shift);
    } else if (walkish && i == 4) {
      len += fprintf(out, " %" PRIu64, ((uint64_t)strtoull(tok[i], NULL, 10) + k * dwalk) * id_step);
    } else if (walkish && (strchr(tok[i], ',') || (i == walk_parent_tok && strcmp(tok[0], "walk") == 0) ||
                           (i == 6 && strcmp(tok[0], "step") == 0))) {
      /* sp pointers, alone or first in an item: a fresh page per copy */
      char *comma = strchr(tok[i], ',');
      uint64_t sp = (uint64_t)strtoull(tok[i], NULL, 16) + (k << 12);

      len += fprintf(out, " %" PRIx64 "%s", sp, comma ? comma : "");
    } else
      len += fprintf(out, " %s", tok[i]);
  }
  fputc('\n', out);
  return len + 1;
}

int
main(int argc, char **argv)
{
  Input in = { 0 };
  uint64_t want = 0, want_walks = 0, written = 0, k, dt, records = 0;
  char *skipped;
  FILE *out;

  if (argc >= 6 && strcmp(argv[1], "--walks") == 0 && strcmp(argv[3], "--id-step") == 0) {
    want_walks = (uint64_t)strtoull(argv[2], NULL, 10);
    id_step = (uint64_t)strtoull(argv[4], NULL, 10);
    argv += 3; /* OUT at argv[2], as for BYTES */
    argc -= 3;
  } else if (argc >= 4) {
    want = (uint64_t)strtoull(argv[1], NULL, 10);
  }
  if (argc < 4 || id_step == 0) {
    fprintf(stderr, "usage: %s BYTES OUT IN.trace...\n"
                    "       scale-trace --walks N --id-step S OUT IN.trace...\n", argv[0]);
    return 64;
  }
  for (int i = 3; i < argc; i++)
    read_input(&in, argv[i]);
  if (!in.n || !in.header[0]) {
    fprintf(stderr, "scale-trace: no records in the inputs\n");
    return 2;
  }
  out = fopen(argv[2], "w");
  if (!out) {
    perror(argv[2]);
    return 2;
  }
  dt = in.last_ts - in.first_ts + 1000000; /* each copy 1 ms after the last */
  snap_shift = in.max_snap;
  {
    /* the header, started at the first record's time */
    char rel[256], host[256], rest[512] = "";
    unsigned ver;

    sscanf(in.header, "kvmmmu %u %255s %255s %*s %511[^\n]", &ver, rel, host, rest);
    walk_parent_tok = ver >= 2 ? 7 : 6;
    written += fprintf(out, "kvmmmu %u %s %s %" PRIu64 " script=scaled\n", ver, rel, host, in.first_ts);
  }
  /* With --walks, the last copy leaves out the walks past the N-th and
   * their steps (which may come after other walks): by their ids in the input. */
  skipped = calloc(in.max_walk + 1, 1);
  for (k = 0; want_walks ? walks_written < want_walks : written < want; k++)
    for (size_t i = 0; i < in.n; i++) {
      int is_walk = strncmp(in.lines[i], "walk ", 5) == 0;
      uint64_t w;

      if (want_walks && (is_walk || strncmp(in.lines[i], "step ", 5) == 0) &&
          sscanf(in.lines[i], "%*s %*s %*s %*s %" SCNu64, &w) == 1 && w <= in.max_walk) {
        if (is_walk && walks_written == want_walks)
          skipped[w] = 1;
        if (skipped[w])
          continue;
      }
      written += write_scaled(out, in.lines[i], k, dt, in.max_walk);
      records++;
    }
  free(skipped);
  fprintf(out, "end %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " %" PRIu64 " 0 0\n",
          in.last_ts + (k - 1) * dt + 1, ++seq[0], records, records);
  fclose(out);
  fprintf(stderr, "scale-trace: %s: %" PRIu64 " copies, %" PRIu64 " records, %" PRIu64 " bytes\n",
          argv[2], k, records, written);
  return 0;
}
