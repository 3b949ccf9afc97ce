//! The readiness self-check (六个一 and 五有), and the flood responsible people's four small items.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::kit;
use cunan_core::plan;
use cunan_core::readiness::{self, CheckState, Readiness};
use cunan_core::*;

const PAGES: [&str; 9] = [
    "village",
    "roster",
    "teams",
    "places",
    "plans",
    "kit",
    "hazards",
    "drills",
    "education",
];

const ITEMS: [&str; 12] = [
    "plan",
    "team",
    "risk-map",
    "route-map",
    "supply-point",
    "drill",
    "organisation",
    "vulnerable",
    "plan-approved",
    "team-shock",
    "supplies",
    "education",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ));
    let store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock).unwrap();
    (dir, store)
}

fn bare_village() -> Village {
    Village {
        code: "330599101201".into(),
        name: "青石村".into(),
        comms_guaranteed: true,
        ..Village::default()
    }
}

/// The shape every answer has: two groups, the twelve items, pages from the known set, a detail.
fn check_shape(r: &Readiness) {
    let groups: Vec<&str> = r.groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(groups, ["six-ones", "five-have"]);
    let ids: Vec<&str> = r.items().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ITEMS);
    for i in r.items() {
        assert!(
            PAGES.contains(&i.page.as_str()),
            "{}: page {}",
            i.id,
            i.page
        );
        assert!(!i.detail.is_empty() && !i.label.is_empty(), "{}", i.id);
    }
}

fn states(r: &Readiness) -> Vec<(String, CheckState)> {
    r.items().map(|i| (i.id.clone(), i.state)).collect()
}

#[test]
fn an_empty_village_is_missing_everything() {
    let (_dir, mut store) = open();
    // No village at all yet: still an answer, all missing.
    let r = readiness::readiness(&store, today()).unwrap();
    check_shape(&r);
    assert_eq!(r.score, 0);
    assert!(r.items().all(|i| i.state == CheckState::Missing));

    store.save(&bare_village()).unwrap();
    kit::seed_standard_items(&mut store).unwrap(); // rows with quantity 0 are not kit
    let r = readiness::readiness(&store, today()).unwrap();
    check_shape(&r);
    assert_eq!(r.score, 0);
    for i in r.items() {
        assert_eq!(i.state, CheckState::Missing, "{}: {}", i.id, i.detail);
    }
    assert_eq!(r.item("organisation").unwrap().page, "village");
    assert_eq!(
        r.item("plan").unwrap().page,
        "village",
        "choose the hazard kinds first"
    );
    assert!(r
        .item("organisation")
        .unwrap()
        .detail
        .contains("村应急管理员"));
}

/// Ids of what the complete village holds, for the changes to reach.
struct Ids {
    plan: String,
    site: String,
    link: String,
    route: String,
    county_line: String,
    grid_member: String,
    resident: String,
    vulnerable: String,
    shock_member: String,
    sub_team: String,
    generator: String,
    megaphone: String,
    responsible: String,
    drill: String,
    session: String,
}

