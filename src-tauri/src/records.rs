//! The record commands: the generic list / save / delete / undo over the village's tables, and
//! the read models of the record screens (roster, plans, hazards, drills, education, the
//! self-check). Each is a few lines of delegation to the core.

use cunan_core::education::{self, EducationLog};
use cunan_core::kit::{self, ResponsibleKit};
use cunan_core::plan::{self, PlanList, PlanView};
use cunan_core::readiness::{self, Readiness};
use cunan_core::registers::{self, DrillLog, HazardRegister};
use cunan_core::roster::{
    self, HouseholdDetail, PersonHit, ResidentEntry, RosterView, TeamView, VulnerableRow,
};
use cunan_core::store::Tombstone;
use cunan_core::{
    Contact, CoreError, Drill, EducationAttendance, EducationSession, EvacuationRoute,
    FloodResponsible, Grid, GridMember, HazardKind, HazardReport, HazardSite, Household, KitItem,
    Plan, PlanStep, Resident, Shelter, Team, TeamMember, VulnerablePerson,
};
use serde_json::Value;
use tauri::{AppHandle, Runtime, State};

use crate::commands::today;
use crate::ipc::IpcError;
use crate::state::{off_ui, AppState};

type Reply<T> = Result<T, IpcError>;

/// Runs `$body` with `$T` bound to the record type of the table named `$table`. These are the
/// tables the screens edit directly; the village and kit inspections have their own commands.
macro_rules! with_record_type {
    ($table:expr, $T:ident => $body:expr) => {
        match $table {
            "grid" => {
                type $T = Grid;
                $body
            }
            "grid_member" => {
                type $T = GridMember;
                $body
            }
            "hazard_site" => {
                type $T = HazardSite;
                $body
            }
            "household" => {
                type $T = Household;
                $body
            }
            "resident" => {
                type $T = Resident;
                $body
            }
            "vulnerable_person" => {
                type $T = VulnerablePerson;
                $body
            }
            "team" => {
                type $T = Team;
                $body
            }
            "team_member" => {
                type $T = TeamMember;
                $body
            }
            "contact" => {
                type $T = Contact;
                $body
            }
            "shelter" => {
                type $T = Shelter;
                $body
            }
            "evacuation_route" => {
                type $T = EvacuationRoute;
                $body
            }
            "plan" => {
                type $T = Plan;
                $body
            }
            "plan_step" => {
                type $T = PlanStep;
                $body
            }
            "kit_item" => {
                type $T = KitItem;
                $body
            }
            "flood_responsible" => {
                type $T = FloodResponsible;
                $body
            }
            "hazard_report" => {
                type $T = HazardReport;
                $body
            }
            "drill" => {
                type $T = Drill;
                $body
            }
            "education_session" => {
                type $T = EducationSession;
                $body
            }
            "education_attendance" => {
                type $T = EducationAttendance;
                $body
            }
            other => Err(unknown_table(other)),
        }
    };
}

fn unknown_table(table: &str) -> IpcError {
    // The table name is the program's own word, not personal data.
    eprintln!("cunan-app: no record commands for table {table:?}");
    IpcError::new(
        "unknown_table",
        "程序内部出错：不认识这类记录，本次操作没有执行。请重启村安；如反复出现，请联系县应急管理局。",
    )
}

/// A record the UI sent that does not have the shape of its table: a program error, not the
/// officer's, so the message says so.
fn bad_shape(e: serde_json::Error) -> IpcError {
    eprintln!(
        "cunan-app: a record arrived in the wrong shape ({})",
        e.classify() as u8
    );
    IpcError::new(
        "bad_record",
        "程序内部出错：提交的记录格式不对，没有保存。请重试；如反复出现，请重启村安。",
    )
}

fn to_json<T: serde::Serialize>(value: T) -> Reply<Value> {
    serde_json::to_value(value).map_err(|e| CoreError::Format(e.to_string()).into())
}

/// Every live row of a table, in the order they were first written.
#[tauri::command]
pub fn list_records(state: State<'_, AppState>, table: String) -> Reply<Vec<Value>> {
    let store = state.store()?;
    with_record_type!(table.as_str(), T => {
        store.list::<T>()?.into_iter().map(to_json).collect()
    })
}

/// Validates and saves one record (an empty id makes a new one); returns it as saved.
#[tauri::command]
pub fn save_record(state: State<'_, AppState>, table: String, record: Value) -> Reply<Value> {
    let mut store = state.store()?;
    with_record_type!(table.as_str(), T => {
        let record: T = serde_json::from_value(record).map_err(bad_shape)?;
        to_json(store.save(&record)?)
    })
}

/// Deletes a record and the rows that belong to it; returns the tombstones, for 撤销.
#[tauri::command]
pub fn delete_record(
    state: State<'_, AppState>,
    table: String,
    id: String,
) -> Reply<Vec<Tombstone>> {
    editable(&table)?;
    Ok(state.store()?.delete_with_children(&table, &id)?)
}

