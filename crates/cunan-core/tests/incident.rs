//! Emergency mode, reporting: the deadline rules (table-driven, pure), the setting in force, an
//! incident's reports kept as sent, and the SMS text's length and content.

mod common;

use chrono::{DateTime, FixedOffset, Utc};
use cunan_core::incident::{
    self, deadline_setting, deadlines, sms_text, wechat_text, DeadlineRule, DeadlineSetting,
    DeadlineSource, DeadlineState, ReportKind, Severity, DEADLINE_SETTING, SMS_MAX_SEGMENTS,
    SMS_SEGMENT_CHARS,
};
use cunan_core::{CoreError, HazardKind, IncidentReport, Setting};

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("a time")
}

fn utc(s: &str) -> DateTime<Utc> {
    t(s).with_timezone(&Utc)
}

fn rule(phone: i64, written: i64) -> DeadlineRule {
    DeadlineRule {
        phone_minutes: phone,
        written_minutes: written,
    }
}

#[test]
fn deadlines_are_a_function_of_setting_severity_start_and_now() {
    let default = DeadlineSetting::default();
    // A region with 20/40 normally, 15/35 from III up.
    let regional = DeadlineSetting {
        normal: rule(20, 40),
        urgent: rule(15, 35),
        urgent_from: Severity::III,
    };
    let at = "2026-06-15T09:00:00+08:00";
    type Case = (
        &'static DeadlineSetting,
        Option<Severity>,
        &'static str,
        (i64, i64),
        (&'static str, &'static str),
    );
    let default: &'static DeadlineSetting = Box::leak(Box::new(default));
    let regional: &'static DeadlineSetting = Box::leak(Box::new(regional));
    // (setting, severity, now, (phone, written) minutes, (phone, written) state)
    let cases: [Case; 8] = [
        (
            default,
            Some(Severity::IV),
            "2026-06-15T09:10:00+08:00",
            (30, 60),
            ("due", "due"),
        ),
        (
            default,
            Some(Severity::III),
            "2026-06-15T09:40:00+08:00",
            (30, 60),
            ("overdue", "due"),
        ),
        (
            default,
            Some(Severity::II),
            "2026-06-15T09:20:00+08:00",
            (15, 30),
            ("overdue", "due"),
        ),
        (
            default,
            Some(Severity::I),
            "2026-06-15T09:31:00+08:00",
            (15, 30),
            ("overdue", "overdue"),
        ),
        (
            default,
            None,
            "2026-06-15T09:14:59+08:00",
            (15, 30),
            ("due", "due"),
        ),
        (
            regional,
            Some(Severity::IV),
            "2026-06-15T09:30:00+08:00",
            (20, 40),
            ("overdue", "due"),
        ),
        (
            regional,
            Some(Severity::III),
            "2026-06-15T09:30:00+08:00",
            (15, 35),
            ("overdue", "due"),
        ),
        // Exactly at the limit is still in time.
        (
            default,
            Some(Severity::IV),
            "2026-06-15T09:30:00+08:00",
            (30, 60),
            ("due", "due"),
        ),
    ];
    for (setting, severity, now, minutes, states) in cases {
        let [phone, written] = deadlines(setting, severity, t(at), utc(now), None, None);
        assert_eq!(
            (phone.minutes, written.minutes),
            minutes,
            "{severity:?} {now}"
        );
        let word = |s: &DeadlineState| match s {
            DeadlineState::Due { .. } => "due",
            DeadlineState::Overdue { .. } => "overdue",
            DeadlineState::Met { .. } => "met",
        };
        assert_eq!(
            (word(&phone.state), word(&written.state)),
            states,
            "{severity:?} {now}"
        );
        assert_eq!(phone.what, "电话报告");
        assert_eq!(written.what, "书面首报");
    }
}

