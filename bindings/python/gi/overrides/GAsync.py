# GAsync.py: PyGObject overrides for gasync (GAsync-1.0)
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pythonic gasync.

Loaded by PyGObject on ``from gi.repository import GAsync``. Everything in
the typelib stays available; this adds:

* ``GAsync.block_on(fn, *args, timeout=None, cancellable=None)``: *fn* may
  return a future or a plain value (which is wrapped), may take the
  ``GCancellable`` (see "Calling your functions" below), and a Python
  exception it raises comes out of ``block_on`` unchanged.
* ``await future`` on any asyncio event loop, ``future.result()``,
  ``GAsync.wrap_future(future)``.
* ``GAsync.spawn``, ``GAsync.spawn_local``, ``GAsync.spawn_blocking`` and
  the ``Runtime`` methods with the same calling convention; a runtime is a
  context manager that shuts it down.
* ``GAsync.channel(item_type=object, capacity=0)`` → ``(sender, receiver)``;
  ``for item in receiver``, ``async for item in receiver``, senders and
  receivers as context managers that close them, items as Python values.
* ``async with limiter:`` holds a ``GAsync.Limiter`` permit for the block;
  ``limiter.run(fn, *args)`` with ``spawn``'s calling convention.
* ``GAsync.join(*futures)``, ``GAsync.gio_future(obj.foo_async, ...)``,
  ``promise.gio_callback`` (a ready-made ``GAsyncReadyCallback``), promises
  resolved with any Python value.

Values
    A Python value becomes a GValue of the matching GLib type (bool,
    int — 32-bit ``int``, else ``gint64``/``guint64`` —, float, str,
    GObject, GLib.Variant; ``None`` is a ``G_TYPE_POINTER`` NULL, gasync's
    "no value"); anything else travels as a ``GObject.TYPE_PYOBJECT``.
    Values come back as Python values.

Calling your functions
    Functions given to ``block_on``, ``spawn``… are called with the extra
    positional arguments given. They receive the ``GCancellable`` of the
    work as the keyword ``cancellable=`` if they have a parameter of that
    name, or as their first positional argument if they need exactly one
    more positional argument than was given (the C shape,
    ``fn(cancellable, user_data)``, so code written against the plain
    typelib keeps working).

Threads
    gasync runs continuations on the ``GMainContext`` they were registered
    from, never on its worker threads (the DESIGN contract). ``await``
    keeps that contract without a GLib main loop: a single helper thread
    owned by this module iterates a private ``GMainContext`` and registers
    every wait from it, so the continuation runs there, on a Python thread
    of ours; it only converts the value and hands it to the awaiting event
    loop with ``loop.call_soon_threadsafe``. No Python code runs on a
    gasync worker thread unless you spawn it there yourself.
"""

import asyncio
import inspect
import threading

from gi.repository import GLib, GObject, Gio

from ..module import get_introspection_module
from ..overrides import override

GAsync = get_introspection_module('GAsync')

__all__ = []


# Values ---------------------------------------------------------------

class _Int64(int):
    __gtype__ = GObject.TYPE_INT64


class _UInt64(int):
    __gtype__ = GObject.TYPE_UINT64


class _BigInt(int):
    __gtype__ = GObject.TYPE_PYOBJECT


def _to_gvalue(value):
    """Returns what PyGObject turns into the GValue gasync should hold.

    PyGObject converts a Python value given for a ``GValue`` argument by its
    Python type, ``int`` always to ``gint``; larger integers go through
    ``int`` subclasses that name their GType (PyGObject honours a
    ``__gtype__`` attribute). The result is also safe to return from a
    callback's out ``GValue`` (a ``GObject.Value`` is not, on 3.42).
    """
    if isinstance(value, GObject.Value):
        return _to_gvalue(value.get_value())
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    if -2 ** 31 <= value < 2 ** 31:
        return int(value)
    if -2 ** 63 <= value < 2 ** 63:
        return _Int64(value)
    if 0 <= value < 2 ** 64:
        return _UInt64(value)
    return _BigInt(value)


def _value_arg(value):
    """_to_gvalue() for an in ``GValue`` argument, where None is refused."""
    if value is None:
        return GObject.Value(GObject.TYPE_POINTER, None)
    if isinstance(value, GObject.Value):
        return value
    return _to_gvalue(value)


def _is_error(error, domain, code):
    return isinstance(error, GLib.Error) and error.matches(domain, code)


def _gerror(exc):
    """A GLib.Error for a Python exception (a GLib.Error is kept)."""
    if isinstance(exc, GLib.Error):
        return exc
    return GLib.Error('%s: %s' % (type(exc).__name__, exc),
                      GLib.quark_to_string(GAsync.error_quark()),
                      GAsync.Error.FAILED)


def _rejected(exc):
    return GAsync.Future.new_for_error(_gerror(exc))


def _as_future(result):
    """The future a user function's result stands for."""
    if isinstance(result, GAsync.Future):
        return result
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError('a gasync function returned an awaitable; drive '
                        'coroutines with asyncio.run() and await gasync '
                        'futures from them instead')
    return GAsync.Future.new_resolved(_value_arg(result))


