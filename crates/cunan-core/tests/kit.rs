//! The 5+X checklist rules, table-driven.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::kit::{self, KitProblem};
use cunan_core::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn store(comms_guaranteed: bool) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ));
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            comms_guaranteed,
            ..Village::default()
        })
        .unwrap();
    (dir, store)
}

/// One item, its state and inspections → the problems the checklist shows on `today`.
struct Case {
    code: Option<&'static str>,
    quantity: i64,
    condition: KitCondition,
    every: i64,
    inspected: &'static [&'static str],
    comms_guaranteed: bool,
    expect: &'static [KitProblem],
}

fn check(case: Case) {
    let (_dir, mut store) = store(case.comms_guaranteed);
    let item = store
        .save(&KitItem {
            catalog_code: case.code.map(str::to_string),
            name: "器材".into(),
            quantity: case.quantity,
            condition: case.condition,
            inspect_every_days: case.every,
            ..KitItem::default()
        })
        .unwrap();
    for date in case.inspected {
        store
            .save(&KitInspection {
                kit_item_id: item.id.clone(),
                date: day(date),
                inspector: "张三".into(),
                result: case.condition,
                ..KitInspection::default()
            })
            .unwrap();
    }
    let list = kit::checklist(&store, day("2026-06-01")).unwrap();
    assert_eq!(list.lines.len(), 1);
    assert_eq!(
        list.lines[0].problems, case.expect,
        "code {:?} qty {} inspected {:?}",
        case.code, case.quantity, case.inspected
    );
}

#[test]
fn checklist_problems() {
    use KitCondition::{Broken, Good, NeedsRepair};
    use KitProblem::{InspectionOverdue, Missing, Short};
    let cases = [
        // Standard generator: 1 required.
        Case {
            code: Some("generator"),
            quantity: 1,
            condition: Good,
            every: 30,
            inspected: &["2026-05-20"],
            comms_guaranteed: true,
            expect: &[],
        },
        Case {
            code: Some("generator"),
            quantity: 0,
            condition: Good,
            every: 30,
            inspected: &[],
            comms_guaranteed: true,
            expect: &[Missing],
        },
        Case {
            code: Some("generator"),
            quantity: 1,
            condition: Broken,
            every: 30,
            inspected: &["2026-05-20"],
            comms_guaranteed: true,
            expect: &[KitProblem::Broken],
        },
        // Last inspection counts, not the first; due exactly today is not overdue.
        Case {
            code: Some("generator"),
            quantity: 1,
            condition: Good,
            every: 30,
            inspected: &["2026-01-01", "2026-05-02"],
            comms_guaranteed: true,
            expect: &[],
        },
        Case {
            code: Some("generator"),
            quantity: 1,
            condition: Good,
            every: 30,
            inspected: &["2026-05-01"],
            comms_guaranteed: true,
            expect: &[InspectionOverdue],
        },
        Case {
            code: Some("generator"),
            quantity: 1,
            condition: Good,
            every: 30,
            inspected: &[],
            comms_guaranteed: true,
            expect: &[InspectionOverdue],
        },
        // Megaphone: 2 required.
        Case {
            code: Some("megaphone"),
            quantity: 1,
            condition: NeedsRepair,
            every: 90,
            inspected: &["2026-05-01"],
            comms_guaranteed: true,
            expect: &[Short, KitProblem::NeedsRepair],
        },
        // Satellite phone: required only where communications cannot be guaranteed.
        Case {
            code: Some("satellite-phone"),
            quantity: 0,
            condition: Good,
            every: 30,
            inspected: &[],
            comms_guaranteed: true,
            expect: &[],
        },
        Case {
            code: Some("satellite-phone"),
            quantity: 0,
            condition: Good,
            every: 30,
            inspected: &[],
            comms_guaranteed: false,
            expect: &[Missing],
        },
        // The village's own X item: nothing required, but kept ones are inspected.
        Case {
            code: None,
            quantity: 0,
            condition: Good,
            every: 180,
            inspected: &[],
            comms_guaranteed: true,
            expect: &[],
        },
        Case {
            code: None,
            quantity: 20,
            condition: Good,
            every: 180,
            inspected: &["2025-10-01"],
            comms_guaranteed: true,
            expect: &[InspectionOverdue],
        },
    ];
    for case in cases {
        check(case);
    }
}

#[test]
fn seeding_adds_the_five_standard_items_once_and_an_inspection_updates_the_condition() {
    let (_dir, mut store) = store(false);
    assert_eq!(kit::seed_standard_items(&mut store).unwrap(), 5);
    assert_eq!(
        kit::seed_standard_items(&mut store).unwrap(),
        0,
        "seeding twice adds nothing"
    );
    let list = kit::checklist(&store, day("2026-06-01")).unwrap();
    let names: Vec<&str> = list.lines.iter().map(|l| l.item.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "小型发电机",
            "带动力排水泵",
            "微型消防站",
            "手持扩音器",
            "卫星电话"
        ]
    );
    assert_eq!(list.problem_count, 5, "all five missing in a new village");

    let mut generator = list.lines[0].item.clone();
    generator.quantity = 1;
    store.save(&generator).unwrap();
    kit::record_inspection(
        &mut store,
        &KitInspection {
            kit_item_id: generator.id.clone(),
            date: day("2026-05-30"),
            inspector: "张三".into(),
            result: KitCondition::NeedsRepair,
            ..Default::default()
        },
    )
    .unwrap();
    let line = &kit::checklist(&store, day("2026-06-01")).unwrap().lines[0];
    assert_eq!(line.item.condition, KitCondition::NeedsRepair);
    assert_eq!(line.last_inspected, Some(day("2026-05-30")));
    assert_eq!(line.next_due, Some(day("2026-06-29")));
    assert_eq!(line.problems, [KitProblem::NeedsRepair]);

    let err = kit::record_inspection(
        &mut store,
        &KitInspection {
            kit_item_id: "nope".into(),
            inspector: "张三".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
}
