/* channel.c: tests for GAsyncSender and GAsyncReceiver
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gasync-test-util.h"
#include "gasync-channel-private.h"
#include "gasync-tsan-private.h"

/* Pointer items that count how often the channel frees them. */
typedef struct
{
  gint  *freed;
  guint  id;
} Item;

static Item *
item_new (gint  *freed,
          guint  id)
{
  Item *item = g_new0 (Item, 1);

  item->freed = freed;
  item->id = id;
  return item;
}

static void
item_free (gpointer data)
{
  Item *item = data;

  g_atomic_int_inc (item->freed);
  g_free (item);
}

/* Waits (polling a snapshot, without proving any ordering by sleeping)
 * until @expr holds for the stats @st of @rx. */
#define WAIT_FOR_STATS(rx, st, expr)                                          \
  G_STMT_START {                                                              \
    gint64 end_ = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;              \
    for (;;)                                                                  \
      {                                                                       \
        _gasync_receiver_get_stats ((rx), &(st));                             \
        if (expr)                                                             \
          break;                                                              \
        if (g_get_monotonic_time () > end_)                                   \
          g_error ("timed out waiting for %s", #expr);                        \
        g_usleep (200);                                                       \
      }                                                                       \
  } G_STMT_END

/* Waits for @future for at most @msec milliseconds, the way a blocking
 * send or receive is bounded: gasync_future_with_timeout() cancels
 * @future (which withdraws a pending send or receive) when time is up.
 * The item may have moved just before that, so @future's own result
 * decides: a receive that took an item returns it. */
static gboolean
wait_bounded (GAsyncFuture  *future,
              guint          msec,
              GValue        *value,
              GError       **error)
{
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, msec);
  GError *local = NULL;

  if (gasync_future_wait (bounded, NULL, value, &local))
    return TRUE;

  if (g_error_matches (local, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT))
    {
      g_clear_error (&local);
      g_value_unset (value);
      /* Settles soon: it is resolved, or being cancelled. */
      if (gasync_future_wait (future, NULL, value, &local))
        return TRUE;
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&local);
          g_set_error_literal (&local, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT, "Timed out");
        }
    }

  g_propagate_error (error, local);
  return FALSE;
}

/* A pointer send or receive bounded as the removed _with_timeout forms
 * were: the future form with a deadline. */
static gboolean
send_pointer_bounded (GAsyncSender  *tx,
                      gpointer       item,
                      guint          msec,
                      GError       **error)
{
  g_autoptr(GAsyncFuture) f = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) queued = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, item);
  f = gasync_sender_send_future (tx, &value);
  return wait_bounded (f, msec, &queued, error);
}

static gpointer
recv_pointer_bounded (GAsyncReceiver  *rx,
                      guint            msec,
                      GError         **error)
{
  g_autoptr(GAsyncFuture) f = gasync_receiver_recv_future (rx);
  g_auto(GValue) value = G_VALUE_INIT;

  if (!wait_bounded (f, msec, &value, error))
    return NULL;
  return g_value_get_pointer (&value);
}

/* The GValue forms on a channel of an integer type, for tests that only
 * move numbers. */
static gboolean
send_int (GAsyncSender  *tx,
          gint           item,
          GCancellable  *cancellable,
          GError       **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, item);
  return gasync_sender_send (tx, &value, cancellable, error);
}

static gboolean
recv_int (GAsyncReceiver  *rx,
          gint64          *item,
          GCancellable    *cancellable,
          GError         **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT64);
  if (!gasync_receiver_recv (rx, cancellable, &value, error))
    return FALSE;
  *item = g_value_get_int64 (&value);
  return TRUE;
}

static gboolean
try_recv_int (GAsyncReceiver  *rx,
              gint64          *item,
              GError         **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT64);
  if (!gasync_receiver_try_recv (rx, &value, error))
    return FALSE;
  *item = g_value_get_int64 (&value);
  return TRUE;
}

/* Basic sending and receiving */

static void
test_pointer_basic (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  gint freed = 0;
  Item *got;

  g_test_summary ("The C pointer fast paths deliver items in order, report "
                  "EMPTY and CLOSED, and free nothing that was received");

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, &tx, &rx);
  g_assert_true (gasync_sender_get_item_type (tx) == G_TYPE_POINTER);
  g_assert_true (gasync_receiver_get_item_type (rx) == G_TYPE_POINTER);
  g_assert_false (gasync_sender_is_closed (tx));

  g_assert_true (gasync_sender_send_pointer (tx, item_new (&freed, 1), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_sender_try_send_pointer (tx, item_new (&freed, 2), &error));
  g_assert_no_error (error);
  g_assert_true (gasync_sender_send_many (tx, (gpointer[]) { item_new (&freed, 3) }, 1, NULL, &error));
  g_assert_no_error (error);

  for (guint id = 1; id <= 3; id++)
    {
      got = id == 2 ? gasync_receiver_try_recv_pointer (rx, &error)
                    : gasync_receiver_recv_pointer (rx, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (got);
      g_assert_cmpuint (got->id, ==, id);
      g_free (got);
    }

  got = gasync_receiver_try_recv_pointer (rx, &error);
  g_assert_null (got);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);

  g_clear_object (&tx);
  got = gasync_receiver_recv_pointer (rx, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);

  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, 0);
}

static void
test_pointer_batches (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  gpointer items[1000];
  gpointer out[64];
  guint n, next = 1;

  g_test_summary ("send_many queues a batch in order; recv_many and "
                  "try_recv_many take up to max_items with one call");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    items[i] = GUINT_TO_POINTER (i + 1);
  g_assert_cmpuint (gasync_sender_send_many (tx, items, G_N_ELEMENTS (items), NULL, &error), ==,
                    G_N_ELEMENTS (items));
  g_assert_no_error (error);

  n = gasync_receiver_recv_many (rx, out, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 10);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (out[i]), ==, next++);

  while ((n = gasync_receiver_try_recv_many (rx, out, G_N_ELEMENTS (out), &error)) > 0)
    for (guint i = 0; i < n; i++)
      g_assert_cmpuint (GPOINTER_TO_UINT (out[i]), ==, next++);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_cmpuint (next, ==, G_N_ELEMENTS (items) + 1);

  g_clear_object (&tx);
  g_assert_cmpuint (gasync_receiver_recv_many (rx, out, 4, NULL, &error), ==, 0);
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

