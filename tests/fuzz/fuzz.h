/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what every libFuzzer target of tests/fuzz/ shares.
 *
 * A target runs one kvmmmu-report command in process on the input, as
 * `kvmmmu-report COMMAND ARGS FILE` would: the reader, the command's model
 * and its renderers, the CLI around them.  An input is a trace, with two
 * optional additions that are comments to the reader:
 *
 *   #args: --format json --tracepoints @tp     the command's options (first line)
 *   kvmmmu 1 6.1.0-56-amd64 lab 1764000000000000000 script=zap_unsync
 *   ...
 *   #part: tp                                   a second file, named tp
 *   kvm-1234 [000] ...: kvm_mmu_prepare_zap_page: ...
 *
 * Each part becomes a file of its own (an anonymous file in memory) and
 * "@NAME" in the options stands for its path; the trace (everything before
 * the first "#part:") is the last argument (but with --bulk, whose files
 * are the parts named in the options).  So a crash file reproduces
 * with the real program:
 *
 *   kvmmmu-report COMMAND $(sed -n '1s/^#args://p' crash-...) crash-...
 *
 * (with its parts cut out into files, when it has any).  Options that
 * would print help and exit, write files or read files outside the input
 * (--output, --debuginfo, a path with '/') are left out; debuginfo is
 * never looked for, so role words decode with the built-in tables.
 *
 * Nothing may crash, leak, trip ASan or UBSan, exit other than 0, 1, 2 or
 * 64; JSON output must parse and an HTML page must be whole.
 */
#ifndef KVMMMU_FUZZ_H
#define KVMMMU_FUZZ_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#define FUZZ_MAX_PARTS 6
#define FUZZ_MAX_ARGS 32
#define FUZZ_MAX_ARG_LEN 256

typedef int (*FuzzCommandFunc)(int argc, char **argv);

/* ASan's quarantine holds freed memory back from reuse, so that a use
 * after free finds it poisoned: 256 MiB by default, which every input
 * cycled through, each allocation on memory long out of the caches (and
 * the pages faulted back in), most of a target's time.  32 MiB is many
 * times what one input frees; ASAN_OPTIONS still overrides it. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
  return "quarantine_size_mb=32";
}

/* stderr as it was before libFuzzer's -close_fd_mask=2 sent it away: where
 * a failed check says what failed. */
static int fuzz_report_fd = 2;

static void G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN
fuzz_fail(const char *fmt, ...)
{
  va_list ap;
  char *text;

  va_start(ap, fmt);
  text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (write(fuzz_report_fd, text, strlen(text)) < 0 || write(fuzz_report_fd, "\n", 1) < 0) {
    /* abort() below says enough */
  }
  g_free(text);
  abort();
}

/* ---- files in memory ------------------------------------------------- */

typedef struct {
  int fd;
  char path[40];
} FuzzFile;

