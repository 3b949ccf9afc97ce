//! Sync under faults. A small TCP proxy between the devices and the county drops connections,
//! truncates requests and responses, loses responses after the server acted, delays and replays
//! requests; the server is restarted now and then. Several devices edit at random. After the
//! network heals, every replica must hold the same live rows, every change must be stored exactly
//! once, and every overwritten version must be in the conflicts table.
//!
//! `CUNAN_FAULT_SEEDS=200 cargo test -p cunan-county --release --test faults` for a long run.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use cunan_core::{Grid, Household, Resident, Store};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use cunan_sync::SyncClient;

/// splitmix64: small, seeded, good enough to pick faults.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Default)]
struct FaultCounts {
    dropped: AtomicUsize,
    truncated: AtomicUsize,
    lost_response: AtomicUsize,
    delayed: AtomicUsize,
    replayed: AtomicUsize,
    truncated_response: AtomicUsize,
    passed: AtomicUsize,
}

struct Proxy {
    addr: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    faulty: Arc<AtomicBool>,
    counts: Arc<FaultCounts>,
}

impl Proxy {
    fn start(upstream: SocketAddr, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let upstream = Arc::new(Mutex::new(upstream));
        let faulty = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(FaultCounts::default());
        let (u, f, c) = (upstream.clone(), faulty.clone(), counts.clone());
        std::thread::spawn(move || {
            let mut rng = Rng(seed);
            for client in listener.incoming().flatten() {
                let (u, f, c, s) = (u.clone(), f.clone(), c.clone(), rng.next());
                std::thread::spawn(move || handle(client, u, f, c, s));
            }
        });
        Proxy {
            addr,
            upstream,
            faulty,
            counts,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Reads one HTTP/1.1 request (head and Content-Length body) as raw bytes.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
        raw.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let start = raw.len();
    raw.resize(start + length, 0);
    reader.read_exact(&mut raw[start..]).ok()?;
    Some(raw)
}

fn handle(
    client: TcpStream,
    upstream: Arc<Mutex<SocketAddr>>,
    faulty: Arc<AtomicBool>,
    counts: Arc<FaultCounts>,
    seed: u64,
) {
    let mut rng = Rng(seed);
    let target = *upstream.lock().unwrap();
    let Ok(mut server) = TcpStream::connect(target) else {
        return;
    };
    let timeout = Some(Duration::from_secs(5));
    let _ = client.set_read_timeout(timeout);
    let _ = server.set_read_timeout(timeout);
    let faults = faulty.load(Ordering::SeqCst);
    // Responses flow back on their own thread, cut short on some connections.
    let budget = if faults && rng.below(10) == 0 {
        counts.truncated_response.fetch_add(1, Ordering::Relaxed);
        Some(rng.below(300) as usize + 1)
    } else {
        None
    };
    let (Ok(mut from_server), Ok(mut to_client)) = (server.try_clone(), client.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let mut sent = 0usize;
        let mut buf = [0u8; 8192];
        loop {
            let n = match from_server.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let n = match budget {
                Some(b) => n.min(b.saturating_sub(sent)),
                None => n,
            };
            if n == 0 || to_client.write_all(&buf[..n]).is_err() {
                break;
            }
            sent += n;
        }
        let _ = to_client.shutdown(Shutdown::Both);
        let _ = from_server.shutdown(Shutdown::Both);
    });
    let Ok(reader) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reader);
    let close = |server: &TcpStream| {
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
    };
    while let Some(request) = read_request(&mut reader) {
        // Read per request: a pooled connection lives on when the network turns bad or heals.
        if !faulty.load(Ordering::SeqCst) {
            counts.passed.fetch_add(1, Ordering::Relaxed);
            if server.write_all(&request).is_err() {
                break;
            }
            continue;
        }
        match rng.below(100) {
            0..=9 => {
                counts.dropped.fetch_add(1, Ordering::Relaxed);
                close(&server);
                return;
            }
            10..=19 => {
                counts.truncated.fetch_add(1, Ordering::Relaxed);
                let cut = rng.below(request.len() as u64) as usize;
                let _ = server.write_all(&request[..cut]);
                close(&server);
                return;
            }
            20..=29 => {
                // The server gets the whole request, the client never sees the answer.
                counts.lost_response.fetch_add(1, Ordering::Relaxed);
                let _ = client.shutdown(Shutdown::Both);
                let _ = server.write_all(&request);
                std::thread::sleep(Duration::from_millis(rng.below(50)));
                let _ = server.shutdown(Shutdown::Both);
                return;
            }
            30..=39 => {
                counts.delayed.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10 + rng.below(150)));
            }
            40..=49 => {
                // A replay on another connection, racing the original.
                counts.replayed.fetch_add(1, Ordering::Relaxed);
                let copy = request.clone();
                std::thread::spawn(move || {
                    if let Ok(mut s) = TcpStream::connect(target) {
                        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                        let _ = s.write_all(&copy);
                        let _ = std::io::copy(&mut s, &mut std::io::sink());
                    }
                });
            }
            _ => {
                counts.passed.fetch_add(1, Ordering::Relaxed);
            }
        }
        if server.write_all(&request).is_err() {
            break;
        }
    }
    close(&server);
}

