//! USB sync: write this device's changes to a folder (a USB stick) for the county, and read the
//! county's bundle for this village back. The bundle format and the rules are `cunan-sync`'s
//! (`bundle`); this module finds folders, names files and moves bytes.

use std::path::{Path, PathBuf};

use cunan_core::Store;
use cunan_sync::bundle::{self, CountyBundleReport};
use serde::Serialize;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::files::safe_file_name;
use crate::session::{today, Session};

/// The form field of the folder, where its errors are shown.
pub const FOLDER_FIELD: &str = "文件夹";
/// The form field of the enrollment code, for a computer the county does not know yet.
pub const CODE_FIELD: &str = "登记码";

/// A folder the bundle can go to: a USB stick (or other removable drive) found on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UsbFolder {
    pub path: String,
    /// What to call it: the drive's name.
    pub label: String,
}

/// What writing a bundle did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundleWritten {
    pub path: String,
    pub file_name: String,
    /// Changes in the file (this device's changes the county has not confirmed yet).
    pub changes: usize,
    pub bytes: u64,
}

/// What reading the county's bundle did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
/// letters other than the system drive. Can be slow (a disconnected network drive on Windows):
/// call it off the UI thread.
pub fn usb_folders() -> Vec<UsbFolder> {
    removable_folders()
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

/// Writes this device's changes that the county has not confirmed to `folder`, as
/// `村安数据包-<村名>-<date>-<time>.cunan`.
/// `code`: the county's one-time enrollment code, needed while the county does not hold this
/// computer's key (never enrolled online, nor sent a bundle with a code the county took).
pub fn write_bundle(
    session: &Session,
    folder: &str,
    code: Option<&str>,
) -> ApiResult<BundleWritten> {
    let folder = check_folder(folder)?;
    let (bytes, changes, file_name) = {
        let store = session.store()?;
        let code = check_code(&store, code)?;
        let (body, bytes) = bundle::export_signed(&store, false, code)?;
        let name = file_name(&store)?;
        (bytes, body.changes.len(), name)
    };
    let path = folder.join(&file_name);
    bundle::write_file(&path, &bytes)?;
    Ok(BundleWritten {
        path: path.display().to_string(),
        file_name,
        changes,
        bytes: bytes.len() as u64,
    })
}

/// Reads the county's bundle for this village (the bytes of the file the officer chose; any
/// name: the header says whether it is a bundle). The session's listener hears the new status
/// and, if anything came in, that the store changed.
pub fn read_county_bundle(session: &Session, bytes: &[u8]) -> ApiResult<BundleRead> {
    let read = import_county_bundle(&mut *session.store()?, bytes)?;
    session.announce(read.applied > 0 || read.conflicts > 0);
    Ok(read)
}

/// Reads the county's bundle for this village into `store`, in one transaction.
pub fn import_county_bundle(store: &mut Store, bytes: &[u8]) -> ApiResult<BundleRead> {
    Ok(bundle::import_county_bundle(store, bytes)?.into())
}

/// Writes this device's changes the county has not confirmed (or, with `all`, every change it
/// ever made) to the file `out`; returns how many.
pub fn export_to_file(
    store: &Store,
    out: &Path,
    all: bool,
    code: Option<&str>,
) -> ApiResult<usize> {
    let code = check_code(store, code)?;
    Ok(bundle::export_to_file(store, out, all, code)?)
}

/// The enrollment code to put in the bundle: required while the county does not hold this
/// computer's key (it would refuse the bundle), else not needed and left out.
fn check_code<'a>(store: &Store, code: Option<&'a str>) -> ApiResult<Option<&'a str>> {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    if store.key_registered()? {
        return Ok(None);
    }
    match code {
        Some(code) if code.chars().filter(char::is_ascii_alphanumeric).count() == 12 => {
            Ok(Some(code))
        }
        Some(_) => Err(ApiError::field(
            ErrorCode::Input,
            CODE_FIELD,
            "登记码应为 12 位字母和数字（例如 ABCD-EFGH-JKLM），请核对县应急管理局给的登记码。",
        )),
        None => Err(ApiError::field(
            ErrorCode::Input,
            CODE_FIELD,
            "这台电脑还没有在县里登记，县里不会接收它的数据包。请填写县应急管理局给的登记码（只需第一次填写）。",
        )),
    }
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

fn check_folder(folder: &str) -> ApiResult<PathBuf> {
    let folder = folder.trim();
    let path = Path::new(folder);
    if folder.is_empty() || !path.is_absolute() {
        return Err(ApiError::field(
            ErrorCode::Input,
            FOLDER_FIELD,
            "请选择要写入的 U 盘或文件夹（完整路径，例如 /media/村委会/U盘 或 E:\\）。",
        ));
    }
    if !path.is_dir() {
        return Err(ApiError::field(
            ErrorCode::FolderMissing,
            FOLDER_FIELD,
            "找不到这个文件夹。请检查 U 盘是否插好，或重新选择文件夹。",
        ));
    }
    Ok(path.to_path_buf())
}

fn file_name(store: &Store) -> ApiResult<String> {
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
