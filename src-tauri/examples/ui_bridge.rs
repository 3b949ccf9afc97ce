//! Runs the UI test bridge by hand, to look at the screens in a browser against the real core:
//! `scripts/ui-dev.sh` (builds `ui/dist-uitest` and a demo village first).
//!
//! Usage: `ui_bridge STORE.sqlite3 DIST_DIR [PORT]`

#[path = "../tests/support/bridge.rs"]
mod bridge;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(store), Some(dist)) = (args.first(), args.get(1)) else {
        eprintln!("usage: ui_bridge STORE.sqlite3 DIST_DIR [PORT]");
        std::process::exit(2);
    };
    let port = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(5178);
    let running = bridge::start(store.as_ref(), dist.as_ref(), port);
    println!("ui_bridge: {}", running.url());
    loop {
        std::thread::park();
    }
}
