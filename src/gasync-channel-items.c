/* gasync-channel-items.c: a channel's item storage
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "gasync-channel-items-private.h"
#include "gasync-error.h"
#include "gasync-future-private.h"
#include "gasync-i18n-private.h"

/* Items are stored unboxed, eight bytes each: the pointer, the reference,
 * the 64-bit number; only types with no cheaper form get a GValue per
 * item. The ring keeps them in segments of slots instead of one GList node
 * per item: 8 bytes per queued item instead of 32 (a 24-byte node plus the
 * malloc header), and no malloc on one core and free on the other per
 * item. Nothing in this file knows about threads or locks. */

/* Item types */

static ItemKind
kind_for_type (GType type)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_POINTER:
      return KIND_POINTER;
    case G_TYPE_CHAR:
    case G_TYPE_UCHAR:
    case G_TYPE_BOOLEAN:
    case G_TYPE_INT:
    case G_TYPE_UINT:
    case G_TYPE_LONG:
    case G_TYPE_ULONG:
    case G_TYPE_INT64:
    case G_TYPE_UINT64:
    case G_TYPE_ENUM:
    case G_TYPE_FLAGS:
      return KIND_SCALAR;
    case G_TYPE_FLOAT:
    case G_TYPE_DOUBLE:
      return KIND_FLOAT;
    case G_TYPE_STRING:
      return KIND_STRING;
    case G_TYPE_OBJECT:
    case G_TYPE_INTERFACE:
      return g_type_is_a (type, G_TYPE_OBJECT) ? KIND_OBJECT : KIND_VALUE;
    case G_TYPE_BOXED:
      return KIND_BOXED;
    case G_TYPE_VARIANT:
      return KIND_VARIANT;
    case G_TYPE_PARAM:
      return KIND_PARAM;
    default:
      return KIND_VALUE;
    }
}

void
item_type_init (ItemType       *type,
                GType           gtype,
                GDestroyNotify  item_free)
{
  type->type = gtype;
  type->kind = kind_for_type (gtype);
  type->item_free = item_free;
}

/* Slots: conversions between slots and GValues */

