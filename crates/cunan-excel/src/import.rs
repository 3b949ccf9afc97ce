//! Reading a roster workbook into a plan (checked, nothing written) and committing the plan in
//! one transaction. The rules are documented on [`crate::RosterImport`].

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Seek};
use std::panic::AssertUnwindSafe;

use calamine::{open_workbook_auto_from_rs, Data, DataRef, Reader, Sheets};
use cunan_core::validate::{self, ValidationError};
use cunan_core::{
    CoreError, Grid, Household, Record, Resident, Store, VulnerableKind, VulnerablePerson,
};

use crate::cells::{self, Cell, IdProblem};
use crate::header::{find_header, Column, Header, HEADER_SCAN_ROWS};
use crate::{ExcelError, ImportPreview, ImportSummary, RowError};

/// What commit will write.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    households: Vec<PlannedHousehold>,
}

#[derive(Debug)]
struct PlannedHousehold {
    /// A household already in the store that the rows join.
    existing_id: Option<String>,
    household: Household,
    /// Grid name from the sheet (resolved to an id, or created, at commit).
    grid: String,
    head_phone_set: bool,
    residents: Vec<PlannedResident>,
}

#[derive(Debug)]
struct PlannedResident {
    resident: Resident,
    vulnerable: Option<VulnerablePerson>,
}

/// An error for a commit that must not go ahead; nothing is written.
pub(crate) fn stale(message: &str) -> ExcelError {
    ExcelError::Core(stale_core(message))
}

const NOT_A_WORKBOOK: &str = "这不是 Excel 文件，或者文件已损坏、设置了密码，读不出表格。请在 Excel/WPS 中打开它（如有密码先取消），另存为 .xlsx 后再导入。";

/// The sheet chosen for import: its name, all its rows (absolute, row 0 = Excel row 1), and
/// the header found in it.
struct Sheet {
    name: String,
    rows: Vec<Vec<Cell>>,
    header: Header,
}

/// Columns read from a sheet. A roster has a few dozen; a cell further right (a stray mark in
/// column XFD, say) is no roster column, and reading up to it would make every row that wide.
const MAX_COLUMNS: u32 = 256;
/// Excel's last row: a cell said to be below it is not from any spreadsheet program.
const MAX_ROWS: u32 = 1_048_576;

/// A non-empty cell and where it is: (row, column, cell), counted from A1 = (0, 0).
type PlacedCell = (u32, u32, Cell);

/// A sheet's non-empty cells within [`MAX_ROWS`] and [`MAX_COLUMNS`]; `None` if the sheet cannot
/// be read.
fn sheet_cells<RS: Read + Seek>(workbook: &mut Sheets<RS>, name: &str) -> Option<Vec<PlacedCell>> {
    let within = |row: u32, col: u32| row < MAX_ROWS && col < MAX_COLUMNS;
    if let Sheets::Xlsx(xlsx) = workbook {
        // Cell by cell: calamine's range would first make a grid reaching from the first cell to
        // the last, billions of cells for one stray mark at XFD1048576.
        let mut reader = xlsx.worksheet_cells_reader(name).ok()?;
        let mut cells = Vec::new();
        while let Some(cell) = reader.next_cell().ok()? {
            let (row, col) = cell.get_position();
            if within(row, col) && !matches!(cell.get_value(), DataRef::Empty) {
                let data = Data::from(cell.get_value().clone());
                cells.push((row, col, Cell::from_data(&data)));
            }
        }
        return Some(cells);
    }
    let range = workbook.worksheet_range(name).ok()?;
    let (start_row, start_col) = range.start()?;
    Some(
        range
            .used_cells()
            .map(|(r, c, data)| (start_row + r as u32, start_col + c as u32, data))
            .filter(|(r, c, _)| within(*r, *c))
            .map(|(r, c, data)| (r, c, Cell::from_data(data)))
            .collect(),
    )
}

