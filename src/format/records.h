/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * records.h - the one definition of the kvmmmu trace format.
 *
 * Every record kind, its keyword and its fields are listed once, in the
 * X-macro tables below.  The reader's parse tables, the record structs, the
 * kind names and the tests are generated from them; docs/record-format.md
 * describes the same tables in prose.  Nothing else names a record kind.
 *
 * A trace is text, one record per line, fields separated by one space:
 *
 *   kvmmmu <version> <release> <host> <start_ns> [key=value ...]   (header)
 *   <kind> <ts_ns> <cpu> <seq> <field> ... [<item> ...]           (events)
 *
 * Items are the trailing list of a kind that has one (the pages of a walk,
 * the parents of a step): the field named by the kind's count says how many
 * follow, each one token of comma-separated sub-fields.
 */
#ifndef KVMMMU_FORMAT_RECORDS_H
#define KVMMMU_FORMAT_RECORDS_H

#include <glib.h>

/* The version writers write.  A reader reads every version from
 * KVMMMU_FORMAT_VERSION_MIN on: a field added after version 1 names the
 * version it came in as F's fourth argument, and in a capture of an older
 * version the field is absent from the line (0 in the record). */
#define KVMMMU_FORMAT_VERSION 6
#define KVMMMU_FORMAT_VERSION_MIN 1
/* The version a field came in: F(S, name, type) is 1, F(S, name, type, N) N. */
#define KVMMMU_FIELD_SINCE(...) (1 __VA_OPT__(* 0 + __VA_ARGS__))
#define KVMMMU_HEADER_KEYWORD "kvmmmu"

/* struct kvm_mmu_pages holds KVM_PAGE_ARRAY_NR pages; struct mmu_page_path
 * holds PT64_ROOT_MAX_LEVEL parents.  Stable since 4.19 (docs/kernels.md). */
#define KVMMMU_MAX_WALK_PAGES 16
#define KVMMMU_MAX_PATH_DEPTH 5
/* At most this many CPUs with walks in one capture: x86-64's largest
 * NR_CPUS (CONFIG_MAXSMP), so cpu() of one kernel never names more.  The
 * reader refuses a walk on one CPU more (reader/walkcheck.h), and what
 * follows walks per CPU after it (model/filter.c) keeps as many. */
#define KVMMMU_WALK_CPUS_MAX 8192
/* mmu_unsync_walk puts the walk's parent first with idx INVALID_INDEX (-1). */
#define KVMMMU_INVALID_INDEX 0xffffffffu

/* Field types.  What each accepts is in docs/record-format.md. */
typedef enum {
  KVMMMU_FIELD_U32,  /* decimal, 0..4294967295 */
  KVMMMU_FIELD_U64,  /* decimal, 0..18446744073709551615 */
  KVMMMU_FIELD_S64,  /* decimal with optional '-' */
  KVMMMU_FIELD_HEX32,/* hex without 0x, 1..8 digits (role words) */
  KVMMMU_FIELD_HEX,  /* hex without 0x, 1..16 digits (pointers, hpa, gfn) */
  KVMMMU_FIELD_BOOL, /* 0 or 1 */
  KVMMMU_FIELD_SWITCH, /* hit, miss or - (not known on this kernel) */
  KVMMMU_FIELD_COUNT,/* decimal count of the trailing items, 0..max */
} KvmmmuFieldType;

/* The C type each field type is stored as. */
#define KVMMMU_CTYPE_U32 guint32
#define KVMMMU_CTYPE_U64 guint64
#define KVMMMU_CTYPE_S64 gint64
#define KVMMMU_CTYPE_HEX32 guint32
#define KVMMMU_CTYPE_HEX guint64
#define KVMMMU_CTYPE_BOOL guint8
#define KVMMMU_CTYPE_SWITCH guint8
#define KVMMMU_CTYPE_COUNT guint32

typedef enum {
  KVMMMU_SWITCH_UNKNOWN = 0,
  KVMMMU_SWITCH_HIT = 1,
  KVMMMU_SWITCH_MISS = 2,
} KvmmmuSwitchResult;

