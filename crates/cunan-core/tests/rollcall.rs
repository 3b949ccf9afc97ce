//! Emergency mode, the roll call (转移点名): who is on the list, marks one by one and per
//! household, the totals by grid and village with the vulnerable among them, shelters against
//! capacity, the end of a transfer, and marks from two devices merging with none lost.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::rollcall::{self, Count, Mark, MarkInput, TransferOrder};
use cunan_core::{
    sync, CoreError, Grid, GridMember, HazardKind, HazardSite, Household, HouseholdHazard,
    Resident, Shelter, Store, Village, VulnerablePerson,
};

struct Village1 {
    _dir: tempfile::TempDir,
    clock: Arc<FixedClock>,
    store: Store,
    grid1: String,
    grid2: String,
    /// Households: A (grid 1, danger zone, 3 people, one vulnerable), B (grid 1, safe, 2),
    /// C (grid 2, under a hazard site, 2), D (no grid, 1).
    hh: [String; 4],
    people: Vec<(String, String)>,
    shelter: String,
}

impl Village1 {
    fn id_of(&self, name: &str) -> String {
        self.people
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| panic!("no resident {name}"))
    }

    fn mark(
        &mut self,
        event: &str,
        name: &str,
        input: &MarkInput,
    ) -> Result<Vec<cunan_core::EvacuationStatus>, CoreError> {
        let id = self.id_of(name);
        rollcall::mark(&mut self.store, event, &[id], input)
    }

    fn later(&self, minutes: i64) {
        let now = self.clock.now_utc();
        self.clock.set(now + Duration::minutes(minutes));
    }
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}
impl NowUtc for FixedClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        cunan_core::clock::Clock::now(self)
    }
}

fn village() -> Village1 {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 7, 1, 1, 0, 0).unwrap(),
    ));
    let mut store = Store::open_with_clock(&dir.path().join("v.sqlite3"), clock.clone()).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            ..Village::default()
        })
        .unwrap();
    let grid1 = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap()
        .id;
    let grid2 = store
        .save(&Grid {
            name: "第二网格".into(),
            ..Grid::default()
        })
        .unwrap()
        .id;
    store
        .save(&GridMember {
            grid_id: grid1.clone(),
            name: "王网格".into(),
            phone: "13800000001".into(),
            role: "网格员".into(),
            ..GridMember::default()
        })
        .unwrap();
    store
        .save(&GridMember {
            grid_id: grid1.clone(),
            name: "李网长".into(),
            phone: "13800000002".into(),
            role: "网格长".into(),
            ..GridMember::default()
        })
        .unwrap();
    let site = store
        .save(&HazardSite {
            name: "后山滑坡点".into(),
            hazard: Some(HazardKind::Geological),
            ..HazardSite::default()
        })
        .unwrap()
        .id;
    let household = |store: &mut Store, grid: Option<&str>, head: &str, danger: bool| {
        store
            .save(&Household {
                grid_id: grid.map(str::to_string),
                head_name: head.into(),
                address: format!("{head}家"),
                phone: "13900000000".into(),
                in_danger_zone: danger,
                ..Household::default()
            })
            .unwrap()
            .id
    };
    let a = household(&mut store, Some(&grid1), "张甲", true);
    let b = household(&mut store, Some(&grid1), "钱乙", false);
    let c = household(&mut store, Some(&grid2), "孙丙", false);
    let d = household(&mut store, None, "周丁", false);
    store
        .save(&HouseholdHazard {
            household_id: c.clone(),
            hazard_site_id: site,
            ..HouseholdHazard::default()
        })
        .unwrap();
    let mut people = Vec::new();
    for (h, names) in [
        (&a, &["张甲", "张甲妻", "张奶奶"][..]),
        (&b, &["钱乙", "钱乙子"][..]),
        (&c, &["孙丙", "孙丙女"][..]),
        (&d, &["周丁"][..]),
    ] {
        for (i, name) in names.iter().enumerate() {
            let r = store
                .save(&Resident {
                    household_id: h.clone(),
                    name: name.to_string(),
                    relation: if i == 0 { "户主" } else { "家属" }.into(),
                    ..Resident::default()
                })
                .unwrap();
            people.push((name.to_string(), r.id));
        }
    }
    let grandma = people
        .iter()
        .find(|(n, _)| n == "张奶奶")
        .unwrap()
        .1
        .clone();
    store
        .save(&VulnerablePerson {
            resident_id: grandma,
            helper_name: "张甲".into(),
            helper_phone: "13900000000".into(),
            ..VulnerablePerson::default()
        })
        .unwrap();
    let shelter = store
        .save(&Shelter {
            name: "村小学".into(),
            capacity: Some(2),
            ..Shelter::default()
        })
        .unwrap()
        .id;
    Village1 {
        _dir: dir,
        clock,
        store,
        grid1,
        grid2,
        hh: [a, b, c, d],
        people,
        shelter,
    }
}

