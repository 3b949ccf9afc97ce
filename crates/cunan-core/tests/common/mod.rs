//! Helpers shared by the core's tests.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use cunan_core::clock::FixedClock;
use cunan_core::{Store, Village};

/// A temp-file store of 青石村 (330599101201) whose clock stands at `at` (UTC: y, m, d, hour).
pub fn village_store(at: (i32, u32, u32, u32)) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let (y, m, d, h) = at;
    let clock = Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap(),
    ));
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock).unwrap();
    store
        .save(&Village {
            code: "330599101201".into(),
            name: "青石村".into(),
            ..Village::default()
        })
        .unwrap();
    (dir, store)
}