#[test]
fn the_clock_counts_seconds_left_and_late_and_a_report_made_stops_it() {
    let s = DeadlineSetting::default();
    let at = t("2026-06-15T09:00:00+08:00");
    let [phone, written] = deadlines(
        &s,
        Some(Severity::IV),
        at,
        utc("2026-06-15T09:29:30+08:00"),
        None,
        None,
    );
    assert_eq!(phone.state, DeadlineState::Due { seconds_left: 30 });
    assert_eq!(phone.due_at, "2026-06-15T09:30:00+08:00");
    assert_eq!(written.state, DeadlineState::Due { seconds_left: 1830 });
    let [phone, _] = deadlines(
        &s,
        Some(Severity::IV),
        at,
        utc("2026-06-15T09:42:00+08:00"),
        None,
        None,
    );
    assert_eq!(phone.state, DeadlineState::Overdue { seconds_late: 720 });
    // Phoned at 09:25, written at 10:05: on time, and 5 minutes late; the clock no longer runs.
    let [phone, written] = deadlines(
        &s,
        Some(Severity::IV),
        at,
        utc("2026-06-15T12:00:00+08:00"),
        Some(t("2026-06-15T09:25:00+08:00")),
        Some(t("2026-06-15T10:05:00+08:00")),
    );
    assert_eq!(phone.state, DeadlineState::Met { seconds_late: 0 });
    assert_eq!(written.state, DeadlineState::Met { seconds_late: 300 });
}

/// A setting row as the county publishes it (its scope), applied as a pull would.
fn county_setting(store: &mut cunan_core::Store, id: &str, hlc: &str, value: serde_json::Value) {
    let change = cunan_core::sync::Change {
        seq: 0,
        table: "setting".into(),
        row_id: id.into(),
        op: "upsert".into(),
        hlc: hlc.into(),
        device_id: "county".into(),
        base_hlc: None,
        village_code: "county".into(),
        data: serde_json::json!({
            "id": id, "village_code": "county", "hlc": hlc, "device_id": "county",
            "deleted": false, "key": DEADLINE_SETTING, "value": value, "owner": "county"
        }),
    };
    cunan_core::sync::apply_changes(store, &[change], None).unwrap();
}

#[test]
fn the_setting_in_force_is_the_countys_if_it_makes_sense() {
    let (_dir, mut store) = common::village_store((2026, 6, 15, 1));
    assert_eq!(
        deadline_setting(&store).unwrap(),
        (DeadlineSetting::default(), DeadlineSource::BuiltIn)
    );
    // The village's own row does not set the county's deadlines, even claiming to be the county's.
    let strict = DeadlineSetting {
        normal: rule(20, 40),
        urgent: rule(15, 35),
        urgent_from: Severity::III,
    };
    let own = |owner: &str| Setting {
        key: DEADLINE_SETTING.into(),
        value: serde_json::to_value(DeadlineSetting {
            normal: rule(500, 600),
            urgent: rule(500, 600),
            urgent_from: Severity::I,
        })
        .unwrap(),
        owner: owner.into(),
        ..Setting::default()
    };
    // A village save may not claim to be the county's at all…
    let err = store.save(&own("county")).expect_err("claims the county");
    let CoreError::Validation(v) = err else {
        panic!("a validation error, got {err:?}");
    };
    assert_eq!(v.code, "county_owned");
    // …and its own row of that key does not set the deadlines.
    store.save(&own("village")).unwrap();
    assert_eq!(deadline_setting(&store).unwrap().1, DeadlineSource::BuiltIn);
    // The county's nonsense (written before phone) is ignored; its sensible setting holds.
    let nonsense = serde_json::json!({
        "normal": {"phone_minutes": 60, "written_minutes": 30},
        "urgent": {"phone_minutes": 15, "written_minutes": 30}, "urgent_from": "II"
    });
    county_setting(
        &mut store,
        "0190a000-0000-7000-8000-00000000d001",
        "1781485200000-000000",
        nonsense,
    );
    assert_eq!(deadline_setting(&store).unwrap().1, DeadlineSource::BuiltIn);
    county_setting(
        &mut store,
        "0190a000-0000-7000-8000-00000000d001",
        "1781485300000-000000",
        serde_json::to_value(strict).unwrap(),
    );
    assert_eq!(
        deadline_setting(&store).unwrap(),
        (strict, DeadlineSource::County)
    );
}

fn report(deaths: i64, actions: &str) -> IncidentReport {
    IncidentReport {
        deaths,
        injured: 2,
        missing: 1,
        trapped: 3,
        evacuated: 120,
        actions_taken: actions.into(),
        needs: "冲锋舟2艘".into(),
        reporter: "潘宇航".into(),
        reporter_phone: "13905720001".into(),
        ..IncidentReport::default()
    }
}