fn flood() -> TransferOrder {
    TransferOrder {
        hazard: Some(HazardKind::Flood),
        level: "red".into(),
        started_by: "村应急管理员".into(),
        ..TransferOrder::default()
    }
}

fn input(status: Mark) -> MarkInput {
    MarkInput {
        status,
        marked_by: "李网长".into(),
        ..MarkInput::default()
    }
}

fn code_of(e: CoreError) -> String {
    match e {
        CoreError::Validation(v) => v.code.to_string(),
        other => format!("{other:?}"),
    }
}

fn count(people: i64, vulnerable: i64) -> Count {
    Count { people, vulnerable }
}

#[test]
fn the_list_is_the_roster_in_scope_threatened_households_first() {
    let mut v = village();
    let whole = rollcall::start(&mut v.store, &flood()).unwrap();
    let call = rollcall::roll_call(&v.store, &whole.id).unwrap();
    let names: Vec<&str> = call.people.iter().map(|p| p.name.as_str()).collect();
    // A (grid 1, danger zone) and C (grid 2, hazard site) first; in a household the
    // householder, then the vulnerable.
    assert_eq!(
        names,
        [
            "张甲",
            "张奶奶",
            "张甲妻",
            "孙丙",
            "孙丙女",
            "钱乙",
            "钱乙子",
            "周丁"
        ]
    );
    let grandma = &call.people[1];
    assert_eq!(grandma.vulnerable.as_deref(), Some("独居老人"));
    assert_eq!(grandma.helper.as_deref(), Some("张甲 13900000000"));
    // The grid leader answers for the grid.
    assert_eq!(grandma.grid_member, "网格长 李网长 13800000002");
    assert_eq!(call.people[7].grid_name, "未分网格");
    assert!(call
        .people
        .iter()
        .all(|p| p.status == Mark::Pending && p.marked_at.is_none()));
    assert_eq!(call.totals.village.expected, count(8, 1));
    assert_eq!(call.totals.village.not_moved, count(8, 1));

    // Grid 1, threatened households only: A's three.
    let order = TransferOrder {
        grid_ids: vec![v.grid1.clone()],
        threatened_only: true,
        ..flood()
    };
    let narrow = rollcall::start(&mut v.store, &order).unwrap();
    let call = rollcall::roll_call(&v.store, &narrow.id).unwrap();
    assert_eq!(call.people.len(), 3);
    assert!(call.people.iter().all(|p| p.household_id == v.hh[0]));

    // Grid 2 only: C, threatened through its hazard site.
    let order = TransferOrder {
        grid_ids: vec![v.grid2.clone()],
        threatened_only: true,
        ..flood()
    };
    let c = rollcall::start(&mut v.store, &order).unwrap();
    let call = rollcall::roll_call(&v.store, &c.id).unwrap();
    assert_eq!(call.people.len(), 2);
    assert!(call.people.iter().all(|p| p.threatened));
}

