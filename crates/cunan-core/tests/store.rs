//! The store on a real temp-file SQLite: saving, tombstones, the change log, migrations.

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use cunan_core::clock::{FixedClock, Hlc};
use cunan_core::store::{migrations, schema_version};
use cunan_core::*;
use rusqlite::Connection;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(
        Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap(),
    ))
}

fn village() -> Village {
    Village {
        code: "330599101201".into(),
        name: "青石村".into(),
        township: "溪口镇".into(),
        county: "临溪县".into(),
        comms_guaranteed: true,
        hazard_kinds: vec![HazardKind::Flood],
        ..Village::default()
    }
}

#[test]
fn a_saved_village_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/dir/store.sqlite3");
    let saved = {
        let mut store = Store::open_with_clock(&path, clock()).unwrap();
        assert_eq!(store.village().unwrap(), None);
        store.save(&village()).unwrap()
    };
    assert_eq!(saved.id.len(), 36, "a UUID was assigned");
    assert_eq!(
        uuid::Uuid::parse_str(&saved.id).unwrap().get_version_num(),
        7
    );
    let store = Store::open(&path).unwrap();
    assert_eq!(store.village().unwrap(), Some(saved));
}

#[test]
fn every_write_stamps_sync_columns_and_logs_the_change_in_the_same_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let mut store = Store::open_with_clock(&path, clock()).unwrap();
    let v = store.save(&village()).unwrap();
    let grid = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let mut renamed = grid.clone();
    renamed.name = "第1网格".into();
    store.save(&renamed).unwrap();
    store.delete::<Grid>(&grid.id).unwrap();

    let conn = Connection::open(&path).unwrap();
    let (code, device, deleted, hlc): (String, String, bool, String) = conn
        .query_row(
            "SELECT village_code, device_id, deleted, hlc FROM grid WHERE id = ?1",
            [&grid.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(code, v.code);
    assert_eq!(device, store.device_id());
    assert!(deleted, "delete is a tombstone, the row stays");

    let log: Vec<(String, String, String, String)> = conn
        .prepare("SELECT table_name, op, hlc, data FROM change_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let ops: Vec<(&str, &str)> = log
        .iter()
        .map(|(t, o, _, _)| (t.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            ("village", "upsert"),
            ("grid", "upsert"),
            ("grid", "upsert"),
            ("grid", "delete")
        ]
    );
    let hlcs: Vec<Hlc> = log
        .iter()
        .map(|(_, _, h, _)| Hlc::parse(h).unwrap())
        .collect();
    assert!(
        hlcs.windows(2).all(|w| w[0] < w[1]),
        "clock readings increase even within one millisecond: {hlcs:?}"
    );
    assert_eq!(log[3].2, hlc, "row carries the hlc of its last write");
    let last: serde_json::Value = serde_json::from_str(&log[3].3).unwrap();
    assert_eq!(last["name"], "第1网格");
    assert_eq!(last["deleted"], true);
    assert_eq!(store.unpushed_changes().unwrap(), 4);

    assert_eq!(
        store.list::<Grid>().unwrap(),
        vec![],
        "tombstones are not listed"
    );
    assert_eq!(store.stats().unwrap()["grid"], 0);
    // Restoring = saving it again.
    store.save(&renamed).unwrap();
    assert_eq!(store.list::<Grid>().unwrap(), vec![renamed]);
}

#[test]
fn invalid_records_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock()).unwrap();
    let mut bad = village();
    bad.code = "33059910120".into();
    let err = store.save(&bad).unwrap_err();
    assert_eq!(err.code(), "division_code");
    assert!(err.to_string().contains("12 位"), "{err}");
    assert_eq!(store.unpushed_changes().unwrap(), 0);

    // Records other than the village need the village first.
    let err = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), "no_village");
    assert!(err.to_string().contains("村庄基本信息"));
}

#[test]
fn a_batch_that_fails_half_way_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock()).unwrap();
    store.save(&village()).unwrap();
    let before = store.unpushed_changes().unwrap();
    let result = store.write(|w| {
        w.save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })?;
        w.save(&Contact {
            name: "书记".into(),
            phone: "不是电话".into(),
            ..Contact::default()
        })?;
        Ok(())
    });
    assert_eq!(result.unwrap_err().code(), "phone");
    assert_eq!(store.list::<Grid>().unwrap().len(), 0);
    assert_eq!(store.unpushed_changes().unwrap(), before);
}

