//! Times emergency mode's reporting: `cargo bench -p cunan-core --bench incident`.
//!
//! Plain `std::time::Instant`, no harness. On the 2,000-household demo village in a temp dir:
//! from "start incident" to a copyable SMS text (start, the first report filed, the SMS text
//! made), and the emergency board (every incident with its deadlines) with many incidents.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::incident;
use cunan_core::{HazardKind, IncidentReport};

const RUNS: usize = 50;

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
    let village = summary.village.clone();
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| fail("offset", &"+08"));
    let mut times = Vec::new();
    let mut chars = 0;
    for n in 0..RUNS {
        let occurred = (store.clock().now() - chrono::Duration::minutes(10))
            .with_timezone(&beijing)
            .to_rfc3339();
        let start = Instant::now();
        let i = incident::start(
            &mut store,
            HazardKind::Flood,
            &occurred,
            &format!("溪口桥{n}"),
            None,
        )
        .unwrap_or_else(|e| fail("start", &e));
        let report = incident::file_report(
            &mut store,
            &i.id,
            &IncidentReport {
                injured: 2,
                evacuated: 120,
                actions_taken: "已转移低洼户".into(),
                reporter: "潘宇航".into(),
                reporter_phone: "13905720001".into(),
                ..IncidentReport::default()
            },
            false,
        )
        .unwrap_or_else(|e| fail("report", &e));
        let sms = incident::sms_text(&village, &report);
        times.push(start.elapsed());
        chars = sms.chars;
    }
    let (median, p95) = median_p95(times);
    println!(
        "start incident → first report → SMS text ({chars} chars): median {median:.2} ms, p95 {p95:.2} ms ({RUNS} runs)"
    );
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let (board, _) =
            incident::board(&store, store.clock().now()).unwrap_or_else(|e| fail("board", &e));
        std::hint::black_box(board);
        times.push(start.elapsed());
    }
    let (median, p95) = median_p95(times);
    println!("emergency board with {RUNS} incidents: median {median:.2} ms, p95 {p95:.2} ms");
}
