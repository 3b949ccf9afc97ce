//! The store's side of sync: pulled changes are applied as given and never logged; the row as
//! it is now reads as the JSON a change carries.

mod common;

use cunan_core::sync::{self, Change};
use cunan_core::*;

fn change_log_rows(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
        .unwrap()
}

/// A village with a grid, a household and a deleted team: its changes, to pull elsewhere.
fn written_elsewhere() -> (tempfile::TempDir, Store, Vec<Change>) {
    let (dir, mut store) = common::village_store((2026, 6, 1, 8));
    let grid = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    store
        .save(&Household {
            head_name: "王建国".into(),
            grid_id: Some(grid.id),
            in_danger_zone: true,
            ..Household::default()
        })
        .unwrap();
    let team = store
        .save(&Team {
            name: "突击队".into(),
            ..Team::default()
        })
        .unwrap();
    store.delete::<Team>(&team.id).unwrap();
    let changes = sync::unpushed(&store, 0, 100).unwrap();
    assert_eq!(changes.len(), 5);
    (dir, store, changes)
}

fn empty_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("b.sqlite3")).unwrap();
    (dir, store)
}

#[test]
fn pulled_changes_are_applied_without_touching_the_change_log() {
    let (_a_dir, a, changes) = written_elsewhere();
    let (_b_dir, mut b) = empty_store();
    assert_eq!(change_log_rows(&b), 0);

    let report = sync::apply_pulled(&mut b, "http://county", &changes, 5).unwrap();
    assert_eq!((report.applied, report.conflicts), (5, 0));
    assert_eq!(
        change_log_rows(&b),
        0,
        "pulled changes are not this device's own"
    );
    assert_eq!(b.unpushed_changes().unwrap(), 0);
    assert_eq!(sync::live_rows(&b).unwrap(), sync::live_rows(&a).unwrap());
    // Each row keeps the version it was written as elsewhere, the tombstone included.
    for change in &changes {
        assert_eq!(
            sync::current_row(&b, &change.table, &change.row_id)
                .unwrap()
                .unwrap(),
            sync::current_row(&a, &change.table, &change.row_id)
                .unwrap()
                .unwrap()
        );
    }

    // The same changes again (a bundle read twice) change nothing and log nothing.
    let again = sync::apply_changes(&mut b, &changes, None).unwrap();
    assert_eq!((again.applied, again.unchanged), (0, 5));
    assert_eq!(change_log_rows(&b), 0);
}

#[test]
fn a_local_save_after_a_pull_is_logged_as_this_devices_own() {
    let (_a_dir, _a, changes) = written_elsewhere();
    let (_b_dir, mut b) = empty_store();
    sync::apply_pulled(&mut b, "http://county", &changes, 5).unwrap();
    let mut grid = b.list::<Grid>().unwrap().remove(0);
    grid.name = "第1网格".into();
    b.save(&grid).unwrap();

    assert_eq!(change_log_rows(&b), 1);
    let logged = sync::unpushed(&b, 0, 10).unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(
        (logged[0].table.as_str(), logged[0].row_id.as_str()),
        ("grid", grid.id.as_str())
    );
    assert_eq!(logged[0].device_id, b.device_id());
    let pulled = changes.iter().find(|c| c.row_id == grid.id).unwrap();
    assert_eq!(
        logged[0].base_hlc.as_deref(),
        Some(pulled.hlc.as_str()),
        "written over the pulled version"
    );
}

#[test]
fn the_current_row_is_the_json_a_change_carries() {
    let (_dir, mut store) = common::village_store((2026, 6, 1, 8));
    let mut village = store.village().unwrap().unwrap();
    village.comms_guaranteed = true;
    village.hazard_kinds = vec![HazardKind::Flood, HazardKind::Geological];
    store.save(&village).unwrap();
    let logged = sync::unpushed(&store, 0, 10).unwrap();
    let last = logged.last().unwrap();

    let row = sync::current_row(&store, "village", &village.id)
        .unwrap()
        .unwrap();
    assert_eq!(row, last.data);
    assert_eq!(row["comms_guaranteed"], serde_json::json!(true));
    assert_eq!(
        row["hazard_kinds"],
        serde_json::json!(["flood", "geological"])
    );
    assert_eq!(row["deleted"], serde_json::json!(false));

    // A deleted row is still there, as its tombstone.
    let grid = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    store.delete::<Grid>(&grid.id).unwrap();
    let tombstone = sync::current_row(&store, "grid", &grid.id)
        .unwrap()
        .unwrap();
    assert_eq!(tombstone["deleted"], serde_json::json!(true));
    assert_eq!(tombstone["name"], "第一网格");

    // No such row, and tables that are not synced ones (nothing outside the list reaches SQL).
    assert_eq!(
        sync::current_row(&store, "grid", "no-such-id").unwrap(),
        None
    );
    for table in [
        "device",
        "change_log",
        "sync_state",
        "nope",
        "grid; DROP TABLE grid",
    ] {
        assert_eq!(
            sync::current_row(&store, table, &village.id).unwrap(),
            None,
            "{table}"
        );
    }
}
