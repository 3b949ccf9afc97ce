//! Excel in and out: the roster import (preview, then confirm) and .xlsx exports written to
//! `<app data>/exports/`. The parsing and the workbook layout are `cunan-excel`'s.

use cunan_excel::{ExcelError, ImportPreview, ImportSummary, RosterImport};
use serde::Deserialize;
use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use crate::commands::today;
use crate::files::Folder;
use crate::ipc::IpcError;
use crate::print::PrintedFile;
use crate::state::{off_ui, AppState};

type Reply<T> = Result<T, IpcError>;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ExportKind {
    Roster,
    Kit,
    Contacts,
}

impl From<ExcelError> for IpcError {
    fn from(e: ExcelError) -> Self {
        match e {
            ExcelError::Core(core) => core.into(),
            other => IpcError::new(other.code(), other.to_string()),
        }
    }
}

/// Reads and checks a workbook the officer chose; writes nothing. The parsed rows wait in the
/// app state for [`import_roster_commit`] (a newer preview replaces them).
#[tauri::command]
pub async fn import_roster_preview<R: Runtime>(
    app: AppHandle<R>,
    file_name: String,
    bytes: Vec<u8>,
) -> Reply<ImportPreview> {
    off_ui(app, move |state| preview(state, &file_name, &bytes)).await
}

fn preview(state: &AppState, file_name: &str, bytes: &[u8]) -> Reply<ImportPreview> {
    let lower = file_name.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".xlsm")) {
        return Err(IpcError::new(
            "excel_unreadable",
            "只能导入 Excel 文件（.xlsx 或 .xls）。如果是 WPS 表格或 CSV，请先另存为 .xlsx 再导入。",
        ));
    }
    let import = RosterImport::read(bytes, &*state.store()?)?;
    let preview = import.preview().clone();
    *state.pending_import() = Some(import);
    Ok(preview)
}

/// Writes the good rows of the last previewed workbook, in one transaction.
#[tauri::command]
pub async fn import_roster_commit<R: Runtime>(app: AppHandle<R>) -> Reply<ImportSummary> {
    off_ui(app, |state| {
        let import = state.pending_import().take().ok_or_else(|| {
            IpcError::new(
                "no_import",
                "没有待导入的表格（可能已经导入过）。请重新选择 Excel 文件。",
            )
        })?;
        Ok(import.commit(&mut *state.store()?)?)
    })
    .await
}

/// Writes an .xlsx to `<app data>/exports/`.
#[tauri::command]
pub async fn export_xlsx<R: Runtime>(app: AppHandle<R>, kind: ExportKind) -> Reply<PrintedFile> {
    off_ui(app, move |state| export(state, kind)).await
}

fn export(state: &AppState, kind: ExportKind) -> Reply<PrintedFile> {
    let store = state.store()?;
    let day = today(&store);
    let village = store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".to_string());
    let (bytes, title) = match kind {
        ExportKind::Roster => (cunan_excel::export_roster(&store)?, "网格花名册"),
        ExportKind::Kit => (cunan_excel::export_kit(&store, day)?, "应急物资清单"),
        ExportKind::Contacts => (cunan_excel::export_contacts(&store)?, "应急通讯录"),
    };
    let file_name = Folder::Exports.file_name(&[title, &village], day);
    let path = Folder::Exports.write(&file_name, &bytes)?;
    Ok(PrintedFile {
        path: path.display().to_string(),
        file_name,
        bytes: bytes.len() as u64,
        title: format!("{title}（Excel）"),
    })
}

/// Shows an exported file in the system's file manager.
#[tauri::command]
pub async fn reveal_export<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<()> {
    let path = Folder::Exports.existing(&file_name)?;
    app.opener().reveal_item_in_dir(path).map_err(|_| {
        eprintln!("cunan-app: the file manager could not be started");
        IpcError::new(
            "reveal_failed",
            "没能打开文件管理器。请按下面的保存位置自行找到文件。",
        )
    })
}
