/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * walks.h - what `walks --tree` keeps between walks to draw them fast.
 *
 * render.h's kvmmmu_render_walk_tree() decodes every page's role word
 * afresh, a dozen printf calls each.  A trace has only a handful of
 * distinct role words, so a caller drawing many walks keeps their decoded
 * texts in a KvmmmuRoleTexts and draws with kvmmmu_render_walk_tree_with().
 */
#ifndef KVMMMU_RENDER_WALKS_H
#define KVMMMU_RENDER_WALKS_H

#include "render/render.h"

typedef struct _KvmmmuRoleTexts KvmmmuRoleTexts;

/* transfer full */
KvmmmuRoleTexts *kvmmmu_role_texts_new(void);
void kvmmmu_role_texts_free(KvmmmuRoleTexts *texts);

/* Forget every decoded text.  Call when the layout's contents may have
 * changed though its address did not: a new capture resolves its layout
 * into the same storage.  A different layout address resets by itself. */
void kvmmmu_role_texts_reset(KvmmmuRoleTexts *texts);

/* Also print each page's role as the kernel's kvm_mmu_prepare_zap_page
 * tracepoint prints it ("kernel: l2 8-byte q0 w-x nxe ad sync"), beside
 * the named fields (walks --tree --kernel-style). */
void kvmmmu_role_texts_set_kernel_style(KvmmmuRoleTexts *texts, gboolean kernel_style);

/* kvmmmu_render_walk_tree(), taking decoded roles from texts (which may be
 * NULL: decode each time) and adding to it. */
void kvmmmu_render_walk_tree_with(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                                  const KvmmmuKernelLayout *layout, KvmmmuRoleTexts *texts);

/* What closes `walks --format json` after the streamed walks: the checks'
 * totals (the zap walks', the sync walks' in "sync") and the summary. */
void kvmmmu_render_walks_json_tail(GString *out, const KvmmmuWalkTally tally[KVMMMU_WALK_KINDS],
                                   const KvmmmuStats *stats, guint64 bad_lines);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuRoleTexts, kvmmmu_role_texts_free)

#endif
