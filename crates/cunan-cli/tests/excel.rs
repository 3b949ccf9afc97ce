//! `cunan export …` and `cunan import roster …` on real files: the demo village exported and
//! read back, a messy workbook previewed with --dry-run (nothing written), then imported.

mod common;

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Reader};
use common::{cunan, id_number, ok};
use rust_xlsxwriter::{Format, Workbook};

fn stats(db: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&cunan(db, &["stats", "--json"]))).unwrap()
}

fn sheet_names(file: &Path) -> Vec<String> {
    let bytes = std::fs::read(file).unwrap();
    open_workbook_auto_from_rs(Cursor::new(bytes))
        .unwrap()
        .sheet_names()
}

/// A title row, a blank row, a header with synonyms, two good households (one member
/// vulnerable with a helper), two bad rows: 6 (bad ID check digit), 7 (no name), and row 10, a
/// vulnerable person whose helper has no phone (imported, the helper pending).
fn messy_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(
        0,
        0,
        0,
        7,
        "青石村新增村民花名册",
        &Format::new().set_bold(),
    )
    .unwrap();
    let header = [
        "户主姓名",
        " 姓名 ",
        "关系",
        "公民身份号码",
        "电话",
        "门牌号",
        "网格",
        "重点人群",
        "帮扶人",
        "帮扶人电话",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let good1 = id_number("19580101", 11);
    let good2 = id_number("19600202", 22);
    let good3 = id_number("19900303", 31);
    let mut bad = id_number("19700404", 41);
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let rows: [[&str; 10]; 6] = [
        [
            "甲一",
            "甲一",
            "户主",
            &good1,
            "13800001111",
            "新村1号",
            "第九网格",
            "",
            "",
            "",
        ],
        [
            "甲一",
            "甲二",
            "母亲",
            &good2,
            "",
            "新村1号",
            "",
            "残疾人",
            "乙帮",
            "13800002222",
        ],
        ["丙一", "丙一", "户主", &bad, "", "新村2号", "", "", "", ""],
        ["丙一", "", "子", "", "", "新村2号", "", "", "", ""],
        [
            "丁一",
            "丁一",
            "户主",
            &good3,
            "",
            "新村3号",
            "第九网格",
            "",
            "",
            "",
        ],
        [
            "戊一",
            "戊一",
            "户主",
            "",
            "",
            "新村4号",
            "",
            "独居老人",
            "乙帮",
            "",
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        let r = 3 + i as u32 + u32::from(i >= 4); // a blank Excel row 8
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
    }
    ws.write_number(3, 4, 13800001111.0).unwrap();
    wb.save(path).unwrap();
}

#[test]
fn export_roster_kit_and_contacts_from_the_demo_village() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "30"]));
    for (product, sheets) in [
        ("roster", vec!["住户", "居民", "重点人群"]),
        ("kit", vec!["应急器材", "防汛责任人四小件"]),
        ("contacts", vec!["应急通讯录"]),
    ] {
        let file = dir.path().join(format!("{product}.xlsx"));
        let out = ok(&cunan(&db, &["export", product, file.to_str().unwrap()]));
        assert!(out.contains("已导出"), "{out}");
        assert_eq!(sheet_names(&file), sheets, "{product}");
    }
}

#[test]
fn import_roster_dry_run_lists_bad_rows_and_writes_nothing_then_the_real_import_writes_the_good_ones(
) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "30"]));
    let file = dir.path().join("新增村民.xlsx");
    messy_workbook(&file);
    let file = file.to_str().unwrap();
    let before = stats(&db);
    let db_bytes = std::fs::read(&db).unwrap();

    let out = ok(&cunan(&db, &["import", "roster", file, "--dry-run"]));
    assert!(out.contains("表头在第 3 行"), "{out}");
    assert!(
        out.contains("读到 6 行居民，可导入 4 行，有问题 2 行"),
        "{out}"
    );
    assert!(
        out.contains(
            "将新增 3 户、4 人（其中重点人群 2 人，1 人帮扶人待落实，导入后请在花名册中补上），新建网格 1 个：第九网格"
        ),
        "{out}"
    );
    let bad_lines: Vec<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("第 ") && l.contains(" 行："))
        .collect();
    // 戊一 (独居老人) has a helper's name but no phone: imported, the helper pending.
    assert_eq!(bad_lines.len(), 2, "{out}");
    assert!(
        bad_lines[0].starts_with("第 6 行：") && bad_lines[0].contains("校验位"),
        "{out}"
    );
    assert!(
        bad_lines[1].starts_with("第 7 行：") && bad_lines[1].contains("姓名"),
        "{out}"
    );
    assert!(out.contains("没有写入任何数据"), "{out}");
    assert_eq!(stats(&db), before, "a dry run writes nothing");
    assert_eq!(std::fs::read(&db).unwrap(), db_bytes, "not a byte");

    // --strict refuses because of the bad rows.
    let strict = cunan(&db, &["import", "roster", file, "--strict"]);
    assert!(!strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stderr).contains("[import_bad_rows]"));
    assert_eq!(stats(&db), before);

    // The real import: the good rows, in one go.
    let out = ok(&cunan(&db, &["import", "roster", file]));
    assert!(
        out.contains("已导入：新增 3 户，4 人（其中重点人群 2 人），新建网格 1 个"),
        "{out}"
    );
    let after = stats(&db);
    for (table, added) in [
        ("household", 3),
        ("resident", 4),
        ("vulnerable_person", 2),
        ("grid", 1),
    ] {
        assert_eq!(
            after[table].as_i64().unwrap(),
            before[table].as_i64().unwrap() + added,
            "{table}"
        );
    }

    // Again: the imported people are duplicates now, and the rest are still bad: nothing to do.
    let again = cunan(&db, &["import", "roster", file]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("[import_nothing]"));
    assert_eq!(stats(&db), after);
}

#[test]
fn import_of_a_file_that_is_not_a_workbook_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "10"]));
    let file = dir.path().join("roster.xlsx");
    std::fs::write(&file, "姓名,户主\n张三,张三\n").unwrap();
    let out = cunan(&db, &["import", "roster", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[excel_unreadable]") && err.contains("另存为 .xlsx"),
        "{err}"
    );
    let missing = cunan(&db, &["import", "roster", "/nonexistent/x.xlsx"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("[file_unreadable]"));
}
