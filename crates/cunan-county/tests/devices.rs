//! Devices (issue #12): a device id is its own village's, `county` is reserved, one device can
//! be revoked alone, and a token unused for half a year stops working. The server's clock is
//! moved, never slept on.

mod common;

use common::*;

use std::sync::Arc;

use chrono::Duration;
use cunan_core::clock::{FixedClock, Hlc};
use cunan_core::sync::Change;
use cunan_county::storage::TOKEN_IDLE_DAYS;
use cunan_county::{CountyStorage, DeviceAuth, SqliteStorage, StorageError, TestServer, Via};
use cunan_sync::protocol::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION};
use serde_json::json;

const A: &str = "330599101201";
const B: &str = "330599101202";
/// A device of village A whose id someone in village B has learnt.
const DEVICE: &str = "0190a000-0000-7000-8000-00000000d001";

fn county(path: &std::path::Path) -> (SqliteStorage, Arc<FixedClock>) {
    county_on_clock(path)
}

/// A new grid row of `village`, written by `device` as its change number `seq`.
fn grid(village: &str, device: &str, seq: i64, name: &str) -> Change {
    let hlc = Hlc {
        wall_ms: start().timestamp_millis() - 60_000 + seq,
        counter: 0,
    }
    .to_string();
    let id = format!("0190a000-0000-7000-8000-{:04}{:08}", &village[8..], seq);
    Change {
        seq,
        table: "grid".into(),
        row_id: id.clone(),
        op: "upsert".into(),
        hlc: hlc.clone(),
        device_id: device.into(),
        base_hlc: None,
        village_code: village.into(),
        data: json!({"id": id, "village_code": village, "name": name, "hlc": hlc,
                     "device_id": device, "deleted": false}),
    }
}

fn auth(village: &str) -> DeviceAuth {
    DeviceAuth {
        village_code: village.into(),
        device_id: DEVICE.into(),
    }
}

#[test]
fn the_same_device_id_in_another_village_is_another_device() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, _) = county(&dir.path().join("county.db"));
    let code_a = storage.add_village(A, "青石村").unwrap();
    let code_b = storage.add_village(B, "邻村").unwrap();
    let token_a = storage
        .enroll(&code_a, DEVICE, None)
        .unwrap()
        .unwrap()
        .token;
    let pushed = storage
        .push(
            &auth(A),
            &[grid(A, DEVICE, 1, "一组"), grid(A, DEVICE, 2, "二组")],
            Via::Push,
        )
        .unwrap();
    assert_eq!(pushed.stored, 2);

    // Someone in village B enrols with A's device id: it must not cut A off …
    let token_b = storage
        .enroll(&code_b, DEVICE, None)
        .unwrap()
        .unwrap()
        .token;
    assert_eq!(storage.authenticate(&token_a).unwrap(), Some(auth(A)));
    assert_eq!(storage.authenticate(&token_b).unwrap(), Some(auth(B)));

    // … nor take A's change numbers: B's 1 and 2 are B's own.
    let pushed = storage
        .push(
            &auth(B),
            &[grid(B, DEVICE, 1, "甲组"), grid(B, DEVICE, 2, "乙组")],
            Via::Push,
        )
        .unwrap();
    assert_eq!(
        (pushed.stored, pushed.duplicates, pushed.ack_seq),
        (2, 0, 2)
    );

    // A goes on where it was; its acknowledgements are its own.
    let pushed = storage
        .push(&auth(A), &[grid(A, DEVICE, 3, "三组")], Via::Push)
        .unwrap();
    assert_eq!((pushed.stored, pushed.ack_seq), (1, 3));
    let names = |village: &str| -> Vec<String> {
        let mut names: Vec<String> = storage
            .live_rows(village)
            .unwrap()
            .values()
            .map(|row| row["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(A), ["一组", "三组", "二组"]);
    assert_eq!(names(B), ["乙组", "甲组"]);
    assert_eq!(storage.receipts(A).unwrap(), [(DEVICE.to_string(), 3)]);
    assert_eq!(storage.receipts(B).unwrap(), [(DEVICE.to_string(), 2)]);
}

#[test]
fn the_countys_device_id_is_reserved() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, _) = county(&dir.path().join("county.db"));
    for device in ["county", "County", "COUNTY"] {
        let code = storage.add_village(A, "青石村").unwrap();
        match storage.enroll(&code, device, None) {
            Err(StorageError::Forbidden(message)) => assert!(message.contains("县里"), "{message}"),
            other => panic!("{device}: {other:?}"),
        }
    }
    for device in ["", "a b", "设备", &"x".repeat(65)] {
        let code = storage.add_village(A, "青石村").unwrap();
        assert!(
            matches!(
                storage.enroll(&code, device, None),
                Err(StorageError::Invalid(_))
            ),
            "{device:?}"
        );
    }
    assert!(storage.devices(A).unwrap().is_empty(), "nothing enrolled");

    // And a county publish is never blocked by a device's change numbers.
    let code = storage.add_village(A, "青石村").unwrap();
    storage.enroll(&code, DEVICE, None).unwrap().unwrap();
    storage
        .push(&auth(A), &[grid(A, DEVICE, 1, "一组")], Via::Push)
        .unwrap();
    let published = storage
        .publish(
            "setting",
            &[json!({"id": "0190a000-0000-7000-8000-00000000c501", "key": "report.first_minutes", "value": "30"})],
        )
        .unwrap();
    assert_eq!(published, 1);
}

