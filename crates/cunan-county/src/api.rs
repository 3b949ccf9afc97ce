//! The HTTP API (see `openapi.yaml`): handlers generic over [`CountyStorage`].

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Extension, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;

use cunan_sync::protocol::{
    DeviceKeyRequest, DeviceKeyResponse, EnrollRequest, EnrollResponse, ErrorBody, PushRequest,
    ServerInfo, MAX_BATCH, MAX_BODY_BYTES, MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION,
};

use crate::storage::{AuditEntry, CountyStorage, DeviceAuth, StorageError, Via};

/// The address a request came from (its connection's peer), put on every request by
/// [`crate::serve_with`]. Behind a reverse proxy it is the proxy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// Failed enrollment attempts an address may make within [`ENROLL_WINDOW`]; after that it gets
/// 429 until the oldest failure leaves the window. (Codes carry about 60 bits: guessing is
/// hopeless anyway; this keeps a script from even trying, and the audit trail shows it.)
pub const MAX_FAILED_ENROLLS: usize = 10;
pub const ENROLL_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failed attempts (enrollment codes, dashboard logins) per address within the window.
#[derive(Default)]
pub struct FailureLimiter {
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl FailureLimiter {
    /// How long `peer` must wait before trying again, if it has used up its attempts.
    pub(crate) fn wait(&self, peer: IpAddr, now: Instant) -> Option<Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let times = failures.get_mut(&peer)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= ENROLL_WINDOW)
        {
            times.pop_front();
        }
        if times.len() < MAX_FAILED_ENROLLS {
            return None;
        }
        times
            .front()
            .map(|t| ENROLL_WINDOW.saturating_sub(now.duration_since(*t)))
    }

    pub(crate) fn failed(&self, peer: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Many addresses: forget those with nothing in the window, so the map stays small.
        if failures.len() > 10_000 {
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < ENROLL_WINDOW)
            });
        }
        let times = failures.entry(peer).or_default();
        times.push_back(now);
        while times.len() > MAX_FAILED_ENROLLS {
            times.pop_front();
        }
    }
}

/// An error response: status, stable code, Chinese message. Never carries request data.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &ErrorBody {
                code: self.code.to_string(),
                message: self.message,
            },
        )
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            StorageError::Invalid(m) => ApiError::new(StatusCode::BAD_REQUEST, "invalid", m),
            StorageError::TooLarge(m) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "change_too_large", m)
            }
            StorageError::ClockAhead(m) => ApiError::new(StatusCode::BAD_REQUEST, "clock_ahead", m),
            StorageError::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
            StorageError::Expired(m) => ApiError::new(StatusCode::UNAUTHORIZED, "token_expired", m),
            StorageError::Database(detail) => {
                eprintln!("cunan-county: database error: {detail}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database",
                    "服务器数据库暂时出错，本次没有保存任何数据，请稍后重试。",
                )
            }
        }
    }
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The most an enrollment request (a code and a device id, no token) may take, compressed or not.
pub const ENROLL_BODY_BYTES: usize = 4 * 1024;

/// The router, with compression, body limits, the protocol-version check and the default
/// time limit per request ([`crate::ServeLimits::default`]).
pub fn router<S: CountyStorage>(storage: Arc<S>) -> Router {
    router_with(storage, crate::ServeLimits::default().request_timeout)
}

/// The router, each request answered within `request_timeout` (408 after it).
pub fn router_with<S: CountyStorage>(storage: Arc<S>, request_timeout: Duration) -> Router {
    let v1 = Router::new()
        .route(
            "/v1/enroll",
            post(enroll::<S>).layer(DefaultBodyLimit::max(ENROLL_BODY_BYTES)),
        )
        .route(
            "/v1/device-key",
            post(device_key::<S>).layer(DefaultBodyLimit::max(ENROLL_BODY_BYTES)),
        )
        .route("/v1/push", post(push::<S>))
        .route("/v1/pull", get(pull::<S>))
        .layer(Extension(Arc::new(FailureLimiter::default())))
        .layer(middleware::from_fn(check_protocol));
    Router::new()
        .route("/v1/health", get(health::<S>))
        .merge(v1)
        .with_state(storage.clone())
        .merge(crate::dashboard::router(storage))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new().gzip(true))
        .layer(middleware::from_fn_with_state(request_timeout, time_limit))
}

/// Answers 408 to a request not done within the limit (a body sent too slowly, say). A push
/// already being stored still lands; the village's next sync finds it acknowledged.
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            "请求用时过长（网络太慢或中断），服务器没有等它结束。本机数据仍然保留，请在网络好一些时重试。",
        )
        .into_response(),
    }
}

