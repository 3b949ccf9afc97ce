//! Emergency mode, the reporting half: an incident (突发事件) reported up against the county's
//! deadline clock — the telephone report and the written first report (首报), then continuation
//! reports (续报) and a final report (终报) that closes it — and the text of each report for an SMS
//! when only SMS works, or for WeChat.
//!
//! The deadline rules are pure functions of (setting, severity, time it happened, now). The
//! limits are a county setting pushed down through sync (key [`DEADLINE_SETTING`]); until the
//! county publishes one, the built-in default holds: 30 minutes for the telephone report and 60
//! for the written one, 15 and 30 from severity II (重大) up — and for an incident whose severity
//! is not known yet, since reporting early is never wrong.
//!
//! Reports are kept exactly as sent: a saved report cannot be edited (`records::check_in_store`);
//! what changed goes in the next report. No ID number ever goes into a report's text.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::records::{HazardKind, Incident, IncidentReport, Setting};
use crate::rows::COUNTY_SCOPE;
use crate::validate::ValidationError;
use crate::{CoreError, Result, Store};

/// The setting key of the report deadlines.
pub const DEADLINE_SETTING: &str = "incident_deadlines";

/// 事件等级: I 特别重大, II 重大, III 较大, IV 一般.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Severity {
    I,
    II,
    III,
    IV,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::I, Severity::II, Severity::III, Severity::IV];

    pub fn parse(text: &str) -> Option<Severity> {
        match text
            .trim()
            .trim_end_matches('级')
            .to_ascii_uppercase()
            .as_str()
        {
            "I" | "1" => Some(Severity::I),
            "II" | "2" => Some(Severity::II),
            "III" | "3" => Some(Severity::III),
            "IV" | "4" => Some(Severity::IV),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Severity::I => "I",
            Severity::II => "II",
            Severity::III => "III",
            Severity::IV => "IV",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::I => "特别重大（I级）",
            Severity::II => "重大（II级）",
            Severity::III => "较大（III级）",
            Severity::IV => "一般（IV级）",
        }
    }
}

/// Which report of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 首报
    #[default]
    First,
    /// 续报
    Continuation,
    /// 终报: closes the incident.
    Final,
}

impl ReportKind {
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::First => "首报",
            ReportKind::Continuation => "续报",
            ReportKind::Final => "终报",
        }
    }
}

/// Minutes from the time it happened to each report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeadlineRule {
    pub phone_minutes: i64,
    pub written_minutes: i64,
}

/// The county's report deadlines: the normal limits, the short ones, and the severity from which
/// (it and graver) the short ones apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeadlineSetting {
    pub normal: DeadlineRule,
    pub urgent: DeadlineRule,
    pub urgent_from: Severity,
}

impl Default for DeadlineSetting {
    fn default() -> Self {
        DeadlineSetting {
            normal: DeadlineRule {
                phone_minutes: 30,
                written_minutes: 60,
            },
            urgent: DeadlineRule {
                phone_minutes: 15,
                written_minutes: 30,
            },
            urgent_from: Severity::II,
        }
    }
}

impl DeadlineSetting {
    /// A setting that makes sense: each limit positive, the written one not before the phone one,
    /// the short ones not longer than the normal ones.
    pub fn is_sensible(&self) -> bool {
        let ok = |r: &DeadlineRule| {
            r.phone_minutes > 0
                && r.written_minutes >= r.phone_minutes
                && r.written_minutes <= 24 * 60
        };
        ok(&self.normal)
            && ok(&self.urgent)
            && self.urgent.phone_minutes <= self.normal.phone_minutes
            && self.urgent.written_minutes <= self.normal.written_minutes
    }

    /// The limits for an incident of this severity; an unknown one gets the short limits.
    pub fn rule_for(&self, severity: Option<Severity>) -> DeadlineRule {
        match severity {
            Some(s) if s > self.urgent_from => self.normal,
            _ => self.urgent,
        }
    }
}

