//! The background sync worker against a real county server on loopback (no window): it
//! syncs at once when enrolled, reports progress, backs off quietly while the county is down,
//! syncs by itself when the county comes back, and stops retrying on a revoked token.
//!
//! `sync_worker_offline_cost` (ignored; run with `--ignored --nocapture`) measures the worker
//! with the production settings while the county is down: attempts and CPU time.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cunan_app_api::worker::{
    SyncEvent, SyncPhase, SyncStage, SyncStatusView, SyncWorker, WorkerConfig,
};
use cunan_core::clock::SystemClock;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::{KitItem, Store};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use cunan_sync::{Backoff, SyncClient};

type Statuses = Arc<Mutex<Vec<SyncStatusView>>>;

struct Setup {
    _dir: tempfile::TempDir,
    store: Store,
    storage: Arc<SqliteStorage>,
    server: TestServer,
    code: String,
}

fn setup(households: usize) -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let today = NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
    let (mut store, _) = demo::create(
        &dir.path().join("village.sqlite3"),
        DemoOptions {
            households,
            seed: 7,
            today,
        },
    )
    .expect("demo village");
    let village = store.village().expect("read").expect("a village");
    let storage =
        Arc::new(SqliteStorage::open(&dir.path().join("county.sqlite3")).expect("county"));
    let one_time = storage
        .add_village(&village.code, &village.name)
        .expect("add village");
    let server = TestServer::start_with(storage.clone(), 0).expect("server");
    SyncClient::new(&server.url())
        .expect("client")
        .enroll(&mut store, &one_time)
        .expect("enroll");
    Setup {
        _dir: dir,
        store,
        storage,
        server,
        code: village.code,
    }
}

fn start(path: &Path, config: WorkerConfig) -> (SyncWorker, Statuses) {
    let statuses: Statuses = Arc::default();
    let sink = statuses.clone();
    let worker = SyncWorker::start(
        path.to_path_buf(),
        config,
        Arc::new(SystemClock),
        move |event| {
            if let SyncEvent::Status(s) = event {
                sink.lock().expect("statuses").push(*s);
            }
        },
    );
    (worker, statuses)
}

fn last(statuses: &Statuses) -> Option<SyncStatusView> {
    statuses.lock().expect("statuses").last().cloned()
}

fn wait<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// A worker that retries fast (100 ms, up to 800 ms) and rarely after a problem.
fn fast(period: Duration, tick: Duration) -> WorkerConfig {
    WorkerConfig {
        period,
        tick,
        backoff: Backoff::new(Duration::from_millis(100), Duration::from_millis(800)),
        problem_retry: Duration::from_secs(600),
        request_timeout: Duration::from_secs(10),
    }
}

/// CPU time (user + system) of this whole test process so far.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; 100 Hz ticks.
    let ticks: u64 = fields
        .get(11..13)
        .map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

#[test]
fn worker_syncs_backs_off_offline_and_recovers_by_itself() {
    let mut t = setup(120);
    let path = t.store.path().to_path_buf();
    let waiting = t.store.unpushed_changes().expect("count");
    assert!(waiting > 500, "more than one batch to push: {waiting}");
    let config = fast(Duration::from_secs(60), Duration::from_millis(100));
    let (worker, statuses) = start(&path, config);

    // Enrolled: the first round runs at once and pushes everything, with progress.
    wait("the first sync", Duration::from_secs(30), || {
        last(&statuses).filter(|s| s.phase == SyncPhase::Idle && s.last_success_at.is_some())
    });
    let pushed = t.storage.live_rows(&t.code).expect("rows").len();
    assert_eq!(
        pushed,
        cunan_core::sync::live_rows(&t.store).expect("rows").len()
    );
    let progress: Vec<_> = statuses
        .lock()
        .expect("statuses")
        .iter()
        .filter_map(|s| s.progress.clone())
        .filter(|p| p.stage == SyncStage::Pushing)
        .collect();
    assert!(
        progress.iter().any(|p| p.total == Some(waiting as usize)),
        "progress names the total"
    );
    assert!(progress.iter().all(|p| p.done <= p.total.unwrap_or(0)));
    assert_eq!(last(&statuses).map(|s| s.waiting_changes), Some(0));

    // The county goes down, then the officer edits: the worker tries, fails quietly, backs off.
    let port = t.server.addr.port();
    t.server.stop();
    let mut item = t.store.list::<KitItem>().expect("kit")[0].clone();
    item.quantity += 1;
    t.store.save(&item).expect("edit");
    let before = worker.attempts();
    wait("offline", Duration::from_secs(10), || {
        last(&statuses).filter(|s| s.phase == SyncPhase::Offline)
    });
    let offline_at = Instant::now();
    let seen = statuses.lock().expect("statuses").len();
    std::thread::sleep(Duration::from_secs(3));
    let tries = worker.attempts() - before;
    let retries: Vec<SyncPhase> = statuses.lock().expect("statuses")[seen..]
        .iter()
        .map(|s| s.phase)
        .collect();
    assert!(
        retries.iter().all(|p| *p == SyncPhase::Offline),
        "automatic retries while offline do not flash 正在同步: {retries:?}"
    );
    let s = last(&statuses).expect("a status");
    assert_eq!(s.phase, SyncPhase::Offline);
    assert!(s.problem.is_none(), "a network outage needs no person");
    assert_eq!(s.waiting_changes, 1);
    assert!(s.next_attempt_at.is_some());
    // Backoff 0.1, 0.2, 0.4, 0.8, 0.8 … s: about 6 tries in 3 s, not one per tick.
    assert!(
        (2..=9).contains(&tries),
        "{tries} attempts in {:?} offline",
        offline_at.elapsed()
    );

    // The county comes back on the same address: the worker syncs by itself.
    let _server = TestServer::start_with(t.storage.clone(), port).expect("restart");
    wait(
        "the edit to reach the county",
        Duration::from_secs(10),
        || {
            let rows = t.storage.live_rows(&t.code).ok()?;
            let row = rows.get(&("kit_item".to_string(), item.id.clone()))?;
            (row["quantity"] == item.quantity).then_some(())
        },
    );
    wait("synced again", Duration::from_secs(10), || {
        last(&statuses).filter(|s| s.phase == SyncPhase::Idle && s.waiting_changes == 0)
    });

    // A revoked token needs a person: shown as a problem, not retried in a loop.
    t.storage.revoke_village(&t.code).expect("revoke");
    worker.wake();
    let s = wait("the problem", Duration::from_secs(10), || {
        last(&statuses).filter(|s| s.phase == SyncPhase::Error)
    });
    let problem = s.problem.expect("a problem");
    assert_eq!(problem.code, cunan_app_api::ErrorCode::SyncUnauthorized);
    assert!(problem.message.contains("重新登记"), "{}", problem.message);
    let before = worker.attempts();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        worker.attempts(),
        before,
        "no retry loop on a revoked token"
    );
    worker.stop();
}

