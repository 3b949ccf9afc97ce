//! Times the roster screen and people search: `cargo bench -p cunan-core --bench roster`.
//!
//! Plain `std::time::Instant`, no harness. Makes the 2,000-household demo village in a temp
//! dir, then: `roster()` (the roster screen's one read), `PeopleIndex::build`, and search latency
//! (median and p95) for typical queries.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::roster::{self, PeopleIndex};

const RUNS: usize = 20;
const SEARCH_RUNS: usize = 500;

fn fail(what: &str, e: &dyn std::fmt::Display) -> ! {
    eprintln!("{what} failed: {e}");
    std::process::exit(1);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (median, p95, max) of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95), at(1.0))
}

fn main() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail("temp dir", &e));
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
    let start = Instant::now();
    let (store, summary) = demo::create(
        &dir.path().join("bench.sqlite3"),
        DemoOptions {
            households: 2000,
            seed: 1,
            today,
        },
    )
    .unwrap_or_else(|e| fail("demo", &e));
    println!(
        "demo village: {} households, {} residents, {} vulnerable (made in {:.0} ms)",
        summary.households,
        summary.residents,
        summary.vulnerable,
        ms(start.elapsed())
    );

    let start = Instant::now();
    let view = roster::roster(&store).unwrap_or_else(|e| fail("roster", &e));
    let first = start.elapsed();
    let (median, p95, max) = time(RUNS, || roster::roster(&store));
    println!(
        "roster(): {} grids, {} households, {} residents",
        view.grids.len(),
        view.households.len(),
        view.totals.residents
    );
    println!(
        "  first {:.1} ms; over {RUNS} runs median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(first),
        ms(median),
        ms(p95),
        ms(max)
    );

    let start = Instant::now();
    let index = PeopleIndex::build(&store).unwrap_or_else(|e| fail("PeopleIndex::build", &e));
    let first = start.elapsed();
    let (median, p95, max) = time(RUNS, || PeopleIndex::build(&store));
    println!("PeopleIndex::build: {} people", index.len());
    println!(
        "  first {:.1} ms; over {RUNS} runs median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(first),
        ms(median),
        ms(p95),
        ms(max)
    );

    println!("search, limit 50, {SEARCH_RUNS} runs each:");
    for query in [
        "zs",
        "wxm",
        "wjg",
        "张",
        "王小",
        "138",
        "1380",
        "zhang",
        "wangjianguo",
        "张j",
    ] {
        let hits = index.search(query, 50);
        let total = index.search(query, usize::MAX).len();
        let (median, p95, max) = time(SEARCH_RUNS, || index.search(query, 50));
        println!(
            "  {query:<6} {total:>5} matches ({:>2} shown): median {:.3} ms, p95 {:.3} ms, max {:.3} ms",
            hits.len(),
            ms(median),
            ms(p95),
            ms(max)
        );
    }
}
