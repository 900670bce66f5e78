# pytest set-up for the Python binding tests.
#
# - Makes the uninstalled override (bindings/python/gi/overrides/GAsync.py)
#   visible when pytest is run by hand; meson already puts its directory on
#   PYTHONPATH. PyGObject looks for overrides in every gi/overrides
#   directory on sys.path when gi.overrides is first imported, so this must
#   happen before anything imports gi.
# - With GASYNC_TRACE_DIR set (meson sets it), records every GAsync
#   function, method and constructor the tests reach through PyGObject, by
#   their C symbol, for the coverage test (test_coverage.py).
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_overrides = os.path.join(os.path.dirname(os.path.dirname(_here)), 'bindings', 'python')
if _overrides not in sys.path:
    sys.path.insert(0, _overrides)

import gi  # noqa: E402
from gi import _gi  # noqa: E402

gi.require_version('GAsync', '1.0')
gi.require_version('GAsyncTest', '1.0')

from gi.module import get_introspection_module  # noqa: E402
from gi.repository import GAsync  # noqa: E402,F401 - loads the override

_called = set()


def _traced(info, name, original=None):
    """A function recording info's C symbol, then calling original (the
    attribute PyGObject made) as PyGObject would: with the instance for
    methods; constructors and static methods get it bound to their class
    (getattr), which is how PyGObject calls them."""
    symbol = info.get_symbol()
    original = original or info

    if original is info:
        def call(*args, **kwargs):
            _called.add(symbol)
            return original(*args, **kwargs)
    elif info.is_method():
        def call(self, *args, **kwargs):
            _called.add(symbol)
            return original(self, *args, **kwargs)
    else:
        def call(*args, **kwargs):
            _called.add(symbol)
            return original(*args, **kwargs)
        call.__name__ = call.__qualname__ = name
        return staticmethod(call)
    call.__name__ = name
    call.__qualname__ = name
    return call


def _install_tracer():
    """Wraps every GAsync callable where PyGObject keeps it: the
    introspection module's functions, and the methods the introspection
    classes (the bases of the override classes) hold. The override module
    looks raw functions up at call time, so its own calls are seen too."""
    module = get_introspection_module('GAsync')
    repo = _gi.Repository.get_default()
    for info in repo.get_infos('GAsync'):
        if isinstance(info, _gi.FunctionInfo):
            name = info.get_name()
            getattr(module, name)   # resolve the lazy attribute first
            setattr(module, name, _traced(info, name))
        elif isinstance(info, _gi.ObjectInfo):
            cls = getattr(module, info.get_name())
            base = next(c for c in cls.__mro__ if vars(c).get('__info__') == info)
            for method in info.get_methods():
                name = method.get_name()
                if not isinstance(vars(base).get(name), _gi.FunctionInfo):
                    continue
                original = vars(base)[name] if method.is_method() else getattr(base, name)
                setattr(base, name, _traced(method, name, original))


if os.environ.get('GASYNC_TRACE_DIR'):
    _install_tracer()


def pytest_sessionfinish(session, exitstatus):
    trace_dir = os.environ.get('GASYNC_TRACE_DIR')
    if not trace_dir:
        return
    os.makedirs(trace_dir, exist_ok=True)
    names = sorted(os.path.basename(str(a)).split('::')[0] for a in session.config.args)
    path = os.path.join(trace_dir, 'python-' + '+'.join(names) + '.trace')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(''.join(s + '\n' for s in sorted(_called)))