async fn health<S: CountyStorage>(State(storage): State<Arc<S>>) -> Result<Response, ApiError> {
    let (server_id, server_key) = blocking(move || {
        Ok((
            storage.server_id()?,
            crate::server_public_key(storage.as_ref())?,
        ))
    })
    .await?;
    Ok(json_response(
        StatusCode::OK,
        &ServerInfo {
            service: "cunan-county".into(),
            protocol: PROTOCOL_VERSION,
            min_protocol: MIN_PROTOCOL_VERSION,
            server_id: Some(server_id),
            server_key: Some(server_key),
        },
    ))
}

async fn check_protocol(request: Request, next: Next) -> Response {
    let version = request
        .headers()
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        Some(v) if (MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v) => next.run(request).await,
        Some(v) if v > PROTOCOL_VERSION => ApiError::new(
            StatusCode::CONFLICT,
            "server_too_old",
            format!(
                "县里的服务器版本较旧（同步协议 {PROTOCOL_VERSION}），本机村安较新（协议 {v}）。本机数据不受影响，请联系县应急管理局升级服务器。"
            ),
        )
        .into_response(),
        _ => ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "client_too_old",
            format!(
                "本机村安版本太旧，县里的服务器需要同步协议 {MIN_PROTOCOL_VERSION}–{PROTOCOL_VERSION}。本机数据不受影响，请升级村安后再同步。"
            ),
        )
        .into_response(),
    }
}

/// Reads a JSON body, gzip-compressed or not, of at most `limit` bytes either way; `None` is a
/// body that could not be read within the limit.
fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Option<Bytes>,
    limit: usize,
) -> Result<T, ApiError> {
    let body = body.ok_or_else(|| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "请求内容过大或不完整，没有接收。请分批同步。",
        )
    })?;
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.eq_ignore_ascii_case("gzip"))
        .unwrap_or(false);
    let json = if gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_gzip",
                    "请求内容解压失败（可能传输中断），没有接收。请重试。",
                )
            })?;
        if out.len() > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "请求内容过大，没有接收。请分批同步。",
            ));
        }
        out
    } else {
        body.to_vec()
    };
    serde_json::from_slice(&json).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!(
                "请求内容不是有效的同步数据（第 {} 行第 {} 列），没有接收。",
                e.line(),
                e.column()
            ),
        )
    })
}

async fn authenticate<S: CountyStorage>(
    storage: &Arc<S>,
    headers: &HeaderMap,
) -> Result<DeviceAuth, ApiError> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "设备凭证缺失、无效或已停用。",
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or_else(unauthorized)?
        .to_string();
    let storage = storage.clone();
    blocking(move || storage.authenticate(&token))
        .await?
        .ok_or_else(unauthorized)
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部出错，本次没有保存任何数据，请稍后重试。",
        )),
    }
}

async fn enroll<S: CountyStorage>(
    State(storage): State<Arc<S>>,
    Extension(limiter): Extension<Arc<FailureLimiter>>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let peer = peer.map_or(IpAddr::from([0, 0, 0, 0]), |Extension(Peer(ip))| ip);
    let actor = format!("address {peer}");
    if let Some(wait) = limiter.wait(peer, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        audit(
            &storage,
            &actor,
            "enroll",
            "too_many_attempts",
            None,
            None,
            String::new(),
        )
        .await;
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!(
                "登记码输错次数太多，请 {minutes} 分钟后再试。请仔细核对县应急管理局给的登记码。"
            ),
        )
        .into_response();
        if let Ok(value) = wait.as_secs().max(1).to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let request: EnrollRequest = read_json(&headers, body.ok(), ENROLL_BODY_BYTES)?;
    let ids = storage.clone();
    let (server_id, server_key) =
        blocking(move || Ok((ids.server_id()?, crate::server_public_key(ids.as_ref())?))).await?;
    let device_id = request.device_id.clone();
    let key = request.public_key.clone();
    let enrolling = storage.clone();
    let result = blocking(move || {
        enrolling.enroll_with_key(
            &request.code,
            &request.device_id,
            request.village_code.as_deref(),
            request.public_key.as_deref(),
        )
    })
    .await;
    let enrollment = match result {
        Ok(Some(enrollment)) => enrollment,
        Ok(None) => {
            limiter.failed(peer, Instant::now());
            audit(
                &storage,
                &actor,
                "enroll",
                "bad_enrollment_code",
                None,
                Some(device_id),
                String::new(),
            )
            .await;
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "bad_enrollment_code",
                "登记码不对、已经用过或已过期。请向县应急管理局领取新的登记码。",
            ));
        }
        Err(e) => {
            limiter.failed(peer, Instant::now());
            audit(
                &storage,
                &actor,
                "enroll",
                e.code,
                None,
                Some(device_id),
                String::new(),
            )
            .await;
            return Err(e);
        }
    };
    audit(
        &storage,
        &actor,
        "enroll",
        "ok",
        Some(enrollment.village_code.clone()),
        Some(device_id),
        if key.is_some() {
            "with signing key".into()
        } else {
            String::new()
        },
    )
    .await;
    Ok(json_response(
        StatusCode::OK,
        &EnrollResponse {
            token: enrollment.token,
            village_code: enrollment.village_code,
            village_name: enrollment.village_name,
            server_id: Some(server_id),
            key_registered: key.is_some(),
            server_key: Some(server_key),
        },
    ))
}