#[test]
fn a_roll_call_that_cannot_start_says_why_and_writes_nothing() {
    let mut v = village();
    let gone = TransferOrder {
        grid_ids: vec!["no-such-grid".into()],
        ..flood()
    };
    assert_eq!(
        code_of(rollcall::start(&mut v.store, &gone).unwrap_err()),
        "grid_missing"
    );
    // Without its hazard site, grid 2 has households but none threatened.
    v.store
        .delete::<HouseholdHazard>(&v.store.list::<HouseholdHazard>().unwrap()[0].id.clone())
        .unwrap();
    let before = v.store.stats().unwrap();
    let empty = TransferOrder {
        grid_ids: vec![v.grid2.clone()],
        threatened_only: true,
        ..flood()
    };
    assert_eq!(
        code_of(rollcall::start(&mut v.store, &empty).unwrap_err()),
        "nobody_to_move"
    );
    assert_eq!(v.store.stats().unwrap(), before);
    let bad_level = TransferOrder {
        level: "purple".into(),
        ..flood()
    };
    assert_eq!(
        code_of(rollcall::start(&mut v.store, &bad_level).unwrap_err()),
        "out_of_range"
    );
    assert_eq!(v.store.stats().unwrap(), before);
}

#[test]
fn marks_feed_the_totals_by_grid_village_and_shelter() {
    let mut v = village();
    let e = rollcall::start(&mut v.store, &flood()).unwrap();
    v.later(10);
    // A whole household in one tap, to the school (capacity 2: now over).
    let moved = MarkInput {
        shelter_id: Some(v.shelter.clone()),
        ..input(Mark::Moved)
    };
    let marked = rollcall::mark_household(&mut v.store, &e.id, &v.hh[0], &moved).unwrap();
    assert_eq!(marked.len(), 3);
    v.mark(&e.id, "钱乙", &input(Mark::Refused)).unwrap();
    v.mark(&e.id, "钱乙子", &input(Mark::Away)).unwrap();
    // 投亲靠友 needs with whom; refused, nothing saved.
    let before = rollcall::totals(&v.store, &e.id).unwrap();
    let err = rollcall::mark_household(&mut v.store, &e.id, &v.hh[2], &input(Mark::WithRelatives))
        .unwrap_err();
    assert_eq!(code_of(err), "required");
    assert_eq!(rollcall::totals(&v.store, &e.id).unwrap(), before);
    let relatives = MarkInput {
        staying_with: "镇上女儿家".into(),
        ..input(Mark::WithRelatives)
    };
    rollcall::mark_household(&mut v.store, &e.id, &v.hh[2], &relatives).unwrap();
    v.mark(&e.id, "周丁", &input(Mark::Unreachable)).unwrap();

    let t = rollcall::totals(&v.store, &e.id).unwrap();
    let village = &t.village;
    assert_eq!(village.listed, count(8, 1));
    assert_eq!(village.expected, count(7, 1), "不在村 is not to be moved");
    assert_eq!(village.moved, count(5, 1));
    assert_eq!(village.not_moved, count(2, 0));
    for (mark, want) in [
        (Mark::Pending, count(0, 0)),
        (Mark::Moved, count(3, 1)),
        (Mark::WithRelatives, count(2, 0)),
        (Mark::Refused, count(1, 0)),
        (Mark::Away, count(1, 0)),
        (Mark::Unreachable, count(1, 0)),
        (Mark::Returned, count(0, 0)),
    ] {
        assert_eq!(village.of(mark), want, "{}", mark.label());
    }
    let grids: Vec<(&str, i64, i64, i64)> = t
        .grids
        .iter()
        .map(|g| {
            (
                g.grid_name.as_str(),
                g.totals.expected.people,
                g.totals.moved.people,
                g.totals.not_moved.people,
            )
        })
        .collect();
    assert_eq!(
        grids,
        [
            ("第一网格", 4, 3, 1),
            ("第二网格", 2, 2, 0),
            ("未分网格", 1, 0, 1)
        ]
    );
    assert_eq!(t.shelters.len(), 1);
    assert_eq!((t.shelters[0].people, t.shelters[0].over), (3, true));

    // Someone going back home before the all-clear counts as not safe again.
    v.later(30);
    v.mark(&e.id, "张甲妻", &input(Mark::Returned)).unwrap();
    let t = rollcall::totals(&v.store, &e.id).unwrap();
    assert_eq!(t.village.moved, count(4, 1));
    assert_eq!(t.village.not_moved, count(3, 0));
    assert_eq!((t.shelters[0].people, t.shelters[0].over), (2, false));

    // Each mark says when and who.
    let call = rollcall::roll_call(&v.store, &e.id).unwrap();
    let wife = call.people.iter().find(|p| p.name == "张甲妻").unwrap();
    assert_eq!(wife.status_label, "已返回");
    assert_eq!(wife.marked_by, "李网长");
    assert_eq!(wife.marked_at.as_deref(), Some("2026-07-01T09:40:00+08:00"));
    let grandma = call.people.iter().find(|p| p.name == "张奶奶").unwrap();
    assert_eq!(grandma.shelter_name, "村小学");
    assert_eq!(
        grandma.marked_at.as_deref(),
        Some("2026-07-01T09:10:00+08:00")
    );
    let daughter = call.people.iter().find(|p| p.name == "孙丙女").unwrap();
    assert_eq!(daughter.staying_with, "镇上女儿家");
}