/*
 * Event record kinds: X(ENUM, keyword, struct name, fields, item type, max items)
 *
 * Every event line starts with the common fields ts_ns cpu seq, then the
 * kind's own fields in the order listed, then its items.
 */
#define KVMMMU_COMMON_FIELDS(F, S)                                            \
  F(S, ts_ns, U64)   /* gettimeofday_ns() when the probe fired */             \
  F(S, cpu, U32)     /* cpu() */                                              \
  F(S, seq, U64)     /* per-CPU record sequence number, from 1: gaps = loss */

/* walk: the struct kvm_mmu_pages that mmu_unsync_walk() filled inside
 * mmu_zap_unsync_children() (a zap walk) or, since version 6,
 * mmu_sync_children() (a sync walk).  Items: the pages, in array order. */
#define KVMMMU_WALK_FIELDS(F, S)                                              \
  F(S, walk, U64)    /* walk id, from 1 per capture; steps refer to it */     \
  F(S, round, U32)   /* 0, or n for the n-th pages array of the call */       \
  F(S, kvm, HEX, 2)  /* the VM (struct kvm *); 0 in a version-1 capture */    \
  F(S, sync, BOOL, 6) /* 1 mmu_sync_children, 0 mmu_zap_unsync_children */  \
  F(S, parent, HEX)  /* the sp the walk was called on */                      \
  F(S, nr, COUNT)    /* pages->nr */
#define KVMMMU_WALK_ITEM_FIELDS(F, S)                                         \
  F(S, sp, HEX)      /* pages->page[i].sp */                                  \
  F(S, role, HEX32)  /* sp->role.word, decoded offline */                     \
  F(S, gfn, HEX)     /* sp->gfn */                                            \
  F(S, idx, U32)     /* pages->page[i].idx; 4294967295 = INVALID_INDEX */     \
  F(S, unsync, BOOL) /* sp->unsync */

/* step: one for_each_sp() iteration, where kvm_mmu_prepare_zap_page() (a
 * zap walk) or kvm_sync_page() (a sync walk) is called on sp.  Items: parents->parent[0..depth-1], nearest parent first,
 * up to the NULL sentinel mmu_pages_first() set. */
#define KVMMMU_STEP_FIELDS(F, S)                                              \
  F(S, walk, U64)    /* the walk this step iterates */                        \
  F(S, i, U32)       /* index of sp in the walk's pages */                    \
  F(S, sp, HEX)      /* the page being zapped or synced */                             \
  F(S, depth, COUNT) /* parents before the sentinel */
#define KVMMMU_STEP_ITEM_FIELDS(F, S)                                         \
  F(S, sp, HEX)      /* parents->parent[k] */                                 \
  F(S, role, HEX32)  /* its role.word */

/* load: kvm_mmu_load() returned. */
#define KVMMMU_LOAD_FIELDS(F, S)                                              \
  F(S, kvm, HEX)     /* vcpu->kvm: tells VMs apart */                         \
  F(S, vcpu, U32)    /* vcpu->vcpu_id */                                      \
  F(S, ret, S64)     /* return value: 0 or -errno */                          \
  F(S, dur_ns, U64)  /* time spent in kvm_mmu_load */                         \
  F(S, root_hpa, HEX)/* mmu root hpa after the load */                        \
  F(S, pgd, HEX)     /* guest root (pgd / cr3) of that root */                \
  F(S, role, HEX32)  /* root role word (root_role on 6.1+, root sp before) */

/* switch: the guest changed page-table root (kvm_mmu_new_pgd/new_cr3). */
#define KVMMMU_SWITCH_FIELDS(F, S)                                            \
  F(S, kvm, HEX)                                                              \
  F(S, vcpu, U32)                                                             \
  F(S, pgd, HEX)     /* the new guest root */                                 \
  F(S, result, SWITCH) /* found in prev_roots (hit), not (miss), or - */     \
  F(S, role, HEX32, 3) /* the root role it was looked up with; 0 before v3 */