/// A random edit on a device: edit a grid or household, create a grid, or delete a resident.
fn random_edit(store: &mut Store, rng: &mut Rng, tag: &str) {
    let _ = match rng.below(4) {
        0 => {
            let grids = store.list::<Grid>().unwrap_or_default();
            if grids.is_empty() {
                return;
            }
            let mut g = grids[rng.below(grids.len() as u64) as usize].clone();
            g.note = format!("{tag}-{}", rng.below(1000));
            store.save(&g).map(|_| ())
        }
        1 => {
            let households = store.list::<Household>().unwrap_or_default();
            if households.is_empty() {
                return;
            }
            let mut h = households[rng.below(households.len() as u64) as usize].clone();
            h.note = format!("{tag}-{}", rng.below(1000));
            store.save(&h).map(|_| ())
        }
        2 => store
            .save(&Grid {
                name: format!("{tag} 新网格 {}", rng.below(1000)),
                ..Grid::default()
            })
            .map(|_| ()),
        _ => {
            let residents = store.list::<Resident>().unwrap_or_default();
            if residents.is_empty() {
                return;
            }
            let id = residents[rng.below(residents.len() as u64) as usize]
                .id
                .clone();
            store.delete::<Resident>(&id)
        }
    };
}

struct Version {
    table: String,
    row_id: String,
    hlc: String,
    device_id: String,
    base_hlc: Option<String>,
    pushed: bool,
    seq: i64,
}

