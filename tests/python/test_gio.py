# The GIO futures (files and streams) from Python, on real files in a
# temporary directory and on pipes.
import os

from gi.repository import GAsync, GLib, GObject, Gio
import pytest

import helpers


def gfile(path):
    return Gio.File.new_for_path(str(path))


def rejects(fn, *args, code):
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(fn, *args)
    helpers.raises_gerror(info, helpers.io_error(code))


def test_load_bytes_and_replace_contents(tmp_path):
    f = gfile(tmp_path / 'doc.txt')
    etag = GAsync.block_on(GAsync.file_replace_contents, f, GLib.Bytes.new(b'hello'),
                           None, False, Gio.FileCreateFlags.NONE)
    assert isinstance(etag, str) and etag
    assert GAsync.block_on(GAsync.file_load_bytes, f).get_data() == b'hello'
    rejects(GAsync.file_replace_contents, f, GLib.Bytes.new(b'x'), 'stale', False,
            Gio.FileCreateFlags.NONE, code=Gio.IOErrorEnum.WRONG_ETAG)
    rejects(GAsync.file_load_bytes, gfile(tmp_path / 'missing'), code=Gio.IOErrorEnum.NOT_FOUND)


def test_query_info(tmp_path):
    (tmp_path / 'five').write_bytes(b'12345')
    info = GAsync.block_on(GAsync.file_query_info, gfile(tmp_path / 'five'),
                           'standard::size', Gio.FileQueryInfoFlags.NONE)
    assert info.get_size() == 5
    rejects(GAsync.file_query_info, gfile(tmp_path / 'missing'), 'standard::size',
            Gio.FileQueryInfoFlags.NONE, code=Gio.IOErrorEnum.NOT_FOUND)


def test_directories_and_delete(tmp_path):
    assert GAsync.block_on(GAsync.file_make_directory, gfile(tmp_path / 'd')) is True
    rejects(GAsync.file_make_directory, gfile(tmp_path / 'd'), code=Gio.IOErrorEnum.EXISTS)
    assert GAsync.block_on(GAsync.file_make_directory_with_parents, gfile(tmp_path / 'a/b/c'))
    assert (tmp_path / 'a' / 'b' / 'c').is_dir()
    assert GAsync.block_on(GAsync.file_delete, gfile(tmp_path / 'a/b/c'))
    assert not (tmp_path / 'a' / 'b' / 'c').exists()
    rejects(GAsync.file_delete, gfile(tmp_path / 'a/b/c'), code=Gio.IOErrorEnum.NOT_FOUND)


def test_copy_with_progress_and_move(tmp_path):
    data = os.urandom(1 << 20)
    (tmp_path / 'src').write_bytes(data)
    tx, rx = GAsync.channel(GObject.TYPE_VARIANT)
    assert GAsync.block_on(GAsync.file_copy, gfile(tmp_path / 'src'), gfile(tmp_path / 'copy'),
                           Gio.FileCopyFlags.NONE, tx)
    reports = [item.unpack() for item in rx]  # the copy closed the sender
    assert reports and reports[-1] == (len(data), len(data))
    assert (tmp_path / 'copy').read_bytes() == data

    assert GAsync.block_on(GAsync.file_move, gfile(tmp_path / 'copy'), gfile(tmp_path / 'moved'),
                           Gio.FileCopyFlags.NONE, None)
    assert (tmp_path / 'moved').read_bytes() == data
    rejects(GAsync.file_move, gfile(tmp_path / 'copy'), gfile(tmp_path / 'x'),
            Gio.FileCopyFlags.NONE, None, code=Gio.IOErrorEnum.NOT_FOUND)


def test_enumerate_sends_every_child_once(tmp_path):
    for i in range(300):
        (tmp_path / ('f%03d' % i)).write_bytes(b'')
    # Each block_on on this thread iterates the same private context, the
    # one the listing was started on, so it advances while we receive.
    rx = GAsync.block_on(GAsync.file_enumerate, gfile(tmp_path), 'standard::name',
                         Gio.FileQueryInfoFlags.NONE)
    names = []
    while True:
        try:
            names.append(GAsync.block_on(rx.recv_future()).get_name())
        except GLib.Error as error:
            assert error.matches(*helpers.gasync_error(GAsync.Error.CLOSED))
            break
    assert sorted(names) == ['f%03d' % i for i in range(300)]
    rejects(GAsync.file_enumerate, gfile(tmp_path / 'missing'), 'standard::name',
            Gio.FileQueryInfoFlags.NONE, code=Gio.IOErrorEnum.NOT_FOUND)


def pipe_streams():
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    return Gio.UnixInputStream.new(r, True), Gio.UnixOutputStream.new(w, True)


def test_streams():
    source = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(b'0123456789'))
    assert GAsync.block_on(GAsync.input_stream_read_bytes, source, 4).get_data() == b'0123'
    assert GAsync.block_on(GAsync.input_stream_read_all, source).get_data() == b'456789'
    assert GAsync.block_on(GAsync.input_stream_close, source) is True

    sink = Gio.MemoryOutputStream.new_resizable()
    assert GAsync.block_on(GAsync.output_stream_write_all, sink, GLib.Bytes.new(b'abc')) == 3
    more = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(b'defg'))
    assert GAsync.block_on(GAsync.output_stream_splice, sink, more,
                           Gio.OutputStreamSpliceFlags.CLOSE_SOURCE) == 4
    assert GAsync.block_on(GAsync.output_stream_close, sink) is True
    assert sink.steal_as_bytes().get_data() == b'abcdefg'

    rejects(GAsync.input_stream_read_bytes, source, 1, code=Gio.IOErrorEnum.CLOSED)


def test_cancelling_a_pending_read_cancels_it():
    instream, outstream = pipe_streams()
    future = GAsync.input_stream_read_bytes(instream, 10)  # nobody writes
    future.cancel()
    assert future.get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    # The GIO read ends too (on the default context, where it started).
    helpers.iterate_until(lambda: not instream.has_pending())
    del outstream
