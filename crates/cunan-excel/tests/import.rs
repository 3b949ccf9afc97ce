//! Importing a roster from a deliberately messy workbook that the test builds itself, the way
//! villages keep them: a merged title, a blank row, shuffled headers with synonyms and stray
//! spaces, full-width digits, phones stored as numbers, Excel dates, merged household cells,
//! a note under the data, and bad rows.

mod common;

use chrono::NaiveDate;
use common::*;
use cunan_core::{Grid, Household, Resident, Store, VulnerableKind, VulnerablePerson};
use cunan_excel::{ExcelError, RosterImport};
use rust_xlsxwriter::{Format, Workbook};

/// One cell of a test row.
enum V {
    S(&'static str),
    O(String),
    N(f64),
    D(i32, u32, u32),
}
use V::*;

/// The ID numbers of the messy workbook.
struct Ids {
    wang: String,
    li: String,
    grandma: String,
    zhao_bad: String,
    sun_son: String,
    sun: String,
    zhou: String,
    in_store: String,
    chen1: String,
    chen2: String,
}

fn ids() -> Ids {
    Ids {
        wang: id_number("19500506", 11),
        li: id_number("19520708", 22),
        grandma: id_number("19300102", 42),
        zhao_bad: bad_check_digit(&id_number("19600101", 31)),
        sun_son: id_number("19900101", 51),
        sun: id_number("19620202", 61),
        zhou: id_number("19400303", 72),
        in_store: id_number("19700404", 81),
        chen1: id_number("19750505", 91),
        chen2: id_number("20000606", 13),
    }
}

const HEADER: [&str; 16] = [
    "序号",
    "姓 名",
    "户主姓名",
    "与户主\n关系",
    " 身份证号码 ",
    "出生年月",
    "性别",
    "手机号",
    "家庭住址",
    "所属网格",
    "房屋结构",
    "是否危险区",
    "重点人群类别",
    "帮扶责任人",
    "帮扶责任人电话",
    "备注",
];

/// The messy workbook. Excel rows: 1 title (merged), 2 blank, 3 header, 4–6 household 王大山
/// (3 people, an elderly bedridden mother with a helper), 7 bad ID check digit, 8 blank,
/// 9 missing name, 10 bad phone, 11 vulnerable with a bad helper phone, 12 ID repeated from row 4,
/// 13 ID already in the store, 14–15 household 陈一 with merged 户主/住址 cells in a new grid,
/// 16 a note.
fn messy_workbook(ids: &Ids) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1").unwrap();
    let title = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 15, "青石村村民花名册", &title)
        .unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let rows: Vec<(u32, Vec<V>)> = vec![
        (
            4,
            vec![
                N(1.0),
                S("王大山"),
                S("王大山"),
                S("户主"),
                O(full_width(&ids.wang)),
                D(1950, 5, 6),
                S("男"),
                N(13800000001.0),
                S("青石村1组3号"),
                S(" 第一网格 "),
                S("砖混"),
                S("是"),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            5,
            vec![
                N(2.0),
                S("李秀英"),
                S("王大山"),
                S("配偶"),
                O(format!(
                    "{} {} {}",
                    &ids.li[..6],
                    &ids.li[6..14],
                    &ids.li[14..]
                )),
                S("1952/7/8"),
                S("女"),
                S("138 0000 0002"),
                S("青石村1组3号"),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            6,
            vec![
                N(3.0),
                S("王\u{3000}秀兰"),
                S("王大山"),
                S("母亲"),
                O(ids.grandma.clone()),
                S("1930.1.2"),
                S(""),
                S(""),
                S("青石村1组3号"),
                S(""),
                S(""),
                S("√"),
                S("卧床病人"),
                S("张 网格"),
                O(full_width("13900000010")),
                S("行动不便"),
            ],
        ),
        (
            7,
            vec![
                N(4.0),
                S("赵六"),
                S("赵六"),
                S("户主"),
                O(ids.zhao_bad.clone()),
                S("1960-01-01"),
                S("男"),
                S("13800000004"),
                S("青石村2组1号"),
                S("第二网格"),
                S("砖木"),
                S("否"),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            9,
            vec![
                N(5.0),
                S(""),
                S("孙七"),
                S("子"),
                O(ids.sun_son.clone()),
                S("19900101"),
                S("男"),
                S(""),
                S("青石村2组5号"),
                S("第二网格"),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            10,
            vec![
                N(6.0),
                S("孙七"),
                S("孙七"),
                S("户主"),
                O(ids.sun.clone()),
                S("1962-02-02"),
                S("男"),
                S("1380000"),
                S("青石村2组5号"),
                S("第二网格"),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            11,
            vec![
                N(7.0),
                S("周八"),
                S("周八"),
                S("户主"),
                O(ids.zhou.clone()),
                S("1940-03-03"),
                S("女"),
                S(""),
                S("青石村2组8号"),
                S("第二网格"),
                S(""),
                S("是"),
                S("独居老人"),
                S("张网格"),
                S("1390000"),
                S(""),
            ],
        ),
        (
            12,
            vec![
                N(8.0),
                S("吴九"),
                S("吴九"),
                S("户主"),
                O(ids.wang.clone()),
                S(""),
                S(""),
                S(""),
                S("青石村3组1号"),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            13,
            vec![
                N(9.0),
                S("郑十"),
                S("郑十"),
                S("户主"),
                O(ids.in_store.clone()),
                S(""),
                S(""),
                S(""),
                S("青石村3组2号"),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            14,
            vec![
                N(10.0),
                S("陈一"),
                S("陈一"),
                S("户主"),
                O(ids.chen1.clone()),
                D(1975, 5, 5),
                S("男"),
                S("13600000009"),
                S("青石村5组9号"),
                S("第三网格"),
                S("钢混"),
                S("否"),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
        (
            15,
            vec![
                N(11.0),
                S("陈二"),
                S(""),
                S("子"),
                O(ids.chen2.clone()),
                D(2000, 6, 6),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
                S(""),
            ],
        ),
    ];
    for (excel_row, cells) in rows {
        let r = excel_row - 1;
        for (c, v) in cells.into_iter().enumerate() {
            let c = c as u16;
            // 陈一's 户主 and 住址 cells are merged over his household's two rows below.
            if (excel_row == 14 || excel_row == 15) && (c == 2 || c == 8) {
                continue;
            }
            match v {
                S("") => {}
                S(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                O(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                N(x) => {
                    ws.write_number(r, c, x).unwrap();
                }
                D(y, m, d) => {
                    ws.write_date_with_format(
                        r,
                        c,
                        NaiveDate::from_ymd_opt(y, m, d).unwrap(),
                        &date,
                    )
                    .unwrap();
                }
            }
        }
    }
    let plain = Format::new();
    ws.merge_range(13, 2, 14, 2, "陈一", &plain).unwrap();
    ws.merge_range(13, 8, 14, 8, "青石村5组9号", &plain)
        .unwrap();
    ws.merge_range(
        15,
        0,
        15,
        15,
        "制表人：李会计    审核人：王主任    2026年5月",
        &plain,
    )
    .unwrap();
    wb.save_to_buffer().unwrap()
}

/// A village with grid 第一网格 and one resident whose ID the workbook repeats (row 13).
fn store_with_village(dir: &tempfile::TempDir, ids: &Ids) -> Store {
    let mut store = village_store(&dir.path().join("v.sqlite3"));
    store
        .write(|w| {
            w.save(&Grid {
                name: "第一网格".into(),
                ..Grid::default()
            })?;
            let h = w.save(&Household {
                head_name: "郑老大".into(),
                address: "青石村4组1号".into(),
                ..Household::default()
            })?;
            w.save(&Resident {
                household_id: h.id,
                name: "郑十".into(),
                id_number: ids.in_store.clone(),
                ..Resident::default()
            })?;
            Ok(())
        })
        .unwrap();
    store
}

#[test]
fn a_messy_workbook_previews_exactly_its_bad_rows_and_commits_exactly_its_good_rows() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ids();
    let mut store = store_with_village(&dir, &ids);
    let bytes = messy_workbook(&ids);
    let before = stats(&store);

    let import = RosterImport::read(&bytes, &store).unwrap();
    assert_eq!(stats(&store), before, "read writes nothing");
    let p = import.preview();
    assert_eq!(p.sheet, "Sheet1");
    assert_eq!(p.header_row, 3);
    assert_eq!(p.ignored_columns, vec!["序号"]);
    assert!(
        p.columns.contains(&"与户主关系".to_string()),
        "{:?}",
        p.columns
    );
    assert_eq!(p.columns.len(), 15);
    assert_eq!(p.bad_rows(), vec![7, 9, 10, 11, 12, 13], "{:#?}", p.errors);
    assert_eq!(p.rows_read, 11);
    assert_eq!(p.rows_ok, 5);
    assert_eq!(p.new_households, 2);
    assert_eq!(p.new_residents, 5);
    assert_eq!(p.new_vulnerable, 1);
    assert_eq!(p.existing_households, 0);
    assert_eq!(p.new_grids, vec!["第三网格"]);
    assert_eq!(p.note_rows, vec![16]);

    let reason = |row: u32| -> String {
        p.errors
            .iter()
            .filter(|e| e.row == row)
            .map(|e| e.reason.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    for (row, column, words) in [
        (7, "身份证号码", "校验位不对"),
        (9, "姓名", "没有填写姓名"),
        (10, "手机号", "不是有效的电话号码"),
        (11, "帮扶责任人电话", "不是有效的电话号码"),
        (12, "身份证号码", "与第 4 行相同"),
        (13, "身份证号码", "已经在本村花名册里"),
    ] {
        let errors: Vec<_> = p.errors.iter().filter(|e| e.row == row).collect();
        assert_eq!(errors.len(), 1, "row {row}: {errors:?}");
        assert_eq!(errors[0].column.as_deref(), Some(column), "row {row}");
        assert!(reason(row).contains(words), "row {row}: {}", reason(row));
        assert!(
            reason(row).contains(&format!("第 {row} 行")) || row == 12,
            "row {row} names itself: {}",
            reason(row)
        );
        assert!(
            reason(row).contains('请'),
            "says what to do: {}",
            reason(row)
        );
    }
    // No reason quotes personal data.
    for e in &p.errors {
        for secret in [&ids.zhao_bad, &ids.wang, &ids.in_store, &ids.sun_son] {
            assert!(!e.reason.contains(secret.as_str()), "{}", e.reason);
        }
        assert!(!e.reason.contains("1380000"), "{}", e.reason);
        assert!(!e.reason.contains("1390000"), "{}", e.reason);
    }

    let summary = import.commit(&mut store).unwrap();
    assert_eq!(
        (
            summary.households,
            summary.residents,
            summary.vulnerable,
            summary.grids_created
        ),
        (2, 5, 1, 1)
    );
    let after = stats(&store);
    for (table, added) in [
        ("household", 2),
        ("resident", 5),
        ("vulnerable_person", 1),
        ("grid", 1),
    ] {
        assert_eq!(after[table], before[table] + added, "{table}");
    }

    let grids = store.list::<Grid>().unwrap();
    let grid_id = |name: &str| grids.iter().find(|g| g.name == name).map(|g| g.id.clone());
    let households = store.list::<Household>().unwrap();
    let wang = households.iter().find(|h| h.head_name == "王大山").unwrap();
    assert_eq!(wang.address, "青石村1组3号");
    assert_eq!(wang.phone, "13800000001", "float phone, the head's own");
    assert_eq!(wang.house_type, "砖混");
    assert!(wang.in_danger_zone);
    assert_eq!(
        wang.grid_id,
        grid_id("第一网格"),
        "the existing grid, trimmed name"
    );
    let chen = households.iter().find(|h| h.head_name == "陈一").unwrap();
    assert_eq!(chen.grid_id, grid_id("第三网格"));
    assert_eq!(chen.address, "青石村5组9号");
    assert!(!chen.in_danger_zone);

    let residents = store.list::<Resident>().unwrap();
    let person = |name: &str| residents.iter().find(|r| r.name == name).unwrap().clone();
    let wang_r = person("王大山");
    assert_eq!(
        wang_r.id_number, ids.wang,
        "full-width digits made half-width"
    );
    assert_eq!(
        wang_r.birth_date,
        NaiveDate::from_ymd_opt(1950, 5, 6),
        "Excel date cell"
    );
    let li = person("李秀英");
    assert_eq!(li.id_number, ids.li, "spaces inside the ID dropped");
    assert_eq!(li.phone, "13800000002");
    assert_eq!(li.birth_date, NaiveDate::from_ymd_opt(1952, 7, 8));
    assert_eq!(li.household_id, wang.id);
    let grandma = person("王秀兰");
    assert_eq!(grandma.household_id, wang.id);
    assert_eq!(grandma.birth_date, NaiveDate::from_ymd_opt(1930, 1, 2));
    assert_eq!(grandma.gender, "女", "filled from the ID number");
    assert_eq!(grandma.note, "行动不便");
    let chen2 = person("陈二");
    assert_eq!(
        chen2.household_id, chen.id,
        "merged 户主 cell continues the household"
    );
    assert_eq!(chen2.birth_date, NaiveDate::from_ymd_opt(2000, 6, 6));
    for absent in ["赵六", "孙七", "周八", "吴九"] {
        assert!(
            residents.iter().all(|r| r.name != absent),
            "{absent} was a bad row"
        );
    }
    let v = store.list::<VulnerablePerson>().unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].resident_id, grandma.id);
    assert_eq!(v[0].kind, VulnerableKind::Bedridden);
    assert_eq!(v[0].helper_name, "张网格");
    assert_eq!(v[0].helper_phone, "13900000010");

    // The same import is not written twice.
    let again = import.commit(&mut store).unwrap_err();
    assert_eq!(again.code(), "import_stale");
    assert_eq!(stats(&store), after);

    // Reading the same file again: every row already imported is now a duplicate.
    let second = RosterImport::read(&bytes, &store).unwrap();
    assert_eq!(second.preview().rows_ok, 0);
    assert_eq!(
        second.preview().bad_rows(),
        vec![4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]
    );
}

#[test]
fn a_failure_in_the_middle_of_commit_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ids();
    let mut store = store_with_village(&dir, &ids);
    let import = RosterImport::read(&messy_workbook(&ids), &store).unwrap();
    let before = stats(&store);
    // The store refuses the vulnerable-person row, written after the grid, both households and
    // some residents of the same transaction.
    store
        .conn()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON vulnerable_person BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
        )
        .unwrap();
    let err = import.commit(&mut store).unwrap_err();
    assert_eq!(err.code(), "storage", "{err}");
    assert_eq!(stats(&store), before, "nothing of the import landed");
    assert_eq!(store.unpushed_changes().unwrap(), {
        let s = store_with_village(&tempfile::tempdir().unwrap(), &ids);
        s.unpushed_changes().unwrap()
    });

    // Once the store accepts writes again, the same import goes through.
    store.conn().execute_batch("DROP TRIGGER refuse;").unwrap();
    let summary = import.commit(&mut store).unwrap();
    assert_eq!(summary.residents, 5);
}

#[test]
fn an_id_number_added_after_the_preview_stops_the_whole_commit() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ids();
    let mut store = store_with_village(&dir, &ids);
    let import = RosterImport::read(&messy_workbook(&ids), &store).unwrap();
    // Meanwhile someone types in 陈二 (the last good row) by hand.
    let h = store
        .save(&Household {
            head_name: "陈一".into(),
            ..Household::default()
        })
        .unwrap();
    store
        .save(&Resident {
            household_id: h.id,
            name: "陈二".into(),
            id_number: ids.chen2.clone(),
            ..Resident::default()
        })
        .unwrap();
    let before = stats(&store);
    let err = import.commit(&mut store).unwrap_err();
    assert_eq!(err.code(), "import_stale");
    assert!(err.to_string().contains("没有导入任何数据"), "{err}");
    assert_eq!(
        stats(&store),
        before,
        "grid and households written before it rolled back"
    );
}

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn without_a_head_column_a_household_starts_at_each_head_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = village_store(&dir.path().join("v.sqlite3"));
    let a = id_number("19800101", 1);
    let b = id_number("19820202", 2);
    let bytes = workbook(&[
        &["姓名", "关系", "地址", "身份证号", "电话", "网格"],
        &["钱小", "子", "1组1号", "", "", ""],
        &["钱大", "户主", "1组1号", &a, "13700000001", "一组"],
        &["钱妻", "妻", "", "", "", ""],
        &["钱女", "女", "1组1号", "", "", ""],
        &["外人", "子", "9组9号", "", "", ""],
        &["李大", "本人", "2组2号", &b, "", "一组"],
        &["李子", "", "2组2号", "", "", ""],
    ]);
    let import = RosterImport::read(&bytes, &store).unwrap();
    let p = import.preview();
    assert_eq!(p.bad_rows(), vec![2, 6], "{:#?}", p.errors);
    assert!(
        p.errors[0].reason.contains("上面还没有户主"),
        "{}",
        p.errors[0].reason
    );
    assert!(
        p.errors[1].reason.contains("分不出是哪一户"),
        "{}",
        p.errors[1].reason
    );
    assert_eq!((p.new_households, p.new_residents), (2, 5));
    assert_eq!(p.new_grids, vec!["一组"]);
    import.commit(&mut store).unwrap();
    let households = store.list::<Household>().unwrap();
    assert_eq!(households.len(), 2);
    let qian = &households[0];
    assert_eq!(
        (qian.head_name.as_str(), qian.phone.as_str()),
        ("钱大", "13700000001")
    );
    let members = store
        .query::<Resident>("household_id = ?1", &[&qian.id])
        .unwrap();
    let names: Vec<&str> = members.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["钱大", "钱妻", "钱女"]);
    assert_eq!(store.list::<Grid>().unwrap().len(), 1, "one grid, shared");
}

#[test]
fn files_that_are_not_rosters_get_a_chinese_message_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = village_store(&dir.path().join("v.sqlite3"));
    let before = stats(&store);
    let err = |bytes: &[u8]| match RosterImport::read(bytes, &store) {
        Ok(_) => panic!("should be refused"),
        Err(e) => e,
    };

    let e = err(b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D,\xE6\x88\xB7\xE4\xB8\xBB\n");
    assert!(matches!(e, ExcelError::Unreadable(_)));
    assert_eq!(e.code(), "excel_unreadable");
    assert!(e.to_string().contains("另存为 .xlsx"), "{e}");

    let e = err(b"");
    assert_eq!(e.code(), "excel_unreadable");
    assert!(e.to_string().contains("空的"), "{e}");

    let e = err(&workbook(&[&["编号", "金额"], &["1", "200"]]));
    assert!(matches!(e, ExcelError::NoHeader(_)));
    assert!(e.to_string().contains("姓名"), "{e}");

    let e = err(&workbook(&[
        &["姓名", "身份证号", "电话"],
        &["张三", "", ""],
    ]));
    assert_eq!(e.code(), "excel_no_header");
    assert!(e.to_string().contains("户主"), "{e}");

    let e = err(&Workbook::new().save_to_buffer().unwrap());
    assert_eq!(e.code(), "excel_no_header");

    assert_eq!(stats(&store), before);
}

#[test]
fn a_store_without_a_village_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with_clock(&dir.path().join("empty.sqlite3"), clock()).unwrap();
    let bytes = workbook(&[&["户主", "姓名"], &["张三", "张三"]]);
    let e = RosterImport::read(&bytes, &store).err().unwrap();
    assert_eq!(e.code(), "no_village");
}

#[test]
fn odd_cells_are_bad_rows_with_reasons_not_silent_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let store = village_store(&dir.path().join("v.sqlite3"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "户主",
        "姓名",
        "身份证号",
        "性别",
        "出生日期",
        "危险区",
        "电话",
        "重点人群",
        "帮扶人",
        "帮扶人电话",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: ID stored as a number (digits lost); row 3: gender and danger zone unreadable;
    // row 4: a landline whose leading 0 Excel dropped; row 5: 其他 with a note and a helper.
    ws.write_string(1, 0, "甲").unwrap();
    ws.write_string(1, 1, "甲").unwrap();
    ws.write_number(1, 2, 330599195005060000.0).unwrap();
    ws.write_string(2, 0, "乙").unwrap();
    ws.write_string(2, 1, "乙").unwrap();
    ws.write_string(2, 3, "未知").unwrap();
    ws.write_string(2, 4, "五十年代").unwrap();
    ws.write_string(2, 5, "大概").unwrap();
    ws.write_string(3, 0, "丙").unwrap();
    ws.write_string(3, 1, "丙").unwrap();
    ws.write_number(3, 6, 5722123456.0).unwrap();
    ws.write_string(4, 0, "丁").unwrap();
    ws.write_string(4, 1, "丁").unwrap();
    ws.write_string(4, 7, "精神障碍").unwrap();
    ws.write_string(4, 8, "戊").unwrap();
    ws.write_string(4, 9, "0572-2123456").unwrap();
    let import = RosterImport::read(&wb.save_to_buffer().unwrap(), &store).unwrap();
    let p = import.preview();
    let reasons = |row: u32| -> Vec<(Option<String>, String)> {
        p.errors
            .iter()
            .filter(|e| e.row == row)
            .map(|e| (e.column.clone(), e.reason.clone()))
            .collect()
    };
    assert_eq!(reasons(2).len(), 1);
    assert!(reasons(2)[0].1.contains("存成了数字"), "{:?}", reasons(2));
    let r3: Vec<Option<String>> = reasons(3).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        r3,
        [
            Some("性别".into()),
            Some("出生日期".into()),
            Some("危险区".into())
        ]
    );
    assert_eq!(reasons(4).len(), 1);
    assert!(reasons(4)[0].1.contains("开头的 0"), "{:?}", reasons(4));
    assert!(reasons(5).is_empty(), "{:?}", reasons(5));
    assert_eq!(p.rows_ok, 1);
    assert_eq!(p.new_vulnerable, 1);
}

#[test]
fn rows_of_a_household_already_in_the_store_join_it_and_known_names_are_not_added_twice() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ids();
    let mut store = store_with_village(&dir, &ids);
    let bytes = workbook(&[
        &["户主", "姓名", "住址", "身份证号"],
        &["郑老大", "郑十", "青石村4组1号", ""],
        &["郑老大", "郑小", "青石村4组1号", ""],
    ]);
    let import = RosterImport::read(&bytes, &store).unwrap();
    let p = import.preview();
    assert_eq!(p.bad_rows(), vec![2]);
    assert!(
        p.errors[0].reason.contains("同名"),
        "{}",
        p.errors[0].reason
    );
    assert_eq!(
        (p.new_households, p.existing_households, p.new_residents),
        (0, 1, 1)
    );
    let before = stats(&store);
    import.commit(&mut store).unwrap();
    assert_eq!(stats(&store)["household"], before["household"]);
    let zheng = store
        .list::<Household>()
        .unwrap()
        .into_iter()
        .find(|h| h.head_name == "郑老大")
        .unwrap();
    let names: Vec<String> = store
        .query::<Resident>("household_id = ?1", &[&zheng.id])
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["郑十", "郑小"]);
}

#[test]
fn a_note_under_the_data_in_the_name_column_is_skipped_not_imported_as_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let store = village_store(&dir.path().join("v.sqlite3"));
    let bytes = workbook(&[
        &["姓名", "户主", "住址"],
        &["钱大", "钱大", "1组1号"],
        &["钱妻", "", ""],
        &["制表人：李会计    审核人：王主任    2026年5月"],
        &["合计：2人"],
        &["以下空白"],
    ]);
    let import = RosterImport::read(&bytes, &store).unwrap();
    let p = import.preview();
    assert_eq!(p.note_rows, vec![4, 5, 6], "{p:#?}");
    assert_eq!((p.rows_read, p.rows_ok, p.new_residents), (2, 2, 2));
    assert!(p.errors.is_empty(), "{:#?}", p.errors);
}

