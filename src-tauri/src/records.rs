//! The record commands: the generic list / save / delete / undo over the village's tables (the
//! application layer's `records`), and the read models of the record screens (roster, plans,
//! hazards, drills, education, the self-check). Each is a line or two.

use cunan_app_api::core::education::{self, EducationLog};
use cunan_app_api::core::kit::{self, ResponsibleKit};
use cunan_app_api::core::plan::{self, PlanList, PlanView};
use cunan_app_api::core::readiness::{self, Readiness};
use cunan_app_api::core::registers::{self, DrillLog, HazardRegister};
use cunan_app_api::core::roster::{
    self, HouseholdDetail, PersonHit, ResidentEntry, RosterView, TeamView, VulnerableRow,
};
use cunan_app_api::core::store::Tombstone;
use cunan_app_api::core::{
    EducationAttendance, EducationSession, HazardKind, Household, Plan, PlanStep, Resident,
    VulnerablePerson,
};
use cunan_app_api::{records, today, Session};
use serde_json::Value;
use tauri::{AppHandle, Runtime, State};

use crate::state::{off_ui, Reply};

/// Every live row of a table, in the order they were first written.
#[tauri::command]
pub fn list_records(session: State<'_, Session>, table: String) -> Reply<Vec<Value>> {
    records::list(&*session.store()?, &table)
}

/// Validates and saves one record (an empty id makes a new one); returns it as saved.
#[tauri::command]
pub fn save_record(session: State<'_, Session>, table: String, record: Value) -> Reply<Value> {
    records::save(&mut *session.store()?, &table, record)
}

/// Deletes a record and the rows that belong to it; returns the tombstones, for 撤销.
#[tauri::command]
pub fn delete_record(
    session: State<'_, Session>,
    table: String,
    id: String,
) -> Reply<Vec<Tombstone>> {
    records::delete(&mut *session.store()?, &table, &id)
}

/// 撤销: makes deleted rows live again.
#[tauri::command]
pub fn restore_records(session: State<'_, Session>, tombstones: Vec<Tombstone>) -> Reply<()> {
    records::restore(&mut *session.store()?, &tombstones)
}

/// Off the UI thread: the roster of a 2,000-household village takes tens of milliseconds.
#[tauri::command]
pub async fn roster<R: Runtime>(app: AppHandle<R>) -> Reply<RosterView> {
    off_ui(app, |session| Ok(roster::roster(&*session.store()?)?)).await
}

#[tauri::command]
pub fn household_detail(session: State<'_, Session>, id: String) -> Reply<Option<HouseholdDetail>> {
    Ok(roster::household_detail(&*session.store()?, &id)?)
}

#[tauri::command]
pub fn save_household(
    session: State<'_, Session>,
    household: Household,
    hazard_site_ids: Vec<String>,
) -> Reply<Household> {
    Ok(roster::save_household(
        &mut *session.store()?,
        &household,
        &hazard_site_ids,
    )?)
}

#[tauri::command]
pub fn save_resident(
    session: State<'_, Session>,
    resident: Resident,
    vulnerable: Option<VulnerablePerson>,
) -> Reply<ResidentEntry> {
    Ok(roster::save_resident(
        &mut *session.store()?,
        &resident,
        vulnerable.as_ref(),
    )?)
}

#[tauri::command]
pub fn search_people(
    session: State<'_, Session>,
    query: String,
    limit: usize,
) -> Reply<Vec<PersonHit>> {
    session.search_people(&query, limit)
}

#[tauri::command]
pub fn teams(session: State<'_, Session>) -> Reply<Vec<TeamView>> {
    Ok(roster::teams(&*session.store()?)?)
}

#[tauri::command]
pub fn plan_list(session: State<'_, Session>) -> Reply<PlanList> {
    Ok(plan::plan_list(&*session.store()?)?)
}

#[tauri::command]
pub fn plan_view(session: State<'_, Session>, id: String) -> Reply<Option<PlanView>> {
    Ok(plan::plan_view(&*session.store()?, &id)?)
}

/// The vulnerable-people ledger, without ID numbers or phones of the people.
#[tauri::command]
pub fn vulnerable_ledger(session: State<'_, Session>) -> Reply<Vec<VulnerableRow>> {
    Ok(roster::vulnerable_ledger(&*session.store()?)?)
}

/// Moves a plan step one place up (-1) or down (+1) within its phase, in one transaction.
#[tauri::command]
pub fn move_plan_step(session: State<'_, Session>, id: String, by: i64) -> Reply<Vec<PlanStep>> {
    Ok(plan::move_step(&mut *session.store()?, &id, by)?)
}

/// A new plan from the built-in template for the hazard kind.
#[tauri::command]
pub fn new_plan(session: State<'_, Session>, hazard: HazardKind) -> Reply<Plan> {
    Ok(plan::create_from_template(&mut *session.store()?, hazard)?)
}

#[tauri::command]
pub fn hazard_register(session: State<'_, Session>) -> Reply<HazardRegister> {
    let store = session.store()?;
    Ok(registers::hazard_register(&store, today(&store))?)
}

#[tauri::command]
pub fn drill_log(session: State<'_, Session>) -> Reply<DrillLog> {
    let store = session.store()?;
    Ok(registers::drill_log(&store, today(&store))?)
}

/// The 宣传教育 screen: sessions with who signed in, and the share taught within 3 years.
#[tauri::command]
pub fn education_log(session: State<'_, Session>) -> Reply<EducationLog> {
    let store = session.store()?;
    Ok(education::education_log(&store, today(&store))?)
}

/// Saves a session and exactly these sign-ins (a resident, or a whole household), in one
/// transaction.
#[tauri::command]
pub fn save_education_session(
    state: State<'_, Session>,
    session: EducationSession,
    attendees: Vec<EducationAttendance>,
) -> Reply<EducationSession> {
    Ok(education::save_session(
        &mut *state.store()?,
        &session,
        &attendees,
    )?)
}

#[tauri::command]
pub fn responsible_kit(session: State<'_, Session>) -> Reply<ResponsibleKit> {
    Ok(kit::responsible_kit(&*session.store()?)?)
}

/// Off the UI thread: the self-check reads the whole store.
#[tauri::command]
pub async fn readiness<R: Runtime>(app: AppHandle<R>) -> Reply<Readiness> {
    off_ui(app, |session| {
        let store = session.store()?;
        Ok(readiness::readiness(&store, today(&store))?)
    })
    .await
}