/* sync: kvm_mmu_sync_roots() returned: the unsync pages under the vCPU's
 * roots were synced, inside kvm_mmu_load() or at a VM entry that asked
 * for it (after a prev_roots hit, a TLB flush of the current PCID).
 * Since version 4. */
#define KVMMMU_SYNC_FIELDS(F, S)                                              \
  F(S, kvm, HEX)                                                              \
  F(S, vcpu, U32)                                                             \
  F(S, dur_ns, U64)  /* time spent in kvm_mmu_sync_roots */

/* free: kvm_mmu_free_roots() is about to free one of a vCPU's roots: the
 * current one or a cached one (mmu->prev_roots[]), each valid root the
 * call's mask names in a record of its own.  Since version 5. */
#define KVMMMU_FREE_FIELDS(F, S)                                              \
  F(S, kvm, HEX, 5)                                                           \
  F(S, vcpu, U32, 5)                                                          \
  F(S, mask, HEX32, 5) /* roots_to_free: bit 0 current, bit 1 + i prev i */   \
  F(S, slot, U32, 5)   /* 0 the current root, 1 + i mmu->prev_roots[i] */     \
  F(S, pgd, HEX, 5)    /* the guest root it was made for */                   \
  F(S, hpa, HEX, 5)    /* the root */                                         \
  F(S, in_switch, BOOL, 5) /* inside a page-table switch: a miss's eviction */

/* sync_call: mmu_sync_children() returned: the sync walks of one call (the
 * walk records with sync 1 and their steps, written before it) and what
 * the call cost.  Since version 6. */
#define KVMMMU_SYNC_CALL_FIELDS(F, S)                                         \
  F(S, kvm, HEX, 6)                                                           \
  F(S, vcpu, U32, 6)                                                          \
  F(S, parent, HEX, 6) /* the sp mmu_sync_children() was called on */        \
  F(S, ret, S64, 6)    /* 0, or -EINTR: it had to stop and could not yield */ \
  F(S, dur_ns, U64, 6) /* time spent in mmu_sync_children() */               \
  F(S, held_ns, U64, 6) /* of it, mmu_lock held: dur_ns minus its yields */  \
  F(S, walks, U32, 6)  /* pages arrays mmu_unsync_walk() filled */            \
  F(S, leaves, U32, 6) /* for_each_sp() steps of the sync loop */             \
  F(S, yields, U32, 6) /* times it dropped mmu_lock to reschedule */

/* vcpu_root: one vCPU of a VM in a snapshot of all of them. */
#define KVMMMU_VCPU_ROOT_FIELDS(F, S)                                         \
  F(S, snap, U64)    /* snapshot id, from 1 per capture */                    \
  F(S, kvm, HEX)                                                              \
  F(S, vcpu, U32)                                                             \
  F(S, root_hpa, HEX)                                                         \
  F(S, pgd, HEX)

/* load_rate: kvm_mmu_load calls of one vCPU counted in the kernel over one
 * interval; emitted every interval for every vCPU seen so far. */
#define KVMMMU_LOAD_RATE_FIELDS(F, S)                                         \
  F(S, tick, U64)    /* interval number since the capture started, from 1 */  \
  F(S, interval_ns, U64)                                                      \
  F(S, kvm, HEX)                                                              \
  F(S, vcpu, U32)                                                             \
  F(S, count, U64)

/* end: the trailer a script writes when it stops. */
#define KVMMMU_END_FIELDS(F, S)                                               \
  F(S, hits, U64)    /* probe hits the script saw */                          \
  F(S, records, U64) /* event records it wrote, trailer excluded */           \
  F(S, faults, U64)  /* records dropped because a kernel read faulted */      \
  F(S, skipped, U64) /* probe hits it chose not to record (filters, limits) */

#define KVMMMU_NO_ITEM_FIELDS(F, S)

