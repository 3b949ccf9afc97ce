//! The printout models filled from the demo village: who gets a household card, what the
//! grid sheets, kit sheet and contacts sheet hold, and that no ID number leaves unmasked.

use std::collections::HashSet;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::printouts::{self, HOUSEHOLD_CARD_COPIES};
use cunan_core::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
}

fn demo_store(dir: &std::path::Path, households: usize) -> Store {
    demo::create(
        &dir.join("v.sqlite3"),
        DemoOptions {
            households,
            seed: 5,
            today: today(),
        },
    )
    .expect("demo")
    .0
}

fn is_full_id(s: &str) -> bool {
    s.len() == 18 && s[..17].chars().all(|c| c.is_ascii_digit())
}

#[test]
fn every_threatened_household_gets_one_card_with_every_field() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = demo_store(dir.path(), 200);
    // One household only linked to a hazard site (not marked in_danger_zone), one only
    // marked: both are threatened.
    let site = store.list::<HazardSite>().expect("sites")[2].clone();
    let linked = store
        .save(&Household {
            head_name: "周䶮".into(),
            address: "青石村5组1号".into(),
            ..Household::default()
        })
        .expect("household");
    store
        .save(&HouseholdHazard {
            household_id: linked.id.clone(),
            hazard_site_id: site.id.clone(),
            ..HouseholdHazard::default()
        })
        .expect("link");

    let cards = printouts::household_cards(&store, today()).expect("cards");
    let threatened: HashSet<String> = store
        .list::<Household>()
        .expect("households")
        .into_iter()
        .filter(|h| h.in_danger_zone)
        .map(|h| h.id)
        .chain(
            store
                .list::<HouseholdHazard>()
                .expect("links")
                .into_iter()
                .map(|l| l.household_id),
        )
        .collect();
    let carded: HashSet<String> = cards.cards.iter().map(|c| c.household_id.clone()).collect();
    assert_eq!(carded, threatened);
    assert_eq!(carded.len(), cards.cards.len(), "one card per household");
    assert_eq!(
        HOUSEHOLD_CARD_COPIES,
        ["户主留存", "村委会留存", "发放单位留存"]
    );
    assert_eq!(cards.issuer, "溪口镇");

    for (i, c) in cards.cards.iter().enumerate() {
        assert_eq!(c.serial, format!("{:04}", i + 1));
        for (field, value) in [
            ("head", &c.head_name),
            ("hazard", &c.hazard_label),
            ("monitor", &c.monitor),
            ("signal", &c.warning_signal),
            ("giver", &c.warning_giver),
            ("route", &c.route),
            ("shelter", &c.shelter),
        ] {
            assert!(
                !value.trim().is_empty(),
                "{field} empty on card of {}",
                c.head_name
            );
        }
        assert!(!c.threats.is_empty());
        if c.household_id != linked.id {
            assert!(!c.members.is_empty(), "{}", c.head_name);
            assert!(!c.shelter_contact.is_empty());
            assert!(c.grid_contact.contains("网格"), "{}", c.grid_contact);
        }
    }
    let geo = cards
        .cards
        .iter()
        .find(|c| c.household_id == linked.id)
        .expect("linked household has a card");
    assert_eq!(geo.hazard_label, "地质灾害");
    assert!(geo.threats[0].starts_with(&site.name), "{:?}", geo.threats);
    // The route that leaves from where the slope is, to its shelter.
    assert!(geo.route.starts_with("后山片转移路线"), "{}", geo.route);
    assert!(geo.shelter.starts_with("青石小学"), "{}", geo.shelter);
    assert_eq!(
        geo.monitor,
        format!("{} {}", site.monitor_name, site.monitor_phone)
    );

    // Vulnerable members come with their helper.
    let helped = cards
        .cards
        .iter()
        .find(|c| !c.helpers.is_empty())
        .expect("some threatened household has a vulnerable member");
    assert!(helped.members.iter().any(|m| m.vulnerable.is_some()));
    assert!(helped.helpers[0].contains("帮扶人"), "{:?}", helped.helpers);
}

