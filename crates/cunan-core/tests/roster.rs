//! The roster: people search (names, pinyin initials with 多音字, phones), the roster screen's
//! counts and order, saving households and residents, and delete with undo.

mod common;

use cunan_core::roster::{
    self, pinyin_initials, MatchKind, PeopleIndex, PersonHit, PersonSource, ResidentEntry,
};
use cunan_core::store::Tombstone;
use cunan_core::*;
use rusqlite::Connection;

fn store() -> (tempfile::TempDir, Store) {
    common::village_store((2026, 6, 1, 8))
}

fn grid(store: &mut Store, name: &str) -> Grid {
    store
        .save(&Grid {
            name: name.into(),
            ..Grid::default()
        })
        .unwrap()
}

fn household(store: &mut Store, grid: Option<&Grid>, head: &str, address: &str) -> Household {
    store
        .save(&Household {
            grid_id: grid.map(|g| g.id.clone()),
            head_name: head.into(),
            address: address.into(),
            ..Household::default()
        })
        .unwrap()
}

/// A valid ID number: `first17` and its check character.
fn valid_id(first17: &str) -> String {
    let check = cunan_core::validate::resident_id_check_char(first17).unwrap();
    format!("{first17}{check}")
}

fn resident(store: &mut Store, household: &Household, name: &str, phone: &str) -> Resident {
    store
        .save(&Resident {
            household_id: household.id.clone(),
            name: name.into(),
            phone: phone.into(),
            ..Resident::default()
        })
        .unwrap()
}

fn helper(kind: VulnerableKind) -> VulnerablePerson {
    VulnerablePerson {
        kind,
        helper_name: "李网格".into(),
        helper_phone: "13700002222".into(),
        ..VulnerablePerson::default()
    }
}

fn site(store: &mut Store, name: &str) -> HazardSite {
    store
        .save(&HazardSite {
            name: name.into(),
            hazard: Some(HazardKind::Geological),
            ..HazardSite::default()
        })
        .unwrap()
}

