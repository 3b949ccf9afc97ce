//! The conflicts page's read model: each version that lost a merge, in words, next to the
//! version that is current now (read through the core, as the same JSON a change carries).

use chrono::{DateTime, Local, TimeZone};
use cunan_core::sync as core_sync;
use cunan_core::Store;
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiResult;

/// The versions that lost a merge and are not restored yet, oldest first.
pub fn list(store: &Store) -> ApiResult<Vec<ConflictView>> {
    let own = store.device_id().to_string();
    core_sync::conflicts(store, false)?
        .into_iter()
        .map(|c| {
            let current = core_sync::current_row(store, &c.table, &c.row_id)?;
            Ok(conflict_view(c, current.as_ref(), &own))
        })
        .collect()
}

/// Makes a losing version current again (as a new local write, so it goes up and wins).
pub fn restore(store: &mut Store, id: i64) -> ApiResult<()> {
    Ok(core_sync::restore_conflict(store, id)?)
}

/// A version that lost a merge, for the conflicts table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictView {
    pub id: i64,
    pub table: String,
    /// The table in words, e.g. `应急器材`.
    pub table_label: String,
    /// The record's name if it has one (`name`, `title`, …), else empty.
    pub title: String,
    /// When the losing version was written (RFC 3339), from its clock reading.
    pub lost_at: Option<String>,
    /// Who wrote the losing version: `本机`, `县里` or `另一台电脑`.
    pub lost_by: String,
    /// When the version that won was written, and by whom.
    pub won_at: Option<String>,
    pub won_by: String,
    /// The losing version was a deletion.
    pub lost_deleted: bool,
    /// A county-owned record: read-only here, so it cannot be restored in the village.
    pub county_owned: bool,
    /// The losing version's fields, labelled in Chinese where known: those that differ from the
    /// current version first.
    pub fields: Vec<ConflictField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictField {
    pub label: String,
    /// In the losing version.
    pub value: String,
    /// In the current version, when it differs; `null` when it is the same.
    pub current: Option<String>,
}

/// A field's value in words: booleans as 是/否, kit conditions and hazards by their labels.
fn field_text(column: &str, value: &Value) -> Option<String> {
    let value = value.clone();
    if column == "condition" {
        if let Ok(c) = serde_json::from_value::<cunan_core::KitCondition>(value.clone()) {
            return Some(c.label().to_string());
        }
    }
    if column == "hazard_kinds" {
        if let Ok(kinds) = serde_json::from_value::<Vec<cunan_core::HazardKind>>(value.clone()) {
            return Some(
                kinds
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("、"),
            );
        }
    }
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(if b { "是" } else { "否" }.to_string()),
        other => Some(other.to_string()),
    }
}

fn conflict_view(
    c: core_sync::Conflict,
    current: Option<&Value>,
    own_device: &str,
) -> ConflictView {
    let lost_deleted = c.loser_data.get("deleted").and_then(Value::as_bool) == Some(true)
        || c.loser_data.get("deleted").and_then(Value::as_i64) == Some(1);
    let title = ["name", "title", "item_name", "topic", "key"]
        .iter()
        .find_map(|k| c.loser_data.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    let mut fields: Vec<(bool, usize, ConflictField)> = match &c.loser_data {
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| !HIDDEN_COLUMNS.contains(&k.as_str()))
            .filter_map(|(k, v)| {
                let now = current
                    .and_then(|row| row.get(k))
                    .and_then(|now| field_text(k, now));
                let value = field_text(k, v);
                if value.is_none() && now.is_none() {
                    return None;
                }
                let differs = current.is_some() && now != value;
                let field = ConflictField {
                    label: column_label(k).to_string(),
                    value: value.unwrap_or_else(|| "（空）".to_string()),
                    current: differs.then(|| now.unwrap_or_else(|| "（空）".to_string())),
                };
                let rank = COLUMN_ORDER
                    .iter()
                    .position(|c| c == k)
                    .unwrap_or(COLUMN_ORDER.len());
                Some((!differs, rank, field))
            })
            .collect(),
        _ => Vec::new(),
    };
    fields.sort_by_key(|(same, rank, _)| (*same, *rank));
    let fields = fields.into_iter().map(|(_, _, f)| f).collect();
    let county_owned = ["village_code", "owner"]
        .iter()
        .any(|k| c.loser_data.get(*k).and_then(Value::as_str) == Some("county"));
    ConflictView {
        id: c.id,
        county_owned,
        table_label: cunan_core::records::table_label(&c.table)
            .unwrap_or(&c.table)
            .to_string(),
        table: c.table,
        title,
        lost_at: hlc_time(&c.loser_hlc),
        lost_by: device_label(&c.loser_device_id, own_device).to_string(),
        won_at: hlc_time(&c.winner_hlc),
        won_by: device_label(&c.winner_device_id, own_device).to_string(),
        lost_deleted,
        fields,
    }
}

