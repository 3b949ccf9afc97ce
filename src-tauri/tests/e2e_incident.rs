//! End-to-end, emergency mode in the real `cunan-app` window (tauri-driver, WebKitWebDriver,
//! Xvfb; see `e2e.rs` and tests/README.md): an incident started from the start page shows its
//! report clock, and a first report filed on the emergency page is kept and gives its SMS text;
//! a transfer for it is started on the 转移点名 page, a household is marked in one tap, the totals
//! follow and the next report starts from the people moved.

mod support;

use std::path::Path;

use cunan_core::incident::ReportKind;
use support::{fill_setup_form, screenshot_dir, Harness};

#[test]
fn an_incident_started_in_the_window_shows_its_clock_and_keeps_its_first_report() {
    let app = Path::new(env!("CARGO_BIN_EXE_cunan-app"));
    let shots = screenshot_dir(app).join("incident");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let harness = Harness::start(app);
    let s = harness.launch();
    fill_setup_form(&s, "青石村", "330502101201");
    s.click(&s.wait_for("[data-test=save-village]"));
    s.wait_for_text("[data-test=header-village-name]", "青石村");

    // Two clicks from the start page, with the place typed in between.
    s.click(&s.wait_for("[data-test=start-incident]"));
    s.fill("incident-place", "溪口桥");
    s.click(&s.wait_for("[data-test=incident-start]"));

    // The clock runs on the system clock: severity unknown, 15 minutes to the telephone report.
    // WebKitWebDriver's element text leaves out a line cut with an ellipsis: read it from the page.
    let facts = s.wait_until("the clock's facts", || {
        let text = s.execute(
            "return document.querySelector('[data-test=incident-clock-facts]')?.innerText ?? ''",
            serde_json::json!([]),
        );
        text.as_str()
            .filter(|t| t.contains("溪口桥"))
            .map(str::to_string)
    });
    assert!(facts.contains("防汛防台"), "{facts}");
    let phone = s.wait_for_text("[data-test=incident-clock] [data-test=deadline]", "还剩");
    assert!(s.text(&phone).contains("电话报告"), "{}", s.text(&phone));
    s.wait_for("[data-test=report-form][data-kind=首报]");
    s.screenshot(&shots.join("started.png"));

    s.fill("report-evacuated", "12");
    s.fill("report-actions", "已封闭溪口桥");
    s.click(&s.wait_for("[data-test=report-save]"));
    s.wait_for("[data-test=sent-report][data-kind=first]");
    let sms = s.wait_for_text("[data-test=sms-text]", "溪口桥");
    assert!(s.text(&sms).contains("已转移12人"), "{}", s.text(&sms));
    s.wait_for_text("[data-test=sms-count]", "条短信");
    s.wait_for_text("[data-test=incident-clock]", "已报（按时）");
    s.screenshot(&shots.join("first-report.png"));

    // A household of three in a hazard area, registered (as the roster screen or an import
    // would) through a second connection to the same file while the window is open.
    let household = {
        let mut store = cunan_core::Store::open(&harness.store_path()).expect("the store opens");
        let h = store
            .save(&cunan_core::Household {
                head_name: "张甲".into(),
                address: "溪口1号".into(),
                in_danger_zone: true,
                ..Default::default()
            })
            .expect("household");
        for (name, relation) in [("张甲", "户主"), ("李乙", "配偶"), ("张丙", "子")] {
            store
                .save(&cunan_core::Resident {
                    household_id: h.id.clone(),
                    name: name.into(),
                    relation: relation.into(),
                    ..Default::default()
                })
                .expect("resident");
        }
        h.id
    };

    // The transfer belongs to the open incident; the list holds the three.
    s.click(&s.wait_for("[data-test=nav-rollcall]"));
    s.click(&s.wait_for("[data-test=rollcall-new]"));
    s.wait_for_text("[data-test=rollcall-estimate]", "1 户 3 人");
    s.click(&s.wait_for("[data-test=rollcall-start]"));
    s.wait_for(&format!(
        "[data-test=rollcall-household][data-id='{household}']"
    ));
    s.wait_for_text("[data-test=total-not-moved]", "3");
    let tap = s.find_all(&format!(
        "[data-test=rollcall-household][data-id='{household}'] [data-test=household-mark-moved]"
    ));
    assert_eq!(tap.len(), 1, "one 全户已转移 button on the household's row");
    s.click(&tap[0]);
    s.wait_for("[data-test=rollcall-person][data-status=moved]");
    s.wait_until("every member marked", || {
        (s.find_all("[data-test=rollcall-person][data-status=moved]")
            .len()
            == 3)
            .then_some(())
    });
    s.wait_for_text("[data-test=total-moved]", "3");
    // Read from the page: WebKitWebDriver leaves out text in a cell cut with an ellipsis.
    let left = s.execute(
        "return document.querySelector(arguments[0])?.innerText ?? ''",
        serde_json::json!([format!(
            "[data-test=rollcall-household][data-id='{household}'] [data-test=household-left]"
        )]),
    );
    assert!(
        left.as_str().is_some_and(|t| t.contains("3 人 · 全部安全")),
        "{left}"
    );
    s.screenshot(&shots.join("rollcall.png"));

    // The next report starts from the roll call.
    s.click(&s.wait_for("[data-test=nav-emergency]"));
    s.wait_for_text("[data-test=incident-rollcall]", "已转移 3 人");
    // The form follows the roll call even when it was drawn before the board was read again.
    let evacuated = s.wait_for("[data-test=report-evacuated]");
    s.wait_until("转移人数 from the roll call", || {
        (s.property(&evacuated, "value") == serde_json::json!("3")).then_some(())
    });
    s.quit();

    // The incident and its first report are in the store file on disk, as sent.
    let store = cunan_core::Store::open(&harness.store_path()).expect("the store opens");
    let incidents = store.list::<cunan_core::Incident>().expect("incidents");
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].place, "溪口桥");
    let reports = store.list::<cunan_core::IncidentReport>().expect("reports");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].kind, ReportKind::First);
    assert_eq!(reports[0].evacuated, 12);
    assert_eq!(
        reports[0].reporter, "王建国",
        "the officer reports by default"
    );
    let events = store
        .list::<cunan_core::EvacuationEvent>()
        .expect("transfers");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].incident_id.as_deref(),
        Some(incidents[0].id.as_str())
    );
    let marks = store.list::<cunan_core::EvacuationStatus>().expect("marks");
    assert_eq!(marks.len(), 3);
    assert!(
        marks
            .iter()
            .all(|m| m.status == cunan_core::rollcall::Mark::Moved && m.marked_by == "王建国"),
        "{marks:?}"
    );
}