/// Village rosters mark 重点人群 but seldom name helpers. Every such person is imported with the
/// helper pending (帮扶人待落实) and shows as a gap: on the roster totals, in the self-check (四个一)
/// and on the grid member's sheet. A bad ID number or a bad helper phone is still a bad row.
#[test]
fn vulnerable_people_without_a_helper_are_imported_with_the_helper_pending() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = village_store(&dir.path().join("v.sqlite3"));
    let ids: Vec<String> = (0..7).map(|i| id_number("19400101", 10 + i)).collect();
    let bad = bad_check_digit(&id_number("19410101", 40));
    let bytes = workbook(&[
        &[
            "姓名",
            "与户主关系",
            "住址",
            "身份证号",
            "网格",
            "重点人群",
            "帮扶人",
            "帮扶人电话",
        ],
        &[
            "钱独居",
            "户主",
            "1组1号",
            &ids[0],
            "一组",
            "独居老人",
            "",
            "",
        ],
        &["孙大", "户主", "1组2号", &ids[1], "一组", "", "", ""],
        &[
            "孙小宝",
            "孙子",
            "1组2号",
            &ids[2],
            "一组",
            "留守儿童",
            "",
            "",
        ],
        &["李孕", "户主", "1组3号", &ids[3], "一组", "孕妇", "", ""],
        &[
            "周残",
            "户主",
            "1组4号",
            &ids[4],
            "一组",
            "残疾人",
            "周家人",
            "",
        ],
        &[
            "吴卧床",
            "户主",
            "1组5号",
            &ids[5],
            "一组",
            "卧床病人",
            "吴网格",
            "13900000001",
        ],
        &["郑错号", "户主", "1组6号", &bad, "一组", "独居老人", "", ""],
        &[
            "王错电话",
            "户主",
            "1组7号",
            &ids[6],
            "一组",
            "独居老人",
            "王帮",
            "1390",
        ],
    ]);
    let import = RosterImport::read(&bytes, &store).unwrap();
    let p = import.preview();
    assert_eq!(p.bad_rows(), vec![8, 9], "{:#?}", p.errors);
    assert_eq!(p.rows_ok, 6);
    assert_eq!(p.new_vulnerable, 5);
    assert_eq!(p.new_helper_pending, 4, "all but 吴卧床, who has a helper");
    assert!(p.errors.iter().all(|e| !e.reason.contains("必须有帮扶人")));
    let summary = import.commit(&mut store).unwrap();
    assert_eq!((summary.residents, summary.vulnerable), (6, 5));

    let residents = store.list::<Resident>().unwrap();
    let name_of = |id: &str| {
        residents
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap()
    };
    let mut pending: Vec<String> = store
        .list::<VulnerablePerson>()
        .unwrap()
        .iter()
        .filter(|v| v.helper_pending())
        .map(|v| name_of(&v.resident_id))
        .collect();
    pending.sort();
    assert_eq!(pending, ["周残", "孙小宝", "李孕", "钱独居"]);

    let roster = cunan_core::roster::roster(&store).unwrap();
    assert_eq!(roster.totals.vulnerable, 5);
    assert_eq!(roster.totals.vulnerable_without_helper, 4);

    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let readiness = cunan_core::readiness::readiness(&store, today).unwrap();
    let item = readiness
        .groups
        .iter()
        .flat_map(|g| &g.items)
        .find(|i| i.id == "vulnerable")
        .unwrap();
    assert_eq!(item.state, cunan_core::readiness::CheckState::Partial);
    assert!(
        item.detail.contains("其中 4 人帮扶人待落实"),
        "{}",
        item.detail
    );
    for name in ["钱独居", "孙小宝", "李孕", "周残"] {
        assert!(item.detail.contains(name), "{name} listed: {}", item.detail);
    }
    assert!(!item.detail.contains("吴卧床"), "{}", item.detail);

    let sheets = cunan_core::printouts::grid_sheets(&store, None, today).unwrap();
    let helper_of = |name: &str| {
        sheets
            .sheets
            .iter()
            .flat_map(|s| &s.households)
            .flat_map(|h| &h.residents)
            .find(|r| r.name == name)
            .and_then(|r| r.helper.clone())
    };
    assert_eq!(helper_of("钱独居").as_deref(), Some("待落实"));
    assert_eq!(helper_of("周残").as_deref(), Some("周家人（电话待落实）"));
    assert_eq!(helper_of("吴卧床").as_deref(), Some("吴网格 13900000001"));
    assert_eq!(helper_of("孙大"), None, "not vulnerable");
}
