//! The village application layer of Cun'an: the only thing the desktop shell (`src-tauri`) and
//! the CLI (`cunan-cli`) call.
//!
//! - [`session`]: [`Session`], the open store plus the background sync worker on the same file,
//!   the import waiting for confirmation, and the people search kept in step with the store.
//! - [`worker`]: the sync engine (wait loop, backoff, quiet offline, progress) and
//!   [`worker::sync_with_retries`] for one-shot callers.
//! - [`enroll`]: address checks, enrollment, another address of the same server.
//! - [`conflicts`]: the conflicts page's read model.
//! - [`incident`]: emergency mode's reporting — the board with its deadlines, start, the
//!   telephone report, 首报 / 续报 / 终报, and each report's SMS and WeChat text.
//! - [`rollcall`]: the evacuation roll call (转移点名) — the board, starting a transfer, the list
//!   with its totals, marks per person or per household, 解除.
//! - [`print`], [`excel`], [`usb`], [`files`]: printouts (titles, file names, "nothing to
//!   print", the glyph check), Excel import and exports, USB bundles, the folders files go to.
//! - [`error`]: [`ApiError`] and the closed list of [`ErrorCode`]s, exported to TypeScript.
//!
//! The domain (records, read models, rules) stays in `cunan-core`; the shells name its types
//! through [`core`], so they depend on this crate alone.

pub mod conflicts;
pub mod enroll;
pub mod error;
pub mod excel;
pub mod files;
pub mod incident;
pub mod print;
pub mod records;
pub mod rollcall;
pub mod session;
pub mod usb;
pub mod worker;

pub use cunan_core as core;
pub use cunan_excel::{ImportPreview, ImportSummary, RowError};
pub use error::{ApiError, ApiResult, ErrorCode};
pub use session::{today, AppInfo, Session, StoreChoice};
