//! What the county server needs from its database, as one trait: handlers are generic over it,
//! so a PostgreSQL backend can be added beside [`crate::sqlite::SqliteStorage`] without
//! touching them.
//!
//! Rules every backend keeps:
//! - a change is stored at most once, keyed by `(scope, device_id, seq)`: a device id is its
//!   own village's, and `county` is reserved for the county;
//! - `server_seq` order is commit order (pull cursors rely on it);
//! - a push is checked whole before anything is written, and lands whole or not at all;
//! - the current row state is merged with `cunan_core::sync::merge`, losers kept as conflicts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use cunan_core::clock::Hlc;
use cunan_sync::protocol::{PullResponse, PushResponse};
use cunan_sync::Change;

/// Who is calling: a device token resolved to its village and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub village_code: String,
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub token: String,
    pub village_code: String,
    pub village_name: String,
}

/// How a change arrived, kept in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Push,
    Bundle,
    County,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Push => "push",
            Via::Bundle => "bundle",
            Via::County => "county",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The request is well-formed but not allowed for this caller (nothing applied).
    #[error("{0}")]
    Forbidden(String),
    /// The request is malformed (nothing applied).
    #[error("{0}")]
    Invalid(String),
    /// A change is larger than the server takes (nothing applied).
    #[error("{0}")]
    TooLarge(String),
    /// A change is stamped far ahead of the server's clock (nothing applied).
    #[error("{0}")]
    ClockAhead(String),
    /// The caller's token was good once but has lapsed (unused too long).
    #[error("{0}")]
    Expired(String),
    #[error("找不到：{0}")]
    NotFound(String),
    #[error("服务器数据库出错，本次没有保存任何数据，请稍后重试。")]
    Database(String),
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Database(e.to_string())
    }
}

/// A device token not used for this many days stops working: a laptop lost in a drawer does
/// not keep a way into the county for ever. Every sync (and every USB bundle of the device
/// the county imports) counts as use.
pub const TOKEN_IDLE_DAYS: u32 = 180;

/// One enrollment of a device, for the county clerk's list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceRecord {
    pub device_id: String,
    pub enrolled_at: String,
    pub last_used_at: String,
    pub revoked_at: Option<String>,
    /// The highest change number the county holds from this device.
    pub last_seq: Option<i64>,
}

/// One line of the county's audit trail: who did what, to which village, and how it ended.
/// Never personal data: ids, counts, a bundle's SHA-256, error codes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Who: the operator's name for an admin command, `device <id>` for a device, or the peer
    /// address for an unauthenticated request.
    pub actor: String,
    /// What: `import_bundle`, `publish`, `enroll`, `revoke`, `village_add`, `push`, `device_key`.
    pub action: String,
    /// `ok`, or the code it was refused with.
    pub outcome: String,
    pub village_code: Option<String>,
    pub device_id: Option<String>,
    pub detail: String,
}

/// An audit line as stored, with when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    pub at: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// A county or township staff account of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StaffUser {
    pub username: String,
    pub display_name: String,
    /// The division-code prefix of the villages this account sees: '' for the whole county, a
    /// township's 9 digits for a township account.
    pub scope_prefix: String,
    pub created_at: String,
    pub disabled: bool,
}

impl StaffUser {
    /// Whether this account may see the village `code`.
    pub fn sees(&self, code: &str) -> bool {
        code.starts_with(&self.scope_prefix)
    }
}

/// How long a new enrollment code is valid, in days, unless told otherwise.
pub const ENROLLMENT_CODE_DAYS: u32 = 7;
/// The longest validity an enrollment code can be given, in days.
pub const MAX_ENROLLMENT_CODE_DAYS: u32 = 90;

/// How far ahead of the server's clock a change's `hlc` may be, in milliseconds. A laptop's
/// clock a little fast is harmless; one set a year ahead would stamp changes that win every
/// merge of their rows for good, so they are refused.
pub const MAX_CLOCK_AHEAD_MS: i64 = 24 * 60 * 60 * 1000;

