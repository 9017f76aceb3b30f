/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "model/error.h"

G_DEFINE_QUARK(kvmmmu-model-error-quark, kvmmmu_model_error)
