// D-Bus futures from GJS, on a private bus (skipped without dbus-daemon):
// a call, a service method answered from a future, a call cancelled
// mid-way.
import {
    test, run, assert, assertEquals, iterateUntil, Gio, GLib, GAsync
} from './harness.js';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

const XML = `
<node>
  <interface name="org.gasync.Test">
    <method name="Echo">
      <arg type="s" name="text" direction="in"/>
      <arg type="s" name="echo" direction="out"/>
    </method>
    <method name="Fail"/>
    <method name="Never"/>
  </interface>
</node>`;

const pending = [];
const service = {
    EchoAsync([text], invocation) {
        const reply = GAsync.Future.new_for_variant(new GLib.Variant('(s)', [`${text}!`]));
        GAsync.dbus_method_invocation_return_future(invocation, reply);
    },
    FailAsync(params, invocation) {
        GAsync.dbus_method_invocation_return_future(invocation,
            GAsync.Future.new_for_error_literal(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND,
                'no such thing'));
    },
    NeverAsync(params, invocation) {
        const promise = GAsync.Promise.new();
        pending.push(promise);
        GAsync.dbus_method_invocation_return_future(invocation, promise);
    },
};

// A private bus: dbus-daemon started here, not with Gio.TestDBus, whose
// watcher is a fork() of this process that hangs in SpiderMonkey's exit
// handlers (without the threads it forked from) and keeps the test's
// output open.
function startBus() {
    const daemon = Gio.Subprocess.new(['dbus-daemon', '--session', '--nofork', '--print-address'],
        Gio.SubprocessFlags.STDOUT_PIPE);
    const reader = Gio.DataInputStream.new(daemon.get_stdout_pipe());
    const [address] = reader.read_line_utf8(null);
    assert(address, 'dbus-daemon printed no address');
    return {daemon, address};
}

function withBus(body) {
    return async () => {
        if (GLib.find_program_in_path('dbus-daemon') === null) {
            print('# SKIP dbus-daemon is not installed (Debian package: dbus-daemon)');
            return;
        }
        const {daemon, address} = startBus();
        const flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION;
        const server = Gio.DBusConnection.new_for_address_sync(address, flags, null, null);
        const client = Gio.DBusConnection.new_for_address_sync(address, flags, null, null);
        const exported = Gio.DBusExportedObject.wrapJSObject(XML, service);
        exported.export(server, '/org/gasync/Test');
        try {
            await body(server, client);
        } finally {
            exported.unexport();
            client.close_sync(null);
            server.close_sync(null);
            iterateUntil(() => pending.every(p => p.get_state() !== GAsync.FutureState.PENDING));
            daemon.force_exit();
            daemon.wait(null);
        }
    };
}

function call(server, client, method, params = null, reply = '()') {
    return GAsync.dbus_connection_call(client, server.get_unique_name(), '/org/gasync/Test',
        'org.gasync.Test', method, params, new GLib.VariantType(reply),
        Gio.DBusCallFlags.NONE, -1);
}

test('call the bus GetId', withBus(async (server, client) => {
    const future = GAsync.dbus_connection_call(client, 'org.freedesktop.DBus', '/org/freedesktop/DBus',
        'org.freedesktop.DBus', 'GetId', null, new GLib.VariantType('(s)'),
        Gio.DBusCallFlags.NONE, -1);
    const [reply] = await future.wait_async(null);
    assertEquals(reply.deepUnpack()[0].length, 32);
}));

test('a method answered from a future', withBus(async (server, client) => {
    const future = call(server, client, 'Echo', new GLib.Variant('(s)', ['hi']), '(s)');
    const [reply] = await future.wait_async(null);
    assertEquals(reply.deepUnpack(), ['hi!']);
}));

test('a method answered with an error', withBus(async (server, client) => {
    const future = call(server, client, 'Fail');
    try {
        await future.wait_async(null);
        throw new Error('expected a rejection');
    } catch (e) {
        assert(e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND), `${e}`);
        assert(e.message.includes('no such thing'), e.message);
    }
}));

test('a call cancelled mid-way rejects with CANCELLED', withBus((server, client) => {
    const future = call(server, client, 'Never');
    iterateUntil(() => pending.length > 0);
    assertEquals(future.get_state(), GAsync.FutureState.PENDING);
    future.cancel();
    assert(future.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
}));

run();
