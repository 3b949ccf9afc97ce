//! The desktop shell of 村安: a Tauri window over the application layer (`cunan-app-api`).
//!
//! This crate only knows about IPC and the window. Every command delegates in a line or two;
//! rules live in the core, and what the app and the CLI share (the session, sync, printing,
//! exports, enrollment, conflicts, error codes) in `cunan-app-api`.

pub mod bindings;
pub mod commands;
pub mod excel;
pub mod incident;
pub mod print;
pub mod records;
pub mod rollcall;
pub mod state;
pub mod sync;
pub mod usb;

use cunan_app_api::worker::WorkerConfig;
use cunan_app_api::{Session, StoreChoice};
use tauri::Runtime;

/// Adds the app's plugins, state and commands to a builder of any runtime: the real window
/// (`run`) and tauri's mock runtime, which the headless UI tests drive through a loopback bridge.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, session: Session) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_opener::init())
        .manage(session)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::get_village,
            commands::save_village,
            commands::kit_checklist,
            commands::save_kit_item,
            commands::record_inspection,
            records::list_records,
            records::save_record,
            records::delete_record,
            records::restore_records,
            records::roster,
            records::household_detail,
            records::vulnerable_ledger,
            records::save_household,
            records::save_resident,
            records::search_people,
            records::teams,
            records::plan_list,
            records::plan_view,
            records::new_plan,
            records::move_plan_step,
            records::hazard_register,
            records::drill_log,
            records::education_log,
            records::save_education_session,
            records::responsible_kit,
            records::readiness,
            excel::import_roster_preview,
            excel::import_roster_commit,
            excel::export_xlsx,
            excel::reveal_export,
            sync::sync_status,
            sync::sync_now,
            sync::enroll,
            sync::set_server_address,
            usb::usb_folders,
            usb::write_bundle,
            usb::read_county_bundle,
            sync::list_conflicts,
            sync::restore_conflict,
            print::make_printout,
            print::printout_pdf,
            print::open_printout,
            print::reveal_printout,
            print::list_grids,
            incident::incident_board,
            incident::start_incident,
            incident::mark_phoned,
            incident::file_report,
            incident::report_texts,
            rollcall::rollcall_board,
            rollcall::start_rollcall,
            rollcall::rollcall_view,
            rollcall::mark_people,
            rollcall::mark_household,
            rollcall::end_rollcall,
        ])
}

/// Starts the app. `--demo` opens (and on first use creates) the demo village instead of the
/// officer's own store.
pub fn run() {
    let choice = if std::env::args().skip(1).any(|a| a == "--demo") {
        StoreChoice::Demo
    } else {
        StoreChoice::Default
    };
    // Opening never panics: if the store cannot be opened the window still shows, with the
    // Chinese message from the core in place of the screens.
    let session = Session::open(choice, chrono::Local::now().date_naive());
    let result = configure(tauri::Builder::default(), session)
        .setup(|app| {
            sync::start_worker(app.handle(), WorkerConfig::default());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("cunan-app: the window could not start: {e}");
        std::process::exit(1);
    }
}