#[test]
fn an_incident_is_reported_first_then_continued_then_closed_and_reports_stay_as_sent() {
    // 2026-06-15 09:00 in Beijing is 01:00 UTC.
    let (_dir, mut store) = common::village_store((2026, 6, 15, 1));
    let i = incident::start(
        &mut store,
        HazardKind::Flood,
        "2026-06-15T08:40:00+08:00",
        "溪口桥",
        None,
    )
    .unwrap();
    let later = incident::start(
        &mut store,
        HazardKind::Flood,
        "2026-06-15T12:00:00+08:00",
        "x",
        None,
    );
    assert!(matches!(later, Err(CoreError::Validation(v)) if v.code == "date_order"));

    let (board, source) = incident::board(&store, store.clock().now()).unwrap();
    assert_eq!(source, DeadlineSource::BuiltIn);
    assert_eq!(board.len(), 1);
    // Severity unknown: the short limits, 15 minutes to phone, 30 to write: 20 minutes in,
    // the phone report is 5 minutes late.
    assert_eq!(
        board[0].deadlines[0].state,
        DeadlineState::Overdue { seconds_late: 300 }
    );

    incident::mark_phoned(&mut store, &i.id).unwrap();
    let first =
        incident::file_report(&mut store, &i.id, &report(0, "已转移低洼户"), false).unwrap();
    assert_eq!(first.kind, ReportKind::First);
    assert_eq!(first.place, "溪口桥");
    assert_eq!(first.reported_at, "2026-06-15T09:00:00+08:00");
    let (board, _) = incident::board(&store, store.clock().now()).unwrap();
    assert!(matches!(
        board[0].deadlines[0].state,
        DeadlineState::Met { .. }
    ));
    assert_eq!(
        board[0].deadlines[1].state,
        DeadlineState::Met { seconds_late: 0 }
    );

    // Kept as sent: the saved report cannot be edited.
    let mut edited = first.clone();
    edited.deaths = 1;
    let e = store.save(&edited).unwrap_err();
    assert!(matches!(e, CoreError::Validation(v) if v.code == "report_sent"));

    let mut raised = report(1, "");
    raised.severity = Some("III".into());
    let second = incident::file_report(&mut store, &i.id, &raised, false).unwrap();
    assert_eq!(second.kind, ReportKind::Continuation);
    assert_eq!(second.first_report_id.as_deref(), Some(first.id.as_str()));
    assert_eq!(
        store
            .get::<cunan_core::Incident>(&i.id)
            .unwrap()
            .unwrap()
            .severity
            .as_deref(),
        Some("III"),
        "a report may raise the severity"
    );
    let last = incident::file_report(&mut store, &i.id, &report(1, ""), true).unwrap();
    assert_eq!(last.kind, ReportKind::Final);
    let again = incident::file_report(&mut store, &i.id, &report(1, ""), false);
    assert!(matches!(again, Err(CoreError::Validation(v)) if v.code == "incident_closed"));
    let (board, _) = incident::board(&store, store.clock().now()).unwrap();
    assert!(!board[0].open);
    assert_eq!(board[0].reports.len(), 3);
    let saved = incident::reports(&store, &i.id).unwrap();
    assert_eq!(saved[0].deaths, 0, "the first report is as it was sent");
}

fn sms_of(village: &str, place: &str, actions: &str) -> incident::ReportText {
    let mut r = report(0, actions);
    r.place = place.into();
    r.hazard = Some(HazardKind::Flood);
    r.occurred_at = "2026-06-15T08:40:00+08:00".into();
    r.severity = Some("IV".into());
    sms_text(village, &r)
}

