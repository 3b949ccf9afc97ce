//! A change stamped far ahead of the server's clock (issue #12) would win every merge for good:
//! the server refuses it, whole batch or whole bundle, with a message telling the officer to
//! correct the laptop's date and time. The server's clock is set by the test.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use common::*;
use cunan_core::clock::{Clock, FixedClock, Hlc};
use cunan_core::sync::Change;
use cunan_county::{import_bundle, CountyStorage, ImportError, SqliteStorage, TestServer};
use cunan_sync::protocol::{ErrorBody, PushRequest, PROTOCOL_HEADER, PROTOCOL_VERSION};
use serde_json::json;

struct SharedClock(Arc<FixedClock>);

impl Clock for SharedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
}

/// The server's time: the demo village's writes are from the same day.
fn server_now() -> DateTime<Utc> {
    "2026-06-01T20:00:00Z".parse().unwrap()
}

fn county_storage(path: &std::path::Path) -> Arc<SqliteStorage> {
    let clock = Arc::new(FixedClock::at(server_now()));
    Arc::new(SqliteStorage::open_with_clock(path, Box::new(SharedClock(clock))).unwrap())
}

/// `change` written again at server time + `ahead`, as the next change of its device.
fn stamped(change: &Change, seq: i64, ahead: Duration) -> Change {
    let mut change = change.clone();
    change.seq = seq;
    change.base_hlc = Some(change.hlc.clone());
    change.hlc = Hlc {
        wall_ms: (server_now() + ahead).timestamp_millis(),
        counter: 0,
    }
    .to_string();
    change.data["hlc"] = json!(change.hlc);
    change.data["note"] = json!("改");
    change
}

fn assert_tells_to_fix_the_date(message: &str) {
    assert!(message.contains("日期和时间"), "{message}");
    assert!(
        message.contains("没有接收") || message.contains("没有导入"),
        "{message}"
    );
}

#[test]
fn a_push_stamped_more_than_a_day_ahead_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let storage = county_storage(&dir.path().join("county.db"));
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    let county = County {
        storage: storage.clone(),
        server,
    };
    let mut store = demo_store(&dir.path().join("a.db"), 3, 1);
    enrolled_and_synced(&county, &mut store);
    let token = cunan_core::sync::current_server(&store)
        .unwrap()
        .unwrap()
        .device_token
        .unwrap();
    let changes = cunan_core::sync::all_changes(&store, 0, 10_000).unwrap();
    let grid = changes.iter().find(|c| c.table == "grid").unwrap();
    let next = changes.len() as i64 + 1;
    let http = reqwest::blocking::Client::new();
    let push = |batch: Vec<Change>| {
        let body = serde_json::to_vec(&PushRequest {
            device_id: store.device_id().to_string(),
            changes: batch,
        })
        .unwrap();
        let response = http
            .post(format!("{}/v1/push", county.url()))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header("content-type", "application/json")
            .bearer_auth(&token)
            .body(body)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().unwrap())
    };
    let before = (
        storage.change_count().unwrap(),
        storage.stats(None).unwrap(),
    );

    // A good change with one stamped 25 hours ahead after it: nothing lands.
    let good = stamped(grid, next, Duration::hours(1));
    let (status, body) = push(vec![
        good.clone(),
        stamped(grid, next + 1, Duration::hours(25)),
    ]);
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    let error: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.code, "clock_ahead");
    assert!(
        error.message.contains("2026-06-03 05:00"),
        "{}",
        error.message
    );
    assert_tells_to_fix_the_date(&error.message);
    let far: ErrorBody =
        serde_json::from_slice(&push(vec![stamped(grid, next, Duration::days(3650))]).1).unwrap();
    assert_tells_to_fix_the_date(&far.message);
    assert_eq!(
        (
            storage.change_count().unwrap(),
            storage.stats(None).unwrap()
        ),
        before,
        "nothing applied"
    );

    // Up to a day ahead (a laptop's clock a little fast) is accepted.
    let (status, body) = push(vec![good, stamped(grid, next + 1, Duration::hours(23))]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(storage.change_count().unwrap(), before.0 + 2);
}

#[test]
fn a_usb_bundle_with_a_change_far_ahead_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let storage = county_storage(&dir.path().join("county.db"));
    let a = demo_store(&dir.path().join("a.db"), 200, 2);
    let code = storage.add_village(&village_code(&a), "演示村").unwrap();
    let mut body = cunan_sync::bundle::export(&a, false).unwrap();
    body.enrollment_code = Some(code);
    assert!(
        body.changes.len() > cunan_sync::protocol::MAX_BATCH,
        "the bad change is in a later batch than the first"
    );
    let last = body.changes.len() - 1;
    let grid = body.changes.iter().find(|c| c.table == "grid").unwrap();
    body.changes[last] = stamped(grid, body.changes[last].seq, Duration::days(2));
    // Signed by the device itself: only the clock is wrong.
    let key = cunan_sync::keys::device_key(&a).unwrap();
    let bytes = cunan_sync::bundle::encode_signed(&body, &key).unwrap();

    let err = import_bundle(storage.as_ref(), &bytes, "测试").unwrap_err();
    assert!(matches!(err, ImportError::Storage(_)), "{err}");
    assert_tells_to_fix_the_date(&err.to_string());
    assert_eq!(storage.change_count().unwrap(), 0, "nothing imported");
}