def _msec(timeout):
    """Seconds (float, Python's convention) to gasync's milliseconds."""
    if timeout is None:
        return 0
    if timeout < 0:
        raise ValueError('timeout must not be negative')
    return max(1, int(round(timeout * 1000)))


# Calling user functions ------------------------------------------------

_KEYWORD, _C_STYLE, _PLAIN = range(3)


def _call_mode(fn, n_args):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return _PLAIN
    params = list(sig.parameters.values())
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return _PLAIN
    positional = [p for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    c_shaped = len(required) == n_args + 1
    named = sig.parameters.get('cancellable')
    if named is not None and named.kind != named.VAR_KEYWORD:
        if c_shaped and positional and positional[0] is named:
            return _C_STYLE
        if named.kind in (named.POSITIONAL_OR_KEYWORD, named.KEYWORD_ONLY):
            return _KEYWORD
    return _C_STYLE if c_shaped else _PLAIN


def _invoke(fn, args, cancellable, mode=None):
    if mode is None:
        mode = _call_mode(fn, len(args))
    if mode == _KEYWORD:
        return fn(*args, cancellable=cancellable)
    if mode == _C_STYLE:
        return fn(cancellable, *args)
    return fn(*args)


def _async_func(fn, args, failures=None):
    """A GAsyncFunc (cancellable, user_data) running fn; errors reject."""
    if not callable(fn):
        raise TypeError('%r is not callable' % (fn,))
    mode = _call_mode(fn, len(args))

    def start(cancellable, *_user_data):
        try:
            return _as_future(_invoke(fn, args, cancellable, mode))
        except BaseException as exc:  # noqa: B902 - reported, not swallowed
            if failures is not None:
                failures.append(exc)
            return _rejected(exc)
    return start


def _thread_func(fn, args):
    """A GAsyncThreadFunc (cancellable, user_data) → (ok, value) running fn.

    A raised GLib.Error is reported as the task's error by PyGObject; any
    other exception becomes a GASYNC_ERROR_FAILED error naming it.
    """
    if not callable(fn):
        raise TypeError('%r is not callable' % (fn,))
    mode = _call_mode(fn, len(args))
    # The plain typelib's shape returns (True, value): keep it working.
    c_shaped = mode == _C_STYLE and len(args) > 0

    def run(cancellable, *_user_data):
        try:
            result = _invoke(fn, args, cancellable, mode)
        except GLib.Error:
            raise
        except BaseException as exc:  # noqa: B902
            raise _gerror(exc) from exc
        if (c_shaped and isinstance(result, tuple) and len(result) == 2
                and result[0] is True):
            result = result[1]
        return True, _to_gvalue(result)
    return run


# The asyncio bridge ----------------------------------------------------

class _Bridge:
    """A Python thread iterating a private GMainContext.

    Waits for asyncio are registered from this thread, with its context
    thread-default, so gasync runs their callbacks here (never on a
    worker that happened to settle the future), and the callback passes
    the outcome to the awaiting loop with call_soon_threadsafe().
    """

    _instance = None
    _lock = threading.Lock()

    def __init__(self):
        self.context = GLib.MainContext.new()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,),
                                       name='gasync-asyncio', daemon=True)
        self.thread.start()
        ready.wait()

    def _run(self, ready):
        self.context.push_thread_default()
        ready.set()
        while True:
            self.context.iteration(True)

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def call(self, func, *args):
        """Runs func(*args) on the bridge thread, from its context."""
        def once(*_data):
            func(*args)
            return GLib.SOURCE_REMOVE
        self.context.invoke_full(GLib.PRIORITY_DEFAULT, once)