void
slot_free (const ItemType *type,
           Slot            item)
{
  switch (type->kind)
    {
    case KIND_POINTER:
      if (type->item_free != NULL)
        type->item_free (item.v_pointer);
      break;
    case KIND_SCALAR:
    case KIND_FLOAT:
      break;
    case KIND_STRING:
      g_free (item.v_pointer);
      break;
    case KIND_OBJECT:
      g_object_unref (item.v_pointer);
      break;
    case KIND_BOXED:
      g_boxed_free (type->type, item.v_pointer);
      break;
    case KIND_VARIANT:
      g_variant_unref (item.v_pointer);
      break;
    case KIND_PARAM:
      g_param_spec_unref (item.v_pointer);
      break;
    case KIND_VALUE:
      g_value_unset (item.v_pointer);
      g_free (item.v_pointer);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Sets @value, initialized with an integer @type, to @v. */
static void
scalar_into_value (GType   type,
                   gint64  v,
                   GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_CHAR:    g_value_set_schar (value, (gint8) v); break;
    case G_TYPE_UCHAR:   g_value_set_uchar (value, (guint8) v); break;
    case G_TYPE_BOOLEAN: g_value_set_boolean (value, v != 0); break;
    case G_TYPE_INT:     g_value_set_int (value, (gint) v); break;
    case G_TYPE_UINT:    g_value_set_uint (value, (guint) v); break;
    case G_TYPE_LONG:    g_value_set_long (value, (glong) v); break;
    case G_TYPE_ULONG:   g_value_set_ulong (value, (gulong) v); break;
    case G_TYPE_INT64:   g_value_set_int64 (value, v); break;
    case G_TYPE_UINT64:  g_value_set_uint64 (value, (guint64) v); break;
    case G_TYPE_ENUM:    g_value_set_enum (value, (gint) v); break;
    case G_TYPE_FLAGS:   g_value_set_flags (value, (guint) v); break;
    default:             g_assert_not_reached ();
    }
}

/* Moves @item into @value, zero-filled, initialized with the item type. A
 * pointer item is handed over: a G_TYPE_POINTER value owns nothing. */
void
slot_into_value (const ItemType *type,
                 Slot            item,
                 GValue         *value)
{
  if (type->kind == KIND_VALUE)
    {
      *value = *(GValue *) item.v_pointer;
      g_free (item.v_pointer);
      return;
    }

  g_value_init (value, type->type);

  switch (type->kind)
    {
    case KIND_POINTER:
      g_value_set_pointer (value, item.v_pointer);
      break;
    case KIND_SCALAR:
      scalar_into_value (type->type, item.v_int64, value);
      break;
    case KIND_FLOAT:
      if (G_TYPE_FUNDAMENTAL (type->type) == G_TYPE_FLOAT)
        g_value_set_float (value, (gfloat) item.v_double);
      else
        g_value_set_double (value, item.v_double);
      break;
    case KIND_STRING:
      g_value_take_string (value, item.v_pointer);
      break;
    case KIND_OBJECT:
      g_value_take_object (value, item.v_pointer);
      break;
    case KIND_BOXED:
      g_value_take_boxed (value, item.v_pointer);
      break;
    case KIND_VARIANT:
      g_value_take_variant (value, item.v_pointer);
      break;
    case KIND_PARAM:
      g_value_take_param (value, item.v_pointer);
      break;
    case KIND_VALUE:
    default:
      g_assert_not_reached ();
    }
}

/* Puts a copy of @item (still owned by the caller) in @value, zero-filled. */
void
slot_copy_into_value (const ItemType *type,
                      Slot            item,
                      GValue         *value)
{
  Slot copy = item;

  switch (type->kind)
    {
    case KIND_POINTER:
    case KIND_SCALAR:
    case KIND_FLOAT:
      break;
    case KIND_STRING:
      copy.v_pointer = g_strdup (item.v_pointer);
      break;
    case KIND_OBJECT:
      copy.v_pointer = g_object_ref (item.v_pointer);
      break;
    case KIND_BOXED:
      copy.v_pointer = g_boxed_copy (type->type, item.v_pointer);
      break;
    case KIND_VARIANT:
      copy.v_pointer = g_variant_ref (item.v_pointer);
      break;
    case KIND_PARAM:
      copy.v_pointer = g_param_spec_ref (item.v_pointer);
      break;
    case KIND_VALUE:
      copy.v_pointer = g_new0 (GValue, 1);
      g_value_init (copy.v_pointer, type->type);
      g_value_copy (item.v_pointer, copy.v_pointer);
      break;
    default:
      g_assert_not_reached ();
    }

  slot_into_value (type, copy, value);
}

/* Drops a slot that was copied: the original after its copy was taken
 * (slot_copy_into_value()), or a copy made from a GValue that was not
 * taken (slot_from_value()). A G_TYPE_POINTER value owns nothing, so a
 * pointer item is never freed here: it went with the copy, or it is still
 * the sender's. */
void
slot_drop_original (const ItemType *type,
                    Slot            item)
{
  if (type->kind != KIND_POINTER)
    slot_free (type, item);
}

static void
set_type_mismatch (GError     **error,
                   const char  *have,
                   GType        want)
{
  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("A value of type “%s” cannot be sent on a channel of “%s”"),
               have, g_type_name (want));
}

/* Converts @value to the item type in @converted (zero-filled) if it is
 * not of a compatible type already. Returns the value to store: @value or
 * @converted; NULL with @error set if it does not convert. */
static const GValue *
value_for_item_type (const ItemType  *type,
                     const GValue    *value,
                     GValue          *converted,
                     GError         **error)
{
  GType have = G_VALUE_TYPE (value);

  if (g_value_type_compatible (have, type->type))
    return value;

  if (!g_value_type_transformable (have, type->type))
    {
      set_type_mismatch (error, g_type_name (have), type->type);
      return NULL;
    }
  g_value_init (converted, type->type);
  if (!g_value_transform (value, converted))
    {
      g_value_unset (converted);
      set_type_mismatch (error, g_type_name (have), type->type);
      return NULL;
    }
  return converted;
}

