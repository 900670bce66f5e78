// Runtimes and spawning from GJS. GJS cannot run JavaScript on another
// thread, so JS tasks go to spawn_local() on a context this thread
// iterates, and the runtime's workers run C tasks (GAsyncTest): their
// handles settle on worker and pool threads, and every JS continuation
// must still run here. With G_DEBUG=fatal-criticals, a JS callback called
// on a worker ("Attempting to run a JS callback on a different thread")
// would abort the script.
import {
    test, run, assert, assertEquals, assertThrowsGError, assertRejectsGError,
    iterateUntil, GLib, Gio, GAsync
} from './harness.js';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

test('the default runtime', () => {
    const runtime = GAsync.Runtime.get_default();
    assert(runtime === GAsync.Runtime.get_default());
    assert(runtime.get_n_workers() >= 1);
    assert(runtime.get_max_blocking_threads() >= 1);
    assertEquals(runtime.is_closed(), false);
});

test('C tasks settle on workers; JS continues here', async () => {
    const here = [];
    const sum = GAsyncTest.spawn_sum(null, 1000);
    const delayed = GAsyncTest.spawn_delayed(null, 5, 7);
    const continued = delayed.and_then(f => {
        here.push(GAsyncTest.is_main_thread());
        return GAsync.Future.new_for_int(f.get_int() + 1);
    });
    assertEquals(await sum.wait_async(null), [499500]);
    assertEquals(await continued.wait_async(null), [8]);
    assertEquals(here, [true]);
});

test('many worker completions, one thread for JS', async () => {
    const handles = [];
    for (let i = 0; i < 200; i++)
        handles.push(i % 2 ? GAsyncTest.spawn_delayed(null, 1 + i % 7, i) : GAsyncTest.spawn_sum(null, i));
    const values = await Promise.all(handles.map(h => h.wait_async(null)));
    const expected = handles.map((_, i) => i % 2 ? i : i * (i - 1) / 2);
    assertEquals(values.map(([v]) => v), expected);
});

test('spawn_local runs a JS task on this thread\'s context', async () => {
    const ran = [];
    const handle = GAsync.spawn_local(null, cancellable => {
        ran.push([GAsyncTest.is_main_thread(), cancellable instanceof Gio.Cancellable]);
        const promise = GAsync.Promise.new();
        GAsyncTest.resolve_later(promise, 5, 5);
        return promise;
    });
    assertEquals(ran, []);   // never inside the call
    assertEquals(await handle.wait_async(null), [5]);
    assertEquals(ran, [[true, true]]);
});

test('cancelling a handle cancels the task\'s cancellable', async () => {
    const runtime = GAsync.Runtime.new(1);
    const slow = GAsyncTest.spawn_blocking_sleep(runtime, 10000);
    slow.cancel();
    await assertRejectsGError(slow.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    runtime.shutdown(null);   // returns once the sleeper has seen the cancel
    assertEquals(runtime.is_closed(), true);
});

test('an own runtime; spawning on it once shut down rejects with CLOSED', () => {
    const runtime = GAsync.Runtime.new(2);
    assertEquals(runtime.get_n_workers(), 2);
    const done = GAsyncTest.spawn_sum(runtime, 10);
    runtime.shutdown(null);   // drains
    assertEquals(done.get_value(), 45);   // a gint64
    // The JS functions never run (on a worker or anywhere); their closures
    // are released on this thread.
    const closed = runtime.spawn(() => {
        throw new Error('must not run');
    });
    assertThrowsGError(() => closed.get_value(), GAsync.Error, GAsync.Error.CLOSED);
    const closedBlocking = runtime.spawn_blocking(() => {
        throw new Error('must not run');
    });
    assertThrowsGError(() => closedBlocking.get_value(), GAsync.Error, GAsync.Error.CLOSED);
});

test('shutdown cancelled cancels running tasks', () => {
    const runtime = GAsync.Runtime.new(1);
    const slow = GAsyncTest.spawn_blocking_sleep(runtime, 10000);
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    assertThrowsGError(() => runtime.shutdown(cancellable), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    iterateUntil(() => slow.get_state() !== GAsync.FutureState.PENDING);
    assertThrowsGError(() => slow.get_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

// The negative control: the rule is enforced, so the tests above would
// have failed had gasync called a JS callback on a worker. GAsync.spawn()
// with a JS function does exactly that, in a child process.
test('a JS function on a worker aborts under fatal-criticals', () => {
    const [file, stream] = Gio.File.new_tmp('gasync-gjs-worker-XXXXXX.js');
    stream.close(null);
    file.replace_contents(new TextEncoder().encode(`
        import GAsync from 'gi://GAsync?version=1.0';
        // Waits for the worker to call the function (no fixed sleep that a
        // loaded machine could outlast): the critical aborts the process.
        GAsync.spawn(() => GAsync.Future.new_for_int(1)).wait(null);
    `), null, false, 0, null);
    const launcher = new Gio.SubprocessLauncher({flags: Gio.SubprocessFlags.STDERR_PIPE});
    launcher.setenv('G_DEBUG', 'fatal-criticals', true);
    const proc = launcher.spawnv(['gjs', '-m', file.get_path()]);
    const [, , stderr] = proc.communicate_utf8(null, null);
    file.delete(null);
    assertEquals(proc.get_successful(), false);
    assert(stderr.includes('Attempting to run a JS callback on a different thread'), stderr);
});

run();