def _settle(afut, value, error):
    if afut.done():
        return
    if error is not None:
        afut.set_exception(error)
    else:
        afut.set_result(value)


def _outcome(future):
    """(value, error) of a settled future."""
    try:
        return future.get_value(), None
    except GLib.Error as error:
        return None, error


def wrap_future(future, *, loop=None):
    """Returns an asyncio.Future that settles like *future*.

    Works on any running event loop, with or without a GLib main loop
    (see "Threads" in the module documentation). Cancelling the asyncio
    future cancels *future* (``GAsync.Future.cancel``), as
    ``asyncio.wrap_future`` does for ``concurrent.futures``; use
    ``asyncio.shield`` for a future others wait for too.
    """
    if not isinstance(future, GAsync.Future):
        raise TypeError('expected a GAsync.Future, got %r' % (future,))
    if loop is None:
        loop = asyncio.get_running_loop()
    afut = loop.create_future()

    if future.get_state() != GAsync.FutureState.PENDING:
        _settle(afut, *_outcome(future))
        return afut

    def deliver(value, error):
        try:
            loop.call_soon_threadsafe(_settle, afut, value, error)
        except RuntimeError:
            pass   # the loop was closed meanwhile: nobody is waiting

    def on_ready(source, result, *_user_data):
        # On the bridge thread, from the bridge's context.
        try:
            value, error = source.wait_finish(result), None
        except GLib.Error as e:
            value, error = None, e
        deliver(value, error)

    def register():
        # On the bridge thread: the callback belongs to its context. The
        # wait holds a reference on the future until it has run.
        future.wait_async(None, on_ready)

    def on_done(f):
        if f.cancelled():
            future.cancel()

    afut.add_done_callback(on_done)
    _Bridge.get().call(register)
    return afut


__all__.append('wrap_future')


# Futures and promises --------------------------------------------------

def _continuation(callback):
    def run(completed, *user_data):
        try:
            result = callback(completed, *user_data)
        except BaseException as exc:  # noqa: B902
            return _rejected(exc)
        return None if result is None else _as_future(result)
    return run


class Future(GAsync.Future):
    """A GAsyncFuture; awaitable from asyncio."""

    def __await__(self):
        return wrap_future(self).__await__()

    def __repr__(self):
        state = self.get_state()
        if state == GAsync.FutureState.RESOLVED:
            detail = 'resolved %r' % (self.get_value(),)
        elif state == GAsync.FutureState.REJECTED:
            detail = 'rejected %r' % (self.get_error().message,)
        else:
            detail = 'pending'
        return '<GAsync.%s %s at 0x%x>' % (type(self).__name__, detail, id(self))

    @classmethod
    def new_resolved(cls, value):
        """A future already resolved with *value* (any Python value)."""
        return super(Future, cls).new_resolved(_value_arg(value))

    @classmethod
    def new_rejected(cls, error):
        """A future already rejected with *error* (a GLib.Error, or any
        exception, which becomes GASYNC_ERROR_FAILED)."""
        return GAsync.Future.new_for_error(_gerror(error))

    def result(self, timeout=None, cancellable=None):
        """Blocks this thread until the future settles and returns its value
        (raises its error), without iterating any main context. *timeout*
        is in seconds: after it, GASYNC_ERROR_TIMED_OUT is raised and the
        future is cancelled so that its producer stops, as
        ``asyncio.wait_for`` does (``with_timeout().wait()``)."""
        if timeout is None:
            return self.wait(cancellable)
        return self.with_timeout(_msec(timeout)).wait(cancellable)

    def and_then(self, callback, *user_data):
        """As in C; *callback* may also return a plain value."""
        return super().and_then(_continuation(callback), *user_data)

    def or_else(self, callback, *user_data):
        """As in C; *callback* may also return a plain value."""
        return super().or_else(_continuation(callback), *user_data)

    def on_settled(self, callback, *user_data):
        """As in C; *callback* may also return a plain value."""
        return super().on_settled(_continuation(callback), *user_data)


Future = override(Future)
__all__.append('Future')