/* Reads @value, holding an integer @type, as 64 bits. */
static gint64
scalar_from_value (GType         type,
                   const GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_CHAR:    return g_value_get_schar (value);
    case G_TYPE_UCHAR:   return g_value_get_uchar (value);
    case G_TYPE_BOOLEAN: return g_value_get_boolean (value) != FALSE;
    case G_TYPE_INT:     return g_value_get_int (value);
    case G_TYPE_UINT:    return g_value_get_uint (value);
    case G_TYPE_LONG:    return g_value_get_long (value);
    case G_TYPE_ULONG:   return (gint64) g_value_get_ulong (value);
    case G_TYPE_INT64:   return g_value_get_int64 (value);
    case G_TYPE_UINT64:  return (gint64) g_value_get_uint64 (value);
    case G_TYPE_ENUM:    return g_value_get_enum (value);
    case G_TYPE_FLAGS:   return g_value_get_flags (value);
    default:             g_assert_not_reached ();
    }
}

/* Makes an owned slot from @value, which holds the item type. */
static void
slot_copy_from_value (const ItemType *type,
                      const GValue   *value,
                      Slot           *item)
{
  switch (type->kind)
    {
    case KIND_POINTER:
      item->v_pointer = g_value_get_pointer (value);
      break;
    case KIND_SCALAR:
      item->v_int64 = scalar_from_value (type->type, value);
      break;
    case KIND_FLOAT:
      if (G_TYPE_FUNDAMENTAL (type->type) == G_TYPE_FLOAT)
        item->v_double = g_value_get_float (value);
      else
        item->v_double = g_value_get_double (value);
      break;
    case KIND_STRING:
      item->v_pointer = g_value_dup_string (value);
      break;
    case KIND_OBJECT:
      item->v_pointer = g_value_dup_object (value);
      break;
    case KIND_BOXED:
      item->v_pointer = g_value_dup_boxed (value);
      break;
    case KIND_VARIANT:
      item->v_pointer = g_value_dup_variant (value);
      break;
    case KIND_PARAM:
      item->v_pointer = g_value_dup_param (value);
      break;
    case KIND_VALUE:
      item->v_pointer = g_new0 (GValue, 1);
      g_value_init (item->v_pointer, type->type);
      g_value_copy (value, item->v_pointer);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* A pointer-like slot made from @original (converted to @value) is NULL:
 * says why in @error. */
static void
set_null_item_error (const ItemType  *type,
                     const GValue    *original,
                     const GValue    *value,
                     GError         **error)
{
  /* GLib's object-to-object transform gives NULL for an instance of
   * another class: that is a mismatch, not a NULL item. */
  if (original != value && g_value_fits_pointer (original) &&
      g_value_peek_pointer (original) != NULL)
    set_type_mismatch (error,
                       G_VALUE_HOLDS_OBJECT (original) ?
                       G_OBJECT_TYPE_NAME (g_value_peek_pointer (original)) :
                       G_VALUE_TYPE_NAME (original),
                       type->type);
  else
    g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT,
                 _("A channel does not carry NULL items"));
}

/* Makes an owned slot from a value of the item type (or one that
 * converts to it). */
gboolean
slot_from_value (const ItemType  *type,
                 const GValue    *value,
                 Slot            *item,
                 GError         **error)
{
  GValue converted = G_VALUE_INIT;
  const GValue *stored;
  gboolean ok = TRUE;

  stored = value_for_item_type (type, value, &converted, error);
  if (stored == NULL)
    return FALSE;

  slot_copy_from_value (type, stored, item);

  if (item_kind_is_pointer_like (type->kind) && item->v_pointer == NULL)
    {
      set_null_item_error (type, value, stored, error);
      ok = FALSE;
    }

  if (stored == &converted)
    g_value_unset (&converted);

  return ok;
}

/* item_check_out_value() for an initialized @value: does the item type
 * convert to its type? */
gboolean
item_check_out_value_converts (const ItemType  *type,
                               GValue          *value,
                               GError         **error)
{
  GType want = G_VALUE_TYPE (value);

  if (g_value_type_compatible (type->type, want) ||
      g_value_type_transformable (type->type, want))
    return TRUE;

  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH,
               _("The channel carries items of type “%s”, which cannot be converted to “%s”"),
               g_type_name (type->type), g_type_name (want));
  return FALSE;
}

