/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tapsets' flush padding (the "kvmmmu-flush" part of
 * tapsets/kvmmmu_runtime.stp), compiled in user space against a model of
 * what SystemTap 4.8 does with a CPU's print buffer:
 *  - the print buffer: _stp_reserve_bytes() flushes it first when the
 *    room asked for is not left, _stp_unreserve_bytes() gives room back,
 *    and a probe hit's end flushes it;
 *  - a flush is one relay message, an 8-byte header (sequence, length)
 *    and the text, written into 4096-byte sub-buffers: refused (a
 *    transport failure) when 1 to 8 bytes are left in the current
 *    sub-buffer, those bytes then left as they were, else split across
 *    sub-buffers as needed;
 *  - the reader, on the same CPU between probe hits, closes the current
 *    sub-buffer when it holds data and reads every closed one, taking
 *    messages header by header as stapio does.
 * Random probe hits write lines of random length, one at a time or a batch
 * at a time as the runtime does.  With the padding, no flush is refused,
 * every message is framed where its header says, and the text read back
 * is every line in order with nothing added but one padding line (blank,
 * or '#' and spaces) where a write ended.  The same
 * hits without the padding must be refused some flushes in this model,
 * or it would not be testing anything. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

/* What the kvmmmu-flush part takes from the kernel and SystemTap 4.8. */
#define STAP_VERSION(a, b) (((a) << 8) + (b))
#define STAP_COMPAT_VERSION STAP_VERSION(4, 8)
#define DEFINE_PER_CPU(type, name) type name
#define this_cpu_read(x) (x)
#define this_cpu_write(x, v) ((x) = (v))
#define unlikely(x) (x)
#ifndef __always_inline
#define __always_inline inline
#endif
#define STP_BUFFER_SIZE 8192
struct _stp_trace {
  uint32_t sequence;
  uint32_t pdu_len;
};
static void *_stp_reserve_bytes(int numbytes);
static void _stp_unreserve_bytes(int numbytes);

/* For KVMMMU_LINE_MAX; its formatters are tested in test-tapset-format. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tapset-formatters.h"
#pragma GCC diagnostic pop
#include "tapset-flush.h"

#define HLEN ((unsigned)sizeof(struct _stp_trace))
#define SUBBUF 4096u
#define NSUBBUF 8u

/* ---- the relay: one CPU's sub-buffers ---------------------------------- */

static struct {
  unsigned char mem[NSUBBUF][SUBBUF];
  unsigned padding[NSUBBUF];
  u64 produced, consumed; /* sub-buffers closed, and read */
  unsigned offset;        /* in the current one, produced % NSUBBUF */
  bool stuck;             /* the current one could not be started: full */
  unsigned read_pos;      /* in the oldest closed, unread one */
} relay;

static unsigned failures, full_refusals;
static u32 next_sequence;

/* Close the current sub-buffer and start the next; FALSE when every
 * sub-buffer is closed and unread. */
static gboolean
relay_switch(void)
{
  if (!relay.stuck) {
    relay.padding[relay.produced % NSUBBUF] = SUBBUF - relay.offset;
    relay.produced++;
  }
  relay.offset = 0;
  relay.stuck = relay.produced - relay.consumed >= NSUBBUF;
  if (relay.stuck)
    full_refusals++;
  return !relay.stuck;
}

/* Room for up to size bytes in the current sub-buffer, the next one
 * started first when the current is used up; 0 when none. */
static unsigned
relay_reserve(unsigned size, unsigned char **at)
{
  if (relay.stuck || relay.offset >= SUBBUF)
    if (!relay_switch())
      return 0;
  if (relay.offset + size > SUBBUF)
    size = SUBBUF - relay.offset;
  *at = relay.mem[relay.produced % NSUBBUF] + relay.offset;
  relay.offset += size;
  return size;
}

/* One message: the header and text, refused when the header does not
 * fit whole in what its first reservation got. */
static void
relay_send(const char *text, unsigned len)
{
  struct _stp_trace h = { 0, len };
  unsigned char *at;
  unsigned got = relay_reserve(HLEN + len, &at);

  if (got <= HLEN) {
    failures++;
    return;
  }
  h.sequence = ++next_sequence;
  memcpy(at, &h, HLEN);
  memcpy(at + HLEN, text, got - HLEN);
  text += got - HLEN;
  len -= got - HLEN;
  while (len > 0) {
    got = relay_reserve(len, &at);
    if (!got) {
      failures++;
      return;
    }
    memcpy(at, text, got);
    text += got;
    len -= got;
  }
}

/* ---- the print buffer ------------------------------------------------- */

static struct {
  char buf[STP_BUFFER_SIZE];
  unsigned len;
} log_buf;

