#!/usr/bin/env python3
# Runs the GTK hasher under Xvfb: it hashes /usr/share/doc, saves a
# screenshot after 50 files and presses Cancel after 400. Checks that the
# cancel really stopped the workers before the end, and that the PNG is a
# picture of the window (right size, many colours), not a blank image.
# It runs with GASYNC_DEBUG=pending,stalls and --slow-summary-ms: the
# summary continuation, named "hasher-summary", holds the main loop for
# four times the 50 ms limit, and must be reported by that name; the
# report of what is pending at exit must come, naming whatever it lists.
# Usage: test-gasync-hasher.py XVFB-RUN GASYNC-HASHER SCREENSHOT.png
import os
import re
import subprocess
import sys

xvfb_run, hasher, shot = sys.argv[1:4]
CANCEL_AFTER = 400
CHANNEL_CAPACITY = 256   # the results channel (examples/common/hash-job.c)
SLOW_SUMMARY_MS = 200    # GASYNC_DEBUG=stalls reports over 50 ms
if os.path.exists(shot):
    os.unlink(shot)

proc = subprocess.run(
    [xvfb_run, '-a', '-s', '-screen 0 1024x768x24', hasher,
     '--folder=/usr/share/doc', '--start', f'--screenshot={shot}',
     '--screenshot-after=50', '--cancel-after=400', '--quit-when-done',
     f'--slow-summary-ms={SLOW_SUMMARY_MS}'],
    env=dict(os.environ, GASYNC_DEBUG='pending,stalls'),
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=150)
sys.stdout.write(proc.stdout)
sys.stderr.write(proc.stderr)
failures = []

if proc.returncode != 0:
    failures.append(f'exit status {proc.returncode}')

started = re.search(r'^started: (\d+) files under /usr/share/doc$', proc.stdout, re.M)
stopped = re.search(r'^workers stopped: (\w+): (\d+) of (\d+) files', proc.stdout, re.M)
if not started:
    failures.append('never started')
elif int(started.group(1)) <= CANCEL_AFTER + CHANNEL_CAPACITY + 2 * os.cpu_count():
    # The workers may legitimately be a full results channel plus the
    # files in flight ahead of the main loop when Cancel lands; with fewer
    # files than that they could all be hashed first, whatever the load.
    failures.append(f'/usr/share/doc has only {started.group(1)} files: cannot cancel mid-run')
if 'clicking Cancel after 400 files' not in proc.stdout:
    failures.append('Cancel was not clicked')
if not stopped:
    failures.append('workers never reported stopping')
else:
    if stopped.group(1) != 'Cancelled':
        failures.append(f'finished as {stopped.group(1)!r}, not Cancelled')
    done, total = int(stopped.group(2)), int(stopped.group(3))
    # Work in flight when Cancel was pressed may still land, but the
    # remaining files must not have been hashed.
    if not done < total:
        failures.append(f'cancel did not stop the workers: {done} of {total} hashed')

# GASYNC_DEBUG=stalls: the slow summary, by its future's name, on the
# GTK (global default) context. Other callbacks may be reported too on a
# loaded machine; the summary must be.
stall = re.search(r'^gasync: GASYNC_DEBUG=stalls: continuation hasher-summary ran (\d+) ms '
                  r'\(limit 50 ms\) on GMainContext 0x[0-9a-f]+ \(the default\), thread ',
                  proc.stderr, re.M)
if not stall:
    failures.append('GASYNC_DEBUG=stalls did not report the slow hasher-summary')
elif int(stall.group(1)) < SLOW_SUMMARY_MS:
    failures.append(f'hasher-summary reported at {stall.group(1)} ms, under {SLOW_SUMMARY_MS}')
# GASYNC_DEBUG=pending at exit: a worker may still be settling its
# handle as the window closes; whatever is listed is listed by name.
report = re.search(r'^gasync: GASYNC_DEBUG=pending: (\d+) futures? pending at exit$', proc.stderr, re.M)
listed = re.findall(r'^gasync:   (.*) \(0x[0-9a-f]+\) pending for', proc.stderr, re.M)
if not report:
    failures.append('no GASYNC_DEBUG=pending report at exit')
elif len(listed) != int(report.group(1)) or any(name != 'hash-worker' for name in listed):
    failures.append(f'pending at exit, not all named hash-worker: {listed}')

if not os.path.exists(shot):
    failures.append('no screenshot written')
else:
    import gi
    gi.require_version('GdkPixbuf', '2.0')
    from gi.repository import GdkPixbuf
    pix = GdkPixbuf.Pixbuf.new_from_file(shot)
    data = pix.get_pixels()
    stride, n = pix.get_rowstride(), pix.get_n_channels()
    colours = set()
    for y in range(0, pix.get_height(), 3):
        row = data[y * stride:(y * stride) + pix.get_width() * n]
        for x in range(0, len(row), n * 3):
            colours.add(bytes(row[x:x + 3]))
    print(f'screenshot {pix.get_width()}x{pix.get_height()}, {len(colours)} distinct colours')
    if pix.get_width() < 200 or pix.get_height() < 100:
        failures.append('screenshot too small')
    if len(colours) < 8:
        failures.append(f'screenshot looks blank ({len(colours)} colours)')

if failures:
    sys.exit('FAIL: ' + '; '.join(failures))
print('ok')
