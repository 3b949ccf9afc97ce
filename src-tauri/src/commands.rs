//! The IPC commands. Each one locks the store, calls the core and maps the error; nothing here
//! decides anything the core could decide.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use cunan_core::card::{self, ResponseCard};
use cunan_core::kit::{self, KitChecklist};
use cunan_core::{paths, HazardKind, KitInspection, KitItem, Village};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use crate::ipc::{AppInfo, IpcError, PrintedCard};
use crate::state::{self, AppState};

type Reply<T> = Result<T, IpcError>;

/// Today on the officer's wall calendar; business rules take it as an argument.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
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
    Ok(kit::checklist(&*state.store()?, today())?)
}

#[tauri::command]
pub fn save_kit_item(state: State<'_, AppState>, item: KitItem) -> Reply<KitItem> {
    Ok(state.store()?.save(&item)?)
}

#[tauri::command]
pub fn delete_kit_item(state: State<'_, AppState>, id: String) -> Reply<()> {
    Ok(state.store()?.delete::<KitItem>(&id)?)
}

#[tauri::command]
pub fn record_inspection(
    state: State<'_, AppState>,
    inspection: KitInspection,
) -> Reply<KitInspection> {
    Ok(kit::record_inspection(&mut *state.store()?, &inspection)?)
}

/// Renders the response card for `hazard` to a PDF in the app-data `cards/` folder and opens it
/// in the system viewer. If the viewer cannot be started the path is still returned.
#[tauri::command]
pub async fn print_card(
    app: AppHandle,
    state: State<'_, AppState>,
    hazard: HazardKind,
) -> Reply<PrintedCard> {
    let card = card::build(&*state.store()?, hazard, today())?;
    let path = cards_dir()?.join(card_file_name(
        &card.village_name,
        &card.hazard_label,
        card.printed_on,
    ));
    let pdf = render(card).await?;
    write_file(&path, &pdf)?;
    let opened = app
        .opener()
        .open_path(path.display().to_string(), None::<&str>)
        .is_ok();
    if !opened {
        // No detail: the error repeats the path, which holds the user's name.
        eprintln!("cunan-app: the PDF viewer could not be started");
    }
    Ok(PrintedCard {
        path: path.display().to_string(),
        opened,
    })
}

/// Where printed cards go: `<app data>/cards/`.
fn cards_dir() -> Reply<PathBuf> {
    Ok(paths::app_data_dir()
        .ok_or_else(state::no_data_dir)?
        .join("cards"))
}

/// Lays the card out off the async runtime's threads (it takes a moment).
async fn render(card: ResponseCard) -> Reply<Vec<u8>> {
    tauri::async_runtime::spawn_blocking(move || cunan_print::render_response_card(&card))
        .await
        .map_err(|_| {
            IpcError::new(
                "print_failed",
                "生成明白卡时程序出错，没有生成文件。请重试。",
            )
        })?
        .map_err(IpcError::from)
}

/// A file name the officer recognises in a folder, e.g. `明白卡-青石村-防汛防台-2025-06-01.pdf`.
/// Printing again on the same day replaces that day's file.
pub fn card_file_name(village: &str, hazard: &str, printed_on: NaiveDate) -> String {
    format!("明白卡-{village}-{hazard}-{printed_on}.pdf")
        .chars()
        .map(|c| {
            if c.is_control() || r#"/\:*?"<>|"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn write_file(path: &Path, bytes: &[u8]) -> Reply<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(std::fs::write(path, bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_file_names_are_readable_and_safe_on_every_system() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
        for (village, expected) in [
            ("青石村", "明白卡-青石村-防汛防台-2025-06-01.pdf"),
            ("上/下村", "明白卡-上_下村-防汛防台-2025-06-01.pdf"),
            ("村:*?\"<>|\\", "明白卡-村________-防汛防台-2025-06-01.pdf"),
        ] {
            assert_eq!(card_file_name(village, "防汛防台", day), expected);
        }
    }
}
