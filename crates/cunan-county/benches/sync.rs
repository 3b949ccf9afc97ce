//! Sync benchmark (`cargo bench -p cunan-county --bench sync`): bytes on the wire and wall time
//! for the initial sync of the 2,000-household demo village and for a 10-edit incremental sync
//! (against the gzip size of the same rows as JSON), and county throughput with many villages
//! pushing at once over loopback. `CUNAN_BENCH_VILLAGES` / `CUNAN_BENCH_CHANGES` /
//! `CUNAN_BENCH_HOUSEHOLDS` scale it down for a quick look.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::{Household, Store};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use cunan_sync::protocol::{PushRequest, PROTOCOL_HEADER, PROTOCOL_VERSION};
use cunan_sync::{Change, SyncClient};
use serde_json::{json, Value};

/// A loopback TCP forwarder that counts bytes each way.
struct Meter {
    addr: SocketAddr,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
}

impl Meter {
    fn start(target: SocketAddr) -> Meter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicU64::new(0));
        let down = Arc::new(AtomicU64::new(0));
        let (u, d) = (up.clone(), down.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(target) else {
                    continue;
                };
                pump(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    u.clone(),
                );
                pump(server, client, d.clone());
            }
        });
        Meter { addr, up, down }
    }

    fn take(&self) -> (u64, u64) {
        (
            self.up.swap(0, Ordering::SeqCst),
            self.down.swap(0, Ordering::SeqCst),
        )
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, count: Arc<AtomicU64>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
            count.fetch_add(n as u64, Ordering::SeqCst);
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn kib(n: u64) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let households = env("CUNAN_BENCH_HOUSEHOLDS", 2_000);
    village_sync(dir.path(), households);
    throughput(
        dir.path(),
        env("CUNAN_BENCH_VILLAGES", 500),
        env("CUNAN_BENCH_CHANGES", 200),
    );
}

fn village_sync(dir: &std::path::Path, households: usize) {
    let started = Instant::now();
    let (mut a, summary) = demo::create(
        &dir.join("a.db"),
        DemoOptions {
            households,
            seed: 1,
            today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        },
    )
    .unwrap();
    println!(
        "demo village: {} households, {} residents, {} changes ({:.1} s to create)",
        summary.households,
        summary.residents,
        a.unpushed_changes().unwrap(),
        started.elapsed().as_secs_f64()
    );
    let rows = cunan_core::sync::live_rows(&a).unwrap();
    let rows_json = serde_json::to_vec(&rows.values().collect::<Vec<_>>()).unwrap();
    println!(
        "  the same rows as JSON: {} raw, {} gzipped",
        kib(rows_json.len() as u64),
        kib(gzip_len(&rows_json) as u64)
    );

    let storage = Arc::new(SqliteStorage::open(&dir.join("county.db")).unwrap());
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    let meter = Meter::start(server.addr);
    let client = SyncClient::new(&format!("http://{}", meter.addr)).unwrap();
    let code = a.village().unwrap().unwrap().code;
    client
        .enroll(&mut a, &storage.add_village(&code, "演示村").unwrap())
        .unwrap();
    let mut b = Store::open(&dir.join("b.db")).unwrap();
    client
        .enroll(&mut b, &storage.add_village(&code, "演示村").unwrap())
        .unwrap();
    meter.take();

    let t = Instant::now();
    let report = client.sync_once(&mut a, &mut |_| {}).unwrap();
    let push_time = t.elapsed();
    let (up, down) = meter.take();
    println!(
        "initial push (device A, {} changes): {:.2} s, {} up, {} down",
        report.pushed,
        push_time.as_secs_f64(),
        kib(up),
        kib(down)
    );
    let t = Instant::now();
    let report = client.sync_once(&mut b, &mut |_| {}).unwrap();
    let pull_time = t.elapsed();
    let (up, down) = meter.take();
    println!(
        "initial pull (device B, {} changes): {:.2} s, {} up, {} down",
        report.pulled,
        pull_time.as_secs_f64(),
        kib(up),
        kib(down)
    );

    let mut edited: Vec<Value> = Vec::new();
    for (i, mut h) in a
        .list::<Household>()
        .unwrap()
        .into_iter()
        .take(10)
        .enumerate()
    {
        h.note = format!("第 {i} 户已核实");
        a.save(&h).unwrap();
        edited.push(serde_json::to_value(&h).unwrap());
    }
    let edited_json = serde_json::to_vec(&edited).unwrap();
    let t = Instant::now();
    client.sync_once(&mut a, &mut |_| {}).unwrap();
    let push_time = t.elapsed();
    let (up_a, down_a) = meter.take();
    let t = Instant::now();
    let report = client.sync_once(&mut b, &mut |_| {}).unwrap();
    let pull_time = t.elapsed();
    let (up_b, down_b) = meter.take();
    println!(
        "10-edit sync: push {:.3} s, {} up / {} down; pull ({} changes) {:.3} s, {} up / {} down; the 10 rows as JSON gzipped: {}",
        push_time.as_secs_f64(),
        kib(up_a),
        kib(down_a),
        report.pulled,
        pull_time.as_secs_f64(),
        kib(up_b),
        kib(down_b),
        kib(gzip_len(&edited_json) as u64)
    );
}

