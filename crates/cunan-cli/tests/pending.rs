//! A village roster that marks 重点人群 but names no helpers, imported with the real `cunan`:
//! every vulnerable person is kept, and the grid member's sheet (a real PDF, read back) says
//! "帮扶人：待落实" for each of them, so the gap is on paper too.

mod common;

use common::{cunan, id_number, ok, poppler, squeeze};
use rust_xlsxwriter::Workbook;

#[test]
fn vulnerable_people_without_helpers_are_imported_and_printed_as_pending() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "3"]));

    let file = dir.path().join("花名册.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["姓名", "与户主关系", "住址", "身份证号", "网格", "重点人群"],
        [
            "钱独居",
            "户主",
            "新村1号",
            &id_number("19380101", 1),
            "第九网格",
            "独居老人",
        ],
        [
            "孙卧床",
            "户主",
            "新村2号",
            &id_number("19450202", 2),
            "第九网格",
            "卧床病人",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    wb.save(&file).unwrap();

    let said = ok(&cunan(&db, &["import", "roster", file.to_str().unwrap()]));
    assert!(said.contains("2 人帮扶人待落实"), "{said}");
    assert!(
        said.contains("已导入：新增 2 户，2 人（其中重点人群 2 人）"),
        "{said}"
    );

    let pdf = dir.path().join("grid.pdf");
    ok(&cunan(
        &db,
        &["print", "grid-sheets", "--out", pdf.to_str().unwrap()],
    ));
    let text = squeeze(&poppler("pdftotext", &pdf));
    for name in ["钱独居", "孙卧床"] {
        let at = text
            .find(name)
            .unwrap_or_else(|| panic!("{name} on the sheet"));
        let after = &text[at..];
        let next = after.find("帮扶人：").expect("a helper line");
        assert!(
            after[next..].starts_with("帮扶人：待落实"),
            "{name}: {}",
            &after[..after.len().min(120)]
        );
    }
}
