//! A kill -9 campaign on the desktop app's real command handler: `examples/ui_bridge` (the app's
//! `cunan_app_lib::configure` on Tauri's mock runtime, over a real store file, behind loopback
//! HTTP; no display needed) is started on a demo village with a roll call and an incident open,
//! sent a stream of `mark_household` calls — every other run with `file_report` calls in
//! between, and every third run plan edits instead (`save_record` of a plan step, and
//! `move_plan_step`, which rewrites the positions of a phase) — as fast as it answers, and killed with SIGKILL at a random moment 0–150 ms after the
//! first call. After every kill the store must open, pass `PRAGMA integrity_check` (and
//! `foreign_key_check`), and hold:
//!
//! - every mark the app acknowledged (answered 200, so the screen showed it), unless a later
//!   acknowledged call for the same household overwrote it — each call carries its own number in
//!   `note` and cycles the household through the statuses, so the store says exactly which call it
//!   holds; only the call in flight at the kill may be there unacknowledged;
//! - no half-marked household: all its people carry the same call's mark (status, note, with
//!   whom, who, when), which is the last acknowledged one, or the one in flight when the app was
//!   killed;
//! - every acknowledged report exactly as the app answered it (kind, counts, texts, links), each
//!   report in the store one that was sent, whole, once; the first one 首报 and the rest 续报
//!   pointing at it; the incident's severity that of the last report (written in the same
//!   transaction as the report);
//! - the plan: each phase's steps at distinct positions (never two at one place: a move lands
//!   whole), in the order the acknowledged moves made (or with the move in flight),
//!   each step holding the last acknowledged edit of it (or the one in flight);
//! - for every row written, a `change_log` entry of that very write (sync must not lose it), and
//!   the device's clock at the last entry.
//!
//! Afterwards the app is started once more and must show the same roll call and reports. The
//! figures (runs, kills with a call in the app, whether that call's write had committed, kills
//! caught writing the WAL, acknowledged writes checked, failures) are printed; see them with
//! `--nocapture`. `CRASH_VERBOSE=1` prints one line per run.
//!
//! The long campaign (300 runs, about 40 s on two cores), with another seed if you like:
//!
//! ```sh
//! CRASH_RUNS=300 cargo test -p cunan-app --test crash_app -- --nocapture
//! CRASH_RUNS=300 CRASH_SEED=42 cargo test -p cunan-app --test crash_app -- --nocapture
//! ```
//!
//! `cargo test -p cunan-app --test crash_app` does not build examples (a plain `cargo test` does),
//! so the test runs `cargo build -p cunan-app --example ui_bridge` itself, in the same profile and
//! target folder: a no-op when it is up to date, one link of the example after a change.
//! `CUNAN_UI_BRIDGE=/path/to/ui_bridge` uses that binary instead (and builds nothing).

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use cunan_core::demo::{self, DemoOptions};
use cunan_core::incident::ReportKind;
use cunan_core::rollcall::{Mark, MarkInput};
use cunan_core::{EvacuationStatus, HazardKind, Incident, IncidentReport, PlanStep, Store};
use serde_json::{json, Value};

/// The statuses a household is cycled through (call `n` marks `CYCLE[n % 6]`).
const CYCLE: [Mark; 6] = [
    Mark::Moved,
    Mark::WithRelatives,
    Mark::Refused,
    Mark::Away,
    Mark::Unreachable,
    Mark::Returned,
];
const STAYING_WITH: &str = "县城亲戚家";
const MARKED_BY: &str = "崩溃测试";
const SEVERITIES: [&str; 4] = ["IV", "III", "II", "I"];
/// The latest kill, after the first call of a run.
const KILL_WITHIN_MICROS: u64 = 150_000;

/// A tiny deterministic generator for the kill moments and the calls (as in the CLI's campaign).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

// ---- the bridge process ----

