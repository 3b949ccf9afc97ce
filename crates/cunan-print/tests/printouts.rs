//! Every printout from a real (demo) store, read back with poppler-utils
//! (`pdfinfo`, `pdffonts`, `pdftotext`). These tests fail, not skip, when the
//! tools are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::printouts::{self, Printout, HOUSEHOLD_CARD_COPIES};
use cunan_core::{Household, Resident, Store};
use cunan_print::{check_glyphs, render, PrintError};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
}

/// Rare-character names, and a danger-zone household of them.
const RARE_NAMES: [&str; 6] = ["王𠮷", "李堃", "张喆", "赵赟", "陈玥", "刘䶮"];

/// A demo village with one more household in the danger zone whose members
/// have rare characters in their names.
fn village(dir: &Path, households: usize) -> Store {
    let (mut store, _) = demo::create(
        &dir.join("v.sqlite3"),
        DemoOptions {
            households,
            seed: 3,
            today: today(),
        },
    )
    .expect("demo village");
    let grid = store
        .list::<cunan_core::Grid>()
        .expect("grids")
        .into_iter()
        .next()
        .map(|g| g.id);
    let h = store
        .save(&Household {
            grid_id: grid,
            head_name: RARE_NAMES[0].into(),
            address: "青石村1组𠮷家弄8号".into(),
            phone: "13800001111".into(),
            house_type: "砖混".into(),
            in_danger_zone: true,
            ..Household::default()
        })
        .expect("household");
    for (i, name) in RARE_NAMES.iter().enumerate() {
        store
            .save(&Resident {
                household_id: h.id.clone(),
                name: (*name).into(),
                relation: if i == 0 { "户主" } else { "子" }.into(),
                gender: "男".into(),
                birth_date: NaiveDate::from_ymd_opt(1990, 1, 1),
                // One number per person: the store refuses a number used twice.
                id_number: {
                    let first17 = format!("110105194912310{i:02}");
                    let check = cunan_core::validate::resident_id_check_char(&first17).unwrap();
                    format!("{first17}{check}")
                },
                ..Resident::default()
            })
            .expect("resident");
    }
    store
}

fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(pdf);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): install poppler-utils (apt-get install -y poppler-utils)"
        )
    });
    assert!(
        out.status.success(),
        "`{tool}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler output is UTF-8")
}

fn write(dir: &Path, name: &str, printout: &Printout) -> PathBuf {
    let bytes = render(printout).unwrap_or_else(|e| panic!("{name}: {} {e}", e.code()));
    assert!(bytes.starts_with(b"%PDF-"), "{name}: not a PDF");
    let path = dir.join(name);
    std::fs::write(&path, &bytes).expect("write PDF");
    // To look at them: CUNAN_PRINT_DUMP=/some/dir cargo test -p cunan-print
    if let Some(keep) = std::env::var_os("CUNAN_PRINT_DUMP") {
        std::fs::write(Path::new(&keep).join(name), &bytes).expect("dump PDF");
    }
    path
}