/* X(ENUM, keyword, Name, FIELDS, ITEM_FIELDS, max items) */
#define KVMMMU_EVENT_KINDS(X)                                              \
  X(WALK, "walk", Walk, KVMMMU_WALK_FIELDS, KVMMMU_WALK_ITEM_FIELDS,       \
    KVMMMU_MAX_WALK_PAGES)                                                 \
  X(STEP, "step", Step, KVMMMU_STEP_FIELDS, KVMMMU_STEP_ITEM_FIELDS,       \
    KVMMMU_MAX_PATH_DEPTH)                                                 \
  X(LOAD, "load", Load, KVMMMU_LOAD_FIELDS, KVMMMU_NO_ITEM_FIELDS, 0)      \
  X(SWITCH, "switch", Switch, KVMMMU_SWITCH_FIELDS, KVMMMU_NO_ITEM_FIELDS, \
    0)                                                                     \
  X(SYNC, "sync", Sync, KVMMMU_SYNC_FIELDS, KVMMMU_NO_ITEM_FIELDS, 0)      \
  X(FREE, "free", Free, KVMMMU_FREE_FIELDS, KVMMMU_NO_ITEM_FIELDS, 0)      \
  X(SYNC_CALL, "sync_call", SyncCall, KVMMMU_SYNC_CALL_FIELDS,             \
    KVMMMU_NO_ITEM_FIELDS, 0)                                              \
  X(VCPU_ROOT, "vcpu_root", VcpuRoot, KVMMMU_VCPU_ROOT_FIELDS,             \
    KVMMMU_NO_ITEM_FIELDS, 0)                                              \
  X(LOAD_RATE, "load_rate", LoadRate, KVMMMU_LOAD_RATE_FIELDS,             \
    KVMMMU_NO_ITEM_FIELDS, 0)                                              \
  X(END, "end", End, KVMMMU_END_FIELDS, KVMMMU_NO_ITEM_FIELDS, 0)

/*
 * All kinds the reader returns: the header, the event kinds, and the lines
 * SystemTap itself writes into the same stream.
 */
typedef enum {
  KVMMMU_RECORD_HEADER,
#define KVMMMU_X_ENUM(E, kw, N, F, I, M) KVMMMU_RECORD_##E,
  KVMMMU_EVENT_KINDS(KVMMMU_X_ENUM)
#undef KVMMMU_X_ENUM
  KVMMMU_RECORD_STAP_WARNING,   /* "WARNING: ..." */
  KVMMMU_RECORD_STAP_ERROR,     /* "ERROR: ..." */
  KVMMMU_RECORD_STAP_TRANSPORT, /* "There were N transport failures..." */
  KVMMMU_RECORD_PROBE_HIT,      /* one line of stap -t's probe hit report */
  KVMMMU_RECORD_STAP_REPORT,    /* another line of stap -t's reports ("lock contention") */
  KVMMMU_RECORD_N_KINDS
} KvmmmuRecordKind;

/* Record structs, one per event kind, generated from the tables. */
#define KVMMMU_X_MEMBER(S, name, type, ...) KVMMMU_CTYPE_##type name;

#define KVMMMU_X_ITEM_STRUCT(E, kw, N, F, I, M)                            \
  typedef struct {                                                         \
    I(KVMMMU_X_MEMBER, _) char _unused;                                       \
  } Kvmmmu##N##Item;
KVMMMU_EVENT_KINDS(KVMMMU_X_ITEM_STRUCT)
#undef KVMMMU_X_ITEM_STRUCT

#define KVMMMU_X_STRUCT(E, kw, N, F, I, M)                                 \
  typedef struct {                                                         \
    F(KVMMMU_X_MEMBER, _)                                                   \
    Kvmmmu##N##Item items[(M) > 0 ? (M) : 1];                              \
  } Kvmmmu##N;
KVMMMU_EVENT_KINDS(KVMMMU_X_STRUCT)
#undef KVMMMU_X_STRUCT

typedef struct {
  guint32 version;
  char release[128];
  char host[128];
  guint64 start_ns;
  char script[64];    /* script=NAME, "" when absent */
  char build_id[96];  /* build_id=HEX of the object holding KVM, "" when absent */
} KvmmmuHeader;

