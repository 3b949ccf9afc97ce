//! The county store on one embedded SQLite file (the default backend).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use cunan_core::clock::{Clock, Hlc, SystemClock};
use cunan_core::records::SYNCED_TABLES;
use cunan_core::sync::{merge, Merge, COUNTY_SCOPE};
use cunan_sync::protocol::{PullResponse, PushResponse, MAX_CHANGE_BYTES, PULL_BUDGET_BYTES};
use cunan_sync::Change;

use crate::storage::{
    check_not_ahead, AuditEntry, AuditRecord, ChangePage, CountyStorage, DeviceAuth, DeviceRecord,
    Enrollment, StaffUser, Stats, StorageError, Via, ENROLLMENT_CODE_DAYS,
    MAX_ENROLLMENT_CODE_DAYS, TOKEN_IDLE_DAYS,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS village (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
-- One-time codes, stored as HMAC-SHA256 under `server_secret.enrollment_key`. `expires_at` and
-- `revoked_at` are added by `migrate` on databases made before they existed.
CREATE TABLE IF NOT EXISTS enrollment_code (
    code_hash    TEXT PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES village (code),
    created_at   TEXT NOT NULL,
    used_at      TEXT
);
-- `last_used_at` (tokens lapse unused) and `public_key` (the hex ed25519 key the device signs
-- its USB bundles with) are added by `migrate` on databases made before them.
CREATE TABLE IF NOT EXISTS device_token (
    token_hash   TEXT PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES village (code),
    device_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
-- The current state of every row.
CREATE TABLE IF NOT EXISTS row_state (
    table_name  TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    scope       TEXT NOT NULL,
    hlc         TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    deleted     INTEGER NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
);
CREATE INDEX IF NOT EXISTS row_state_scope ON row_state (scope, table_name, deleted);
-- Versions that lost a merge.
CREATE TABLE IF NOT EXISTS conflict (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name       TEXT NOT NULL,
    row_id           TEXT NOT NULL,
    scope            TEXT NOT NULL,
    loser_hlc        TEXT NOT NULL,
    loser_device_id  TEXT NOT NULL,
    loser_data       TEXT NOT NULL,
    winner_hlc       TEXT NOT NULL,
    winner_device_id TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    UNIQUE (table_name, row_id, loser_hlc, loser_device_id)
);
-- Who this server is: made once with the database, the same through any address.
CREATE TABLE IF NOT EXISTS server_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_id TEXT NOT NULL
);
-- The key enrollment codes are hashed under: made once with the database, never sent anywhere.
-- `signing_seed` (the server's ed25519 key, which signs its bundles for villages) is added by
-- `migrate` on databases made before it.
CREATE TABLE IF NOT EXISTS server_secret (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    enrollment_key TEXT NOT NULL
);
-- Who did what at the county, and what was refused: bundle imports, publishes, enrollments,
-- revocations, refused pushes. Never personal data: ids, counts, hashes and error codes.
CREATE TABLE IF NOT EXISTS audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    village_code TEXT,
    device_id    TEXT,
    detail       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
-- Dashboard accounts of county and township staff (`dashboard`), passwords as Argon2id PHC
-- strings; a township account sees the villages whose code starts with its prefix.
CREATE TABLE IF NOT EXISTS staff_user (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    scope_prefix  TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);
CREATE TABLE IF NOT EXISTS staff_session (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES staff_user (username),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
-- Each village's dashboard summary (`summary.rs`), kept until the village's data changes.
CREATE TABLE IF NOT EXISTS village_summary (
    village_code TEXT PRIMARY KEY REFERENCES village (code),
    version      INTEGER NOT NULL,
    through_seq  INTEGER NOT NULL,
    json         TEXT NOT NULL
);
-- The county's own clock, for rows it writes.
CREATE TABLE IF NOT EXISTS county_clock (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_hlc  TEXT NOT NULL,
    last_seq  INTEGER NOT NULL
);
";

/// The audit trail: every accepted change, once, in commit order, as table `name`. A device id
/// is the device's own within its village (`scope`): the same id in two villages is two devices.
/// (Databases made when ids were one namespace are rebuilt by `migrate`.)
fn change_table_sql(name: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {name} (
    server_seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    scope        TEXT NOT NULL,       -- village code, or 'county'
    device_id    TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    table_name   TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    op           TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    base_hlc     TEXT,
    data         TEXT NOT NULL,
    via          TEXT NOT NULL,       -- push | bundle | county
    accepted_at  TEXT NOT NULL,
    UNIQUE (scope, device_id, seq)
);"
    )
}

/// The device id the county writes its own rows under.
pub const COUNTY_DEVICE: &str = "county";

pub struct SqliteStorage {
    conn: Mutex<Connection>,
    clock: Box<dyn Clock>,
    server_id: String,
    /// The key enrollment codes are hashed under (`server_secret.enrollment_key`).
    code_key: Vec<u8>,
    /// The server's own signing key (`server_secret.signing_seed`).
    signing_key: ed25519_dalek::SigningKey,
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104) over `sha2`, so that no further crate is needed.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Adds what later versions added to an older database; safe to run on every open.
fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    let tx = db(conn.transaction())?;
    for column in ["expires_at", "revoked_at"] {
        if !has_column(&tx, "enrollment_code", column)? {
            db(tx.execute_batch(&format!(
                "ALTER TABLE enrollment_code ADD COLUMN {column} TEXT"
            )))?;
        }
    }
    // Codes issued before codes expired: valid for the default time after they were issued.
    // (Their hashes were not keyed, so they can no longer match anyway: codes issued before
    // this upgrade must be issued again with `village add`.)
    let undated: Vec<(String, String)> = {
        let mut stmt = db(tx.prepare(
            "SELECT code_hash, created_at FROM enrollment_code WHERE expires_at IS NULL",
        ))?;
        let rows = db(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))))?;
        rows.map(db).collect::<Result<_, _>>()?
    };
    for (code_hash, created_at) in undated {
        // An unreadable date: expired at once rather than valid for ever.
        let expires_at = chrono::DateTime::parse_from_rfc3339(&created_at)
            .map(|t| (t + chrono::Duration::days(i64::from(ENROLLMENT_CODE_DAYS))).to_rfc3339())
            .unwrap_or(created_at);
        db(tx.execute(
            "UPDATE enrollment_code SET expires_at = ?2 WHERE code_hash = ?1",
            params![code_hash, expires_at],
        ))?;
    }
    db(tx.execute(
        "INSERT OR IGNORE INTO server_secret (singleton, enrollment_key) VALUES (1, ?1)",
        [hex::encode(random_bytes())],
    ))?;
    if !has_column(&tx, "server_secret", "signing_seed")? {
        db(tx.execute_batch("ALTER TABLE server_secret ADD COLUMN signing_seed TEXT"))?;
    }
    db(tx.execute(
        "UPDATE server_secret SET signing_seed = ?1 WHERE signing_seed IS NULL",
        [hex::encode(random_bytes())],
    ))?;
    if !has_column(&tx, "device_token", "public_key")? {
        db(tx.execute_batch("ALTER TABLE device_token ADD COLUMN public_key TEXT"))?;
    }
    if !has_column(&tx, "device_token", "last_used_at")? {
        db(tx.execute_batch(
            "ALTER TABLE device_token ADD COLUMN last_used_at TEXT;
             UPDATE device_token SET last_used_at = created_at;",
        ))?;
    }
    // Device ids were one namespace across villages (`UNIQUE (device_id, seq)`): a device of
    // one village could take another's sequence numbers. Rebuilt keyed by scope, rows and
    // `server_seq` (pull cursors) kept.
    let change_sql: String = db(tx.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'change'",
        [],
        |r| r.get(0),
    ))?;
    if !change_sql.contains("UNIQUE (scope, device_id, seq)") {
        db(tx.execute_batch(&format!(
            "{}
             INSERT INTO change_scoped SELECT server_seq, scope, device_id, seq, table_name, row_id,
               op, hlc, base_hlc, data, via, accepted_at FROM change;
             DROP TABLE change;
             ALTER TABLE change_scoped RENAME TO change;
             CREATE INDEX IF NOT EXISTS change_scope ON change (scope, server_seq);",
            change_table_sql("change_scoped")
        )))?;
    }
    db(tx.commit())
}