fn versions(store: &Store) -> Vec<Version> {
    let mut stmt = store
        .conn()
        .prepare("SELECT table_name, row_id, hlc, device_id, base_hlc, pushed, seq FROM change_log")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(Version {
            table: r.get(0)?,
            row_id: r.get(1)?,
            hlc: r.get(2)?,
            device_id: r.get(3)?,
            base_hlc: r.get(4)?,
            pushed: r.get(5)?,
            seq: r.get(6)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn run_seed(seed: u64, dir: &Path) -> String {
    let mut rng = Rng(seed);
    let county_db = dir.join("county.db");
    let storage = Arc::new(SqliteStorage::open(&county_db).unwrap());
    let mut server = TestServer::start_with(storage.clone(), 0).unwrap();
    let proxy = Proxy::start(server.addr, seed ^ 0xF00D);
    let client = SyncClient::with_timeout(&proxy.url(), Duration::from_secs(3)).unwrap();

    let mut devices = vec![demo_store(&dir.join("d0.db"), 6, seed)];
    let code = village_code(&devices[0]);
    let device_count = 2 + rng.below(3) as usize; // 2 to 4 devices
    for i in 1..device_count {
        devices.push(Store::open(&dir.join(format!("d{i}.db"))).unwrap());
    }
    for store in devices.iter_mut() {
        let enrollment = storage.add_village(&code, "演示村").unwrap();
        client.enroll(store, &enrollment).unwrap();
    }
    drop(storage);

    proxy.faulty.store(true, Ordering::SeqCst);
    let mut restarts = 0;
    let mut failures = 0;
    let rounds = 6 + rng.below(4);
    for round in 0..rounds {
        for (i, store) in devices.iter_mut().enumerate() {
            for _ in 0..rng.below(4) {
                random_edit(store, &mut rng, &format!("s{seed}d{i}r{round}"));
            }
            if client.sync_once(store, &mut |_| {}).is_err() {
                failures += 1;
            }
        }
        if rng.below(4) == 0 {
            server.stop();
            let storage = Arc::new(SqliteStorage::open(&county_db).unwrap());
            server = TestServer::start_with(storage, 0).unwrap();
            *proxy.upstream.lock().unwrap() = server.addr;
            restarts += 1;
        }
    }

    // Heal: two clean rounds bring everyone everything.
    proxy.faulty.store(false, Ordering::SeqCst);
    for _ in 0..2 {
        for store in devices.iter_mut() {
            let mut tries = 0;
            while let Err(e) = client.sync_once(store, &mut |_| {}) {
                tries += 1;
                assert!(tries < 5, "seed {seed}: sync fails after healing: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    server.stop();

    // Everyone holds the same live rows as the county.
    let county = SqliteStorage::open(&county_db).unwrap();
    let mut expected = county.live_rows(&code).unwrap();
    expected.extend(county.live_rows("county").unwrap());
    for (i, store) in devices.iter().enumerate() {
        assert_same_rows(
            &device_rows(store),
            &expected,
            &format!("seed {seed} device {i}"),
        );
    }

    // Every change reached the county exactly once, and every device knows it.
    let all: Vec<Version> = devices.iter().flat_map(versions).collect();
    assert!(
        all.iter().all(|v| v.pushed),
        "seed {seed}: a change not acknowledged"
    );
    let conn = rusqlite::Connection::open(&county_db).unwrap();
    let stored: BTreeSet<(String, i64)> = conn
        .prepare("SELECT device_id, seq FROM change WHERE via <> 'county'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let made: BTreeSet<(String, i64)> = all.iter().map(|v| (v.device_id.clone(), v.seq)).collect();
    assert_eq!(stored, made, "seed {seed}: lost or extra changes");
    assert_eq!(
        county.change_count().unwrap() as usize,
        all.len(),
        "seed {seed}"
    );

    // Every version that was overwritten without being seen is kept as a conflict.
    let finals: BTreeMap<(String, String), (String, String)> = conn
        .prepare("SELECT table_name, row_id, hlc, device_id FROM row_state")
        .unwrap()
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let conflicts: BTreeSet<(String, String, String, String)> =
        county.conflicts().unwrap().into_iter().collect();
    let bases: BTreeSet<(String, String, String)> = all
        .iter()
        .filter_map(|v| {
            v.base_hlc
                .clone()
                .map(|b| (v.table.clone(), v.row_id.clone(), b))
        })
        .collect();
    let mut overwritten = 0;
    for v in &all {
        let key = (v.table.clone(), v.row_id.clone());
        if finals.get(&key) == Some(&(v.hlc.clone(), v.device_id.clone())) {
            continue;
        }
        if bases.contains(&(v.table.clone(), v.row_id.clone(), v.hlc.clone())) {
            continue;
        }
        overwritten += 1;
        assert!(
            conflicts.contains(&(
                v.table.clone(),
                v.row_id.clone(),
                v.hlc.clone(),
                v.device_id.clone()
            )),
            "seed {seed}: an overwritten version of {key:?} is not in conflicts"
        );
    }
    // No device claims a conflict the county does not know.
    for store in &devices {
        for c in cunan_core::sync::conflicts(store, true).unwrap() {
            let key = (
                c.table.clone(),
                c.row_id.clone(),
                c.loser_hlc.clone(),
                c.loser_device_id.clone(),
            );
            assert!(
                conflicts.contains(&key),
                "seed {seed}: a device-only conflict {key:?} winner {} {} on device {}; server: {:?}; versions: {:?}",
                c.winner_hlc, c.winner_device_id, store.device_id(),
                conflicts.iter().filter(|k| k.1 == c.row_id).collect::<Vec<_>>(),
                all.iter().filter(|v| v.row_id == c.row_id).map(|v| (&v.hlc, &v.device_id, &v.base_hlc)).collect::<Vec<_>>()
            );
        }
    }
    let c = &proxy.counts;
    format!(
        "seed {seed}: {} devices, {} changes, {overwritten} overwritten (all in conflicts), {restarts} restarts, {failures} failed syncs; faults: dropped {}, truncated {}, lost responses {}, delayed {}, replayed {}, truncated responses {}, passed {}",
        devices.len(),
        all.len(),
        c.dropped.load(Ordering::Relaxed),
        c.truncated.load(Ordering::Relaxed),
        c.lost_response.load(Ordering::Relaxed),
        c.delayed.load(Ordering::Relaxed),
        c.replayed.load(Ordering::Relaxed),
        c.truncated_response.load(Ordering::Relaxed),
        c.passed.load(Ordering::Relaxed),
    )
}

#[test]
fn replicas_converge_after_faults_with_nothing_lost_or_doubled() {
    let seeds: u64 = std::env::var("CUNAN_FAULT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let first: u64 = std::env::var("CUNAN_FAULT_FIRST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for seed in first..first + seeds {
        let dir = tempfile::tempdir().unwrap();
        let summary = run_seed(seed, dir.path());
        eprintln!("{summary}");
    }
}
