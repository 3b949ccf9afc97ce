//! Sync with the county from the app: the IPC commands (status, enroll, sync now, conflicts) and
//! the background worker that syncs by itself.
//!
//! The worker is one std thread with its own connection to the store file (SQLite WAL lets it
//! write while the UI's connection reads and writes), so a slow or dead link never blocks the
//! screens. It syncs when enrolled: at start, every [`WorkerConfig::period`] while the county
//! answers, soon after local changes appear, and with exponential backoff while the county is
//! unreachable — which may be for days, so offline it is quiet (no popups, a few cheap local
//! queries and one connection attempt per backoff step). A problem that needs a person (revoked
//! token, version mismatch) is shown in Chinese and retried only rarely or when asked.
//!
//! Nothing here logs or emits personal data: statuses carry counts, times, the server address and
//! the core's Chinese messages, which hold no request data.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, TimeZone};
use cunan_core::sync as core_sync;
use cunan_core::Store;
use cunan_sync::{Backoff, SyncClient, SyncError, SyncProgress};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Runtime as TauriRuntime, State};
use ts_rs::TS;

use crate::ipc::IpcError;
use crate::state::AppState;

type Reply<T> = Result<T, IpcError>;

/// The Tauri event that carries a [`SyncStatusView`] whenever it changes.
pub const STATUS_EVENT: &str = "sync-status";

/// What sync is doing right now, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// No county server yet: the officer enrolls on the 同步 page.
    NotEnrolled,
    /// Enrolled, the last attempt succeeded (or none was made yet).
    Idle,
    /// A sync round is running; see `progress`.
    Syncing,
    /// The county could not be reached; retrying by itself with backoff.
    Offline,
    /// Something a person must fix; see `problem`.
    Error,
}

/// Which half of a sync round is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncStage {
    Pushing,
    Pulling,
}

/// Progress of a running sync round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncProgressView {
    pub stage: SyncStage,
    /// Changes sent and acknowledged (pushing) or received and saved (pulling).
    pub done: usize,
    /// How many changes are being sent; `null` while pulling (the county does not say).
    pub total: Option<usize>,
}

/// Where sync stands: sent with every change as the `sync-status` event, and by `sync_status`.
/// Holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncStatusView {
    pub phase: SyncPhase,
    pub enrolled: bool,
    /// The address the store enrolled through.
    pub server_url: Option<String>,
    /// Another address of the same server used instead (set by the officer), if any.
    pub address: Option<String>,
    pub village_code: Option<String>,
    /// The end of the last successful sync (RFC 3339), `null` if never.
    pub last_success_at: Option<String>,
    /// The message of the last failed attempt, as saved in the store (cleared on success).
    pub last_error: Option<String>,
    /// Local changes the county has not acknowledged yet.
    pub waiting_changes: i64,
    /// Versions that lost a merge and wait for the officer.
    pub open_conflicts: usize,
    pub progress: Option<SyncProgressView>,
    /// A problem a person must fix (revoked token, version mismatch), with what to do.
    pub problem: Option<IpcError>,
    /// When the worker tries again by itself (RFC 3339, local time), if it is waiting to.
    pub next_attempt_at: Option<String>,
}

/// A version that lost a merge, for the conflicts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConflictView {
    pub id: i64,
    pub table: String,
    /// The table in words, e.g. `应急器材`.
    pub table_label: String,
    /// The record's name if it has one (`name`, `title`, …), else empty.
    pub title: String,
    /// When the losing version was written (RFC 3339), from its clock reading.
    pub lost_at: Option<String>,
    /// Who wrote the losing version: `本机`, `县里` or `另一台电脑`.
    pub lost_by: String,
    /// When the version that won was written, and by whom.
    pub won_at: Option<String>,
    pub won_by: String,
    /// The losing version was a deletion.
    pub lost_deleted: bool,
    /// A county-owned record: read-only here, so it cannot be restored in the village.
    pub county_owned: bool,
    /// The losing version's fields, labelled in Chinese where known: those that differ from the
    /// current version first.
    pub fields: Vec<ConflictField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConflictField {
    pub label: String,
    /// In the losing version.
    pub value: String,
    /// In the current version, when it differs; `null` when it is the same.
    pub current: Option<String>,
}

