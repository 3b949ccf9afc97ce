//! The county dashboard (县级驾驶舱), served by `cunan-county serve` beside the sync API: a login
//! for county and township staff (accounts made with `cunan-county user add`), each village's
//! readiness ([`crate::summary`]) in one sortable table with charts and an Excel export, one page
//! per village, and the emergency view (open incidents, report deadlines, roll-call totals). A
//! township account sees only its villages (division-code prefix), on every page and export.

mod html;
mod publish;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::api::{audit, blocking, FailureLimiter, Peer};
use crate::storage::{CountyStorage, StaffUser, StorageError};
use crate::summary::VillageSummary;
use html::{ago, bars, esc, page, score_tone, Tab, TABLE_SCRIPT};

/// The cookie a dashboard session rides on.
const COOKIE: &str = "cunan_session";
/// How long a login lasts.
const SESSION_HOURS: i64 = 12;
/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

struct Dashboard<S> {
    storage: Arc<S>,
    logins: FailureLimiter,
}

/// The dashboard's routes, to merge into the server's router.
pub fn router<S: CountyStorage>(storage: Arc<S>) -> Router {
    let state = Arc::new(Dashboard {
        storage,
        logins: FailureLimiter::default(),
    });
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/login", get(login_form).post(login::<S>))
        .route("/logout", post(logout::<S>))
        .route("/dashboard", get(villages_page::<S>))
        .route("/dashboard/village/{code}", get(village_page::<S>))
        .route("/dashboard/emergency", get(emergency_page::<S>))
        .route("/dashboard/export.xlsx", get(export::<S>))
        .route("/dashboard/font.ttf", get(font))
        .route("/dashboard/publish", get(publish::publish_page::<S>))
        .route(
            "/dashboard/publish/deadlines",
            post(publish::publish_deadlines::<S>),
        )
        .route(
            "/dashboard/publish/contact",
            post(publish::publish_contact::<S>),
        )
        .route(
            "/dashboard/publish/contact/remove",
            post(publish::remove_contact::<S>),
        )
        .with_state(state)
}

/// Hashes a password for storing (Argon2id, a random salt).
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("密码至少 {MIN_PASSWORD_CHARS} 位。"));
    }
    let mut salt = [0u8; 16];
    salt.copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    crate::sqlite::hash(token)
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

/// The logged-in account, or the response that sends the browser to the login page.
async fn staff<S: CountyStorage>(
    state: &Arc<Dashboard<S>>,
    headers: &HeaderMap,
) -> Result<StaffUser, Response> {
    let Some(token) = cookie_token(headers) else {
        return Err(Redirect::to("/login").into_response());
    };
    let storage = state.storage.clone();
    match blocking(move || storage.session_user(&token_hash(&token))).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

fn failure(e: StorageError) -> Response {
    eprintln!("cunan-county: dashboard: {e}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(page(
            "出错了",
            None,
            None,
            "<div class=\"card error\">服务器数据库暂时出错，请稍后刷新。</div>",
        )),
    )
        .into_response()
}

/// The app's own Chinese font (Noto Sans SC, OFL), for a browser without one: listed after the
/// system's Chinese fonts, so a browser that has those never fetches it.
static FONT: &[u8] = include_bytes!("../../../../assets/fonts/NotoSansSC-Regular.ttf");