/// The `ui_bridge` example next to this test's executable, built first (a no-op when fresh).
fn ui_bridge() -> PathBuf {
    if let Ok(path) = std::env::var("CUNAN_UI_BRIDGE") {
        return PathBuf::from(path);
    }
    // target/<profile>/deps/crash_app-<hash>
    let exe = std::env::current_exe().expect("the test's own path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let target_dir = profile_dir.parent().expect("the target folder");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(other) => other,
        None => panic!("no profile folder above {}", exe.display()),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut build = Command::new(&cargo);
    // Not the variables cargo set for this test: a crate that reads one (ring reads
    // CARGO_MANIFEST_DIR) would be rebuilt, and rebuilt again by the next plain `cargo build`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name == "OUT_DIR"
            || [
                "CARGO_MANIFEST_",
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
            ]
            .iter()
            .any(|p| name.starts_with(p))
        {
            build.env_remove(name.as_ref());
        }
    }
    let status = build
        .args([
            "build",
            "--quiet",
            "-p",
            "cunan-app",
            "--example",
            "ui_bridge",
        ])
        .args(["--profile", profile])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    assert!(
        status.success(),
        "`cargo build -p cunan-app --example ui_bridge` failed"
    );
    let bin = profile_dir
        .join("examples")
        .join(format!("ui_bridge{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "ui_bridge not found at {}", bin.display());
    bin
}

/// A running bridge process; killed with SIGKILL (and reaped) when dropped, also on failure.
struct Bridge {
    child: Arc<Mutex<Child>>,
    addr: SocketAddr,
}

impl Bridge {
    /// Starts the bridge on `store` and waits until the app answers a command.
    fn start(bin: &Path, store: &Path, home: &Path, log: &Path) -> Bridge {
        let dist = home.join("dist");
        std::fs::create_dir_all(&dist).expect("an empty UI folder");
        let mut child = Command::new(bin)
            .arg(store)
            .arg(&dist)
            .arg("0")
            // Anything the app would put in its data folder lands in the test's own.
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).expect("the bridge's log"))
            .spawn()
            .expect("start ui_bridge");
        let stdout = child.stdout.take().expect("piped stdout");
        let child = Arc::new(Mutex::new(child));
        let addr = match listening_on(stdout) {
            Some(addr) => addr,
            None => {
                drop(Bridge {
                    child,
                    addr: "127.0.0.1:9".parse().expect("an address"),
                });
                panic!(
                    "ui_bridge did not start: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
        };
        let bridge = Bridge { child, addr };
        // The listener is bound before the line is printed; the first command also waits for
        // the mock app to be built and the store to be opened.
        match post(addr, "incident_board", &json!({}), true) {
            Call::Answered(200, _) => {}
            other => panic!(
                "ui_bridge does not answer: {other:?}\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            ),
        }
        bridge
    }

    /// Sends SIGKILL and reaps the process; `true` if it was still running until then.
    fn kill(&self) -> bool {
        kill(&self.child)
    }
}

fn kill(child: &Mutex<Child>) -> bool {
    let mut child = child.lock().unwrap_or_else(|e| e.into_inner());
    let running = matches!(child.try_wait(), Ok(None));
    let _ = child.kill();
    let _ = child.wait();
    running
}

impl Drop for Bridge {
    fn drop(&mut self) {
        kill(&self.child);
    }
}

/// `ui_bridge: http://127.0.0.1:PORT/`, the line the bridge prints once it listens. The rest of
/// its output is read (and dropped) until it dies, so that a print never meets a closed pipe.
fn listening_on(stdout: ChildStdout) -> Option<SocketAddr> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = BufReader::new(stdout);
        let mut line = String::new();
        let _ = out.read_line(&mut line);
        let _ = tx.send(line);
        let _ = std::io::copy(&mut out, &mut std::io::sink());
    });
    let line = rx.recv().ok()?;
    line.trim()
        .strip_prefix("ui_bridge: http://")?
        .trim_end_matches('/')
        .parse()
        .ok()
}

// ---- a plain HTTP/1.1 client ----

#[derive(Debug)]
enum Call {
    /// A whole answer: status and body.
    Answered(u16, Vec<u8>),
    /// Nobody listens any more: the process was gone before the call.
    Refused,
    /// Sent (or being sent) and never answered in full: the process died with it in flight.
    NoAnswer,
}

/// `POST /invoke/<cmd>` with `args`, one connection per call.
fn post(addr: SocketAddr, cmd: &str, args: &Value, patient: bool) -> Call {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return Call::Refused;
    };
    // During the stream the killer ends every call; before it, a hung app would hang the test.
    if patient {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    }
    let body = args.to_string();
    let request = format!(
        "POST /invoke/{cmd} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return Call::NoAnswer;
    }
    let mut raw = Vec::new();
    let clean_end = stream.read_to_end(&mut raw).is_ok();
    parse_answer(&raw, clean_end).unwrap_or(Call::NoAnswer)
}

/// A complete answer, or `None` for a partial one.
fn parse_answer(raw: &[u8], clean_end: bool) -> Option<Call> {
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..head_end]).ok()?;
    let body = &raw[head_end + 4..];
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let length = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    });
    let whole = match length {
        Some(n) => body.len() == n,
        None => clean_end,
    };
    whole.then(|| Call::Answered(status, body.to_vec()))
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// A call that must succeed (setup and the final look).
fn invoke(addr: SocketAddr, cmd: &str, args: Value) -> Value {
    match post(addr, cmd, &args, true) {
        Call::Answered(200, body) => json_of(&body),
        Call::Answered(status, body) => panic!(
            "{cmd} answered {status}: {}",
            String::from_utf8_lossy(&body)
        ),
        other => panic!("{cmd}: {other:?}"),
    }
}

// ---- the calls of the stream ----

#[derive(Debug, Clone)]
enum Sent {
    Mark {
        n: u64,
        household: String,
    },
    Report {
        n: u64,
    },
    /// A plan step saved with `#n` at the end of its `how`.
    PlanSave {
        n: u64,
        step: String,
    },
    /// A plan step moved one place up (-1) or down (1) in its phase.
    PlanMove {
        n: u64,
        step: String,
        by: i64,
    },
}

fn mark_of(n: u64) -> MarkInput {
    let status = CYCLE[(n % CYCLE.len() as u64) as usize];
    MarkInput {
        status,
        shelter_id: None,
        staying_with: if status == Mark::WithRelatives {
            STAYING_WITH.to_string()
        } else {
            String::new()
        },
        marked_by: MARKED_BY.to_string(),
        note: format!("#{n}"),
    }
}

