//! The background sync engine: one thread with its own connection to the store file (SQLite
//! WAL lets it write while the session's connection reads and writes), so a slow or dead link
//! never blocks the screens. It syncs when enrolled: at start, every [`WorkerConfig::period`]
//! while the county answers, soon after local changes appear, and with exponential backoff while
//! the county is unreachable — which may be for days, so offline it is quiet (no popups, a few
//! cheap local queries and one connection attempt per backoff step). A problem that needs a
//! person (revoked token, version mismatch) is shown in Chinese and retried only rarely or when
//! asked. [`sync_with_retries`] is the same round with the same backoff for a one-shot caller
//! (the CLI's `sync`).
//!
//! Nothing here logs or emits personal data: statuses carry counts, times, the server address and
//! the core's Chinese messages, which hold no request data.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Local;
use cunan_core::clock::Clock;
use cunan_core::sync as core_sync;
use cunan_core::Store;
use cunan_sync::SyncClient;
pub use cunan_sync::{Backoff, SyncError, SyncProgress, SyncReport};
use serde::Serialize;

use crate::error::ApiError;

/// What the worker tells its listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// Where sync stands now (sent whenever it changed).
    Status(Box<SyncStatusView>),
    /// The store changed with data from elsewhere (a pull, a bundle read): screens reload.
    StoreChanged,
}

/// What sync is doing right now, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncStage {
    Pushing,
    Pulling,
}

/// Progress of a running sync round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncProgressView {
    pub stage: SyncStage,
    /// Changes sent and acknowledged (pushing) or received and saved (pulling).
    pub done: usize,
    /// How many changes are being sent; `null` while pulling (the county does not say).
    pub total: Option<usize>,
}

/// Where sync stands: sent with every change as the `sync-status` event, and by `sync_status`.
/// Holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// The county holds this computer's key, so it takes its USB bundles; until then a bundle
    /// must carry an enrollment code.
    pub key_registered: bool,
    pub progress: Option<SyncProgressView>,
    /// A problem a person must fix (revoked token, version mismatch), with what to do.
    pub problem: Option<ApiError>,
    /// When the worker tries again by itself (RFC 3339, local time), if it is waiting to.
    pub next_attempt_at: Option<String>,
}

impl SyncStatusView {
    /// The status of a store that could not be opened, or has no county server yet.
    pub fn not_enrolled() -> SyncStatusView {
        SyncStatusView {
            phase: SyncPhase::NotEnrolled,
            enrolled: false,
            server_url: None,
            address: None,
            village_code: None,
            last_success_at: None,
            last_error: None,
            waiting_changes: 0,
            open_conflicts: 0,
            key_registered: false,
            progress: None,
            problem: None,
            next_attempt_at: None,
        }
    }
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
    problem: Option<ApiError>,
    next_attempt_at: Option<String>,
    attempts: u64,
}

type Listener = dyn Fn(SyncEvent) + Send + Sync;

