//! The evacuation roll call (转移点名): the page's board, starting a transfer, one roll call with
//! everyone on it, marks per person or per household, and 解除. Each delegates to the
//! application layer's `rollcall`.

use cunan_app_api::core::rollcall::{MarkInput, RollCall, TransferOrder};
use cunan_app_api::core::EvacuationEvent;
use cunan_app_api::rollcall::{self, MarkResult, RollCallBoard};
use cunan_app_api::Session;
use tauri::{AppHandle, Runtime, State};

use crate::state::{off_ui, Reply};

#[tauri::command]
pub async fn rollcall_board<R: Runtime>(app: AppHandle<R>) -> Reply<RollCallBoard> {
    off_ui(app, |session| rollcall::board(&*session.store()?)).await
}

/// Off the UI thread: the list of a whole-village transfer is written in one transaction.
#[tauri::command]
pub async fn start_rollcall<R: Runtime>(
    app: AppHandle<R>,
    order: TransferOrder,
) -> Reply<EvacuationEvent> {
    off_ui(app, move |session| {
        rollcall::start(&mut *session.store()?, &order)
    })
    .await
}

/// Off the UI thread: everyone on the list of a 6,000-person village, with the totals.
#[tauri::command]
pub async fn rollcall_view<R: Runtime>(app: AppHandle<R>, id: String) -> Reply<RollCall> {
    off_ui(app, move |session| rollcall::view(&*session.store()?, &id)).await
}

#[tauri::command]
pub fn mark_people(
    session: State<'_, Session>,
    id: String,
    resident_ids: Vec<String>,
    mark: MarkInput,
) -> Reply<MarkResult> {
    rollcall::mark(&mut *session.store()?, &id, &resident_ids, &mark)
}

/// One tap: everyone of the household on the list.
#[tauri::command]
pub fn mark_household(
    session: State<'_, Session>,
    id: String,
    household_id: String,
    mark: MarkInput,
) -> Reply<MarkResult> {
    rollcall::mark_household(&mut *session.store()?, &id, &household_id, &mark)
}

/// 解除: the transfer is called off; no more marks.
#[tauri::command]
pub fn end_rollcall(session: State<'_, Session>, id: String) -> Reply<EvacuationEvent> {
    rollcall::end(&mut *session.store()?, &id)
}
