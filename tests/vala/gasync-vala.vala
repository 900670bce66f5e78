/* gasync-vala.vala: gasync from Vala through the generated gasync-1.vapi
 *
 * Copyright 2026 The gasync authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * block_on over GIO, `yield future.wait_async ()`, spawn and spawn_blocking
 * on the runtime, combinators, and a channel fed by worker threads and
 * drained with `yield receiver.recv_async ()`, and a limiter bounding how
 * much runs at once. Exits non-zero on failure.
 */

static int failures = 0;

static void check (bool ok, string what) {
    print ("%s - %s\n", ok ? "ok" : "not ok", what);
    if (!ok)
        failures++;
}

/* A GIO call as a future: the promise is resolved with the GAsyncResult
 * in the callback, on the context the call was started from. */
static GAsync.Future query_size (File file, Cancellable? cancellable) {
    var promise = new GAsync.Promise ();
    file.query_info_async.begin (FileAttribute.STANDARD_SIZE, 0, Priority.DEFAULT,
                                 cancellable, (obj, res) => {
        promise.resolve_object (res);
    });
    return promise;
}

static void test_block_on () throws Error {
    Value? answer = GAsync.block_on ((c) => new GAsync.Future.for_int (42), 0);
    check (answer.get_int () == 42, "block_on a ready value");

    FileIOStream stream;
    var file = File.new_tmp ("gasync-vala-XXXXXX", out stream);
    stream.close ();
    file.replace_contents ("from vala".data, null, false, 0, null);
    Value? result = GAsync.block_on ((c) => query_size (file, c), 0);
    var info = file.query_info_async.end ((AsyncResult) result.get_object ());
    check (info.get_size () == 9, "block_on File.query_info_async");
    file.delete ();

    try {
        GAsync.block_on ((c) => new GAsync.Promise (), 0);
        check (false, "block_on a dropped promise");
    } catch (GAsync.Error.DROPPED e) {
        check (true, "block_on a dropped promise fails with DROPPED");
    }

    var never = new GAsync.Promise ();
    try {
        GAsync.block_on ((c) => never, 20);
        check (false, "block_on times out");
    } catch (GAsync.Error.TIMED_OUT e) {
        check (true, "block_on times out with TIMED_OUT");
    }
}

static async void test_wait_async () throws Error {
    var promise = new GAsync.Promise ();
    new Thread<void*> ("resolver", () => {
        Thread.usleep (5000);
        promise.resolve_string ("from a thread");
        return null;
    });
    Value value;
    yield promise.wait_async (null, out value);
    check (value.get_string () == "from a thread", "yield future.wait_async ()");

    var failing = new GAsync.Future.for_error (new IOError.NOT_FOUND ("gone"));
    try {
        yield failing.wait_async (null, out value);
        check (false, "wait_async throws");
    } catch (IOError.NOT_FOUND e) {
        check (e.message == "gone", "yield wait_async () throws the future's error");
    }
}

static async void test_spawn () throws Error {
    /* A Vala closure is C: it may run on a worker. */
    var handle = GAsync.spawn ((c) => {
        return new GAsync.Future.for_int (6 * 7);
    });
    Value value;
    yield handle.wait_async (null, out value);
    check (value.get_int () == 42, "spawn on a worker");

    var blocking = GAsync.spawn_blocking ((c, out result) => {
        Thread.usleep (2000);
        result = Value (typeof (string));
        result.set_string ("blocking");
        return true;
    });
    yield blocking.wait_async (null, out value);
    check (value.get_string () == "blocking", "spawn_blocking on the pool");

    var local = GAsync.spawn_local (null, (c) => new GAsync.Future.for_string ("local"));
    yield local.wait_async (null, out value);
    check (value.get_string () == "local", "spawn_local on this context");

    var runtime = new GAsync.Runtime (2);
    GAsync.Future[] handles = {};
    for (int i = 0; i < 10; i++) {
        int n = i;
        handles += runtime.spawn ((c) => new GAsync.Future.for_int (n * n));
    }
    yield GAsync.Future.all (handles).wait_async (null, out value);
    var results = (ListModel) value.get_object ();
    int sum = 0;
    for (uint i = 0; i < results.get_n_items (); i++)
        sum += ((GAsync.Future) results.get_item (i)).get_int ();
    check (sum == 285, "Runtime.spawn and Future.all");
    runtime.shutdown (null);
    check (runtime.is_closed (), "Runtime.shutdown");

    var done = handles[0].and_then ((f) => new GAsync.Future.for_string ("then"));
    yield done.wait_async (null, out value);
    check (value.get_string () == "then", "and_then");
}

