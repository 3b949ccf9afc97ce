//! The HTTP API (see `openapi.yaml`): handlers generic over [`CountyStorage`].

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;

use cunan_sync::protocol::{
    EnrollRequest, EnrollResponse, ErrorBody, PushRequest, ServerInfo, MAX_BATCH, MAX_BODY_BYTES,
    MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION,
};

use crate::storage::{CountyStorage, DeviceAuth, StorageError, Via};

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
        .route("/v1/push", post(push::<S>))
        .route("/v1/pull", get(pull::<S>))
        .layer(middleware::from_fn(check_protocol));
    Router::new()
        .route("/v1/health", get(health::<S>))
        .merge(v1)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CompressionLayer::new().gzip(true))
        .layer(middleware::from_fn_with_state(request_timeout, time_limit))
        .with_state(storage)
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
    let server_id = blocking(move || storage.server_id()).await?;
    Ok(json_response(
        StatusCode::OK,
        &ServerInfo {
            service: "cunan-county".into(),
            protocol: PROTOCOL_VERSION,
            min_protocol: MIN_PROTOCOL_VERSION,
            server_id: Some(server_id),
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

async fn blocking<T: Send + 'static>(
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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let request: EnrollRequest = read_json(&headers, body.ok(), ENROLL_BODY_BYTES)?;
    let ids = storage.clone();
    let server_id = blocking(move || ids.server_id()).await?;
    let enrollment = blocking(move || {
        storage.enroll(
            &request.code,
            &request.device_id,
            request.village_code.as_deref(),
        )
    })
    .await?
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "bad_enrollment_code",
            "登记码不对、已经用过或已过期。请向县应急管理局领取新的登记码。",
        )
    })?;
    Ok(json_response(
        StatusCode::OK,
        &EnrollResponse {
            token: enrollment.token,
            village_code: enrollment.village_code,
            village_name: enrollment.village_name,
            server_id: Some(server_id),
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
    let response = blocking(move || storage.push(&auth, &request.changes, Via::Push)).await?;
    Ok(json_response(StatusCode::OK, &response))
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