/// Every readable sheet of the workbook: its name and [`sheet_cells`].
fn workbook_cells(bytes: &[u8]) -> Result<Vec<(String, Vec<PlacedCell>)>, ExcelError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|_| ExcelError::Unreadable(NOT_A_WORKBOOK.into()))?;
    Ok(workbook
        .sheet_names()
        .into_iter()
        .filter_map(|name| sheet_cells(&mut workbook, &name).map(|cells| (name, cells)))
        .collect())
}

fn read_sheets(bytes: &[u8]) -> Result<Option<Sheet>, ExcelError> {
    if bytes.is_empty() {
        return Err(ExcelError::Unreadable(
            "文件是空的（0 字节），没有可导入的内容。请确认选对了文件；如是从微信、邮件下载的，请重新下载后再导入。".into(),
        ));
    }
    // calamine does not survive every damaged file (a cell address like A4294967296 overflows
    // its arithmetic): a panic in it means a file that cannot be read, not a crash of the app.
    let sheets = match std::panic::catch_unwind(AssertUnwindSafe(|| workbook_cells(bytes))) {
        Ok(read) => read?,
        Err(_) => {
            eprintln!("cunan-excel: the workbook reader panicked on a damaged file");
            return Err(ExcelError::Unreadable(NOT_A_WORKBOOK.into()));
        }
    };
    let mut best: Option<Sheet> = None;
    for (name, cells) in sheets {
        let Some(height) = cells.iter().map(|(r, _, _)| *r as usize + 1).max() else {
            continue;
        };
        // Rows only as long as their last cell: cells are looked up with `get`.
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); height];
        for (r, c, cell) in cells {
            let row = &mut rows[r as usize];
            if row.len() <= c as usize {
                row.resize(c as usize + 1, Cell::Empty);
            }
            row[c as usize] = cell;
        }
        let Some(header) = find_header(&rows) else {
            continue;
        };
        if !header.has(Column::Name) {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| header.score() > b.header.score())
        {
            best = Some(Sheet { name, rows, header });
        }
    }
    Ok(best)
}

/// A household being gathered from the rows.
struct Gathering {
    key: (String, String),
    head: String,
    address: String,
    /// Index into `plan.households` once a good row made it real.
    planned: Option<usize>,
}

/// Reads and checks; writes nothing.
pub(crate) fn read(bytes: &[u8], store: &Store) -> Result<(ImportPreview, Plan), ExcelError> {
    if store.village()?.is_none() {
        return Err(CoreError::NoVillage.into());
    }
    let Some(sheet) = read_sheets(bytes)? else {
        return Err(ExcelError::NoHeader(format!(
            "没有找到花名册的表头：每张工作表的前 {HEADER_SCAN_ROWS} 行里都没有“姓名”列。请确认表头（姓名、户主、与户主关系、身份证号……）写在表格最上面几行，再导入。"
        )));
    };
    let header = &sheet.header;
    let by_head = header.has(Column::HeadName);
    if !by_head && !header.has(Column::Relation) {
        return Err(ExcelError::NoHeader(format!(
            "工作表“{}”第 {} 行的表头里有“姓名”，但没有“户主”或“与户主关系”列，分不出哪些人是一户。请加一列“户主”（每行填本户户主的姓名）后再导入。",
            sheet.name,
            header.row_index + 1
        )));
    }

    let existing = Existing::load(store)?;
    let mut ctx = Reading {
        header,
        existing: &existing,
        plan: Plan::default(),
        errors: Vec::new(),
        note_rows: Vec::new(),
        rows_read: 0,
        rows_ok: 0,
        gatherings: Vec::new(),
        by_key: HashMap::new(),
        current: None,
        seen_ids: HashMap::new(),
    };
    for (index, row) in sheet.rows.iter().enumerate().skip(header.row_index + 1) {
        ctx.row((index + 1) as u32, row, by_head);
    }

    let plan = ctx.plan;
    let mut new_grids: Vec<String> = Vec::new();
    for h in plan.households.iter().filter(|h| h.existing_id.is_none()) {
        if !h.grid.is_empty()
            && !existing.grids.contains_key(&h.grid)
            && !new_grids.contains(&h.grid)
        {
            new_grids.push(h.grid.clone());
        }
    }
    let residents = || plan.households.iter().flat_map(|h| &h.residents);
    let preview = ImportPreview {
        sheet: sheet.name.clone(),
        header_row: (header.row_index + 1) as u32,
        columns: header.recognised.clone(),
        ignored_columns: header.ignored.clone(),
        rows_read: ctx.rows_read,
        rows_ok: ctx.rows_ok,
        new_households: plan
            .households
            .iter()
            .filter(|h| h.existing_id.is_none())
            .count() as u32,
        new_residents: residents().count() as u32,
        errors: ctx.errors,
        new_vulnerable: residents().filter(|r| r.vulnerable.is_some()).count() as u32,
        new_helper_pending: residents()
            .filter(|r| r.vulnerable.as_ref().is_some_and(|v| v.helper_pending()))
            .count() as u32,
        existing_households: plan
            .households
            .iter()
            .filter(|h| h.existing_id.is_some())
            .count() as u32,
        new_grids,
        note_rows: ctx.note_rows,
    };
    Ok((preview, plan))
}

