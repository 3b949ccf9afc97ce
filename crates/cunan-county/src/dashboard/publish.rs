//! 下发 (push-down) from the dashboard, for county accounts: the report deadlines every village's
//! emergency mode counts against, and the county's contacts (防指, 应急局 duty lines) that appear,
//! read-only, in every village's contacts. What is published goes through the same `publish` as
//! `cunan-county publish`, reaches the villages with their next sync (or the county's USB bundle),
//! and is written to the audit trail with the account that did it.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cunan_core::incident::{DeadlineRule, DeadlineSetting, Severity, DEADLINE_SETTING};
use cunan_core::sync::COUNTY_SCOPE;
use serde::Deserialize;
use serde_json::{json, Value};

use super::html::{esc, page, Tab};
use super::{staff, Dashboard};
use crate::api::{audit, blocking};
use crate::storage::{CountyStorage, StaffUser};

/// The id of the county's deadline setting row: one row, replaced on each publish.
const DEADLINE_ROW: &str = "0190a000-0000-7000-8000-00000000d1e5";

/// Only county accounts publish; a township account is sent back to its list.
async fn county_staff<S: CountyStorage>(
    state: &Arc<Dashboard<S>>,
    headers: &HeaderMap,
) -> Result<StaffUser, Response> {
    let user = staff(state, headers).await?;
    if !user.scope_prefix.is_empty() {
        return Err((
            StatusCode::FORBIDDEN,
            Html(page(
                "无权下发",
                Some(&user),
                None,
                "<div class=\"card empty\">只有县级账号可以下发资料。<a href=\"/dashboard\">返回各村列表</a></div>",
            )),
        )
            .into_response());
    }
    Ok(user)
}

fn current(rows: &[(String, Value)], table: &str) -> Vec<Value> {
    rows.iter()
        .filter(|(t, _)| t == table)
        .map(|(_, v)| v.clone())
        .collect()
}

pub(super) async fn publish_page<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
) -> Response {
    match county_staff(&state, &headers).await {
        Ok(user) => render(&state, &user, None, StatusCode::OK).await,
        Err(response) => response,
    }
}

