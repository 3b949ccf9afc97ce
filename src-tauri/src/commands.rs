//! The IPC commands of the village and its kit. Each one locks the store, calls the core and
//! maps the error; nothing here decides anything.

use cunan_app_api::core::kit::{self, KitChecklist};
use cunan_app_api::core::{KitInspection, KitItem, Village};
use cunan_app_api::{records, today, AppInfo, Session};
use tauri::State;

use crate::state::Reply;

#[tauri::command]
pub fn app_info(session: State<'_, Session>) -> AppInfo {
    session.app_info()
}

#[tauri::command]
pub fn get_village(session: State<'_, Session>) -> Reply<Option<Village>> {
    Ok(session.store()?.village()?)
}

/// Saves the village's basic facts; the first save also adds the standard 5+X items.
#[tauri::command]
pub fn save_village(session: State<'_, Session>, village: Village) -> Reply<Village> {
    records::save_village(&mut *session.store()?, &village)
}

#[tauri::command]
pub fn kit_checklist(session: State<'_, Session>) -> Reply<KitChecklist> {
    let store = session.store()?;
    Ok(kit::checklist(&store, today(&store))?)
}

#[tauri::command]
pub fn save_kit_item(session: State<'_, Session>, item: KitItem) -> Reply<KitItem> {
    Ok(session.store()?.save(&item)?)
}

#[tauri::command]
pub fn record_inspection(
    session: State<'_, Session>,
    inspection: KitInspection,
) -> Reply<KitInspection> {
    Ok(kit::record_inspection(&mut *session.store()?, &inspection)?)
}
