//! 预案受教育率: who has been taught the plan within 3 years, table-driven on the pure rule, then
//! the same through the store (sessions saved with their sign-ins, deletes, undo) and the screen.

mod common;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::education::{self, EducationData};
use cunan_core::*;
use std::collections::BTreeMap;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

// ---------------------------------------------------------------------------------------------
// The rule, as a pure function of (data, today)

/// Residents r1 and r2 live in household h1, r3 in h2, r4 in h3.
fn residents() -> Vec<(String, String)> {
    [("r1", "h1"), ("r2", "h1"), ("r3", "h2"), ("r4", "h3")]
        .into_iter()
        .map(|(r, h)| (r.to_string(), h.to_string()))
        .collect()
}

/// A sign-in: `r…` is a person, `h…` a whole household.
fn sign(session: &str, who: &str) -> EducationAttendance {
    let (resident_id, household_id) = if who.starts_with('r') {
        (Some(who.to_string()), None)
    } else {
        (None, Some(who.to_string()))
    };
    EducationAttendance {
        id: format!("{session}-{who}"),
        session_id: session.into(),
        resident_id,
        household_id,
        note: String::new(),
    }
}

fn session(id: &str, date: &str) -> EducationSession {
    EducationSession {
        id: id.into(),
        date: day(date),
        topic: "防汛防台预案宣讲".into(),
        taught_by: "张三".into(),
        ..EducationSession::default()
    }
}

/// (case, today, sessions (id, date), sign-ins (session, who), taught within 3 years, last taught)
type Case = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

#[test]
fn residents_count_when_taught_within_three_years_in_person_or_with_their_household() {
    let cases: &[Case] = &[
        ("nothing yet", "2026-06-15", &[], &[], &[], &[]),
        (
            "a session nobody signed",
            "2026-06-15",
            &[("s1", "2026-05-01")],
            &[],
            &[],
            &[],
        ),
        (
            "taught today",
            "2026-06-15",
            &[("s1", "2026-06-15")],
            &[("s1", "r3")],
            &["r3"],
            &[("r3", "2026-06-15")],
        ),
        (
            "exactly 3 years ago counts",
            "2026-06-15",
            &[("s1", "2023-06-15")],
            &[("s1", "r3")],
            &["r3"],
            &[("r3", "2023-06-15")],
        ),
        (
            "3 years and a day ago does not",
            "2026-06-15",
            &[("s1", "2023-06-14")],
            &[("s1", "r3")],
            &[],
            &[("r3", "2023-06-14")],
        ),
        (
            "a planned session (after today) counts for nobody yet",
            "2026-06-15",
            &[("s1", "2026-06-16")],
            &[("s1", "r3")],
            &[],
            &[],
        ),
        (
            "a whole household counts its members",
            "2026-06-15",
            &[("s1", "2026-03-01")],
            &[("s1", "h1")],
            &["r1", "r2"],
            &[("r1", "2026-03-01"), ("r2", "2026-03-01")],
        ),
        (
            "a household and one of its members signed: each person once",
            "2026-06-15",
            &[("s1", "2026-03-01")],
            &[("s1", "h1"), ("s1", "r1")],
            &["r1", "r2"],
            &[("r1", "2026-03-01"), ("r2", "2026-03-01")],
        ),
        (
            "the latest session is the one that counts",
            "2026-06-15",
            &[("old", "2020-01-10"), ("new", "2025-09-01")],
            &[("old", "r1"), ("new", "r1"), ("old", "h2")],
            &["r1"],
            &[("r1", "2025-09-01"), ("r3", "2020-01-10")],
        ),
        (
            "a household taught long ago, one member again lately",
            "2026-06-15",
            &[("old", "2021-05-01"), ("new", "2026-05-01")],
            &[("old", "h1"), ("new", "r2")],
            &["r2"],
            &[("r1", "2021-05-01"), ("r2", "2026-05-01")],
        ),
        (
            "sign-ins of a session that is gone (deleted) count for nobody",
            "2026-06-15",
            &[("s1", "2026-05-01")],
            &[("gone", "r1"), ("gone", "h2"), ("s1", "r4")],
            &["r4"],
            &[("r4", "2026-05-01")],
        ),
        (
            "a sign-in of someone no longer on the roster counts for nobody",
            "2026-06-15",
            &[("s1", "2026-05-01")],
            &[("s1", "r9"), ("s1", "h9")],
            &[],
            &[],
        ),
        (
            "everybody",
            "2026-06-15",
            &[("s1", "2024-01-01"), ("s2", "2026-01-01")],
            &[("s1", "h1"), ("s2", "r3"), ("s2", "h3")],
            &["r1", "r2", "r3", "r4"],
            &[
                ("r1", "2024-01-01"),
                ("r2", "2024-01-01"),
                ("r3", "2026-01-01"),
                ("r4", "2026-01-01"),
            ],
        ),
        (
            "on 29 February the cycle starts on 28 February 3 years before",
            "2028-02-29",
            &[("in", "2025-02-28"), ("out", "2025-02-27")],
            &[("in", "r1"), ("out", "r2")],
            &["r1"],
            &[("r1", "2025-02-28"), ("r2", "2025-02-27")],
        ),
    ];
    for (case, today, sessions, signs, taught, last) in cases {
        let today = day(today);
        let data = EducationData {
            sessions: sessions.iter().map(|(id, d)| session(id, d)).collect(),
            attendance: signs.iter().map(|(s, who)| sign(s, who)).collect(),
            residents: residents(),
        };
        let got: BTreeMap<String, NaiveDate> =
            education::last_taught(&data, today).into_iter().collect();
        let want: BTreeMap<String, NaiveDate> =
            last.iter().map(|(r, d)| (r.to_string(), day(d))).collect();
        assert_eq!(got, want, "{case}: last taught");
        let since = education::cycle_start(today);
        let mut within: Vec<&str> = got
            .iter()
            .filter(|(_, d)| **d >= since)
            .map(|(r, _)| r.as_str())
            .collect();
        within.sort();
        assert_eq!(within, *taught, "{case}: taught within 3 years");
        let share = education::share(&data, today);
        assert_eq!(share.residents, 4, "{case}");
        assert_eq!(share.taught, taught.len() as i64, "{case}");
        assert_eq!(share.since, since, "{case}");
        assert_eq!(share.per_mille, taught.len() as i64 * 250, "{case}");
    }
}

