//! Crash campaigns (issue #12): the real `cunan` binary killed with SIGKILL at random moments
//! while it imports a roster workbook and while it pulls a village's data from the county. After
//! every kill the store must open whole (`PRAGMA integrity_check`), hold every write the command
//! acknowledged, and hold no part of a batch: an import lands whole or not at all, and a pull
//! holds exactly the county's changes up to the cursor it saved.
//!
//! Short by default (CI); longer on demand, with another seed for other kill moments:
//!
//! CRASH_RUNS=300 CRASH_SEED=7 cargo test -p cunan-cli --test crash -- --nocapture

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::*;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::{Resident, Store};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};

fn runs(default: usize) -> usize {
    std::env::var("CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rng() -> Rng {
    Rng(std::env::var("CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_f00d)
        | 1)
}

/// Runs `cunan --db DB ARGS…` and kills it with SIGKILL after `after` unless it ended first;
/// returns (killed, what it printed).
fn run_and_kill(db: &Path, args: &[&str], after: Duration) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cunan"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CUNAN_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cunan");
    let start = Instant::now();
    while start.elapsed() < after {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let killed = child.try_wait().expect("try_wait").is_none();
    if killed {
        child.kill().expect("kill -9");
    }
    let out = child.wait_with_output().expect("output");
    (killed, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Opens the store and checks it is whole.
fn open_whole(db: &Path, run: usize) -> Store {
    let store = Store::open(db).unwrap_or_else(|e| panic!("run {run}: the store opens: {e}"));
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok", "run {run}: integrity");
    store
}

fn ids(store: &Store) -> BTreeSet<String> {
    store
        .list::<Resident>()
        .unwrap()
        .into_iter()
        .map(|r| r.id_number)
        .collect()
}

#[test]
fn kill_9_during_roster_imports_leaves_each_workbook_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "20"]));
    let runs = runs(24);
    let mut rng = rng();
    let (mut killed, mut landed, mut refused) = (0, 0, 0);
    // Kill moments spread over one import's whole time (the first run is not killed; it
    // measures it).
    let mut window = Duration::ZERO;
    for run in 0..runs {
        // Another village's roster each run: new people, so each import adds them all.
        let source = dir.path().join(format!("source-{run}.sqlite3"));
        let (source_store, _) = demo::create(
            &source,
            DemoOptions {
                households: 60,
                seed: 1_000 + run as u64,
                today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            },
        )
        .unwrap();
        let incoming = ids(&source_store);
        drop(source_store);
        let workbook = dir.path().join(format!("roster-{run}.xlsx"));
        ok(&cunan(
            &source,
            &["export", "roster", workbook.to_str().unwrap()],
        ));

        let before = ids(&open_whole(&db, run));
        let new: BTreeSet<&String> = incoming.difference(&before).collect();
        let wait = if run == 0 {
            Duration::from_secs(600)
        } else {
            Duration::from_millis(rng.below(window.as_millis() as u64 + 20))
        };
        let start = Instant::now();
        let (was_killed, said) =
            run_and_kill(&db, &["import", "roster", workbook.to_str().unwrap()], wait);
        // The store grows each run, and with it the import's time: the window follows.
        if !was_killed {
            window = window.max(start.elapsed());
        }
        killed += usize::from(was_killed);
        let after = ids(&open_whole(&db, run));
        let arrived = new.iter().filter(|id| after.contains(id.as_str())).count();
        assert!(
            arrived == 0 || arrived == new.len(),
            "run {run}: half an import ({arrived} of {})",
            new.len()
        );
        assert!(
            before.is_subset(&after),
            "run {run}: people already there were lost"
        );
        if said.contains("已导入") {
            assert_eq!(
                arrived,
                new.len(),
                "run {run}: an acknowledged import was lost"
            );
        }
        if arrived == 0 {
            refused += 1;
        } else {
            landed += 1;
        }
    }
    println!(
        "roster imports: {runs} runs over {} ms each, {killed} killed mid-run, {landed} landed whole, {refused} left nothing",
        window.as_millis()
    );
    assert!(killed > 0, "the campaign killed no run: it tested nothing");
    assert!(
        landed > 0,
        "no import ever finished: the kill window is too short"
    );
}

