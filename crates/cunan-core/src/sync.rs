//! Sync, the store's side (no network here: `cunan-sync` moves the bytes).
//!
//! - What goes up: this device's own writes, read from `change_log` in `seq` order, in batches;
//!   marked `pushed` only up to the sequence the county acknowledged.
//! - What comes down: changes made elsewhere, applied with [`apply_pulled`] in one transaction
//!   together with the new pull cursor, through a `Replica` (not `Writer`): written as given,
//!   they never enter `change_log` and are never pushed back as this device's own.
//! - Merge ([`merge`]): the same rule on every replica and on the server. A change written over
//!   the version a replica holds (`base_hlc` = that version's `hlc`) simply replaces it; otherwise
//!   the edits were concurrent, the later `(hlc, device_id)` wins and the loser is kept in
//!   `sync_conflict`, from where the officer can restore it ([`restore_conflict`]).
//! - Rows the county pushed down have `village_code = "county"` and are read-only in the village.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Hlc;
use crate::records::{synced_table, SYNCED_TABLES};
use crate::replica::Put;
use crate::rows::{Stamp, SYNC_COLUMNS};
use crate::{CoreError, Result, Store};

pub use crate::rows::COUNTY_SCOPE;

/// One write to one row, as it travels: the full row state after the write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The writing device's `change_log.seq` (0 for rows the county writes).
    pub seq: i64,
    pub table: String,
    pub row_id: String,
    /// `upsert` or `delete`
    pub op: String,
    pub hlc: String,
    pub device_id: String,
    /// The `hlc` of the version this write replaced; `None` for a new row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_hlc: Option<String>,
    pub village_code: String,
    pub data: Value,
}

impl Change {
    /// Checks the parts every replica relies on; a message safe to show (no personal data).
    pub fn check_shape(&self) -> std::result::Result<(), String> {
        if synced_table(&self.table).is_none() {
            return Err(format!("未知的数据表“{}”", short(&self.table)));
        }
        if self.op != "upsert" && self.op != "delete" {
            return Err(format!("未知的操作“{}”", short(&self.op)));
        }
        if Hlc::parse(&self.hlc).is_none() || self.hlc.len() != 20 {
            return Err("时间戳(hlc)格式不对".into());
        }
        if let Some(base) = &self.base_hlc {
            if Hlc::parse(base).is_none() {
                return Err("基准时间戳(base_hlc)格式不对".into());
            }
        }
        if self.row_id.is_empty() || self.row_id.len() > 64 || self.device_id.is_empty() {
            return Err("记录编号或设备编号不对".into());
        }
        let Some(data) = self.data.as_object() else {
            return Err("记录内容不是对象".into());
        };
        if data.get("id").and_then(Value::as_str) != Some(self.row_id.as_str()) {
            return Err("记录内容的 id 与记录编号不一致".into());
        }
        if data.get("village_code").and_then(Value::as_str) != Some(self.village_code.as_str()) {
            return Err("记录内容的区划代码与变更不一致".into());
        }
        Ok(())
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// What the merge rule decides for an incoming version against the one a replica holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// The replica has no such row.
    Insert,
    /// Written over the held version: replace it, no conflict.
    Replace,
    /// The very version the replica already holds.
    Same,
    /// Concurrent, and the incoming version wins: the held one goes to conflicts.
    ConflictIncomingWins,
    /// Concurrent, and the held version wins: the incoming one goes to conflicts.
    ConflictIncomingLoses,
}

/// The merge rule, used by every replica and by the county server.
/// `current` is the held version's `(hlc, device_id)`.
pub fn merge(current: Option<(&str, &str)>, incoming: &Change) -> Merge {
    let Some((hlc, device)) = current else {
        return Merge::Insert;
    };
    if hlc == incoming.hlc && device == incoming.device_id {
        return Merge::Same;
    }
    let incoming_later = (incoming.hlc.as_str(), incoming.device_id.as_str()) > (hlc, device);
    let written_over_it = incoming.base_hlc.as_deref() == Some(hlc);
    match (incoming_later, written_over_it) {
        (true, true) => Merge::Replace,
        (true, false) => Merge::ConflictIncomingWins,
        // An older version by the very device whose later version is held: that device wrote
        // over it itself, so it is history coming round again (a replayed bundle), not a
        // concurrent edit.
        (false, _) if device == incoming.device_id => Merge::Same,
        (false, _) => Merge::ConflictIncomingLoses,
    }
}

fn read_changes(store: &Store, sql: &str, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
    let mut stmt = store.conn().prepare_cached(sql)?;
    let rows = stmt.query_map(params![after_seq, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, String>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, table, row_id, op, hlc, device_id, base_hlc, data) = row?;
        let data: Value = serde_json::from_str(&data)
            .map_err(|e| CoreError::Format(format!("change_log {seq}: {e}")))?;
        let village_code = data
            .get("village_code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        out.push(Change {
            seq,
            table,
            row_id,
            op,
            hlc,
            device_id,
            base_hlc,
            village_code,
            data,
        });
    }
    Ok(out)
}

