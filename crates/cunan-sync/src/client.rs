//! The sync client: enrollment and one sync round (push everything waiting, then pull
//! everything new), resumable at any point because both directions keep their place in the
//! store: pushed changes are marked only on the server's acknowledgement, and the pull cursor
//! moves in the same transaction that applies the pulled batch.

use std::io::{Read, Write};
use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use cunan_core::sync::{self as core_sync, ApplyReport, SyncState};
use cunan_core::{CoreError, Store};

use crate::keys;
use crate::protocol::{
    DeviceKeyRequest, DeviceKeyResponse, EnrollRequest, EnrollResponse, ErrorBody, PullResponse,
    PushRequest, PushResponse, ServerInfo, MAX_BATCH, MAX_RESPONSE_BYTES, PROTOCOL_HEADER,
    PROTOCOL_VERSION,
};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The network library's own text is kept for the log ([`SyncError::detail`]), not shown.
    #[error("连不上县里的服务器。数据都保存在本机，网络恢复后会自动继续同步。")]
    Network(String),
    #[error("县里的服务器回复的数据不完整，可能网络不稳定。本机数据没有受影响，稍后会自动重试。")]
    BadResponse,
    #[error("本机的同步凭证无效或已被县里停用：{0} 请向县应急管理局重新领取登记码后重新登记。未同步的数据仍保存在本机。")]
    Unauthorized(String),
    #[error("县里的服务器拒绝了这次请求：{0}")]
    Forbidden(String),
    #[error("{0}")]
    Version(String),
    #[error("县里的服务器出错（{status}）：{message} 本机数据没有受影响，稍后会自动重试。")]
    Server { status: u16, message: String },
    #[error("本机还没有登记到县里的服务器。请先用县应急管理局给的登记码登记。")]
    NotEnrolled,
    /// The address answers, but as another county server than the one this store enrolled
    /// with (or it cannot be told whether it is the same one).
    #[error("{0}")]
    WrongServer(String),
    /// A pulled change of neither this village nor the county: nothing of that page is applied.
    #[error("县里的服务器发来了不属于本村的记录，这一批没有写入本机，本机数据不受影响。请联系县应急管理局核对服务器。")]
    ForeignRows,
    /// An answer larger than [`MAX_RESPONSE_BYTES`]: not read to the end, nothing applied.
    #[error("县里的服务器回复的数据过大（超过 {} MiB），没有读入，本机数据不受影响。请联系县应急管理局检查服务器。", MAX_RESPONSE_BYTES / (1024 * 1024))]
    ResponseTooLarge,
    /// Plain http to a server that is not on this computer, not allowed for this enrollment.
    #[error("县里服务器的地址（{0}）是不加密的 http 连接，数据会以明文经过网络，本机没有连接它，也没有发送任何数据。请向县应急管理局要 https:// 开头的地址；如果确实是县里的内网，请在登记时勾选“允许不加密连接”。")]
    PlainHttp(String),
    /// The server's certificate is not trusted (or the TLS handshake failed).
    #[error("县里服务器的加密证书无法验证，本机没有发送任何数据。请核对服务器地址；如果县里用的是自建证书，请把县应急管理局给的证书文件（county-ca.pem）放到村安的数据文件夹里。")]
    Certificate(String),
    #[error("{0}")]
    Core(#[from] CoreError),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Network(_) => "sync_network",
            SyncError::BadResponse => "sync_bad_response",
            SyncError::Unauthorized(_) => "sync_unauthorized",
            SyncError::Forbidden(_) => "sync_forbidden",
            SyncError::Version(_) => "sync_version",
            SyncError::Server { .. } => "sync_server",
            SyncError::NotEnrolled => "sync_not_enrolled",
            SyncError::WrongServer(_) => "sync_wrong_server",
            SyncError::ForeignRows => "sync_foreign_rows",
            SyncError::ResponseTooLarge => "sync_response_too_large",
            SyncError::PlainHttp(_) => "sync_plain_http",
            SyncError::Certificate(_) => "sync_certificate",
            SyncError::Core(e) => e.code(),
        }
    }

    /// The technical detail behind the message, for the log only.
    pub fn detail(&self) -> Option<String> {
        match self {
            SyncError::Network(detail) | SyncError::Certificate(detail) => Some(detail.clone()),
            SyncError::Core(e) => e.detail(),
            _ => None,
        }
    }

    /// Whether trying again later may succeed (network trouble), as opposed to needing the
    /// officer or the county to act.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Network(_) | SyncError::BadResponse | SyncError::Server { .. }
        )
    }
}