#[test]
fn grid_sheets_list_every_household_of_the_grid_per_member_with_masked_ids() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path(), 120);
    let all = printouts::grid_sheets(&store, None, today()).expect("sheets");
    let grids = store.list::<Grid>().expect("grids");
    let members = store.list::<GridMember>().expect("members");
    assert_eq!(all.sheets.len(), members.len(), "one sheet per grid member");
    let households: usize = grids
        .iter()
        .map(|g| {
            all.sheets
                .iter()
                .find(|s| s.grid_id == g.id)
                .map_or(0, |s| s.households.len())
        })
        .sum();
    assert_eq!(households, 120);
    let ids: HashSet<String> = store
        .list::<Resident>()
        .expect("residents")
        .into_iter()
        .map(|r| r.id_number)
        .collect();
    let mut vulnerable = 0;
    for sheet in &all.sheets {
        assert!(sheet.carrier.contains("网格"), "{}", sheet.carrier);
        assert_eq!(sheet.others.len(), 1);
        for r in sheet.households.iter().flat_map(|h| &h.residents) {
            assert!(!is_full_id(&r.id_masked), "{}", r.id_masked);
            assert!(!ids.contains(&r.id_masked));
            assert!(r.id_masked.contains("**********"), "{}", r.id_masked);
            if r.vulnerable.is_some() {
                vulnerable += 1;
                assert!(r.helper.as_ref().is_some_and(|h| !h.is_empty()));
            }
        }
    }
    assert!(vulnerable > 0);

    // One grid by name or by id; an unknown grid is a clear error.
    let first = &grids[0];
    for key in [first.name.as_str(), first.id.as_str()] {
        let one = printouts::grid_sheets(&store, Some(key), today()).expect("one grid");
        assert!(one.sheets.iter().all(|s| s.grid_id == first.id));
        assert_eq!(one.sheets.len(), 2);
    }
    match printouts::grid_sheets(&store, Some("第99网格"), today()) {
        Err(e) => {
            assert_eq!(e.code(), "not_found");
            assert!(e.to_string().contains("网格"), "{e}");
        }
        Ok(_) => panic!("unknown grid accepted"),
    }
}

#[test]
fn kit_sheet_matches_the_checklist_and_contacts_hold_every_level() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path(), 30);
    let checklist = kit::checklist(&store, today()).expect("checklist");
    let sheet = printouts::kit_sheet(&store, today()).expect("kit sheet");
    assert_eq!(sheet.lines.len(), checklist.lines.len());
    assert_eq!(sheet.problem_count as i64, checklist.problem_count);
    for (line, check) in sheet.lines.iter().zip(&checklist.lines) {
        assert_eq!(line.name, check.item.name);
        assert_eq!(line.problems.is_empty(), check.problems.is_empty());
        if check.standard {
            assert_eq!(
                line.required,
                format!("{}{}", check.required, check.item.unit)
            );
        } else {
            assert_eq!(line.required, "—");
        }
    }

    let contacts = printouts::contacts_sheet(&store, today()).expect("contacts");
    let titles: Vec<&str> = contacts.groups.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(titles[0], "紧急求助", "{titles:?}");
    assert!(titles[1].starts_with("县"), "{titles:?}");
    assert!(titles[2].starts_with("乡镇"), "{titles:?}");
    assert!(titles[3].starts_with("村级"), "{titles:?}");
    assert!(titles.contains(&"网格员"), "{titles:?}");
    let phones: Vec<&str> = contacts
        .groups
        .iter()
        .flat_map(|g| &g.entries)
        .map(|e| e.phone.as_str())
        .collect();
    for p in ["110", "119", "120", "0572-5012110", "0572-6211110"] {
        assert!(phones.contains(&p), "{p} missing from {phones:?}");
    }
    // The township's B post is listed with its A post, not on its own.
    let township = &contacts.groups[2];
    let a = township
        .entries
        .iter()
        .find(|e| e.duty_line)
        .expect("duty line");
    assert!(a.backup.contains("B岗"), "{}", a.backup);
    assert!(!township.entries.iter().any(|e| e.name.contains("B岗")));
}

#[test]
fn printouts_need_a_village() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = Store::open(&dir.path().join("empty.sqlite3")).expect("store");
    for result in [
        printouts::household_cards(&store, today()).map(|_| ()),
        printouts::grid_sheets(&store, None, today()).map(|_| ()),
        printouts::kit_sheet(&store, today()).map(|_| ()),
        printouts::contacts_sheet(&store, today()).map(|_| ()),
        printouts::not_safe_sheets(&store, "e1", None, evening()).map(|_| ()),
    ] {
        let e = result.expect_err("no village");
        assert_eq!(e.code(), "no_village");
    }
}

// ---- 未转移人员名单 ----

/// 21:30 in Zhejiang on the demo's day (its clock stands at 20:00 there).
fn evening() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-06-01T21:30:00+08:00").expect("time")
}

fn mark_input(status: rollcall::Mark) -> rollcall::MarkInput {
    rollcall::MarkInput {
        status,
        staying_with: "镇上亲戚家".into(),
        marked_by: "王网格".into(),
        note: if status == rollcall::Mark::Refused {
            "不肯离开老屋".into()
        } else {
            String::new()
        },
        ..rollcall::MarkInput::default()
    }
}