/// Whether an enrollment last used at `last_used` (RFC 3339) has lapsed by `now`
/// ([`TOKEN_IDLE_DAYS`] unused). An unreadable date has: lapsed rather than valid for ever.
fn lapsed(last_used: &str, now: chrono::DateTime<chrono::Utc>) -> bool {
    let idle_limit = chrono::Duration::days(i64::from(TOKEN_IDLE_DAYS));
    chrono::DateTime::parse_from_rfc3339(last_used)
        .map_or(true, |t| now - t.with_timezone(&chrono::Utc) >= idle_limit)
}

fn staff_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<StaffUser> {
    Ok(StaffUser {
        username: r.get(0)?,
        display_name: r.get(1)?,
        scope_prefix: r.get(2)?,
        created_at: r.get(3)?,
        disabled: r.get(4)?,
    })
}

fn has_column(
    tx: &rusqlite::Transaction<'_>,
    table: &str,
    column: &str,
) -> Result<bool, StorageError> {
    db(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        params![table, column],
        |r| r.get(0),
    ))
}

fn random_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    out[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    out
}

/// A one-time code an officer can type: 12 characters without look-alikes (about 60 bits).
fn new_enrollment_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes();
    let chars: String = bytes[..12]
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
}

/// A device id a client chose: short, plain characters, and not the county's own.
fn check_device_id(device_id: &str) -> Result<(), StorageError> {
    let plain = device_id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if device_id.is_empty() || device_id.len() > 64 || !plain {
        return Err(StorageError::Invalid(
            "设备编号不对（应为不超过 64 个字母、数字或连字符）。".into(),
        ));
    }
    if device_id.eq_ignore_ascii_case(COUNTY_DEVICE) {
        return Err(StorageError::Forbidden(format!(
            "设备编号“{COUNTY_DEVICE}”留给县里自己使用，村里的设备不能用它登记。"
        )));
    }
    Ok(())
}

fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn db<T>(r: rusqlite::Result<T>) -> Result<T, StorageError> {
    r.map_err(StorageError::from)
}