/// What a sync round is doing, for a progress line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncProgress {
    /// `sent` of `total` waiting changes are acknowledged by the county.
    Pushing { sent: usize, total: usize },
    /// `received` changes pulled and saved so far.
    Pulling { received: usize },
}

/// What one successful sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub pushed: usize,
    /// Changes received from the county (some may be versions this store already had).
    pub pulled: usize,
    /// Of those, the ones that changed a row here (new or newer versions).
    pub applied: usize,
    pub conflicts: usize,
}

/// For the status line: where sync stands, read from the store alone (no network).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub server_url: Option<String>,
    /// Another address of the same server in use instead of `server_url`, if one is set.
    pub address: Option<String>,
    pub village_code: Option<String>,
    pub enrolled: bool,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// Local changes the county has not acknowledged yet.
    pub waiting_changes: i64,
    /// Versions that lost a merge and wait for the officer.
    pub open_conflicts: usize,
    /// The county holds this device's key, so it takes this device's USB bundles.
    pub key_registered: bool,
}

pub fn status(store: &Store) -> Result<SyncStatus, SyncError> {
    let server = core_sync::current_server(store)?;
    Ok(SyncStatus {
        server_url: server.as_ref().map(|s| s.server_url.clone()),
        address: server.as_ref().and_then(|s| s.address.clone()),
        village_code: server.as_ref().and_then(|s| s.village_code.clone()),
        enrolled: server.is_some(),
        last_success_at: server.as_ref().and_then(|s| s.last_success_at.clone()),
        last_error: server.as_ref().and_then(|s| s.last_error.clone()),
        waiting_changes: store.unpushed_changes()?,
        open_conflicts: core_sync::conflicts(store, false)?.len(),
        key_registered: store.key_registered()?,
    })
}

/// Exponential backoff with a cap and deterministic jitter, for retrying while the county is
/// unreachable: 1 s, 2 s, 4 s, … up to `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            attempt: 0,
        }
    }

    /// The wait before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(16)).unwrap_or(u32::MAX);
        self.attempt = self.attempt.saturating_add(1);
        let delay = self.base.saturating_mul(factor).min(self.max);
        // Up to 1/8 jitter, varying by attempt, so many villages do not retry in step.
        let jitter = delay / 8 * (self.attempt % 8) / 8;
        (delay + jitter).min(self.max)
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_secs(1), Duration::from_secs(300))
    }
}

/// Talks to one county server.
pub struct SyncClient {
    server_url: String,
    http: Client,
    allow_plain_http: bool,
}

/// How a client reaches a server, beyond its address.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Certificate authorities to trust besides the system's (PEM): for a county whose server
    /// has a certificate of its own authority (`county-ca.pem` in the app's data folder).
    pub extra_roots_pem: Option<Vec<u8>>,
    /// Plain http to a server not on this computer, allowed explicitly (a county intranet).
    /// Without it such an address is refused before anything is sent; an enrollment that was
    /// allowed it keeps it (`sync_state.allow_plain_http`).
    pub allow_plain_http: bool,
}

