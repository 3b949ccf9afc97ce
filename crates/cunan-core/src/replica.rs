//! Changes made elsewhere, written into this store as they were made.
//!
//! A [`Replica`] is one transaction for applying pulled changes (a pull from the county, a USB
//! bundle). Its only writes are a row exactly as the change gives it (its own `hlc` and
//! `device_id`, a tombstone included), a losing version kept in `sync_conflict`, and the sync
//! bookkeeping of that same transaction (the device's clock, the pull cursor). It cannot write
//! `change_log`: only [`Writer`](crate::store::Writer), for this device's own edits, does — so a
//! pulled change is never pushed back as this device's own.

use std::cell::Cell;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use crate::clock::Hlc;
use crate::error::Result;
use crate::rows::{self, ColumnCache, Rows, Stamp};

/// What became of a row given to [`Replica::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Put {
    Written,
    /// A rule of the schema (e.g. one setting per key) refused the row; nothing was written.
    Refused,
}

/// One transaction applying pulled changes; see the module documentation.
pub(crate) struct Replica<'s> {
    tx: Transaction<'s>,
    columns: &'s ColumnCache,
    commits: &'s Cell<u64>,
    clock: Hlc,
    now_ms: i64,
}

impl<'s> Replica<'s> {
    /// Begins the transaction. Foreign keys are checked at commit, so a batch may bring a child
    /// before its parent.
    pub(crate) fn begin(
        conn: &'s mut Connection,
        columns: &'s ColumnCache,
        commits: &'s Cell<u64>,
        now_ms: i64,
    ) -> Result<Replica<'s>> {
        let tx = conn.transaction()?;
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        let last: String = tx.query_row("SELECT last_hlc FROM device", [], |r| r.get(0))?;
        Ok(Replica {
            tx,
            columns,
            commits,
            clock: Hlc::parse(&last).unwrap_or(Hlc::ZERO),
            now_ms,
        })
    }

    /// The version of the row held here: its `(hlc, device_id)`, or `None` for no such row.
    pub(crate) fn held_version(&self, table: &str, id: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .tx
            .prepare_cached(&format!("SELECT hlc, device_id FROM {table} WHERE id = ?1"))?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// The row held here, as JSON.
    pub(crate) fn held_row(&self, table: &str, id: &str) -> Result<Option<Value>> {
        Rows::new(&self.tx, self.columns).get(table, id)
    }

    /// Moves this device's clock past a version seen from elsewhere.
    pub(crate) fn observe(&mut self, hlc: &str) {
        if let Some(remote) = Hlc::parse(hlc) {
            self.clock = self.clock.observe(remote, self.now_ms);
        }
    }

    /// Writes the row `id` of `table` as the change gives it (a tombstone if `stamp` says so).
    pub(crate) fn put(
        &mut self,
        table: &str,
        id: &str,
        stamp: &Stamp<'_>,
        data: &Map<String, Value>,
    ) -> Result<Put> {
        let columns = self.columns.of(&self.tx, table)?;
        match rows::upsert(&self.tx, table, &columns, id, stamp, data) {
            Ok(()) => Ok(Put::Written),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Ok(Put::Refused)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps a version that lost a merge (`loser` = hlc, device, row), unless it is kept already.
    pub(crate) fn record_conflict(
        &mut self,
        table: &str,
        row_id: &str,
        loser: (&str, &str, &Value),
        winner: (&str, &str),
        recorded_at: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO sync_conflict (table_name, row_id, loser_hlc,
                   loser_device_id, loser_data, winner_hlc, winner_device_id, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                table,
                row_id,
                loser.0,
                loser.1,
                loser.2.to_string(),
                winner.0,
                winner.1,
                recorded_at
            ])?;
        Ok(())
    }

    /// Drops the unresolved conflict that kept the version `base_hlc` of a row: a version
    /// written over it supersedes it (whoever wrote it had seen it, so it was not lost).
    pub(crate) fn forget_conflict(
        &mut self,
        table: &str,
        row_id: &str,
        base_hlc: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "DELETE FROM sync_conflict WHERE table_name = ?1 AND row_id = ?2 AND loser_hlc = ?3
                   AND resolved = 0",
            )?
            .execute(params![table, row_id, base_hlc])?;
        Ok(())
    }

    /// Commits, with the device's clock moved past everything seen and, when given, the pull
    /// cursor of `server_url` moved forward (never back) to `cursor`.
    pub(crate) fn commit(self, cursor: Option<(&str, i64)>) -> Result<()> {
        self.tx
            .execute("UPDATE device SET last_hlc = ?1", [self.clock.to_string()])?;
        if let Some((server_url, new_cursor)) = cursor {
            self.tx.execute(
                "INSERT INTO sync_state (server_url, pull_cursor) VALUES (?1, ?2)
                 ON CONFLICT (server_url) DO UPDATE SET pull_cursor = max(pull_cursor, excluded.pull_cursor)",
                params![server_url, new_cursor],
            )?;
        }
        self.tx.commit()?;
        self.commits.set(self.commits.get() + 1);
        Ok(())
    }
}
