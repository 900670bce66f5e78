// Channels from GJS, fed by plain C threads (GAsyncTest): every send and
// receive form, `await receiver.recv_async(null)` through Gio._promisify,
// main-context attachment, back-pressure and closing. JS runs only on this
// thread; with G_DEBUG=fatal-criticals a JS callback run on a feeding
// thread would abort the script.
import {
    test, run, assert, assertEquals, assertThrowsGError, assertRejectsGError,
    iterateUntil, GLib, Gio, GAsync
} from './harness.js';
import GObject from 'gi://GObject';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

// The idiom, as for futures: `await receiver.recv_async(null)` yields
// [item] (GJS gives [true, item], _promisify drops the true), and rejects
// with GASYNC_ERROR_CLOSED once every sender is closed and the channel is
// drained. send_finish returns only a gboolean, so `await
// sender.send_async(item, null)` yields true.
Gio._promisify(GAsync.Receiver.prototype, 'recv_async');
Gio._promisify(GAsync.Sender.prototype, 'send_async');
Gio._promisify(GAsync.Future.prototype, 'wait_async');

function isClosed(e) {
    return e instanceof GLib.Error && e.matches(GAsync.error_quark(), GAsync.Error.CLOSED);
}

test('channel_new gives a sender and a receiver of one type', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_STRING, 0);
    assertEquals(GObject.type_name(sender.get_item_type()), 'gchararray');
    assertEquals(GObject.type_name(receiver.get_item_type()), 'gchararray');
});

test('await recv_async in a loop, fed from C threads', async () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 8);
    GAsyncTest.feed_channel(sender, 4, 100);
    sender.close();
    const received = [];
    for (;;) {
        try {
            const [item] = await receiver.recv_async(null);
            received.push(item);
        } catch (e) {
            if (isClosed(e))
                break;
            throw e;
        }
    }
    assertEquals(received.slice().sort((a, b) => a - b), [...Array(400).keys()]);
});

test('attach delivers on this context, fed from C threads', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 16);
    const got = [];
    const threads = new Set();
    let done = false;
    const id = receiver.attach(null, (rx, item) => {
        if (item === null) {
            done = true;
            return GLib.SOURCE_REMOVE;
        }
        got.push(item);
        threads.add(GAsyncTest.is_main_thread());
        return GLib.SOURCE_CONTINUE;
    });
    assert(id > 0);
    GAsyncTest.feed_channel(sender, 3, 300);
    sender.close();
    iterateUntil(() => done);
    assertEquals(got.length, 900);
    assertEquals([...threads], [true]);
});

test('blocking send and recv, try forms, FULL and EMPTY', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 1);
    assertThrowsGError(() => receiver.try_recv(), GAsync.Error, GAsync.Error.EMPTY);
    sender.try_send(1);
    assertThrowsGError(() => sender.try_send(2), GAsync.Error, GAsync.Error.FULL);
    assertEquals(receiver.recv(null), 1);
    sender.send(3, null);
    assertEquals(receiver.try_recv(), 3);
});

test('timeouts: the future forms with a deadline, which withdraws them', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 1);
    const recv = receiver.recv_future();
    assertThrowsGError(() => recv.with_timeout(10).wait(null), GAsync.Error, GAsync.Error.TIMED_OUT);
    assertThrowsGError(() => recv.wait(null), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    sender.send(1, null);
    const send = sender.send_future(2);
    assertThrowsGError(() => send.with_timeout(10).wait(null), GAsync.Error, GAsync.Error.TIMED_OUT);
    assertThrowsGError(() => send.wait(null), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEquals(receiver.recv(null), 1);
    assertThrowsGError(() => receiver.try_recv(), GAsync.Error, GAsync.Error.EMPTY);
});

test('send_future and send_async wait for room', async () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_STRING, 1);
    sender.send('a', null);
    const queued = sender.send_future('b');
    assertEquals(queued.get_state(), GAsync.FutureState.PENDING);
    const sent = sender.send_async('c', null);
    assertEquals(receiver.recv(null), 'a');
    await queued.wait_async(null);
    assertEquals(receiver.recv(null), 'b');
    assertEquals(await sent, true);
    assertEquals(receiver.recv(null), 'c');
});

test('send_async with a plain callback and send_finish', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 0);
    const done = [];
    sender.send_async(5, null, (s, result) => done.push([s.send_finish(result), GAsyncTest.is_main_thread()]));
    iterateUntil(() => done.length > 0);
    assertEquals(done, [[true, true]]);
    assertEquals(receiver.recv(null), 5);
});

test('recv_future and recv_async with recv_finish', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 0);
    const future = receiver.recv_future();
    GAsyncTest.feed_channel(sender, 1, 2);
    iterateUntil(() => future.get_state() !== GAsync.FutureState.PENDING);
    assertEquals(future.get_int(), 0);
    const got = [];
    receiver.recv_async(null, (rx, result) => got.push(rx.recv_finish(result)));
    iterateUntil(() => got.length > 0);
    assertEquals(got, [[true, 1]]);
});

test('cancelling a receive takes nothing', async () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 0);
    const cancellable = new Gio.Cancellable();
    const waiting = receiver.recv_async(cancellable);
    cancellable.cancel();
    await assertRejectsGError(waiting, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    const future = receiver.recv_future();
    future.cancel();
    sender.send(7, null);
    assertEquals(await receiver.recv_async(null), [7]);
});

test('clone and close: the channel closes when every sender has', async () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 0);
    const clone = sender.clone();
    sender.send(1, null);
    sender.close();
    assertEquals(sender.is_closed(), true);
    assertEquals(clone.is_closed(), false);
    clone.send(2, null);
    clone.close();
    assertEquals(await receiver.recv_async(null), [1]);
    assertEquals(await receiver.recv_async(null), [2]);
    await assertRejectsGError(receiver.recv_async(null), GAsync.Error, GAsync.Error.CLOSED);
});

test('a closed receiver fails senders with CLOSED', () => {
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 0);
    receiver.close();
    assertThrowsGError(() => sender.send(1, null), GAsync.Error, GAsync.Error.CLOSED);
});

run();
