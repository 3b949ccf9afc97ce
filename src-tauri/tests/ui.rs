//! The UI's main flows in headless Chromium (`ui/tests/*.test.mjs`, node's test runner with
//! playwright-core), against the app's real command handler and a real store file through the
//! loopback bridge. Each test file gets a fresh demo village of its own.
//!
//! Needs `ui/dist-uitest` (`npm --prefix ui run build:uitest`, done by scripts/setup.sh), node and
//! Debian's `chromium`.

#[path = "support/bridge.rs"]
mod bridge;

use std::path::{Path, PathBuf};
use std::process::Command;

use cunan_core::demo::{self, DemoOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

#[test]
fn main_flows_in_headless_chromium() {
    let root = root();
    let dist = root.join("ui/dist-uitest");
    assert!(
        dist.join("index.html").is_file(),
        "ui/dist-uitest is missing: run `npm --prefix ui run build:uitest` (scripts/setup.sh does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).is_file(),
        "Chromium not found at {chromium}: install Debian's package `chromium`"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("ui/tests"))
        .expect("ui/tests")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no UI tests in ui/tests");

    // Printouts and exports land in a data folder of the test's own, never the officer's. The
    // bridge runs in this process, and this file holds this one test, so nothing races it.
    let data = tempfile::tempdir().expect("temp dir");
    std::env::set_var("XDG_DATA_HOME", data.path());

    let today = chrono::Local::now().date_naive();
    let roster_xlsx = roster_workbook(data.path(), today);
    let mut failed = Vec::new();
    for file in &files {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("ui.sqlite3");
        demo::create(
            &store,
            DemoOptions {
                households: 300,
                seed: 1,
                today,
            },
        )
        .expect("the demo village");
        let running = bridge::start(&store, &dist, 0);
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let out = Command::new("node")
            .arg("--test")
            .arg("--test-reporter=spec")
            .arg(file)
            .current_dir(root.join("ui"))
            .env("CUNAN_UI_URL", running.url())
            .env("CHROMIUM", &chromium)
            .env("CUNAN_UI_ROSTER_XLSX", &roster_xlsx)
            .output()
            .expect("node runs");
        println!("---- {name}\n{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "UI tests failed: {failed:?}");
}

/// A roster workbook of another (small, fictional) village, for the import flow: exported by the
/// app's own exporter, so it has the headers villages' sheets have.
fn roster_workbook(dir: &Path, today: chrono::NaiveDate) -> PathBuf {
    let (store, _) = demo::create(
        &dir.join("other-village.sqlite3"),
        DemoOptions {
            households: 6,
            seed: 7,
            today,
        },
    )
    .expect("a small village");
    let bytes = cunan_excel::export_roster(&store).expect("export the roster");
    let path = dir.join("花名册.xlsx");
    std::fs::write(&path, bytes).expect("write the workbook");
    path
}
