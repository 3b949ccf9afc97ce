//! Exports read back with calamine, and the roster round trip: export the demo village, import
//! the file into an empty village, get the same households, residents and vulnerable people.

mod common;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use common::*;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::{Contact, FloodResponsible, Grid, Household, Resident, Store, VulnerablePerson};
use cunan_excel::{export_contacts, export_kit, export_roster, export_roster_masked, RosterImport};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn demo_store(dir: &tempfile::TempDir, households: usize) -> Store {
    demo::create(
        &dir.path().join("demo.sqlite3"),
        DemoOptions {
            households,
            seed: 5,
            today: today(),
        },
    )
    .unwrap()
    .0
}

fn sheet<'a>(book: &'a [(String, Vec<Vec<String>>)], name: &str) -> &'a Vec<Vec<String>> {
    &book.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn the_roster_export_has_households_residents_and_vulnerable_people_with_full_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir, 40);
    let book = sheets(&export_roster(&store).unwrap());
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["住户", "居民", "重点人群"]);

    let households = store.list::<Household>().unwrap();
    let residents = store.list::<Resident>().unwrap();
    let vulnerable = store.list::<VulnerablePerson>().unwrap();

    let h = sheet(&book, "住户");
    assert_eq!(
        h[0],
        [
            "户主",
            "网格",
            "住址",
            "电话",
            "房屋类型",
            "危险区",
            "人数",
            "重点人员数",
            "威胁隐患点"
        ]
    );
    assert_eq!(h.len(), households.len() + 1);
    let first = &households[0];
    let members = residents
        .iter()
        .filter(|r| r.household_id == first.id)
        .count();
    assert_eq!(h[1][0], first.head_name);
    assert_eq!(h[1][2], first.address);
    assert_eq!(h[1][3], first.phone);
    assert_eq!(h[1][6], members.to_string());
    let danger_rows = h.iter().skip(1).filter(|r| r[5] == "是").count();
    assert_eq!(
        danger_rows,
        households.iter().filter(|h| h.in_danger_zone).count()
    );
    assert!(
        h.iter()
            .skip(1)
            .filter(|r| r[5] == "是")
            .all(|r| !r[8].is_empty()),
        "households in the danger zone name the hazard site threatening them"
    );

    let r = sheet(&book, "居民");
    assert_eq!(
        r[0],
        [
            "户主",
            "姓名",
            "与户主关系",
            "性别",
            "出生日期",
            "身份证号",
            "联系电话",
            "住址",
            "网格",
            "房屋类型",
            "是否危险区",
            "重点人群",
            "重点人群说明",
            "帮扶人",
            "帮扶人电话",
            "备注"
        ]
    );
    assert_eq!(r.len(), residents.len() + 1);
    let head = residents
        .iter()
        .find(|x| x.household_id == first.id && x.relation == "户主")
        .unwrap();
    assert_eq!(r[1][1], head.name);
    assert_eq!(r[1][5], head.id_number, "the full ID number, as text");
    assert_eq!(
        r[1][4],
        head.birth_date.unwrap().format("%Y-%m-%d").to_string(),
        "a real date cell"
    );

    let v = sheet(&book, "重点人群");
    assert_eq!(v[0][..5], ["姓名", "类别", "说明", "帮扶人", "帮扶人电话"]);
    assert_eq!(v.len(), vulnerable.len() + 1);
    assert!(!vulnerable.is_empty());
    let kinds: BTreeSet<&str> = vulnerable.iter().map(|x| x.kind.label()).collect();
    let shown: BTreeSet<&str> = v.iter().skip(1).map(|row| row[1].as_str()).collect();
    assert_eq!(kinds, shown);
}