#[test]
fn the_village_code_is_fixed_once_saved_and_a_store_holds_one_village() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock()).unwrap();
    let mut v = store.save(&village()).unwrap();
    v.name = "青石新村".into();
    store.save(&v).unwrap();
    v.code = "330599101202".into();
    assert_eq!(store.save(&v).unwrap_err().code(), "village_code_fixed");
    assert_eq!(store.save(&village()).unwrap_err().code(), "village_exists");
    assert_eq!(store.village().unwrap().unwrap().name, "青石新村");
}

#[test]
fn a_store_made_by_schema_version_1_opens_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite3");
    assert!(schema_version() > 1, "this test needs a migration after 1");
    {
        let mut old = Store::open_at_version(&path, clock(), 1).unwrap();
        assert_eq!(old.version().unwrap(), 1);
        old.save(&village()).unwrap();
        old.save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    }
    let conn = Connection::open(&path).unwrap();
    let has_sync_state: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sync_state'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(has_sync_state, 0, "version 1 has no sync_state yet");
    drop(conn);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.version().unwrap(), schema_version());
    assert_eq!(store.village().unwrap().unwrap().name, "青石村");
    assert_eq!(store.list::<Grid>().unwrap().len(), 1);
    store
        .conn()
        .execute(
            "INSERT INTO sync_state (server_url) VALUES ('http://county')",
            [],
        )
        .unwrap();
}

#[test]
fn a_store_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;")
            .unwrap();
    }
    let err = Store::open(&path).err().expect("must refuse");
    assert_eq!(err.code(), "store_too_new");
    assert!(err.to_string().contains("升级"), "{err}");
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 999);
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing was added to the newer store");
}

#[test]
fn migrations_are_numbered_in_order_and_every_record_type_matches_its_table() {
    let numbers: Vec<i64> = migrations().iter().map(|m| m.0).collect();
    assert_eq!(numbers, (1..=numbers.len() as i64).collect::<Vec<_>>());

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock()).unwrap();
    store.save(&village()).unwrap();
    // Each record type round-trips through its table (column names = field names).
    let d = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let grid = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Default::default()
        })
        .unwrap();
    let site = store
        .save(&HazardSite {
            name: "后山".into(),
            hazard: Some(HazardKind::Geological),
            ..Default::default()
        })
        .unwrap();
    let hh = store
        .save(&Household {
            head_name: "王建国".into(),
            grid_id: Some(grid.id.clone()),
            in_danger_zone: true,
            ..Default::default()
        })
        .unwrap();
    let r = store
        .save(&Resident {
            household_id: hh.id.clone(),
            name: "王建国".into(),
            birth_date: Some(d),
            id_number: "11010519491231002X".into(),
            ..Default::default()
        })
        .unwrap();
    let team = store
        .save(&Team {
            name: "突击队".into(),
            ..Default::default()
        })
        .unwrap();
    let shelter = store
        .save(&Shelter {
            name: "礼堂".into(),
            hazard_kinds: vec![HazardKind::Flood],
            capacity: Some(300),
            ..Default::default()
        })
        .unwrap();
    let plan = store
        .save(&Plan {
            hazard: Some(HazardKind::Flood),
            ..Default::default()
        })
        .unwrap();
    let kit = store
        .save(&KitItem {
            name: "发电机".into(),
            quantity: 1,
            inspect_every_days: 30,
            ..Default::default()
        })
        .unwrap();
    let event = store
        .save(&EvacuationEvent {
            hazard: Some(HazardKind::Flood),
            started_at: "2026-06-01T08:00".into(),
            ..Default::default()
        })
        .unwrap();
    let session = store
        .save(&EducationSession {
            date: d,
            topic: "防汛防台预案宣讲".into(),
            hazard: Some(HazardKind::Flood),
            taught_by: "张三".into(),
            place: "礼堂".into(),
            ..Default::default()
        })
        .unwrap();
    macro_rules! roundtrip {
        ($($rec:expr),* $(,)?) => {$({
            let saved = store.save(&$rec).unwrap();
            assert_eq!(store.get(&saved.id).unwrap().as_ref(), Some(&saved));
        })*};
    }
    roundtrip!(
        GridMember {
            grid_id: grid.id.clone(),
            name: "李丽".into(),
            phone: "13812345678".into(),
            ..Default::default()
        },
        HouseholdHazard {
            household_id: hh.id.clone(),
            hazard_site_id: site.id.clone(),
            ..Default::default()
        },
        VulnerablePerson {
            resident_id: r.id.clone(),
            kind: VulnerableKind::Bedridden,
            helper_name: "李丽".into(),
            helper_phone: "13812345678".into(),
            ..Default::default()
        },
        TeamMember {
            team_id: team.id.clone(),
            name: "张三".into(),
            ..Default::default()
        },
        Contact {
            name: "县值班室".into(),
            phone: "0572-5012110".into(),
            is_duty_line: true,
            ..Default::default()
        },
        EvacuationRoute {
            name: "北线".into(),
            shelter_id: Some(shelter.id.clone()),
            distance_m: Some(800),
            ..Default::default()
        },
        PlanStep {
            plan_id: plan.id.clone(),
            phase: PlanPhase::Evacuation,
            who: "网格员".into(),
            what: "转移".into(),
            ..Default::default()
        },
        KitInspection {
            kit_item_id: kit.id.clone(),
            date: d,
            inspector: "张三".into(),
            result: KitCondition::Broken,
            ..Default::default()
        },
        FloodResponsible {
            name: "张三".into(),
            has_helmet: true,
            ..Default::default()
        },
        HazardReport {
            found_on: d,
            description: "护栏松动".into(),
            due_on: Some(d),
            ..Default::default()
        },
        Drill {
            date: d,
            hazard: Some(HazardKind::Flood),
            participants: Some(50),
            ..Default::default()
        },
        EducationAttendance {
            session_id: session.id.clone(),
            resident_id: Some(r.id.clone()),
            ..Default::default()
        },
        EducationAttendance {
            session_id: session.id.clone(),
            household_id: Some(hh.id.clone()),
            note: "代全户".into(),
            ..Default::default()
        },
        Incident {
            occurred_at: "2026-06-01T08:00:00+08:00".into(),
            started_at: "2026-06-01T08:10:00+08:00".into(),
            place: "青石桥".into(),
            hazard: Some(HazardKind::Flood),
            ..Default::default()
        },
        IncidentReport {
            occurred_at: "2026-06-01T08:00".into(),
            reported_at: "2026-06-01T08:20".into(),
            place: "青石桥".into(),
            hazard: Some(HazardKind::Flood),
            ..Default::default()
        },
        EvacuationStatus {
            event_id: event.id.clone(),
            resident_id: r.id.clone(),
            status: cunan_core::rollcall::Mark::Moved,
            updated_at: "2026-06-01T09:00".into(),
            ..Default::default()
        },
        Setting {
            key: "report_deadline_minutes".into(),
            value: serde_json::json!({"phone": 30, "written": 60}),
            owner: "village".into(),
            ..Default::default()
        },
        Setting {
            key: "plain_string".into(),
            value: serde_json::json!("text"),
            ..Default::default()
        },
    );
    let stats = store.stats().unwrap();
    assert_eq!(stats.len(), records::SYNCED_TABLES.len());
    assert!(
        stats.values().all(|n| *n >= 1),
        "every synced table got a row: {stats:?}"
    );
}

