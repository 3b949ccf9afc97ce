//! The village's local store: one SQLite file, WAL mode, foreign keys on, synchronous=FULL so
//! that a committed write survives a power cut.
//!
//! This device's own writes go through [`Writer`], which stamps each row with the sync columns
//! and appends the row's new state to `change_log` in the same transaction. Changes pulled from
//! elsewhere go through a [`Replica`], which writes them as given and never logs them.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use crate::clock::{Clock, Hlc, SystemClock};
use crate::error::{CoreError, Result};
use crate::records::{synced_table, Record, Village, SYNCED_TABLES};
use crate::replica::Replica;
use crate::rows::{self, ColumnCache, Rows, Stamp, COUNTY_SCOPE};

/// The whole schema, as numbered migrations.
pub const SCHEMA_SQL: &str = include_str!("../../../schema.sql");

/// The migrations in `schema.sql`: (number, SQL), in order.
pub fn migrations() -> Vec<(i64, &'static str)> {
    const MARK: &str = "\n-- migration: ";
    let starts: Vec<usize> = SCHEMA_SQL
        .match_indices(MARK)
        .map(|(i, _)| i + MARK.len())
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            let end = starts
                .get(k + 1)
                .map(|&next| next - MARK.len())
                .unwrap_or(SCHEMA_SQL.len());
            let section = &SCHEMA_SQL[start..end];
            let (number, body) = section.split_once('\n').unwrap_or((section, ""));
            (number.trim().parse::<i64>().unwrap_or(-1), body)
        })
        .collect()
}

/// The schema version this build writes: the last migration's number.
pub fn schema_version() -> i64 {
    migrations().last().map(|m| m.0).unwrap_or(0)
}

pub struct Store {
    conn: Connection,
    clock: Arc<dyn Clock>,
    device_id: String,
    path: PathBuf,
    columns: ColumnCache,
    /// Transactions this `Store` committed (see [`Store::revision`]).
    commits: Cell<u64>,
    /// Commits by other connections that [`Store::revision`] has seen, and the
    /// `PRAGMA data_version` it saw last.
    outside: Cell<(u64, i64)>,
}