/// How often and how patiently the worker syncs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Between rounds while the county answers.
    pub period: Duration,
    /// How often the worker looks (locally) for new changes waiting to go up.
    pub tick: Duration,
    /// Between attempts while the county is unreachable.
    pub backoff: Backoff,
    /// Between attempts after a problem a person must fix.
    pub problem_retry: Duration,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            period: Duration::from_secs(60),
            tick: Duration::from_secs(5),
            backoff: Backoff::new(Duration::from_secs(2), Duration::from_secs(120)),
            problem_retry: Duration::from_secs(30 * 60),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// What the worker knows that the store does not.
#[derive(Debug, Default)]
struct Runtime {
    wake: bool,
    stop: bool,
    syncing: bool,
    progress: Option<SyncProgressView>,
    offline: bool,
    problem: Option<IpcError>,
    next_attempt_at: Option<String>,
    attempts: u64,
}

struct Shared {
    runtime: Mutex<Runtime>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Runtime> {
        // A panic elsewhere leaves plain data behind; keep going with it.
        self.runtime.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The app's handle on the worker (managed Tauri state). Without a store there is no worker
/// and the handle only answers "not enrolled".
#[derive(Clone)]
pub struct SyncWorker {
    shared: Arc<Shared>,
}

impl SyncWorker {
    fn new() -> SyncWorker {
        SyncWorker {
            shared: Arc::new(Shared {
                runtime: Mutex::new(Runtime::default()),
                wake: Condvar::new(),
            }),
        }
    }

    /// A handle without a thread (the store could not be opened).
    pub fn idle() -> SyncWorker {
        SyncWorker::new()
    }

    /// Starts the worker thread on its own connection to the store at `path`; `emit` gets every
    /// new status.
    pub fn start(
        path: PathBuf,
        config: WorkerConfig,
        emit: impl Fn(&SyncStatusView) + Send + 'static,
    ) -> SyncWorker {
        let worker = SyncWorker::new();
        let shared = worker.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("cunan-sync".into())
            .spawn(move || run(&shared, &path, config, &emit));
        if spawned.is_err() {
            eprintln!("cunan-app: the sync worker could not be started");
        }
        worker
    }

    /// Asks for a sync round now (立即同步, or just after enrolling).
    pub fn wake(&self) {
        self.shared.lock().wake = true;
        self.shared.wake.notify_all();
    }

    /// Ends the worker thread after its current request.
    pub fn stop(&self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
    }

    /// How many sync rounds the worker has started (for tests and measurements).
    pub fn attempts(&self) -> u64 {
        self.shared.lock().attempts
    }

    /// The status of `store` as the worker sees it.
    pub fn status(&self, store: &Store) -> SyncStatusView {
        let runtime = self.shared.lock();
        view(store, &runtime)
    }
}

/// The status line's data from the store and the worker's runtime state.
fn view(store: &Store, runtime: &Runtime) -> SyncStatusView {
    let status = cunan_sync::status(store);
    let status = status.unwrap_or(cunan_sync::SyncStatus {
        server_url: None,
        address: None,
        village_code: None,
        enrolled: false,
        last_success_at: None,
        last_error: None,
        waiting_changes: 0,
        open_conflicts: 0,
    });
    let enrolled = status.enrolled;
    let phase = if !enrolled {
        SyncPhase::NotEnrolled
    } else if runtime.syncing {
        SyncPhase::Syncing
    } else if runtime.problem.is_some() {
        SyncPhase::Error
    } else if runtime.offline {
        SyncPhase::Offline
    } else {
        SyncPhase::Idle
    };
    SyncStatusView {
        phase,
        enrolled,
        server_url: status.server_url,
        address: status.address,
        village_code: status.village_code,
        last_success_at: status.last_success_at,
        last_error: status.last_error,
        waiting_changes: status.waiting_changes,
        open_conflicts: status.open_conflicts,
        progress: runtime.progress.clone().filter(|_| runtime.syncing),
        problem: runtime.problem.clone().filter(|_| enrolled),
        next_attempt_at: runtime.next_attempt_at.clone().filter(|_| enrolled),
    }
}

/// The worker's loop. Returns when stopped, or at once if the store cannot be opened.
fn run(shared: &Shared, path: &Path, config: WorkerConfig, emit: &dyn Fn(&SyncStatusView)) {
    let mut store = match Store::open(path) {
        Ok(store) => store,
        Err(e) => {
            eprintln!(
                "cunan-app: the sync worker could not open the store ({})",
                e.code()
            );
            return;
        }
    };
    let mut backoff = config.backoff.clone();
    let mut next_attempt = Instant::now();
    let mut last_emitted: Option<SyncStatusView> = None;
    let mut client: Option<SyncClient> = None;
    loop {
        let woken = {
            let mut runtime = shared.lock();
            if runtime.stop {
                return;
            }
            std::mem::take(&mut runtime.wake)
        };
        let server = core_sync::current_server(&store).ok().flatten();
        let healthy = {
            let runtime = shared.lock();
            !runtime.offline && runtime.problem.is_none()
        };
        let due = server.is_some()
            && (woken
                || Instant::now() >= next_attempt
                || (healthy && store.unpushed_changes().unwrap_or(0) > 0));
        if let (true, Some(server)) = (due, &server) {
            // The address set in the settings, if any, else the one enrolled through.
            let url = server.connect_url();
            if client.as_ref().map(SyncClient::server_url) != Some(url) {
                client = SyncClient::with_timeout(url, config.request_timeout).ok();
            }
            let delay = match &client {
                Some(client) => {
                    // An automatic retry while offline stays quiet until the county answers.
                    let mut quiet = !woken && shared.lock().offline;
                    sync_round(
                        shared,
                        client,
                        &mut store,
                        &mut backoff,
                        &config,
                        emit,
                        &mut quiet,
                    )
                }
                None => config.problem_retry,
            };
            next_attempt = Instant::now() + delay;
            shared.lock().next_attempt_at = Some(wall_clock_in(delay));
        } else if server.is_none() {
            let mut runtime = shared.lock();
            runtime.offline = false;
            runtime.problem = None;
            runtime.next_attempt_at = None;
        }
        let status = view(&store, &shared.lock());
        if last_emitted.as_ref() != Some(&status) {
            emit(&status);
            last_emitted = Some(status);
        }
        // Sleep until the next tick or attempt, or until woken.
        let wait = next_attempt
            .saturating_duration_since(Instant::now())
            .min(config.tick);
        let runtime = shared.lock();
        if !runtime.wake && !runtime.stop {
            let _unused = shared
                .wake
                .wait_timeout(runtime, wait)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// One sync round with progress events; returns how long to wait before the next one.
fn sync_round(
    shared: &Shared,
    client: &SyncClient,
    store: &mut Store,
    backoff: &mut Backoff,
    config: &WorkerConfig,
    emit: &dyn Fn(&SyncStatusView),
    quiet: &mut bool,
) -> Duration {
    let mut status = {
        let mut runtime = shared.lock();
        runtime.syncing = !*quiet;
        runtime.attempts += 1;
        runtime.progress = None;
        view(store, &runtime)
    };
    if !*quiet {
        emit(&status);
    }
    let waiting_before = status.waiting_changes;
    let mut last_emit = Instant::now();
    let mut on_progress = |p: SyncProgress| {
        let progress = match p {
            SyncProgress::Pushing { sent, total } => SyncProgressView {
                stage: SyncStage::Pushing,
                done: sent,
                total: Some(total),
            },
            SyncProgress::Pulling { received } => SyncProgressView {
                stage: SyncStage::Pulling,
                done: received,
                total: None,
            },
        };
        if let Some(total) = progress.total {
            status.waiting_changes = (total - progress.done.min(total)) as i64;
        } else {
            status.waiting_changes = waiting_before.min(status.waiting_changes);
        }
        if *quiet && progress.done > 0 {
            // The county answered: from now on this round shows as a sync.
            *quiet = false;
            shared.lock().syncing = true;
            status.phase = SyncPhase::Syncing;
        }
        shared.lock().progress = Some(progress.clone());
        status.progress = Some(progress);
        // Batches are 500 changes; still, no more than ten events a second.
        let first = status.progress.as_ref().is_some_and(|p| p.done == 0);
        if !*quiet && (first || last_emit.elapsed() >= Duration::from_millis(100)) {
            emit(&status);
            last_emit = Instant::now();
        }
    };
    let result = client.sync_once(store, &mut on_progress);
    let mut runtime = shared.lock();
    runtime.syncing = false;
    runtime.progress = None;
    match result {
        Ok(_report) => {
            backoff.reset();
            runtime.offline = false;
            runtime.problem = None;
            config.period
        }
        Err(e) if e.is_transient() => {
            runtime.offline = true;
            runtime.problem = None;
            backoff.next_delay()
        }
        Err(e) => {
            // The code only: a log is no place for server messages.
            eprintln!("cunan-app: sync needs attention ({})", e.code());
            runtime.offline = false;
            runtime.problem = Some(sync_error(e));
            config.problem_retry
        }
    }
}

fn wall_clock_in(delay: Duration) -> String {
    let delay = chrono::Duration::from_std(delay).unwrap_or_default();
    (Local::now() + delay).to_rfc3339()
}

fn sync_error(e: SyncError) -> IpcError {
    if let Some(detail) = e.detail() {
        eprintln!("cunan-app: {}: {detail}", e.code());
    }
    match e {
        SyncError::Core(core) => IpcError::from(core),
        other => IpcError::new(other.code(), other.to_string()),
    }
}

/// Starts the worker on the app's store (if it opened) and manages its handle; statuses go to
/// the window as `sync-status` events.
pub fn start_worker(app: &AppHandle) {
    use tauri::Manager;
    let state = app.state::<AppState>();
    let worker = match (&state.path, state.store_error()) {
        (Some(path), None) => {
            let handle = app.clone();
            SyncWorker::start(path.clone(), WorkerConfig::default(), move |status| {
                let _ = handle.emit(STATUS_EVENT, status);
            })
        }
        _ => SyncWorker::idle(),
    };
    app.manage(worker);
}

// ---- commands ----

#[tauri::command]
pub fn sync_status(state: State<'_, AppState>, worker: State<'_, SyncWorker>) -> SyncStatusView {
    match state.store() {
        Ok(store) => worker.status(&store),
        Err(_) => SyncStatusView {
            phase: SyncPhase::NotEnrolled,
            enrolled: false,
            server_url: None,
            address: None,
            village_code: None,
            last_success_at: None,
            last_error: None,
            waiting_changes: 0,
            open_conflicts: 0,
            progress: None,
            problem: None,
            next_attempt_at: None,
        },
    }
}

/// 立即同步: wakes the worker; progress comes as `sync-status` events.
#[tauri::command]
pub fn sync_now(worker: State<'_, SyncWorker>) {
    worker.wake();
}

/// Exchanges the county's one-time code for this device's token, then starts a first sync.
#[tauri::command]
pub async fn enroll<R: TauriRuntime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    server_url: String,
    code: String,
) -> Reply<SyncStatusView> {
    let url = check_server_url(&server_url)?;
    let code = code.trim().to_string();
    if code.is_empty() {
        return Err(field_error(
            "input",
            "登记码",
            "请填写县应急管理局给的一次性登记码（形如 ABCD-EFGH-JKLM）。",
        ));
    }
    state.store_error().map_or(Ok(()), Err)?;
    let path = state.path.clone().ok_or_else(crate::state::no_data_dir)?;
    tauri::async_runtime::spawn_blocking(move || enroll_blocking(&path, &url, &code))
        .await
        .map_err(|_| IpcError::new("enroll_failed", "登记时程序出错，请重试。"))??;
    worker.wake();
    let status = worker.status(&*state.store()?);
    let _ = app.emit(STATUS_EVENT, &status);
    Ok(status)
}

fn enroll_blocking(path: &Path, url: &str, code: &str) -> Reply<()> {
    let mut store = Store::open(path)?;
    let client = SyncClient::with_timeout(url, Duration::from_secs(30)).map_err(sync_error)?;
    client
        .enroll(&mut store, code)
        .map(|_| ())
        .map_err(|e| match e {
            SyncError::Network(_) | SyncError::BadResponse => IpcError::new(
                e.code(),
                "连不上这个地址的县级服务器。请检查地址是否填写正确、电脑是否已联网，然后重试。",
            ),
            SyncError::Unauthorized(_) => field_error(
                e.code(),
                "登记码",
                "登记码不对，或已经用过。请核对登记码；如仍不行，请向县应急管理局重新领取。",
            ),
            SyncError::Forbidden(message) => field_error("sync_forbidden", "登记码", message),
            other => sync_error(other),
        })
}

/// Uses another address of the enrolled server (an IP at the township office, a host name
/// elsewhere, a proxy), or with an empty `address` goes back to the enrolled one. The address is
/// asked who it is first: one that answers as another county server is refused, and nothing
/// (no token, no data) is sent to it.
#[tauri::command]
pub async fn set_server_address<R: TauriRuntime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    address: String,
) -> Reply<SyncStatusView> {
    let address = if address.trim().is_empty() {
        None
    } else {
        Some(check_server_url(&address)?)
    };
    state.store_error().map_or(Ok(()), Err)?;
    let path = state.path.clone().ok_or_else(crate::state::no_data_dir)?;
    tauri::async_runtime::spawn_blocking(move || set_address_blocking(&path, address.as_deref()))
        .await
        .map_err(|_| IpcError::new("address_failed", "保存服务器地址时程序出错，请重试。"))??;
    worker.wake();
    let status = worker.status(&*state.store()?);
    let _ = app.emit(STATUS_EVENT, &status);
    Ok(status)
}

fn set_address_blocking(path: &Path, address: Option<&str>) -> Reply<()> {
    let mut store = Store::open(path)?;
    let current =
        core_sync::current_server(&store)?.ok_or_else(|| sync_error(SyncError::NotEnrolled))?;
    if let Some(address) = address {
        let client =
            SyncClient::with_timeout(address, Duration::from_secs(15)).map_err(sync_error)?;
        let state = client.resolve_enrollment(&mut store).map_err(|e| match e {
            SyncError::Network(_) | SyncError::BadResponse => field_error(
                e.code(),
                "服务器地址",
                "这个地址现在连不上，没有保存。请检查地址是否填写正确、电脑是否已联网，然后重试。",
            ),
            SyncError::WrongServer(message) => {
                field_error("sync_wrong_server", "服务器地址", message)
            }
            other => sync_error(other),
        })?;
        core_sync::set_address(&mut store, &state.server_url, Some(address))?;
    } else {
        core_sync::set_address(&mut store, &current.server_url, None)?;
    }
    Ok(())
}

/// The server address as typed, trimmed; `http://` or `https://` only.
fn check_server_url(url: &str) -> Reply<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(url.to_string())
        }
        _ => Err(field_error(
            "input",
            "服务器地址",
            "服务器地址应以 http:// 或 https:// 开头，例如 https://yjj.example.gov.cn，请照县应急管理局给的地址填写。",
        )),
    }
}

