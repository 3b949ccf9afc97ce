//! The hazard register's 15-day closure rule and the drill log, table-driven.

use std::sync::Arc;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::registers::{self, ReportStatus, CLOSURE_DAYS};
use cunan_core::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Day D + n.
fn plus(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap()
}

fn store(hazard_kinds: Vec<HazardKind>) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ));
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            hazard_kinds,
            ..Village::default()
        })
        .unwrap();
    (dir, store)
}

// ---------------------------------------------------------------------------------------------
// The 15-day rule

const D: &str = "2026-03-10";

/// A report found on D (days after D for `due` and `closed`), looked at on D + `today`.
fn check(today: u64, due: Option<u64>, closed: Option<u64>, expect: ReportStatus, days_left: i64) {
    let d = day(D);
    let report = HazardReport {
        found_on: d,
        description: "护栏松动".into(),
        due_on: due.map(|n| plus(d, n)),
        closed_on: closed.map(|n| plus(d, n)),
        fix_note: closed.map(|_| "已加固".to_string()).unwrap_or_default(),
        ..HazardReport::default()
    };
    let on = plus(d, today);
    let case = format!("today D+{today}, due {due:?}, closed {closed:?}");
    assert_eq!(registers::report_status(&report, on), expect, "{case}");
    // The register reads the same status back from the store, with the days left.
    let (_dir, mut store) = store(vec![]);
    store.save(&report).unwrap();
    let reg = registers::hazard_register(&store, on).unwrap();
    assert_eq!(reg.reports[0].status, expect, "{case}");
    assert_eq!(reg.reports[0].days_left, days_left, "{case}: days left");
    assert_eq!(
        reg.reports[0].due_on,
        plus(d, due.unwrap_or(CLOSURE_DAYS)),
        "{case}"
    );
}

/// (today D+n, due D+n, closed D+n, status, days left)
type Case = (u64, Option<u64>, Option<u64>, ReportStatus, i64);

#[test]
fn a_hazard_is_due_15_days_after_it_was_found() {
    use ReportStatus::{Closed, ClosedLate, DueSoon, Open, Overdue};
    let cases: &[Case] = &[
        // Open, no explicit due date: due on D+15.
        (0, None, None, Open, 15),
        (11, None, None, Open, 4),
        (12, None, None, DueSoon, 3),
        (14, None, None, DueSoon, 1),
        (15, None, None, DueSoon, 0),
        (16, None, None, Overdue, -1),
        (40, None, None, Overdue, -25),
        // Closed: judged by the closing day, whatever today is.
        (3, None, Some(2), Closed, 0),
        (30, None, Some(15), Closed, 0),
        (30, None, Some(16), ClosedLate, 0),
        (16, None, Some(16), ClosedLate, 0),
        // An explicit due date overrides the 15 days (a county may set another).
        (10, Some(7), None, Overdue, -3),
        (5, Some(7), None, DueSoon, 2),
        (20, Some(30), None, Open, 10),
        (40, Some(30), Some(20), Closed, 0),
        (40, Some(7), Some(10), ClosedLate, 0),
    ];
    for (today, due, closed, expect, left) in cases {
        check(*today, *due, *closed, *expect, *left);
    }
    assert_eq!(
        registers::due_date(&HazardReport {
            found_on: day("2026-12-25"),
            ..HazardReport::default()
        }),
        day("2027-01-09"),
        "across the new year"
    );
}

