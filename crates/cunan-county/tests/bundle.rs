//! USB bundles: imported through the same path as a push, so twice is once; a truncated or
//! altered bundle is refused whole.

mod common;

use common::*;
use cunan_core::Grid;
use cunan_county::{import_bundle, CountyStorage, ImportError, SqliteStorage};
use cunan_sync::bundle::{self, BundleError};
use cunan_sync::SyncClient;

#[test]
fn importing_twice_or_then_syncing_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 20, 3);
    let code = village_code(&a);
    let file = dir.path().join("a.cunan-bundle");
    let county = County::start(&dir.path().join("county.db"));
    let usb_code = county.storage.add_village(&code, "演示村").unwrap();
    let n = bundle::export_to_file(&a, &file, false, Some(&usb_code)).unwrap();
    assert_eq!(n as i64, a.unpushed_changes().unwrap());

    let bytes = std::fs::read(&file).unwrap();
    let first = import_bundle(county.storage.as_ref(), &bytes, "测试").unwrap();
    assert_eq!((first.stored, first.duplicates), (n, 0));
    let stats = county.storage.stats(None).unwrap();
    let count = county.storage.change_count().unwrap();
    let second = import_bundle(county.storage.as_ref(), &bytes, "测试").unwrap();
    assert_eq!((second.stored, second.duplicates), (0, n));
    assert_eq!(county.storage.stats(None).unwrap(), stats);
    assert_eq!(county.storage.change_count().unwrap(), count);

    // Then the laptop syncs online: the server already has everything, acknowledges it all.
    let enrollment = county.storage.add_village(&code, "演示村").unwrap();
    let client = SyncClient::new(&county.url()).unwrap();
    client.enroll(&mut a, &enrollment).unwrap();
    let report = client.sync_once(&mut a, &mut |_| {}).unwrap();
    assert_eq!(report.pushed, n, "all marked pushed on acknowledgement");
    assert_eq!(
        county.storage.change_count().unwrap(),
        count,
        "nothing stored twice"
    );
    assert_same_rows(
        &device_rows(&a),
        &county.expected_rows(&code),
        "after bundle + sync",
    );

    // A later edit: the default bundle holds only what is unacknowledged; --all holds everything.
    let mut g = a.list::<Grid>().unwrap()[0].clone();
    g.note = "U 盘带去的".into();
    a.save(&g).unwrap();
    assert_eq!(bundle::export(&a, false).unwrap().changes.len(), 1);
    assert_eq!(bundle::export(&a, true).unwrap().changes.len(), n + 1);
    let (_, all) = bundle::export_signed(&a, true, None).unwrap();
    let report = import_bundle(county.storage.as_ref(), &all, "测试").unwrap();
    assert_eq!((report.stored, report.duplicates), (1, n));
}

#[test]
fn a_truncated_or_altered_bundle_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_store(&dir.path().join("a.db"), 5, 4);
    let code = village_code(&a);
    let storage = SqliteStorage::open(&dir.path().join("county.db")).unwrap();
    let usb_code = storage.add_village(&code, "演示村").unwrap();
    let (_, bytes) = bundle::export_signed(&a, false, Some(&usb_code)).unwrap();

    let check = |bytes: &[u8], expected: &str| {
        let err = import_bundle(&storage, bytes, "测试").unwrap_err();
        let ImportError::Bundle(e) = &err else {
            panic!("{err}")
        };
        assert_eq!(e.code(), expected, "{err}");
        assert!(err.to_string().contains("没有导入"), "{err}");
        assert_eq!(storage.change_count().unwrap(), 0);
    };
    for cut in [bytes.len() - 1, bytes.len() / 2, 60] {
        check(&bytes[..cut], "bundle_truncated");
    }
    let mut altered = bytes.clone();
    let last = altered.len() - 10;
    altered[last] ^= 0x01;
    check(&altered, "bundle_checksum");
    let mut padded = bytes.clone();
    padded.extend_from_slice(b"extra");
    check(&padded, "bundle_truncated");
    check(b"PK\x03\x04 a zip file", "bundle_not_a_bundle");
    check(b"", "bundle_not_a_bundle");
    let newer = String::from_utf8_lossy(&bytes[..20]).replace("CUNAN-BUNDLE 2", "CUNAN-BUNDLE 9");
    let mut future = newer.into_bytes();
    future.extend_from_slice(&bytes[20..]);
    check(&future, "bundle_too_new");
    assert!(matches!(
        bundle::decode(&bytes[..10]),
        Err(BundleError::NotABundle)
    ));

    // A bundle for a village the county has not registered is refused, nothing applied.
    let other = SqliteStorage::open(&dir.path().join("other.db")).unwrap();
    assert!(import_bundle(&other, &bytes, "测试").is_err());
    assert_eq!(other.change_count().unwrap(), 0);
    // The intact one imports.
    assert!(import_bundle(&storage, &bytes, "测试").is_ok());
}