#[test]
fn the_share_reads_as_people_and_a_percentage() {
    let data = EducationData {
        sessions: vec![session("s1", "2026-05-01")],
        attendance: vec![sign("s1", "h1"), sign("s1", "r3")],
        residents: residents(),
    };
    let share = education::share(&data, day("2026-06-15"));
    assert_eq!(share.text, "3 / 4 人（75.0%）");
    assert_eq!(share.since, day("2023-06-15"));
    let nobody = education::share(&EducationData::default(), day("2026-06-15"));
    assert_eq!(
        (nobody.residents, nobody.taught, nobody.per_mille),
        (0, 0, 0)
    );
    assert_eq!(nobody.text, "0 / 0 人（0%）");
}

// ---------------------------------------------------------------------------------------------
// Through the store

fn open() -> (tempfile::TempDir, Store) {
    common::village_store((2026, 6, 15, 2))
}

/// Two households in a grid: 张家 with three people, 李家 with one.
struct Roster {
    zhang: String,
    zhang_people: Vec<String>,
    li: String,
    li_person: String,
}

fn roster(store: &mut Store) -> Roster {
    let grid = store
        .save(&Grid {
            name: "第1网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let zhang = store
        .save(&Household {
            grid_id: Some(grid.id.clone()),
            head_name: "张建国".into(),
            address: "青石村1组1号".into(),
            ..Household::default()
        })
        .unwrap();
    let zhang_people = ["张建国", "王秀英", "张子轩"]
        .into_iter()
        .map(|name| {
            store
                .save(&Resident {
                    household_id: zhang.id.clone(),
                    name: name.into(),
                    ..Resident::default()
                })
                .unwrap()
                .id
        })
        .collect();
    let li = store
        .save(&Household {
            head_name: "李桂英".into(),
            address: "青石村3组8号".into(),
            ..Household::default()
        })
        .unwrap();
    let li_person = store
        .save(&Resident {
            household_id: li.id.clone(),
            name: "李桂英".into(),
            ..Resident::default()
        })
        .unwrap()
        .id;
    Roster {
        zhang: zhang.id,
        zhang_people,
        li: li.id,
        li_person,
    }
}

fn person(id: &str) -> EducationAttendance {
    EducationAttendance {
        resident_id: Some(id.into()),
        ..EducationAttendance::default()
    }
}

fn household(id: &str) -> EducationAttendance {
    EducationAttendance {
        household_id: Some(id.into()),
        ..EducationAttendance::default()
    }
}

fn new_session(date: &str) -> EducationSession {
    EducationSession {
        id: String::new(),
        ..session("", date)
    }
}

fn taught(store: &Store) -> (i64, i64) {
    let s = education::share(&EducationData::load(store).unwrap(), day("2026-06-15"));
    (s.taught, s.residents)
}

fn live_sign_ins(store: &Store, session: &str) -> Vec<(Option<String>, Option<String>)> {
    store
        .query::<EducationAttendance>("deleted = 0 AND session_id = ?1", &[&session])
        .unwrap()
        .into_iter()
        .map(|a| (a.resident_id, a.household_id))
        .collect()
}

#[test]
fn a_session_is_saved_with_exactly_its_sign_ins() {
    let (_dir, mut store) = open();
    let r = roster(&mut store);
    assert_eq!(taught(&store), (0, 4));

    // A whole household, listed twice, and one person: one sign-in each.
    let s = education::save_session(
        &mut store,
        &new_session("2026-06-01"),
        &[
            household(&r.zhang),
            household(&r.zhang),
            person(&r.li_person),
        ],
    )
    .unwrap();
    assert!(!s.id.is_empty());
    assert_eq!(live_sign_ins(&store, &s.id).len(), 2);
    assert_eq!(taught(&store), (4, 4));
    let first_ids: Vec<String> = store
        .query::<EducationAttendance>("deleted = 0 AND session_id = ?1", &[&s.id])
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();

    // Saving again with 张家 only: 李桂英's sign-in is tombstoned, 张家's kept as it was.
    education::save_session(&mut store, &s, &[household(&r.zhang)]).unwrap();
    assert_eq!(
        live_sign_ins(&store, &s.id),
        [(None, Some(r.zhang.clone()))]
    );
    assert!(store
        .get::<EducationAttendance>(&first_ids[0])
        .unwrap()
        .is_some());
    assert_eq!(taught(&store), (3, 4));

    // A person whose id carries spaces, or a household given alongside a person: the person.
    education::save_session(
        &mut store,
        &s,
        &[
            household(&r.zhang),
            EducationAttendance {
                resident_id: Some(format!(" {} ", r.li_person)),
                household_id: Some(r.li.clone()),
                ..EducationAttendance::default()
            },
        ],
    )
    .unwrap();
    assert_eq!(taught(&store), (4, 4));
    assert!(live_sign_ins(&store, &s.id).contains(&(Some(r.li_person.clone()), None)));
}

#[test]
fn what_cannot_be_saved_says_what_to_do() {
    let (_dir, mut store) = open();
    let r = roster(&mut store);
    let no_topic = EducationSession {
        topic: " ".into(),
        ..new_session("2026-06-01")
    };
    let no_teacher = EducationSession {
        taught_by: String::new(),
        ..new_session("2026-06-01")
    };
    for (case, session, attendees, field, words) in [
        ("no topic", no_topic, vec![], "宣传主题", "请填写"),
        ("no teacher", no_teacher, vec![], "宣讲人", "请填写"),
        (
            "nobody picked",
            new_session("2026-06-01"),
            vec![EducationAttendance::default()],
            "签到人",
            "请从花名册中选择",
        ),
        (
            "a person who is not on the roster",
            new_session("2026-06-01"),
            vec![person("no-such-person")],
            "签到人",
            "请刷新后重新选择",
        ),
        (
            "a household that is not on the roster",
            new_session("2026-06-01"),
            vec![household("no-such-household")],
            "签到人",
            "住户不在花名册上",
        ),
    ] {
        let err = education::save_session(&mut store, &session, &attendees)
            .err()
            .unwrap_or_else(|| panic!("{case}: saved"));
        let CoreError::Validation(v) = &err else {
            panic!("{case}: {err:?}");
        };
        assert_eq!(v.field, field, "{case}");
        assert!(v.message.contains(words), "{case}: {}", v.message);
        assert!(
            !v.message.contains("no-such"),
            "{case}: the value is not quoted"
        );
    }
    // Nothing was written by the refused saves: no half-saved session.
    assert!(store.list::<EducationSession>().unwrap().is_empty());
    assert!(store.list::<EducationAttendance>().unwrap().is_empty());

    // A sign-in that names both a person and a household is refused by the record itself.
    let both = EducationAttendance {
        session_id: "x".into(),
        resident_id: Some(r.li_person.clone()),
        household_id: Some(r.li.clone()),
        ..EducationAttendance::default()
    };
    let err = both.validate().unwrap_err();
    assert_eq!(err.code, "attendee_ambiguous");
    // A sign-in already on a sheet stays when its person is later deleted.
    let s = education::save_session(
        &mut store,
        &new_session("2026-06-01"),
        &[person(&r.li_person)],
    )
    .unwrap();
    store
        .delete_with_children("resident", &r.li_person)
        .unwrap();
    education::save_session(&mut store, &s, &[person(&r.li_person)]).unwrap();
    assert_eq!(live_sign_ins(&store, &s.id).len(), 1);
    assert_eq!(
        taught(&store),
        (0, 3),
        "the deleted person counts for nobody"
    );
}

#[test]
fn deleting_a_session_takes_its_sign_ins_and_undo_brings_them_back() {
    let (_dir, mut store) = open();
    let r = roster(&mut store);
    let s = education::save_session(
        &mut store,
        &new_session("2026-06-01"),
        &[household(&r.zhang), person(&r.li_person)],
    )
    .unwrap();
    assert_eq!(taught(&store), (4, 4));
    let tombstones = store
        .delete_with_children("education_session", &s.id)
        .unwrap();
    assert_eq!(
        tombstones
            .iter()
            .map(|t| t.table.as_str())
            .collect::<Vec<_>>(),
        [
            "education_session",
            "education_attendance",
            "education_attendance"
        ]
    );
    assert_eq!(
        taught(&store),
        (0, 4),
        "a deleted session counts for nobody"
    );
    store.restore(&tombstones).unwrap();
    assert_eq!(taught(&store), (4, 4));

    // Deleting a household takes its people off the roster, and off the count.
    store.delete_with_children("household", &r.zhang).unwrap();
    assert_eq!(taught(&store), (1, 1));
}

#[test]
fn the_screen_lists_sessions_newest_first_with_who_came() {
    let (_dir, mut store) = open();
    let r = roster(&mut store);
    let old = education::save_session(&mut store, &new_session("2022-05-01"), &[household(&r.li)])
        .unwrap();
    let recent = education::save_session(
        &mut store,
        &new_session("2026-03-01"),
        &[household(&r.zhang), person(&r.zhang_people[0])],
    )
    .unwrap();
    let planned = education::save_session(&mut store, &new_session("2026-07-01"), &[]).unwrap();
    let log = education::education_log(&store, day("2026-06-15")).unwrap();
    let order: Vec<&str> = log.sessions.iter().map(|s| s.session.id.as_str()).collect();
    assert_eq!(order, [&planned.id, &recent.id, &old.id]);
    let flags: Vec<(bool, bool, i64)> = log
        .sessions
        .iter()
        .map(|s| (s.held, s.counts, s.people))
        .collect();
    assert_eq!(
        flags,
        [(false, false, 0), (true, true, 3), (true, false, 1)]
    );
    let names: Vec<(&str, bool, i64)> = log.sessions[1]
        .attendees
        .iter()
        .map(|a| (a.name.as_str(), a.whole_household, a.people))
        .collect();
    assert_eq!(names, [("张建国户", true, 3), ("张建国", false, 1)]);
    assert_eq!(
        log.sessions[1].attendees[0].detail,
        "全户 3 人 · 第1网格 · 青石村1组1号"
    );
    assert_eq!(
        log.sessions[1].attendees[1].detail,
        "户主 张建国 · 第1网格 · 青石村1组1号"
    );
    assert_eq!(log.share.text, "3 / 4 人（75.0%）");
    assert_eq!(
        (log.year, log.sessions_this_year, log.taught_this_year),
        (2026, 1, 3)
    );
    assert_eq!(log.last_session, Some(day("2026-03-01")));
    let grids: Vec<(&str, i64, i64)> = log
        .grids
        .iter()
        .map(|g| (g.name.as_str(), g.residents, g.taught))
        .collect();
    assert_eq!(grids, [("第1网格", 3, 3), ("未分网格", 1, 0)]);

    // A deleted household's sign-in still shows on its session, for nobody.
    store.delete_with_children("household", &r.li).unwrap();
    let log = education::education_log(&store, day("2026-06-15")).unwrap();
    let gone = &log.sessions[2].attendees[0];
    assert_eq!(
        (gone.people, gone.detail.as_str()),
        (0, "（已从花名册删除）")
    );
}

#[test]
fn the_demo_village_has_sessions_and_about_a_third_taught() {
    let dir = tempfile::tempdir().unwrap();
    let today = day("2026-06-15");
    let (store, summary) =
        demo::create(&dir.path().join("d.sqlite3"), DemoOptions::new(today)).unwrap();
    let log = education::education_log(&store, today).unwrap();
    assert_eq!(log.sessions.len(), 4);
    let counts: Vec<(bool, bool)> = log.sessions.iter().map(|s| (s.held, s.counts)).collect();
    assert_eq!(
        counts,
        [(false, false), (true, true), (true, true), (true, false)],
        "planned, this year's, last year's, more than 3 years ago"
    );
    assert_eq!(log.share.residents, summary.residents as i64);
    let share = log.share.per_mille;
    assert!((200..=500).contains(&share), "{}", log.share.text);
    // The same demo again gives the same figure.
    let again = tempfile::tempdir().unwrap();
    let (store2, _) =
        demo::create(&again.path().join("d.sqlite3"), DemoOptions::new(today)).unwrap();
    assert_eq!(
        education::education_log(&store2, today).unwrap().share,
        log.share
    );
}
