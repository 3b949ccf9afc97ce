//! End-to-end: the real `cunan-app` binary, driven through tauri-driver and WebKitWebDriver in a
//! throw-away X display and data folder. Needs `xvfb`, `webkit2gtk-driver` and `tauri-driver`
//! (it fails, not skips, and says what to install when one is missing), and the UI built first
//! (`npm --prefix ui run build`) since the binary embeds `ui/dist`.

mod support;

use std::path::Path;
use std::time::Instant;

use support::{fill_setup_form, screenshot_dir, Harness, Session};

const VILLAGE: &str = "青石村";
const CODE: &str = "330502101201";

#[test]
fn first_run_creates_the_village_and_it_persists() {
    let started = Instant::now();
    let app = Path::new(env!("CARGO_BIN_EXE_cunan-app"));
    let shots = screenshot_dir(app);
    let harness = Harness::start(app);

    // First start: no village yet, so the setup form shows.
    let s = harness.launch();
    fill_setup_form(&s, VILLAGE, CODE);
    s.screenshot(&shots.join("setup.png"));
    s.click(&s.wait_for("[data-test=save-village]"));

    // The main layout shows the village; the standard kit was seeded, all of it missing.
    s.wait_for_text("[data-test=header-village-name]", VILLAGE);
    s.click(&s.wait_for("[data-test=nav-village]"));
    s.wait_for("[data-test=village-page]");
    s.screenshot(&shots.join("app.png"));

    s.click(&s.wait_for("[data-test=nav-kit]"));
    s.wait_for("[data-test=kit-table]");
    let rows = s.wait_until("the five standard items", || {
        let rows = s.find_all("[data-test=kit-row]");
        (rows.len() >= 5).then_some(rows)
    });
    let missing = s
        .find_all("[data-test=kit-problem]")
        .iter()
        .filter(|b| s.text(b) == "缺少")
        .count();
    assert_eq!(rows.len(), 5, "the 5 standard items, nothing else");
    assert_eq!(
        missing, 5,
        "every standard item starts as missing (quantity 0)"
    );
    let summary = s.text(&s.wait_for("[data-test=kit-summary]"));
    assert!(summary.contains("5 项需处理"), "summary: {summary}");
    s.screenshot(&shots.join("kit.png"));

    // Print: the kit sheet works for a new village; the preview shows the real PDF.
    print_preview_of_the_kit_sheet(&s, &harness, &shots);
    s.quit();

    assert!(
        harness.store_path().is_file(),
        "the store is in the XDG data folder"
    );

    // Second start on the same data folder: straight to the main layout (the self-check is the
    // start page), village still there.
    let s = harness.launch();
    s.wait_for_text("[data-test=header-village-name]", VILLAGE);
    s.wait_for("[data-test=readiness-page]");
    s.click(&s.wait_for("[data-test=nav-village]"));
    let code = s.property(&s.wait_for("[data-test=village-code]"), "value");
    assert_eq!(code, CODE);
    assert_eq!(
        s.property(&s.wait_for("[data-test=village-code]"), "readOnly"),
        true
    );
    s.quit();

    eprintln!(
        "e2e took {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

/// Generates the kit sheet on the print page and checks the in-app preview and the file on disk.
fn print_preview_of_the_kit_sheet(s: &Session, harness: &Harness, shots: &Path) {
    let started = Instant::now();
    s.click(&s.wait_for("[data-test=nav-print]"));
    s.click(&s.wait_for("[data-test=product-kit_sheet]"));
    s.click(&s.wait_for("[data-test=print-generate]"));
    s.wait_for_text("[data-test=preview-pages]", "共 1 页");
    // pdf.js has drawn the page (not just laid out its placeholder).
    s.wait_for("[data-test=preview-page] canvas");
    let path = s.text(&s.wait_for("[data-test=print-path]"));
    let printouts = harness.home.path().join("data/cn.cunan.app/printouts");
    assert!(
        path.starts_with(&printouts.display().to_string()) && path.ends_with(".pdf"),
        "the PDF is in the app-data printouts folder: {path}"
    );
    let bytes = std::fs::read(&path).expect("the printed PDF is on disk");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
    eprintln!(
        "print preview of the kit sheet: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    s.screenshot(&shots.join("print-preview.png"));
}