static void
test_pointer_preconditions (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) itx = NULL;
  g_autoptr(GAsyncReceiver) irx = NULL;
  g_autoptr(GAsyncSender) otx = NULL;
  g_autoptr(GAsyncReceiver) orx = NULL;
  g_autoptr(GObject) wrong = g_object_new (G_TYPE_OBJECT, NULL);

  g_test_summary ("NULL items, pointer calls on integer channels, objects of "
                  "the wrong type and item_free on non-pointer channels are refused");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  gasync_channel_new (G_TYPE_INT, 0, &itx, &irx);
  gasync_channel_new (G_TYPE_CANCELLABLE, 0, &otx, &orx);

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*pointer_item_is_valid*");
  g_assert_false (gasync_sender_send_pointer (tx, NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*pointer_item_is_valid*");
  g_assert_false (gasync_sender_try_send_pointer (otx, wrong, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*kind_is_pointer_like*");
  g_assert_false (gasync_sender_send_pointer (itx, GUINT_TO_POINTER (1), NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*kind_is_pointer_like*");
  g_assert_null (gasync_receiver_try_recv_pointer (irx, NULL));
  g_test_assert_expected_messages ();

  if (g_test_undefined ())
    {
      GAsyncSender *s = NULL;
      GAsyncReceiver *r = NULL;

      g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*item_free == NULL*");
      gasync_channel_new_full (G_TYPE_STRING, 0, g_free, &s, &r);
      g_test_assert_expected_messages ();
      g_assert_null (s);
      g_assert_null (r);
    }
}

static void
test_int (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;
  gint64 v = 0;

  g_test_summary ("Integer items round-trip through GValues, converted where "
                  "the types differ");

  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);
  g_assert_true (send_int (tx, -5, NULL, &error));
  g_value_init (&in, G_TYPE_INT64);
  g_value_set_int64 (&in, 7);
  g_assert_true (gasync_sender_try_send (tx, &in, &error));
  g_assert_no_error (error);
  g_value_unset (&in);

  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, -5);
  g_assert_true (gasync_receiver_recv (rx, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_HOLDS_INT (&value));
  g_assert_cmpint (g_value_get_int (&value), ==, 7);
  g_value_unset (&value);

  g_assert_false (try_recv_int (rx, &v, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);
  g_clear_object (&tx);
  g_clear_object (&rx);

  gasync_channel_new (G_TYPE_UINT64, 0, &tx, &rx);
  g_value_init (&in, G_TYPE_UINT64);
  g_value_set_uint64 (&in, G_MAXUINT64);
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_value_unset (&in);
  g_assert_true (gasync_receiver_recv (rx, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_value_get_uint64 (&value), ==, G_MAXUINT64);
}

static void
test_int_bool_enum_pointer (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) value = G_VALUE_INIT;

  g_test_summary ("Booleans and enums are stored as numbers and come back as "
                  "their type; small integers ride the pointer fast path of a "
                  "G_TYPE_POINTER channel");

  gasync_channel_new (G_TYPE_BOOLEAN, 0, &tx, &rx);
  g_value_init (&in, G_TYPE_BOOLEAN);
  g_value_set_boolean (&in, TRUE);
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_value_unset (&in);
  g_assert_true (gasync_receiver_recv (rx, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_true (g_value_get_boolean (&value));
  g_value_unset (&value);
  g_clear_object (&tx);
  g_clear_object (&rx);

  gasync_channel_new (G_TYPE_IO_ERROR_ENUM, 0, &tx, &rx);
  g_value_init (&in, G_TYPE_IO_ERROR_ENUM);
  g_value_set_enum (&in, G_IO_ERROR_BUSY);
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_value_unset (&in);
  g_assert_true (gasync_receiver_recv (rx, NULL, &value, &error));
  g_assert_no_error (error);
  g_assert_true (G_VALUE_TYPE (&value) == G_TYPE_IO_ERROR_ENUM);
  g_assert_cmpint (g_value_get_enum (&value), ==, G_IO_ERROR_BUSY);
  g_value_unset (&value);
  g_clear_object (&tx);
  g_clear_object (&rx);

  /* The C fast path for numbers: GINT_TO_POINTER on a pointer channel. */
  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, GINT_TO_POINTER (-5), NULL, &error));
  g_assert_true (gasync_sender_try_send_pointer (tx, GINT_TO_POINTER (42), &error));
  g_assert_no_error (error);
  g_assert_cmpint (GPOINTER_TO_INT (gasync_receiver_recv_pointer (rx, NULL, &error)), ==, -5);
  g_assert_cmpint (GPOINTER_TO_INT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 42);
  g_assert_no_error (error);
}

/* A fundamental type with its own value table: the channel has no unboxed
 * form for it and falls back to one GValue per item. */
typedef struct
{
  gint  ref_count;
  gint *freed;
} Counted;

static void
counted_value_init (GValue *value)
{
  value->data[0].v_pointer = NULL;
}

static void
counted_value_free (GValue *value)
{
  Counted *c = value->data[0].v_pointer;

  if (c != NULL && g_atomic_int_dec_and_test (&c->ref_count))
    {
      g_atomic_int_inc (c->freed);
      g_free (c);
    }
}

static void
counted_value_copy (const GValue *src,
                    GValue       *dest)
{
  Counted *c = src->data[0].v_pointer;

  if (c != NULL)
    g_atomic_int_inc (&c->ref_count);
  dest->data[0].v_pointer = c;
}

static gpointer
counted_value_peek_pointer (const GValue *value)
{
  return value->data[0].v_pointer;
}

static GType
counted_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GTypeValueTable table = {
        .value_init = counted_value_init,
        .value_free = counted_value_free,
        .value_copy = counted_value_copy,
        .value_peek_pointer = counted_value_peek_pointer,
      };
      static const GTypeInfo info = { .value_table = &table };
      static const GTypeFundamentalInfo finfo = { 0 };
      GType t = g_type_register_fundamental (g_type_fundamental_next (), "TestCounted",
                                             &info, &finfo, 0);

      g_once_init_leave (&type, t);
    }
  return type;
}

static void
test_values (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) in = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("abc", 3);
  g_autoptr(GVariant) variant = NULL;
  GValue *dup;
  gint freed = 0;
  Counted *counted;

  g_test_summary ("GValue items are converted in (a double sent on an int "
                  "channel) and out, mismatches take nothing, NULL contents "
                  "are refused, and every item type round-trips");

  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);

  g_value_init (&in, G_TYPE_DOUBLE);
  g_value_set_double (&in, 3.0);
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_assert_no_error (error);
  g_value_unset (&in);

  g_value_init (&in, G_TYPE_STRING);
  g_value_set_string (&in, "nope");
  g_assert_false (gasync_sender_try_send (tx, &in, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_value_unset (&in);

  /* An out value that cannot hold an int: nothing is taken. */
  g_value_init (&out, G_TYPE_OBJECT);
  g_assert_false (gasync_receiver_try_recv (rx, &out, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_value_unset (&out);

  /* One that converts. */
  g_value_init (&out, G_TYPE_STRING);
  g_assert_true (gasync_receiver_recv (rx, NULL, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (&out), ==, "3");
  g_value_unset (&out);

  /* A failed receive leaves a zero-filled out value initialized. */
  g_assert_false (gasync_receiver_try_recv (rx, &out, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_true (G_VALUE_HOLDS_POINTER (&out));
  g_value_unset (&out);
  g_clear_object (&tx);
  g_clear_object (&rx);

  /* Strings. */
  gasync_channel_new (G_TYPE_STRING, 0, &tx, &rx);
  g_value_init (&in, G_TYPE_STRING);
  g_assert_false (gasync_sender_send (tx, &in, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_value_set_string (&in, "hello");
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_assert_true (gasync_sender_send_pointer (tx, g_strdup ("world"), NULL, &error));
  g_assert_no_error (error);
  g_value_unset (&in);
  dup = gasync_receiver_recv_value (rx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (dup), ==, "hello");
  g_value_unset (dup);
  g_free (dup);
  dup = gasync_receiver_try_recv_value (rx, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_value_get_string (dup), ==, "world");
  g_value_unset (dup);
  g_free (dup);
  g_assert_null (gasync_receiver_try_recv_value (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);
  g_clear_object (&tx);
  g_clear_object (&rx);

  /* Boxed. */
  gasync_channel_new (G_TYPE_BYTES, 0, &tx, &rx);
  g_value_init (&in, G_TYPE_BYTES);
  g_value_set_boxed (&in, bytes);
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_value_unset (&in);
  g_assert_true (gasync_receiver_recv (rx, NULL, &out, &error));
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (g_value_get_boxed (&out), bytes));
  g_value_unset (&out);
  g_clear_object (&tx);
  g_clear_object (&rx);

  /* Variants: the pointer path takes over a floating reference. */
  gasync_channel_new (G_TYPE_VARIANT, 0, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, g_variant_new ("(is)", 7, "x"), NULL, &error));
  g_assert_no_error (error);
  variant = gasync_receiver_recv_pointer (rx, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_variant_is_floating (variant));
  g_assert_cmpstr (g_variant_get_type_string (variant), ==, "(is)");
  g_clear_object (&tx);
  g_clear_object (&rx);

  /* Floating point. */
  gasync_channel_new (G_TYPE_FLOAT, 0, &tx, &rx);
  g_value_init (&in, G_TYPE_DOUBLE);
  g_value_set_double (&in, 2.5);
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_value_unset (&in);
  g_assert_true (gasync_receiver_recv (rx, NULL, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (g_value_get_float (&out), ==, 2.5f);
  g_value_unset (&out);
  g_clear_object (&tx);
  g_clear_object (&rx);

  /* A type with no unboxed form: copied in, moved out, freed once. */
  gasync_channel_new (counted_get_type (), 0, &tx, &rx);
  counted = g_new0 (Counted, 1);
  counted->ref_count = 1;
  counted->freed = &freed;
  g_value_init (&in, counted_get_type ());
  in.data[0].v_pointer = counted;
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_assert_true (gasync_sender_send (tx, &in, NULL, &error));
  g_assert_no_error (error);
  g_value_unset (&in);
  g_assert_cmpint (counted->ref_count, ==, 2);
  g_assert_true (gasync_receiver_recv (rx, NULL, &out, &error));
  g_assert_no_error (error);
  g_assert_true (out.data[0].v_pointer == counted);
  g_value_unset (&out);
  g_assert_cmpint (freed, ==, 0);
  g_clear_object (&rx);   /* frees the queued one */
  g_assert_cmpint (freed, ==, 1);
}

/* Bounds and blocking */

static void
test_bounded_try (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A bounded channel holds at most its capacity; try_send "
                  "fails with FULL and leaves the item with the caller");

  gasync_channel_new (G_TYPE_POINTER, 2, &tx, &rx);
  g_assert_true (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (1), &error));
  g_assert_true (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (2), &error));
  g_assert_no_error (error);
  g_assert_false (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (3), &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FULL);
  g_clear_error (&error);

  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 1);
  g_assert_true (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (3), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 3);
  g_assert_no_error (error);
}

typedef struct
{
  GAsyncSender *tx;           /* owned */
  gpointer      item;
  GCancellable *cancellable;  /* owned */
  GError       *error;
  gboolean      ok;
} SendJob;

static gpointer
send_job_thread (gpointer data)
{
  SendJob *job = data;

  job->ok = gasync_sender_send_pointer (job->tx, job->item, job->cancellable, &job->error);
  return NULL;
}

static SendJob *
send_job_new (GAsyncSender *tx,
              gpointer      item,
              GCancellable *cancellable)
{
  SendJob *job = g_new0 (SendJob, 1);

  job->tx = g_object_ref (tx);
  job->item = item;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  return job;
}

static void
send_job_free (SendJob *job)
{
  g_clear_object (&job->tx);
  g_clear_object (&job->cancellable);
  g_clear_error (&job->error);
  g_free (job);
}

static void
test_bounded_blocks (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncChannelStats st;
  SendJob *job;
  GThread *thread;

  g_test_summary ("A send on a full channel blocks until the receiver makes "
                  "room, then queues its item after the ones before it");

  gasync_channel_new (G_TYPE_POINTER, 1, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (1), NULL, &error));

  job = send_job_new (tx, GUINT_TO_POINTER (2), NULL);
  thread = g_thread_new ("sender", send_job_thread, job);
  WAIT_FOR_STATS (rx, st, st.n_send_blocked == 1);

  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_recv_pointer (rx, NULL, &error)), ==, 1);
  g_thread_join (thread);
  g_assert_no_error (job->error);
  g_assert_true (job->ok);
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_recv_pointer (rx, NULL, &error)), ==, 2);
  g_assert_no_error (error);
  send_job_free (job);
}

static void
test_timeouts (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) out = G_VALUE_INIT;
  GAsyncChannelStats st;
  gint freed = 0;
  Item *item;

  g_test_summary ("A send or receive future bounded by gasync_future_with_timeout() "
                  "gives up with TIMED_OUT, withdrawn: it takes nothing");

  gasync_channel_new_full (G_TYPE_POINTER, 1, item_free, &tx, &rx);

  f = gasync_receiver_recv_future (rx);
  g_assert_false (wait_bounded (f, 20, &out, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_true (G_VALUE_HOLDS_POINTER (&out));
  g_clear_object (&f);
  WAIT_FOR_STATS (rx, st, st.n_recv_waiting == 0);

  g_assert_true (gasync_sender_send_pointer (tx, item_new (&freed, 1), NULL, &error));
  item = item_new (&freed, 2);
  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, item);
  f = gasync_sender_send_future (tx, &value);
  g_assert_false (wait_bounded (f, 20, &out, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_value_unset (&out);
  g_clear_object (&f);
  WAIT_FOR_STATS (rx, st, st.n_send_parked == 0);

  /* The item that timed out was never queued: the caller still owns it,
   * and the one before it is the only one received. */
  g_assert_cmpint (freed, ==, 0);
  item_free (item);
  item = gasync_receiver_try_recv_pointer (rx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (item->id, ==, 1);
  item_free (item);
  g_assert_null (gasync_receiver_try_recv_pointer (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);
  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, 2);
}

typedef struct
{
  GAsyncRuntime  *runtime;
  GAsyncReceiver *rx;
} DeadlockData;

static GAsyncFuture *
blocking_recv_on_worker (GCancellable *cancellable,
                         gpointer      user_data)
{
  DeadlockData *data = user_data;
  GError *error = NULL;

  /* Not blocking is fine on a worker. */
  g_assert_null (gasync_receiver_try_recv_pointer (data->rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);

  if (gasync_receiver_recv_pointer (data->rx, NULL, &error) != NULL)
    return gasync_future_new_for_boolean (TRUE);
  return gasync_future_new_for_error (error);
}

static void
test_would_deadlock (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncRuntime) runtime = gasync_runtime_new (1);
  g_autoptr(GAsyncFuture) future = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncFuture) bounded = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  DeadlockData data;

  g_test_summary ("A blocking receive on an async runtime worker fails with "
                  "WOULD_DEADLOCK instead of hanging the worker");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  data.runtime = runtime;
  data.rx = rx;

  future = gasync_runtime_spawn (runtime, blocking_recv_on_worker, &data, NULL);
  bounded = gasync_future_with_timeout (future, 30000);
  g_assert_false (gasync_future_wait (bounded, NULL, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_clear_error (&error);

  g_assert_true (gasync_runtime_shutdown (runtime, NULL, &error));
  g_assert_no_error (error);
}

/* A blocking send or receive on an async worker is refused every time,
 * not only when it would have to wait. */

typedef struct
{
  GAsyncSender   *tx;
  GAsyncReceiver *rx;
} WorkerChannel;

static void
assert_would_deadlock (GError **error)
{
  g_assert_error (*error, GASYNC_ERROR, GASYNC_ERROR_WOULD_DEADLOCK);
  g_clear_error (error);
}

static GAsyncFuture *
send_with_room_on_worker (GCancellable *cancellable,
                          gpointer      user_data)
{
  WorkerChannel *data = user_data;
  g_autoptr(GAsyncFuture) sent = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gpointer batch[2] = { GUINT_TO_POINTER (2), GUINT_TO_POINTER (3) };
  GAsyncChannelStats st;
  GError *error = NULL;

  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, GUINT_TO_POINTER (1));

  /* The channel is unbounded and empty: none of these would wait, and
   * each is refused all the same, queueing nothing. */
  g_assert_false (gasync_sender_send (data->tx, &value, NULL, &error));
  assert_would_deadlock (&error);
  g_assert_false (gasync_sender_send_pointer (data->tx, GUINT_TO_POINTER (1), NULL, &error));
  assert_would_deadlock (&error);
  g_assert_cmpuint (gasync_sender_send_many (data->tx, batch, 2, NULL, &error), ==, 0);
  assert_would_deadlock (&error);
  _gasync_receiver_get_stats (data->rx, &st);
  g_assert_cmpuint (st.n_queued, ==, 0);

  /* What does not block works there. */
  g_assert_true (gasync_sender_try_send (data->tx, &value, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_sender_try_send_pointer (data->tx, GUINT_TO_POINTER (2), &error));
  g_assert_no_error (error);
  g_value_set_pointer (&value, GUINT_TO_POINTER (3));
  sent = gasync_sender_send_future (data->tx, &value);
  g_assert_true (gasync_future_get_boolean (sent, &error));
  g_assert_no_error (error);

  return gasync_future_new_for_boolean (TRUE);
}

static void
test_blocking_send_refused_on_worker (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) bounded = NULL;
  g_autoptr(GError) error = NULL;
  WorkerChannel data;

  g_test_summary ("A blocking send on an async worker fails with WOULD_DEADLOCK "
                  "even when there is room (send, send_pointer, send_many), and "
                  "queues nothing; try_send and send_future work there");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  data.tx = tx;
  data.rx = rx;

  handle = gasync_spawn (send_with_room_on_worker, &data, NULL);
  bounded = gasync_future_with_timeout (handle, 30000);
  g_assert_true (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 1; i <= 3; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, i);
  g_assert_null (gasync_receiver_try_recv_pointer (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
}

static void
recv_on_worker_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncPromise *promise = user_data;
  g_auto(GValue) item = G_VALUE_INIT;
  GError *error = NULL;

  if (gasync_receiver_recv_finish (GASYNC_RECEIVER (source), result, &item, &error))
    gasync_promise_resolve (promise, &item);
  else
    gasync_promise_reject (promise, error);
  g_object_unref (promise);
}

static GAsyncFuture *
recv_ready_on_worker (GCancellable *cancellable,
                      gpointer      user_data)
{
  WorkerChannel *data = user_data;
  g_autoptr(GAsyncFuture) f = NULL;
  GAsyncPromise *promise;
  GAsyncChannelStats st;
  GError *error = NULL;
  gpointer batch[4];
  GValue *boxed;

  /* Six items are queued: none of these would wait, and each is refused
   * all the same, taking nothing. */
  g_assert_false (gasync_receiver_recv (data->rx, NULL, NULL, &error));
  assert_would_deadlock (&error);
  g_assert_null (gasync_receiver_recv_pointer (data->rx, NULL, &error));
  assert_would_deadlock (&error);
  g_assert_cmpuint (gasync_receiver_recv_many (data->rx, batch, 4, NULL, &error), ==, 0);
  assert_would_deadlock (&error);
  g_assert_null (gasync_receiver_recv_value (data->rx, NULL, &error));
  assert_would_deadlock (&error);
  _gasync_receiver_get_stats (data->rx, &st);
  g_assert_cmpuint (st.n_queued, ==, 6);

  /* What does not block works there, in order. */
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (data->rx, &error)), ==, 1);
  g_assert_true (gasync_receiver_try_recv (data->rx, NULL, &error));
  boxed = gasync_receiver_try_recv_value (data->rx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_value_get_pointer (boxed)), ==, 3);
  g_value_unset (boxed);
  g_free (boxed);
  g_assert_cmpuint (gasync_receiver_try_recv_many (data->rx, batch, 1, &error), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (batch[0]), ==, 4);
  f = gasync_receiver_recv_future (data->rx);
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_future_get_pointer (f, &error)), ==, 5);
  g_assert_no_error (error);

  promise = gasync_promise_new ();
  gasync_receiver_recv_async (data->rx, NULL, recv_on_worker_done, g_object_ref (promise));
  return GASYNC_FUTURE (promise);
}

static void
test_blocking_recv_refused_on_worker (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) handle = NULL;
  g_autoptr(GAsyncFuture) bounded = NULL;
  g_autoptr(GError) error = NULL;
  WorkerChannel data;

  g_test_summary ("A blocking receive on an async worker fails with "
                  "WOULD_DEADLOCK even with an item ready (recv, recv_pointer, "
                  "recv_many, recv_value), taking nothing; try_recv, "
                  "recv_future and recv_async work there");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  for (guint i = 1; i <= 6; i++)
    g_assert_true (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (i), &error));
  data.tx = tx;
  data.rx = rx;

  handle = gasync_spawn (recv_ready_on_worker, &data, NULL);
  bounded = gasync_future_with_timeout (handle, 30000);
  g_assert_true (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_future_get_pointer (bounded, &error)), ==, 6);
  g_assert_no_error (error);
}

