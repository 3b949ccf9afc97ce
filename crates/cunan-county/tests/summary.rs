//! The county's view of each village (issue #11): the village app's own rules on the rows the
//! county holds give the same figures the village's 备战自查 page shows; a village that never
//! synced shows as such; a summary is recomputed when the village's data changes.

mod common;

use std::collections::BTreeSet;

use common::*;
use cunan_core::readiness::CheckState;
use cunan_core::{Household, KitCondition, KitItem, Resident, VulnerablePerson};
use cunan_county::summary::{beijing_today, summaries};
use cunan_county::CountyStorage;

#[test]
fn the_county_sees_each_village_as_its_own_self_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut village = demo_store(&dir.path().join("a.db"), 40, 3);
    enrolled_and_synced(&county, &mut village);
    // A village registered, never synced.
    county
        .storage
        .add_village("330599101299", "山背村")
        .unwrap();

    let today = beijing_today(county.storage.clock_now());
    let list = summaries(county.storage.as_ref()).unwrap();
    assert_eq!(list.len(), 2);
    let never = list
        .iter()
        .find(|s| s.village_code == "330599101299")
        .unwrap();
    assert!(!never.synced && never.last_sync.is_none());
    assert_eq!((never.households, never.residents), (0, 0));
    assert_eq!(never.village_name, "山背村");

    let code = village_code(&village);
    let s = list.iter().find(|s| s.village_code == code).unwrap();
    assert!(s.synced && s.last_sync.is_some());
    // The village's own figures, from its own store.
    let own = cunan_core::readiness::readiness(&village, today).unwrap();
    assert_eq!(s.readiness_score, own.score);
    let own_gaps: BTreeSet<String> = own
        .items()
        .filter(|i| i.state != CheckState::Ok)
        .map(|i| format!("{}：{}", i.label, i.detail))
        .collect();
    assert_eq!(
        s.readiness_gaps.iter().cloned().collect::<BTreeSet<_>>(),
        own_gaps
    );
    assert_eq!(
        s.households,
        village.list::<Household>().unwrap().len() as i64
    );
    assert_eq!(
        s.residents,
        village.list::<Resident>().unwrap().len() as i64
    );
    let vulnerable = village.list::<VulnerablePerson>().unwrap();
    assert_eq!(s.vulnerable, vulnerable.len() as i64);
    assert_eq!(
        s.vulnerable_without_helper,
        vulnerable
            .iter()
            .filter(|v| v.helper_name.trim().is_empty() || v.helper_phone.trim().is_empty())
            .count() as i64
    );
    let kit = cunan_core::kit::checklist(&village, today).unwrap();
    assert_eq!(s.kit_problems.len() as i64, kit.problem_count);
    let register = cunan_core::registers::hazard_register(&village, today).unwrap();
    assert_eq!(
        (s.hazards_open, s.hazards_overdue),
        (register.open, register.overdue)
    );
    assert!(s.households > 0 && s.residents > s.households);

    // The village breaks its generator and syncs: the county's summary follows.
    let mut generator = village
        .list::<KitItem>()
        .unwrap()
        .into_iter()
        .find(|k| k.name.contains("发电机"))
        .unwrap();
    generator.condition = KitCondition::Broken;
    village.save(&generator).unwrap();
    cunan_sync::SyncClient::new(&county.url())
        .unwrap()
        .sync_once(&mut village, &mut |_| {})
        .unwrap();
    let after = summaries(county.storage.as_ref()).unwrap();
    let s2 = after.iter().find(|s| s.village_code == code).unwrap();
    assert!(
        s2.kit_problems
            .iter()
            .any(|p| p.contains("发电机") && p.contains("损坏")),
        "{:?}",
        s2.kit_problems
    );
    let own = cunan_core::readiness::readiness(&village, today).unwrap();
    assert_eq!(s2.readiness_score, own.score);
}
