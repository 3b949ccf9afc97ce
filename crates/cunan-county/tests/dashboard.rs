//! The county dashboard over a real server (issue #11): only logged-in staff see anything; a
//! township account sees its own villages only, on the list, the village pages and the Excel
//! export; wrong passwords are limited; logging out or disabling an account ends its session.

mod common;

use calamine::{Reader, Xlsx};
use common::*;
use cunan_county::dashboard::hash_password;
use cunan_county::CountyStorage;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;

const TOWNSHIP: &str = "330599101";
const OTHER: &str = "330599102001";

struct Site {
    _dir: tempfile::TempDir,
    county: County,
    village: String,
    http: Client,
}

fn site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut village = demo_store(&dir.path().join("a.db"), 30, 4);
    enrolled_and_synced(&county, &mut village);
    county.storage.add_village(OTHER, "外镇村").unwrap();
    county
        .storage
        .add_village("330599101205", "山背村")
        .unwrap();
    for (user, name, prefix) in [
        ("county", "县应急局值班", ""),
        ("xikou", "溪口镇", TOWNSHIP),
    ] {
        let hash = hash_password("correct horse 1").unwrap();
        county.storage.add_user(user, name, &hash, prefix).unwrap();
    }
    // Installs the TLS crypto provider reqwest needs, as the village app does.
    cunan_sync::SyncClient::new(&county.url()).unwrap();
    let http = Client::builder().redirect(Policy::none()).build().unwrap();
    Site {
        _dir: dir,
        village: village_code(&village),
        county,
        http,
    }
}

impl Site {
    fn get(&self, path: &str, cookie: Option<&str>) -> (u16, String, Option<String>) {
        let mut request = self.http.get(format!("{}{path}", self.county.url()));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (status, response.text().unwrap_or_default(), location)
    }

    fn login(&self, user: &str, password: &str) -> (u16, Option<String>, String) {
        let response = self
            .http
            .post(format!("{}/login", self.county.url()))
            .form(&[("username", user), ("password", password)])
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
        (status, cookie, response.text().unwrap_or_default())
    }
}

#[test]
fn only_staff_see_the_dashboard_and_a_township_sees_its_own_villages() {
    let s = site();
    for path in [
        "/dashboard",
        "/dashboard/emergency",
        "/dashboard/export.xlsx",
    ] {
        let (status, _, location) = s.get(path, None);
        assert_eq!(
            (status, location.as_deref()),
            (303, Some("/login")),
            "{path}"
        );
    }
    let (status, page, _) = s.get("/login", None);
    assert_eq!(status, 200);
    assert!(page.contains("县级驾驶舱登录"));

    let (status, cookie, page) = s.login("county", "wrong password");
    assert_eq!((status, cookie), (401, None));
    assert!(page.contains("账号或密码不对"));

    // The county sees every village: the synced one with its figures, the others as never synced.
    let (status, cookie, _) = s.login("county", "correct horse 1");
    assert_eq!(status, 303);
    let cookie = cookie.expect("a session cookie");
    let (status, page, _) = s.get("/dashboard", Some(&cookie));
    assert_eq!(status, 200);
    for code in [s.village.as_str(), OTHER, "330599101205"] {
        assert!(page.contains(&format!("data-code=\"{code}\"")), "{code}");
    }
    assert!(page.contains("从未同步"));
    assert!(page.contains("县应急局值班"));
    let summary = cunan_county::summary::summaries(s.county.storage.as_ref()).unwrap();
    let mine = summary
        .iter()
        .find(|v| v.village_code == s.village)
        .unwrap();
    assert!(page.contains(&format!(
        "<span class=\"pill {}\">{}</span>",
        match mine.readiness_score {
            80.. => "good",
            60..=79 => "fair",
            _ => "poor",
        },
        mine.readiness_score
    )));
    let (status, page, _) = s.get(&format!("/dashboard/village/{OTHER}"), Some(&cookie));
    assert_eq!(status, 200);
    assert!(page.contains("外镇村"));

    // The township account: its villages only, everywhere.
    let (_, township, _) = s.login("xikou", "correct horse 1");
    let township = township.unwrap();
    let (_, page, _) = s.get("/dashboard", Some(&township));
    assert!(page.contains(&format!("data-code=\"{}\"", s.village)));
    assert!(page.contains("data-code=\"330599101205\""));
    assert!(
        !page.contains(OTHER),
        "another township's village is not listed"
    );
    let (status, page, _) = s.get(&format!("/dashboard/village/{OTHER}"), Some(&township));
    assert_eq!(status, 404);
    assert!(!page.contains("外镇村"));
    let (status, page, _) = s.get(
        &format!("/dashboard/village/{}", s.village),
        Some(&township),
    );
    assert_eq!(status, 200);
    assert!(page.contains(&mine.village_name));

    // The export: the township's villages, one row each, with the figures of the page.
    let response = s
        .http
        .get(format!("{}/dashboard/export.xlsx", s.county.url()))
        .header("cookie", &township)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("各村备战情况").unwrap();
    let codes: Vec<String> = sheet.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes.contains(&s.village) && !codes.contains(&OTHER.to_string()));
    let row = sheet
        .rows()
        .find(|r| r[2].to_string() == s.village)
        .unwrap();
    assert_eq!(row[4].to_string(), mine.readiness_score.to_string());
    assert_eq!(row[6].to_string(), mine.residents.to_string());

    // Logging out ends the session; disabling an account ends its others.
    let response = s
        .http
        .post(format!("{}/logout", s.county.url()))
        .header("cookie", &township)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(s.get("/dashboard", Some(&township)).0, 303);
    assert_eq!(s.county.storage.disable_user("county").unwrap(), 1);
    assert_eq!(s.get("/dashboard", Some(&cookie)).0, 303);
    assert_eq!(s.login("county", "correct horse 1").0, 401);
}

