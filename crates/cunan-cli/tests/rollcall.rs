//! `cunan rollcall …` on a real store: a transfer started over the demo village, households
//! marked, the totals, the incident report counting the people moved; and a kill -9 campaign —
//! the CLI killed at random moments while marking households, many times: the store opens, every
//! mark the CLI acknowledged is there, and no household is half-marked.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{cunan, ok};
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

/// A tiny deterministic generator for the kill moments.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
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
