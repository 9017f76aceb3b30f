/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcpukey.h - a vCPU of one capture, as the models key it: two captures
 * that reuse a kvm pointer (a struct kvm freed and allocated again, or two
 * hosts) are different VMs, and vcpu ids repeat across VMs.
 */
#ifndef KVMMMU_MODEL_VCPUKEY_H
#define KVMMMU_MODEL_VCPUKEY_H

#include <glib.h>

#include "format/records.h"

typedef struct {
  guint capture;
  guint32 vcpu;
  guint64 kvm;
} KvmmmuCaptureVcpu;

static inline guint
kvmmmu_capture_vcpu_hash_of(guint capture, guint64 kvm, guint32 vcpu)
{
  return (guint)(kvmmmu_vcpu_key(kvm, vcpu) ^ (capture * 0x9e3779b9u));
}

/* GHashFunc and GEqualFunc of a KvmmmuCaptureVcpu key */
static inline guint
kvmmmu_capture_vcpu_hash(gconstpointer p)
{
  const KvmmmuCaptureVcpu *k = p;

  return kvmmmu_capture_vcpu_hash_of(k->capture, k->kvm, k->vcpu);
}

static inline gboolean
kvmmmu_capture_vcpu_equal(gconstpointer a, gconstpointer b)
{
  const KvmmmuCaptureVcpu *x = a, *y = b;

  return x->capture == y->capture && x->vcpu == y->vcpu && x->kvm == y->kvm;
}

#endif