/// The report call `n` sends: counts and texts derived from `n`, so a row tells which call it is.
fn report_of(n: u64, incident: &Incident) -> IncidentReport {
    IncidentReport {
        incident_id: Some(incident.id.clone()),
        occurred_at: incident.occurred_at.clone(),
        place: incident.place.clone(),
        hazard: incident.hazard,
        severity: Some(SEVERITIES[(n % 4) as usize].to_string()),
        deaths: (n % 2) as i64,
        injured: (n % 5) as i64,
        missing: (n % 3) as i64,
        trapped: (n % 7) as i64,
        evacuated: n as i64,
        description: format!("溪水漫过桥面，桥头两户进水 #{n}"),
        actions_taken: "已封闭溪口桥，转移沿河住户".to_string(),
        needs: format!("冲锋舟 {} 艘", n % 4 + 1),
        reporter: MARKED_BY.to_string(),
        ..IncidentReport::default()
    }
}

/// The call number in a note or description ("… #12"); `None` for a person not marked yet.
fn call_number(text: &str) -> Option<u64> {
    text.rsplit_once('#')?.1.parse().ok()
}

// ---- what the store must hold ----

/// What the test knows the store must hold, and what it has checked.
struct Expect {
    event: String,
    incident: Incident,
    /// Household → its people on the list.
    size: HashMap<String, usize>,
    /// Household → the call whose mark it holds (acknowledged, or found committed after a kill).
    marks: HashMap<String, u64>,
    /// Every report sent, by call number.
    sent: HashMap<u64, IncidentReport>,
    /// The reports acknowledged, as the app answered them.
    acked: HashMap<u64, IncidentReport>,
    /// Reports in the store: acknowledged, or found committed after a kill.
    reports: BTreeSet<u64>,
    plan: PlanExpect,
}

/// The plan the campaign edits: each step as the store must hold it, and each phase's order.
struct PlanExpect {
    id: String,
    /// Step id → the step as last acknowledged (or found committed), its `how` ending `#n`.
    steps: HashMap<String, PlanStep>,
    /// Phase → its step ids in order.
    order: HashMap<String, Vec<String>>,
}

impl PlanExpect {
    fn read(store: &Store, id: &str) -> PlanExpect {
        let mut steps: Vec<PlanStep> = store.query("plan_id = ?1", &[&id]).expect("the steps");
        steps.sort_by_key(|s| s.position);
        let mut order: HashMap<String, Vec<String>> = HashMap::new();
        for s in &steps {
            order.entry(phase(s)).or_default().push(s.id.clone());
        }
        PlanExpect {
            id: id.to_string(),
            steps: steps.into_iter().map(|s| (s.id.clone(), s)).collect(),
            order,
        }
    }

    /// The step `step` as it would be after call `n` saves it, at its place now.
    fn saved(&self, step: &str, n: u64) -> PlanStep {
        let mut s = self.steps[step].clone();
        let base = s.how.rsplit_once(" #").map_or(s.how.as_str(), |(b, _)| b);
        s.how = format!("{base} #{n}");
        s.position = self.position(step);
        s
    }

    fn position(&self, step: &str) -> i64 {
        let ids = &self.order[&phase(&self.steps[step])];
        ids.iter().position(|id| id == step).unwrap_or(0) as i64
    }

    /// The phase order after moving `step` by `by` (unchanged at either end).
    fn moved(&self, step: &str, by: i64) -> (String, Vec<String>) {
        let key = phase(&self.steps[step]);
        let mut ids = self.order[&key].clone();
        let i = ids.iter().position(|id| id == step).unwrap_or(0);
        let j = i as i64 + by;
        if (0..ids.len() as i64).contains(&j) {
            ids.swap(i, j as usize);
        }
        (key, ids)
    }
}

fn phase(step: &PlanStep) -> String {
    serde_json::to_string(&step.phase).unwrap_or_default()
}

#[derive(Default)]
struct Figures {
    runs: usize,
    report_runs: usize,
    /// Killed with a call sent and not answered.
    killed_in_call: usize,
    /// … and that call's write was in the store (committed, never acknowledged).
    in_call_committed: usize,
    /// … and it was not.
    in_call_not_committed: usize,
    /// Killed with a transaction half-written to the WAL (frames with no commit after them).
    killed_writing_wal: usize,
    /// Killed between two calls (the next call found nobody listening).
    killed_between: usize,
    /// Runs killed before any call was answered.
    killed_before_first_answer: usize,
    acked_marks: usize,
    acked_reports: usize,
    acked_plan_edits: usize,
    plan_runs: usize,
    /// Household checks made after kills (households × runs).
    household_checks: usize,
    /// Acknowledged report rows compared after kills (reports × runs).
    report_checks: usize,
    calls: usize,
}

