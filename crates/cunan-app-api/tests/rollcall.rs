//! The roll call's calls as the app makes them, on a real demo store: the board's head counts per
//! grid, a transfer started for an incident, a mark answering with just the people it changed and
//! the new totals, a household in one tap, the incident's next report starting from the people
//! moved, and 解除.

use std::collections::HashSet;

use cunan_app_api::core::demo::{self, DemoOptions};
use cunan_app_api::core::rollcall::{Mark, MarkInput, TransferOrder};
use cunan_app_api::core::{HazardKind, Household, Resident, Store};
use cunan_app_api::incident::{self, NewIncident};
use cunan_app_api::rollcall;
use cunan_app_api::ErrorCode;

fn village(dir: &std::path::Path) -> Store {
    let path = dir.join("village.sqlite3");
    demo::create(
        &path,
        DemoOptions {
            households: 30,
            seed: 4,
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"),
        },
    )
    .expect("the demo village");
    Store::open(&path).expect("open")
}

fn mark(status: Mark) -> MarkInput {
    MarkInput {
        status,
        marked_by: " 潘宇航 ".to_string(),
        ..MarkInput::default()
    }
}

#[test]
fn the_board_counts_each_grid_as_the_roll_call_will_list_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = village(dir.path());
    let board = rollcall::board(&store).expect("board");

    let households = store.list::<Household>().expect("households");
    let residents = store.list::<Resident>().expect("residents");
    assert_eq!(
        board.grids.iter().map(|g| g.households).sum::<i64>(),
        households.len() as i64,
        "every household is in one grid choice"
    );
    assert_eq!(
        board.grids.iter().map(|g| g.people).sum::<i64>(),
        residents.len() as i64
    );
    for g in &board.grids {
        assert!(g.threatened_households <= g.households, "{g:?}");
        assert!(g.threatened_people <= g.people, "{g:?}");
    }
    assert!(board.roll_calls.is_empty());
    assert!(board.incidents.is_empty());
    let officer = store
        .village()
        .expect("village")
        .expect("a village")
        .officer_name;
    assert_eq!(board.marked_by, officer);

    // A whole-village transfer lists exactly the people the board counted.
    let mut store = store;
    let event = rollcall::start(
        &mut store,
        &TransferOrder {
            hazard: Some(HazardKind::Flood),
            level: "red".to_string(),
            ..TransferOrder::default()
        },
    )
    .expect("start");
    let call = rollcall::view(&store, &event.id).expect("view");
    assert_eq!(call.people.len(), residents.len());
    assert_eq!(
        call.totals.village.listed.people,
        board.grids.iter().map(|g| g.people).sum::<i64>()
    );
}

#[test]
fn a_mark_answers_with_the_people_it_changed_and_the_totals_and_feeds_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = village(dir.path());
    let started = incident::start(
        &mut store,
        &NewIncident {
            hazard: HazardKind::Flood,
            occurred_at: String::new(),
            place: "溪口桥".to_string(),
            severity: None,
        },
    )
    .expect("incident");
    let board_now =
        |store: &Store| incident::board(store, store.clock().now()).expect("incident board");
    assert_eq!(
        board_now(&store).incidents[0].moved_in_roll_calls,
        None,
        "no roll call yet: the report form has nothing to fill in"
    );

    let rc_board = rollcall::board(&store).expect("board");
    assert_eq!(rc_board.incidents.len(), 1, "the open incident is offered");
    assert!(rc_board.incidents[0].label.contains("溪口桥"));
    let event = rollcall::start(
        &mut store,
        &TransferOrder {
            hazard: Some(HazardKind::Flood),
            incident_id: Some(started.id.clone()),
            level: " red ".to_string(),
            ..TransferOrder::default()
        },
    )
    .expect("start");
    assert_eq!(event.level, "red", "trimmed as typed");
    assert_eq!(board_now(&store).incidents[0].moved_in_roll_calls, Some(0));

    let call = rollcall::view(&store, &event.id).expect("view");
    let first = &call.people[0];
    let one = rollcall::mark(
        &mut store,
        &event.id,
        std::slice::from_ref(&first.resident_id),
        &mark(Mark::Unreachable),
    )
    .expect("mark");
    assert_eq!(one.people.len(), 1, "only the person marked comes back");
    assert_eq!(one.people[0].resident_id, first.resident_id);
    assert_eq!(one.people[0].status, Mark::Unreachable);
    assert_eq!(one.people[0].marked_by, "潘宇航");
    assert!(one.people[0].marked_at.is_some());
    assert_eq!(one.totals.village.of(Mark::Unreachable).people, 1);
    assert_eq!(
        one.totals.village.not_moved.people, call.totals.village.expected.people,
        "未联系上 is still not moved"
    );

    // One tap for the whole household: everyone of it comes back, moved.
    let household = first.household_id.clone();
    let members: HashSet<String> = call
        .people
        .iter()
        .filter(|p| p.household_id == household)
        .map(|p| p.resident_id.clone())
        .collect();
    let all = rollcall::mark_household(&mut store, &event.id, &household, &mark(Mark::Moved))
        .expect("household");
    assert_eq!(
        all.people
            .iter()
            .map(|p| p.resident_id.clone())
            .collect::<HashSet<_>>(),
        members
    );
    assert!(all.people.iter().all(|p| p.status == Mark::Moved));
    assert_eq!(all.totals.village.moved.people, members.len() as i64);
    // The answer agrees with the list read whole.
    let again = rollcall::view(&store, &event.id).expect("view");
    assert_eq!(again.totals, all.totals);
    for p in &all.people {
        let listed = again
            .people
            .iter()
            .find(|q| q.resident_id == p.resident_id)
            .expect("on the list");
        assert_eq!(listed, p);
    }

    // The incident's next report starts from the people moved.
    assert_eq!(
        board_now(&store).incidents[0].moved_in_roll_calls,
        Some(members.len() as i64)
    );

    // 投亲靠友 without with whom is refused and changes nothing.
    let err = rollcall::mark(
        &mut store,
        &event.id,
        std::slice::from_ref(&first.resident_id),
        &mark(Mark::WithRelatives),
    )
    .expect_err("with whom is needed");
    assert_eq!(err.field.as_deref(), Some("投靠的亲友"));
    assert_eq!(
        rollcall::view(&store, &event.id).expect("view").totals,
        all.totals
    );

    // 解除: no more marks, with the code the screen matches on.
    let ended = rollcall::end(&mut store, &event.id).expect("end");
    assert!(ended.ended_at.is_some());
    let err = rollcall::mark_household(&mut store, &event.id, &household, &mark(Mark::Returned))
        .expect_err("ended");
    assert_eq!(err.code, ErrorCode::RollCallEnded);
    assert!(!rollcall::board(&store).expect("board").roll_calls[0].open);
}
