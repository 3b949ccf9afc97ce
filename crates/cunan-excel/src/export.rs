//! Rosters, kit and contacts as .xlsx workbooks: a bold, frozen header row, column widths that
//! fit Chinese text, IDs and phones as text (so Excel neither rounds nor drops a leading 0).
//!
//! The roster export holds full ID numbers: it is the village's own ledger (台账), kept by the
//! officer; the printouts that leave the office mask them, this file does not. For sharing there
//! is [`export_roster_masked`]: ID numbers and phones masked, not for importing again.

use std::collections::HashMap;

use chrono::NaiveDate;
use cunan_core::kit;
use cunan_core::{
    Contact, CoreError, FloodResponsible, Grid, HazardSite, Household, HouseholdHazard, Resident,
    Store, VulnerablePerson,
};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::header::Column;
use crate::ExcelError;

/// The columns of the 居民 sheet, in order: the import's own header names, so an exported
/// roster imports again.
pub const ROSTER_COLUMNS: [Column; 16] = Column::ALL;

fn xlsx_error(e: XlsxError) -> ExcelError {
    // The library's own (English) text goes to the log, not into the officer's message.
    eprintln!("cunan-excel: writing the workbook failed: {e}");
    ExcelError::Core(CoreError::Format(
        "生成 Excel 文件失败，没有导出。请重试；如反复出现，请联系县应急管理局。".into(),
    ))
}

