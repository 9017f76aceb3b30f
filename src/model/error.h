/* SPDX-License-Identifier: GPL-2.0-or-later */
/* error.h - the model's own errors: what a model cannot be made from the
 * parameters it was given (not the reader's input or I/O errors). */
#ifndef KVMMMU_MODEL_ERROR_H
#define KVMMMU_MODEL_ERROR_H

#include <glib.h>

#define KVMMMU_MODEL_ERROR (kvmmmu_model_error_quark())
GQuark kvmmmu_model_error_quark(void);

typedef enum {
  KVMMMU_MODEL_ERROR_BAD_HIST,    /* histogram parameters that make none */
  KVMMMU_MODEL_ERROR_REGROUP,     /* counts that cannot be regrouped as asked */
  KVMMMU_MODEL_ERROR_BAD_FILTER,  /* a filter option that does not read */
} KvmmmuModelError;

#endif
