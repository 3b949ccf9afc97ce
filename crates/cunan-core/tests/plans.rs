//! Plans: the built-in templates, creating a plan from one, and what a plan still lacks.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::plan::{self, RefChoice, WARNING_LEVELS};
use cunan_core::*;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ));
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            hazard_kinds: vec![
                HazardKind::Flood,
                HazardKind::Geological,
                HazardKind::ForestFire,
            ],
            party_secretary: "李建国".into(),
            party_secretary_phone: "13800000000".into(),
            ..Village::default()
        })
        .unwrap();
    (dir, store)
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn gap_fields(store: &Store, plan_id: &str) -> Vec<String> {
    plan::plan_view(store, plan_id)
        .unwrap()
        .expect("the plan is live")
        .gaps
        .into_iter()
        .map(|g| g.field)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Templates

/// A hazard kind's template: the warning levels its warning steps must use (empty: no levels
/// needed), and words it must contain somewhere.
fn check_template(hazard: HazardKind, levels: &[&str], words: &[&str]) {
    let t = plan::template(hazard).unwrap_or_else(|e| panic!("{hazard:?}: {e}"));
    assert_eq!(t.hazard, hazard);
    assert!(t.title.ends_with("预案"), "{hazard:?}: {}", t.title);
    assert!(!t.warning_signal.trim().is_empty(), "{hazard:?}");
    for phase in PlanPhase::ALL {
        assert!(
            t.steps.iter().any(|s| s.phase == phase),
            "{hazard:?} has no step in {phase:?}"
        );
    }
    for s in &t.steps {
        assert!(
            !s.who.trim().is_empty() && !s.what.trim().is_empty() && !s.how.trim().is_empty(),
            "{hazard:?}: every step says who, what and how: {s:?}"
        );
        if let Some(level) = &s.warning_level {
            assert_eq!(s.phase, PlanPhase::Warning, "{hazard:?}: {s:?}");
            assert!(
                WARNING_LEVELS.iter().any(|(code, _)| code == level),
                "{hazard:?}: unknown level {level}"
            );
        }
    }
    let used: Vec<&str> = t
        .steps
        .iter()
        .filter_map(|s| s.warning_level.as_deref())
        .collect();
    assert_eq!(used, levels, "{hazard:?}: warning levels in order");
    let text = serde_json::to_string(&t).unwrap();
    for w in words {
        assert!(text.contains(w), "{hazard:?} template mentions {w}");
    }
}

#[test]
fn every_hazard_kind_has_a_template_with_steps_in_every_phase() {
    let table: [(HazardKind, &[&str], &[&str]); 6] = [
        (
            HazardKind::Flood,
            &["blue", "yellow", "orange", "red"],
            &[
                "提前、提级、扩面",
                "1 小时",
                "30 分钟",
                "先避险、再抢险",
                "帮扶责任人",
                "准备转移",
                "立即转移",
            ],
        ),
        (
            HazardKind::Geological,
            &["yellow", "orange", "red"],
            &["监测员", "1 小时", "30 分钟", "准备转移", "立即转移"],
        ),
        (
            HazardKind::ForestFire,
            &["yellow", "orange", "red"],
            &["119", "30 分钟"],
        ),
        (HazardKind::Fire, &[], &["119", "微型消防站"]),
        (HazardKind::Earthquake, &[], &["空旷", "30 分钟"]),
        (HazardKind::Other, &[], &["先避险、再抢险", "30 分钟"]),
    ];
    assert_eq!(table.len(), HazardKind::ALL.len());
    for (hazard, levels, words) in table {
        check_template(hazard, levels, words);
    }
}

// ---------------------------------------------------------------------------------------------
// Creating a plan

#[test]
fn a_plan_from_a_template_is_saved_whole_with_steps_numbered_per_phase() {
    let (_dir, mut store) = store();
    let t = plan::template(HazardKind::Flood).unwrap();
    let p = plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    assert_eq!(p.title, "青石村防汛防台应急预案");
    assert_eq!(p.warning_signal, t.warning_signal);
    assert_eq!(p.hazard, Some(HazardKind::Flood));

    let view = plan::plan_view(&store, &p.id).unwrap().unwrap();
    assert_eq!(view.plan, p);
    assert_eq!(view.steps.len(), t.steps.len());
    for phase in PlanPhase::ALL {
        let positions: Vec<i64> = view
            .steps
            .iter()
            .filter(|s| s.phase == phase)
            .map(|s| s.position)
            .collect();
        let expect: Vec<i64> = (0..positions.len() as i64).collect();
        assert_eq!(positions, expect, "{phase:?}");
    }
    // Steps come back in phase order, and in the template's order within a phase.
    let whats: Vec<&str> = view.steps.iter().map(|s| s.what.as_str()).collect();
    let mut expect = t.steps.clone();
    expect.sort_by_key(|s| s.phase);
    let expect: Vec<&str> = expect.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(whats, expect);

    // A fresh plan lacks exactly the 六落实 items the template cannot know (the signal it has).
    let fields: Vec<&str> = view.gaps.iter().map(|g| g.field.as_str()).collect();
    assert_eq!(
        fields,
        ["responsible", "monitor", "reporter", "route", "safe_place"]
    );
    assert!(
        view.gaps[1].message.starts_with("请填写监测预警人"),
        "{}",
        view.gaps[1].message
    );
    for g in &view.gaps {
        assert!(g.message.contains("请"), "{}", g.message);
    }
}

#[test]
fn creating_a_plan_is_one_transaction() {
    let (_dir, mut store) = store();
    let before = count(&store, "SELECT count(*) FROM change_log");
    // Make the fourth step fail: nothing of the plan may land.
    store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER fail_fourth_step BEFORE INSERT ON plan_step \
             WHEN (SELECT count(*) FROM plan_step) >= 3 \
             BEGIN SELECT RAISE(ABORT, 'disk pulled'); END;",
        )
        .unwrap();
    let err = plan::create_from_template(&mut store, HazardKind::Flood).unwrap_err();
    assert_eq!(err.code(), "storage");
    assert_eq!(count(&store, "SELECT count(*) FROM plan"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM plan_step"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM change_log"), before);

    store
        .conn()
        .execute_batch("DROP TRIGGER fail_fourth_step")
        .unwrap();
    let p = plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    let steps = plan::template(HazardKind::Flood).unwrap().steps.len() as i64;
    assert_eq!(count(&store, "SELECT count(*) FROM plan"), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM plan_step"), steps);
    // One transaction: every row of it was logged under the same device write, in one go.
    assert_eq!(
        count(&store, "SELECT count(*) FROM change_log") - before,
        1 + steps
    );
    assert_eq!(plan::plan_list(&store).unwrap().plans[0].plan.id, p.id);
}

#[test]
fn one_plan_per_hazard_kind_except_other() {
    let (_dir, mut store) = store();
    plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    let err = plan::create_from_template(&mut store, HazardKind::Flood).unwrap_err();
    assert_eq!(err.code(), "plan_exists");
    assert!(err.to_string().contains("青石村防汛防台应急预案"), "{err}");
    plan::create_from_template(&mut store, HazardKind::Other).unwrap();
    plan::create_from_template(&mut store, HazardKind::Other).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM plan"), 3);
}

#[test]
fn a_plan_needs_a_village() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite3")).unwrap();
    let err = plan::create_from_template(&mut store, HazardKind::Fire).unwrap_err();
    assert_eq!(err.code(), "no_village");
}

