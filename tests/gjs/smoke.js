// Smoke tests: the GAsync typelib from GJS 1.74: block_on over real GIO
// work, a promise resolved from JS, errors surfacing as GLib.Error.
import {test, run, assertEquals, assertThrowsGError, GLib, Gio, GAsync} from './harness.js';

test('block_on a ready value', () => {
    assertEquals(GAsync.block_on(() => GAsync.Future.new_for_int(42), 0, null), 42);
});

test('block_on Gio.File.load_contents_async', () => {
    const [file, stream] = Gio.File.new_tmp('gasync-gjs-XXXXXX');
    stream.close(null);
    file.replace_contents(new TextEncoder().encode('from gjs'), null, false, 0, null);
    const result = GAsync.block_on(cancellable => {
        const promise = GAsync.Promise.new();
        file.load_contents_async(cancellable, (src, res) => promise.resolve_object(res));
        return promise;
    }, 0, null);
    const [ok, contents] = file.load_contents_finish(result);
    assertEquals(ok, true);
    assertEquals(new TextDecoder().decode(contents), 'from gjs');
    file.delete(null);
});

test('a promise resolved from JS in a later iteration', () => {
    const value = GAsync.block_on(() => {
        // GLib.timeout_add() would attach to the global default context,
        // which block_on never iterates: attach to the thread-default one.
        const promise = GAsync.Promise.new();
        const source = GLib.timeout_source_new(5);
        source.set_callback(() => {
            promise.resolve_string('later');
            return GLib.SOURCE_REMOVE;
        });
        source.attach(GLib.MainContext.get_thread_default());
        return promise;
    }, 0, null);
    assertEquals(value, 'later');
});

test('an error surfaces as GLib.Error', () => {
    const e = assertThrowsGError(() => GAsync.block_on(
        () => GAsync.Future.new_for_error_literal(Gio.io_error_quark(),
            Gio.IOErrorEnum.PERMISSION_DENIED, 'nope'), 0, null),
    Gio.IOErrorEnum, Gio.IOErrorEnum.PERMISSION_DENIED);
    assertEquals(e.message, 'nope');
});

// A promise created in JS is kept alive by its JS wrapper until the garbage
// collector runs, so (unlike in C and Python) dropping it is not seen while
// block_on waits: bound the wait instead.
test('a promise never settled times out with TIMED_OUT', () => {
    assertThrowsGError(() => GAsync.block_on(() => GAsync.Promise.new(), 20, null),
        GAsync.Error, GAsync.Error.TIMED_OUT);
});

run();
