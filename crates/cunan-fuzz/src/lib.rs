//! Test-only: what the fuzz campaigns share. The campaigns themselves are the `fuzz` tests of
//! `cunan-sync` (protocol types, the client against a lying server, USB bundles),
//! `cunan-county` (the server's request decoding) and `cunan-excel` (roster import); they run on
//! stable Rust with proptest, like any other test.
//!
//! - [`config`]: how many cases a campaign runs ([`CASES_VAR`], for a long run).
//! - [`Mutation`], [`mutations`], [`apply`]: damage done to a valid input (truncation, bit flips,
//!   bytes set, cut, inserted or repeated), kept as a list so that a failure prints, and a
//!   regression test replays, the few steps that broke the input rather than the whole file.
//! - [`json_value`], [`text`]: arbitrary JSON and strings, Chinese and odd Unicode included.
//! - [`ChangePlan`], [`change_plan`]: sync changes taken from a real store, some kept, some
//!   altered field by field (the parts a replica relies on, or the row's data).
//! - [`snapshot`], [`copy_store`]: every row of an SQLite file, to show that a refused input
//!   changed nothing; a fresh copy of a prepared store for each case.

use std::collections::BTreeMap;
use std::path::Path;

use cunan_core::sync::Change;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

/// The environment variable that sets the number of cases of every campaign, e.g.
/// `CUNAN_FUZZ_CASES=100000 cargo test --release -p cunan-sync --test fuzz`.
pub const CASES_VAR: &str = "CUNAN_FUZZ_CASES";

/// The cases a campaign runs: [`CASES_VAR`] if set, else `default_cases` (small, so that the
/// campaign is an ordinary test in CI). Failures are not written to files: a failure found is
/// kept as a named regression test next to the campaign.
pub fn config(default_cases: u32) -> Config {
    let cases = std::env::var(CASES_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// One change made to a byte string. Positions are taken modulo the length at the time the
/// step is applied, so every list of steps applies to every input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    /// Keep only the bytes before the position (a copy cut short).
    Truncate(usize),
    /// Flip one bit (0–7) of the byte at the position.
    FlipBit(usize, u8),
    SetByte(usize, u8),
    /// Remove up to `len` bytes from the position.
    Delete(usize, usize),
    /// Insert bytes at the position.
    Insert(usize, Vec<u8>),
    /// Copy up to `len` bytes from the first position to the second (a spliced file).
    Repeat(usize, usize, usize),
}

/// Tokens that mean something to a JSON reader, inserted by [`mutations`].
pub const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "-0.0",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"村\"",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":",
    "\"id\":",
    "\"changes\":",
];

/// Tokens that mean something to an XML reader (a workbook's sheets are XML).
pub const XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</c>",
    "</row>",
    "<row r=\"1048577\">",
    "<c r=\"XFD1\">",
    "<c r=\"A0\">",
    "<c r=\"\">",
    "<v>",
    "</v>",
    "<v>1e308</v>",
    "<v>-1</v>",
    "<v>NaN</v>",
    "t=\"s\"",
    "t=\"d\"",
    "t=\"inlineStr\"",
    "t=\"b\"",
    "t=\"e\"",
    "<is><t>",
    "</t></is>",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&unknown;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "\"",
    "'",
    "=",
    "r=\"",
    "s=\"999999\"",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<dimension ref=\"A1:XFD1048576\"/>",
];

/// One to four steps of damage, with insertions drawn from `tokens` or arbitrary bytes.
pub fn mutations(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<Mutation>> {
    let insert = prop_oneof![
        proptest::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec()),
        vec(any::<u8>(), 1..16),
    ];
    let step = prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit(at, bit)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::SetByte(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), insert).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..256, any::<usize>())
            .prop_map(|(from, len, to)| Mutation::Repeat(from, len, to)),
    ];
    vec(step, 1..5)
}