/* Closing: nothing is lost */

static void
test_close_drops_pending_items (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gint freed = 0;
  Item *item;

  g_test_summary ("Closing the receiver frees each queued item exactly once "
                  "with the item free function; later sends fail with CLOSED "
                  "and leave the item with the caller");

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, &tx, &rx);
  for (guint i = 0; i < 10; i++)
    g_assert_true (gasync_sender_send_pointer (tx, item_new (&freed, i), NULL, NULL));

  for (guint i = 0; i < 3; i++)
    {
      item = gasync_receiver_recv_pointer (rx, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (item->id, ==, i);
      g_free (item);   /* received: ours now, the channel does not free it */
    }

  gasync_receiver_close (rx);
  g_assert_cmpint (freed, ==, 7);
  gasync_receiver_close (rx);
  g_assert_cmpint (freed, ==, 7);
  g_assert_true (gasync_sender_is_closed (tx));

  item = item_new (&freed, 100);
  g_assert_false (gasync_sender_send_pointer (tx, item, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_false (gasync_sender_try_send_pointer (tx, item, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_value_init (&value, G_TYPE_POINTER);
  g_value_set_pointer (&value, item);
  g_assert_false (gasync_sender_send (tx, &value, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_cmpint (freed, ==, 7);
  item_free (item);

  /* The receiver's own calls fail too. */
  g_assert_null (gasync_receiver_try_recv_pointer (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);

  g_clear_object (&tx);
  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, 8);
}

typedef struct
{
  GAsyncReceiver *rx;   /* owned */
  guint           n_received;
  GError         *error;
} RecvJob;

static gpointer
recv_all_thread (gpointer data)
{
  RecvJob *job = data;
  Item *item;

  while ((item = gasync_receiver_recv_pointer (job->rx, NULL, &job->error)) != NULL)
    {
      g_assert_cmpuint (item->id, ==, job->n_received);
      job->n_received++;
      g_free (item);
    }
  return NULL;
}

static void
test_close_receiver_dropped_wakes_senders (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GAsyncChannelStats st;
  SendJob *jobs[3];
  GThread *threads[3];
  gint freed = 0;

  g_test_summary ("Dropping the receiver while senders are blocked wakes each "
                  "with CLOSED and hands its item back; the queued item is "
                  "freed exactly once");

  gasync_channel_new_full (G_TYPE_POINTER, 1, item_free, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, item_new (&freed, 0), NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_autoptr(GAsyncSender) clone = gasync_sender_clone (tx);

      jobs[i] = send_job_new (clone, item_new (&freed, i + 1), NULL);
      threads[i] = g_thread_new ("sender", send_job_thread, jobs[i]);
    }
  WAIT_FOR_STATS (rx, st, st.n_send_blocked == 3);

  g_clear_object (&rx);
  g_assert_cmpint (g_atomic_int_get (&freed), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_false (jobs[i]->ok);
      g_assert_error (jobs[i]->error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
      /* Handed back: the sender still owns it. */
      item_free (jobs[i]->item);
      send_job_free (jobs[i]);
    }
  g_assert_cmpint (freed, ==, 4);
}

static void
test_close_last_sender_wakes_receiver (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GAsyncSender *clone;
  GAsyncChannelStats st;
  RecvJob job = { NULL, 0, NULL };
  GThread *thread;
  gint freed = 0;

  g_test_summary ("A receiver blocked on an empty channel wakes when the last "
                  "sender closes, after draining what was queued, with CLOSED");

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, &tx, &rx);
  clone = gasync_sender_clone (tx);
  job.rx = g_object_ref (rx);
  thread = g_thread_new ("receiver", recv_all_thread, &job);
  WAIT_FOR_STATS (rx, st, st.n_recv_blocked == 1);

  for (guint i = 0; i < 5; i++)
    g_assert_true (gasync_sender_send_pointer (i % 2 ? clone : tx, item_new (&freed, i), NULL, NULL));
  gasync_sender_close (tx);
  g_assert_true (gasync_sender_is_closed (tx));
  g_assert_false (gasync_sender_is_closed (clone));
  g_object_unref (clone);   /* the last sender */

  g_thread_join (thread);
  g_assert_error (job.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_cmpuint (job.n_received, ==, 5);
  g_clear_error (&job.error);
  g_clear_object (&job.rx);
  g_assert_cmpint (freed, ==, 0);
}

static void
test_close_sender_fails_its_blocked_send (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) other = NULL;
  GAsyncChannelStats st;
  SendJob *job;
  GThread *thread;

  g_test_summary ("Closing a sender from another thread fails its blocked "
                  "send with CLOSED; the channel stays open for other senders");

  gasync_channel_new (G_TYPE_POINTER, 1, &tx, &rx);
  other = gasync_sender_clone (tx);
  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (1), NULL, NULL));

  job = send_job_new (tx, GUINT_TO_POINTER (2), NULL);
  thread = g_thread_new ("sender", send_job_thread, job);
  WAIT_FOR_STATS (rx, st, st.n_send_blocked == 1);
  gasync_sender_close (tx);
  g_thread_join (thread);
  g_assert_false (job->ok);
  g_assert_error (job->error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  send_job_free (job);

  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_recv_pointer (rx, NULL, NULL)), ==, 1);
  g_assert_true (gasync_sender_send_pointer (other, GUINT_TO_POINTER (3), NULL, NULL));
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_recv_pointer (rx, NULL, NULL)), ==, 3);
}

/* Cancellation */

static void
test_cancel_blocked_send (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GAsyncChannelStats st;
  SendJob *job;
  GThread *thread;

  g_test_summary ("Cancelling a blocked send wakes it with CANCELLED and "
                  "queues nothing");

  gasync_channel_new (G_TYPE_POINTER, 1, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (1), NULL, NULL));

  job = send_job_new (tx, GUINT_TO_POINTER (2), cancellable);
  thread = g_thread_new ("sender", send_job_thread, job);
  WAIT_FOR_STATS (rx, st, st.n_send_blocked == 1);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_false (job->ok);
  g_assert_error (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  send_job_free (job);

  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 1);
  g_assert_null (gasync_receiver_try_recv_pointer (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
}

typedef struct
{
  GAsyncReceiver *rx;            /* owned */
  GCancellable   *cancellable;   /* owned */
  gpointer        item;
  GError         *error;
} CancelRecvJob;

static gpointer
cancel_recv_thread (gpointer data)
{
  CancelRecvJob *job = data;

  job->item = gasync_receiver_recv_pointer (job->rx, job->cancellable, &job->error);
  return NULL;
}

static void
test_cancel_blocked_recv (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  CancelRecvJob job = { NULL, };
  GAsyncChannelStats st;
  GThread *thread;

  g_test_summary ("Cancelling a blocked receive wakes it with CANCELLED; an "
                  "item sent afterwards stays for the next receive");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  job.rx = g_object_ref (rx);
  job.cancellable = g_cancellable_new ();
  thread = g_thread_new ("receiver", cancel_recv_thread, &job);
  WAIT_FOR_STATS (rx, st, st.n_recv_blocked == 1);
  g_cancellable_cancel (job.cancellable);
  g_thread_join (thread);
  g_assert_null (job.item);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelled before it blocks: fails at once. */
  g_clear_error (&job.error);
  g_assert_null (gasync_receiver_recv_pointer (rx, job.cancellable, &job.error));
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (5), NULL, NULL));
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 5);
  g_assert_no_error (error);

  g_clear_error (&job.error);
  g_clear_object (&job.rx);
  g_clear_object (&job.cancellable);
}

/* Futures and _async */

typedef struct
{
  GThread *thread;
  gint     value;
  gint     done;
} ThenData;

static GAsyncFuture *
check_then (GAsyncFuture *completed,
            gpointer      user_data)
{
  ThenData *data = user_data;
  GError *error = NULL;

  g_assert_true (g_thread_self () == data->thread);
  data->value = gasync_future_get_int (completed, &error);
  g_assert_no_error (error);
  data->done = TRUE;
  return NULL;
}

static gpointer
send_42_thread (gpointer data)
{
  GAsyncSender *tx = data;

  g_assert_true (send_int (tx, 42, NULL, NULL));
  g_object_unref (tx);
  return NULL;
}

static void
test_recv_future (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GAsyncFuture) g = NULL;
  g_autoptr(GAsyncFuture) derived = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncChannelStats st;
  ThenData then = { g_thread_self (), 0, FALSE };
  GThread *thread;
  gint64 v = 0;

  g_test_summary ("A receive future resolves at once with a queued item or "
                  "later with a sent one (its continuations on the waiting "
                  "context); waiting futures are served in order; a cancelled "
                  "one takes nothing; closing rejects them with CLOSED");

  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);

  g_assert_true (send_int (tx, 1, NULL, NULL));
  f = gasync_receiver_recv_future (rx);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_RESOLVED);
  g_assert_cmpint (gasync_future_get_int (f, &error), ==, 1);
  g_clear_object (&f);

  /* Pending, then sent from another thread. */
  f = gasync_receiver_recv_future (rx);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  derived = gasync_future_and_then (f, check_then, &then, NULL);
  thread = g_thread_new ("sender", send_42_thread, g_object_ref (tx));
  gasync_test_iterate_until (NULL, &then.done, 30000);
  g_thread_join (thread);
  g_assert_cmpint (then.value, ==, 42);
  g_clear_object (&f);
  g_clear_object (&derived);

  /* Two waiting: served in order. */
  f = gasync_receiver_recv_future (rx);
  g = gasync_receiver_recv_future (rx);
  WAIT_FOR_STATS (rx, st, st.n_recv_waiting == 2);
  g_assert_true (send_int (tx, 10, NULL, NULL));
  g_assert_true (send_int (tx, 11, NULL, NULL));
  g_assert_cmpint (gasync_future_get_int (f, &error), ==, 10);
  g_assert_cmpint (gasync_future_get_int (g, &error), ==, 11);
  g_assert_no_error (error);
  g_clear_object (&f);
  g_clear_object (&g);

  /* Cancelled: withdrawn at once, the next item stays queued. */
  f = gasync_receiver_recv_future (rx);
  gasync_future_cancel (f);
  g_assert_nonnull (gasync_future_get_error (f));
  g_assert_true (g_error_matches (gasync_future_get_error (f), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_recv_waiting, ==, 0);
  g_assert_true (send_int (tx, 12, NULL, NULL));
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 12);
  g_clear_object (&f);

  /* Every sender closed. */
  f = gasync_receiver_recv_future (rx);
  g_clear_object (&tx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_object (&f);
  f = gasync_receiver_recv_future (rx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_object (&f);
  g_clear_object (&rx);

  /* The receiver closed. */
  gasync_channel_new (G_TYPE_INT, 0, &tx, &rx);
  f = gasync_receiver_recv_future (rx);
  gasync_receiver_close (rx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  gasync_test_iterate_pending (NULL);
}

static void
test_recv_future_pointer (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GError) error = NULL;
  gint freed = 0;
  Item *item;

  g_test_summary ("A pointer item received through a future is handed over "
                  "to whoever reads it, never freed by the channel or the future");

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, &tx, &rx);
  f = gasync_receiver_recv_future (rx);
  g_assert_true (gasync_sender_send_pointer (tx, item_new (&freed, 9), NULL, NULL));
  item = gasync_future_get_pointer (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (item->id, ==, 9);
  g_clear_object (&f);
  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, 0);
  item_free (item);
}

