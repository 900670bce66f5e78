#!/usr/bin/env python3
# The binding rules of DESIGN.md §3, checked on the generated GIR:
#
# - no method, function or constructor is named then, catch, finally,
#   await or async (a `then` method makes every future a JS thenable;
#   `await` is a Python syntax error), unless (skip)ped as C-only: no
#   binding sees it then (gasync_await);
# - every *_async has a *_finish next to it (Gio._promisify, Vala's yield
#   and PyGObject >= 3.50 pair them by name), and takes cancellable,
#   callback, user_data last, the callback (scope async);
# - callbacks are scoped: block_on-style start functions (scope call),
#   repeating callbacks (scope notified) with a destroy notify, one-shot
#   ones (scope async);
# - a throwing function's gboolean return that only mirrors the error is
#   (skip), so that PyGObject returns the value (or None) and raises;
# - every callback typedef is introspectable (one without its own
#   annotated doc comment silently hides every function taking it; the
#   coverage check then also fails on them).
#
# Usage: check_gir_rules.py GAsync-1.0.gir
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'

RESERVED = {'then', 'catch', 'finally', 'await', 'async'}

# Throwing functions whose gboolean return is the value itself.
BOOLEAN_VALUES = {'gasync_future_get_boolean'}


def binding_name(el):
    return el.get('shadows') or el.get('name')


def main():
    root = ET.parse(sys.argv[1]).getroot()
    ns = root.find(CORE + 'namespace')
    problems = []
    checked = 0

    containers = [ns] + [el for el in ns if el.tag in (CORE + 'class', CORE + 'record',
                                                        CORE + 'interface', CORE + 'enumeration')]
    for container in containers:
        owner = container.get('name') if container is not ns else ns.get('name')
        callables = [el for el in container
                     if el.tag in (CORE + 'function', CORE + 'method', CORE + 'constructor')]
        names = {binding_name(el): el for el in callables if el.get('introspectable') != '0'}
        for el in callables:
            symbol = el.get(C + 'identifier')
            name = binding_name(el)
            visible = el.get('introspectable') != '0'
            checked += 1
            # A (skip)ped C-only function (gasync_await) reaches no binding.
            if name in RESERVED and visible:
                problems.append('%s is named %r in %s' % (symbol, name, owner))
            params = el.find(CORE + 'parameters')
            args = [] if params is None else [p for p in params
                                              if p.tag == CORE + 'parameter']
            for p in args:
                if p.get('scope') is None and p.find(CORE + 'type') is not None:
                    ptype = p.find(CORE + 'type').get('name', '')
                    if ptype.endswith('Func') or ptype.endswith('Callback'):
                        if ptype != 'GLib.DestroyNotify':
                            problems.append('%s: callback %s has no scope'
                                            % (symbol, p.get('name')))
                if p.get('scope') == 'notified' and p.get('destroy') is None:
                    problems.append('%s: (scope notified) %s without (destroy)'
                                    % (symbol, p.get('name')))
            if not visible:
                continue
            if name.endswith('_async'):
                finish = names.get(name[:-len('_async')] + '_finish')
                if finish is None:
                    problems.append('%s has no %s_finish' % (symbol, name[:-6]))
                tail = [p.get('name') for p in args[-3:]]
                if tail != ['cancellable', 'callback', 'user_data']:
                    problems.append('%s does not end with cancellable, callback, '
                                    'user_data: %s' % (symbol, tail))
                elif args[-2].get('scope') != 'async':
                    problems.append('%s: callback is not (scope async)' % symbol)
            ret = el.find(CORE + 'return-value')
            rtype = ret.find(CORE + 'type') if ret is not None else None
            if (el.get('throws') == '1' and rtype is not None
                    and rtype.get('name') == 'gboolean' and ret.get('skip') != '1'
                    and symbol not in BOOLEAN_VALUES):
                problems.append('%s: gboolean return that mirrors the error is '
                                'not (skip)' % symbol)

    # A callback typedef the scanner could not introspect (its doc comment
    # missing, or without Returns: (transfer ...)) silently makes every
    # function taking it non-introspectable.
    for cb in ns.iter(CORE + 'callback'):
        if cb.get('introspectable') == '0':
            problems.append('callback %s is not introspectable: annotate its '
                            'typedef' % (cb.get(C + 'type') or cb.get('name')))

    print('%d callables checked against the binding rules' % checked)
    for p in problems:
        print('FAIL: ' + p)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
