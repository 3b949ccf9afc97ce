//! The story: a village pushes its data, a second laptop of the same village pulls it, both edit
//! (one row concurrently), both sync, and all three replicas hold the same live rows.

mod common;

use common::*;
use cunan_core::sync::{conflicts, restore_conflict};
use cunan_core::{Contact, Grid, Household, Resident, Store};
use cunan_county::CountyStorage;
use cunan_sync::{status, SyncClient};

fn sync(client: &SyncClient, store: &mut Store) -> cunan_sync::SyncReport {
    client.sync_once(store, &mut |_| {}).unwrap()
}

#[test]
fn enroll_push_pull_edit_on_both_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut a = demo_store(&dir.path().join("a.db"), 40, 7);
    let code = village_code(&a);
    let client = SyncClient::new(&county.url()).unwrap();

    // Device A enrolls and pushes the whole demo village.
    let enrollment = county.storage.add_village(&code, "演示村").unwrap();
    let waiting = a.unpushed_changes().unwrap();
    assert!(waiting > 100);
    client.enroll(&mut a, &enrollment).unwrap();
    let report = sync(&client, &mut a);
    assert_eq!(report.pushed as i64, waiting);
    assert_eq!(a.unpushed_changes().unwrap(), 0);
    assert_same_rows(
        &device_rows(&a),
        &county.expected_rows(&code),
        "A vs county",
    );
    let stats = county.storage.stats(Some(&code)).unwrap();
    assert_eq!(stats[&code]["household"], 40);

    // The code was one-time.
    let mut other = Store::open(&dir.path().join("other.db")).unwrap();
    assert!(client.enroll(&mut other, &enrollment).is_err());

    // Device B: an empty store, enrolled with a new code, pulls the village down.
    let mut b = Store::open(&dir.path().join("b.db")).unwrap();
    let enrollment_b = county.storage.add_village(&code, "演示村").unwrap();
    client.enroll(&mut b, &enrollment_b).unwrap();
    let report = sync(&client, &mut b);
    assert_eq!(report.pushed, 0, "pulled rows are not pushed back");
    assert_eq!(b.unpushed_changes().unwrap(), 0);
    assert_same_rows(&device_rows(&b), &device_rows(&a), "B vs A after pull");

    // County-owned data comes down to both, read-only there.
    let contact = serde_json::json!({
        "id": "0190a000-0000-7000-8000-000000000001", "name": "县应急管理局值班室",
        "organization": "县应急管理局", "role": "值班", "level": "county",
        "phone": "0572-1234567", "phone_backup": "", "is_duty_line": true,
        "backup_of": null, "note": ""
    });
    county.storage.publish("contact", &[contact]).unwrap();

    // Both edit: different rows, and the same grid concurrently; B deletes a resident.
    let households = a.list::<Household>().unwrap();
    let mut h_a = households[0].clone();
    h_a.note = "A 改过".into();
    a.save(&h_a).unwrap();
    let mut h_b = b.get::<Household>(&households[1].id).unwrap().unwrap();
    h_b.note = "B 改过".into();
    b.save(&h_b).unwrap();
    let grid_id = a.list::<Grid>().unwrap()[0].id.clone();
    let mut g_a = a.get::<Grid>(&grid_id).unwrap().unwrap();
    g_a.note = "A 的说法".into();
    a.save(&g_a).unwrap();
    let mut g_b = b.get::<Grid>(&grid_id).unwrap().unwrap();
    g_b.note = "B 的说法".into();
    b.save(&g_b).unwrap();
    let resident = b.list::<Resident>().unwrap()[3].id.clone();
    b.delete::<Resident>(&resident).unwrap();
    assert_eq!(status(&b).unwrap().waiting_changes, 3);

    sync(&client, &mut a);
    sync(&client, &mut b);
    sync(&client, &mut a);
    let expected = county.expected_rows(&code);
    assert_same_rows(&device_rows(&a), &expected, "A vs county");
    assert_same_rows(&device_rows(&b), &expected, "B vs county");
    assert!(
        a.get::<Resident>(&resident).unwrap().is_none(),
        "tombstone propagated"
    );
    assert_eq!(
        a.get::<Household>(&households[1].id).unwrap().unwrap().note,
        "B 改过"
    );

    // The concurrent grid edit: one winner everywhere, the loser kept on every replica.
    let winner = a.get::<Grid>(&grid_id).unwrap().unwrap().note;
    let loser_note = if winner == "A 的说法" {
        "B 的说法"
    } else {
        "A 的说法"
    };
    let server_conflicts = county.storage.conflicts().unwrap();
    assert_eq!(server_conflicts.len(), 1, "{server_conflicts:?}");
    for store in [&a, &b] {
        let c = conflicts(store, false).unwrap();
        assert_eq!(c.len(), 1, "each device keeps the losing version");
        assert_eq!(c[0].loser_data["note"], loser_note);
    }

    // County rows are read-only in the village.
    let county_contact = a
        .list::<Contact>()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "县应急管理局值班室")
        .expect("county contact pulled");
    assert_eq!(county_contact.owner, "county");
    let err = a.save(&county_contact).unwrap_err();
    assert_eq!(err.code(), "county_owned");

    // The officer restores the losing version on B; it becomes the current one everywhere.
    let conflict_id = conflicts(&b, false).unwrap()[0].id;
    restore_conflict(&mut b, conflict_id).unwrap();
    sync(&client, &mut b);
    sync(&client, &mut a);
    assert_eq!(a.get::<Grid>(&grid_id).unwrap().unwrap().note, loser_note);
    assert_eq!(b.get::<Grid>(&grid_id).unwrap().unwrap().note, loser_note);
    let expected = county.expected_rows(&code);
    assert_same_rows(&device_rows(&a), &expected, "A vs county after restore");
    assert_same_rows(&device_rows(&b), &expected, "B vs county after restore");

    // Syncing again changes nothing; the status line has what it needs.
    let again = sync(&client, &mut a);
    assert_eq!((again.pushed, again.pulled), (0, 0));
    let s = status(&a).unwrap();
    assert!(s.enrolled && s.last_success_at.is_some() && s.last_error.is_none());
    assert_eq!(s.waiting_changes, 0);
}

