//! A store made by every released schema version opens in the current build with all its data
//! (issue #12).
//!
//! For each version N: a store migrated only up to N, filled with plain SQL — two rows in every
//! table that exists at N (the second a tombstone where the table has `deleted`), every column
//! given a value of its own (Chinese text, numbers, JSON, NULLs, references to the other rows),
//! written from the schema itself (`PRAGMA table_info` and `foreign_key_list` at N), so that a
//! new migration is covered without touching this file. Then the current `Store::open`, and:
//! every row and every value is still there, columns added since N hold their defaults, no
//! reference dangles, the rows read through the app's own readers, and the store works (a save
//! lands in the change log next to the old entries). A migration that drops, renames or
//! rewrites a column or a table fails here; one that means to must say how the data moves, in
//! [`differences`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::store::schema_version;
use cunan_core::{Grid, Store};
use rusqlite::types::Value;
use rusqlite::Connection;

const VILLAGE: &str = "330599101201";

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ))
}

/// A column as `PRAGMA table_info` gives it.
#[derive(Debug, Clone)]
struct ColumnInfo {
    name: String,
    kind: String,
    not_null: bool,
    default: Option<String>,
    /// Position in the primary key (0 = not in it).
    pk: i64,
}

fn columns(conn: &Connection, table: &str) -> Vec<ColumnInfo> {
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info(\"{table}\")"))
        .unwrap();
    stmt.query_map([], |r| {
        Ok(ColumnInfo {
            name: r.get(1)?,
            kind: r.get::<_, String>(2)?.to_uppercase(),
            not_null: r.get(3)?,
            default: r.get(4)?,
            pk: r.get(5)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The tables of a store (SQLite's own left out).
fn tables(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// column → (table, column) it references.
fn references(conn: &Connection, table: &str) -> BTreeMap<String, (String, String)> {
    let mut stmt = conn
        .prepare(&format!("PRAGMA foreign_key_list(\"{table}\")"))
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(3)?,
            (r.get::<_, String>(2)?, r.get::<_, String>(4)?),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Tables in an order where every table comes after those it references.
fn in_reference_order(conn: &Connection) -> Vec<String> {
    let all = tables(conn);
    let mut placed: Vec<String> = Vec::new();
    while placed.len() < all.len() {
        let before = placed.len();
        for table in &all {
            let ready = references(conn, table)
                .values()
                .all(|(target, _)| target == table || placed.contains(target));
            if !placed.contains(table) && ready {
                placed.push(table.clone());
            }
        }
        assert!(placed.len() > before, "reference cycle among {all:?}");
    }
    placed
}

/// The rows written into one table: its key columns and, per row, every column's value.
#[derive(Debug, Default)]
struct TableRows {
    key: Vec<String>,
    rows: Vec<BTreeMap<String, Value>>,
}

type Written = BTreeMap<String, TableRows>;

/// The value row `i` of `table` gets in `column` at schema version `n`: its own, recognisable,
/// and valid where the app reads it (a change's op, the village's code, `hlc`, JSON).
fn value_for(
    n: i64,
    table: &str,
    (index, column): (usize, &ColumnInfo),
    i: usize,
    reference: Option<&Value>,
) -> Value {
    let name = column.name.as_str();
    let nullable = !column.not_null && column.pk == 0;
    if let Some(target) = reference {
        return target.clone();
    }
    match (table, name) {
        ("village", "code") | (_, "village_code") => return Value::Text(VILLAGE.into()),
        (_, "hlc") | (_, "last_hlc") | (_, "loser_hlc") | (_, "winner_hlc") => {
            return Value::Text(format!("{:013}-{:06}", 1_780_000_000_000 + i as i64, n));
        }
        ("change_log", "op") => return Value::Text(["upsert", "delete"][i % 2].into()),
        ("change_log", "table_name") => return Value::Text("grid".into()),
        (_, "deleted") => return Value::Integer(i as i64 % 2),
        _ => {}
    }
    if nullable && i == 1 {
        return Value::Null;
    }
    let text = format!("{table}.{name} 第{}行（第{n}版）村安・青石村", i + 1);
    match column.kind.as_str() {
        "INTEGER" if column.pk > 0 => Value::Integer(i as i64 + 1),
        "INTEGER" => Value::Integer(1000 * n + 10 * index as i64 + i as i64 + 1),
        "BOOLEAN" => Value::Integer(((index + i) % 2) as i64),
        "REAL" => Value::Real(n as f64 + index as f64 / 8.0 + i as f64),
        "JSON" if name.ends_with("kinds") => Value::Text(r#"["flood","geological"]"#.into()),
        "JSON" if name.ends_with("_ids") => Value::Text(format!(r#"["{table}-网格-{i}"]"#)),
        "JSON" => Value::Text(
            serde_json::json!({
                "id": format!("{table}-v{n}-{i}"), "village_code": VILLAGE,
                "说明": text, "数": 1000 * n + i as i64, "列表": [1, "二", null]
            })
            .to_string(),
        ),
        _ if column.pk > 0 => Value::Text(format!("{table}-v{n}-{i}")),
        _ => Value::Text(text),
    }
}

/// Writes two rows into every table of the store at `path` (at version `n`; the `device` row
/// the store made is kept as it is) and returns what is there.
fn fill(path: &Path, n: i64) -> Written {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    let mut written = Written::new();
    for table in in_reference_order(&conn) {
        let columns = columns(&conn, &table);
        let refs = references(&conn, &table);
        let key: Vec<String> = columns
            .iter()
            .filter(|c| c.pk > 0)
            .map(|c| c.name.clone())
            .collect();
        if table != "device" {
            for i in 0..2 {
                let mut row = BTreeMap::new();
                for (index, column) in columns.iter().enumerate() {
                    // A reference points at the same row of the other table, or at the first row
                    // of its own (the first row's reference to its own table is empty).
                    let target = refs.get(&column.name).map(|(t, c)| {
                        if *t == table {
                            written
                                .get(&table)
                                .and_then(|w: &TableRows| w.rows.first())
                                .and_then(|r| r.get(c).cloned())
                                .unwrap_or(Value::Null)
                        } else {
                            written[t].rows[i][c].clone()
                        }
                    });
                    let value = value_for(n, &table, (index, column), i, target.as_ref());
                    row.insert(column.name.clone(), value);
                }
                let names: Vec<&String> = row.keys().collect();
                let sql = format!(
                    "INSERT INTO \"{table}\" ({}) VALUES ({})",
                    names
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    vec!["?"; names.len()].join(", ")
                );
                conn.execute(&sql, rusqlite::params_from_iter(row.values()))
                    .unwrap_or_else(|e| panic!("version {n}, {table}: {e}"));
                written.entry(table.clone()).or_default().rows.push(row);
            }
        }
        let entry = written.entry(table.clone()).or_default();
        entry.key = key;
        // Read back what is there (the device row included), as SQLite stored it.
        entry.rows = all_rows(&conn, &table);
    }
    written
}

/// Every row of a table, every column, in key order.
fn all_rows(conn: &Connection, table: &str) -> Vec<BTreeMap<String, Value>> {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
        .unwrap();
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    stmt.query_map([], |r| {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| Ok((name.clone(), r.get::<_, Value>(i)?)))
            .collect::<rusqlite::Result<BTreeMap<_, _>>>()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// What a column added later holds in an old row: its declared default, or NULL.
fn default_value(conn: &Connection, column: &ColumnInfo) -> Value {
    match &column.default {
        Some(expr) => conn
            .query_row(&format!("SELECT {expr}"), [], |r| r.get(0))
            .unwrap(),
        None => Value::Null,
    }
}

/// Everything of `written` that the store behind `conn` no longer holds as it was, and every
/// column added since that does not hold its default; empty when all is there.
fn differences(conn: &Connection, written: &Written) -> Vec<String> {
    let mut out = Vec::new();
    let now: BTreeSet<String> = tables(conn).into_iter().collect();
    for (table, old) in written {
        if !now.contains(table) {
            out.push(format!("table {table} is gone"));
            continue;
        }
        let current = columns(conn, table);
        let rows = all_rows(conn, table);
        let key_of = |row: &BTreeMap<String, Value>| -> Vec<Value> {
            old.key
                .iter()
                .map(|k| row.get(k).cloned().unwrap_or(Value::Null))
                .collect()
        };
        if rows.len() != old.rows.len() {
            out.push(format!(
                "{table}: {} rows, was {}",
                rows.len(),
                old.rows.len()
            ));
        }
        for was in &old.rows {
            let key = key_of(was);
            let Some(is) = rows.iter().find(|r| key_of(r) == key) else {
                out.push(format!("{table}: row {key:?} is gone"));
                continue;
            };
            for (column, value) in was {
                match is.get(column) {
                    None => out.push(format!("{table}.{column} is gone")),
                    Some(v) if v != value => {
                        out.push(format!("{table}.{column} of {key:?}: {v:?}, was {value:?}"))
                    }
                    _ => {}
                }
            }
            for column in current.iter().filter(|c| !was.contains_key(&c.name)) {
                if let Some(holds) = derived(table, &column.name) {
                    if !holds(is) {
                        out.push(format!(
                            "{table}.{} (derived by a migration) of {key:?}: {:?}",
                            column.name,
                            is.get(&column.name)
                        ));
                    }
                    continue;
                }
                let expected = default_value(conn, column);
                if is.get(&column.name) != Some(&expected) {
                    out.push(format!(
                        "{table}.{} (added later) of {key:?}: {:?}, not its default {expected:?}",
                        column.name,
                        is.get(&column.name)
                    ));
                }
            }
        }
    }
    out
}

/// Columns a migration fills from the row rather than with a default, and what they must hold:
/// the device's signing seed (made at first open, 32 random bytes in hex), and the permission
/// for plain http kept by enrollments made over http before the rule (migration 8).
type RowCheck = fn(&BTreeMap<String, Value>) -> bool;

fn derived(table: &str, column: &str) -> Option<RowCheck> {
    match (table, column) {
        ("device", "signing_seed") => Some(|row| {
            matches!(row.get("signing_seed"), Some(Value::Text(seed))
                if seed.len() == 64 && seed.chars().all(|c| c.is_ascii_hexdigit()))
        }),
        ("sync_state", "allow_plain_http") => Some(|row| {
            let http = matches!(row.get("server_url"), Some(Value::Text(url)) if url.starts_with("http://"));
            row.get("allow_plain_http") == Some(&Value::Integer(i64::from(http)))
        }),
        _ => None,
    }
}

/// A store at version `n`, filled; returns its path and what was written.
fn store_at(dir: &Path, n: i64) -> (std::path::PathBuf, Written) {
    let path = dir.join(format!("v{n}.sqlite3"));
    let old = Store::open_at_version(&path, clock(), n).unwrap();
    assert_eq!(old.version().unwrap(), n);
    drop(old);
    let written = fill(&path, n);
    (path, written)
}

#[test]
fn a_store_of_every_schema_version_opens_with_all_its_data() {
    assert!(schema_version() >= 7, "migrations went missing");
    for n in 1..=schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let (path, written) = store_at(dir.path(), n);
        // The fill reached every table there is at N, with rows of its own.
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            written.keys().cloned().collect::<Vec<_>>(),
            tables(&conn),
            "version {n}"
        );
        for (table, rows) in &written {
            let expected = if table == "device" { 1 } else { 2 };
            assert_eq!(rows.rows.len(), expected, "version {n}: {table}");
        }
        drop(conn);

        let mut store = Store::open_with_clock(&path, clock()).unwrap();
        assert_eq!(store.version().unwrap(), schema_version());
        let problems = differences(store.conn(), &written);
        assert!(problems.is_empty(), "version {n}:\n{}", problems.join("\n"));
        let dangling: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(dangling, 0, "version {n}");

        // The app reads the old rows: the village, and every synced table's live row.
        let village = store.village().unwrap().expect("the village");
        assert_eq!(village.code, VILLAGE);
        assert_eq!(
            village.name,
            format!("village.name 第1行（第{n}版）村安・青石村")
        );
        let live = cunan_core::sync::live_rows(&store).unwrap();
        for table in cunan_core::records::SYNCED_TABLES {
            if written.contains_key(table) {
                let count = live.keys().filter(|(t, _)| t == table).count();
                assert_eq!(count, 1, "version {n}: live rows of {table}");
            }
        }
        let grid = &live[&("grid".to_string(), format!("grid-v{n}-0"))];
        assert_eq!(
            grid["name"],
            format!("grid.name 第1行（第{n}版）村安・青石村")
        );

        // And it works: a save lands in the change log after the old entries, which stay.
        let logged = |s: &Store| -> i64 {
            s.conn()
                .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
                .unwrap()
        };
        let before = logged(&store);
        let saved = store
            .save(&Grid {
                name: "迁移后的新网格".into(),
                ..Grid::default()
            })
            .unwrap();
        assert_eq!(logged(&store), before + 1, "version {n}");
        let unpushed = cunan_core::sync::unpushed(&store, 0, 100).unwrap();
        let last = unpushed.last().expect("the new change");
        assert_eq!(
            (last.table.as_str(), last.row_id.as_str()),
            ("grid", saved.id.as_str())
        );
        assert!(
            last.seq > 2,
            "version {n}: the new change follows the old ones"
        );
        assert_eq!(store.list::<Grid>().unwrap().len(), 2, "version {n}");
    }
}

/// The checks above are real: a value changed, a column dropped or a row deleted after the
/// migrations is reported.
#[test]
fn the_check_notices_data_lost_or_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (path, written) = store_at(dir.path(), 1);
    let store = Store::open_with_clock(&path, clock()).unwrap();
    assert!(differences(store.conn(), &written).is_empty());
    drop(store);
    let damage = [
        "UPDATE resident SET name = '张三' WHERE id = 'resident-v1-0'",
        "UPDATE household SET in_danger_zone = 1 - in_danger_zone",
        "UPDATE kit_item SET quantity = quantity + 1 WHERE id = 'kit_item-v1-1'",
        "UPDATE vulnerable_person SET helper_resident_id = NULL",
        "ALTER TABLE shelter DROP COLUMN keeper_phone",
        "DELETE FROM drill WHERE id = 'drill-v1-1'",
        "DROP TABLE team_member",
        "UPDATE evacuation_event SET level = 'red'",
        "UPDATE change_log SET data = '{}' WHERE seq = 1",
    ];
    for sql in damage {
        let copy = dir.path().join("damaged.sqlite3");
        std::fs::copy(&path, &copy).unwrap();
        let conn = Connection::open(&copy).unwrap();
        conn.execute_batch(sql).unwrap();
        assert!(
            !differences(&conn, &written).is_empty(),
            "{sql} went unnoticed"
        );
    }
}