/// `bytes` with `mutations` applied in order.
pub fn apply(bytes: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for m in mutations {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % len };
        match m {
            Mutation::Truncate(p) => out.truncate(at(*p, out.len() + 1)),
            Mutation::FlipBit(p, bit) if !out.is_empty() => {
                let i = at(*p, out.len());
                out[i] ^= 1 << (bit % 8);
            }
            Mutation::SetByte(p, b) if !out.is_empty() => {
                let i = at(*p, out.len());
                out[i] = *b;
            }
            Mutation::Delete(p, len) if !out.is_empty() => {
                let i = at(*p, out.len());
                let end = (i + len).min(out.len());
                out.drain(i..end);
            }
            Mutation::Insert(p, inserted) => {
                let i = at(*p, out.len() + 1);
                out.splice(i..i, inserted.iter().copied());
            }
            Mutation::Repeat(from, len, to) if !out.is_empty() => {
                let i = at(*from, out.len());
                let piece = out[i..(i + len).min(out.len())].to_vec();
                let j = at(*to, out.len() + 1);
                out.splice(j..j, piece);
            }
            _ => {}
        }
    }
    out
}

/// Strings a person, a spreadsheet or a broken program might put in a field.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9_-]{1,12}",
        "[一-龥]{1,8}",
        "[０-９Ａ-Ｚ　 ]{1,12}",
        any::<String>(),
        "[\\x00-\\x1f\\u{7f}\\u{200b}\\u{feff}\\u{d7ff}\\u{10ffff}]{1,4}",
        (1usize..2000).prop_map(|n| "长".repeat(n)),
    ]
}

/// Any JSON value, nested a few levels, with extreme numbers and [`text`] strings.
pub fn json_value() -> impl Strategy<Value = Value> {
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        Just(Value::from(0)),
        Just(Value::from(-1)),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number,
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(text(), inner, 0..6)
                .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An `hlc` as a replica reads it: mostly well formed (past, present, far future), sometimes not.
pub fn hlc() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..10_000_000_000_000, 0u32..1_000_000).prop_map(|(w, c)| format!("{w:013}-{c:06}")),
        Just("9999999999999-999999".to_string()),
        Just("0000000000000-000000".to_string()),
        Just("000000000-4294967295".to_string()),
        Just("+000000000001-000001".to_string()),
        text(),
    ]
}

/// One field-level change to a [`Change`].
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeTweak {
    Seq(i64),
    /// A synced table's name (by index into `cunan_core::records::SYNCED_TABLES`) or any text.
    Table(Result<usize, String>),
    RowId(String),
    Op(String),
    Hlc(String),
    BaseHlc(Option<String>),
    DeviceId(String),
    /// One of the plan's village codes (by index) or any text.
    VillageCode(Result<usize, String>),
    /// The village code inside `data` too, as a consistent change would carry it.
    VillageCodeBoth(usize),
    /// Sets the `n`-th existing field of `data` (modulo) to a value.
    SetField(usize, Value),
    /// Adds (or replaces) a field by name.
    AddField(String, Value),
    RemoveField(usize),
    /// Replaces the whole `data`.
    Data(Value),
}

/// Which of a list of template changes to send, in order, and what to alter in them.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePlan {
    /// Indices into the template, in the order they are sent (repeats allowed).
    pub keep: Vec<usize>,
    /// (index into `keep`, modulo; tweak).
    pub tweaks: Vec<(usize, ChangeTweak)>,
}