async fn font() -> Response {
    (
        [
            (header::CONTENT_TYPE, "font/ttf"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        FONT,
    )
        .into_response()
}

// ---- login ----

fn login_page(error: Option<&str>) -> Html<String> {
    let error = error
        .map(|e| {
            format!(
                "<div class=\"error\" role=\"alert\" data-test=\"login-error\">{}</div>",
                esc(e)
            )
        })
        .unwrap_or_default();
    Html(page(
        "登录",
        None,
        None,
        &format!(
            "<form class=\"card login\" method=\"post\" action=\"/login\">\
             <h1>县级驾驶舱登录</h1><p class=\"sub\">县应急管理局和乡镇工作人员使用。账号由县里管理员开设。</p>\
             <label for=\"username\">账号</label><input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" required data-test=\"username\">\
             <label for=\"password\">密码</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required data-test=\"password\">\
             <p><button type=\"submit\" class=\"btn primary\" data-test=\"login\">登录</button></p>{error}</form>"
        ),
    ))
}

async fn login_form() -> Html<String> {
    login_page(None)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    peer: Option<Extension<Peer>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let peer = peer.map_or(IpAddr::from([0, 0, 0, 0]), |Extension(Peer(ip))| ip);
    let actor = format!("address {peer}");
    if let Some(wait) = state.logins.wait(peer, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        audit(
            &state.storage,
            &actor,
            "login",
            "too_many_attempts",
            None,
            None,
            String::new(),
        )
        .await;
        return (
            StatusCode::TOO_MANY_REQUESTS,
            login_page(Some(&format!(
                "密码输错次数太多，请 {minutes} 分钟后再试。忘记密码请找县里管理员重设。"
            ))),
        )
            .into_response();
    }
    let username = form.username.trim().to_string();
    let storage = state.storage.clone();
    let name = username.clone();
    let found = match blocking(move || storage.user_for_login(&name)).await {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    // The hash is checked off the async threads (it is deliberately slow).
    let password = form.password;
    let ok_user = match found {
        Some((user, hash)) if !user.disabled => {
            let checked = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .unwrap_or(false);
            checked.then_some(user)
        }
        _ => None,
    };
    let Some(user) = ok_user else {
        state.logins.failed(peer, Instant::now());
        audit(
            &state.storage,
            &actor,
            "login",
            "bad_password",
            None,
            None,
            format!("account {}", short(&username)),
        )
        .await;
        return (
            StatusCode::UNAUTHORIZED,
            login_page(Some("账号或密码不对，请重新输入。")),
        )
            .into_response();
    };
    let token = format!("cns_{}", uuid::Uuid::new_v4().simple());
    let expires = (state.storage.clock_now() + chrono::Duration::hours(SESSION_HOURS)).to_rfc3339();
    let storage = state.storage.clone();
    let (hash, who) = (token_hash(&token), user.username.clone());
    if let Err(e) = blocking(move || storage.create_session(&hash, &who, &expires)).await {
        return e.into_response();
    }
    audit(
        &state.storage,
        &actor,
        "login",
        "ok",
        None,
        None,
        format!("account {}", user.username),
    )
    .await;
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_HOURS * 3600
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to("/dashboard")).into_response()
}

fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

async fn logout<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = cookie_token(&headers) {
        let storage = state.storage.clone();
        let _ = blocking(move || storage.end_session(&token_hash(&token))).await;
    }
    let clear = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

// ---- the villages ----

/// The summaries the account may see, with `township` ('' for all) applied.
async fn visible<S: CountyStorage>(
    state: &Arc<Dashboard<S>>,
    user: &StaffUser,
) -> Result<Vec<VillageSummary>, StorageError> {
    let storage = state.storage.clone();
    let user = user.clone();
    tokio::task::spawn_blocking(move || {
        Ok(crate::summary::summaries(storage.as_ref())?
            .into_iter()
            .filter(|s| user.sees(&s.village_code))
            .collect())
    })
    .await
    .map_err(|_| StorageError::Database("summary task failed".into()))?
}

/// The logged-in account and the villages it may see, or the response to give instead.
async fn staff_and_villages<S: CountyStorage>(
    state: &Arc<Dashboard<S>>,
    headers: &HeaderMap,
) -> Result<(StaffUser, Vec<VillageSummary>), Response> {
    let user = staff(state, headers).await?;
    let list = visible(state, &user).await.map_err(failure)?;
    Ok((user, list))
}

fn township_of(s: &VillageSummary) -> &str {
    if s.township.is_empty() {
        "（未填乡镇）"
    } else {
        &s.township
    }
}

async fn villages_page<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
) -> Response {
    let (user, list) = match staff_and_villages(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let now = state.storage.clock_now();
    Html(page(
        "各村备战",
        Some(&user),
        Some(Tab::Villages),
        &villages_body(&list, now),
    ))
    .into_response()
}

fn villages_body(list: &[VillageSummary], now: DateTime<Utc>) -> String {
    let synced: Vec<&VillageSummary> = list.iter().filter(|s| s.synced).collect();
    let within = |hours: i64| {
        list.iter()
            .filter(|s| {
                s.last_sync
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .is_some_and(|t| (now - t.with_timezone(&Utc)).num_hours() < hours)
            })
            .count()
    };
    let average = if synced.is_empty() {
        0
    } else {
        synced.iter().map(|s| s.readiness_score).sum::<i64>() / synced.len() as i64
    };
    let no_helper: i64 = list.iter().map(|s| s.vulnerable_without_helper).sum();
    let overdue: i64 = list.iter().map(|s| s.hazards_overdue).sum();
    let stat = |n: String, label: &str, warn: bool, test: &str| {
        format!(
            "<div class=\"card stat{}\" data-test=\"{test}\"><div class=\"n\">{n}</div><div class=\"l\">{label}</div></div>",
            if warn { " warn" } else { "" }
        )
    };
    let mut out = String::from("<h1>各村备战情况</h1>");
    out.push_str(&format!(
        "<p class=\"sub\">按各村同步上来的数据，用村里“备战自查”的同一套规则计算。数据截至各村最近一次同步。</p><div class=\"cards\">{}{}{}{}{}{}</div>",
        stat(list.len().to_string(), "村", false, "stat-villages"),
        stat(within(24).to_string(), "24 小时内同步", false, "stat-recent"),
        stat((list.len() - synced.len()).to_string(), "从未同步", list.len() > synced.len(), "stat-never"),
        stat(format!("{average} 分"), "平均自查得分（已同步的村）", average < 60 && !synced.is_empty(), "stat-average"),
        stat(no_helper.to_string(), "重点人员无帮扶人", no_helper > 0, "stat-no-helper"),
        stat(overdue.to_string(), "隐患超过 15 日未办结", overdue > 0, "stat-overdue"),
    ));

    // Charts: readiness by township, and how recently villages synced.
    let mut townships: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for s in &synced {
        let e = townships.entry(township_of(s)).or_default();
        e.0 += s.readiness_score;
        e.1 += 1;
    }
    let by_township: Vec<(String, f64, String)> = townships
        .iter()
        .map(|(name, (sum, n))| {
            let avg = *sum as f64 / *n as f64;
            (name.to_string(), avg, format!("{avg:.0} 分（{n} 村）"))
        })
        .collect();
    let buckets = [
        ("1 天内", within(24)),
        ("7 天内", within(24 * 7) - within(24)),
        ("30 天内", within(24 * 30) - within(24 * 7)),
        ("更早", synced.len() - within(24 * 30)),
        ("从未同步", list.len() - synced.len()),
    ];
    let recency: Vec<(String, f64, String)> = buckets
        .iter()
        .map(|(label, n)| (label.to_string(), *n as f64, format!("{n} 村")))
        .collect();
    let most = buckets.iter().map(|(_, n)| *n).max().unwrap_or(0) as f64;
    out.push_str(&format!(
        "<div class=\"two\"><div class=\"card\"><h2>各乡镇平均自查得分</h2>{}</div><div class=\"card\"><h2>最近同步时间</h2>{}</div></div>",
        if by_township.is_empty() {
            "<div class=\"empty\">还没有村同步过数据。</div>".to_string()
        } else {
            bars("chart-township", &by_township, 100.0, "blue")
        },
        bars("chart-recency", &recency, most.max(1.0), "grey"),
    ));

    // The table.
    let names: std::collections::BTreeSet<&str> = list.iter().map(township_of).collect();
    let options: String = names
        .iter()
        .map(|t| format!("<option value=\"{0}\">{0}</option>", esc(t)))
        .collect();
    out.push_str(&format!(
        "<div class=\"bar-tools\"><label>乡镇 <select id=\"township\" data-test=\"township\"><option value=\"\">全部</option>{options}</select></label>\
         <span class=\"muted\">显示 <span data-test=\"shown\">{}</span> 个村 · 点表头排序</span>\
         <a class=\"btn\" href=\"/dashboard/export.xlsx\" data-test=\"export\">导出 Excel</a></div>",
        list.len()
    ));
    if list.is_empty() {
        out.push_str(
            "<div class=\"card empty\">还没有登记任何村。用 cunan-county village add 登记。</div>",
        );
        return out;
    }
    out.push_str(
        "<table data-sortable data-test=\"villages\"><thead><tr>\
         <th data-sort=\"text\">乡镇</th><th data-sort=\"text\">村</th><th data-sort=\"num\">最近同步</th>\
         <th data-sort=\"num\" class=\"num\">自查得分</th><th data-sort=\"num\" class=\"num\">户数</th>\
         <th data-sort=\"num\" class=\"num\">人口</th><th data-sort=\"num\" class=\"num\">重点人员</th>\
         <th data-sort=\"num\" class=\"num\">无帮扶人</th><th data-sort=\"num\" class=\"num\">物资问题</th>\
         <th data-sort=\"num\" class=\"num\">隐患逾期</th><th data-sort=\"num\" class=\"num\">今年演练</th>\
         <th data-sort=\"num\" class=\"num\">进行中事件</th></tr></thead><tbody>",
    );
    for s in list {
        let synced_at = s
            .last_sync
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(0, |t| t.timestamp());
        let score = if s.synced {
            format!(
                "<span class=\"pill {}\">{}</span>",
                score_tone(s.readiness_score),
                s.readiness_score
            )
        } else {
            "<span class=\"muted\">—</span>".into()
        };
        let warn = |n: i64| {
            if n > 0 {
                format!("<span class=\"bad\">{n}</span>")
            } else {
                n.to_string()
            }
        };
        out.push_str(&format!(
            "<tr data-township=\"{t}\" data-test=\"village-row\" data-code=\"{code}\"><td>{t}</td>\
             <td><a href=\"/dashboard/village/{code}\">{name}</a> <span class=\"muted\">{code}</span></td>\
             <td data-v=\"{synced_at}\">{ago}</td><td class=\"num\" data-v=\"{sv}\">{score}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\" data-v=\"{}\">{}</td>\
             <td class=\"num\" data-v=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\" data-v=\"{}\">{}</td></tr>",
            s.households,
            s.residents,
            s.vulnerable,
            s.vulnerable_without_helper,
            warn(s.vulnerable_without_helper),
            s.kit_problems.len(),
            warn(s.kit_problems.len() as i64),
            s.hazards_overdue,
            warn(s.hazards_overdue),
            s.drills_this_year,
            s.open_incidents,
            warn(s.open_incidents),
            t = esc(township_of(s)),
            code = esc(&s.village_code),
            name = esc(&s.village_name),
            ago = ago(s.last_sync.as_deref(), now),
            sv = if s.synced { s.readiness_score } else { -1 },
        ));
    }
    out.push_str("</tbody></table>");
    out.push_str(TABLE_SCRIPT);
    out
}

async fn village_page<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let (user, list) = match staff_and_villages(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    // Another township's village is answered as one that does not exist.
    let Some(s) = list.into_iter().find(|s| s.village_code == code) else {
        return (
            StatusCode::NOT_FOUND,
            Html(page(
                "找不到这个村",
                Some(&user),
                Some(Tab::Villages),
                "<div class=\"card empty\">找不到这个村（区划代码不对，或不在您的乡镇）。<a href=\"/dashboard\">返回各村列表</a></div>",
            )),
        )
            .into_response();
    };
    let storage = state.storage.clone();
    let village = s.village_code.clone();
    let devices = blocking(move || storage.devices(&village))
        .await
        .unwrap_or_default();
    let now = state.storage.clock_now();
    let list_of = |items: &[String], none: &str| {
        if items.is_empty() {
            format!("<p class=\"muted\">{none}</p>")
        } else {
            format!(
                "<ul class=\"plain\">{}</ul>",
                items
                    .iter()
                    .map(|i| format!("<li>{}</li>", esc(i)))
                    .collect::<String>()
            )
        }
    };
    let device_rows: String = devices
        .iter()
        .map(|d| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&d.device_id),
                esc(&d.enrolled_at[..d.enrolled_at.len().min(10)]),
                ago(Some(&d.last_used_at), now),
                if d.revoked_at.is_some() {
                    "<span class=\"bad\">已停用</span>"
                } else {
                    "有效"
                }
            )
        })
        .collect();
    let body = format!(
        "<p><a href=\"/dashboard\">← 各村列表</a></p><h1 data-test=\"village-name\">{name}</h1>\
         <p class=\"sub\">{township} · 区划代码 {code} · {sync}</p>\
         <div class=\"cards\">\
         <div class=\"card stat\"><div class=\"n\"><span class=\"pill {tone}\">{score}</span></div><div class=\"l\">备战自查得分</div></div>\
         <div class=\"card stat\"><div class=\"n\">{households}</div><div class=\"l\">户</div></div>\
         <div class=\"card stat\"><div class=\"n\">{residents}</div><div class=\"l\">人</div></div>\
         <div class=\"card stat{vw}\"><div class=\"n\">{no_helper} / {vulnerable}</div><div class=\"l\">重点人员无帮扶人 / 全部</div></div>\
         <div class=\"card stat{hw}\"><div class=\"n\">{overdue} / {open}</div><div class=\"l\">隐患逾期 / 未办结</div></div>\
         <div class=\"card stat\"><div class=\"n\">{drills}</div><div class=\"l\">今年演练</div></div></div>\
         <div class=\"two\"><div class=\"card\" data-test=\"gaps\"><h2>自查未达标项（六个一 / 五有）</h2>{gaps}</div>\
         <div class=\"card\" data-test=\"kit\"><h2>5+X 应急物资问题（共 {kit_lines} 项）</h2>{kit}</div></div>\
         <div class=\"card\"><h2>登记的电脑</h2>{devices}</div>",
        name = esc(&s.village_name),
        township = esc(township_of(&s)),
        code = esc(&s.village_code),
        sync = if s.synced {
            format!("最近同步 {}", ago(s.last_sync.as_deref(), now))
        } else {
            "从未同步".into()
        },
        tone = score_tone(s.readiness_score),
        score = if s.synced { s.readiness_score.to_string() } else { "—".into() },
        households = s.households,
        residents = s.residents,
        no_helper = s.vulnerable_without_helper,
        vulnerable = s.vulnerable,
        vw = if s.vulnerable_without_helper > 0 { " warn" } else { "" },
        overdue = s.hazards_overdue,
        open = s.hazards_open,
        hw = if s.hazards_overdue > 0 { " warn" } else { "" },
        drills = s.drills_this_year,
        gaps = list_of(&s.readiness_gaps, "全部达标。"),
        kit_lines = s.kit_lines,
        kit = list_of(&s.kit_problems, "没有问题。"),
        devices = if devices.is_empty() {
            "<p class=\"muted\">还没有电脑登记。</p>".to_string()
        } else {
            format!("<table><thead><tr><th>设备编号</th><th>登记</th><th>最近使用</th><th>状态</th></tr></thead><tbody>{device_rows}</tbody></table>")
        },
    );
    Html(page(
        &s.village_name,
        Some(&user),
        Some(Tab::Villages),
        &body,
    ))
    .into_response()
}

