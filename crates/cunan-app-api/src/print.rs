//! Printing, the same in the app and the CLI: which printout, what it is called on screen and as
//! a file, the "nothing to print" rule, and the glyph check before anything is laid out. The
//! content is the core's (`printouts`, `card`); the layout is `cunan-print`'s.

use chrono::{DateTime, FixedOffset, NaiveDate};
use cunan_core::printouts::{self, NotSafeSheets, Printout, TransferFacts};
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
    /// 未转移人员名单: the people of a roll call not yet safe, one sheet per grid (every grid, or
    /// the one with this id or name); `event` is the roll call's id.
    NotSafeSheets { event: String, grid: Option<String> },
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
        PrintRequest::NotSafeSheets { event, grid } => {
            let sheets =
                printouts::not_safe_sheets(store, event, grid.as_deref(), local_now(store))?;
            if sheets.sheets.is_empty() {
                return Err(everyone_safe(grid.as_deref()));
            }
            let scope = scope_of(grid, sheets.sheets.first().map(|s| s.grid_name.as_str()));
            let people: usize = sheets.sheets.iter().map(|s| s.people().count()).sum();
            Prepared {
                title: format!(
                    "未转移人员名单（{scope}，{} 份，未转移 {people} 人）",
                    sheets.sheets.len()
                ),
                file_name: not_safe_file_name(&sheets, &village, &scope, day),
                printout: Printout::NotSafeSheets(sheets),
            }
        }
    })
}

/// Now on the officer's wall clock, from the store's clock (as [`today`]).
fn local_now(store: &Store) -> DateTime<FixedOffset> {
    store
        .clock()
        .now()
        .with_timezone(&chrono::Local)
        .fixed_offset()
}

/// Why there is no not-yet-safe sheet to print.
fn everyone_safe(grid: Option<&str>) -> ApiError {
    let message = match grid {
        None => "这次转移的人员都已安全，没有需要打印的未转移名单。".to_string(),
        Some(g) => format!(
            "“{}”在这次转移中没有未转移的人员（都已安全，或不在这次转移的范围内），没有需要打印的未转移名单。",
            g.trim()
        ),
    };
    ApiError::new(ErrorCode::NothingToPrint, message)
}

/// e.g. `未转移人员名单-青石村-防汛防台转移0701-0900-全部网格-截至1030-2026-07-01.pdf`: the
/// transfer by its hazard and start, and the time the list was made, so that the lists printed
/// during one evacuation do not replace each other.
fn not_safe_file_name(
    sheets: &NotSafeSheets,
    village: &str,
    scope: &str,
    day: NaiveDate,
) -> String {
    let t = &sheets.transfer;
    let as_of = format!("截至{}", clock_digits(&t.as_of, 4));
    Folder::Printouts.file_name(
        &["未转移人员名单", village, &transfer_short(t), scope, &as_of],
        day,
    )
}

/// "防汛防台转移0701-0900": the hazard and when the transfer started.
fn transfer_short(t: &TransferFacts) -> String {
    let when = clock_digits(&t.started_at, 8);
    let (date, time) = when.split_at(when.len().saturating_sub(4));
    let when = [date, time]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{}转移{when}", t.hazard_label)
}

/// The last `n` digits of a printed time ("2026-07-01 09:00", 4 → "0900").
fn clock_digits(printed: &str, n: usize) -> String {
    let digits: Vec<char> = printed.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(n)..].iter().collect()
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
        let r: PrintRequest =
            serde_json::from_str(r#"{"product":"not_safe_sheets","event":"e1","grid":null}"#)
                .unwrap_or(PrintRequest::KitSheet);
        assert_eq!(
            r,
            PrintRequest::NotSafeSheets {
                event: "e1".into(),
                grid: None
            }
        );
    }

    #[test]
    fn a_not_safe_sheet_is_named_by_its_transfer_and_time() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        let t = TransferFacts {
            hazard_label: "防汛防台".into(),
            started_at: "2026-07-01 09:00".into(),
            as_of: "2026-07-01 10:30".into(),
            ..TransferFacts::default()
        };
        let sheets = NotSafeSheets {
            masthead: printouts::Masthead::default(),
            transfer: t,
            village: cunan_core::rollcall::Totals::default(),
            sheets: vec![],
        };
        assert_eq!(
            not_safe_file_name(&sheets, "青石村", "全部网格", day),
            "未转移人员名单-青石村-防汛防台转移0701-0900-全部网格-截至1030-2026-07-01.pdf"
        );
        let e = everyone_safe(None);
        assert_eq!(e.code, ErrorCode::NothingToPrint);
        assert!(e.message.contains("都已安全"), "{}", e.message);
        assert!(everyone_safe(Some("第1网格")).message.contains("第1网格"));
    }
}