impl Store {
    /// Opens the store at `path`, creating it (and its folder) if it does not exist, and brings
    /// its schema up to date. Refuses a store made by a newer version of Cun'an.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_clock(path, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        Store::open_at_version(path, clock, schema_version())
    }

    /// Creates a new store; refuses to touch an existing file.
    pub fn create_new(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        if path.exists() {
            return Err(CoreError::StoreExists(path.to_path_buf()));
        }
        Store::open_with_clock(path, clock)
    }

    /// Opens a store migrated only up to `version` (tests of migrations use this).
    pub fn open_at_version(path: &Path, clock: Arc<dyn Clock>, version: i64) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn, version)?;
        let device_id = ensure_device(&conn, clock.as_ref())?;
        let data_version = data_version(&conn)?;
        Ok(Store {
            conn,
            clock,
            device_id,
            path: path.to_path_buf(),
            columns: ColumnCache::default(),
            commits: Cell::new(0),
            outside: Cell::new((0, data_version)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The 32-byte seed of the key this device signs its USB bundles with (made at first
    /// open; `cunan-sync` derives the ed25519 key from it).
    pub fn signing_seed(&self) -> Result<[u8; 32]> {
        let seed: Option<String> =
            self.conn
                .query_row("SELECT signing_seed FROM device", [], |r| r.get(0))?;
        seed.and_then(|s| hex::decode(s.trim()).ok())
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or(CoreError::NotFound {
                what: "本机签名密钥",
            })
    }

    /// Whether the county is known to hold this device's public key (sent at enrollment or
    /// registered since, or a county bundle acknowledged a signed bundle of this device).
    pub fn key_registered(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT key_registered_at IS NOT NULL FROM device",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records that the county holds this device's public key (the first time only).
    pub fn set_key_registered(&self) -> Result<()> {
        self.conn.execute(
            "UPDATE device SET key_registered_at = ?1 WHERE key_registered_at IS NULL",
            [self.clock.now().to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The schema version of the open store.
    pub fn version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Read-only access for queries the typed API does not cover. (A write made through it is
    /// not seen by [`Store::revision`].)
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A number that changes whenever the store file has changed since it was last asked:
    /// a transaction committed through this `Store` (any [`Store::write`], save, delete or
    /// restore, applied pulled changes, a restored conflict, sync bookkeeping) or by another
    /// connection to the same file (the background sync worker's, the CLI's). Reading changes
    /// nothing. Compare two values for equality only.
    pub fn revision(&self) -> Result<u64> {
        let (seen, last_version) = self.outside.get();
        let version = data_version(&self.conn)?;
        let seen = if version == last_version {
            seen
        } else {
            seen + 1
        };
        self.outside.set((seen, version));
        Ok(self.commits.get() + seen)
    }

    /// Rows as JSON, through this store's column cache.
    pub(crate) fn rows(&self) -> Rows<'_> {
        Rows::new(&self.conn, &self.columns)
    }

    /// Begins one transaction applying changes pulled from elsewhere.
    pub(crate) fn replica(&mut self) -> Result<Replica<'_>> {
        let now_ms = self.clock.now().timestamp_millis();
        Replica::begin(&mut self.conn, &self.columns, &self.commits, now_ms)
    }

    /// Runs `f` in one transaction on the bookkeeping of sync (`sync_state`, the `pushed` marks
    /// in `change_log`). Records are not written this way: only [`Writer`] (this device's
    /// edits) and [`Replica`] (pulled changes) write them.
    pub(crate) fn bookkeeping<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        self.commits.set(self.commits.get() + 1);
        Ok(out)
    }

    /// Runs `f` in one transaction: all its writes land, or none do.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let last: String = tx.query_row("SELECT last_hlc FROM device", [], |r| r.get(0))?;
        let mut writer = Writer {
            hlc: Hlc::parse(&last).unwrap_or(Hlc::ZERO),
            tx,
            clock: self.clock.as_ref(),
            device_id: &self.device_id,
            columns: &self.columns,
            village_code: None,
        };
        let out = f(&mut writer)?;
        writer.finish()?;
        self.commits.set(self.commits.get() + 1);
        Ok(out)
    }

    /// Validates and saves one record (insert or update); a record with an empty id gets a new one.
    pub fn save<R: Record>(&mut self, record: &R) -> Result<R> {
        self.write(|w| w.save(record))
    }

    /// Marks a record deleted (a tombstone, which syncs; it can be restored by saving it again).
    pub fn delete<R: Record>(&mut self, id: &str) -> Result<()> {
        self.write(|w| w.delete::<R>(id))
    }

    pub fn get<R: Record>(&self, id: &str) -> Result<Option<R>> {
        let rows = self.query::<R>("id = ?1 AND deleted = 0", &[&id])?;
        Ok(rows.into_iter().next())
    }

    /// All live rows of a table, in the order they were first written.
    pub fn list<R: Record>(&self) -> Result<Vec<R>> {
        self.query::<R>("deleted = 0", &[])
    }

    /// Live rows matching an SQL condition on the table's columns.
    pub fn query<R: Record>(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<R>> {
        let mut out = Vec::new();
        self.rows().each(R::TABLE, condition, args, |json| {
            out.push(
                serde_json::from_value(json)
                    .map_err(|e| CoreError::Format(format!("{}: {e}", R::TABLE)))?,
            );
            Ok(())
        })?;
        Ok(out)
    }

    /// The village this store belongs to, once its basic facts have been entered.
    pub fn village(&self) -> Result<Option<Village>> {
        Ok(self.list::<Village>()?.into_iter().next())
    }

    /// Live (not deleted) rows per synced table.
    pub fn stats(&self) -> Result<BTreeMap<String, i64>> {
        let mut out = BTreeMap::new();
        for table in SYNCED_TABLES {
            let n: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {table} WHERE deleted = 0"),
                [],
                |r| r.get(0),
            )?;
            out.insert(table.to_string(), n);
        }
        Ok(out)
    }

    /// How many local changes the county has not yet acknowledged.
    pub fn unpushed_changes(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM change_log WHERE pushed = 0",
            [],
            |r| r.get(0),
        )?)
    }
}

/// A row moved to the deleted state by one delete, so that the delete can be undone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tombstone {
    pub table: String,
    pub id: String,
}

/// The rows that belong to a row, declared once: `(parent table, child table, the child's column
/// that points at the parent)`. Deleting a parent deletes its live children, recursively.
///
/// Some links are deliberately absent: a deleted grid leaves its households where they are (their
/// `grid_id` still names the deleted grid and the roster shows them as 未分网格); shelters and
/// evacuation routes own nothing; a vulnerable person's helper and a team member's resident are
/// references to other people, not rows that belong to them. A deleted resident or household keeps
/// its education sign-ins (a session's sheet is a record of who came; the deleted count for nobody).
pub const CHILD_TABLES: &[(&str, &str, &str)] = &[
    ("household", "resident", "household_id"),
    ("household", "household_hazard", "household_id"),
    ("resident", "vulnerable_person", "resident_id"),
    ("grid", "grid_member", "grid_id"),
    ("team", "team_member", "team_id"),
    ("plan", "plan_step", "plan_id"),
    ("kit_item", "kit_inspection", "kit_item_id"),
    ("hazard_site", "household_hazard", "hazard_site_id"),
    ("evacuation_event", "evacuation_status", "event_id"),
    ("education_session", "education_attendance", "session_id"),
];

/// The synced table called `table`, as the `'static` name (a table name from outside, e.g. the UI,
/// is only ever put into SQL after this check). The village itself cannot be deleted this way.
fn deletable_table(table: &str) -> Result<&'static str> {
    synced_table(table)
        .map(|t| t.name)
        .filter(|t| *t != Village::TABLE)
        .ok_or_else(|| {
            crate::validate::ValidationError::new(
                "unknown_table",
                "记录类型",
                format!("不认识的记录类型“{table}”，无法删除或恢复。请刷新后重试；如反复出现，请联系县应急管理局。"),
            )
            .into()
        })
}