async fn emergency_page<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
) -> Response {
    let user = match staff(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let storage = state.storage.clone();
    let now = state.storage.clock_now();
    let incidents =
        match blocking(move || crate::incidents::incidents(storage.as_ref(), now, true)).await {
            Ok(list) => list,
            Err(e) => return e.into_response(),
        };
    let mine: Vec<_> = incidents
        .into_iter()
        .filter(|i| user.sees(&i.village_code))
        .collect();
    let mut body = format!(
        "<h1>应急态势</h1><p class=\"sub\">各村正在报告的突发事件、报告时限和转移点名进度。共 <span data-test=\"incident-count\">{}</span> 起。</p>",
        mine.len()
    );
    if mine.is_empty() {
        body.push_str("<div class=\"card empty\">目前没有正在报告的突发事件。</div>");
    } else {
        body.push_str("<table data-test=\"incidents\"><thead><tr><th>村</th><th>事件</th><th>发生时间</th><th>报告时限</th><th class=\"num\">已收报告</th><th>转移点名</th></tr></thead><tbody>");
        for c in &mine {
            let i = &c.incident;
            let deadlines: String = c
                .deadlines
                .iter()
                .map(|d| format!("<div>{}：{}</div>", esc(&d.what), esc(&d.state.words())))
                .collect();
            let roll = c.roll_call.as_ref().map_or("<span class=\"muted\">未发起</span>".to_string(), |t| {
                format!(
                    "应转移 {} 人，已转移 {} 人，<span class=\"{}\">未转移 {} 人</span>（其中重点人员 {} 人）",
                    t.expected.people,
                    t.moved.people,
                    if t.not_moved.people > 0 { "bad" } else { "" },
                    t.not_moved.people,
                    t.not_moved.vulnerable
                )
            });
            body.push_str(&format!(
                "<tr data-test=\"incident-row\"><td><a href=\"/dashboard/village/{code}\">{name}</a></td><td>{hazard} · {place}</td><td>{at}</td><td>{deadlines}</td><td class=\"num\">{reports}</td><td>{roll}</td></tr>",
                code = esc(&c.village_code),
                name = esc(&c.village_name),
                hazard = i.hazard.map(|h| h.label()).unwrap_or("其他灾害"),
                place = esc(&i.place),
                at = esc(&DateTime::parse_from_rfc3339(&i.occurred_at)
                    .map(|t| t.format("%-m月%-d日 %H:%M").to_string())
                    .unwrap_or_else(|_| i.occurred_at.clone())),
                reports = c.reports.len(),
            ));
        }
        body.push_str("</tbody></table>");
    }
    Html(page("应急态势", Some(&user), Some(Tab::Emergency), &body)).into_response()
}

#[derive(Deserialize)]
struct ExportQuery {
    #[serde(default)]
    township: String,
}

async fn export<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Response {
    let (user, list) = match staff_and_villages(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let township = query.township;
    let rows: Vec<&VillageSummary> = list
        .iter()
        .filter(|s| township.is_empty() || township_of(s) == township)
        .collect();
    let now = state.storage.clock_now();
    match workbook(&rows, now) {
        Ok(bytes) => {
            let name = format!(
                "attachment; filename=\"villages.xlsx\"; filename*=UTF-8''{}",
                percent(&format!(
                    "各村备战情况-{}.xlsx",
                    crate::summary::beijing_today(now)
                ))
            );
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, name),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            eprintln!("cunan-county: export: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(page(
                    "出错了",
                    Some(&user),
                    None,
                    "<div class=\"card error\">生成 Excel 失败，请重试。</div>",
                )),
            )
                .into_response()
        }
    }
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The villages table as an .xlsx workbook.
fn workbook(
    rows: &[&VillageSummary],
    now: DateTime<Utc>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("各村备战情况")?;
    let bold = Format::new().set_bold();
    let headers = [
        "乡镇",
        "村",
        "区划代码",
        "最近同步",
        "自查得分",
        "户数",
        "人口",
        "重点人员",
        "无帮扶人",
        "物资问题",
        "隐患未办结",
        "隐患逾期",
        "今年演练",
        "进行中事件",
        "自查未达标项",
        "物资问题明细",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, s) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write(r, 0, township_of(s))?;
        sheet.write(r, 1, s.village_name.as_str())?;
        sheet.write(r, 2, s.village_code.as_str())?;
        sheet.write(r, 3, ago(s.last_sync.as_deref(), now))?;
        if s.synced {
            sheet.write(r, 4, s.readiness_score as f64)?;
        }
        let numbers = [
            s.households,
            s.residents,
            s.vulnerable,
            s.vulnerable_without_helper,
            s.kit_problems.len() as i64,
            s.hazards_open,
            s.hazards_overdue,
            s.drills_this_year,
            s.open_incidents,
        ];
        for (k, n) in numbers.iter().enumerate() {
            sheet.write(r, 5 + k as u16, *n as f64)?;
        }
        sheet.write(r, 14, s.readiness_gaps.join("；"))?;
        sheet.write(r, 15, s.kit_problems.join("；"))?;
    }
    sheet.set_freeze_panes(1, 2)?;
    for (c, width) in [10, 12, 15, 12, 9, 7, 7, 9, 9, 9, 10, 9, 9, 10, 60, 40]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *width)?;
    }
    book.save_to_buffer()
}
