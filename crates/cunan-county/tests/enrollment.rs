//! Enrollment codes (issue #12): they expire, a new code for a village replaces its unused older
//! ones, they are stored keyed with a secret of the server's, and a database from before all
//! this is upgraded in place. The server's clock is moved, never slept on.

mod common;

use common::*;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use cunan_core::clock::FixedClock;
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use cunan_sync::protocol::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION};
use sha2::{Digest, Sha256};

const VILLAGE: &str = "330599101201";

fn county(path: &std::path::Path) -> (SqliteStorage, Arc<FixedClock>) {
    county_on_clock(path)
}

fn enrolls(storage: &SqliteStorage, code: &str, device: &str) -> bool {
    storage.enroll(code, device, None).unwrap().is_some()
}

#[test]
fn a_code_works_for_seven_days_then_never_again() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, clock) = county(&dir.path().join("county.db"));
    let early = storage.add_village(VILLAGE, "青石村").unwrap();
    let late = storage.add_village("330599101202", "邻村").unwrap();

    clock.set(start() + Duration::days(7) - Duration::minutes(1));
    assert!(enrolls(&storage, &early, "device-a"), "valid until 7 days");

    clock.set(start() + Duration::days(7));
    assert!(
        !enrolls(&storage, &late, "device-b"),
        "expired after 7 days"
    );
    clock.set(start() + Duration::days(30));
    assert!(!enrolls(&storage, &late, "device-b"), "and stays expired");
}

#[test]
fn expires_days_sets_how_long_a_code_works() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, clock) = county(&dir.path().join("county.db"));
    let one_day = storage
        .add_village_with_expiry(VILLAGE, "青石村", 1)
        .unwrap();
    clock.set(start() + Duration::days(1) + Duration::seconds(1));
    assert!(!enrolls(&storage, &one_day, "device-a"));

    let thirty = storage
        .add_village_with_expiry(VILLAGE, "青石村", 30)
        .unwrap();
    clock.set(start() + Duration::days(30));
    assert!(enrolls(&storage, &thirty, "device-a"));

    for days in [0, 91] {
        assert!(matches!(
            storage.add_village_with_expiry(VILLAGE, "青石村", days),
            Err(cunan_county::StorageError::Invalid(_))
        ));
    }
}

#[test]
fn a_new_code_revokes_the_villages_unused_older_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, _clock) = county(&dir.path().join("county.db"));
    let first = storage.add_village(VILLAGE, "青石村").unwrap();
    let other_village = storage.add_village("330599101202", "邻村").unwrap();
    let second = storage.add_village(VILLAGE, "青石村").unwrap();
    let third = storage.add_village(VILLAGE, "青石村").unwrap();

    assert!(!enrolls(&storage, &first, "device-a"), "replaced by second");
    assert!(!enrolls(&storage, &second, "device-a"), "replaced by third");
    assert!(enrolls(&storage, &third, "device-a"));
    assert!(
        enrolls(&storage, &other_village, "device-b"),
        "another village's code is left alone"
    );
}

#[test]
fn codes_are_stored_keyed_with_a_secret_of_this_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    let (storage, _clock) = county(&path);
    let code = storage.add_village(VILLAGE, "青石村").unwrap();
    drop(storage);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let stored: String = conn
        .query_row("SELECT code_hash FROM enrollment_code", [], |r| r.get(0))
        .unwrap();
    let plain: String = code.chars().filter(|c| *c != '-').collect();
    assert_eq!(stored.len(), 64);
    assert_ne!(stored, hex::encode(Sha256::digest(plain.as_bytes())));
    assert_ne!(stored, hex::encode(Sha256::digest(code.as_bytes())));
    let key: String = conn
        .query_row("SELECT enrollment_key FROM server_secret", [], |r| r.get(0))
        .unwrap();
    assert_eq!(key.len(), 64, "32 random bytes");
    drop(conn);

    // The same code on another server's database (another secret) hashes differently, and the
    // secret survives reopening.
    let (reopened, _clock) = county(&path);
    let (other, _clock) = county(&dir.path().join("other.db"));
    other.add_village(VILLAGE, "青石村").unwrap();
    let other_key: String = rusqlite::Connection::open(dir.path().join("other.db"))
        .unwrap()
        .query_row("SELECT enrollment_key FROM server_secret", [], |r| r.get(0))
        .unwrap();
    assert_ne!(key, other_key);
    assert!(enrolls(&reopened, &code, "device-a"));
}

