//! Enrollment is rate-limited per address (issue #12): after 10 wrong codes within 15 minutes an
//! address gets 429 (even with a good code, which stays unused), while another address still
//! enrolls; every attempt is in the audit trail.

use std::net::IpAddr;
use std::sync::Arc;

use cunan_county::api::MAX_FAILED_ENROLLS;
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use cunan_sync::protocol::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION};

const VILLAGE: &str = "330599101201";

fn client_from(ip: [u8; 4]) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .local_address(Some(IpAddr::from(ip)))
        .build()
        .unwrap()
}

fn enroll(
    http: &reqwest::blocking::Client,
    server: &TestServer,
    code: &str,
) -> (u16, ErrorBody, Option<String>) {
    let response = http
        .post(format!("{}/v1/enroll", server.url()))
        .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
        .header("content-type", "application/json")
        .body(serde_json::json!({ "code": code, "device_id": "laptop-1" }).to_string())
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.bytes().unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(ErrorBody {
        code: "ok".into(),
        message: String::new(),
    });
    (status, body, retry_after)
}

#[test]
fn ten_wrong_codes_from_one_address_then_429_while_others_still_enroll() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.db")).unwrap());
    let good = storage.add_village(VILLAGE, "青石村").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    // Installs the TLS crypto provider reqwest needs, as the village app does.
    cunan_sync::SyncClient::new(&server.url()).unwrap();
    let guesser = client_from([127, 0, 0, 2]);

    for i in 0..MAX_FAILED_ENROLLS {
        let (status, body, _) = enroll(&guesser, &server, &format!("WRONG-CODE-{i:04}"));
        assert_eq!((status, body.code.as_str()), (403, "bad_enrollment_code"));
    }
    let (status, body, retry_after) = enroll(&guesser, &server, &good);
    assert_eq!(status, 429, "{}", body.message);
    assert_eq!(body.code, "too_many_attempts");
    assert!(body.message.contains("分钟后再试"), "{}", body.message);
    let wait: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=15 * 60).contains(&wait), "{wait}");

    // The good code was not used up by the refused attempt: another address enrolls with it.
    let (status, body, _) = enroll(&client_from([127, 0, 0, 3]), &server, &good);
    assert_eq!(status, 200, "{}", body.message);
    assert_eq!(storage.devices(VILLAGE).unwrap().len(), 1);

    let audit = storage.audit_log(100).unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|a| a.entry.action == "enroll" && a.entry.actor == "address 127.0.0.2")
        .map(|a| a.entry.outcome.as_str())
        .collect();
    assert_eq!(refused.len(), MAX_FAILED_ENROLLS + 1);
    assert_eq!(refused[0], "too_many_attempts", "newest first");
    assert!(refused[1..].iter().all(|o| *o == "bad_enrollment_code"));
    assert!(audit
        .iter()
        .any(|a| a.entry.actor == "address 127.0.0.3" && a.entry.outcome == "ok"));
}
