//! tokio baselines for bench/run.sh: the same async workloads as bench/vex/*.vx, on a
//! multi-thread runtime with 2 workers. Usage: vex-bench-tokio WORKLOAD N
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
                other => panic!("unknown workload {other}"),
            }
        });
        work.await.unwrap();
    });
}
