//! Emergency mode's calls as the app makes them, on a real store and an injected clock: an
//! incident started from a time typed on this computer, its deadlines in words before and after
//! they pass, the telephone report, 首报 then 终报, each report's texts, and the Chinese errors
//! the screens place under their fields.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use cunan_app_api::core::clock::{Clock, FixedClock};
use cunan_app_api::core::demo::{self, DemoOptions};
use cunan_app_api::core::incident::{DeadlineSource, DeadlineState, ReportKind};
use cunan_app_api::core::{HazardKind, IncidentReport, Store};
use cunan_app_api::incident::{self, NewIncident};
use cunan_app_api::ErrorCode;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid instant")
        .with_timezone(&Utc)
}

/// A demo village on a clock the test moves, at 10:00 in Beijing.
fn village(dir: &std::path::Path) -> (Store, Arc<FixedClock>) {
    let path = dir.join("village.sqlite3");
    demo::create(
        &path,
        DemoOptions {
            households: 20,
            seed: 2,
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"),
        },
    )
    .expect("the demo village");
    let clock = Arc::new(FixedClock::at(at("2026-06-15T10:00:00+08:00")));
    (
        Store::open_with_clock(&path, clock.clone()).expect("open"),
        clock,
    )
}

fn new_incident(occurred_at: &str, place: &str, severity: Option<&str>) -> NewIncident {
    NewIncident {
        hazard: HazardKind::Flood,
        occurred_at: occurred_at.to_string(),
        place: place.to_string(),
        severity: severity.map(str::to_string),
    }
}

fn words(store: &Store, clock: &FixedClock) -> Vec<String> {
    let board = incident::board(store, clock.now()).expect("board");
    board.incidents[0]
        .deadlines
        .iter()
        .map(|d| format!("{} {}", d.what, d.words))
        .collect()
}

#[test]
fn an_incident_runs_against_its_deadlines_and_its_reports_have_texts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut store, clock) = village(dir.path());

    // Started with "now" (empty time), severity IV: the normal limits, 30 and 60 minutes.
    let started =
        incident::start(&mut store, &new_incident("", "溪口桥", Some("IV"))).expect("started");
    assert_eq!(started.severity.as_deref(), Some("IV"));
    assert_eq!(at(&started.occurred_at), clock.now());
    let board = incident::board(&store, clock.now()).expect("board");
    assert_eq!(board.source, DeadlineSource::BuiltIn);
    assert_eq!(at(&board.now), clock.now());
    assert_eq!(board.now_local.len(), "2026-06-15T10:00".len());
    assert!(board.incidents[0].open);
    assert_eq!(
        words(&store, &clock),
        ["电话报告 还剩 30 分钟", "书面首报 还剩 60 分钟"]
    );

    // 42 minutes on: the telephone report is 12 minutes late.
    clock.set(clock.now() + Duration::minutes(42));
    assert_eq!(
        words(&store, &clock),
        ["电话报告 已超时 12 分钟", "书面首报 还剩 18 分钟"]
    );
    let board = incident::board(&store, clock.now()).expect("board");
    assert_eq!(
        board.incidents[0].deadlines[0].state,
        DeadlineState::Overdue { seconds_late: 720 }
    );

    incident::mark_phoned(&mut store, &started.id).expect("phoned");
    assert_eq!(
        words(&store, &clock),
        ["电话报告 已报（迟 12 分钟）", "书面首报 还剩 18 分钟"]
    );

    let facts = IncidentReport {
        injured: 2,
        trapped: 3,
        evacuated: 46,
        actions_taken: "已封闭溪口桥，转移沿河住户".to_string(),
        needs: "冲锋舟一艘".to_string(),
        reporter: "潘宇航".to_string(),
        reporter_phone: "13912345678".to_string(),
        description: "溪水漫过桥面，桥头两户进水".to_string(),
        ..IncidentReport::default()
    };
    // An ID number typed into a free-text field is refused under that field: a report is kept
    // as sent, so it would stay there for good. Nothing is filed.
    let typed_id = IncidentReport {
        description: "被困者之一身份证330502199001011234".to_string(),
        ..facts.clone()
    };
    let err = incident::file_report(&mut store, &started.id, &typed_id, false)
        .expect_err("an ID number in the text");
    assert_eq!(err.code, ErrorCode::IdNumberInText);
    assert_eq!(err.field.as_deref(), Some("情况简述"));
    assert!(!err.message.contains("1234"), "{}", err.message);
    assert!(incident::board(&store, clock.now())
        .expect("board")
        .incidents[0]
        .reports
        .is_empty());
    let first = incident::file_report(&mut store, &started.id, &facts, false).expect("首报");
    assert_eq!(first.kind, ReportKind::First);
    assert_eq!(first.place, "溪口桥");
    assert_eq!(
        words(&store, &clock),
        ["电话报告 已报（迟 12 分钟）", "书面首报 已报（按时）"]
    );

    let texts = incident::report_texts(&store, &first.id).expect("texts");
    assert_eq!(texts.kind, ReportKind::First);
    assert!(texts.sms.segments <= texts.max_segments);
    assert_eq!(texts.sms.chars, texts.sms.text.chars().count());
    assert!(texts.sms.text.contains("溪口桥"), "{}", texts.sms.text);
    assert!(texts.sms.text.contains("已转移46人"), "{}", texts.sms.text);
    for text in [&texts.sms.text, &texts.wechat.text] {
        assert!(!text.contains("330502199001011234"), "{text}");
    }
    assert!(texts.wechat.text.contains("冲锋舟一艘"));

    // A raised severity goes to the incident; the final report closes it.
    let last = IncidentReport {
        severity: Some("III级".to_string()),
        ..facts.clone()
    };
    let last = incident::file_report(&mut store, &started.id, &last, true).expect("终报");
    assert_eq!(last.kind, ReportKind::Final);
    assert_eq!(last.severity.as_deref(), Some("III"));
    let board = incident::board(&store, clock.now()).expect("board");
    assert!(!board.incidents[0].open);
    assert_eq!(board.incidents[0].reports.len(), 2);
    let more = incident::file_report(&mut store, &started.id, &facts, false).expect_err("closed");
    assert_eq!(more.code, ErrorCode::IncidentClosed);
}

