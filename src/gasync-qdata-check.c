/* gasync-qdata-check.c: whether an object gasync reuses holds qdata of anyone else
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A future is reused only if nothing outside gasync can still see it,
 * which includes its qdata: user data, weak references, GWeakRefs,
 * watched closures and binding wrappers all live there. A future that
 * goes through dispose always has one entry, GObject's notify queue
 * (g_object_unref() freezes it around dispose, and a reused future holds
 * it frozen, see future_recycle()), so a spawned task's handle cannot be
 * told clean by an empty datalist. GLib's only public way to look is
 * g_datalist_foreach(), which allocates and frees a copy of the keys:
 * ~200 instructions on every reuse of a handle, a tenth of the thread
 * that spawns and joins.
 *
 * GLib 2.74 keeps a datalist as one block: a 32-bit count of entries, a
 * 32-bit allocated size, then the entries (a GQuark, a pointer and a
 * destroy notify each), behind a pointer whose three low bits are flags
 * and GLib's lock. With a count of 1 and the notify queue's quark in the
 * first entry there is nothing else. That block is not public API, so it
 * is read only after GLib has been seen to behave so on this run: at the
 * first call, a new GObject must have no datalist, freezing its notify
 * queue must make the block described with that one entry, and a second
 * qdata must make the count 2 with both keys in place. If anything
 * differs, every answer comes from g_datalist_foreach() as before.
 */

#include "config.h"

#include "gasync-probe-private.h"
#include "gasync-qdata-check-private.h"

/* GLib's datalist block (gdataset.c), as the probe checks it. */
typedef struct
{
  GQuark          key;
  gpointer        data;
  GDestroyNotify  destroy;
} DataEntry;

typedef struct
{
  guint32    len;
  guint32    alloc;
  DataEntry  entries[1];
} DataBlock;

/* G_DATALIST_FLAGS_MASK's two bits, and GLib's lock bit above them. */
#define DATALIST_LOW_BITS ((guintptr) 0x7)

static gint probe_state = GASYNC_PROBE_NOT_RUN;   /* atomic */
static gint notify_queue_quark;             /* atomic: a GQuark, set once */

static GQuark
notify_queue (void)
{
  GQuark quark = (GQuark) g_atomic_int_get (&notify_queue_quark);

  if G_UNLIKELY (quark == 0)
    {
      quark = g_quark_from_static_string ("GObject-notify-queue");
      g_atomic_int_set (&notify_queue_quark, (gint) quark);
    }
  return quark;
}

/* The block behind @object's datalist, or NULL if it has none or any of
 * the low bits is set. */
static const DataBlock *
data_block (GObject *object)
{
  guintptr raw = (guintptr) g_atomic_pointer_get (&object->qdata);

  if ((raw & DATALIST_LOW_BITS) != 0)
    return NULL;
  return (const DataBlock *) raw;
}

static gboolean
block_holds (const DataBlock *block,
             guint32          len,
             GQuark           first,
             GQuark           second)
{
  if (block == NULL || block->len != len || block->alloc < len)
    return FALSE;
  if (len == 1)
    return block->entries[0].key == first;
  return (block->entries[0].key == first && block->entries[1].key == second) ||
         (block->entries[0].key == second && block->entries[1].key == first);
}

static gboolean
probe (void)
{
  GObject *object;
  GQuark mark = g_quark_from_static_string ("gasync-qdata-check-probe");
  gboolean exact;

  if (sizeof (DataEntry) != 3 * sizeof (gpointer))
    return FALSE;

  object = g_object_new (G_TYPE_OBJECT, NULL);
  exact = g_atomic_pointer_get (&object->qdata) == NULL;
  g_object_freeze_notify (object);
  exact = exact && block_holds (data_block (object), 1, notify_queue (), 0);
  g_object_set_qdata (object, mark, object);
  exact = exact && block_holds (data_block (object), 2, notify_queue (), mark);
  g_object_set_qdata (object, mark, NULL);
  g_object_thaw_notify (object);
  g_object_unref (object);

  return exact;
}

gboolean
_gasync_qdata_check_is_exact (void)
{
  return _gasync_probe_once (&probe_state, probe);
}

static void
count_foreign_qdata (GQuark   key,
                     gpointer data,
                     gpointer user_data)
{
  guint *n_foreign = user_data;

  if (key != notify_queue ())
    (*n_foreign)++;
}

gboolean
_gasync_qdata_walk_is_only_notify_queue (GObject *object)
{
  guint n_foreign = 0;

  g_datalist_foreach (&object->qdata, count_foreign_qdata, &n_foreign);
  return n_foreign == 0;
}

gboolean
_gasync_qdata_is_only_notify_queue (GObject *object)
{
  const DataBlock *block;

  if (g_atomic_pointer_get (&object->qdata) == NULL)
    return TRUE;
  if G_UNLIKELY (!_gasync_qdata_check_is_exact ())
    return _gasync_qdata_walk_is_only_notify_queue (object);

  block = data_block (object);
  return block != NULL && (block->len == 0 || block_holds (block, 1, notify_queue (), 0));
}
