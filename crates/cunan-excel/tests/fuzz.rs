//! Fuzz campaigns (issue #12) for the roster import: raw bytes; real workbooks (the crate's own
//! export of a demo village, and a hand-made one with a title, synonyms and Excel dates) with
//! their bytes damaged; the same workbooks unzipped, one XML part damaged (or a cell moved to
//! any address), and zipped again; and generated workbooks with arbitrary cells under a real
//! header.
//!
//! Whatever the file: a clear error or a preview, never a panic; reading writes nothing; a
//! commit writes exactly what the preview said, or nothing. The cases per campaign come from
//! `CUNAN_FUZZ_CASES` (README, "Tests").

mod common;

use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use cunan_core::Store;
use cunan_excel::{Column, RosterImport, ROSTER_COLUMNS};
use cunan_fuzz::{apply, config, mutations, Mutation, XML_TOKENS};
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A demo village store to import into (closed; copied for each case), and the workbooks the
/// damaged ones are made from.
struct Fixture {
    _dir: tempfile::TempDir,
    store: PathBuf,
    workbooks: Vec<Vec<u8>>,
}

use cunan_fuzz::demo_store;

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("village.sqlite3");
        drop(demo_store(&store, 1));
        // Another demo village's roster: new people for this store (same village code).
        let other = demo_store(&dir.path().join("other.sqlite3"), 2);
        let workbooks = vec![
            cunan_excel::export_roster(&other).unwrap(),
            hand_made_workbook(),
        ];
        Fixture {
            _dir: dir,
            store,
            workbooks,
        }
    })
}

/// A roster as villages keep them: a merged title, a blank row, synonyms in the header, Excel
/// dates, phones as numbers, a household continued by empty 户主 cells, a note at the end.
fn hand_made_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 7, "青石村村民花名册", &Format::new().set_bold())
        .unwrap();
    let header = [
        "序号",
        "姓 名",
        "户主姓名",
        "与户主\n关系",
        "身份证号码",
        "出生年月",
        "手机号",
        "家庭住址",
        "所属网格",
        "重点人群类别",
        "帮扶责任人",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let people = [
        (
            "王大山",
            "王大山",
            "户主",
            "1950-05-06",
            "青石村1组3号",
            "",
            "",
        ),
        ("李秀英", "", "配偶", "1952/7/8", "青石村1组3号", "", ""),
        (
            "王秀兰",
            "",
            "母亲",
            "",
            "青石村1组3号",
            "卧床病人",
            "张网格",
        ),
        ("赵六", "赵六", "户主", "1960.1.1", "青石村2组1号", "", ""),
    ];
    for (i, (name, head, relation, birth, address, vulnerable, helper)) in people.iter().enumerate()
    {
        let row = 3 + i as u32;
        ws.write_number(row, 0, i as f64 + 1.0).unwrap();
        ws.write_string(row, 1, *name).unwrap();
        ws.write_string(row, 2, *head).unwrap();
        ws.write_string(row, 3, *relation).unwrap();
        ws.write_string(row, 5, *birth).unwrap();
        ws.write_number(row, 6, 13_800_000_000.0 + i as f64)
            .unwrap();
        ws.write_string(row, 7, *address).unwrap();
        ws.write_string(row, 8, "第一网格").unwrap();
        ws.write_string(row, 9, *vulnerable).unwrap();
        ws.write_string(row, 10, *helper).unwrap();
    }
    let born = ExcelDateTime::from_ymd(1930, 1, 2).unwrap();
    ws.write_datetime_with_format(5, 5, &born, &date).unwrap();
    ws.write_string(8, 1, "制表人：蒋子轩").unwrap();
    wb.save_to_buffer().unwrap()
}