/// Checks the store after a kill against what was acknowledged; `in_flight` is the call that was
/// sent and not answered, if any. Returns whether that call's write is in the store, and adds
/// every problem to `failures`.
fn check_store(
    db: &Path,
    expect: &mut Expect,
    in_flight: Option<&Sent>,
    figures: &mut Figures,
    failures: &mut Vec<String>,
    run: usize,
) -> Option<bool> {
    let store = match Store::open(db) {
        Ok(store) => store,
        Err(e) => {
            failures.push(format!("run {run}: the store does not open: {e}"));
            return None;
        }
    };
    let conn = store.conn();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap_or_else(|e| e.to_string());
    if integrity != "ok" {
        failures.push(format!("run {run}: integrity_check: {integrity}"));
    }
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap_or(-1);
    if dangling != 0 {
        failures.push(format!("run {run}: foreign_key_check: {dangling} rows"));
    }
    let mut committed = None;

    // The roll call: each household whole, holding the last acknowledged mark or the one in
    // flight.
    let rows: Vec<EvacuationStatus> = match store.query("event_id = ?1", &[&expect.event]) {
        Ok(rows) => rows,
        Err(e) => {
            failures.push(format!("run {run}: the roll call does not read: {e}"));
            return None;
        }
    };
    let mut by_household: HashMap<String, Vec<&EvacuationStatus>> = HashMap::new();
    for s in &rows {
        by_household
            .entry(s.household_id.clone().unwrap_or_default())
            .or_default()
            .push(s);
    }
    if by_household.len() != expect.size.len() {
        failures.push(format!(
            "run {run}: {} households on the list, {} at the start",
            by_household.len(),
            expect.size.len()
        ));
    }
    for (household, &size) in &expect.size {
        figures.household_checks += 1;
        let people = by_household
            .get(household)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if people.len() != size {
            failures.push(format!(
                "run {run}: household {household}: {} people on the list, {size} at the start",
                people.len()
            ));
            continue;
        }
        let first = people[0];
        let whole = people.iter().all(|s| {
            (
                s.status,
                &s.note,
                &s.staying_with,
                &s.marked_by,
                &s.updated_at,
            ) == (
                first.status,
                &first.note,
                &first.staying_with,
                &first.marked_by,
                &first.updated_at,
            )
        });
        if !whole {
            let marks: Vec<String> = people
                .iter()
                .map(|s| format!("{}{}", s.status.code(), s.note))
                .collect();
            failures.push(format!(
                "run {run}: household {household} is half-marked: {marks:?}"
            ));
            continue;
        }
        let holds = call_number(&first.note);
        if let Some(n) = holds {
            let sent = mark_of(n);
            if (
                first.status,
                first.staying_with.as_str(),
                first.marked_by.as_str(),
            ) != (
                sent.status,
                sent.staying_with.as_str(),
                sent.marked_by.as_str(),
            ) {
                failures.push(format!(
                    "run {run}: household {household} holds call #{n} not as sent: {} {:?} {:?}",
                    first.status.code(),
                    first.staying_with,
                    first.marked_by
                ));
            }
        } else if first.status != Mark::Pending {
            failures.push(format!(
                "run {run}: household {household} is marked {} by no call",
                first.status.code()
            ));
        }
        let known = expect.marks.get(household).copied();
        let flying = match in_flight {
            Some(Sent::Mark { n, household: h }) if h == household => Some(*n),
            _ => None,
        };
        if holds == known {
            if flying.is_some() {
                committed = Some(false);
            }
        } else if holds.is_some() && holds == flying {
            committed = Some(true);
            expect
                .marks
                .insert(household.clone(), holds.expect("a call"));
        } else {
            let what = |c: Option<u64>| c.map_or("no mark".to_string(), |n| format!("call #{n}"));
            failures.push(format!(
                "run {run}: household {household} holds {} but the app acknowledged {}{}",
                what(holds),
                what(known),
                flying.map_or(String::new(), |n| format!(" (call #{n} was in flight)")),
            ));
        }
    }

    // The reports: each a call that was sent, whole, once; every acknowledged one as answered.
    let reports: Vec<IncidentReport> = match store.query("incident_id = ?1", &[&expect.incident.id])
    {
        Ok(rows) => rows,
        Err(e) => {
            failures.push(format!("run {run}: the reports do not read: {e}"));
            return committed;
        }
    };
    let mut present: HashMap<u64, &IncidentReport> = HashMap::new();
    for r in &reports {
        let Some(n) = call_number(&r.description).filter(|n| expect.sent.contains_key(n)) else {
            failures.push(format!(
                "run {run}: a report no call sent: {:?}",
                r.description
            ));
            continue;
        };
        if present.insert(n, r).is_some() {
            failures.push(format!("run {run}: report #{n} is in the store twice"));
        }
        let sent = &expect.sent[&n];
        // As sent, but for what the app stamps: its id, kind, link to the 首报 and time.
        let as_sent = IncidentReport {
            id: r.id.clone(),
            kind: r.kind,
            first_report_id: r.first_report_id.clone(),
            reported_at: r.reported_at.clone(),
            ..sent.clone()
        } == *r;
        if !as_sent {
            failures.push(format!("run {run}: report #{n} is not as sent: {r:?}"));
        }
        if let Some(answered) = expect.acked.get(&n) {
            figures.report_checks += 1;
            if answered != r {
                failures.push(format!(
                    "run {run}: report #{n} differs from what the app answered:\n  store  {r:?}\n  answer {answered:?}"
                ));
            }
        } else if matches!(in_flight, Some(Sent::Report { n: f }) if *f == n) {
            committed = Some(true);
            expect.reports.insert(n);
        } else if !expect.reports.contains(&n) {
            failures.push(format!(
                "run {run}: report #{n} is in the store, never acknowledged nor in flight"
            ));
        }
    }
    if let Some(Sent::Report { n }) = in_flight {
        if !present.contains_key(n) {
            committed = Some(false);
        }
    }
    for n in &expect.reports {
        if !present.contains_key(n) {
            failures.push(format!(
                "run {run}: report #{n} was acknowledged (or found in the store) and is gone"
            ));
        }
    }
    // 首报 first, every later one a 续报 pointing at it; the incident at the last one's severity.
    if let Some((&first_n, first)) = present.iter().min_by_key(|(n, _)| **n) {
        if first.kind != ReportKind::First || first.first_report_id.is_some() {
            failures.push(format!(
                "run {run}: the first report (#{first_n}) is {:?}, pointing at {:?}",
                first.kind, first.first_report_id
            ));
        }
        for (n, r) in &present {
            if *n != first_n
                && (r.kind != ReportKind::Continuation
                    || r.first_report_id.as_deref() != Some(first.id.as_str()))
            {
                failures.push(format!(
                    "run {run}: report #{n} is {:?} pointing at {:?}, not a 续报 of #{first_n}",
                    r.kind, r.first_report_id
                ));
            }
        }
        let last = present.keys().max().expect("a report");
        match store.get::<Incident>(&expect.incident.id) {
            Ok(Some(i)) if i.severity == expect.sent[last].severity => {}
            other => failures.push(format!(
                "run {run}: the incident's severity is not the last report's (#{last}, {:?}): {other:?}",
                expect.sent[last].severity
            )),
        }
    }

    if let Some(c) = check_plan(&store, expect, in_flight, failures, run) {
        committed = Some(c);
    }
    check_change_log(&store, expect, failures, run);
    committed
}