// ---------------------------------------------------------------------------------------------
// Gaps

/// The rows a plan can point at.
struct Refs {
    route: String,
    shelter: String,
    member: String,
}

fn refs(store: &mut Store) -> Refs {
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
    let team = store
        .save(&Team {
            name: "应急突击队".into(),
            kind: "shock".into(),
            ..Team::default()
        })
        .unwrap();
    let member = store
        .save(&TeamMember {
            team_id: team.id,
            name: "王国强".into(),
            phone: "13900000000".into(),
            role: "队长".into(),
            ..TeamMember::default()
        })
        .unwrap();
    Refs {
        route: route.id,
        shelter: shelter.id,
        member: member.id,
    }
}

/// A plan for `hazard` from the template with all six items filled in and pointing at live rows.
fn complete_plan(store: &mut Store, hazard: HazardKind, r: &Refs) -> Plan {
    let mut p = plan::create_from_template(store, hazard).unwrap();
    p.responsible = "李建国（村党组织书记）13800000000".into();
    p.responsible_ref = Some(plan::PARTY_SECRETARY_REF.into());
    p.monitor = "王国强（队长）13900000000".into();
    p.monitor_ref = Some(r.member.clone());
    p.reporter = "王国强（队长）13900000000".into();
    p.route = "溪边片转移路线".into();
    p.route_ref = Some(r.route.clone());
    p.safe_place = "村文化礼堂".into();
    p.safe_place_ref = Some(r.shelter.clone());
    store.save(&p).unwrap()
}