/* item_store_into_value() for an initialized @value: converts the item
 * to its type. */
void
item_store_converted (const ItemType *type,
                      Slot            item,
                      GValue         *value)
{
  GValue tmp = G_VALUE_INIT;

  slot_into_value (type, item, &tmp);
  if (!_gasync_value_store (value, &tmp, NULL))
    g_assert_not_reached ();
  g_value_unset (&tmp);
}

/* Frees an item that was moved into @value (slot_into_value()) and that
 * nobody wants: unsets @value, and frees a pointer item, which a
 * G_TYPE_POINTER value does not own, with the item free function. */
void
item_discard_value (const ItemType *type,
                    GValue         *value)
{
  if (type->kind == KIND_POINTER && G_VALUE_HOLDS_POINTER (value) &&
      type->item_free != NULL && g_value_get_pointer (value) != NULL)
    type->item_free (g_value_get_pointer (value));
  g_value_unset (value);
}

/* The ring: a segmented FIFO of slots */

void
item_ring_init (ItemRing *ring,
                guint     capacity)
{
  memset (ring, 0, sizeof *ring);
  ring->seg_slots = capacity > 0 ? MIN (capacity, ITEM_RING_SEGMENT_SLOTS) : ITEM_RING_SEGMENT_SLOTS;
}

Segment *
item_ring_segment_get (ItemRing *ring)
{
  Segment *seg = ring->spare;

  if (seg != NULL)
    {
      ring->spare = seg->next;
      ring->n_spare--;
    }
  else
    seg = g_malloc (sizeof (Segment) + ring->seg_slots * sizeof (Slot));

  seg->next = NULL;
  return seg;
}

void
item_ring_segment_put (ItemRing *ring,
                       Segment  *seg)
{
  if (ring->n_spare < ITEM_RING_MAX_SPARE)
    {
      seg->next = ring->spare;
      ring->spare = seg;
      ring->n_spare++;
    }
  else
    g_free (seg);
}

/* Puts an item taken out back in front (a handler that stopped mid-batch). */
void
item_ring_push_head (ItemRing *ring,
                     Slot      item)
{
  if (ring->length == 0)
    {
      item_ring_push_tail (ring, item);
      return;
    }

  if (ring->head_pos == 0)
    {
      Segment *seg = item_ring_segment_get (ring);

      seg->next = ring->head;
      ring->head = seg;
      ring->head_pos = ring->seg_slots;
    }

  ring->head->slots[--ring->head_pos] = item;
  item_ring_set_length (ring, ring->length + 1);
}

guint
item_ring_pop_many (ItemRing *ring,
                    Slot     *items,
                    guint     max_items)
{
  guint n = 0;

  while (n < max_items && ring->length > 0)
    items[n++] = item_ring_pop_head (ring);

  return n;
}

/* Moves the items of @ring (not its spare segments) to @out, zero-filled,
 * for freeing later with item_ring_clear(). @ring is left empty. */
void
item_ring_steal (ItemRing *ring,
                 ItemRing *out)
{
  out->head = ring->head;
  out->tail = ring->tail;
  out->head_pos = ring->head_pos;
  out->tail_pos = ring->tail_pos;
  out->length = ring->length;
  out->seg_slots = ring->seg_slots;

  ring->head = ring->tail = NULL;
  ring->head_pos = ring->tail_pos = 0;
  item_ring_set_length (ring, 0);
}

/* Frees the items of @ring, then its segments and spare segments. */
void
item_ring_clear (ItemRing       *ring,
                 const ItemType *type)
{
  Segment *seg = ring->head;
  guint pos = ring->head_pos;
  gsize left = ring->length;

  while (seg != NULL)
    {
      Segment *next = seg->next;
      guint end = seg == ring->tail ? ring->tail_pos : ring->seg_slots;

      for (; pos < end && left > 0; pos++, left--)
        slot_free (type, seg->slots[pos]);
      g_free (seg);
      seg = next;
      pos = 0;
    }

  while (ring->spare != NULL)
    {
      seg = ring->spare;
      ring->spare = seg->next;
      g_free (seg);
    }

  memset (ring, 0, sizeof *ring);
}