fn pages(pdf: &Path) -> usize {
    poppler("pdfinfo", &[], pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages")
}

/// Per page, the text with whitespace removed.
fn page_texts(pdf: &Path) -> Vec<String> {
    let raw = poppler("pdftotext", &["-raw", "-enc", "UTF-8"], pdf);
    let mut out: Vec<String> = raw.split('\u{c}').map(squash).collect();
    if out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every font embedded, as a subset, with a ToUnicode map; returns the names.
fn assert_subset_fonts(pdf: &Path) -> Vec<String> {
    let fonts = poppler("pdffonts", &[], pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    rows.iter()
        .map(|row| {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(
                (cols[n - 5], cols[n - 4], cols[n - 3]),
                ("yes", "yes", "yes"),
                "{row}"
            );
            assert!(cols[0].contains('+'), "not a subset: {row}");
            cols[0].to_owned()
        })
        .collect()
}

/// No 18-character resident ID (17 digits + digit or X) anywhere in `text`.
fn assert_no_full_id(text: &str, what: &str) {
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(18) {
        let id = w[..17].iter().all(char::is_ascii_digit)
            && (w[17].is_ascii_digit() || w[17] == 'X' || w[17] == 'x');
        assert!(!id, "{what}: unmasked ID {}", w.iter().collect::<String>());
    }
}

fn all_ids(store: &Store) -> Vec<String> {
    store
        .list::<Resident>()
        .expect("residents")
        .into_iter()
        .map(|r| r.id_number)
        .filter(|id| !id.is_empty())
        .collect()
}

#[test]
fn household_cards_one_sheet_per_threatened_household_three_labelled_copies() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = village(dir.path(), 200);
    let cards = printouts::household_cards(&store, today()).expect("cards");
    assert!(cards.cards.len() >= 10, "{}", cards.cards.len());
    let pdf = write(
        dir.path(),
        "hh.pdf",
        &Printout::HouseholdCards(cards.clone()),
    );
    assert_eq!(pages(&pdf), cards.cards.len());
    let fonts = assert_subset_fonts(&pdf);
    // The rare-character household needs the fallback face: both embedded.
    assert_eq!(fonts.len(), 2, "{fonts:?}");
    assert!(fonts.iter().any(|f| f.contains("NotoSansSC")), "{fonts:?}");
    assert!(fonts.iter().any(|f| f.contains("RareSubset")), "{fonts:?}");

    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), cards.cards.len());
    for (card, text) in cards.cards.iter().zip(&texts) {
        for label in HOUSEHOLD_CARD_COPIES {
            assert_eq!(
                text.matches(label).count(),
                // "户主留存" must not be counted inside another label.
                1,
                "copy label {label} on {}'s sheet:\n{text}",
                card.head_name
            );
        }
        assert_eq!(text.matches("避险明白卡").count(), 3, "{text}");
        assert_eq!(
            text.matches(&squash(&format!("户主{}", card.head_name)))
                .count(),
            3,
            "{text}"
        );
        assert_eq!(text.matches("户主签字").count(), 3, "{text}");
        for needle in [&card.phone, &card.house_type, &card.serial] {
            assert!(
                text.contains(&squash(needle)),
                "{needle:?} missing:\n{text}"
            );
        }
        for m in &card.members {
            assert!(
                text.contains(&squash(&m.name)),
                "member {}:\n{text}",
                m.name
            );
        }
        assert!(text.contains(&squash(&card.warning_signal)), "{text}");
        assert_no_full_id(text, "household card");
    }
    // Every threatened household has its card: in the danger zone or linked.
    let threatened: Vec<Household> = store
        .list::<Household>()
        .expect("households")
        .into_iter()
        .filter(|h| {
            h.in_danger_zone
                || !store
                    .query::<cunan_core::HouseholdHazard>(
                        "deleted = 0 AND household_id = ?1",
                        &[&h.id],
                    )
                    .expect("links")
                    .is_empty()
        })
        .collect();
    assert_eq!(threatened.len(), cards.cards.len());
    // The rare names print as themselves.
    let rare = texts
        .iter()
        .find(|t| t.contains("𠮷家弄"))
        .expect("the rare-name household has its card");
    for name in RARE_NAMES {
        assert!(rare.matches(name).count() >= 3, "{name}:\n{rare}");
    }
    let full = texts.concat();
    for id in all_ids(&store) {
        assert!(!full.contains(&id), "ID {id} printed");
    }
}