static void
fuzz_file_init(FuzzFile *f, const char *name)
{
  f->fd = memfd_create(name, MFD_CLOEXEC);
  if (f->fd < 0)
    fuzz_fail("fuzz: memfd_create: %s", g_strerror(errno));
  snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* The file holds data[0..len) and nothing else; its own offset at 0. */
static void
fuzz_file_set(FuzzFile *f, const void *data, size_t len)
{
  if (ftruncate(f->fd, 0) != 0 || (len && pwrite(f->fd, data, len, 0) != (ssize_t)len) ||
      lseek(f->fd, 0, SEEK_SET) != 0)
    fuzz_fail("fuzz: writing %s: %s", f->path, g_strerror(errno));
}

/* ---- the input: options, the trace, its parts ------------------------- */

typedef struct {
  char name[16];
  const char *data;
  size_t len;
} FuzzPart;

typedef struct {
  const char *trace;            /* the main part, #args line included */
  size_t trace_len;
  char *args[FUZZ_MAX_ARGS];    /* owned; the options as given */
  int n_args;
  FuzzPart parts[FUZZ_MAX_PARTS];
  int n_parts;
} FuzzInput;

static const char *
fuzz_line_end(const char *p, const char *end)
{
  const char *nl = memchr(p, '\n', end - p);

  return nl ? nl + 1 : end;
}

/* An option the harness may pass on: none that prints help and exits,
 * writes a file, reads DWARF, or names a path of the machine. */
static gboolean
fuzz_arg_allowed(const char *a)
{
  static const char *const refused[] = { "--help", "--output", "--debuginfo" };

  if (!*a || strchr(a, '/'))
    return FALSE;
  if (a[0] == '-' && a[1] && a[1] != '-')
    return FALSE; /* short options, -h among them; each has a long form */
  for (guint i = 0; i < G_N_ELEMENTS(refused); i++)
    if (g_str_has_prefix(a, refused[i]))
      return FALSE;
  return TRUE;
}

static void
fuzz_input_parse(FuzzInput *in, const uint8_t *data, size_t size)
{
  const char *p = (const char *)data, *end = p + size;

  memset(in, 0, sizeof *in);
  in->trace = p;
  if (size >= 6 && memcmp(p, "#args:", 6) == 0) {
    const char *eol = fuzz_line_end(p, end);
    g_autofree char *line = g_strndup(p + 6, eol - p - 6);
    g_auto(GStrv) words = g_strsplit_set(line, " \t\r\n", -1);

    for (char **w = words; *w && in->n_args < FUZZ_MAX_ARGS; w++)
      if (strlen(*w) <= FUZZ_MAX_ARG_LEN && fuzz_arg_allowed(*w))
        in->args[in->n_args++] = g_strdup(*w);
  }
  /* parts: from a "#part: NAME" line to the next or the end */
  for (const char *q = p; q < end; q = fuzz_line_end(q, end)) {
    const char *eol;
    FuzzPart *part;
    size_t n;

    if ((size_t)(end - q) < 7 || memcmp(q, "#part: ", 7) != 0)
      continue;
    if (in->n_parts == 0)
      in->trace_len = q - p;
    else
      in->parts[in->n_parts - 1].len = q - in->parts[in->n_parts - 1].data;
    if (in->n_parts == FUZZ_MAX_PARTS)
      return; /* the rest is lost with the last part */
    eol = fuzz_line_end(q, end);
    part = &in->parts[in->n_parts++];
    n = 0;
    for (const char *c = q + 7; c < eol && n < sizeof part->name - 1 && g_ascii_isalnum(*c); c++)
      part->name[n++] = *c;
    part->data = eol;
    part->len = end - eol;
  }
  if (in->n_parts == 0)
    in->trace_len = size;
}

static void
fuzz_input_clear(FuzzInput *in)
{
  for (int i = 0; i < in->n_args; i++)
    g_free(in->args[i]);
}

/* ---- running a command ----------------------------------------------- */

static FuzzFile fuzz_out, fuzz_trace, fuzz_parts[FUZZ_MAX_PARTS];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_report_fd = dup(2);
  /* The locale as main() sets it, in the UTF-8 of most terminals: in the
   * C locale GOption passes every option's value through iconv, set up
   * anew for each (and that cost more than reading the input). */
  if (!setlocale(LC_ALL, "C.UTF-8"))
    setlocale(LC_ALL, "");
  setlocale(LC_NUMERIC, "C");
  /* Debuginfo found for a trace's release would be read for every input,
   * and differ from one machine to the next: the built-in tables only. */
  g_setenv("KVMMMU_DEBUGINFO_DIRS", "", TRUE);
  g_setenv("KVMMMU_THREADS", "0", TRUE);
  /* A reader's chunk buffers are allocated (and zeroed) whole for each
   * input: 512 KiB would cost more than the input's few KiB.  Any chunk
   * size gives the same records (fuzz-reader checks that). */
  g_setenv("KVMMMU_CHUNK_BYTES", "16384", TRUE);
  return 0;
}

/* On the first input, after libFuzzer has set up its own descriptors:
 * stdout goes to a file in memory, read after each command; stdin is an
 * empty file (an input "-" reads nothing rather than waiting). */
static void
fuzz_setup(void)
{
  static gboolean done;
  FuzzFile in;

  if (done)
    return;
  done = TRUE;
  fuzz_file_init(&fuzz_out, "stdout");
  fuzz_file_init(&fuzz_trace, "trace");
  for (int i = 0; i < FUZZ_MAX_PARTS; i++)
    fuzz_file_init(&fuzz_parts[i], "part");
  fuzz_file_init(&in, "stdin");
  if (dup2(fuzz_out.fd, 1) < 0 || dup2(in.fd, 0) < 0)
    fuzz_fail("fuzz: dup2: %s", g_strerror(errno));
  close(in.fd);
}

