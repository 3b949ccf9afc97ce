//! End-to-end, the records an officer keeps every day, in the real `cunan-app` window (tauri-driver,
//! WebKitWebDriver, Xvfb; see `e2e.rs` and tests/README.md): a household with a vulnerable resident
//! and their helper is added, found again by pinyin initials, and a kit inspection changes what the
//! compliance view says.

mod support;

use std::path::Path;

use support::{fill_setup_form, screenshot_dir, Harness, Session};

#[test]
fn a_vulnerable_resident_is_found_by_initials_and_an_inspection_clears_a_kit_problem() {
    let app = Path::new(env!("CARGO_BIN_EXE_cunan-app"));
    let shots = screenshot_dir(app).join("records");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let harness = Harness::start(app);
    let s = harness.launch();
    fill_setup_form(&s, "青石村", "330502101201");
    s.click(&s.wait_for("[data-test=save-village]"));
    s.wait_for_text("[data-test=header-village-name]", "青石村");

    add_household_with_a_vulnerable_resident(&s, &shots);
    find_by_initials(&s, &shots);
    inspection_changes_the_compliance_view(&s, &shots);
    s.quit();

    // The records are in the store file on disk, not only on screen.
    let store = cunan_core::Store::open(&harness.store_path()).expect("the store opens");
    let residents = store.list::<cunan_core::Resident>().expect("residents");
    let vulnerable = store
        .list::<cunan_core::VulnerablePerson>()
        .expect("vulnerable people");
    assert_eq!(
        residents
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["李秀英"]
    );
    assert_eq!(vulnerable.len(), 1);
    assert_eq!(vulnerable[0].resident_id, residents[0].id);
    assert_eq!(vulnerable[0].helper_name, "王建国");
    assert_eq!(vulnerable[0].kind, cunan_core::VulnerableKind::Bedridden);
}

fn add_household_with_a_vulnerable_resident(s: &Session, shots: &Path) {
    s.click(&s.wait_for("[data-test=nav-roster]"));
    s.wait_for("[data-test=roster-page]");
    s.click(&s.wait_for("[data-test=household-add]"));
    s.fill("household-head", "李秀英");
    s.fill("household-address", "溪口路 12 号");
    s.fill("household-phone", "13900002222");
    s.click(&s.wait_for("[data-test=household-save]"));
    s.wait_for("[data-test=household-saved]");

    s.click(&s.wait_for("[data-test=resident-add]"));
    s.fill("resident-name", "李秀英");
    s.fill("resident-relation", "户主");
    s.click(&s.wait_for("[data-test=resident-vulnerable]"));
    s.click(&s.wait_for("[data-test=vulnerable-kind] option[value=bedridden]"));
    s.fill("helper-name", "王建国");
    s.fill("helper-phone", "13800001234");
    s.screenshot(&shots.join("resident-form.png"));
    s.click(&s.wait_for("[data-test=resident-save]"));
    shown(s, "household-residents", "李秀英");
    s.screenshot(&shots.join("household.png"));
    s.click(&s.wait_for("[data-test=household-close]"));

    // The list and the totals show the new household and its vulnerable member.
    shown(s, "household-row", "李秀英");
    shown(s, "total-vulnerable", "1");
}

fn find_by_initials(s: &Session, shots: &Path) {
    let search = s.wait_for("[data-test=roster-search]");
    s.type_into(&search, "lxy");
    let text = shown(s, "search-result", "李秀英");
    assert!(
        text.contains("卧床病人"),
        "the hit says the person is vulnerable: {text}"
    );
    s.screenshot(&shots.join("search.png"));
}

fn inspection_changes_the_compliance_view(s: &Session, shots: &Path) {
    s.click(&s.wait_for("[data-test=nav-kit]"));
    s.wait_for("[data-test=kit-table]");
    let before = problems(s);
    assert_eq!(before, 5, "a new village lacks all five standard items");

    // The first standard item arrives: no longer missing, but never inspected.
    s.click(&s.wait_for("[data-test=kit-edit]"));
    s.fill("kit-quantity", "1");
    s.click(&s.wait_for("[data-test=kit-save]"));
    s.wait_for("[data-test=kit-inspect]");
    assert_eq!(problems(s), 5, "an item never inspected is still a problem");

    s.click(&s.wait_for("[data-test=kit-inspect]"));
    s.fill("inspection-inspector", "王建国");
    s.click(&s.wait_for("[data-test=inspection-save]"));
    s.wait_until("the summary to count one problem fewer", || {
        (problems(s) == 4).then_some(())
    });
    s.screenshot(&shots.join("kit-after-inspection.png"));
}

/// Waits until an element marked `data-test=NAME` shows `text`, and returns that element's text.
/// Reads `innerText` in the page: WebKitWebDriver's element-text command came back empty for the
/// roster's rows (flex and table rows inside a scrolling dialog), though they were on screen.
fn shown(s: &Session, name: &str, text: &str) -> String {
    // Only elements that are laid out (innerText of a hidden element is its raw text).
    let script = "return Array.from(document.querySelectorAll(arguments[0])) \
                  .filter(e => e.getClientRects().length > 0).map(e => e.innerText)";
    let css = format!("[data-test={name}]");
    s.wait_until(&format!("{css} to show {text:?}"), || {
        let texts = s.execute(script, serde_json::json!([css]));
        texts
            .as_array()?
            .iter()
            .filter_map(|t| t.as_str())
            .find(|t| t.contains(text))
            .map(str::to_string)
    })
}

/// The number in the kit summary's "N 项需处理".
fn problems(s: &Session) -> usize {
    let summary = s.text(&s.wait_for("[data-test=kit-summary]"));
    summary
        .split("项需处理")
        .next()
        .and_then(|head| head.trim_end().rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
