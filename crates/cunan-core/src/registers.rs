//! The hazard register with the 15-day closure rule (隐患暗访督办15日办结), and the drill log.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::error::Result;
use crate::records::{Drill, HazardKind, HazardReport, HazardSite};
use crate::store::Store;

/// Days within which a reported hazard must be closed.
pub const CLOSURE_DAYS: u64 = 15;

/// An open report due within this many days (the due day included) is "due soon".
pub const DUE_SOON_DAYS: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ReportStatus {
    /// Past its due date and still open.
    Overdue,
    /// Open, due within 3 days.
    DueSoon,
    Open,
    /// Closed after the due date.
    ClosedLate,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportRow {
    pub report: HazardReport,
    /// Empty if the report is not about a registered site.
    pub site_name: String,
    pub status: ReportStatus,
    pub due_on: NaiveDate,
    /// Days from today to the due date (negative when overdue); for closed reports, 0.
    pub days_left: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteRow {
    pub site: HazardSite,
    /// Households linked to the site.
    pub households: i64,
    pub open_reports: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HazardRegister {
    pub sites: Vec<SiteRow>,
    /// Worst status first, then by due date.
    pub reports: Vec<ReportRow>,
    /// Reports not closed yet (overdue and due-soon included).
    pub open: i64,
    pub overdue: i64,
    pub due_soon: i64,
    /// Closed, but after the due date.
    pub closed_late: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DrillLog {
    /// Newest first.
    pub drills: Vec<Drill>,
    pub year: i32,
    pub done_this_year: bool,
    pub last_drill: Option<NaiveDate>,
    /// The village's hazard kinds drilled this year, and those not.
    pub hazards_drilled: Vec<HazardKind>,
    pub hazards_not_drilled: Vec<HazardKind>,
}

impl ReportStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::Overdue => "已超期",
            ReportStatus::DueSoon => "即将到期",
            ReportStatus::Open => "整改中",
            ReportStatus::ClosedLate => "超期办结",
            ReportStatus::Closed => "已办结",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReportStatus::Overdue | ReportStatus::DueSoon | ReportStatus::Open
        )
    }
}

/// The due date: the report's own `due_on` if set, else found_on + 15 days.
pub fn due_date(report: &HazardReport) -> NaiveDate {
    report.due_on.unwrap_or_else(|| {
        report
            .found_on
            .checked_add_days(Days::new(CLOSURE_DAYS))
            .unwrap_or(report.found_on)
    })
}

/// Where a report stands on `today`. Closed reports are judged by their closing day against the
/// due date; open ones are overdue the day after the due date, and due soon from 3 days before it
/// through the due date itself.
pub fn report_status(report: &HazardReport, today: NaiveDate) -> ReportStatus {
    let due = due_date(report);
    match report.closed_on {
        Some(closed) if closed > due => ReportStatus::ClosedLate,
        Some(_) => ReportStatus::Closed,
        None if today > due => ReportStatus::Overdue,
        None if (due - today).num_days() <= DUE_SOON_DAYS => ReportStatus::DueSoon,
        None => ReportStatus::Open,
    }
}

/// The hazard sites with their households and open reports, and every report with its status on
/// `today`, worst first.
pub fn hazard_register(store: &Store, today: NaiveDate) -> Result<HazardRegister> {
    let sites = store.list::<HazardSite>()?;
    let mut reports: Vec<ReportRow> = store
        .list::<HazardReport>()?
        .into_iter()
        .map(|report| {
            let status = report_status(&report, today);
            let due_on = due_date(&report);
            let days_left = if status.is_open() {
                (due_on - today).num_days()
            } else {
                0
            };
            let site_name = match report.hazard_site_id.as_deref() {
                None | Some("") => String::new(),
                Some(id) => sites
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| "（隐患点已删除）".to_string()),
            };
            ReportRow {
                report,
                site_name,
                status,
                due_on,
                days_left,
            }
        })
        .collect();
    reports.sort_by(|a, b| {
        (a.status, a.due_on, a.report.found_on).cmp(&(b.status, b.due_on, b.report.found_on))
    });
    let mut households_stmt = store.conn().prepare_cached(
        "SELECT count(DISTINCT l.household_id) FROM household_hazard l \
         JOIN household h ON h.id = l.household_id AND h.deleted = 0 \
         WHERE l.hazard_site_id = ?1 AND l.deleted = 0",
    )?;
    let mut site_rows = Vec::with_capacity(sites.len());
    for site in sites {
        let households: i64 = households_stmt.query_row([&site.id], |r| r.get(0))?;
        let open_reports = reports
            .iter()
            .filter(|r| r.status.is_open() && r.report.hazard_site_id.as_deref() == Some(&site.id))
            .count() as i64;
        site_rows.push(SiteRow {
            site,
            households,
            open_reports,
        });
    }
    let count =
        |f: &dyn Fn(ReportStatus) -> bool| reports.iter().filter(|r| f(r.status)).count() as i64;
    Ok(HazardRegister {
        open: count(&|s| s.is_open()),
        overdue: count(&|s| s == ReportStatus::Overdue),
        due_soon: count(&|s| s == ReportStatus::DueSoon),
        closed_late: count(&|s| s == ReportStatus::ClosedLate),
        sites: site_rows,
        reports,
    })
}

/// The drill log as of `today`: newest first; whether a drill has been held this calendar year
/// (drills dated after `today` are planned, not done, and do not count); which of the village's
/// hazard kinds were drilled this year.
pub fn drill_log(store: &Store, today: NaiveDate) -> Result<DrillLog> {
    let mut drills = store.list::<Drill>()?;
    drills.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.id.cmp(&a.id)));
    let year = today.year();
    let done: Vec<&Drill> = drills.iter().filter(|d| d.date <= today).collect();
    let this_year: Vec<&&Drill> = done.iter().filter(|d| d.date.year() == year).collect();
    let hazard_kinds = store.village()?.map(|v| v.hazard_kinds).unwrap_or_default();
    let (hazards_drilled, hazards_not_drilled) = hazard_kinds
        .into_iter()
        .partition(|k| this_year.iter().any(|d| d.hazard == Some(*k)));
    Ok(DrillLog {
        year,
        done_this_year: !this_year.is_empty(),
        last_drill: done.first().map(|d| d.date),
        hazards_drilled,
        hazards_not_drilled,
        drills,
    })
}