impl Store {
    /// Deletes a row and the rows that belong to it (a household's residents and their
    /// vulnerable records and hazard links, a team's members, a plan's steps, ...; see
    /// [`CHILD_TABLES`]), in one transaction. Returns every row it tombstoned, parent first, for
    /// undo. Rows that were already deleted are left alone (and not returned), so an undo brings
    /// back exactly what this delete removed.
    pub fn delete_with_children(&mut self, table: &str, id: &str) -> Result<Vec<Tombstone>> {
        let table = deletable_table(table)?;
        self.write(|w| {
            let mut out = Vec::new();
            w.delete_tree(table, id, &mut out)?;
            Ok(out)
        })
    }

    /// Undoes a delete: the rows are live again (a new local write, which syncs), in one
    /// transaction. A row that is not deleted is left as it is; a row that does not exist is an
    /// error and nothing is restored.
    pub fn restore(&mut self, tombstones: &[Tombstone]) -> Result<()> {
        let tables = tombstones
            .iter()
            .map(|t| deletable_table(&t.table))
            .collect::<Result<Vec<_>>>()?;
        self.write(|w| {
            for (table, t) in tables.into_iter().zip(tombstones) {
                w.undelete(table, &t.id)?;
            }
            Ok(())
        })
    }
}

/// One transaction's worth of writes.
pub struct Writer<'s> {
    tx: Transaction<'s>,
    clock: &'s dyn Clock,
    device_id: &'s str,
    columns: &'s ColumnCache,
    hlc: Hlc,
    village_code: Option<String>,
}

