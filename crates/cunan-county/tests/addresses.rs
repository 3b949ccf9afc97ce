//! One county server, several addresses: the same server reached as an IP address at the
//! township office and as a host name elsewhere is still the server the village enrolled with,
//! and an address that answers as another county server is refused before anything is sent.

mod common;

use common::*;
use cunan_core::sync::{current_server, set_address, sync_states};
use cunan_core::Store;
use cunan_county::CountyStorage;
use cunan_sync::{SyncClient, SyncError};

fn enrolled(dir: &std::path::Path, county: &County) -> Store {
    let mut store = demo_store(&dir.join("village.db"), 12, 3);
    let code = county
        .storage
        .add_village(&village_code(&store), "演示村")
        .unwrap();
    SyncClient::new(&county.url())
        .unwrap()
        .enroll(&mut store, &code)
        .unwrap();
    store
}

/// The same port by host name instead of IP.
fn by_host_name(county: &County) -> String {
    format!("http://localhost:{}", county.server.addr.port())
}

#[test]
fn the_same_server_through_another_address_syncs_as_the_enrolled_one() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut store = enrolled(dir.path(), &county);
    let enrolled_url = county.url();
    let state = current_server(&store).unwrap().unwrap();
    assert_eq!(
        state.server_id.as_deref(),
        Some(county.storage.server_id().unwrap().as_str()),
        "the server id is learnt at enrollment"
    );

    let other = SyncClient::new(&by_host_name(&county)).unwrap();
    let waiting = store.unpushed_changes().unwrap();
    let report = other.sync_once(&mut store, &mut |_| {}).unwrap();
    assert_eq!(report.pushed as i64, waiting);
    assert_eq!(store.unpushed_changes().unwrap(), 0);

    // The outcome and the pull cursor are kept under the enrolled address: one row, not two.
    let states = sync_states(&store).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(states[0].server_url, enrolled_url);
    assert!(states[0].last_success_at.is_some());
    assert!(states[0].pull_cursor > 0);

    // The address can be kept for the next syncs (the app's setting) and cleared again.
    set_address(&mut store, &enrolled_url, Some(&by_host_name(&county))).unwrap();
    let state = current_server(&store).unwrap().unwrap();
    assert_eq!(state.connect_url(), by_host_name(&county));
    set_address(&mut store, &enrolled_url, None).unwrap();
    assert_eq!(
        current_server(&store).unwrap().unwrap().connect_url(),
        enrolled_url
    );
}

#[test]
fn an_address_that_answers_as_another_county_server_is_refused_and_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let stranger = County::start(&dir.path().join("stranger.db"));
    let mut store = enrolled(dir.path(), &county);
    let waiting = store.unpushed_changes().unwrap();

    let wrong = SyncClient::new(&stranger.url()).unwrap();
    let err = wrong.sync_once(&mut store, &mut |_| {}).unwrap_err();
    assert!(matches!(err, SyncError::WrongServer(_)), "{err:?}");
    assert_eq!(err.code(), "sync_wrong_server");
    let message = err.to_string();
    assert!(message.contains("另一台县级服务器"), "{message}");
    assert!(
        message.contains(&county.url()),
        "names the enrolled one: {message}"
    );
    assert!(
        !message.contains("登记到县里"),
        "not 'not enrolled': {message}"
    );
    assert!(!err.is_transient(), "an officer must act, not a retry");

    assert_eq!(stranger.storage.change_count().unwrap(), 0, "nothing sent");
    assert_eq!(store.unpushed_changes().unwrap(), waiting, "nothing lost");
    let state = current_server(&store).unwrap().unwrap();
    assert_eq!(state.last_error.as_deref(), Some(message.as_str()));

    // The enrolled server still works.
    SyncClient::new(&county.url())
        .unwrap()
        .sync_once(&mut store, &mut |_| {})
        .unwrap();
    assert_eq!(store.unpushed_changes().unwrap(), 0);
}

#[test]
fn an_enrollment_from_before_server_ids_learns_the_id_on_its_first_sync() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut store = enrolled(dir.path(), &county);
    store
        .conn()
        .execute("UPDATE sync_state SET server_id = NULL", [])
        .unwrap();

    // Through another address nobody can tell yet whether it is the same server: refused.
    let other = SyncClient::new(&by_host_name(&county)).unwrap();
    let err = other.sync_once(&mut store, &mut |_| {}).unwrap_err();
    assert_eq!(err.code(), "sync_wrong_server");
    assert!(err.to_string().contains("无法确认"), "{err}");
    assert_eq!(county.storage.change_count().unwrap(), 0);

    // Through the enrolled address it syncs and learns the id; then any address works.
    SyncClient::new(&county.url())
        .unwrap()
        .sync_once(&mut store, &mut |_| {})
        .unwrap();
    assert_eq!(
        current_server(&store).unwrap().unwrap().server_id,
        Some(county.storage.server_id().unwrap())
    );
    other.sync_once(&mut store, &mut |_| {}).unwrap();
}

#[test]
fn enrolling_again_through_another_address_keeps_the_one_row_and_its_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut store = enrolled(dir.path(), &county);
    SyncClient::new(&county.url())
        .unwrap()
        .sync_once(&mut store, &mut |_| {})
        .unwrap();
    let cursor = current_server(&store).unwrap().unwrap().pull_cursor;
    assert!(cursor > 0);

    let code = county
        .storage
        .add_village(&village_code(&store), "演示村")
        .unwrap();
    SyncClient::new(&by_host_name(&county))
        .unwrap()
        .enroll(&mut store, &code)
        .unwrap();
    let states = sync_states(&store).unwrap();
    assert_eq!(states.len(), 1, "{states:?}");
    assert_eq!(states[0].pull_cursor, cursor, "a cursor never goes back");
    assert_eq!(states[0].connect_url(), by_host_name(&county));
}

#[test]
fn the_server_id_survives_a_restart_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    let first = County::start(&path).storage.server_id().unwrap();
    let again = County::start(&path).storage.server_id().unwrap();
    assert_eq!(first, again);
    let other = County::start(&dir.path().join("other.db"))
        .storage
        .server_id()
        .unwrap();
    assert_ne!(first, other);
}