type Change = fn(&mut Store, &mut Plan, &Refs);

/// Starting from a complete plan, one change → the gaps it shows (fields, and a word of the
/// first message).
fn check_gaps(name: &str, hazard: HazardKind, change: Change, expect: &[&str], word: &str) {
    let (_dir, mut store) = store();
    let r = refs(&mut store);
    let mut p = complete_plan(&mut store, hazard, &r);
    assert_eq!(
        gap_fields(&store, &p.id),
        Vec::<String>::new(),
        "{name}: complete"
    );
    change(&mut store, &mut p, &r);
    let view = plan::plan_view(&store, &p.id).unwrap().unwrap();
    let fields: Vec<&str> = view.gaps.iter().map(|g| g.field.as_str()).collect();
    assert_eq!(fields, expect, "{name}");
    if let Some(first) = view.gaps.first() {
        assert!(first.message.contains(word), "{name}: {}", first.message);
    }
    let summary = plan::plan_list(&store).unwrap();
    assert_eq!(
        summary.plans[0].gaps,
        expect.len() as i64,
        "{name}: list count"
    );
}

fn delete_steps(store: &mut Store, p: &Plan, phase: PlanPhase) {
    for s in plan::steps_of(store, &p.id).unwrap() {
        if s.phase == phase {
            store.delete::<PlanStep>(&s.id).unwrap();
        }
    }
}