fn field_error(code: &str, field: &str, message: impl Into<String>) -> IpcError {
    IpcError {
        field: Some(field.to_string()),
        ..IpcError::new(code, message)
    }
}

/// The versions that lost a merge and are not restored yet, oldest first.
#[tauri::command]
pub fn list_conflicts(state: State<'_, AppState>) -> Reply<Vec<ConflictView>> {
    let store = state.store()?;
    let own = store.device_id().to_string();
    Ok(core_sync::conflicts(&store, false)?
        .into_iter()
        .map(|c| {
            let current = current_row(&store, &c.table, &c.row_id);
            conflict_view(c, current.as_ref(), &own)
        })
        .collect())
}

/// Makes a losing version current again (as a new local write, so it goes up and wins).
#[tauri::command]
pub fn restore_conflict(
    state: State<'_, AppState>,
    worker: State<'_, SyncWorker>,
    id: i64,
) -> Reply<()> {
    core_sync::restore_conflict(&mut *state.store()?, id)?;
    worker.wake();
    Ok(())
}

/// The row as it is now, as JSON (`None` if it is gone or the table is unknown).
fn current_row(store: &Store, table: &str, id: &str) -> Option<Value> {
    if !cunan_core::SYNCED_TABLES.contains(&table) {
        return None;
    }
    let mut stmt = store
        .conn()
        .prepare("SELECT name FROM pragma_table_info(?1)")
        .ok()?;
    let columns: Vec<String> = stmt
        .query_map([table], |r| r.get::<_, String>(0))
        .ok()?
        .filter_map(Result::ok)
        .collect();
    // Column names come from the schema and the table from the list above: nothing typed in.
    let pairs: Vec<String> = columns.iter().map(|c| format!("'{c}', \"{c}\"")).collect();
    let sql = format!(
        "SELECT json_object({}) FROM \"{table}\" WHERE id = ?1",
        pairs.join(", ")
    );
    let json: String = store.conn().query_row(&sql, [id], |r| r.get(0)).ok()?;
    serde_json::from_str(&json).ok()
}

