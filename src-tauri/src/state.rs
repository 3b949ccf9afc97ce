//! The shell's state is the application layer's [`Session`]; this module only adds what is
//! Tauri's: running a call off the window's thread.

use cunan_app_api::{ApiError, Session};

/// What every command answers.
pub type Reply<T> = Result<T, ApiError>;

/// Runs `f` on a blocking thread with the session, so that a heavy command (the roster of a
/// large village, the self-check, an Excel import or export, a printout, the network) never
/// holds up the window.
pub async fn off_ui<R, T, F>(app: tauri::AppHandle<R>, f: F) -> Reply<T>
where
    R: tauri::Runtime,
    T: Send + 'static,
    F: FnOnce(&Session) -> Reply<T> + Send + 'static,
{
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<Session>()))
        .await
        .map_err(|_| ApiError::internal())?
}