/// What a village's roster is, without ids: comparable across stores.
/// The copy for sharing: the same rows, but no ID number or phone of anyone in the village is in
/// it whole, and it does not import again.
#[test]
fn the_masked_roster_holds_no_full_id_number_or_phone() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir, 40);
    let full = sheets(&export_roster(&store).unwrap());
    let bytes = export_roster_masked(&store).unwrap();
    let masked = sheets(&bytes);
    for name in ["住户", "居民", "重点人群"] {
        assert_eq!(
            sheet(&masked, name).len(),
            sheet(&full, name).len(),
            "{name}: the same rows"
        );
    }
    let mut secrets: Vec<String> = Vec::new();
    for r in store.list::<Resident>().unwrap() {
        secrets.push(r.id_number.clone());
        secrets.push(r.phone.clone());
    }
    for h in store.list::<Household>().unwrap() {
        secrets.push(h.phone.clone());
    }
    for v in store.list::<VulnerablePerson>().unwrap() {
        secrets.push(v.helper_phone.clone());
    }
    secrets.retain(|s| s.len() >= 7);
    assert!(
        secrets.len() > 100,
        "the demo village has IDs and phones: {}",
        secrets.len()
    );
    let cells: Vec<&String> = masked
        .iter()
        .flat_map(|(_, rows)| rows.iter().flatten())
        .collect();
    for secret in &secrets {
        assert!(
            !cells.iter().any(|c| c.contains(secret.as_str())),
            "a full ID number or phone is in the masked copy"
        );
    }
    // Masked as the printouts are: the ID's first 6 and last 2, the phone's first 3 and last 4.
    let residents = sheet(&masked, "居民");
    let id_col = residents[0].iter().position(|h| h == "身份证号").unwrap();
    let some_id = residents[1..]
        .iter()
        .map(|row| &row[id_col])
        .find(|c| !c.is_empty())
        .unwrap();
    assert!(some_id.contains("**********"), "{some_id}");

    let empty = village_store(&dir.path().join("empty.sqlite3"));
    let import = RosterImport::read(&bytes, &empty).unwrap();
    let p = import.preview();
    assert_eq!(p.rows_ok, 0, "masked IDs do not import");
    assert_eq!(p.bad_rows().len() as u32, p.rows_read, "every row says why");
}

fn roster_of(store: &Store) -> BTreeSet<String> {
    let grids: HashMap<String, String> = store
        .list::<Grid>()
        .unwrap()
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let households: HashMap<String, Household> = store
        .list::<Household>()
        .unwrap()
        .into_iter()
        .map(|h| (h.id.clone(), h))
        .collect();
    let vulnerable: HashMap<String, VulnerablePerson> = store
        .list::<VulnerablePerson>()
        .unwrap()
        .into_iter()
        .map(|v| (v.resident_id.clone(), v))
        .collect();
    store
        .list::<Resident>()
        .unwrap()
        .into_iter()
        .map(|r| {
            let h = &households[&r.household_id];
            let grid = h.grid_id.as_ref().map(|g| grids[g].clone());
            let v = vulnerable.get(&r.id).map(|v| {
                (
                    v.kind,
                    v.kind_note.clone(),
                    v.helper_name.clone(),
                    v.helper_phone.clone(),
                )
            });
            format!(
                "{:?}",
                (
                    (
                        &h.head_name,
                        &h.address,
                        &h.phone,
                        &h.house_type,
                        h.in_danger_zone,
                        grid
                    ),
                    (
                        &r.name,
                        &r.relation,
                        &r.gender,
                        r.birth_date,
                        &r.id_number,
                        &r.phone,
                        &r.note
                    ),
                    v
                )
            )
        })
        .collect()
}

#[test]
fn an_exported_roster_imports_into_an_empty_village_as_the_same_roster() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_store(&dir, 60);
    let bytes = export_roster(&demo).unwrap();

    let mut empty = village_store(&dir.path().join("empty.sqlite3"));
    let import = RosterImport::read(&bytes, &empty).unwrap();
    let p = import.preview();
    assert_eq!(p.sheet, "居民");
    assert_eq!(p.header_row, 1);
    assert!(p.errors.is_empty(), "{:#?}", p.errors);
    assert!(p.ignored_columns.is_empty(), "{:?}", p.ignored_columns);
    let residents = demo.list::<Resident>().unwrap().len() as u32;
    assert_eq!(p.rows_read, residents);
    assert_eq!(p.rows_ok, residents);
    assert_eq!(
        p.new_households as usize,
        demo.list::<Household>().unwrap().len()
    );
    assert_eq!(p.new_grids.len(), demo.list::<Grid>().unwrap().len());
    let summary = import.commit(&mut empty).unwrap();
    assert_eq!(summary.residents, residents);
    assert_eq!(
        summary.vulnerable as usize,
        demo.list::<VulnerablePerson>().unwrap().len()
    );
    assert_eq!(roster_of(&empty), roster_of(&demo));

    // Importing the same file again adds nothing: every row is a known ID number.
    let again = RosterImport::read(&bytes, &empty).unwrap();
    assert_eq!(again.preview().rows_ok, 0);
    assert_eq!(again.preview().bad_rows().len() as u32, residents);
}

