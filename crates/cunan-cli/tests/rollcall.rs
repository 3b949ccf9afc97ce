//! `cunan rollcall …` on a real store: a transfer started over the demo village, households
//! marked, the totals, the incident report counting the people moved, the not-yet-safe sheets
//! printed and read back; and a kill -9 campaign —
//! the CLI killed at random moments while marking households, many times: the store opens, every
//! mark the CLI acknowledged is there, and no household is half-marked.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{cunan, ok, Rng};
use cunan_core::rollcall::Mark;
use cunan_core::{EvacuationStatus, Store};

/// The id the CLI printed after `label`, e.g. 转移编号：.
fn printed_id(said: &str, label: &str) -> String {
    said.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("{label} is printed: {said}"))
        .trim()
        .to_string()
}

fn event_id(said: &str) -> String {
    printed_id(said, "转移编号：")
}

fn statuses(db: &std::path::Path, event: &str) -> Vec<EvacuationStatus> {
    let store = Store::open(db).expect("the store opens");
    store
        .query::<EvacuationStatus>("event_id = ?1", &[&event])
        .expect("statuses")
}

#[test]
fn a_transfer_is_marked_household_by_household_and_counted_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "20"]));
    let said = ok(&cunan(
        &db,
        &[
            "incident",
            "start",
            "--hazard",
            "flood",
            "--place",
            "青石溪沿岸",
        ],
    ));
    let incident = printed_id(&said, "事件编号：");
    let said = ok(&cunan(
        &db,
        &[
            "rollcall",
            "start",
            "--level",
            "red",
            "--incident",
            &incident,
            "--by",
            "潘宇航",
        ],
    ));
    let event = event_id(&said);
    let rows = statuses(&db, &event);
    assert!(
        rows.len() >= 20,
        "everyone of the 20 households is on the list"
    );
    assert!(
        said.contains(&format!("应转移 {} 人", rows.len())),
        "{said}"
    );

    let mut households: Vec<String> = rows.iter().filter_map(|s| s.household_id.clone()).collect();
    households.dedup();
    let first = &households[0];
    let in_first = rows
        .iter()
        .filter(|s| s.household_id.as_ref() == Some(first))
        .count();
    let said = ok(&cunan(
        &db,
        &[
            "rollcall",
            "mark",
            &event,
            "--household",
            first,
            "--status",
            "已转移",
            "--by",
            "网格员",
        ],
    ));
    assert!(
        said.contains(&format!("已标记 {in_first} 人：已转移")),
        "{said}"
    );
    let someone = rows
        .iter()
        .find(|s| s.household_id.as_ref() != Some(first))
        .unwrap()
        .resident_id
        .clone();
    let refused = cunan(
        &db,
        &[
            "rollcall",
            "mark",
            &event,
            "--person",
            &someone,
            "--status",
            "with-relatives",
        ],
    );
    assert!(!refused.status.success(), "投亲靠友 needs with whom");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("投靠的亲友"));
    ok(&cunan(
        &db,
        &[
            "rollcall",
            "mark",
            &event,
            "--person",
            &someone,
            "--status",
            "投亲靠友",
            "--with",
            "镇上女儿家",
        ],
    ));
    let shown = ok(&cunan(&db, &["rollcall", "show", &event, "--not-safe"]));
    assert!(
        !shown.contains(&someone),
        "a safe person is not on the not-safe list"
    );
    assert!(
        shown.contains(&format!("已转移 {} 人", in_first + 1)),
        "{shown}"
    );

    // The report counts the people moved when no number is given.
    let said = ok(&cunan(
        &db,
        &["incident", "report", &incident, "--reporter", "潘宇航"],
    ));
    assert!(
        said.contains(&format!("转移{}人", in_first + 1)),
        "the SMS says the people moved: {said}"
    );

    let said = ok(&cunan(&db, &["rollcall", "end", &event]));
    assert!(said.contains("已解除"));
    let late = cunan(
        &db,
        &[
            "rollcall", "mark", &event, "--person", &someone, "--status", "returned",
        ],
    );
    assert!(!late.status.success());
    assert!(String::from_utf8_lossy(&late.stderr).contains("已经解除"));
}