/// The plan after a kill: each phase a whole order (no two steps at one position), the acknowledged one or the one the move in
/// flight makes; each step the acknowledged edit or the one in flight. Returns whether the call
/// in flight (a plan call) was written.
fn check_plan(
    store: &Store,
    expect: &mut Expect,
    in_flight: Option<&Sent>,
    failures: &mut Vec<String>,
    run: usize,
) -> Option<bool> {
    let plan = &mut expect.plan;
    let steps: Vec<PlanStep> = match store.query("plan_id = ?1", &[&plan.id]) {
        Ok(steps) => steps,
        Err(e) => {
            failures.push(format!("run {run}: the plan does not read: {e}"));
            return None;
        }
    };
    if steps.len() != plan.steps.len() {
        failures.push(format!(
            "run {run}: the plan has {} steps, {} at the start",
            steps.len(),
            plan.steps.len()
        ));
        return None;
    }
    let mut committed = None;
    let mut by_phase: HashMap<String, Vec<&PlanStep>> = HashMap::new();
    for s in &steps {
        by_phase.entry(phase(s)).or_default().push(s);
    }
    for (key, mut list) in by_phase {
        list.sort_by_key(|s| s.position);
        let positions: Vec<i64> = list.iter().map(|s| s.position).collect();
        if positions.windows(2).any(|w| w[0] == w[1]) {
            failures.push(format!(
                "run {run}: phase {key} is half-moved: positions {positions:?}"
            ));
            continue;
        }
        let order: Vec<String> = list.iter().map(|s| s.id.clone()).collect();
        if plan.order.get(&key) == Some(&order) {
            if matches!(in_flight, Some(Sent::PlanMove { step, .. }) if phase(&plan.steps[step]) == key)
            {
                committed = Some(false);
            }
            continue;
        }
        match in_flight {
            Some(Sent::PlanMove { step, by, .. })
                if plan.moved(step, *by) == (key.clone(), order.clone()) =>
            {
                committed = Some(true);
                plan.order.insert(key, order);
            }
            _ => failures.push(format!(
                "run {run}: phase {key} is in an order no acknowledged move made: {order:?}"
            )),
        }
    }
    for s in &steps {
        let holds = call_number(&s.how);
        let known = call_number(&plan.steps[&s.id].how);
        if holds == known {
            if matches!(in_flight, Some(Sent::PlanSave { step, .. }) if *step == s.id) {
                committed = Some(false);
            }
        } else if matches!(in_flight, Some(Sent::PlanSave { n, step }) if *step == s.id && holds == Some(*n))
        {
            committed = Some(true);
            let mut now = s.clone();
            now.position = plan.steps[&s.id].position;
            plan.steps.insert(s.id.clone(), now);
        } else {
            failures.push(format!(
                "run {run}: plan step {} holds {holds:?}, the app acknowledged {known:?}",
                s.id
            ));
        }
    }
    committed
}