#[test]
fn gaps_show_each_empty_item_deleted_reference_and_empty_phase() {
    use HazardKind::{Fire, Flood, Geological};
    let cases: &[(&str, HazardKind, Change, &[&str], &str)] = &[
        ("nothing changed", Flood, |_, _, _| {}, &[], ""),
        (
            "responsible emptied",
            Flood,
            |s, p, _| {
                p.responsible.clear();
                p.responsible_ref = None;
                *p = s.save(p).unwrap();
            },
            &["responsible"],
            "请填写责任人",
        ),
        (
            "monitor emptied",
            Flood,
            |s, p, _| {
                p.monitor = " ".into();
                p.monitor_ref = None;
                *p = s.save(p).unwrap();
            },
            &["monitor"],
            "请填写监测预警人",
        ),
        (
            "reporter emptied",
            Flood,
            |s, p, _| {
                p.reporter.clear();
                *p = s.save(p).unwrap();
            },
            &["reporter"],
            "请填写信息员",
        ),
        (
            "warning signal emptied",
            Geological,
            |s, p, _| {
                p.warning_signal.clear();
                *p = s.save(p).unwrap();
            },
            &["warning_signal"],
            "请填写预警信号",
        ),
        (
            "route and safe place emptied",
            Fire,
            |s, p, _| {
                p.route.clear();
                p.route_ref = None;
                p.safe_place.clear();
                p.safe_place_ref = None;
                *p = s.save(p).unwrap();
            },
            &["route", "safe_place"],
            "请填写转移路线",
        ),
        (
            "the chosen route was deleted",
            Flood,
            |s, _, r| s.delete::<EvacuationRoute>(&r.route).unwrap(),
            &["route"],
            "转移路线已被删除，请重新选择",
        ),
        (
            "the chosen shelter was deleted",
            Flood,
            |s, _, r| s.delete::<Shelter>(&r.shelter).unwrap(),
            &["safe_place"],
            "安置点已被删除",
        ),
        (
            "the chosen monitor left the roster",
            Flood,
            |s, _, r| s.delete::<TeamMember>(&r.member).unwrap(),
            &["monitor"],
            "已从名册中删除",
        ),
        (
            "the party secretary was cleared on the village",
            Flood,
            |s, _, _| {
                let mut v = s.village().unwrap().unwrap();
                v.party_secretary.clear();
                v.party_secretary_phone.clear();
                s.save(&v).unwrap();
            },
            &["responsible"],
            "重新选择",
        ),
        (
            "a person ref to an id not in any roster",
            Flood,
            |s, p, _| {
                p.reporter_ref = Some("no-such-person".into());
                *p = s.save(p).unwrap();
            },
            &["reporter"],
            "已从名册中删除",
        ),
        (
            "no recovery steps",
            Flood,
            |s, p, _| delete_steps(s, p, PlanPhase::Recovery),
            &["phase:recovery"],
            "灾后恢复",
        ),
        (
            "no warning and no evacuation steps",
            Geological,
            |s, p, _| {
                delete_steps(s, p, PlanPhase::Warning);
                delete_steps(s, p, PlanPhase::Evacuation);
            },
            &["phase:warning", "phase:evacuation"],
            "预警发布",
        ),
        (
            "flood warning steps without levels",
            Flood,
            |s, p, _| {
                for mut step in plan::steps_of(s, &p.id).unwrap() {
                    if step.warning_level.is_some() {
                        step.warning_level = None;
                        s.save(&step).unwrap();
                    }
                }
            },
            &["warning_level"],
            "预警等级",
        ),
        (
            "one level left is enough",
            Flood,
            |s, p, _| {
                for mut step in plan::steps_of(s, &p.id).unwrap() {
                    if step.warning_level.as_deref() != Some("red") {
                        step.warning_level = None;
                        s.save(&step).unwrap();
                    }
                }
            },
            &[],
            "",
        ),
        (
            "fire plans need no warning levels",
            Fire,
            |_, _, _| {},
            &[],
            "",
        ),
    ];
    for (name, hazard, change, expect, word) in cases {
        check_gaps(name, *hazard, *change, expect, word);
    }
}

/// Fills one item from the choices (person, route, shelter).
type Fill = fn(&mut Plan, &RefChoice, &RefChoice, &RefChoice);

#[test]
fn filling_the_six_items_from_the_choices_removes_the_gaps_one_by_one() {
    let (_dir, mut store) = store();
    refs(&mut store);
    let mut p = plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    let choices = plan::plan_view(&store, &p.id).unwrap().unwrap().choices;
    let person = choices.people[0].clone();
    let route = choices.routes[0].clone();
    let shelter = choices.shelters[0].clone();
    let fills: [(&str, Fill); 5] = [
        ("responsible", |p, person, _, _| {
            p.responsible = person.label.clone();
            p.responsible_ref = Some(person.id.clone());
        }),
        ("monitor", |p, person, _, _| {
            p.monitor = person.label.clone();
            p.monitor_ref = Some(person.id.clone());
        }),
        ("reporter", |p, person, _, _| {
            p.reporter = person.label.clone();
            p.reporter_ref = Some(person.id.clone());
        }),
        ("route", |p, _, route, _| {
            p.route = route.label.clone();
            p.route_ref = Some(route.id.clone());
        }),
        ("safe_place", |p, _, _, shelter| {
            p.safe_place = shelter.label.clone();
            p.safe_place_ref = Some(shelter.id.clone());
        }),
    ];
    let mut left: Vec<&str> = fills.iter().map(|f| f.0).collect();
    for (field, fill) in fills {
        assert_eq!(gap_fields(&store, &p.id), left);
        fill(&mut p, &person, &route, &shelter);
        p = store.save(&p).unwrap();
        left.retain(|f| *f != field);
    }
    assert!(gap_fields(&store, &p.id).is_empty());
    let list = plan::plan_list(&store).unwrap();
    assert_eq!(list.plans[0].gaps, 0);
    assert_eq!(
        list.plans[0].steps,
        plan::template(HazardKind::Flood).unwrap().steps.len() as i64
    );
}

