//! Rows of the synced tables as JSON, and back: the one codec the store and sync share.
//!
//! A row's JSON is what a change's `data` carries and what a record deserializes from: every
//! column by name, `BOOLEAN` columns as booleans, `JSON` columns parsed. [`upsert`] is the one
//! statement that writes such a row; [`store::Writer`](crate::store::Writer) (local writes) and
//! [`Replica`](crate::replica::Replica) (pulled changes) both use it, and differ only in where
//! the sync columns come from and whether the write is logged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::error::{CoreError, Result};

/// The `village_code` of rows the county owns and pushes down to every village (read-only there).
pub const COUNTY_SCOPE: &str = "county";

/// The sync columns every synced table has, which the store (not the record) fills in.
pub(crate) const SYNC_COLUMNS: [&str; 4] = ["village_code", "hlc", "device_id", "deleted"];

/// The declared type of a column, which says how to read it back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ColumnKind {
    Boolean,
    Json,
    Plain,
}

/// One column of a table, as `PRAGMA table_info` declares it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) kind: ColumnKind,
}

/// The columns of each table, read from the schema once per store.
#[derive(Default)]
pub(crate) struct ColumnCache(Mutex<HashMap<String, Arc<[Column]>>>);

impl ColumnCache {
    /// The columns of `table`, in the order `SELECT *` returns them.
    pub(crate) fn of(&self, conn: &Connection, table: &str) -> Result<Arc<[Column]>> {
        if let Some(cols) = self.0.lock().ok().and_then(|c| c.get(table).cloned()) {
            return Ok(cols);
        }
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
        let cols: Arc<[Column]> = stmt
            .query_map([], |r| {
                let name: String = r.get(1)?;
                let decl: String = r.get(2)?;
                let kind = match decl.to_ascii_uppercase().as_str() {
                    "BOOLEAN" => ColumnKind::Boolean,
                    "JSON" => ColumnKind::Json,
                    _ => ColumnKind::Plain,
                };
                Ok(Column { name, kind })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?
            .into();
        if cols.is_empty() {
            return Err(CoreError::Format(format!("no table {table}")));
        }
        if let Ok(mut c) = self.0.lock() {
            c.insert(table.to_string(), cols.clone());
        }
        Ok(cols)
    }
}

/// Reads rows of one connection (or transaction) as JSON.
#[derive(Clone, Copy)]
pub(crate) struct Rows<'c> {
    conn: &'c Connection,
    columns: &'c ColumnCache,
}

impl<'c> Rows<'c> {
    pub(crate) fn new(conn: &'c Connection, columns: &'c ColumnCache) -> Rows<'c> {
        Rows { conn, columns }
    }

    pub(crate) fn columns(&self, table: &str) -> Result<Arc<[Column]>> {
        self.columns.of(self.conn, table)
    }

    /// Calls `f` with each row of `table` matching an SQL condition on its columns, in the order
    /// the rows were first written. `table` must be a known table name, never typed-in text.
    pub(crate) fn each(
        &self,
        table: &str,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
        mut f: impl FnMut(Value) -> Result<()>,
    ) -> Result<()> {
        let columns = self.columns(table)?;
        let sql = format!("SELECT * FROM {table} WHERE {condition} ORDER BY rowid");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(args)?;
        while let Some(row) = rows.next()? {
            f(row_to_json(row, &columns)?)?;
        }
        Ok(())
    }

    /// The row `id` of `table` as it is now, deleted or not.
    pub(crate) fn get(&self, table: &str, id: &str) -> Result<Option<Value>> {
        let mut found = None;
        self.each(table, "id = ?1", &[&id], |row| {
            found = Some(row);
            Ok(())
        })?;
        Ok(found)
    }
}

fn row_to_json(row: &rusqlite::Row<'_>, columns: &[Column]) -> Result<Value> {
    let mut map = Map::new();
    for (i, column) in columns.iter().enumerate() {
        let value = match (row.get_ref(i)?, column.kind) {
            (ValueRef::Null, _) => Value::Null,
            (ValueRef::Integer(n), ColumnKind::Boolean) => Value::Bool(n != 0),
            (ValueRef::Integer(n), _) => Value::from(n),
            (ValueRef::Real(x), _) => Value::from(x),
            (ValueRef::Text(t), ColumnKind::Json) => serde_json::from_slice(t)
                .map_err(|e| CoreError::Format(format!("{}: {e}", column.name)))?,
            (ValueRef::Text(t), _) => Value::String(String::from_utf8_lossy(t).into_owned()),
            (ValueRef::Blob(_), _) => Value::Null,
        };
        map.insert(column.name.clone(), value);
    }
    Ok(Value::Object(map))
}

fn json_to_sql(value: &Value, kind: ColumnKind) -> SqlValue {
    match (value, kind) {
        (_, ColumnKind::Json) => SqlValue::Text(value.to_string()),
        (Value::Null, _) => SqlValue::Null,
        (Value::Bool(b), _) => SqlValue::Integer(i64::from(*b)),
        (Value::Number(n), _) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Real(n.as_f64().unwrap_or(0.0)),
        },
        (Value::String(s), _) => SqlValue::Text(s.clone()),
        (other, _) => SqlValue::Text(other.to_string()),
    }
}

/// The sync columns of one version of a row: who wrote it, when, and whether it is a tombstone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp<'a> {
    pub(crate) village_code: &'a str,
    pub(crate) hlc: &'a str,
    pub(crate) device_id: &'a str,
    pub(crate) deleted: bool,
}