#[test]
fn kill_9_during_a_pull_keeps_exactly_what_the_saved_cursor_covers() {
    let dir = tempfile::tempdir().unwrap();
    // The county holds a village's data, pushed by its first laptop.
    let first = dir.path().join("first.sqlite3");
    ok(&cunan(&first, &["demo", "--households", "400"]));
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.sqlite3")).unwrap());
    let village = "330599101201";
    let code = storage.add_village(village, "青石村").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    ok(&cunan(
        &first,
        &["enroll", "--server", &server.url(), "--code", &code],
    ));
    ok(&cunan(&first, &["sync"]));
    // The county's order: each change's row, by server_seq.
    let order: Vec<(i64, String, String)> = {
        let conn = rusqlite::Connection::open(dir.path().join("county.sqlite3")).unwrap();
        let mut stmt = conn
            .prepare("SELECT server_seq, table_name, row_id FROM change ORDER BY server_seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(order.len() > 1_500, "several pull pages: {}", order.len());

    // A second laptop, enrolled, nothing pulled yet: each run starts from a copy of it.
    let pristine = dir.path().join("second-pristine.sqlite3");
    {
        let _ = Store::open(&pristine).unwrap();
    }
    let code = storage.add_village(village, "青石村").unwrap();
    ok(&cunan(
        &pristine,
        &["enroll", "--server", &server.url(), "--code", &code],
    ));
    {
        // One file, no WAL beside it, so that a plain copy is the whole store.
        let store = Store::open(&pristine).unwrap();
        store
            .conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let full = {
        let probe = dir.path().join("probe.sqlite3");
        std::fs::copy(&pristine, &probe).unwrap();
        let start = Instant::now();
        ok(&cunan(&probe, &["sync"]));
        start.elapsed()
    };

    let runs = runs(16);
    let mut rng = rng();
    let (mut killed, mut partial) = (0, 0);
    for run in 0..runs {
        let db = dir.path().join(format!("second-{run}.sqlite3"));
        std::fs::copy(&pristine, &db).unwrap();
        let wait = Duration::from_millis(rng.below(full.as_millis() as u64 + 50));
        let (was_killed, said) = run_and_kill(&db, &["sync"], wait);
        killed += usize::from(was_killed);

        let store = open_whole(&db, run);
        let cursor = cunan_core::sync::current_server(&store)
            .unwrap()
            .unwrap()
            .pull_cursor;
        let expected: BTreeSet<(String, String)> = order
            .iter()
            .filter(|(seq, ..)| *seq <= cursor)
            .map(|(_, table, id)| (table.clone(), id.clone()))
            .collect();
        let held: BTreeSet<(String, String)> = cunan_core::sync::live_rows(&store)
            .unwrap()
            .into_keys()
            .collect();
        assert_eq!(
            held.len(),
            expected.len(),
            "run {run}: cursor {cursor}: rows beyond the cursor, or missing below it"
        );
        assert!(held == expected, "run {run}: the rows are the cursor's");
        if said.contains("同步完成") {
            assert_eq!(
                cursor,
                order.last().unwrap().0,
                "run {run}: acknowledged, but not all"
            );
        }
        if cursor > 0 && cursor < order.last().unwrap().0 {
            partial += 1;
        }
        drop(store);
        // And it resumes from there to the end.
        if run % 4 == 0 {
            ok(&cunan(&db, &["sync"]));
            let store = open_whole(&db, run);
            assert_eq!(
                cunan_core::sync::live_rows(&store).unwrap().len(),
                order.len(),
                "run {run}: resumed to the end"
            );
        }
        let _ = std::fs::remove_file(&db);
    }
    println!(
        "pulls: {runs} runs of a {} change pull ({} ms whole), {killed} killed, {partial} stopped between pages",
        order.len(),
        full.as_millis()
    );
    assert!(killed > 0, "the campaign killed no run: it tested nothing");
}