static async void test_task_group () throws Error {
    /* Members spawned on workers and the pool, taken in completion order
     * with yield group.next ().wait_async (), then wait () closes it. */
    var group = new GAsync.TaskGroup (null);
    for (int i = 1; i <= 5; i++) {
        int n = i;
        var member = group.spawn ((c) => new GAsync.Future.for_int (n * n));
        check (member != null, "TaskGroup.spawn returns the member");
    }
    var blocking = group.spawn_blocking ((c, out result) => {
        result = Value (typeof (int));
        result.set_int (100);
        return true;
    });
    group.add (new GAsync.Future.for_int (1000));
    var all = group.wait ();
    int sum = 0;
    int count = 0;
    Value value;
    while (true) {
        try {
            yield group.next ().wait_async (null, out value);
        } catch (Error e) {
            check (e is GAsync.Error.CLOSED, "next () ends with CLOSED");
            break;
        }
        sum += ((GAsync.Future) value.get_object ()).get_int ();
        count++;
    }
    check (count == 7 && sum == 55 + 100 + 1000, "TaskGroup.next in completion order");
    yield all.wait_async (null, out value);
    check (value.get_boolean (), "TaskGroup.wait");
    check (group.get_n_pending () == 0 && blocking.get_int () == 100, "TaskGroup.get_n_pending");

    /* The first error cancels the others. */
    var failing = new GAsync.TaskGroup (null);
    var pending = new GAsync.Promise ();
    failing.add (pending);
    failing.add (new GAsync.Future.for_error_literal (IOError.quark (), IOError.NOT_FOUND, "gone"));
    try {
        yield failing.wait ().wait_async (null, out value);
        check (false, "TaskGroup.wait throws");
    } catch (Error e) {
        check (e.message == "gone", "TaskGroup.wait throws the first error");
    }
    check (pending.get_state () == GAsync.FutureState.REJECTED, "the others are cancelled");
    failing.cancel ();
}

static async void test_channel () throws Error {
    GAsync.Sender sender;
    GAsync.Receiver receiver;
    GAsync.channel_new (typeof (int), 8, out sender, out receiver);

    Thread<void*>[] producers = {};
    for (int k = 0; k < 4; k++) {
        var tx = sender.clone ();
        int first = k * 250;
        producers += new Thread<void*> ("producer", () => {
            for (int i = first; i < first + 250; i++) {
                try {
                    tx.send (i);
                } catch (Error e) {
                    break;
                }
            }
            tx.close ();
            return null;
        });
    }
    sender.close ();

    int count = 0;
    int64 sum = 0;
    while (true) {
        Value item;
        try {
            yield receiver.recv_async (null, out item);
        } catch (GAsync.Error.CLOSED e) {
            break;
        }
        count++;
        sum += item.get_int ();
    }
    foreach (var t in producers)
        t.join ();
    check (count == 1000 && sum == 499500, "channel fed by threads, yield recv_async ()");

    GAsync.channel_new (typeof (string), 1, out sender, out receiver);
    sender.try_send ("one");
    try {
        sender.try_send ("two");
        check (false, "try_send on a full channel");
    } catch (GAsync.Error.FULL e) {
        check (true, "try_send on a full channel fails with FULL");
    }
    Value? got = receiver.recv ();
    check (got.get_string () == "one", "recv");
}

static async void test_limiter () throws Error {
    var limiter = new GAsync.Limiter (2);
    check (limiter.get_permits () == 2, "Limiter.get_permits");

    /* At most two at once; each permit comes back when its future settles. */
    int inside = 0, most = 0;
    GAsync.Future[] runs = {};
    for (int i = 0; i < 8; i++) {
        int n = i;
        runs += limiter.run ((c) => {
            inside++;
            most = int.max (most, inside);
            return GAsync.timeout_new (1).and_then ((f) => {
                inside--;
                return new GAsync.Future.for_int (n);
            });
        });
    }
    Value value;
    yield GAsync.Future.all (runs).wait_async (null, out value);
    var results = (ListModel) value.get_object ();
    int sum = 0;
    for (uint i = 0; i < results.get_n_items (); i++)
        sum += ((GAsync.Future) results.get_item (i)).get_int ();
    check (sum == 28 && most == 2, "Limiter.run bounds the work in flight");
    check (limiter.get_available () == 2, "Limiter.run releases its permits");

    /* By hand: a waiting acquire resolves once a permit is released. */
    var first = limiter.acquire ();
    var second = limiter.acquire ();
    var third = limiter.acquire ();
    check (third.get_state () == GAsync.FutureState.PENDING, "acquire waits");
    limiter.release ();
    yield third.wait_async (null, out value);
    check (value.get_boolean (), "yield acquire ().wait_async ()");
    limiter.release ();
    limiter.release ();
    check (first.get_boolean () && second.get_boolean () && limiter.get_available () == 2,
           "Limiter.release");
}