/// What the store already holds that the import must not duplicate.
struct Existing {
    id_numbers: HashSet<String>,
    /// (head name, address) → household id.
    households: HashMap<(String, String), String>,
    /// grid name → id.
    grids: HashMap<String, String>,
    /// household id → names of its live residents.
    names: HashMap<String, HashSet<String>>,
}

impl Existing {
    fn load(store: &Store) -> Result<Existing, CoreError> {
        let conn = store.conn();
        let mut id_numbers = HashSet::new();
        let mut stmt = conn.prepare(
            "SELECT upper(trim(id_number)) FROM resident WHERE deleted = 0 AND id_number != ''",
        )?;
        for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
            id_numbers.insert(id?);
        }
        let households = store
            .list::<Household>()?
            .into_iter()
            .map(|h| {
                (
                    (h.head_name.trim().to_string(), h.address.trim().to_string()),
                    h.id,
                )
            })
            .collect();
        let grids = store
            .list::<Grid>()?
            .into_iter()
            .map(|g| (g.name.trim().to_string(), g.id))
            .collect();
        let mut names: HashMap<String, HashSet<String>> = HashMap::new();
        let mut stmt =
            conn.prepare("SELECT household_id, trim(name) FROM resident WHERE deleted = 0")?;
        for pair in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (household, name) = pair?;
            names.entry(household).or_default().insert(name);
        }
        Ok(Existing {
            id_numbers,
            households,
            grids,
            names,
        })
    }
}

struct Reading<'a> {
    header: &'a Header,
    existing: &'a Existing,
    plan: Plan,
    errors: Vec<RowError>,
    note_rows: Vec<u32>,
    rows_read: u32,
    rows_ok: u32,
    gatherings: Vec<Gathering>,
    by_key: HashMap<(String, String), usize>,
    /// The household the previous data row belonged to.
    current: Option<usize>,
    /// ID number → the Excel row it was first met on.
    seen_ids: HashMap<String, u32>,
}

/// The problems of one row.
struct RowProblems<'h> {
    row: u32,
    header: &'h Header,
    list: Vec<RowError>,
}

impl RowProblems<'_> {
    fn add(&mut self, column: Option<Column>, reason: String) {
        let column = column.map(|c| self.column_name(c));
        self.list.push(RowError {
            row: self.row,
            column,
            reason,
        });
    }

    /// The column's header as written in the file.
    fn column_name(&self, column: Column) -> String {
        self.header
            .columns
            .iter()
            .position(|(_, c)| *c == column)
            .and_then(|i| self.header.recognised.get(i).cloned())
            .unwrap_or_else(|| column.label().to_string())
    }
}