/// A plan over a template of `len` changes: a run of them (or a few picked, or repeated), and
/// up to `max_tweaks` alterations (see [`ChangeTweak`]).
pub fn change_plan(len: usize, max_tweaks: usize) -> impl Strategy<Value = ChangePlan> {
    let len = len.max(1);
    // Mostly the template's first changes (parents before children, as a real page has them).
    let keep = prop_oneof![
        3 => (0..=len).prop_map(|n| (0..n).collect::<Vec<_>>()),
        1 => (0..len, 0..len).prop_map(|(a, b)| (a.min(b)..=a.max(b)).collect::<Vec<_>>()),
        1 => vec(0..len, 0..8),
    ];
    let field_name = prop_oneof![
        proptest::sample::select(
            &[
                "id",
                "village_code",
                "hlc",
                "device_id",
                "deleted",
                "name",
                "household_id",
                "grid_id",
                "head_name",
                "id_number",
                "phone",
                "quantity",
                "hazard_kinds",
                "owner",
                "key",
                "value",
                "capacity",
                "date",
                "resident_id",
                "event_id",
                "status",
            ][..]
        )
        .prop_map(str::to_string),
        text(),
    ];
    let tweak = prop_oneof![
        any::<i64>().prop_map(ChangeTweak::Seq),
        prop_oneof![
            (0..cunan_core::records::SYNCED_TABLES.len()).prop_map(Ok),
            text().prop_map(Err)
        ]
        .prop_map(ChangeTweak::Table),
        text().prop_map(ChangeTweak::RowId),
        prop_oneof![
            Just("upsert".to_string()),
            Just("delete".to_string()),
            text()
        ]
        .prop_map(ChangeTweak::Op),
        hlc().prop_map(ChangeTweak::Hlc),
        proptest::option::of(hlc()).prop_map(ChangeTweak::BaseHlc),
        text().prop_map(ChangeTweak::DeviceId),
        prop_oneof![(0usize..8).prop_map(Ok), text().prop_map(Err)]
            .prop_map(ChangeTweak::VillageCode),
        (0usize..8).prop_map(ChangeTweak::VillageCodeBoth),
        (any::<usize>(), json_value()).prop_map(|(i, v)| ChangeTweak::SetField(i, v)),
        (field_name, json_value()).prop_map(|(k, v)| ChangeTweak::AddField(k, v)),
        any::<usize>().prop_map(ChangeTweak::RemoveField),
        json_value().prop_map(ChangeTweak::Data),
    ];
    let tweaks = prop_oneof![
        1 => Just(Vec::new()),
        2 => vec((any::<usize>(), tweak), 1..=max_tweaks.max(1)),
    ];
    (keep, tweaks).prop_map(|(keep, tweaks)| ChangePlan { keep, tweaks })
}

impl ChangePlan {
    /// The changes this plan sends: the kept template changes, altered. `codes` are the village
    /// codes a [`ChangeTweak::VillageCode`] index picks from (modulo).
    pub fn changes(&self, template: &[Change], codes: &[&str]) -> Vec<Change> {
        if template.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Change> = self
            .keep
            .iter()
            .map(|&i| template[i % template.len()].clone())
            .collect();
        if out.is_empty() {
            return out;
        }
        let code = |i: usize| {
            codes
                .get(i % codes.len().max(1))
                .map_or("", |c| *c)
                .to_string()
        };
        let len = out.len();
        for (at, tweak) in &self.tweaks {
            let change = &mut out[at % len];
            match tweak {
                ChangeTweak::Seq(seq) => change.seq = *seq,
                ChangeTweak::Table(Ok(i)) => {
                    let tables = cunan_core::records::SYNCED_TABLES;
                    change.table = tables[i % tables.len()].to_string();
                }
                ChangeTweak::Table(Err(t)) => change.table = t.clone(),
                ChangeTweak::RowId(id) => change.row_id = id.clone(),
                ChangeTweak::Op(op) => change.op = op.clone(),
                ChangeTweak::Hlc(h) => change.hlc = h.clone(),
                ChangeTweak::BaseHlc(h) => change.base_hlc = h.clone(),
                ChangeTweak::DeviceId(d) => change.device_id = d.clone(),
                ChangeTweak::VillageCode(Ok(i)) => change.village_code = code(*i),
                ChangeTweak::VillageCode(Err(c)) => change.village_code = c.clone(),
                ChangeTweak::VillageCodeBoth(i) => {
                    change.village_code = code(*i);
                    if let Some(data) = change.data.as_object_mut() {
                        data.insert("village_code".into(), Value::from(code(*i)));
                    }
                }
                ChangeTweak::SetField(i, v) => {
                    if let Some(data) = change.data.as_object_mut() {
                        if let Some(key) = data.keys().nth(i % data.len().max(1)).cloned() {
                            data.insert(key, v.clone());
                        }
                    }
                }
                ChangeTweak::AddField(k, v) => {
                    if let Some(data) = change.data.as_object_mut() {
                        data.insert(k.clone(), v.clone());
                    }
                }
                ChangeTweak::RemoveField(i) => {
                    if let Some(data) = change.data.as_object_mut() {
                        if let Some(key) = data.keys().nth(i % data.len().max(1)).cloned() {
                            data.remove(&key);
                        }
                    }
                }
                ChangeTweak::Data(v) => change.data = v.clone(),
            }
        }
        out
    }
}