#[test]
fn grid_sheets_paginate_with_headers_page_numbers_and_masked_ids() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = village(dir.path(), 300);
    let sheets = printouts::grid_sheets(&store, None, today()).expect("sheets");
    let pdf = write(
        dir.path(),
        "grid.pdf",
        &Printout::GridSheets(sheets.clone()),
    );
    assert_subset_fonts(&pdf);
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), pages(&pdf));
    assert!(
        texts.len() > sheets.sheets.len(),
        "some sheets need more than a page"
    );

    // Page numbers restart per sheet and count to the sheet's total; the
    // column header is on every page.
    let mut i = 0;
    for sheet in &sheets.sheets {
        let first = &texts[i];
        let total = (1..=99)
            .find(|n| first.contains(&format!("第1页/共{n}页")))
            .unwrap_or_else(|| panic!("no page number on {}:\n{first}", sheet.grid_name));
        for p in 1..=total {
            let text = &texts[i + p - 1];
            assert!(text.contains(&format!("第{p}页/共{total}页")), "{text}");
            assert!(
                text.contains("身份证号（已遮盖）"),
                "header on page {p}:\n{text}"
            );
            assert!(text.contains(&squash(&sheet.grid_name)), "{text}");
            assert_no_full_id(text, "grid sheet");
        }
        let all: String = texts[i..i + total].concat();
        for h in &sheet.households {
            for r in &h.residents {
                assert!(all.contains(&squash(&r.name)), "{} missing", r.name);
                assert!(all.contains(&r.id_masked), "{} missing", r.id_masked);
                if let Some(helper) = &r.helper {
                    assert!(all.contains(&squash(helper)), "helper {helper} missing");
                }
            }
        }
        i += total;
    }
    assert_eq!(i, texts.len());
    let full = texts.concat();
    for name in RARE_NAMES {
        assert!(full.contains(name), "{name} missing");
    }
    for id in all_ids(&store) {
        assert!(!full.contains(&id), "ID {id} printed");
    }
}

#[test]
fn kit_and_contacts_sheets_read_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = village(dir.path(), 60);
    let kit = printouts::kit_sheet(&store, today()).expect("kit");
    let pdf = write(dir.path(), "kit.pdf", &Printout::KitSheet(kit.clone()));
    assert_eq!(pages(&pdf), 1);
    let fonts = assert_subset_fonts(&pdf);
    assert_eq!(fonts.len(), 1, "no fallback needed: {fonts:?}");
    let text = page_texts(&pdf).concat();
    for line in &kit.lines {
        assert!(text.contains(&squash(&line.name)), "{} missing", line.name);
        assert!(text.contains(&line.next_due), "{}", line.next_due);
    }
    for needle in ["检查人", "第1页/共1页", "上次检查", "下次检查"] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }

    let contacts = printouts::contacts_sheet(&store, today()).expect("contacts");
    let pdf = write(
        dir.path(),
        "contacts.pdf",
        &Printout::ContactsSheet(contacts.clone()),
    );
    assert_subset_fonts(&pdf);
    let text = page_texts(&pdf).concat();
    for g in &contacts.groups {
        for e in &g.entries {
            assert!(text.contains(&e.phone), "{} missing", e.phone);
        }
    }
    for needle in ["110", "119", "120", "0572-5012110", "B岗"] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    assert_no_full_id(&text, "contacts");
}

/// Every phone number of the roster (residents and households).
fn all_phones(store: &Store) -> Vec<String> {
    let mut out: Vec<String> = store
        .list::<Resident>()
        .expect("residents")
        .into_iter()
        .map(|r| r.phone)
        .collect();
    out.extend(
        store
            .list::<Household>()
            .expect("households")
            .into_iter()
            .map(|h| h.phone),
    );
    out.retain(|p| !p.trim().is_empty());
    out
}