/// The production settings, county down: how many attempts and how much CPU over a while.
/// `CUNAN_OFFLINE_SECS` (default 120) sets how long.
#[test]
#[ignore]
fn sync_worker_offline_cost() {
    let secs: u64 = std::env::var("CUNAN_OFFLINE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let mut t = setup(5);
    let path = t.store.path().to_path_buf();
    t.server.stop();
    let cpu_before = cpu_time();
    let (worker, statuses) = start(&path, WorkerConfig::default());
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let cpu = cpu_time() - cpu_before;
    let attempts = worker.attempts();
    let events = statuses.lock().expect("statuses").len();
    worker.stop();
    eprintln!(
        "county down for {:.0} s: {attempts} sync attempts, {events} status events, \
         {:.2} s CPU ({:.3} %)",
        started.elapsed().as_secs_f64(),
        cpu.as_secs_f64(),
        100.0 * cpu.as_secs_f64() / started.elapsed().as_secs_f64()
    );
    assert_eq!(last(&statuses).map(|s| s.phase), Some(SyncPhase::Offline));
}

/// The worker tells its listener the store changed when a round brought data in (a contact the
/// county published), and not for a round that only pushed or found nothing new: the screens
/// reload exactly when there is something new to show.
#[test]
fn worker_says_the_store_changed_only_when_data_came_in() {
    let mut t = setup(20);
    let path = t.store.path().to_path_buf();
    let events: Arc<Mutex<Vec<SyncEvent>>> = Arc::default();
    let sink = events.clone();
    let config = fast(Duration::from_millis(300), Duration::from_millis(50));
    let worker = SyncWorker::start(path, config, Arc::new(SystemClock), move |e| {
        sink.lock().expect("events").push(e);
    });
    let changed = |events: &Arc<Mutex<Vec<SyncEvent>>>| {
        events
            .lock()
            .expect("events")
            .iter()
            .filter(|e| **e == SyncEvent::StoreChanged)
            .count()
    };
    let idle_after = |events: &Arc<Mutex<Vec<SyncEvent>>>, attempts: u64| {
        worker.attempts() > attempts
            && events.lock().expect("events").iter().rev().any(|e| {
                matches!(e, SyncEvent::Status(s) if s.phase == SyncPhase::Idle && s.last_success_at.is_some())
            })
    };
    wait("the first sync", Duration::from_secs(30), || {
        idle_after(&events, 0).then_some(())
    });
    // A local edit goes up: nothing came in.
    let mut item = t.store.list::<KitItem>().expect("kit")[0].clone();
    item.quantity += 1;
    t.store.save(&item).expect("edit");
    wait("the edit pushed", Duration::from_secs(10), || {
        let rows = t.storage.live_rows(&t.code).ok()?;
        let row = rows.get(&("kit_item".to_string(), item.id.clone()))?;
        (row.get("quantity").and_then(|v| v.as_i64()) == Some(item.quantity)).then_some(())
    });
    let rounds = worker.attempts();
    wait("another round", Duration::from_secs(10), || {
        (worker.attempts() > rounds + 1).then_some(())
    });
    assert_eq!(changed(&events), 0, "pushing is no change to show");

    // The county publishes a contact: the next round pulls it, and says so once.
    let contact = serde_json::json!({
        "id": "0190a000-0000-7000-8000-0000000000d1", "name": "县应急局值班室",
        "organization": "县应急管理局", "role": "值班", "level": "county",
        "phone": "0572-2221111", "phone_backup": "", "is_duty_line": true,
        "backup_of": null, "note": ""
    });
    t.storage.publish("contact", &[contact]).expect("publish");
    wait("the store-changed event", Duration::from_secs(10), || {
        (changed(&events) == 1).then_some(())
    });
    let rounds = worker.attempts();
    wait("two more rounds", Duration::from_secs(10), || {
        (worker.attempts() > rounds + 1).then_some(())
    });
    assert_eq!(changed(&events), 1, "said once, not every round");
    worker.stop();
}