/// Refuses the lot if any change's `hlc` is more than [`MAX_CLOCK_AHEAD_MS`] after `now` (the
/// server's clock); `refused` says what was not taken (整批没有接收, 整个数据包没有导入).
pub fn check_not_ahead(
    changes: &[Change],
    now: DateTime<Utc>,
    refused: &str,
) -> Result<(), StorageError> {
    let limit = now.timestamp_millis().saturating_add(MAX_CLOCK_AHEAD_MS);
    let Some(ahead) = changes
        .iter()
        .filter_map(|c| Hlc::parse(&c.hlc))
        .map(|h| h.wall_ms)
        .filter(|&ms| ms > limit)
        .max()
    else {
        return Ok(());
    };
    let beijing = |t: DateTime<Utc>| match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(offset) => t
            .with_timezone(&offset)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let stamped = DateTime::from_timestamp_millis(ahead)
        .map(beijing)
        .unwrap_or_else(|| "很久以后".into());
    Err(StorageError::ClockAhead(format!(
        "有记录的时间是 {stamped}，比县里服务器的时间（{}）快了一天以上，多半是这台电脑的日期或时间设错了。{refused}，本机数据仍然保留。请先把电脑的日期和时间改正确再同步；已经按错误时间保存的记录仍会被拒收，请联系县应急管理局处理。",
        beijing(now)
    )))
}

/// Changes each with its `server_seq`, the cursor reached, and whether more wait after it.
pub type ChangePage = (Vec<(i64, Change)>, i64, bool);

pub type Stats = BTreeMap<String, BTreeMap<String, i64>>;

