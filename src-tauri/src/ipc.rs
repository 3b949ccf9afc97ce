//! What crosses the IPC boundary besides the core's own records: the error shape and the few
//! transport types (DTOs) that only the shell has.

use serde::Serialize;
use ts_rs::TS;

use cunan_core::CoreError;
use cunan_print::PrintError;

/// Every failed command rejects with this. `message` is the Chinese text for the officer (what is
/// wrong and what to do); `code` is what the UI matches on; `field` names the form field a
/// validation error is about (its Chinese label), so the UI can show the message next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError {
            code: code.to_string(),
            message: message.into(),
            field: None,
        }
    }
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        let field = match &e {
            CoreError::Validation(v) => Some(v.field.clone()),
            _ => None,
        };
        if let Some(detail) = e.detail() {
            eprintln!("cunan-app: {}: {detail}", e.code());
        }
        IpcError {
            code: e.code().to_string(),
            message: e.to_string(),
            field,
        }
    }
}

impl From<PrintError> for IpcError {
    fn from(e: PrintError) -> Self {
        if let Some(detail) = e.detail() {
            eprintln!("cunan-app: {}: {detail}", e.code());
        }
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<std::io::Error> for IpcError {
    fn from(e: std::io::Error) -> Self {
        CoreError::from(e).into()
    }
}

/// What the app tells the UI about itself at start-up. Holds no personal data.
#[derive(Debug, Clone, Serialize, TS)]
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
    pub store_error: Option<IpcError>,
}
