//! The real `cunan` binary against a real county server on loopback: enroll, sync, bundle.

mod common;

use std::sync::Arc;

use common::{cunan, ok};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};

fn live_rows_on_server(storage: &SqliteStorage, village: &str) -> usize {
    storage.live_rows(village).unwrap().len()
}

/// A 10-household demo village in `dir`, enrolled through the CLI with a county server on
/// loopback: the store file, the county's storage and its server.
fn enrolled_demo(dir: &std::path::Path) -> (std::path::PathBuf, Arc<SqliteStorage>, TestServer) {
    let db = dir.join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "10"]));
    let storage = Arc::new(SqliteStorage::open(&dir.join("county.sqlite3")).unwrap());
    let code = storage.add_village("330599101201", "青石村").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    ok(&cunan(
        &db,
        &["enroll", "--server", &server.url(), "--code", &code],
    ));
    (db, storage, server)
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
    // (Enrolled online, the device's key is the county's already: no code needed.)
    let report =
        cunan_county::import_bundle(storage.as_ref(), &std::fs::read(&bundle).unwrap(), "测试")
            .unwrap();
    assert!(!report.enrolled);
    assert_eq!(storage.live_rows("330599101201").unwrap(), before);

    // A truncated bundle is refused whole.
    let bytes = std::fs::read(&bundle).unwrap();
    assert!(
        cunan_county::import_bundle(storage.as_ref(), &bytes[..bytes.len() / 2], "测试").is_err()
    );
}

/// `sync --server` with another address of the same county server works; an address that answers
/// as another county's server is refused before anything is sent; `bundle import` reads the
/// county's USB reply and its receipt.
#[test]
fn another_address_another_server_and_the_county_usb_reply() {
    let dir = tempfile::tempdir().unwrap();
    let (db, storage, server) = enrolled_demo(dir.path());
    let stranger = TestServer::start_with(
        Arc::new(SqliteStorage::open(&dir.path().join("x.db")).unwrap()),
        0,
    )
    .unwrap();

    let out = cunan(&db, &["sync", "--server", &stranger.url()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[sync_wrong_server]") && err.contains("另一台县级服务器"),
        "{err}"
    );
    assert_eq!(live_rows_on_server(&storage, "330599101201"), 0);

    let by_name = format!("http://localhost:{}", server.addr.port());
    let said = ok(&cunan(&db, &["sync", "--server", &by_name]));
    assert!(said.contains("同步完成"), "{said}");
    assert!(live_rows_on_server(&storage, "330599101201") > 0);

    // A village with no network at all: its bundle goes by USB, the county's reply comes back.
    // (Another county: the demo villages share one 区划代码.)
    let storage = SqliteStorage::open(&dir.path().join("usb-county.sqlite3")).unwrap();
    let offline = dir.path().join("offline.sqlite3");
    ok(&cunan(
        &offline,
        &["demo", "--households", "5", "--seed", "9"],
    ));
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&cunan(&offline, &["stats", "--json"]))).unwrap();
    let village = cunan_core::Store::open(&offline).unwrap();
    let village_code = village.village().unwrap().unwrap().code;
    drop(village);
    let code = storage.add_village(&village_code, "演示村").unwrap();
    let out = dir.path().join("out.cunan");
    // Never enrolled: the county would not know the bundle's writer, so the code is asked for.
    let refused = cunan(
        &offline,
        &["bundle", "export", "--out", out.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("登记码"), "{err}");
    assert!(!out.exists());
    ok(&cunan(
        &offline,
        &[
            "bundle",
            "export",
            "--out",
            out.to_str().unwrap(),
            "--code",
            &code,
        ],
    ));
    let report =
        cunan_county::import_bundle(&storage, &std::fs::read(&out).unwrap(), "测试").unwrap();
    assert!(
        report.enrolled,
        "the code in the bundle enrolled the device"
    );
    let reply =
        cunan_county::county_bundle(&storage, &village_code, "2026-06-15T10:00:00Z").unwrap();
    let reply_file = dir.path().join("县里发回.cunan");
    let reply = cunan_county::encode_county_bundle(&storage, &reply).unwrap();
    std::fs::write(&reply_file, reply).unwrap();
    let said = ok(&cunan(
        &offline,
        &["bundle", "import", reply_file.to_str().unwrap()],
    ));
    assert!(said.contains("还有 0 条等待上传"), "{said}");
    let after: serde_json::Value =
        serde_json::from_str(&ok(&cunan(&offline, &["stats", "--json"]))).unwrap();
    assert_eq!(after, stats, "the village's own rows come back unchanged");
    // Its own bundle offered back to it is refused.
    let wrong = cunan(&offline, &["bundle", "import", out.to_str().unwrap()]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("[bundle_not_for_village]"));
    // The reply said the county holds this device's key: later bundles need no code.
    let again = dir.path().join("again.cunan");
    ok(&cunan(
        &offline,
        &[
            "bundle",
            "export",
            "--all",
            "--out",
            again.to_str().unwrap(),
        ],
    ));
    let report =
        cunan_county::import_bundle(&storage, &std::fs::read(&again).unwrap(), "测试").unwrap();
    assert!(!report.enrolled);
    assert_eq!(report.stored, 0, "all held already");
}

/// `cunan sync` has the desktop worker's patience: while the county cannot be reached it waits
/// and tries again (2 s, 4 s, …) up to `--attempts` rounds, then fails with the network code;
/// once the county is back, the same command syncs.
#[test]
fn sync_retries_with_backoff_while_the_county_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let (db, storage, mut server) = enrolled_demo(dir.path());
    let port = server.addr.port();
    server.stop();

    let out = cunan(&db, &["sync", "--attempts", "2"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("后重试").count(),
        1,
        "one wait for two rounds: {err}"
    );
    assert!(
        err.contains("第 1 次") && err.contains("[sync_network]"),
        "{err}"
    );
    assert_eq!(live_rows_on_server(&storage, "330599101201"), 0);

    let _back = TestServer::start_with(storage.clone(), port).unwrap();
    let said = ok(&cunan(&db, &["sync", "--attempts", "1"]));
    assert!(said.contains("同步完成"), "{said}");
    assert!(live_rows_on_server(&storage, "330599101201") > 0);
}