#[test]
fn wrong_passwords_are_limited_and_audited() {
    let s = site();
    for _ in 0..cunan_county::api::MAX_FAILED_ENROLLS {
        assert_eq!(s.login("county", "guess guess").0, 401);
    }
    let (status, cookie, page) = s.login("county", "correct horse 1");
    assert_eq!((status, cookie), (429, None));
    assert!(page.contains("分钟后再试"));
    let audit = s.county.storage.audit_log(50).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.entry.action == "login" && a.entry.outcome == "too_many_attempts"));
    assert!(
        audit
            .iter()
            .filter(|a| a.entry.action == "login" && a.entry.outcome == "bad_password")
            .count()
            >= 10
    );
    assert!(
        audit.iter().all(|a| !a.entry.detail.contains("guess")),
        "no password in the trail"
    );
}

#[test]
fn passwords_are_hashed_and_short_ones_refused() {
    assert!(hash_password("short").is_err());
    let hash = hash_password("long enough 1").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("long enough"));
}

/// 下发 from the dashboard: county accounts only; a sensible deadline setting and a duty line
/// reach the village with its next sync, as the county's (read-only there); a contact stopped is
/// gone after the next sync; nonsense is refused and nothing published.
#[test]
fn the_county_publishes_deadlines_and_contacts_that_reach_the_villages() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let mut village = demo_store(&dir.path().join("a.db"), 10, 8);
    let client = enrolled_and_synced(&county, &mut village);
    for (user, prefix) in [("county", ""), ("xikou", TOWNSHIP)] {
        let hash = hash_password("correct horse 1").unwrap();
        county.storage.add_user(user, user, &hash, prefix).unwrap();
    }
    let http = Client::builder().redirect(Policy::none()).build().unwrap();
    let login = |user: &str| {
        let response = http
            .post(format!("{}/login", county.url()))
            .form(&[("username", user), ("password", "correct horse 1")])
            .send()
            .unwrap();
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let post = |cookie: &str, path: &str, form: &[(&str, &str)]| {
        let response = http
            .post(format!("{}{path}", county.url()))
            .header("cookie", cookie)
            .form(form)
            .send()
            .unwrap();
        (response.status().as_u16(), response.text().unwrap())
    };
    let township = login("xikou");
    let (status, _) = post(
        &township,
        "/dashboard/publish/contact",
        &[("name", "乡镇值班"), ("phone", "0572-2220001")],
    );
    assert_eq!(status, 403, "a township account does not publish");
    let staff = login("county");
    let before = county.storage.change_count().unwrap();
    let (status, page) = post(
        &staff,
        "/dashboard/publish/deadlines",
        &[
            ("normal_phone", "60"),
            ("normal_written", "30"),
            ("urgent_phone", "10"),
            ("urgent_written", "20"),
            ("urgent_from", "II"),
        ],
    );
    assert_eq!(status, 400, "written before phone is nonsense");
    assert!(page.contains("时限不合理"));
    assert_eq!(
        county.storage.change_count().unwrap(),
        before,
        "nothing published"
    );

    let (status, page) = post(
        &staff,
        "/dashboard/publish/deadlines",
        &[
            ("normal_phone", "20"),
            ("normal_written", "50"),
            ("urgent_phone", "10"),
            ("urgent_written", "25"),
            ("urgent_from", "III"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("报告时限已下发"));
    let (status, page) = post(
        &staff,
        "/dashboard/publish/contact",
        &[
            ("name", "县防指值班室"),
            ("organization", "县防汛防台抗旱指挥部"),
            ("phone", "0572-2220000"),
            ("duty", "1"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("县防指值班室"));

    client.sync_once(&mut village, &mut |_| {}).unwrap();
    let (setting, source) = cunan_core::incident::deadline_setting(&village).unwrap();
    assert!(matches!(
        source,
        cunan_core::incident::DeadlineSource::County
    ));
    assert_eq!(
        (setting.normal.phone_minutes, setting.normal.written_minutes),
        (20, 50)
    );
    assert_eq!(
        (setting.urgent.phone_minutes, setting.urgent.written_minutes),
        (10, 25)
    );
    let duty = village
        .list::<cunan_core::Contact>()
        .unwrap()
        .into_iter()
        .find(|c| c.name == "县防指值班室")
        .expect("the county's duty line reached the village");
    assert!(duty.is_duty_line);
    assert_eq!(duty.owner, "county");

    // Stopped: gone from the village after its next sync.
    let (_, page) = post(
        &staff,
        "/dashboard/publish/contact/remove",
        &[("id", &duty.id)],
    );
    assert!(page.contains("已停止下发"));
    client.sync_once(&mut village, &mut |_| {}).unwrap();
    assert!(village
        .list::<cunan_core::Contact>()
        .unwrap()
        .iter()
        .all(|c| c.name != "县防指值班室"));
    let audit = county.storage.audit_log(20).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.entry.action == "publish"
                && a.entry.actor == "staff county"
                && a.entry.outcome == "ok")
            .count(),
        3
    );
}