#[test]
fn kill_9_while_marking_loses_no_acknowledged_mark_and_leaves_no_half_household() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "60"]));
    let event = event_id(&ok(&cunan(&db, &["rollcall", "start"])));
    let mut households: Vec<String> = statuses(&db, &event)
        .iter()
        .filter_map(|s| s.household_id.clone())
        .collect();
    households.sort();
    households.dedup();

    let runs = 40;
    let mut rng = Rng(0x5eed_cafe);
    let mut acknowledged: Vec<String> = Vec::new();
    let mut killed = 0;
    for run in 0..runs {
        // Each run marks three households in one command; kill it somewhere between 0 and 40 ms.
        let batch: Vec<&String> = (0..3)
            .map(|i| &households[(run * 3 + i) % households.len()])
            .collect();
        let mut args = vec!["--db".to_string(), db.display().to_string()];
        args.extend(["rollcall", "mark", &event, "--status", "moved"].map(String::from));
        for h in &batch {
            args.push("--household".into());
            args.push(h.to_string());
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_cunan"))
            .args(&args)
            .env_remove("CUNAN_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn cunan");
        let wait = Duration::from_millis(rng.below(40));
        let start = Instant::now();
        while start.elapsed() < wait {
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("kill -9");
            killed += 1;
        }
        let out = child.wait_with_output().expect("output");
        if String::from_utf8_lossy(&out.stdout).contains("已标记") {
            acknowledged.extend(batch.iter().map(|h| h.to_string()));
        }

        // After every run: the store opens, is whole, and each household is all or nothing.
        let store = Store::open(&db).expect("the store opens after kill -9");
        let check: String = store
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(check, "ok", "run {run}");
        drop(store);
        let rows = statuses(&db, &event);
        let mut by_household: HashMap<&str, (usize, usize)> = HashMap::new();
        for s in &rows {
            let e = by_household
                .entry(s.household_id.as_deref().unwrap_or(""))
                .or_default();
            e.0 += 1;
            e.1 += usize::from(s.status == Mark::Moved);
        }
        for h in &batch {
            let (all, moved) = by_household[h.as_str()];
            assert!(
                moved == 0 || moved == all,
                "run {run}: household half-marked ({moved}/{all})"
            );
        }
        for h in &acknowledged {
            let (all, moved) = by_household[h.as_str()];
            assert_eq!(moved, all, "run {run}: an acknowledged mark was lost");
        }
    }
    println!(
        "{runs} runs, {killed} killed mid-run, {} households acknowledged",
        acknowledged.len()
    );
    assert!(killed > 0, "the campaign killed no run: it tested nothing");
}

/// The county receives the roll call with a sync and counts it with the village's own rule.
#[test]
fn the_county_sees_the_roll_call_totals_of_an_incident() {
    use cunan_county::incidents::incidents;
    use cunan_county::{CountyStorage, SqliteStorage, TestServer};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "15"]));
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.sqlite3")).unwrap());
    let code = storage.add_village("330599101201", "青石村").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    ok(&cunan(
        &db,
        &["enroll", "--server", &server.url(), "--code", &code],
    ));
    let said = ok(&cunan(
        &db,
        &[
            "incident",
            "start",
            "--hazard",
            "flood",
            "--place",
            "溪口桥",
        ],
    ));
    let incident = printed_id(&said, "事件编号：");
    let event = event_id(&ok(&cunan(
        &db,
        &["rollcall", "start", "--incident", &incident],
    )));
    let rows = statuses(&db, &event);
    let first = rows[0].household_id.clone().unwrap();
    let in_first = rows
        .iter()
        .filter(|s| s.household_id.as_ref() == Some(&first))
        .count();
    ok(&cunan(
        &db,
        &[
            "rollcall",
            "mark",
            &event,
            "--household",
            &first,
            "--status",
            "moved",
        ],
    ));
    ok(&cunan(&db, &["sync"]));

    let list = incidents(storage.as_ref(), chrono::Utc::now(), true).unwrap();
    assert_eq!(list.len(), 1);
    let totals = list[0]
        .roll_call
        .as_ref()
        .expect("the roll call reached the county");
    assert_eq!(totals.listed.people, rows.len() as i64);
    assert_eq!(totals.moved.people, in_first as i64);
    assert_eq!(totals.not_moved.people, (rows.len() - in_first) as i64);
    let vulnerable = rows.iter().filter(|s| s.vulnerable).count() as i64;
    assert_eq!(totals.listed.vulnerable, vulnerable);
}

/// A household of one in `grid`, with a name no one else in the demo has (and an ID number,
/// never to be printed).
fn household_of_one(db: &std::path::Path, grid: &str, name: &str, seq: u32) -> String {
    let mut store = Store::open(db).expect("the store opens");
    let h = store
        .save(&cunan_core::Household {
            grid_id: Some(grid.to_string()),
            head_name: name.into(),
            address: "青石村9组1号".into(),
            phone: "13900009999".into(),
            ..cunan_core::Household::default()
        })
        .expect("household");
    store
        .save(&cunan_core::Resident {
            household_id: h.id.clone(),
            name: name.into(),
            relation: "户主".into(),
            id_number: common::id_number("19500101", seq),
            ..cunan_core::Resident::default()
        })
        .expect("resident");
    h.id
}

