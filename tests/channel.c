/* channel.c: tests for GAsyncSender and GAsyncReceiver: sending, bounds, closing, cancelling
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "channel-test-util.h"

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

  assert_try_recv_int_empty (rx);
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

static void
test_bounded_blocks (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GError) error = NULL;
  SendJob *job;
  GThread *thread;

  g_test_summary ("A send on a full channel blocks until the receiver makes "
                  "room, then queues its item after the ones before it");

  gasync_channel_new (G_TYPE_POINTER, 1, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (1), NULL, &error));

  job = send_job_new (tx, GUINT_TO_POINTER (2), NULL);
  thread = start_sender_until_blocked (send_job_thread, job, rx);

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
  assert_try_recv_pointer_empty (rx);
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

/* Spawns @func with @data on the default runtime and waits (bounded
 * generously: it is known to settle) until it succeeds; returns the
 * settled future. */
static GAsyncFuture *
spawn_and_assert_succeeds (GAsyncFunc     func,
                           WorkerChannel *data)
{
  g_autoptr(GAsyncFuture) handle = gasync_spawn (func, data, NULL);
  GAsyncFuture *bounded = gasync_future_with_timeout (handle, 30000);
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_future_wait (bounded, NULL, NULL, &error));
  g_assert_no_error (error);
  return bounded;
}

static void
test_blocking_send_refused_on_worker (void)
{
  g_autoptr(GAsyncSender) tx = NULL;
  g_autoptr(GAsyncReceiver) rx = NULL;
  g_autoptr(GAsyncFuture) done = NULL;
  g_autoptr(GError) error = NULL;
  WorkerChannel data;

  g_test_summary ("A blocking send on an async worker fails with WOULD_DEADLOCK "
                  "even when there is room (send, send_pointer, send_many), and "
                  "queues nothing; try_send and send_future work there");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  data.tx = tx;
  data.rx = rx;

  done = spawn_and_assert_succeeds (send_with_room_on_worker, &data);

  for (guint i = 1; i <= 3; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, i);
  assert_try_recv_pointer_empty (rx);
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
  g_autoptr(GAsyncFuture) done = NULL;
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

  done = spawn_and_assert_succeeds (recv_ready_on_worker, &data);
  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_future_get_pointer (done, &error)), ==, 6);
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
  RecvJob job = { NULL, 0, NULL };
  GThread *thread;
  gint freed = 0;

  g_test_summary ("A receiver blocked on an empty channel wakes when the last "
                  "sender closes, after draining what was queued, with CLOSED");

  gasync_channel_new_full (G_TYPE_POINTER, 0, item_free, &tx, &rx);
  clone = gasync_sender_clone (tx);
  job.rx = g_object_ref (rx);
  thread = start_receiver_until_blocked (recv_all_thread, &job, rx);

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
  SendJob *job;
  GThread *thread;

  g_test_summary ("Closing a sender from another thread fails its blocked "
                  "send with CLOSED; the channel stays open for other senders");

  gasync_channel_new (G_TYPE_POINTER, 1, &tx, &rx);
  other = gasync_sender_clone (tx);
  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (1), NULL, NULL));

  job = send_job_new (tx, GUINT_TO_POINTER (2), NULL);
  thread = start_sender_until_blocked (send_job_thread, job, rx);
  gasync_sender_close (tx);
  assert_send_job_failed (thread, job, GASYNC_ERROR, GASYNC_ERROR_CLOSED);

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
  SendJob *job;
  GThread *thread;

  g_test_summary ("Cancelling a blocked send wakes it with CANCELLED and "
                  "queues nothing");

  gasync_channel_new (G_TYPE_POINTER, 1, &tx, &rx);
  g_assert_true (gasync_sender_send_pointer (tx, GUINT_TO_POINTER (1), NULL, NULL));

  job = send_job_new (tx, GUINT_TO_POINTER (2), cancellable);
  thread = start_sender_until_blocked (send_job_thread, job, rx);
  g_cancellable_cancel (cancellable);
  assert_send_job_failed (thread, job, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpuint (GPOINTER_TO_UINT (gasync_receiver_try_recv_pointer (rx, &error)), ==, 1);
  assert_try_recv_pointer_empty (rx);
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
  GThread *thread;

  g_test_summary ("Cancelling a blocked receive wakes it with CANCELLED; an "
                  "item sent afterwards stays for the next receive");

  gasync_channel_new (G_TYPE_POINTER, 0, &tx, &rx);
  job.rx = g_object_ref (rx);
  job.cancellable = g_cancellable_new ();
  thread = start_receiver_until_blocked (cancel_recv_thread, &job, rx);
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

  return g_test_run ();
}