/// Where the deadlines in force came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeadlineSource {
    /// The built-in default: the county has not published one (or published one that makes no
    /// sense, which is ignored).
    BuiltIn,
    /// Published by the county and received through sync.
    County,
}

/// The deadlines in force in this store: the county's if it published sensible ones, else the
/// built-in default.
pub fn deadline_setting(store: &Store) -> Result<(DeadlineSetting, DeadlineSource)> {
    // Only rows the county published (its scope): a village's own row, whatever its `owner`
    // says, does not set the county's deadlines.
    let rows = store.query::<Setting>(
        "key = ?1 AND village_code = ?2",
        &[&DEADLINE_SETTING, &COUNTY_SCOPE],
    )?;
    Ok(in_force(rows.iter().map(|r| &r.value)))
}

/// The setting in force among the county's published values of [`DEADLINE_SETTING`]: the
/// first sensible one, else the built-in default. The county server uses it too.
pub fn in_force<'a>(
    values: impl IntoIterator<Item = &'a serde_json::Value>,
) -> (DeadlineSetting, DeadlineSource) {
    values
        .into_iter()
        .filter_map(|v| serde_json::from_value::<DeadlineSetting>(v.clone()).ok())
        .find(DeadlineSetting::is_sensible)
        .map(|s| (s, DeadlineSource::County))
        .unwrap_or((DeadlineSetting::default(), DeadlineSource::BuiltIn))
}

/// The two deadlines of an incident at `now`, from its own record and its first report.
pub fn deadlines_of(
    setting: &DeadlineSetting,
    incident: &Incident,
    first_report: Option<&IncidentReport>,
    now: DateTime<Utc>,
) -> Result<[Deadline; 2]> {
    let occurred = parse_time("事发时间", &incident.occurred_at)?;
    let time = |t: Option<&str>| t.and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    Ok(deadlines(
        setting,
        incident.severity.as_deref().and_then(Severity::parse),
        occurred,
        now,
        time(incident.phoned_at.as_deref()),
        time(first_report.map(|r| r.reported_at.as_str())),
    ))
}

/// Where one deadline stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeadlineState {
    /// Not made yet, still in time.
    Due { seconds_left: i64 },
    /// Not made yet, and late.
    Overdue { seconds_late: i64 },
    /// Made: on time, or this many seconds late.
    Met { seconds_late: i64 },
}