#[test]
fn one_device_is_revoked_alone_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, _) = county(&dir.path().join("county.db"));
    let lost = storage
        .enroll(&storage.add_village(A, "青石村").unwrap(), DEVICE, None)
        .unwrap()
        .unwrap()
        .token;
    let office = storage
        .enroll(
            &storage.add_village(A, "青石村").unwrap(),
            "office-pc",
            None,
        )
        .unwrap()
        .unwrap()
        .token;
    assert_eq!(storage.revoke_device(A, DEVICE).unwrap(), 1);
    assert_eq!(
        storage.revoke_device(A, DEVICE).unwrap(),
        0,
        "already revoked"
    );
    assert_eq!(storage.revoke_device(B, "office-pc").unwrap(), 0, "not B's");
    assert_eq!(storage.authenticate(&lost).unwrap(), None);
    assert!(storage.authenticate(&office).unwrap().is_some());

    let devices = storage.devices(A).unwrap();
    assert_eq!(devices.len(), 2);
    let lost = devices.iter().find(|d| d.device_id == DEVICE).unwrap();
    assert!(lost.revoked_at.is_some());
    let office = devices.iter().find(|d| d.device_id == "office-pc").unwrap();
    assert_eq!(office.revoked_at, None);
    assert_eq!(office.enrolled_at, start().to_rfc3339());
}

#[test]
fn a_token_unused_for_half_a_year_stops_working_and_use_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let (storage, clock) = county(&dir.path().join("county.db"));
    let idle = Duration::days(i64::from(TOKEN_IDLE_DAYS));
    let code = storage.add_village(A, "青石村").unwrap();
    let token = storage.enroll(&code, DEVICE, None).unwrap().unwrap().token;

    // Used a day before it would lapse, it is good for another half year from then.
    clock.set(start() + idle - Duration::days(1));
    assert!(storage.authenticate(&token).unwrap().is_some());
    clock.set(start() + idle * 2 - Duration::days(2));
    assert!(storage.authenticate(&token).unwrap().is_some());
    assert_eq!(
        storage.devices(A).unwrap()[0].last_used_at,
        (start() + idle * 2 - Duration::days(2)).to_rfc3339()
    );

    // Then left in a drawer for half a year.
    clock.set(start() + idle * 3 - Duration::days(2));
    match storage.authenticate(&token) {
        Err(StorageError::Expired(message)) => assert!(message.contains("180"), "{message}"),
        other => panic!("{other:?}"),
    }

    // Over HTTP: 401 with its own code, so the app can say to enrol again.
    let storage = Arc::new(storage);
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    // Installs the TLS crypto provider reqwest needs, as the village app does.
    cunan_sync::SyncClient::new(&server.url()).unwrap();
    let response = reqwest::blocking::Client::new()
        .get(format!("{}/v1/pull", server.url()))
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: ErrorBody = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
    assert_eq!(body.code, "token_expired");

    // A new code brings the device back.
    let code = storage.add_village(A, "青石村").unwrap();
    let token = storage.enroll(&code, DEVICE, None).unwrap().unwrap().token;
    assert!(storage.authenticate(&token).unwrap().is_some());
}

/// A county database from before device ids were scoped by village (`UNIQUE (device_id, seq)`,
/// no `last_used_at`): opened, it is rebuilt with every change and `server_seq` kept, and then
/// takes the same id in another village.
#[test]
fn an_older_database_is_rebuilt_keyed_by_village() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    let token_a;
    {
        let (storage, _) = county(&path);
        let code = storage.add_village(A, "青石村").unwrap();
        token_a = storage.enroll(&code, DEVICE, None).unwrap().unwrap().token;
        storage
            .push(
                &auth(A),
                &[grid(A, DEVICE, 1, "一组"), grid(A, DEVICE, 2, "二组")],
                Via::Push,
            )
            .unwrap();
    }
    // Make it look like the old shape: the old constraint and no last_used_at.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE change_old (
                server_seq INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL,
                device_id TEXT NOT NULL, seq INTEGER NOT NULL, table_name TEXT NOT NULL,
                row_id TEXT NOT NULL, op TEXT NOT NULL, hlc TEXT NOT NULL, base_hlc TEXT,
                data TEXT NOT NULL, via TEXT NOT NULL, accepted_at TEXT NOT NULL,
                UNIQUE (device_id, seq));
             INSERT INTO change_old SELECT * FROM change;
             DROP TABLE change;
             ALTER TABLE change_old RENAME TO change;
             ALTER TABLE device_token DROP COLUMN last_used_at;",
        )
        .unwrap();
    }
    let before: Vec<(i64, String)> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT server_seq, row_id FROM change ORDER BY server_seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(before.len(), 2);

    let (storage, _) = county(&path);
    let after: Vec<(i64, String)> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'change'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(sql.contains("UNIQUE (scope, device_id, seq)"), "{sql}");
        let mut stmt = conn
            .prepare("SELECT server_seq, row_id FROM change ORDER BY server_seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(after, before, "every change kept at its place");
    assert!(
        storage.authenticate(&token_a).unwrap().is_some(),
        "tokens kept"
    );

    let code_b = storage.add_village(B, "邻村").unwrap();
    storage.enroll(&code_b, DEVICE, None).unwrap().unwrap();
    let pushed = storage
        .push(&auth(B), &[grid(B, DEVICE, 1, "甲组")], Via::Push)
        .unwrap();
    assert_eq!(pushed.stored, 1);
    // New changes go after the old ones: a village's pull cursor never goes back.
    let top: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT max(server_seq) FROM change", [], |r| r.get(0))
        .unwrap();
    assert!(top > before.last().unwrap().0);
}
