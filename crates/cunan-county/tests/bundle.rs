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
    let n = bundle::export_to_file(&a, &file, false).unwrap();
    assert_eq!(n as i64, a.unpushed_changes().unwrap());

    let county = County::start(&dir.path().join("county.db"));
    let enrollment = county.storage.add_village(&code, "演示村").unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let first = import_bundle(county.storage.as_ref(), &bytes).unwrap();
    assert_eq!((first.stored, first.duplicates), (n, 0));
    let stats = county.storage.stats(None).unwrap();
    let count = county.storage.change_count().unwrap();
    let second = import_bundle(county.storage.as_ref(), &bytes).unwrap();
    assert_eq!((second.stored, second.duplicates), (0, n));
    assert_eq!(county.storage.stats(None).unwrap(), stats);
    assert_eq!(county.storage.change_count().unwrap(), count);

    // Then the laptop syncs online: the server already has everything, acknowledges it all.
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
    let all = bundle::encode(&bundle::export(&a, true).unwrap()).unwrap();
    let report = import_bundle(county.storage.as_ref(), &all).unwrap();
    assert_eq!((report.stored, report.duplicates), (1, n));
}

#[test]
fn a_truncated_or_altered_bundle_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_store(&dir.path().join("a.db"), 5, 4);
    let code = village_code(&a);
    let storage = SqliteStorage::open(&dir.path().join("county.db")).unwrap();
    storage.add_village(&code, "演示村").unwrap();
    let bytes = bundle::encode(&bundle::export(&a, false).unwrap()).unwrap();

    let check = |bytes: &[u8], expected: &str| {
        let err = import_bundle(&storage, bytes).unwrap_err();
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
    let newer = String::from_utf8_lossy(&bytes[..20]).replace("CUNAN-BUNDLE 1", "CUNAN-BUNDLE 9");
    let mut future = newer.into_bytes();
    future.extend_from_slice(&bytes[20..]);
    check(&future, "bundle_too_new");
    assert!(matches!(
        bundle::decode(&bytes[..10]),
        Err(BundleError::NotABundle)
    ));

    // A bundle for a village the county has not registered is refused, nothing applied.
    let other = SqliteStorage::open(&dir.path().join("other.db")).unwrap();
    assert!(import_bundle(&other, &bytes).is_err());
    assert_eq!(other.change_count().unwrap(), 0);
    // The intact one imports.
    assert!(import_bundle(&storage, &bytes).is_ok());
}
