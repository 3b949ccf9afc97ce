//! `cunan incident …` against a real store and a real county server on loopback: the county
//! publishes report deadlines, a sync brings them down, and an incident runs on them — started,
//! phoned, first report with its SMS text, a report that cannot be edited, the final report.

mod common;

use std::sync::Arc;

use common::{cunan, ok};
use cunan_county::incidents::incidents;
use cunan_county::{CountyStorage, SqliteStorage, TestServer};

fn ids(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|w| w.len() == 36 && w.matches('-').count() == 4)
        .map(str::to_string)
        .collect()
}

#[test]
fn an_incident_runs_on_the_deadlines_the_county_pushed_down() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "10"]));
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("county.sqlite3")).unwrap());
    let code = storage.add_village("330599101201", "青石村").unwrap();
    let server = TestServer::start_with(storage.clone(), 0).unwrap();
    ok(&cunan(
        &db,
        &["enroll", "--server", &server.url(), "--code", &code],
    ));

    // Before the county publishes: the built-in default (unknown severity: 15 minutes to phone).
    let occurred = (chrono::Local::now() - chrono::Duration::minutes(18)).to_rfc3339();
    let said = ok(&cunan(
        &db,
        &[
            "incident",
            "start",
            "--hazard",
            "flood",
            "--place",
            "溪口桥",
            "--occurred-at",
            &occurred,
        ],
    ));
    assert!(said.contains("电话报告（15 分钟内）：已超时"), "{said}");
    assert!(said.contains("默认时限"), "{said}");
    let incident = ids(&said).remove(0);

    // The county's deadlines (25/50, and 20/45 from II up) come down with the next sync.
    storage
        .publish(
            "setting",
            &[serde_json::json!({
                "id": "0190a000-0000-7000-8000-0000000000e1",
                "key": "incident_deadlines", "owner": "county",
                "value": {
                    "normal": {"phone_minutes": 25, "written_minutes": 50},
                    "urgent": {"phone_minutes": 20, "written_minutes": 45},
                    "urgent_from": "II"
                }
            })],
        )
        .unwrap();
    ok(&cunan(&db, &["sync"]));
    let said = ok(&cunan(&db, &["incident", "list"]));
    assert!(said.contains("县里下发的时限"), "{said}");
    assert!(
        said.contains("电话报告（20 分钟内）：还剩"),
        "unknown severity, short limit: {said}"
    );

    ok(&cunan(&db, &["incident", "phoned", &incident]));
    let said = ok(&cunan(
        &db,
        &[
            "incident",
            "report",
            &incident,
            "--injured",
            "2",
            "--trapped",
            "3",
            "--evacuated",
            "46",
            "--actions",
            "已转移低洼户",
            "--needs",
            "冲锋舟2艘",
            "--reporter",
            "潘宇航",
            "--phone",
            "13905720001",
            "--severity",
            "IV",
        ],
    ));
    assert!(said.contains("已首报"), "{said}");
    assert!(
        said.contains("【青石村首报】") && said.contains("死0伤2失联0被困3，已转移46人"),
        "{said}"
    );
    assert!(said.contains("条短信（每条 70 字）"), "{said}");
    let report = ids(&said).remove(0);
    let said = ok(&cunan(&db, &["incident", "list"]));
    assert!(
        said.contains("电话报告（25 分钟内）：已报（按时）"),
        "IV: normal limits: {said}"
    );
    assert!(
        said.contains("书面首报（50 分钟内）：已报（按时）"),
        "{said}"
    );

    // The county sees it open, with the same deadline states, once synced.
    ok(&cunan(&db, &["sync"]));
    let open = incidents(storage.as_ref(), chrono::Utc::now(), true).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (
            open[0].village_name.as_str(),
            open[0].incident.place.as_str()
        ),
        ("青石村", "溪口桥")
    );
    assert_eq!(open[0].reports.len(), 1);
    let states: Vec<String> = open[0].deadlines.iter().map(|d| d.state.words()).collect();
    assert_eq!(states, ["已报（按时）", "已报（按时）"]);
    assert_eq!(open[0].deadlines[0].minutes, 25, "the county's own setting");

    let said = ok(&cunan(&db, &["incident", "text", &report, "--wechat"]));
    assert!(said.contains("需要支援：冲锋舟2艘"), "{said}");

    let said = ok(&cunan(
        &db,
        &[
            "incident",
            "report",
            &incident,
            "--final",
            "--evacuated",
            "46",
        ],
    ));
    assert!(said.contains("已终报"), "{said}");
    let out = cunan(&db, &["incident", "report", &incident]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[incident_closed]"));

    // The reports reach the county with the next sync.
    ok(&cunan(&db, &["sync"]));
    let rows = storage.live_rows("330599101201").unwrap();
    let reports = rows.keys().filter(|(t, _)| t == "incident_report").count();
    assert_eq!(reports, 2);
    assert!(rows.contains_key(&("incident".to_string(), incident)));
    assert!(incidents(storage.as_ref(), chrono::Utc::now(), true)
        .unwrap()
        .is_empty());
    assert_eq!(
        incidents(storage.as_ref(), chrono::Utc::now(), false)
            .unwrap()
            .len(),
        1
    );
}