/* A SystemTap line.  The numbers are filled where the text has them. */
typedef struct {
  char text[256];     /* the line, cut to fit */
  guint64 errors;     /* WARNING: Number of errors: N, skipped probes: M */
  guint64 skipped;
  guint64 transport_failures;
  guint64 hits;       /* probe hit report: hits: N */
  guint64 avg_cycles; /* cycles: MINmin/AVGavg/MAXmax */
  guint64 contention; /* refresh report: 'GLOBAL' lock contention occurred N times */
} KvmmmuStapLine;

/* One record as the reader returns it.  The reader fills the union member
 * named by kind; lines and file say where it came from. */
typedef struct {
  KvmmmuRecordKind kind;
  guint32 cpu;
  guint64 ts_ns;
  guint64 seq;
  const char *file; /* borrowed from the reader */
  guint64 line;
  /* Last, so that an event record can be kept cut short after the items it
   * has: the reader stores only what a line filled (kvmmmu_record_size). */
  union {
    KvmmmuHeader header;
    KvmmmuStapLine stap;
#define KVMMMU_X_UNION(E, kw, N, F, I, M) Kvmmmu##N N;
    KVMMMU_EVENT_KINDS(KVMMMU_X_UNION)
#undef KVMMMU_X_UNION
  } u;
} KvmmmuRecord;

/* The VM a record names (vcpu->kvm); 0 for a kind that names none, and
 * for a walk of a format-1 capture, which did not write it. */
static inline guint64
kvmmmu_record_kvm(const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_LOAD: return rec->u.Load.kvm;
  case KVMMMU_RECORD_SWITCH: return rec->u.Switch.kvm;
  case KVMMMU_RECORD_SYNC: return rec->u.Sync.kvm;
  case KVMMMU_RECORD_FREE: return rec->u.Free.kvm;
  case KVMMMU_RECORD_SYNC_CALL: return rec->u.SyncCall.kvm;
  case KVMMMU_RECORD_VCPU_ROOT: return rec->u.VcpuRoot.kvm;
  case KVMMMU_RECORD_LOAD_RATE: return rec->u.LoadRate.kvm;
  case KVMMMU_RECORD_WALK: return rec->u.Walk.kvm;
  default: return 0;
  }
}

/* A vCPU is (VM, vcpu_id): vcpu ids repeat across VMs. */
static inline guint64
kvmmmu_vcpu_key(guint64 kvm, guint32 vcpu)
{
  return (kvm * 0x9e3779b97f4a7c15ull) ^ vcpu;
}

/* Field descriptions for the table-driven parser and the docs test. */
typedef struct {
  const char *name;
  KvmmmuFieldType type;
  gsize offset; /* within the kind's struct, or its item struct */
  guint since;  /* the format version the field came in */
} KvmmmuFieldSpec;

typedef struct {
  KvmmmuRecordKind kind;
  const char *keyword;
  const KvmmmuFieldSpec *fields; /* own fields, after ts_ns cpu seq */
  guint n_fields;
  const KvmmmuFieldSpec *item_fields;
  guint n_item_fields;
  guint max_items;
  gsize item_size;
  gsize items_offset; /* offset of items[] in the kind's struct */
  guint since;        /* the newest version any of its own fields came in */
} KvmmmuKindSpec;

/* transfer none: ts_ns cpu seq, the fields every event line starts with
 * (offsets within KvmmmuRecord); n_out set to their number */
const KvmmmuFieldSpec *kvmmmu_common_field_specs(guint *n_out);
/* transfer none: the table of event kinds, n_out set to its length */
const KvmmmuKindSpec *kvmmmu_kind_specs(guint *n_out);
/* transfer none: the spec of an event kind, NULL for the others */
const KvmmmuKindSpec *kvmmmu_kind_spec(KvmmmuRecordKind kind);
/* transfer none: the keyword of any kind ("header", "stap-warning", ...) */
const char *kvmmmu_kind_name(KvmmmuRecordKind kind);
const char *kvmmmu_switch_result_name(KvmmmuSwitchResult r);
/* The result a switch field's text names ("hit", "miss", "-"); FALSE for
 * any other text.  The inverse of kvmmmu_switch_result_name(). */
gboolean kvmmmu_switch_result_parse(const char *s, gsize n, guint8 *out);

#endif /* KVMMMU_FORMAT_RECORDS_H */