#[test]
fn the_synced_list_is_every_table_with_the_sync_columns_in_foreign_key_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock()).unwrap();
    let conn = store.conn();
    // `change_log` has an `hlc` and a `device_id` too; a synced table has all four sync columns.
    let with_sync_columns: Vec<String> = conn
        .prepare(
            "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND (
               SELECT count(*) FROM pragma_table_info(m.name)
               WHERE name IN ('village_code', 'hlc', 'device_id', 'deleted')) = 4
             ORDER BY m.name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut listed: Vec<&str> = SYNCED.iter().map(|t| t.name).collect();
    listed.sort_unstable();
    assert_eq!(with_sync_columns, listed);

    assert_eq!(SYNCED_TABLES, SYNCED.map(|t| t.name));
    // Each table comes after the tables its foreign keys point at (a pull applies them in order).
    for (i, table) in SYNCED_TABLES.iter().enumerate() {
        let parents: Vec<String> = conn
            .prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for parent in parents {
            let at = SYNCED_TABLES.iter().position(|t| *t == parent);
            assert!(at.is_some_and(|at| at <= i), "{table} → {parent}");
        }
    }
}

#[test]
fn every_synced_table_has_its_own_chinese_label() {
    let labels: std::collections::BTreeSet<&str> = SYNCED.iter().map(|t| t.label).collect();
    assert_eq!(labels.len(), SYNCED.len(), "no two tables share a label");
    for t in SYNCED {
        assert!(!t.label.is_empty() && !t.label.is_ascii(), "{t:?}");
        assert_eq!(table_label(t.name), Some(t.label));
    }
    assert_eq!(table_label("household"), Some("住户"));
    assert_eq!(table_label("education_attendance"), Some("宣传教育签到"));
    assert_eq!(table_label("change_log"), None);
    assert_eq!(table_label(""), None);
}