impl DeadlineState {
    /// In words, to the minute (rounded up): "还剩 12 分钟", "已超时 5 分钟", "已报（按时）".
    pub fn words(&self) -> String {
        let minutes = |s: i64| (s + 59) / 60;
        match self {
            DeadlineState::Due { seconds_left } => format!("还剩 {} 分钟", minutes(*seconds_left)),
            DeadlineState::Overdue { seconds_late } => {
                format!("已超时 {} 分钟", minutes(*seconds_late))
            }
            DeadlineState::Met { seconds_late: 0 } => "已报（按时）".to_string(),
            DeadlineState::Met { seconds_late } => {
                format!("已报（迟 {} 分钟）", minutes(*seconds_late))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Deadline {
    /// 电话报告 or 书面首报.
    pub what: String,
    pub minutes: i64,
    /// RFC 3339, in the offset the incident's time was given in.
    pub due_at: String,
    pub state: DeadlineState,
}

/// The telephone and the written first report deadlines of an incident that happened at
/// `occurred_at`, at `now`, given when each report was made (if it was).
pub fn deadlines(
    setting: &DeadlineSetting,
    severity: Option<Severity>,
    occurred_at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
    phoned_at: Option<DateTime<FixedOffset>>,
    written_at: Option<DateTime<FixedOffset>>,
) -> [Deadline; 2] {
    let rule = setting.rule_for(severity);
    let one = |what: &str, minutes: i64, done: Option<DateTime<FixedOffset>>| {
        let due = occurred_at + chrono::Duration::minutes(minutes);
        let state = match done {
            Some(at) => DeadlineState::Met {
                seconds_late: (at - due).num_seconds().max(0),
            },
            None => {
                let left = (due.with_timezone(&Utc) - now).num_seconds();
                if left >= 0 {
                    DeadlineState::Due { seconds_left: left }
                } else {
                    DeadlineState::Overdue {
                        seconds_late: -left,
                    }
                }
            }
        };
        Deadline {
            what: what.to_string(),
            minutes,
            due_at: stamp(due),
            state,
        }
    };
    [
        one("电话报告", rule.phone_minutes, phoned_at),
        one("书面首报", rule.written_minutes, written_at),
    ]
}

/// A time as the store keeps it: RFC 3339 to the second, in the offset it was given in.
fn stamp(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// An RFC 3339 time from the store, or a clear error naming the field.
pub fn parse_time(field: &str, text: &str) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
        ValidationError::new(
            "date",
            field,
            "时间格式不对，应为“2026-06-15T09:30:00+08:00”这样的完整时间。",
        )
        .into()
    })
}

/// Starts an incident: the deadline clock runs from `occurred_at`.
pub fn start(
    store: &mut Store,
    hazard: HazardKind,
    occurred_at: &str,
    place: &str,
    severity: Option<Severity>,
) -> Result<Incident> {
    let occurred = parse_time("事发时间", occurred_at)?;
    let now = store.clock().now();
    if occurred.with_timezone(&Utc) > now + chrono::Duration::minutes(5) {
        return Err(ValidationError::new(
            "date_order",
            "事发时间",
            "事发时间晚于现在。请核对事发时间（以及电脑的时钟）。",
        )
        .into());
    }
    store.save(&Incident {
        hazard: Some(hazard),
        occurred_at: stamp(occurred),
        place: place.trim().to_string(),
        severity: severity.map(|s| s.code().to_string()),
        started_at: stamp(now.with_timezone(occurred.offset())),
        ..Incident::default()
    })
}

fn incident(store: &Store, id: &str) -> Result<Incident> {
    store.get::<Incident>(id)?.ok_or(CoreError::NotFound {
        what: "突发事件"
    })
}

/// Records that the telephone report was made (now).
pub fn mark_phoned(store: &mut Store, id: &str) -> Result<Incident> {
    let mut i = incident(store, id)?;
    if i.phoned_at.is_none() {
        let occurred = parse_time("事发时间", &i.occurred_at)?;
        i.phoned_at = Some(stamp(store.clock().now().with_timezone(occurred.offset())));
        i = store.save(&i)?;
    }
    Ok(i)
}

/// Files a report of the incident, stamped now and kept as sent. The first report filed is the
/// 首报; later ones are 续报, or the 终报 with `final_report`, which closes the incident. The
/// incident's place, hazard and severity go with each report; a report that gives a severity
/// sets the incident's (the latest assessment stands, graver or milder); one that gives none keeps
/// it.
pub fn file_report(
    store: &mut Store,
    incident_id: &str,
    report: &IncidentReport,
    final_report: bool,
) -> Result<IncidentReport> {
    let mut i = incident(store, incident_id)?;
    if i.closed_at.is_some() {
        return Err(ValidationError::new(
            "incident_closed",
            "报告",
            "这起事件已经终报，不能再报。如有新情况，请作为一起新的事件开始报告。",
        )
        .into());
    }
    let earlier = reports(store, incident_id)?;
    let occurred = parse_time("事发时间", &i.occurred_at)?;
    let now = stamp(store.clock().now().with_timezone(occurred.offset()));
    let kind = match (earlier.is_empty(), final_report) {
        (true, _) => ReportKind::First,
        (false, true) => ReportKind::Final,
        (false, false) => ReportKind::Continuation,
    };
    let severity = report.severity.clone().or_else(|| i.severity.clone());
    let filed = IncidentReport {
        id: String::new(),
        incident_id: Some(i.id.clone()),
        first_report_id: earlier.first().map(|r| r.id.clone()),
        kind,
        occurred_at: i.occurred_at.clone(),
        reported_at: now.clone(),
        place: i.place.clone(),
        hazard: i.hazard,
        severity: severity.clone(),
        ..report.clone()
    };
    store.write(|w| {
        let saved = w.save(&filed)?;
        let mut changed = false;
        if severity != i.severity {
            i.severity = severity.clone();
            changed = true;
        }
        if kind == ReportKind::Final {
            i.closed_at = Some(now.clone());
            changed = true;
        }
        if changed {
            w.save(&i)?;
        }
        Ok(saved)
    })
}

/// The reports of an incident, in the order they were filed.
pub fn reports(store: &Store, incident_id: &str) -> Result<Vec<IncidentReport>> {
    let mut out = store.query::<IncidentReport>("incident_id = ?1", &[&incident_id])?;
    out.sort_by(|a, b| a.reported_at.cmp(&b.reported_at));
    Ok(out)
}

/// One incident on the emergency page: its facts, its deadlines now, its reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentView {
    pub incident: Incident,
    pub hazard_label: String,
    pub severity_label: Option<String>,
    pub deadlines: Vec<Deadline>,
    pub reports: Vec<IncidentReport>,
    pub open: bool,
}

/// The emergency board: every incident, open ones first, newest first, with its deadlines at
/// `now` under the setting in force.
pub fn board(store: &Store, now: DateTime<Utc>) -> Result<(Vec<IncidentView>, DeadlineSource)> {
    let (setting, source) = deadline_setting(store)?;
    let mut out = Vec::new();
    for i in store.list::<Incident>()? {
        let reports = reports(store, &i.id)?;
        let severity = i.severity.as_deref().and_then(Severity::parse);
        out.push(IncidentView {
            hazard_label: i
                .hazard
                .map(HazardKind::label)
                .unwrap_or("其他灾害")
                .to_string(),
            severity_label: severity.map(|s| s.label().to_string()),
            deadlines: deadlines_of(&setting, &i, reports.first(), now)?.to_vec(),
            open: i.closed_at.is_none(),
            reports,
            incident: i,
        });
    }
    out.sort_by(|a, b| (b.open, &b.incident.occurred_at).cmp(&(a.open, &a.incident.occurred_at)));
    Ok((out, source))
}

// ---- the report as text ----

/// One SMS segment holds 70 Chinese characters; a report's SMS is at most 3 of them.
pub const SMS_SEGMENT_CHARS: usize = 70;
pub const SMS_MAX_SEGMENTS: usize = 3;

/// A report as plain text, with its length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportText {
    pub text: String,
    pub chars: usize,
    /// SMS segments of [`SMS_SEGMENT_CHARS`] the text takes.
    pub segments: usize,
}