static gpointer
send_int_thread (gpointer data)
{
  SendJob *job = data;

  job->ok = send_int (job->tx, GPOINTER_TO_INT (job->item), job->cancellable, &job->error);
  return NULL;
}

static void
test_send_future (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) f = NULL;
  g_autoptr(GAsyncFuture) g = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GAsyncChannelStats st;
  SendJob *job;
  GThread *thread;
  gint64 v = 0;

  g_test_summary ("A send future resolves at once when there is room, or parks "
                  "its item ahead of later sends until the receiver makes room; "
                  "a cancelled one is never queued; a closed receiver rejects it");

  gasync_channel_new (G_TYPE_INT, 1, &tx, &rx);
  g_value_init (&value, G_TYPE_INT);

  g_value_set_int (&value, 1);
  f = gasync_sender_send_future (tx, &value);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_no_error (error);
  g_clear_object (&f);

  /* Full: parked, and ahead of a later try_send and a later blocked send. */
  g_value_set_int (&value, 2);
  f = gasync_sender_send_future (tx, &value);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 1);
  g_value_set_int (&value, 3);
  g_assert_false (gasync_sender_try_send (tx, &value, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_FULL);
  g_clear_error (&error);

  /* A blocking send from another thread queues behind the parked one. */
  job = send_job_new (tx, NULL, NULL);
  job->item = GINT_TO_POINTER (3);
  thread = g_thread_new ("sender", send_int_thread, job);
  WAIT_FOR_STATS (rx, st, st.n_send_blocked == 1);

  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 1);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_no_error (error);
  g_clear_object (&f);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 2);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 3);
  g_thread_join (thread);
  g_assert_true (job->ok);
  g_assert_no_error (job->error);
  send_job_free (job);

  /* Cancelled while parked: never queued. */
  g_value_set_int (&value, 4);
  g_assert_true (gasync_sender_try_send (tx, &value, &error));
  g_value_set_int (&value, 5);
  f = gasync_sender_send_future (tx, &value);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  gasync_future_cancel (f);
  g_assert_true (g_error_matches (gasync_future_get_error (f), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 0);
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 4);
  g_assert_false (try_recv_int (rx, &v, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);
  g_clear_object (&f);

  /* The only sender dropped with a parked send: it still completes, and
   * the receiver sees CLOSED only after it. */
  g_value_set_int (&value, 6);
  g_assert_true (gasync_sender_try_send (tx, &value, &error));
  g_value_set_int (&value, 7);
  f = gasync_sender_send_future (tx, &value);
  g_clear_object (&tx);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 6);
  g_assert_true (recv_int (rx, &v, NULL, &error));
  g_assert_cmpint (v, ==, 7);
  g_assert_true (gasync_future_get_boolean (f, &error));
  g_assert_false (recv_int (rx, &v, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_clear_object (&f);
  g_clear_object (&rx);

  /* A closed receiver rejects a parked send. */
  gasync_channel_new (G_TYPE_INT, 1, &tx, &rx);
  g_value_set_int (&value, 8);
  g_assert_true (gasync_sender_try_send (tx, &value, &error));
  f = gasync_sender_send_future (tx, &value);
  g_assert_cmpint (gasync_future_get_state (f), ==, GASYNC_FUTURE_PENDING);
  gasync_receiver_close (rx);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_object (&f);
  f = gasync_sender_send_future (tx, &value);
  g_assert_true (g_error_matches (gasync_future_get_error (f), GASYNC_ERROR, GASYNC_ERROR_CLOSED));
}

typedef struct
{
  GThread  *thread;
  gint      done;
  gboolean  ok;
  GValue    value;
  GError   *error;
} AsyncData;

static void
async_data_clear (AsyncData *data)
{
  if (G_IS_VALUE (&data->value))
    g_value_unset (&data->value);
  g_clear_error (&data->error);
  memset (data, 0, sizeof *data);
  data->thread = g_thread_self ();
}

static void
recv_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  data->ok = gasync_receiver_recv_finish (GASYNC_RECEIVER (source), result, &data->value, &data->error);
  data->done = TRUE;
}

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  data->ok = gasync_sender_send_finish (GASYNC_SENDER (source), result, &data->error);
  data->done = TRUE;
}

static void
test_async (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  AsyncData data = { NULL, };
  GThread *thread;
  gint64 v = 0;

  g_test_summary ("recv_async and send_async complete on the caller's context, "
                  "never inside the call; cancelling them takes nothing");

  gasync_channel_new (G_TYPE_INT, 1, &tx, &rx);
  g_value_init (&value, G_TYPE_INT);

  /* An item is queued: still not synchronous. */
  async_data_clear (&data);
  g_assert_true (send_int (tx, 1, NULL, NULL));
  gasync_receiver_recv_async (rx, NULL, recv_done, &data);
  g_assert_false (data.done);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpint (g_value_get_int (&data.value), ==, 1);

  /* Pending, then sent from another thread. */
  async_data_clear (&data);
  gasync_receiver_recv_async (rx, NULL, recv_done, &data);
  thread = g_thread_new ("sender", send_42_thread, g_object_ref (tx));
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_thread_join (thread);
  g_assert_true (data.ok);
  g_assert_cmpint (g_value_get_int (&data.value), ==, 42);

  /* Cancelled while pending: takes nothing. */
  async_data_clear (&data);
  cancellable = g_cancellable_new ();
  gasync_receiver_recv_async (rx, cancellable, recv_done, &data);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (G_VALUE_HOLDS_POINTER (&data.value));
  g_assert_true (send_int (tx, 5, NULL, NULL));

  /* Cancelled before it starts: fails, the queued item stays. */
  async_data_clear (&data);
  gasync_receiver_recv_async (rx, cancellable, recv_done, &data);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* send_async on a full channel completes once room is made. */
  async_data_clear (&data);
  g_value_set_int (&value, 6);
  gasync_sender_send_async (tx, &value, NULL, send_done, &data);
  gasync_test_iterate_pending (NULL);
  g_assert_false (data.done);
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 5);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);

  /* Cancelled while waiting for room: never queued. */
  async_data_clear (&data);
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  g_value_set_int (&value, 7);
  gasync_sender_send_async (tx, &value, cancellable, send_done, &data);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (try_recv_int (rx, &v, &error));
  g_assert_cmpint (v, ==, 6);
  g_assert_false (try_recv_int (rx, &v, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
  g_clear_error (&error);

  /* Closed. */
  async_data_clear (&data);
  g_clear_object (&tx);
  gasync_receiver_recv_async (rx, NULL, recv_done, &data);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_error (data.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  async_data_clear (&data);
}

static void
count_finalized (gpointer  data,
                 GObject  *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

/* An object item whose finalization the test observes. */
static GObject *
watched_object_new (gint *finalized)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  g_object_weak_ref (object, count_finalized, finalized);
  return object;
}

/* Abandoning a parked send or receive releases it */

#define N_PARKED 1000

/* Sends @n watched objects with gasync_sender_send_future() (@objects
 * gets the caller's reference to each); returns the futures. */
static GAsyncFuture **
send_objects_future (GAsyncSender  *tx,
                     GObject      **objects,
                     guint          n,
                     gint          *finalized)
{
  GAsyncFuture **futures = g_new0 (GAsyncFuture *, n);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_OBJECT);
  for (guint i = 0; i < n; i++)
    {
      objects[i] = watched_object_new (finalized);
      g_value_set_object (&value, objects[i]);
      futures[i] = gasync_sender_send_future (tx, &value);
    }
  return futures;
}

static void
futures_free (GAsyncFuture **futures,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    g_object_unref (futures[i]);
  g_free (futures);
}

/* Drops the caller's reference to each of @objects, after checking that
 * none was finalized yet: each is finalized then if the channel holds no
 * reference to it any more, and was never freed twice. */
static void
objects_release (GObject **objects,
                 guint     n,
                 gint     *finalized)
{
  g_assert_cmpint (g_atomic_int_get (finalized), ==, 0);
  for (guint i = 0; i < n; i++)
    g_object_unref (objects[i]);
  g_assert_cmpint (g_atomic_int_get (finalized), ==, n);
}

static void
test_abandon_cancel (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) r = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncFuture **futures;
  GObject *objects[3];
  GAsyncChannelStats st;
  gint finalized = 0;
  GObject *got;

  g_test_summary ("Cancelling a parked send future withdraws it: never queued, "
                  "its item dropped by the channel exactly once, no longer "
                  "counted as a producer; a cancelled receive future takes "
                  "nothing");

  gasync_channel_new (G_TYPE_OBJECT, 1, &tx, &rx);
  futures = send_objects_future (tx, objects, 3, &finalized);
  g_assert_cmpint (gasync_future_get_state (futures[0]), ==, GASYNC_FUTURE_RESOLVED);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 2);
  g_assert_cmpuint (st.n_producers, ==, 3);

  gasync_future_cancel (futures[1]);
  g_assert_true (g_error_matches (gasync_future_get_error (futures[1]), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  WAIT_FOR_STATS (rx, st, st.n_send_parked == 1);
  g_assert_cmpuint (st.n_producers, ==, 2);

  /* Room made: the send after the cancelled one goes in, never that one. */
  g_object_unref (gasync_receiver_recv_pointer (rx, NULL, &error));
  g_assert_true (gasync_future_get_boolean (futures[2], &error));
  r = gasync_receiver_recv_future (rx);
  got = gasync_future_dup_object (r, &error);
  g_assert_no_error (error);
  g_assert_true (got == objects[2]);
  g_object_unref (got);
  g_clear_object (&r);

  /* A cancelled receive future takes nothing. */
  r = gasync_receiver_recv_future (rx);
  gasync_future_cancel (r);
  g_assert_true (gasync_sender_try_send_pointer (tx, g_object_ref (objects[0]), &error));
  WAIT_FOR_STATS (rx, st, st.n_recv_waiting == 0 && st.n_queued == 1);

  g_clear_object (&rx);   /* frees the queued reference */
  futures_free (futures, 3);
  objects_release (objects, 3, &finalized);
}

/* Waits (bounded generously: it is known to settle) until @future is
 * rejected, and checks the error. */
static void
assert_rejects (GAsyncFuture *future,
                GQuark        domain,
                gint          code)
{
  g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (future, 30000);
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_error (error, domain, code);
}

static void
test_abandon_timeout (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncFuture *bounded[N_PARKED];
  GObject *objects[N_PARKED + 1];
  GAsyncFuture **futures;
  GAsyncChannelStats st;
  gint finalized = 0;
  GObject *first;

  g_test_summary ("1,000 send futures parked on a full channel, each bounded "
                  "by gasync_future_with_timeout(), all reject with TIMED_OUT; "
                  "the timeout cancels each send, which is withdrawn: no "
                  "parked sender is left and every item is dropped exactly once");

  gasync_channel_new (G_TYPE_OBJECT, 1, &tx, &rx);
  futures = send_objects_future (tx, objects, N_PARKED + 1, &finalized);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, N_PARKED);

  for (guint i = 0; i < N_PARKED; i++)
    bounded[i] = gasync_future_with_timeout (futures[i + 1], 20);
  for (guint i = 0; i < N_PARKED; i++)
    {
      g_assert_false (gasync_future_wait (bounded[i], NULL, NULL, &error));
      g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT);
      g_clear_error (&error);
      assert_rejects (futures[i + 1], G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_object_unref (bounded[i]);
    }
  WAIT_FOR_STATS (rx, st, st.n_send_parked == 0);
  g_assert_cmpuint (st.n_producers, ==, 1);

  /* Only the first item was ever queued. */
  first = gasync_receiver_recv_pointer (rx, NULL, &error);
  g_assert_true (first == objects[0]);
  g_object_unref (first);
  g_assert_null (gasync_receiver_try_recv_pointer (rx, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);

  futures_free (futures, N_PARKED + 1);
  objects_release (objects, N_PARKED + 1, &finalized);
}

static void
test_abandon_receiver_closed (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) late = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GAsyncFuture *futures[N_PARKED];
  Item *items[N_PARKED];
  GAsyncChannelStats st;
  gint freed = 0;

  g_test_summary ("Closing the receiver rejects each of 1,000 parked send "
                  "futures with CLOSED and hands each pointer item back to "
                  "its sender; the queued items are freed exactly once");

  gasync_channel_new_full (G_TYPE_POINTER, 2, item_free, &tx, &rx);
  for (guint i = 0; i < 2; i++)
    g_assert_true (gasync_sender_try_send_pointer (tx, item_new (&freed, i), &error));
  g_value_init (&value, G_TYPE_POINTER);
  for (guint i = 0; i < N_PARKED; i++)
    {
      items[i] = item_new (&freed, i + 2);
      g_value_set_pointer (&value, items[i]);
      futures[i] = gasync_sender_send_future (tx, &value);
    }
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, N_PARKED);

  gasync_receiver_close (rx);
  for (guint i = 0; i < N_PARKED; i++)
    assert_rejects (futures[i], GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, 0);
  g_assert_cmpuint (st.n_producers, ==, 1);
  g_assert_cmpint (freed, ==, 2);

  late = gasync_sender_send_future (tx, &value);
  assert_rejects (late, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  /* Handed back: ours to free, once. */
  for (guint i = 0; i < N_PARKED; i++)
    {
      item_free (items[i]);
      g_object_unref (futures[i]);
    }
  g_clear_object (&rx);
  g_assert_cmpint (freed, ==, N_PARKED + 2);
}