/* "@NAME" (alone or after "=") becomes the path of that part. */
static char *
fuzz_subst(const FuzzInput *in, const char *arg)
{
  const char *at = arg[0] == '@' ? arg : strstr(arg, "=@");

  if (!at)
    return g_strdup(arg);
  if (*at == '=')
    at++;
  for (int i = 0; i < in->n_parts; i++)
    if (strcmp(at + 1, in->parts[i].name) == 0)
      return g_strdup_printf("%.*s%s", (int)(at - arg), arg, fuzz_parts[i].path);
  return g_strdup(arg);
}

/* The value of the last --format, NULL when none. */
static const char *
fuzz_format(char **argv, int argc)
{
  const char *f = NULL;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
      f = argv[++i];
    else if (g_str_has_prefix(argv[i], "--format="))
      f = argv[i] + 9;
    else if (strcmp(argv[i], "--") == 0)
      break;
  }
  return f;
}

/* ---- checks on the output -------------------------------------------- */

typedef struct {
  const char *p, *end;
  int depth;
} FuzzJson;

static void
fuzz_json_ws(FuzzJson *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
    j->p++;
}

static gboolean fuzz_json_value(FuzzJson *j);

static gboolean
fuzz_json_string(FuzzJson *j)
{
  if (j->p >= j->end || *j->p != '"')
    return FALSE;
  for (j->p++; j->p < j->end; j->p++) {
    unsigned char c = *j->p;

    if (c == '"') {
      j->p++;
      return TRUE;
    }
    if (c < 0x20)
      return FALSE;
    if (c == '\\') {
      if (++j->p >= j->end)
        return FALSE;
      if (*j->p == 'u') {
        for (int k = 0; k < 4; k++)
          if (++j->p >= j->end || !g_ascii_isxdigit(*j->p))
            return FALSE;
      } else if (!strchr("\"\\/bfnrt", *j->p))
        return FALSE;
    }
  }
  return FALSE;
}

static gboolean
fuzz_json_number(FuzzJson *j)
{
  const char *s = j->p;

  if (j->p < j->end && *j->p == '-')
    j->p++;
  if (j->p >= j->end || !g_ascii_isdigit(*j->p))
    return FALSE;
  if (*j->p == '0')
    j->p++;
  else
    while (j->p < j->end && g_ascii_isdigit(*j->p))
      j->p++;
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (j->p >= j->end || !g_ascii_isdigit(*j->p))
      return FALSE;
    while (j->p < j->end && g_ascii_isdigit(*j->p))
      j->p++;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
      j->p++;
    if (j->p >= j->end || !g_ascii_isdigit(*j->p))
      return FALSE;
    while (j->p < j->end && g_ascii_isdigit(*j->p))
      j->p++;
  }
  return j->p > s;
}

static gboolean
fuzz_json_literal(FuzzJson *j, const char *lit)
{
  size_t n = strlen(lit);

  if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
    return FALSE;
  j->p += n;
  return TRUE;
}

static gboolean
fuzz_json_container(FuzzJson *j, char close, gboolean object)
{
  if (++j->depth > 64)
    return FALSE;
  j->p++;
  fuzz_json_ws(j);
  if (j->p < j->end && *j->p == close) {
    j->p++;
    j->depth--;
    return TRUE;
  }
  for (;;) {
    fuzz_json_ws(j);
    if (object) {
      if (!fuzz_json_string(j))
        return FALSE;
      fuzz_json_ws(j);
      if (j->p >= j->end || *j->p++ != ':')
        return FALSE;
    }
    if (!fuzz_json_value(j))
      return FALSE;
    fuzz_json_ws(j);
    if (j->p >= j->end)
      return FALSE;
    if (*j->p == close) {
      j->p++;
      j->depth--;
      return TRUE;
    }
    if (*j->p++ != ',')
      return FALSE;
  }
}