/// A value for a cell.
enum Value {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Value {
    fn width(&self) -> usize {
        match self {
            Value::Text(s) => display_width(s),
            Value::Number(x) => format!("{x}").len(),
            Value::Date(_) => 10,
        }
    }
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn t(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn n(x: i64) -> Value {
    Value::Number(x as f64)
}

fn yes_no(b: bool) -> Value {
    t(if b { "是" } else { "否" })
}

/// Width in Excel's character units: a CJK character takes two.
fn display_width(s: &str) -> usize {
    s.lines()
        .map(|l| l.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum())
        .max()
        .unwrap_or(0)
}

/// One sheet's content.
struct Table {
    name: &'static str,
    headers: Vec<String>,
    rows: Vec<Vec<Value>>,
    /// Columns written as text whatever they hold (ID numbers, phones).
    text_columns: Vec<usize>,
}

fn write_table(workbook: &mut Workbook, table: &Table) -> Result<(), XlsxError> {
    let header_format = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let text_format = Format::new().set_num_format("@");
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let sheet: &mut Worksheet = workbook.add_worksheet();
    sheet.set_name(table.name)?;
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h.as_str(), &header_format)?;
    }
    let mut widths: Vec<usize> = table.headers.iter().map(|h| display_width(h)).collect();
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, value) in row.iter().enumerate() {
            let col = c as u16;
            widths[c] = widths[c].max(value.width());
            match value {
                Value::Text(s) if s.is_empty() => {}
                Value::Text(s) if table.text_columns.contains(&c) => {
                    sheet.write_string_with_format(r, col, s, &text_format)?;
                }
                Value::Text(s) => {
                    sheet.write_string(r, col, s)?;
                }
                Value::Number(x) => {
                    sheet.write_number(r, col, *x)?;
                }
                Value::Date(d) => {
                    sheet.write_date_with_format(r, col, d, &date_format)?;
                }
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w).clamp(6, 48) as f64 + 2.0)?;
        if table.text_columns.contains(&c) {
            sheet.set_column_format(c as u16, &text_format)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.rows.is_empty() {
        sheet.autofilter(
            0,
            0,
            table.rows.len() as u32,
            (table.headers.len() - 1) as u16,
        )?;
    }
    Ok(())
}

fn workbook_of(tables: &[Table]) -> Result<Vec<u8>, ExcelError> {
    let mut workbook = Workbook::new();
    for table in tables {
        write_table(&mut workbook, table).map_err(xlsx_error)?;
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The roster (households and residents, with vulnerable people) as an .xlsx file: sheets
/// 住户 (one row per household), 居民 (one row per resident, in the import's columns, so the file
/// imports again into an empty village) and 重点人群 (each vulnerable person and their helper).
/// Full ID numbers are written: see the module note.
pub fn export_roster(store: &Store) -> Result<Vec<u8>, ExcelError> {
    roster_workbook(store, false)
}

/// The roster for sharing (with the township, a helper, a chat group): the same sheets, ID
/// numbers masked as on printouts (first 6 and last 2 stay) and every phone number masked
/// (138****5678). Not for importing again: the ID numbers no longer check.
pub fn export_roster_masked(store: &Store) -> Result<Vec<u8>, ExcelError> {
    roster_workbook(store, true)
}

fn roster_workbook(store: &Store, masked: bool) -> Result<Vec<u8>, ExcelError> {
    let id = |s: &str| {
        if masked {
            t(cunan_core::validate::mask_resident_id(s))
        } else {
            t(s)
        }
    };
    let phone = |s: &str| {
        if masked {
            t(cunan_core::validate::mask_phone(s))
        } else {
            t(s)
        }
    };
    let grids: HashMap<String, String> = store
        .list::<Grid>()?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let sites: HashMap<String, String> = store
        .list::<HazardSite>()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut threats: HashMap<String, Vec<String>> = HashMap::new();
    for link in store.list::<HouseholdHazard>()? {
        if let Some(site) = sites.get(&link.hazard_site_id) {
            threats
                .entry(link.household_id)
                .or_default()
                .push(site.clone());
        }
    }
    let households = store.list::<Household>()?;
    let mut residents_of: HashMap<String, Vec<Resident>> = HashMap::new();
    for r in store.list::<Resident>()? {
        residents_of
            .entry(r.household_id.clone())
            .or_default()
            .push(r);
    }
    // A resident's first live vulnerable record, as the roster screen shows it.
    let mut vulnerable: HashMap<String, VulnerablePerson> = HashMap::new();
    for v in store.list::<VulnerablePerson>()? {
        vulnerable.entry(v.resident_id.clone()).or_insert(v);
    }

    let mut household_rows = Vec::new();
    let mut resident_rows = Vec::new();
    let mut vulnerable_rows = Vec::new();
    for h in &households {
        let grid = h
            .grid_id
            .as_ref()
            .and_then(|g| grids.get(g))
            .cloned()
            .unwrap_or_default();
        let mut members = residents_of.remove(&h.id).unwrap_or_default();
        // The head first, then the others in the order they were entered.
        members.sort_by_key(|r| r.relation != "户主");
        let vulnerable_count = members
            .iter()
            .filter(|r| vulnerable.contains_key(&r.id))
            .count();
        household_rows.push(vec![
            t(&h.head_name),
            t(&grid),
            t(&h.address),
            phone(&h.phone),
            t(&h.house_type),
            yes_no(h.in_danger_zone),
            n(members.len() as i64),
            n(vulnerable_count as i64),
            t(threats.get(&h.id).map(|s| s.join("、")).unwrap_or_default()),
        ]);
        for r in &members {
            let v = vulnerable.get(&r.id);
            resident_rows.push(
                ROSTER_COLUMNS
                    .iter()
                    .map(|c| match c {
                        Column::HeadName => t(&h.head_name),
                        Column::Name => t(&r.name),
                        Column::Relation => t(&r.relation),
                        Column::Gender => t(&r.gender),
                        Column::BirthDate => r.birth_date.map_or(t(""), Value::Date),
                        Column::IdNumber => id(&r.id_number),
                        Column::Phone => phone(&r.phone),
                        Column::Address => t(&h.address),
                        Column::Grid => t(&grid),
                        Column::HouseType => t(&h.house_type),
                        Column::DangerZone => yes_no(h.in_danger_zone),
                        Column::Vulnerable => t(v.map_or("", |v| v.kind.label())),
                        Column::VulnerableNote => t(v.map_or("", |v| v.kind_note.as_str())),
                        Column::Helper => t(v.map_or("", |v| v.helper_name.as_str())),
                        Column::HelperPhone => phone(v.map_or("", |v| v.helper_phone.as_str())),
                        Column::Note => t(&r.note),
                    })
                    .collect(),
            );
            if let Some(v) = v {
                vulnerable_rows.push(vec![
                    t(&r.name),
                    t(v.kind.label()),
                    t(&v.kind_note),
                    t(&v.helper_name),
                    phone(&v.helper_phone),
                    phone(&r.phone),
                    t(&h.head_name),
                    t(&h.address),
                    t(&grid),
                ]);
            }
        }
    }
    let column_of = |c: Column| ROSTER_COLUMNS.iter().position(|k| *k == c).unwrap_or(0);
    workbook_of(&[
        Table {
            name: "住户",
            headers: headers(&[
                "户主",
                "网格",
                "住址",
                "电话",
                "房屋类型",
                "危险区",
                "人数",
                "重点人员数",
                "威胁隐患点",
            ]),
            rows: household_rows,
            text_columns: vec![3],
        },
        Table {
            name: "居民",
            headers: ROSTER_COLUMNS
                .iter()
                .map(|c| c.label().to_string())
                .collect(),
            rows: resident_rows,
            text_columns: vec![
                column_of(Column::IdNumber),
                column_of(Column::Phone),
                column_of(Column::HelperPhone),
            ],
        },
        Table {
            name: "重点人群",
            headers: headers(&[
                "姓名",
                "类别",
                "说明",
                "帮扶人",
                "帮扶人电话",
                "本人电话",
                "户主",
                "住址",
                "网格",
            ]),
            rows: vulnerable_rows,
            text_columns: vec![4, 5],
        },
    ])
}

fn date_or_blank(d: Option<NaiveDate>) -> Value {
    d.map_or(t(""), Value::Date)
}

/// The 5+X kit checklist as of `today` (sheet 应急器材) and the four small items of each flood
/// responsible person (sheet 防汛责任人四小件).
pub fn export_kit(store: &Store, today: NaiveDate) -> Result<Vec<u8>, ExcelError> {
    let checklist = kit::checklist(store, today)?;
    let kit_rows = checklist
        .lines
        .iter()
        .map(|line| {
            let problems: Vec<&str> = line.problems.iter().map(|p| p.label()).collect();
            vec![
                t(&line.item.name),
                t(if line.standard {
                    "标准配备"
                } else {
                    "自配（X）"
                }),
                n(line.required),
                n(line.item.quantity),
                t(&line.item.unit),
                t(line.item.condition.label()),
                t(&line.item.location),
                t(&line.item.custodian),
                t(&line.item.custodian_phone),
                date_or_blank(line.last_inspected),
                date_or_blank(line.next_due),
                t(if problems.is_empty() {
                    "无".to_string()
                } else {
                    problems.join("、")
                }),
            ]
        })
        .collect();
    let names = kit::four_small_item_names()?;
    let people = store.list::<FloodResponsible>()?;
    let responsible_rows = people
        .iter()
        .map(|p| {
            let has = kit::four_small_items_held(p);
            let missing: Vec<&str> = names
                .iter()
                .zip(has)
                .filter(|(_, h)| !h)
                .map(|(n, _)| n.as_str())
                .collect();
            let mut row = vec![t(&p.name), t(&p.phone), t(&p.duty_area)];
            row.extend(has.iter().map(|h| t(if *h { "有" } else { "缺" })));
            row.push(t(if missing.is_empty() {
                "齐全".to_string()
            } else {
                missing.join("、")
            }));
            row
        })
        .collect();
    let mut responsible_headers = headers(&["姓名", "电话", "责任区域"]);
    responsible_headers.extend(names.iter().cloned());
    responsible_headers.push("缺少".into());
    workbook_of(&[
        Table {
            name: "应急器材",
            headers: headers(&[
                "器材",
                "类别",
                "应配数量",
                "现有数量",
                "单位",
                "状况",
                "存放位置",
                "保管人",
                "保管人电话",
                "上次检查",
                "下次检查",
                "问题",
            ]),
            rows: kit_rows,
            text_columns: vec![8],
        },
        Table {
            name: "防汛责任人四小件",
            headers: responsible_headers,
            rows: responsible_rows,
            text_columns: vec![1],
        },
    ])
}

fn level_label(level: &str) -> &str {
    match level {
        "emergency" => "紧急求助",
        "county" => "县级",
        "township" => "乡镇",
        "village" => "村级",
        other => other,
    }
}

/// The contacts (sheet 应急通讯录): emergency numbers, county, township, village, others; a
/// B post right after its A post.
pub fn export_contacts(store: &Store) -> Result<Vec<u8>, ExcelError> {
    let contacts = store.list::<Contact>()?;
    let names: HashMap<&str, &str> = contacts
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let rank = |c: &Contact| {
        ["emergency", "county", "township", "village"]
            .iter()
            .position(|l| *l == c.level)
            .unwrap_or(4)
    };
    let mut ordered: Vec<&Contact> = contacts
        .iter()
        .filter(|c| {
            c.backup_of
                .as_deref()
                .is_none_or(|a| !names.contains_key(a))
        })
        .collect();
    ordered.sort_by_key(|c| (rank(c), !c.is_duty_line));
    // Each A post, then its B posts (and theirs: a B of a B follows it). Contacts that only
    // name each other (A is B's backup and B is A's) have no A post at the top; they come last,
    // so that every contact is in the file.
    let mut listed: Vec<&Contact> = Vec::with_capacity(contacts.len());
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut stack: Vec<&Contact> = Vec::new();
    for top in ordered.into_iter().chain(contacts.iter()) {
        stack.push(top);
        while let Some(c) = stack.pop() {
            if !seen.insert(c.id.as_str()) {
                continue;
            }
            listed.push(c);
            let backups: Vec<&Contact> = contacts
                .iter()
                .filter(|b| b.backup_of.as_deref() == Some(c.id.as_str()))
                .collect();
            stack.extend(backups.into_iter().rev());
        }
    }
    let mut rows = Vec::new();
    for c in listed {
        rows.push(vec![
            t(&c.name),
            t(&c.organization),
            t(&c.role),
            t(level_label(&c.level)),
            t(&c.phone),
            t(&c.phone_backup),
            yes_no(c.is_duty_line),
            t(c.backup_of
                .as_deref()
                .and_then(|a| names.get(a).copied())
                .unwrap_or("")),
            t(if c.owner == "county" {
                "县下发"
            } else {
                "本村"
            }),
            t(&c.note),
        ]);
    }
    workbook_of(&[Table {
        name: "应急通讯录",
        headers: headers(&[
            "姓名",
            "单位",
            "职务",
            "层级",
            "电话",
            "备用电话",
            "值班电话",
            "替补对象（B岗）",
            "来源",
            "备注",
        ]),
        rows,
        text_columns: vec![4, 5],
    }])
}