/// This device's writes not yet acknowledged by the county, after `after_seq`, oldest first.
pub fn unpushed(store: &Store, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
    read_changes(
        store,
        "SELECT seq, table_name, row_id, op, hlc, device_id, base_hlc, data FROM change_log
         WHERE pushed = 0 AND seq > ?1 ORDER BY seq LIMIT ?2",
        after_seq,
        limit,
    )
}

/// All of this device's writes after `after_seq`, pushed or not (for a full USB bundle).
pub fn all_changes(store: &Store, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
    read_changes(
        store,
        "SELECT seq, table_name, row_id, op, hlc, device_id, base_hlc, data FROM change_log
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        after_seq,
        limit,
    )
}

/// Marks this device's writes up to `ack_seq` as acknowledged by the county.
pub fn mark_pushed(store: &mut Store, ack_seq: i64) -> Result<usize> {
    let device = store.device_id().to_string();
    store.bookkeeping(|tx| {
        Ok(tx.execute(
            "UPDATE change_log SET pushed = 1 WHERE pushed = 0 AND seq <= ?1 AND device_id = ?2",
            params![ack_seq, device],
        )?)
    })
}

/// What one pulled batch did to the local store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub applied: usize,
    pub unchanged: usize,
    pub conflicts: usize,
}

/// Applies changes pulled from `server_url` and moves its pull cursor to `new_cursor`, all in one
/// transaction: after a crash either both happened or neither did.
pub fn apply_pulled(
    store: &mut Store,
    server_url: &str,
    changes: &[Change],
    new_cursor: i64,
) -> Result<ApplyReport> {
    apply_changes(store, changes, Some((server_url, new_cursor)))
}

/// Applies changes that came from the county another way (a bundle on a USB stick), with the
/// same merge as a pull, in one transaction. `cursor`, when the bundle's server is the one this
/// store is enrolled with, moves that server's pull cursor in the same transaction.
pub fn apply_changes(
    store: &mut Store,
    changes: &[Change],
    cursor: Option<(&str, i64)>,
) -> Result<ApplyReport> {
    for change in changes {
        change.check_shape().map_err(CoreError::Format)?;
    }
    let recorded_at = store.clock().now().to_rfc3339();
    let mut replica = store.replica()?;
    let mut report = ApplyReport::default();
    let empty = Map::new();
    for change in changes {
        replica.observe(&change.hlc);
        let table = change.table.as_str();
        let current = replica.held_version(table, &change.row_id)?;
        let decision = merge(
            current.as_ref().map(|(h, d)| (h.as_str(), d.as_str())),
            change,
        );
        let (winner_hlc, winner_device) = match (&current, decision) {
            (Some((h, d)), Merge::ConflictIncomingLoses) => (h.clone(), d.clone()),
            _ => (change.hlc.clone(), change.device_id.clone()),
        };
        if decision != Merge::Same {
            // A version written over one kept as a conflict supersedes it there: whoever wrote
            // it had seen that version, so it was not lost. The officer sees each losing line
            // of edits once, at its tip.
            if let Some(base) = &change.base_hlc {
                replica.forget_conflict(table, &change.row_id, base)?;
            }
        }
        let incoming = (change.hlc.as_str(), change.device_id.as_str(), &change.data);
        match decision {
            Merge::Same => report.unchanged += 1,
            Merge::ConflictIncomingLoses => {
                replica.record_conflict(
                    table,
                    &change.row_id,
                    incoming,
                    (&winner_hlc, &winner_device),
                    &recorded_at,
                )?;
                report.conflicts += 1;
            }
            Merge::Insert | Merge::Replace | Merge::ConflictIncomingWins => {
                if decision == Merge::ConflictIncomingWins {
                    let held = replica
                        .held_row(table, &change.row_id)?
                        .unwrap_or(Value::Null);
                    if let Some((h, d)) = &current {
                        replica.record_conflict(
                            table,
                            &change.row_id,
                            (h, d, &held),
                            (&winner_hlc, &winner_device),
                            &recorded_at,
                        )?;
                    }
                    report.conflicts += 1;
                }
                let data = change.data.as_object().unwrap_or(&empty);
                let stamp = Stamp {
                    village_code: &change.village_code,
                    hlc: &change.hlc,
                    device_id: &change.device_id,
                    deleted: change.op == "delete"
                        || data.get("deleted").and_then(Value::as_bool) == Some(true),
                };
                match replica.put(table, &change.row_id, &stamp, data)? {
                    Put::Written => report.applied += 1,
                    // A uniqueness rule (e.g. one setting per key) refuses the row: keep it
                    // as a conflict for the officer instead of blocking sync for ever.
                    Put::Refused => {
                        replica.record_conflict(
                            table,
                            &change.row_id,
                            incoming,
                            ("", ""),
                            &recorded_at,
                        )?;
                        report.conflicts += 1;
                    }
                }
            }
        }
    }
    replica.commit(cursor)?;
    Ok(report)
}

