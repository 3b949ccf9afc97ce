//! Helpers shared by the Excel tests: a store holding a village, valid ID numbers, reading a
//! workbook back with calamine.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use chrono::{TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::validate::resident_id_check_char;
use cunan_core::{HazardKind, Store, Village};

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ))
}

/// A new store at `path` holding only the village 青石村.
pub fn village_store(path: &Path) -> Store {
    let mut store = Store::open_with_clock(path, clock()).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            township: "溪口镇".into(),
            county: "临溪县".into(),
            comms_guaranteed: true,
            hazard_kinds: vec![HazardKind::Flood],
            ..Village::default()
        })
        .unwrap();
    store
}

/// A valid 18-digit ID number for this birth date (YYYYMMDD) and sequence (3 digits).
pub fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("330599{birth}{seq:03}");
    format!("{first17}{}", resident_id_check_char(&first17).unwrap())
}

/// The same ID with a wrong check character.
pub fn bad_check_digit(id: &str) -> String {
    let last = id.chars().last().unwrap();
    let wrong = if last == '1' { '2' } else { '1' };
    format!("{}{wrong}", &id[..17])
}

/// Full-width digits and letters.
pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect()
}

pub fn stats(store: &Store) -> BTreeMap<String, i64> {
    store.stats().unwrap()
}

/// Every sheet of a workbook as rows of text (numbers without ".0", dates as YYYY-MM-DD).
pub fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook");
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|row| row.iter().map(text).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(x) if x.fract() == 0.0 => format!("{}", *x as i64),
        Data::Float(x) => format!("{x}"),
        Data::Int(n) => n.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        other => other.to_string(),
    }
}
