//! tokio baselines for bench/run.sh: the same async workloads as bench/vex/*.vx, on a
//! multi-thread runtime with 2 workers. Usage: vex-bench-tokio WORKLOAD N
//!
//! The channel workloads (bench/vex/chan_*.vx) use tokio::sync::mpsc where one task
//! receives, and async-channel (MPMC, runtime-independent) where several tasks receive
//! from one channel, since tokio's channels have a single receiver.
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

async fn leaf(x: i64) -> i64 {
    x
}

/// N calls spawned and joined in batches of 8 (bench/vex/spawn_join.vx).
async fn spawn_join(n: i64) -> i64 {
    let mut sum = 0;
    let mut i = 0;
    while i < n {
        let f0 = tokio::spawn(leaf(i));
        let f1 = tokio::spawn(leaf(i + 1));
        let f2 = tokio::spawn(leaf(i + 2));
        let f3 = tokio::spawn(leaf(i + 3));
        let f4 = tokio::spawn(leaf(i + 4));
        let f5 = tokio::spawn(leaf(i + 5));
        let f6 = tokio::spawn(leaf(i + 6));
        let f7 = tokio::spawn(leaf(i + 7));
        sum += f0.await.unwrap() + f1.await.unwrap() + f2.await.unwrap() + f3.await.unwrap();
        sum += f4.await.unwrap() + f5.await.unwrap() + f6.await.unwrap() + f7.await.unwrap();
        i += 8;
    }
    sum
}

/// Fan-out tree: each task spawns two children down to depth d (bench/vex/tree.vx).
/// A recursive async fn needs its future boxed in Rust.
fn tree(d: i64) -> Pin<Box<dyn Future<Output = i64> + Send>> {
    Box::pin(async move {
        if d == 0 {
            return 1;
        }
        let a = tokio::spawn(tree(d - 1));
        let b = tokio::spawn(tree(d - 1));
        a.await.unwrap() + b.await.unwrap()
    })
}

async fn player(n: i64) -> i64 {
    let mut i = 0;
    while i < n {
        tokio::task::yield_now().await;
        i += 1;
    }
    i
}

/// Two tasks each yield n times (bench/vex/yield.vx).
async fn yields(n: i64) -> i64 {
    let a = tokio::spawn(player(n));
    let b = tokio::spawn(player(n));
    a.await.unwrap() + b.await.unwrap()
}

/// n tasks sleeping 1..100 ms, all joined (bench/vex/sleeps.vx drains them at exit).
async fn sleeps(n: i64) {
    let mut handles = Vec::with_capacity(n as usize);
    for i in 0..n {
        let ms = 1 + i % 100;
        handles.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(ms as u64)).await;
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
}

/// n tasks parked on a 15 s sleep; once they are parked the process exits on the spot
/// (bench/vex/suspended.vx).
async fn suspended(n: i64) {
    for _ in 0..n {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(15000)).await;
        });
    }
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::process::exit(0);
}

/// Unbuffered ping-pong, n round trips (bench/vex/chan_pingpong.vx) over two
/// tokio::sync::mpsc channels of capacity 1, tokio's smallest bounded channel (it has no
/// unbuffered one): main sends i on ping, the other task answers i + 1 on pong.
async fn chan_pingpong_mpsc(n: i64) -> i64 {
    let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<i64>(1);
    let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<i64>(1);
    tokio::spawn(async move {
        for _ in 0..n {
            let v = ping_rx.recv().await.unwrap();
            pong_tx.send(v + 1).await.unwrap();
        }
    });
    let mut s = 0;
    for i in 0..n {
        ping_tx.send(i).await.unwrap();
        s += pong_rx.recv().await.unwrap();
    }
    s
}

struct Ping(i64, tokio::sync::oneshot::Sender<Pong>);
struct Pong(i64, tokio::sync::oneshot::Sender<Ping>);

/// The same ping-pong over oneshot channels, a rendezvous in tokio's terms: each ping
/// carries the sender of its pong, each pong the sender of the next ping (two oneshot
/// channels per round trip).
async fn chan_pingpong_oneshot(n: i64) -> i64 {
    let (mut tx, rx) = tokio::sync::oneshot::channel::<Ping>();
    tokio::spawn(async move {
        let mut rx = rx;
        for _ in 0..n {
            let Ping(v, reply) = rx.await.unwrap();
            let (next_tx, next_rx) = tokio::sync::oneshot::channel();
            let _ = reply.send(Pong(v + 1, next_tx));
            rx = next_rx;
        }
    });
    let mut s = 0;
    for i in 0..n {
        let (reply_tx, reply_rx) = tokio::sync::oneshot::channel();
        let _ = tx.send(Ping(i, reply_tx));
        let Pong(v, next) = reply_rx.await.unwrap();
        s += v;
        tx = next;
    }
    s
}

