//! Access and hostile input: a village's token reaches only its own village (and county data);
//! missing, wrong or revoked tokens get 401; malformed input gets a clear 4xx; nothing is applied.

mod common;

use std::io::Write;

use common::*;
use cunan_core::sync::{unpushed, Change};
use cunan_county::CountyStorage;
use cunan_sync::protocol::{
    EnrollResponse, ErrorBody, PullResponse, PushRequest, PROTOCOL_HEADER, PROTOCOL_VERSION,
};
use cunan_sync::SyncClient;
use reqwest::blocking::Client;
use serde_json::{json, Value};

struct Village {
    code: String,
    token: String,
    device_id: String,
    changes: Vec<Change>,
}

struct World {
    _dir: tempfile::TempDir,
    county: County,
    a: Village,
    b: Village,
    http: Client,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let client = SyncClient::new(&county.url()).unwrap();
    let mut villages = Vec::new();
    for (name, seed) in [("a", 1), ("b", 2)] {
        // Two demo villages share a code; give B its own.
        let path = dir.path().join(format!("{name}.db"));
        let mut store = if name == "b" {
            demo_village_as(&path, 3, seed, "330502101202", None)
        } else {
            demo_store(&path, 3, seed)
        };
        let code = village_code(&store);
        let enrollment = county.storage.add_village(&code, name).unwrap();
        client.enroll(&mut store, &enrollment).unwrap();
        client.sync_once(&mut store, &mut |_| {}).unwrap();
        let token = cunan_core::sync::current_server(&store)
            .unwrap()
            .unwrap()
            .device_token
            .unwrap();
        let changes = cunan_core::sync::all_changes(&store, 0, 10_000).unwrap();
        assert!(unpushed(&store, 0, 10).unwrap().is_empty());
        villages.push(Village {
            code,
            token,
            device_id: store.device_id().to_string(),
            changes,
        });
    }
    let b = villages.pop().unwrap();
    let a = villages.pop().unwrap();
    assert_ne!(a.code, b.code);
    World {
        _dir: dir,
        county,
        a,
        b,
        http: Client::new(),
    }
}

