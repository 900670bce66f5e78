// Watch and broadcast channels from GJS: the latest value and its change
// futures, broadcast items with the exact count of missed ones, close,
// and attachment to this context. JS runs only on this thread (the C tests
// race setters and senders on threads).
import {
    test, run, assert, assertEquals, assertRejectsGError, iterateUntil, GLib, Gio, GAsync
} from './harness.js';
import GObject from 'gi://GObject';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

test('a watch coalesces changes into the latest value', async () => {
    const watch = GAsync.Watch.new(1);
    assertEquals(GObject.type_name(watch.get_value_type()), 'gint');
    assertEquals(watch.get_value(), 1);
    const rx = watch.subscribe();
    assert(!rx.has_changed());
    const next = rx.changed();
    assert(watch.set(2) && watch.set(3));
    const [first] = await next.wait_async(null);
    assertEquals(first, 2);          // resolved by the first set
    assert(rx.has_changed());
    const [latest] = await rx.changed().wait_async(null);
    assertEquals(latest, 3);
    watch.set(4);
    assertEquals(rx.dup_value(), 4);   // marks it seen
    assert(!rx.has_changed());
});

test('a closed watch delivers its last value, then CLOSED', async () => {
    const watch = GAsync.Watch.new('idle');
    const rx = watch.subscribe();
    watch.set('done');
    watch.close();
    assert(!watch.set('again'));
    assertEquals((await rx.changed().wait_async(null))[0], 'done');
    await assertRejectsGError(rx.changed().wait_async(null), GAsync.Error, GAsync.Error.CLOSED);
});

test('watch attach runs on this context with the last value', () => {
    const watch = GAsync.Watch.new(0);
    const rx = watch.subscribe();
    const seen = [];
    let done = false;
    assert(rx.attach(null, (receiver, value) => {
        if (value === null)
            done = true;
        else
            seen.push(value);
        return GLib.SOURCE_CONTINUE;
    }) > 0);
    for (let i = 1; i <= 50; i++)
        watch.set(i);
    assertEquals(seen.length, 0);      // never inside set()
    watch.close();
    iterateUntil(() => done);
    assertEquals(seen, [50]);
});

test('a broadcast gives every receiver every item', async () => {
    const bc = GAsync.Broadcast.new(GObject.TYPE_INT, 8);
    assertEquals(GObject.type_name(bc.get_item_type()), 'gint');
    assertEquals(bc.send(0), 0);       // nobody listens yet
    const a = bc.subscribe(), b = bc.subscribe();
    const pending = a.recv_future();
    assertEquals(bc.send(1), 2);
    assertEquals((await pending.wait_async(null))[0], 1);
    assertEquals((await b.recv_future().wait_async(null))[0], 1);
});

test('a slow broadcast receiver is told how many it missed', async () => {
    const bc = GAsync.Broadcast.new(GObject.TYPE_INT, 4);
    const rx = bc.subscribe();
    for (let i = 0; i < 10; i++)
        bc.send(i);
    assertEquals((await rx.recv_future().wait_async(null))[0], 6);
    assertEquals(rx.get_missed(), 6);
    bc.close();
    assertEquals(bc.send(10), 0);
    const got = [];
    let done = false;
    rx.attach(null, (receiver, item, missed) => {
        if (item === null)
            done = true;
        else
            got.push([item, missed]);
        return GLib.SOURCE_CONTINUE;
    });
    iterateUntil(() => done);
    assertEquals(got, [[7, 0], [8, 0], [9, 0]]);
    await assertRejectsGError(rx.recv_future().wait_async(null), GAsync.Error, GAsync.Error.CLOSED);
});

run();