#[test]
fn choices_offer_the_roster_with_labels_ready_for_the_plan() {
    let (_dir, mut store) = store();
    let r = refs(&mut store);
    let grid = store
        .save(&Grid {
            name: "第1网格".into(),
            ..Grid::default()
        })
        .unwrap();
    store
        .save(&GridMember {
            grid_id: grid.id,
            name: "陈秀英".into(),
            phone: "13700000000".into(),
            ..GridMember::default()
        })
        .unwrap();
    store
        .save(&FloodResponsible {
            name: "周水生".into(),
            phone: "13600000000".into(),
            duty_area: "青石水库".into(),
            ..FloodResponsible::default()
        })
        .unwrap();
    let gone = store
        .save(&TeamMember {
            team_id: store.list::<Team>().unwrap()[0].id.clone(),
            name: "已调走".into(),
            ..TeamMember::default()
        })
        .unwrap();
    store.delete::<TeamMember>(&gone.id).unwrap();

    let c = plan::choices(&store).unwrap();
    let people: Vec<(&str, &str, &str)> = c
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.label.as_str(), p.detail.as_str()))
        .collect();
    assert_eq!(people.len(), 4, "{people:?}");
    assert_eq!(
        people[0],
        (
            plan::PARTY_SECRETARY_REF,
            "李建国（村党组织书记）13800000000",
            "村庄信息"
        )
    );
    assert_eq!(
        people[1],
        (r.member.as_str(), "王国强（队长）13900000000", "应急突击队")
    );
    assert_eq!(people[2].1, "陈秀英（网格员）13700000000");
    assert_eq!(people[2].2, "第1网格 网格员");
    assert_eq!(people[3].1, "周水生（防汛责任人）13600000000");
    assert_eq!(people[3].2, "防汛责任人（青石水库）");

    assert_eq!(c.shelters.len(), 1);
    assert_eq!(c.shelters[0].id, r.shelter);
    assert_eq!(c.shelters[0].label, "村文化礼堂（可容纳300人）");
    assert_eq!(c.routes.len(), 1);
    assert_eq!(c.routes[0].id, r.route);
    assert_eq!(c.routes[0].label, "溪边片转移路线");
    assert!(
        c.routes[0].detail.contains("村文化礼堂"),
        "{}",
        c.routes[0].detail
    );
}

#[test]
fn the_plan_list_names_the_hazards_still_without_a_plan() {
    let (_dir, mut store) = store();
    let list = plan::plan_list(&store).unwrap();
    assert!(list.plans.is_empty());
    assert_eq!(
        list.hazards_without_plan,
        [
            HazardKind::Flood,
            HazardKind::Geological,
            HazardKind::ForestFire
        ]
    );
    let geo = plan::create_from_template(&mut store, HazardKind::Geological).unwrap();
    plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    plan::create_from_template(&mut store, HazardKind::Earthquake).unwrap();
    let list = plan::plan_list(&store).unwrap();
    let hazards: Vec<_> = list.plans.iter().map(|p| p.plan.hazard.unwrap()).collect();
    assert_eq!(
        hazards,
        [
            HazardKind::Flood,
            HazardKind::Geological,
            HazardKind::Earthquake
        ],
        "by hazard kind"
    );
    assert_eq!(list.hazards_without_plan, [HazardKind::ForestFire]);
    store.delete::<Plan>(&geo.id).unwrap();
    let list = plan::plan_list(&store).unwrap();
    assert_eq!(
        list.hazards_without_plan,
        [HazardKind::Geological, HazardKind::ForestFire]
    );
    assert_eq!(plan::plan_view(&store, &geo.id).unwrap(), None);
    assert_eq!(plan::plan_view(&store, "nope").unwrap(), None);
}

