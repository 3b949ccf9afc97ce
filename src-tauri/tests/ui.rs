//! The UI's main flows in headless Chromium (`ui/tests/*.test.mjs`, node's test runner with
//! playwright-core), against the app's real command handler and a real store file through the
//! loopback bridge. Each test file gets a fresh demo village of its own.
//!
//! Needs `ui/dist-uitest` (`npm --prefix ui run build:uitest`, done by scripts/setup.sh), node and
//! Debian's `chromium`.

#[path = "support/bridge.rs"]
mod bridge;

use std::path::{Path, PathBuf};
use std::process::Command;

use std::sync::Arc;

use cunan_core::clock::FixedClock;
use cunan_core::demo::{self, DemoOptions};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};

/// The instant the UI tests run at (10:00 in Beijing on a day of the flood season).
const UI_TEST_NOW: &str = "2026-06-15T10:00:00+08:00";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

#[test]
fn main_flows_in_headless_chromium() {
    let root = root();
    let dist = root.join("ui/dist-uitest");
    assert!(
        dist.join("index.html").is_file(),
        "ui/dist-uitest is missing: run `npm --prefix ui run build:uitest` (scripts/setup.sh does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).is_file(),
        "Chromium not found at {chromium}: install Debian's package `chromium`"
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("ui/tests"))
        .expect("ui/tests")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        // `CUNAN_UI_ONLY=incident` runs only the files whose name contains it (while working on one).
        .filter(|p| match std::env::var("CUNAN_UI_ONLY") {
            Ok(only) => p.to_string_lossy().contains(&only),
            Err(_) => true,
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no UI tests in ui/tests");

    // Printouts and exports land in a data folder of the test's own, never the officer's. The
    // bridge runs in this process, and this file holds this one test, so nothing races it.
    let data = tempfile::tempdir().expect("temp dir");
    std::env::set_var("XDG_DATA_HOME", data.path());

    // The tests run on a fixed day in the flood season, whatever the date they run on: the
    // app's clock (and so every rule and every form's "today") is this one.
    let now = chrono::DateTime::parse_from_rfc3339(UI_TEST_NOW)
        .expect("a valid instant")
        .with_timezone(&chrono::Utc);
    let today = now.with_timezone(&chrono::Local).date_naive();
    let roster_xlsx = roster_workbook(data.path(), today);
    let mut failed = Vec::new();
    for file in &files {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("ui.sqlite3");
        demo::create(
            &store,
            DemoOptions {
                households: 300,
                seed: 1,
                today,
            },
        )
        .expect("the demo village");
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        // The USB and address flows meet a real county server (and a second, other one).
        let county = (name == "usb.test.mjs").then(|| UsbCounty::start(dir.path(), &store));
        let clock = Arc::new(FixedClock::at(now));
        let running = bridge::start_with_clock(&store, &dist, 0, clock);
        let mut node = Command::new("node");
        if let Some(county) = &county {
            node.env("CUNAN_UI_USB", &county.usb)
                .env("CUNAN_UI_COUNTY_REPLY", &county.reply)
                .env("CUNAN_UI_COUNTY_URL", county.server.url())
                .env(
                    "CUNAN_UI_COUNTY_PORT",
                    county.server.addr.port().to_string(),
                )
                .env("CUNAN_UI_COUNTY_CODE", &county.code)
                .env("CUNAN_UI_USB_CODE", &county.usb_code)
                .env("CUNAN_UI_STRANGER_URL", county.stranger.url());
        }
        let out = node
            .arg("--test")
            .arg("--test-reporter=spec")
            .arg(file)
            .current_dir(root.join("ui"))
            .env("CUNAN_UI_URL", running.url())
            .env("CHROMIUM", &chromium)
            .env("CUNAN_UI_ROSTER_XLSX", &roster_xlsx)
            .env("CUNAN_UI_TODAY", today.to_string())
            .output()
            .expect("node runs");
        println!("---- {name}\n{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "UI tests failed: {failed:?}");
}

/// For `usb.test.mjs`: a county server that has already imported the village's USB bundle and
/// made its reply (`县里发回.cunan`, with the receipt), a one-time code to enroll with, an empty
/// folder standing in for the USB stick, and a second county server that is not this village's.
struct UsbCounty {
    server: TestServer,
    stranger: TestServer,
    usb: PathBuf,
    reply: PathBuf,
    code: String,
    /// The code the village's first USB bundle carried (the county took it: it is used up).
    usb_code: String,
}

impl UsbCounty {
    fn start(dir: &Path, store: &Path) -> UsbCounty {
        let village = cunan_core::Store::open(store).expect("the demo store");
        let code = village.village().expect("read").expect("a village").code;
        let storage = Arc::new(SqliteStorage::open(&dir.join("county.db")).expect("county db"));
        // The village's first USB bundle carries a one-time code, which enrolls its device.
        let usb_code = storage.add_village(&code, "演示村").expect("add village");
        let (_, own) =
            cunan_sync::bundle::export_signed(&village, false, Some(&usb_code)).expect("export");
        let imported = cunan_county::import_bundle(storage.as_ref(), &own, "测试")
            .expect("the county imports it");
        assert!(imported.enrolled);
        let enrollment = storage
            .add_village(&code, "演示村")
            .expect("a code to enroll online");
        let contact = serde_json::json!({
            "id": "0190a000-0000-7000-8000-0000000000c1", "name": "县防指值班室",
            "organization": "县防汛防台抗旱指挥部", "role": "值班", "level": "county",
            "phone": "0572-2220000", "phone_backup": "", "is_duty_line": true,
            "backup_of": null, "note": ""
        });
        storage.publish("contact", &[contact]).expect("publish");
        let reply = cunan_county::county_bundle(storage.as_ref(), &code, "2026-06-15T09:00:00Z")
            .expect("the county's bundle");
        let reply_path = dir.join("县里发回.cunan");
        std::fs::write(
            &reply_path,
            cunan_county::encode_county_bundle(storage.as_ref(), &reply).expect("encode"),
        )
        .expect("write the reply");
        let usb = dir.join("U盘");
        std::fs::create_dir(&usb).expect("the USB folder");
        let stranger = SqliteStorage::open(&dir.join("stranger.db")).expect("stranger db");
        UsbCounty {
            server: TestServer::start_with(storage, 0).expect("county server"),
            stranger: TestServer::start_with(Arc::new(stranger), 0).expect("other server"),
            usb,
            reply: reply_path,
            code: enrollment,
            usb_code,
        }
    }
}

/// A roster workbook of another (small, fictional) village, for the import flow: exported by the
/// app's own exporter, so it has the headers villages' sheets have.
fn roster_workbook(dir: &Path, today: chrono::NaiveDate) -> PathBuf {
    let (store, _) = demo::create(
        &dir.join("other-village.sqlite3"),
        DemoOptions {
            households: 6,
            seed: 7,
            today,
        },
    )
    .expect("a small village");
    // Villages' own sheets often name no helper for a vulnerable person: one row like that.
    let blanked = store
        .conn()
        .execute(
            "UPDATE vulnerable_person SET helper_name = '', helper_phone = ''
              WHERE id = (SELECT min(id) FROM vulnerable_person WHERE deleted = 0)",
            [],
        )
        .expect("blank one helper");
    assert_eq!(blanked, 1, "the small village has a vulnerable person");
    let bytes = cunan_excel::export_roster(&store).expect("export the roster");
    let path = dir.join("花名册.xlsx");
    std::fs::write(&path, bytes).expect("write the workbook");
    path
}
