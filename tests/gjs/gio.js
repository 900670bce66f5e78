// The GIO futures (files and streams) from GJS, on real files in a
// temporary directory and on memory streams.
import GObject from 'gi://GObject';
import {
    test, run, assert, assertEquals, assertRejectsGError, Gio, GLib, GAsync
} from './harness.js';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const tmp = GLib.dir_make_tmp('gasync-gjs-gio-XXXXXX');

function file(name) {
    return Gio.File.new_for_path(GLib.build_filenamev([tmp, name]));
}

// Values arrive as [value] from wait_finish's out argument.
async function value(future) {
    const [v] = await future.wait_async(null);
    return v;
}

function bytes(text) {
    return new GLib.Bytes(encoder.encode(text));
}

function text(gbytes) {
    return decoder.decode(gbytes.toArray());
}

async function receiveAll(rx) {
    const items = [];
    for (;;) {
        try {
            items.push(await value(rx.recv_future()));
        } catch (e) {
            assert(e.matches(GAsync.error_quark(), GAsync.Error.CLOSED), `${e}`);
            return items;
        }
    }
}

test('replace_contents, load_bytes and query_info', async () => {
    const f = file('doc.txt');
    const etag = await value(GAsync.file_replace_contents(f, bytes('hello'), null, false,
        Gio.FileCreateFlags.NONE));
    assert(typeof etag === 'string' && etag.length > 0);
    assertEquals(text(await value(GAsync.file_load_bytes(f))), 'hello');
    const info = await value(GAsync.file_query_info(f, 'standard::size', Gio.FileQueryInfoFlags.NONE));
    assertEquals(info.get_size(), 5);
    await assertRejectsGError(GAsync.file_load_bytes(file('missing')).wait_async(null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
});

test('make_directory, make_directory_with_parents and delete', async () => {
    assertEquals(await value(GAsync.file_make_directory(file('d'))), true);
    await assertRejectsGError(GAsync.file_make_directory(file('d')).wait_async(null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.EXISTS);
    assertEquals(await value(GAsync.file_make_directory_with_parents(file('a/b/c'))), true);
    assertEquals(await value(GAsync.file_delete(file('a/b/c'))), true);
    assert(!file('a/b/c').query_exists(null));
});

test('copy reports progress through a channel, move moves', async () => {
    const data = new Uint8Array(1 << 20).fill(7);
    file('src').replace_contents(data, null, false, Gio.FileCreateFlags.NONE, null);
    const [tx, rx] = GAsync.channel_new(GObject.TYPE_VARIANT, 0);
    assertEquals(await value(GAsync.file_copy(file('src'), file('copy'), Gio.FileCopyFlags.NONE, tx)), true);
    const reports = (await receiveAll(rx)).map(v => v.deepUnpack());
    assert(reports.length > 0);
    assertEquals(reports[reports.length - 1], [1 << 20, 1 << 20]);
    assertEquals(await value(GAsync.file_move(file('copy'), file('moved'), Gio.FileCopyFlags.NONE, null)), true);
    assert(file('moved').query_exists(null) && !file('copy').query_exists(null));
});

test('enumerate sends every child once', async () => {
    const dir = file('many');
    dir.make_directory(null);
    for (let i = 0; i < 200; i++)
        dir.get_child(`f${i}`).replace_contents(encoder.encode('x'), null, false, Gio.FileCreateFlags.NONE, null);
    const rx = await value(GAsync.file_enumerate(dir, 'standard::name', Gio.FileQueryInfoFlags.NONE));
    const names = (await receiveAll(rx)).map(info => info.get_name());
    assertEquals(new Set(names).size, 200);
    assertEquals(names.length, 200);
});

test('streams: read, read all, write all, splice, close', async () => {
    const source = Gio.MemoryInputStream.new_from_bytes(bytes('0123456789'));
    assertEquals(text(await value(GAsync.input_stream_read_bytes(source, 4))), '0123');
    assertEquals(text(await value(GAsync.input_stream_read_all(source))), '456789');
    assertEquals(await value(GAsync.input_stream_close(source)), true);
    await assertRejectsGError(GAsync.input_stream_read_bytes(source, 1).wait_async(null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.CLOSED);

    const sink = Gio.MemoryOutputStream.new_resizable();
    assertEquals(await value(GAsync.output_stream_write_all(sink, bytes('abc'))), 3);
    const more = Gio.MemoryInputStream.new_from_bytes(bytes('defg'));
    assertEquals(await value(GAsync.output_stream_splice(sink, more,
        Gio.OutputStreamSpliceFlags.CLOSE_SOURCE)), 4);
    assertEquals(await value(GAsync.output_stream_close(sink)), true);
    assertEquals(text(sink.steal_as_bytes()), 'abcdefg');
});

test('cancelling a future cancels its GIO call', async () => {
    const future = GAsync.file_query_info(file('src'), 'standard::size', Gio.FileQueryInfoFlags.NONE);
    future.cancel();
    await assertRejectsGError(future.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

run();

// Leave nothing behind.
function removeTree(path) {
    const dir = Gio.File.new_for_path(path);
    const children = dir.enumerate_children('standard::name,standard::type', Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    for (let info; (info = children.next_file(null));) {
        const child = dir.get_child(info.get_name());
        if (info.get_file_type() === Gio.FileType.DIRECTORY)
            removeTree(child.get_path());
        else
            child.delete(null);
    }
    dir.delete(null);
}
removeTree(tmp);