static void
test_abandon_receiver_dropped (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GObject *objects[N_PARKED + 2];
  GAsyncFuture **futures;
  GAsyncChannelStats st;
  gint finalized = 0;

  g_test_summary ("Dropping the last reference to the receiver rejects each "
                  "of 1,000 parked send futures with CLOSED; the channel drops "
                  "every queued and parked item exactly once");

  gasync_channel_new (G_TYPE_OBJECT, 2, &tx, &rx);
  futures = send_objects_future (tx, objects, N_PARKED + 2, &finalized);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_send_parked, ==, N_PARKED);

  g_clear_object (&rx);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (gasync_future_get_state (futures[i]), ==, GASYNC_FUTURE_RESOLVED);
  for (guint i = 2; i < N_PARKED + 2; i++)
    assert_rejects (futures[i], GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_assert_true (gasync_sender_is_closed (tx));

  futures_free (futures, N_PARKED + 2);
  objects_release (objects, N_PARKED + 2, &finalized);
}

static void
run_senders_gone (gboolean by_unref)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncSender *clone;
  GAsyncFuture *futures[N_PARKED];
  GAsyncChannelStats st;

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  clone = gasync_sender_clone (tx);
  for (guint i = 0; i < N_PARKED; i++)
    futures[i] = gasync_receiver_recv_future (rx);
  g_assert_true (gasync_sender_try_send_pointer (tx, GUINT_TO_POINTER (1), &error));
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_future_get_pointer (futures[0], &error)), ==, 1);
  g_assert_no_error (error);

  /* One sender left: they keep waiting. */
  gasync_sender_close (tx);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_recv_waiting, ==, N_PARKED - 1);

  if (by_unref)
    g_object_unref (clone);
  else
    {
      gasync_sender_close (clone);
      g_object_unref (clone);
    }
  for (guint i = 1; i < N_PARKED; i++)
    assert_rejects (futures[i], GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_recv_waiting, ==, 0);
  g_assert_cmpuint (st.n_producers, ==, 0);

  for (guint i = 0; i < N_PARKED; i++)
    g_object_unref (futures[i]);
}

static void
test_abandon_senders_gone (void)
{
  g_test_summary ("Closing or dropping the last sender rejects each of 1,000 "
                  "receive futures waiting on the drained channel with CLOSED");

  run_senders_gone (FALSE);
  run_senders_gone (TRUE);
}

/* Sends two watched objects and a pointer item on fresh channels. */
static void
null_out_setup (GAsyncSender   **tx,
                GAsyncReceiver **rx,
                GAsyncSender   **ptx,
                GAsyncReceiver **prx,
                gint            *finalized,
                gint            *freed)
{
  gasync_channel_new (G_TYPE_OBJECT, 0, tx, rx);
  g_assert_true (gasync_sender_send_pointer (*tx, watched_object_new (&finalized[0]), NULL, NULL));
  g_assert_true (gasync_sender_send_pointer (*tx, watched_object_new (&finalized[1]), NULL, NULL));

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, ptx, prx);
  g_assert_true (gasync_sender_send_pointer (*ptx, item_new (freed, 1), NULL, NULL));
  g_assert_true (gasync_sender_send_pointer (*ptx, item_new (freed, 2), NULL, NULL));
}

/* The first items were consumed and freed, exactly once; the second ones
 * are still queued and come next. */
static void
null_out_check (GAsyncReceiver *rx,
                GAsyncReceiver *prx,
                gint           *finalized,
                gint           *freed)
{
  g_autoptr(GError) error = NULL;
  GAsyncChannelStats st;
  GObject *second;
  Item *item;

  g_assert_cmpint (finalized[0], ==, 1);
  g_assert_cmpint (finalized[1], ==, 0);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_queued, ==, 1);
  second = gasync_receiver_try_recv_pointer (rx, &error);
  g_assert_no_error (error);
  g_assert_cmpint (finalized[1], ==, 0);
  g_object_unref (second);
  g_assert_cmpint (finalized[1], ==, 1);

  g_assert_cmpint (*freed, ==, 1);
  item = gasync_receiver_try_recv_pointer (prx, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (item->id, ==, 2);
  item_free (item);
  g_assert_cmpint (*freed, ==, 2);
}

static void
test_null_out_recv (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) ptx = NULL;
  g_autoptr(GAsyncReceiver) prx = NULL;
  g_autoptr(GError) error = NULL;
  gint finalized[2] = { 0, 0 };
  gint freed = 0;

  g_test_summary ("gasync_receiver_recv() with a NULL item takes one item and "
                  "frees it (an object's reference, a pointer item with item_free)");

  null_out_setup (&tx, &rx, &ptx, &prx, finalized, &freed);
  g_assert_true (gasync_receiver_recv (rx, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_receiver_recv (prx, NULL, NULL, &error));
  g_assert_no_error (error);
  null_out_check (rx, prx, finalized, &freed);

  /* Failing with a NULL item is fine too. */
  g_clear_object (&tx);
  g_assert_false (gasync_receiver_recv (rx, NULL, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
}

static void
test_null_out_try_recv (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) ptx = NULL;
  g_autoptr(GAsyncReceiver) prx = NULL;
  g_autoptr(GError) error = NULL;
  gint finalized[2] = { 0, 0 };
  gint freed = 0;

  g_test_summary ("gasync_receiver_try_recv() with a NULL item takes one item "
                  "and frees it");

  null_out_setup (&tx, &rx, &ptx, &prx, finalized, &freed);
  g_assert_true (gasync_receiver_try_recv (rx, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (gasync_receiver_try_recv (prx, NULL, &error));
  g_assert_no_error (error);
  null_out_check (rx, prx, finalized, &freed);

  g_assert_false (gasync_receiver_try_recv (rx, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY);
}

typedef struct
{
  gint     done;
  gboolean ok;
  GError  *error;
} NullFinishData;

static void
recv_finish_null_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  NullFinishData *data = user_data;

  data->ok = gasync_receiver_recv_finish (GASYNC_RECEIVER (source), result, NULL, &data->error);
  data->done = TRUE;
}

static void
test_null_out_recv_finish (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) ptx = NULL;
  g_autoptr(GAsyncReceiver) prx = NULL;
  NullFinishData data = { 0, };
  NullFinishData pdata = { 0, };
  gint finalized[2] = { 0, 0 };
  gint freed = 0;

  g_test_summary ("gasync_receiver_recv_finish() with a NULL item frees the "
                  "item received (a pointer item with item_free)");

  null_out_setup (&tx, &rx, &ptx, &prx, finalized, &freed);
  gasync_receiver_recv_async (rx, NULL, recv_finish_null_done, &data);
  gasync_receiver_recv_async (prx, NULL, recv_finish_null_done, &pdata);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  gasync_test_iterate_until (NULL, &pdata.done, 30000);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_no_error (pdata.error);
  g_assert_true (pdata.ok);
  /* The task and the future let go of the object once they are done. */
  gasync_test_iterate_until (NULL, &finalized[0], 30000);
  null_out_check (rx, prx, finalized, &freed);

  /* A failed receive with a NULL item. */
  data = (NullFinishData) { 0, };
  g_clear_object (&tx);
  gasync_receiver_recv_async (rx, NULL, recv_finish_null_done, &data);
  gasync_test_iterate_until (NULL, &data.done, 30000);
  g_assert_false (data.ok);
  g_assert_error (data.error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&data.error);
}

/* Receiving on a main context */

typedef struct
{
  GThread   *thread;       /* the only thread callbacks may run on */
  GMainLoop *loop;         /* quit on the last call, if set */
  guint      n_items;
  guint      last;
  guint      stop_after;   /* return REMOVE after this many, if not 0 */
  gint       done;         /* got the last call */
  gint       destroyed;
} AttachData;

static gboolean
on_item (GAsyncReceiver *rx,
         const GValue   *item,
         gpointer        user_data)
{
  AttachData *data = user_data;
  guint v;

  g_assert_true (g_thread_self () == data->thread);
  g_assert_true (GASYNC_IS_RECEIVER (rx));

  if (item == NULL)
    {
      g_assert_false (data->done);
      data->done = TRUE;
      if (data->loop != NULL)
        g_main_loop_quit (data->loop);
      return G_SOURCE_REMOVE;
    }

  v = GPOINTER_TO_UINT (g_value_get_pointer (item));
  g_assert_cmpuint (v, ==, data->last + 1);
  data->last = v;
  data->n_items++;

  if (data->stop_after != 0 && data->n_items == data->stop_after)
    return G_SOURCE_REMOVE;
  return G_SOURCE_CONTINUE;
}

static void
on_destroy (gpointer user_data)
{
  AttachData *data = user_data;

  g_assert_true (g_thread_self () == data->thread);
  g_atomic_int_inc (&data->destroyed);
}

static void
test_attach_batches (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GMainContext *context = g_main_context_new ();
  AttachData data = { g_thread_self (), NULL, 0, 0, 0, FALSE, 0 };
  GAsyncChannelStats st;
  guint id;

  g_test_summary ("An attached receiver is woken once per empty-to-non-empty "
                  "transition, delivers everything queued in order on its "
                  "context, keeps the receiver alive, and ends with one last "
                  "call with no item once every sender is closed");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  id = gasync_receiver_attach (rx, context, on_item, &data, on_destroy);
  g_assert_cmpuint (id, >, 0);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_true (st.attached);
  g_assert_cmpuint (st.n_source_wakeups, ==, 0);

  for (guint i = 1; i <= 100; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_source_wakeups, ==, 1);

  gasync_test_iterate_pending (context);
  g_assert_cmpuint (data.n_items, ==, 100);

  for (guint i = 101; i <= 150; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));
  _gasync_receiver_get_stats (rx, &st);
  g_assert_cmpuint (st.n_source_wakeups, ==, 2);

  /* The handler keeps the receiver. */
  g_clear_object (&rx);
  gasync_test_iterate_pending (context);
  g_assert_cmpuint (data.n_items, ==, 150);
  g_assert_false (data.done);

  g_clear_object (&tx);
  gasync_test_iterate_until (context, &data.done, 30000);
  g_assert_cmpint (data.destroyed, ==, 1);
  g_assert_null (g_main_context_find_source_by_id (context, id));

  g_main_context_unref (context);
}

static void
test_attach_remove (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_new ();
  AttachData data = { g_thread_self (), NULL, 0, 0, 3, FALSE, 0 };
  AttachData again = { g_thread_self (), NULL, 0, 3, 0, FALSE, 0 };
  GAsyncChannelStats st;
  guint id;

  g_test_summary ("A handler that returns REMOVE mid-batch leaves the rest "
                  "queued in order; g_source_remove() and closing the receiver "
                  "detach it (destroy notify once, no last call); attaching "
                  "twice is refused");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  for (guint i = 1; i <= 10; i++)
    g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (i), NULL, NULL));

  gasync_receiver_attach (rx, context, on_item, &data, on_destroy);
  gasync_test_iterate_pending (context);
  g_assert_cmpuint (data.n_items, ==, 3);
  g_assert_cmpint (data.destroyed, ==, 1);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_false (st.attached);
  g_assert_cmpuint (st.n_queued, ==, 7);

  /* Attach again: the rest comes, in order. */
  id = gasync_receiver_attach (rx, context, on_item, &again, on_destroy);
  g_test_expect_message ("GAsync", G_LOG_LEVEL_CRITICAL, "*already attached*");
  g_assert_cmpuint (gasync_receiver_attach (rx, context, on_item, &again, on_destroy), ==, 0);
  g_test_assert_expected_messages ();
  gasync_test_iterate_pending (context);
  g_assert_cmpuint (again.last, ==, 10);

  g_source_remove_by_user_data (NULL);   /* not ours: does nothing */
  g_source_destroy (g_main_context_find_source_by_id (context, id));
  g_assert_cmpint (again.destroyed, ==, 1);
  g_assert_false (again.done);
  _gasync_receiver_get_stats (rx, &st);
  g_assert_false (st.attached);

  /* Closing the receiver removes the handler without a last call. */
  memset (&again, 0, sizeof again);
  again.thread = g_thread_self ();
  gasync_receiver_attach (rx, context, on_item, &again, on_destroy);
  gasync_receiver_close (rx);
  gasync_test_iterate_pending (context);
  g_assert_cmpint (again.destroyed, ==, 1);
  g_assert_false (again.done);
  g_assert_false (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (11), NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

  g_main_context_unref (context);
}