impl World {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.county.url())
    }

    fn post(&self, path: &str, token: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    fn push(&self, token: Option<&str>, device_id: &str, changes: Vec<Change>) -> (u16, Value) {
        let body = serde_json::to_vec(&PushRequest {
            device_id: device_id.to_string(),
            changes,
        })
        .unwrap();
        self.post("/v1/push", token, body)
    }

    fn pull(&self, token: Option<&str>, query: &str) -> (u16, Value) {
        let mut request = self
            .http
            .get(self.url(&format!("/v1/pull{query}")))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// The whole server state that a refused request must leave alone.
    fn snapshot(&self) -> (i64, cunan_county::storage::Stats, usize) {
        (
            self.county.storage.change_count().unwrap(),
            self.county.storage.stats(None).unwrap(),
            self.county.storage.conflicts().unwrap().len(),
        )
    }
}

/// A change of village A, edited: a new version of an existing row.
fn edited(v: &Village, seq: i64) -> Change {
    let mut change = v
        .changes
        .iter()
        .find(|c| c.table == "grid")
        .unwrap()
        .clone();
    change.seq = seq;
    change.base_hlc = Some(change.hlc.clone());
    change.hlc = later(&change.hlc, 60 * 60 * 1000);
    change.data["hlc"] = json!(change.hlc);
    change.data["note"] = json!("改");
    change
}

/// An `hlc` `ms` milliseconds after `hlc` (well within what the server accepts: it refuses
/// clocks far ahead of its own).
fn later(hlc: &str, ms: i64) -> String {
    let mut hlc = cunan_core::clock::Hlc::parse(hlc).unwrap();
    hlc.wall_ms += ms;
    hlc.to_string()
}

fn assert_error(result: (u16, Value), status: u16) {
    assert_eq!(result.0, status, "{}", result.1);
    let body: ErrorBody = serde_json::from_value(result.1).expect("an error body");
    assert!(!body.code.is_empty());
    assert!(
        body.message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "a Chinese message: {}",
        body.message
    );
}

#[test]
fn a_village_token_reaches_only_its_own_village() {
    let w = world();
    let before = w.snapshot();
    let next_seq = w.a.changes.len() as i64 + 1;

    // A writes a change that claims village B's code: refused whole, nothing applied.
    let mut foreign = edited(&w.a, next_seq);
    foreign.village_code = w.b.code.clone();
    foreign.data["village_code"] = json!(w.b.code);
    let ok_change = edited(&w.a, next_seq + 1);
    assert_error(
        w.push(
            Some(&w.a.token),
            &w.a.device_id,
            vec![ok_change.clone(), foreign],
        ),
        403,
    );
    // A overwrites one of B's rows, under A's own code: refused.
    let mut hijack = edited(&w.b, next_seq);
    hijack.village_code = w.a.code.clone();
    hijack.data["village_code"] = json!(w.a.code);
    hijack.device_id = w.a.device_id.clone();
    assert_error(w.push(Some(&w.a.token), &w.a.device_id, vec![hijack]), 403);
    // A pushes in B's device's name: refused.
    let mut spoof = edited(&w.b, next_seq);
    spoof.device_id = w.b.device_id.clone();
    assert_error(
        w.push(Some(&w.a.token), &w.b.device_id, vec![spoof.clone()]),
        403,
    );
    assert_error(w.push(Some(&w.a.token), &w.a.device_id, vec![spoof]), 403);
    // A renames its village to B's code: refused.
    let mut village = w.a.changes[0].clone();
    assert_eq!(village.table, "village");
    village.seq = next_seq;
    village.data["code"] = json!(w.b.code);
    assert_error(w.push(Some(&w.a.token), &w.a.device_id, vec![village]), 403);
    assert_eq!(w.snapshot(), before, "nothing applied");

    // Pull gives A only A's other devices' changes and county data, never B's.
    let (status, body) = w.pull(Some(&w.a.token), "?cursor=0");
    assert_eq!(status, 200);
    let pulled: PullResponse = serde_json::from_value(body).unwrap();
    assert!(
        pulled.changes.is_empty(),
        "A's own changes are not sent back"
    );
    w.county
        .storage
        .publish(
            "setting",
            &[json!({"id": "0190a000-0000-7000-8000-0000000000aa", "key": "report_deadline_minutes", "value": {"phone": 30, "written": 60}})],
        )
        .unwrap();
    let (_, body) = w.pull(Some(&w.a.token), "?cursor=0");
    let pulled: PullResponse = serde_json::from_value(body).unwrap();
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].village_code, "county");
    // B's rows are reachable by nobody but B.
    let (_, body) = w.pull(Some(&w.b.token), "?cursor=0");
    let pulled: PullResponse = serde_json::from_value(body).unwrap();
    assert!(pulled.changes.iter().all(|c| c.village_code != w.a.code));

    // A's token registers a key for A's device only: another key for it is refused, and B's
    // registered key is untouched.
    let b_key = w
        .county
        .storage
        .device_key(&w.b.code, &w.b.device_id)
        .unwrap();
    assert!(b_key.is_some(), "B enrolled with its key");
    let forged_key = "11".repeat(32);
    let body = json!({ "public_key": forged_key }).to_string().into_bytes();
    let (status, _) = w.post("/v1/device-key", Some(&w.a.token), body);
    assert!(status == 403 || status == 400, "{status}");
    assert_eq!(
        w.county
            .storage
            .device_key(&w.b.code, &w.b.device_id)
            .unwrap(),
        b_key
    );

    // The good change alone is accepted.
    let (status, _) = w.push(Some(&w.a.token), &w.a.device_id, vec![ok_change]);
    assert_eq!(status, 200);
}