/// USB both ways: the village's bundle goes to the county; the county's reply carries its
/// contacts, the rows of the village's other laptop and a receipt; read back in the village, the
/// receipt stops the village from writing the same changes to USB again.
#[test]
fn the_county_replies_by_usb_with_its_data_and_a_receipt_the_village_takes() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 15, 5);
    let code = village_code(&a);
    let county = County::start(&dir.path().join("county.db"));
    let usb_code = county.storage.add_village(&code, "演示村").unwrap();
    county
        .storage
        .publish("contact", &[county_contact("")])
        .unwrap();

    // A, offline: its bundle goes to the county by USB, with the county's code (A never
    // enrolled online).
    let waiting = a.unpushed_changes().unwrap();
    let (_, out) = bundle::export_signed(&a, false, Some(&usb_code)).unwrap();
    let imported = import_bundle(county.storage.as_ref(), &out, "测试").unwrap();
    assert_eq!(imported.stored as i64, waiting);

    // A second laptop of the village, online, gets the village and adds a grid.
    let mut b = cunan_core::Store::open(&dir.path().join("b.db")).unwrap();
    let code_b = county.storage.add_village(&code, "演示村").unwrap();
    let client = SyncClient::new(&county.url()).unwrap();
    client.enroll(&mut b, &code_b).unwrap();
    client.sync_once(&mut b, &mut |_| {}).unwrap();
    b.save(&Grid {
        name: "第九网格（B 电脑新建）".into(),
        ..Grid::default()
    })
    .unwrap();
    client.sync_once(&mut b, &mut |_| {}).unwrap();

    // The county's reply for the village.
    let reply = cunan_county::county_bundle(county.storage.as_ref(), &code, "2026-06-15T10:00:00Z")
        .unwrap();
    assert_eq!(reply.kind, bundle::BundleKind::County);
    assert_eq!(reply.server_id, Some(county.storage.server_id().unwrap()));
    let receipt = reply
        .receipts
        .iter()
        .find(|r| r.device_id == a.device_id())
        .expect("a receipt for A");
    assert_eq!(receipt.seq, waiting, "every change of A");
    let reply = cunan_county::encode_county_bundle(county.storage.as_ref(), &reply).unwrap();

    let report = bundle::import_county_bundle(&mut a, &reply).unwrap();
    assert_eq!(report.acknowledged as i64, waiting);
    assert_eq!(report.still_waiting, 0);
    assert_eq!(a.unpushed_changes().unwrap(), 0);
    assert!(report.applied >= 2, "the contact and B's grid: {report:?}");
    assert!(a
        .list::<cunan_core::Contact>()
        .unwrap()
        .iter()
        .any(|c| c.name == "县防指值班室"));
    assert!(a
        .list::<Grid>()
        .unwrap()
        .iter()
        .any(|g| g.name == "第九网格（B 电脑新建）"));
    // A holds what the county holds for the village.
    assert_same_rows(
        &device_rows(&a),
        &county.expected_rows(&code),
        "A after USB",
    );
    // Nothing is written to USB again, and reading the same reply twice changes nothing.
    assert!(bundle::export(&a, false).unwrap().changes.is_empty());
    let rows = device_rows(&a);
    let again = bundle::import_county_bundle(&mut a, &reply).unwrap();
    assert_eq!((again.applied, again.acknowledged), (0, 0));
    assert_eq!(device_rows(&a), rows);
    // The pulled rows are not this device's changes: nothing new to push.
    assert_eq!(a.unpushed_changes().unwrap(), 0);

    // Later: A edits a grid B made, B edits another row; the next reply brings only what is
    // new, A's own edit is not taken for a conflict with the older versions in the bundle, and
    // A's edit (not yet at the county) stays.
    let mut grid = a
        .list::<Grid>()
        .unwrap()
        .into_iter()
        .find(|g| g.name == "第九网格（B 电脑新建）")
        .unwrap();
    grid.note = "A 电脑补充".into();
    a.save(&grid).unwrap();
    let mut other = b.list::<Grid>().unwrap()[0].clone();
    other.note = "B 电脑改的".into();
    b.save(&other).unwrap();
    client.sync_once(&mut b, &mut |_| {}).unwrap();
    let reply = cunan_county::encode_county_bundle(
        county.storage.as_ref(),
        &cunan_county::county_bundle(county.storage.as_ref(), &code, "2026-06-16T10:00:00Z")
            .unwrap(),
    )
    .unwrap();
    let next = bundle::import_county_bundle(&mut a, &reply).unwrap();
    assert_eq!((next.applied, next.conflicts), (1, 0), "{next:?}");
    assert_eq!(next.still_waiting, 1, "A's edit still goes to the county");
    let notes: Vec<String> = a
        .list::<Grid>()
        .unwrap()
        .into_iter()
        .map(|g| g.note)
        .collect();
    assert!(notes.contains(&"A 电脑补充".to_string()), "{notes:?}");
    assert!(notes.contains(&"B 电脑改的".to_string()), "{notes:?}");
    assert!(cunan_core::sync::conflicts(&a, false).unwrap().is_empty());
}