impl ReportText {
    fn of(text: String) -> ReportText {
        let chars = text.chars().count();
        ReportText {
            segments: chars.div_ceil(SMS_SEGMENT_CHARS).max(1),
            chars,
            text,
        }
    }
}

/// Free text with every long run of digits (an ID number, a bank card) taken out: a report's
/// text never carries one. Phones (11 digits) and counts stay.
fn without_long_numbers(text: &str) -> String {
    let mut out = String::new();
    let mut from = 0;
    for run in crate::validate::long_numbers(text) {
        out.push_str(&text[from..run.start]);
        out.push_str("（号码已隐去）");
        from = run.end;
    }
    out.push_str(&text[from..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `n` characters of `s`, with "…" when cut.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `6月15日09:30` from an RFC 3339 time (as given, in its own offset).
fn short_time(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%-m月%-d日%H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// The report as an SMS: the essential facts first (which report, village, when, where, what,
/// the people dead, injured, missing, trapped and moved, the reporter and phone), then what was
/// done and what is needed as far as room allows, in at most 3 segments of 70 characters.
pub fn sms_text(village: &str, report: &IncidentReport) -> ReportText {
    let budget = SMS_SEGMENT_CHARS * SMS_MAX_SEGMENTS;
    let hazard = report.hazard.map(HazardKind::label).unwrap_or("突发事件");
    let severity = report
        .severity
        .as_deref()
        .and_then(Severity::parse)
        .map(|s| format!("（{}级）", s.code()))
        .unwrap_or_default();
    let counts = format!(
        "死{}伤{}失联{}被困{}，已转移{}人。",
        report.deaths, report.injured, report.missing, report.trapped, report.evacuated
    );
    let reporter = without_long_numbers(&format!(
        "报告人{}{}",
        report.reporter.trim(),
        report.reporter_phone.trim()
    ));
    let essential = |village: &str, place: &str| {
        format!(
            "【{village}{}】{}{place}发生{hazard}{severity}，{counts}",
            report.kind.label(),
            short_time(&report.occurred_at),
        )
    };
    let village = without_long_numbers(village.trim());
    let place = without_long_numbers(report.place.trim());
    // The essentials must fit with the reporter: long names give way first.
    let mut head = essential(&village, &place);
    let fixed = |head: &str| head.chars().count() + reporter.chars().count();
    if fixed(&head) > budget {
        head = essential(&cut(&village, 12), &cut(&place, 24));
    }
    if fixed(&head) > budget {
        head = essential(&cut(&village, 6), &cut(&place, 10));
    }
    let mut room = budget.saturating_sub(fixed(&head));
    let mut text = head;
    for (label, value) in [
        ("已采取：", &report.actions_taken),
        ("需要：", &report.needs),
        ("情况：", &report.description),
    ] {
        let value = without_long_numbers(value.trim());
        if value.is_empty() {
            continue;
        }
        let wanted = label.chars().count() + value.chars().count() + 1;
        if wanted <= room {
            text.push_str(&format!("{label}{value}。"));
            room -= wanted;
        } else if room > label.chars().count() + 6 {
            let fits = room - label.chars().count() - 1;
            text.push_str(&format!("{label}{}。", cut(&value, fits)));
            room = 0;
        }
    }
    text.push_str(&reporter);
    // Names and numbers are cut above; this keeps the promise whatever the input.
    ReportText::of(cut(&text, budget))
}

/// The report as a longer message for WeChat: every field, one per line.
pub fn wechat_text(village: &str, report: &IncidentReport) -> ReportText {
    let hazard = report.hazard.map(HazardKind::label).unwrap_or("突发事件");
    let severity = report
        .severity
        .as_deref()
        .and_then(Severity::parse)
        .map(|s| s.label())
        .unwrap_or("待定");
    let mut lines = vec![
        format!("【{}·{}】", village.trim(), report.kind.label()),
        format!("事发时间：{}", short_time(&report.occurred_at)),
        format!("事发地点：{}", report.place.trim()),
        format!("灾种：{hazard}；等级：{severity}"),
        format!(
            "人员：死亡{}人，受伤{}人，失联{}人，被困{}人",
            report.deaths, report.injured, report.missing, report.trapped
        ),
        format!("已转移：{}人", report.evacuated),
    ];
    for (label, value) in [
        ("情况", &report.description),
        ("已采取措施", &report.actions_taken),
        ("需要支援", &report.needs),
    ] {
        if !value.trim().is_empty() {
            lines.push(format!("{label}：{}", value.trim()));
        }
    }
    lines.push(format!(
        "报告人：{} {}（{}）",
        report.reporter.trim(),
        report.reporter_phone.trim(),
        short_time(&report.reported_at)
    ));
    ReportText::of(without_long_numbers_per_line(&lines.join("\n")))
}

fn without_long_numbers_per_line(text: &str) -> String {
    text.lines()
        .map(without_long_numbers)
        .collect::<Vec<_>>()
        .join("\n")
}
