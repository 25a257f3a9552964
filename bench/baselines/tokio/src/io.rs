//! tokio baselines of the io group of bench/run.sh (bench/vex/io_*.vx), on a multi-thread
//! runtime with 2 workers:
//!
//!   vex-bench-tokio-io http PORT N DEADLINE_MS   hand-written HTTP/1.1 "hello" server: a
//!       buffer per connection, a request ends at "\r\n\r\n", the answer is a fixed
//!       "Hello, world!" with its Content-Length (as bench/vex/io_http.vx)
//!   vex-bench-tokio-io echo PORT N DEADLINE_MS   TCP echo server (bench/vex/io_echo.vx)
//!   vex-bench-tokio-io files DIR N               DIR/small/0..N-1 with tokio::fs::read, all
//!       at once, then DIR/big through tokio::fs::File and reads of 1 MiB
//!
//! Servers print "listening on PORT", serve N connections and stop after DEADLINE_MS.
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";
const CLOSING: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, world!";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn handle(mut conn: TcpStream) -> std::io::Result<i64> {
    let mut buffered: Vec<u8> = Vec::new();
    let mut answered = 0;
    let mut chunk = [0u8; 4096];
    loop {
        match find(&buffered, b"\r\n\r\n") {
            Some(end) => {
                let close = find(&buffered[..end], b"Connection: close").is_some();
                buffered.drain(..end + 4);
                conn.write_all(if close { CLOSING } else { RESPONSE }).await?;
                answered += 1;
                if close {
                    return Ok(answered);
                }
            }
            None => {
                let n = conn.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(answered);
                }
                buffered.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

async fn echo(mut conn: TcpStream) -> std::io::Result<i64> {
    let mut echoed = 0;
    let mut buf = vec![0u8; 16384];
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(echoed);
        }
        echoed += n as i64;
        conn.write_all(&buf[..n]).await?;
    }
}

async fn serve(port: &str, n: usize, http: bool) {
    let l = match TcpListener::bind(format!("127.0.0.1:{port}")).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", l.local_addr().unwrap().port());
    let mut handlers = Vec::new();
    for _ in 0..n {
        match l.accept().await {
            Ok((c, _)) => {
                c.set_nodelay(true).ok();
                handlers.push(if http { tokio::spawn(handle(c)) } else { tokio::spawn(echo(c)) });
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
    drop(l);
    for h in handlers {
        let _ = h.await;
    }
}

async fn files(dir: String, n: usize) {
    let reads: Vec<_> = (0..n)
        .map(|i| {
            let path = format!("{dir}/small/{i}");
            tokio::spawn(async move {
                match tokio::fs::read(&path).await {
                    Ok(b) => b.len(),
                    Err(e) => {
                        eprintln!("{path}: {e}");
                        std::process::exit(1);
                    }
                }
            })
        })
        .collect();
    let mut small = 0;
    for r in reads {
        small += r.await.unwrap();
    }
    println!("small files {n} bytes {small}");
    let mut f = tokio::fs::File::open(format!("{dir}/big")).await.expect("big");
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        let k = f.read(&mut buf).await.expect("read");
        if k == 0 {
            break;
        }
        total += k;
    }
    println!("big file bytes {total}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let work = tokio::spawn(async move {
            match args[1].as_str() {
                "http" | "echo" => {
                    let n: usize = args[3].parse().expect("N");
                    let ms: u64 = args[4].parse().expect("DEADLINE_MS");
                    let http = args[1] == "http";
                    if tokio::time::timeout(Duration::from_millis(ms), serve(&args[2], n, http))
                        .await
                        .is_err()
                    {
                        eprintln!("deadline of {ms} ms reached");
                    }
                }
                "files" => files(args[2].clone(), args[3].parse().expect("N")).await,
                other => panic!("unknown workload {other}"),
            }
        });
        work.await.unwrap();
    });
    std::process::exit(0);
}
