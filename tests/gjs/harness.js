// A tiny test harness for the GJS binding tests, shared by every script.
//
//   import {test, run, assertEquals} from './harness.js';
//   test('name', () => { ... });            // synchronous
//   test('name', async () => { ... });      // awaits, with the main loop run
//   run();                                  // last line: runs them, exits
//
// Async tests run with a GLib.MainLoop on the default main context, which
// is where GJS dispatches both its promise jobs and the GIO callbacks of
// this (main) thread. Scripts run with G_DEBUG=fatal-criticals (see
// meson.build): a JS callback invoked on another thread, which GJS refuses
// with a critical, aborts the script.
//
// With GASYNC_TRACE_DIR and GASYNC_GIR set, importing this module wraps
// every GAsync function, method and constructor listed in the GIR, records
// the C symbols the script reaches and writes them to
// GASYNC_TRACE_DIR/gjs-SCRIPT.trace at the end, for check_coverage.py.
// Import it before anything that replaces GAsync methods (Gio._promisify).
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GAsync from 'gi://GAsync?version=1.0';
import System from 'system';

const tests = [];
const called = new Set();

export function test(name, fn) {
    tests.push({name, fn});
}

export function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new Error(message);
}

export function assertEquals(actual, expected, message = '') {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (actual !== expected && a !== e)
        throw new Error(`${message ? `${message}: ` : ''}expected ${e}, got ${a}`);
}

function checkGError(e, domain, code) {
    if (!(e instanceof GLib.Error))
        throw new Error(`expected a GLib.Error, got ${e}`);
    if (!e.matches(domain, code))
        throw new Error(`wrong error: ${e.message} (${e.domain}, ${e.code})`);
    return e;
}

export function assertThrowsGError(fn, domain, code) {
    try {
        fn();
    } catch (e) {
        return checkGError(e, domain, code);
    }
    throw new Error('expected an exception');
}

export async function assertRejectsGError(promise, domain, code) {
    try {
        await promise;
    } catch (e) {
        return checkGError(e, domain, code);
    }
    throw new Error('expected a rejection');
}

// Resolves after ms milliseconds, from the default main context.
export function sleep(ms) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

// Iterates the default main context until condition() holds. It polls:
// what the condition waits for (a future settled on another thread, say)
// need not wake this context.
export function iterateUntil(condition, timeoutMs = 30000) {
    const context = GLib.MainContext.default();
    const deadline = GLib.get_monotonic_time() + timeoutMs * 1000;
    while (!condition()) {
        if (GLib.get_monotonic_time() > deadline)
            throw new Error(`timed out waiting for ${condition}`);
        if (!context.iteration(false))
            GLib.usleep(1000);
    }
}

function runPromise(promise, timeoutMs = 30000) {
    const loop = new GLib.MainLoop(null, false);
    let outcome = null;
    promise.then(
        value => (outcome = {value}),
        error => (outcome = {error})
    ).finally(() => loop.quit());
    const timeout = GLib.timeout_add(GLib.PRIORITY_LOW, timeoutMs, () => {
        outcome = {error: new Error(`timed out after ${timeoutMs} ms`)};
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    if (outcome === null)
        loop.run();
    GLib.source_remove(timeout);
    if (outcome.error)
        throw outcome.error;
    return outcome.value;
}

function scriptName() {
    return GLib.path_get_basename(System.programPath ?? System.programInvocationName);
}

function writeTrace() {
    const dir = GLib.getenv('GASYNC_TRACE_DIR');
    if (!dir || !tracing)
        return;
    GLib.mkdir_with_parents(dir, 0o755);
    const lines = [...called].sort().map(s => `${s}\n`).join('');
    GLib.file_set_contents(GLib.build_filenamev([dir, `gjs-${scriptName()}.trace`]), lines);
}

// Runs every test in order; exits with 1 if one failed.
export function run() {
    let failures = 0;
    for (const {name, fn} of tests) {
        try {
            const result = fn();
            if (result && typeof result.then === 'function')
                runPromise(result);
            print(`ok - ${name}`);
        } catch (e) {
            failures++;
            print(`not ok - ${name}: ${e}\n${e.stack ?? ''}`);
        }
    }
    writeTrace();
    if (failures > 0) {
        printerr(`${failures} GJS test(s) failed`);
        System.exit(1);
    }
}

// Tracing --------------------------------------------------------------

function parseGir(path) {
    const [, bytes] = GLib.file_get_contents(path);
    const xml = new TextDecoder().decode(bytes);
    const entries = [];
    const attrs = text => {
        const map = {};
        for (const m of text.matchAll(/([\w:-]+)="([^"]*)"/g))
            map[m[1]] = m[2];
        return map;
    };
    const callables = (body, owner) => {
        for (const m of body.matchAll(/<(method|constructor|function)\s([^>]*)>/g)) {
            const a = attrs(m[2]);
            if (a.introspectable === '0')
                continue;
            entries.push({owner, kind: m[1], name: a.shadows ?? a.name, symbol: a['c:identifier']});
        }
    };
    let rest = xml;
    for (const m of xml.matchAll(/<(class|enumeration|record|interface)\s([^>]*)>([\s\S]*?)<\/\1>/g)) {
        callables(m[3], attrs(m[2]).name);
        rest = rest.replace(m[0], '');
    }
    callables(rest, null);
    return entries;
}

function wrap(holder, name, symbol) {
    const original = holder[name];
    if (typeof original !== 'function')
        return;
    const traced = function (...args) {
        called.add(symbol);
        return original.apply(this, args);
    };
    // Gio._promisify() compares argument counts with the original's.
    Object.defineProperty(traced, 'length', {value: original.length});
    holder[name] = traced;
}

const tracing = GLib.getenv('GASYNC_TRACE_DIR') && GLib.getenv('GASYNC_GIR');
if (tracing) {
    for (const {owner, kind, name, symbol} of parseGir(GLib.getenv('GASYNC_GIR'))) {
        if (owner === null)
            wrap(GAsync, name, symbol);
        else if (GAsync[owner] === undefined)
            continue;
        else if (kind === 'method')
            wrap(GAsync[owner].prototype ?? GAsync[owner], name, symbol);
        else
            wrap(GAsync[owner], name, symbol);
    }
}

export {GLib, Gio, GAsync};
