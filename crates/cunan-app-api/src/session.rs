//! The village session: the one open store, the background sync worker on the same file, the
//! roster import waiting for confirmation, and the people search kept in step with the store.
//!
//! The desktop shell holds one `Session` as its state; the CLI opens one per command. Opening
//! never fails: a store that cannot be opened is kept as the error every call returns, so the
//! window can still show it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use chrono::NaiveDate;
use cunan_core::clock::{Clock, SystemClock};
use cunan_core::demo::{self, DemoOptions};
use cunan_core::roster::{PeopleIndex, PersonHit};
use cunan_core::{paths, Store};
use cunan_excel::RosterImport;
use serde::Serialize;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::worker::{SyncEvent, SyncStatusView, SyncWorker, WorkerConfig};

/// Which store a session opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    /// The officer's own village: `paths::default_store_path()`.
    Default,
    /// The demo village in the app-data folder, created on first use.
    Demo,
}

/// What the app tells the UI about itself at start-up. Holds no personal data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppInfo {
    pub app_version: String,
    /// The store file, or `null` if the platform has no app-data folder.
    pub store_path: Option<String>,
    /// Whether this is the demo village (`--demo`), not the officer's own data.
    pub demo: bool,
    /// The schema version of the open store; `null` if it could not be opened.
    pub schema_version: Option<i64>,
    /// This installation's id in sync; `null` if the store could not be opened.
    pub device_id: Option<String>,
    /// Today (YYYY-MM-DD) by the app's clock, the date every rule uses: forms default to it, so
    /// the screens and the core agree on what "today" is. `null` if the store could not be opened.
    pub today: Option<String>,
    /// Why the store could not be opened; the UI shows it instead of the screens.
    pub store_error: Option<ApiError>,
}

pub struct Session {
    store: Result<Mutex<Store>, ApiError>,
    path: Option<PathBuf>,
    demo: bool,
    clock: Arc<dyn Clock>,
    /// A roster workbook read and checked, waiting for the officer to confirm the import.
    pending_import: Mutex<Option<RosterImport>>,
    /// The people search, with the store revision it was built at: rebuilt only after the store
    /// changed (a save here, or a pull by the sync worker), never per keystroke.
    people: Mutex<Option<(u64, Arc<PeopleIndex>)>>,
    /// How many times the people index was built (for tests and measurements).
    index_builds: AtomicU64,
    worker: OnceLock<SyncWorker>,
}

/// Today on the officer's wall calendar, from the store's clock (the system clock in the app, an
/// injected one in tests); business rules take it as an argument.
pub fn today(store: &Store) -> NaiveDate {
    store
        .clock()
        .now()
        .with_timezone(&chrono::Local)
        .date_naive()
}

impl Session {
    /// Opens the chosen store (the demo one is made on first use, dated `today`).
    pub fn open(choice: StoreChoice, today: NaiveDate) -> Session {
        let path = match choice {
            StoreChoice::Default => paths::default_store_path(),
            StoreChoice::Demo => paths::app_data_dir().map(|d| d.join(paths::DEMO_STORE_FILE)),
        };
        let store = match &path {
            None => Err(ApiError::no_data_dir()),
            Some(path) => open_store(path, choice, today).map(Mutex::new),
        };
        if let Err(e) = &store {
            // The code only: messages can carry paths, and logs must not carry personal data.
            eprintln!("cunan: the store could not be opened ({})", e.code);
        }
        Session::with(
            store,
            path,
            choice == StoreChoice::Demo,
            Arc::new(SystemClock),
        )
    }

    /// A session over a store file chosen by the caller, on the system clock.
    pub fn at(path: PathBuf, demo: bool) -> Session {
        Session::at_with_clock(path, demo, Arc::new(SystemClock))
    }

    /// The same on a clock of the caller's (the UI tests run on a fixed day, whatever the date).
    pub fn at_with_clock(path: PathBuf, demo: bool, clock: Arc<dyn Clock>) -> Session {
        let store = Store::open_with_clock(&path, clock.clone())
            .map(Mutex::new)
            .map_err(ApiError::from);
        Session::with(store, Some(path), demo, clock)
    }

    /// A session over an existing store file: for commands that must not make an empty store at
    /// a mistyped path (the CLI's).
    pub fn existing(path: &Path) -> ApiResult<Session> {
        let store = open_existing(path)?;
        Ok(Session::with(
            Ok(Mutex::new(store)),
            Some(path.to_path_buf()),
            false,
            Arc::new(SystemClock),
        ))
    }

    fn with(
        store: Result<Mutex<Store>, ApiError>,
        path: Option<PathBuf>,
        demo: bool,
        clock: Arc<dyn Clock>,
    ) -> Session {
        Session {
            store,
            path,
            demo,
            clock,
            pending_import: Mutex::new(None),
            people: Mutex::new(None),
            index_builds: AtomicU64::new(0),
            worker: OnceLock::new(),
        }
    }