#[test]
fn the_revision_changes_with_every_own_commit_and_not_with_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_with_clock(&dir.path().join("s.sqlite3"), clock()).unwrap();
    let r0 = store.revision().unwrap();
    assert_eq!(
        store.revision().unwrap(),
        r0,
        "asking again is not a change"
    );

    store.save(&village()).unwrap();
    let r1 = store.revision().unwrap();
    assert_ne!(r1, r0, "a save");

    let grid = store
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let r2 = store.revision().unwrap();
    assert_ne!(r2, r1);

    // Reads of every kind leave it alone.
    store.get::<Grid>(&grid.id).unwrap();
    store.list::<Grid>().unwrap();
    store.village().unwrap();
    store.stats().unwrap();
    store.unpushed_changes().unwrap();
    sync::unpushed(&store, 0, 10).unwrap();
    sync::live_rows(&store).unwrap();
    sync::current_row(&store, "grid", &grid.id).unwrap();
    sync::conflicts(&store, true).unwrap();
    sync::sync_states(&store).unwrap();
    assert_eq!(store.revision().unwrap(), r2, "reads are not changes");

    // A refused save writes nothing, and is no change.
    assert!(store.save(&Grid::default()).is_err());
    assert_eq!(store.revision().unwrap(), r2);

    let tombstones = store.delete_with_children("grid", &grid.id).unwrap();
    let r3 = store.revision().unwrap();
    assert_ne!(r3, r2, "a delete");
    store.restore(&tombstones).unwrap();
    let r4 = store.revision().unwrap();
    assert_ne!(r4, r3, "a restore");
    sync::save_enrollment(&mut store, "http://county", None, "token", "330599101201").unwrap();
    let r5 = store.revision().unwrap();
    assert_ne!(r5, r4, "an enrollment");
    sync::record_outcome(&mut store, "http://county", Some("离线")).unwrap();
    assert_ne!(store.revision().unwrap(), r5, "sync bookkeeping");
}

#[test]
fn the_revision_sees_pulled_changes_and_restored_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::open_with_clock(&dir.path().join("a.sqlite3"), clock()).unwrap();
    a.save(&village()).unwrap();
    let grid = a
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let mut b = Store::open_with_clock(&dir.path().join("b.sqlite3"), clock()).unwrap();
    let r0 = b.revision().unwrap();
    let changes = sync::unpushed(&a, 0, 10).unwrap();
    sync::apply_pulled(&mut b, "http://county", &changes, 2).unwrap();
    let r1 = b.revision().unwrap();
    assert_ne!(r1, r0, "applied pulled changes");

    // Both edit the grid; a's edit arrives at b and one of them is kept as a conflict.
    let mut on_b = b.get::<Grid>(&grid.id).unwrap().unwrap();
    on_b.name = "第1网格".into();
    b.save(&on_b).unwrap();
    let mut on_a = grid.clone();
    on_a.name = "一组".into();
    a.save(&on_a).unwrap();
    let edit = sync::unpushed(&a, changes.last().unwrap().seq, 10).unwrap();
    sync::apply_changes(&mut b, &edit, None).unwrap();
    let conflict = sync::conflicts(&b, false).unwrap().remove(0);
    let r2 = b.revision().unwrap();
    sync::restore_conflict(&mut b, conflict.id).unwrap();
    assert_ne!(b.revision().unwrap(), r2, "a restored conflict");
}

#[test]
fn the_revision_sees_what_another_connection_to_the_file_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let mut ui = Store::open_with_clock(&path, clock()).unwrap();
    ui.save(&village()).unwrap();
    // The background sync worker (or the CLI) opens the same file on its own connection.
    let mut worker = Store::open_with_clock(&path, clock()).unwrap();
    let before = ui.revision().unwrap();
    assert_eq!(ui.revision().unwrap(), before, "opening it is no change");

    worker
        .save(&Grid {
            name: "第一网格".into(),
            ..Grid::default()
        })
        .unwrap();
    let after = ui.revision().unwrap();
    assert_ne!(after, before, "the other connection's save");
    assert_eq!(ui.revision().unwrap(), after, "and only once");

    // Reads on the other connection are no change either.
    worker.list::<Grid>().unwrap();
    assert_eq!(ui.revision().unwrap(), after);
    sync::save_enrollment(&mut worker, "http://county", None, "token", "330599101201").unwrap();
    assert_ne!(ui.revision().unwrap(), after, "the worker's bookkeeping");
}