#[test]
fn a_village_cannot_write_a_row_as_the_countys() {
    let w = world();
    let before = w.snapshot();
    let next_seq = w.a.changes.len() as i64 + 1;
    let ok_change = edited(&w.a, next_seq);
    // One of A's own contacts, edited to say the county issued it (the app shows such a row
    // locked, as 县里下发).
    let mut contact =
        w.a.changes
            .iter()
            .find(|c| c.table == "contact")
            .unwrap()
            .clone();
    contact.seq = next_seq + 1;
    contact.base_hlc = Some(contact.hlc.clone());
    contact.hlc = later(&contact.hlc, 60 * 60 * 1000);
    contact.data["hlc"] = json!(contact.hlc);
    contact.data["owner"] = json!("county");
    // The county's own scope on the wire (a row whose data names another village than the
    // change does is already malformed, 400).
    let mut wire_county = edited(&w.a, next_seq + 1);
    wire_county.village_code = "county".into();
    wire_county.data["village_code"] = json!("county");
    for claim in [contact, wire_county] {
        let result = w.push(
            Some(&w.a.token),
            &w.a.device_id,
            vec![ok_change.clone(), claim],
        );
        assert_eq!(result.1["code"], "forbidden", "{}", result.1);
        assert_error(result, 403);
    }
    assert_eq!(w.snapshot(), before, "nothing applied");
    let (status, _) = w.push(Some(&w.a.token), &w.a.device_id, vec![ok_change]);
    assert_eq!(status, 200);
}

#[test]
fn missing_wrong_or_revoked_tokens_get_401_and_change_nothing() {
    let w = world();
    let before = w.snapshot();
    let change = edited(&w.a, w.a.changes.len() as i64 + 1);
    let key_body = json!({ "public_key": "22".repeat(32) })
        .to_string()
        .into_bytes();
    for token in [None, Some("cna_wrong"), Some(""), Some(&*"x".repeat(5000))] {
        assert_error(w.push(token, &w.a.device_id, vec![change.clone()]), 401);
        assert_error(w.pull(token, "?cursor=0"), 401);
        assert_error(w.post("/v1/device-key", token, key_body.clone()), 401);
    }
    // A token from another server's scheme (not Bearer) is refused too.
    let response = w
        .http
        .get(w.url("/v1/pull"))
        .header(PROTOCOL_HEADER, "1")
        .header("authorization", format!("Basic {}", w.a.token))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    w.county.storage.revoke_village(&w.a.code).unwrap();
    assert_error(w.push(Some(&w.a.token), &w.a.device_id, vec![change]), 401);
    assert_error(w.pull(Some(&w.a.token), "?cursor=0"), 401);
    assert_error(w.post("/v1/device-key", Some(&w.a.token), key_body), 401);
    // B is unaffected by A's revocation.
    assert_eq!(w.pull(Some(&w.b.token), "?cursor=0").0, 200);
    assert_eq!(w.snapshot(), before);

    // Enrollment: a wrong or used code is refused, and gives no token.
    let body = json!({"code": "AAAA-BBBB-CCCC", "device_id": "d"}).to_string();
    assert_error(w.post("/v1/enroll", None, body.into_bytes()), 403);
    let code = w.county.storage.add_village(&w.a.code, "a").unwrap();
    let body = json!({"code": code, "device_id": "new-device"}).to_string();
    let (status, value) = w.post("/v1/enroll", None, body.clone().into_bytes());
    assert_eq!(status, 200);
    let enrolled: EnrollResponse = serde_json::from_value(value).unwrap();
    assert_eq!(enrolled.village_code, w.a.code);
    assert_error(w.post("/v1/enroll", None, body.into_bytes()), 403);
}