#[test]
fn the_sms_puts_the_facts_first_and_fits_three_segments() {
    let short = sms_of("青石村", "溪口桥", "已转移低洼户");
    assert!(
        short
            .text
            .starts_with("【青石村首报】6月15日08:40溪口桥发生防汛防台（IV级）"),
        "{}",
        short.text
    );
    assert!(
        short.text.contains("死0伤2失联1被困3，已转移120人"),
        "{}",
        short.text
    );
    assert!(
        short
            .text
            .contains("已采取：已转移低洼户。需要：冲锋舟2艘。"),
        "{}",
        short.text
    );
    assert!(
        short.text.ends_with("报告人潘宇航13905720001"),
        "{}",
        short.text
    );
    assert_eq!(short.chars, short.text.chars().count());
    assert_eq!(short.segments, short.chars.div_ceil(SMS_SEGMENT_CHARS));

    let budget = SMS_SEGMENT_CHARS * SMS_MAX_SEGMENTS;
    let long_village = "浙江省湖州市临溪县溪口镇青石村村民委员会第一村民小组".repeat(2);
    let long_place = "青石村东面山脚下靠近老水库溢洪道下游约三百米处的农田和民房一带".repeat(3);
    let long_actions = "已组织村民撤离到村文化礼堂，并安排人员值守路口，".repeat(10);
    for (v, p, a) in [
        ("青石村", "溪口桥", long_actions.as_str()),
        (long_village.as_str(), long_place.as_str(), ""),
        (
            long_village.as_str(),
            long_place.as_str(),
            long_actions.as_str(),
        ),
    ] {
        let sms = sms_of(v, p, a);
        assert!(sms.chars <= budget, "{} chars: {}", sms.chars, sms.text);
        assert!(sms.segments <= SMS_MAX_SEGMENTS);
        // The essentials survive any length.
        for needle in [
            "首报",
            "发生防汛防台",
            "死0伤2失联1被困3",
            "已转移120人",
            "报告人潘宇航13905720001",
        ] {
            assert!(sms.text.contains(needle), "{needle} in {}", sms.text);
        }
    }
}

#[test]
fn no_id_number_ever_reaches_the_text() {
    let id = "330599198801011234";
    let id_x = "33059919880101123X";
    for text in [
        sms_of(
            "青石村",
            &format!("张三家（{id}）"),
            &format!("已联系{id_x}本人"),
        ),
        wechat_text("青石村", &{
            let mut r = report(0, &format!("身份证{id}"));
            r.description = format!("户主{id_x}");
            r
        }),
    ] {
        let digits: Vec<usize> = text
            .text
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .collect();
        assert!(digits.iter().all(|n| *n < 15), "{}", text.text);
        assert!(
            !text.text.contains("1234") && !text.text.contains("123X"),
            "{}",
            text.text
        );
        assert!(
            text.text.contains("13905720001"),
            "the phone stays: {}",
            text.text
        );
    }
}

#[test]
fn a_report_whose_text_holds_an_id_number_is_refused_and_nothing_is_filed() {
    let (_dir, mut store) = common::village_store((2026, 6, 15, 1));
    let i = incident::start(
        &mut store,
        HazardKind::Flood,
        "2026-06-15T08:40:00+08:00",
        "溪口桥",
        None,
    )
    .expect("start");
    // (field, text): an 18-digit number, one ending in X, the old 15-digit one, full of spaces
    // around it — in each of the three free texts.
    let cases = [
        ("情况简述", "户主330599198801011234家进水"),
        ("已采取措施", "已转移 33059919880101123x 一家"),
        ("需要支援", "联系330599880101123"),
    ];
    for (field, text) in cases {
        let mut r = report(0, "已封桥");
        match field {
            "情况简述" => r.description = text.into(),
            "已采取措施" => r.actions_taken = text.into(),
            _ => r.needs = text.into(),
        }
        let err = incident::file_report(&mut store, &i.id, &r, false).expect_err(text);
        let CoreError::Validation(v) = err else {
            panic!("a validation error for {text}, got {err:?}");
        };
        assert_eq!(v.code, "id_number_in_text");
        assert_eq!(v.field, field);
        assert!(!v.message.contains("1234"), "the message never repeats it");
    }
    assert!(
        incident::reports(&store, &i.id)
            .expect("reports")
            .is_empty(),
        "nothing was filed"
    );

    // Phones, counts and dates are not ID numbers.
    let mut r = report(0, "已联系13905720001，转移46人");
    r.description = "2026年6月15日08:40溪水漫桥".into();
    let filed = incident::file_report(&mut store, &i.id, &r, false).expect("filed");
    assert_eq!(filed.kind, ReportKind::First);
}