const NOTE_WORDS: [&str; 12] = [
    "注",
    "备注",
    "说明",
    "制表",
    "填表",
    "审核",
    "合计",
    "总计",
    "小计",
    "以下空白",
    "以下无",
    "负责人",
];

fn looks_like_note(text: &str) -> bool {
    let t = cells::half_width(text);
    let t = t.trim();
    t.contains(':') || NOTE_WORDS.iter().any(|w| t.starts_with(w))
}

impl Reading<'_> {
    fn cell<'r>(&self, row: &'r [Cell], column: Column) -> &'r Cell {
        self.header
            .index_of(column)
            .and_then(|i| row.get(i))
            .unwrap_or(&Cell::Empty)
    }

    fn row(&mut self, row_no: u32, row: &[Cell], by_head: bool) {
        // Nothing under any recognised column: blank (pre-numbered template rows too), or a
        // note written elsewhere in the row (a merged "制表人：…" starting under 序号).
        if self
            .header
            .columns
            .iter()
            .all(|(i, _)| row.get(*i).is_none_or(Cell::is_empty))
        {
            if row.iter().any(|c| matches!(c, Cell::Text(_))) {
                self.note_rows.push(row_no);
            }
            return;
        }
        let name = cells::person_name(self.cell(row, Column::Name));
        // A note merged across the row lands in its first cell, which is often 姓名 itself
        // ("制表人：…", "合计：2人"): a "name" that reads like a note, with nothing but notes
        // beside it, is a note too.
        let repeated_header = !name.is_empty() && Column::from_header(&name) == Some(Column::Name);
        if name.is_empty() || repeated_header || looks_like_note(&name) {
            let all_notes = row
                .iter()
                .filter(|c| !c.is_empty())
                .all(|c| looks_like_note(&c.text()));
            if repeated_header || all_notes {
                self.note_rows.push(row_no);
                return;
            }
        }
        self.rows_read += 1;
        let header = self.header;
        let mut p = RowProblems {
            row: row_no,
            header,
            list: Vec::new(),
        };
        for &(i, column) in &header.columns {
            if let Some(Cell::Error(e)) = row.get(i) {
                let label = p.column_name(column);
                p.add(
                    Some(column),
                    format!("“{label}”是公式错误（{e}），请在第 {row_no} 行填写实际内容。"),
                );
            }
        }
        if name.is_empty() {
            p.add(
                Some(Column::Name),
                format!(
                    "没有填写姓名。请在第 {row_no} 行填写姓名；如果这一行不是居民，请删除这一行。"
                ),
            );
        }

        let parsed = self.parse_person(row, &name, &mut p);
        let danger_label = p.column_name(Column::DangerZone);
        if let Some(reason) =
            check_danger(self.cell(row, Column::DangerZone), &danger_label, row_no)
        {
            p.add(Some(Column::DangerZone), reason);
        }
        let household = self.household_of(row, &name, by_head, &mut p);
        // Without an ID number, a resident of a household already in the store is known by name.
        let no_id = self.cell(row, Column::IdNumber).is_empty();
        if let (Some(g), true) = (household, no_id) {
            let already = self
                .existing
                .households
                .get(&self.gatherings[g].key)
                .and_then(|id| self.existing.names.get(id))
                .is_some_and(|names| names.contains(&name));
            if already {
                p.add(Some(Column::Name), format!("这一户在本村花名册里已经有同名的居民，不会重复导入。如果是另一个人，请在备注里说明后手工录入；否则删除第 {row_no} 行。"));
            }
        }

        if p.list.is_empty() {
            if let (Some(g), Some(person)) = (household, parsed) {
                self.accept(g, row, person);
                self.rows_ok += 1;
                return;
            }
        }
        self.errors.extend(p.list);
    }

    /// The resident (and vulnerable record) a row describes, or its problems.
    fn parse_person(
        &mut self,
        row: &[Cell],
        name: &str,
        p: &mut RowProblems<'_>,
    ) -> Option<PlannedResident> {
        let row_no = p.row;
        let mut resident = Resident {
            name: name.to_string(),
            relation: cells::plain(self.cell(row, Column::Relation)),
            note: cells::plain(self.cell(row, Column::Note)),
            ..Resident::default()
        };
        let id_label = p.column_name(Column::IdNumber);
        match cells::id_number_text(self.cell(row, Column::IdNumber)) {
            Ok(id) if id.is_empty() => {}
            Ok(id) => match cells::check_id_number(&id) {
                Ok(()) => {
                    if self.existing.id_numbers.contains(&id) {
                        p.add(Some(Column::IdNumber), format!("这个{id_label}的居民已经在本村花名册里，不会重复导入。如果是另一个人，请核对第 {row_no} 行的{id_label}；否则删除这一行。"));
                    } else if let Some(first) = self.seen_ids.get(&id) {
                        p.add(Some(Column::IdNumber), format!("{id_label}与第 {first} 行相同，同一个人只能有一行。请核对第 {row_no} 行的{id_label}，或删除重复的行。"));
                    } else {
                        self.seen_ids.insert(id.clone(), row_no);
                    }
                    resident.id_number = id;
                }
                Err(problem) => p.add(
                    Some(Column::IdNumber),
                    id_reason(problem, &id_label, row_no),
                ),
            },
            Err(problem) => p.add(
                Some(Column::IdNumber),
                id_reason(problem, &id_label, row_no),
            ),
        }
        let from_id = cells::id_birth_and_gender(&resident.id_number);

        let gender_cell = self.cell(row, Column::Gender);
        match cells::gender(gender_cell) {
            Ok(g) => resident.gender = g.or(from_id.map(|(_, g)| g)).unwrap_or("").to_string(),
            Err(()) => {
                let label = p.column_name(Column::Gender);
                p.add(
                    Some(Column::Gender),
                    format!("{label}应填“男”或“女”，请改正第 {row_no} 行的{label}。"),
                );
            }
        }
        match cells::date(self.cell(row, Column::BirthDate)) {
            Ok(d) => resident.birth_date = d.or(from_id.map(|(d, _)| d)),
            Err(()) => {
                let label = p.column_name(Column::BirthDate);
                p.add(
                    Some(Column::BirthDate),
                    format!("{label}看不懂，请按 1956-03-02 的格式改正第 {row_no} 行的{label}。"),
                );
            }
        }
        resident.phone = self.phone(row, Column::Phone, p);

        // 重点人群
        let kind_text = cells::plain(self.cell(row, Column::Vulnerable));
        let kind_note = cells::plain(self.cell(row, Column::VulnerableNote));
        let vulnerable = match vulnerable_kind(&kind_text) {
            None => None,
            Some((kind, note_from_kind)) => {
                let helper_name = cells::person_name(self.cell(row, Column::Helper));
                let helper_phone = self.phone(row, Column::HelperPhone, p);
                // No helper yet is no reason to lose the person: the helper is pending
                // (帮扶人待落实) and shows as a gap. A phone that is filled in but bad is still
                // a bad row (reported by `phone`).
                Some(VulnerablePerson {
                    kind,
                    kind_note: if kind_note.is_empty() {
                        note_from_kind
                    } else {
                        kind_note
                    },
                    helper_name,
                    helper_phone,
                    ..VulnerablePerson::default()
                })
            }
        };

        // The records' own rules, as a backstop (messages rebuilt so no value is quoted).
        if p.list.is_empty() {
            if let Err(e) = resident.validate() {
                p.add(None, validation_reason(&e, row_no));
            }
            if let Some(v) = &vulnerable {
                if let Err(e) = v.validate() {
                    p.add(None, validation_reason(&e, row_no));
                }
            }
        }
        Some(PlannedResident {
            resident,
            vulnerable,
        })
    }

    /// A phone cell, cleaned and checked; empty if blank or bad (bad ones are reported).
    fn phone(&self, row: &[Cell], column: Column, p: &mut RowProblems<'_>) -> String {
        let cell = self.cell(row, column);
        let text = cells::phone_text(cell);
        if text.is_empty() {
            return String::new();
        }
        if validate::phone(column.label(), &text).is_ok() {
            return text;
        }
        let label = p.column_name(column);
        let row_no = p.row;
        let hint = if matches!(cell, Cell::Number(_)) && !text.starts_with('1') {
            "这个格子是数字格式，固定电话开头的 0 可能被 Excel 去掉了，请把这一列设为“文本”格式后重新填写。"
        } else {
            ""
        };
        p.add(Some(column), format!("{label}不是有效的电话号码：手机号为 11 位数字，固定电话要带区号（如 0572-2123456）。{hint}请核对第 {row_no} 行的{label}。"));
        String::new()
    }

    /// Which household the row belongs to (an index into `gatherings`), or a problem.
    fn household_of(
        &mut self,
        row: &[Cell],
        name: &str,
        by_head: bool,
        p: &mut RowProblems<'_>,
    ) -> Option<usize> {
        let row_no = p.row;
        let relation = cells::plain(self.cell(row, Column::Relation));
        let is_head = matches!(relation.as_str(), "户主" | "本人" | "户主本人");
        let address = cells::plain(self.cell(row, Column::Address));
        let current = self.current.map(|i| &self.gatherings[i]);
        let head_cell = if by_head {
            cells::person_name(self.cell(row, Column::HeadName))
        } else {
            String::new()
        };

        let (head, address) = if by_head && !head_cell.is_empty() {
            let address = match current {
                Some(c) if address.is_empty() && c.head == head_cell => c.address.clone(),
                _ => address,
            };
            (head_cell, address)
        } else if is_head && !name.is_empty() {
            (name.to_string(), address)
        } else {
            let head_col = if by_head {
                p.column_name(Column::HeadName)
            } else {
                p.column_name(Column::Relation)
            };
            match current {
                Some(c) if address.is_empty() || address == c.address => {
                    let i = self.current?;
                    return Some(i);
                }
                Some(_) => {
                    let addr_col = p.column_name(Column::Address);
                    p.add(Some(if by_head { Column::HeadName } else { Column::Relation }), if by_head {
                        format!("没有填写{head_col}，而{addr_col}和上一户不同，分不出是哪一户的人。请在第 {row_no} 行填写{head_col}。")
                    } else {
                        format!("{addr_col}和上面的户主不同，分不出是哪一户的人。请先列出这一户的户主（{head_col}填“户主”），或核对第 {row_no} 行的{addr_col}。")
                    });
                    return None;
                }
                None if !name.is_empty() => {
                    p.add(Some(if by_head { Column::HeadName } else { Column::Relation }), if by_head {
                        format!("没有填写{head_col}。请在第 {row_no} 行填写本户户主的姓名（户主本人也要填）。")
                    } else {
                        format!("这一行上面还没有户主，分不出是哪一户的人。请把本户户主（{head_col}填“户主”）放在本户成员的前面，或核对第 {row_no} 行。")
                    });
                    return None;
                }
                None => return None,
            }
        };
        let key = (head.clone(), address.clone());
        let index = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                self.gatherings.push(Gathering {
                    key: key.clone(),
                    head,
                    address,
                    planned: None,
                });
                let i = self.gatherings.len() - 1;
                self.by_key.insert(key, i);
                i
            }
        };
        self.current = Some(index);
        Some(index)
    }

    /// A good row: its resident joins the plan, and its household fields fill in the household.
    fn accept(&mut self, gathering: usize, row: &[Cell], person: PlannedResident) {
        let grid = cells::plain(self.cell(row, Column::Grid));
        let house_type = cells::plain(self.cell(row, Column::HouseType));
        let danger = cells::yes_no(self.cell(row, Column::DangerZone))
            .ok()
            .flatten()
            .unwrap_or(false);
        let g = &mut self.gatherings[gathering];
        let planned = match g.planned {
            Some(i) => i,
            None => {
                let existing_id = self.existing.households.get(&g.key).cloned();
                self.plan.households.push(PlannedHousehold {
                    existing_id,
                    household: Household {
                        head_name: g.head.clone(),
                        address: g.address.clone(),
                        ..Household::default()
                    },
                    grid: String::new(),
                    head_phone_set: false,
                    residents: Vec::new(),
                });
                g.planned = Some(self.plan.households.len() - 1);
                self.plan.households.len() - 1
            }
        };
        let h = &mut self.plan.households[planned];
        if h.grid.is_empty() {
            h.grid = grid;
        }
        if h.household.house_type.is_empty() {
            h.household.house_type = house_type;
        }
        h.household.in_danger_zone |= danger;
        let phone = &person.resident.phone;
        let is_head = person.resident.name == h.household.head_name
            && matches!(
                person.resident.relation.as_str(),
                "" | "户主" | "本人" | "户主本人"
            );
        if !phone.is_empty() && !h.head_phone_set {
            if is_head {
                h.household.phone = phone.clone();
                h.head_phone_set = true;
            } else if h.household.phone.is_empty() {
                h.household.phone = phone.clone();
            }
        }
        h.residents.push(person);
    }
}