/// (table, op) of the change log, oldest first.
fn change_log(store: &Store) -> Vec<(String, String, String)> {
    store
        .conn()
        .prepare("SELECT table_name, row_id, op FROM change_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Pinyin initials
// ---------------------------------------------------------------------------------------------

#[test]
fn pinyin_initials_take_the_usual_reading_and_keep_latin_letters_and_digits() {
    for (name, expected) in [
        ("张三", "zs"),
        ("张三丰", "zsf"),
        ("单小明", "dxm"),
        ("曾小红", "cxh"),
        ("王 小明", "wxm"),
        ("阿依古丽·买买提", "ayglmmt"),
        ("Tom李", "toml"),
        ("ＡＢ１２王", "ab12w"),
        ("", ""),
    ] {
        assert_eq!(pinyin_initials(name), expected, "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/// A small village with people chosen to exercise search.
fn people() -> (tempfile::TempDir, Store) {
    let (dir, mut s) = store();
    let g1 = grid(&mut s, "第一网格");
    let g2 = grid(&mut s, "第二网格");
    let zhang = household(&mut s, Some(&g1), "张三", "溪口路 12 号");
    resident(&mut s, &zhang, "张三", "13800001111");
    resident(&mut s, &zhang, "张三丰", "");
    resident(&mut s, &zhang, "小张三", "");
    let shan = household(&mut s, Some(&g2), "单小明", "");
    let xiaoming = resident(&mut s, &shan, "单小明", "13912345678");
    roster::save_resident(&mut s, &xiaoming, Some(&helper(VulnerableKind::Disabled))).unwrap();
    resident(&mut s, &shan, "曾小红", "");
    let other = household(&mut s, None, "王小明", "");
    resident(&mut s, &other, "王小明", "15900001380");
    resident(&mut s, &other, "朱顺", "");
    resident(&mut s, &other, "Tom李", "");
    resident(&mut s, &other, "阿依古丽·买买提", "");
    resident(&mut s, &other, "吕方", "");
    s.save(&GridMember {
        grid_id: g2.id.clone(),
        name: "张三".into(),
        phone: "13700002222".into(),
        role: String::new(),
        ..GridMember::default()
    })
    .unwrap();
    let team = s
        .save(&Team {
            name: "抢险救援队".into(),
            ..Team::default()
        })
        .unwrap();
    s.save(&TeamMember {
        team_id: team.id.clone(),
        name: "赵大勇".into(),
        phone: "13600003333".into(),
        role: "队长".into(),
        ..TeamMember::default()
    })
    .unwrap();
    s.save(&Contact {
        name: "县应急管理局值班室".into(),
        organization: "县应急管理局".into(),
        phone: "0572-5012110".into(),
        phone_backup: "0572-5012119".into(),
        is_duty_line: true,
        level: "county".into(),
        ..Contact::default()
    })
    .unwrap();
    (dir, s)
}

fn names(hits: &[PersonHit]) -> Vec<&str> {
    hits.iter().map(|h| h.name.as_str()).collect()
}

#[test]
fn search_finds_people_by_name_initials_and_phone() {
    let (_dir, s) = people();
    let index = PeopleIndex::build(&s).unwrap();
    let check = |query: &str, expected: &[&str]| {
        let hits = index.search(query, 50);
        assert_eq!(names(&hits), expected, "query {query:?}");
    };
    // Pinyin initials: all of them first, then a prefix; residents before the grid member.
    check("zs", &["张三", "朱顺", "张三", "张三丰"]);
    check("zsf", &["张三丰"]);
    check("ZS", &["张三", "朱顺", "张三", "张三丰"]);
    check("ｚｓｆ", &["张三丰"]);
    check(" z s f ", &["张三丰"]);
    // 多音字: every reading of the surname counts (单 dān/shàn/chán, 曾 céng/zēng).
    check("dxm", &["单小明"]);
    check("sxm", &["单小明"]);
    check("cxm", &["单小明"]);
    check("cxh", &["曾小红"]);
    check("zxh", &["曾小红"]);
    check("wxm", &["王小明"]);
    // Characters and letters mixed, latin names, minority names with the middle dot.
    check("张s", &["张三", "张三", "张三丰"]);
    check("toml", &["Tom李"]);
    check("tom", &["Tom李"]);
    check("TOM李", &["Tom李"]);
    check("aygl", &["阿依古丽·买买提"]);
    // Whole syllables, alone or with initials, after initials matches; ü typed as v or u.
    check("zhangsan", &["张三", "张三", "张三丰"]);
    check("zhangs", &["张三", "张三", "张三丰"]);
    check("zhsanf", &["张三丰"]);
    check("shanxiaoming", &["单小明"]);
    check("danxm", &["单小明"]);
    check("zengxh", &["曾小红"]);
    check("lvf", &["吕方"]);
    check("lufang", &["吕方"]);
    check("lf", &["吕方"]);
    check("zhangsanfengx", &[]);
    check("zsx", &[]);
    check("zho", &[]);
    check("zhaody", &["赵大勇"]);
    check("zh", &["张三", "张三丰", "朱顺", "张三", "赵大勇"]);
    check("阿依古丽买买提", &["阿依古丽·买买提"]);
    // Chinese: exact, prefix, contains; residents first; pinyin order within a rank
    // (曾 ceng < 单 dan < 王 wang).
    check("张三", &["张三", "张三", "张三丰", "小张三"]);
    check("小", &["小张三", "曾小红", "单小明", "王小明"]);
    check("县应急", &["县应急管理局值班室"]);
    // Phones: digits anywhere in the number, full-width digits, dashes ignored, backup lines.
    check("13800001111", &["张三"]);
    check("1380", &["王小明", "张三"]);
    check("１３８０", &["王小明", "张三"]);
    check("12345678", &["单小明"]);
    check("5012110", &["县应急管理局值班室"]);
    check("0572-5012119", &["县应急管理局值班室"]);
    check("136", &["赵大勇"]);
    // Too short, nothing typed, nobody.
    check("13", &[]);
    check("", &[]);
    check("   ", &[]);
    check("·", &[]);
    check("qqq", &[]);
    check("钱", &[]);
}

#[test]
fn hits_say_who_the_person_is_and_how_they_matched() {
    let (_dir, s) = people();
    let index = PeopleIndex::build(&s).unwrap();
    let one = |query: &str| -> PersonHit {
        let hits = index.search(query, 1);
        assert_eq!(hits.len(), 1, "{query}");
        hits.into_iter().next().unwrap()
    };
    let hit = one("张三丰");
    assert_eq!(hit.source, PersonSource::Resident);
    assert_eq!(hit.detail, "户主 张三 · 第一网格 · 溪口路 12 号");
    assert_eq!(hit.matched, MatchKind::Name);
    assert!(hit.household_id.is_some());

    let hit = one("dxm");
    assert_eq!(hit.matched, MatchKind::Initials);
    assert_eq!(hit.vulnerable, Some(VulnerableKind::Disabled));
    assert_eq!(hit.detail, "户主 单小明 · 第二网格");
    assert_eq!(hit.phone, "13912345678");

    assert_eq!(one("wxm").detail, "户主 王小明 · 未分网格");
    assert_eq!(one("wxm").vulnerable, None);

    let hit = one("13700002222");
    assert_eq!(
        (hit.source, hit.matched),
        (PersonSource::GridMember, MatchKind::Phone)
    );
    assert_eq!(hit.detail, "网格员 · 第二网格");
    assert_eq!(hit.household_id, None);

    let hit = one("zdy");
    assert_eq!(hit.source, PersonSource::TeamMember);
    assert_eq!(hit.detail, "抢险救援队 · 队长");

    let hit = one("xyj");
    assert_eq!(hit.source, PersonSource::Contact);
    assert_eq!(hit.detail, "县应急管理局 · 值班电话");
}

#[test]
fn a_limit_keeps_the_best_hits_in_order() {
    let (_dir, s) = people();
    let index = PeopleIndex::build(&s).unwrap();
    for query in ["zs", "张三", "小", "1", "138", "13"] {
        let all = index.search(query, usize::MAX);
        for limit in 0..=all.len() + 1 {
            let hits = index.search(query, limit);
            assert_eq!(
                hits,
                all[..limit.min(all.len())].to_vec(),
                "{query} limit {limit}"
            );
        }
    }
    assert_eq!(index.search("zs", 2).len(), 2);
}

#[test]
fn the_index_leaves_out_deleted_people_and_shows_a_deleted_grid_as_none() {
    let (_dir, mut s) = people();
    let g1 = s
        .list::<Grid>()
        .unwrap()
        .into_iter()
        .find(|g| g.name == "第一网格")
        .unwrap();
    let shan = s
        .list::<Household>()
        .unwrap()
        .into_iter()
        .find(|h| h.head_name == "单小明")
        .unwrap();
    s.delete_with_children(Grid::TABLE, &g1.id).unwrap();
    s.delete_with_children(Household::TABLE, &shan.id).unwrap();
    let index = PeopleIndex::build(&s).unwrap();
    assert!(index.search("dxm", 10).is_empty());
    assert!(index.search("曾小红", 10).is_empty());
    let hit = &index.search("张三丰", 10)[0];
    assert_eq!(hit.detail, "户主 张三 · 未分网格 · 溪口路 12 号");
}

// ---------------------------------------------------------------------------------------------
// The roster screen
// ---------------------------------------------------------------------------------------------

#[test]
fn the_roster_counts_per_grid_and_in_total_and_sorts_grids_and_households() {
    let (dir, mut s) = store();
    // Entered out of order: the roster sorts 第一 < 第2 < 第10.
    let g10 = grid(&mut s, "第10网格");
    let g2 = grid(&mut s, "第2网格");
    let g1 = grid(&mut s, "第一网格");
    let member = s
        .save(&GridMember {
            grid_id: g2.id.clone(),
            name: "李网格".into(),
            ..GridMember::default()
        })
        .unwrap();
    s.save(&GridMember {
        grid_id: g10.id.clone(),
        name: "钱网格".into(),
        ..GridMember::default()
    })
    .unwrap();
    let slope = site(&mut s, "后山滑坡隐患点");
    let creek = site(&mut s, "溪边低洼易涝点");

    let zhou = household(&mut s, Some(&g2), "周一", "2组1号");
    resident(&mut s, &zhou, "周一", "");
    let wife = resident(&mut s, &zhou, "吴芳", "");
    roster::save_resident(&mut s, &wife, Some(&helper(VulnerableKind::Pregnant))).unwrap();
    let an = household(&mut s, Some(&g2), "安然", "2组2号");
    resident(&mut s, &an, "安然", "");
    let mut wang = household(&mut s, Some(&g1), "王五", "1组1号");
    wang.in_danger_zone = true;
    let wang =
        roster::save_household(&mut s, &wang, &[slope.id.clone(), creek.id.clone()]).unwrap();
    let old = resident(&mut s, &wang, "王五", "");
    roster::save_resident(&mut s, &old, Some(&helper(VulnerableKind::ElderlyAlone))).unwrap();
    let li = household(&mut s, None, "李四", "");
    resident(&mut s, &li, "李四", "");
    resident(&mut s, &li, "李小四", "");
    let qian = household(&mut s, Some(&g10), "钱七", "");
    resident(&mut s, &qian, "钱七", "");
    // Not counted: a deleted resident, a deleted household.
    let gone = resident(&mut s, &an, "安走", "");
    s.delete::<Resident>(&gone.id).unwrap();
    let gone = household(&mut s, Some(&g1), "韩空", "");
    resident(&mut s, &gone, "韩空", "");
    s.delete_with_children(Household::TABLE, &gone.id).unwrap();

    let view = roster::roster(&s).unwrap();
    let grids: Vec<(&str, i64, i64, i64, usize)> = view
        .grids
        .iter()
        .map(|g| {
            (
                g.grid.name.as_str(),
                g.households,
                g.residents,
                g.vulnerable,
                g.members.len(),
            )
        })
        .collect();
    assert_eq!(
        grids,
        [
            ("第一网格", 1, 1, 1, 0),
            ("第2网格", 2, 3, 1, 1),
            ("第10网格", 1, 1, 0, 1),
        ]
    );
    assert_eq!(view.grids[1].members, vec![member]);
    let rows: Vec<(&str, &str, i64, i64)> = view
        .households
        .iter()
        .map(|h| {
            (
                h.head_name.as_str(),
                h.grid_name.as_str(),
                h.residents,
                h.vulnerable,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("王五", "第一网格", 1, 1),
            ("安然", "第2网格", 1, 0),
            ("周一", "第2网格", 2, 1),
            ("钱七", "第10网格", 1, 0),
            ("李四", "", 2, 0),
        ]
    );
    assert_eq!(
        view.households[0].hazard_sites,
        ["后山滑坡隐患点", "溪边低洼易涝点"]
    );
    assert!(view.households[0].in_danger_zone);
    assert_eq!(view.households[0].grid_id.as_deref(), Some(g1.id.as_str()));
    assert_eq!(view.households[4].grid_id, None);
    let t = &view.totals;
    assert_eq!(
        (
            t.households,
            t.residents,
            t.vulnerable,
            t.vulnerable_without_helper,
            t.households_in_danger,
            t.households_without_grid
        ),
        (5, 7, 2, 0, 1, 1)
    );

    // A helper lost (e.g. an imported record with no phone) is counted.
    Connection::open(dir.path().join("s.sqlite3"))
        .unwrap()
        .execute(
            "UPDATE vulnerable_person SET helper_phone = '' WHERE resident_id = ?1",
            [&old.id],
        )
        .unwrap();
    assert_eq!(
        roster::roster(&s).unwrap().totals.vulnerable_without_helper,
        1
    );

    // A deleted grid keeps its households, which then count as in no grid.
    let removed = s.delete_with_children(Grid::TABLE, &g10.id).unwrap();
    assert_eq!(
        removed.iter().map(|t| t.table.as_str()).collect::<Vec<_>>(),
        ["grid", "grid_member"]
    );
    let view = roster::roster(&s).unwrap();
    assert_eq!(view.grids.len(), 2);
    let qian_row = view.households.iter().find(|h| h.id == qian.id).unwrap();
    assert_eq!(
        (qian_row.grid_id.as_deref(), qian_row.grid_name.as_str()),
        (None, "")
    );
    assert_eq!(view.totals.households_without_grid, 2);
    assert_eq!(view.totals.households, 5);
    assert_eq!(
        s.get::<Household>(&qian.id).unwrap().unwrap().grid_id,
        Some(g10.id.clone()),
        "the household still names its grid, so an undo puts it back"
    );
    s.restore(&removed).unwrap();
    let view = roster::roster(&s).unwrap();
    assert_eq!(view.grids.len(), 3);
    assert_eq!(view.grids[2].members.len(), 1);
    assert_eq!(view.totals.households_without_grid, 1);
}

#[test]
fn teams_list_their_members_in_entry_order() {
    let (_dir, mut s) = store();
    let shock = s
        .save(&Team {
            name: "应急突击队".into(),
            ..Team::default()
        })
        .unwrap();
    let rescue = s
        .save(&Team {
            name: "抢险救援队".into(),
            ..Team::default()
        })
        .unwrap();
    for (team, name) in [(&rescue, "赵一"), (&shock, "钱二"), (&shock, "孙三")] {
        s.save(&TeamMember {
            team_id: team.id.clone(),
            name: name.into(),
            ..TeamMember::default()
        })
        .unwrap();
    }
    let gone = s
        .save(&TeamMember {
            team_id: shock.id.clone(),
            name: "李走".into(),
            ..TeamMember::default()
        })
        .unwrap();
    s.delete::<TeamMember>(&gone.id).unwrap();
    let teams = roster::teams(&s).unwrap();
    let got: Vec<(&str, Vec<&str>)> = teams
        .iter()
        .map(|t| {
            (
                t.team.name.as_str(),
                t.members.iter().map(|m| m.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("应急突击队", vec!["钱二", "孙三"]),
            ("抢险救援队", vec!["赵一"])
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Saving
// ---------------------------------------------------------------------------------------------

#[test]
fn saving_a_household_keeps_exactly_the_given_hazard_links() {
    let (_dir, mut s) = store();
    let a = site(&mut s, "甲");
    let b = site(&mut s, "乙");
    let c = site(&mut s, "丙");
    let h = roster::save_household(
        &mut s,
        &Household {
            head_name: "王五".into(),
            ..Household::default()
        },
        &[a.id.clone(), b.id.clone(), a.id.clone()],
    )
    .unwrap();
    let links = |s: &Store| {
        roster::household_detail(s, &h.id)
            .unwrap()
            .unwrap()
            .hazard_site_ids
    };
    assert_eq!(links(&s), [a.id.clone(), b.id.clone()]);
    let b_link: String = s
        .conn()
        .query_row(
            "SELECT id FROM household_hazard WHERE hazard_site_id = ?1",
            [&b.id],
            |r| r.get(0),
        )
        .unwrap();

    let before = change_log(&s).len();
    roster::save_household(&mut s, &h, &[b.id.clone(), c.id.clone()]).unwrap();
    assert_eq!(links(&s), [b.id.clone(), c.id.clone()]);
    let log = change_log(&s)[before..].to_vec();
    let ops: Vec<(&str, &str)> = log
        .iter()
        .map(|(t, _, o)| (t.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("household", "upsert"),
            ("household_hazard", "delete"),
            ("household_hazard", "upsert")
        ],
        "the kept link to 乙 is not rewritten"
    );
    assert!(log.iter().all(|(_, id, _)| *id != b_link));

    // Nothing linked.
    roster::save_household(&mut s, &h, &[]).unwrap();
    assert!(links(&s).is_empty());

    // A site that does not exist: nothing is written, not even the household.
    let mut renamed = h.clone();
    renamed.head_name = "王六".into();
    let before = change_log(&s).len();
    let err = roster::save_household(&mut s, &renamed, &["no-such-site".into()]).unwrap_err();
    assert_eq!(err.code(), "hazard_site_missing");
    assert!(err.to_string().contains("请"), "{err}");
    assert_eq!(change_log(&s).len(), before);
    assert_eq!(
        s.get::<Household>(&h.id).unwrap().unwrap().head_name,
        "王五"
    );

    // A deleted site cannot be linked.
    s.delete_with_children(HazardSite::TABLE, &a.id).unwrap();
    let err = roster::save_household(&mut s, &h, std::slice::from_ref(&a.id)).unwrap_err();
    assert_eq!(err.code(), "hazard_site_missing");
}

#[test]
fn a_household_cannot_be_moved_into_a_deleted_grid_but_may_keep_one() {
    let (_dir, mut s) = store();
    let g1 = grid(&mut s, "第一网格");
    let g2 = grid(&mut s, "第二网格");
    let h = household(&mut s, Some(&g1), "王五", "");
    s.delete_with_children(Grid::TABLE, &g1.id).unwrap();
    s.delete_with_children(Grid::TABLE, &g2.id).unwrap();
    let mut edited = h.clone();
    edited.address = "1组1号".into();
    roster::save_household(&mut s, &edited, &[]).unwrap();
    edited.grid_id = Some(g2.id.clone());
    let err = roster::save_household(&mut s, &edited, &[]).unwrap_err();
    assert_eq!(err.code(), "grid_missing");
    edited.grid_id = Some(String::new());
    let saved = roster::save_household(&mut s, &edited, &[]).unwrap();
    assert_eq!(saved.grid_id, None, "an empty grid id means no grid");
}

#[test]
fn saving_a_resident_keeps_one_vulnerable_record_and_none_removes_it() {
    let (_dir, mut s) = store();
    let h = household(&mut s, None, "王五", "");
    let entry = roster::save_resident(
        &mut s,
        &Resident {
            household_id: h.id.clone(),
            name: "王五".into(),
            ..Resident::default()
        },
        Some(&helper(VulnerableKind::ElderlyAlone)),
    )
    .unwrap();
    let v = entry.vulnerable.clone().unwrap();
    assert_eq!(v.resident_id, entry.resident.id);
    assert!(!v.id.is_empty());
    let detail = |s: &Store| roster::household_detail(s, &h.id).unwrap().unwrap();
    assert_eq!(detail(&s).residents, vec![entry.clone()]);

    // Edited without the record's id (as a form may send it): the same record is updated.
    let mut bedridden = helper(VulnerableKind::Bedridden);
    bedridden.resident_id = "someone-else".into();
    let again = roster::save_resident(&mut s, &entry.resident, Some(&bedridden)).unwrap();
    let v2 = again.vulnerable.clone().unwrap();
    assert_eq!(v2.id, v.id);
    assert_eq!(v2.resident_id, entry.resident.id);
    assert_eq!(v2.kind, VulnerableKind::Bedridden);
    assert_eq!(s.list::<VulnerablePerson>().unwrap(), vec![v2.clone()]);

    // A vulnerable record that fails validation: the resident is not saved either.
    let mut renamed = entry.resident.clone();
    renamed.name = "王六".into();
    let mut bad_phone = helper(VulnerableKind::Disabled);
    bad_phone.helper_phone = "1390".into();
    let err = roster::save_resident(&mut s, &renamed, Some(&bad_phone)).unwrap_err();
    assert_eq!(err.code(), "phone");
    assert!(!err.to_string().contains("1390"), "no value echoed: {err}");
    assert_eq!(detail(&s).residents[0].resident.name, "王五");

    // No helper yet: the person is kept, the helper pending (帮扶人待落实), and counted.
    let mut pending = helper(VulnerableKind::Bedridden);
    pending.helper_name.clear();
    pending.helper_phone.clear();
    let kept = roster::save_resident(&mut s, &entry.resident, Some(&pending)).unwrap();
    assert!(kept.vulnerable.as_ref().unwrap().helper_pending());
    assert_eq!(
        roster::roster(&s).unwrap().totals.vulnerable_without_helper,
        1
    );
    let named = roster::save_resident(&mut s, &entry.resident, Some(&bedridden)).unwrap();
    assert!(!named.vulnerable.unwrap().helper_pending());
    assert_eq!(
        roster::roster(&s).unwrap().totals.vulnerable_without_helper,
        0
    );

    // None: the record is tombstoned (a delete in the change log), the resident stays.
    let plain = roster::save_resident(&mut s, &renamed, None).unwrap();
    assert_eq!(plain, ResidentEntry::new(renamed.clone(), None));
    assert!(s.list::<VulnerablePerson>().unwrap().is_empty());
    assert!(change_log(&s).contains(&(
        "vulnerable_person".to_string(),
        v.id.clone(),
        "delete".to_string()
    )));
    assert_eq!(detail(&s).residents[0].vulnerable, None);
    assert_eq!(roster::roster(&s).unwrap().totals.vulnerable, 0);

    // A resident of a household that is gone is refused.
    s.delete_with_children(Household::TABLE, &h.id).unwrap();
    let err = roster::save_resident(
        &mut s,
        &Resident {
            household_id: h.id.clone(),
            name: "新人".into(),
            ..Resident::default()
        },
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "household_missing");
    assert_eq!(roster::household_detail(&s, &h.id).unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// Delete and undo
// ---------------------------------------------------------------------------------------------

#[test]
fn deleting_a_household_tombstones_everything_under_it_and_restore_brings_it_back() {
    let (_dir, mut s) = store();
    let g = grid(&mut s, "第一网格");
    let slope = site(&mut s, "后山");
    let h = roster::save_household(
        &mut s,
        &Household {
            grid_id: Some(g.id.clone()),
            head_name: "王五".into(),
            ..Household::default()
        },
        std::slice::from_ref(&slope.id),
    )
    .unwrap();
    let head = resident(&mut s, &h, "王五", "13800001111");
    let v = roster::save_resident(&mut s, &head, Some(&helper(VulnerableKind::Disabled)))
        .unwrap()
        .vulnerable
        .unwrap();
    let child = resident(&mut s, &h, "王小五", "");
    // Deleted before: neither deleted again nor brought back by the undo.
    let earlier = resident(&mut s, &h, "王早走", "");
    s.delete::<Resident>(&earlier.id).unwrap();
    let link: String = s
        .conn()
        .query_row("SELECT id FROM household_hazard", [], |r| r.get(0))
        .unwrap();
    let before = roster::household_detail(&s, &h.id).unwrap().unwrap();

    let log_start = change_log(&s).len();
    let removed = s.delete_with_children(Household::TABLE, &h.id).unwrap();
    let ts = |table: &str, id: &str| Tombstone {
        table: table.into(),
        id: id.into(),
    };
    assert_eq!(
        removed,
        [
            ts("household", &h.id),
            ts("resident", &head.id),
            ts("vulnerable_person", &v.id),
            ts("resident", &child.id),
            ts("household_hazard", &link),
        ]
    );
    let log = change_log(&s)[log_start..].to_vec();
    assert_eq!(
        log,
        removed
            .iter()
            .map(|t| (t.table.clone(), t.id.clone(), "delete".to_string()))
            .collect::<Vec<_>>()
    );
    assert!(s.list::<Household>().unwrap().is_empty());
    assert!(s.list::<Resident>().unwrap().is_empty());
    assert!(s.list::<VulnerablePerson>().unwrap().is_empty());
    assert!(s.list::<HouseholdHazard>().unwrap().is_empty());
    assert_eq!(roster::household_detail(&s, &h.id).unwrap(), None);
    assert!(PeopleIndex::build(&s).unwrap().is_empty());
    assert_eq!(s.list::<Grid>().unwrap().len(), 1, "the grid stays");

    let log_start = change_log(&s).len();
    s.restore(&removed).unwrap();
    let log = change_log(&s)[log_start..].to_vec();
    assert_eq!(
        log,
        removed
            .iter()
            .map(|t| (t.table.clone(), t.id.clone(), "upsert".to_string()))
            .collect::<Vec<_>>()
    );
    // The logged rows are the full, live rows, so the restore syncs.
    let data: Vec<String> = s
        .conn()
        .prepare("SELECT data FROM change_log ORDER BY seq DESC LIMIT 5")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for d in &data {
        let row: serde_json::Value = serde_json::from_str(d).unwrap();
        assert_eq!(row["deleted"], false, "{d}");
        assert_eq!(row["device_id"], s.device_id());
    }
    let resident_row: serde_json::Value = data
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap())
        .find(|r| r["id"] == head.id.as_str())
        .unwrap();
    assert_eq!(resident_row["phone"], "13800001111");
    assert_eq!(
        roster::household_detail(&s, &h.id).unwrap().unwrap(),
        before
    );
    assert_eq!(s.get::<Resident>(&earlier.id).unwrap(), None);
    assert_eq!(PeopleIndex::build(&s).unwrap().len(), 2);

    // Restoring again changes nothing.
    let log_len = change_log(&s).len();
    s.restore(&removed).unwrap();
    assert_eq!(change_log(&s).len(), log_len);
}

#[test]
fn delete_and_restore_refuse_what_they_cannot_do() {
    let (dir, mut s) = store();
    let team = s
        .save(&Team {
            name: "突击队".into(),
            ..Team::default()
        })
        .unwrap();
    let member = s
        .save(&TeamMember {
            team_id: team.id.clone(),
            name: "赵一".into(),
            ..TeamMember::default()
        })
        .unwrap();
    let removed = s.delete_with_children(Team::TABLE, &team.id).unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[1].id, member.id);

    // A missing row: an error, and nothing at all is restored.
    let mut bad = removed.clone();
    bad.push(Tombstone {
        table: "team_member".into(),
        id: "no-such-row".into(),
    });
    let log_len = change_log(&s).len();
    let err = s.restore(&bad).unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(s.list::<Team>().unwrap().is_empty());
    assert_eq!(change_log(&s).len(), log_len);

    // Unknown tables, and the village itself, are refused before any SQL runs.
    for table in ["no_table", "village", "team; DROP TABLE team", "change_log"] {
        let err = s.delete_with_children(table, &team.id).unwrap_err();
        assert_eq!(err.code(), "unknown_table", "{table}");
        assert!(err.to_string().contains('请'), "{err}");
        let err = s
            .restore(&[Tombstone {
                table: table.into(),
                id: team.id.clone(),
            }])
            .unwrap_err();
        assert_eq!(err.code(), "unknown_table", "{table}");
    }

    // Already deleted, or never there.
    assert_eq!(
        s.delete_with_children(Team::TABLE, &team.id)
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        s.delete_with_children(Team::TABLE, "nope")
            .unwrap_err()
            .code(),
        "not_found"
    );

    // County-owned rows stay read-only.
    let contact = s
        .save(&Contact {
            name: "县应急管理局值班室".into(),
            phone: "0572-5012110".into(),
            ..Contact::default()
        })
        .unwrap();
    Connection::open(dir.path().join("s.sqlite3"))
        .unwrap()
        .execute(
            "UPDATE contact SET village_code = 'county' WHERE id = ?1",
            [&contact.id],
        )
        .unwrap();
    let err = s
        .delete_with_children(Contact::TABLE, &contact.id)
        .unwrap_err();
    assert_eq!(err.code(), "county_owned");
    assert_eq!(s.list::<Contact>().unwrap().len(), 1);

    s.restore(&removed).unwrap();
    assert_eq!(roster::teams(&s).unwrap()[0].members, vec![member]);
}

/// In a real-sized village, everyone whose usual reading gives the initials comes before people
/// who match only through a rarer reading of a 多音字.
#[test]
fn usual_readings_rank_before_other_readings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, _) = demo::create(
        &dir.path().join("demo.sqlite3"),
        demo::DemoOptions {
            households: 300,
            seed: 1,
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"),
        },
    )
    .expect("the demo village");
    let index = PeopleIndex::build(&store).expect("index");
    for query in ["zs", "wjg", "lxy", "cj"] {
        let hits = index.search(query, 200);
        let usual: Vec<bool> = hits
            .iter()
            .map(|h| pinyin_initials(&h.name).starts_with(query))
            .collect();
        assert!(
            usual.first() == Some(&true),
            "{query}: the best hit reads {query}"
        );
        let first_other = usual.iter().position(|u| !u).unwrap_or(usual.len());
        assert!(
            usual[first_other..].iter().all(|u| !u),
            "{query}: a usual-reading match ranks after a rare-reading one: {:?}",
            names(&hits)
        );
    }
}

/// An ID number is one person's in the village on every save — the roster form, the generic
/// record save, an import — not only in the Excel import; the message quotes no number.
#[test]
fn an_id_number_is_used_once_in_the_village_whatever_saves_it() {
    let (_dir, mut s) = store();
    let h = household(&mut s, None, "王五", "");
    let number = valid_id("33059919500506001");
    let number = number.as_str();
    let first = roster::save_resident(
        &mut s,
        &Resident {
            household_id: h.id.clone(),
            name: "王五".into(),
            id_number: number.into(),
            ..Resident::default()
        },
        None,
    )
    .unwrap();
    // Saving the same person again is fine.
    roster::save_resident(&mut s, &first.resident, None).unwrap();
    let twin = Resident {
        household_id: h.id.clone(),
        name: "王六".into(),
        id_number: number.into(),
        ..Resident::default()
    };
    for err in [
        roster::save_resident(&mut s, &twin, None).unwrap_err(),
        s.save(&twin).unwrap_err(),
    ] {
        assert_eq!(err.code(), "id_number_taken", "{err}");
        assert!(!err.to_string().contains("330599"), "{err}");
    }
    assert_eq!(s.list::<Resident>().unwrap().len(), 1);
    // Once the first is deleted, the number is free.
    s.delete::<Resident>(&first.resident.id).unwrap();
    s.save(&twin).unwrap();
}

/// The roster's rules hold for every save, not only for the roster's own commands: the
/// generic record save (what the app's other screens use) cannot put a resident in a household
/// that is gone, a vulnerable record on nobody, or a household in a deleted grid.
#[test]
fn the_generic_save_keeps_the_roster_rules() {
    let (_dir, mut s) = store();
    let grid = s
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let h = s
        .save(&Household {
            head_name: "王五".into(),
            grid_id: Some(grid.id.clone()),
            ..Household::default()
        })
        .unwrap();
    let code = |e: cunan_core::CoreError| e.code().to_string();

    let orphan = Resident {
        household_id: "no-such-household".into(),
        name: "无户".into(),
        ..Resident::default()
    };
    assert_eq!(code(s.save(&orphan).unwrap_err()), "household_missing");
    let nobody = VulnerablePerson {
        resident_id: "no-such-resident".into(),
        ..VulnerablePerson::default()
    };
    assert_eq!(code(s.save(&nobody).unwrap_err()), "resident_missing");

    // A grid deleted after the household joined it does not block other edits…
    s.delete::<Grid>(&grid.id).unwrap();
    let renamed = s
        .save(&Household {
            head_name: "王五（改）".into(),
            ..h.clone()
        })
        .unwrap();
    assert_eq!(renamed.grid_id, Some(grid.id.clone()));
    // …but no household joins a deleted grid.
    let newcomer = Household {
        head_name: "新户".into(),
        grid_id: Some(grid.id.clone()),
        ..Household::default()
    };
    assert_eq!(code(s.save(&newcomer).unwrap_err()), "grid_missing");
    // Nothing of it was written.
    assert_eq!(s.list::<Household>().unwrap().len(), 1);
    assert!(s.list::<Resident>().unwrap().is_empty());
}

/// One masking rule, the core's: the household dialog's residents come masked as the printouts
/// mask them; the vulnerable ledger carries no ID number or phone at all.
#[test]
fn one_masking_rule_and_a_ledger_without_id_numbers() {
    let (_dir, mut s) = store();
    let h = household(&mut s, None, "王五", "");
    let number = valid_id("33059919400101002");
    let entry = roster::save_resident(
        &mut s,
        &Resident {
            household_id: h.id.clone(),
            name: "王老太".into(),
            id_number: number.clone(),
            phone: "13800001234".into(),
            ..Resident::default()
        },
        Some(&VulnerablePerson {
            kind: VulnerableKind::ElderlyAlone,
            ..VulnerablePerson::default()
        }),
    )
    .unwrap();
    assert_eq!(
        entry.id_masked,
        cunan_core::validate::mask_resident_id(&number)
    );
    assert!(entry.id_masked.starts_with("330599") && entry.id_masked.contains("**********"));
    let detail = roster::household_detail(&s, &h.id).unwrap().unwrap();
    assert_eq!(detail.residents[0].id_masked, entry.id_masked);

    let ledger = roster::vulnerable_ledger(&s).unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].name, "王老太");
    assert!(ledger[0].vulnerable.helper_pending());
    let json = serde_json::to_string(&ledger).unwrap();
    assert!(!json.contains(&number[6..14]), "no ID number: {json}");
    assert!(!json.contains("13800001234"), "no phone: {json}");
}
