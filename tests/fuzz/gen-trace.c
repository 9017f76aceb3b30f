/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen-trace SEED FILE: a trace that reads as a capture, written to FILE,
 * with the edges of every field, and on stdout the kvmmmu-report command
 * lines to run it with (one a line, the file left out).
 *
 * Every record is well formed by docs/record-format.md, but its numbers
 * are often 0, 1, 2^32-1, 2^63-1, 2^63 or 2^64-1; walk ids go backwards
 * and skip, CPUs and vCPUs are many or huge, steps come after their walk
 * is complete, lines are repeated, seq jumps; SystemTap's own lines carry
 * huge counts; a second capture may follow.  tests/fuzz/run-gen.sh runs
 * the commands and compares the ways of reading.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static uint64_t
next(void)
{
  /* splitmix64: the same trace for the same seed on every machine */
  uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static unsigned
below(unsigned n)
{
  return n ? next() % n : 0;
}

static int
chance(unsigned percent)
{
  return below(100) < percent;
}

static const uint64_t edges64[] = {
  0, 1, 2, 4294967295ull, 4294967296ull, 9223372036854775807ull, 9223372036854775808ull,
  18446744073709551615ull, 18446744073709551614ull,
};
static const uint32_t edges32[] = { 0, 1, 2, 15, 16, 17, 255, 256, 65535, 2147483647u,
                                    2147483648u, 4294967294u, 4294967295u };

/* usual most of the time, an edge at the rate the trace's profile asks */
static unsigned edge_rate;

static uint64_t
u64(uint64_t usual)
{
  return chance(edge_rate) ? edges64[below(sizeof edges64 / sizeof *edges64)] : usual;
}

static uint32_t
u32(uint32_t usual)
{
  return chance(edge_rate) ? edges32[below(sizeof edges32 / sizeof *edges32)] : usual;
}

static int64_t
s64(int64_t usual)
{
  static const int64_t edges[] = { 0, -1, -12, INT64_MIN, INT64_MAX, INT64_MIN + 1 };

  return chance(edge_rate) ? edges[below(sizeof edges / sizeof *edges)] : usual;
}

/* ---- the capture's state --------------------------------------------- */

#define MAX_CPUS 64
static uint32_t cpus[MAX_CPUS];
static uint64_t seqs[MAX_CPUS];
static unsigned n_cpus;
static uint64_t ts;
static uint64_t kvms[4];
static unsigned n_vcpus;

typedef struct {
  uint64_t id;
  unsigned cpu;         /* index into cpus */
  unsigned nr;
  uint64_t sp[16];
  uint32_t role[16];
  int parent[16];
  unsigned steps_done;
} Walk;

static Walk walks[8];
static unsigned n_walks;
static uint64_t next_walk_id;

static char line[8192];
static char last_line[8192];

static void
emit(FILE *out)
{
  fputs(line, out);
  strcpy(last_line, line);
  /* a repeated line: the same record twice */
  if (chance(edge_rate / 4 + 1))
    fputs(line, out);
}

static unsigned
pick_cpu(void)
{
  return below(n_cpus);
}

/* "kind ts cpu seq" of a record on CPU index c */
static int
head(const char *kind, unsigned c)
{
  uint64_t seq;

  if (chance(90))
    ts += below(2000000);
  else if (chance(50))
    ts = u64(ts - below(1000000)); /* back in time, or an edge */
  seq = ++seqs[c];
  if (chance(edge_rate / 3)) {
    seq = u64(seq + 1 + below(5));  /* a gap, or an edge */
    seqs[c] = seq;
  } else if (chance(edge_rate / 4) && seq > 2)
    seq -= 2;                       /* backwards */
  return snprintf(line, sizeof line, "%s %" PRIu64 " %" PRIu32 " %" PRIu64, kind, ts, cpus[c], seq);
}

static uint64_t
kvm(void)
{
  return kvms[below(4)];
}

static uint32_t
vcpu(void)
{
  return u32(below(n_vcpus));
}

static void
gen_walk(FILE *out)
{
  Walk *w = &walks[n_walks < 8 ? n_walks++ : below(8)];
  unsigned c = pick_cpu();
  int stack[8], depth = 0;
  unsigned level = 2 + below(3);
  int n;

  memset(w, 0, sizeof *w);
  if (chance(80))
    w->id = ++next_walk_id;
  else if (chance(50))
    w->id = (next_walk_id += 2 + below(100000));  /* sparse: walks lost */
  else
    w->id = u64(next_walk_id > 3 ? next_walk_id - below(3) : 1); /* back, or an edge */
  w->cpu = c;
  /* a tree in depth-first order: the parent first (idx INVALID_INDEX) */
  w->nr = 1 + below(chance(20) ? 16 : 8);
  for (unsigned i = 0; i < w->nr; i++) {
    unsigned lv;

    if (i == 0) {
      lv = level;
      w->parent[0] = -1;
    } else {
      while (depth > 1 && chance(30))
        depth--;
      lv = (w->role[stack[depth - 1]] & 0xf) - 1;
      if (lv < 1)
        lv = 1;
      w->parent[i] = stack[depth - 1];
    }
    w->sp[i] = chance(95) ? 0xffff8dd300000000ull + (next() & 0xfffff000) : u64(0);
    w->role[i] = chance(95) ? (0x3700 | lv) : u32(lv);
    if (lv > 1 && depth < 8)
      stack[depth++] = i;
  }
  n = head("walk", c);
  n += snprintf(line + n, sizeof line - n, " %" PRIu64 " %" PRIu32 " %" PRIx64 " %u", w->id,
                chance(90) ? 0 : u32(1), w->sp[0], w->nr);
  for (unsigned i = 0; i < w->nr; i++)
    n += snprintf(line + n, sizeof line - n, " %" PRIx64 ",%" PRIx32 ",%" PRIx64 ",%" PRIu32 ",%d",
                  w->sp[i], w->role[i], u64(next() & 0xfffff), i ? u32(below(512)) : 4294967295u,
                  (w->role[i] & 0xf) == 1);
  snprintf(line + n, sizeof line - n, "\n");
  emit(out);
}

static void
gen_step(FILE *out)
{
  Walk *w;
  unsigned i, c, k;
  int n, p;

  if (!n_walks)
    return;
  w = &walks[below(n_walks)];
  /* the next leaf of the walk, or any page (a wrong step), or past the end */
  for (i = 0; i < w->nr && ((w->role[i] & 0xf) != 1 || i < w->steps_done); i++)
    ;
  if (i >= w->nr || chance(10))
    i = below(w->nr);
  w->steps_done = i + 1;
  c = chance(95) ? w->cpu : pick_cpu();
  n = head("step", c);
  k = 0;
  for (p = w->parent[i]; p >= 0 && k < 5; p = w->parent[p])
    k++;
  n += snprintf(line + n, sizeof line - n, " %" PRIu64 " %" PRIu32 " %" PRIx64 " %u",
                chance(95) ? w->id : u64(w->id + 1), chance(95) ? i : u32(i), w->sp[i], k);
  for (p = w->parent[i]; p >= 0 && k > 0; p = w->parent[p], k--)
    n += snprintf(line + n, sizeof line - n, " %" PRIx64 ",%" PRIx32, w->sp[p], w->role[p]);
  snprintf(line + n, sizeof line - n, "\n");
  emit(out);
}

static void
gen_load(FILE *out)
{
  int n = head("load", pick_cpu());

  snprintf(line + n, sizeof line - n, " %" PRIx64 " %" PRIu32 " %" PRId64 " %" PRIu64 " %" PRIx64
           " %" PRIx64 " %" PRIx32 "\n", kvm(), vcpu(), s64(chance(95) ? 0 : -12),
           u64(300 + below(5000)), u64(0x2f394000 + (below(8) << 12)), u64(0x7000 + below(4096)),
           u32(0x3704));
  emit(out);
}

static void
gen_switch(FILE *out)
{
  static const char *const results[] = { "hit", "miss", "-" };
  int n = head("switch", pick_cpu());

  snprintf(line + n, sizeof line - n, " %" PRIx64 " %" PRIu32 " %" PRIx64 " %s\n", kvm(), vcpu(),
           u64(0x7000 + below(4096)), results[below(3)]);
  emit(out);
}

static uint64_t snap;

static void
gen_snapshot(FILE *out)
{
  unsigned n_entries = chance(80) ? 1 + below(4) : 1 + below(40); /* past the 16 a probe writes */
  uint64_t k = kvm(), s = u64(++snap);

  for (unsigned v = 0; v < n_entries; v++) {
    int n = head("vcpu_root", pick_cpu());

    snprintf(line + n, sizeof line - n, " %" PRIu64 " %" PRIx64 " %" PRIu32 " %" PRIx64 " %" PRIx64
             "\n", s, k, chance(90) ? v : vcpu(), u64(0x2f394000 + (below(8) << 12)),
             u64(0x7000));
    emit(out);
  }
}

static uint64_t tick;

static void
gen_load_rate(FILE *out)
{
  uint64_t t = u64(++tick), interval = u64(1000000000ull + below(1000));

  for (unsigned v = 0; v < 1 + below(4); v++) {
    int n = head("load_rate", pick_cpu());

    snprintf(line + n, sizeof line - n, " %" PRIu64 " %" PRIu64 " %" PRIx64 " %" PRIu32 " %" PRIu64
             "\n", t, interval, kvm(), vcpu(), u64(below(1000)));
    emit(out);
  }
}

static void
gen_stap(FILE *out)
{
  switch (below(4)) {
  case 0:
    snprintf(line, sizeof line, "WARNING: Number of errors: %" PRIu64 ", skipped probes: %" PRIu64
             "\n", u64(below(3)), u64(below(3)));
    break;
  case 1:
    snprintf(line, sizeof line, "There were %" PRIu64 " transport failures.\n", u64(below(3)));
    break;
  case 2:
    snprintf(line, sizeof line, "ERROR: read fault [man error::fault] at 0x%" PRIx64 "\n", u64(8));
    break;
  default:
    snprintf(line, sizeof line, "WARNING: probe overhead exceeded threshold\n");
    break;
  }
  fputs(line, out);
}

static void
gen_end(FILE *out, uint64_t records)
{
  int n = head("end", pick_cpu());

  snprintf(line + n, sizeof line - n, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
           u64(records), u64(records), u64(0), u64(0));
  fputs(line, out);
}

static void
gen_capture(FILE *out, unsigned profile)
{
  static const char *const releases[] = { "6.1.0-56-amd64", "5.10.0-46-amd64",
                                           "6.12.117+deb12-amd64", "7.2.13+deb14-amd64",
                                           "4.19.0-27-amd64", "9.9.9-unknown" };
  static const char *const hosts[] = { "lab", "a,b", "x\"y", "<b>&amp;", "h\xc3\xa9", "h\xff" };
  static const char *const scripts[] = { "zap_unsync", "root_hpa", "mmu_load_rate" };
  unsigned n_records = 1 + below(chance(20) ? 300 : 60);
  uint64_t written = 0;

  /* many CPUs, huge CPU numbers, or a few */
  n_cpus = chance(70) ? 1 + below(4) : 1 + below(MAX_CPUS);
  for (unsigned c = 0; c < n_cpus; c++) {
    cpus[c] = chance(80) ? c : u32(c * 97);
    seqs[c] = 0;
  }
  n_vcpus = chance(80) ? 1 + below(4) : 1 + below(3000);
  for (unsigned k = 0; k < 4; k++)
    kvms[k] = chance(90) ? 0xffffa0a000000000ull + k * 0x10000 : u64(k);
  n_walks = 0;
  next_walk_id = chance(90) ? 0 : u64(0);
  snap = tick = 0;
  ts = u64(1764000000000000000ull);
  fprintf(out, "kvmmmu 1 %s %s %" PRIu64, releases[below(6)], chance(80) ? "lab" : hosts[below(6)], ts);
  if (chance(80))
    fprintf(out, " script=%s", scripts[profile % 3]);
  if (chance(20))
    fprintf(out, " build_id=%" PRIx64, next());
  fputc('\n', out);

  for (unsigned r = 0; r < n_records; r++) {
    unsigned k = below(100);

    switch (profile % 3) {
    case 0: /* zap_unsync */
      k = k < 30 ? 0 : k < 90 ? 1 : k < 95 ? 2 : 6;
      break;
    case 1: /* root_hpa */
      k = k < 50 ? 2 : k < 75 ? 3 : k < 90 ? 4 : k < 95 ? 0 : 6;
      break;
    default: /* mmu_load_rate, loads and anything */
      k = k < 50 ? 5 : k < 70 ? 2 : k < 95 ? below(5) : 6;
      break;
    }
    switch (k) {
    case 0: gen_walk(out); break;
    case 1: gen_step(out); break;
    case 2: gen_load(out); break;
    case 3: gen_switch(out); break;
    case 4: gen_snapshot(out); break;
    case 5: gen_load_rate(out); break;
    default: gen_stap(out); break;
    }
    written++;
  }
  if (chance(85))
    gen_end(out, written);
}

/* ---- command lines ------------------------------------------------------ */

static const char *
format(const char *const *formats, unsigned n)
{
  return formats[below(n)];
}

static void
filters(void)
{
  if (chance(10))
    printf(" --cpu %" PRIu32 ",%" PRIu32, u32(0), u32(1));
  if (chance(10))
    printf(" --vcpu %" PRIu32, u32(0));
  if (chance(5))
    printf(" --vm %u", below(3));
  if (chance(8))
    printf(" --walk %" PRIu64 ",%" PRIu64, u64(1), u64(2));
  if (chance(8))
    printf(" --time %s", (const char *[]){ "0,1", ",0.5", "100ms,", "@0,@18446744073709551615",
                                           "0,0" }[below(5)]);
  if (chance(10))
    printf(" --abs-time");
  if (chance(5))
    printf(" --strict");
  if (chance(10))
    printf(" --quiet");
}

static void
commands(void)
{
  static const char *const fmts[] = { "", " --format json", " --format csv", "" };
  static const char *const sorts[] = { "pages", "leaves", "steps", "duration" };
  static const char *const rsorts[] = { "loads", "prev_roots_miss", "mean_load_ns", "max_load_ns" };
  static const char *const events[] = { "load", "load_rate", "walk", "step", "switch" };
  static const char *const intervals[] = { "1s", "100ms", "1ns", "500us", "3s" };

  printf("summary%s", format(fmts, 4));
  filters();
  printf("\nwalks");
  switch (below(5)) {
  case 0: printf(" --tree"); if (chance(50)) printf(" --kernel-style"); break;
  case 1: printf(" --format json"); break;
  case 2: printf(" --format csv"); break;
  case 3: printf(" --format dot"); break;
  default: printf(" --sort %s --top %u", sorts[below(4)], 1 + below(5)); break;
  }
  filters();
  printf("\nroots%s", format(fmts, 4));
  if (chance(40))
    printf(" --sort %s --top %u", rsorts[below(4)], below(4));
  filters();
  printf("\nhist%s", format(fmts, 4));
  if (chance(30))
    printf(" --latency");
  else if (chance(50))
    printf(" --event %s", events[below(5)]);
  if (chance(30))
    printf(" --interval %s", intervals[below(5)]);
  if (chance(30)) {
    int64_t a = chance(50) ? 0 : (int64_t)u64(0), b = chance(50) ? 100 : (int64_t)u64(1000);
    printf(" --linear %" PRId64 ",%" PRId64 ",%" PRId64, a, b, chance(70) ? 10 : (int64_t)u64(1));
  }
  filters();
  printf("\ncheck%s", format(fmts, 4));
  filters();
  printf("\nhtml --max-walks %u", below(4));
  filters();
  printf("\n");
}

int
main(int argc, char **argv)
{
  FILE *out;
  unsigned profile;

  if (argc != 3) {
    fprintf(stderr, "usage: gen-trace SEED FILE\n");
    return 64;
  }
  rng = strtoull(argv[1], NULL, 10);
  out = fopen(argv[2], "w");
  if (!out) {
    perror(argv[2]);
    return 2;
  }
  profile = below(3);
  edge_rate = (unsigned[]){ 1, 5, 20 }[below(3)];
  gen_capture(out, profile);
  if (chance(15))
    gen_capture(out, profile + below(3));
  if (fclose(out) != 0) {
    perror(argv[2]);
    return 2;
  }
  commands();
  return 0;
}
