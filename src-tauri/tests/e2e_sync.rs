//! End-to-end sync: a real county server in-process on a loopback port, and the real app window
//! (tauri-driver + WebKitWebDriver under Xvfb, as in `e2e.rs`). The officer sets up the village,
//! enrolls on the 同步 page with the county's one-time code, clicks 立即同步, and the county holds
//! the village's rows; then the county goes away and the app says it is offline and will retry.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cunan_core::{KitItem, Store};
use cunan_county::{CountyStorage, SqliteStorage, TestServer};
use cunan_sync::SyncClient;
use support::{fill_setup_form, screenshot_dir, Harness};

const VILLAGE: &str = "青石村";
const CODE: &str = "330502101201";

#[test]
fn enroll_and_sync_from_the_app_then_go_offline() {
    let started = Instant::now();
    let app = Path::new(env!("CARGO_BIN_EXE_cunan-app"));
    let shots = screenshot_dir(app);

    let county_dir = tempfile::tempdir().expect("temp dir");
    let storage = Arc::new(
        SqliteStorage::open(&county_dir.path().join("county.sqlite3")).expect("county storage"),
    );
    let one_time_code = storage.add_village(CODE, VILLAGE).expect("add village");
    let mut server = TestServer::start_with(storage.clone(), 0).expect("start county server");

    let harness = Harness::start(app);
    let s = harness.launch();
    fill_setup_form(&s, VILLAGE, CODE);
    s.click(&s.wait_for("[data-test=save-village]"));
    s.wait_for_text("[data-test=header-village-name]", VILLAGE);

    // Not enrolled yet: the status line says so, and opens the 同步 page.
    s.wait_for_text("[data-test=sync-status-text]", "未登记县级服务器");
    s.click(&s.wait_for("[data-test=sync-status]"));
    s.wait_for("[data-test=sync-enroll-form]");

    // A wrong code is refused in Chinese, next to the field.
    s.fill("sync-server", &server.url());
    s.fill("sync-code", "AAAA-BBBB-CCCC");
    s.click(&s.wait_for("[data-test=sync-enroll]"));
    s.wait_for_text("[data-test=sync-enroll-form] .error-text", "登记码");
    s.screenshot(&shots.join("sync-enroll.png"));

    s.fill("sync-code", &one_time_code);
    s.click(&s.wait_for("[data-test=sync-enroll]"));
    s.wait_for("[data-test=sync-state]");
    s.click(&s.wait_for("[data-test=sync-now]:not([disabled])"));

    // The county gets the village and its five standard kit items; the app says it is synced.
    let rows = wait("the county to hold the village's rows", || {
        let rows = storage.live_rows(CODE).ok()?;
        let kit = rows.keys().filter(|(t, _)| t == "kit_item").count();
        let village = rows.keys().filter(|(t, _)| t == "village").count();
        (village == 1 && kit == 5).then_some(rows)
    });
    assert!(rows.values().all(|r| r["village_code"] == CODE));
    s.wait_for_text("[data-test=sync-status-text]", "已同步");
    s.wait_for_text("[data-test=sync-waiting]", "全部已上传");
    s.wait_for_text("[data-test=sync-last-success]", "刚刚");
    s.wait_for("[data-test=sync-no-conflicts]");
    s.screenshot(&shots.join("sync.png"));

    // A second computer of the village and this one edit the same kit item; the later edit (the
    // other computer's) wins everywhere, and this computer's loses: the officer sees it and
    // restores it, and the restored version reaches the county.
    let other_dir = tempfile::tempdir().expect("temp dir");
    let mut other = Store::open(&other_dir.path().join("other.sqlite3")).expect("second store");
    let other_code = storage.add_village(CODE, VILLAGE).expect("second code");
    let client = SyncClient::new(&server.url()).expect("client");
    client
        .enroll(&mut other, &other_code)
        .expect("enroll the second computer");
    client
        .sync_once(&mut other, &mut |_| {})
        .expect("first sync of the second computer");
    let mut here = Store::open(&harness.store_path()).expect("the app's store");
    let mut mine = here.list::<KitItem>().expect("kit")[0].clone();
    mine.quantity = 3;
    here.save(&mine).expect("edit here");
    std::thread::sleep(Duration::from_millis(20));
    let mut theirs = other
        .get::<KitItem>(&mine.id)
        .expect("read")
        .expect("pulled");
    theirs.quantity = 9;
    other.save(&theirs).expect("edit there");
    client
        .sync_once(&mut other, &mut |_| {})
        .expect("second computer syncs");
    s.click(&s.wait_for("[data-test=sync-now]:not([disabled])"));
    let row = s.wait_for("[data-test=conflict-row]");
    let text = s.text(&row);
    assert!(text.contains("应急器材") && text.contains("本机"), "{text}");
    assert!(text.contains(&mine.name), "{text}");
    s.screenshot(&shots.join("sync-conflict.png"));
    s.click(&s.wait_for("[data-test=conflict-restore]"));
    s.click(&s.wait_for("[data-test=confirm-restore-yes]"));
    s.wait_for("[data-test=sync-no-conflicts]");
    wait("the restored version at the county", || {
        let rows = storage.live_rows(CODE).ok()?;
        let row = rows.get(&("kit_item".to_string(), mine.id.clone()))?;
        (row["quantity"] == 3).then_some(())
    });

    // The county goes away: 立即同步 fails quietly, the app says offline and will retry.
    server.stop();
    s.click(&s.wait_for("[data-test=sync-now]:not([disabled])"));
    s.wait_for_text("[data-test=sync-status-text]", "离线，将自动重试");
    s.wait_for("[data-test=sync-offline]");
    assert!(
        s.find_all("[data-test=sync-problem]").is_empty(),
        "a network outage is not a problem for the officer to fix"
    );
    s.screenshot(&shots.join("sync-offline.png"));
    s.quit();
    assert!(harness.store_path().is_file(), "the app's store");

    eprintln!(
        "e2e sync took {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

/// Polls `f` for up to 30 s.
fn wait<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(150));
    }
}