#[test]
fn bundles_going_the_wrong_way_or_to_the_wrong_village_are_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 6);
    let code = village_code(&a);
    let county = County::start(&dir.path().join("county.db"));
    county.storage.add_village(&code, "演示村").unwrap();
    county
        .storage
        .add_village("330599101299", "别的村")
        .unwrap();
    county
        .storage
        .publish("contact", &[county_contact("")])
        .unwrap();
    let rows = device_rows(&a);
    let waiting = a.unpushed_changes().unwrap();

    // A village's own bundle read back in the village.
    let (_, own) = bundle::export_signed(&a, false, None).unwrap();
    let err = bundle::import_county_bundle(&mut a, &own).unwrap_err();
    assert_eq!(err.code(), "bundle_not_for_village", "{err}");
    // The county's bundle offered to the county.
    let reply = |village: &str| {
        cunan_county::encode_county_bundle(
            county.storage.as_ref(),
            &cunan_county::county_bundle(county.storage.as_ref(), village, "2026-06-15T10:00:00Z")
                .unwrap(),
        )
        .unwrap()
    };
    let err = import_bundle(county.storage.as_ref(), &reply(&code), "测试").unwrap_err();
    assert!(err.to_string().contains("应在村里的电脑上读入"), "{err}");
    // Another village's reply.
    let err = bundle::import_county_bundle(&mut a, &reply("330599101299")).unwrap_err();
    assert_eq!(err.code(), "bundle_wrong_village", "{err}");
    assert!(err.to_string().contains("另一个村"), "{err}");
    // A reply altered to smuggle in another village's row.
    let mut forged =
        cunan_county::county_bundle(county.storage.as_ref(), &code, "2026-06-15T10:00:00Z")
            .unwrap();
    let mut foreign = forged.changes[0].clone();
    foreign.village_code = "330599101299".into();
    forged.changes.push(foreign);
    let err = bundle::import_county_bundle(&mut a, &bundle::encode(&forged).unwrap()).unwrap_err();
    assert_eq!(err.code(), "bundle_foreign_rows", "{err}");
    // An unknown village at the county.
    let err =
        cunan_county::county_bundle(county.storage.as_ref(), "330599101288", "x").unwrap_err();
    assert!(err.to_string().contains("还没有登记"), "{err}");

    assert_eq!(device_rows(&a), rows, "nothing written");
    assert_eq!(a.unpushed_changes().unwrap(), waiting);
}

/// When the village is also enrolled online, the reply moves the pull cursor of that server: the
/// next online sync does not download the same rows again.
#[test]
fn a_usb_reply_from_the_enrolled_server_moves_its_pull_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 8);
    let code = village_code(&a);
    let county = County::start(&dir.path().join("county.db"));
    let client = enrolled_and_synced(&county, &mut a);
    county
        .storage
        .publish("contact", &[county_contact("")])
        .unwrap();

    let reply = cunan_county::county_bundle(county.storage.as_ref(), &code, "2026-06-15T10:00:00Z")
        .unwrap();
    let reached = reply.cursor;
    let bytes = cunan_county::encode_county_bundle(county.storage.as_ref(), &reply).unwrap();
    bundle::import_county_bundle(&mut a, &bytes).unwrap();
    let state = cunan_core::sync::current_server(&a).unwrap().unwrap();
    assert_eq!(state.pull_cursor, reached);
    let next = client.sync_once(&mut a, &mut |_| {}).unwrap();
    assert_eq!(next.pulled, 0, "already had it from USB");
}