/// Where sync with one county server has got to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The address the store enrolled through; also the key of this row (the pull cursor and
    /// outcome are recorded under it, whichever address a sync uses).
    pub server_url: String,
    /// The county server's own id, learnt at enrollment (or on the first sync of an older
    /// enrollment): the same server reached through another address is still this server.
    pub server_id: Option<String>,
    /// Another address of the same server to use instead of `server_url` (set in the app's
    /// settings), or `None`.
    pub address: Option<String>,
    pub village_code: Option<String>,
    #[serde(skip)]
    pub device_token: Option<String>,
    pub pull_cursor: i64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub enrolled_at: Option<String>,
    /// The officer allowed plain http to this server (not on this computer) at enrollment.
    pub allow_plain_http: bool,
}

/// Every server this store has synced with, most recently enrolled first.
pub fn sync_states(store: &Store) -> Result<Vec<SyncState>> {
    let mut stmt = store.conn().prepare(
        "SELECT server_url, village_code, device_token, pull_cursor, last_success_at, last_error,
                enrolled_at, server_id, address, allow_plain_http
         FROM sync_state ORDER BY enrolled_at IS NULL, enrolled_at DESC, server_url",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(SyncState {
            server_url: r.get(0)?,
            village_code: r.get(1)?,
            device_token: r.get(2)?,
            pull_cursor: r.get(3)?,
            last_success_at: r.get(4)?,
            last_error: r.get(5)?,
            enrolled_at: r.get(6)?,
            server_id: r.get(7)?,
            address: r.get(8)?,
            allow_plain_http: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Records whether plain http to the server enrolled through `server_url` was explicitly allowed.
pub fn set_allow_plain_http(store: &Store, server_url: &str, allowed: bool) -> Result<()> {
    store.conn().execute(
        "UPDATE sync_state SET allow_plain_http = ?2 WHERE server_url = ?1",
        params![server_url, allowed],
    )?;
    Ok(())
}

/// The server to sync with when none is named: the one enrolled most recently.
pub fn current_server(store: &Store) -> Result<Option<SyncState>> {
    Ok(sync_states(store)?
        .into_iter()
        .find(|s| s.device_token.is_some()))
}

impl SyncState {
    /// The address to connect to: the one set in the settings, else the enrolled one.
    pub fn connect_url(&self) -> &str {
        self.address.as_deref().unwrap_or(&self.server_url)
    }
}

/// Records a device token from enrollment. Refuses a token for another village than the one in
/// this store. Never touches the change log: unsynced local changes survive re-enrollment, and
/// the pull cursor of a server already known is kept (a cursor never goes back) — also when the
/// same server (same `server_id`) is enrolled again through another address.
pub fn save_enrollment(
    store: &mut Store,
    server_url: &str,
    server_id: Option<&str>,
    device_token: &str,
    village_code: &str,
) -> Result<()> {
    if let Some(village) = store.village()? {
        if village.code != village_code {
            return Err(crate::validate::ValidationError::new(
                "enroll_wrong_village",
                "登记码",
                "这个登记码属于另一个村，与本数据文件的村庄不一致。请向县应急管理局核对登记码。",
            )
            .into());
        }
    }
    let now = store.clock().now().to_rfc3339();
    let states = sync_states(store)?;
    let at_url = states.iter().find(|s| s.server_url == server_url);
    let elsewhere = server_id.and_then(|id| {
        states
            .iter()
            .find(|s| s.server_id.as_deref() == Some(id) && s.server_url != server_url)
    });
    store.bookkeeping(|tx| {
        match elsewhere {
            Some(known) if !known.server_url.starts_with(USB_KEY_PREFIX) => {
                // The same server through another address: keep its row (and cursor), use the
                // address.
                tx.execute(
                    "UPDATE sync_state SET device_token = ?2, village_code = ?3, enrolled_at = ?4,
                   last_error = NULL, address = ?5 WHERE server_url = ?1",
                    params![
                        known.server_url,
                        device_token,
                        village_code,
                        now,
                        server_url
                    ],
                )?;
            }
            usb => {
                // The row of this address: its cursor is kept only if it is the same server (or one
                // enrolled before servers had ids); a new server at an old address starts from 0.
                // A row kept so far for this server's USB bundles is folded in (its cursor counts).
                let same = at_url
                    .filter(|s| s.server_id.is_none() || s.server_id.as_deref() == server_id)
                    .map_or(0, |s| s.pull_cursor);
                let cursor = same.max(usb.map_or(0, |u| u.pull_cursor));
                if let Some(usb) = usb {
                    tx.execute(
                        "DELETE FROM sync_state WHERE server_url = ?1",
                        [&usb.server_url],
                    )?;
                }
                tx.execute(
                    "INSERT INTO sync_state (server_url, device_token, village_code, enrolled_at,
                   server_id, pull_cursor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (server_url) DO UPDATE SET device_token = excluded.device_token,
                   village_code = excluded.village_code, enrolled_at = excluded.enrolled_at,
                   server_id = coalesce(excluded.server_id, server_id),
                   pull_cursor = excluded.pull_cursor, address = NULL, last_error = NULL",
                    params![
                        server_url,
                        device_token,
                        village_code,
                        now,
                        server_id,
                        cursor
                    ],
                )?;
            }
        }
        Ok(())
    })
}

/// The key of the row for a county server known only from its USB bundles (no enrollment).
pub const USB_KEY_PREFIX: &str = "usb:";

/// The row that keeps how far this store has got with the server `server_id`: the enrolled one
/// if any, else one made for its USB bundles (`usb:<id>`, no token; enrolling with that server
/// later takes it over, cursor and all).
pub fn server_row(store: &mut Store, server_id: &str) -> Result<SyncState> {
    let find = |store: &Store| -> Result<Option<SyncState>> {
        Ok(sync_states(store)?
            .into_iter()
            .find(|s| s.server_id.as_deref() == Some(server_id)))
    };
    if let Some(row) = find(store)? {
        return Ok(row);
    }
    store.bookkeeping(|tx| {
        Ok(tx.execute(
            "INSERT OR IGNORE INTO sync_state (server_url, server_id) VALUES (?1, ?2)",
            params![format!("{USB_KEY_PREFIX}{server_id}"), server_id],
        )?)
    })?;
    find(store)?.ok_or(CoreError::NotFound {
        what: "同步记录"
    })
}

/// Records the server id of an enrollment made before servers had ids (learnt on its first
/// sync). Never replaces an id already known.
pub fn learn_server_id(store: &mut Store, server_url: &str, server_id: &str) -> Result<()> {
    store.bookkeeping(|tx| {
        tx.execute(
            "UPDATE sync_state SET server_id = ?2 WHERE server_url = ?1 AND server_id IS NULL",
            params![server_url, server_id],
        )?;
        Ok(())
    })
}

/// The public key pinned for the county server `server_id`, if one was learnt.
pub fn server_key(store: &Store, server_id: &str) -> Result<Option<String>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT public_key FROM server_key WHERE server_id = ?1",
            [server_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Pins `public_key` for the county server `server_id` unless one is pinned already (a key
/// once learnt is never replaced by what a server or a file says later). `how`: enrollment,
/// health or bundle. Returns the key pinned now.
pub fn pin_server_key(
    store: &mut Store,
    server_id: &str,
    public_key: &str,
    how: &str,
) -> Result<String> {
    let now = store.clock().now().to_rfc3339();
    store.bookkeeping(|tx| {
        tx.execute(
            "INSERT OR IGNORE INTO server_key (server_id, public_key, learned_at, learned_how)
             VALUES (?1, ?2, ?3, ?4)",
            params![server_id, public_key, now, how],
        )?;
        Ok(tx.query_row(
            "SELECT public_key FROM server_key WHERE server_id = ?1",
            [server_id],
            |r| r.get(0),
        )?)
    })
}

/// Sets (or with `None` clears) another address of the enrolled server `server_url`.
pub fn set_address(store: &mut Store, server_url: &str, address: Option<&str>) -> Result<()> {
    let address = address.filter(|a| *a != server_url);
    store.bookkeeping(|tx| {
        tx.execute(
            "UPDATE sync_state SET address = ?2 WHERE server_url = ?1",
            params![server_url, address],
        )?;
        Ok(())
    })
}

/// Records the end of a sync attempt: success time, or the error to show.
pub fn record_outcome(store: &mut Store, server_url: &str, error: Option<&str>) -> Result<()> {
    let now = store.clock().now().to_rfc3339();
    store.bookkeeping(|tx| {
        match error {
            None => tx.execute(
                "UPDATE sync_state SET last_success_at = ?2, last_error = NULL WHERE server_url = ?1",
                params![server_url, now],
            )?,
            Some(message) => tx.execute(
                "UPDATE sync_state SET last_error = ?2 WHERE server_url = ?1",
                params![server_url, message],
            )?,
        };
        Ok(())
    })
}

/// A version that lost a merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: i64,
    pub table: String,
    pub row_id: String,
    pub loser_hlc: String,
    pub loser_device_id: String,
    pub loser_data: Value,
    pub winner_hlc: String,
    pub winner_device_id: String,
    pub recorded_at: String,
    pub resolved: bool,
}

/// Conflicts not yet restored or dismissed (or all of them), oldest first.
pub fn conflicts(store: &Store, include_resolved: bool) -> Result<Vec<Conflict>> {
    let mut stmt = store.conn().prepare(
        "SELECT id, table_name, row_id, loser_hlc, loser_device_id, loser_data, winner_hlc,
                winner_device_id, recorded_at, resolved
         FROM sync_conflict WHERE resolved = 0 OR ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([include_resolved], |r| {
        let data: String = r.get(5)?;
        Ok(Conflict {
            id: r.get(0)?,
            table: r.get(1)?,
            row_id: r.get(2)?,
            loser_hlc: r.get(3)?,
            loser_device_id: r.get(4)?,
            loser_data: serde_json::from_str(&data).unwrap_or(Value::Null),
            winner_hlc: r.get(6)?,
            winner_device_id: r.get(7)?,
            recorded_at: r.get(8)?,
            resolved: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Makes a losing version the current one again, as a new local write (so it syncs and wins
/// everywhere), and marks the conflict resolved.
pub fn restore_conflict(store: &mut Store, conflict_id: i64) -> Result<()> {
    let found: Option<(String, String)> = store
        .conn()
        .query_row(
            "SELECT table_name, loser_data FROM sync_conflict WHERE id = ?1",
            [conflict_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (table, data) = found.ok_or(CoreError::NotFound {
        what: "冲突记录"
    })?;
    if synced_table(&table).is_none() {
        return Err(CoreError::Format(format!("unknown table {table}")));
    }
    let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(&data) else {
        return Err(CoreError::Format("conflict data is not an object".into()));
    };
    let deleted = fields.get("deleted").and_then(Value::as_bool) == Some(true);
    for column in SYNC_COLUMNS {
        fields.remove(column);
    }
    let id = fields
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    store.write(|w| {
        if deleted {
            w.delete_in(&table, &id)?;
        } else {
            w.restore_fields(&table, &fields)?;
        }
        w.conn().execute(
            "UPDATE sync_conflict SET resolved = 1 WHERE id = ?1",
            [conflict_id],
        )?;
        Ok(())
    })
}

/// Every live row of every synced table, as `(table, id) → row JSON`: what "the same data"
/// means when replicas are compared.
pub fn live_rows(store: &Store) -> Result<std::collections::BTreeMap<(String, String), Value>> {
    let mut out = std::collections::BTreeMap::new();
    for table in SYNCED_TABLES {
        store.rows().each(table, "deleted = 0", &[], |json| {
            let id = json
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            out.insert((table.to_string(), id), json);
            Ok(())
        })?;
    }
    Ok(out)
}

/// The row `id` of the synced table `table` as it is now, as the JSON a change's `data` carries
/// (booleans as booleans, JSON columns parsed, the sync columns included; a deleted row has
/// `"deleted": true`). `None` if there is no such row or `table` is not a synced table.
pub fn current_row(store: &Store, table: &str, id: &str) -> Result<Option<Value>> {
    match synced_table(table) {
        Some(table) => store.rows().get(table.name, id),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(hlc: &str, device: &str, base: Option<&str>) -> Change {
        Change {
            seq: 1,
            table: "grid".into(),
            row_id: "r".into(),
            op: "upsert".into(),
            hlc: hlc.into(),
            device_id: device.into(),
            base_hlc: base.map(str::to_string),
            village_code: "330502101201".into(),
            data: Value::Null,
        }
    }

    #[test]
    fn merge_is_the_same_rule_everywhere() {
        let a = "0000000001000-000000";
        let b = "0000000002000-000000";
        let check = |current: Option<(&str, &str)>, incoming: Change, expected: Merge| {
            assert_eq!(
                merge(current, &incoming),
                expected,
                "{current:?} {incoming:?}"
            );
        };
        check(None, change(a, "d1", None), Merge::Insert);
        check(Some((a, "d1")), change(a, "d1", None), Merge::Same);
        check(Some((a, "d1")), change(b, "d2", Some(a)), Merge::Replace);
        check(
            Some((a, "d1")),
            change(b, "d2", None),
            Merge::ConflictIncomingWins,
        );
        check(
            Some((b, "d2")),
            change(a, "d1", None),
            Merge::ConflictIncomingLoses,
        );
        // Same hlc on two devices: the device id breaks the tie.
        check(
            Some((a, "d1")),
            change(a, "d2", None),
            Merge::ConflictIncomingWins,
        );
        check(
            Some((a, "d2")),
            change(a, "d1", None),
            Merge::ConflictIncomingLoses,
        );
    }

    /// Whatever order a replica sees concurrent versions in, it keeps the same winner.
    #[test]
    fn the_winner_does_not_depend_on_arrival_order() {
        let versions = [
            change("0000000001000-000000", "d1", None),
            change("0000000001000-000000", "d2", None),
            change("0000000002000-000000", "d1", Some("0000000001000-000000")),
            change("0000000001500-000003", "d3", None),
        ];
        let mut winners = std::collections::BTreeSet::new();
        // All 24 orders of the four versions.
        let mut order = [0usize, 1, 2, 3];
        for _ in 0..24 {
            let mut held: Option<(String, String)> = None;
            for &i in &order {
                let c = &versions[i];
                match merge(held.as_ref().map(|(h, d)| (h.as_str(), d.as_str())), c) {
                    Merge::Insert | Merge::Replace | Merge::ConflictIncomingWins => {
                        held = Some((c.hlc.clone(), c.device_id.clone()))
                    }
                    Merge::Same | Merge::ConflictIncomingLoses => {}
                }
            }
            winners.insert(held);
            next_permutation(&mut order);
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
    }

    fn next_permutation(v: &mut [usize]) {
        let Some(i) = (0..v.len() - 1).rev().find(|&i| v[i] < v[i + 1]) else {
            v.reverse();
            return;
        };
        let j = (i + 1..v.len()).rev().find(|&j| v[j] > v[i]).unwrap_or(i);
        v.swap(i, j);
        v[i + 1..].reverse();
    }
}