/// The county database as versions before issue #12 made it (only what enrollment touches).
const OLD_SCHEMA: &str = "
CREATE TABLE village (code TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE enrollment_code (
    code_hash    TEXT PRIMARY KEY,
    village_code TEXT NOT NULL REFERENCES village (code),
    created_at   TEXT NOT NULL,
    used_at      TEXT
);
CREATE TABLE server_identity (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_id TEXT NOT NULL
);
INSERT INTO server_identity VALUES (1, 'old-server');
INSERT INTO village VALUES ('330599101201', '青石村', '2026-05-30T08:00:00+00:00');
";

#[test]
fn an_older_database_is_upgraded_and_its_codes_must_be_issued_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let old_hash = hex::encode(Sha256::digest(b"ABCDEFGHJKLM"));
        conn.execute_batch(OLD_SCHEMA).unwrap();
        // ABCD-EFGH-JKLM, hashed the old way (unkeyed), issued two days before the test's now.
        conn.execute(
            "INSERT INTO enrollment_code VALUES (?1, '330599101201', '2026-05-30T08:00:00+00:00', NULL)",
            [old_hash],
        )
        .unwrap();
    }
    // Opened twice: the upgrade runs once and is harmless the second time.
    drop(county(&path));
    let (storage, _clock) = county(&path);
    assert_eq!(storage.server_id().unwrap(), "old-server");

    let conn = rusqlite::Connection::open(&path).unwrap();
    let expires: String = conn
        .query_row("SELECT expires_at FROM enrollment_code", [], |r| r.get(0))
        .unwrap();
    let expires: DateTime<Utc> = DateTime::parse_from_rfc3339(&expires).unwrap().into();
    assert_eq!(
        expires,
        "2026-06-06T08:00:00Z".parse::<DateTime<Utc>>().unwrap(),
        "7 days after it was issued"
    );
    drop(conn);

    // The old unkeyed hash no longer matches: the code must be issued again.
    assert!(!enrolls(&storage, "ABCD-EFGH-JKLM", "device-a"));
    let again = storage.add_village(VILLAGE, "青石村").unwrap();
    assert!(enrolls(&storage, &again, "device-a"));
}

#[test]
fn an_expired_or_replaced_code_gets_the_same_clear_answer_as_an_unknown_one() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, clock) = county(&dir.path().join("county.db"));
    let storage = Arc::new(storage);
    let replaced = storage.add_village("330599101202", "邻村").unwrap();
    storage.add_village("330599101202", "邻村").unwrap();
    let expiring = storage.add_village(VILLAGE, "青石村").unwrap();
    clock.set(start() + Duration::days(8));
    let server = TestServer::start_with(storage, 0).unwrap();
    // Installs the TLS crypto provider reqwest needs, as the village app does.
    cunan_sync::SyncClient::new(&server.url()).unwrap();
    let http = reqwest::blocking::Client::new();
    let answer = |code: &str| {
        let response = http
            .post(format!("{}/v1/enroll", server.url()))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header("content-type", "application/json")
            .body(serde_json::json!({ "code": code, "device_id": "device-a" }).to_string())
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let body: ErrorBody = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
        (status, body.code, body.message)
    };
    let unknown = answer("ZZZZ-ZZZZ-ZZZZ");
    assert_eq!(unknown.0, 403);
    assert_eq!(unknown.1, "bad_enrollment_code");
    assert!(unknown.2.contains("已过期"), "{}", unknown.2);
    assert!(unknown.2.contains("领取新的登记码"), "{}", unknown.2);
    assert_eq!(answer(&expiring), unknown);
    assert_eq!(answer(&replaced), unknown);
}
