//! Excel in and out: the roster import (preview, then confirm) and .xlsx exports written to
//! `<app data>/exports/`. The rules are the application layer's `excel`.

use cunan_app_api::excel::{self, ExportKind};
use cunan_app_api::files::Folder;
use cunan_app_api::print::PrintedFile;
use cunan_app_api::{ImportPreview, ImportSummary};
use tauri::{AppHandle, Runtime};

use crate::print::reveal;
use crate::state::{off_ui, Reply};

/// Reads and checks a workbook the officer chose; writes nothing. The parsed rows wait in the
/// session for [`import_roster_commit`] (a newer preview replaces them).
#[tauri::command]
pub async fn import_roster_preview<R: Runtime>(
    app: AppHandle<R>,
    file_name: String,
    bytes: Vec<u8>,
) -> Reply<ImportPreview> {
    off_ui(app, move |session| {
        excel::preview(session, &file_name, &bytes)
    })
    .await
}

/// Writes the good rows of the last previewed workbook, in one transaction.
#[tauri::command]
pub async fn import_roster_commit<R: Runtime>(app: AppHandle<R>) -> Reply<ImportSummary> {
    off_ui(app, excel::commit_pending).await
}

/// Writes an .xlsx to `<app data>/exports/`.
#[tauri::command]
pub async fn export_xlsx<R: Runtime>(app: AppHandle<R>, kind: ExportKind) -> Reply<PrintedFile> {
    off_ui(app, move |session| excel::export_to_folder(session, kind)).await
}

/// Shows an exported file in the system's file manager.
#[tauri::command]
pub async fn reveal_export<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<()> {
    reveal(&app, Folder::Exports, &file_name)
}
