//! Cun'an core: the village's records, the local store, validation and the demo village.
//!
//! Nothing here knows about the desktop shell, IPC or the network. Time comes in through a
//! [`clock::Clock`] or as a date argument, never read inside a business rule.

pub mod card;
pub mod clock;
pub mod demo;
pub mod education;
pub mod error;
pub mod incident;
pub mod kit;
pub mod paths;
pub mod plan;
pub mod printouts;
pub mod readiness;
pub mod records;
pub mod registers;
mod replica;
pub mod rollcall;
pub mod roster;
mod rows;
pub mod store;
pub mod sync;
pub mod validate;

pub use error::{CoreError, Result};
pub use records::*;
pub use store::Store;
