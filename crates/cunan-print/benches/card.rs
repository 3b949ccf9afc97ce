//! Times the printouts: `cargo bench -p cunan-print`.
//!
//! Plain `std::time::Instant`, no harness. The first render also parses the
//! bundled fonts (once per process) and is reported on its own. Then the
//! 2,000-household demo village: household cards per second and the size of
//! every product.

#[path = "../tests/sample/mod.rs"]
mod sample;

use std::time::Instant;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::printouts::{self, Printout};

const RUNS: u32 = 20;

fn fail(what: &str, e: &dyn std::fmt::Display) -> ! {
    eprintln!("{what} failed: {e}");
    std::process::exit(1);
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn main() {
    let card = sample::flood_card();

    let start = Instant::now();
    let first = cunan_print::render_response_card(&card).unwrap_or_else(|e| fail("render", &e));
    let first_ms = start.elapsed().as_secs_f64() * 1000.0;

    let start = Instant::now();
    let mut size = first.len();
    for _ in 0..RUNS {
        size = cunan_print::render_response_card(&card)
            .unwrap_or_else(|e| fail("render", &e))
            .len();
    }
    let per_card = start.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);

    println!("response card (sample)");
    println!("  first card (incl. font parsing): {first_ms:.1} ms");
    println!("  per card, average of {RUNS}:     {per_card:.1} ms");
    println!(
        "  PDF size:                        {:.1} KB ({size} bytes)",
        kb(size)
    );

    // The 2,000-household demo village.
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
        "demo village: {} households, {} residents (made in {:.0} ms)",
        summary.households,
        summary.residents,
        start.elapsed().as_secs_f64() * 1000.0
    );

    let demo_card = cunan_core::card::build(&store, cunan_core::HazardKind::Flood, today)
        .unwrap_or_else(|e| fail("card::build", &e));
    let bytes = cunan_print::render_response_card(&demo_card).unwrap_or_else(|e| fail("card", &e));
    println!(
        "response card (demo village, flood): {:.1} KB",
        kb(bytes.len())
    );

    let start = Instant::now();
    let cards =
        printouts::household_cards(&store, today).unwrap_or_else(|e| fail("household_cards", &e));
    let build_ms = start.elapsed().as_secs_f64() * 1000.0;
    let n = cards.cards.len();
    let start = Instant::now();
    let pdf = cunan_print::render(&Printout::HouseholdCards(cards))
        .unwrap_or_else(|e| fail("household cards", &e));
    let render_s = start.elapsed().as_secs_f64();
    println!(
        "household cards: {n} households (x3 copies = {} cards), one A4 sheet each",
        3 * n
    );
    println!("  model from store: {build_ms:.0} ms");
    println!(
        "  render: {:.0} ms = {:.0} households/s = {:.0} card copies/s ({:.1} ms per household sheet)",
        render_s * 1000.0,
        n as f64 / render_s,
        3.0 * n as f64 / render_s,
        render_s * 1000.0 / n.max(1) as f64
    );
    println!(
        "  PDF size: {:.1} KB ({:.1} KB per household)",
        kb(pdf.len()),
        kb(pdf.len()) / n.max(1) as f64
    );

    let products: [(&str, Printout); 3] = [
        (
            "grid sheets",
            Printout::GridSheets(
                printouts::grid_sheets(&store, None, today).unwrap_or_else(|e| fail("grid", &e)),
            ),
        ),
        (
            "kit sheet",
            Printout::KitSheet(
                printouts::kit_sheet(&store, today).unwrap_or_else(|e| fail("kit", &e)),
            ),
        ),
        (
            "contacts sheet",
            Printout::ContactsSheet(
                printouts::contacts_sheet(&store, today).unwrap_or_else(|e| fail("contacts", &e)),
            ),
        ),
    ];
    for (name, printout) in &products {
        let start = Instant::now();
        let pdf = cunan_print::render(printout).unwrap_or_else(|e| fail(name, &e));
        println!(
            "{name}: {:.0} ms, {:.1} KB",
            start.elapsed().as_secs_f64() * 1000.0,
            kb(pdf.len())
        );
    }
}
