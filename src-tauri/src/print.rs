//! The print action: builds a printout from the store, checks that every character can be
//! printed, renders the PDF off the UI thread, writes it to `<app data>/printouts/` and hands the
//! UI what it needs for the preview. The layout is `cunan-print`'s; the content is the core's.

use chrono::NaiveDate;
use cunan_core::printouts::{self, Printout};
use cunan_core::{card, Grid, HazardKind, Store};
use serde::{Deserialize, Serialize};
use tauri::ipc::Response;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use crate::commands::today;
use crate::files::Folder;
use crate::ipc::IpcError;
use crate::state::AppState;

type Reply<T> = Result<T, IpcError>;

/// Which printout to make.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "product", rename_all = "snake_case")]
pub enum PrintRequest {
    /// 应急处置明白卡: the one-page response card for one hazard.
    ResponseCard { hazard: HazardKind },
    /// 避险明白卡: every household in a hazard area, each in triplicate.
    HouseholdCards,
    /// 网格入户名单: every grid, or the one with this id.
    GridSheets { grid: Option<String> },
    /// 应急物资清单 (5+X) with tick boxes.
    KitSheet,
    /// 应急通讯录.
    ContactsSheet,
    /// 预案宣传教育签到表: every grid, or the one with this id; with a session's facts printed,
    /// or blank lines to fill in.
    SignInSheets {
        grid: Option<String>,
        session: Option<String>,
    },
}

/// A printout written to disk. Holds no personal data besides what the officer sees anyway.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PrintedFile {
    /// The PDF's full path, shown to the officer.
    pub path: String,
    /// The file name in the printouts folder; what the other print commands take.
    pub file_name: String,
    /// Size of the PDF in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
    /// What was printed, e.g. "避险明白卡（312 户，每户一式三联）".
    pub title: String,
}

/// Builds, checks, renders and writes the printout. Everything runs on a blocking thread: the
/// household cards of a large village take about a second.
#[tauri::command]
pub async fn make_printout<R: Runtime>(
    app: AppHandle<R>,
    request: PrintRequest,
) -> Reply<PrintedFile> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let (printout, title, file_name) = {
            let store = state.store()?;
            build(&store, &request, today(&store))?
        };
        // Refuse characters no font has before anything is laid out or written.
        cunan_print::check_glyphs(&printout)?;
        let pdf = cunan_print::render(&printout)?;
        let path = Folder::Printouts.write(&file_name, &pdf)?;
        Ok(PrintedFile {
            path: path.display().to_string(),
            file_name,
            bytes: pdf.len() as u64,
            title,
        })
    })
    .await
    .map_err(|_| {
        IpcError::new(
            "print_failed",
            "生成打印文件时程序出错，没有生成文件。请重试。",
        )
    })?
}

/// The bytes of a printout written by [`make_printout`], for the in-app preview (an
/// `ArrayBuffer` on the JS side).
#[tauri::command]
pub async fn printout_pdf(file_name: String) -> Reply<Response> {
    let path = Folder::Printouts.existing(&file_name)?;
    let bytes = tauri::async_runtime::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|_| read_failed())?
        .map_err(|_| read_failed())?;
    Ok(Response::new(bytes))
}

/// Opens the printout in the system's PDF viewer, from where the officer prints it. Async, so a
/// slow desktop never freezes the window while the viewer starts.
#[tauri::command]
pub async fn open_printout<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<()> {
    let path = Folder::Printouts.existing(&file_name)?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|_| {
            // No detail: the error repeats the path, which can hold the user's name.
            eprintln!("cunan-app: the PDF viewer could not be started");
            IpcError::new(
                "viewer_failed",
                "没能打开系统的 PDF 阅读器。请在文件管理器中找到下面的文件，双击打开后打印。",
            )
        })
}

/// Shows the printout in the system's file manager.
#[tauri::command]
pub async fn reveal_printout<R: Runtime>(app: AppHandle<R>, file_name: String) -> Reply<()> {
    let path = Folder::Printouts.existing(&file_name)?;
    app.opener().reveal_item_in_dir(path).map_err(|_| {
        eprintln!("cunan-app: the file manager could not be started");
        IpcError::new(
            "reveal_failed",
            "没能打开文件管理器。请按下面的保存位置自行找到文件。",
        )
    })
}

/// The village's grids, for choosing which grid sheets to print; in the order the sheets print.
#[tauri::command]
pub fn list_grids(state: State<'_, AppState>) -> Reply<Vec<Grid>> {
    Ok(state.store()?.list::<Grid>()?)
}

