//! The print commands: make a printout (off the UI thread) into `<app data>/printouts/`, hand
//! its bytes to the in-app preview, open it in the system's PDF viewer, show it in the file
//! manager. What is printed, its title and file name are the application layer's `print`.

use cunan_app_api::core::Grid;
use cunan_app_api::files::Folder;
use cunan_app_api::print::{self, PrintRequest, PrintedFile};
use cunan_app_api::{ApiError, ErrorCode, Session};
use tauri::ipc::Response;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

use crate::state::{off_ui, Reply};

/// Builds, checks, renders and writes the printout: the household cards of a large village take
/// about a second.
#[tauri::command]
pub async fn make_printout<R: Runtime>(
    app: AppHandle<R>,
    request: PrintRequest,
) -> Reply<PrintedFile> {
    off_ui(app, move |session| print::make(session, &request)).await
}

/// The bytes of a printout, for the in-app preview (an `ArrayBuffer` on the JS side).
#[tauri::command]
pub async fn printout_pdf<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<Response> {
    off_ui(app, move |_| print::read(&file_name).map(Response::new)).await
}

/// Opens the printout in the system's PDF viewer, from where the officer prints it.
#[tauri::command]
pub async fn open_printout<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<()> {
    let path = Folder::Printouts.existing(&file_name)?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|_| {
            // No detail: the error repeats the path, which can hold the user's name.
            eprintln!("cunan-app: the PDF viewer could not be started");
            ApiError::new(
                ErrorCode::ViewerFailed,
                "没能打开系统的 PDF 阅读器。请在文件管理器中找到下面的文件，双击打开后打印。",
            )
        })
}

/// Shows the printout in the system's file manager.
#[tauri::command]
pub async fn reveal_printout<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<()> {
    reveal(&app, Folder::Printouts, &file_name)
}

/// Shows a file of one of the app's folders in the system's file manager.
pub fn reveal<R: Runtime>(app: &AppHandle<R>, folder: Folder, file_name: &str) -> Reply<()> {
    let path = folder.existing(file_name)?;
    app.opener().reveal_item_in_dir(path).map_err(|_| {
        eprintln!("cunan-app: the file manager could not be started");
        ApiError::new(
            ErrorCode::RevealFailed,
            "没能打开文件管理器。请按下面的保存位置自行找到文件。",
        )
    })
}

/// The village's grids, for choosing which grid sheets to print; in the order the sheets print.
#[tauri::command]
pub fn list_grids(session: State<'_, Session>) -> Reply<Vec<Grid>> {
    Ok(session.store()?.list::<Grid>()?)
}
