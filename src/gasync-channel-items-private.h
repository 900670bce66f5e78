/* gasync-channel-items-private.h: how a channel stores its items
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Item storage, with no knowledge of threads: an item type (how an item of
 * a GType is kept unboxed in an 8-byte slot, and converted to and from a
 * GValue) and a segmented ring of slots. Nothing here locks; the channel
 * core calls every ring function under its mutex. The one exception is
 * the ring's length, which is written with relaxed atomic stores so that
 * the owner may poll it without the lock (item_ring_peek_length()). */

#define ITEM_RING_SEGMENT_SLOTS 128   /* slots per segment (fewer if the capacity is smaller) */
#define ITEM_RING_MAX_SPARE     2     /* empty segments kept for reuse */

typedef union
{
  gpointer v_pointer;
  gint64   v_int64;
  gdouble  v_double;
} Slot;

typedef enum {
  KIND_POINTER,   /* G_TYPE_POINTER and types derived from it; item_free */
  KIND_SCALAR,    /* integers, booleans, enums, flags: 64 bits */
  KIND_FLOAT,     /* gfloat, gdouble: a double */
  KIND_STRING,    /* an owned string */
  KIND_OBJECT,    /* a reference */
  KIND_BOXED,     /* an owned copy */
  KIND_VARIANT,   /* a reference */
  KIND_PARAM,     /* a reference */
  KIND_VALUE,     /* anything else: an owned GValue * */
} ItemKind;

/* How the items of one GType are stored. Immutable once initialized. */
typedef struct
{
  GType           type;
  ItemKind        kind;
  GDestroyNotify  item_free;   /* KIND_POINTER only, may be NULL */
} ItemType;

typedef struct _Segment Segment;
struct _Segment
{
  Segment *next;
  Slot     slots[];
};

/* A FIFO of slots in segments of seg_slots slots, linked head to tail. */
typedef struct
{
  Segment *head;
  Segment *tail;
  guint    head_pos;    /* next slot to take in head */
  guint    tail_pos;    /* next free slot in tail */
  gsize    length;      /* written with item_ring_set_length(): may be polled */
  guint    seg_slots;   /* immutable */
  Segment *spare;       /* empty segments, linked through next */
  guint    n_spare;
} ItemRing;

/* Item types and slots */

void      item_type_init           (ItemType        *type,
                                    GType            gtype,
                                    GDestroyNotify   item_free);
void      slot_free                (const ItemType  *type,
                                    Slot             item);
void      slot_into_value          (const ItemType  *type,
                                    Slot             item,
                                    GValue          *value);
void      slot_copy_into_value     (const ItemType  *type,
                                    Slot             item,
                                    GValue          *value);
void      slot_drop_original       (const ItemType  *type,
                                    Slot             item);
gboolean  slot_from_value          (const ItemType  *type,
                                    const GValue    *value,
                                    Slot            *item,
                                    GError         **error);
gboolean  item_check_out_value_converts (const ItemType *type,
                                    GValue          *value,
                                    GError         **error);
void      item_store_converted     (const ItemType  *type,
                                    Slot             item,
                                    GValue          *value);
void      item_discard_value       (const ItemType  *type,
                                    GValue          *value);

static inline gboolean
item_kind_is_pointer_like (ItemKind kind)
{
  return kind != KIND_SCALAR && kind != KIND_FLOAT && kind != KIND_VALUE;
}

/* Checks, before anything is taken, that an item can be stored in @value:
 * zero-filled (the common case, inline), or initialized with a type the
 * item type converts to. */
static inline gboolean
item_check_out_value (const ItemType  *type,
                      GValue          *value,
                      GError         **error)
{
  if G_LIKELY (G_VALUE_TYPE (value) == G_TYPE_INVALID)
    return TRUE;
  return item_check_out_value_converts (type, value, error);
}

/* Moves @item into @value, which item_check_out_value() accepted. */
static inline void
item_store_into_value (const ItemType *type,
                       Slot            item,
                       GValue         *value)
{
  if G_LIKELY (G_VALUE_TYPE (value) == G_TYPE_INVALID)
    slot_into_value (type, item, value);
  else
    item_store_converted (type, item, value);
}

/* Makes a slot of a pointer item for the pointer fast paths. */
static inline Slot
slot_from_pointer (const ItemType *type,
                   gpointer        item)
{
  Slot slot;

  /* Taking over the caller's reference to a floating variant means owning
   * it, as g_value_take_variant() does. */
  if G_UNLIKELY (type->kind == KIND_VARIANT)
    g_variant_take_ref (item);

  slot.v_pointer = item;
  return slot;
}

/* The ring */

void      item_ring_init           (ItemRing        *ring,
                                    guint            capacity);
void      item_ring_clear          (ItemRing        *ring,
                                    const ItemType  *type);
Segment  *item_ring_segment_get    (ItemRing        *ring);
void      item_ring_segment_put    (ItemRing        *ring,
                                    Segment         *seg);
void      item_ring_push_head      (ItemRing        *ring,
                                    Slot             item);
guint     item_ring_pop_many       (ItemRing        *ring,
                                    Slot            *items,
                                    guint            max_items);
void      item_ring_steal          (ItemRing        *ring,
                                    ItemRing        *out);

/* The length is written by the owner (under its lock), but a thread about
 * to block polls it without the lock for a moment first, so writes and
 * those reads are relaxed atomics: plain moves on common CPUs. */
static inline void
item_ring_set_length (ItemRing *ring,
                      gsize     length)
{
  __atomic_store_n (&ring->length, length, __ATOMIC_RELAXED);
}

static inline gsize
item_ring_peek_length (ItemRing *ring)
{
  return __atomic_load_n (&ring->length, __ATOMIC_RELAXED);
}

/* The two per-item operations stay inline: every send and receive runs
 * them. */
static inline void
item_ring_push_tail (ItemRing *ring,
                     Slot      item)
{
  if G_UNLIKELY (ring->tail == NULL)
    {
      ring->head = ring->tail = item_ring_segment_get (ring);
      ring->head_pos = ring->tail_pos = 0;
    }
  else if G_UNLIKELY (ring->tail_pos == ring->seg_slots)
    {
      Segment *seg = item_ring_segment_get (ring);

      ring->tail->next = seg;
      ring->tail = seg;
      ring->tail_pos = 0;
    }

  ring->tail->slots[ring->tail_pos++] = item;
  item_ring_set_length (ring, ring->length + 1);
}

/* Empty: rewind within one segment, so that a ring that keeps up never
 * touches another segment. */
static inline void
item_ring_rewind (ItemRing *ring)
{
  while (ring->head != ring->tail)
    {
      Segment *old = ring->head;

      ring->head = old->next;
      item_ring_segment_put (ring, old);
    }
  ring->head_pos = ring->tail_pos = 0;
}

/* The ring must not be empty. */
static inline Slot
item_ring_pop_head (ItemRing *ring)
{
  Slot item;

  if G_UNLIKELY (ring->head_pos == ring->seg_slots)
    {
      Segment *old = ring->head;

      ring->head = old->next;
      ring->head_pos = 0;
      item_ring_segment_put (ring, old);
    }

  item = ring->head->slots[ring->head_pos++];
  item_ring_set_length (ring, ring->length - 1);

  if (ring->length == 0)
    item_ring_rewind (ring);

  return item;
}

G_END_DECLS
