//! Emergency mode's reporting: the board with its deadlines (at the app's clock), starting an
//! incident, the telephone report, 首报 / 续报 / 终报, and a report's SMS and WeChat text. Each
//! delegates to the application layer's `incident`.

use cunan_app_api::core::{Incident, IncidentReport};
use cunan_app_api::incident::{self, IncidentBoard, NewIncident, ReportTexts};
use cunan_app_api::Session;
use tauri::State;

use crate::state::Reply;

/// Every incident with its deadlines now, by the store's clock (the one every rule uses).
#[tauri::command]
pub fn incident_board(session: State<'_, Session>) -> Reply<IncidentBoard> {
    let store = session.store()?;
    incident::board(&store, store.clock().now())
}

#[tauri::command]
pub fn start_incident(session: State<'_, Session>, incident: NewIncident) -> Reply<Incident> {
    incident::start(&mut *session.store()?, &incident)
}

/// 已电话报告: the telephone report was made, now.
#[tauri::command]
pub fn mark_phoned(session: State<'_, Session>, id: String) -> Reply<Incident> {
    incident::mark_phoned(&mut *session.store()?, &id)
}

#[tauri::command]
pub fn file_report(
    session: State<'_, Session>,
    incident_id: String,
    report: IncidentReport,
    final_report: bool,
) -> Reply<IncidentReport> {
    incident::file_report(&mut *session.store()?, &incident_id, &report, final_report)
}

#[tauri::command]
pub fn report_texts(session: State<'_, Session>, report_id: String) -> Reply<ReportTexts> {
    incident::report_texts(&*session.store()?, &report_id)
}