/// The 是否危险区 cell must read as yes or no.
fn check_danger(cell: &Cell, label: &str, row_no: u32) -> Option<String> {
    cells::yes_no(cell).err().map(|()| {
        format!("{label}只能填“是”或“否”（也可以用 √ 表示是），请改正第 {row_no} 行的{label}。")
    })
}

fn id_reason(problem: IdProblem, label: &str, row: u32) -> String {
    match problem {
        IdProblem::StoredAsNumber => format!("{label}被 Excel 存成了数字，后几位已经丢失。请把这一列设为“文本”格式，对照身份证重新填写第 {row} 行的{label}。"),
        IdProblem::Length(n) => format!("{label}应为 18 位，现在是 {n} 位。请核对第 {row} 行的{label}。"),
        IdProblem::NotDigits => format!("{label}前 17 位应全是数字，最后一位是数字或 X。请核对第 {row} 行的{label}。"),
        IdProblem::BirthDate => format!("{label}里的出生日期不存在，可能有一位输错了。请核对第 {row} 行的{label}。"),
        IdProblem::CheckDigit => format!("{label}校验位不对，可能有一位输错了。请核对第 {row} 行的{label}。"),
    }
}

/// A validation failure as a row reason that never quotes the value.
fn validation_reason(e: &ValidationError, row: u32) -> String {
    let field = &e.field;
    match e.code {
        "phone" => format!("{field}不是有效的电话号码：手机号为 11 位数字，固定电话要带区号（如 0572-2123456）。请核对第 {row} 行的{field}。"),
        "required" => format!("{field}不能为空，请在第 {row} 行填写{field}。"),
        _ => format!("{field}填写有误，请核对第 {row} 行的{field}。"),
    }
}