/// A red-warning flood transfer of the whole demo village (120 households, 3 grids, plus one
/// household in no grid): grid 3 all moved, in grids 1 and 2 one household moved, one person
/// refused, one away, one household gone back home.
fn evacuation(store: &mut Store) -> (String, rollcall::RollCall) {
    let loner = store
        .save(&Household {
            head_name: "孤老汉".into(),
            address: "青石村山脚独户".into(),
            phone: "13900002222".into(),
            ..Household::default()
        })
        .expect("household in no grid");
    store
        .save(&Resident {
            household_id: loner.id.clone(),
            name: "孤老汉".into(),
            relation: "户主".into(),
            ..Resident::default()
        })
        .expect("resident");
    let event = rollcall::start(
        store,
        &rollcall::TransferOrder {
            hazard: Some(HazardKind::Flood),
            level: "red".into(),
            started_by: "潘宇航".into(),
            ..rollcall::TransferOrder::default()
        },
    )
    .expect("start")
    .id;
    let call = rollcall::roll_call(store, &event).expect("roll call");
    let grids = store.list::<Grid>().expect("grids");
    let in_grid = |g: usize| -> Vec<&rollcall::RollCallPerson> {
        call.people
            .iter()
            .filter(|p| p.grid_id.as_deref() == Some(grids[g].id.as_str()))
            .collect()
    };
    let ids = |people: &[&rollcall::RollCallPerson]| -> Vec<String> {
        people.iter().map(|p| p.resident_id.clone()).collect()
    };
    use rollcall::Mark::*;
    rollcall::mark(store, &event, &ids(&in_grid(2)), &mark_input(Moved)).expect("grid 3 moved");
    for g in 0..2 {
        let people = in_grid(g);
        let household = |i: usize| -> Vec<&rollcall::RollCallPerson> {
            let mut households: Vec<&str> =
                people.iter().map(|p| p.household_id.as_str()).collect();
            households.dedup();
            people
                .iter()
                .copied()
                .filter(|p| p.household_id == households[i])
                .collect()
        };
        for (status, who) in [
            (Moved, ids(&household(0))),
            (WithRelatives, ids(&household(1))),
            (Returned, ids(&household(2))),
            (Refused, vec![household(3)[0].resident_id.clone()]),
            (Away, vec![household(4)[0].resident_id.clone()]),
        ] {
            rollcall::mark(store, &event, &who, &mark_input(status)).expect("mark");
        }
    }
    let call = rollcall::roll_call(store, &event).expect("roll call");
    (event, call)
}