/// Writes an audit line; a failure to is printed, never the request's undoing.
pub(crate) async fn audit<S: CountyStorage>(
    storage: &Arc<S>,
    actor: &str,
    action: &str,
    outcome: &str,
    village_code: Option<String>,
    device_id: Option<String>,
    detail: String,
) {
    let entry = AuditEntry {
        actor: actor.to_string(),
        action: action.to_string(),
        outcome: outcome.to_string(),
        village_code,
        device_id,
        detail,
    };
    let storage = storage.clone();
    if let Err(e) = blocking(move || storage.record(&entry)).await {
        eprintln!("cunan-county: could not write the audit trail: {}", e.code);
    }
}

/// Registers the public key of an enrolled device that has none yet (enrolled before keys).
async fn device_key<S: CountyStorage>(
    State(storage): State<Arc<S>>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let auth = authenticate(&storage, &parts.headers).await?;
    let body = axum::body::to_bytes(body, ENROLL_BODY_BYTES).await.ok();
    let request: DeviceKeyRequest = read_json(&parts.headers, body, ENROLL_BODY_BYTES)?;
    let registering = storage.clone();
    let who = auth.clone();
    let result = blocking(move || registering.register_key(&who, &request.public_key)).await;
    let outcome = result.as_ref().map_or_else(|e| e.code, |_| "ok");
    audit(
        &storage,
        &format!("device {}", auth.device_id),
        "device_key",
        outcome,
        Some(auth.village_code.clone()),
        Some(auth.device_id.clone()),
        String::new(),
    )
    .await;
    Ok(json_response(
        StatusCode::OK,
        &DeviceKeyResponse {
            registered: result?,
        },
    ))
}

/// The body is read only once the token is known good: without one, a caller cannot make the
/// server take in a large body.
async fn push<S: CountyStorage>(
    State(storage): State<Arc<S>>,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let auth = authenticate(&storage, &parts.headers).await?;
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    let request: PushRequest = read_json(&parts.headers, body, MAX_BODY_BYTES)?;
    if request.changes.len() > MAX_BATCH * 4 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            "一批变更太多，没有接收。请分批同步。",
        ));
    }
    if request.device_id != auth.device_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_device",
            "设备编号与凭证不一致，整批没有接收。",
        ));
    }
    let pushing = storage.clone();
    let who = auth.clone();
    let count = request.changes.len();
    let result = blocking(move || pushing.push(&who, &request.changes, Via::Push)).await;
    // Refused pushes are kept in the audit trail (accepted ones are in the change table).
    if let Err(e) = &result {
        audit(
            &storage,
            &format!("device {}", auth.device_id),
            "push",
            e.code,
            Some(auth.village_code.clone()),
            Some(auth.device_id.clone()),
            format!("{count} changes"),
        )
        .await;
    }
    Ok(json_response(StatusCode::OK, &result?))
}

#[derive(Deserialize)]
struct PullParams {
    #[serde(default)]
    cursor: i64,
    #[serde(default)]
    limit: Option<usize>,
}

async fn pull<S: CountyStorage>(
    State(storage): State<Arc<S>>,
    headers: HeaderMap,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let auth = authenticate(&storage, &headers).await?;
    let Query(params) = params.map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "参数 cursor / limit 应为非负整数。",
        )
    })?;
    if params.cursor < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "参数 cursor 应为非负整数。",
        ));
    }
    let limit = params.limit.unwrap_or(MAX_BATCH).min(MAX_BATCH * 4);
    let response = blocking(move || storage.pull(&auth, params.cursor, limit)).await?;
    Ok(json_response(StatusCode::OK, &response))
}
