//! The real `cunan` binary on a real store file: demo → card → a PDF read back with poppler.

mod common;

use std::process::Output;

use common::{cunan, poppler, squeeze};

use cunan_core::{HazardKind, Plan, Store};

#[test]
fn demo_then_card_gives_a_one_page_pdf_with_an_embedded_subset_font_and_the_plan_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    let out = cunan(&db, &["demo", "--households", "120", "--seed", "7"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("120 户"));

    let pdf = dir.path().join("flood.pdf");
    let out = cunan(
        &db,
        &["card", "--hazard", "flood", "--out", pdf.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let info = poppler("pdfinfo", &pdf);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
        "{info}"
    );
    assert!(info.contains("595.") && info.contains("841."), "A4: {info}");

    let fonts = poppler("pdffonts", &pdf);
    let font_rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_rows.is_empty(), "{fonts}");
    for row in &font_rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type [type…] encoding emb sub uni object ID
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            ["yes", "yes", "yes"],
            "embedded, subset, unicode: {row}"
        );
        assert!(
            cols[0].contains('+'),
            "subset fonts are named XXXXXX+Name: {row}"
        );
    }

    let text = squeeze(&poppler("pdftotext", &pdf));
    let store = Store::open(&db).unwrap();
    let village = store.village().unwrap().unwrap();
    assert!(text.contains(&village.name), "village name on the card");
    assert!(text.contains("防汛防台"));
    let plan = store
        .query::<Plan>("hazard = ?1", &[&HazardKind::Flood.code()])
        .unwrap()
        .remove(0);
    for (label, answer) in [
        ("责任人", &plan.responsible),
        ("监测人", &plan.monitor),
        ("信息员", &plan.reporter),
        ("预警信号", &plan.warning_signal),
        ("转移路线", &plan.route),
        ("安置点", &plan.safe_place),
    ] {
        assert!(text.contains(label), "{label} on the card");
        assert!(
            text.contains(&squeeze(answer)),
            "{label}'s answer {answer:?} on the card"
        );
    }
}

#[test]
fn stats_counts_live_rows_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    assert!(cunan(&db, &["demo", "--households", "40"]).status.success());
    let out = cunan(&db, &["stats", "--json"]);
    assert!(out.status.success());
    let stats: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stats --json is JSON");
    assert_eq!(stats["household"], 40);
    assert_eq!(stats["village"], 1);
    assert_eq!(stats["plan"], 2);
    let residents = stats["resident"].as_i64().unwrap();
    assert!(residents >= 40, "{residents}");
}

#[test]
fn mistakes_get_a_chinese_message_and_a_non_zero_exit_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    let check = |out: Output, code: &str, words: &str| {
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(err.contains(&format!("[{code}]")), "{err}");
        assert!(err.contains(words), "{err}");
    };
    check(cunan(&db, &["stats"]), "store_missing", "不存在");
    assert!(!db.exists(), "reading commands never create a store");
    assert!(cunan(&db, &["demo", "--households", "10"]).status.success());
    let before = std::fs::read(&db).unwrap();
    check(cunan(&db, &["demo"]), "store_exists", "不会覆盖");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let pdf = dir.path().join("x.pdf");
    check(
        cunan(
            &db,
            &[
                "card",
                "--hazard",
                "tsunami",
                "--out",
                pdf.to_str().unwrap(),
            ],
        ),
        "unknown_hazard",
        "flood",
    );
    check(
        cunan(
            &db,
            &[
                "card",
                "--hazard",
                "earthquake",
                "--out",
                pdf.to_str().unwrap(),
            ],
        ),
        "no_plan",
        "地震",
    );
    assert!(!pdf.exists());
}