/* No callback on the wrong thread */

typedef struct
{
  GMainContext   *context;
  GMainLoop      *loop;
  GThread        *thread;
  GAsyncTestLatch ready;
} LoopThread;

static gpointer
loop_thread_main (gpointer user_data)
{
  LoopThread *lt = user_data;

  g_main_context_push_thread_default (lt->context);
  gasync_test_latch_open (&lt->ready);
  g_main_loop_run (lt->loop);
  g_main_context_pop_thread_default (lt->context);
  return NULL;
}

typedef struct
{
  AttachData      attach;
  AsyncData       async;
  GAsyncReceiver *async_rx;
  gint            remaining;   /* attach + async, atomic */
} ContextData;

static void
context_data_one_done (ContextData *data)
{
  if (g_atomic_int_dec_and_test (&data->remaining))
    g_main_loop_quit (data->attach.loop);
}

static void
recv_done_in_thread (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ContextData *data = user_data;

  recv_done (source, result, &data->async);
  context_data_one_done (data);
}

static gboolean
start_recv_async (gpointer user_data)
{
  ContextData *data = user_data;

  /* Handed over through g_main_context_invoke(), which TSan cannot see. */
  GASYNC_TSAN_ACQUIRE (data);
  gasync_receiver_recv_async (data->async_rx, NULL, recv_done_in_thread, data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_item_then_quit (GAsyncReceiver *rx,
                   const GValue   *item,
                   gpointer        user_data)
{
  ContextData *data = user_data;
  GMainLoop *loop = data->attach.loop;
  gboolean ret;

  data->attach.loop = NULL;
  ret = on_item (rx, item, &data->attach);
  data->attach.loop = loop;
  if (item == NULL)
    context_data_one_done (data);
  return ret;
}

static void
on_destroy_context_data (gpointer user_data)
{
  ContextData *data = user_data;

  on_destroy (&data->attach);
}

typedef struct
{
  GAsyncSender *tx;   /* owned */
  guint         first;
  guint         n;
} RangeSender;

static gpointer
range_sender_thread (gpointer user_data)
{
  RangeSender *rs = user_data;

  for (guint i = 0; i < rs->n; i++)
    g_assert_true (gasync_sender_send_pointer (rs->tx, GUINT_TO_POINTER (rs->first + i), NULL, NULL));
  g_clear_object (&rs->tx);
  return NULL;
}

static void
test_callbacks_on_their_thread (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncSender) atx = NULL;
  LoopThread lt;
  ContextData data;
  RangeSender rs;
  GThread *sender;
  const guint n = gasync_test_size (10000, 100000);

  g_test_summary ("Receive handlers, their destroy notify and recv_async "
                  "callbacks run only on the thread iterating their context, "
                  "whichever thread sends or closes");

  lt.context = g_main_context_new ();
  lt.loop = g_main_loop_new (lt.context, FALSE);
  gasync_test_latch_init (&lt.ready);
  lt.thread = g_thread_new ("loop", loop_thread_main, &lt);
  g_assert_true (gasync_test_latch_wait (&lt.ready, 30000));

  memset (&data, 0, sizeof data);
  data.attach.thread = lt.thread;
  data.attach.loop = lt.loop;
  data.async.thread = lt.thread;
  data.remaining = 2;

  /* A handler attached from this thread to the loop thread's context. */
  gasync_channel_new (G_TYPE_POINTER, 64, &tx, &rx);
  gasync_receiver_attach (rx, lt.context, on_item_then_quit, &data, on_destroy_context_data);

  /* recv_async started on the loop thread, completed by another. */
  gasync_channel_new (G_TYPE_INT, 0, &atx, &data.async_rx);
  GASYNC_TSAN_RELEASE (&data);
  g_main_context_invoke (lt.context, start_recv_async, &data);
  g_thread_unref (g_thread_new ("sender", send_42_thread, g_object_ref (atx)));

  rs.tx = g_steal_pointer (&tx);
  rs.first = 1;
  rs.n = n;
  sender = g_thread_new ("sender", range_sender_thread, &rs);

  g_thread_join (sender);
  /* Dropped here, on this thread: the destroy notify still runs there. */
  g_clear_object (&rx);
  g_thread_join (lt.thread);

  g_assert_cmpuint (data.attach.n_items, ==, n);
  g_assert_true (data.attach.done);
  g_assert_cmpint (data.attach.destroyed, ==, 1);
  g_assert_true (data.async.ok);
  g_assert_cmpint (g_value_get_int (&data.async.value), ==, 42);

  g_value_unset (&data.async.value);
  g_clear_object (&data.async_rx);
  gasync_test_latch_clear (&lt.ready);
  g_main_loop_unref (lt.loop);
  g_main_context_unref (lt.context);
}

/* Object items */

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  g_atomic_int_inc ((gint *) data);
}

static void
test_objects (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GObject) wrong = g_object_new (G_TYPE_OBJECT, NULL);
  GObject *objects[20];
  gint finalized = 0;
  guint i;

  g_test_summary ("Object items keep a reference while queued and drop it "
                  "exactly once: when received or when the receiver closes");

  gasync_channel_new (G_TYPE_CANCELLABLE, 0, &tx, &rx);

  g_value_init (&value, G_TYPE_OBJECT);
  g_value_set_object (&value, wrong);
  g_assert_false (gasync_sender_send (tx, &value, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_TYPE_MISMATCH);
  g_clear_error (&error);
  g_value_unset (&value);

  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      objects[i] = G_OBJECT (g_cancellable_new ());
      g_object_weak_ref (objects[i], on_finalized, &finalized);
      if (i % 2 == 0)
        {
          g_value_init (&value, G_TYPE_CANCELLABLE);
          g_value_set_object (&value, objects[i]);
          g_assert_true (gasync_sender_send (tx, &value, NULL, &error));
          g_value_unset (&value);
          g_object_unref (objects[i]);
        }
      else
        g_assert_true (gasync_sender_send_pointer (tx, objects[i], NULL, &error));
      g_assert_no_error (error);
    }

  /* The queue holds the only reference to each. */
  for (i = 0; i < G_N_ELEMENTS (objects); i++)
    g_assert_cmpuint (g_atomic_int_get (&objects[i]->ref_count), ==, 1);
  g_assert_cmpint (finalized, ==, 0);

  for (i = 0; i < 5; i++)
    {
      g_assert_true (gasync_receiver_recv (rx, NULL, &value, &error));
      g_assert_true (g_value_get_object (&value) == objects[i]);
      g_value_unset (&value);
    }
  g_assert_cmpint (finalized, ==, 5);

  for (; i < 10; i++)
    {
      GObject *obj = gasync_receiver_recv_pointer (rx, NULL, &error);

      g_assert_true (obj == objects[i]);
      g_object_unref (obj);
    }
  g_assert_cmpint (finalized, ==, 10);

  for (; i < 12; i++)
    {
      g_autoptr(GAsyncFuture) f = gasync_receiver_recv_future (rx);
      g_autoptr(GObject) obj = gasync_future_dup_object (f, &error);

      g_assert_true (obj == objects[i]);
    }
  g_assert_cmpint (finalized, ==, 12);

  gasync_receiver_close (rx);
  g_assert_cmpint (finalized, ==, 20);
}

/* Stress: 4 producers, every item counted, per-producer order */

#define N_PRODUCERS 4

typedef struct
{
  GAsyncSender *tx;         /* owned */
  guint         producer;
  guint         n;
  gboolean      use_many;
} Producer;

static inline gpointer
stress_item (guint producer,
             guint seq)
{
  return GSIZE_TO_POINTER (((gsize) (producer + 1) << 24) | seq);
}

static gpointer
producer_thread (gpointer user_data)
{
  Producer *p = user_data;
  GError *error = NULL;

  if (p->use_many)
    {
      gpointer batch[61];
      guint seq = 1;

      while (seq <= p->n)
        {
          guint k = MIN (G_N_ELEMENTS (batch), p->n - seq + 1);

          for (guint i = 0; i < k; i++)
            batch[i] = stress_item (p->producer, seq + i);
          g_assert_cmpuint (gasync_sender_send_many (p->tx, batch, k, NULL, &error), ==, k);
          g_assert_no_error (error);
          seq += k;
        }
    }
  else
    for (guint seq = 1; seq <= p->n; seq++)
      if G_UNLIKELY (!gasync_sender_send_pointer (p->tx, stress_item (p->producer, seq), NULL, &error))
        g_error ("send failed: %s", error->message);

  g_clear_object (&p->tx);
  return NULL;
}

typedef struct
{
  guint64 count;
  guint64 sum;
  guint   last[N_PRODUCERS];
  gint    done;
} Tally;

static inline void
tally_add (Tally    *t,
           gpointer  item)
{
  gsize v = GPOINTER_TO_SIZE (item);
  guint p = (v >> 24) - 1;
  guint seq = v & 0xffffff;

  if G_UNLIKELY (p >= N_PRODUCERS || seq != t->last[p] + 1)
    g_error ("item %#" G_GSIZE_MODIFIER "x out of order (last of producer: %u)",
             v, p < N_PRODUCERS ? t->last[p] : 0);
  t->last[p] = seq;
  t->count++;
  t->sum += seq;
}

