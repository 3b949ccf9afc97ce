//! Printing, the same in the app and the CLI: which printout, what it is called on screen and as
//! a file, the "nothing to print" rule, and the glyph check before anything is laid out. The
//! content is the core's (`printouts`, `card`); the layout is `cunan-print`'s.

use chrono::NaiveDate;
use cunan_core::printouts::{self, Printout};
use cunan_core::{card, HazardKind, Store};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::files::Folder;
use crate::session::{today, Session};

/// Which printout to make.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "product", rename_all = "snake_case")]
pub enum PrintRequest {
    /// 应急处置明白卡: the one-page response card for one hazard.
    ResponseCard { hazard: HazardKind },
    /// 避险明白卡: every household in a hazard area, each in triplicate.
    HouseholdCards,
    /// 网格入户名单: every grid, or the one with this id (or name).
    GridSheets { grid: Option<String> },
    /// 应急物资清单 (5+X) with tick boxes.
    KitSheet,
    /// 应急通讯录.
    ContactsSheet,
    /// 预案宣传教育签到表: every grid, or the one with this id (or name); with a session's facts
    /// printed, or blank lines to fill in.
    SignInSheets {
        grid: Option<String>,
        session: Option<String>,
    },
}

/// A printout written to disk. Holds no personal data besides what the officer sees anyway.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrintedFile {
    /// The file's full path, shown to the officer.
    pub path: String,
    /// The file name in its folder; what the open / reveal commands take.
    pub file_name: String,
    /// Size of the file in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    /// What was made, e.g. "避险明白卡（312 户，每户一式三联）".
    pub title: String,
}

impl PrintedFile {
    /// Writes `bytes` as `file_name` into `folder` and says what was written.
    pub(crate) fn write(
        folder: Folder,
        file_name: String,
        bytes: &[u8],
        title: String,
    ) -> ApiResult<PrintedFile> {
        let path = folder.write(&file_name, bytes)?;
        Ok(PrintedFile {
            path: path.display().to_string(),
            file_name,
            bytes: bytes.len() as u64,
            title,
        })
    }
}

/// A printout built from the store and ready to render.
pub struct Prepared {
    pub printout: Printout,
    /// What it is called on screen and in the CLI's answer.
    pub title: String,
    /// What it is called in `<app data>/printouts/`, e.g. `避险明白卡-青石村-2025-06-01.pdf`.
    pub file_name: String,
}

/// Builds the printout, its title and file name; refuses one with nobody on it.
pub fn prepare(store: &Store, request: &PrintRequest, day: NaiveDate) -> ApiResult<Prepared> {
    let village = store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".to_string());
    let name = |parts: &[&str]| Folder::Printouts.file_name(parts, day);
    let scope_of = |grid: &Option<String>, first: Option<&str>| match (grid, first) {
        (Some(_), Some(first)) => first.to_string(),
        _ => "全部网格".to_string(),
    };
    Ok(match request {
        PrintRequest::ResponseCard { hazard } => {
            let card = card::build(store, *hazard, day)?;
            Prepared {
                title: format!("应急处置明白卡（{}）", card.hazard_label),
                file_name: name(&["明白卡", &village, &card.hazard_label]),
                printout: Printout::ResponseCard(card),
            }
        }
        PrintRequest::HouseholdCards => {
            let cards = printouts::household_cards(store, day)?;
            if cards.cards.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::NothingToPrint,
                    "本村还没有登记在危险区内的住户，没有避险明白卡可打印。请先登记住户，并标明在危险区内或受哪处隐患点威胁。",
                ));
            }
            Prepared {
                title: format!("避险明白卡（{} 户，每户一式三联）", cards.cards.len()),
                file_name: name(&["避险明白卡", &village]),
                printout: Printout::HouseholdCards(cards),
            }
        }
        PrintRequest::GridSheets { grid } => {
            let sheets = printouts::grid_sheets(store, grid.as_deref(), day)?;
            let scope = scope_of(grid, sheets.sheets.first().map(|s| s.grid_name.as_str()));
            Prepared {
                title: format!("网格入户名单（{scope}，{} 份）", sheets.sheets.len()),
                file_name: name(&["网格入户名单", &village, &scope]),
                printout: Printout::GridSheets(sheets),
            }
        }
        PrintRequest::KitSheet => Prepared {
            printout: Printout::KitSheet(printouts::kit_sheet(store, day)?),
            title: "应急物资清单".to_string(),
            file_name: name(&["应急物资清单", &village]),
        },
        PrintRequest::ContactsSheet => Prepared {
            printout: Printout::ContactsSheet(printouts::contacts_sheet(store, day)?),
            title: "应急通讯录".to_string(),
            file_name: name(&["应急通讯录", &village]),
        },
        PrintRequest::SignInSheets { grid, session } => {
            let sheets =
                printouts::sign_in_sheets(store, grid.as_deref(), session.as_deref(), day)?;
            if sheets.sheets.iter().all(|s| s.resident_count == 0) {
                return Err(ApiError::new(
                    ErrorCode::NothingToPrint,
                    "本村还没有录入居民，签到表上没有人可列。请先在“网格花名册”中录入住户和居民（可从 Excel 导入）。",
                ));
            }
            let scope = scope_of(grid, sheets.sheets.first().map(|s| s.grid_name.as_str()));
            Prepared {
                title: format!("预案宣传教育签到表（{scope}，{} 份）", sheets.sheets.len()),
                file_name: name(&["签到表", &village, &scope]),
                printout: Printout::SignInSheets(sheets),
            }
        }
    })
}

/// The PDF of a prepared printout. Characters no bundled font has are refused first, naming
/// them, before anything is laid out.
pub fn render(prepared: &Prepared) -> ApiResult<Vec<u8>> {
    cunan_print::check_glyphs(&prepared.printout)?;
    Ok(cunan_print::render(&prepared.printout)?)
}

/// Builds, checks and renders the printout, and writes it to `<app data>/printouts/`.
pub fn make(session: &Session, request: &PrintRequest) -> ApiResult<PrintedFile> {
    let prepared = {
        let store = session.store()?;
        prepare(&store, request, today(&store))?
    };
    let pdf = render(&prepared)?;
    PrintedFile::write(Folder::Printouts, prepared.file_name, &pdf, prepared.title)
}

/// The bytes of a printout made by [`make`], for the in-app preview.
pub fn read(file_name: &str) -> ApiResult<Vec<u8>> {
    let path = Folder::Printouts.existing(file_name)?;
    std::fs::read(path).map_err(|_| {
        ApiError::new(
            ErrorCode::PrintoutUnreadable,
            "读取打印文件失败，无法显示预览。请重新生成；文件仍可在保存位置打开。",
        )
    })
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