/// A field's value in words: booleans as 是/否, kit conditions and hazards by their labels.
fn field_text(column: &str, value: &Value, like: &Value) -> Option<String> {
    // The current row comes from SQLite: booleans as 0/1, JSON columns as text.
    let value = match (like, value) {
        (Value::Bool(_), Value::Number(n)) => Value::Bool(n.as_i64() != Some(0)),
        (Value::Array(_) | Value::Object(_), Value::String(s)) => {
            serde_json::from_str(s).unwrap_or_else(|_| value.clone())
        }
        _ => value.clone(),
    };
    if column == "condition" {
        if let Ok(c) = serde_json::from_value::<cunan_core::KitCondition>(value.clone()) {
            return Some(c.label().to_string());
        }
    }
    if column == "hazard_kinds" {
        if let Ok(kinds) = serde_json::from_value::<Vec<cunan_core::HazardKind>>(value.clone()) {
            return Some(
                kinds
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("、"),
            );
        }
    }
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(if b { "是" } else { "否" }.to_string()),
        other => Some(other.to_string()),
    }
}

fn conflict_view(
    c: core_sync::Conflict,
    current: Option<&Value>,
    own_device: &str,
) -> ConflictView {
    let lost_deleted = c.loser_data.get("deleted").and_then(Value::as_bool) == Some(true)
        || c.loser_data.get("deleted").and_then(Value::as_i64) == Some(1);
    let title = ["name", "title", "item_name", "topic", "key"]
        .iter()
        .find_map(|k| c.loser_data.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    let mut fields: Vec<(bool, usize, ConflictField)> = match &c.loser_data {
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !HIDDEN_COLUMNS.contains(&k.as_str()))
            .filter_map(|(k, v)| {
                let now = current
                    .and_then(|row| row.get(k))
                    .and_then(|now| field_text(k, now, v));
                let value = field_text(k, v, v);
                if value.is_none() && now.is_none() {
                    return None;
                }
                let differs = current.is_some() && now != value;
                let field = ConflictField {
                    label: column_label(k).to_string(),
                    value: value.unwrap_or_else(|| "（空）".to_string()),
                    current: differs.then(|| now.unwrap_or_else(|| "（空）".to_string())),
                };
                let rank = COLUMN_ORDER
                    .iter()
                    .position(|c| c == k)
                    .unwrap_or(COLUMN_ORDER.len());
                Some((!differs, rank, field))
            })
            .collect(),
        _ => Vec::new(),
    };
    fields.sort_by_key(|(same, rank, _)| (*same, *rank));
    let fields = fields.into_iter().map(|(_, _, f)| f).collect();
    let county_owned = ["village_code", "owner"]
        .iter()
        .any(|k| c.loser_data.get(*k).and_then(Value::as_str) == Some("county"));
    ConflictView {
        id: c.id,
        county_owned,
        table_label: table_label(&c.table).to_string(),
        table: c.table,
        title,
        lost_at: hlc_time(&c.loser_hlc),
        lost_by: device_label(&c.loser_device_id, own_device).to_string(),
        won_at: hlc_time(&c.winner_hlc),
        won_by: device_label(&c.winner_device_id, own_device).to_string(),
        lost_deleted,
        fields,
    }
}