#[test]
fn hostile_input_gets_a_clear_error_and_changes_nothing() {
    let w = world();
    let before = w.snapshot();
    let seq = w.a.changes.len() as i64 + 1;
    let token = Some(w.a.token.as_str());

    // Not JSON, wrong shapes, wrong types.
    for body in [
        &b"not json"[..],
        b"{",
        b"[]",
        b"{\"device_id\": 5, \"changes\": []}",
        b"{\"device_id\": \"x\", \"changes\": [{\"seq\": \"one\"}]}",
        b"\xff\xfe\x00",
    ] {
        assert_error(w.post("/v1/push", token, body.to_vec()), 400);
        assert_error(w.post("/v1/enroll", None, body.to_vec()), 400);
    }
    // Hostile table names, ops, hlcs, ids, and a data/envelope mismatch: the whole batch is refused.
    let good = edited(&w.a, seq);
    let mut bad: Vec<Change> = Vec::new();
    for f in [
        (|c: &mut Change| c.table = "grid; DROP TABLE change; --".into()) as fn(&mut Change),
        |c| c.table = "sync_state".into(),
        |c| c.op = "truncate".into(),
        |c| c.hlc = "yesterday".into(),
        |c| c.row_id = "other".into(),
        |c| c.data = json!([1, 2]),
        |c| c.data["village_code"] = json!("110101001001"),
        |c| c.seq = 0,
    ] {
        let mut c = good.clone();
        f(&mut c);
        bad.push(c);
    }
    for b in bad {
        assert_error(w.push(token, &w.a.device_id, vec![good.clone(), b]), 400);
    }
    // Bad pull queries.
    for query in [
        "?cursor=-1",
        "?cursor=abc",
        "?limit=-5",
        "?cursor=99999999999999999999999",
    ] {
        assert_error(w.pull(token, query), 400);
    }
    // Huge bodies: raw, and a small gzip that inflates past the limit.
    let huge = vec![b' '; 17 * 1024 * 1024];
    assert_error(w.post("/v1/push", token, huge), 413);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 40 * 1024 * 1024]).unwrap();
    let bomb = gz.finish().unwrap();
    let response = w
        .http
        .post(w.url("/v1/push"))
        .header(PROTOCOL_HEADER, "1")
        .header("content-encoding", "gzip")
        .bearer_auth(&w.a.token)
        .body(bomb)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    // Corrupt gzip.
    let response = w
        .http
        .post(w.url("/v1/push"))
        .header(PROTOCOL_HEADER, "1")
        .header("content-encoding", "gzip")
        .bearer_auth(&w.a.token)
        .body(vec![0x1f, 0x8b, 8, 0, 1, 2, 3])
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(w.snapshot(), before, "nothing applied");

    // Replayed batches: stored once, acknowledged every time.
    let (status, first) = w.push(token, &w.a.device_id, vec![good.clone()]);
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["stored"], 1);
    let after_first = w.snapshot();
    for _ in 0..3 {
        let (status, again) = w.push(token, &w.a.device_id, vec![good.clone()]);
        assert_eq!(status, 200);
        assert_eq!(again["stored"], 0);
        assert_eq!(again["duplicates"], 1);
        assert_eq!(again["ack_seq"], first["ack_seq"]);
    }
    assert_eq!(w.snapshot(), after_first);

    // The same (device, seq) with other content (a store restored from an old copy) is refused,
    // not silently dropped.
    let mut reused = good.clone();
    reused.hlc = later(&good.hlc, 1);
    reused.data["hlc"] = json!(reused.hlc);
    assert_error(w.push(token, &w.a.device_id, vec![reused]), 403);
    assert_eq!(w.snapshot(), after_first);
}

#[test]
fn too_old_or_too_new_clients_get_a_clear_chinese_message() {
    let w = world();
    for (header, status) in [
        (None, 426),
        (Some("0"), 426),
        (Some("x"), 426),
        (Some("99"), 409),
    ] {
        let mut request = w
            .http
            .get(w.url("/v1/pull?cursor=0"))
            .bearer_auth(&w.a.token);
        if let Some(h) = header {
            request = request.header(PROTOCOL_HEADER, h);
        }
        let response = request.send().unwrap();
        let code = response.status().as_u16();
        let body: Value = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
        assert_error((code, body), status);
    }
    // Health needs no version and no token.
    let response = w.http.get(w.url("/v1/health")).send().unwrap();
    assert_eq!(response.status().as_u16(), 200);
}