#[test]
fn not_safe_sheets_list_per_grid_everyone_not_yet_safe_threatened_households_first() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = demo_store(dir.path(), 120);
    let (event, call) = evacuation(&mut store);
    let sheets = printouts::not_safe_sheets(&store, &event, None, evening()).expect("sheets");

    // Grids 1 and 2, then the households in no grid; grid 3 is all safe and has no sheet.
    let names: Vec<&str> = sheets.sheets.iter().map(|s| s.grid_name.as_str()).collect();
    assert_eq!(names, ["第1网格", "第2网格", "未分网格"]);
    assert_eq!(sheets.sheets[2].grid_id, None);
    // Households in no grid answer to the village's officer.
    let officer = store.village().expect("village").expect("village");
    assert_eq!(
        sheets.sheets[2].grid_member,
        format!(
            "村应急管理员 {} {}",
            officer.officer_name, officer.officer_phone
        )
    );
    assert_eq!(sheets.masthead.village_name, "青石村");
    assert_eq!(sheets.masthead.printed_on, today());
    let t = &sheets.transfer;
    assert_eq!(
        (t.hazard_label.as_str(), t.level_label.as_str()),
        ("防汛防台", "红色预警")
    );
    assert_eq!(t.started_at, "2026-06-01 20:00");
    assert_eq!(t.as_of, "2026-06-01 21:30");
    assert_eq!(t.ended_at, None);

    for sheet in &sheets.sheets {
        // Exactly the people of the grid not yet safe, in the roll call's order.
        let expected: Vec<&str> = call
            .people
            .iter()
            .filter(|p| p.status.is_not_safe() && p.grid_name == sheet.grid_name)
            .map(|p| p.resident_id.as_str())
            .collect();
        let listed: Vec<&str> = sheet.people().map(|p| p.resident_id.as_str()).collect();
        assert_eq!(listed, expected, "{}", sheet.grid_name);
        assert_eq!(
            sheet.totals.not_moved.people as usize,
            listed.len(),
            "{}",
            sheet.grid_name
        );
        let threatened: Vec<bool> = sheet.households.iter().map(|h| h.threatened).collect();
        assert!(
            threatened.windows(2).all(|w| w[0] >= w[1]),
            "threatened households first in {}: {threatened:?}",
            sheet.grid_name
        );
        for h in &sheet.households {
            assert!(!h.people.is_empty());
            assert!(!h.phone.is_empty(), "a phone to call for {}", h.head_name);
        }
        for p in sheet.people() {
            let label = match p.status {
                rollcall::Mark::Pending => "待转移",
                rollcall::Mark::Refused => "拒绝转移",
                rollcall::Mark::Unreachable => "未联系上",
                rollcall::Mark::Returned => "已返回",
                other => panic!("{} is {other:?}, not on the sheet", p.name),
            };
            assert_eq!(p.status_label, label);
            assert_eq!(p.marked.is_empty(), p.status == rollcall::Mark::Pending);
            if p.vulnerable.is_some() {
                assert!(p.helper.as_ref().is_some_and(|h| !h.is_empty()));
            }
        }
    }
    let first = &sheets.sheets[0];
    assert!(
        first.grid_member.starts_with("网格长 "),
        "{}",
        first.grid_member
    );
    assert_eq!(first.totals.moved.people, {
        let moved = call
            .people
            .iter()
            .filter(|p| p.grid_name == "第1网格" && p.status.is_safe())
            .count();
        moved as i64
    });
    let refused = first
        .people()
        .find(|p| p.status == rollcall::Mark::Refused)
        .expect("the refusal is on the sheet");
    assert_eq!(refused.note, "不肯离开老屋");
    assert!(
        refused.marked.starts_with("06-01 20:00 王网格"),
        "{}",
        refused.marked
    );
    assert!(first.people().any(|p| p.status == rollcall::Mark::Returned));
    assert!(sheets
        .sheets
        .iter()
        .flat_map(|s| s.people())
        .any(|p| p.vulnerable.is_some()));

    // No ID number anywhere in what is printed.
    let all = format!("{sheets:?}");
    for r in store.list::<Resident>().expect("residents") {
        if !r.id_number.is_empty() {
            assert!(!all.contains(&r.id_number), "an ID number is on the sheets");
        }
    }
}

#[test]
fn a_not_safe_sheet_for_one_grid_and_none_when_everyone_is_safe() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = demo_store(dir.path(), 120);
    let (event, call) = evacuation(&mut store);
    let grids = store.list::<Grid>().expect("grids");
    for key in [grids[1].name.as_str(), grids[1].id.as_str()] {
        let one = printouts::not_safe_sheets(&store, &event, Some(key), evening()).expect("one");
        assert_eq!(one.sheets.len(), 1);
        assert_eq!(one.sheets[0].grid_id.as_deref(), Some(grids[1].id.as_str()));
    }
    let ungridded =
        printouts::not_safe_sheets(&store, &event, Some("未分网格"), evening()).expect("none");
    assert_eq!(ungridded.sheets.len(), 1);
    assert_eq!(ungridded.sheets[0].people().count(), 1);
    // The grid all moved has no sheet; an unknown grid or roll call is a clear error.
    let safe = printouts::not_safe_sheets(&store, &event, Some(&grids[2].name), evening())
        .expect("all safe");
    assert!(safe.sheets.is_empty());
    let e = printouts::not_safe_sheets(&store, &event, Some("第99网格"), evening())
        .expect_err("no such grid");
    assert_eq!(e.code(), "not_found");
    assert!(e.to_string().contains("网格"), "{e}");
    let e = printouts::not_safe_sheets(&store, "no-such-event", None, evening())
        .expect_err("no such roll call");
    assert!(e.to_string().contains("转移"), "{e}");

    // Everyone left moved or away from the village: no sheets, nothing not yet safe.
    let left: Vec<String> = call.people.iter().map(|p| p.resident_id.clone()).collect();
    let (away, moved) = left.split_at(1);
    rollcall::mark(&mut store, &event, away, &mark_input(rollcall::Mark::Away)).expect("away");
    rollcall::mark(
        &mut store,
        &event,
        moved,
        &mark_input(rollcall::Mark::Moved),
    )
    .expect("moved");
    let none = printouts::not_safe_sheets(&store, &event, None, evening()).expect("sheets");
    assert!(none.sheets.is_empty(), "{:?}", none.sheets.len());
    assert_eq!(none.village.not_moved.people, 0);
}
