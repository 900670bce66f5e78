/* channel-items.c: tests for a channel's item storage, on its own
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"
#include "gasync-channel-items-private.h"

/* Pointer items that count how often they are freed. */
static gint n_freed;

static void
count_free (gpointer item)
{
  n_freed++;
  g_free (item);
}

static Slot
scalar_slot (gint64 v)
{
  Slot slot;

  slot.v_int64 = v;
  return slot;
}

static void
test_ring_fifo (void)
{
  ItemType type;
  ItemRing ring;
  guint n = 5 * ITEM_RING_SEGMENT_SLOTS + 7;

  g_test_summary ("The ring keeps items in order across segments, keeps at "
                  "most a few spare segments, and rewinds when empty");

  item_type_init (&type, G_TYPE_INT64, NULL);
  g_assert_cmpint (type.kind, ==, KIND_SCALAR);
  item_ring_init (&ring, 0);
  g_assert_cmpuint (ring.seg_slots, ==, ITEM_RING_SEGMENT_SLOTS);

  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < n; i++)
        item_ring_push_tail (&ring, scalar_slot (i));
      g_assert_cmpuint (ring.length, ==, n);
      g_assert_cmpuint (item_ring_peek_length (&ring), ==, n);

      for (guint i = 0; i < n; i++)
        g_assert_cmpint (item_ring_pop_head (&ring).v_int64, ==, i);
      g_assert_cmpuint (ring.length, ==, 0);
      g_assert_true (ring.head == ring.tail);
      g_assert_cmpuint (ring.head_pos, ==, 0);
      g_assert_cmpuint (ring.tail_pos, ==, 0);
      g_assert_cmpuint (ring.n_spare, <=, ITEM_RING_MAX_SPARE);
    }

  item_ring_clear (&ring, &type);
  g_assert_null (ring.head);
  g_assert_null (ring.spare);
}