/// Whether `url` is plain http to a host other than this computer (loopback).
pub fn is_plain_remote(url: &str) -> bool {
    let Some(rest) = url.trim().strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

impl SyncClient {
    pub fn new(server_url: &str) -> Result<Self, SyncError> {
        SyncClient::with_timeout(server_url, Duration::from_secs(60))
    }

    pub fn with_timeout(server_url: &str, timeout: Duration) -> Result<Self, SyncError> {
        SyncClient::with_options(server_url, timeout, &ClientOptions::default())
    }

    pub fn with_options(
        server_url: &str,
        timeout: Duration,
        options: &ClientOptions,
    ) -> Result<Self, SyncError> {
        // rustls with the ring provider; no OpenSSL. Installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .gzip(true)
            .user_agent(concat!("cunan/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &options.extra_roots_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    SyncError::Certificate("county-ca.pem holds no PEM certificate".into())
                })?;
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Network(e.to_string()))?;
        Ok(SyncClient {
            server_url: server_url.trim_end_matches('/').to_string(),
            http,
            allow_plain_http: options.allow_plain_http,
        })
    }

    /// Refuses plain http to another computer unless this client, or an enrollment of
    /// `store`, was allowed it: checked before anything is sent.
    fn check_plain(&self, store: Option<&Store>) -> Result<(), SyncError> {
        if !is_plain_remote(&self.server_url) || self.allow_plain_http {
            return Ok(());
        }
        if let Some(store) = store {
            if core_sync::sync_states(store)?
                .iter()
                .any(|s| s.allow_plain_http)
            {
                return Ok(());
            }
        }
        Err(SyncError::PlainHttp(self.server_url.clone()))
    }

    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    /// Exchanges a one-time code for a device token bound to the code's village. Never touches
    /// the local change log: unsynced changes survive re-enrollment.
    pub fn enroll(&self, store: &mut Store, code: &str) -> Result<EnrollResponse, SyncError> {
        self.check_plain(None)?;
        let request = EnrollRequest {
            code: code.trim().to_string(),
            device_id: store.device_id().to_string(),
            village_code: store.village()?.map(|v| v.code),
            public_key: Some(keys::public_key_hex(&keys::device_key(store)?)),
        };
        let response: EnrollResponse = self.post("/v1/enroll", None, &request)?;
        if response.key_registered {
            store.set_key_registered()?;
        }
        core_sync::save_enrollment(
            store,
            &self.server_url,
            response.server_id.as_deref(),
            &response.token,
            &response.village_code,
        )?;
        core_sync::set_allow_plain_http(
            store,
            &self.server_url,
            is_plain_remote(&self.server_url),
        )?;
        if let (Some(id), Some(key)) = (&response.server_id, &response.server_key) {
            core_sync::pin_server_key(store, id, key, "enrollment")?;
        }
        Ok(response)
    }

    /// Who answers at this address (`GET /v1/health`, no token sent).
    pub fn server_info(&self) -> Result<ServerInfo, SyncError> {
        self.check_plain(None)?;
        self.fetch_server_info()
    }

    fn fetch_server_info(&self) -> Result<ServerInfo, SyncError> {
        let response = self
            .http
            .get(format!("{}/v1/health", self.server_url))
            .send()
            .map_err(network)?;
        read(response)
    }

    /// The enrollment this address belongs to: the one whose server id the server answers with
    /// (whatever address it enrolled through), or, for an enrollment older than server ids,
    /// the one made through this very address. Asks the server before any token is sent, so a
    /// token never goes to another server.
    pub fn resolve_enrollment(&self, store: &mut Store) -> Result<SyncState, SyncError> {
        let enrolled: Vec<SyncState> = core_sync::sync_states(store)?
            .into_iter()
            .filter(|s| s.device_token.is_some())
            .collect();
        if enrolled.is_empty() {
            return Err(SyncError::NotEnrolled);
        }
        self.check_plain(Some(store))?;
        let info = self.fetch_server_info()?;
        let answered = info.server_id.as_deref();
        if let Some(id) = answered {
            if let Some(state) = enrolled.iter().find(|s| s.server_id.as_deref() == Some(id)) {
                // An enrollment from before server keys learns the key of its own server.
                if let Some(key) = &info.server_key {
                    core_sync::pin_server_key(store, id, key, "health")?;
                }
                return Ok(state.clone());
            }
        }
        if let Some(state) = enrolled
            .iter()
            .find(|s| s.server_url == self.server_url && s.server_id.is_none())
        {
            if let Some(id) = answered {
                core_sync::learn_server_id(store, &state.server_url, id)?;
            }
            return Ok(state.clone());
        }
        let mine = &enrolled[0].server_url;
        Err(SyncError::WrongServer(
            if answered.is_some() && enrolled.iter().all(|s| s.server_id.is_some()) {
                format!(
                    "这个地址（{}）连到的是另一台县级服务器，不是本机登记的那台（{mine}）。没有发送任何数据。请核对服务器地址；如果县里换了新服务器，请用新的登记码重新登记。",
                    self.server_url
                )
            } else {
                format!(
                    "无法确认这个地址（{}）是不是本机登记的服务器（{mine}），没有发送任何数据。请先用登记时的地址同步一次，或用县里给的登记码重新登记。",
                    self.server_url
                )
            },
        ))
    }

    /// One sync round: push everything waiting, then pull everything new. Records the outcome
    /// in the store for the status line. Safe to interrupt anywhere and to call again.
    pub fn sync_once(
        &self,
        store: &mut Store,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<SyncReport, SyncError> {
        let (key, result) = match self.resolve_enrollment(store) {
            Ok(state) => (
                Some(state.server_url.clone()),
                self.sync_round(store, state, progress),
            ),
            Err(e) => {
                let current = core_sync::current_server(store)?.map(|s| s.server_url);
                (current, Err(e))
            }
        };
        let message = result.as_ref().err().map(|e| e.to_string());
        if let Some(key) = key {
            core_sync::record_outcome(store, &key, message.as_deref())?;
        }
        result
    }

    fn sync_round(
        &self,
        store: &mut Store,
        state: SyncState,
        progress: &mut dyn FnMut(SyncProgress),
    ) -> Result<SyncReport, SyncError> {
        let token = state.device_token.clone().ok_or(SyncError::NotEnrolled)?;
        let mut report = SyncReport::default();
        // Data first: a key the server will not take now is tried again next round (and until
        // then the officer's USB bundles carry a code).
        if !store.key_registered()? {
            let _ = self.register_key(store, &token);
        }

        // Push: oldest first, a batch at a time; mark pushed only what the server acknowledged.
        let total = store.unpushed_changes()?.max(0) as usize;
        progress(SyncProgress::Pushing { sent: 0, total });
        loop {
            let batch = core_sync::unpushed(store, 0, MAX_BATCH)?;
            if batch.is_empty() {
                break;
            }
            let request = PushRequest {
                device_id: store.device_id().to_string(),
                changes: batch,
            };
            let response: PushResponse = self.post("/v1/push", Some(&token), &request)?;
            let marked = core_sync::mark_pushed(store, response.ack_seq)?;
            if marked == 0 {
                // The server acknowledged nothing new: stop rather than loop.
                return Err(SyncError::BadResponse);
            }
            report.pushed += marked;
            progress(SyncProgress::Pushing {
                sent: report.pushed,
                total,
            });
        }

        // Pull: from the cursor; the cursor moves with the commit of each batch.
        let village = match &state.village_code {
            Some(code) => Some(code.clone()),
            None => store.village()?.map(|v| v.code),
        };
        let mut cursor = state.pull_cursor;
        progress(SyncProgress::Pulling { received: 0 });
        loop {
            let path = format!("/v1/pull?cursor={cursor}&limit={MAX_BATCH}");
            let response: PullResponse = self.get(&path, &token)?;
            // The cursor never goes back, and a page announcing more must move it: asking again
            // from the same place would bring the same page for ever.
            if response.cursor < cursor || (response.more && response.cursor == cursor) {
                return Err(SyncError::BadResponse);
            }
            // Only this village's rows and the county's are ever applied: a page with any other
            // is refused whole, before anything of it is written.
            if response.changes.iter().any(|c| {
                c.village_code != core_sync::COUNTY_SCOPE
                    && Some(c.village_code.as_str()) != village.as_deref()
            }) {
                return Err(SyncError::ForeignRows);
            }
            let applied: ApplyReport = core_sync::apply_pulled(
                store,
                &state.server_url,
                &response.changes,
                response.cursor,
            )?;
            report.pulled += response.changes.len();
            report.applied += applied.applied;
            report.conflicts += applied.conflicts;
            cursor = response.cursor;
            progress(SyncProgress::Pulling {
                received: report.pulled,
            });
            if !response.more {
                break;
            }
        }
        Ok(report)
    }

    /// Registers this device's public key for its USB bundles with the server it is enrolled
    /// with (a device enrolled before keys existed). A server older than signed bundles does not
    /// know the request (404): the key stays unregistered.
    fn register_key(&self, store: &Store, token: &str) -> Result<(), SyncError> {
        let request = DeviceKeyRequest {
            public_key: keys::public_key_hex(&keys::device_key(store)?),
        };
        let response: DeviceKeyResponse = self.post("/v1/device-key", Some(token), &request)?;
        if response.registered {
            store.set_key_registered()?;
        }
        Ok(())
    }

    fn post<T: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &T,
    ) -> Result<R, SyncError> {
        let json = serde_json::to_vec(body).map_err(|e| CoreError::Format(e.to_string()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&json)
            .map_err(|e| SyncError::Network(e.to_string()))?;
        let compressed = gz.finish().map_err(|e| SyncError::Network(e.to_string()))?;
        let mut request = self
            .http
            .post(format!("{}{path}", self.server_url))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "gzip")
            .body(compressed);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = request.send().map_err(network)?;
        read(response)
    }

    fn get<R: DeserializeOwned>(&self, path: &str, token: &str) -> Result<R, SyncError> {
        let response = self
            .http
            .get(format!("{}{path}", self.server_url))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .map_err(network)?;
        read(response)
    }
}

