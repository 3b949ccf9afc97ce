//! USB sync from the 同步 page, off the UI thread: the removable drives, writing this device's
//! changes to one, reading the county's bundle back. The rules are the application layer's `usb`.

use cunan_app_api::usb::{self, BundleRead, BundleWritten, UsbFolder};
use tauri::{AppHandle, Runtime};

use crate::state::{off_ui, Reply};

/// Removable drives mounted on this computer (on Windows a disconnected network drive can take
/// long to answer).
#[tauri::command]
pub async fn usb_folders<R: Runtime>(app: AppHandle<R>) -> Reply<Vec<UsbFolder>> {
    off_ui(app, |_| Ok(usb::usb_folders())).await
}

/// Writes this device's changes the county has not confirmed to `folder`.
#[tauri::command]
pub async fn write_bundle<R: Runtime>(
    app: AppHandle<R>,
    folder: String,
    code: Option<String>,
) -> Reply<BundleWritten> {
    off_ui(app, move |session| {
        usb::write_bundle(session, &folder, code.as_deref())
    })
    .await
}

/// Reads the county's bundle for this village (the bytes of the file the officer chose); the
/// window hears the new status and, if anything came in, that the store changed.
#[tauri::command]
pub async fn read_county_bundle<R: Runtime>(
    app: AppHandle<R>,
    bytes: Vec<u8>,
) -> Reply<BundleRead> {
    off_ui(app, move |session| usb::read_county_bundle(session, &bytes)).await
}
