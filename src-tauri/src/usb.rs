//! USB sync from the 同步 page: write this device's changes to a folder (a USB stick) for the
//! county, and read the county's bundle for this village back. The bundle format and the rules
//! are `cunan-sync`'s (`bundle`); this module only finds folders, names files and moves bytes.

use std::path::{Path, PathBuf};

use cunan_core::Store;
use cunan_sync::bundle::{self, BundleError, CountyBundleReport};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use ts_rs::TS;

use crate::commands::today;
use crate::files::safe_file_name;
use crate::ipc::IpcError;
use crate::state::AppState;
use crate::sync::SyncWorker;
use crate::sync::STATUS_EVENT;

type Reply<T> = Result<T, IpcError>;

impl From<BundleError> for IpcError {
    fn from(e: BundleError) -> Self {
        if let Some(detail) = e.detail() {
            eprintln!("cunan-app: {}: {detail}", e.code());
        }
        match e {
            BundleError::Core(core) => core.into(),
            other => IpcError::new(other.code(), other.to_string()),
        }
    }
}

/// A folder the bundle can go to: a USB stick (or other removable drive) found on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UsbFolder {
    pub path: String,
    /// What to call it: the drive's name.
    pub label: String,
}

/// What writing a bundle did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BundleWritten {
    pub path: String,
    pub file_name: String,
    /// Changes in the file (this device's changes the county has not confirmed yet).
    pub changes: usize,
    pub bytes: u64,
}

/// What reading the county's bundle did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BundleRead {
    pub changes: usize,
    pub applied: usize,
    pub conflicts: usize,
    /// This device's changes the county confirmed it has: they are not written to USB again.
    pub acknowledged: usize,
    pub still_waiting: i64,
}

impl From<CountyBundleReport> for BundleRead {
    fn from(r: CountyBundleReport) -> Self {
        BundleRead {
            changes: r.changes,
            applied: r.applied,
            conflicts: r.conflicts,
            acknowledged: r.acknowledged,
            still_waiting: r.still_waiting,
        }
    }
}

/// Removable drives mounted on this computer, the likely places for a USB stick: on Linux (UOS,
/// Kylin) the folders under `/media/<user>` and `/run/media/<user>`; on Windows the drive
/// letters other than the system drive.
/// Off the UI thread: on Windows a drive letter of a disconnected network drive can take long to
/// answer.
#[tauri::command]
pub async fn usb_folders() -> Vec<UsbFolder> {
    tauri::async_runtime::spawn_blocking(removable_folders)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| UsbFolder {
            label: p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| p.display().to_string()),
            path: p.display().to_string(),
        })
        .collect()
}

fn removable_folders() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if cfg!(windows) {
        let system = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".into());
        for letter in b'D'..=b'Z' {
            let drive = format!("{}:", letter as char);
            let root = PathBuf::from(format!("{drive}\\"));
            if !drive.eq_ignore_ascii_case(&system) && root.is_dir() {
                out.push(root);
            }
        }
    } else {
        let user = std::env::var("USER").unwrap_or_default();
        let mut parents = vec![PathBuf::from("/media").join(&user)];
        parents.push(PathBuf::from("/run/media").join(&user));
        for parent in parents {
            let Ok(entries) = std::fs::read_dir(&parent) else {
                continue;
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect();
            found.sort();
            out.extend(found);
        }
    }
    out
}

/// Writes this device's changes that the county has not confirmed to `folder`, as
/// `村安数据包-<村名>-<date>-<time>.cunan`. Off the UI thread.
#[tauri::command]
pub async fn write_bundle<R: Runtime>(app: AppHandle<R>, folder: String) -> Reply<BundleWritten> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let folder = check_folder(&folder)?;
        let (bytes, changes, file_name) = {
            let store = state.store()?;
            let body = bundle::export(&store, false)?;
            let name = file_name(&store)?;
            (bundle::encode(&body)?, body.changes.len(), name)
        };
        let path = folder.join(&file_name);
        bundle::write_file(&path, &bytes)?;
        Ok(BundleWritten {
            path: path.display().to_string(),
            file_name,
            changes,
            bytes: bytes.len() as u64,
        })
    })
    .await
    .map_err(|_| IpcError::new("bundle_failed", "写入 U 盘时程序出错，请重试。"))?
}

/// Reads the county's bundle for this village (the bytes of the file the officer chose).
/// Off the UI thread; the sync worker and the screens are told the store changed. Any file name:
/// the content says whether it is a bundle (its header is checked first).
#[tauri::command]
pub async fn read_county_bundle<R: Runtime>(
    app: AppHandle<R>,
    bytes: Vec<u8>,
) -> Reply<BundleRead> {
    let handle = app.clone();
    let report = tauri::async_runtime::spawn_blocking(move || {
        let state = handle.state::<AppState>();
        let mut store = state.store()?;
        Ok::<_, IpcError>(bundle::import_county_bundle(&mut store, &bytes)?)
    })
    .await
    .map_err(|_| IpcError::new("bundle_failed", "读入数据包时程序出错，请重试。"))??;
    if let Some(worker) = app.try_state::<SyncWorker>() {
        if let Ok(store) = app.state::<AppState>().store() {
            let _ = app.emit(STATUS_EVENT, worker.status(&store));
        }
    }
    Ok(report.into())
}

fn check_folder(folder: &str) -> Reply<PathBuf> {
    let folder = folder.trim();
    let path = Path::new(folder);
    if folder.is_empty() || !path.is_absolute() {
        return Err(IpcError {
            field: Some("文件夹".into()),
            ..IpcError::new(
                "input",
                "请选择要写入的 U 盘或文件夹（完整路径，例如 /media/村委会/U盘 或 E:\\）。",
            )
        });
    }
    if !path.is_dir() {
        return Err(IpcError {
            field: Some("文件夹".into()),
            ..IpcError::new(
                "folder_missing",
                "找不到这个文件夹。请检查 U 盘是否插好，或重新选择文件夹。",
            )
        });
    }
    Ok(path.to_path_buf())
}

fn file_name(store: &Store) -> Reply<String> {
    let village = store
        .village()?
        .map(|v| v.name)
        .unwrap_or_else(|| "本村".into());
    // The time too: two bundles of one day do not overwrite each other.
    let now = store.clock().now().with_timezone(&chrono::Local);
    Ok(safe_file_name(&format!(
        "村安数据包-{}-{}-{}.cunan",
        village.trim(),
        today(store),
        now.format("%H%M%S")
    )))
}