#[test]
fn re_enrolling_keeps_unsynced_changes_and_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut a = demo_store(&dir.path().join("a.db"), 5, 1);
    let code = village_code(&a);
    let client = SyncClient::new(&county.url()).unwrap();
    client
        .enroll(&mut a, &county.storage.add_village(&code, "村").unwrap())
        .unwrap();
    sync(&client, &mut a);
    let mut g = a.list::<Grid>().unwrap()[0].clone();
    g.note = "离线时改的".into();
    a.save(&g).unwrap();
    // The county revokes the token (lost laptop found again): sync is refused, nothing lost.
    county.storage.revoke_village(&code).unwrap();
    let err = client.sync_once(&mut a, &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "sync_unauthorized");
    assert_eq!(a.unpushed_changes().unwrap(), 1);
    assert!(status(&a).unwrap().last_error.is_some());
    // A code of another village is refused and not used up.
    let other_code = county.storage.add_village("330502101299", "邻村").unwrap();
    let err = client.enroll(&mut a, &other_code).unwrap_err();
    assert_eq!(err.code(), "sync_forbidden");
    let mut neighbour = Store::open(&dir.path().join("neighbour.db")).unwrap();
    client.enroll(&mut neighbour, &other_code).unwrap();
    client
        .enroll(&mut a, &county.storage.add_village(&code, "村").unwrap())
        .unwrap();
    assert_eq!(a.unpushed_changes().unwrap(), 1);
    sync(&client, &mut a);
    assert_eq!(a.unpushed_changes().unwrap(), 0);
    assert_same_rows(
        &device_rows(&a),
        &county.expected_rows(&code),
        "after re-enroll",
    );
}