#[test]
fn sign_in_sheets_start_each_grid_on_a_page_list_every_resident_and_no_ids_or_phones() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = village(dir.path(), 120);
    let sheets = printouts::sign_in_sheets(&store, None, None, today()).expect("sheets");
    let residents = store.list::<Resident>().expect("residents").len();
    assert_eq!(
        sheets
            .sheets
            .iter()
            .map(|s| s.resident_count)
            .sum::<usize>(),
        residents,
        "every resident is on a sheet"
    );
    let pdf = write(
        dir.path(),
        "signin.pdf",
        &Printout::SignInSheets(sheets.clone()),
    );
    assert_subset_fonts(&pdf);
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(
        info.contains("595.") && info.contains("841."),
        "A4:\n{info}"
    );
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), pages(&pdf));
    assert!(texts.len() >= sheets.sheets.len());

    let mut i = 0;
    for sheet in &sheets.sheets {
        let first = &texts[i];
        // Each grid starts a page of its own, with the title, the village and the lines to fill.
        for needle in [
            "预案宣传教育签到表",
            "青石村",
            "日期：",
            "宣讲人：",
            "地点：",
            "宣传主题：",
        ] {
            assert!(
                first.contains(needle),
                "{needle} on {}:\n{first}",
                sheet.grid_name
            );
        }
        assert!(first.contains(&squash(&sheet.grid_name)), "{first}");
        let total = (1..=99)
            .find(|n| first.contains(&format!("第1页/共{n}页")))
            .unwrap_or_else(|| panic!("no page number on {}:\n{first}", sheet.grid_name));
        for p in 1..=total {
            let text = &texts[i + p - 1];
            assert!(text.contains(&format!("第{p}页/共{total}页")), "{text}");
            // The table header, with the column to sign, is on every page.
            assert!(
                text.contains("签名") && text.contains("上次受教育"),
                "{text}"
            );
            assert!(text.contains(&squash(&sheet.grid_name)), "{text}");
            assert_no_full_id(text, "sign-in sheet");
        }
        let all: String = texts[i..i + total].concat();
        for h in &sheet.households {
            assert!(
                all.contains(&squash(&format!("户主{}", h.head_name))),
                "{}",
                h.head_name
            );
            for r in &h.residents {
                assert!(all.contains(&squash(&r.name)), "{} missing", r.name);
            }
        }
        assert!(
            all.contains("宣讲人签字"),
            "the signature lines close the sheet"
        );
        i += total;
    }
    assert_eq!(i, texts.len(), "no page without its grid");
    let full = texts.concat();
    for name in RARE_NAMES {
        assert!(full.contains(name), "{name} missing");
    }
    // The demo's sign-ins show: this year's session date on the first grids' sheets.
    let taught: usize = sheets.sheets.iter().map(|s| s.taught_count).sum();
    assert!(taught > 0, "the demo has people taught");
    for id in all_ids(&store) {
        assert!(!full.contains(&id), "ID {id} printed");
    }
    for phone in all_phones(&store) {
        assert!(!full.contains(&phone), "a phone number is printed");
    }
}

#[test]
fn a_sign_in_sheet_for_one_session_and_grid_prints_the_session() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = village(dir.path(), 60);
    let session = store
        .save(&cunan_core::EducationSession {
            date: NaiveDate::from_ymd_opt(2026, 6, 8).expect("date"),
            topic: "汛前防汛防台预案宣讲暨转移避险演示".into(),
            taught_by: "溪口镇应急办 周明".into(),
            place: "村文化礼堂".into(),
            ..Default::default()
        })
        .expect("session");
    let sheets = printouts::sign_in_sheets(&store, Some("第1网格"), Some(&session.id), today())
        .expect("sheets");
    assert_eq!(sheets.sheets.len(), 1);
    let pdf = write(
        dir.path(),
        "signin-session.pdf",
        &Printout::SignInSheets(sheets.clone()),
    );
    let full = page_texts(&pdf).concat();
    for needle in [
        "2026-06-08",
        "汛前防汛防台预案宣讲暨转移避险演示",
        "溪口镇应急办周明",
        "村文化礼堂",
        "第1网格",
    ] {
        assert!(full.contains(needle), "{needle} missing:\n{full}");
    }
    assert!(!full.contains("第2网格"), "{full}");

    // An unknown grid or session is refused with the core's message.
    let err = printouts::sign_in_sheets(&store, Some("第99网格"), None, today())
        .expect_err("no such grid");
    assert_eq!(err.code(), "not_found");
    let err = printouts::sign_in_sheets(&store, None, Some("no-such-session"), today())
        .expect_err("no such session");
    assert!(err.to_string().contains("宣传教育活动"), "{err}");
}

#[test]
fn missing_glyphs_are_reported_before_printing() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = village(dir.path(), 20);
    let mut cards = printouts::household_cards(&store, today()).expect("cards");
    cards.cards[0].route = "经𠮷家桥往东😀，再过\u{E000}".into();
    let printout = Printout::HouseholdCards(cards);
    for result in [
        check_glyphs(&printout).map(|_| Vec::new()),
        render(&printout),
    ] {
        match result {
            Err(PrintError::MissingGlyphs { chars }) => {
                assert_eq!(chars, vec!['😀', '\u{E000}'])
            }
            other => panic!("expected MissingGlyphs, got {other:?}"),
        }
    }
    let fine = printouts::kit_sheet(&store, today()).expect("kit");
    assert!(check_glyphs(&Printout::KitSheet(fine)).is_ok());
}