pub trait CountyStorage: Send + Sync + 'static {
    /// The server's clock (injected, so tests can set it).
    fn clock_now(&self) -> DateTime<Utc>;
    /// This server's own id, made once with its database: villages recognise the server by it
    /// whichever address they reach it through.
    fn server_id(&self) -> Result<String, StorageError>;
    /// This server's signing key (ed25519), made once with its database: it signs the server's
    /// bundles for villages, which pin its public half at enrollment.
    fn signing_key(&self) -> Result<ed25519_dalek::SigningKey, StorageError>;
    /// Registers a village (or keeps an existing one) and returns a new one-time enrollment code,
    /// valid for [`ENROLLMENT_CODE_DAYS`].
    fn add_village(&self, code: &str, name: &str) -> Result<String, StorageError> {
        self.add_village_with_expiry(code, name, ENROLLMENT_CODE_DAYS)
    }
    /// Like `add_village`, with the code valid for `valid_days` (1..=[`MAX_ENROLLMENT_CODE_DAYS`])
    /// from now. The village's older codes not yet used stop working.
    fn add_village_with_expiry(
        &self,
        code: &str,
        name: &str,
        valid_days: u32,
    ) -> Result<String, StorageError>;
    /// Exchanges a one-time code for a device token; `None` if the code is unknown, used,
    /// replaced by a newer one or expired.
    /// A code for another village than `expected_village` is refused and stays unused.
    fn enroll(
        &self,
        code: &str,
        device_id: &str,
        expected_village: Option<&str>,
    ) -> Result<Option<Enrollment>, StorageError> {
        self.enroll_with_key(code, device_id, expected_village, None)
    }
    /// Like `enroll`, registering `public_key` (hex ed25519) as the key the device signs its
    /// USB bundles with.
    fn enroll_with_key(
        &self,
        code: &str,
        device_id: &str,
        expected_village: Option<&str>,
        public_key: Option<&str>,
    ) -> Result<Option<Enrollment>, StorageError>;
    /// The public key registered for a device of a village whose enrollment is live (not
    /// revoked, not lapsed); `None` if there is none.
    fn device_key(
        &self,
        village_code: &str,
        device_id: &str,
    ) -> Result<Option<String>, StorageError>;
    /// Registers the public key of an enrolled device that has none yet; `Ok(true)` if it is
    /// now the device's key (also when it already was), Forbidden if it has another.
    fn register_key(&self, auth: &DeviceAuth, public_key: &str) -> Result<bool, StorageError>;
    /// Devices of the village with a live registered key.
    fn registered_keys(&self, village_code: &str) -> Result<Vec<String>, StorageError>;
    /// Registered villages: (code, name), by code.
    fn villages(&self) -> Result<Vec<(String, String)>, StorageError>;
    /// The highest `server_seq` of a scope's changes (0 if none): a summary computed through it
    /// is current.
    fn scope_seq(&self, scope: &str) -> Result<i64, StorageError>;
    /// When the county last accepted a change from a village's devices (RFC 3339).
    fn last_received(&self, village_code: &str) -> Result<Option<String>, StorageError>;
    /// The stored dashboard summary of a village: (version, through server_seq, JSON).
    fn summary(&self, village_code: &str) -> Result<Option<(i64, i64, String)>, StorageError>;
    fn put_summary(
        &self,
        village_code: &str,
        version: i64,
        through: i64,
        json: &str,
    ) -> Result<(), StorageError>;
    /// Adds a dashboard account (`password_hash`: a PHC string); Invalid if the name is taken.
    fn add_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        scope_prefix: &str,
    ) -> Result<(), StorageError>;
    /// An account and its password hash, for logging in.
    fn user_for_login(&self, username: &str) -> Result<Option<(StaffUser, String)>, StorageError>;
    fn users(&self) -> Result<Vec<StaffUser>, StorageError>;
    /// Disables an account and ends its sessions; how many accounts changed.
    fn disable_user(&self, username: &str) -> Result<usize, StorageError>;
    /// Starts a dashboard session (the token's SHA-256) until `expires_at`.
    fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        expires_at: &str,
    ) -> Result<(), StorageError>;
    /// The account of a live session (not expired, account not disabled).
    fn session_user(&self, token_hash: &str) -> Result<Option<StaffUser>, StorageError>;
    fn end_session(&self, token_hash: &str) -> Result<(), StorageError>;
    /// Adds a line to the audit trail.
    fn record(&self, entry: &AuditEntry) -> Result<(), StorageError>;
    /// The newest `limit` audit lines, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StorageError>;
    /// Resolves a token; `None` if unknown or revoked, [`StorageError::Expired`] if unused for
    /// [`TOKEN_IDLE_DAYS`]. Counts as a use of it.
    fn authenticate(&self, token: &str) -> Result<Option<DeviceAuth>, StorageError>;
    /// Revokes every token of a village; returns how many.
    fn revoke_village(&self, village_code: &str) -> Result<usize, StorageError>;
    /// Revokes one device's tokens in a village (a laptop lost or retired); returns how many.
    fn revoke_device(&self, village_code: &str, device_id: &str) -> Result<usize, StorageError>;
    /// Every enrollment of the village's devices, revoked ones too.
    fn devices(&self, village_code: &str) -> Result<Vec<DeviceRecord>, StorageError>;
    /// Stores a batch of one device's changes (checked whole first), merges them into the
    /// current state, and acknowledges the highest `seq` now durable.
    fn push(
        &self,
        auth: &DeviceAuth,
        changes: &[Change],
        via: Via,
    ) -> Result<PushResponse, StorageError>;
    /// Changes after `cursor` for this device: its village's changes from other devices and
    /// county-owned data.
    fn pull(
        &self,
        auth: &DeviceAuth,
        cursor: i64,
        limit: usize,
    ) -> Result<PullResponse, StorageError>;
    /// Writes county-owned rows (pushed down to every village, read-only there).
    fn publish(&self, table: &str, rows: &[serde_json::Value]) -> Result<usize, StorageError>;
    /// Live rows per table per village (scope `county` for county-owned rows).
    fn stats(&self, village: Option<&str>) -> Result<Stats, StorageError>;
    /// The current live rows of a scope, `(table, id) → row`, for comparing replicas.
    fn live_rows(
        &self,
        scope: &str,
    ) -> Result<BTreeMap<(String, String), serde_json::Value>, StorageError>;
    /// Versions that lost a merge: `(table, row_id, loser_hlc, loser_device_id)`.
    fn conflicts(&self) -> Result<Vec<(String, String, String, String)>, StorageError>;
    /// How many changes have been accepted (the audit trail's length).
    fn change_count(&self) -> Result<i64, StorageError>;
    /// Per device of a village, the highest `seq` the server holds: the receipt a county bundle
    /// carries, so a device stops re-sending what the county already has.
    fn has_village(&self, village_code: &str) -> Result<bool, StorageError>;
    /// For a county bundle: like `pull`, but for every device of the village (none left out as
    /// "its own"), each change with its `server_seq`; then the cursor reached and whether more wait.
    fn bundle_changes(
        &self,
        village_code: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<ChangePage, StorageError>;
    fn receipts(&self, village_code: &str) -> Result<Vec<(String, i64)>, StorageError>;
}