#[test]
fn a_time_typed_on_this_computer_counts_in_its_own_offset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut store, clock) = village(dir.path());
    // 25 minutes ago on this computer's wall clock, as a datetime-local field gives it.
    let typed = (clock.now() - Duration::minutes(25))
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let started =
        incident::start(&mut store, &new_incident(&typed, "后山", None)).expect("started");
    assert_eq!(
        at(&started.occurred_at),
        clock.now() - Duration::minutes(25)
    );
    // Severity unknown: the short limits, 15 and 30 minutes.
    assert_eq!(
        words(&store, &clock),
        ["电话报告 已超时 10 分钟", "书面首报 还剩 5 分钟"]
    );
}

#[test]
fn the_officers_mistakes_come_back_in_chinese_under_their_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut store, _clock) = village(dir.path());
    let cases = [
        (
            new_incident("", "  ", None),
            ErrorCode::Required,
            "事发地点",
        ),
        (
            new_incident("昨天下午", "溪口桥", None),
            ErrorCode::Date,
            "事发时间",
        ),
        (
            new_incident("2026-06-15T18:00", "溪口桥", None),
            ErrorCode::DateOrder,
            "事发时间",
        ),
        (
            new_incident("", "溪口桥", Some("V")),
            ErrorCode::OutOfRange,
            "事件等级",
        ),
    ];
    for (input, code, field) in cases {
        let e = incident::start(&mut store, &input).expect_err("refused");
        assert_eq!(
            (e.code, e.field.as_deref()),
            (code, Some(field)),
            "{input:?}"
        );
        assert!(!e.message.is_empty());
    }
    assert!(incident::board(&store, Utc::now())
        .expect("board")
        .incidents
        .is_empty());

    let started = incident::start(&mut store, &new_incident("", "溪口桥", None)).expect("ok");
    let bad_phone = IncidentReport {
        reporter_phone: "1391234".to_string(),
        ..IncidentReport::default()
    };
    let e = incident::file_report(&mut store, &started.id, &bad_phone, false).expect_err("phone");
    assert_eq!(e.field.as_deref(), Some("报告人电话"));
    let e = incident::report_texts(&store, "no-such-report").expect_err("missing");
    assert_eq!(e.code, ErrorCode::NotFound);
}