/// The kind of 重点人群 a cell names; `None` if the cell says the person is not one.
/// Known labels may carry a note ("残疾人（肢体）"); any other text is 其他 with the text as note.
fn vulnerable_kind(text: &str) -> Option<(VulnerableKind, String)> {
    let t = cells::half_width(text);
    let t = t.trim();
    if matches!(t, "" | "否" | "无" | "不是" | "非" | "-" | "/" | "—" | "×") {
        return None;
    }
    const KINDS: [(&str, VulnerableKind); 13] = [
        ("独居老人", VulnerableKind::ElderlyAlone),
        ("孤寡老人", VulnerableKind::ElderlyAlone),
        ("独居", VulnerableKind::ElderlyAlone),
        ("残疾人", VulnerableKind::Disabled),
        ("残疾", VulnerableKind::Disabled),
        ("卧床病人", VulnerableKind::Bedridden),
        ("长期卧床", VulnerableKind::Bedridden),
        ("卧床", VulnerableKind::Bedridden),
        ("孕产妇", VulnerableKind::Pregnant),
        ("孕妇", VulnerableKind::Pregnant),
        ("留守儿童", VulnerableKind::LeftBehindChild),
        ("其他", VulnerableKind::Other),
        ("其它", VulnerableKind::Other),
    ];
    for (label, kind) in KINDS {
        if let Some(rest) = t.strip_prefix(label) {
            let note = rest
                .trim()
                .trim_start_matches(['(', ':', '、', '-'])
                .trim_end_matches(')')
                .trim()
                .to_string();
            return Some((kind, note));
        }
    }
    Some((VulnerableKind::Other, t.to_string()))
}