class Promise(GAsync.Promise):
    """A GAsyncPromise, settled with Python values."""

    def resolve(self, value):
        """Resolves with *value*, any Python value (see Values)."""
        super().resolve(_value_arg(value))

    def reject(self, error):
        """Rejects with *error*: a GLib.Error, or any exception (which
        becomes GASYNC_ERROR_FAILED naming it)."""
        super().reject(_gerror(error))

    def gio_callback(self, source_object, result, *user_data):
        """A GAsyncReadyCallback that resolves this promise with *result*,
        as gasync_promise_gio_callback() does in C::

            gfile.load_contents_async(cancellable, promise.gio_callback)
        """
        self.resolve_object(result)


Promise = override(Promise)
__all__.append('Promise')


def gio_future(async_method, *args, cancellable=None, finish=None):
    """Starts a GIO ``_async`` call and returns a future of its ``_finish``.

    ``gio_future(gfile.load_contents_async, cancellable=c)`` calls
    ``gfile.load_contents_async(cancellable=c, callback=...)``; the callback
    calls ``load_contents_finish()`` on its source object (or *finish*, which
    functions without a source object need) on the caller's context
    and resolves the future with what it returned, a leading ``True``
    dropped as GJS's ``Gio._promisify`` does (so ``(True, data, etag)``
    gives ``(data, etag)``, and ``(True, x)`` gives ``x``), or rejects it
    with the error it raised.
    """
    name = getattr(async_method, '__name__', '')
    if finish is None and not name.endswith('_async'):
        raise TypeError('pass finish= for %r' % (async_method,))
    promise = GAsync.Promise()

    def ready(source, result, *_user_data):
        try:
            if finish is not None:
                value = finish(result)
            elif source is None:
                raise TypeError('%s has no source object: pass finish=' % name)
            else:
                value = getattr(source, name[:-len('_async')] + '_finish')(result)
        except BaseException as exc:  # noqa: B902
            promise.reject(exc)
            return
        if isinstance(value, tuple) and len(value) > 1 and value[0] is True:
            value = value[1:] if len(value) > 2 else value[1]
        promise.resolve(value)

    async_method(*args, cancellable=cancellable, callback=ready)
    return promise


__all__.append('gio_future')


# block_on ---------------------------------------------------------------

def _raw_block_on_args(fn, args):
    """Whether args are the plain typelib's (user_data, timeout_msec,
    cancellable) for a C-shaped fn(cancellable, user_data)."""
    return (len(args) == 3 and isinstance(args[1], int)
            and not isinstance(args[1], bool)
            and (args[2] is None or isinstance(args[2], Gio.Cancellable))
            and callable(fn) and _call_mode(fn, 1) == _C_STYLE)


def block_on(fn, *args, timeout=None, cancellable=None):
    """Runs asynchronous work to completion and returns its value.

    *fn* (called as described under "Calling your functions") runs with a
    private GMainContext pushed as thread-default, so GIO calls it starts
    complete there; only that context is iterated until the future it
    returned settles. It may return a GAsync.Future or a plain value. *fn*
    may also be a future, which is then waited for.

    Raises the future's error as GLib.Error, or the exception *fn* raised.
    *timeout* is in seconds (GASYNC_ERROR_TIMED_OUT after it; the work's
    cancellable and the future *fn* returned are cancelled, and what the
    work leaves queued on the private context runs at the next block_on,
    at GAsync.block_on_drain() or when the thread exits).
    """
    if isinstance(fn, GAsync.Future):
        if args:
            raise TypeError('block_on(future) takes no arguments')
        future, fn = fn, (lambda: future)
    if _raw_block_on_args(fn, args):
        args, timeout_msec, cancellable = args[:1], args[1], args[2]
    else:
        timeout_msec = _msec(timeout)
    failures = []
    start = _async_func(fn, args, failures)
    try:
        return GAsync.block_on(start, None, timeout_msec, cancellable)
    except GLib.Error:
        if failures:
            raise failures[0] from None
        raise


__all__.append('block_on')


# Spawning -----------------------------------------------------------------

class Runtime(GAsync.Runtime):
    """A GAsyncRuntime. ``with GAsync.Runtime.new(2) as rt:`` shuts it
    down (draining its tasks) when the block ends."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.shutdown(None)
        return False

    def spawn(self, fn, *args):
        """Runs fn(*args) on one of the runtime's async workers (Python code
        then runs on that worker, holding the GIL) and returns the task's
        handle. *fn* may return a future or a plain value."""
        return super().spawn(_async_func(fn, args), None)

    def spawn_blocking(self, fn, *args):
        """Runs fn(*args) on the runtime's blocking pool and returns the
        task's handle, which resolves with what *fn* returned."""
        return super().spawn_blocking(_thread_func(fn, args), None)