#[test]
fn the_register_lists_worst_first_with_site_households_and_counts() {
    let (_dir, mut store) = store(vec![HazardKind::Flood]);
    let site = store
        .save(&HazardSite {
            name: "后山滑坡隐患点".into(),
            hazard: Some(HazardKind::Geological),
            risk_color: "orange".into(),
            ..HazardSite::default()
        })
        .unwrap();
    let other_site = store
        .save(&HazardSite {
            name: "旧桥".into(),
            hazard: Some(HazardKind::Flood),
            ..HazardSite::default()
        })
        .unwrap();
    for (i, linked) in [true, true, false].into_iter().enumerate() {
        let h = store
            .save(&Household {
                head_name: format!("户主{i}"),
                ..Household::default()
            })
            .unwrap();
        if linked {
            store
                .save(&HouseholdHazard {
                    household_id: h.id.clone(),
                    hazard_site_id: site.id.clone(),
                    ..HouseholdHazard::default()
                })
                .unwrap();
        }
        if i == 1 {
            store.delete::<Household>(&h.id).unwrap(); // a deleted household no longer counts
        }
    }
    let today = day("2026-06-01");
    // (site, found days ago, closed days ago, description)
    let reports = [
        (Some(&site), 40, Some(30), "closed"),
        (Some(&site), 20, None, "overdue"),
        (None, 13, None, "due soon"),
        (Some(&site), 5, None, "open"),
        (Some(&other_site), 50, Some(32), "closed late"),
        (Some(&site), 30, None, "overdue, older"),
    ];
    for (s, found, closed, description) in reports {
        store
            .save(&HazardReport {
                hazard_site_id: s.map(|s| s.id.clone()),
                found_on: today.checked_sub_days(Days::new(found)).unwrap(),
                closed_on: closed.map(|c| today.checked_sub_days(Days::new(c)).unwrap()),
                fix_note: closed.map(|_| "已整改".to_string()).unwrap_or_default(),
                description: description.into(),
                ..HazardReport::default()
            })
            .unwrap();
    }
    let gone = store
        .save(&HazardReport {
            found_on: today,
            description: "deleted".into(),
            ..HazardReport::default()
        })
        .unwrap();
    store.delete::<HazardReport>(&gone.id).unwrap();
    store.delete::<HazardSite>(&other_site.id).unwrap();

    let reg = registers::hazard_register(&store, today).unwrap();
    let order: Vec<&str> = reg
        .reports
        .iter()
        .map(|r| r.report.description.as_str())
        .collect();
    assert_eq!(
        order,
        [
            "overdue, older",
            "overdue",
            "due soon",
            "open",
            "closed late",
            "closed"
        ]
    );
    assert_eq!(
        (reg.open, reg.overdue, reg.due_soon, reg.closed_late),
        (4, 2, 1, 1)
    );
    let names: Vec<&str> = reg.reports.iter().map(|r| r.site_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "后山滑坡隐患点",
            "后山滑坡隐患点",
            "",
            "后山滑坡隐患点",
            "（隐患点已删除）",
            "后山滑坡隐患点"
        ]
    );
    assert_eq!(reg.sites.len(), 1);
    assert_eq!(reg.sites[0].site.id, site.id);
    assert_eq!(reg.sites[0].households, 1);
    assert_eq!(reg.sites[0].open_reports, 3);
}

// ---------------------------------------------------------------------------------------------
// The drill log

/// Drills (date, hazard) → on `today`: done this year, last drill, hazards drilled / not.
fn check_drills(
    today: &str,
    drills: &[(&str, HazardKind)],
    done: bool,
    last: Option<&str>,
    drilled: &[HazardKind],
    not_drilled: &[HazardKind],
) {
    let (_dir, mut store) = store(vec![
        HazardKind::Flood,
        HazardKind::Geological,
        HazardKind::ForestFire,
    ]);
    for (date, hazard) in drills {
        store
            .save(&Drill {
                date: day(date),
                kind: "single".into(),
                hazard: Some(*hazard),
                ..Drill::default()
            })
            .unwrap();
    }
    let log = registers::drill_log(&store, day(today)).unwrap();
    let case = format!("{today} {drills:?}");
    assert_eq!(
        log.year,
        day(today).format("%Y").to_string().parse::<i32>().unwrap()
    );
    assert_eq!(log.done_this_year, done, "{case}");
    assert_eq!(log.last_drill, last.map(day), "{case}");
    assert_eq!(log.hazards_drilled, drilled, "{case}");
    assert_eq!(log.hazards_not_drilled, not_drilled, "{case}");
    let dates: Vec<NaiveDate> = log.drills.iter().map(|d| d.date).collect();
    let mut newest_first = dates.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, newest_first, "{case}: newest first");
    assert_eq!(log.drills.len(), drills.len());
}

#[test]
fn the_drill_log_says_whether_this_years_drill_is_done() {
    use HazardKind::{Earthquake, Flood, ForestFire, Geological};
    let all = [Flood, Geological, ForestFire];
    check_drills("2026-06-01", &[], false, None, &[], &all);
    check_drills(
        "2026-06-01",
        &[("2026-04-02", Flood)],
        true,
        Some("2026-04-02"),
        &[Flood],
        &[Geological, ForestFire],
    );
    // Last year's drill does not count for this year.
    check_drills(
        "2026-06-01",
        &[("2025-12-31", Flood)],
        false,
        Some("2025-12-31"),
        &[],
        &all,
    );
    // New Year's Day counts; the year is the calendar year of `today`.
    check_drills(
        "2027-01-01",
        &[("2027-01-01", Geological), ("2026-06-01", Flood)],
        true,
        Some("2027-01-01"),
        &[Geological],
        &[Flood, ForestFire],
    );
    // A drill dated after today is planned, not done.
    check_drills(
        "2026-06-01",
        &[("2026-09-01", Flood), ("2025-05-01", ForestFire)],
        false,
        Some("2025-05-01"),
        &[],
        &all,
    );
    // A drill of a hazard the village does not list is done, but names no village hazard.
    check_drills(
        "2026-06-01",
        &[
            ("2026-03-01", Earthquake),
            ("2026-05-01", ForestFire),
            ("2026-02-01", Flood),
        ],
        true,
        Some("2026-05-01"),
        &[Flood, ForestFire],
        &[Geological],
    );
}

