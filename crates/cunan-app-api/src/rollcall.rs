//! The evacuation roll call (转移点名) in the app, the same calls the desktop shell makes: the
//! roll-call page's board (every roll call, the grids to choose from, the open incidents to link
//! a transfer to), starting a transfer, one roll call with everyone on it, marking a person or a
//! whole household, and calling the transfer off. The rules (who is on the list, what a mark
//! needs, the totals) are the core's `rollcall`; this layer shapes the answers for the screen,
//! so that a mark answers with just the rows it changed and the new totals.

use std::collections::{HashMap, HashSet};

use cunan_core::rollcall::{
    self, MarkInput, RollCall, RollCallPerson, RollCallSummary, RollCallTotals, TransferOrder,
};
use cunan_core::{
    EvacuationEvent, Grid, HazardKind, Household, HouseholdHazard, Incident, Resident, Store,
};
use serde::Serialize;

use crate::error::ApiResult;

/// The roll-call page before a roll call is opened.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollCallBoard {
    /// Open roll calls first, newest first, each with the village's totals.
    pub roll_calls: Vec<RollCallSummary>,
    /// The grids a transfer can be ordered for, with how many people each holds.
    pub grids: Vec<GridChoice>,
    /// Incidents still being reported, newest first: a transfer started now is usually theirs.
    pub incidents: Vec<IncidentChoice>,
    /// Who marks on this laptop unless the officer says otherwise: the village's officer.
    pub marked_by: String,
}

/// A grid in the start dialog.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GridChoice {
    /// `None` for households in no grid (they are in a whole-village transfer only).
    pub grid_id: Option<String>,
    pub name: String,
    pub households: i64,
    pub people: i64,
    /// Households in a hazard area, and the people in them.
    pub threatened_households: i64,
    pub threatened_people: i64,
}

/// An open incident a transfer can belong to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncidentChoice {
    pub incident: Incident,
    /// "山洪 · 溪口桥 · 06-15 09:30".
    pub label: String,
}

/// What a mark changed: the people marked, as the list shows them now, and the new totals.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MarkResult {
    pub people: Vec<RollCallPerson>,
    pub totals: RollCallTotals,
}

/// The roll calls, the grids with their head counts, and the incidents still open.
pub fn board(store: &Store) -> ApiResult<RollCallBoard> {
    let threatened: HashSet<String> = store
        .list::<HouseholdHazard>()?
        .into_iter()
        .map(|l| l.household_id)
        .collect();
    let mut size: HashMap<String, i64> = HashMap::new();
    for r in store.list::<Resident>()? {
        *size.entry(r.household_id).or_default() += 1;
    }
    let live_grids = store.list::<Grid>()?;
    // Households of a grid deleted since are in no grid, as the roll call counts them.
    let mut by_grid: HashMap<Option<String>, GridChoice> = HashMap::new();
    for h in store.list::<Household>()? {
        let people = size.get(&h.id).copied().unwrap_or(0);
        let threatened = h.in_danger_zone || threatened.contains(&h.id);
        let grid_id = h
            .grid_id
            .filter(|id| live_grids.iter().any(|g| &g.id == id));
        let g = by_grid.entry(grid_id).or_default();
        g.households += 1;
        g.people += people;
        g.threatened_households += i64::from(threatened);
        g.threatened_people += if threatened { people } else { 0 };
    }
    let mut grids: Vec<GridChoice> = live_grids
        .into_iter()
        .map(|grid| GridChoice {
            grid_id: Some(grid.id.clone()),
            name: grid.name,
            ..by_grid.remove(&Some(grid.id)).unwrap_or_default()
        })
        .collect();
    if let Some(rest) = by_grid.remove(&None) {
        grids.push(GridChoice {
            name: "未分网格".to_string(),
            ..rest
        });
    }

    let mut incidents: Vec<IncidentChoice> = store
        .list::<Incident>()?
        .into_iter()
        .filter(|i| i.closed_at.is_none())
        .map(|i| IncidentChoice {
            label: format!(
                "{} · {} · {}",
                i.hazard.map(HazardKind::label).unwrap_or("其他灾害"),
                i.place,
                short_time(&i.occurred_at)
            ),
            incident: i,
        })
        .collect();
    incidents.sort_by(|a, b| b.incident.occurred_at.cmp(&a.incident.occurred_at));

    Ok(RollCallBoard {
        roll_calls: rollcall::roll_calls(store)?,
        grids,
        incidents,
        marked_by: store.village()?.map(|v| v.officer_name).unwrap_or_default(),
    })
}

/// Starts a transfer: the list is fixed from today's roster.
pub fn start(store: &mut Store, order: &TransferOrder) -> ApiResult<EvacuationEvent> {
    let order = TransferOrder {
        level: order.level.trim().to_string(),
        reason: order.reason.trim().to_string(),
        started_by: order.started_by.trim().to_string(),
        incident_id: order.incident_id.clone().filter(|i| !i.trim().is_empty()),
        ..order.clone()
    };
    Ok(rollcall::start(store, &order)?)
}

/// One roll call with everyone on it and its totals.
pub fn view(store: &Store, event_id: &str) -> ApiResult<RollCall> {
    Ok(rollcall::roll_call(store, event_id)?)
}

/// Marks these people (one transaction: all of them or none).
pub fn mark(
    store: &mut Store,
    event_id: &str,
    resident_ids: &[String],
    input: &MarkInput,
) -> ApiResult<MarkResult> {
    let marked = rollcall::mark(store, event_id, resident_ids, input)?;
    result(store, event_id, marked)
}

/// Marks everyone of a household on the list with one tap.
pub fn mark_household(
    store: &mut Store,
    event_id: &str,
    household_id: &str,
    input: &MarkInput,
) -> ApiResult<MarkResult> {
    let marked = rollcall::mark_household(store, event_id, household_id, input)?;
    result(store, event_id, marked)
}

/// Calls the transfer off (解除): no more marks.
pub fn end(store: &mut Store, event_id: &str) -> ApiResult<EvacuationEvent> {
    Ok(rollcall::end(store, event_id)?)
}

fn result(
    store: &Store,
    event_id: &str,
    marked: Vec<cunan_core::EvacuationStatus>,
) -> ApiResult<MarkResult> {
    let ids: Vec<String> = marked.into_iter().map(|s| s.resident_id).collect();
    Ok(MarkResult {
        people: rollcall::roll_call_people(store, event_id, &ids)?,
        totals: rollcall::totals(store, event_id)?,
    })
}

/// "06-15 09:30" from an RFC 3339 time; the text itself when it is not one.
fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}