/// Every row of the roll call, the incident and its reports has, as its latest `change_log`
/// entry, the very write it holds (same HLC); no entry is of a row that is not there; the
/// device's clock is at the last entry.
fn check_change_log(store: &Store, expect: &Expect, failures: &mut Vec<String>, run: usize) {
    let conn = store.conn();
    // (id, hlc) of the rows `sql` selects.
    let rows = |sql: &str, arg: &str| {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut stmt = conn.prepare(sql).expect("prepare");
        let mut rows = stmt.query([arg]).expect("query");
        while let Some(r) = rows.next().expect("a row") {
            out.push((r.get(0).expect("id"), r.get(1).expect("hlc")));
        }
        out
    };
    let mut written: HashMap<(String, String), String> = HashMap::new();
    for (table, sql, arg) in [
        (
            "evacuation_status",
            "SELECT id, hlc FROM evacuation_status WHERE event_id = ?1",
            expect.event.as_str(),
        ),
        (
            "incident_report",
            "SELECT id, hlc FROM incident_report WHERE incident_id = ?1",
            expect.incident.id.as_str(),
        ),
        (
            "incident",
            "SELECT id, hlc FROM incident WHERE id = ?1",
            expect.incident.id.as_str(),
        ),
        (
            "plan_step",
            "SELECT id, hlc FROM plan_step WHERE plan_id = ?1",
            expect.plan.id.as_str(),
        ),
    ] {
        for (id, hlc) in rows(sql, arg) {
            written.insert((table.to_string(), id), hlc);
        }
    }
    let mut stmt = conn
        .prepare(
            "SELECT table_name, row_id, hlc, max(seq) FROM change_log
              WHERE table_name IN ('evacuation_status', 'incident_report', 'incident', 'plan_step')
              GROUP BY table_name, row_id",
        )
        .expect("prepare");
    let logged: HashMap<(String, String), String> = stmt
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (key, hlc) in &written {
        if logged.get(key) != Some(hlc) {
            failures.push(format!(
                "run {run}: {} {}: row at {hlc}, change_log at {:?}",
                key.0,
                key.1,
                logged.get(key)
            ));
        }
    }
    // (Other plans' steps are not the campaign's.)
    let others =
        |key: &(String, String)| key.0 == "plan_step" && !expect.plan.steps.contains_key(&key.1);
    for key in logged.keys().filter(|k| !others(k)) {
        if !written.contains_key(key) {
            failures.push(format!(
                "run {run}: change_log has a write of {} {} that is not in the table",
                key.0, key.1
            ));
        }
    }
    let (device, last): (String, String) = conn
        .query_row(
            "SELECT (SELECT last_hlc FROM device),
                    (SELECT hlc FROM change_log ORDER BY seq DESC LIMIT 1)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the device's clock");
    if device != last {
        failures.push(format!(
            "run {run}: the device's clock is at {device}, the last change at {last}"
        ));
    }
}

/// Frames at the end of the store's write-ahead log that no commit frame follows: a transaction
/// the app was writing when it was killed (SQLite ignores them when the store is opened). Read
/// before the store is opened again; only frames of the log's current generation (its salts)
/// count.
/// Returns (frames of the current generation, of which uncommitted).
fn wal_frames(db: &Path) -> (usize, usize) {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let Ok(bytes) = std::fs::read(&wal) else {
        return (0, 0);
    };
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    if bytes.len() < 32 || !matches!(be(0), 0x377f_0682 | 0x377f_0683) {
        return (0, 0);
    }
    let page = be(8) as usize;
    let salts = (be(16), be(20));
    let (mut at, mut frames, mut committed) = (32, 0, 0);
    while at + 24 + page <= bytes.len() && (be(at + 8), be(at + 12)) == salts {
        frames += 1;
        if be(at + 4) != 0 {
            committed = frames;
        }
        at += 24 + page;
    }
    (frames, frames - committed)
}

// ---- the campaign ----

#[test]
fn kill_9_of_the_app_while_marking_and_reporting_loses_no_acknowledged_write() {
    let runs: usize = std::env::var("CRASH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s| *s != 0)
        .unwrap_or(0x5eed_a99c);
    let verbose = std::env::var_os("CRASH_VERBOSE").is_some();
    let began = Instant::now();
    let bin = ui_bridge();
    if verbose {
        eprintln!(
            "ui_bridge built or found up to date in {:.1} s",
            began.elapsed().as_secs_f64()
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("village.sqlite3");
    let log = dir.path().join("ui_bridge.log");
    demo::create(
        &db,
        DemoOptions {
            households: 60,
            seed: 1,
            today: chrono::Local::now().date_naive(),
        },
    )
    .expect("the demo village");

    // The demo village's flood plan, which the plan runs edit.
    let plan_id = Store::open(&db)
        .expect("the store")
        .list::<cunan_core::Plan>()
        .expect("the plans")
        .into_iter()
        .find(|p| p.hazard == Some(HazardKind::Flood))
        .expect("a flood plan")
        .id;
    // A flood: a whole-village roll call and an incident, started through the app.
    let (event, incident) = {
        let bridge = Bridge::start(&bin, &db, dir.path(), &log);
        let event = invoke(
            bridge.addr,
            "start_rollcall",
            json!({ "order": {
                "hazard": "flood", "level": "red", "grid_ids": [], "threatened_only": false,
                "incident_id": null, "reason": "溪水暴涨", "started_by": MARKED_BY,
            }}),
        );
        let incident = invoke(
            bridge.addr,
            "start_incident",
            json!({ "incident": {
                "hazard": HazardKind::Flood, "occurred_at": "", "place": "溪口桥", "severity": null,
            }}),
        );
        assert!(bridge.kill(), "the bridge ran until killed");
        (
            event["id"]
                .as_str()
                .expect("the roll call's id")
                .to_string(),
            serde_json::from_value::<Incident>(incident).expect("an incident"),
        )
    };
    let mut size: HashMap<String, usize> = HashMap::new();
    {
        let store = Store::open(&db).expect("the store");
        let rows: Vec<EvacuationStatus> = store
            .query("event_id = ?1", &[&event])
            .expect("the roll call");
        for s in rows {
            *size
                .entry(s.household_id.expect("a household"))
                .or_default() += 1;
        }
    }
    let mut households: Vec<String> = size.keys().cloned().collect();
    households.sort();
    assert!(households.len() >= 50, "the roll call lists the village");

    let mut expect = Expect {
        event: event.clone(),
        incident: incident.clone(),
        size,
        marks: HashMap::new(),
        sent: HashMap::new(),
        acked: HashMap::new(),
        reports: BTreeSet::new(),
        plan: PlanExpect::read(&Store::open(&db).expect("the store"), &plan_id),
    };
    assert!(expect.plan.steps.len() >= 6, "the flood plan has steps");
    let mut step_ids: Vec<String> = expect.plan.steps.keys().cloned().collect();
    step_ids.sort();
    let mut figures = Figures::default();
    let mut failures: Vec<String> = Vec::new();
    // The store as set up passes the checks (they check what they claim).
    check_store(&db, &mut expect, None, &mut figures, &mut failures, 0);
    assert!(failures.is_empty(), "before any kill: {failures:#?}");
    figures.household_checks = 0;

    // The kill moments come from their own generator, so a seed always gives the same ones
    // however many calls each run gets through.
    let mut moments = Rng(seed);
    let mut picks = Rng(seed.rotate_left(17) | 1);
    let mut next: u64 = 1;
    for run in 1..=runs {
        figures.runs += 1;
        // Every third run edits the plan; of the others, every other one files reports between
        // the marks.
        let plan_run = run.is_multiple_of(3);
        let with_reports = !plan_run && run.is_multiple_of(2);
        figures.report_runs += usize::from(with_reports);
        figures.plan_runs += usize::from(plan_run);
        let kill_after = Duration::from_micros(moments.below(KILL_WITHIN_MICROS));
        let started = Instant::now();
        let bridge = Bridge::start(&bin, &db, dir.path(), &log);
        let up = started.elapsed();

        // The killer SIGKILLs the app `kill_after` from now, the first call of the stream.
        let child = bridge.child.clone();
        let first_call = Instant::now();
        let killer = std::thread::spawn(move || {
            std::thread::sleep((first_call + kill_after).saturating_duration_since(Instant::now()));
            kill(&child)
        });
        let mut answered = 0usize;
        let mut in_flight: Option<Sent> = None;
        loop {
            let n = next;
            next += 1;
            let (write, cmd, args) = if plan_run {
                let step = step_ids[picks.below(step_ids.len() as u64) as usize].clone();
                if n.is_multiple_of(2) {
                    let by = if picks.below(2) == 0 { -1 } else { 1 };
                    let args = json!({ "id": step, "by": by });
                    (Sent::PlanMove { n, step, by }, "move_plan_step", args)
                } else {
                    let args =
                        json!({ "table": "plan_step", "record": expect.plan.saved(&step, n) });
                    (Sent::PlanSave { n, step }, "save_record", args)
                }
            } else if with_reports && n.is_multiple_of(2) {
                let report = report_of(n, &incident);
                let args = json!({
                    "incidentId": incident.id, "report": report, "finalReport": false,
                });
                expect.sent.insert(n, report);
                (Sent::Report { n }, "file_report", args)
            } else {
                let household = households[picks.below(households.len() as u64) as usize].clone();
                let args = json!({ "id": event, "householdId": household, "mark": mark_of(n) });
                (Sent::Mark { n, household }, "mark_household", args)
            };
            figures.calls += 1;
            match post(bridge.addr, cmd, &args, false) {
                Call::Answered(200, body) => {
                    answered += 1;
                    acknowledge(
                        &write,
                        &json_of(&body),
                        &mut expect,
                        &mut figures,
                        &mut failures,
                        run,
                    );
                }
                Call::Answered(status, body) => failures.push(format!(
                    "run {run}: {cmd} #{n} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                )),
                Call::Refused => {
                    figures.killed_between += 1;
                    break;
                }
                Call::NoAnswer => {
                    figures.killed_in_call += 1;
                    in_flight = Some(write);
                    break;
                }
            }
        }
        let was_running = killer.join().expect("the killer");
        if !was_running {
            failures.push(format!(
                "run {run}: the app had exited before it was killed: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ));
        }
        drop(bridge);
        let wal = wal_frames(&db);
        figures.killed_writing_wal += usize::from(wal.1 > 0);
        figures.killed_before_first_answer += usize::from(answered == 0);
        let checking = Instant::now();

        match check_store(
            &db,
            &mut expect,
            in_flight.as_ref(),
            &mut figures,
            &mut failures,
            run,
        ) {
            Some(true) => figures.in_call_committed += 1,
            Some(false) => figures.in_call_not_committed += 1,
            None if in_flight.is_some() => failures.push(format!(
                "run {run}: could not tell whether call {in_flight:?} was written"
            )),
            None => {}
        }
        if verbose {
            eprintln!(
                "run {run}: up in {} ms, killed {} ms after the first call, {answered} answered, \
                 in flight {in_flight:?}, WAL frames {} ({} uncommitted), checked in {} ms",
                up.as_millis(),
                kill_after.as_millis(),
                wal.0,
                wal.1,
                checking.elapsed().as_millis()
            );
        }
        if failures.len() > 20 {
            break;
        }
    }

    // The app, started once more, shows the roll call and the reports the store holds.
    if failures.is_empty() {
        let bridge = Bridge::start(&bin, &db, dir.path(), &log);
        let view = invoke(bridge.addr, "rollcall_view", json!({ "id": event }));
        let people = view["people"].as_array().expect("people");
        assert_eq!(people.len(), expect.size.values().sum::<usize>());
        for p in people {
            let household = p["household_id"].as_str().expect("a household");
            let shown = call_number(p["note"].as_str().unwrap_or_default());
            if shown != expect.marks.get(household).copied() {
                failures.push(format!(
                    "after the campaign the app shows household {household} at {shown:?}, the store at {:?}",
                    expect.marks.get(household)
                ));
            }
        }
        let board = invoke(bridge.addr, "incident_board", json!({}));
        let shown = board["incidents"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|i| i["incident"]["id"] == incident.id.as_str())
            })
            .and_then(|i| i["reports"].as_array())
            .map_or(0, Vec::len);
        if shown != expect.reports.len() {
            failures.push(format!(
                "after the campaign the app shows {shown} reports, the store holds {}",
                expect.reports.len()
            ));
        }
    }

    let f = &figures;
    println!(
        "crash_app: {} runs ({} also filing reports, {} editing the plan), {} calls, in {:.1} s (seed {seed:#x})\n\
         \x20 killed with a call in the app's handler: {} (its write committed but not answered: {}, \
         not committed: {}); between two calls: {}; before any answer: {}\n\
         \x20 killed while writing a transaction to the WAL (frames, no commit): {}\n\
         \x20 acknowledged: {} household marks, {} reports, {} plan edits; checked after the kills: {} households, \
         {} acknowledged reports\n\
         \x20 failures: {}",
        f.runs,
        f.report_runs,
        f.plan_runs,
        f.calls,
        began.elapsed().as_secs_f64(),
        f.killed_in_call,
        f.in_call_committed,
        f.in_call_not_committed,
        f.killed_between,
        f.killed_before_first_answer,
        f.killed_writing_wal,
        f.acked_marks,
        f.acked_reports,
        f.acked_plan_edits,
        f.household_checks,
        f.report_checks,
        failures.len(),
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        f.killed_in_call > 0,
        "no run was killed with a call in the app: the campaign tested nothing"
    );
    assert!(
        f.acked_marks + f.acked_reports > 0,
        "nothing was acknowledged"
    );
}

/// Records an acknowledged call, checking the answer shows what the screen would show.
fn acknowledge(
    write: &Sent,
    answer: &Value,
    expect: &mut Expect,
    figures: &mut Figures,
    failures: &mut Vec<String>,
    run: usize,
) {
    match write {
        Sent::Mark { n, household } => {
            figures.acked_marks += 1;
            expect.marks.insert(household.clone(), *n);
            let sent = mark_of(*n);
            let people = answer["people"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let shows = people.len() == expect.size[household]
                && people.iter().all(|p| {
                    p["household_id"] == household.as_str()
                        && p["status"] == sent.status.code()
                        && p["note"] == sent.note.as_str()
                        && p["staying_with"] == sent.staying_with.as_str()
                });
            if !shows {
                failures.push(format!(
                    "run {run}: mark #{n} of household {household} answered {answer}"
                ));
            }
        }
        Sent::PlanSave { n, step } => {
            figures.acked_plan_edits += 1;
            match serde_json::from_value::<PlanStep>(answer.clone()) {
                Ok(saved) if call_number(&saved.how) == Some(*n) && saved.id == *step => {
                    expect.plan.steps.insert(step.clone(), saved);
                }
                _ => failures.push(format!("run {run}: plan save #{n} answered {answer}")),
            }
        }
        Sent::PlanMove { n, step, by } => {
            figures.acked_plan_edits += 1;
            let (key, order) = expect.plan.moved(step, *by);
            // The answer: the steps whose position changed, at their new places.
            let shows = answer.as_array().is_some_and(|changed| {
                changed.iter().all(|c| {
                    let id = c["id"].as_str().unwrap_or_default();
                    order.iter().position(|o| o == id).map(|p| p as i64) == c["position"].as_i64()
                })
            });
            if !shows {
                failures.push(format!("run {run}: move #{n} answered {answer}"));
            }
            expect.plan.order.insert(key, order);
        }
        Sent::Report { n } => {
            figures.acked_reports += 1;
            match serde_json::from_value::<IncidentReport>(answer.clone()) {
                Ok(report) if !report.id.is_empty() => {
                    expect.acked.insert(*n, report);
                    expect.reports.insert(*n);
                }
                _ => failures.push(format!("run {run}: report #{n} answered {answer}")),
            }
        }
    }
}
