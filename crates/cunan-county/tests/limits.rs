//! Sizes (issue #12): a single change has a size cap, and a pull page a byte budget, so that no
//! village can make the server (or another village's laptop) run out of memory.

mod common;

use common::*;
use cunan_core::sync::Change;
use cunan_county::CountyStorage;
use cunan_sync::protocol::{
    ErrorBody, PullResponse, PushRequest, MAX_CHANGE_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION,
    PULL_BUDGET_BYTES,
};
use serde_json::json;

fn token(store: &cunan_core::Store) -> String {
    cunan_core::sync::current_server(store)
        .unwrap()
        .unwrap()
        .device_token
        .unwrap()
}

fn push(county: &County, token: &str, device_id: &str, changes: Vec<Change>) -> (u16, Vec<u8>) {
    let body = serde_json::to_vec(&PushRequest {
        device_id: device_id.to_string(),
        changes,
    })
    .unwrap();
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/v1/push", county.url()))
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .header("content-type", "application/json")
        .bearer_auth(token)
        .body(body)
        .send()
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().unwrap().to_vec(),
    )
}

/// A new version of one of the village's grid rows, with a note of `note_bytes` bytes.
fn with_note(store: &cunan_core::Store, seq: i64, note_bytes: usize) -> Change {
    let mut change = cunan_core::sync::all_changes(store, 0, 10_000)
        .unwrap()
        .into_iter()
        .find(|c| c.table == "grid")
        .unwrap();
    let mut hlc = cunan_core::clock::Hlc::parse(&change.hlc).unwrap();
    hlc.wall_ms += 60_000 + seq;
    change.seq = seq;
    change.base_hlc = Some(change.hlc.clone());
    change.hlc = hlc.to_string();
    change.data["hlc"] = json!(change.hlc);
    change.data["note"] = json!("x".repeat(note_bytes));
    change
}

#[test]
fn an_oversized_change_is_refused_with_its_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut store = demo_store(&dir.path().join("v.db"), 3, 1);
    enrolled_and_synced(&county, &mut store);
    let token = token(&store);
    let device = store.device_id().to_string();
    let next = cunan_core::sync::all_changes(&store, 0, 10_000)
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .max()
        .unwrap()
        + 1;
    let before = county.storage.change_count().unwrap();
    let fits = with_note(&store, next, MAX_CHANGE_BYTES - 8 * 1024);
    let too_big = with_note(&store, next + 1, MAX_CHANGE_BYTES + 1);

    let (status, body) = push(&county, &token, &device, vec![fits.clone(), too_big]);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    let error: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.code, "change_too_large");
    assert!(error.message.contains("整批没有接收"), "{}", error.message);
    assert_eq!(county.storage.change_count().unwrap(), before);

    // A large change under the cap is taken.
    let (status, body) = push(&county, &token, &device, vec![fits]);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(county.storage.change_count().unwrap(), before + 1);
}

#[test]
fn large_changes_are_pulled_in_pages_under_the_budget_each_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut store = demo_store(&dir.path().join("v.db"), 3, 1);
    let client = enrolled_and_synced(&county, &mut store);
    let token = token(&store);
    // 40 county contacts of about 200 KB each: 8 MB in all, under the 500-change batch limit.
    let ids: Vec<String> = (1..=40)
        .map(|i| format!("0190a000-0000-7000-8000-{i:012x}"))
        .collect();
    let rows: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut row = county_contact(&format!("{i}{}", "备".repeat(65_000)));
            row["id"] = json!(id);
            row
        })
        .collect();
    county.storage.publish("contact", &rows).unwrap();

    let http = reqwest::blocking::Client::new();
    let mut cursor = 0;
    let mut pages = 0;
    let mut pulled = Vec::new();
    loop {
        let response = http
            .get(format!(
                "{}/v1/pull?cursor={cursor}&limit=500",
                county.url()
            ))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&token)
            .send()
            .unwrap();
        let page: PullResponse = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
        pages += 1;
        let bytes = serde_json::to_vec(&page.changes).unwrap().len();
        assert!(
            bytes <= PULL_BUDGET_BYTES,
            "page {pages}: {bytes} bytes of changes"
        );
        assert!(page.more || page.changes.len() <= 40);
        pulled.extend(page.changes.into_iter().map(|c| (c.row_id, c.seq)));
        cursor = page.cursor;
        if !page.more {
            break;
        }
        assert!(pages < 100, "the pull does not end");
    }
    assert!(pages >= 2, "{pages} page(s)");
    let expected: Vec<(String, i64)> = ids.iter().cloned().zip(1..).collect();
    assert_eq!(pulled, expected, "every change once, in order");

    // The village client follows the pages to the end.
    client.sync_once(&mut store, &mut |_| {}).unwrap();
    let held = device_rows(&store);
    for id in &ids {
        assert!(
            held.contains_key(&("contact".to_string(), id.clone())),
            "{id}"
        );
    }
}