const HIDDEN_COLUMNS: [&str; 8] = [
    "id",
    "village_code",
    "hlc",
    "device_id",
    "deleted",
    "owner",
    "catalog_code",
    "base_hlc",
];

/// Which fields come first when listed (then the rest, alphabetically).
const COLUMN_ORDER: [&str; 8] = [
    "name",
    "title",
    "quantity",
    "unit",
    "condition",
    "location",
    "custodian",
    "phone",
];

fn device_label(device: &str, own: &str) -> &'static str {
    if device == own {
        "本机"
    } else if device == "county" {
        "县里"
    } else {
        "另一台电脑"
    }
}

/// `"<13-digit ms>-<counter>"` → the local time it names, RFC 3339.
fn hlc_time(hlc: &str) -> Option<String> {
    let ms: i64 = hlc.split('-').next()?.parse().ok()?;
    let at: DateTime<Local> = Local.timestamp_millis_opt(ms).single()?;
    Some(at.to_rfc3339())
}

fn table_label(table: &str) -> &str {
    match table {
        "village" => "村庄信息",
        "grid" => "网格",
        "grid_member" => "网格员",
        "hazard_site" => "隐患点",
        "household" => "住户",
        "household_hazard" => "住户风险",
        "resident" => "居民",
        "vulnerable_person" => "重点人员",
        "team" => "应急队伍",
        "team_member" => "队员",
        "contact" => "联系人",
        "shelter" => "避险场所",
        "evacuation_route" => "转移路线",
        "plan" => "预案",
        "plan_step" => "预案步骤",
        "kit_item" => "应急器材",
        "kit_inspection" => "器材检查记录",
        "flood_responsible" => "防汛责任人",
        "hazard_report" => "隐患报告",
        "drill" => "演练",
        "education_session" => "宣传教育",
        "education_attendance" => "宣传教育签到",
        "incident_report" => "灾情报告",
        "evacuation_event" => "转移",
        "evacuation_status" => "转移情况",
        "setting" => "设置",
        other => other,
    }
}

