//! The real `cunan` binary against a real county server on loopback: enroll, sync, bundle.

mod common;

use std::sync::Arc;

use common::{cunan, ok};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};

fn live_rows_on_server(storage: &SqliteStorage, village: &str) -> usize {
    storage.live_rows(village).unwrap().len()
}

#[test]
fn enroll_sync_and_a_usb_bundle_reach_the_county_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "30"]));
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&cunan(&db, &["stats", "--json"]))).unwrap();
    let local_rows: i64 = stats
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();

    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.sqlite3")).unwrap());
    let code = storage.add_village("330599101201", "青石村").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();

    // A wrong enrollment code: a clear error, nothing enrolled.
    let out = cunan(
        &db,
        &["enroll", "--server", &server.url(), "--code", "WRONG-CODE"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("错误["));

    let said = ok(&cunan(
        &db,
        &["enroll", "--server", &server.url(), "--code", &code],
    ));
    assert!(said.contains("青石村"), "{said}");
    ok(&cunan(&db, &["sync"]));
    assert_eq!(
        live_rows_on_server(&storage, "330599101201") as i64,
        local_rows
    );

    // A bundle of everything, imported after the online sync, changes nothing.
    let bundle = dir.path().join("village.cunan");
    ok(&cunan(
        &db,
        &[
            "bundle",
            "export",
            "--all",
            "--out",
            bundle.to_str().unwrap(),
        ],
    ));
    let before = storage.live_rows("330599101201").unwrap();
    cunan_county::import_bundle(storage.as_ref(), &std::fs::read(&bundle).unwrap()).unwrap();
    assert_eq!(storage.live_rows("330599101201").unwrap(), before);

    // A truncated bundle is refused whole.
    let bytes = std::fs::read(&bundle).unwrap();
    assert!(cunan_county::import_bundle(storage.as_ref(), &bytes[..bytes.len() / 2]).is_err());
}
