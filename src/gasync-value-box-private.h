/* gasync-value-box-private.h: a reference-counted, immutable GValue
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a watch holds and a broadcast's ring carries: one value that many
 * receivers read. A receiver takes a reference under its channel's lock
 * and copies the value out after it has dropped the lock, because a boxed
 * type's copy function is user code. The value never changes once made,
 * so it is read without a lock. */
typedef struct
{
  gint    ref_count;   /* atomic */
  GValue  value;       /* immutable */
} GAsyncValueBox;

/* A box holding @value converted to @type, or NULL (with @error set) if it
 * does not convert. Runs the type's copy function: call without a lock. */
GAsyncValueBox *_gasync_value_box_new       (GType           type,
                                             const GValue   *value,
                                             GError        **error);
GAsyncValueBox *_gasync_value_box_ref       (GAsyncValueBox *box);
/* NULL-safe. Runs the type's free function: call without a lock. */
void            _gasync_value_box_unref     (GAsyncValueBox *box);
/* Initializes the zero-filled @dest with a copy of the value. */
void            _gasync_value_box_copy_into (GAsyncValueBox *box,
                                             GValue         *dest);
/* Whether an out GValue can take a value of @type: NULL or zero-filled
 * (any type), or initialized to a type @type converts to. */
gboolean        _gasync_value_box_out_accepts (GType           type,
                                               const GValue   *out);

G_END_DECLS