Runtime = override(Runtime)
__all__.append('Runtime')


def spawn(fn, *args):
    """Runtime.spawn() on the default runtime."""
    return GAsync.spawn(_async_func(fn, args), None)


def spawn_blocking(fn, *args):
    """Runtime.spawn_blocking() on the default runtime."""
    return GAsync.spawn_blocking(_thread_func(fn, args), None)


def spawn_local(context, fn, *args):
    """Runs fn(*args) on *context* (None: the global default context) in a
    later iteration of it, and returns the task's handle."""
    if context is not None and not isinstance(context, GLib.MainContext):
        raise TypeError('spawn_local(context, fn, *args): pass the '
                        'GLib.MainContext (or None) first')
    return GAsync.spawn_local(context, _async_func(fn, args), None)


def join(*futures):
    """gasync_join(): a future that resolves, once every one of *futures*
    has settled, with the list (a Gio.ListModel) of them. It does not keep
    them alive: whatever settles them does."""
    return GAsync.Future.all_settled(list(futures))


__all__ += ['spawn', 'spawn_blocking', 'spawn_local', 'join']


# Limiter ------------------------------------------------------------------

class Limiter(GAsync.Limiter):
    """A GAsyncLimiter: at most ``permits`` holders at once.

    ``async with limiter:`` awaits a permit on entry (on any asyncio event
    loop, as ``await future`` does) and releases it on exit, also when the
    block raises. A task cancelled while it waits gives its place up; if
    the permit arrived at that very moment it is released again, never
    kept. ``GAsync.Limiter.new(4)`` or ``GAsync.Limiter(permits=4)``.
    """

    async def __aenter__(self):
        future = self.acquire()
        try:
            await future
        except BaseException:
            # Settle the race with a permit handed over meanwhile: after
            # cancel() the acquire is either rejected (place given up) or
            # resolved (the permit is ours, and goes back).
            future.cancel()
            if future.get_state() == GAsync.FutureState.RESOLVED:
                self.release()
            raise
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.release()
        return False

    def run(self, fn, *args):
        """Calls fn(*args) once a permit is free and releases the permit
        when what it returned settles; returns a future that settles the
        same way. *fn* follows ``GAsync.spawn``'s calling convention (it
        may take the ``GCancellable``, return a future or a plain value)
        and runs on the GLib main context that is thread-default now, which
        must be iterated (a GLib main loop, or ``GAsync.block_on``)."""
        return super().run(_async_func(fn, args), None)


Limiter = override(Limiter)
__all__.append('Limiter')


# Channels -----------------------------------------------------------------

def _send_value(sender, item):
    return GObject.Value(sender.get_item_type(), item)


def _wait_bounded(future, timeout, cancellable):
    """Waits for a send or receive *future* as the blocking call would, for
    at most *timeout* seconds: gasync_future_with_timeout() cancels it when
    time is up (as *cancellable* does), which withdraws it. An item that
    moved just before is in *future* itself, which then decides."""
    bounded = future.with_timeout(_msec(timeout))
    try:
        return bounded.wait(cancellable)
    except GLib.Error as e:
        error = e
    future.cancel()
    try:
        return future.wait(None)
    except GLib.Error:
        raise error from None


def channel(item_type=object, capacity=0):
    """Makes a channel and returns ``(sender, receiver)``.

    *item_type* is a GType or a Python type (``object``, the default,
    carries any Python value; ``int`` is ``gint``, ``str``, ``float``,
    ``bool``, or a GObject class). *capacity* 0 is unbounded.
    """
    return GAsync.channel_new(item_type, capacity)


__all__.append('channel')