#[test]
fn a_shelter_that_is_gone_is_refused_and_an_ended_transfer_takes_no_marks() {
    let mut v = village();
    let e = rollcall::start(&mut v.store, &flood()).unwrap();
    let nowhere = MarkInput {
        shelter_id: Some("no-such-shelter".into()),
        ..input(Mark::Moved)
    };
    let err = v.mark(&e.id, "周丁", &nowhere).unwrap_err();
    assert_eq!(code_of(err), "shelter_missing");
    let err = rollcall::mark(
        &mut v.store,
        &e.id,
        &["not-a-resident".into()],
        &input(Mark::Moved),
    )
    .unwrap_err();
    assert_eq!(code_of(err), "resident_missing");

    // One bad id in a batch: nobody in it is marked.
    let batch = [v.id_of("张甲"), "not-a-resident".to_string()];
    assert!(rollcall::mark(&mut v.store, &e.id, &batch, &input(Mark::Moved)).is_err());
    assert_eq!(
        rollcall::totals(&v.store, &e.id).unwrap().village.moved,
        count(0, 0)
    );

    let ended = rollcall::end(&mut v.store, &e.id).unwrap();
    assert!(ended.ended_at.is_some());
    let err = v.mark(&e.id, "张甲", &input(Mark::Moved)).unwrap_err();
    assert_eq!(code_of(err), "roll_call_ended");
    assert_eq!(
        code_of(rollcall::end(&mut v.store, &e.id).unwrap_err()),
        "roll_call_ended"
    );
    let list = rollcall::roll_calls(&v.store).unwrap();
    assert_eq!(list.len(), 1);
    assert!(!list[0].open);
}

#[test]
fn a_resident_registered_after_the_start_joins_the_list_when_marked() {
    let mut v = village();
    let e = rollcall::start(&mut v.store, &flood()).unwrap();
    let newcomer = v
        .store
        .save(&Resident {
            household_id: v.hh[0].clone(),
            name: "张甲孙".into(),
            ..Resident::default()
        })
        .unwrap();
    rollcall::mark(
        &mut v.store,
        &e.id,
        std::slice::from_ref(&newcomer.id),
        &input(Mark::Moved),
    )
    .unwrap();
    let t = rollcall::totals(&v.store, &e.id).unwrap();
    assert_eq!(t.village.listed, count(9, 1));
    let call = rollcall::roll_call(&v.store, &e.id).unwrap();
    let p = call.people.iter().find(|p| p.name == "张甲孙").unwrap();
    assert!(p.threatened);
    assert_eq!(p.grid_name, "第一网格");
}