const HIDDEN_COLUMNS: [&str; 8] = [
    "id",
    "village_code",
    "hlc",
    "device_id",
    "deleted",
    "owner",
    "catalog_code",
    "base_hlc",
];

/// Which fields come first when listed (then the rest, alphabetically).
const COLUMN_ORDER: [&str; 8] = [
    "name",
    "title",
    "quantity",
    "unit",
    "condition",
    "location",
    "custodian",
    "phone",
];

fn device_label(device: &str, own: &str) -> &'static str {
    if device == own {
        "本机"
    } else if device == "county" {
        "县里"
    } else {
        "另一台电脑"
    }
}

/// `"<13-digit ms>-<counter>"` → the local time it names, RFC 3339.
fn hlc_time(hlc: &str) -> Option<String> {
    let ms: i64 = hlc.split('-').next()?.parse().ok()?;
    let at: DateTime<Local> = Local.timestamp_millis_opt(ms).single()?;
    Some(at.to_rfc3339())
}

fn column_label(column: &str) -> &str {
    match column {
        "name" => "名称",
        "title" => "标题",
        "code" => "区划代码",
        "quantity" => "数量",
        "unit" => "单位",
        "location" => "存放位置",
        "custodian" => "保管人",
        "custodian_phone" => "保管人电话",
        "condition" => "状况",
        "inspect_every_days" => "检查周期（天）",
        "note" => "备注",
        "phone" => "电话",
        "address" => "地址",
        "township" => "乡镇",
        "county" => "县（区）",
        "province_city" => "省市",
        "population" => "人口",
        "household_count" => "户数",
        "hazard_kinds" => "灾害类型",
        "comms_guaranteed" => "通信有保障",
        "party_secretary" => "村党组织书记",
        "party_secretary_phone" => "书记电话",
        "officer_name" => "村应急管理员",
        "officer_phone" => "管理员电话",
        "role" => "职务",
        "key" => "设置项",
        "value" => "值",
        "inspected_on" => "检查日期",
        "kit_item_id" => "器材",
        "result" => "结果",
        "capacity" => "容纳人数",
        "topic" => "宣传主题",
        "taught_by" => "宣讲人",
        "place" => "地点",
        "updated_at" => "修改时间",
        "created_at" => "创建时间",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_reads_in_words_with_what_changed_first() {
        let conflict = core_sync::Conflict {
            id: 4,
            table: "kit_item".into(),
            row_id: "k1".into(),
            loser_hlc: "1735689600000-000001".into(),
            loser_device_id: "me".into(),
            loser_data: serde_json::json!({
                "id": "k1", "village_code": "330502101201", "hlc": "x", "device_id": "me",
                "deleted": false, "name": "救生衣", "quantity": 3, "unit": "件",
                "condition": "needs-repair", "note": "", "catalog_code": "LJ-01"
            }),
            winner_hlc: "1735689700000-000000".into(),
            winner_device_id: "other".into(),
            recorded_at: "2025-01-01T00:00:00Z".into(),
            resolved: false,
        };
        let current = serde_json::json!({
            "id": "k1", "name": "救生衣", "quantity": 9, "unit": "件",
            "condition": "needs-repair", "note": "", "deleted": false
        });
        let v = conflict_view(conflict, Some(&current), "me");
        assert_eq!(v.table_label, "应急器材");
        assert_eq!(v.title, "救生衣");
        assert_eq!(
            (v.lost_by.as_str(), v.won_by.as_str()),
            ("本机", "另一台电脑")
        );
        assert!(!v.lost_deleted && !v.county_owned);
        let labels: Vec<&str> = v.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(
            labels,
            ["数量", "名称", "单位", "状况"],
            "changed first; no ids or blanks"
        );
        assert_eq!(v.fields[0].value, "3");
        assert_eq!(v.fields[0].current.as_deref(), Some("9"));
        assert_eq!(v.fields[3].value, "待维修");
        assert_eq!(v.fields[3].current, None);
    }

    #[test]
    fn hlc_readings_become_times() {
        assert!(hlc_time("1735689600000-000001")
            .is_some_and(|t| t.starts_with("2025-01-01") || t.starts_with("2024-12-31")));
        assert_eq!(hlc_time("garbage"), None);
    }
}
