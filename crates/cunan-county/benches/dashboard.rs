//! Dashboard benchmark (`cargo bench -p cunan-county --bench dashboard`): a county of 500
//! villages, each holding a demo village's rows (60 households unless `CUNAN_BENCH_HOUSEHOLDS`
//! says otherwise; `CUNAN_BENCH_VILLAGES` scales the county), then the time to compute every
//! village's summary (the village app's rules on a replica of its rows: the first load after
//! every village changed) and the time of the dashboard page over HTTP once they are stored.

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::sync::Change;
use cunan_county::{CountyStorage, DeviceAuth, SqliteStorage, TestServer, Via};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `change` moved to village number `i`: its code, and every id (UUIDv7) given the village's own
/// first 8 hex digits, so references inside the rows still meet.
fn moved(change: &Change, i: usize, code: &str, device: &str) -> Change {
    let from = &change.village_code;
    let text = serde_json::to_string(change).unwrap();
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        // An id: 8 hex, '-', 4 hex, '-7'.
        let is_id = k + 15 <= bytes.len()
            && bytes[k..k + 8].iter().all(u8::is_ascii_hexdigit)
            && bytes[k + 8] == b'-'
            && bytes[k + 13] == b'-'
            && bytes[k + 14] == b'7'
            && (k == 0 || !bytes[k - 1].is_ascii_hexdigit());
        if is_id {
            out.push_str(&format!("{:08x}", 0x1000_0000 + i));
            k += 8;
        } else {
            out.push(bytes[k] as char);
            k += 1;
        }
    }
    let out = out.replace(from.as_str(), code);
    let mut change: Change = serde_json::from_str(&out).unwrap();
    change.device_id = device.to_string();
    if let Some(data) = change.data.as_object_mut() {
        data.insert("device_id".into(), device.into());
    }
    change
}

fn main() {
    let villages = env("CUNAN_BENCH_VILLAGES", 500);
    let households = env("CUNAN_BENCH_HOUSEHOLDS", 60);
    let dir = tempfile::tempdir().unwrap();
    let (demo, _) = demo::create(
        &dir.path().join("demo.db"),
        DemoOptions {
            households,
            seed: 1,
            today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        },
    )
    .unwrap();
    let changes = cunan_core::sync::all_changes(&demo, 0, 1_000_000).unwrap();
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.db")).unwrap());
    let started = Instant::now();
    for i in 0..villages {
        // Two townships' worth of codes per hundred villages.
        let code = format!("3305991{:02}{:03}", 1 + i / 100, i % 100 + 200);
        storage.add_village(&code, &format!("村{i}")).unwrap();
        let device = format!("bench-{i}");
        let auth = DeviceAuth {
            village_code: code.clone(),
            device_id: device.clone(),
        };
        let mine: Vec<Change> = changes
            .iter()
            .map(|c| moved(c, i, &code, &device))
            .collect();
        for batch in mine.chunks(500) {
            storage.push(&auth, batch, Via::Push).unwrap();
        }
    }
    println!(
        "county: {villages} villages × {} changes ({households} households each) stored in {:.1} s",
        changes.len(),
        started.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let list = cunan_county::summary::summaries(storage.as_ref()).unwrap();
    let cold = t.elapsed();
    assert_eq!(list.len(), villages);
    println!(
        "summaries computed for every village: {:.2} s ({:.1} ms a village)",
        cold.as_secs_f64(),
        cold.as_secs_f64() * 1000.0 / villages as f64
    );
    let t = Instant::now();
    cunan_county::summary::summaries(storage.as_ref()).unwrap();
    println!(
        "summaries read back, nothing changed: {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );

    let hash = cunan_county::dashboard::hash_password("bench password").unwrap();
    storage.add_user("bench", "基准", &hash, "").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    cunan_sync::SyncClient::new(&server.url()).unwrap();
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{}/login", server.url()))
        .form(&[("username", "bench"), ("password", "bench password")])
        .send()
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let page = http
            .get(format!("{}/dashboard", server.url()))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .text()
            .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        size = page.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "dashboard page with {villages} villages: {:.0} ms median of 5 ({:.0}–{:.0} ms), {} KiB of HTML",
        times[2],
        times[0],
        times[4],
        size / 1024
    );
}
