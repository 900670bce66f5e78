// Resolver and socket futures from GJS, on loopback only.
import {
    test, run, assert, assertEquals, Gio, GLib, GAsync
} from './harness.js';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

// Runs what is ready on the default context, without blocking.
function iteratePending() {
    while (GLib.MainContext.default().iteration(false))
        ;
}

function listenOnLoopback(listener) {
    const wanted = Gio.InetSocketAddress.new(Gio.InetAddress.new_loopback(Gio.SocketFamily.IPV4), 0);
    const [ok, bound] = listener.add_address(wanted, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP, null);
    assert(ok);
    return bound.get_port();
}

function sendLine(sender, receiver, line) {
    sender.get_output_stream().write_all(new TextEncoder().encode(`${line}\n`), null);
    const reader = Gio.DataInputStream.new(receiver.get_input_stream());
    reader.set_close_base_stream(false);
    const [got] = reader.read_line_utf8(null);
    return got;
}

test('lookup of localhost gives a list of addresses', async () => {
    for (const resolver of [null, Gio.Resolver.get_default()]) {
        const [addresses] = await GAsync.resolver_lookup_by_name(resolver, 'localhost').wait_async(null);
        assert(addresses instanceof Gio.ListModel);
        const texts = [];
        for (let i = 0; i < addresses.get_n_items(); i++)
            texts.push(addresses.get_item(i).to_string());
        assert(texts.includes('127.0.0.1') || texts.includes('::1'), texts.join());
    }
});

test('connect and accept exchange lines', async () => {
    const listener = Gio.SocketListener.new();
    const port = listenOnLoopback(listener);
    const accept = GAsync.socket_listener_accept(listener);
    const connect = GAsync.socket_client_connect_to_host(null, `127.0.0.1:${port}`, 0);
    const [serverEnd] = await accept.wait_async(null);
    const [clientEnd] = await connect.wait_async(null);
    assert(clientEnd instanceof Gio.SocketConnection);
    assertEquals(sendLine(clientEnd, serverEnd, 'ping'), 'ping');
    assertEquals(sendLine(serverEnd, clientEnd, 'pong'), 'pong');
    listener.close();
});

test('connect cancelled before completion rejects with CANCELLED', () => {
    const listener = Gio.SocketListener.new();
    const port = listenOnLoopback(listener);
    // Nothing iterates the context between the call and the cancel, so the
    // connection cannot have completed: the cancel wins.
    const connect = GAsync.socket_client_connect_to_host(Gio.SocketClient.new(), '127.0.0.1', port);
    connect.cancel();
    assert(connect.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
    listener.close();
});

test('accept cancelled mid-way rejects with CANCELLED', () => {
    const listener = Gio.SocketListener.new();
    listenOnLoopback(listener);
    const accept = GAsync.socket_listener_accept(listener);
    iteratePending();
    assertEquals(accept.get_state(), GAsync.FutureState.PENDING);
    accept.cancel();
    assert(accept.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
    listener.close();
});

run();