/* A watch set from threads, its changes awaited; a broadcast sent from a
 * thread, drained with futures, each loss counted. */
static async void test_watch_broadcast () throws Error {
    var watch = new GAsync.Watch (Value (typeof (int)));
    var rx = watch.subscribe ();
    Thread<void*>[] setters = {};
    for (int k = 0; k < 4; k++) {
        int first = k * 100 + 1;
        setters += new Thread<void*> ("setter", () => {
            for (int i = first; i < first + 100; i++)
                watch.set (i);
            return null;
        });
    }
    foreach (var t in setters)
        t.join ();
    var last = watch.dup_value ().get_int ();
    watch.close ();
    Value value;
    int seen = 0;
    while (true) {
        try {
            yield rx.changed ().wait_async (null, out value);
        } catch (GAsync.Error.CLOSED e) {
            break;
        }
        seen = value.get_int ();
    }
    check (seen == last && !rx.has_changed (), "watch: yield changed () ends with the last value");

    var bc = new GAsync.Broadcast (typeof (int), 16);
    var brx = bc.subscribe ();
    var sender = new Thread<void*> ("sender", () => {
        for (int i = 0; i < 1000; i++)
            bc.send (i);
        bc.close ();
        return null;
    });
    int received = 0, expected = 0;
    uint64 missed = 0;
    bool ordered = true;
    while (true) {
        try {
            yield brx.recv_future ().wait_async (null, out value);
        } catch (GAsync.Error.CLOSED e) {
            break;
        }
        var now_missed = brx.get_missed ();
        ordered &= value.get_int () == expected + (int) (now_missed - missed);
        expected = value.get_int () + 1;
        missed = now_missed;
        received++;
    }
    sender.join ();
    check (ordered && received + missed == 1000, "broadcast: received + missed == sent, in order");
}

/* Deadlines, intervals and the bounded map. The map runs on this (the
 * default) context: its function is called between the yields. */
static async void test_deadline_and_map () throws Error {
    var never = new GAsync.Promise ();
    var bounded = never.with_deadline (get_monotonic_time () + 20000);
    Value value;
    try {
        yield bounded.wait_async (null, out value);
        check (false, "with_deadline times out");
    } catch (GAsync.Error.TIMED_OUT e) {
        check (never.get_state () == GAsync.FutureState.REJECTED,
               "with_deadline times out and cancels the future");
    }

    var ticks = GAsync.interval_new (5);
    yield ticks.recv_async (null, out value);
    int64 first = value.get_int64 ();
    yield ticks.recv_async (null, out value);
    check (value.get_int64 () > first && (value.get_int64 () - first) % 5000 == 0,
           "interval ticks on its grid");
    ticks.close ();

    Value[] items = new Value[5];
    for (int i = 0; i < 5; i++) {
        items[i] = Value (typeof (int));
        items[i].set_int (i);
    }
    int in_flight = 0, max_seen = 0;
    var map = GAsync.Future.map (items, 2, (item, cancellable) => {
        in_flight++;
        max_seen = int.max (max_seen, in_flight);
        int n = item.get_int ();
        return GAsync.timeout_new (5 - n).and_then ((done) => {
            in_flight--;
            return new GAsync.Future.for_int (n * n);
        });
    });
    yield map.wait_async (null, out value);
    var results = (ListModel) value.get_object ();
    bool in_order = results.get_n_items () == 5;
    for (uint i = 0; i < results.get_n_items (); i++)
        in_order = in_order && ((GAsync.Future) results.get_item (i)).get_int () == i * i;
    check (in_order && max_seen <= 2, "Future.map keeps input order, at most 2 in flight");
}

int main () {
    var loop = new MainLoop ();
    try {
        test_block_on ();
    } catch (Error e) {
        check (false, "block_on: " + e.message);
    }
    run_all.begin ((obj, res) => {
        run_all.end (res);
        loop.quit ();
    });
    loop.run ();
    return failures > 0 ? 1 : 0;
}

static async void run_all () {
    try {
        yield test_wait_async ();
        yield test_spawn ();
        yield test_task_group ();
        yield test_channel ();
        yield test_limiter ();
        yield test_watch_broadcast ();
        yield test_deadline_and_map ();
    } catch (Error e) {
        check (false, e.message);
    }
}
