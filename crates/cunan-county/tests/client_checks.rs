//! The village client against a server that answers wrongly (issue #12): a pulled row of
//! another village is not applied, and an answer larger than the client reads is not read to
//! the end. The "server" is a few lines over a loopback socket, answering what the test says.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use common::*;
use cunan_core::sync::{self as core_sync, Change};
use cunan_core::Store;
use cunan_sync::protocol::MAX_RESPONSE_BYTES;
use cunan_sync::SyncClient;
use serde_json::json;

const SERVER_ID: &str = "fake-county-0001";

/// Answers `/v1/health` as [`SERVER_ID`], acknowledges every push, and answers `/v1/pull` with
/// `pull` (the whole raw body, sent without a length and ended by closing the connection).
fn fake_county(pull: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let pull = Arc::new(pull);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let pull = pull.clone();
            std::thread::spawn(move || answer(stream, &pull));
        }
    });
    url
}

fn answer(stream: TcpStream, pull: &[u8]) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let reply: Vec<u8> = if path.starts_with("/v1/health") {
        serde_json::to_vec(&json!({"service": "cunan-county", "protocol": 1, "min_protocol": 1, "server_id": SERVER_ID})).unwrap()
    } else if path.starts_with("/v1/push") {
        serde_json::to_vec(&json!({"ack_seq": 1_000_000, "stored": 0, "duplicates": 0})).unwrap()
    } else {
        pull.to_vec()
    };
    let mut stream = stream;
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply);
}

/// A demo village store enrolled with the fake county at `url`.
fn enrolled(dir: &std::path::Path, url: &str) -> Store {
    let mut store = demo_store(&dir.join("v.db"), 3, 1);
    let code = village_code(&store);
    core_sync::save_enrollment(&mut store, url, Some(SERVER_ID), "cna_fake", &code).unwrap();
    store
}

fn county_change(seq: i64, note: &str) -> Change {
    let mut data = county_contact(note);
    let hlc = format!("{:013}-000000", 1_780_000_000_000i64 + seq);
    data["id"] = json!(format!("0190a000-0000-7000-8000-{seq:012x}"));
    data["village_code"] = json!("county");
    data["owner"] = json!("county");
    data["device_id"] = json!("county");
    data["deleted"] = json!(false);
    data["hlc"] = json!(hlc);
    Change {
        seq,
        table: "contact".into(),
        row_id: data["id"].as_str().unwrap().to_string(),
        op: "upsert".into(),
        hlc,
        device_id: "county".into(),
        base_hlc: None,
        village_code: "county".into(),
        data,
    }
}

fn cursor(store: &Store) -> i64 {
    core_sync::current_server(store)
        .unwrap()
        .unwrap()
        .pull_cursor
}

#[test]
fn a_pulled_row_of_another_village_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let county_row = county_change(1, "县里的");
    let mut foreign = county_change(2, "别村的");
    foreign.village_code = "330502101299".into();
    foreign.data["village_code"] = json!("330502101299");
    foreign.data["owner"] = json!("village");
    let page = json!({"changes": [county_row, foreign], "cursor": 2, "more": false});
    let url = fake_county(serde_json::to_vec(&page).unwrap());
    let mut store = enrolled(dir.path(), &url);
    let before = device_rows(&store);

    let err = SyncClient::new(&url)
        .unwrap()
        .sync_once(&mut store, &mut |_| {})
        .unwrap_err();
    assert_eq!(err.code(), "sync_foreign_rows", "{err}");
    assert!(err.to_string().contains("不属于本村"), "{err}");
    assert_eq!(device_rows(&store), before, "nothing of the page applied");
    assert_eq!(cursor(&store), 0);

    // The county's row alone is applied: the fake county is one the client works with.
    let alone = json!({"changes": [county_change(1, "县里的")], "cursor": 1, "more": false});
    let url = fake_county(serde_json::to_vec(&alone).unwrap());
    let other = tempfile::tempdir().unwrap();
    let mut store = enrolled(other.path(), &url);
    SyncClient::new(&url)
        .unwrap()
        .sync_once(&mut store, &mut |_| {})
        .unwrap();
    let id = county_change(1, "").row_id;
    assert!(device_rows(&store).contains_key(&("contact".to_string(), id)));
    assert_eq!(cursor(&store), 1);
}

#[test]
fn an_answer_larger_than_the_client_reads_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A valid page, padded past the cap with a field the client ignores.
    let mut page = br#"{"changes": [], "cursor": 7, "more": false, "padding": ""#.to_vec();
    page.resize(page.len() + MAX_RESPONSE_BYTES, b'x');
    page.extend_from_slice(br#""}"#);
    let url = fake_county(page);
    let mut store = enrolled(dir.path(), &url);
    let err = SyncClient::new(&url)
        .unwrap()
        .sync_once(&mut store, &mut |_| {})
        .unwrap_err();
    assert_eq!(err.code(), "sync_response_too_large", "{err}");
    assert!(err.to_string().contains("过大"), "{err}");
    assert_eq!(cursor(&store), 0);
}
