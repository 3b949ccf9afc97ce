//! Transport security (issue #12): the server serves HTTPS itself; a village trusts it through
//! the system's authorities or the county's own (`county-ca.pem`), and refuses a certificate it
//! cannot verify before sending anything. Plain http to another computer is refused unless the
//! officer allowed it at enrollment.
//!
//! `http://0.0.0.0:PORT` stands in for "another computer": Linux delivers it to this machine,
//! but it is not a loopback address, so the client treats it as remote.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use cunan_core::demo::{self, DemoOptions};
use cunan_core::Store;
use cunan_county::{CountyStorage, ServeLimits, SqliteStorage, TestServer};
use cunan_sync::client::{is_plain_remote, ClientOptions};
use cunan_sync::{SyncClient, SyncError};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

/// A county certificate authority and a server certificate for `localhost` it signed:
/// (authority PEM, server certificate PEM, server key PEM).
fn county_pki() -> (String, String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "某县应急管理局 自建证书");
    let ca = ca.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    (ca.pem(), server.pem(), server_key.serialize_pem())
}

fn demo_store(path: &Path, households: usize, seed: u64) -> Store {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let options = DemoOptions {
        households,
        seed,
        today,
    };
    demo::create(path, options).unwrap().0
}

fn village_code(store: &Store) -> String {
    store.village().unwrap().unwrap().code
}

/// A county server serving HTTPS with `cert` and `key` (PEM).
fn https_county(dir: &Path, cert: &str, key: &str) -> (Arc<SqliteStorage>, TestServer) {
    let storage = Arc::new(SqliteStorage::open(&dir.join("county.db")).unwrap());
    let limits = ServeLimits {
        tls: Some(cunan_county::tls_config(cert.as_bytes(), key.as_bytes()).unwrap()),
        ..Default::default()
    };
    let server = TestServer::start_with_limits(storage.clone(), 0, limits).unwrap();
    (storage, server)
}

fn options(ca: Option<&str>) -> ClientOptions {
    ClientOptions {
        extra_roots_pem: ca.map(|pem| pem.as_bytes().to_vec()),
        allow_plain_http: false,
    }
}

#[test]
fn a_village_syncs_over_https_and_refuses_a_certificate_it_cannot_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = county_pki();
    let (storage, server) = https_county(dir.path(), &cert, &key);
    let mut village = demo_store(&dir.path().join("v.db"), 5, 3);
    let code = storage
        .add_village(&village_code(&village), "演示村")
        .unwrap();
    let timeout = Duration::from_secs(20);

    // Without the county's authority: refused at the handshake, nothing sent, code unused.
    let stranger = SyncClient::with_options(&server.https_url(), timeout, &options(None)).unwrap();
    let err = stranger.enroll(&mut village, &code).unwrap_err();
    assert!(matches!(err, SyncError::Certificate(_)), "{err:?}");
    assert_eq!(err.code(), "sync_certificate");
    assert!(err.to_string().contains("county-ca.pem"), "{err}");
    assert!(storage.devices(&village_code(&village)).unwrap().is_empty());

    // With it: enrolls and syncs, over TLS.
    let client =
        SyncClient::with_options(&server.https_url(), timeout, &options(Some(&ca))).unwrap();
    client.enroll(&mut village, &code).unwrap();
    let report = client.sync_once(&mut village, &mut |_| {}).unwrap();
    assert!(report.pushed > 100, "{report:?}");
    let mut on_server = storage.live_rows(&village_code(&village)).unwrap();
    on_server.extend(storage.live_rows("county").unwrap());
    assert!(
        cunan_core::sync::live_rows(&village).unwrap() == on_server,
        "the same rows on both sides after a sync over https"
    );

    // Plain http to the TLS port gets nowhere.
    let plain = SyncClient::with_timeout(&server.url(), timeout).unwrap();
    assert!(plain.server_info().is_err());
}

#[test]
fn the_app_layer_trusts_the_countys_authority_from_county_ca_pem_next_to_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = county_pki();
    let (storage, server) = https_county(dir.path(), &cert, &key);
    let folder = dir.path().join("村安数据");
    std::fs::create_dir(&folder).unwrap();
    let mut village = demo_store(&folder.join("village.sqlite3"), 3, 4);
    let code = storage
        .add_village(&village_code(&village), "演示村")
        .unwrap();

    let err =
        cunan_app_api::enroll::enroll(&mut village, &server.https_url(), &code, false).unwrap_err();
    assert_eq!(err.code.as_str(), "sync_certificate");
    assert_eq!(err.field.as_deref(), Some("服务器地址"));

    std::fs::write(folder.join("county-ca.pem"), &ca).unwrap();
    cunan_app_api::enroll::enroll(&mut village, &server.https_url(), &code, false).unwrap();
}

#[test]
fn tls_files_that_are_not_pem_get_a_chinese_error() {
    let (_, cert, key) = county_pki();
    let err = cunan_county::tls_config(b"not a certificate", key.as_bytes()).unwrap_err();
    assert!(err.contains("证书"), "{err}");
    let err = cunan_county::tls_config(cert.as_bytes(), b"not a key").unwrap_err();
    assert!(err.contains("私钥"), "{err}");
    let (_, _, other_key) = county_pki();
    let err = cunan_county::tls_config(cert.as_bytes(), other_key.as_bytes()).unwrap_err();
    assert!(err.contains("不匹配"), "{err}");
}

#[test]
fn plain_http_to_another_computer_only_when_allowed_at_enrollment() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.db")).unwrap());
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    let remote = format!("http://0.0.0.0:{}", server.addr.port());
    assert!(is_plain_remote(&remote));
    let mut village = demo_store(&dir.path().join("v.db"), 3, 5);
    let code = storage
        .add_village(&village_code(&village), "演示村")
        .unwrap();

    // Not allowed: refused before anything is sent (the server hears nothing).
    let err = cunan_app_api::enroll::enroll(&mut village, &remote, &code, false).unwrap_err();
    assert_eq!(err.code.as_str(), "sync_plain_http");
    assert_eq!(err.field.as_deref(), Some("服务器地址"));
    assert!(err.message.contains("https://"), "{}", err.message);
    assert!(
        storage.audit_log(10).unwrap().is_empty(),
        "no request reached it"
    );

    // Allowed explicitly: enrolled, and the enrollment keeps the permission for its syncs.
    cunan_app_api::enroll::enroll(&mut village, &remote, &code, true).unwrap();
    let state = cunan_core::sync::current_server(&village).unwrap().unwrap();
    assert!(state.allow_plain_http);
    let report = SyncClient::new(&remote)
        .unwrap()
        .sync_once(&mut village, &mut |_| {})
        .unwrap();
    assert!(report.pushed > 0);

    // Loopback needs no permission; https never does.
    assert!(!is_plain_remote(&server.url()));
    assert!(!is_plain_remote("http://localhost:8730"));
    assert!(!is_plain_remote("http://[::1]:8730/v1"));
    assert!(!is_plain_remote("https://10.1.2.3"));
    assert!(is_plain_remote("http://10.1.2.3:8730"));
    assert!(is_plain_remote("http://user@127.0.0.1.example.com"));
}