#[test]
fn a_household_too_big_for_a_third_of_a_page_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = village(dir.path(), 20);
    let mut cards = printouts::household_cards(&store, today()).expect("cards");
    let card = &mut cards.cards[0];
    card.threats = (1..=30)
        .map(|i| format!("第{i}号隐患点：后山坡脚至溪边低洼处一带，汛期易发生滑坡、泥石流和内涝"))
        .collect();
    let head = card.head_name.clone();
    match render(&Printout::HouseholdCards(cards)) {
        Err(e @ PrintError::TooLong { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains(&head), "{msg}");
            assert!(msg.contains("威胁隐患"), "{msg}");
            assert!(msg.contains("请精简"), "{msg}");
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
}

/// A whole-village flood transfer of `store` (3 grids): the first grid marked down to about 40
/// people not yet safe (the rare-name household among them), the second not marked at all, the
/// third all moved. Returns the sheets and the names of the people moved.
fn evacuation(store: &mut Store) -> (printouts::NotSafeSheets, Vec<String>) {
    use cunan_core::rollcall::{self, Mark, MarkInput, TransferOrder};
    let event = rollcall::start(
        store,
        &TransferOrder {
            hazard: Some(cunan_core::HazardKind::Flood),
            level: "orange".into(),
            reason: "青石溪水位超警戒".into(),
            ..TransferOrder::default()
        },
    )
    .expect("start")
    .id;
    let call = rollcall::roll_call(store, &event).expect("roll call");
    let grids = store.list::<cunan_core::Grid>().expect("grids");
    let mut households: Vec<(&str, Vec<String>)> = Vec::new();
    for p in call
        .people
        .iter()
        .filter(|p| p.grid_id.as_ref() == Some(&grids[0].id))
    {
        match households.last_mut() {
            Some((h, ids)) if *h == p.household_id => ids.push(p.resident_id.clone()),
            _ => households.push((&p.household_id, vec![p.resident_id.clone()])),
        }
    }
    let mut kept = 0;
    let mut moved: Vec<String> = Vec::new();
    for (_, ids) in &households {
        if kept + ids.len() <= 40 {
            kept += ids.len();
        } else {
            moved.extend(ids.iter().cloned());
        }
    }
    moved.extend(
        call.people
            .iter()
            .filter(|p| p.grid_id.as_ref() == Some(&grids[2].id))
            .map(|p| p.resident_id.clone()),
    );
    let input = MarkInput {
        status: Mark::Moved,
        marked_by: "网格员".into(),
        ..MarkInput::default()
    };
    rollcall::mark(store, &event, &moved, &input).expect("moved");
    let names = call
        .people
        .iter()
        .filter(|p| moved.contains(&p.resident_id))
        .map(|p| p.name.clone())
        .collect();
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T21:30:00+08:00").expect("time");
    let sheets = printouts::not_safe_sheets(store, &event, None, now).expect("sheets");
    (sheets, names)
}

#[test]
fn not_safe_sheets_one_page_per_normal_grid_a_long_grid_runs_on_with_its_header() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = village(dir.path(), 150);
    let (sheets, moved) = evacuation(&mut store);
    let names: Vec<&str> = sheets.sheets.iter().map(|s| s.grid_name.as_str()).collect();
    assert_eq!(
        names,
        ["第1网格", "第2网格"],
        "the grid all moved has no sheet"
    );
    let short = &sheets.sheets[0];
    assert!(
        (30..=40).contains(&short.people().count()),
        "{}",
        short.people().count()
    );
    assert!(sheets.sheets[1].people().count() > 100);

    let pdf = write(
        dir.path(),
        "notsafe.pdf",
        &Printout::NotSafeSheets(sheets.clone()),
    );
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(
        info.contains("595.") && info.contains("841."),
        "A4:\n{info}"
    );
    // The rare-name household is on the first grid's sheet: both faces embedded.
    assert_eq!(assert_subset_fonts(&pdf).len(), 2);
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), pages(&pdf));
    // About 40 people fit one page; the long grid runs on.
    assert!(texts[0].contains("第1页/共1页"), "{}", texts[0]);
    let long = texts.len() - 1;
    assert!(long > 1, "the long grid takes several pages");
    for (p, text) in texts.iter().enumerate() {
        let (grid, page, total) = if p == 0 {
            ("第1网格", 1, 1)
        } else {
            ("第2网格", p, long)
        };
        assert!(text.contains(&format!("第{page}页/共{total}页")), "{text}");
        // Each grid's header, with the columns, on every page; "（续）" on the later ones.
        assert!(text.contains(&format!("{grid}未转移人员名单")), "{text}");
        assert!(
            text.contains("转移情况") && text.contains("已转移"),
            "{text}"
        );
        assert_eq!(text.contains("（续）"), page > 1, "{text}");
        assert_no_full_id(text, "not-safe sheet");
    }
    // The first page of each grid: the transfer, the grid member to call, the totals.
    for (text, sheet) in [
        (&texts[0], &sheets.sheets[0]),
        (&texts[1], &sheets.sheets[1]),
    ] {
        for needle in [
            "防汛防台",
            "橙色预警",
            "转移原因：青石溪水位超警戒",
            "截至2026-06-0121:30",
            "负责网格员",
            &squash(&sheet.grid_member),
            "应转移",
            "未转移",
        ] {
            assert!(
                text.contains(needle),
                "{needle} on {}:\n{text}",
                sheet.grid_name
            );
        }
        assert!(
            text.contains(&format!("{}人", sheet.totals.not_moved.people)),
            "{text}"
        );
    }
    let sheet_text = |i: usize| -> String {
        if i == 0 {
            texts[0].clone()
        } else {
            texts[1..].concat()
        }
    };
    for (i, sheet) in sheets.sheets.iter().enumerate() {
        let all = sheet_text(i);
        for h in &sheet.households {
            assert!(all.contains(&squash(&h.phone)), "{} missing", h.phone);
            for p in &h.people {
                assert!(all.contains(&squash(&p.name)), "{} missing", p.name);
                if let Some(helper) = &p.helper {
                    assert!(all.contains(&squash(helper)), "helper {helper} missing");
                }
            }
        }
        assert!(all.contains("待转移"));
    }
    // A person moved is not on the sheets (unless the name is printed as someone else's: a
    // namesake, a household's head, a helper, the grid member).
    let printed: Vec<&str> = sheets
        .sheets
        .iter()
        .flat_map(|s| {
            s.households
                .iter()
                .flat_map(|h| {
                    h.people
                        .iter()
                        .flat_map(|p| [Some(p.name.as_str()), p.helper.as_deref()])
                        .chain([Some(h.head_name.as_str())])
                })
                .chain([Some(s.grid_member.as_str())])
        })
        .flatten()
        .collect();
    let full = texts.concat();
    let gone: Vec<&String> = moved
        .iter()
        .filter(|n| !printed.iter().any(|p| p.contains(n.as_str())))
        .collect();
    assert!(gone.len() > 50, "{}", gone.len());
    for name in gone {
        assert!(!full.contains(&squash(name)), "{name} is safe, yet listed");
    }
    for name in RARE_NAMES {
        assert!(texts[0].contains(name), "{name} missing");
    }
    for id in all_ids(&store) {
        assert!(!full.contains(&id), "ID {id} printed");
    }
}

#[test]
fn not_safe_sheets_with_everyone_safe_print_one_page_saying_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut store = village(dir.path(), 150);
    let (mut sheets, _) = evacuation(&mut store);
    sheets.sheets.clear();
    let pdf = write(dir.path(), "allsafe.pdf", &Printout::NotSafeSheets(sheets));
    assert_eq!(pages(&pdf), 1);
    assert!(page_texts(&pdf)[0].contains("都已安全"));
}