#[test]
fn the_kit_export_has_the_checklist_and_the_four_small_items() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir, 20);
    let book = sheets(&export_kit(&store, today()).unwrap());
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["应急器材", "防汛责任人四小件"]);

    let checklist = cunan_core::kit::checklist(&store, today()).unwrap();
    let k = sheet(&book, "应急器材");
    assert_eq!(
        k[0],
        [
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
            "问题"
        ]
    );
    assert_eq!(k.len(), checklist.lines.len() + 1);
    for (row, line) in k.iter().skip(1).zip(&checklist.lines) {
        assert_eq!(row[0], line.item.name);
        assert_eq!(row[3], line.item.quantity.to_string());
        let problems: Vec<&str> = line.problems.iter().map(|p| p.label()).collect();
        if problems.is_empty() {
            assert_eq!(row[11], "无");
        } else {
            assert_eq!(row[11], problems.join("、"));
        }
        assert_eq!(
            row[10],
            line.next_due
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        );
    }
    assert!(
        k.iter().any(|r| r[11] != "无"),
        "the demo has a problem to show"
    );

    let people = store.list::<FloodResponsible>().unwrap();
    let f = sheet(&book, "防汛责任人四小件");
    assert_eq!(
        f[0],
        [
            "姓名",
            "电话",
            "责任区域",
            "头盔",
            "电筒",
            "防雨护具",
            "救生衣",
            "缺少"
        ]
    );
    assert_eq!(f.len(), people.len() + 1);
    for (row, p) in f.iter().skip(1).zip(&people) {
        assert_eq!(row[0], p.name);
        assert_eq!(row[3], if p.has_helmet { "有" } else { "缺" });
        assert_eq!(row[6], if p.has_life_jacket { "有" } else { "缺" });
        let complete = p.has_helmet && p.has_flashlight && p.has_rain_gear && p.has_life_jacket;
        assert_eq!(row[7] == "齐全", complete);
    }
}

#[test]
fn the_contacts_export_lists_every_contact_with_b_posts_after_their_a_post() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(&dir, 20);
    let contacts = store.list::<Contact>().unwrap();
    let book = sheets(&export_contacts(&store).unwrap());
    assert_eq!(book.len(), 1);
    let c = sheet(&book, "应急通讯录");
    assert_eq!(
        c[0][..7],
        [
            "姓名",
            "单位",
            "职务",
            "层级",
            "电话",
            "备用电话",
            "值班电话"
        ]
    );
    assert_eq!(c.len(), contacts.len() + 1);
    for contact in &contacts {
        let row = c.iter().find(|r| r[0] == contact.name).unwrap();
        assert_eq!(row[4], contact.phone, "phones as text, leading 0 kept");
    }
    let b = contacts.iter().find(|x| x.backup_of.is_some()).unwrap();
    let a = contacts
        .iter()
        .find(|x| Some(&x.id) == b.backup_of.as_ref())
        .unwrap();
    let pos = |name: &str| c.iter().position(|r| r[0] == name).unwrap();
    assert_eq!(pos(&b.name), pos(&a.name) + 1);
    assert_eq!(c[pos(&b.name)][7], a.name);
}

#[test]
fn the_contacts_export_keeps_b_posts_of_b_posts_and_contacts_that_name_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = village_store(&dir.path().join("s.sqlite3"));
    let mut save = |name: &str, backup_of: Option<&str>| {
        store
            .save(&Contact {
                name: name.into(),
                phone: "0572-2123456".into(),
                backup_of: backup_of.map(String::from),
                ..Contact::default()
            })
            .unwrap()
            .id
    };
    let a = save("甲岗", None);
    let b = save("乙岗", Some(&a));
    save("丙岗", Some(&b));
    // Two contacts each the other's backup: neither is an A post.
    let x = save("戊岗", None);
    let y = save("己岗", Some(&x));
    let mut x_row = store.get::<Contact>(&x).unwrap().unwrap();
    x_row.backup_of = Some(y);
    store.save(&x_row).unwrap();

    let book = sheets(&export_contacts(&store).unwrap());
    let names: Vec<&str> = sheet(&book, "应急通讯录")[1..]
        .iter()
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(names, ["甲岗", "乙岗", "丙岗", "戊岗", "己岗"]);
}

#[test]
#[ignore = "timing: cargo test -p cunan-excel --release -- --ignored --nocapture"]
fn six_thousand_residents_read_and_commit_in_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_store(&dir, 2000);
    let t = std::time::Instant::now();
    let bytes = export_roster(&demo).unwrap();
    let export = t.elapsed();
    let mut empty = village_store(&dir.path().join("empty.sqlite3"));
    let t = std::time::Instant::now();
    let import = RosterImport::read(&bytes, &empty).unwrap();
    let read = t.elapsed();
    let t = std::time::Instant::now();
    let summary = import.commit(&mut empty).unwrap();
    let commit = t.elapsed();
    eprintln!(
        "{} residents, {} KB: export {export:?}, read {read:?}, commit {commit:?}",
        summary.residents,
        bytes.len() / 1024
    );
    assert!(summary.residents > 5000);
}
