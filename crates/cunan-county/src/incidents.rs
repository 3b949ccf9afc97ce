//! The county's view of emergency mode: every village's incidents as synced up, with their
//! report deadlines at `now` under the deadlines the county published (or the built-in default),
//! computed by the same pure rules the village app uses (`cunan_core::incident`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cunan_core::incident::{self, Deadline, DEADLINE_SETTING};
use cunan_core::rollcall::{tally, Totals};
use cunan_core::sync::COUNTY_SCOPE;
use cunan_core::{EvacuationEvent, EvacuationStatus, Incident, IncidentReport};
use serde::Serialize;
use serde_json::Value;

use crate::storage::{CountyStorage, StorageError};

/// One incident of one village, for the county's list.
#[derive(Debug, Clone, Serialize)]
pub struct CountyIncident {
    pub village_code: String,
    pub village_name: String,
    pub incident: Incident,
    /// The reports received, in the order filed.
    pub reports: Vec<IncidentReport>,
    pub deadlines: Vec<Deadline>,
    pub open: bool,
    /// The totals of the incident's roll calls (转移点名), counted from the status rows received
    /// with the village app's own rule; `None` when none has been synced up.
    pub roll_call: Option<Totals>,
}

/// Every incident the villages have synced up, open ones first, then by time it happened
/// (newest first); with `open_only`, the open ones alone.
pub fn incidents(
    storage: &dyn CountyStorage,
    now: DateTime<Utc>,
    open_only: bool,
) -> Result<Vec<CountyIncident>, StorageError> {
    let county = storage.live_rows(COUNTY_SCOPE)?;
    let published: Vec<&Value> = county
        .iter()
        .filter(|((table, _), row)| {
            table == "setting" && row.get("key").and_then(Value::as_str) == Some(DEADLINE_SETTING)
        })
        .map(|(_, row)| row.get("value").unwrap_or(&Value::Null))
        .collect();
    let (setting, _) = incident::in_force(published);
    let mut out = Vec::new();
    for village in storage.stats(None)?.keys() {
        if village == COUNTY_SCOPE {
            continue;
        }
        let rows = storage.live_rows(village)?;
        let of = |table: &'static str| {
            rows.iter()
                .filter(move |((t, _), _)| t == table)
                .map(|(_, row)| row)
        };
        let village_name = of("village")
            .find_map(|v| v.get("name").and_then(Value::as_str))
            .unwrap_or(village)
            .to_string();
        let mut reports: BTreeMap<String, Vec<IncidentReport>> = BTreeMap::new();
        for row in of("incident_report") {
            if let Ok(r) = serde_json::from_value::<IncidentReport>(row.clone()) {
                if let Some(id) = r.incident_id.clone() {
                    reports.entry(id).or_default().push(r);
                }
            }
        }
        let mut events_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in of("evacuation_event") {
            if let Ok(e) = serde_json::from_value::<EvacuationEvent>(row.clone()) {
                if let Some(id) = e.incident_id.clone() {
                    events_of.entry(id).or_default().push(e.id);
                }
            }
        }
        let mut statuses: BTreeMap<String, Vec<EvacuationStatus>> = BTreeMap::new();
        for row in of("evacuation_status") {
            if let Ok(s) = serde_json::from_value::<EvacuationStatus>(row.clone()) {
                statuses.entry(s.event_id.clone()).or_default().push(s);
            }
        }
        for row in of("incident") {
            // A row the server stored but cannot read is skipped, not fatal for the list.
            let Ok(i) = serde_json::from_value::<Incident>(row.clone()) else {
                continue;
            };
            let open = i.closed_at.is_none();
            if open_only && !open {
                continue;
            }
            let mut its = reports.remove(&i.id).unwrap_or_default();
            its.sort_by(|a, b| a.reported_at.cmp(&b.reported_at));
            let Ok(deadlines) = incident::deadlines_of(&setting, &i, its.first(), now) else {
                continue;
            };
            let rows: Vec<EvacuationStatus> = events_of
                .get(&i.id)
                .into_iter()
                .flatten()
                .flat_map(|e| statuses.get(e).cloned().unwrap_or_default())
                .collect();
            let roll_call = (!rows.is_empty()).then(|| tally(&rows, &[], &[]).village);
            out.push(CountyIncident {
                roll_call,
                village_code: village.clone(),
                village_name: village_name.clone(),
                incident: i,
                reports: its,
                deadlines: deadlines.to_vec(),
                open,
            });
        }
    }
    out.sort_by(|a, b| (b.open, &b.incident.occurred_at).cmp(&(a.open, &a.incident.occurred_at)));
    Ok(out)
}
