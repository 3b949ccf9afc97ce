//! `cunan-county`: the county server the village laptops sync to.
//!
//! - [`storage`]: the storage trait (what handlers need); [`sqlite`]: the embedded default.
//! - [`api`]: the axum router, generic over the storage.
//! - [`import_bundle`]: a USB bundle goes through the same `push` as the network.
//! - [`TestServer`]: the server in-process on a loopback port, for tests and the benchmark.

pub mod api;
pub mod dashboard;
pub mod incidents;
pub mod sqlite;
pub mod storage;
pub mod summary;

use std::net::SocketAddr;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{watch, Semaphore};

pub use sqlite::SqliteStorage;
pub use storage::{AuditEntry, CountyStorage, DeviceAuth, StorageError, Via};

use cunan_sync::bundle::{self, BundleError};
use cunan_sync::protocol::MAX_BATCH;

/// How long and how many clients may hold the server, so that a slow or abusive client (or
/// many of them) cannot keep its connections and workers for ever.
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// A request head must arrive whole within this time, or the connection is closed (an
    /// idle kept-alive connection too).
    pub header_read_timeout: Duration,
    /// A request, its body included, must be answered within this time, or it gets 408.
    pub request_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue until one ends.
    pub max_connections: usize,
    /// Serve HTTPS with this certificate and key (see [`tls_config`]); plain HTTP without,
    /// for loopback or behind a reverse proxy that does TLS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ServeLimits {
    /// 30 s for a request head, 10 minutes for a whole request (a 16 MiB push over a slow
    /// village link), 256 connections.
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10 * 60),
            max_connections: 256,
            tls: None,
        }
    }
}

/// How often the dashboard's stale village summaries are recomputed in the background.
const SUMMARY_REFRESH: Duration = Duration::from_secs(10);

/// Serves the API on `listener` with the default [`ServeLimits`] until `shutdown` completes.
pub async fn serve<S: CountyStorage>(
    listener: tokio::net::TcpListener,
    storage: Arc<S>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, storage, ServeLimits::default(), shutdown).await
}

/// Serves the API on `listener` within `limits` until `shutdown` completes; then stops
/// accepting and lets the requests under way finish.
pub async fn serve_with<S: CountyStorage>(
    listener: tokio::net::TcpListener,
    storage: Arc<S>,
    limits: ServeLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The dashboard's summaries are kept fresh in the background, so that a page load after a
    // wave of syncs finds them computed (the page computes any still stale itself).
    let refresher = {
        let storage = storage.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(SUMMARY_REFRESH).await;
                let storage = storage.clone();
                let done = tokio::task::spawn_blocking(move || {
                    summary::summaries(storage.as_ref()).map(|_| ())
                })
                .await;
                if let Ok(Err(e)) = done {
                    eprintln!("cunan-county: refreshing the dashboard summaries: {e}");
                }
            }
        })
    };
    let app = api::router_with(storage, limits.request_timeout);
    let slots_total = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(slots_total));
    let (closing, closing_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        // A free slot first: beyond the cap, connections wait in the listen queue.
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(tower_http::add_extension::AddExtension::new(
            app.clone(),
            api::Peer(peer.ip()),
        ));
        let closing = closing_rx.clone();
        let head_timeout = limits.header_read_timeout;
        let tls = limits.tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, service, head_timeout, closing).await,
                Some(config) => {
                    // The handshake gets the time a request head gets: a client that opens a
                    // connection and says nothing does not hold a slot for ever.
                    let acceptor = tokio_rustls::TlsAcceptor::from(config);
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(head_timeout, acceptor.accept(stream)).await
                    {
                        serve_connection(stream, service, head_timeout, closing).await;
                    }
                }
            }
            drop(permit);
        });
    }
    refresher.abort();
    let _ = closing.send(());
    // Every connection holds a slot until it ends: all slots back means all done.
    let _ = slots.acquire_many(slots_total as u32).await;
    Ok(())
}

/// Serves HTTP/1.1 on one connection (plain or TLS) until it ends, or gracefully once the server
/// is closing.
async fn serve_connection<I, S>(
    io: I,
    service: S,
    head_timeout: Duration,
    mut closing: watch::Receiver<()>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming> + Send + 'static,
    S::Future: Send + 'static,
    S::ResBody: Send + 'static,
    <S::ResBody as hyper::body::Body>::Data: Send,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    let mut conn = pin!(http.serve_connection(TokioIo::new(io), service));
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = closing.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.as_mut().await;
        }
    }
}

