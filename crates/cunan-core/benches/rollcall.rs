//! Times the evacuation roll call: `cargo bench -p cunan-core --bench rollcall`.
//!
//! Plain `std::time::Instant`, no harness. On the 2,000-household demo village (about 6,000
//! people) in a temp dir: starting a whole-village roll call (the list written in one
//! transaction), marks per second (one person per mark, each its own transaction, as a tap on
//! screen saves it), a household in one tap, the totals refresh, and the full list with totals.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::rollcall::{self, Mark, MarkInput, TransferOrder};
use cunan_core::{HazardKind, Household};

const RUNS: usize = 30;

fn fail(what: &str, e: &dyn std::fmt::Display) -> ! {
    eprintln!("{what} failed: {e}");
    std::process::exit(1);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median_p95(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| ms(times[((times.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.95))
}

fn main() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", &e));
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap_or_default();
    let (mut store, summary) = demo::create(
        &dir.path().join("bench.sqlite3"),
        DemoOptions {
            households: 2000,
            seed: 1,
            today,
        },
    )
    .unwrap_or_else(|e| fail("demo village", &e));
    let order = TransferOrder {
        hazard: Some(HazardKind::Flood),
        level: "red".into(),
        ..TransferOrder::default()
    };
    let start = Instant::now();
    let event = rollcall::start(&mut store, &order).unwrap_or_else(|e| fail("start", &e));
    let started = start.elapsed();
    let call = rollcall::roll_call(&store, &event.id).unwrap_or_else(|e| fail("list", &e));
    println!(
        "start a whole-village roll call ({} households, {} people on the list): {:.1} ms",
        summary.households,
        call.people.len(),
        ms(started)
    );

    let marks = 300.min(call.people.len());
    let input = MarkInput {
        status: Mark::Moved,
        marked_by: "bench".into(),
        ..MarkInput::default()
    };
    let start = Instant::now();
    for p in call.people.iter().take(marks) {
        rollcall::mark(
            &mut store,
            &event.id,
            std::slice::from_ref(&p.resident_id),
            &input,
        )
        .unwrap_or_else(|e| fail("mark", &e));
    }
    let elapsed = start.elapsed();
    println!(
        "marks, one person each: {:.0} marks/s ({marks} marks in {:.0} ms)",
        marks as f64 / elapsed.as_secs_f64(),
        ms(elapsed)
    );

    let households: Vec<Household> = store
        .list::<Household>()
        .unwrap_or_else(|e| fail("households", &e));
    let mut times = Vec::new();
    for h in households.iter().skip(200).take(RUNS) {
        let start = Instant::now();
        rollcall::mark_household(&mut store, &event.id, &h.id, &input)
            .unwrap_or_else(|e| fail("household", &e));
        times.push(start.elapsed());
    }
    let (median, p95) = median_p95(times);
    println!("a household in one tap: median {median:.2} ms, p95 {p95:.2} ms ({RUNS} runs)");

    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(
            rollcall::totals(&store, &event.id).unwrap_or_else(|e| fail("totals", &e)),
        );
        times.push(start.elapsed());
    }
    let (median, p95) = median_p95(times);
    println!("totals refresh (village, grids, shelters): median {median:.2} ms, p95 {p95:.2} ms ({RUNS} runs; target < 50 ms)");

    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(
            rollcall::roll_call(&store, &event.id).unwrap_or_else(|e| fail("list", &e)),
        );
        times.push(start.elapsed());
    }
    let (median, p95) = median_p95(times);
    println!("the full list with totals: median {median:.2} ms, p95 {p95:.2} ms ({RUNS} runs)");
}