impl SqliteStorage {
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        SqliteStorage::open_with_clock(path, Box::new(SystemClock))
    }

    pub fn open_with_clock(path: &Path, clock: Box<dyn Clock>) -> Result<Self, StorageError> {
        let mut conn = db(Connection::open(path))?;
        db(conn.busy_timeout(std::time::Duration::from_secs(30)))?;
        db(conn.pragma_update(None, "journal_mode", "WAL"))?;
        db(conn.pragma_update(None, "synchronous", "FULL"))?;
        db(conn.pragma_update(None, "foreign_keys", "ON"))?;
        db(conn.execute_batch(SCHEMA))?;
        db(conn.execute_batch(&format!(
            "{}\nCREATE INDEX IF NOT EXISTS change_scope ON change (scope, server_seq);",
            change_table_sql("change")
        )))?;
        migrate(&mut conn)?;
        db(conn.execute(
            "INSERT OR IGNORE INTO server_identity (singleton, server_id) VALUES (1, ?1)",
            [uuid::Uuid::new_v4().to_string()],
        ))?;
        let server_id = db(conn.query_row(
            "SELECT server_id FROM server_identity WHERE singleton = 1",
            [],
            |r| r.get(0),
        ))?;
        let (key, seed): (String, String) = db(conn.query_row(
            "SELECT enrollment_key, signing_seed FROM server_secret WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))?;
        let signing_key = hex::decode(seed.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(|seed| ed25519_dalek::SigningKey::from_bytes(&seed))
            .ok_or_else(|| {
                StorageError::Database("server_secret.signing_seed is damaged".into())
            })?;
        let code_key = hex::decode(key.trim())
            .ok()
            .filter(|k| k.len() >= 16)
            .ok_or_else(|| {
                StorageError::Database("server_secret.enrollment_key is damaged".into())
            })?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            clock,
            server_id,
            code_key,
            signing_key,
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StorageError> {
        self.conn
            .lock()
            .map_err(|_| StorageError::Database("lock poisoned".into()))
    }

    fn now(&self) -> String {
        self.clock.now().to_rfc3339()
    }

    /// How an enrollment code is stored: keyed with this server's secret, so that a copy of
    /// the database alone does not let anyone test guesses offline.
    fn code_hash(&self, code: &str) -> String {
        hex::encode(hmac_sha256(&self.code_key, normalize_code(code).as_bytes()))
    }

    /// The village's changes (but `exclude_device`'s) and the county's after `cursor`, in
    /// server order, each with its `server_seq`; the cursor to give back, and whether more wait.
    fn changes_after(
        &self,
        village_code: &str,
        exclude_device: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<ChangePage, StorageError> {
        let limit = limit.clamp(1, 5_000);
        let conn = self.lock()?;
        let top: i64 = db(conn.query_row(
            "SELECT coalesce(max(server_seq), 0) FROM change",
            [],
            |r| r.get(0),
        ))?;
        let mut stmt = db(conn.prepare_cached(
            "SELECT server_seq, device_id, seq, table_name, row_id, op, hlc, base_hlc, scope, data
             FROM change
             WHERE server_seq > ?1 AND server_seq <= ?2
               AND ((scope = ?3 AND device_id <> ?4) OR scope = ?5)
             ORDER BY server_seq LIMIT ?6",
        ))?;
        let rows = db(stmt.query_map(
            params![
                cursor,
                top,
                village_code,
                exclude_device,
                COUNTY_SCOPE,
                limit as i64 + 1
            ],
            |r| {
                let data: String = r.get(9)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    Change {
                        device_id: r.get(1)?,
                        seq: r.get(2)?,
                        table: r.get(3)?,
                        row_id: r.get(4)?,
                        op: r.get(5)?,
                        hlc: r.get(6)?,
                        base_hlc: r.get(7)?,
                        village_code: r.get(8)?,
                        data: serde_json::from_str(&data).unwrap_or(Value::Null),
                    },
                ))
            },
        ))?;
        let mut changes = Vec::new();
        let mut more = false;
        let mut last = cursor;
        let mut bytes = 0usize;
        for row in rows {
            let (server_seq, change) = db(row)?;
            // A change's size on the wire: its data plus, generously, its other fields.
            let size = change.data.to_string().len() + CHANGE_OVERHEAD_BYTES;
            if changes.len() == limit || (!changes.is_empty() && bytes + size > PULL_BUDGET_BYTES) {
                more = true;
                break;
            }
            bytes += size;
            last = server_seq;
            changes.push((server_seq, change));
        }
        Ok((changes, if more { last } else { top.max(cursor) }, more))
    }
}

/// What a change's fields other than `data` take on the wire, at most (ids, hlcs, names).
const CHANGE_OVERHEAD_BYTES: usize = 512;

/// Checks a batch whole before anything is written; `now` is the server's clock.
fn check_batch(
    auth: &DeviceAuth,
    changes: &[Change],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StorageError> {
    for change in changes {
        change.check_shape().map_err(StorageError::Invalid)?;
        if change.village_code != auth.village_code {
            return Err(StorageError::Forbidden(
                "这批数据里有不属于本村的记录（区划代码不一致），整批没有接收。".into(),
            ));
        }
        if change.device_id != auth.device_id {
            return Err(StorageError::Forbidden(
                "这批数据不是由本设备写入的（设备编号不一致），整批没有接收。".into(),
            ));
        }
        if change.seq <= 0 {
            return Err(StorageError::Invalid("变更序号必须大于 0。".into()));
        }
        // A village row calling itself the county's would show on every laptop of the village
        // as county-issued (read-only, 县里下发). (Its `village_code` is the change's, checked
        // by `check_shape`.)
        if change.data.get("owner").and_then(Value::as_str) == Some(COUNTY_SCOPE) {
            return Err(StorageError::Forbidden(
                "这批数据里有记录自称由县里下发（owner 为 county），村里不能写这样的记录，整批没有接收。本机数据仍然保留，请联系县应急管理局处理。".into(),
            ));
        }
        if change.data.to_string().len() > MAX_CHANGE_BYTES {
            return Err(StorageError::TooLarge(format!(
                "这批数据里有一条记录超过 {} KiB（多半是备注或附带内容过长），整批没有接收。本机数据仍然保留，请把这条记录的内容改短后再同步。",
                MAX_CHANGE_BYTES / 1024
            )));
        }
        if change.table == "village"
            && change.data.get("code").and_then(Value::as_str) != Some(auth.village_code.as_str())
        {
            return Err(StorageError::Forbidden(
                "村庄信息的区划代码与本村不一致，整批没有接收。".into(),
            ));
        }
    }
    // Shapes first: every hlc is known to parse here.
    check_not_ahead(changes, now, "整批没有接收")
}

/// Stores one change (at most once) and merges it into the current state.
/// Returns whether it was new.
fn store_change(
    tx: &rusqlite::Transaction<'_>,
    scope: &str,
    change: &Change,
    via: Via,
    now: &str,
) -> Result<bool, StorageError> {
    let held: Option<(String, String, String, String)> = db(tx
        .prepare_cached(
            "SELECT scope, hlc, device_id, data FROM row_state WHERE table_name = ?1 AND row_id = ?2",
        )
        .and_then(|mut s| {
            s.query_row(params![change.table, change.row_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()
        }))?;
    if let Some((held_scope, ..)) = &held {
        if held_scope != scope {
            return Err(StorageError::Forbidden(
                "这批数据试图修改不属于本村的记录，整批没有接收。".into(),
            ));
        }
    }
    let data = change.data.to_string();
    let inserted = db(tx
        .prepare_cached(
            "INSERT INTO change (scope, device_id, seq, table_name, row_id, op, hlc, base_hlc, data, via, accepted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (scope, device_id, seq) DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                scope,
                change.device_id,
                change.seq,
                change.table,
                change.row_id,
                change.op,
                change.hlc,
                change.base_hlc,
                data,
                via.as_str(),
                now
            ])
        }))?;
    if inserted == 0 {
        // The same (device, seq) must be the same change: anything else means the device's
        // store was restored from an old copy and is reusing sequence numbers. Refuse rather
        // than silently drop its new writes.
        let same: bool = db(tx
            .prepare_cached(
                "SELECT row_id = ?3 AND hlc = ?4 FROM change
                 WHERE scope = ?5 AND device_id = ?1 AND seq = ?2",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        change.device_id,
                        change.seq,
                        change.row_id,
                        change.hlc,
                        scope
                    ],
                    |r| r.get(0),
                )
            }))?;
        if !same {
            return Err(StorageError::Forbidden(
                "本机的变更编号与县里已收到的不一致（数据文件可能是从旧备份恢复的），整批没有接收。本机数据仍然保留，请联系县应急管理局处理。".into(),
            ));
        }
        return Ok(false);
    }
    let decision = merge(
        held.as_ref().map(|(_, h, d, _)| (h.as_str(), d.as_str())),
        change,
    );
    let conflict = |loser: (&str, &str, &str), winner: (&str, &str)| {
        db(tx
            .prepare_cached(
                "INSERT OR IGNORE INTO conflict (table_name, row_id, scope, loser_hlc, loser_device_id,
                   loser_data, winner_hlc, winner_device_id, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    change.table,
                    change.row_id,
                    scope,
                    loser.0,
                    loser.1,
                    loser.2,
                    winner.0,
                    winner.1,
                    now
                ])
            }))
    };
    // A version written over one kept as a conflict supersedes it there (its writer had seen it).
    if let (Some(base), false) = (&change.base_hlc, decision == Merge::Same) {
        db(tx
            .prepare_cached(
                "DELETE FROM conflict WHERE table_name = ?1 AND row_id = ?2 AND loser_hlc = ?3",
            )
            .and_then(|mut s| s.execute(params![change.table, change.row_id, base])))?;
    }
    match decision {
        Merge::Same => return Ok(true),
        Merge::ConflictIncomingLoses => {
            if let Some((_, h, d, _)) = &held {
                conflict((&change.hlc, &change.device_id, &data), (h, d))?;
            }
            return Ok(true);
        }
        Merge::ConflictIncomingWins => {
            if let Some((_, h, d, old)) = &held {
                conflict((h, d, old), (&change.hlc, &change.device_id))?;
            }
        }
        Merge::Insert | Merge::Replace => {}
    }
    let deleted =
        change.op == "delete" || change.data.get("deleted").and_then(Value::as_bool) == Some(true);
    db(tx
        .prepare_cached(
            "INSERT INTO row_state (table_name, row_id, scope, hlc, device_id, deleted, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (table_name, row_id) DO UPDATE SET hlc = excluded.hlc,
               device_id = excluded.device_id, deleted = excluded.deleted, data = excluded.data",
        )
        .and_then(|mut s| {
            s.execute(params![
                change.table,
                change.row_id,
                scope,
                change.hlc,
                change.device_id,
                deleted,
                data
            ])
        }))?;
    Ok(true)
}