/// Every row of every table of an SQLite database, as text, by table name; the columns named in
/// `ignore` as `(table, column)` left out (bookkeeping a refused input may legitimately touch),
/// and a whole table with `(table, "*")` (an audit trail that records refused attempts).
pub type Snapshot = BTreeMap<String, Vec<Vec<String>>>;

pub fn snapshot(conn: &rusqlite::Connection, ignore: &[(&str, &str)]) -> Snapshot {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("list tables");
    let mut out = Snapshot::new();
    for table in tables {
        if ignore.contains(&(table.as_str(), "*")) {
            continue;
        }
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .or_else(|_| conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1")))
            .expect("read table");
        let keep: Vec<usize> = (0..stmt.column_count())
            .filter(|&i| {
                let name = stmt.column_name(i).unwrap_or_default();
                !ignore.contains(&(table.as_str(), name))
            })
            .collect();
        let rows = stmt
            .query_map([], |r| {
                keep.iter()
                    .map(|&i| Ok(sql_text(r.get_ref(i)?)))
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .expect("read rows");
        out.insert(table, rows);
    }
    out
}

fn sql_text(value: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => format!("{x:?}"),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("blob {b:?}"),
    }
}

/// Copies the SQLite file `from` (closed, or with its `-wal` beside it) to `to`.
pub fn copy_store(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy store");
    for suffix in ["-wal", "-shm"] {
        let side = |p: &Path| {
            let mut name = p.as_os_str().to_owned();
            name.push(suffix);
            std::path::PathBuf::from(name)
        };
        if side(from).exists() {
            std::fs::copy(side(from), side(to)).expect("copy store journal");
        }
    }
}

/// A small demo village (3 households) at `path`, the campaigns' realistic starting data.
pub fn demo_store(path: &Path, seed: u64) -> cunan_core::Store {
    let options = cunan_core::demo::DemoOptions {
        households: 3,
        seed,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default(),
    };
    cunan_core::demo::create(path, options)
        .expect("the demo village")
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_apply_to_any_input_including_an_empty_one() {
        let steps = [
            Mutation::Truncate(7),
            Mutation::FlipBit(3, 9),
            Mutation::SetByte(100, b'x'),
            Mutation::Delete(1, 2),
            Mutation::Insert(1000, b"ab".to_vec()),
            Mutation::Repeat(0, 3, 1),
        ];
        assert_eq!(apply(b"", &steps), b"aabb".to_vec());
        assert_eq!(
            apply(b"0123456789", &[Mutation::Truncate(3)]),
            b"012".to_vec()
        );
        assert_eq!(apply(b"0123", &[Mutation::FlipBit(1, 0)]), b"0023".to_vec());
        assert_eq!(
            apply(b"0123", &[Mutation::Repeat(1, 2, 0)]),
            b"120123".to_vec()
        );
    }
}
