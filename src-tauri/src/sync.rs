//! The sync commands of the 同步 page. The engine (the background worker, enrollment, the
//! conflicts read model) is the application layer's; the worker's events become the window's
//! `sync-status` and `store-changed` events.

use cunan_app_api::conflicts::{self, ConflictView};
use cunan_app_api::enroll;
use cunan_app_api::worker::{SyncEvent, SyncStatusView, WorkerConfig};
use cunan_app_api::{ApiError, Session};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::state::{off_ui, Reply};

/// The event that carries a [`SyncStatusView`] whenever it changes.
pub const STATUS_EVENT: &str = "sync-status";
/// The event sent when the store changed underneath the screens (a pull, a bundle read): the
/// UI reloads what it shows.
pub const STORE_CHANGED_EVENT: &str = "store-changed";

/// Starts the session's sync worker; its events go to the window.
pub fn start_worker<R: Runtime>(app: &AppHandle<R>, config: WorkerConfig) {
    let handle = app.clone();
    app.state::<Session>()
        .start_sync(config, move |event| match event {
            SyncEvent::Status(status) => {
                let _ = handle.emit(STATUS_EVENT, status);
            }
            SyncEvent::StoreChanged => {
                let _ = handle.emit(STORE_CHANGED_EVENT, ());
            }
        });
}

#[tauri::command]
pub fn sync_status(session: State<'_, Session>) -> SyncStatusView {
    session.sync_status()
}

/// 立即同步: wakes the worker; progress comes as `sync-status` events.
#[tauri::command]
pub fn sync_now(session: State<'_, Session>) {
    session.worker().wake();
}

/// Exchanges the county's one-time code for this device's token, then starts a first sync.
#[tauri::command]
pub async fn enroll<R: Runtime>(
    app: AppHandle<R>,
    server_url: String,
    code: String,
    allow_plain_http: bool,
) -> Reply<SyncStatusView> {
    off_ui(app, move |session| {
        enroll::enroll_at(&session.store_path()?, &server_url, &code, allow_plain_http)?;
        after_change(session)
    })
    .await
}

/// Uses another address of the enrolled server, or with an empty `address` goes back to the
/// enrolled one; an address that answers as another county server is refused.
#[tauri::command]
pub async fn set_server_address<R: Runtime>(
    app: AppHandle<R>,
    address: String,
) -> Reply<SyncStatusView> {
    off_ui(app, move |session| {
        enroll::set_address_at(&session.store_path()?, Some(&address))?;
        after_change(session)
    })
    .await
}

/// A sync round soon, and the new status to every listener.
fn after_change(session: &Session) -> Result<SyncStatusView, ApiError> {
    session.worker().wake();
    Ok(session.announce(false))
}

/// The versions that lost a merge and are not restored yet, oldest first.
#[tauri::command]
pub fn list_conflicts(session: State<'_, Session>) -> Reply<Vec<ConflictView>> {
    conflicts::list(&*session.store()?)
}

/// Makes a losing version current again (as a new local write, so it goes up and wins).
#[tauri::command]
pub fn restore_conflict(session: State<'_, Session>, id: i64) -> Reply<()> {
    conflicts::restore(&mut *session.store()?, id)?;
    session.worker().wake();
    Ok(())
}