fn network(e: reqwest::Error) -> SyncError {
    // The URL may carry nothing personal, but keep the message short and free of bodies.
    let e = e.without_url();
    // A certificate the client does not trust shows as a connect error whose cause chain names
    // the certificate; the officer then needs the county's certificate, not a better network.
    let mut chain = String::new();
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    while let Some(c) = cause {
        chain.push_str(&c.to_string());
        chain.push_str(": ");
        cause = c.source();
    }
    if chain.contains("certificate") || chain.contains("UnknownIssuer") {
        SyncError::Certificate(chain)
    } else {
        SyncError::Network(e.to_string())
    }
}

/// Reads an answer of at most [`MAX_RESPONSE_BYTES`] (after decompression), never more.
fn read<R: DeserializeOwned>(response: Response) -> Result<R, SyncError> {
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(SyncError::ResponseTooLarge);
    }
    let mut bytes = Vec::new();
    response
        .take(MAX_RESPONSE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| SyncError::BadResponse)?;
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(SyncError::ResponseTooLarge);
    }
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|_| SyncError::BadResponse);
    }
    let message = serde_json::from_slice::<ErrorBody>(&bytes)
        .map(|b| b.message)
        .unwrap_or_else(|_| format!("HTTP {}", status.as_u16()));
    Err(match status.as_u16() {
        401 => SyncError::Unauthorized(message),
        403 | 400 | 413 => SyncError::Forbidden(message),
        409 | 426 => SyncError::Version(message),
        code => SyncError::Server {
            status: code,
            message,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let delays: Vec<u64> = (0..10).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays[0], 1);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        assert_eq!(*delays.last().unwrap(), 60);
        b.reset();
        assert_eq!(b.next_delay().as_secs(), 1);
    }

    #[test]
    fn a_network_failure_says_so_in_chinese_and_keeps_the_library_text_for_the_log() {
        // Port 9 on loopback (discard) has no listener here: the connection is refused.
        let client =
            SyncClient::with_timeout("http://127.0.0.1:9", Duration::from_secs(2)).unwrap();
        let err = client.server_info().unwrap_err();
        assert_eq!(err.code(), "sync_network");
        let message = err.to_string();
        let english = message
            .as_bytes()
            .windows(3)
            .any(|w| w.iter().all(u8::is_ascii_alphabetic));
        assert!(!english, "{message}");
        assert!(err.detail().is_some_and(|d| !d.is_empty()));
    }

    #[test]
    fn only_network_trouble_is_worth_retrying_by_itself() {
        assert!(SyncError::Network("x".into()).is_transient());
        assert!(SyncError::BadResponse.is_transient());
        assert!(!SyncError::Unauthorized("x".into()).is_transient());
        assert!(!SyncError::Version("x".into()).is_transient());
        assert!(!SyncError::NotEnrolled.is_transient());
        assert!(!SyncError::WrongServer("x".into()).is_transient());
    }
}