/// A small village where every item is ok on 2026-06-01.
fn complete_village() -> (tempfile::TempDir, Store, Ids) {
    let (dir, mut store) = open();
    store
        .save(&Village {
            hazard_kinds: vec![HazardKind::Flood],
            officer_name: "张三".into(),
            officer_phone: "13800000001".into(),
            party_secretary: "李四".into(),
            party_secretary_phone: "13800000002".into(),
            ..bare_village()
        })
        .unwrap();
    let grid = store
        .save(&Grid {
            name: "第1网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let grid_member = store
        .save(&GridMember {
            grid_id: grid.id.clone(),
            name: "王五".into(),
            phone: "13800000003".into(),
            ..GridMember::default()
        })
        .unwrap();
    let county_line = store
        .save(&Contact {
            name: "临溪县应急管理局值班室".into(),
            level: "county".into(),
            phone: "0572-5012110".into(),
            is_duty_line: true,
            ..Contact::default()
        })
        .unwrap();
    let household = store
        .save(&Household {
            grid_id: Some(grid.id.clone()),
            head_name: "赵六".into(),
            in_danger_zone: true,
            ..Household::default()
        })
        .unwrap();
    let resident = store
        .save(&Resident {
            household_id: household.id.clone(),
            name: "赵六".into(),
            ..Resident::default()
        })
        .unwrap();
    let vulnerable = store
        .save(&VulnerablePerson {
            resident_id: resident.id.clone(),
            kind: VulnerableKind::ElderlyAlone,
            helper_name: "王五".into(),
            helper_phone: "13800000003".into(),
            ..VulnerablePerson::default()
        })
        .unwrap();
    let site = store
        .save(&HazardSite {
            name: "溪边低洼易涝点".into(),
            hazard: Some(HazardKind::Flood),
            risk_color: "red".into(),
            ..HazardSite::default()
        })
        .unwrap();
    let link = store
        .save(&HouseholdHazard {
            household_id: household.id.clone(),
            hazard_site_id: site.id.clone(),
            ..HouseholdHazard::default()
        })
        .unwrap();
    let shelter = store
        .save(&Shelter {
            name: "村文化礼堂".into(),
            capacity: Some(300),
            ..Shelter::default()
        })
        .unwrap();
    let route = store
        .save(&EvacuationRoute {
            name: "溪边片转移路线".into(),
            shelter_id: Some(shelter.id.clone()),
            ..EvacuationRoute::default()
        })
        .unwrap();
    let shock = store
        .save(&Team {
            name: "青石村应急突击队".into(),
            kind: "shock".into(),
            ..Team::default()
        })
        .unwrap();
    let mut shock_member = String::new();
    for i in 0..5 {
        let m = store
            .save(&TeamMember {
                team_id: shock.id.clone(),
                name: format!("队员{i}"),
                phone: format!("1390000000{i}"),
                ..TeamMember::default()
            })
            .unwrap();
        shock_member = m.id;
    }
    let sub_team = store
        .save(&Team {
            name: "后勤保障组".into(),
            kind: "other".into(),
            ..Team::default()
        })
        .unwrap();
    let mut p = plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    p.responsible = "李四（村党组织书记）13800000002".into();
    p.monitor = "王五 13800000003".into();
    p.reporter = "队员0 13900000000".into();
    p.route = "溪边片转移路线".into();
    p.route_ref = Some(route.id.clone());
    p.safe_place = "村文化礼堂（可容纳300人）".into();
    p.safe_place_ref = Some(shelter.id.clone());
    p.approved_by = "李四".into();
    p.approved_on = Some(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    let p = store.save(&p).unwrap();
    let mut generator = String::new();
    let mut megaphone = String::new();
    for (code, name, quantity) in [
        ("generator", "小型发电机", 1),
        ("drainage-pump", "带动力排水泵", 1),
        ("micro-fire-station", "微型消防站", 1),
        ("megaphone", "手持扩音器", 2),
    ] {
        let item = store
            .save(&KitItem {
                catalog_code: Some(code.into()),
                name: name.into(),
                quantity,
                inspect_every_days: 30,
                ..KitItem::default()
            })
            .unwrap();
        kit::record_inspection(
            &mut store,
            &KitInspection {
                kit_item_id: item.id.clone(),
                date: NaiveDate::from_ymd_opt(2026, 5, 20).unwrap(),
                inspector: "张三".into(),
                ..KitInspection::default()
            },
        )
        .unwrap();
        match code {
            "generator" => generator = item.id,
            "megaphone" => megaphone = item.id,
            _ => {}
        }
    }
    let responsible = store
        .save(&FloodResponsible {
            name: "周水生".into(),
            has_helmet: true,
            has_flashlight: true,
            has_rain_gear: true,
            has_life_jacket: true,
            ..FloodResponsible::default()
        })
        .unwrap();
    let drill = store
        .save(&Drill {
            date: NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
            kind: "comprehensive".into(),
            hazard: Some(HazardKind::Flood),
            participants: Some(60),
            ..Drill::default()
        })
        .unwrap();
    // The one resident was taught the plan this spring.
    let session = cunan_core::education::save_session(
        &mut store,
        &EducationSession {
            date: NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
            topic: "防汛防台预案宣讲".into(),
            taught_by: "张三".into(),
            ..EducationSession::default()
        },
        &[EducationAttendance {
            resident_id: Some(resident.id.clone()),
            ..EducationAttendance::default()
        }],
    )
    .unwrap();
    let ids = Ids {
        plan: p.id,
        site: site.id,
        link: link.id,
        route: route.id,
        county_line: county_line.id,
        grid_member: grid_member.id,
        resident: resident.id,
        vulnerable: vulnerable.id,
        shock_member,
        sub_team: sub_team.id,
        generator,
        megaphone,
        responsible: responsible.id,
        drill: drill.id,
        session: session.id,
    };
    (dir, store, ids)
}

#[test]
fn a_complete_village_is_all_ok() {
    let (_dir, store, _) = complete_village();
    let r = readiness::readiness(&store, today()).unwrap();
    check_shape(&r);
    for i in r.items() {
        assert_eq!(i.state, CheckState::Ok, "{}: {}", i.id, i.detail);
    }
    assert_eq!(r.score, 100);
    assert_eq!(r.item("team").unwrap().detail, "已有 2 支队伍、5 名队员。");
    assert!(r
        .item("route-map")
        .unwrap()
        .detail
        .contains("共可容纳 300 人"));
}

fn edit<R: Record>(store: &mut Store, id: &str, f: impl FnOnce(&mut R)) {
    let mut r = store.get::<R>(id).unwrap().expect("live row");
    f(&mut r);
    store.save(&r).unwrap();
}

type Change = fn(&mut Store, &Ids);

/// From the complete village, one change → the items that flip (id, state, page); every other
/// item stays ok.
fn check(name: &str, change: Change, expect: &[Flip], words: &[&str]) {
    let (_dir, mut store, ids) = complete_village();
    change(&mut store, &ids);
    let r = readiness::readiness(&store, today()).unwrap();
    check_shape(&r);
    for i in r.items() {
        match expect.iter().find(|e| e.0 == i.id) {
            Some((_, state, page)) => {
                assert_eq!(i.state, *state, "{name}: {} — {}", i.id, i.detail);
                assert_eq!(i.page, *page, "{name}: {} page", i.id);
            }
            None => assert_eq!(i.state, CheckState::Ok, "{name}: {} — {}", i.id, i.detail),
        }
    }
    let details: String = r.items().map(|i| i.detail.as_str()).collect();
    for w in words {
        assert!(details.contains(w), "{name}: “{w}” in {details}");
    }
    let partial = expect.iter().filter(|e| e.1 == CheckState::Partial).count();
    let ok = ITEMS.len() - expect.len();
    assert_eq!(
        r.score,
        ((ok as f64 + partial as f64 / 2.0) * 100.0 / ITEMS.len() as f64).round() as i64,
        "{name}: score"
    );
}

/// An item that flips: (id, state, page).
type Flip = (&'static str, CheckState, &'static str);
/// (name, change, flips, words the details must hold)
type Case = (
    &'static str,
    Change,
    &'static [Flip],
    &'static [&'static str],
);

#[test]
fn one_change_flips_the_item_it_belongs_to() {
    use CheckState::{Missing, Partial};
    let cases: &[Case] = &[
        (
            "plan item emptied",
            |s, ids| edit::<Plan>(s, &ids.plan, |p| p.monitor.clear()),
            &[("plan", Partial, "plans")],
            &["防汛防台预案还缺 1 项（监测人）"],
        ),
        (
            "plan not signed off",
            |s, ids| edit::<Plan>(s, &ids.plan, |p| p.approved_on = None),
            &[("plan-approved", Partial, "plans")],
            &["还没有审定"],
        ),
        (
            "plan deleted",
            |s, ids| s.delete::<Plan>(&ids.plan).unwrap(),
            &[
                ("plan", Missing, "plans"),
                ("plan-approved", Missing, "plans"),
            ],
            &["防汛防台还没有预案"],
        ),
        (
            "a second hazard kind without a plan",
            |s, _| {
                let mut v = s.village().unwrap().unwrap();
                v.hazard_kinds.push(HazardKind::Geological);
                s.save(&v).unwrap();
            },
            &[
                ("plan", Partial, "plans"),
                ("plan-approved", Partial, "plans"),
            ],
            &["地质灾害还没有预案"],
        ),
        (
            "a member without a phone in a sub-team",
            |s, ids| {
                for name in ["甲", "乙"] {
                    s.save(&TeamMember {
                        team_id: ids.sub_team.clone(),
                        name: name.into(),
                        ..TeamMember::default()
                    })
                    .unwrap();
                }
            },
            &[("team-shock", Partial, "teams")],
            &["后勤保障组 2 人无电话"],
        ),
        (
            "the shock team one short",
            |s, ids| s.delete::<TeamMember>(&ids.shock_member).unwrap(),
            &[("team", Partial, "teams"), ("team-shock", Partial, "teams")],
            &["只有 4 名队员留有电话"],
        ),
        (
            "the only team is not a shock team",
            |s, _| {
                let mut t = s
                    .list::<Team>()
                    .unwrap()
                    .into_iter()
                    .find(|t| t.kind == "shock")
                    .unwrap();
                t.kind = "other".into();
                t.name = "抢险队".into();
                s.save(&t).unwrap();
            },
            &[("team-shock", Partial, "teams")],
            &["还没有应急突击队"],
        ),
        (
            "site without a risk colour",
            |s, ids| edit::<HazardSite>(s, &ids.site, |h| h.risk_color.clear()),
            &[("risk-map", Partial, "hazards")],
            &["1 个隐患点还没有标风险等级颜色"],
        ),
        (
            "no household linked to a site",
            |s, ids| s.delete::<HouseholdHazard>(&ids.link).unwrap(),
            &[("risk-map", Partial, "roster")],
            &["还没有住户关联到隐患点"],
        ),
        (
            "no hazard site",
            |s, ids| s.delete::<HazardSite>(&ids.site).unwrap(),
            &[("risk-map", Missing, "hazards")],
            &["还没有登记隐患点"],
        ),
        (
            "route without a shelter",
            |s, ids| edit::<EvacuationRoute>(s, &ids.route, |r| r.shelter_id = None),
            &[("route-map", Partial, "places")],
            &["1 条路线没有指定安置点"],
        ),
        (
            "no route",
            |s, ids| {
                edit::<Plan>(s, &ids.plan, |p| p.route_ref = None);
                s.delete::<EvacuationRoute>(&ids.route).unwrap();
            },
            &[("route-map", Missing, "places")],
            &["还没有转移路线"],
        ),
        (
            "the generator gone",
            |s, ids| edit::<KitItem>(s, &ids.generator, |k| k.quantity = 0),
            &[
                ("supply-point", Partial, "kit"),
                ("supplies", Partial, "kit"),
            ],
            &["缺少小型发电机"],
        ),
        (
            "the generator broken",
            |s, ids| edit::<KitItem>(s, &ids.generator, |k| k.condition = KitCondition::Broken),
            &[
                ("supply-point", Partial, "kit"),
                ("supplies", Partial, "kit"),
            ],
            &["小型发电机已损坏"],
        ),
        (
            "a megaphone short",
            |s, ids| edit::<KitItem>(s, &ids.megaphone, |k| k.quantity = 1),
            &[("supplies", Partial, "kit")],
            &["手持扩音器数量不足"],
        ),
        (
            "a flood responsible person without a life jacket",
            |s, ids| edit::<FloodResponsible>(s, &ids.responsible, |f| f.has_life_jacket = false),
            &[("supplies", Partial, "kit")],
            &["防汛责任人 1 人中 1 人四小件不全"],
        ),
        (
            "no flood responsible person in a flood village",
            |s, ids| s.delete::<FloodResponsible>(&ids.responsible).unwrap(),
            &[("supplies", Partial, "kit")],
            &["还没有登记防汛责任人"],
        ),
        (
            "no drill",
            |s, ids| s.delete::<Drill>(&ids.drill).unwrap(),
            &[("drill", Missing, "drills")],
            &["还没有演练记录"],
        ),
        (
            "last drill last year",
            |s, ids| {
                edit::<Drill>(s, &ids.drill, |d| {
                    d.date = NaiveDate::from_ymd_opt(2025, 12, 20).unwrap()
                })
            },
            &[("drill", Missing, "drills")],
            &["2026 年还没有演练，上次演练是 2025-12-20"],
        ),
        (
            "no officer phone",
            |s, _| {
                let mut v = s.village().unwrap().unwrap();
                v.officer_phone.clear();
                s.save(&v).unwrap();
            },
            &[("organisation", Partial, "village")],
            &["还缺村应急管理员的姓名和电话"],
        ),
        (
            "no county duty line",
            |s, ids| s.delete::<Contact>(&ids.county_line).unwrap(),
            &[("organisation", Partial, "teams")],
            &["县应急管理局值班电话"],
        ),
        (
            "a grid without members",
            |s, ids| s.delete::<GridMember>(&ids.grid_member).unwrap(),
            &[("organisation", Partial, "roster")],
            &["1 个网格的网格员（第1网格）"],
        ),
        (
            "nobody registered as vulnerable",
            |s, ids| s.delete::<VulnerablePerson>(&ids.vulnerable).unwrap(),
            &[("vulnerable", Partial, "roster")],
            &["还没有登记重点人群"],
        ),
        (
            "no residents",
            |s, ids| s.delete::<Resident>(&ids.resident).unwrap(),
            &[
                ("vulnerable", Missing, "roster"),
                ("education", Missing, "roster"),
            ],
            &["还没有录入住户和居民", "无法统计预案受教育率"],
        ),
        (
            "the session exactly 3 years ago still counts",
            |s, ids| {
                edit::<EducationSession>(s, &ids.session, |e| {
                    e.date = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap()
                })
            },
            &[],
            &["近 3 年已受教育 1 / 1 人（100%）"],
        ),
        (
            "the session 3 years and a day ago no longer counts",
            |s, ids| {
                edit::<EducationSession>(s, &ids.session, |e| {
                    e.date = NaiveDate::from_ymd_opt(2023, 5, 31).unwrap()
                })
            },
            &[("education", Missing, "education")],
            &["近 3 年已受教育 0 / 1 人（0%）", "3 年以前的宣传不再计入"],
        ),
        (
            "the session deleted",
            |s, ids| {
                s.delete_with_children("education_session", &ids.session)
                    .unwrap();
            },
            &[("education", Missing, "education")],
            &["还没有预案宣传教育记录"],
        ),
        (
            "the only session is planned, not held",
            |s, ids| {
                edit::<EducationSession>(s, &ids.session, |e| {
                    e.date = NaiveDate::from_ymd_opt(2026, 6, 2).unwrap()
                })
            },
            &[("education", Missing, "education")],
            &["还没有预案宣传教育记录"],
        ),
        (
            "a new resident not taught yet",
            |s, ids| {
                let r = s.get::<Resident>(&ids.resident).unwrap().unwrap();
                s.save(&Resident {
                    id: String::new(),
                    household_id: r.household_id,
                    name: "赵小六".into(),
                    ..Resident::default()
                })
                .unwrap();
            },
            &[("education", Partial, "education")],
            &["近 3 年已受教育 1 / 2 人（50.0%），还有 1 人没有受过预案宣传教育"],
        ),
    ];
    for (name, change, expect, words) in cases {
        check(name, *change, expect, words);
    }
}

#[test]
fn the_demo_village_is_mostly_ready() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) =
        demo::create(&dir.path().join("d.sqlite3"), DemoOptions::new(today())).unwrap();
    let r = readiness::readiness(&store, today()).unwrap();
    check_shape(&r);
    let not_ok: Vec<(String, CheckState)> = states(&r)
        .into_iter()
        .filter(|(_, s)| *s != CheckState::Ok)
        .collect();
    assert_eq!(
        not_ok,
        [
            ("plan".to_string(), CheckState::Partial),
            ("plan-approved".to_string(), CheckState::Partial),
            ("supplies".to_string(), CheckState::Partial),
            ("education".to_string(), CheckState::Partial),
        ],
        "{:#?}",
        r.groups
    );
    assert_eq!(r.score, 83);
    // The demo's sign-ins reach part of the village; the figure is the education screen's.
    let share = cunan_core::education::education_log(&store, today())
        .unwrap()
        .share;
    let education = r.item("education").unwrap();
    assert!(
        education
            .detail
            .starts_with(&format!("近 3 年已受教育 {}，还有", share.text)),
        "{}",
        education.detail
    );
    assert_eq!(education.page, "education");
    let plan = r.item("plan").unwrap();
    assert!(
        plan.detail.contains("森林火灾还没有预案"),
        "{}",
        plan.detail
    );
    assert!(
        plan.detail.contains("地质灾害预案还缺 1 项（先期处置）"),
        "{}",
        plan.detail
    );
    let supplies = r.item("supplies").unwrap();
    assert!(
        supplies.detail.contains("防汛责任人 6 人中 3 人四小件不全"),
        "{}",
        supplies.detail
    );
}

