# D-Bus futures from Python, on a private bus (skipped without dbus-daemon):
# a call, a service method answered from a future, a call cancelled
# mid-way.
from gi.repository import GAsync, GLib, Gio
import pytest

import helpers

XML = '''
<node>
  <interface name="org.gasync.Test">
    <method name="Echo">
      <arg type="s" name="text" direction="in"/>
      <arg type="s" name="echo" direction="out"/>
    </method>
    <method name="Fail"/>
    <method name="Never"/>
  </interface>
</node>
'''


@pytest.fixture
def bus():
    if GLib.find_program_in_path('dbus-daemon') is None:
        pytest.skip('dbus-daemon is not installed (Debian package: dbus-daemon)')
    test_bus = Gio.TestDBus.new(Gio.TestDBusFlags.NONE)
    test_bus.up()
    flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
             | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
    service = Gio.DBusConnection.new_for_address_sync(test_bus.get_bus_address(), flags, None, None)
    client = Gio.DBusConnection.new_for_address_sync(test_bus.get_bus_address(), flags, None, None)
    pending = []

    def on_call(connection, sender, path, interface, method, params, invocation):
        if method == 'Echo':
            future = GAsync.Future.new_for_variant(GLib.Variant('(s)', (params.unpack()[0] + '!',)))
        elif method == 'Fail':
            future = GAsync.Future.new_for_error_literal(
                Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'no such thing')
        else:
            future = GAsync.Promise.new()
            pending.append(future)
        GAsync.dbus_method_invocation_return_future(invocation, future)

    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
    registration = service.register_object('/org/gasync/Test', info, on_call, None, None)
    yield service, client, pending
    service.unregister_object(registration)
    client.close_sync(None)
    service.close_sync(None)
    helpers.iterate_until(lambda: all(p.get_state() != GAsync.FutureState.PENDING for p in pending))
    test_bus.down()


def call(service, client, method, params=None, reply='()'):
    return GAsync.dbus_connection_call(client, service.get_unique_name(), '/org/gasync/Test',
                                       'org.gasync.Test', method, params,
                                       GLib.VariantType.new(reply), Gio.DBusCallFlags.NONE, -1)


def test_call_the_bus(bus):
    _service, client, _pending = bus
    future = GAsync.dbus_connection_call(client, 'org.freedesktop.DBus', '/org/freedesktop/DBus',
                                         'org.freedesktop.DBus', 'GetId', None,
                                         GLib.VariantType.new('(s)'), Gio.DBusCallFlags.NONE, -1)
    helpers.settle(future)
    (bus_id,) = future.dup_variant().unpack()
    assert len(bus_id) == 32


def test_method_answered_from_a_future(bus):
    service, client, _pending = bus
    future = call(service, client, 'Echo', GLib.Variant('(s)', ('hi',)), '(s)')
    helpers.settle(future)
    assert future.dup_variant().unpack() == ('hi!',)


def test_method_answered_with_an_error(bus):
    service, client, _pending = bus
    future = call(service, client, 'Fail')
    helpers.settle(future)
    error = future.get_error()
    assert error.matches(*helpers.io_error(Gio.IOErrorEnum.NOT_FOUND))
    assert 'no such thing' in error.message


def test_call_cancelled_mid_way(bus):
    service, client, pending = bus
    future = call(service, client, 'Never')
    helpers.iterate_until(lambda: pending)
    assert future.get_state() == GAsync.FutureState.PENDING
    future.cancel()
    assert future.get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))