async fn render<S: CountyStorage>(
    state: &Arc<Dashboard<S>>,
    user: &StaffUser,
    message: Option<(bool, String)>,
    status: StatusCode,
) -> Response {
    let storage = state.storage.clone();
    let rows: Vec<(String, Value)> = match blocking(move || storage.live_rows(COUNTY_SCOPE)).await {
        Ok(rows) => rows.into_iter().map(|((t, _), v)| (t, v)).collect(),
        Err(e) => return e.into_response(),
    };
    let published: Vec<Value> = current(&rows, "setting")
        .into_iter()
        .filter(|s| s.get("key").and_then(Value::as_str) == Some(DEADLINE_SETTING))
        .filter_map(|s| s.get("value").cloned())
        .collect();
    let (setting, source) = cunan_core::incident::in_force(published.iter());
    let from_county = matches!(source, cunan_core::incident::DeadlineSource::County);
    let mut contacts = current(&rows, "contact");
    contacts.sort_by_key(|c| {
        c.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    });
    let text = |v: &Value, k: &str| esc(v.get(k).and_then(Value::as_str).unwrap_or(""));
    let contact_rows: String = contacts
        .iter()
        .map(|c| {
            format!(
                "<tr data-test=\"county-contact\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td><form method=\"post\" action=\"/dashboard/publish/contact/remove\"><input type=\"hidden\" name=\"id\" value=\"{}\">\
                 <button class=\"btn\" type=\"submit\">停止下发</button></form></td></tr>",
                text(c, "name"),
                text(c, "organization"),
                text(c, "phone"),
                if c.get("is_duty_line").and_then(Value::as_bool) == Some(true) { "值班电话" } else { "" },
                text(c, "hlc").get(..13).and_then(|ms| ms.parse::<i64>().ok()).and_then(chrono::DateTime::from_timestamp_millis).map(|t| crate::summary::beijing_today(t).to_string()).unwrap_or_default(),
                text(c, "id"),
            )
        })
        .collect();
    let banner = match message {
        Some((true, m)) => format!(
            "<div class=\"card ok\" role=\"status\" data-test=\"published\">{}</div>",
            esc(&m)
        ),
        Some((false, m)) => format!(
            "<div class=\"error\" role=\"alert\" data-test=\"publish-error\">{}</div>",
            esc(&m)
        ),
        None => String::new(),
    };
    let rule = |r: &DeadlineRule, prefix: &str| {
        format!(
            "<label>电话报告 <input type=\"number\" min=\"1\" max=\"1440\" name=\"{prefix}_phone\" value=\"{}\" data-test=\"{prefix}-phone\"> 分钟内</label>\
             <label>书面首报 <input type=\"number\" min=\"1\" max=\"1440\" name=\"{prefix}_written\" value=\"{}\" data-test=\"{prefix}-written\"> 分钟内</label>",
            r.phone_minutes, r.written_minutes
        )
    };
    let body = format!(
        "<h1>下发资料</h1><p class=\"sub\">下发的内容在各村下次同步（或读入县里发回的 U 盘数据包）时到达，在村里只读显示为“县里下发”。</p>{banner}\
         <div class=\"card\" style=\"margin-bottom:12px\"><h2>突发事件报告时限</h2>\
         <p class=\"muted\">现在生效：{source}。一般事件 电话 {} 分钟、书面 {} 分钟；{} 及以上 电话 {} 分钟、书面 {} 分钟。</p>\
         <form method=\"post\" action=\"/dashboard/publish/deadlines\" class=\"form-grid\">\
         <fieldset><legend>一般事件</legend>{}</fieldset><fieldset><legend>较重事件（从下面选的等级起）</legend>{}\
         <label>从 <select name=\"urgent_from\" data-test=\"urgent-from\">{}</select> 起</label></fieldset>\
         <p><button class=\"btn primary\" type=\"submit\" data-test=\"publish-deadlines\">下发报告时限</button></p></form></div>\
         <div class=\"card\"><h2>县级通讯录（在各村通讯录里只读显示）</h2>\
         {}\
         <form method=\"post\" action=\"/dashboard/publish/contact\" class=\"form-grid\">\
         <label>名称 <input type=\"text\" name=\"name\" required maxlength=\"40\" data-test=\"contact-name\"></label>\
         <label>单位 <input type=\"text\" name=\"organization\" maxlength=\"40\" data-test=\"contact-org\"></label>\
         <label>电话 <input type=\"text\" name=\"phone\" required maxlength=\"20\" data-test=\"contact-phone\"></label>\
         <label><input type=\"checkbox\" name=\"duty\" value=\"1\" checked> 值班电话</label>\
         <p><button class=\"btn primary\" type=\"submit\" data-test=\"publish-contact\">下发这个联系人</button></p></form></div>",
        setting.normal.phone_minutes,
        setting.normal.written_minutes,
        setting.urgent_from.label(),
        setting.urgent.phone_minutes,
        setting.urgent.written_minutes,
        rule(&setting.normal, "normal"),
        rule(&setting.urgent, "urgent"),
        [Severity::I, Severity::II, Severity::III, Severity::IV]
            .iter()
            .map(|s| format!(
                "<option value=\"{}\"{}>{}</option>",
                s.code(),
                if *s == setting.urgent_from { " selected" } else { "" },
                s.label()
            ))
            .collect::<String>(),
        if contacts.is_empty() {
            "<p class=\"muted\">还没有下发联系人。</p>".to_string()
        } else {
            format!("<table><thead><tr><th>名称</th><th>单位</th><th>电话</th><th></th><th>下发日期</th><th></th></tr></thead><tbody>{contact_rows}</tbody></table>")
        },
        source = if from_county { "县里下发的时限" } else { "村安内置的默认时限（县里还没有下发）" },
    );
    (
        status,
        Html(page("下发资料", Some(user), Some(Tab::Publish), &body)),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(super) struct DeadlineForm {
    normal_phone: i64,
    normal_written: i64,
    urgent_phone: i64,
    urgent_written: i64,
    urgent_from: String,
}

pub(super) async fn publish_deadlines<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
    Form(form): Form<DeadlineForm>,
) -> Response {
    let user = match county_staff(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let Some(urgent_from) = Severity::parse(&form.urgent_from) else {
        return render(
            &state,
            &user,
            Some((false, "事件等级不对。".into())),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let setting = DeadlineSetting {
        normal: DeadlineRule {
            phone_minutes: form.normal_phone,
            written_minutes: form.normal_written,
        },
        urgent: DeadlineRule {
            phone_minutes: form.urgent_phone,
            written_minutes: form.urgent_written,
        },
        urgent_from,
    };
    if !setting.is_sensible() {
        return render(
            &state,
            &user,
            Some((false, "时限不合理，没有下发：每个时限要大于 0、不超过 24 小时，书面报告不能早于电话报告，较重事件的时限不能比一般事件长。".into())),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let row = json!({
        "id": DEADLINE_ROW, "key": DEADLINE_SETTING, "owner": "county",
        "value": serde_json::to_value(setting).unwrap_or(Value::Null),
    });
    publish(
        &state,
        &user,
        "setting",
        row,
        "报告时限已下发，各村下次同步后生效。",
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct ContactForm {
    name: String,
    #[serde(default)]
    organization: String,
    phone: String,
    #[serde(default)]
    duty: Option<String>,
}

pub(super) async fn publish_contact<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
    Form(form): Form<ContactForm>,
) -> Response {
    let user = match county_staff(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let (name, phone) = (form.name.trim(), form.phone.trim());
    if name.is_empty() || phone.is_empty() {
        return render(
            &state,
            &user,
            Some((false, "请填写名称和电话。".into())),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    if let Err(e) = cunan_core::validate::phone("电话", phone) {
        return render(
            &state,
            &user,
            Some((false, e.message)),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let row = json!({
        "id": uuid::Uuid::now_v7().to_string(), "name": name,
        "organization": form.organization.trim(), "role": "值班", "level": "county",
        "phone": phone, "phone_backup": "", "is_duty_line": form.duty.is_some(),
        "backup_of": null, "note": "",
    });
    publish(
        &state,
        &user,
        "contact",
        row,
        &format!("已下发联系人“{name}”，各村下次同步后在通讯录里看到。"),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct RemoveForm {
    id: String,
}

pub(super) async fn remove_contact<S: CountyStorage>(
    State(state): State<Arc<Dashboard<S>>>,
    headers: HeaderMap,
    Form(form): Form<RemoveForm>,
) -> Response {
    let user = match county_staff(&state, &headers).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let storage = state.storage.clone();
    let rows = match blocking(move || storage.live_rows(COUNTY_SCOPE)).await {
        Ok(rows) => rows,
        Err(e) => return e.into_response(),
    };
    let Some(mut row) = rows.get(&("contact".to_string(), form.id.clone())).cloned() else {
        return Redirect::to("/dashboard/publish").into_response();
    };
    if let Some(fields) = row.as_object_mut() {
        fields.insert("deleted".into(), Value::Bool(true));
    }
    publish(
        &state,
        &user,
        "contact",
        row,
        "已停止下发这个联系人，各村下次同步后从通讯录中移除。",
    )
    .await
}

async fn publish<S: CountyStorage>(
    state: &Arc<Dashboard<S>>,
    user: &StaffUser,
    table: &'static str,
    row: Value,
    done: &str,
) -> Response {
    let storage = state.storage.clone();
    let result = blocking(move || storage.publish(table, &[row])).await;
    let outcome = if result.is_ok() { "ok" } else { "refused" };
    audit(
        &state.storage,
        &format!("staff {}", user.username),
        "publish",
        outcome,
        None,
        None,
        format!("table {table}; 1 row; from the dashboard"),
    )
    .await;
    match result {
        Ok(_) => render(state, user, Some((true, done.to_string())), StatusCode::OK).await,
        Err(e) => e.into_response(),
    }
}
