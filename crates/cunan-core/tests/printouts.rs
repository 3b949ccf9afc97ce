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
    ] {
        let e = result.expect_err("no village");
        assert_eq!(e.code(), "no_village");
    }
}
