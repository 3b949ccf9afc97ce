//! Excel in and out, the same in the app and the CLI: the roster import (read and check, then
//! confirm) and the .xlsx exports with their titles and file names. Parsing and layout are
//! `cunan-excel`'s.

use chrono::NaiveDate;
use cunan_core::Store;
use cunan_excel::{ImportPreview, ImportSummary, RosterImport};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::files::Folder;
use crate::print::PrintedFile;
use crate::session::{today, Session};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ExportKind {
    /// 网格花名册: sheets 住户, 居民 (re-importable, full ID numbers), 重点人群.
    Roster,
    /// 网格花名册（脱敏）: the same sheets, ID numbers and phones masked, for sharing.
    RosterMasked,
    /// 应急物资清单: the 5+X checklist and the flood responsible persons' four small items.
    Kit,
    /// 应急通讯录.
    Contacts,
}

impl ExportKind {
    pub fn title(self) -> &'static str {
        match self {
            ExportKind::Roster => "网格花名册",
            ExportKind::RosterMasked => "网格花名册（脱敏）",
            ExportKind::Kit => "应急物资清单",
            ExportKind::Contacts => "应急通讯录",
        }
    }

    /// Whether the file holds full ID numbers (and must be kept safe).
    pub fn holds_id_numbers(self) -> bool {
        self == ExportKind::Roster
    }
}

/// An export made in memory.
pub struct Export {
    pub bytes: Vec<u8>,
    pub title: &'static str,
    /// E.g. `网格花名册-青石村-2025-06-01.xlsx`.
    pub file_name: String,
}

/// Builds the workbook.
pub fn export(store: &Store, kind: ExportKind, day: NaiveDate) -> ApiResult<Export> {
    let village = store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".to_string());
    let bytes = match kind {
        ExportKind::Roster => cunan_excel::export_roster(store)?,
        ExportKind::RosterMasked => cunan_excel::export_roster_masked(store)?,
        ExportKind::Kit => cunan_excel::export_kit(store, day)?,
        ExportKind::Contacts => cunan_excel::export_contacts(store)?,
    };
    Ok(Export {
        bytes,
        title: kind.title(),
        file_name: Folder::Exports.file_name(&[kind.title(), &village], day),
    })
}

/// Builds the workbook and writes it to `<app data>/exports/`.
pub fn export_to_folder(session: &Session, kind: ExportKind) -> ApiResult<PrintedFile> {
    let made = {
        let store = session.store()?;
        export(&store, kind, today(&store))?
    };
    PrintedFile::write(
        Folder::Exports,
        made.file_name,
        &made.bytes,
        format!("{}（Excel）", made.title),
    )
}

/// Only Excel files are read (by their name, before the bytes are looked at).
pub fn check_workbook_name(file_name: &str) -> ApiResult<()> {
    let lower = file_name.to_lowercase();
    if [".xlsx", ".xls", ".xlsm"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::ExcelUnreadable,
        "只能导入 Excel 文件（.xlsx 或 .xls）。如果是 WPS 表格或 CSV，请先另存为 .xlsx 再导入。",
    ))
}

/// Reads and checks a workbook; writes nothing.
pub fn read_roster(store: &Store, file_name: &str, bytes: &[u8]) -> ApiResult<RosterImport> {
    check_workbook_name(file_name)?;
    Ok(RosterImport::read(bytes, store)?)
}

/// Reads and checks a workbook the officer chose; writes nothing. The rows wait in the session
/// for [`commit_pending`] (a newer preview replaces them).
pub fn preview(session: &Session, file_name: &str, bytes: &[u8]) -> ApiResult<ImportPreview> {
    let import = read_roster(&*session.store()?, file_name, bytes)?;
    let preview = import.preview().clone();
    *session.pending_import() = Some(import);
    Ok(preview)
}

/// Writes the good rows of the last previewed workbook, in one transaction.
pub fn commit_pending(session: &Session) -> ApiResult<ImportSummary> {
    let import = session.pending_import().take().ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoImport,
            "没有待导入的表格（可能已经导入过）。请重新选择 Excel 文件。",
        )
    })?;
    Ok(import.commit(&mut *session.store()?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_excel_names_are_read() {
        for ok in ["花名册.xlsx", "A.XLS", "b.xlsm"] {
            assert!(check_workbook_name(ok).is_ok(), "{ok}");
        }
        for bad in ["花名册.csv", "a.et", "xlsx"] {
            let e = check_workbook_name(bad).err().map(|e| e.code);
            assert_eq!(e, Some(ErrorCode::ExcelUnreadable), "{bad}");
        }
    }
}
