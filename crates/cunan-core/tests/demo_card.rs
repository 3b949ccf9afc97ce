//! The demo village and the response card built from it.

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn content(store: &Store) -> Vec<(String, Vec<String>)> {
    // Everything but the per-device parts (device id, which is random per store).
    records::SYNCED_TABLES
        .iter()
        .map(|t| {
            let mut stmt = store
                .conn()
                .prepare(&format!("SELECT * FROM {t} ORDER BY id"))
                .unwrap();
            let n = stmt.column_count();
            let device_col = stmt.column_index("device_id").unwrap();
            let rows = stmt
                .query_map([], |r| {
                    let mut s = String::new();
                    for i in (0..n).filter(|i| *i != device_col) {
                        let v: rusqlite::types::Value = r.get(i)?;
                        s.push_str(&format!("{v:?}|"));
                    }
                    Ok(s)
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            (t.to_string(), rows)
        })
        .collect()
}

#[test]
fn the_demo_village_is_deterministic_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let options = DemoOptions::new(today());
    let (a, summary) = demo::create(&dir.path().join("a.sqlite3"), options).unwrap();
    let (b, _) = demo::create(&dir.path().join("b.sqlite3"), options).unwrap();
    assert_eq!(content(&a), content(&b), "same seed, same village");
    let (c, _) = demo::create(
        &dir.path().join("c.sqlite3"),
        DemoOptions { seed: 2, ..options },
    )
    .unwrap();
    assert_ne!(content(&a), content(&c), "another seed, another village");

    assert_eq!(summary.households, 300);
    let stats = a.stats().unwrap();
    assert_eq!(stats["household"], 300);
    assert_eq!(stats["resident"] as usize, summary.residents);
    assert!(
        (600..=1200).contains(&summary.residents),
        "about 3 per household: {}",
        summary.residents
    );
    assert!(summary.vulnerable >= 10, "{}", summary.vulnerable);
    assert_eq!(stats["grid"], 6);
    assert_eq!(stats["plan"], 2);
    for table in [
        "shelter",
        "evacuation_route",
        "team",
        "team_member",
        "contact",
        "kit_item",
        "kit_inspection",
        "flood_responsible",
        "hazard_site",
        "hazard_report",
        "drill",
        "vulnerable_person",
        "household_hazard",
    ] {
        assert!(stats[table] > 0, "demo has {table}");
    }
    // Every resident ID in the demo passes the real checksum, every phone is valid (save validated them).
    for r in a.list::<Resident>().unwrap() {
        validate::resident_id("身份证号", &r.id_number).unwrap();
    }
    // The existing file is never overwritten.
    let err = demo::create(&dir.path().join("a.sqlite3"), options)
        .err()
        .unwrap();
    assert_eq!(err.code(), "store_exists");
}

#[test]
fn the_bigger_demo_village_has_2000_households() {
    let dir = tempfile::tempdir().unwrap();
    let (store, summary) = demo::create(
        &dir.path().join("big.sqlite3"),
        DemoOptions {
            households: 2000,
            ..DemoOptions::new(today())
        },
    )
    .unwrap();
    assert_eq!(store.stats().unwrap()["household"], 2000);
    assert!(
        (5000..=7000).contains(&summary.residents),
        "{}",
        summary.residents
    );
}

#[test]
fn the_flood_card_holds_the_plan_six_items_kit_and_phones() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) =
        demo::create(&dir.path().join("a.sqlite3"), DemoOptions::new(today())).unwrap();
    let card = card::build(&store, HazardKind::Flood, today()).unwrap();
    let plan = store
        .query::<Plan>("hazard = 'flood'", &[])
        .unwrap()
        .remove(0);
    assert_eq!(card.village_name, "青石村");
    assert_eq!(card.hazard_label, "防汛防台");
    let labels: Vec<&str> = card.six_items.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "责任人",
            "监测人",
            "信息员",
            "预警信号",
            "转移路线",
            "安置点"
        ]
    );
    assert_eq!(card.six_items[0].value, plan.responsible);
    assert_eq!(card.six_items[5].value, plan.safe_place);
    let phases: Vec<&str> = card.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        phases,
        ["预警发布", "先期处置", "转移避险", "信息报告", "灾后恢复"]
    );
    assert!(card.phases[0].steps[2].what.starts_with("【红色预警】"));
    assert!(card
        .kit_lines
        .iter()
        .any(|l| l.starts_with("小型发电机 ×1台")));
    assert!(card.phones.iter().any(|p| p.value == "0572-5012110"));
    for n in ["110", "119", "120"] {
        assert!(card.phones.iter().any(|p| p.value == n), "{n} on the card");
    }
    // Each card lists the shelters meant for its hazard: the school takes earthquakes, the hall does not.
    let quake_shelters: Vec<String> = store
        .list::<Shelter>()
        .unwrap()
        .into_iter()
        .filter(|s| s.hazard_kinds.contains(&HazardKind::Earthquake))
        .map(|s| s.name)
        .collect();
    assert_eq!(quake_shelters, ["青石小学"]);
    assert_eq!(card.shelters.len(), 2);
    assert!(
        card.shelters[0].contains("可容纳300人"),
        "{:?}",
        card.shelters
    );
    // No plan for earthquake in the demo: a clear error.
    let err = card::build(&store, HazardKind::Earthquake, today()).unwrap_err();
    assert_eq!(err.code(), "no_plan");
    assert!(err.to_string().contains("地震"));
}

#[test]
fn a_six_item_left_empty_prints_as_not_yet_pinned_down() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            ..Default::default()
        })
        .unwrap();
    store
        .save(&Plan {
            hazard: Some(HazardKind::Fire),
            responsible: "张三".into(),
            ..Default::default()
        })
        .unwrap();
    let card = card::build(&store, HazardKind::Fire, today()).unwrap();
    assert_eq!(card.six_items[0].value, "张三");
    assert_eq!(card.six_items[1].value, "（未落实）");
    assert!(card.phases.is_empty());
}