    /// The store file, if the platform has an app-data folder.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The open store, locked for one call.
    pub fn store(&self) -> ApiResult<MutexGuard<'_, Store>> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        store.lock().map_err(|_| {
            ApiError::new(
                ErrorCode::StoreBusy,
                "上一次操作异常中断，数据文件已锁定。请关闭村安后重新打开；已保存的数据不受影响。",
            )
        })
    }

    /// Why the store could not be opened, if it could not.
    pub fn store_error(&self) -> Option<ApiError> {
        self.store.as_ref().err().cloned()
    }

    /// The store's file, for work on a connection of its own (enrollment, the worker), once the
    /// store is known to open.
    pub fn store_path(&self) -> ApiResult<PathBuf> {
        if let Some(e) = self.store_error() {
            return Err(e);
        }
        self.path.clone().ok_or_else(ApiError::no_data_dir)
    }

    /// The roster workbook waiting for confirmation, if any.
    pub(crate) fn pending_import(&self) -> MutexGuard<'_, Option<RosterImport>> {
        // A panic while holding this lock leaves at worst a stale preview; carry on with it.
        self.pending_import
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn app_info(&self) -> AppInfo {
        let store = self.store().ok();
        AppInfo {
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            store_path: self.path.as_ref().map(|p| p.display().to_string()),
            demo: self.demo,
            schema_version: store.as_ref().and_then(|s| s.version().ok()),
            device_id: store.as_ref().map(|s| s.device_id().to_string()),
            today: store.as_ref().map(|s| today(s).to_string()),
            store_error: self.store_error(),
        }
    }

    /// Finds people by name, pinyin initials or phone. The index is built once and again only
    /// after the store changed (by this session or by another connection: the sync worker, the
    /// CLI), so typing in the search box costs only the search.
    pub fn search_people(&self, query: &str, limit: usize) -> ApiResult<Vec<PersonHit>> {
        let index = {
            let store = self.store()?;
            let revision = store.revision()?;
            let mut cached = self.people.lock().unwrap_or_else(|e| e.into_inner());
            match cached.as_ref() {
                Some((at, index)) if *at == revision => index.clone(),
                _ => {
                    let index = Arc::new(PeopleIndex::build(&store)?);
                    self.index_builds.fetch_add(1, Ordering::Relaxed);
                    *cached = Some((revision, index.clone()));
                    index
                }
            }
        };
        Ok(index.search(query, limit.min(200)))
    }

    /// How many times the people index has been built since the session opened.
    pub fn people_index_builds(&self) -> u64 {
        self.index_builds.load(Ordering::Relaxed)
    }

    /// Starts the background sync worker on its own connection to this session's store file
    /// (once; later calls do nothing). `events` gets every new status and every time the worker
    /// changed the store with data from elsewhere, so screens can reload.
    pub fn start_sync(
        &self,
        config: WorkerConfig,
        events: impl Fn(SyncEvent) + Send + Sync + 'static,
    ) {
        if self.worker.get().is_some() {
            return;
        }
        let worker = match (&self.path, self.store_error()) {
            (Some(path), None) => {
                SyncWorker::start(path.clone(), config, self.clock.clone(), events)
            }
            _ => SyncWorker::idle(),
        };
        let _ = self.worker.set(worker);
    }

    /// The sync worker; an idle one (answering "not enrolled") until [`Session::start_sync`].
    pub fn worker(&self) -> &SyncWorker {
        self.worker.get_or_init(SyncWorker::idle)
    }

    /// Where sync stands, for the status line.
    pub fn sync_status(&self) -> SyncStatusView {
        match self.store() {
            Ok(store) => self.worker().status(&store),
            Err(_) => SyncStatusView::not_enrolled(),
        }
    }

    /// Tells the worker's listener what changed after something outside the worker moved data
    /// in (a USB bundle read here, an enrollment): a new status, and that the store changed.
    /// Returns the status it announced.
    pub fn announce(&self, store_changed: bool) -> SyncStatusView {
        let status = self.sync_status();
        self.worker().announce(status.clone(), store_changed);
        status
    }
}

/// Opens an existing store file; refuses a path where there is none rather than making an empty
/// store there.
pub fn open_existing(path: &Path) -> ApiResult<Store> {
    if !path.exists() {
        return Err(ApiError::new(
            ErrorCode::StoreMissing,
            format!(
                "数据文件 {} 不存在。请检查路径，或先用 `cunan --db 路径 demo` 创建演示数据。",
                path.display()
            ),
        ));
    }
    Ok(Store::open(path)?)
}

fn open_store(path: &Path, choice: StoreChoice, today: NaiveDate) -> ApiResult<Store> {
    if choice == StoreChoice::Demo && !path.exists() {
        let (store, _summary) = demo::create(
            path,
            DemoOptions {
                households: 300,
                seed: 1,
                today,
            },
        )?;
        return Ok(store);
    }
    Ok(Store::open(path)?)
}