fn column_label(column: &str) -> &str {
    match column {
        "name" => "名称",
        "title" => "标题",
        "code" => "区划代码",
        "quantity" => "数量",
        "unit" => "单位",
        "location" => "存放位置",
        "custodian" => "保管人",
        "custodian_phone" => "保管人电话",
        "condition" => "状况",
        "inspect_every_days" => "检查周期（天）",
        "note" => "备注",
        "phone" => "电话",
        "address" => "地址",
        "township" => "乡镇",
        "county" => "县（区）",
        "province_city" => "省市",
        "population" => "人口",
        "household_count" => "户数",
        "hazard_kinds" => "灾害类型",
        "comms_guaranteed" => "通信有保障",
        "party_secretary" => "村党组织书记",
        "party_secretary_phone" => "书记电话",
        "officer_name" => "村应急管理员",
        "officer_phone" => "管理员电话",
        "role" => "职务",
        "key" => "设置项",
        "value" => "值",
        "inspected_on" => "检查日期",
        "kit_item_id" => "器材",
        "result" => "结果",
        "capacity" => "容纳人数",
        "topic" => "宣传主题",
        "taught_by" => "宣讲人",
        "place" => "地点",
        "updated_at" => "修改时间",
        "created_at" => "创建时间",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_must_be_http_urls() {
        assert_eq!(
            check_server_url(" http://10.1.2.3:8080/ ").ok().as_deref(),
            Some("http://10.1.2.3:8080")
        );
        assert!(check_server_url("https://yjj.example.gov.cn").is_ok());
        for bad in ["", "10.1.2.3", "ftp://x", "http://", "http://a b"] {
            let e = check_server_url(bad).err();
            assert_eq!(
                e.and_then(|e| e.field).as_deref(),
                Some("服务器地址"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_conflict_reads_in_words_with_what_changed_first() {
        let conflict = core_sync::Conflict {
            id: 4,
            table: "kit_item".into(),
            row_id: "k1".into(),
            loser_hlc: "1735689600000-000001".into(),
            loser_device_id: "me".into(),
            loser_data: serde_json::json!({
                "id": "k1", "village_code": "330502101201", "hlc": "x", "device_id": "me",
                "deleted": false, "name": "救生衣", "quantity": 3, "unit": "件",
                "condition": "needs-repair", "note": "", "catalog_code": "LJ-01"
            }),
            winner_hlc: "1735689700000-000000".into(),
            winner_device_id: "other".into(),
            recorded_at: "2025-01-01T00:00:00Z".into(),
            resolved: false,
        };
        let current = serde_json::json!({
            "id": "k1", "name": "救生衣", "quantity": 9, "unit": "件",
            "condition": "needs-repair", "note": "", "deleted": 0
        });
        let v = conflict_view(conflict, Some(&current), "me");
        assert_eq!(v.table_label, "应急器材");
        assert_eq!(v.title, "救生衣");
        assert_eq!(
            (v.lost_by.as_str(), v.won_by.as_str()),
            ("本机", "另一台电脑")
        );
        assert!(!v.lost_deleted && !v.county_owned);
        let labels: Vec<&str> = v.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(
            labels,
            ["数量", "名称", "单位", "状况"],
            "changed first; no ids or blanks"
        );
        assert_eq!(v.fields[0].value, "3");
        assert_eq!(v.fields[0].current.as_deref(), Some("9"));
        assert_eq!(v.fields[3].value, "待维修");
        assert_eq!(v.fields[3].current, None);
    }

    #[test]
    fn hlc_readings_become_times() {
        assert!(hlc_time("1735689600000-000001")
            .is_some_and(|t| t.starts_with("2025-01-01") || t.starts_with("2024-12-31")));
        assert_eq!(hlc_time("garbage"), None);
    }
}
