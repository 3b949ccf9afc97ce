//! Times rendering the sample card: `cargo bench -p cunan-print`.
//!
//! Plain `std::time::Instant`, no harness. The first render also parses the
//! bundled fonts (once per process) and is reported on its own.

#[path = "../tests/sample/mod.rs"]
mod sample;

use std::time::Instant;

const RUNS: u32 = 20;

fn main() {
    let card = sample::flood_card();

    let start = Instant::now();
    let first = match cunan_print::render_response_card(&card) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("render failed: {}: {e}", e.code());
            std::process::exit(1);
        }
    };
    let first_ms = start.elapsed().as_secs_f64() * 1000.0;

    let start = Instant::now();
    let mut size = first.len();
    for _ in 0..RUNS {
        match cunan_print::render_response_card(&card) {
            Ok(bytes) => size = bytes.len(),
            Err(e) => {
                eprintln!("render failed: {}: {e}", e.code());
                std::process::exit(1);
            }
        }
    }
    let per_card = start.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);

    println!("first card (incl. font parsing): {first_ms:.1} ms");
    println!("per card, average of {RUNS}:     {per_card:.1} ms");
    println!(
        "PDF size:                        {:.1} KB",
        size as f64 / 1024.0
    );
}
