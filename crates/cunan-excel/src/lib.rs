//! Excel in and out: a roster imported from the kind of spreadsheet villages already keep
//! (preview first, then one transaction), and rosters, kit and contacts exported to .xlsx.
//!
//! Reading uses calamine (.xlsx, .xls, .xlsb, .ods), writing rust_xlsxwriter. Nothing here
//! touches the store except [`RosterImport::commit`], which writes in one `Store::write`.
//!
//! The import rules (which header names are understood, how rows are grouped into households,
//! what is tolerated and what makes a row bad) are documented on [`RosterImport`].

mod cells;
mod export;
mod header;
mod import;

use std::sync::atomic::{AtomicBool, Ordering};

use cunan_core::Store;
use serde::Serialize;

pub use export::{
    export_contacts, export_kit, export_roster, export_roster_masked, ROSTER_COLUMNS,
};
pub use header::{Column, HEADER_SCAN_ROWS};

#[derive(Debug, thiserror::Error)]
pub enum ExcelError {
    /// The file is not a workbook this can read; the message says what to do, in Chinese.
    #[error("{0}")]
    Unreadable(String),
    /// No header row with the columns a roster needs.
    #[error("{0}")]
    NoHeader(String),
    #[error(transparent)]
    Core(#[from] cunan_core::CoreError),
}

impl ExcelError {
    pub fn code(&self) -> &'static str {
        match self {
            ExcelError::Unreadable(_) => "excel_unreadable",
            ExcelError::NoHeader(_) => "excel_no_header",
            ExcelError::Core(e) => e.code(),
        }
    }
}

/// A bad row of the workbook: the Excel row number (1-based, as Excel shows it) and why.
///
/// A row with several problems has one `RowError` per problem. The reason never quotes the ID
/// number or phone itself (personal data): it names the column and the row to look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowError {
    pub row: u32,
    /// The column header the problem is in, if it is one column's.
    pub column: Option<String>,
    pub reason: String,
}

/// What an import would do, shown before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportPreview {
    pub sheet: String,
    /// The Excel row number of the header row.
    pub header_row: u32,
    /// Header names recognised, as written in the file.
    pub columns: Vec<String>,
    /// Header names not used.
    pub ignored_columns: Vec<String>,
    /// Data rows read (not counting blank rows).
    pub rows_read: u32,
    /// Rows that will be imported.
    pub rows_ok: u32,
    pub new_households: u32,
    pub new_residents: u32,
    pub errors: Vec<RowError>,
    /// Of the new residents, how many are vulnerable (重点人群).
    pub new_vulnerable: u32,
    /// Of those, how many have no helper named in the file yet (帮扶人待落实): they are imported
    /// all the same, and show as gaps on the roster and in the self-check.
    pub new_helper_pending: u32,
    /// Households already in the store that imported residents join (same 户主 and 住址).
    pub existing_households: u32,
    /// Grids named in the sheet that do not exist yet and will be created.
    pub new_grids: Vec<String>,
    /// Rows without a name that hold a note ("制表人：…", "合计：…") or a repeated header:
    /// skipped, not errors.
    pub note_rows: Vec<u32>,
}