/// The TLS settings for serving HTTPS from a certificate chain and its private key, both PEM
/// (what a certificate authority or `openssl req` gives). The error says, in Chinese, which
/// file is wrong.
pub fn tls_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<rustls::ServerConfig>, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .ok()
        .filter(|c: &Vec<_>| !c.is_empty())
        .ok_or("证书文件里没有找到 PEM 格式的证书（-----BEGIN CERTIFICATE-----）。")?;
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|_| "私钥文件里没有找到 PEM 格式的私钥（-----BEGIN PRIVATE KEY-----）。")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS 设置出错：{e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("证书和私钥不匹配或格式不对：{e}"))?;
    Ok(Arc::new(config))
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Bundle(#[from] BundleError),
    #[error("{0}")]
    Storage(#[from] StorageError),
}

impl ImportError {
    /// A stable code, for the audit trail and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Bundle(e) => e.code(),
            ImportError::Storage(StorageError::Forbidden(_)) => "forbidden",
            ImportError::Storage(StorageError::Invalid(_)) => "invalid",
            ImportError::Storage(StorageError::TooLarge(_)) => "change_too_large",
            ImportError::Storage(StorageError::ClockAhead(_)) => "clock_ahead",
            ImportError::Storage(StorageError::Expired(_)) => "expired",
            ImportError::Storage(StorageError::NotFound(_)) => "not_found",
            ImportError::Storage(StorageError::Database(_)) => "database",
        }
    }
}

/// What importing a bundle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub changes: usize,
    pub stored: usize,
    pub duplicates: usize,
    /// The device was enrolled by the one-time code the bundle carried.
    pub enrolled: bool,
}