/// Only the tables the screens edit can be deleted through [`delete_record`].
fn editable(table: &str) -> Reply<()> {
    with_record_type!(table, T => {
        let _: Option<T> = None;
        Ok(())
    })
}

/// 撤销: makes deleted rows live again.
#[tauri::command]
pub fn restore_records(state: State<'_, AppState>, tombstones: Vec<Tombstone>) -> Reply<()> {
    Ok(state.store()?.restore(&tombstones)?)
}

/// Off the UI thread: the roster of a 2,000-household village takes tens of milliseconds.
#[tauri::command]
pub async fn roster<R: Runtime>(app: AppHandle<R>) -> Reply<RosterView> {
    off_ui(app, |state| Ok(roster::roster(&*state.store()?)?)).await
}

#[tauri::command]
pub fn household_detail(state: State<'_, AppState>, id: String) -> Reply<Option<HouseholdDetail>> {
    Ok(roster::household_detail(&*state.store()?, &id)?)
}

#[tauri::command]
pub fn save_household(
    state: State<'_, AppState>,
    household: Household,
    hazard_site_ids: Vec<String>,
) -> Reply<Household> {
    Ok(roster::save_household(
        &mut *state.store()?,
        &household,
        &hazard_site_ids,
    )?)
}

#[tauri::command]
pub fn save_resident(
    state: State<'_, AppState>,
    resident: Resident,
    vulnerable: Option<VulnerablePerson>,
) -> Reply<ResidentEntry> {
    Ok(roster::save_resident(
        &mut *state.store()?,
        &resident,
        vulnerable.as_ref(),
    )?)
}

#[tauri::command]
pub fn search_people(
    state: State<'_, AppState>,
    query: String,
    limit: usize,
) -> Reply<Vec<PersonHit>> {
    let index = roster::PeopleIndex::build(&*state.store()?)?;
    Ok(index.search(&query, limit.min(200)))
}

#[tauri::command]
pub fn teams(state: State<'_, AppState>) -> Reply<Vec<TeamView>> {
    Ok(roster::teams(&*state.store()?)?)
}

#[tauri::command]
pub fn plan_list(state: State<'_, AppState>) -> Reply<PlanList> {
    Ok(plan::plan_list(&*state.store()?)?)
}

#[tauri::command]
pub fn plan_view(state: State<'_, AppState>, id: String) -> Reply<Option<PlanView>> {
    Ok(plan::plan_view(&*state.store()?, &id)?)
}

/// The vulnerable-people ledger, without ID numbers or phones of the people.
#[tauri::command]
pub fn vulnerable_ledger(state: State<'_, AppState>) -> Reply<Vec<VulnerableRow>> {
    Ok(roster::vulnerable_ledger(&*state.store()?)?)
}

/// Moves a plan step one place up (-1) or down (+1) within its phase, in one transaction.
#[tauri::command]
pub fn move_plan_step(state: State<'_, AppState>, id: String, by: i64) -> Reply<Vec<PlanStep>> {
    Ok(plan::move_step(&mut *state.store()?, &id, by)?)
}

/// A new plan from the built-in template for the hazard kind.
#[tauri::command]
pub fn new_plan(state: State<'_, AppState>, hazard: HazardKind) -> Reply<Plan> {
    Ok(plan::create_from_template(&mut *state.store()?, hazard)?)
}

#[tauri::command]
pub fn hazard_register(state: State<'_, AppState>) -> Reply<HazardRegister> {
    let store = state.store()?;
    Ok(registers::hazard_register(&store, today(&store))?)
}

#[tauri::command]
pub fn drill_log(state: State<'_, AppState>) -> Reply<DrillLog> {
    let store = state.store()?;
    Ok(registers::drill_log(&store, today(&store))?)
}

/// The 宣传教育 screen: sessions with who signed in, and the share taught within 3 years.
#[tauri::command]
pub fn education_log(state: State<'_, AppState>) -> Reply<EducationLog> {
    let store = state.store()?;
    Ok(education::education_log(&store, today(&store))?)
}

/// Saves a session and exactly these sign-ins (a resident, or a whole household), in one
/// transaction.
#[tauri::command]
pub fn save_education_session(
    state: State<'_, AppState>,
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
pub fn responsible_kit(state: State<'_, AppState>) -> Reply<ResponsibleKit> {
    Ok(kit::responsible_kit(&*state.store()?)?)
}

/// Off the UI thread: the self-check reads the whole store.
#[tauri::command]
pub async fn readiness<R: Runtime>(app: AppHandle<R>) -> Reply<Readiness> {
    off_ui(app, |state| {
        let store = state.store()?;
        Ok(readiness::readiness(&store, today(&store))?)
    })
    .await
}