fn throughput(dir: &std::path::Path, villages: usize, changes: usize) {
    let storage = Arc::new(SqliteStorage::open(&dir.join("county-many.db")).unwrap());
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    let url = format!("{}/v1/push", server.url());
    let mut work = Vec::new();
    for v in 0..villages {
        let code = format!("330502{v:06}");
        let enrollment = storage.add_village(&code, &format!("村{v}")).unwrap();
        let device = format!("0190a000-0000-7000-8000-{v:012}");
        let token = storage
            .enroll(&enrollment, &device, None)
            .unwrap()
            .unwrap()
            .token;
        let batch: Vec<Change> = (1..=changes as i64)
            .map(|seq| {
                let id = format!("0190b000-{v:04}-7000-8000-{seq:012}");
                let hlc = format!("{:013}-{:06}", 1_780_000_000_000i64 + seq, 0);
                Change {
                    seq,
                    table: "grid".into(),
                    row_id: id.clone(),
                    op: "upsert".into(),
                    hlc: hlc.clone(),
                    device_id: device.clone(),
                    base_hlc: None,
                    village_code: code.clone(),
                    data: json!({"id": id, "village_code": code, "hlc": hlc, "device_id": device,
                        "deleted": false, "name": format!("第{seq}网格"), "area": "一组、二组", "note": ""}),
                }
            })
            .collect();
        let body = serde_json::to_vec(&PushRequest {
            device_id: device.clone(),
            changes: batch,
        })
        .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&body).unwrap();
        work.push((token, gz.finish().unwrap()));
    }
    let barrier = Arc::new(Barrier::new(villages + 1));
    let threads: Vec<_> = work
        .into_iter()
        .map(|(token, body)| {
            let barrier = barrier.clone();
            let url = url.clone();
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(600))
                    .build()
                    .unwrap();
                barrier.wait();
                let t = Instant::now();
                let response = http
                    .post(&url)
                    .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
                    .header("content-encoding", "gzip")
                    .header("content-type", "application/json")
                    .bearer_auth(token)
                    .body(body)
                    .send()
                    .unwrap();
                assert!(response.status().is_success(), "{}", response.status());
                t.elapsed()
            })
        })
        .collect();
    barrier.wait();
    let t = Instant::now();
    let mut latencies: Vec<Duration> = threads.into_iter().map(|h| h.join().unwrap()).collect();
    let wall = t.elapsed();
    latencies.sort();
    let total = storage.change_count().unwrap();
    assert_eq!(total as usize, villages * changes);
    println!(
        "throughput: {villages} villages x {changes} changes pushed at once: {:.2} s, {:.0} changes/s; per-push latency median {:.2} s, max {:.2} s",
        wall.as_secs_f64(),
        total as f64 / wall.as_secs_f64(),
        latencies[latencies.len() / 2].as_secs_f64(),
        latencies[latencies.len() - 1].as_secs_f64(),
    );
}
