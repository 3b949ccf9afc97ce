//! The edges of enrollment and USB receipts found in review: each of these once lost data or
//! locked a village out.

mod common;

use common::*;
use cunan_core::sync::{conflicts, current_server, save_enrollment, sync_states};
use cunan_core::{Grid, Resident, Store};
use cunan_county::{import_bundle, CountyStorage};
use cunan_sync::bundle;
use cunan_sync::SyncClient;

/// A village known to a county only by USB enrolls with it later, through an address it had
/// used before servers had ids: one row, no key clash, and it syncs.
#[test]
fn enrolling_after_usb_over_an_older_row_of_the_same_address_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 3);
    let code = village_code(&a);
    let county = County::start(&dir.path().join("county.db"));
    // An older row at this address (no id, no token), and a row for the server's USB bundles.
    a.conn()
        .execute(
            "INSERT INTO sync_state (server_url, pull_cursor) VALUES (?1, 0)",
            [county.url()],
        )
        .unwrap();
    county.storage.add_village(&code, "演示村").unwrap();
    bundle::import_county_bundle(&mut a, &county_reply(&county, &code)).unwrap();
    assert_eq!(sync_states(&a).unwrap().len(), 2);

    let enrollment = county.storage.add_village(&code, "演示村").unwrap();
    let client = SyncClient::new(&county.url()).unwrap();
    client.enroll(&mut a, &enrollment).unwrap();
    let states = sync_states(&a).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(states[0].server_url, county.url());
    client.sync_once(&mut a, &mut |_| {}).unwrap();
    assert_eq!(a.unpushed_changes().unwrap(), 0);
}

/// A store enrolled with one county takes no other server's bundle: its receipt would mark as
/// sent what the enrolled county never got.
#[test]
fn a_bundle_from_another_server_is_refused_and_acknowledges_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 3);
    let code = village_code(&a);
    let s1 = County::start(&dir.path().join("s1.db"));
    let s2 = County::start(&dir.path().join("s2.db"));
    let enrollment = s1.storage.add_village(&code, "演示村").unwrap();
    let s2_code = s2.storage.add_village(&code, "演示村").unwrap();
    let client = SyncClient::new(&s1.url()).unwrap();
    client.enroll(&mut a, &enrollment).unwrap();
    let waiting = a.unpushed_changes().unwrap();
    let (_, out) = bundle::export_signed(&a, false, Some(&s2_code)).unwrap();
    import_bundle(s2.storage.as_ref(), &out, "测试").unwrap();

    let err = bundle::import_county_bundle(&mut a, &county_reply(&s2, &code)).unwrap_err();
    assert_eq!(err.code(), "bundle_other_server", "{err}");
    assert_eq!(a.unpushed_changes().unwrap(), waiting);
    client.sync_once(&mut a, &mut |_| {}).unwrap();
    assert_eq!(s1.storage.change_count().unwrap(), waiting);
    // From the enrolled server it is taken, and history coming round again is no conflict.
    s1.storage
        .publish("contact", &[county_contact("v1")])
        .unwrap();
    s1.storage
        .publish("contact", &[county_contact("v2")])
        .unwrap();
    client.sync_once(&mut a, &mut |_| {}).unwrap();
    a.conn()
        .execute("UPDATE sync_state SET pull_cursor = 0", [])
        .unwrap();
    bundle::import_county_bundle(&mut a, &county_reply(&s1, &code)).unwrap();
    assert!(conflicts(&a, false).unwrap().is_empty());
}

/// Another server at an address already known starts from the beginning: the old server's
/// cursor means nothing in the new one's order.
#[test]
fn a_new_server_at_an_old_address_starts_its_cursor_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 3);
    let code = village_code(&a);
    let county = County::start(&dir.path().join("county.db"));
    enrolled_and_synced(&county, &mut a);
    assert!(current_server(&a).unwrap().unwrap().pull_cursor > 0);
    save_enrollment(&mut a, &county.url(), Some("another-server"), "t", &code).unwrap();
    assert_eq!(current_server(&a).unwrap().unwrap().pull_cursor, 0);
}

/// Enrolling again through the enrolled address goes back to it.
#[test]
fn enrolling_again_through_the_enrolled_address_clears_the_other_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 3);
    let code = village_code(&a);
    save_enrollment(&mut a, "http://a", Some("S"), "t1", &code).unwrap();
    save_enrollment(&mut a, "http://b", Some("S"), "t2", &code).unwrap();
    assert_eq!(
        current_server(&a).unwrap().unwrap().connect_url(),
        "http://b"
    );
    save_enrollment(&mut a, "http://a", Some("S"), "t3", &code).unwrap();
    assert_eq!(
        current_server(&a).unwrap().unwrap().connect_url(),
        "http://a"
    );
}

/// A store restored from an old copy reuses change numbers the county holds for other changes:
/// the receipt does not take those new changes as received.
#[test]
fn a_receipt_does_not_cover_new_changes_that_reuse_old_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo_store(&dir.path().join("a.db"), 5, 3);
    let code = village_code(&a);
    drop(a);
    std::fs::copy(dir.path().join("a.db"), dir.path().join("backup.db")).unwrap();
    let mut a = Store::open(&dir.path().join("a.db")).unwrap();
    for i in 0..5 {
        a.save(&Grid {
            name: format!("原机网格{i}"),
            ..Grid::default()
        })
        .unwrap();
    }
    let county = County::start(&dir.path().join("county.db"));
    let usb_code = county.storage.add_village(&code, "演示村").unwrap();
    let (_, out) = bundle::export_signed(&a, false, Some(&usb_code)).unwrap();
    import_bundle(county.storage.as_ref(), &out, "测试").unwrap();
    drop(a);

    let mut b = Store::open(&dir.path().join("backup.db")).unwrap();
    for i in 0..5 {
        b.save(&Grid {
            name: format!("恢复后新建{i}"),
            ..Grid::default()
        })
        .unwrap();
    }
    let report = bundle::import_county_bundle(&mut b, &county_reply(&county, &code)).unwrap();
    assert_eq!(report.still_waiting, 5, "{report:?}");
}

/// An undo that brings back a resident whose ID number was given to someone since leaves both
/// editable (so that one of them can be corrected).
#[test]
fn residents_sharing_a_number_after_an_undo_can_still_be_edited() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = demo_store(&dir.path().join("a.db"), 5, 3);
    let x = a
        .list::<Resident>()
        .unwrap()
        .into_iter()
        .find(|r| !r.id_number.is_empty())
        .unwrap();
    let tombstones = a.delete_with_children("resident", &x.id).unwrap();
    let y = a
        .save(&Resident {
            id: String::new(),
            name: "重新登记".into(),
            ..x.clone()
        })
        .unwrap();
    a.restore(&tombstones).unwrap();
    a.save(&Resident {
        phone: "13800000000".into(),
        ..x
    })
    .unwrap();
    a.save(&Resident {
        note: "改备注".into(),
        ..y
    })
    .unwrap();
}