#[test]
fn the_people_moved_count_for_the_incident_report() {
    let mut v = village();
    let incident = cunan_core::incident::start(
        &mut v.store,
        HazardKind::Flood,
        "2026-07-01T08:30:00+08:00",
        "青石溪",
        None,
    )
    .unwrap();
    let order = TransferOrder {
        incident_id: Some(incident.id.clone()),
        ..flood()
    };
    let e = rollcall::start(&mut v.store, &order).unwrap();
    let other = rollcall::start(&mut v.store, &flood()).unwrap();
    rollcall::mark_household(&mut v.store, &e.id, &v.hh[0], &input(Mark::Moved)).unwrap();
    rollcall::mark_household(&mut v.store, &other.id, &v.hh[1], &input(Mark::Moved)).unwrap();
    let relatives = MarkInput {
        staying_with: "亲戚家".into(),
        ..input(Mark::WithRelatives)
    };
    v.mark(&e.id, "周丁", &relatives).unwrap();
    assert_eq!(
        rollcall::evacuated_for_incident(&v.store, &incident.id).unwrap(),
        4
    );
    let unknown = TransferOrder {
        incident_id: Some("no-such-incident".into()),
        ..flood()
    };
    assert!(matches!(
        rollcall::start(&mut v.store, &unknown),
        Err(CoreError::NotFound { .. })
    ));
}

/// Two devices: the officer's laptop starts the roll call; a grid member's laptop receives it.
/// Each marks people, both mark 张甲, and after exchanging changes both hold every mark, with the
/// later mark of 张甲 on both.
#[test]
fn marks_from_two_devices_merge_with_none_lost() {
    let mut a = village();
    let e = rollcall::start(&mut a.store, &flood()).unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let clock_b = Arc::new(FixedClock::at(a.clock.now_utc()));
    let mut b = Store::open_with_clock(&dir_b.path().join("b.sqlite3"), clock_b.clone()).unwrap();
    let everything = sync::all_changes(&a.store, 0, 100_000).unwrap();
    sync::apply_changes(&mut b, &everything, None).unwrap();
    let after_start = sync::all_changes(&a.store, 0, 100_000)
        .unwrap()
        .last()
        .unwrap()
        .seq;

    // A marks household A; B (a minute later on its clock) marks household C and 张甲 again.
    a.later(5);
    rollcall::mark_household(&mut a.store, &e.id, &a.hh[0], &input(Mark::Moved)).unwrap();
    clock_b.set(a.clock.now_utc() + Duration::minutes(1));
    let by_b = MarkInput {
        marked_by: "王网格".into(),
        ..input(Mark::Refused)
    };
    rollcall::mark_household(&mut b, &e.id, &a.hh[2], &by_b).unwrap();
    rollcall::mark(&mut b, &e.id, &[a.id_of("张甲")], &by_b).unwrap();

    let from_a = sync::all_changes(&a.store, after_start, 100_000).unwrap();
    let from_b = sync::unpushed(&b, 0, 100_000).unwrap();
    sync::apply_changes(&mut b, &from_a, None).unwrap();
    sync::apply_changes(&mut a.store, &from_b, None).unwrap();

    let on_a = rollcall::roll_call(&a.store, &e.id).unwrap();
    let on_b = rollcall::roll_call(&b, &e.id).unwrap();
    let marks = |c: &rollcall::RollCall| -> Vec<(String, Mark, String)> {
        c.people
            .iter()
            .map(|p| (p.name.clone(), p.status, p.marked_by.clone()))
            .collect()
    };
    assert_eq!(
        marks(&on_a),
        marks(&on_b),
        "both devices hold the same roll call"
    );
    let status = |name: &str| on_a.people.iter().find(|p| p.name == name).unwrap().status;
    assert_eq!(status("张甲"), Mark::Refused, "the later mark wins");
    assert_eq!(status("张甲妻"), Mark::Moved);
    assert_eq!(status("张奶奶"), Mark::Moved);
    assert_eq!(status("孙丙"), Mark::Refused);
    assert_eq!(status("孙丙女"), Mark::Refused);
    assert_eq!(on_a.totals, on_b.totals);
    // The same person's rows met in one row: the list did not grow.
    assert_eq!(on_a.people.len(), 8);
}