/// A fresh copy of the village store for one case.
fn fresh_store(dir: &std::path::Path) -> Store {
    let path = dir.join("case.sqlite3");
    cunan_fuzz::copy_store(&fixture().store, &path);
    Store::open_with_clock(&path, common::clock()).unwrap()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Live rows of a table.
fn live(store: &Store, table: &str) -> i64 {
    count(
        store,
        &format!("SELECT count(*) FROM {table} WHERE deleted = 0"),
    )
}

/// Reads `bytes` as a roster into a fresh store and, if it reads, commits it: reading writes
/// nothing; an error says something; a commit writes what the preview said, or nothing.
fn check_import(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let mut store = fresh_store(dir.path());
    let before = cunan_fuzz::snapshot(store.conn(), &[]);
    let import = match RosterImport::read(bytes, &store) {
        Ok(import) => import,
        Err(e) => {
            prop_assert!(!e.to_string().trim().is_empty(), "{}", e.code());
            prop_assert!(before == cunan_fuzz::snapshot(store.conn(), &[]));
            return Ok(());
        }
    };
    prop_assert!(
        before == cunan_fuzz::snapshot(store.conn(), &[]),
        "reading wrote"
    );
    let preview = import.preview().clone();
    prop_assert!(preview.rows_ok <= preview.rows_read, "{preview:?}");
    let counts = |s: &Store| {
        [
            live(s, "household"),
            live(s, "resident"),
            live(s, "vulnerable_person"),
            live(s, "grid"),
        ]
    };
    let [households, residents, vulnerable, grids] = counts(&store);
    match import.commit(&mut store) {
        Ok(summary) => {
            prop_assert_eq!(summary.households, preview.new_households);
            prop_assert_eq!(summary.residents, preview.new_residents);
            prop_assert_eq!(summary.vulnerable, preview.new_vulnerable);
            prop_assert_eq!(summary.grids_created as usize, preview.new_grids.len());
            let after = counts(&store);
            prop_assert_eq!(
                after,
                [
                    households + i64::from(preview.new_households),
                    residents + i64::from(preview.new_residents),
                    vulnerable + i64::from(preview.new_vulnerable),
                    grids + preview.new_grids.len() as i64,
                ]
            );
            prop_assert_eq!(
                count(&store, "SELECT count(*) FROM pragma_foreign_key_check"),
                0
            );
        }
        Err(e) => {
            prop_assert!(!e.to_string().trim().is_empty(), "{}", e.code());
            prop_assert!(
                before == cunan_fuzz::snapshot(store.conn(), &[]),
                "a refused commit wrote ({e})"
            );
        }
    }
    Ok(())
}

/// The parts of an .xlsx (a zip): name and bytes, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut out = Vec::new();
            file.read_to_end(&mut out).unwrap();
            (file.name().unwrap().to_string(), out)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Excel's name of a column: 0 → A, 26 → AA, 16383 → XFD.
fn column_name(mut col: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

/// Damage to one part of a workbook.
#[derive(Debug, Clone)]
enum PartDamage {
    /// Bytes of the part changed.
    Bytes(Vec<Mutation>),
    /// The `n`-th `r="…"` (a cell's or a row's address) set to another: anywhere on the sheet,
    /// past its edges, or nonsense.
    Address(usize, String),
}

fn part_damage() -> impl Strategy<Value = PartDamage> {
    let address = prop_oneof![
        (0u32..16_384, 1u32..=1_048_576).prop_map(|(c, r)| format!("{}{r}", column_name(c))),
        (0u32..40, 1u32..60).prop_map(|(c, r)| format!("{}{r}", column_name(c))),
        Just("XFD1048576".to_string()),
        Just("A1048577".to_string()),
        Just("XFE1".to_string()),
        Just("A4294967296".to_string()),
        Just("A0".to_string()),
        "[A-Z0-9]{0,12}",
    ];
    prop_oneof![
        mutations(XML_TOKENS).prop_map(PartDamage::Bytes),
        (any::<usize>(), address).prop_map(|(n, a)| PartDamage::Address(n, a)),
    ]
}

fn damage_part(part: &[u8], damage: &PartDamage) -> Vec<u8> {
    match damage {
        PartDamage::Bytes(steps) => apply(part, steps),
        PartDamage::Address(n, address) => {
            let text = String::from_utf8_lossy(part);
            let starts: Vec<usize> = text.match_indices(" r=\"").map(|(i, _)| i + 4).collect();
            let Some(&start) = starts.get(n % starts.len().max(1)) else {
                return part.to_vec();
            };
            let end = text[start..].find('"').map_or(text.len(), |e| start + e);
            format!("{}{address}{}", &text[..start], &text[end..]).into_bytes()
        }
    }
}

/// One cell of a generated workbook.
#[derive(Debug, Clone)]
enum CellValue {
    Text(String),
    Number(f64),
    Date(u16, u8, u8),
    Bool(bool),
    Blank,
}

fn cell_value() -> impl Strategy<Value = CellValue> {
    prop_oneof![
        4 => cunan_fuzz::text().prop_map(CellValue::Text),
        1 => proptest::sample::select(&[
            "户主", "本人", "配偶", "子", "男", "女", "是", "否", "√", "老人", "卧床病人",
            "第一网格", "青石村1组3号", "1956-03-02", "1956.3", "19560302", "1956年3月2日",
            "13800000000", "11010519491231002X", "制表人：某某", "合计", "以下空白",
        ][..])
        .prop_map(|s| CellValue::Text(s.to_string())),
        2 => prop_oneof![
            any::<f64>(),
            -1e6f64..1e6,
            Just(13_800_000_000.0),
            Just(110_105_194_912_310_020.0),
            Just(2_958_466.0),
            Just(-1.0),
        ]
        .prop_map(CellValue::Number),
        1 => (1900u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| CellValue::Date(y, m, d)),
        1 => any::<bool>().prop_map(CellValue::Bool),
        2 => Just(CellValue::Blank),
    ]
}

/// A workbook: a header of `columns` (known names, by index into [`ROSTER_COLUMNS`] and
/// synonym, or any text), under `skip` rows, then `rows`.
fn generated_workbook(
    skip: u32,
    columns: &[Result<(usize, usize), String>],
    rows: &[Vec<CellValue>],
) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, column) in columns.iter().enumerate() {
        let name = match column {
            Ok((i, synonym)) => {
                let names = ROSTER_COLUMNS[i % ROSTER_COLUMNS.len()].names();
                names[synonym % names.len()].to_string()
            }
            Err(text) => text.clone(),
        };
        ws.write_string(skip, c as u16, name).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = skip + 1 + r as u32;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            // rust_xlsxwriter refuses some values (too long a text, NaN): such a cell stays empty.
            let _ = match value {
                CellValue::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                CellValue::Number(x) => ws.write_number(r, c, *x).map(|_| ()),
                CellValue::Date(y, m, d) => ExcelDateTime::from_ymd(*y, *m, *d)
                    .and_then(|dt| ws.write_datetime_with_format(r, c, &dt, &date).map(|_| ())),
                CellValue::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                CellValue::Blank => Ok(()),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

fn header() -> impl Strategy<Value = Vec<Result<(usize, usize), String>>> {
    let column = prop_oneof![
        6 => (0..ROSTER_COLUMNS.len(), 0usize..5).prop_map(Ok),
        1 => cunan_fuzz::text().prop_map(Err),
    ];
    // Always a name and a way to tell households apart, in some order, among the rest.
    (
        proptest::collection::vec(column, 0..10),
        any::<usize>(),
        any::<bool>(),
    )
        .prop_map(|(mut columns, at, by_head)| {
            let index = |c: Column| ROSTER_COLUMNS.iter().position(|k| *k == c).unwrap();
            let household = if by_head {
                Column::HeadName
            } else {
                Column::Relation
            };
            let at = at % (columns.len() + 1);
            columns.insert(at, Ok((index(Column::Name), at)));
            columns.insert(0, Ok((index(household), at)));
            columns
        })
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_bytes_are_refused_with_a_clear_error(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        zip_magic in any::<bool>(),
    ) {
        let bytes = if zip_magic { [b"PK\x03\x04".as_slice(), &bytes].concat() } else { bytes };
        let dir = tempfile::tempdir().unwrap();
        let store = fresh_store(dir.path());
        match RosterImport::read(&bytes, &store) {
            Ok(import) => prop_assert!(false, "read as a roster: {:?}", import.preview()),
            Err(e) => prop_assert!(!e.to_string().trim().is_empty()),
        }
    }
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn a_damaged_workbook_is_refused_or_imported_whole(
        which in 0usize..2,
        damage in mutations(XML_TOKENS),
    ) {
        check_import(&apply(&fixture().workbooks[which], &damage))?;
    }

    #[test]
    fn a_workbook_with_a_damaged_part_is_refused_or_imported_whole(
        which in 0usize..2,
        part in any::<usize>(),
        damage in part_damage(),
    ) {
        let mut parts = unzip(&fixture().workbooks[which]);
        // Mostly the sheets and the shared strings: the parts the import reads cell by cell.
        let sheets: Vec<usize> = (0..parts.len())
            .filter(|&i| parts[i].0.contains("worksheets/sheet") || parts[i].0.contains("sharedStrings"))
            .collect();
        let i = if part % 4 == 0 { part / 4 % parts.len() } else { sheets[part % sheets.len()] };
        parts[i].1 = damage_part(&parts[i].1, &damage);
        check_import(&rezip(&parts))?;
    }

    #[test]
    fn any_cells_under_a_roster_header_are_imported_whole_or_reported(
        skip in 0u32..4,
        columns in header(),
        rows in proptest::collection::vec(proptest::collection::vec(cell_value(), 0..14), 0..12),
    ) {
        check_import(&generated_workbook(skip, &columns, &rows))?;
    }
}

// ---------------------------------------------------------------------------------------------
// Found by the campaigns above

/// One stray mark far from the roster (here at XFD1048576, Excel's last cell) made the reader
/// build a grid from A1 to it — 17 billion cells — and the process died allocating it (an abort,
/// not a panic: the whole app would go).
/// A workbook of `rows` under `columns` with `cell` (XML) added at the end of its sheet.
fn with_cell_added(
    columns: &[Result<(usize, usize), String>],
    rows: &[Vec<CellValue>],
    cell: &str,
) -> Vec<u8> {
    let mut parts = unzip(&generated_workbook(0, columns, rows));
    let sheet = parts
        .iter()
        .position(|(n, _)| n.contains("sheet1"))
        .unwrap();
    let xml = String::from_utf8(parts[sheet].1.clone()).unwrap();
    parts[sheet].1 = xml
        .replace("</sheetData>", &format!("{cell}</sheetData>"))
        .into_bytes();
    rezip(&parts)
}

/// calamine's reading of cell addresses overflowed (a panic in a debug build, a wrapped number
/// in a release one) on a row past 4294967295 or a column of many letters.
#[test]
fn a_cell_address_past_any_number_is_a_damaged_file() {
    let columns = vec![Ok((2, 0)), Ok((1, 0))];
    let rows = vec![vec![
        CellValue::Text("户主".into()),
        CellValue::Text("王大山".into()),
    ]];
    for address in ["A4294967296", "AAAAAAAAAAAAAAAA1"] {
        let cell = format!(r#"<row r="3"><c r="{address}"><v>1</v></c></row>"#);
        let bytes = with_cell_added(&columns, &rows, &cell);
        let dir = tempfile::tempdir().unwrap();
        let store = fresh_store(dir.path());
        // A debug build stops at the overflow (a damaged file); a release one wraps the number,
        // and the cell lands nowhere or far to the right, where it is not read.
        match RosterImport::read(&bytes, &store) {
            Err(e) => assert!(
                matches!(e.code(), "excel_unreadable" | "excel_no_header"),
                "{address}: {e}"
            ),
            Ok(import) => assert_eq!(import.preview().rows_ok, 1, "{address}"),
        }
    }
}

#[test]
fn a_stray_cell_at_the_last_address_of_the_sheet_does_not_stop_the_import() {
    let columns = vec![Ok((2, 0)), Ok((1, 0))];
    let rows = vec![vec![
        CellValue::Text("户主".into()),
        CellValue::Text("王大山".into()),
    ]];
    let stray = r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#;
    let bytes = with_cell_added(&columns, &rows, stray);
    let dir = tempfile::tempdir().unwrap();
    let mut store = fresh_store(dir.path());
    let import = RosterImport::read(&bytes, &store).unwrap();
    assert_eq!(import.preview().rows_ok, 1, "{:?}", import.preview());
    assert_eq!(import.commit(&mut store).unwrap().residents, 1);
}
