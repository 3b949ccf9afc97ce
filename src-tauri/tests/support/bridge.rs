//! The UI test bridge: the app's real command handler (`cunan_app_lib::configure`) on tauri's mock
//! runtime, over a real store file, reachable from a browser through loopback HTTP:
//!
//! - `POST /invoke/<command>` with the arguments as a JSON object runs the command exactly as the
//!   window would and answers 200 with its JSON (or bytes), or 400 with the `ApiError`;
//! - `GET /events` answers how many `store-changed` events the app has sent (the UI polls it
//!   where the window would get the event);
//! - `POST /clock` with `{"advance_seconds": n}` (or `{"now": "<RFC 3339>"}`) moves the app's
//!   clock, when the bridge runs on a test clock (`start_with_clock`): the UI tests see a
//!   deadline pass without waiting for it. It answers the clock's new reading;
//! - `GET /...` serves the built UI (`ui/dist-uitest`, built with `--mode uitest`, which talks to
//!   this bridge instead of Tauri's IPC).
//!
//! Only the transport differs from the app: the commands, the core and the SQLite file are the
//! real ones. Commands that need the desktop (opening a file viewer) fail as they would on a
//! machine without one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use cunan_app_api::worker::WorkerConfig;
use cunan_app_api::Session;
use cunan_app_lib::sync::STORE_CHANGED_EVENT;
use cunan_core::clock::{Clock, FixedClock, SystemClock};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Listener;

type Reply = Result<InvokeResponseBody, serde_json::Value>;
type Job = (
    String,
    serde_json::Value,
    tokio::sync::oneshot::Sender<Reply>,
);

#[derive(Clone)]
struct Bridge {
    jobs: mpsc::Sender<Job>,
    dist: PathBuf,
    /// How many `store-changed` events the app sent (the UI polls `GET /events`).
    store_changed: Arc<AtomicU64>,
    /// The app's clock, when a test may move it.
    test_clock: Option<Arc<FixedClock>>,
}

/// A running bridge; it stops when the process ends.
pub struct Running {
    pub addr: SocketAddr,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// Starts the bridge over the store at `store`, serving the UI from `dist`, on `port` (0 for any).
#[allow(dead_code)] // ui_bridge and ui-bench use it; the UI tests start on a fixed clock.
pub fn start(store: &Path, dist: &Path, port: u16) -> Running {
    start_on(store, dist, port, Arc::new(SystemClock), None)
}

/// The same on a test clock: the app's "today" (and every rule's) is the clock's, and
/// `POST /clock` moves it.
#[allow(dead_code)] // the UI tests use it; ui_bridge and ui-bench run on the system clock.
pub fn start_with_clock(store: &Path, dist: &Path, port: u16, clock: Arc<FixedClock>) -> Running {
    start_on(store, dist, port, clock.clone(), Some(clock))
}

fn start_on(
    store: &Path,
    dist: &Path,
    port: u16,
    clock: Arc<dyn Clock>,
    test_clock: Option<Arc<FixedClock>>,
) -> Running {
    let (jobs, queue) = mpsc::channel::<Job>();
    let store = store.to_path_buf();
    let store_changed = Arc::new(AtomicU64::new(0));
    let counter = store_changed.clone();
    // The mock app lives on one thread; HTTP requests queue for it, as IPC calls do in the app.
    std::thread::spawn(move || {
        let app =
            cunan_app_lib::configure(mock_builder(), Session::at_with_clock(store, false, clock))
                .build(mock_context(noop_assets()))
                .expect("the mock app builds");
        // The app's sync worker, as in the window (idle until enrolled); its store-changed
        // events are counted for the UI to poll.
        let seen = counter.clone();
        app.listen_any(STORE_CHANGED_EVENT, move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        cunan_app_lib::sync::start_worker(app.handle(), WorkerConfig::default());
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("the mock window builds");
        for (cmd, args, reply) in queue {
            let request = InvokeRequest {
                cmd,
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("a valid url"),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            let _ = reply.send(get_ipc_response(&webview, request));
        }
    });
    let bridge = Bridge {
        jobs,
        dist: dist.to_path_buf(),
        store_changed,
        test_clock,
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind loopback");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("local addr");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let app = Router::new()
                .route("/invoke/{cmd}", post(invoke))
                .route("/events", get(events))
                .route("/clock", post(move_clock))
                .fallback(get(file))
                .with_state(bridge);
            axum::serve(listener, app).await.expect("serve");
        });
    });
    Running { addr }
}

async fn invoke(
    State(bridge): State<Bridge>,
    UrlPath(cmd): UrlPath<String>,
    body: Bytes,
) -> Response {
    let args: serde_json::Value = if body.is_empty() {
        serde_json::json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                return (StatusCode::BAD_REQUEST, "arguments must be a JSON object").into_response()
            }
        }
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    if bridge.jobs.send((cmd, args, tx)).is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match rx.await {
        Ok(Ok(InvokeResponseBody::Json(json))) => {
            ([(header::CONTENT_TYPE, "application/json")], json).into_response()
        }
        Ok(Ok(InvokeResponseBody::Raw(bytes))) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        Ok(Err(error)) => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            error.to_string(),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn events(State(bridge): State<Bridge>) -> Response {
    let n = bridge.store_changed.load(Ordering::SeqCst);
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"store_changed\":{n}}}"),
    )
        .into_response()
}

/// Moves the test clock: `{"advance_seconds": n}` or `{"now": "<RFC 3339>"}`.
async fn move_clock(State(bridge): State<Bridge>, body: Bytes) -> Response {
    let Some(clock) = &bridge.test_clock else {
        return (
            StatusCode::NOT_FOUND,
            "this bridge runs on the system clock",
        )
            .into_response();
    };
    let Ok(args) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "expected a JSON object").into_response();
    };
    let to = if let Some(seconds) = args["advance_seconds"].as_i64() {
        clock.now() + chrono::Duration::seconds(seconds)
    } else if let Some(Ok(t)) = args["now"]
        .as_str()
        .map(chrono::DateTime::parse_from_rfc3339)
    {
        t.with_timezone(&chrono::Utc)
    } else {
        return (StatusCode::BAD_REQUEST, "give advance_seconds or now").into_response();
    };
    clock.set(to);
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "now": clock.now().to_rfc3339() }).to_string(),
    )
        .into_response()
}

async fn file(State(bridge): State<Bridge>, uri: axum::http::Uri) -> Response {
    let rel = uri.path().trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    if rel.split('/').any(|part| part == ".." || part.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = bridge.dist.join(rel);
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&path))], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "wasm" => "application/wasm",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "woff2" => "font/woff2",
        "bcmap" | "pfb" => "application/octet-stream",
        _ => "application/octet-stream",
    }
}
