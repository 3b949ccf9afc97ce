//! Fuzz campaign (issue #12) for the county server's request decoding, over a real server on
//! loopback: enrollment, push and pull requests with arbitrary bodies, altered valid bodies
//! (a device's real changes tweaked field by field, then bytes cut, flipped, spliced), false
//! gzip, odd protocol headers and query strings.
//!
//! Whatever comes: never a 5xx, never a dropped connection (a handler's panic); a refusal is a
//! 4xx with a JSON error and stores nothing; what is accepted was a valid request. The cases per
//! campaign come from `CUNAN_FUZZ_CASES` (README, "Tests").

mod common;

use std::io::Write;
use std::sync::{Mutex, MutexGuard, OnceLock};

use common::*;
use cunan_core::sync::{self as core_sync, Change};
use cunan_county::CountyStorage;
use cunan_fuzz::{apply, change_plan, config, mutations, Mutation, JSON_TOKENS};
use cunan_sync::protocol::{
    ErrorBody, PullResponse, PushRequest, PushResponse, PROTOCOL_HEADER, PROTOCOL_VERSION,
};
use proptest::prelude::*;
use reqwest::blocking::Client;
use serde_json::json;

/// The county server, with one village and one enrolled device whose real changes the valid
/// requests are made of.
struct World {
    _dir: tempfile::TempDir,
    county: County,
    db: std::path::PathBuf,
    village: String,
    token: String,
    device_id: String,
    changes: Vec<Change>,
    http: Client,
    /// Held by the case under way: the campaigns share the server and compare its database
    /// before and after each request.
    turn: Mutex<()>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("county.db");
        let county = County::start(&db);
        let store = demo_store(&dir.path().join("a.db"), 3, 1);
        let village = village_code(&store);
        let code = county.storage.add_village(&village, "青石村").unwrap();
        let enrollment = county
            .storage
            .enroll(&code, store.device_id(), Some(&village))
            .unwrap()
            .unwrap();
        let changes = core_sync::all_changes(&store, 0, 80).unwrap();
        // Rows for the device to pull: the county's duty lines.
        let lines: Vec<_> = (1..=3)
            .map(|i| {
                let mut row = county_contact(&format!("第{i}条值班电话"));
                row["id"] = json!(format!("0190a000-0000-7000-8000-0000000000c{i}"));
                row
            })
            .collect();
        county.storage.publish("contact", &lines).unwrap();
        // Making a sync client installs the TLS provider reqwest needs to build any client.
        cunan_sync::SyncClient::new(&county.url()).unwrap();
        World {
            county,
            db,
            village,
            token: enrollment.token,
            device_id: store.device_id().to_string(),
            changes,
            http: Client::new(),
            turn: Mutex::new(()),
            _dir: dir,
        }
    })
}

fn turn() -> MutexGuard<'static, ()> {
    world().turn.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every row of the county's database.
/// Everything a refused request must leave alone: every table but the audit trail (which
/// records refused attempts, by design, and so moves `sqlite_sequence`), a token's last use (a
/// good token was used) and the dashboard's summaries (refreshed in the background).
fn county_rows() -> cunan_fuzz::Snapshot {
    let conn = rusqlite::Connection::open(&world().db).unwrap();
    cunan_fuzz::snapshot(
        &conn,
        &[
            ("audit", "*"),
            ("sqlite_sequence", "*"),
            ("village_summary", "*"),
            ("device_token", "last_used_at"),
        ],
    )
}

/// How a body is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Plain,
    Gzip,
    /// Says gzip, is not.
    FalseGzip,
}

/// One request of a case.
#[derive(Debug, Clone)]
struct Request {
    encoding: Encoding,
    /// The protocol header's value, or none.
    protocol: Option<String>,
    /// The device token sent (push and pull), or none.
    token: Option<String>,
}

fn request() -> impl Strategy<Value = Request> {
    let encoding = prop_oneof![
        4 => Just(Encoding::Plain),
        4 => Just(Encoding::Gzip),
        1 => Just(Encoding::FalseGzip),
    ];
    let protocol = prop_oneof![
        8 => Just(Some(PROTOCOL_VERSION.to_string())),
        1 => proptest::option::of(prop_oneof![
            Just("0".to_string()),
            Just("2".to_string()),
            Just(" 1 ".to_string()),
            Just("4294967296".to_string()),
            "[ -~]{0,12}",
        ]),
    ];
    let token = prop_oneof![
        8 => Just(true),
        1 => Just(false),
    ];
    (encoding, protocol, token).prop_map(|(encoding, protocol, token)| Request {
        encoding,
        protocol,
        token: Some(if token {
            world().token.clone()
        } else {
            "cna_0000".into()
        }),
    })
}

/// Sends `body` to `path` as `request` says; returns the status and the answer's bytes. A
/// dropped connection (a handler that panicked) fails the case.
fn send(
    method: &str,
    path: &str,
    request: &Request,
    body: &[u8],
) -> Result<(u16, Vec<u8>), TestCaseError> {
    let world = world();
    let url = format!("{}{path}", world.county.url());
    let mut builder = match method {
        "GET" => world.http.get(&url),
        _ => world.http.post(&url),
    };
    if let Some(protocol) = &request.protocol {
        builder = builder.header(PROTOCOL_HEADER, protocol.as_str());
    }
    if let Some(token) = &request.token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    if method != "GET" {
        let body = match request.encoding {
            Encoding::Gzip => {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(body).unwrap();
                gz.finish().unwrap()
            }
            _ => body.to_vec(),
        };
        if request.encoding != Encoding::Plain {
            builder = builder.header("content-encoding", "gzip");
        }
        builder = builder
            .header("content-type", "application/json")
            .body(body);
    }
    let response = builder
        .send()
        .map_err(|e| TestCaseError::fail(format!("no answer (a handler panicked?): {e}")))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .map_err(|e| TestCaseError::fail(format!("answer cut short: {e}")))?;
    Ok((status, bytes.to_vec()))
}

