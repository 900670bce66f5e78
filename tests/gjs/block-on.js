// GAsync.block_on from GJS over real GIO work, with timeouts,
// cancellation, nesting; and what it does not iterate.
import {
    test, run, assert, assertEquals, assertThrowsGError, iterateUntil, GLib, Gio, GAsync
} from './harness.js';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

// A start function bridging any GIO _async call: resolve a promise with
// the GAsyncResult, call _finish on it afterwards.
function gioStart(begin) {
    return cancellable => {
        const promise = GAsync.Promise.new();
        begin(cancellable, (source, result) => promise.resolve_object(result));
        return promise;
    };
}

test('block_on a subprocess', () => {
    const proc = Gio.Subprocess.new(['sh', '-c', 'read x; echo "got $x"'],
        Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
    const result = GAsync.block_on(gioStart((c, cb) => proc.communicate_utf8_async('hi\n', c, cb)), 0, null);
    const [, stdout] = proc.communicate_utf8_finish(result);
    assertEquals(stdout, 'got hi\n');
});

test('block_on a socket round trip', () => {
    const listener = new Gio.SocketListener();
    const port = listener.add_any_inet_port(null);
    const data = GAsync.block_on(cancellable => {
        const accepted = GAsync.Promise.new();
        listener.accept_async(cancellable, (l, res) => {
            const [conn] = l.accept_finish(res);
            conn.get_input_stream().read_bytes_async(16, GLib.PRIORITY_DEFAULT, cancellable,
                (s, r) => accepted.resolve_string(
                    new TextDecoder().decode(s.read_bytes_finish(r).toArray())));
        });
        const client = new Gio.SocketClient();
        client.connect_to_host_async('localhost', port, cancellable, (c, res) => {
            const conn = c.connect_to_host_finish(res);
            conn.get_output_stream().write_all(new TextEncoder().encode('ping'), null);
            conn.close(null);
        });
        return accepted;
    }, 10000, null);
    assertEquals(data, 'ping');
});

test('block_on a missing file throws NOT_FOUND', () => {
    const file = Gio.File.new_for_path('/nonexistent/gasync');
    const result = GAsync.block_on(gioStart((c, cb) => file.load_contents_async(c, cb)), 0, null);
    assertThrowsGError(() => file.load_contents_finish(result), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
});

test('block_on_future returns the settled future', () => {
    const future = GAsync.block_on_future(() => GAsync.Future.new_for_int(3), 0, null);
    assert(future.get_state() !== GAsync.FutureState.PENDING);
    assertEquals(future.get_int(), 3);
});

test('block_on waits for a C thread', () => {
    const promise = GAsync.Promise.new();
    GAsyncTest.resolve_later(promise, 5, 12);
    assertEquals(GAsync.block_on(() => promise, 0, null), 12);
});

test('block_on does not dispatch the caller\'s context', () => {
    let ran = false;
    const id = GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
        ran = true;
        return GLib.SOURCE_REMOVE;
    });
    const value = GAsync.block_on(() => {
        const promise = GAsync.Promise.new();
        const source = GLib.timeout_source_new(5);
        source.set_callback(() => {
            promise.resolve_int(1);
            return GLib.SOURCE_REMOVE;
        });
        source.attach(GLib.MainContext.get_thread_default());
        return promise;
    }, 0, null);
    assertEquals(value, 1);
    assertEquals(ran, false);
    iterateUntil(() => ran);
    assert(id > 0);
});

// No nested block_on here: GJS 1.74 corrupts a (scope call) closure when
// another (scope call) function is called from inside it (it fails with
// "g_closure_unref: assertion 'closure->ref_count > 0'"; the same happens
// with two nested Gio.ListStore.sort() calls), so a block_on start
// function must not call block_on itself. C and Python nest fine.

test('block_on_drain with nothing given up on returns at once', () => {
    // Does not throw (its gboolean only mirrors the error).
    GAsync.block_on_drain(0, null);
});

test('a timeout cancels the work\'s cancellable', () => {
    let given = null;
    assertThrowsGError(() => GAsync.block_on(cancellable => {
        given = cancellable;
        return GAsync.Promise.new();
    }, 20, null), GAsync.Error, GAsync.Error.TIMED_OUT);
    assertEquals(given.is_cancelled(), true);
});

test('a timeout cancels the work\'s future, which block_on_drain waits for', () => {
    const kept = [];
    assertThrowsGError(() => GAsync.block_on(() => {
        kept.push(GAsync.Promise.new());
        return kept[0];
    }, 20, null), GAsync.Error, GAsync.Error.TIMED_OUT);
    assertEquals(kept[0].get_state(), GAsync.FutureState.REJECTED);
    // Held here, so never let go of: the drain gives up after its timeout.
    assertThrowsGError(() => GAsync.block_on_drain(10, null), GAsync.Error, GAsync.Error.TIMED_OUT);
});

test('cancelled while waiting, and already cancelled', () => {
    const cancellable = new Gio.Cancellable();
    assertThrowsGError(() => GAsync.block_on(() => {
        const source = GLib.timeout_source_new(5);
        source.set_callback(() => {
            cancellable.cancel();
            return GLib.SOURCE_REMOVE;
        });
        source.attach(GLib.MainContext.get_thread_default());
        return GAsync.Promise.new();
    }, 0, cancellable), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertThrowsGError(() => GAsync.block_on(() => {
        throw new Error('must not run');
    }, 0, cancellable), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

run();
