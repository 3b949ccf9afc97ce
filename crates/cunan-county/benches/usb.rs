//! USB sync benchmark (`cargo bench -p cunan-county --bench usb`): the 2,000-household demo
//! village's bundle for the county, the county's import, its reply for the village (with the
//! receipt), and the village reading the reply back: sizes and wall times. `CUNAN_BENCH_HOUSEHOLDS`
//! scales it down for a quick look.

use std::time::Instant;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_county::{county_bundle, import_bundle, CountyStorage, SqliteStorage};
use cunan_sync::bundle;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let households = std::env::var("CUNAN_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().unwrap();
    let (mut village, summary) = demo::create(
        &dir.path().join("village.db"),
        DemoOptions {
            households,
            seed: 1,
            today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        },
    )
    .unwrap();
    let code = village.village().unwrap().unwrap().code;
    println!(
        "village: {} households, {} residents, {} changes waiting",
        summary.households,
        summary.residents,
        village.unpushed_changes().unwrap()
    );

    let storage = SqliteStorage::open(&dir.path().join("county.db")).unwrap();
    let usb_code = storage.add_village(&code, "演示村").unwrap();
    let t = Instant::now();
    let (_, out) = bundle::export_signed(&village, false, Some(&usb_code)).unwrap();
    println!(
        "village → county bundle: {} KiB, {:.0} ms to make (signed)",
        out.len() / 1024,
        ms(t)
    );

    let t = Instant::now();
    let report = import_bundle(&storage, &out, "bench").unwrap();
    println!(
        "county import: {} changes stored, {:.0} ms",
        report.stored,
        ms(t)
    );

    let t = Instant::now();
    let reply = county_bundle(&storage, &code, "2026-06-15T10:00:00Z").unwrap();
    let reply = cunan_county::encode_county_bundle(&storage, &reply).unwrap();
    println!(
        "county → village reply: {} KiB, {:.0} ms to make",
        reply.len() / 1024,
        ms(t)
    );

    let t = Instant::now();
    let read = bundle::import_county_bundle(&mut village, &reply).unwrap();
    println!(
        "village reads the reply: {} changes, {} applied, {} acknowledged, {} still waiting, {:.0} ms",
        read.changes,
        read.applied,
        read.acknowledged,
        read.still_waiting,
        ms(t)
    );
    let t = Instant::now();
    let (_, next) = bundle::export_signed(&village, false, None).unwrap();
    println!(
        "next village bundle after the receipt: {} bytes, {:.0} ms",
        next.len(),
        ms(t)
    );
}