fn pdf_pages(pdf: &std::path::Path) -> usize {
    common::poppler("pdfinfo", pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("Pages")
}

fn has_full_id(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(18).any(|w| {
        w[..17].iter().all(char::is_ascii_digit) && (w[17].is_ascii_digit() || w[17] == 'X')
    })
}

#[test]
fn the_not_safe_sheets_print_a_page_per_grid_with_who_is_still_to_move() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "100"]));
    let grids = Store::open(&db)
        .unwrap()
        .list::<cunan_core::Grid>()
        .unwrap();
    assert_eq!(grids.len(), 2);
    let safe = household_of_one(&db, &grids[0].id, "欧阳安全", 991);
    let stays = household_of_one(&db, &grids[1].id, "司马未走", 992);
    let event = event_id(&ok(&cunan(&db, &["rollcall", "start", "--level", "red"])));

    // Each grid marked down to about 30 people still to move; 欧阳安全 moved, 司马未走 refuses.
    let rows = statuses(&db, &event);
    let mut marks = vec![
        "rollcall",
        "mark",
        &event,
        "--status",
        "已转移",
        "--by",
        "网格员",
    ];
    let mut kept: HashMap<&str, usize> = HashMap::new();
    let mut households: Vec<(&str, &str, usize)> = Vec::new();
    for s in &rows {
        let (h, g) = (
            s.household_id.as_deref().unwrap(),
            s.grid_id.as_deref().unwrap(),
        );
        match households.iter_mut().find(|x| x.0 == h) {
            Some(x) => x.2 += 1,
            None => households.push((h, g, 1)),
        }
    }
    for (h, g, n) in &households {
        let k = kept.entry(g).or_default();
        if *h == stays || (*h != safe && *k + n <= 30) {
            *k += n;
        } else {
            marks.extend(["--household", h]);
        }
    }
    ok(&cunan(&db, &marks));
    ok(&cunan(
        &db,
        &[
            "rollcall",
            "mark",
            &event,
            "--household",
            &stays,
            "--status",
            "refused",
        ],
    ));

    let pdf = dir.path().join("未转移.pdf");
    let said = ok(&cunan(
        &db,
        &["rollcall", "print", &event, "--out", pdf.to_str().unwrap()],
    ));
    assert!(
        said.contains("已生成未转移人员名单（全部网格，2 份，未转移"),
        "{said}"
    );
    assert_eq!(pdf_pages(&pdf), 2, "one page per grid");
    let info = common::poppler("pdfinfo", &pdf);
    assert!(info.contains("(A4)"), "{info}");
    let fonts = common::poppler("pdffonts", &pdf);
    for row in fonts.lines().skip(2) {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "{row}");
    }
    let raw = common::poppler("pdftotext", &pdf);
    assert!(!has_full_id(&raw), "an ID number is printed");
    let text = common::squeeze(&raw);
    for needle in [
        "第1网格未转移人员名单",
        "第2网格未转移人员名单",
        "红色预警",
        "司马未走",
        "拒绝转移",
        "待转移",
        "负责网格员",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    assert!(!text.contains("欧阳安全"), "a person moved is not listed");

    // One grid; everyone safe; an unknown grid.
    let one = dir.path().join("第2网格.pdf");
    ok(&cunan(
        &db,
        &[
            "rollcall",
            "print",
            &event,
            "--grid",
            "第2网格",
            "--out",
            one.to_str().unwrap(),
        ],
    ));
    assert_eq!(pdf_pages(&one), 1);
    let text = common::squeeze(&common::poppler("pdftotext", &one));
    assert!(
        text.contains("司马未走") && !text.contains("第1网格"),
        "{text}"
    );
    let unknown = cunan(
        &db,
        &[
            "rollcall",
            "print",
            &event,
            "--grid",
            "第9网格",
            "--out",
            one.to_str().unwrap(),
        ],
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("网格"));

    let mut all = vec!["rollcall", "mark", &event, "--status", "moved"];
    for (h, _, _) in &households {
        all.extend(["--household", h]);
    }
    ok(&cunan(&db, &all));
    let none = dir.path().join("none.pdf");
    let refused = cunan(
        &db,
        &["rollcall", "print", &event, "--out", none.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("nothing_to_print") && err.contains("都已安全"),
        "{err}"
    );
    assert!(!none.exists(), "nothing written");
}
