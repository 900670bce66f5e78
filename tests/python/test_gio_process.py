# GSubprocess futures from Python: wait, wait_check, communicate_utf8,
# and cancelling them mid-way.
from gi.repository import GAsync, GLib, Gio
import pytest

import helpers


def iterate_pending():
    """Runs what is ready on the default context, without blocking."""
    while GLib.MainContext.default().iteration(False):
        pass


def sh(command, flags=Gio.SubprocessFlags.NONE):
    return Gio.Subprocess.new(['/bin/sh', '-c', command], flags)


def test_wait_check_resolves_with_true():
    proc = sh('true')
    assert GAsync.block_on(lambda: GAsync.subprocess_wait_check(proc)) is True


def test_wait_check_rejects_with_the_exit_status():
    proc = sh('false')
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(lambda: GAsync.subprocess_wait_check(proc))
    helpers.raises_gerror(info, (GLib.spawn_exit_error_quark(), 1))


def test_wait_resolves_whatever_the_status():
    proc = sh('exit 3')
    assert GAsync.block_on(lambda: GAsync.subprocess_wait(proc)) is True
    assert proc.get_exit_status() == 3


def test_communicate_utf8_gives_stdout_and_stderr():
    proc = sh('cat; echo err >&2', Gio.SubprocessFlags.STDIN_PIPE
              | Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_PIPE)
    output = GAsync.block_on(lambda: GAsync.subprocess_communicate_utf8(proc, 'héllo\n'))
    assert output.get_type_string() == '(msms)'
    assert output.unpack() == ('héllo\n', 'err\n')

    quiet = sh('echo out', Gio.SubprocessFlags.STDOUT_PIPE)
    assert GAsync.block_on(lambda: GAsync.subprocess_communicate_utf8(quiet, None)).unpack() \
        == ('out\n', None)


def test_cancel_mid_way_rejects_with_cancelled():
    proc = sh('exec sleep 1000')
    future = GAsync.subprocess_wait_check(proc)
    iterate_pending()
    assert future.get_state() == GAsync.FutureState.PENDING
    future.cancel()
    assert future.get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    # The process runs on until it is killed.
    assert proc.get_identifier() is not None
    proc.force_exit()
    proc.wait()
    assert not proc.get_if_exited()