// ---------------------------------------------------------------------------------------------
// The four small items

#[test]
fn responsible_kit_lists_what_each_person_lacks_most_missing_first() {
    let (_dir, mut store) = open();
    store.save(&bare_village()).unwrap();
    let empty = kit::responsible_kit(&store).unwrap();
    assert_eq!(empty.item_names, ["头盔", "电筒", "防雨护具", "救生衣"]);
    assert!(empty.people.is_empty());
    assert_eq!(empty.complete, 0);

    // (name, helmet, flashlight, rain gear, life jacket)
    let people = [
        ("甲", true, true, true, true),
        ("乙", false, true, true, false),
        ("丙", true, true, false, true),
        ("丁", false, false, false, false),
        ("戊", true, true, true, true),
    ];
    for (name, helmet, flashlight, rain, jacket) in people {
        store
            .save(&FloodResponsible {
                name: name.into(),
                has_helmet: helmet,
                has_flashlight: flashlight,
                has_rain_gear: rain,
                has_life_jacket: jacket,
                ..FloodResponsible::default()
            })
            .unwrap();
    }
    let gone = store
        .save(&FloodResponsible {
            name: "已删除".into(),
            ..FloodResponsible::default()
        })
        .unwrap();
    store.delete::<FloodResponsible>(&gone.id).unwrap();

    let k = kit::responsible_kit(&store).unwrap();
    let rows: Vec<(&str, Vec<&str>)> = k
        .people
        .iter()
        .map(|r| {
            (
                r.person.name.as_str(),
                r.missing.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let expect: Vec<(&str, Vec<&str>)> = vec![
        ("丁", vec!["头盔", "电筒", "防雨护具", "救生衣"]),
        ("乙", vec!["头盔", "救生衣"]),
        ("丙", vec!["防雨护具"]),
        ("甲", vec![]),
        ("戊", vec![]),
    ];
    // Same number missing: by name (Unicode order), so the list is stable.
    let mut tail: Vec<&str> = vec!["甲", "戊"];
    tail.sort();
    assert_eq!(rows[..3], expect[..3]);
    assert_eq!(rows[3..].iter().map(|r| r.0).collect::<Vec<_>>(), tail);
    assert!(rows[3..].iter().all(|r| r.1.is_empty()));
    assert_eq!(k.complete, 2);
}