impl Writer<'_> {
    pub fn save<R: Record>(&mut self, record: &R) -> Result<R> {
        record.validate()?;
        let mut record = record.clone();
        if record.id().trim().is_empty() {
            record.set_id(new_id(self.clock));
        }
        let Value::Object(fields) =
            serde_json::to_value(&record).map_err(|e| CoreError::Format(e.to_string()))?
        else {
            return Err(CoreError::Format(format!("{} is not a struct", R::TABLE)));
        };
        crate::records::check_in_store(&self.tx, R::TABLE, record.id(), &fields)?;
        let village_code = if R::TABLE == Village::TABLE {
            self.check_village_code(&fields)?
        } else {
            self.village_code()?
        };
        self.upsert_fields(R::TABLE, record.id(), &fields, village_code)?;
        Ok(record)
    }

    /// Saves a row given as JSON fields (no sync columns) as a new local write: used to restore a
    /// version that lost a sync merge. The row must have been valid when it was first written.
    pub(crate) fn restore_fields(
        &mut self,
        table: &str,
        fields: &Map<String, Value>,
    ) -> Result<()> {
        let id = fields
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let village_code = if table == Village::TABLE {
            self.check_village_code(fields)?
        } else {
            self.village_code()?
        };
        self.upsert_fields(table, &id, fields, village_code)
    }

    fn upsert_fields(
        &mut self,
        table: &str,
        id: &str,
        fields: &Map<String, Value>,
        village_code: String,
    ) -> Result<()> {
        let base_hlc = self.base_of(table, id)?;
        let hlc = self.tick();
        let columns = self.rows().columns(table)?;
        rows::check_fields(table, &columns, fields)?;
        let stamp = Stamp {
            village_code: &village_code,
            hlc: &hlc.to_string(),
            device_id: self.device_id,
            deleted: false,
        };
        rows::upsert(&self.tx, table, &columns, id, &stamp, fields)?;
        self.log_change(table, id, "upsert", hlc, base_hlc)
    }

    pub fn delete<R: Record>(&mut self, id: &str) -> Result<()> {
        self.delete_in(R::TABLE, id)
    }

    pub(crate) fn delete_in(&mut self, table: &str, id: &str) -> Result<()> {
        let base_hlc = self.base_of(table, id)?;
        let hlc = self.tick();
        let n = self.tx.execute(
            &format!(
                "UPDATE {table} SET deleted = 1, hlc = ?2, device_id = ?3 WHERE id = ?1 AND deleted = 0"
            ),
            params![id, hlc.to_string(), self.device_id],
        )?;
        if n == 0 {
            return Err(CoreError::NotFound { what: "记录" });
        }
        self.log_change(table, id, "delete", hlc, base_hlc)
    }

    /// Tombstones `table`'s row `id` and then, depth first, its live children (see
    /// [`CHILD_TABLES`]), appending each to `out`.
    fn delete_tree(
        &mut self,
        table: &'static str,
        id: &str,
        out: &mut Vec<Tombstone>,
    ) -> Result<()> {
        self.delete_in(table, id)?;
        out.push(Tombstone {
            table: table.to_string(),
            id: id.to_string(),
        });
        for &(parent, child, column) in CHILD_TABLES {
            if parent != table {
                continue;
            }
            let ids: Vec<String> = self
                .tx
                .prepare_cached(&format!(
                    "SELECT id FROM {child} WHERE {column} = ?1 AND deleted = 0 ORDER BY rowid"
                ))?
                .query_map([id], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?;
            for child_id in ids {
                // Defensive: a row that an earlier branch of this same delete already
                // tombstoned is not deleted twice (no table in CHILD_TABLES has two parents
                // that can both be under one row today).
                let live: bool = self.tx.query_row(
                    &format!("SELECT deleted = 0 FROM {child} WHERE id = ?1"),
                    [&child_id],
                    |r| r.get(0),
                )?;
                if live {
                    self.delete_tree(child, &child_id, out)?;
                }
            }
        }
        Ok(())
    }

    /// Makes a tombstoned row live again as a new local write: a new `hlc`, this device, and the
    /// full row logged as an upsert so that the restore syncs. Returns false (and writes nothing)
    /// when the row is already live; a row that does not exist is [`CoreError::NotFound`].
    pub(crate) fn undelete(&mut self, table: &str, id: &str) -> Result<bool> {
        let deleted: Option<bool> = self
            .tx
            .prepare_cached(&format!("SELECT deleted FROM {table} WHERE id = ?1"))?
            .query_row([id], |r| r.get(0))
            .optional()?;
        match deleted {
            None => return Err(CoreError::NotFound { what: "记录" }),
            Some(false) => return Ok(false),
            Some(true) => {}
        }
        let base_hlc = self.base_of(table, id)?;
        let hlc = self.tick();
        self.tx
            .prepare_cached(&format!(
                "UPDATE {table} SET deleted = 0, hlc = ?2, device_id = ?3 WHERE id = ?1"
            ))?
            .execute(params![id, hlc.to_string(), self.device_id])?;
        self.log_change(table, id, "upsert", hlc, base_hlc)?;
        Ok(true)
    }

    /// The version a write replaces (its `hlc`), recorded in the change log so that sync can tell
    /// a plain edit from a concurrent one. Rows the county pushed down are read-only here.
    fn base_of(&self, table: &str, id: &str) -> Result<Option<String>> {
        let existing: Option<(String, String)> = self
            .tx
            .prepare_cached(&format!(
                "SELECT hlc, village_code FROM {table} WHERE id = ?1"
            ))?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match existing {
            Some((_, scope)) if scope == COUNTY_SCOPE => {
                Err(crate::validate::ValidationError::new(
                    "county_owned",
                    "记录",
                    "这条记录由县应急管理局统一下发，村里只能查看，不能修改或删除。如有错误，请联系县应急管理局。",
                )
                .into())
            }
            Some((hlc, _)) => Ok(Some(hlc)),
            None => Ok(None),
        }
    }

    /// Read access inside the transaction.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    fn rows(&self) -> Rows<'_> {
        Rows::new(&self.tx, self.columns)
    }

    fn tick(&mut self) -> Hlc {
        self.hlc = self.hlc.tick(self.clock.now().timestamp_millis());
        self.hlc
    }

    fn village_code(&mut self) -> Result<String> {
        if let Some(code) = &self.village_code {
            return Ok(code.clone());
        }
        let code: Option<String> = self
            .tx
            .query_row(
                "SELECT code FROM village WHERE deleted = 0 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let code = code.ok_or(CoreError::NoVillage)?;
        self.village_code = Some(code.clone());
        Ok(code)
    }

    /// A store holds one village, and its code is fixed once other records point at it.
    fn check_village_code(&mut self, fields: &Map<String, Value>) -> Result<String> {
        let code = fields
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let id = fields.get("id").and_then(Value::as_str).unwrap_or_default();
        let existing: Option<(String, String)> = self
            .tx
            .query_row(
                "SELECT id, code FROM village WHERE deleted = 0 LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((existing_id, existing_code)) = existing {
            if existing_id != id {
                return Err(crate::validate::ValidationError::new(
                    "village_exists",
                    "村庄",
                    "本数据文件已有一个村庄，一个文件只能保存一个村。请修改现有村庄信息。",
                )
                .into());
            }
            if existing_code != code {
                return Err(crate::validate::ValidationError::new(
                    "village_code_fixed",
                    "区划代码",
                    "区划代码保存后不能修改（所有记录都以它归属本村）。如确实填错，请联系县应急管理局处理。",
                )
                .into());
            }
        }
        self.village_code = Some(code.clone());
        Ok(code)
    }

    fn log_change(
        &mut self,
        table: &str,
        id: &str,
        op: &str,
        hlc: Hlc,
        base_hlc: Option<String>,
    ) -> Result<()> {
        let data = self
            .rows()
            .get(table, id)?
            .ok_or(CoreError::NotFound { what: "记录" })?;
        // A store opened below migration 3 (migration tests) has no base_hlc column.
        let has_base = self
            .rows()
            .columns("change_log")?
            .iter()
            .any(|c| c.name == "base_hlc");
        if has_base {
            self.tx
                .prepare_cached(
                    "INSERT INTO change_log (table_name, row_id, op, hlc, device_id, data, base_hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![table, id, op, hlc.to_string(), self.device_id, data.to_string(), base_hlc])?;
        } else {
            self.tx
                .prepare_cached(
                    "INSERT INTO change_log (table_name, row_id, op, hlc, device_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![table, id, op, hlc.to_string(), self.device_id, data.to_string()])?;
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        self.tx
            .execute("UPDATE device SET last_hlc = ?1", [self.hlc.to_string()])?;
        self.tx.commit()?;
        Ok(())
    }
}

/// A new UUIDv7 from the clock's time and random bits.
pub fn new_id(clock: &dyn Clock) -> String {
    let ms = clock.now().timestamp_millis().max(0) as u64;
    let random: [u8; 10] = uuid::Uuid::new_v4().as_bytes()[..10]
        .try_into()
        .unwrap_or([0; 10]);
    uuid::Builder::from_unix_timestamp_millis(ms, &random)
        .into_uuid()
        .to_string()
}

fn migrate(conn: &mut Connection, up_to: i64) -> Result<()> {
    let supported = schema_version();
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > supported {
        return Err(CoreError::StoreTooNew {
            found: current,
            supported,
        });
    }
    let pending: Vec<_> = migrations()
        .into_iter()
        .filter(|(n, _)| *n > current && *n <= up_to)
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (number, sql) in pending {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", number)?;
    }
    tx.commit()?;
    Ok(())
}

fn ensure_device(conn: &Connection, clock: &dyn Clock) -> Result<String> {
    let existing: Option<String> = conn
        .query_row("SELECT device_id FROM device", [], |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => id,
        None => {
            let id = new_id(clock);
            conn.execute(
                "INSERT INTO device (singleton, device_id, last_hlc, created_at) VALUES (1, ?1, ?2, ?3)",
                params![id, Hlc::ZERO.to_string(), clock.now().to_rfc3339()],
            )?;
            id
        }
    };
    // The seed of the key this device signs its USB bundles with (migration 8), made once.
    let has_seed: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('device') WHERE name = 'signing_seed')",
        [],
        |r| r.get(0),
    )?;
    if has_seed {
        conn.execute(
            "UPDATE device SET signing_seed = lower(hex(randomblob(32))) WHERE signing_seed IS NULL",
            [],
        )?;
    }
    Ok(id)
}

/// `PRAGMA data_version`: changes when another connection commits to the file.
fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
}