static void
print_flush(void)
{
  if (log_buf.len) {
    relay_send(log_buf.buf, log_buf.len);
    log_buf.len = 0;
  }
}

static void *
_stp_reserve_bytes(int numbytes)
{
  void *p;

  if (numbytes <= 0 || numbytes > STP_BUFFER_SIZE)
    return NULL;
  if ((unsigned)numbytes > STP_BUFFER_SIZE - log_buf.len)
    print_flush();
  p = log_buf.buf + log_buf.len;
  log_buf.len += (unsigned)numbytes;
  return p;
}

static void
_stp_unreserve_bytes(int numbytes)
{
  if (numbytes >= 0 && (unsigned)numbytes <= log_buf.len)
    log_buf.len -= (unsigned)numbytes;
}

/* ---- the reader ------------------------------------------------------- */

static GString *stream; /* the closed sub-buffers' bytes, in order */
static GString *text;   /* the messages' text, as stapio writes it */
static unsigned framing_errors;
static u32 last_sequence;

/* Close the current sub-buffer if it holds data (SystemTap's read path
 * does), append every closed one's bytes, then take whole messages. */
static void
reader_read(void)
{
  gsize at = 0;

  if (relay.stuck || relay.offset)
    relay_switch();
  while (relay.consumed < relay.produced) {
    unsigned k = relay.consumed % NSUBBUF;

    g_string_append_len(stream, (const char *)relay.mem[k], SUBBUF - relay.padding[k]);
    /* The bytes stay, stale, for the sub-buffer's next round. */
    relay.consumed++;
  }
  while (stream->len - at >= HLEN) {
    struct _stp_trace h;

    memcpy(&h, stream->str + at, HLEN);
    if (h.pdu_len == 0 || h.pdu_len > 128 * 1024 || h.sequence != last_sequence + 1) {
      /* stapio would resynchronise by dropping what it holds. */
      framing_errors++;
      at = stream->len;
      break;
    }
    if (stream->len - at - HLEN < h.pdu_len)
      break;
    g_string_append_len(text, stream->str + at + HLEN, h.pdu_len);
    last_sequence = h.sequence;
    at += HLEN + h.pdu_len;
  }
  g_string_erase(stream, 0, (gssize)at);
}

/* ---- probe hits ------------------------------------------------------- */

static GString *written; /* every line, as written */
static unsigned line_no;

/* A line of a record's usual length, now and then a long one. */
static unsigned
line_length(GRand *r)
{
  if (g_rand_int_range(r, 0, 20) == 0)
    return (unsigned)g_rand_int_range(r, 200, KVMMMU_LINE_MAX + 1);
  return (unsigned)g_rand_int_range(r, 40, 140);
}

static char *
fill_line(char *p, unsigned len)
{
  int n = snprintf(p, len, "L%u ", ++line_no);

  memset(p + n, 'x', len - 1 - (unsigned)n);
  p[len - 1] = '\n';
  g_string_append_len(written, p, len);
  return p + len;
}

/* One line as kvmmmu_open()/kvmmmu_close() write it (padded) or as the
 * runtime wrote it before the padding. */
static void
write_lines(GRand *r, unsigned n, gboolean padded)
{
  for (unsigned i = 0; i < n; i++) {
    unsigned len = line_length(r);

    if (padded) {
      char *line = kvmmmu_reserve_line();

      g_assert_nonnull(line);
      kvmmmu_commit(line, fill_line(line, len), i + 1 < n);
    } else {
      char *line = _stp_reserve_bytes(KVMMMU_LINE_MAX);

      g_assert_nonnull(line);
      _stp_unreserve_bytes(KVMMMU_LINE_MAX - (int)(fill_line(line, len) - line));
    }
  }
}

static void
run(guint32 seed, unsigned hits, gboolean padded)
{
  GRand *r = g_rand_new_with_seed(seed);

  memset(&relay, 0, sizeof relay);
  /* Stale bytes: what earlier messages would have left in the buffers. */
  for (unsigned k = 0; k < NSUBBUF; k++)
    for (unsigned i = 0; i < SUBBUF; i++)
      relay.mem[k][i] = (unsigned char)g_rand_int_range(r, 0, 256);
  memset(&log_buf, 0, sizeof log_buf);
  kvmmmu_print_base = NULL;
  failures = full_refusals = framing_errors = 0;
  next_sequence = last_sequence = 0;
  line_no = 0;
  g_string_truncate(stream, 0);
  g_string_truncate(text, 0);
  g_string_truncate(written, 0);

  for (unsigned h = 0; h < hits; h++) {
    /* A record at its hit, a batch (up to 40 lines), or both. */
    switch (g_rand_int_range(r, 0, 8)) {
    case 0:
      write_lines(r, (unsigned)g_rand_int_range(r, 2, 41), padded);
      break;
    case 1:
      write_lines(r, (unsigned)g_rand_int_range(r, 2, 41), padded);
      write_lines(r, 1, padded);
      break;
    default:
      write_lines(r, 1, padded);
    }
    print_flush(); /* the probe hit's end */
    /* The reader runs between hits, now and then, and always before
     * a flush (up to 3 sub-buffers) could find them all used. */
    if (g_rand_int_range(r, 0, 6) == 0 || relay.produced - relay.consumed >= NSUBBUF / 2)
      reader_read();
  }
  reader_read();
  reader_read();
  g_rand_free(r);
}