/// Writes the plan in one transaction.
pub(crate) fn commit(plan: &Plan, store: &mut Store) -> Result<ImportSummary, ExcelError> {
    let summary = store.write(|w| {
        let mut summary = ImportSummary {
            households: 0,
            residents: 0,
            grids_created: 0,
            vulnerable: 0,
        };
        let mut grid_ids: HashMap<String, String> = HashMap::new();
        // The ID numbers in the store now, read once (not one scan of the residents per row).
        let taken: HashSet<String> = w
            .conn()
            .prepare(
                "SELECT upper(trim(id_number)) FROM resident WHERE deleted = 0 AND id_number != ''",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for planned in &plan.households {
            let household_id = match &planned.existing_id {
                Some(id) => {
                    let live: i64 = w.conn().query_row(
                        "SELECT count(*) FROM household WHERE id = ?1 AND deleted = 0",
                        [id],
                        |r| r.get(0),
                    )?;
                    if live == 0 {
                        return Err(stale_core(
                            "预览之后，花名册里有一户被删除了。为免出错，这次没有导入任何数据。请重新选择文件导入。",
                        ));
                    }
                    id.clone()
                }
                None => {
                    let mut household = planned.household.clone();
                    if !planned.grid.is_empty() {
                        let grid_id = match grid_ids.get(&planned.grid) {
                            Some(id) => id.clone(),
                            None => {
                                let found: Option<String> = w
                                    .conn()
                                    .prepare_cached(
                                        "SELECT id FROM grid WHERE deleted = 0 AND trim(name) = ?1 ORDER BY rowid LIMIT 1",
                                    )?
                                    .query_map([&planned.grid], |r| r.get(0))?
                                    .next()
                                    .transpose()?;
                                let id = match found {
                                    Some(id) => id,
                                    None => {
                                        summary.grids_created += 1;
                                        w.save(&Grid {
                                            name: planned.grid.clone(),
                                            ..Grid::default()
                                        })?
                                        .id
                                    }
                                };
                                grid_ids.insert(planned.grid.clone(), id.clone());
                                id
                            }
                        };
                        household.grid_id = Some(grid_id);
                    }
                    summary.households += 1;
                    w.save(&household)?.id
                }
            };
            for r in &planned.residents {
                if !r.resident.id_number.is_empty() && taken.contains(&r.resident.id_number) {
                    return Err(stale_core(
                        "预览之后，花名册里已经有了这份表格中某位居民的身份证号（可能刚刚录入或同步下来）。为免重复，这次没有导入任何数据。请重新选择文件，看过预览后再导入。",
                    ));
                }
                let mut resident = r.resident.clone();
                resident.household_id = household_id.clone();
                let resident = w.save(&resident)?;
                summary.residents += 1;
                if let Some(v) = &r.vulnerable {
                    let mut v = v.clone();
                    v.resident_id = resident.id.clone();
                    w.save(&v)?;
                    summary.vulnerable += 1;
                }
            }
        }
        Ok(summary)
    })?;
    Ok(summary)
}

fn stale_core(message: &str) -> CoreError {
    CoreError::Validation(ValidationError::new("import_stale", "花名册导入", message))
}