class Sender(GAsync.Sender):
    """A GAsyncSender taking Python values. ``with sender:`` closes it."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def send(self, item, cancellable=None, timeout=None):
        """Sends *item*, blocking while the channel is full (at most
        *timeout* seconds, then GASYNC_ERROR_TIMED_OUT and the item is not
        queued); GASYNC_ERROR_CLOSED once the receiver is gone. It blocks,
        so on an async runtime worker (a function given to spawn()) it
        always fails with GASYNC_ERROR_WOULD_DEADLOCK: use send_future()
        or try_send() there."""
        if timeout is not None:
            _wait_bounded(self.send_future(item), timeout, cancellable)
        else:
            super().send(_send_value(self, item), cancellable)

    def try_send(self, item):
        """Sends *item* if there is room, else GASYNC_ERROR_FULL."""
        super().try_send(_send_value(self, item))

    def send_future(self, item):
        """A future that resolves once *item* is queued (awaitable)."""
        return super().send_future(_send_value(self, item))

    def send_async(self, item, cancellable, callback, *user_data):
        super().send_async(_send_value(self, item), cancellable, callback,
                           *user_data)


Sender = override(Sender)
__all__.append('Sender')


class Receiver(GAsync.Receiver):
    """A GAsyncReceiver: ``for item in receiver`` blocks for each item,
    ``async for item in receiver`` awaits each; both end once every sender
    is closed and every item was received. ``with receiver:`` closes it."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def recv(self, cancellable=None, timeout=None):
        """Receives the next item, blocking (at most *timeout* seconds, then
        GASYNC_ERROR_TIMED_OUT and no item is taken). It blocks, so on an
        async runtime worker it always fails with
        GASYNC_ERROR_WOULD_DEADLOCK: use recv_future() or try_recv() there."""
        if timeout is not None:
            return _wait_bounded(self.recv_future(), timeout, cancellable)
        return super().recv(cancellable)

    def attach(self, context, func, *user_data):
        """Calls func(receiver, item, *user_data) for each item on the thread
        iterating *context* (None: the thread-default one), and one last
        time with item None once every sender is closed. *func* returning
        None keeps receiving (as True does); False detaches."""
        def handler(receiver, item, *data):
            result = func(receiver, item, *data)
            return GLib.SOURCE_CONTINUE if result is None else bool(result)
        return super().attach(context, handler, *user_data)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self.recv()
        except GLib.Error as e:
            if _is_error(e, GAsync.error_quark(), GAsync.Error.CLOSED):
                raise StopIteration from None
            raise

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.recv_future()
        except GLib.Error as e:
            if _is_error(e, GAsync.error_quark(), GAsync.Error.CLOSED):
                raise StopAsyncIteration from None
            raise


Receiver = override(Receiver)
__all__.append('Receiver')


# Task groups --------------------------------------------------------------

class TaskGroup(GAsync.TaskGroup):
    """A GAsyncTaskGroup: futures that belong together.

    ``async with GAsync.TaskGroup() as group:`` works as
    ``asyncio.TaskGroup``: leaving the block awaits ``group.wait()``, so
    it ends once every member has settled, and if one was rejected the
    others are cancelled and its error is raised (a ``GLib.Error``). An
    exception raised inside the block cancels the members, waits for them
    to settle and propagates. ``with group:`` does the same from plain
    synchronous code, blocking. ``async for member in group`` awaits
    ``next()`` until the group is closed and empty.

    ``GAsync.TaskGroup()`` spawns on the default runtime,
    ``GAsync.TaskGroup(runtime=rt)`` or ``GAsync.TaskGroup.new(rt)`` on *rt*.
    """

    def spawn(self, fn, *args):
        """Runs fn(*args) on a worker of the group's runtime, as
        ``GAsync.spawn`` does, and returns the member future; its
        ``result()`` gives the value once the group's block has ended.
        *fn* may return a future or a plain value."""
        return super().spawn(_async_func(fn, args), None)

    def spawn_blocking(self, fn, *args):
        """Runs fn(*args) on the blocking pool of the group's runtime, as
        ``GAsync.spawn_blocking`` does, and returns the member future."""
        return super().spawn_blocking(_thread_func(fn, args), None)

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        if exc is None:
            await self.wait()
            return False
        self.cancel()
        try:
            await self.wait()
        except GLib.Error:
            pass   # the members' cancellation, or their own errors
        return False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.wait().result()
            return False
        self.cancel()
        try:
            self.wait().result()
        except GLib.Error:
            pass
        return False

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.next()
        except GLib.Error as e:
            if _is_error(e, GAsync.error_quark(), GAsync.Error.CLOSED):
                raise StopAsyncIteration from None
            raise


TaskGroup = override(TaskGroup)
__all__.append('TaskGroup')