/// Imports a USB bundle through the same path as a network push: each change stored at most
/// once, so importing twice (or importing and then syncing online) changes nothing the second
/// time. The bundle is checked whole (length, checksum, signature, every change) before anything
/// lands. Whatever the outcome, a line goes to the audit trail with `actor` and the file's
/// SHA-256.
pub fn import_bundle<S: CountyStorage>(
    storage: &S,
    bytes: &[u8],
    actor: &str,
) -> Result<ImportReport, ImportError> {
    let (result, village_code, device_id, sha256) = match bundle::decode_checked(bytes) {
        Ok(decoded) => (
            import_decoded(storage, &decoded),
            Some(decoded.body.village_code),
            Some(decoded.body.device_id),
            decoded.sha256,
        ),
        Err(e) => (Err(e.into()), None, None, hex_sha256(bytes)),
    };
    let (outcome, detail) = match &result {
        Ok(r) => (
            "ok".to_string(),
            format!(
                "sha256 {sha256}; {} changes, {} new, {} already held{}",
                r.changes,
                r.stored,
                r.duplicates,
                if r.enrolled {
                    "; device enrolled by code"
                } else {
                    ""
                }
            ),
        ),
        Err(e) => (
            e.code().to_string(),
            format!("sha256 {sha256}; {} bytes", bytes.len()),
        ),
    };
    let entry = AuditEntry {
        actor: actor.to_string(),
        action: "import_bundle".into(),
        outcome,
        village_code,
        device_id,
        detail,
    };
    // An import that landed is not undone because its audit line could not be written; the
    // error is the caller's to show.
    storage.record(&entry)?;
    result
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn import_decoded<S: CountyStorage>(
    storage: &S,
    decoded: &bundle::Decoded,
) -> Result<ImportReport, ImportError> {
    let body = &decoded.body;
    if body.kind != bundle::BundleKind::Village {
        return Err(BundleError::NotForCounty.into());
    }
    // Who wrote it is the registered key's word, never the file's: the device's live key, or
    // for a device the county does not know, the key the file carries with a one-time code of
    // that village (registered below, once everything else holds).
    let enroll_with = match storage.device_key(&body.village_code, &body.device_id)? {
        Some(key) => {
            decoded.verify(&key)?;
            None
        }
        None => match (&body.enrollment_code, &body.public_key) {
            (Some(code), Some(key)) => {
                decoded.verify(key)?;
                Some((code.as_str(), key.as_str()))
            }
            _ => {
                return Err(BundleError::UnknownDevice {
                    device: body.device_id.clone(),
                }
                .into())
            }
        },
    };
    let auth = DeviceAuth {
        village_code: body.village_code.clone(),
        device_id: body.device_id.clone(),
    };
    // Check every batch before storing any, so a bad change anywhere refuses the whole file.
    for change in &body.changes {
        change.check_shape().map_err(StorageError::Invalid)?;
        if change.village_code != auth.village_code || change.device_id != auth.device_id {
            return Err(StorageError::Forbidden(
                "数据包里有不属于该村或该设备的记录，整个数据包没有导入。".into(),
            )
            .into());
        }
    }
    // A change stamped far ahead of the county's clock anywhere in the file refuses it whole
    // (each batch below is checked again by `push`, but only after earlier batches landed).
    storage::check_not_ahead(&body.changes, storage.clock_now(), "整个数据包没有导入")?;
    if let Some((code, key)) = enroll_with {
        storage
            .enroll_with_key(code, &auth.device_id, Some(&auth.village_code), Some(key))
            .map_err(|e| match e {
                StorageError::Forbidden(_) => StorageError::Forbidden(
                    "数据包里的登记码属于另一个村，整个数据包没有导入，登记码也没有被使用。请向县应急管理局核对登记码后重新导出。".into(),
                ),
                other => other,
            })?
            .ok_or_else(|| {
                StorageError::Forbidden(
                    "数据包里的登记码不对、已经用过或已过期，整个数据包没有导入。请给村里一个新的登记码（cunan-county village add），让村里重新导出。".into(),
                )
            })?;
    }
    let mut report = ImportReport {
        changes: body.changes.len(),
        stored: 0,
        duplicates: 0,
        enrolled: enroll_with.is_some(),
    };
    for batch in body.changes.chunks(MAX_BATCH) {
        let response = storage.push(&auth, batch, Via::Bundle)?;
        report.stored += response.stored;
        report.duplicates += response.duplicates;
    }
    Ok(report)
}

/// The county's bundle for one village, for a USB stick: everything a pull would bring a new
/// device of the village (county contacts, settings and templates, and the village's own rows
/// from all its devices), the cursor it reaches, and a receipt per device of what the county
/// holds. Read in the village app (同步 › 从 U 盘读入) or by `cunan bundle import`.
pub fn county_bundle<S: CountyStorage>(
    storage: &S,
    village_code: &str,
    created_at: &str,
) -> Result<bundle::BundleBody, StorageError> {
    if !storage.has_village(village_code)? {
        return Err(StorageError::NotFound(format!(
            "县里还没有登记区划代码为 {village_code} 的村，无法生成数据包。请先用 village add 登记。"
        )));
    }
    // The receipts first: every change they acknowledge is then also in the changes below.
    let keys = storage.registered_keys(village_code)?;
    let receipts = storage
        .receipts(village_code)?
        .into_iter()
        .map(|(device_id, seq)| bundle::Receipt {
            key_registered: keys.contains(&device_id),
            device_id,
            seq,
        })
        .collect();
    let mut changes = Vec::new();
    let mut positions = Vec::new();
    let mut cursor = 0;
    loop {
        let (page, reached, more) = storage.bundle_changes(village_code, cursor, 5_000)?;
        cursor = reached;
        for (position, change) in page {
            positions.push(position);
            changes.push(change);
        }
        if !more {
            break;
        }
    }
    Ok(bundle::BundleBody {
        kind: bundle::BundleKind::County,
        village_code: village_code.to_string(),
        device_id: sqlite::COUNTY_DEVICE.to_string(),
        created_at: created_at.to_string(),
        changes,
        server_id: Some(storage.server_id()?),
        cursor,
        positions,
        receipts,
        public_key: Some(server_public_key(storage)?),
        enrollment_code: None,
    })
}

/// This server's public key (hex), which villages pin and check its bundles against.
pub fn server_public_key<S: CountyStorage>(storage: &S) -> Result<String, StorageError> {
    Ok(cunan_sync::keys::public_key_hex(&storage.signing_key()?))
}

/// The county's bundle for a village as the file's bytes, signed with the server's key.
pub fn encode_county_bundle<S: CountyStorage>(
    storage: &S,
    body: &bundle::BundleBody,
) -> Result<Vec<u8>, ImportError> {
    Ok(bundle::encode_signed(body, &storage.signing_key()?)?)
}

/// The server running in-process on a loopback port (tests, benchmark). Stops on drop.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts on `127.0.0.1:0` over the SQLite file at `db`.
    pub fn start(db: &Path) -> std::io::Result<TestServer> {
        TestServer::start_on(db, 0)
    }

    /// Starts on `127.0.0.1:port` (0 = any free port).
    pub fn start_on(db: &Path, port: u16) -> std::io::Result<TestServer> {
        let storage =
            Arc::new(SqliteStorage::open(db).map_err(|e| std::io::Error::other(e.to_string()))?);
        TestServer::start_with(storage, port)
    }

    pub fn start_with<S: CountyStorage>(storage: Arc<S>, port: u16) -> std::io::Result<TestServer> {
        TestServer::start_with_limits(storage, port, ServeLimits::default())
    }

    /// Like `start_with`, within `limits` (tests of slow clients use short timeouts).
    pub fn start_with_limits<S: CountyStorage>(
        storage: Arc<S>,
        port: u16,
        limits: ServeLimits,
    ) -> std::io::Result<TestServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                tokio::select! {
                    _ = serve_with(listener, storage, limits, std::future::pending()) => {}
                    _ = stopped => {}
                }
            });
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
        });
        Ok(TestServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The HTTPS address, for a server started with TLS in its limits (by name, as the
    /// certificate says `localhost`).
    pub fn https_url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// Stops at once, dropping connections mid-request (as a crash would).
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}