/// A refusal: a 4xx with a JSON error the client can show; the database unchanged.
fn check_refusal(
    status: u16,
    answer: &[u8],
    before: &cunan_fuzz::Snapshot,
) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(answer);
    prop_assert!(status < 500, "{status}: {text}");
    prop_assert!((400..500).contains(&status), "{status}: {text}");
    let error: ErrorBody = serde_json::from_slice(answer)
        .map_err(|e| TestCaseError::fail(format!("{status} without a JSON error ({e}): {text}")))?;
    prop_assert!(
        !error.code.is_empty() && !error.message.is_empty(),
        "{text}"
    );
    prop_assert!(
        before == &county_rows(),
        "a refused request changed the database"
    );
    Ok(())
}

/// Mostly none: damaged JSON is refused early, and the cases that get further matter most.
fn maybe_damage() -> impl Strategy<Value = Vec<Mutation>> {
    prop_oneof![3 => Just(Vec::new()), 1 => mutations(JSON_TOKENS)]
}

/// A push body: the device's real changes altered, arbitrary JSON, or raw bytes.
fn push_body() -> impl Strategy<Value = Vec<u8>> {
    let world = world();
    let codes = [world.village.as_str(), "county", "330599101299", ""];
    let own_device = prop_oneof![9 => Just(true), 1 => Just(false)];
    let valid =
        (change_plan(world.changes.len(), 3), own_device).prop_map(move |(plan, own_device)| {
            let changes = plan.changes(&world.changes, &codes);
            let device_id = if own_device {
                world.device_id.clone()
            } else {
                "0190a000-0000-7000-8000-00000000000b".into()
            };
            serde_json::to_vec(&PushRequest { device_id, changes }).unwrap()
        });
    let body = prop_oneof![
        6 => valid,
        1 => cunan_fuzz::json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ];
    (body, maybe_damage()).prop_map(|(bytes, damage)| apply(&bytes, &damage))
}

/// An enrollment body: a request with odd fields, arbitrary JSON, or raw bytes. (Never a code
/// the county issued: none of these may enroll anything.)
fn enroll_body() -> impl Strategy<Value = Vec<u8>> {
    let valid = (
        cunan_fuzz::text(),
        cunan_fuzz::text(),
        proptest::option::of(cunan_fuzz::text()),
    )
        .prop_map(|(code, device_id, village_code)| {
            serde_json::to_vec(&json!({
                "code": code, "device_id": device_id, "village_code": village_code
            }))
            .unwrap()
        });
    let body = prop_oneof![
        6 => valid,
        1 => cunan_fuzz::json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ];
    (body, maybe_damage()).prop_map(|(bytes, damage)| apply(&bytes, &damage))
}

/// A pull's query string: numbers at the edges, text, nothing.
fn pull_query() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        (0i64..4).prop_map(|n| n.to_string()),
        (0i64..200).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_string()),
        Just("-0".to_string()),
        Just("1e3".to_string()),
        Just("%00".to_string()),
        "[ -~]{0,8}",
    ];
    prop_oneof![
        (number.clone(), number).prop_map(|(c, l)| format!("?cursor={c}&limit={l}")),
        "[ -~]{0,24}".prop_map(|q| format!("?{}", q.replace([' ', '#'], "+"))),
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn a_push_is_stored_whole_if_valid_and_otherwise_refused_with_a_json_error(
        body in push_body(),
        request in request(),
    ) {
        let _turn = turn();
        let before = county_rows();
        let (status, answer) = send("POST", "/v1/push", &request, &body)?;
        if status == 200 {
            let sent: PushRequest = serde_json::from_slice(&body)
                .map_err(|e| TestCaseError::fail(format!("accepted a body that does not decode: {e}")))?;
            let reply: PushResponse = serde_json::from_slice(&answer)
                .map_err(|e| TestCaseError::fail(format!("answer: {e}")))?;
            prop_assert_eq!(reply.stored + reply.duplicates, sent.changes.len());
            prop_assert!(request.encoding != Encoding::FalseGzip);
        } else {
            check_refusal(status, &answer, &before)?;
        }
    }

    #[test]
    fn an_enrollment_with_a_code_never_issued_is_refused_with_a_json_error(
        body in enroll_body(),
        request in request(),
    ) {
        let _turn = turn();
        let before = county_rows();
        let (status, answer) = send("POST", "/v1/enroll", &request, &body)?;
        check_refusal(status, &answer, &before)?;
    }

    #[test]
    fn a_pull_answers_a_page_that_moves_on_or_a_json_error_and_stores_nothing(
        query in pull_query(),
        request in request(),
    ) {
        let _turn = turn();
        let world = world();
        let before = county_rows();
        let (status, answer) = send("GET", &format!("/v1/pull{query}"), &request, &[])?;
        if status == 200 {
            let page: PullResponse = serde_json::from_slice(&answer)
                .map_err(|e| TestCaseError::fail(format!("answer: {e}")))?;
            let asked: i64 = query
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("cursor="))
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            prop_assert!(page.cursor >= asked, "{query}: cursor went back to {}", page.cursor);
            prop_assert!(!page.more || page.cursor > asked, "{query}: more, but the cursor stays");
            prop_assert!(page
                .changes
                .iter()
                .all(|c| c.village_code == world.village || c.village_code == "county"));
            prop_assert!(before == county_rows(), "a pull changed the database");
        } else {
            check_refusal(status, &answer, &before)?;
        }
    }
}