static gboolean
stress_on_item (GAsyncReceiver *rx,
                const GValue   *item,
                gpointer        user_data)
{
  Tally *t = user_data;

  if (item == NULL)
    {
      t->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  tally_add (t, g_value_get_pointer (item));
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GAsyncReceiver *rx;   /* owned */
  Tally          *tally;
} Consumer;

static gpointer
consumer_thread (gpointer user_data)
{
  Consumer *c = user_data;
  GError *error = NULL;
  gpointer batch[37];
  guint round = 0;

  for (;;)
    {
      if (round++ % 2 == 0)
        {
          gpointer item = gasync_receiver_recv_pointer (c->rx, NULL, &error);

          if (item == NULL)
            break;
          tally_add (c->tally, item);
        }
      else
        {
          guint n = gasync_receiver_recv_many (c->rx, batch, G_N_ELEMENTS (batch), NULL, &error);

          if (n == 0)
            break;
          for (guint i = 0; i < n; i++)
            tally_add (c->tally, batch[i]);
        }
    }

  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
  g_clear_error (&error);
  g_clear_object (&c->rx);
  c->tally->done = TRUE;
  return NULL;
}

typedef enum {
  CONSUME_ATTACH,
  CONSUME_THREAD,
} ConsumeMode;

/* 4 × 1,000,000 items run in the normal build (well under a second each
 * on the 2-core CI machines); ThreadSanitizer and AddressSanitizer builds
 * run a tenth unless thorough, valgrind a tenth as every stress size. */
static guint
stress_size (void)
{
  guint n = gasync_test_size (1000000, 1000000);

#if defined(GASYNC_HAVE_TSAN) || defined(__SANITIZE_ADDRESS__)
  if (!gasync_test_thorough ())
    n /= 10;
#endif
  return n;
}

static void
run_stress (guint       capacity,
            ConsumeMode mode)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  GMainContext *context = g_main_context_new ();
  Producer producers[N_PRODUCERS];
  GThread *threads[N_PRODUCERS];
  GThread *consumer = NULL;
  Consumer c;
  Tally tally;
  const guint n = stress_size ();

  memset (&tally, 0, sizeof tally);
  g_main_context_push_thread_default (context);

  gasync_channel_new (G_TYPE_POINTER, capacity, &tx, &rx);
  if (mode == CONSUME_ATTACH)
    gasync_receiver_attach (rx, NULL, stress_on_item, &tally, NULL);
  else
    {
      c.rx = g_object_ref (rx);
      c.tally = &tally;
      consumer = g_thread_new ("consumer", consumer_thread, &c);
    }
  g_clear_object (&rx);

  for (guint p = 0; p < N_PRODUCERS; p++)
    {
      producers[p].tx = gasync_sender_clone (tx);
      producers[p].producer = p;
      producers[p].n = n;
      producers[p].use_many = p == N_PRODUCERS - 1;
      threads[p] = g_thread_new ("producer", producer_thread, &producers[p]);
    }
  g_clear_object (&tx);

  if (mode == CONSUME_ATTACH)
    gasync_test_iterate_until (context, &tally.done, 600000);
  else
    g_thread_join (consumer);

  for (guint p = 0; p < N_PRODUCERS; p++)
    g_thread_join (threads[p]);

  g_assert_true (tally.done);
  g_assert_cmpuint (tally.count, ==, (guint64) N_PRODUCERS * n);
  g_assert_cmpuint (tally.sum, ==, (guint64) N_PRODUCERS * n * (n + 1) / 2);
  for (guint p = 0; p < N_PRODUCERS; p++)
    g_assert_cmpuint (tally.last[p], ==, n);

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

static void
test_stress_attach_bounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into a bounded(1024) channel, "
                  "received on a main loop through attach: count and sum "
                  "exact, per-producer order kept");
  run_stress (1024, CONSUME_ATTACH);
}

static void
test_stress_attach_unbounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into an unbounded channel, "
                  "received on a main loop through attach");
  run_stress (0, CONSUME_ATTACH);
}

static void
test_stress_thread_bounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into a bounded(1024) channel, "
                  "received by a thread blocking in recv_pointer/recv_many");
  run_stress (1024, CONSUME_THREAD);
}

static void
test_stress_thread_unbounded (void)
{
  g_test_summary ("4 producers × 1,000,000 items into an unbounded channel, "
                  "received by a thread blocking in recv_pointer/recv_many");
  run_stress (0, CONSUME_THREAD);
}

/* Randomized stress: every item received, handed back or freed, once */

enum {
  ST_NEW,        /* not sent yet */
  ST_SENDING,    /* handed to a send call (or queued) */
  ST_RECEIVED,
  ST_RETURNED,   /* the send failed: the producer got it back */
  ST_FREED,      /* freed by the channel with the item free function */
};

typedef struct
{
  gint  state;   /* atomic */
  guint producer;
  guint seq;
} RItem;

static void
ritem_mark (RItem *item,
            gint   to)
{
  if G_UNLIKELY (!g_atomic_int_compare_and_exchange (&item->state, ST_SENDING, to))
    g_error ("item %u of producer %u: state %d, now %d: not exactly once",
             item->seq, item->producer, g_atomic_int_get (&item->state), to);
}

static void
ritem_free (gpointer data)
{
  ritem_mark (data, ST_FREED);
}

#define N_RANDOM_PRODUCERS 3
#define N_CANCEL_SLOTS     (N_RANDOM_PRODUCERS + 1)

typedef struct
{
  GMutex        lock;
  GCancellable *current[N_CANCEL_SLOTS];   /* protected by lock */
  gint          stop;                       /* atomic */
  guint32       seed;
} Canceller;

/* A cancellable that the canceller thread may cancel at any moment. */
static GCancellable *
canceller_publish (Canceller *cc,
                   guint      slot)
{
  GCancellable *cancellable = g_cancellable_new ();

  gasync_mutex_lock (&cc->lock);
  cc->current[slot] = g_object_ref (cancellable);
  gasync_mutex_unlock (&cc->lock);
  return cancellable;
}

static void
canceller_withdraw (Canceller    *cc,
                    guint         slot,
                    GCancellable *cancellable)
{
  gasync_mutex_lock (&cc->lock);
  g_clear_object (&cc->current[slot]);
  gasync_mutex_unlock (&cc->lock);
  g_object_unref (cancellable);
}

static gpointer
canceller_thread (gpointer user_data)
{
  Canceller *cc = user_data;
  GRand *rand = g_rand_new_with_seed (cc->seed);

  while (!g_atomic_int_get (&cc->stop))
    {
      guint slot = g_rand_int_range (rand, 0, N_CANCEL_SLOTS);

      gasync_mutex_lock (&cc->lock);
      if (cc->current[slot] != NULL)
        g_cancellable_cancel (cc->current[slot]);
      gasync_mutex_unlock (&cc->lock);
      /* Pacing only: nothing depends on this timing. */
      g_usleep (g_rand_int_range (rand, 20, 400));
    }

  g_rand_free (rand);
  return NULL;
}

typedef struct
{
  GAsyncSender *tx;          /* owned */
  Canceller    *cc;
  guint         producer;
  RItem        *items;
  guint         n;
  guint32       seed;
  guint         n_attempted; /* items that left ST_NEW */
} RProducer;

static void
rproducer_returned (RItem *item)
{
  ritem_mark (item, ST_RETURNED);
}

static gpointer
rproducer_thread (gpointer user_data)
{
  RProducer *p = user_data;
  GRand *rand = g_rand_new_with_seed (p->seed);
  GPtrArray *futures = g_ptr_array_new ();
  GPtrArray *future_items = g_ptr_array_new ();
  guint close_at = g_rand_int_range (rand, 0, 4) == 0 ? (guint) g_rand_int_range (rand, 0, p->n) : G_MAXUINT;
  guint seq = 0;

  while (seq < p->n)
    {
      RItem *item = &p->items[seq];
      GError *error = NULL;
      gboolean ok = FALSE;
      guint op = g_rand_int_range (rand, 0, 7);

      if (seq == close_at)
        gasync_sender_close (p->tx);

      g_atomic_int_set (&item->state, ST_SENDING);
      seq++;

      switch (op)
        {
        case 0:
          ok = gasync_sender_send_pointer (p->tx, item, NULL, &error);
          break;
        case 1:
          ok = send_pointer_bounded (p->tx, item, g_rand_int_range (rand, 1, 3), &error);
          break;
        case 2:
          {
            GCancellable *cancellable = canceller_publish (p->cc, p->producer);

            ok = gasync_sender_send_pointer (p->tx, item, cancellable, &error);
            canceller_withdraw (p->cc, p->producer, cancellable);
          }
          break;
        case 3:
          ok = gasync_sender_try_send_pointer (p->tx, item, &error);
          break;
        case 4:
          {
            GValue value = G_VALUE_INIT;
            GAsyncFuture *f;

            g_value_init (&value, G_TYPE_POINTER);
            g_value_set_pointer (&value, item);
            f = gasync_sender_send_future (p->tx, &value);
            if (g_rand_boolean (rand))
              gasync_future_cancel (f);
            /* Settled later: resolved means queued, rejected means handed back. */
            g_ptr_array_add (futures, f);
            g_ptr_array_add (future_items, item);
            continue;
          }
        case 5:
          {
            gpointer batch[8];
            guint k = 1, done;

            batch[0] = item;
            while (k < G_N_ELEMENTS (batch) && seq < p->n && seq != close_at)
              {
                batch[k] = &p->items[seq++];
                g_atomic_int_set (&((RItem *) batch[k])->state, ST_SENDING);
                k++;
              }
            done = gasync_sender_send_many (p->tx, batch, k, NULL, &error);
            for (guint i = done; i < k; i++)
              rproducer_returned (batch[i]);
            if (done < k)
              {
                g_assert_nonnull (error);
                g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED);
                g_clear_error (&error);
                goto closed;
              }
            continue;
          }
        default:
          {
            GValue value = G_VALUE_INIT;

            g_value_init (&value, G_TYPE_POINTER);
            g_value_set_pointer (&value, item);
            ok = gasync_sender_send (p->tx, &value, NULL, &error);
          }
          break;
        }

      if (!ok)
        {
          rproducer_returned (item);
          if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
            {
              g_clear_error (&error);
              goto closed;
            }
          g_assert_true (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_FULL) ||
                         g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) ||
                         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
          g_clear_error (&error);
        }
    }

closed:
  p->n_attempted = seq;
  g_clear_object (&p->tx);

  /* Parked sends complete even though the sender is gone. */
  for (guint i = 0; i < futures->len; i++)
    {
      GAsyncFuture *f = futures->pdata[i];
      g_autoptr(GAsyncFuture) bounded = gasync_future_with_timeout (f, 120000);
      GValue value = G_VALUE_INIT;
      GError *error = NULL;

      if (!gasync_future_wait (bounded, NULL, &value, &error))
        {
          g_assert_false (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT));
          rproducer_returned (future_items->pdata[i]);
          g_clear_error (&error);
        }
      g_value_unset (&value);
      g_object_unref (f);
    }

  g_ptr_array_unref (futures);
  g_ptr_array_unref (future_items);
  g_rand_free (rand);
  return NULL;
}

typedef struct
{
  guint last[N_RANDOM_PRODUCERS];
  guint n_received;
} RConsumer;

static void
rconsumer_got (RConsumer *c,
               RItem     *item)
{
  /* Per-producer order: items handed back leave gaps, never reorderings. */
  if (c->n_received > 0 || c->last[item->producer] > 0)
    g_assert_cmpuint (item->seq + 1, >, c->last[item->producer]);
  c->last[item->producer] = item->seq + 1;
  c->n_received++;
  ritem_mark (item, ST_RECEIVED);
}

