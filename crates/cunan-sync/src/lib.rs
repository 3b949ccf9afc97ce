//! Cun'an sync: the village side of syncing with the county server.
//!
//! - [`protocol`]: the wire types and constants, shared with `cunan-county`.
//! - [`bundle`]: the USB bundle file (changes + length + SHA-256 + the device's signature), for
//!   when there is no network.
//! - [`keys`]: the device's ed25519 signing key.
//! - [`client`]: [`SyncClient`] (enroll, push/pull one round) and [`Backoff`] for retrying.
//!
//! The core (`cunan-core::sync`) reads and applies changes; this crate only moves them.

pub mod bundle;
pub mod client;
pub mod keys;
pub mod protocol;

pub use client::{status, Backoff, SyncClient, SyncError, SyncProgress, SyncReport, SyncStatus};
pub use cunan_core::sync::Change;