/// The printout, what to call it on screen, and its file name.
fn build(
    store: &Store,
    request: &PrintRequest,
    day: NaiveDate,
) -> Reply<(Printout, String, String)> {
    let village = store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".to_string());
    Ok(match request {
        PrintRequest::ResponseCard { hazard } => {
            let card = card::build(store, *hazard, day)?;
            let title = format!("应急处置明白卡（{}）", card.hazard_label);
            let name = Folder::Printouts.file_name(&["明白卡", &village, &card.hazard_label], day);
            (Printout::ResponseCard(card), title, name)
        }
        PrintRequest::HouseholdCards => {
            let cards = printouts::household_cards(store, day)?;
            if cards.cards.is_empty() {
                return Err(IpcError::new(
                    "nothing_to_print",
                    "本村还没有登记在危险区内的住户，没有避险明白卡可打印。请先登记住户，并标明在危险区内或受哪处隐患点威胁。",
                ));
            }
            let title = format!("避险明白卡（{} 户，每户一式三联）", cards.cards.len());
            let name = Folder::Printouts.file_name(&["避险明白卡", &village], day);
            (Printout::HouseholdCards(cards), title, name)
        }
        PrintRequest::GridSheets { grid } => {
            let sheets = printouts::grid_sheets(store, grid.as_deref(), day)?;
            let scope = match (grid, sheets.sheets.first()) {
                (Some(_), Some(first)) => first.grid_name.clone(),
                _ => "全部网格".to_string(),
            };
            let title = format!("网格入户名单（{scope}，{} 份）", sheets.sheets.len());
            let name = Folder::Printouts.file_name(&["网格入户名单", &village, &scope], day);
            (Printout::GridSheets(sheets), title, name)
        }
        PrintRequest::KitSheet => {
            let sheet = printouts::kit_sheet(store, day)?;
            let name = Folder::Printouts.file_name(&["应急物资清单", &village], day);
            (Printout::KitSheet(sheet), "应急物资清单".to_string(), name)
        }
        PrintRequest::SignInSheets { grid, session } => {
            let sheets =
                printouts::sign_in_sheets(store, grid.as_deref(), session.as_deref(), day)?;
            if sheets.sheets.iter().all(|s| s.resident_count == 0) {
                return Err(IpcError::new(
                    "nothing_to_print",
                    "本村还没有录入居民，签到表上没有人可列。请先在“网格花名册”中录入住户和居民（可从 Excel 导入）。",
                ));
            }
            let scope = match (grid, sheets.sheets.first()) {
                (Some(_), Some(first)) => first.grid_name.clone(),
                _ => "全部网格".to_string(),
            };
            let title = format!("预案宣传教育签到表（{scope}，{} 份）", sheets.sheets.len());
            let name = Folder::Printouts.file_name(&["签到表", &village, &scope], day);
            (Printout::SignInSheets(sheets), title, name)
        }
        PrintRequest::ContactsSheet => {
            let sheet = printouts::contacts_sheet(store, day)?;
            let name = Folder::Printouts.file_name(&["应急通讯录", &village], day);
            (
                Printout::ContactsSheet(sheet),
                "应急通讯录".to_string(),
                name,
            )
        }
    })
}

fn read_failed() -> IpcError {
    IpcError::new(
        "printout_unreadable",
        "读取打印文件失败，无法显示预览。请重新生成；文件仍可在保存位置打开。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_arrive_as_the_ui_sends_them() {
        let r: PrintRequest =
            serde_json::from_str(r#"{"product":"response_card","hazard":"flood"}"#)
                .unwrap_or(PrintRequest::KitSheet);
        assert_eq!(
            r,
            PrintRequest::ResponseCard {
                hazard: HazardKind::Flood
            }
        );
        let r: PrintRequest = serde_json::from_str(r#"{"product":"grid_sheets","grid":null}"#)
            .unwrap_or(PrintRequest::KitSheet);
        assert_eq!(r, PrintRequest::GridSheets { grid: None });
        let r: PrintRequest =
            serde_json::from_str(r#"{"product":"sign_in_sheets","grid":"g1","session":null}"#)
                .unwrap_or(PrintRequest::KitSheet);
        assert_eq!(
            r,
            PrintRequest::SignInSheets {
                grid: Some("g1".into()),
                session: None
            }
        );
    }
}
