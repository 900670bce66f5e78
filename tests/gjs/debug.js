// Debugging aids from GJS: future names and a runtime's stats (with the
// parked channel waiters).
import GObject from 'gi://GObject';
import {test, run, assert, assertEquals, GLib, GAsync} from './harness.js';

test('a future has the name it was given', () => {
    const promise = GAsync.Promise.new();
    assertEquals(promise.get_name(), null);
    promise.set_name('load-avatar');
    assertEquals(promise.get_name(), 'load-avatar');
    promise.set_name(null);
    assertEquals(promise.get_name(), null);
});

test('a runtime reports its stats as a dictionary', () => {
    const runtime = GAsync.Runtime.new(1);
    const stats = runtime.get_stats();
    assert(stats instanceof GLib.Variant);
    assertEquals(stats.get_type_string(), 'a{sv}');
    const values = stats.deepUnpack();
    assertEquals(Number(values['async-workers'].deepUnpack()), 1);
    assertEquals(Number(values['tasks-spawned'].deepUnpack()), 0);
    assert(Number(values['blocking-threads-max'].deepUnpack()) >= 1);
    runtime.shutdown(null);
});

test('the stats count the receives parked on channels', () => {
    const runtime = GAsync.Runtime.new(1);
    const waiters = () => Number(runtime.get_stats().deepUnpack()['channel-recv-waiters'].deepUnpack());
    const before = waiters();   // process-wide
    const [sender, receiver] = GAsync.channel_new(GObject.TYPE_INT, 1);
    const parked = receiver.recv_future();
    assertEquals(waiters(), before + 1);
    parked.cancel();   // withdraws it
    assertEquals(waiters(), before);
    sender.close();
    runtime.shutdown(null);
});

run();