/* The text read back without its padding lines (blank, or '#' and
 * spaces), which are counted. */
static GString *
without_padding(const GString *s, unsigned *padding_lines)
{
  GString *out = g_string_sized_new(s->len);

  *padding_lines = 0;
  for (const char *p = s->str, *end = s->str + s->len; p < end;) {
    const char *nl = memchr(p, '\n', (gsize)(end - p));
    gsize n = nl ? (gsize)(nl - p) + 1 : (gsize)(end - p);

    if (p[0] == '\n' || (p[0] == '#' && strspn(p + 1, " ") == n - 2 && nl)) {
      (*padding_lines)++;
      g_assert_cmpuint(n, <=, 16);
    } else {
      g_string_append_len(out, p, (gssize)n);
    }
    p += n;
  }
  return out;
}

static void
test_padded(void)
{
  g_assert_cmpint(KVMMMU_FLUSH_ALIGN, ==, 16);
  for (guint32 seed = 1; seed <= 20; seed++) {
    run(seed, 20000, TRUE);
    g_assert_cmpuint(full_refusals, ==, 0);
    g_assert_cmpuint(failures, ==, 0);
    g_assert_cmpuint(framing_errors, ==, 0);
    g_assert_cmpuint(next_sequence, ==, last_sequence);
    /* Every message, and so every flush, is a multiple of 16 bytes. */
    g_assert_cmpuint(stream->len, ==, 0);
    unsigned padding_lines;
    GString *got = without_padding(text, &padding_lines);
    g_assert_cmpuint(got->len, ==, written->len);
    g_assert_true(memcmp(got->str, written->str, written->len) == 0);
    /* A padding line where a write ended (a batch, then a record: two in
     * one flush), and not every write needs one. */
    g_assert_cmpuint(padding_lines, >, 0);
    g_assert_cmpuint(padding_lines, <=, 2 * next_sequence);
    g_assert_cmpuint(padding_lines, <, line_no);
    g_string_free(got, TRUE);
  }
}

static void
test_unpadded_model_fails(void)
{
  unsigned total = 0, framing = 0;

  for (guint32 seed = 1; seed <= 20; seed++) {
    run(seed, 20000, FALSE);
    g_assert_cmpuint(full_refusals, ==, 0);
    total += failures;
    framing += framing_errors;
  }
  g_assert_cmpuint(total, >, 0);
  g_assert_cmpuint(framing, >, 0);
}

/* A line that ends exactly where the buffer's room for the next line
 * runs out is padded before the next reservation flushes it. */
static void
test_pad_before_full_buffer(void)
{
  run(99, 0, TRUE);
  char *first = kvmmmu_reserve_line();
  g_assert_true(first == log_buf.buf);
  unsigned len = STP_BUFFER_SIZE - KVMMMU_LINE_ROOM + 1;
  /* Lines up to len bytes in all, the last one leaving less room than a
   * line needs: the buffer is padded although more lines follow. */
  unsigned done = 0;
  while (done < len) {
    unsigned n = MIN(KVMMMU_LINE_MAX, len - done);
    char *line = done ? kvmmmu_reserve_line() : first;
    memset(line, 'y', n - 1);
    line[n - 1] = '\n';
    done += n;
    kvmmmu_commit(line, line + n, TRUE);
  }
  g_assert_cmpuint((log_buf.len + HLEN) % 16, ==, 0);
  g_assert_cmpuint(log_buf.len - done, <, 16);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  stream = g_string_new(NULL);
  text = g_string_new(NULL);
  written = g_string_new(NULL);
  g_test_add_func("/flush-align/padded", test_padded);
  g_test_add_func("/flush-align/unpadded-model-fails", test_unpadded_model_fails);
  g_test_add_func("/flush-align/pad-before-full-buffer", test_pad_before_full_buffer);
  int rc = g_test_run();
  g_string_free(stream, TRUE);
  g_string_free(text, TRUE);
  g_string_free(written, TRUE);
  return rc;
}
