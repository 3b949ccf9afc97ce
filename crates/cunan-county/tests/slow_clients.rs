//! Slow and abusive clients (issue #12): a client that sends half a request head is cut off, a
//! request whose body never comes gets 408, and a normal client is still served meanwhile.
//! The server here has short limits; the only times in the test are generous bounds that keep
//! a server that never cuts anyone off from hanging the test (it then fails).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use cunan_county::{ServeLimits, SqliteStorage, TestServer};
use cunan_sync::protocol::{PROTOCOL_HEADER, PROTOCOL_VERSION};

fn server(dir: &std::path::Path) -> TestServer {
    let storage = Arc::new(SqliteStorage::open(&dir.join("county.db")).unwrap());
    let limits = ServeLimits {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        max_connections: 4,
        tls: None,
    };
    TestServer::start_with_limits(storage, 0, limits).unwrap()
}

/// Sends `bytes` and reads until the server closes the connection; `None` if it has not
/// closed it within 20 s.
fn send_and_read(server: &TestServer, bytes: &str) -> (TcpStream, Option<String>) {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(bytes.as_bytes()).unwrap();
    let reader = stream.try_clone().unwrap();
    (stream, read_to_close(reader))
}

fn read_to_close(mut stream: TcpStream) -> Option<String> {
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return Some(String::from_utf8_lossy(&answer).to_string()),
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            // Reset by the server: closed too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(String::from_utf8_lossy(&answer).to_string())
            }
            Err(_) => return None,
        }
    }
}

fn health(server: &TestServer) -> u16 {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .get(format!("{}/v1/health", server.url()))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn half_a_request_head_is_cut_off_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path());
    // Installs the TLS crypto provider reqwest needs, as the village app does.
    cunan_sync::SyncClient::new(&server.url()).unwrap();
    // As many half-sent heads as the server takes connections, each on its own thread.
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let mut stream = TcpStream::connect(server.addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            stream
                .write_all(b"GET /v1/health HTTP/1.1\r\nhost: county\r\nx-cunan-pro")
                .unwrap();
            std::thread::spawn(move || read_to_close(stream))
        })
        .collect();
    // A normal client is served all the same (once the slow ones are cut off, at the latest).
    assert_eq!(health(&server), 200);
    for slow in slow {
        let answer = slow.join().unwrap();
        let answer = answer.expect("a half-sent request head is cut off, not waited for");
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer:?}"
        );
    }
    assert_eq!(health(&server), 200);
}

#[test]
fn a_body_that_never_comes_gets_408() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path());
    let head = format!(
        "POST /v1/enroll HTTP/1.1\r\nhost: county\r\n{PROTOCOL_HEADER}: {PROTOCOL_VERSION}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{{\"code\""
    );
    let (_stream, answer) = send_and_read(&server, &head);
    let answer = answer.expect("a request whose body never comes is answered, not waited for");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("\"timeout\""), "{answer:?}");
}