/// One producer sends 0..n-1 through an mpsc channel of capacity 1024 and closes it (drops
/// its sender); main receives until it is closed and sums (bench/vex/chan_spsc.vx).
async fn chan_spsc(n: i64) -> i64 {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<i64>(1024);
    tokio::spawn(async move {
        for i in 0..n {
            tx.send(i).await.unwrap();
        }
    });
    let mut s = 0;
    while let Some(v) = rx.recv().await {
        s += v;
    }
    s
}

/// 4 producers each send a quarter of 0..n-1 through one async-channel of capacity 1024
/// to 4 consumers; main waits for the producers, closes the channel and adds up the
/// consumers' sums (bench/vex/chan_mpmc.vx).
async fn chan_mpmc(n: i64) -> i64 {
    let (tx, rx) = async_channel::bounded::<i64>(1024);
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in p * n / 4..(p + 1) * n / 4 {
                    tx.send(i).await.unwrap();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let rx = rx.clone();
            tokio::spawn(async move {
                let mut s = 0;
                while let Ok(v) = rx.recv().await {
                    s += v;
                }
                s
            })
        })
        .collect();
    for p in producers {
        p.await.unwrap();
    }
    tx.close();
    let mut s = 0;
    for c in consumers {
        s += c.await.unwrap();
    }
    s
}

/// select over two mpsc channels of capacity 1 that always hold a value: each iteration
/// receives from one of them (tokio::select! picks a ready branch at random) and puts
/// the value back (bench/vex/chan_select.vx).
async fn chan_select(n: i64) {
    let (a_tx, mut a_rx) = tokio::sync::mpsc::channel::<i64>(1);
    let (b_tx, mut b_rx) = tokio::sync::mpsc::channel::<i64>(1);
    a_tx.send(1).await.unwrap();
    b_tx.send(1).await.unwrap();
    let (mut na, mut nb) = (0i64, 0i64);
    for _ in 0..n {
        tokio::select! {
            Some(x) = a_rx.recv() => {
                na += x;
                a_tx.send(x).await.unwrap();
            }
            Some(y) = b_rx.recv() => {
                nb += y;
                b_tx.send(y).await.unwrap();
            }
        }
    }
    println!("{}", na + nb);
    println!("{}", na > n / 4 && nb > n / 4);
}

/// n calls spawned into a JoinSet and all joined, the sum of their results
/// (bench/vex/join_all.vx: joinAll of n futures).
async fn join_all(n: i64) -> i64 {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        set.spawn(leaf(i));
    }
    let mut sum = 0;
    while let Some(v) = set.join_next().await {
        sum += v.unwrap();
    }
    sum
}

/// n empty channels (mpsc of capacity 1, tokio's smallest) held in a Vec of (sender,
/// receiver) pairs (bench/vex/chan_many.vx).
async fn chan_many(n: i64) {
    let mut v = Vec::with_capacity(n as usize);
    for _ in 0..n {
        v.push(tokio::sync::mpsc::channel::<i64>(1));
    }
    println!("{}", v.len());
}

/// n tasks parked on a receive from one async-channel that never gets a value (recv), or
/// on a 15 s sleep; once they are parked the process exits on the spot
/// (bench/vex/chan_parked.vx).
async fn chan_parked(n: i64, recv: bool) {
    let (tx, rx) = async_channel::bounded::<i64>(1);
    for _ in 0..n {
        if recv {
            let rx = rx.clone();
            tokio::spawn(async move {
                let _ = rx.recv().await;
            });
        } else {
            tokio::spawn(async {
                tokio::time::sleep(Duration::from_millis(15000)).await;
            });
        }
    }
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    println!("{n}");
    drop(tx);
    std::process::exit(0);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: i64 = args[2].parse().expect("N");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        // Like Vex's main, the workload's main runs as a task on the runtime.
        let work = tokio::spawn(async move {
            match args[1].as_str() {
                "spawn_join" => println!("{}", spawn_join(n).await),
                "tree" => println!("{}", tree(n).await),
                "yield" => println!("{}", yields(n).await),
                "sleeps" => sleeps(n).await,
                "suspended" => suspended(n).await,
                "chan_pingpong_mpsc" => println!("{}", chan_pingpong_mpsc(n).await),
                "chan_pingpong_oneshot" => println!("{}", chan_pingpong_oneshot(n).await),
                "chan_spsc" => println!("{}", chan_spsc(n).await),
                "chan_mpmc" => println!("{}", chan_mpmc(n).await),
                "chan_select" => chan_select(n).await,
                "chan_many" => chan_many(n).await,
                "join_all" => println!("{}", join_all(n).await),
                "chan_parked_recv" => chan_parked(n, true).await,
                "chan_parked_sleep" => chan_parked(n, false).await,
                other => panic!("unknown workload {other}"),
            }
        });
        work.await.unwrap();
    });
}