#[test]
fn steps_come_back_in_phase_then_position_order() {
    let (_dir, mut store) = store();
    let p = store
        .save(&Plan {
            hazard: Some(HazardKind::Fire),
            title: "消防".into(),
            ..Plan::default()
        })
        .unwrap();
    for (phase, position, what) in [
        (PlanPhase::Recovery, 0, "e"),
        (PlanPhase::Warning, 1, "b"),
        (PlanPhase::FirstResponse, 0, "c"),
        (PlanPhase::Warning, 0, "a"),
        (PlanPhase::Reporting, 0, "d"),
    ] {
        store
            .save(&PlanStep {
                plan_id: p.id.clone(),
                phase,
                position,
                who: "村应急管理员".into(),
                what: what.into(),
                ..PlanStep::default()
            })
            .unwrap();
    }
    let view = plan::plan_view(&store, &p.id).unwrap().unwrap();
    let whats: String = view.steps.iter().map(|s| s.what.as_str()).collect();
    assert_eq!(whats, "abcde");
    let fields: Vec<&str> = view.gaps.iter().map(|g| g.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "responsible",
            "monitor",
            "reporter",
            "warning_signal",
            "route",
            "safe_place",
            "phase:evacuation"
        ]
    );
}

#[test]
fn the_demo_village_has_one_complete_plan_one_with_a_gap_and_one_hazard_without() {
    let dir = tempfile::tempdir().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let (store, _) = demo::create(&dir.path().join("d.sqlite3"), DemoOptions::new(today)).unwrap();
    let list = plan::plan_list(&store).unwrap();
    let summary: Vec<(Option<HazardKind>, i64)> =
        list.plans.iter().map(|p| (p.plan.hazard, p.gaps)).collect();
    assert_eq!(
        summary,
        [
            (Some(HazardKind::Flood), 0),
            (Some(HazardKind::Geological), 1)
        ]
    );
    assert_eq!(list.hazards_without_plan, [HazardKind::ForestFire]);
    let geo = &list.plans[1].plan;
    assert_eq!(gap_fields(&store, &geo.id), ["phase:first-response"]);
    let view = plan::plan_view(&store, &geo.id).unwrap().unwrap();
    assert!(
        view.choices.people.len() > 20,
        "team, grid and flood people"
    );
    assert_eq!(view.choices.shelters.len(), 2);
}

/// Reordering steps is the core's, in one transaction: the phase is renumbered 0, 1, 2, … and
/// a failure half way leaves every position as it was.
#[test]
fn moving_a_step_renumbers_its_phase_in_one_transaction() {
    let (_dir, mut store) = store();
    let p = plan::create_from_template(&mut store, HazardKind::Flood).unwrap();
    let phase_of = |store: &Store| -> Vec<(String, i64)> {
        let steps = plan::steps_of(store, &p.id).unwrap();
        let first = steps[0].phase;
        steps
            .into_iter()
            .filter(|s| s.phase == first)
            .map(|s| (s.id, s.position))
            .collect()
    };
    let before = phase_of(&store);
    assert!(before.len() >= 2, "{before:?}");
    let (a, b) = (before[0].0.clone(), before[1].0.clone());

    // Down one: the first two swap; positions stay 0, 1, 2, …
    let changed = plan::move_step(&mut store, &a, 1).unwrap();
    assert_eq!(changed.len(), 2);
    let after = phase_of(&store);
    assert_eq!(
        (after[0].0.as_str(), after[1].0.as_str()),
        (b.as_str(), a.as_str())
    );
    let positions: Vec<i64> = after.iter().map(|(_, p)| *p).collect();
    assert_eq!(positions, (0..after.len() as i64).collect::<Vec<_>>());
    // At the top already: nothing to do.
    assert!(plan::move_step(&mut store, &b, -1).unwrap().is_empty());

    // A failure on the second write of a move: no position changes.
    store
        .conn()
        .execute_batch(
            "CREATE TEMP TRIGGER fail_second BEFORE UPDATE ON plan_step \
             WHEN NEW.position = 1 BEGIN SELECT RAISE(ABORT, 'power cut'); END;",
        )
        .unwrap();
    let log = count(&store, "SELECT count(*) FROM change_log");
    assert!(plan::move_step(&mut store, &b, 1).is_err());
    assert_eq!(phase_of(&store), after, "nothing moved");
    assert_eq!(count(&store, "SELECT count(*) FROM change_log"), log);
    store
        .conn()
        .execute_batch("DROP TRIGGER fail_second")
        .unwrap();
    assert_eq!(
        plan::move_step(&mut store, "no-such-step", 1)
            .unwrap_err()
            .code(),
        "not_found"
    );
}
