//! Where the store lives: the platform's app-data folder, shared by the desktop app and the CLI.

use std::path::PathBuf;

/// The app's identifier; the desktop shell uses the same one, so both find the same folder.
pub const APP_IDENTIFIER: &str = "cn.cunan.app";

/// The store file name inside the app-data folder.
pub const STORE_FILE: &str = "cunan.sqlite3";

/// The demo store the app opens with `--demo`.
pub const DEMO_STORE_FILE: &str = "cunan-demo.sqlite3";

/// The platform's app-data folder for Cun'an: `$XDG_DATA_HOME/cn.cunan.app` on Linux,
/// `%APPDATA%\cn.cunan.app` on Windows. `None` only if the platform has no such folder.
pub fn app_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// The store the desktop app uses (and the CLI, without `--db`).
pub fn default_store_path() -> Option<PathBuf> {
    app_data_dir().map(|d| d.join(STORE_FILE))
}
