//! Helpers shared by the county server's tests: stores, a village on the server, comparisons.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::Store;
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use serde_json::Value;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

/// A demo village store with `households` households.
pub fn demo_store(path: &Path, households: usize, seed: u64) -> Store {
    demo::create(
        path,
        DemoOptions {
            households,
            seed,
            today: today(),
        },
    )
    .unwrap()
    .0
}

/// A demo village store moved to another village: its 区划代码 (everywhere, change log too) and,
/// if given, its township. (The demo villages share one code.)
pub fn demo_village_as(
    path: &Path,
    households: usize,
    seed: u64,
    code: &str,
    township: Option<&str>,
) -> Store {
    let store = demo_store(path, households, seed);
    let conn = store.conn();
    conn.execute("UPDATE village SET code = ?1", [code])
        .unwrap();
    conn.execute(
        "UPDATE change_log SET data = json_set(data, '$.code', ?1) WHERE table_name = 'village'",
        [code],
    )
    .unwrap();
    if let Some(township) = township {
        conn.execute("UPDATE village SET township = ?1", [township])
            .unwrap();
        conn.execute(
            "UPDATE change_log SET data = json_set(data, '$.township', ?1) WHERE table_name = 'village'",
            [township],
        )
        .unwrap();
    }
    for table in cunan_core::records::SYNCED_TABLES {
        conn.execute(&format!("UPDATE {table} SET village_code = ?1"), [code])
            .unwrap();
    }
    conn.execute(
        "UPDATE change_log SET data = json_set(data, '$.village_code', ?1)",
        [code],
    )
    .unwrap();
    store
}

/// A county server's clock shared with the test that moves it (tests of expiry and lapses).
pub struct SharedClock(pub Arc<cunan_core::clock::FixedClock>);

impl cunan_core::clock::Clock for SharedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
}

/// The instant the clocked tests start at.
pub fn start() -> chrono::DateTime<chrono::Utc> {
    "2026-06-01T08:00:00Z".parse().unwrap()
}

/// A county store on a clock the test moves, starting at [`start`].
pub fn county_on_clock(path: &Path) -> (SqliteStorage, Arc<cunan_core::clock::FixedClock>) {
    let clock = Arc::new(cunan_core::clock::FixedClock::at(start()));
    let storage =
        SqliteStorage::open_with_clock(path, Box::new(SharedClock(clock.clone()))).unwrap();
    (storage, clock)
}

pub struct County {
    pub storage: Arc<SqliteStorage>,
    pub server: TestServer,
}

impl County {
    pub fn start(path: &Path) -> County {
        let storage = Arc::new(SqliteStorage::open(path).unwrap());
        let server = TestServer::start_with(storage.clone(), 0).unwrap();
        County { storage, server }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The server's live rows for a village plus the county-owned rows: what a device should hold.
    pub fn expected_rows(&self, village: &str) -> BTreeMap<(String, String), Value> {
        let mut rows = self.storage.live_rows(village).unwrap();
        rows.extend(self.storage.live_rows("county").unwrap());
        rows
    }
}

pub fn village_code(store: &Store) -> String {
    store.village().unwrap().unwrap().code
}

/// Live rows of a device, with the sync columns the server keeps inside `data` too.
pub fn device_rows(store: &Store) -> BTreeMap<(String, String), Value> {
    cunan_core::sync::live_rows(store).unwrap()
}

/// Asserts two replicas hold the same live rows, naming the first difference.
pub fn assert_same_rows(
    left: &BTreeMap<(String, String), Value>,
    right: &BTreeMap<(String, String), Value>,
    what: &str,
) {
    if left == right {
        return;
    }
    for (key, value) in left {
        match right.get(key) {
            None => panic!(
                "{what}: {key:?} only on the left ({} vs {})",
                left.len(),
                right.len()
            ),
            Some(other) if other != value => {
                panic!("{what}: {key:?} differs:\n{value}\n{other}")
            }
            _ => {}
        }
    }
    for key in right.keys() {
        if !left.contains_key(key) {
            panic!(
                "{what}: {key:?} only on the right ({} vs {})",
                left.len(),
                right.len()
            );
        }
    }
}

/// A county duty line as the county publishes it (a county-owned contact row).
pub fn county_contact(note: &str) -> Value {
    serde_json::json!({
        "id": "0190a000-0000-7000-8000-0000000000c1", "name": "县防指值班室",
        "organization": "县防汛防台抗旱指挥部", "role": "值班", "level": "county",
        "phone": "0572-2220000", "phone_backup": "", "is_duty_line": true,
        "backup_of": null, "note": note
    })
}

/// The county's USB bundle for a village, encoded as written to the stick.
pub fn county_reply(county: &County, village: &str) -> Vec<u8> {
    let body =
        cunan_county::county_bundle(county.storage.as_ref(), village, "2026-06-15T10:00:00Z")
            .unwrap();
    cunan_county::encode_county_bundle(county.storage.as_ref(), &body).unwrap()
}

/// A client of the county's server, with `store` enrolled through a new code and synced once.
pub fn enrolled_and_synced(county: &County, store: &mut Store) -> cunan_sync::SyncClient {
    let code = county
        .storage
        .add_village(&village_code(store), "演示村")
        .unwrap();
    let client = cunan_sync::SyncClient::new(&county.url()).unwrap();
    client.enroll(store, &code).unwrap();
    client.sync_once(store, &mut |_| {}).unwrap();
    client
}
