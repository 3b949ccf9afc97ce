//! Emergency mode's reporting in the app, the same calls the desktop shell makes: the emergency
//! board at a given instant (every incident with its two deadlines in words), starting an
//! incident, recording the telephone report, filing 首报 / 续报 / 终报, and a report's SMS and
//! WeChat text. The rules (deadlines, what each report carries, the texts) are the core's
//! `incident`; this layer reads the officer's input (a time typed on this computer, a severity as
//! typed) and shapes the answers for the screens.

use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use cunan_core::incident::{
    self, DeadlineSetting, DeadlineSource, DeadlineState, ReportKind, ReportText, Severity,
    SMS_MAX_SEGMENTS, SMS_SEGMENT_CHARS,
};
use cunan_core::rollcall;
use cunan_core::{EvacuationEvent, HazardKind, Incident, IncidentReport, Store};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The emergency board: what the emergency page and the clock under the header show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentBoard {
    /// The instant the deadlines are reckoned at (RFC 3339, in this computer's offset): the
    /// app's clock.
    pub now: String,
    /// The same instant to the minute as a `datetime-local` field holds it
    /// (`2026-06-15T10:00`): the default time it happened in the start dialog.
    pub now_local: String,
    /// The deadlines in force, and where they came from.
    pub setting: DeadlineSetting,
    pub source: DeadlineSource,
    /// Open incidents first, newest first.
    pub incidents: Vec<IncidentEntry>,
}

/// One incident on the board.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentEntry {
    pub incident: Incident,
    pub hazard_label: String,
    pub severity_label: Option<String>,
    /// The telephone report, then the written first report.
    pub deadlines: Vec<DeadlineLine>,
    /// In the order they were filed, each exactly as sent.
    pub reports: Vec<IncidentReport>,
    pub open: bool,
    /// People moved to safety in this incident's roll calls, when it has any: what the next
    /// report's 转移人数 starts at.
    pub moved_in_roll_calls: Option<i64>,
}

/// One deadline of an incident, with where it stands in words.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeadlineLine {
    /// 电话报告 or 书面首报.
    pub what: String,
    pub minutes: i64,
    /// RFC 3339, in the offset the incident's time was given in.
    pub due_at: String,
    pub state: DeadlineState,
    /// "还剩 12 分钟", "已超时 5 分钟", "已报（按时）", "已报（迟 3 分钟）".
    pub words: String,
}

/// An incident the officer starts: what, when (empty for now), where, how grave (if known).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewIncident {
    pub hazard: HazardKind,
    /// RFC 3339, or a time on this computer's clock as a `datetime-local` field gives it
    /// (`2026-06-15T09:30`); empty for now.
    pub occurred_at: String,
    pub place: String,
    /// `I` … `IV`; `null` or empty while unknown.
    pub severity: Option<String>,
}

/// A report's two texts: for an SMS (at most [`SMS_MAX_SEGMENTS`] segments) and for WeChat.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportTexts {
    pub report_id: String,
    pub kind: ReportKind,
    pub sms: ReportText,
    pub wechat: ReportText,
    /// Characters in one SMS segment, and the most segments a report's SMS takes.
    pub segment_chars: usize,
    pub max_segments: usize,
}

