//! The app's state: the one open store, or why it could not be opened.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use cunan_core::clock::{Clock, SystemClock};
use cunan_core::demo::{self, DemoOptions};
use cunan_core::{paths, Store};
use cunan_excel::RosterImport;

use crate::ipc::IpcError;

/// Which store the app opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    /// The officer's own village: `paths::default_store_path()`.
    Default,
    /// The demo village in the app-data folder, created on first use.
    Demo,
}

pub struct AppState {
    store: Result<Mutex<Store>, IpcError>,
    pub path: Option<PathBuf>,
    pub demo: bool,
    /// A roster workbook read and checked, waiting for the officer to confirm the import.
    pending_import: Mutex<Option<RosterImport>>,
}

impl AppState {
    /// Opens the chosen store. Never fails: a store that cannot be opened is kept as the error
    /// every command returns, so the window can still show it.
    pub fn open(choice: StoreChoice, today: NaiveDate) -> AppState {
        let path = match choice {
            StoreChoice::Default => paths::default_store_path(),
            StoreChoice::Demo => paths::app_data_dir().map(|d| d.join(paths::DEMO_STORE_FILE)),
        };
        let store = match &path {
            None => Err(no_data_dir()),
            Some(path) => open_store(path, choice, today).map(Mutex::new),
        };
        if let Err(e) = &store {
            // The code only: messages can carry paths, and logs must not carry personal data.
            eprintln!("cunan-app: the store could not be opened ({})", e.code);
        }
        AppState {
            store,
            path,
            demo: choice == StoreChoice::Demo,
            pending_import: Mutex::new(None),
        }
    }

    /// The state over a store file chosen by the caller, on the system clock.
    pub fn at(path: PathBuf, demo: bool) -> AppState {
        AppState::at_with_clock(path, demo, Arc::new(SystemClock))
    }

    /// The same on a clock of the caller's (the UI tests run on a fixed day, whatever the date).
    pub fn at_with_clock(path: PathBuf, demo: bool, clock: Arc<dyn Clock>) -> AppState {
        let store = Store::open_with_clock(&path, clock)
            .map(Mutex::new)
            .map_err(IpcError::from);
        AppState {
            store,
            path: Some(path),
            demo,
            pending_import: Mutex::new(None),
        }
    }

    /// The workbook waiting for confirmation, if any.
    pub fn pending_import(&self) -> MutexGuard<'_, Option<RosterImport>> {
        // A panic while holding this lock leaves at worst a stale preview; carry on with it.
        self.pending_import
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The open store, locked for one command.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, IpcError> {
        let store = self.store.as_ref().map_err(Clone::clone)?;
        store.lock().map_err(|_| {
            IpcError::new(
                "store_busy",
                "上一次操作异常中断，数据文件已锁定。请关闭村安后重新打开；已保存的数据不受影响。",
            )
        })
    }

    /// Why the store could not be opened, if it could not.
    pub fn store_error(&self) -> Option<IpcError> {
        self.store.as_ref().err().cloned()
    }
}

fn open_store(
    path: &std::path::Path,
    choice: StoreChoice,
    today: NaiveDate,
) -> Result<Store, IpcError> {
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

pub fn no_data_dir() -> IpcError {
    IpcError::new(
        "no_data_dir",
        "找不到本机的应用数据文件夹，无法保存数据。请检查当前用户的主目录是否存在、是否有写入权限。",
    )
}

/// Runs `f` on a blocking thread with the app's state, so that a heavy command (the roster of a
/// large village, the self-check, an Excel import or export) never holds up the window.
pub async fn off_ui<R, T, F>(app: tauri::AppHandle<R>, f: F) -> Result<T, IpcError>
where
    R: tauri::Runtime,
    T: Send + 'static,
    F: FnOnce(&AppState) -> Result<T, IpcError> + Send + 'static,
{
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>()))
        .await
        .map_err(|_| IpcError::new("internal", "程序内部出错，本次操作没有完成，请重试。"))?
}
