//! Renders the sample card (tests/sample) to a file, for looking at it:
//! `cargo run -p cunan-print --example render_sample -- /tmp/card.pdf`
//!
//! With `--double` every phase gets its steps twice, to see the card shrink.

#[path = "../tests/sample/mod.rs"]
mod sample;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let double = args.iter().any(|a| a == "--double");
    let out = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "card.pdf".to_owned());

    let mut card = sample::flood_card();
    if double {
        for phase in &mut card.phases {
            let again = phase.steps.clone();
            phase.steps.extend(again);
        }
    }
    match cunan_print::render_response_card(&card) {
        Ok(bytes) => {
            if let Err(e) = std::fs::write(&out, &bytes) {
                eprintln!("cannot write {out}: {e}");
                std::process::exit(1);
            }
            println!("wrote {out} ({} bytes)", bytes.len());
        }
        Err(e) => {
            eprintln!("{}: {e}", e.code());
            std::process::exit(1);
        }
    }
}
