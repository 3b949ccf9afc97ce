//! The HTTP protocol between a village device and the county server (see `docs/sync.md` and
//! `crates/cunan-county/openapi.yaml`). Bodies are JSON, gzip-compressed both ways.

use serde::{Deserialize, Serialize};

pub use cunan_core::sync::Change;

/// The protocol this build speaks; sent on every request in [`PROTOCOL_HEADER`].
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest protocol the server still accepts.
pub const MIN_PROTOCOL_VERSION: u32 = 1;
pub const PROTOCOL_HEADER: &str = "x-cunan-protocol";
/// Changes per push or pull batch.
pub const MAX_BATCH: usize = 500;
/// The largest request body the server reads, after decompression.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The largest a single change's `data` may be, serialized as JSON: the server refuses a batch
/// holding a larger one, so that no one row can fill its memory or a village's pulls.
pub const MAX_CHANGE_BYTES: usize = 256 * 1024;
/// About how many bytes of changes a pull page carries at most: the server stops adding changes
/// once the next would pass it (a page always has at least one, so a pull always progresses)
/// and answers `more: true`.
pub const PULL_BUDGET_BYTES: usize = 4 * 1024 * 1024;
/// The largest answer the village client reads from a server, after decompression: far above
/// what a county server sends (a pull page is about [`PULL_BUDGET_BYTES`]), so that a broken or
/// hostile server cannot make the laptop run out of memory.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The one-time code the county printed for the village.
    pub code: String,
    pub device_id: String,
    /// The village this store already holds, if any: a code of another village is then refused
    /// without being used up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_code: Option<String>,
    /// The device's ed25519 public key (hex), which its USB bundles are signed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The device token, shown once; the server keeps only its SHA-256.
    pub token: String,
    pub village_code: String,
    pub village_name: String,
    /// The server's own id ([`ServerInfo::server_id`]); absent from servers older than ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// The server registered the request's `public_key` for the device (absent from servers
    /// older than signed bundles).
    #[serde(default)]
    pub key_registered: bool,
    /// The server's own public key (ed25519, hex), which its bundles for villages are signed
    /// with; the village pins it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key: Option<String>,
}

/// `POST /v1/device-key` (with the device token): registers the device's public key for its
/// USB bundles, for a device enrolled before keys existed. A device's key is set once; another
/// key for it needs a new enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKeyRequest {
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKeyResponse {
    pub registered: bool,
}

/// `GET /v1/health`: who answers at this address. Needs no token, so a client can check that
/// an address reaches the server it enrolled with before it sends its token there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub service: String,
    pub protocol: u32,
    pub min_protocol: u32,
    /// Made once when the server's database is created; the same whichever address (IP, host
    /// name, proxy) the server is reached through.
    #[serde(default)]
    pub server_id: Option<String>,
    /// The server's public key (ed25519, hex) for its bundles, see [`EnrollResponse::server_key`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: String,
    /// This device's changes in `seq` order; each is stored at most once, keyed (device, seq).
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The highest `seq` of this device the server has made durable.
    pub ack_seq: i64,
    /// Changes stored by this request.
    pub stored: usize,
    /// Changes the server already had (a repeated or overlapping batch).
    pub duplicates: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// In the server's order of acceptance.
    pub changes: Vec<Change>,
    /// Give this back as `cursor` next time (after committing `changes` locally).
    pub cursor: i64,
    /// More changes are waiting after `cursor`.
    pub more: bool,
}

/// Every error response: a stable code and a Chinese message for the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}