static void
test_ring_small_capacity (void)
{
  ItemType type;
  ItemRing ring;
  Slot batch[8];

  g_test_summary ("A bounded ring uses segments no larger than its capacity; "
                  "pop_many takes what is there, in order");

  item_type_init (&type, G_TYPE_INT, NULL);
  item_ring_init (&ring, 3);
  g_assert_cmpuint (ring.seg_slots, ==, 3);

  for (guint i = 0; i < 7; i++)
    item_ring_push_tail (&ring, scalar_slot (i));
  g_assert_cmpuint (item_ring_pop_many (&ring, batch, 5), ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (batch[i].v_int64, ==, i);
  g_assert_cmpuint (item_ring_pop_many (&ring, batch, G_N_ELEMENTS (batch)), ==, 2);
  g_assert_cmpint (batch[0].v_int64, ==, 5);
  g_assert_cmpint (batch[1].v_int64, ==, 6);
  g_assert_cmpuint (item_ring_pop_many (&ring, batch, G_N_ELEMENTS (batch)), ==, 0);

  item_ring_clear (&ring, &type);
}

static void
test_ring_push_head (void)
{
  ItemType type;
  ItemRing ring;

  g_test_summary ("Items put back in front come out first, in order, also "
                  "when the head segment has no room before it");

  item_type_init (&type, G_TYPE_INT, NULL);
  item_ring_init (&ring, 4);

  /* Into an empty ring. */
  item_ring_push_head (&ring, scalar_slot (1));
  g_assert_cmpint (item_ring_pop_head (&ring).v_int64, ==, 1);

  /* In front of a head at position 0: a new segment goes before it. */
  for (guint i = 10; i < 16; i++)
    item_ring_push_tail (&ring, scalar_slot (i));
  g_assert_cmpuint (ring.head_pos, ==, 0);
  for (gint i = 9; i >= 0; i--)
    item_ring_push_head (&ring, scalar_slot (i));
  g_assert_cmpuint (ring.length, ==, 16);
  for (guint i = 0; i < 16; i++)
    g_assert_cmpint (item_ring_pop_head (&ring).v_int64, ==, i);

  item_ring_clear (&ring, &type);
}

static void
test_ring_steal_and_clear (void)
{
  ItemType type;
  ItemRing ring;
  ItemRing stolen = { 0, };

  g_test_summary ("Stealing moves the items out and leaves the ring empty and "
                  "usable; clearing frees each item exactly once");

  n_freed = 0;
  item_type_init (&type, G_TYPE_POINTER, count_free);
  g_assert_cmpint (type.kind, ==, KIND_POINTER);
  item_ring_init (&ring, 0);

  for (guint i = 0; i < 300; i++)
    item_ring_push_tail (&ring, slot_from_pointer (&type, g_new0 (gint, 1)));
  /* Take a few, so that the head is mid-segment. */
  for (guint i = 0; i < 5; i++)
    g_free (item_ring_pop_head (&ring).v_pointer);

  item_ring_steal (&ring, &stolen);
  g_assert_cmpuint (stolen.length, ==, 295);
  g_assert_cmpuint (ring.length, ==, 0);
  g_assert_null (ring.head);

  item_ring_push_tail (&ring, slot_from_pointer (&type, g_new0 (gint, 1)));
  g_assert_cmpuint (ring.length, ==, 1);

  item_ring_clear (&stolen, &type);
  g_assert_cmpint (n_freed, ==, 295);
  item_ring_clear (&ring, &type);
  g_assert_cmpint (n_freed, ==, 296);
}

/* Stores @value as an item of @gtype and moves it back out. */
static void
round_trip (GType         gtype,
            const GValue *value,
            GValue       *out)
{
  g_autoptr(GError) error = NULL;
  ItemType type;
  Slot slot;

  item_type_init (&type, gtype, NULL);
  g_assert_true (slot_from_value (&type, value, &slot, &error));
  g_assert_no_error (error);
  slot_into_value (&type, slot, out);
}

static void
test_kind_for_type (void)
{
  ItemType type;

  g_test_summary ("Each item type is stored as the kind that fits it");

  item_type_init (&type, G_TYPE_DOUBLE, NULL);
  g_assert_cmpint (type.kind, ==, KIND_FLOAT);
  item_type_init (&type, G_TYPE_STRING, NULL);
  g_assert_cmpint (type.kind, ==, KIND_STRING);
  item_type_init (&type, G_TYPE_CANCELLABLE, NULL);
  g_assert_cmpint (type.kind, ==, KIND_OBJECT);
  item_type_init (&type, G_TYPE_BYTES, NULL);
  g_assert_cmpint (type.kind, ==, KIND_BOXED);
  item_type_init (&type, G_TYPE_VARIANT, NULL);
  g_assert_cmpint (type.kind, ==, KIND_VARIANT);
  item_type_init (&type, G_TYPE_PARAM, NULL);
  g_assert_cmpint (type.kind, ==, KIND_PARAM);
  g_assert_false (item_kind_is_pointer_like (KIND_SCALAR));
  g_assert_true (item_kind_is_pointer_like (KIND_BOXED));
}

static void
test_slot_kinds (void)
{
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("abc", 3);

  g_test_summary ("Every kind of item goes into a slot and back out as the "
                  "same value, converted to the item type where needed");

  /* A gint64 value on an int channel is narrowed by the transform. */
  g_value_init (&in, G_TYPE_INT64);
  g_value_set_int64 (&in, -7);
  round_trip (G_TYPE_INT, &in, &out);
  g_assert_true (G_VALUE_HOLDS_INT (&out));
  g_assert_cmpint (g_value_get_int (&out), ==, -7);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_UINT64);
  g_value_set_uint64 (&in, G_MAXUINT64);
  round_trip (G_TYPE_UINT64, &in, &out);
  g_assert_cmpuint (g_value_get_uint64 (&out), ==, G_MAXUINT64);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_FLOAT);
  g_value_set_float (&in, 0.5f);
  round_trip (G_TYPE_FLOAT, &in, &out);
  g_assert_cmpfloat (g_value_get_float (&out), ==, 0.5f);
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_STRING);
  g_value_set_string (&in, "hello");
  round_trip (G_TYPE_STRING, &in, &out);
  g_assert_cmpstr (g_value_get_string (&out), ==, "hello");
  g_assert_true (g_value_get_string (&out) != g_value_get_string (&in));
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_BYTES);
  g_value_set_boxed (&in, bytes);
  round_trip (G_TYPE_BYTES, &in, &out);
  g_assert_true (g_bytes_equal (g_value_get_boxed (&out), bytes));
  g_value_unset (&in);
  g_value_unset (&out);

  g_value_init (&in, G_TYPE_VARIANT);
  g_value_set_variant (&in, g_variant_new_int32 (5));
  round_trip (G_TYPE_VARIANT, &in, &out);
  g_assert_cmpint (g_variant_get_int32 (g_value_get_variant (&out)), ==, 5);
}

