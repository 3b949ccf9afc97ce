//! The IPC commands. Each one locks the store, calls the core and maps the error; nothing here
//! decides anything the core could decide.

use chrono::NaiveDate;
use cunan_core::kit::{self, KitChecklist};
use cunan_core::{KitInspection, KitItem, Store, Village};
use tauri::State;

use crate::ipc::{AppInfo, IpcError};
use crate::state::AppState;

type Reply<T> = Result<T, IpcError>;

/// Today on the officer's wall calendar, from the store's clock (the system clock in the app, an
/// injected one in tests); business rules take it as an argument.
pub fn today(store: &Store) -> NaiveDate {
    store
        .clock()
        .now()
        .with_timezone(&chrono::Local)
        .date_naive()
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let store = state.store().ok();
    AppInfo {
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        store_path: state.path.as_ref().map(|p| p.display().to_string()),
        demo: state.demo,
        schema_version: store.as_ref().and_then(|s| s.version().ok()),
        device_id: store.as_ref().map(|s| s.device_id().to_string()),
        today: store.as_ref().map(|s| today(s).to_string()),
        store_error: state.store_error(),
    }
}

#[tauri::command]
pub fn get_village(state: State<'_, AppState>) -> Reply<Option<Village>> {
    Ok(state.store()?.village()?)
}

/// Saves the village's basic facts; the first save also adds the standard 5+X items.
#[tauri::command]
pub fn save_village(state: State<'_, AppState>, village: Village) -> Reply<Village> {
    let mut store = state.store()?;
    let first = store.village()?.is_none();
    let saved = store.save(&village)?;
    if first {
        kit::seed_standard_items(&mut store)?;
    }
    Ok(saved)
}

#[tauri::command]
pub fn kit_checklist(state: State<'_, AppState>) -> Reply<KitChecklist> {
    let store = state.store()?;
    Ok(kit::checklist(&store, today(&store))?)
}

#[tauri::command]
pub fn save_kit_item(state: State<'_, AppState>, item: KitItem) -> Reply<KitItem> {
    Ok(state.store()?.save(&item)?)
}

#[tauri::command]
pub fn record_inspection(
    state: State<'_, AppState>,
    inspection: KitInspection,
) -> Reply<KitInspection> {
    Ok(kit::record_inspection(&mut *state.store()?, &inspection)?)
}
