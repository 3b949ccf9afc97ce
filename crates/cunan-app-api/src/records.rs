//! The generic record calls of the record screens: list, save, delete and undo over the tables
//! the screens edit directly, by table name. Each save goes through the core's `Writer`, so a
//! table's own checks (live household, unique ID number, …) always hold.

use cunan_core::store::Tombstone;
use cunan_core::{
    Contact, CoreError, Drill, EducationAttendance, EducationSession, EvacuationRoute,
    FloodResponsible, Grid, GridMember, HazardReport, HazardSite, Household, KitItem, Plan,
    PlanStep, Resident, Shelter, Store, Team, TeamMember, Village, VulnerablePerson,
};
use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorCode};

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

fn unknown_table(table: &str) -> ApiError {
    // The table name is the program's own word, not personal data.
    eprintln!("cunan: no record commands for table {table:?}");
    ApiError::new(
        ErrorCode::UnknownTable,
        "程序内部出错：不认识这类记录，本次操作没有执行。请重启村安；如反复出现，请联系县应急管理局。",
    )
}

/// A record the UI sent that does not have the shape of its table: a program error, not the
/// officer's, so the message says so.
fn bad_shape(e: serde_json::Error) -> ApiError {
    eprintln!(
        "cunan-app: a record arrived in the wrong shape ({})",
        e.classify() as u8
    );
    ApiError::new(
        ErrorCode::BadRecord,
        "程序内部出错：提交的记录格式不对，没有保存。请重试；如反复出现，请重启村安。",
    )
}

fn to_json<T: serde::Serialize>(value: T) -> ApiResult<Value> {
    serde_json::to_value(value).map_err(|e| CoreError::Format(e.to_string()).into())
}

/// Every live row of a table, in the order they were first written.
pub fn list(store: &Store, table: &str) -> ApiResult<Vec<Value>> {
    with_record_type!(table, T => {
        store.list::<T>()?.into_iter().map(to_json).collect()
    })
}

/// Validates and saves one record (an empty id makes a new one) through the core's checks for
/// its table; returns it as saved.
pub fn save(store: &mut Store, table: &str, record: Value) -> ApiResult<Value> {
    with_record_type!(table, T => {
        let record: T = serde_json::from_value(record).map_err(bad_shape)?;
        to_json(store.save(&record)?)
    })
}

/// Deletes a record and the rows that belong to it; returns the tombstones, for 撤销.
pub fn delete(store: &mut Store, table: &str, id: &str) -> ApiResult<Vec<Tombstone>> {
    editable(table)?;
    Ok(store.delete_with_children(table, id)?)
}

/// Only the tables the screens edit can be deleted through [`delete_record`].
fn editable(table: &str) -> ApiResult<()> {
    with_record_type!(table, T => {
        let _: Option<T> = None;
        Ok(())
    })
}

/// 撤销: makes deleted rows live again.
pub fn restore(store: &mut Store, tombstones: &[Tombstone]) -> ApiResult<()> {
    Ok(store.restore(tombstones)?)
}

/// Saves the village's basic facts; the first save also adds the standard 5+X items, so the
/// kit page starts with what the standard asks for.
pub fn save_village(store: &mut Store, village: &Village) -> ApiResult<Village> {
    let first = store.village()?.is_none();
    let saved = store.save(village)?;
    if first {
        cunan_core::kit::seed_standard_items(store)?;
    }
    Ok(saved)
}
