//! Runs `ui/county-tests/dashboard.test.mjs` in headless Chromium (Debian's `chromium`, driven by
//! the UI's playwright-core) against a real county server holding four villages in two
//! townships: three synced (one with an incident under way), one never synced.
//! `CUNAN_UI_SHOTS=/some/dir` keeps screenshots of the pages.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use cunan_core::HazardKind;
use cunan_county::dashboard::hash_password;
use cunan_county::CountyStorage;

const PASSWORD: &str = "county staff 1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_dashboard_in_headless_chromium() {
    let root = root();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).is_file(),
        "Chromium not found at {chromium}: install Debian's package `chromium`"
    );
    assert!(
        root.join("ui/node_modules/playwright-core").is_dir(),
        "ui/node_modules is missing: run `npm ci --prefix ui` (scripts/setup.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    let villages = [
        ("330599101201", "溪口镇", 40, 5),
        ("330599101202", "溪口镇", 25, 6),
        ("330599102101", "双溪镇", 20, 7),
    ];
    for (i, (code, township, households, seed)) in villages.iter().enumerate() {
        let path = dir.path().join(format!("v{i}.db"));
        let mut store = demo_village_as(&path, *households, *seed, code, Some(township));
        if i == 1 {
            let now = (store.clock().now() - chrono::Duration::minutes(30)).to_rfc3339();
            cunan_core::incident::start(&mut store, HazardKind::Flood, &now, "溪口桥", None)
                .unwrap();
        }
        enrolled_and_synced(&county, &mut store);
    }
    county
        .storage
        .add_village("330599102105", "山背村")
        .unwrap();
    for (user, name, prefix) in [
        ("county", "县应急局值班", ""),
        ("township", "溪口镇", "330599101"),
    ] {
        let hash = hash_password(PASSWORD).unwrap();
        county.storage.add_user(user, name, &hash, prefix).unwrap();
    }
    let incidents =
        cunan_county::incidents::incidents(county.storage.as_ref(), chrono::Utc::now(), true)
            .unwrap()
            .len();
    assert_eq!(incidents, 1);

    let mut node = Command::new("node");
    node.arg("--test")
        .arg("--test-reporter=spec")
        .arg("county-tests/dashboard.test.mjs")
        .current_dir(root.join("ui"))
        .env("CHROMIUM", &chromium)
        .env("COUNTY_URL", county.url())
        .env("COUNTY_PASSWORD", PASSWORD)
        .env("COUNTY_VILLAGES", "4")
        .env("COUNTY_NEVER", "1")
        .env("COUNTY_TOWNSHIPS", "2")
        .env("COUNTY_TOWNSHIP_NAME", "溪口镇")
        .env("COUNTY_TOWNSHIP_PREFIX", "330599101")
        .env("COUNTY_SYNCED_CODE", "330599101201")
        .env("COUNTY_OTHER_CODE", "330599102101")
        .env("COUNTY_INCIDENTS", incidents.to_string());
    let out = node.output().expect("node runs");
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "the dashboard tests failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