static void
run_random_round (guint32 seed,
                  guint   n_per_producer)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  RProducer producers[N_RANDOM_PRODUCERS];
  GThread *threads[N_RANDOM_PRODUCERS];
  GThread *canceller;
  Canceller cc;
  RConsumer consumer;
  GRand *rand = g_rand_new_with_seed (seed);
  guint capacity = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 17) : 0;
  guint close_after = g_rand_int_range (rand, 0, 3) == 0 ?
                      (guint) g_rand_int_range (rand, 0, n_per_producer * N_RANDOM_PRODUCERS) : G_MAXUINT;
  guint64 n_received = 0, n_returned = 0, n_freed = 0, n_sent = 0;
  guint n_ops = 0;
  gboolean closed = FALSE;

  g_test_message ("random round: seed %u, capacity %u, receiver closes after %d ops",
                  seed, capacity, close_after == G_MAXUINT ? -1 : (gint) close_after);

  memset (&cc, 0, sizeof cc);
  g_mutex_init (&cc.lock);
  cc.seed = g_rand_int (rand);
  memset (&consumer, 0, sizeof consumer);

  gasync_channel_new_full (G_TYPE_POINTER, capacity, ritem_free, &tx, &rx);

  for (guint p = 0; p < N_RANDOM_PRODUCERS; p++)
    {
      producers[p].tx = gasync_sender_clone (tx);
      producers[p].cc = &cc;
      producers[p].producer = p;
      producers[p].n = n_per_producer;
      producers[p].items = g_new0 (RItem, n_per_producer);
      for (guint i = 0; i < n_per_producer; i++)
        {
          producers[p].items[i].producer = p;
          producers[p].items[i].seq = i;
        }
      producers[p].seed = g_rand_int (rand);
      threads[p] = g_thread_new ("producer", rproducer_thread, &producers[p]);
    }
  g_clear_object (&tx);
  canceller = g_thread_new ("canceller", canceller_thread, &cc);

  while (!closed)
    {
      GError *error = NULL;
      RItem *item = NULL;
      guint op = g_rand_int_range (rand, 0, 6);

      if (n_ops++ == close_after)
        gasync_receiver_close (rx);

      switch (op)
        {
        case 0:
          item = gasync_receiver_recv_pointer (rx, NULL, &error);
          break;
        case 1:
          item = recv_pointer_bounded (rx, g_rand_int_range (rand, 1, 3), &error);
          break;
        case 2:
          item = gasync_receiver_try_recv_pointer (rx, &error);
          break;
        case 3:
          {
            gpointer batch[16];
            guint n = gasync_receiver_recv_many (rx, batch, g_rand_int_range (rand, 1, 17), NULL, &error);

            for (guint i = 0; i < n; i++)
              rconsumer_got (&consumer, batch[i]);
          }
          break;
        case 4:
          {
            GCancellable *cancellable = canceller_publish (&cc, N_RANDOM_PRODUCERS);

            item = gasync_receiver_recv_pointer (rx, cancellable, &error);
            canceller_withdraw (&cc, N_RANDOM_PRODUCERS, cancellable);
          }
          break;
        default:
          {
            GAsyncFuture *f = gasync_receiver_recv_future (rx);
            g_autoptr(GAsyncFuture) bounded = NULL;
            GValue value = G_VALUE_INIT;

            if (g_rand_boolean (rand))
              gasync_future_cancel (f);
            /* Whatever happened first counts: an item taken is ours. */
            bounded = gasync_future_with_timeout (f, 120000);
            if (gasync_future_wait (bounded, NULL, &value, &error))
              item = g_value_get_pointer (&value);
            g_value_unset (&value);
            g_object_unref (f);
          }
          break;
        }

      if (item != NULL)
        rconsumer_got (&consumer, item);
      else if (error != NULL)
        {
          if (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED))
            closed = TRUE;
          else if (!g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_EMPTY) &&
                   !g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) &&
                   !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_error ("unexpected error in receive %u: %s (%s, %d)", op, error->message,
                     g_quark_to_string (error->domain), error->code);
          g_clear_error (&error);
        }
    }

  for (guint p = 0; p < N_RANDOM_PRODUCERS; p++)
    g_thread_join (threads[p]);
  g_atomic_int_set (&cc.stop, TRUE);
  g_thread_join (canceller);

  /* Anything still queued is freed now. */
  g_clear_object (&rx);

  for (guint p = 0; p < N_RANDOM_PRODUCERS; p++)
    {
      for (guint i = 0; i < n_per_producer; i++)
        {
          gint state = producers[p].items[i].state;

          if (i < producers[p].n_attempted)
            n_sent++;
          else
            g_assert_cmpint (state, ==, ST_NEW);

          switch (state)
            {
            case ST_RECEIVED: n_received++; break;
            case ST_RETURNED: n_returned++; break;
            case ST_FREED:    n_freed++; break;
            case ST_NEW:      break;
            default:
              g_error ("item %u of producer %u left in state %d", i, p, state);
            }
        }
      g_free (producers[p].items);
    }

  g_test_message ("sent %" G_GUINT64_FORMAT ": received %" G_GUINT64_FORMAT
                  ", returned %" G_GUINT64_FORMAT ", freed %" G_GUINT64_FORMAT,
                  n_sent, n_received, n_returned, n_freed);
  g_assert_cmpuint (n_received, ==, consumer.n_received);
  g_assert_cmpuint (n_received + n_returned + n_freed, ==, n_sent);
  if (close_after == G_MAXUINT)
    g_assert_cmpuint (n_freed, ==, 0);

  g_mutex_clear (&cc.lock);
  g_rand_free (rand);
}

static void
test_random_stress (void)
{
  guint rounds = gasync_test_size (20, 100);
  guint n = gasync_test_size (5000, 50000);

  g_test_summary ("Seeded random mixes of send, try_send, send_future, "
                  "send_many, recv, try_recv, recv_many, recv_future, "
                  "timeouts, cancellation and closing across threads keep "
                  "received + returned + freed == sent, each exactly once, "
                  "and per-producer order (rerun with --seed to reproduce)");

  for (guint r = 0; r < rounds; r++)
    run_random_round (g_test_rand_int (), n);
}

/* Walkers: many sends parked at once, given up on every way */

#define N_WALKERS          8
#define N_WALKER_ITEMS   125   /* N_WALKERS × this: 1,000 parked sends */

typedef struct
{
  GAsyncSender *tx;          /* owned until the walker has parked everything */
  RItem        *items;
  guint32       seed;
} Walker;

/* Settles a send parked with @f and bounded by @bounded: queued (the
 * receiver or the channel has the item now), or handed back. */
static void
walker_settle (RItem        *item,
               GAsyncFuture *f,
               GAsyncFuture *bounded)
{
  GError *error = NULL;

  if (gasync_future_wait (bounded, NULL, NULL, &error))
    return;
  g_assert_true (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) ||
                 g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                 g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_error (&error);

  /* The timeout cancels @f, which settles soon: the send may have gone
   * through just before. */
  if (gasync_future_wait (f, NULL, NULL, &error))
    return;
  g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                 g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED));
  g_clear_error (&error);
  ritem_mark (item, ST_RETURNED);
}

static gpointer
walker_thread (gpointer user_data)
{
  Walker *w = user_data;
  GRand *rand = g_rand_new_with_seed (w->seed);
  GAsyncFuture *futures[N_WALKER_ITEMS];
  GAsyncFuture *bounded[N_WALKER_ITEMS];
  GValue value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_POINTER);
  for (guint i = 0; i < N_WALKER_ITEMS; i++)
    {
      g_atomic_int_set (&w->items[i].state, ST_SENDING);
      g_value_set_pointer (&value, &w->items[i]);
      futures[i] = gasync_sender_send_future (w->tx, &value);
      bounded[i] = gasync_future_with_timeout (futures[i], g_rand_int_range (rand, 1, 60));
      if (g_rand_int_range (rand, 0, 8) == 0)
        gasync_future_cancel (futures[i]);
    }
  g_clear_object (&w->tx);

  for (guint i = 0; i < N_WALKER_ITEMS; i++)
    {
      walker_settle (&w->items[i], futures[i], bounded[i]);
      g_object_unref (bounded[i]);
      g_object_unref (futures[i]);
    }

  g_rand_free (rand);
  return NULL;
}

/* Receives, each receive bounded by a short timeout, until one times out
 * (the consumer gives up) or @max_items were received. */
static void
walkers_consume (GAsyncReceiver *rx,
                 guint           max_items)
{
  for (guint n = 0; n < max_items; n++)
    {
      g_autoptr(GAsyncFuture) f = gasync_receiver_recv_future (rx);
      g_autoptr(GError) error = NULL;
      g_auto(GValue) value = G_VALUE_INIT;

      if (!wait_bounded (f, 5, &value, &error))
        {
          g_assert_true (g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_TIMED_OUT) ||
                         g_error_matches (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED));
          return;
        }
      ritem_mark (g_value_get_pointer (&value), ST_RECEIVED);
    }
}

static void
run_walkers (guint32 seed)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  Walker walkers[N_WALKERS];
  GThread *threads[N_WALKERS];
  GRand *rand = g_rand_new_with_seed (seed);
  guint counts[ST_FREED + 1] = { 0, };

  g_test_message ("walkers: seed %u", seed);
  gasync_channel_new_full (G_TYPE_POINTER, g_rand_int_range (rand, 1, 9), ritem_free, &tx, &rx);
  for (guint k = 0; k < N_WALKERS; k++)
    {
      walkers[k].tx = gasync_sender_clone (tx);
      walkers[k].items = g_new0 (RItem, N_WALKER_ITEMS);
      walkers[k].seed = g_rand_int (rand);
      threads[k] = g_thread_new ("walker", walker_thread, &walkers[k]);
    }
  g_clear_object (&tx);

  walkers_consume (rx, g_rand_int_range (rand, 0, N_WALKERS * N_WALKER_ITEMS));
  g_clear_object (&rx);   /* the consumer gave up: parked sends are released */

  for (guint k = 0; k < N_WALKERS; k++)
    {
      g_thread_join (threads[k]);
      for (guint i = 0; i < N_WALKER_ITEMS; i++)
        {
          gint state = walkers[k].items[i].state;

          g_assert_cmpint (state, >=, ST_RECEIVED);
          counts[state]++;
        }
      g_free (walkers[k].items);
    }
  g_test_message ("received %u, handed back %u, freed %u",
                  counts[ST_RECEIVED], counts[ST_RETURNED], counts[ST_FREED]);
  g_rand_free (rand);
}

static void
test_walkers (void)
{
  guint rounds = gasync_test_size (10, 100);

  g_test_summary ("1,000 sends parked at once by 8 threads on a small bounded "
                  "channel, bounded by random timeouts or cancelled, while the "
                  "consumer receives with short timeouts, gives up and drops "
                  "the receiver: every walker finishes, and each item is "
                  "received, handed back or freed exactly once");

  for (guint r = 0; r < rounds; r++)
    run_walkers (g_test_rand_int ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/pointer/basic", test_pointer_basic);
  g_test_add_func ("/channel/pointer/batches", test_pointer_batches);
  g_test_add_func ("/channel/pointer/preconditions", test_pointer_preconditions);
  g_test_add_func ("/channel/int/values", test_int);
  g_test_add_func ("/channel/int/bool-enum-pointer", test_int_bool_enum_pointer);
  g_test_add_func ("/channel/value/types-and-conversions", test_values);
  g_test_add_func ("/channel/bounded/try-send-full", test_bounded_try);
  g_test_add_func ("/channel/bounded/send-blocks-until-room", test_bounded_blocks);
  g_test_add_func ("/channel/timeout/send-and-recv", test_timeouts);
  g_test_add_func ("/channel/runtime/would-deadlock", test_would_deadlock);
  g_test_add_func ("/channel/runtime/blocking-send-refused-with-room", test_blocking_send_refused_on_worker);
  g_test_add_func ("/channel/runtime/blocking-recv-refused-with-item", test_blocking_recv_refused_on_worker);
  g_test_add_func ("/channel/close/drops-pending-items", test_close_drops_pending_items);
  g_test_add_func ("/channel/close/receiver-dropped-wakes-senders", test_close_receiver_dropped_wakes_senders);
  g_test_add_func ("/channel/close/last-sender-wakes-receiver", test_close_last_sender_wakes_receiver);
  g_test_add_func ("/channel/close/sender-fails-its-blocked-send", test_close_sender_fails_its_blocked_send);
  g_test_add_func ("/channel/cancel/blocked-send", test_cancel_blocked_send);
  g_test_add_func ("/channel/cancel/blocked-recv", test_cancel_blocked_recv);
  g_test_add_func ("/channel/future/recv", test_recv_future);
  g_test_add_func ("/channel/future/recv-pointer-handed-over", test_recv_future_pointer);
  g_test_add_func ("/channel/future/send", test_send_future);
  g_test_add_func ("/channel/async/send-and-recv", test_async);
  g_test_add_func ("/channel/abandon/cancel-withdraws", test_abandon_cancel);
  g_test_add_func ("/channel/abandon/timeout-withdraws-parked-sends", test_abandon_timeout);
  g_test_add_func ("/channel/abandon/receiver-closed-rejects-parked-sends", test_abandon_receiver_closed);
  g_test_add_func ("/channel/abandon/receiver-dropped-rejects-parked-sends", test_abandon_receiver_dropped);
  g_test_add_func ("/channel/abandon/senders-gone-reject-recv-futures", test_abandon_senders_gone);
  g_test_add_func ("/channel/null-out/recv", test_null_out_recv);
  g_test_add_func ("/channel/null-out/try-recv", test_null_out_try_recv);
  g_test_add_func ("/channel/null-out/recv-finish", test_null_out_recv_finish);
  g_test_add_func ("/channel/attach/batches", test_attach_batches);
  g_test_add_func ("/channel/attach/remove", test_attach_remove);
  g_test_add_func ("/channel/context/callbacks-on-their-thread", test_callbacks_on_their_thread);
  g_test_add_func ("/channel/objects/reference-while-queued", test_objects);
  g_test_add_func ("/channel/stress/attach-bounded", test_stress_attach_bounded);
  g_test_add_func ("/channel/stress/attach-unbounded", test_stress_attach_unbounded);
  g_test_add_func ("/channel/stress/thread-bounded", test_stress_thread_bounded);
  g_test_add_func ("/channel/stress/thread-unbounded", test_stress_thread_unbounded);
  g_test_add_func ("/channel/stress/random", test_random_stress);
  g_test_add_func ("/channel/stress/walkers", test_walkers);

  return g_test_run ();
}
