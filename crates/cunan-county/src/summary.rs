//! Each village's readiness as the county sees it, computed by the village app's own rules
//! (`cunan_core::readiness`, `kit`, `registers`) on a replica of the village's rows: the live
//! rows the county holds for the village (and the county's own) are applied, with the same merge
//! as a pull, to a store in memory, and the same functions the village's 备战自查 page calls are
//! asked. A summary is kept until the village's data changes (by `server_seq`), so a dashboard of
//! hundreds of villages reads stored summaries and recomputes only what changed.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use cunan_core::readiness::CheckState;
use cunan_core::sync::{Change, COUNTY_SCOPE};
use cunan_core::{HazardReport, Household, Incident, Resident, Store, VulnerablePerson};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::storage::{CountyStorage, StorageError};

/// Bump when the summary's shape or rules change: older stored summaries are recomputed.
const SUMMARY_VERSION: i64 = 1;

/// One village on the county's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageSummary {
    pub village_code: String,
    pub village_name: String,
    /// 乡镇 as the village entered it ('' if not yet).
    pub township: String,
    /// The village has synced (or sent a USB bundle) at least once.
    pub synced: bool,
    /// When the county last received data from the village (RFC 3339), if ever.
    pub last_sync: Option<String>,
    pub households: i64,
    pub residents: i64,
    pub vulnerable: i64,
    /// Vulnerable people with no helper named (or no helper phone).
    pub vulnerable_without_helper: i64,
    /// 备战自查 score, 0–100, as the village app shows it.
    pub readiness_score: i64,
    /// The self-check items not fully met: "label：detail".
    pub readiness_gaps: Vec<String>,
    /// 5+X kit lines with a problem: "item：problems".
    pub kit_problems: Vec<String>,
    pub kit_lines: i64,
    /// Hazard reports not closed, and of them past the 15-day rule.
    pub hazards_open: i64,
    pub hazards_overdue: i64,
    pub drills_this_year: i64,
    pub open_incidents: i64,
    /// The date the summary was computed for (Beijing time).
    pub as_of: NaiveDate,
}

/// The county's today (Beijing time), which the rules are applied on.
pub fn beijing_today(now: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(8 * 3600)
        .map(|offset| now.with_timezone(&offset).date_naive())
        .unwrap_or_else(|| now.date_naive())
}

/// Every registered village's summary, recomputing those whose data changed since their stored
/// summary (or whose day turned). Ordered by township, then village code.
pub fn summaries(storage: &dyn CountyStorage) -> Result<Vec<VillageSummary>, StorageError> {
    let today = beijing_today(storage.clock_now());
    let county_seq = storage.scope_seq(COUNTY_SCOPE)?;
    let mut out = Vec::new();
    for (code, name) in storage.villages()? {
        let through = storage.scope_seq(&code)?.max(county_seq);
        let stored = storage
            .summary(&code)?
            .filter(|(version, seq, _)| *version == SUMMARY_VERSION && *seq == through)
            .and_then(|(_, _, json)| serde_json::from_str::<VillageSummary>(&json).ok())
            .filter(|s| s.as_of == today);
        let summary = match stored {
            Some(s) => s,
            None => {
                let s = compute(storage, &code, &name, today)?;
                let json =
                    serde_json::to_string(&s).map_err(|e| StorageError::Database(e.to_string()))?;
                storage.put_summary(&code, SUMMARY_VERSION, through, &json)?;
                s
            }
        };
        out.push(summary);
    }
    out.sort_by(|a, b| (&a.township, &a.village_code).cmp(&(&b.township, &b.village_code)));
    Ok(out)
}

/// One village's summary, computed now on a replica of its rows.
pub fn compute(
    storage: &dyn CountyStorage,
    code: &str,
    name: &str,
    today: NaiveDate,
) -> Result<VillageSummary, StorageError> {
    let mut rows = storage.live_rows(code)?;
    let synced = !rows.is_empty();
    rows.extend(storage.live_rows(COUNTY_SCOPE)?);
    let core = |e: cunan_core::CoreError| StorageError::Database(format!("replica: {e}"));
    let mut replica = Store::open(std::path::Path::new(":memory:")).map_err(core)?;
    let changes: Vec<Change> = rows
        .into_iter()
        .map(|((table, row_id), data)| Change {
            seq: 0,
            hlc: data
                .get("hlc")
                .and_then(Value::as_str)
                .unwrap_or("0000000000000-000000")
                .to_string(),
            device_id: data
                .get("device_id")
                .and_then(Value::as_str)
                .unwrap_or(COUNTY_SCOPE)
                .to_string(),
            village_code: data
                .get("village_code")
                .and_then(Value::as_str)
                .unwrap_or(code)
                .to_string(),
            op: "upsert".into(),
            base_hlc: None,
            table,
            row_id,
            data,
        })
        .filter(|c| c.check_shape().is_ok())
        .collect();
    cunan_core::sync::apply_changes(&mut replica, &changes, None).map_err(core)?;

    let village = replica.village().map_err(core)?;
    let readiness = cunan_core::readiness::readiness(&replica, today).map_err(core)?;
    let readiness_gaps = readiness
        .items()
        .filter(|i| i.state != CheckState::Ok)
        .map(|i| format!("{}：{}", i.label, i.detail))
        .collect();
    let (kit_lines, kit_problems) = if village.is_some() {
        let checklist = cunan_core::kit::checklist(&replica, today).map_err(core)?;
        let problems = checklist
            .lines
            .iter()
            .filter(|l| !l.problems.is_empty())
            .map(|l| {
                let what: Vec<&str> = l.problems.iter().map(|p| p.label()).collect();
                format!("{}：{}", l.item.name, what.join("、"))
            })
            .collect();
        (checklist.lines.len() as i64, problems)
    } else {
        (0, Vec::new())
    };
    let reports: Vec<HazardReport> = replica.list().map_err(core)?;
    let open: Vec<&HazardReport> = reports.iter().filter(|r| r.closed_on.is_none()).collect();
    let overdue = open
        .iter()
        .filter(|r| cunan_core::registers::due_date(r) < today)
        .count();
    let drills = cunan_core::registers::drill_log(&replica, today).map_err(core)?;
    let vulnerable: Vec<VulnerablePerson> = replica.list().map_err(core)?;
    let without_helper = vulnerable
        .iter()
        .filter(|v| v.helper_name.trim().is_empty() || v.helper_phone.trim().is_empty())
        .count();
    let incidents: Vec<Incident> = replica.list().map_err(core)?;
    Ok(VillageSummary {
        village_code: code.to_string(),
        village_name: village
            .as_ref()
            .map(|v| v.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| name.to_string()),
        township: village.map(|v| v.township).unwrap_or_default(),
        synced,
        last_sync: storage.last_received(code)?,
        households: replica.list::<Household>().map_err(core)?.len() as i64,
        residents: replica.list::<Resident>().map_err(core)?.len() as i64,
        vulnerable: vulnerable.len() as i64,
        vulnerable_without_helper: without_helper as i64,
        readiness_score: readiness.score,
        readiness_gaps,
        kit_problems,
        kit_lines,
        hazards_open: open.len() as i64,
        hazards_overdue: overdue as i64,
        drills_this_year: drills
            .drills
            .iter()
            .filter(|d| d.date.year() == today.year() && d.date <= today)
            .count() as i64,
        open_incidents: incidents.iter().filter(|i| i.closed_at.is_none()).count() as i64,
        as_of: today,
    })
}