struct Shared {
    runtime: Mutex<Runtime>,
    wake: Condvar,
    /// Who hears statuses and store changes; none for an idle handle.
    listener: Option<Arc<Listener>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Runtime> {
        // A panic elsewhere leaves plain data behind; keep going with it.
        self.runtime.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The session's handle on the worker. Without a store there is no worker and the handle only
/// answers "not enrolled".
#[derive(Clone)]
pub struct SyncWorker {
    shared: Arc<Shared>,
}

impl SyncWorker {
    fn new(listener: Option<Arc<Listener>>) -> SyncWorker {
        SyncWorker {
            shared: Arc::new(Shared {
                runtime: Mutex::new(Runtime::default()),
                wake: Condvar::new(),
                listener,
            }),
        }
    }

    /// A handle without a thread (the store could not be opened).
    pub fn idle() -> SyncWorker {
        SyncWorker::new(None)
    }

    /// Starts the worker thread on its own connection to the store at `path`, on `clock`;
    /// `events` gets every new status and every change to the store from elsewhere.
    pub fn start(
        path: PathBuf,
        config: WorkerConfig,
        clock: Arc<dyn Clock>,
        events: impl Fn(SyncEvent) + Send + Sync + 'static,
    ) -> SyncWorker {
        let worker = SyncWorker::new(Some(Arc::new(events)));
        let shared = worker.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("cunan-sync".into())
            .spawn(move || run(&shared, &path, clock, config));
        if spawned.is_err() {
            eprintln!("cunan: the sync worker could not be started");
        }
        worker
    }

    /// Passes a status (and that the store changed, if it did) to the listener: for changes
    /// made outside the worker, e.g. a USB bundle read by the session.
    pub fn announce(&self, status: SyncStatusView, store_changed: bool) {
        if let Some(listener) = &self.shared.listener {
            listener(SyncEvent::Status(Box::new(status)));
            if store_changed {
                listener(SyncEvent::StoreChanged);
            }
        }
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
        key_registered: false,
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
        key_registered: status.key_registered,
        progress: runtime.progress.clone().filter(|_| runtime.syncing),
        problem: runtime.problem.clone().filter(|_| enrolled),
        next_attempt_at: runtime.next_attempt_at.clone().filter(|_| enrolled),
    }
}

/// The worker's loop. Returns when stopped, or at once if the store cannot be opened.
fn run(shared: &Shared, path: &Path, clock: Arc<dyn Clock>, config: WorkerConfig) {
    let mut store = match Store::open_with_clock(path, clock) {
        Ok(store) => store,
        Err(e) => {
            eprintln!(
                "cunan: the sync worker could not open the store ({})",
                e.code()
            );
            return;
        }
    };
    let emit_status = |status: &SyncStatusView| {
        if let Some(listener) = &shared.listener {
            listener(SyncEvent::Status(Box::new(status.clone())));
        }
    };
    let emit: &dyn Fn(&SyncStatusView) = &emit_status;
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
                let options = crate::enroll::client_options(&store, false);
                client = SyncClient::with_options(url, config.request_timeout, &options).ok();
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
        Ok(report) => {
            if changed_the_store(&report) {
                if let Some(listener) = &shared.listener {
                    listener(SyncEvent::StoreChanged);
                }
            }
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
            eprintln!("cunan: sync needs attention ({})", e.code());
            runtime.offline = false;
            runtime.problem = Some(ApiError::from(e));
            config.problem_retry
        }
    }
}

fn wall_clock_in(delay: Duration) -> String {
    let delay = chrono::Duration::from_std(delay).unwrap_or_default();
    (Local::now() + delay).to_rfc3339()
}

/// Whether a round brought data from elsewhere into the store (what the screens show).
fn changed_the_store(report: &SyncReport) -> bool {
    report.applied > 0 || report.conflicts > 0
}

/// One sync round for a one-shot caller (the CLI's `sync`), through `url`, with the worker's
/// patience: while the county cannot be reached it waits and tries again with `backoff`, up to
/// `attempts` rounds in all. `on_retry` hears each wait (attempt number, delay, why); a problem a
/// person must fix is returned at once.
pub fn sync_with_retries(
    store: &mut Store,
    url: &str,
    attempts: u32,
    mut backoff: Backoff,
    on_progress: &mut dyn FnMut(SyncProgress),
    on_retry: &mut dyn FnMut(u32, Duration, &SyncError),
) -> Result<SyncReport, ApiError> {
    let options = crate::enroll::client_options(store, false);
    let client = SyncClient::with_options(url, WorkerConfig::default().request_timeout, &options)?;
    let mut attempt = 1;
    loop {
        match client.sync_once(store, on_progress) {
            Ok(report) => return Ok(report),
            Err(e) if e.is_transient() && attempt < attempts => {
                let delay = backoff.next_delay();
                on_retry(attempt, delay, &e);
                std::thread::sleep(delay);
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}