// ---------------------------------------------------------------------------------------------
// The demo village shows every state

#[test]
fn the_demo_register_and_drill_log_show_every_state() {
    for today in ["2026-06-01", "2026-01-03"] {
        let dir = tempfile::tempdir().unwrap();
        let today = day(today);
        let (store, _) =
            demo::create(&dir.path().join("d.sqlite3"), DemoOptions::new(today)).unwrap();
        let reg = registers::hazard_register(&store, today).unwrap();
        let mut statuses: Vec<ReportStatus> = reg.reports.iter().map(|r| r.status).collect();
        statuses.dedup();
        assert_eq!(
            statuses,
            [
                ReportStatus::Overdue,
                ReportStatus::DueSoon,
                ReportStatus::Open,
                ReportStatus::ClosedLate,
                ReportStatus::Closed
            ],
            "{today}"
        );
        assert!(reg.sites.iter().any(|s| s.households > 0));
        let log = registers::drill_log(&store, today).unwrap();
        assert!(log.done_this_year, "{today}");
        assert!(log.drills.len() >= 3);
        assert!(
            !log.hazards_not_drilled.is_empty(),
            "something left to drill"
        );
    }
}

#[test]
fn a_report_cannot_be_due_or_closed_before_it_was_found() {
    let (_dir, mut store) = store(vec![HazardKind::Flood]);
    let found = day("2026-06-10");
    let report = |due: Option<&str>, closed: Option<&str>| HazardReport {
        found_on: found,
        found_by: "巡查员".into(),
        description: "河堤渗水".into(),
        due_on: due.map(day),
        closed_on: closed.map(day),
        fix_note: closed.map(|_| "已加固".to_string()).unwrap_or_default(),
        ..Default::default()
    };
    // (due, closed, the field the refusal names; None = saved)
    let cases = [
        (None, None, None),
        (Some("2026-06-10"), None, None),
        (Some("2026-06-09"), None, Some("办结期限")),
        (None, Some("2026-06-10"), None),
        (None, Some("2026-06-09"), Some("办结日期")),
    ];
    for (due, closed, refused) in cases {
        let got = match store.save(&report(due, closed)) {
            Ok(_) => None,
            Err(CoreError::Validation(v)) => Some(v.field),
            Err(e) => panic!("{due:?} {closed:?}: unexpected error {e}"),
        };
        assert_eq!(got.as_deref(), refused, "due {due:?}, closed {closed:?}");
    }
}

/// The closed loop is the core's rule, not only the close dialog's: whatever saves a report
/// (the generic record save, an import, a script) cannot close it without how it was fixed.
#[test]
fn a_report_cannot_be_closed_without_how_it_was_fixed() {
    let (_dir, mut store) = store(vec![HazardKind::Flood]);
    let open = store
        .save(&HazardReport {
            found_on: day("2026-06-10"),
            description: "河堤渗水".into(),
            ..Default::default()
        })
        .unwrap();
    for note in ["", "   "] {
        let closing = HazardReport {
            closed_on: Some(day("2026-06-12")),
            fix_note: note.into(),
            ..open.clone()
        };
        let Err(CoreError::Validation(v)) = store.save(&closing) else {
            panic!("closed without a fix note ({note:?})");
        };
        assert_eq!(v.field, "整改情况");
        assert!(v.message.contains("请写明"), "{}", v.message);
    }
    assert_eq!(
        store
            .get::<HazardReport>(&open.id)
            .unwrap()
            .unwrap()
            .closed_on,
        None
    );
    let closed = store
        .save(&HazardReport {
            closed_on: Some(day("2026-06-12")),
            fix_note: "已回填夯实".into(),
            ..open
        })
        .unwrap();
    assert_eq!(closed.closed_on, Some(day("2026-06-12")));
}
