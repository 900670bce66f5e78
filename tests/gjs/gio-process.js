// GSubprocess futures from GJS: wait, wait_check, communicate_utf8, and
// cancelling them mid-way.
import {
    test, run, assert, assertEquals, assertRejectsGError, Gio, GLib, GAsync
} from './harness.js';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

// Runs what is ready on the default context, without blocking.
function iteratePending() {
    while (GLib.MainContext.default().iteration(false))
        ;
}

function sh(command, flags = Gio.SubprocessFlags.NONE) {
    return Gio.Subprocess.new(['/bin/sh', '-c', command], flags);
}

test('wait_check resolves with true', async () => {
    assertEquals(await GAsync.subprocess_wait_check(sh('true')).wait_async(null), [true]);
});

test('wait_check rejects with the exit status', async () => {
    await assertRejectsGError(GAsync.subprocess_wait_check(sh('false')).wait_async(null),
        GLib.spawn_exit_error_quark(), 1);
});

test('wait resolves whatever the status', async () => {
    const proc = sh('exit 3');
    assertEquals(await GAsync.subprocess_wait(proc).wait_async(null), [true]);
    assertEquals(proc.get_exit_status(), 3);
});

test('communicate_utf8 gives stdout and stderr as (msms)', async () => {
    const proc = sh('cat; echo err >&2', Gio.SubprocessFlags.STDIN_PIPE |
        Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE);
    const [output] = await GAsync.subprocess_communicate_utf8(proc, 'héllo\n').wait_async(null);
    assertEquals(output.get_type_string(), '(msms)');
    assertEquals(output.deepUnpack(), ['héllo\n', 'err\n']);

    const quiet = sh('echo out', Gio.SubprocessFlags.STDOUT_PIPE);
    const [only] = await GAsync.subprocess_communicate_utf8(quiet, null).wait_async(null);
    assertEquals(only.deepUnpack(), ['out\n', null]);
});

test('cancelling mid-way rejects with CANCELLED', () => {
    const proc = sh('exec sleep 1000');
    const future = GAsync.subprocess_wait_check(proc);
    iteratePending();
    assertEquals(future.get_state(), GAsync.FutureState.PENDING);
    future.cancel();
    assert(future.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
    // The process runs on until it is killed.
    assert(proc.get_identifier() !== null);
    proc.force_exit();
    proc.wait(null);
    assert(!proc.get_if_exited());
});

run();
