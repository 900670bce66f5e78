# Shared helpers for the Python binding tests.
import time

from gi.repository import GAsync, GLib, Gio


# Generous: these bound waits that must succeed, and a loaded machine only
# makes them slower (a hang still fails, and meson's timeout is longer).
def iterate_until(condition, timeout=30.0, context=None):
    """Iterates context (the thread-default one) until condition() holds."""
    context = context or GLib.MainContext.ref_thread_default()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %r' % (condition,))
        context.iteration(False) or time.sleep(0.001)


def settle(future, timeout=30.0):
    """Iterates the thread-default context until future has settled."""
    iterate_until(lambda: future.get_state() != GAsync.FutureState.PENDING, timeout)
    return future


def gasync_error(code):
    return (GAsync.error_quark(), code)


def io_error(code):
    return (Gio.io_error_quark(), code)


def raises_gerror(excinfo, domain_code):
    domain, code = domain_code
    assert isinstance(excinfo.value, GLib.Error), excinfo.value
    assert excinfo.value.matches(domain, code), (excinfo.value.domain, excinfo.value.code,
                                                 excinfo.value.message)
    return excinfo.value


def held(future):
    """Returns future after giving it a C-side owner (a Gio.ListStore), as
    the work that would settle it would hold: a pending future whose last
    reference goes (a Python wrapper collected) is rejected with DROPPED."""
    store = Gio.ListStore.new(GAsync.Future)
    store.append(future)
    _keep.append(store)
    return future


_keep = []
