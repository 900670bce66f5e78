# Resolver and socket futures from Python, on loopback only.
from gi.repository import GAsync, GLib, Gio

import helpers


def iterate_pending():
    """Runs what is ready on the default context, without blocking."""
    while GLib.MainContext.default().iteration(False):
        pass


def listen_on_loopback(listener):
    wanted = Gio.InetSocketAddress.new(Gio.InetAddress.new_loopback(Gio.SocketFamily.IPV4), 0)
    ok, bound = listener.add_address(wanted, Gio.SocketType.STREAM, Gio.SocketProtocol.TCP, None)
    assert ok
    return bound.get_port()


def send_line(sender, receiver, line):
    sender.get_output_stream().write_all((line + '\n').encode(), None)
    reader = Gio.DataInputStream.new(receiver.get_input_stream())
    reader.set_close_base_stream(False)
    got, _length = reader.read_line_utf8(None)
    return got


def test_lookup_localhost_gives_a_list_of_addresses():
    for resolver in (None, Gio.Resolver.get_default()):
        addresses = GAsync.block_on(lambda: GAsync.resolver_lookup_by_name(resolver, 'localhost'))
        assert isinstance(addresses, Gio.ListModel)
        assert addresses.get_item_type() == Gio.InetAddress.__gtype__
        texts = [a.to_string() for a in addresses]
        assert '127.0.0.1' in texts or '::1' in texts


def test_connect_and_accept_exchange_lines():
    listener = Gio.SocketListener.new()
    port = listen_on_loopback(listener)
    accept = GAsync.socket_listener_accept(listener)
    connect = GAsync.socket_client_connect_to_host(None, '127.0.0.1:%d' % port, 0)
    helpers.settle(accept)
    helpers.settle(connect)
    server_end, client_end = accept.get_value(), connect.get_value()
    assert isinstance(client_end, Gio.SocketConnection)
    assert send_line(client_end, server_end, 'ping') == 'ping'
    assert send_line(server_end, client_end, 'pong') == 'pong'
    listener.close()


def test_connect_cancelled_before_completion():
    listener = Gio.SocketListener.new()
    port = listen_on_loopback(listener)
    # Nothing iterates the context between the call and the cancel, so the
    # connection cannot have completed: the cancel wins.
    connect = GAsync.socket_client_connect_to_host(Gio.SocketClient.new(), '127.0.0.1', port)
    connect.cancel()
    assert connect.get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    listener.close()


def test_accept_cancelled_mid_way():
    listener = Gio.SocketListener.new()
    listen_on_loopback(listener)
    accept = GAsync.socket_listener_accept(listener)
    iterate_pending()
    assert accept.get_state() == GAsync.FutureState.PENDING
    accept.cancel()
    assert accept.get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    listener.close()
    iterate_pending()   # GIO's cancelled accept calls back
