// GAsync.TaskGroup from GJS. GJS cannot run JavaScript on another thread,
// so the members here are C tasks (GAsyncTest) settling on worker and pool
// threads, and promises this thread settles; every JS continuation on the
// group's futures must still run here (criticals are fatal). spawn() and
// spawn_blocking() are called on a closed group, where the JS function is
// refused without running anywhere.
import {
    test, run, assert, assertEquals, assertThrowsGError, assertRejectsGError, GLib, Gio, GAsync
} from './harness.js';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

// The members of a group in the order next() hands them out, until CLOSED.
async function drain(group) {
    const members = [];
    for (;;) {
        try {
            const [member] = await group.next().wait_async(null);
            members.push(member);
        } catch (e) {
            if (e.matches(GAsync.error_quark(), GAsync.Error.CLOSED))
                return members;
            throw e;
        }
    }
}

test('next() hands members out in the order they settle', async () => {
    const group = new GAsync.TaskGroup();
    const promises = [0, 1, 2].map(() => GAsync.Promise.new());
    promises.forEach(p => group.add(p));
    assertEquals(group.get_n_pending(), 3);
    for (const i of [2, 0, 1])
        promises[i].resolve_int(i);
    assertEquals(group.get_n_pending(), 0);
    group.wait();
    const members = await drain(group);
    assertEquals(members.map(m => m.get_int()), [2, 0, 1]);
});

test('C members settle on workers; wait() and JS continue here', async () => {
    const group = GAsync.TaskGroup.new(null);
    const here = [];
    for (let i = 0; i < 20; i++)
        group.add(i % 2 ? GAsyncTest.spawn_delayed(null, 1 + i % 5, i) : GAsyncTest.spawn_sum(null, i));
    const all = group.wait().and_then(f => {
        here.push(GAsyncTest.is_main_thread());
        return null;
    });
    assertEquals(await all.wait_async(null), [true]);
    assertEquals(here, [true]);
    const values = (await drain(group)).map(m => m.get_value()).sort((a, b) => a - b);
    assertEquals(values.length, 20);
});

test('the first error cancels the others and rejects wait()', async () => {
    const runtime = GAsync.Runtime.new(1);
    const group = GAsync.TaskGroup.new(runtime);
    const slow = GAsyncTest.spawn_blocking_sleep(runtime, 10000);
    const failing = GAsync.Promise.new();
    group.add(slow);
    group.add(failing);
    const all = group.wait();
    failing.reject_literal(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'gone');
    await assertRejectsGError(all.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
    assertThrowsGError(() => slow.get_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    runtime.shutdown(null);   // returns once the sleeper has seen the cancel
});

test('cancel() cancels the pending members', () => {
    const group = new GAsync.TaskGroup();
    const pending = GAsync.Promise.new();
    group.add(pending);
    group.cancel();
    assertEquals(group.get_n_pending(), 0);
    assertThrowsGError(() => pending.get_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

test('a closed group refuses to spawn; the JS function never runs', () => {
    const group = new GAsync.TaskGroup();
    assertEquals(group.wait().get_boolean(), true);
    const spawned = group.spawn(() => {
        throw new Error('must not run');
    });
    assertThrowsGError(() => spawned.get_value(), GAsync.Error, GAsync.Error.CLOSED);
    const blocking = group.spawn_blocking(() => {
        throw new Error('must not run');
    });
    assertThrowsGError(() => blocking.get_value(), GAsync.Error, GAsync.Error.CLOSED);
});

run();
