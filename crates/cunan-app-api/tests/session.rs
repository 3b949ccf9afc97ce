//! The session over a real store file: the people search stays in step with the store (a save
//! through the session, a write by another connection such as the sync worker's) without being
//! rebuilt for every search; a store that cannot be opened is an error every call returns.

use cunan_app_api::core::demo::{self, DemoOptions};
use cunan_app_api::core::{Resident, Store};
use cunan_app_api::{ErrorCode, Session};

fn demo_store(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("village.sqlite3");
    demo::create(
        &path,
        DemoOptions {
            households: 40,
            seed: 3,
            today: chrono::NaiveDate::from_ymd_opt(2026, 6, 15).expect("date"),
        },
    )
    .expect("the demo village");
    path
}

fn renamed(store: &Store, nth: usize, name: &str) -> Resident {
    let mut r = store.list::<Resident>().expect("residents").remove(nth);
    r.name = name.to_string();
    r
}

fn names(session: &Session, query: &str) -> Vec<String> {
    session
        .search_people(query, 20)
        .expect("search")
        .into_iter()
        .map(|h| h.name)
        .collect()
}

#[test]
fn the_people_search_follows_the_store_without_rebuilding_per_keystroke() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = demo_store(dir.path());
    let session = Session::existing(&path).expect("open");

    assert!(names(&session, "欧阳测").is_empty());
    for typed in ["欧", "欧阳", "欧阳测"] {
        session.search_people(typed, 20).expect("search");
    }
    assert_eq!(
        session.people_index_builds(),
        1,
        "one build for many searches"
    );

    // A save through the session.
    let r = renamed(&session.store().expect("store"), 0, "欧阳测一");
    session.store().expect("store").save(&r).expect("save");
    assert_eq!(names(&session, "欧阳测"), ["欧阳测一"]);
    assert_eq!(session.people_index_builds(), 2);

    // A write by another connection to the same file (the sync worker has its own).
    let mut other = Store::open(&path).expect("a second connection");
    let r = renamed(&other, 1, "欧阳测二");
    other.save(&r).expect("save");
    let mut found = names(&session, "欧阳测");
    found.sort();
    assert_eq!(found, ["欧阳测一", "欧阳测二"]);
    assert_eq!(session.people_index_builds(), 3);

    // Nothing changed since: no rebuild.
    session.search_people("欧阳", 20).expect("search");
    assert_eq!(session.people_index_builds(), 3);
}

#[test]
fn a_missing_store_is_refused_and_not_made() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("typo.sqlite3");
    let e = Session::existing(&path).err().map(|e| e.code);
    assert_eq!(e, Some(ErrorCode::StoreMissing));
    assert!(!path.exists(), "no empty store is made at a mistyped path");
}

#[test]
fn a_store_that_cannot_be_opened_is_the_answer_to_every_call() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("not-a-store.sqlite3");
    std::fs::write(&path, b"this is not SQLite at all, just some text").expect("write");
    let session = Session::at(path, false);
    let e = session.store_error().expect("an error");
    assert_eq!(session.store().err().map(|e| e.code), Some(e.code));
    assert!(session.app_info().store_error.is_some());
    assert!(!session.sync_status().enrolled);
    assert!(session.search_people("张", 5).is_err());
}
