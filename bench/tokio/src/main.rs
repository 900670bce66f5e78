// The tokio rows of bench/compare-tokio: the same jobs as
// bench/bench-vs-tokio.c, one round per run, printed as "row<TAB>value"
// (millions per second). Every row checks that its work was done.

use std::time::Instant;
use tokio::sync::mpsc;

// As bench-runtime.c: tasks spawned and joined in windows of this many.
const WINDOW: u64 = 4096;

fn task_value(i: u64) -> i64 {
    (i & 0xff) as i64
}

// Checks the sum of n joined tasks and returns their rate (M/s).
fn spawn_join_rate(what: &str, sum: i64, n: u64, start: Instant) -> f64 {
    let elapsed = start.elapsed().as_secs_f64();
    let expected: i64 = (0..n).map(task_value).sum();
    assert_eq!(sum, expected, "{}: wrong sum", what);
    n as f64 / elapsed / 1e6
}

// Spawned and joined from plain synchronous code (the main thread, which
// is no worker): spawn through the runtime's handle, join each with
// block_on, as gasync's row spawns and joins with gasync_future_wait().
fn spawn_join_sync(rt: &tokio::runtime::Runtime, n: u64) -> f64 {
    let start = Instant::now();
    let mut handles = Vec::with_capacity(WINDOW as usize);
    let mut sum: i64 = 0;
    let mut base = 0;
    while base < n {
        let w = std::cmp::min(WINDOW, n - base);
        for i in 0..w {
            let v = task_value(base + i);
            handles.push(rt.spawn(async move { v }));
        }
        for h in handles.drain(..) {
            sum += rt.block_on(h).expect("a task failed");
        }
        base += w;
    }
    spawn_join_rate("spawn_join_sync", sum, n, start)
}

// Spawned and joined from inside the runtime (an async block on the
// block_on thread), as gasync's row does from a fiber with gasync_await().
fn spawn_join(rt: &tokio::runtime::Runtime, n: u64) -> f64 {
    rt.block_on(async move {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(WINDOW as usize);
        let mut sum: i64 = 0;
        let mut base = 0;
        while base < n {
            let w = std::cmp::min(WINDOW, n - base);
            for i in 0..w {
                let v = task_value(base + i);
                handles.push(tokio::spawn(async move { v }));
            }
            for h in handles.drain(..) {
                sum += h.await.expect("a task failed");
            }
            base += w;
        }
        spawn_join_rate("spawn_join", sum, n, start)
    })
}

// Unbounded mpsc: producers are tasks on the workers, the consumer is the
// block_on thread, as gasync's producers are threads and its consumer the
// main thread.
fn channel(rt: &tokio::runtime::Runtime, producers: u64, n: u64) -> f64 {
    rt.block_on(async move {
        let per = n / producers;
        let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
        let start = Instant::now();
        for _ in 0..producers {
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 1..=per {
                    tx.send(i).expect("send");
                }
            });
        }
        drop(tx);
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(v) = rx.recv().await {
            count += 1;
            sum += v;
        }
        let elapsed = start.elapsed().as_secs_f64();
        assert_eq!(count, per * producers, "channel: lost items");
        assert_eq!(sum, producers * per * (per + 1) / 2, "channel: wrong sum");
        count as f64 / elapsed / 1e6
    })
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (n_spawn, n_msg) = if quick { (2000, 20000) } else { (1_000_000, 4_000_000) };
    let rt = tokio::runtime::Builder::new_multi_thread().build().expect("runtime");

    println!("# tokio 1.x, {} worker threads (default)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    println!("spawn+join from sync code (M/s)\t{}", spawn_join_sync(&rt, n_spawn));
    println!("spawn+join in async code (M/s)\t{}", spawn_join(&rt, n_spawn));
    println!("channel 1 -> 1, unbounded (M msg/s)\t{}", channel(&rt, 1, n_msg));
    println!("channel 4 -> 1, unbounded (M msg/s)\t{}", channel(&rt, 4, n_msg));
}