static gboolean
fuzz_json_value(FuzzJson *j)
{
  fuzz_json_ws(j);
  if (j->p >= j->end)
    return FALSE;
  switch (*j->p) {
  case '{':
    return fuzz_json_container(j, '}', TRUE);
  case '[':
    return fuzz_json_container(j, ']', FALSE);
  case '"':
    return fuzz_json_string(j);
  case 't':
    return fuzz_json_literal(j, "true");
  case 'f':
    return fuzz_json_literal(j, "false");
  case 'n':
    return fuzz_json_literal(j, "null");
  default:
    return fuzz_json_number(j);
  }
}

/* One JSON value and nothing else but white space (RFC 8259). */
static gboolean
fuzz_json_valid(const char *text, size_t len, size_t *bad_at)
{
  FuzzJson j = { text, text + len, 0 };
  gboolean ok = fuzz_json_value(&j);

  fuzz_json_ws(&j);
  ok = ok && j.p == j.end;
  *bad_at = j.p - text;
  return ok;
}

/* What a target checks in the command's output; NULL checks nothing more. */
typedef void (*FuzzOutputCheck)(char **argv, int argc, int status, const char *out,
                                size_t len);

static void
fuzz_check_json(char **argv, int argc, int status, const char *out, size_t len)
{
  const char *format = fuzz_format(argv, argc);
  size_t at;

  if (status == 64 || !len || g_strcmp0(format, "json") != 0)
    return;
  if (!fuzz_json_valid(out, len, &at))
    fuzz_fail("fuzz: %s --format json wrote JSON that does not parse at byte %zu of %zu:\n%.*s",
              argv[0], at, len, (int)MIN(len - MIN(at, len), 200), out + MIN(at, len));
}

/* Run command as `kvmmmu-report NAME ARGS... TRACE` on this input. */
static int
fuzz_run_command(const char *name, FuzzCommandFunc command, FuzzOutputCheck check,
                 const uint8_t *data, size_t size)
{
  FuzzInput in;
  char *argv[FUZZ_MAX_ARGS + 3], *owned[FUZZ_MAX_ARGS + 3];
  int argc = 0, n_owned = 0, status;
  gboolean bulk = FALSE;
  struct stat st;
  char *out;

  fuzz_setup();
  fuzz_input_parse(&in, data, size);
  fuzz_file_set(&fuzz_trace, in.trace, in.trace_len);
  for (int i = 0; i < in.n_parts; i++)
    fuzz_file_set(&fuzz_parts[i], in.parts[i].data, in.parts[i].len);
  argv[argc++] = (char *)name;
  for (int i = 0; i < in.n_args; i++)
    argv[argc++] = owned[n_owned++] = fuzz_subst(&in, in.args[i]);
  /* --bulk reads the per-CPU files its parts hold, not the trace */
  for (int i = 0; i < in.n_args && !bulk; i++)
    bulk = strcmp(in.args[i], "--bulk") == 0;
  if (!bulk)
    argv[argc++] = fuzz_trace.path;
  argv[argc] = NULL;

  {
    /* GOption takes out what it parsed: keep the list for the checks */
    char *copy[FUZZ_MAX_ARGS + 3];
    int copy_argc = argc;

    memcpy(copy, argv, sizeof copy);
    status = command(copy_argc, copy);
  }
  fflush(stdout);
  if (status != 0 && status != 1 && status != 2 && status != 64)
    fuzz_fail("fuzz: %s exited %d: expected 0, 1, 2 or 64", name, status);
  if (fstat(fuzz_out.fd, &st) != 0)
    fuzz_fail("fuzz: fstat: %s", g_strerror(errno));
  out = g_malloc(st.st_size + 1);
  if (st.st_size && pread(fuzz_out.fd, out, st.st_size, 0) != st.st_size)
    fuzz_fail("fuzz: reading the output back: %s", g_strerror(errno));
  out[st.st_size] = '\0';
  fuzz_check_json(argv, argc, status, out, st.st_size);
  if (check)
    check(argv, argc, status, out, st.st_size);
  g_free(out);
  fuzz_file_set(&fuzz_out, NULL, 0);
  if (lseek(1, 0, SEEK_SET) != 0)
    fuzz_fail("fuzz: lseek stdout: %s", g_strerror(errno));

  for (int i = 0; i < n_owned; i++)
    g_free(owned[i]);
  fuzz_input_clear(&in);
  return 0;
}

#endif