static void
test_slot_refusals (void)
{
  g_autoptr(GObject) object = g_object_new (G_TYPE_OBJECT, NULL);
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;
  GError *error = NULL;
  ItemType type;
  Slot slot;

  g_test_summary ("NULL items, values that do not convert and objects of "
                  "another class are refused, and nothing is left behind");

  item_type_init (&type, G_TYPE_STRING, NULL);
  g_value_init (&in, G_TYPE_STRING);
  g_assert_false (slot_from_value (&type, &in, &slot, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_value_unset (&in);

  item_type_init (&type, G_TYPE_CANCELLABLE, NULL);
  g_value_init (&in, G_TYPE_OBJECT);
  g_value_set_object (&in, object);
  g_assert_false (slot_from_value (&type, &in, &slot, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_value_unset (&in);

  g_value_init (&in, G_TYPE_STRING);
  g_value_set_string (&in, "no");
  g_assert_false (slot_from_value (&type, &in, &slot, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_value_unset (&in);

  /* Out values: zero-filled, or of a type the item converts to. */
  item_type_init (&type, G_TYPE_INT, NULL);
  g_assert_true (item_check_out_value (&type, &out, &error));
  g_value_init (&out, G_TYPE_STRING);
  g_assert_true (item_check_out_value (&type, &out, &error));
  item_store_into_value (&type, scalar_slot (3), &out);
  g_assert_cmpstr (g_value_get_string (&out), ==, "3");
  g_value_unset (&out);
  g_value_init (&out, G_TYPE_OBJECT);
  g_assert_false (item_check_out_value (&type, &out, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
}

static void
test_slot_ownership (void)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GVariant *floating = g_variant_new_int32 (1);
  g_auto(GValue) value = G_VALUE_INIT;
  ItemType type;
  Slot slot;

  g_test_summary ("Copies hold their own reference; dropping an original "
                  "never frees a pointer item; a discarded pointer value is "
                  "freed with item_free; a floating variant is sunk");

  item_type_init (&type, G_TYPE_OBJECT, NULL);
  slot = slot_from_pointer (&type, object);   /* the slot owns the reference */
  g_object_add_weak_pointer (object, (gpointer *) &object);
  slot_copy_into_value (&type, slot, &value);
  slot_drop_original (&type, slot);
  g_assert_nonnull (object);
  g_value_unset (&value);
  g_assert_null (object);

  n_freed = 0;
  item_type_init (&type, G_TYPE_POINTER, count_free);
  slot = slot_from_pointer (&type, g_new0 (gint, 1));
  slot_copy_into_value (&type, slot, &value);
  slot_drop_original (&type, slot);
  g_assert_cmpint (n_freed, ==, 0);
  item_discard_value (&type, &value);
  g_assert_cmpint (n_freed, ==, 1);
  g_assert_false (G_IS_VALUE (&value));

  item_type_init (&type, G_TYPE_VARIANT, NULL);
  slot = slot_from_pointer (&type, floating);
  g_assert_false (g_variant_is_floating (slot.v_pointer));
  slot_free (&type, slot);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel-items/ring/fifo-across-segments", test_ring_fifo);
  g_test_add_func ("/channel-items/ring/small-capacity", test_ring_small_capacity);
  g_test_add_func ("/channel-items/ring/push-head", test_ring_push_head);
  g_test_add_func ("/channel-items/ring/steal-and-clear", test_ring_steal_and_clear);
  g_test_add_func ("/channel-items/slot/kind-for-type", test_kind_for_type);
  g_test_add_func ("/channel-items/slot/kinds", test_slot_kinds);
  g_test_add_func ("/channel-items/slot/refusals", test_slot_refusals);
  g_test_add_func ("/channel-items/slot/ownership", test_slot_ownership);

  return g_test_run ();
}