impl ImportPreview {
    /// The Excel row numbers that have at least one problem, in order, each once.
    pub fn bad_rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.errors.iter().map(|e| e.row).collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportSummary {
    pub households: u32,
    pub residents: u32,
    pub grids_created: u32,
    /// Vulnerable-person records written.
    pub vulnerable: u32,
}

/// A parsed roster workbook: its preview, and the rows to write if the officer confirms.
///
/// # Which sheet, which header row
/// Every sheet is looked at; in each, the first [`HEADER_SCAN_ROWS`] rows are scanned for the
/// row that matches the most known header names (title rows, merged or not, and empty rows above
/// the header are passed over). The sheet whose header matches best is read. Header cells may
/// hold spaces, full-width spaces, newlines, a `*` or a note in brackets ("身份证号（18位）");
/// the names and synonyms understood are those of [`Column`]. Unknown columns (序号, …) are
/// listed in the preview as ignored.
///
/// # How rows become households
/// `姓名` is required, and so is a way to tell households apart:
/// - **With a `户主` column:** a row belongs to the household of its `户主` and `住址` (the same
///   head at another address is another household). A row with an empty `户主` cell continues
///   the household of the row above (merged cells, or "same as above"), unless its own
///   `与户主关系` is `户主`/`本人` (then it starts a household headed by itself) or it names a
///   different `住址` (then it is a bad row: whose household is it?). A row with an empty `住址`
///   whose `户主` is the same as the row above's stays in that household.
/// - **Without a `户主` column, with `与户主关系`:** a row whose relation is `户主` (or `本人`)
///   starts a household headed by that person at that row's `住址`; the rows below it belong to
///   it until the next such row. A member row above any head row, or naming a different `住址`
///   than its head, is a bad row.
/// - A household whose head and address match one already in the store is not created again:
///   its new residents join it (its own fields are left as they are).
///
/// Household fields (网格, 房屋类型, 电话) come from the household's first good row that has
/// them; the household's phone is the head's own phone if the head's row has one. A household
/// is in the danger zone if any of its rows says so. Only good rows contribute.
///
/// # Rows
/// Blank rows are skipped. A row without a name, or whose 姓名 cell itself reads like a note
/// (a note merged across the row lands there), is a note (skipped, listed in
/// [`ImportPreview::note_rows`]) if every filled cell reads like one ("制表人：…", "注：…",
/// "合计…", "以下空白") or it repeats the header; otherwise a row without a name is a bad row. Tolerated:
/// full-width digits and letters, spaces anywhere in phones and ID numbers, spaces inside
/// Chinese names ("张  三"), numbers stored as numbers (13800000000.0), dates as Excel dates or
/// text ("1956-03-02", "1956/3/2", "1956.3.2", "19560302", "1956年3月2日"; a year and month
/// alone, "1956.3", is taken as the 1st). An empty 性别 or 出生日期 is filled from a valid ID
/// number. Checked with the core's validators: ID numbers (check digit, birth date), phones,
/// each record's `validate()`. A vulnerable person (重点人群) without a helper in the file is
/// imported with the helper pending (帮扶人待落实), never dropped; a helper phone that is filled in
/// must be a valid phone.
/// An ID number already in the store, or met earlier in the file, makes the later row bad.
///
/// A bad row is never written; the good rows are, on [`RosterImport::commit`].
pub struct RosterImport {
    preview: ImportPreview,
    plan: import::Plan,
    committed: AtomicBool,
}

impl RosterImport {
    /// Reads a workbook (.xlsx or .xls) from its bytes and checks every row against the store.
    /// Writes nothing.
    pub fn read(bytes: &[u8], store: &Store) -> Result<RosterImport, ExcelError> {
        let (preview, plan) = import::read(bytes, store)?;
        Ok(RosterImport {
            preview,
            plan,
            committed: AtomicBool::new(false),
        })
    }

    pub fn preview(&self) -> &ImportPreview {
        &self.preview
    }

    /// Writes every good row in one transaction: grids, households, residents and vulnerable
    /// people land together or not at all. Refuses (writing nothing) if the store changed in a
    /// way that conflicts with the preview (an ID number added meanwhile, a household deleted),
    /// or if this import was already committed.
    pub fn commit(&self, store: &mut Store) -> Result<ImportSummary, ExcelError> {
        if self.committed.swap(true, Ordering::SeqCst) {
            return Err(import::stale(
                "这份花名册已经导入过了，不会重复导入。如需再次导入，请重新选择文件。",
            ));
        }
        let result = import::commit(&self.plan, store);
        if result.is_err() {
            self.committed.store(false, Ordering::SeqCst);
        }
        result
    }
}