/// Refuses fields that are not columns of `table` (a record and its table disagree).
pub(crate) fn check_fields(
    table: &str,
    columns: &[Column],
    fields: &Map<String, Value>,
) -> Result<()> {
    match fields
        .keys()
        .find(|name| !columns.iter().any(|c| &c.name == *name))
    {
        Some(name) => Err(CoreError::Format(format!(
            "{table}.{name} is not in schema.sql"
        ))),
        None => Ok(()),
    }
}

/// Inserts or replaces the row `id` of `table`: the sync columns from `stamp`, the others from
/// `fields` (a column missing there keeps its value, or its default in a new row; a field that
/// is not a column is left out). Writes nothing else: logging is the caller's business.
pub(crate) fn upsert(
    conn: &Connection,
    table: &str,
    columns: &[Column],
    id: &str,
    stamp: &Stamp<'_>,
    fields: &Map<String, Value>,
) -> rusqlite::Result<()> {
    let mut names: Vec<&str> = Vec::with_capacity(columns.len());
    let mut values: Vec<SqlValue> = Vec::with_capacity(columns.len());
    for column in columns {
        let value = match column.name.as_str() {
            "id" => SqlValue::Text(id.to_string()),
            "village_code" => SqlValue::Text(stamp.village_code.to_string()),
            "hlc" => SqlValue::Text(stamp.hlc.to_string()),
            "device_id" => SqlValue::Text(stamp.device_id.to_string()),
            "deleted" => SqlValue::Integer(i64::from(stamp.deleted)),
            name => match fields.get(name) {
                Some(v) => json_to_sql(v, column.kind),
                None => continue,
            },
        };
        names.push(&column.name);
        values.push(value);
    }
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = names
        .iter()
        .filter(|n| **n != "id")
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({cols}) VALUES ({ph}) ON CONFLICT (id) DO UPDATE SET {up}",
        cols = names.join(", "),
        ph = placeholders.join(", "),
        up = updates.join(", "),
    );
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values.iter()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> (Connection, ColumnCache) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id TEXT PRIMARY KEY, village_code TEXT NOT NULL, hlc TEXT NOT NULL,
               device_id TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT 0,
               name TEXT NOT NULL DEFAULT '', ok BOOLEAN NOT NULL DEFAULT 0, kinds JSON,
               n INTEGER, x REAL)",
        )
        .unwrap();
        (conn, ColumnCache::default())
    }

    const STAMP: Stamp<'static> = Stamp {
        village_code: "330599101201",
        hlc: "0000000001000-000000",
        device_id: "d1",
        deleted: false,
    };

    #[test]
    fn a_row_reads_back_as_the_json_it_was_written_from() {
        let (conn, cache) = table();
        let rows = Rows::new(&conn, &cache);
        let fields = serde_json::json!({
            "id": "r", "name": "青石", "ok": true, "kinds": ["flood"], "n": 3, "x": 1.5,
            "not_a_column": 1,
        });
        let columns = rows.columns("t").unwrap();
        upsert(
            &conn,
            "t",
            &columns,
            "r",
            &STAMP,
            fields.as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(
            rows.get("t", "r").unwrap().unwrap(),
            serde_json::json!({
                "id": "r", "village_code": "330599101201", "hlc": "0000000001000-000000",
                "device_id": "d1", "deleted": false,
                "name": "青石", "ok": true, "kinds": ["flood"], "n": 3, "x": 1.5,
            })
        );
        assert_eq!(rows.get("t", "other").unwrap(), None);
    }

    #[test]
    fn an_upsert_keeps_the_columns_it_is_not_given_and_takes_the_stamp() {
        let (conn, cache) = table();
        let rows = Rows::new(&conn, &cache);
        let columns = rows.columns("t").unwrap();
        let first = serde_json::json!({ "name": "a", "n": 1, "hlc": "ignored" });
        upsert(
            &conn,
            "t",
            &columns,
            "r",
            &STAMP,
            first.as_object().unwrap(),
        )
        .unwrap();
        let tombstone = Stamp {
            hlc: "0000000002000-000000",
            device_id: "d2",
            deleted: true,
            ..STAMP
        };
        let second = serde_json::json!({ "name": "b" });
        upsert(
            &conn,
            "t",
            &columns,
            "r",
            &tombstone,
            second.as_object().unwrap(),
        )
        .unwrap();
        let row = rows.get("t", "r").unwrap().unwrap();
        assert_eq!(row["name"], "b");
        assert_eq!(row["n"], 1, "not given, kept");
        assert_eq!(
            row["hlc"], "0000000002000-000000",
            "the stamp, not the field"
        );
        assert_eq!(row["device_id"], "d2");
        assert_eq!(row["deleted"], true);
    }

    #[test]
    fn fields_that_are_not_columns_are_refused_by_the_check() {
        let (conn, cache) = table();
        let columns = Rows::new(&conn, &cache).columns("t").unwrap();
        let good = serde_json::json!({ "id": "r", "name": "a" });
        assert!(check_fields("t", &columns, good.as_object().unwrap()).is_ok());
        let bad = serde_json::json!({ "id": "r", "nmae": "a" });
        let err = check_fields("t", &columns, bad.as_object().unwrap()).unwrap_err();
        assert!(err.to_string().contains("t.nmae"), "{err}");
    }
}