/// The board at `now`: every incident with its deadlines under the setting in force.
pub fn board(store: &Store, now: DateTime<Utc>) -> ApiResult<IncidentBoard> {
    let (setting, _) = incident::deadline_setting(store)?;
    let (views, source) = incident::board(store, now)?;
    let local = now.with_timezone(&Local);
    let mut with_roll_call: HashSet<String> = HashSet::new();
    for e in store.list::<EvacuationEvent>()? {
        with_roll_call.extend(e.incident_id);
    }
    let moved = |id: &str| -> ApiResult<Option<i64>> {
        if !with_roll_call.contains(id) {
            return Ok(None);
        }
        Ok(Some(rollcall::evacuated_for_incident(store, id)?))
    };
    Ok(IncidentBoard {
        now: local.to_rfc3339_opts(SecondsFormat::Secs, false),
        now_local: local.format("%Y-%m-%dT%H:%M").to_string(),
        setting,
        source,
        incidents: views
            .into_iter()
            .map(|v| {
                Ok(IncidentEntry {
                    moved_in_roll_calls: moved(&v.incident.id)?,
                    deadlines: v
                        .deadlines
                        .into_iter()
                        .map(|d| DeadlineLine {
                            words: d.state.words(),
                            what: d.what,
                            minutes: d.minutes,
                            due_at: d.due_at,
                            state: d.state,
                        })
                        .collect(),
                    incident: v.incident,
                    hazard_label: v.hazard_label,
                    severity_label: v.severity_label,
                    reports: v.reports,
                    open: v.open,
                })
            })
            .collect::<ApiResult<_>>()?,
    })
}

/// Starts an incident; the deadline clock runs from the time it happened.
pub fn start(store: &mut Store, new: &NewIncident) -> ApiResult<Incident> {
    let occurred_at = match new.occurred_at.trim() {
        "" => store
            .clock()
            .now()
            .with_timezone(&Local)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        typed => local_time(typed)?.to_rfc3339_opts(SecondsFormat::Secs, false),
    };
    let severity = severity(new.severity.as_deref())?;
    Ok(incident::start(
        store,
        new.hazard,
        &occurred_at,
        &new.place,
        severity,
    )?)
}

/// Records that the telephone report was made, now (once: a second call changes nothing).
pub fn mark_phoned(store: &mut Store, incident_id: &str) -> ApiResult<Incident> {
    Ok(incident::mark_phoned(store, incident_id)?)
}

/// Files the next report of an incident (首报, then 续报; 终报 with `final_report`), stamped now
/// and kept as sent. The time, place and kind are the incident's; a severity given here (I–IV)
/// becomes the incident's, graver or milder than before (the latest assessment stands).
pub fn file_report(
    store: &mut Store,
    incident_id: &str,
    report: &IncidentReport,
    final_report: bool,
) -> ApiResult<IncidentReport> {
    let report = IncidentReport {
        severity: severity(report.severity.as_deref())?.map(|s| s.code().to_string()),
        ..report.clone()
    };
    Ok(incident::file_report(
        store,
        incident_id,
        &report,
        final_report,
    )?)
}

/// The SMS and WeChat texts of a filed report.
pub fn report_texts(store: &Store, report_id: &str) -> ApiResult<ReportTexts> {
    let report = store.get::<IncidentReport>(report_id)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            "找不到这份报告，可能已被删除。请回到突发事件页面重新选择。",
        )
    })?;
    let village = store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".to_string());
    Ok(ReportTexts {
        report_id: report.id.clone(),
        kind: report.kind,
        sms: incident::sms_text(&village, &report),
        wechat: incident::wechat_text(&village, &report),
        segment_chars: SMS_SEGMENT_CHARS,
        max_segments: SMS_MAX_SEGMENTS,
    })
}

/// A severity as typed (`I` … `IV`, `2`, `III级`); empty is "not known yet".
fn severity(text: Option<&str>) -> ApiResult<Option<Severity>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Severity::parse(t).map(Some).ok_or_else(|| {
            ApiError::field(
                ErrorCode::OutOfRange,
                "事件等级",
                "事件等级应为 I、II、III 或 IV 级（I 级为特别重大），不清楚时选“待定”。",
            )
        }),
    }
}

/// A time the officer gave: RFC 3339 as is, or a wall-clock time on this computer
/// (`2026-06-15T09:30`, seconds optional) in its own offset.
fn local_time(text: &str) -> ApiResult<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t);
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .and_then(|naive| Local.from_local_datetime(&naive).earliest())
        .map(|t| t.fixed_offset())
        .ok_or_else(|| {
            ApiError::field(
                ErrorCode::Date,
                "事发时间",
                "事发时间格式不对：请选择日期和时间，例如 2026-06-15 09:30。",
            )
        })
}