impl CountyStorage for SqliteStorage {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    fn server_id(&self) -> Result<String, StorageError> {
        Ok(self.server_id.clone())
    }

    fn signing_key(&self) -> Result<ed25519_dalek::SigningKey, StorageError> {
        Ok(self.signing_key.clone())
    }

    fn has_village(&self, village_code: &str) -> Result<bool, StorageError> {
        let conn = self.lock()?;
        db(conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM village WHERE code = ?1)",
            [village_code],
            |r| r.get(0),
        ))
    }

    fn receipts(&self, village_code: &str) -> Result<Vec<(String, i64)>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT device_id, max(seq) FROM change WHERE scope = ?1 AND device_id <> ?2
             GROUP BY device_id ORDER BY device_id",
        ))?;
        let rows = db(stmt.query_map(params![village_code, COUNTY_DEVICE], |r| {
            Ok((r.get(0)?, r.get(1)?))
        }))?;
        rows.map(db).collect()
    }

    fn add_village_with_expiry(
        &self,
        code: &str,
        name: &str,
        valid_days: u32,
    ) -> Result<String, StorageError> {
        if code.len() != 12 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(StorageError::Invalid(
                "区划代码应为 12 位数字（统计用区划代码）。".into(),
            ));
        }
        if !(1..=MAX_ENROLLMENT_CODE_DAYS).contains(&valid_days) {
            return Err(StorageError::Invalid(format!(
                "登记码的有效天数应为 1 到 {MAX_ENROLLMENT_CODE_DAYS} 天。"
            )));
        }
        let enrollment = new_enrollment_code();
        let issued = self.clock.now();
        let now = issued.to_rfc3339();
        let expires_at = (issued + chrono::Duration::days(i64::from(valid_days))).to_rfc3339();
        let mut conn = self.lock()?;
        let tx = db(conn.transaction())?;
        db(tx.execute(
            "INSERT INTO village (code, name, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            params![code, name, now],
        ))?;
        // A new code replaces the village's codes not yet used.
        db(tx.execute(
            "UPDATE enrollment_code SET revoked_at = ?2
             WHERE village_code = ?1 AND used_at IS NULL AND revoked_at IS NULL",
            params![code, now],
        ))?;
        db(tx.execute(
            "INSERT INTO enrollment_code (code_hash, village_code, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![self.code_hash(&enrollment), code, now, expires_at],
        ))?;
        db(tx.commit())?;
        Ok(enrollment)
    }

    fn enroll_with_key(
        &self,
        code: &str,
        device_id: &str,
        expected_village: Option<&str>,
        public_key: Option<&str>,
    ) -> Result<Option<Enrollment>, StorageError> {
        check_device_id(device_id)?;
        if public_key.is_some_and(|k| !cunan_sync::keys::is_public_key(k)) {
            return Err(StorageError::Invalid("设备的签名公钥格式不对。".into()));
        }
        let code_hash = self.code_hash(code);
        let checked_at = self.clock.now();
        let now = checked_at.to_rfc3339();
        let mut conn = self.lock()?;
        let tx = db(conn.transaction())?;
        let village: Option<(String, String, Option<String>)> = db(tx
            .query_row(
                "SELECT v.code, v.name, e.expires_at FROM enrollment_code e JOIN village v ON v.code = e.village_code
                 WHERE e.code_hash = ?1 AND e.used_at IS NULL AND e.revoked_at IS NULL",
                [&code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional())?;
        let Some((village_code, village_name, expires_at)) = village else {
            return Ok(None);
        };
        // Expired (or with no readable expiry): unusable, answered like an unknown code.
        let expired = expires_at
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .is_none_or(|t| checked_at >= t);
        if expired {
            return Ok(None);
        }
        if expected_village.is_some_and(|v| v != village_code) {
            return Err(StorageError::Forbidden(
                "这个登记码属于另一个村，与本机数据的村庄不一致，登记码没有被使用。请向县应急管理局核对登记码。"
                    .into(),
            ));
        }
        let token = format!("cna_{}", hex::encode(random_bytes()));
        db(tx.execute(
            "UPDATE enrollment_code SET used_at = ?2 WHERE code_hash = ?1",
            params![code_hash, now],
        ))?;
        // The device's older token in this village only: a device id says nothing about
        // devices of other villages.
        db(tx.execute(
            "UPDATE device_token SET revoked_at = ?3
             WHERE village_code = ?1 AND device_id = ?2 AND revoked_at IS NULL",
            params![village_code, device_id, now],
        ))?;
        db(tx.execute(
            "INSERT INTO device_token (token_hash, village_code, device_id, created_at, last_used_at, public_key)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![hash(&token), village_code, device_id, now, public_key.map(str::trim)],
        ))?;
        db(tx.commit())?;
        Ok(Some(Enrollment {
            token,
            village_code,
            village_name,
        }))
    }

    fn authenticate(&self, token: &str) -> Result<Option<DeviceAuth>, StorageError> {
        let token_hash = hash(token);
        let checked_at = self.clock.now();
        let conn = self.lock()?;
        let found: Option<(String, String, String, String, Option<String>)> = db(conn
            .query_row(
                "SELECT token_hash, village_code, device_id, created_at, last_used_at
                 FROM device_token WHERE token_hash = ?1 AND revoked_at IS NULL",
                [&token_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional())?;
        let Some((stored_hash, village_code, device_id, created_at, last_used_at)) = found else {
            return Ok(None);
        };
        // The index found it; the comparison itself takes the same time wherever they differ.
        if !bool::from(stored_hash.as_bytes().ct_eq(token_hash.as_bytes())) {
            return Ok(None);
        }
        let last_used = last_used_at.unwrap_or(created_at);
        if lapsed(&last_used, checked_at) {
            return Err(StorageError::Expired(format!(
                "本机的同步凭证已经 {TOKEN_IDLE_DAYS} 天以上没有使用，按规定已失效。"
            )));
        }
        // Written at most once an hour, so that pulls do not each cost a write.
        let stale = chrono::DateTime::parse_from_rfc3339(&last_used).is_ok_and(|t| {
            checked_at - t.with_timezone(&chrono::Utc) >= chrono::Duration::hours(1)
        });
        if stale {
            db(conn.execute(
                "UPDATE device_token SET last_used_at = ?2 WHERE token_hash = ?1",
                params![token_hash, checked_at.to_rfc3339()],
            ))?;
        }
        Ok(Some(DeviceAuth {
            village_code,
            device_id,
        }))
    }

    fn revoke_village(&self, village_code: &str) -> Result<usize, StorageError> {
        let now = self.now();
        let conn = self.lock()?;
        db(conn.execute(
            "UPDATE device_token SET revoked_at = ?2 WHERE village_code = ?1 AND revoked_at IS NULL",
            params![village_code, now],
        ))
    }

    fn revoke_device(&self, village_code: &str, device_id: &str) -> Result<usize, StorageError> {
        let now = self.now();
        let conn = self.lock()?;
        db(conn.execute(
            "UPDATE device_token SET revoked_at = ?3
             WHERE village_code = ?1 AND device_id = ?2 AND revoked_at IS NULL",
            params![village_code, device_id, now],
        ))
    }

    fn devices(&self, village_code: &str) -> Result<Vec<DeviceRecord>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT t.device_id, t.created_at, coalesce(t.last_used_at, t.created_at), t.revoked_at,
                    (SELECT max(seq) FROM change c WHERE c.scope = t.village_code AND c.device_id = t.device_id)
             FROM device_token t WHERE t.village_code = ?1
             ORDER BY t.device_id, t.created_at",
        ))?;
        let rows = db(stmt.query_map([village_code], |r| {
            Ok(DeviceRecord {
                device_id: r.get(0)?,
                enrolled_at: r.get(1)?,
                last_used_at: r.get(2)?,
                revoked_at: r.get(3)?,
                last_seq: r.get(4)?,
            })
        }))?;
        rows.map(db).collect()
    }

    fn device_key(
        &self,
        village_code: &str,
        device_id: &str,
    ) -> Result<Option<String>, StorageError> {
        let now = self.clock.now();
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT public_key, coalesce(last_used_at, created_at) FROM device_token
             WHERE village_code = ?1 AND device_id = ?2 AND revoked_at IS NULL
               AND public_key IS NOT NULL
             ORDER BY created_at DESC",
        ))?;
        let rows = db(stmt.query_map(params![village_code, device_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        }))?;
        for row in rows {
            let (key, last_used) = db(row)?;
            if !lapsed(&last_used, now) {
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    fn register_key(&self, auth: &DeviceAuth, public_key: &str) -> Result<bool, StorageError> {
        if !cunan_sync::keys::is_public_key(public_key) {
            return Err(StorageError::Invalid("设备的签名公钥格式不对。".into()));
        }
        let public_key = public_key.trim();
        let conn = self.lock()?;
        let held: Vec<Option<String>> = {
            let mut stmt = db(conn.prepare(
                "SELECT public_key FROM device_token
                 WHERE village_code = ?1 AND device_id = ?2 AND revoked_at IS NULL",
            ))?;
            let rows =
                db(stmt.query_map(params![auth.village_code, auth.device_id], |r| r.get(0)))?;
            rows.map(db).collect::<Result<_, _>>()?
        };
        if held.iter().flatten().any(|k| k != public_key) {
            return Err(StorageError::Forbidden(
                "县里已经为这台设备登记了另一个签名密钥（本机数据可能是从别的电脑拷来的）。请用新的登记码重新登记。".into(),
            ));
        }
        db(conn.execute(
            "UPDATE device_token SET public_key = ?3
             WHERE village_code = ?1 AND device_id = ?2 AND revoked_at IS NULL AND public_key IS NULL",
            params![auth.village_code, auth.device_id, public_key],
        ))?;
        Ok(true)
    }

    fn registered_keys(&self, village_code: &str) -> Result<Vec<String>, StorageError> {
        let now = self.clock.now();
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT device_id, coalesce(last_used_at, created_at) FROM device_token
             WHERE village_code = ?1 AND revoked_at IS NULL AND public_key IS NOT NULL
             ORDER BY device_id",
        ))?;
        let rows = db(stmt.query_map([village_code], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        }))?;
        let mut out: Vec<String> = Vec::new();
        for row in rows {
            let (device, last_used) = db(row)?;
            if !lapsed(&last_used, now) && out.last() != Some(&device) {
                out.push(device);
            }
        }
        Ok(out)
    }

    fn villages(&self) -> Result<Vec<(String, String)>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare("SELECT code, name FROM village ORDER BY code"))?;
        let rows = db(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))))?;
        rows.map(db).collect()
    }

    fn scope_seq(&self, scope: &str) -> Result<i64, StorageError> {
        let conn = self.lock()?;
        db(conn.query_row(
            "SELECT coalesce(max(server_seq), 0) FROM change WHERE scope = ?1",
            [scope],
            |r| r.get(0),
        ))
    }

    fn last_received(&self, village_code: &str) -> Result<Option<String>, StorageError> {
        let conn = self.lock()?;
        db(conn
            .query_row(
                "SELECT accepted_at FROM change WHERE scope = ?1 ORDER BY server_seq DESC LIMIT 1",
                [village_code],
                |r| r.get(0),
            )
            .optional())
    }

    fn summary(&self, village_code: &str) -> Result<Option<(i64, i64, String)>, StorageError> {
        let conn = self.lock()?;
        db(conn
            .query_row(
                "SELECT version, through_seq, json FROM village_summary WHERE village_code = ?1",
                [village_code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional())
    }

    fn put_summary(
        &self,
        village_code: &str,
        version: i64,
        through: i64,
        json: &str,
    ) -> Result<(), StorageError> {
        let conn = self.lock()?;
        db(conn.execute(
            "INSERT INTO village_summary (village_code, version, through_seq, json)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (village_code) DO UPDATE SET version = excluded.version,
               through_seq = excluded.through_seq, json = excluded.json",
            params![village_code, version, through, json],
        ))?;
        Ok(())
    }

    fn add_user(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        scope_prefix: &str,
    ) -> Result<(), StorageError> {
        let now = self.now();
        let conn = self.lock()?;
        let added = db(conn.execute(
            "INSERT OR IGNORE INTO staff_user (username, display_name, password_hash, scope_prefix, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![username, display_name, password_hash, scope_prefix, now],
        ))?;
        if added == 0 {
            return Err(StorageError::Invalid(format!(
                "账号“{username}”已经存在，请换一个账号名。"
            )));
        }
        Ok(())
    }

    fn user_for_login(&self, username: &str) -> Result<Option<(StaffUser, String)>, StorageError> {
        let conn = self.lock()?;
        db(conn
            .query_row(
                "SELECT username, display_name, scope_prefix, created_at, disabled_at IS NOT NULL,
                        password_hash
                 FROM staff_user WHERE username = ?1",
                [username],
                |r| Ok((staff_user(r)?, r.get(5)?)),
            )
            .optional())
    }

    fn users(&self) -> Result<Vec<StaffUser>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT username, display_name, scope_prefix, created_at, disabled_at IS NOT NULL
             FROM staff_user ORDER BY scope_prefix, username",
        ))?;
        let rows = db(stmt.query_map([], staff_user))?;
        rows.map(db).collect()
    }

    fn disable_user(&self, username: &str) -> Result<usize, StorageError> {
        let now = self.now();
        let mut conn = self.lock()?;
        let tx = db(conn.transaction())?;
        let n = db(tx.execute(
            "UPDATE staff_user SET disabled_at = ?2 WHERE username = ?1 AND disabled_at IS NULL",
            params![username, now],
        ))?;
        db(tx.execute("DELETE FROM staff_session WHERE username = ?1", [username]))?;
        db(tx.commit())?;
        Ok(n)
    }

    fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        expires_at: &str,
    ) -> Result<(), StorageError> {
        let now = self.now();
        let conn = self.lock()?;
        // Sessions long over are cleared as new ones start.
        db(conn.execute("DELETE FROM staff_session WHERE expires_at < ?1", [&now]))?;
        db(conn.execute(
            "INSERT INTO staff_session (token_hash, username, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, username, now, expires_at],
        ))?;
        Ok(())
    }

    fn session_user(&self, token_hash: &str) -> Result<Option<StaffUser>, StorageError> {
        let now = self.now();
        let conn = self.lock()?;
        db(conn
            .query_row(
                "SELECT u.username, u.display_name, u.scope_prefix, u.created_at,
                        u.disabled_at IS NOT NULL
                 FROM staff_session s JOIN staff_user u ON u.username = s.username
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
                params![token_hash, now],
                staff_user,
            )
            .optional())
    }

    fn end_session(&self, token_hash: &str) -> Result<(), StorageError> {
        let conn = self.lock()?;
        db(conn.execute(
            "DELETE FROM staff_session WHERE token_hash = ?1",
            [token_hash],
        ))?;
        Ok(())
    }

    fn record(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        let now = self.now();
        let conn = self.lock()?;
        db(conn.execute(
            "INSERT INTO audit (at, actor, action, outcome, village_code, device_id, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                now,
                entry.actor,
                entry.action,
                entry.outcome,
                entry.village_code,
                entry.device_id,
                entry.detail
            ],
        ))?;
        Ok(())
    }

    fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT at, actor, action, outcome, village_code, device_id, detail FROM audit
             ORDER BY id DESC LIMIT ?1",
        ))?;
        let rows = db(stmt.query_map([limit.min(1_000_000) as i64], |r| {
            Ok(AuditRecord {
                at: r.get(0)?,
                entry: AuditEntry {
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    outcome: r.get(3)?,
                    village_code: r.get(4)?,
                    device_id: r.get(5)?,
                    detail: r.get(6)?,
                },
            })
        }))?;
        rows.map(db).collect()
    }

    fn push(
        &self,
        auth: &DeviceAuth,
        changes: &[Change],
        via: Via,
    ) -> Result<PushResponse, StorageError> {
        check_batch(auth, changes, self.clock.now())?;
        let now = self.now();
        let mut conn = self.lock()?;
        let known: bool = db(conn.query_row(
            "SELECT count(*) > 0 FROM village WHERE code = ?1",
            [&auth.village_code],
            |r| r.get(0),
        ))?;
        if !known {
            return Err(StorageError::Forbidden(format!(
                "县里还没有登记区划代码为 {} 的村，请先在县级服务器上添加该村。",
                auth.village_code
            )));
        }
        let tx = db(conn.transaction())?;
        let mut stored = 0;
        for change in changes {
            if store_change(&tx, &auth.village_code, change, via, &now)? {
                stored += 1;
            }
        }
        // A bundle of the device is a use of its enrollment, as a sync is.
        if via == Via::Bundle {
            db(tx.execute(
                "UPDATE device_token SET last_used_at = ?3
                 WHERE village_code = ?1 AND device_id = ?2 AND revoked_at IS NULL",
                params![auth.village_code, auth.device_id, now],
            ))?;
        }
        let ack_seq: i64 = db(tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM change WHERE scope = ?1 AND device_id = ?2",
            params![auth.village_code, auth.device_id],
            |r| r.get(0),
        ))?;
        db(tx.commit())?;
        let batch_max = changes.iter().map(|c| c.seq).max().unwrap_or(0);
        Ok(PushResponse {
            ack_seq: ack_seq.max(batch_max),
            stored,
            duplicates: changes.len() - stored,
        })
    }

    fn pull(
        &self,
        auth: &DeviceAuth,
        cursor: i64,
        limit: usize,
    ) -> Result<PullResponse, StorageError> {
        let (changes, cursor, more) =
            self.changes_after(&auth.village_code, &auth.device_id, cursor, limit)?;
        Ok(PullResponse {
            changes: changes.into_iter().map(|(_, c)| c).collect(),
            cursor,
            more,
        })
    }

    fn bundle_changes(
        &self,
        village_code: &str,
        cursor: i64,
        limit: usize,
    ) -> Result<ChangePage, StorageError> {
        // No device's own changes are left out: a bundle is for every device of the village.
        self.changes_after(village_code, "", cursor, limit)
    }

    fn publish(&self, table: &str, rows: &[Value]) -> Result<usize, StorageError> {
        if !SYNCED_TABLES.contains(&table) || table == "village" {
            return Err(StorageError::Invalid(format!("不能下发数据表“{table}”。")));
        }
        let now_ms = self.clock.now().timestamp_millis();
        let now = self.now();
        let mut conn = self.lock()?;
        let tx = db(conn.transaction())?;
        let (last_hlc, mut last_seq): (String, i64) = db(tx
            .query_row("SELECT last_hlc, last_seq FROM county_clock", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional())?
        .unwrap_or_else(|| (Hlc::ZERO.to_string(), 0));
        let mut clock = Hlc::parse(&last_hlc).unwrap_or(Hlc::ZERO);
        for row in rows {
            let Some(fields) = row.as_object() else {
                return Err(StorageError::Invalid("每条下发记录应是 JSON 对象。".into()));
            };
            let row_id = fields
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| StorageError::Invalid("下发记录缺少 id。".into()))?
                .to_string();
            let base: Option<String> = db(tx
                .query_row(
                    "SELECT hlc FROM row_state WHERE table_name = ?1 AND row_id = ?2 AND scope = ?3",
                    params![table, row_id, COUNTY_SCOPE],
                    |r| r.get(0),
                )
                .optional())?;
            clock = clock.tick(now_ms);
            last_seq += 1;
            let mut data = fields.clone();
            data.insert("village_code".into(), COUNTY_SCOPE.into());
            data.insert("hlc".into(), clock.to_string().into());
            data.insert("device_id".into(), COUNTY_DEVICE.into());
            data.entry("deleted").or_insert(Value::Bool(false));
            if data.contains_key("owner") || table == "contact" || table == "setting" {
                data.insert("owner".into(), "county".into());
            }
            let change = Change {
                seq: last_seq,
                table: table.to_string(),
                row_id,
                op: "upsert".into(),
                hlc: clock.to_string(),
                device_id: COUNTY_DEVICE.into(),
                base_hlc: base,
                village_code: COUNTY_SCOPE.into(),
                data: Value::Object(data),
            };
            store_change(&tx, COUNTY_SCOPE, &change, Via::County, &now)?;
        }
        db(tx.execute(
            "INSERT INTO county_clock (singleton, last_hlc, last_seq) VALUES (1, ?1, ?2)
             ON CONFLICT (singleton) DO UPDATE SET last_hlc = excluded.last_hlc, last_seq = excluded.last_seq",
            params![clock.to_string(), last_seq],
        ))?;
        db(tx.commit())?;
        Ok(rows.len())
    }

    fn stats(&self, village: Option<&str>) -> Result<Stats, StorageError> {
        let conn = self.lock()?;
        let mut out: Stats = BTreeMap::new();
        if let Some(code) = village {
            out.insert(code.to_string(), BTreeMap::new());
        } else {
            let mut stmt = db(conn.prepare("SELECT code FROM village ORDER BY code"))?;
            let codes = db(stmt.query_map([], |r| r.get::<_, String>(0)))?;
            for code in codes {
                out.insert(db(code)?, BTreeMap::new());
            }
        }
        let mut stmt = db(conn.prepare(
            "SELECT scope, table_name, count(*) FROM row_state
             WHERE deleted = 0 AND (?1 IS NULL OR scope = ?1)
             GROUP BY scope, table_name",
        ))?;
        let rows = db(stmt.query_map([village], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        }))?;
        for row in rows {
            let (scope, table, n) = db(row)?;
            out.entry(scope).or_default().insert(table, n);
        }
        Ok(out)
    }

    fn live_rows(&self, scope: &str) -> Result<BTreeMap<(String, String), Value>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT table_name, row_id, data FROM row_state WHERE scope = ?1 AND deleted = 0",
        ))?;
        let rows = db(stmt.query_map([scope], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        }))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (table, id, data) = db(row)?;
            out.insert(
                (table, id),
                serde_json::from_str(&data).unwrap_or(Value::Null),
            );
        }
        Ok(out)
    }

    fn conflicts(&self) -> Result<Vec<(String, String, String, String)>, StorageError> {
        let conn = self.lock()?;
        let mut stmt = db(conn.prepare(
            "SELECT table_name, row_id, loser_hlc, loser_device_id FROM conflict ORDER BY id",
        ))?;
        let rows = db(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(db(row)?);
        }
        Ok(out)
    }

    fn change_count(&self) -> Result<i64, StorageError> {
        let conn = self.lock()?;
        db(conn.query_row("SELECT count(*) FROM change", [], |r| r.get(0)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hex::encode(super::hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
