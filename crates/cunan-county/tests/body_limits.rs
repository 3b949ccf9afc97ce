//! Bodies and tokens (issue #12): a push without a valid token is refused before its body is
//! read, and enrollment (no token) takes only a small body.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;
use cunan_county::CountyStorage;
use cunan_sync::protocol::{ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION};

/// Sends only the head of a POST announcing a `length`-byte body, none of the body, and reads
/// the answer. The read timeout only stops a server that waits for the body from hanging the
/// test (it then fails for want of an answer); nothing here is timed.
fn head_only(county: &County, path: &str, token: Option<&str>, length: usize) -> (u16, String) {
    let mut stream = TcpStream::connect(county.server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: county\r\n{PROTOCOL_HEADER}: {PROTOCOL_VERSION}\r\n\
         content-type: application/json\r\ncontent-length: {length}\r\n{auth}connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(_) => break,
        }
    }
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no answer while the body was not sent: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn a_push_without_a_valid_token_is_refused_before_its_body_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    for token in [None, Some("cna_not-a-token")] {
        // Larger than the push limit, and smaller: 401 either way, never 413, never waiting.
        for length in [32 * 1024 * 1024, 8 * 1024 * 1024] {
            let (status, body) = head_only(&county, "/v1/push", token, length);
            assert_eq!(status, 401, "{token:?} {length}: {body}");
            assert!(body.contains("unauthorized"), "{body}");
        }
    }
    assert_eq!(county.storage.change_count().unwrap(), 0);
}

#[test]
fn enrollment_takes_only_a_small_body() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    // Installs the TLS crypto provider reqwest needs, as the village app does.
    cunan_sync::SyncClient::new(&county.url()).unwrap();
    let http = reqwest::blocking::Client::new();
    let enroll = |body: Vec<u8>, gzip: bool| {
        let mut request = http
            .post(format!("{}/v1/enroll", county.url()))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header("content-type", "application/json");
        if gzip {
            request = request.header("content-encoding", "gzip");
        }
        let response = request.body(body).send().unwrap();
        let status = response.status().as_u16();
        let body: ErrorBody = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
        (status, body)
    };
    let padded = serde_json::json!({
        "code": "A".repeat(8 * 1024),
        "device_id": "device-a"
    })
    .to_string()
    .into_bytes();
    let (status, body) = enroll(padded.clone(), false);
    assert_eq!(status, 413, "{}", body.message);
    assert_eq!(body.code, "too_large");

    // Small once compressed, too large once decompressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&padded).unwrap();
    let compressed = gz.finish().unwrap();
    assert!(compressed.len() < 1024);
    let (status, body) = enroll(compressed, true);
    assert_eq!(status, 413, "{}", body.message);

    // A normal request still gets its answer (an unknown code).
    let (status, body) = enroll(
        br#"{"code": "ABCD-EFGH-JKLM", "device_id": "device-a"}"#.to_vec(),
        false,
    );
    assert_eq!((status, body.code.as_str()), (403, "bad_enrollment_code"));
}
