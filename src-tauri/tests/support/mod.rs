//! The harness for end-to-end tests of the real app binary: a throw-away X display (Xvfb), a
//! throw-away data folder, `tauri-driver` (which runs WebKitWebDriver, which runs the app), and a
//! small W3C WebDriver client. Everything started here is stopped in `Drop`, also on failure.

pub mod webdriver;

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub use webdriver::{Session, WebDriver};

/// A running tauri-driver (and, when there was no display, Xvfb) with its own data folder.
pub struct Harness {
    pub driver: WebDriver,
    pub app: PathBuf,
    pub home: TempDir,
    tauri_driver: Child,
    xvfb: Option<Child>,
}

impl Harness {
    /// Starts everything; panics with what to install if a tool is missing.
    pub fn start(app: &Path) -> Harness {
        let tauri_driver_bin = find_tool(
            "tauri-driver",
            "install it with `cargo install tauri-driver --locked` (it goes to ~/.cargo/bin)",
        );
        let webkit_driver = find_tool(
            "WebKitWebDriver",
            "install the Debian/Ubuntu package `webkit2gtk-driver` (apt-get install webkit2gtk-driver)",
        );
        let home = tempfile::Builder::new()
            .prefix("cunan-e2e-")
            .tempdir()
            .expect("create a temp dir");
        let mut xvfb = None;
        let display = match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => d,
            _ => {
                let xvfb_bin =
                    find_tool("Xvfb", "install the package `xvfb` (apt-get install xvfb)");
                let (child, display) = start_xvfb(&xvfb_bin, home.path());
                xvfb = Some(child);
                display
            }
        };
        let port = free_port();
        let native_port = free_port();
        let log = File::create(home.path().join("tauri-driver.log")).expect("create log file");
        let mut command = Command::new(&tauri_driver_bin);
        command
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(&webkit_driver)
            .env("DISPLAY", &display)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_RUNTIME_DIR", home.path().join("runtime"))
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("NO_AT_BRIDGE", "1")
            .env("GDK_BACKEND", "x11")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            // Its own process group, so that stopping it also stops WebKitWebDriver and the app.
            .process_group(0);
        std::fs::create_dir_all(home.path().join("runtime")).expect("create runtime dir");
        let tauri_driver = command.spawn().expect("start tauri-driver");
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"));
        let mut harness = Harness {
            driver,
            app: app.to_path_buf(),
            home,
            tauri_driver,
            xvfb,
        };
        harness.wait_for_driver();
        harness
    }

    /// The store the app writes in this harness's data folder.
    pub fn store_path(&self) -> PathBuf {
        self.home.path().join("data/cn.cunan.app/cunan.sqlite3")
    }

    /// Starts the app in a new WebDriver session.
    pub fn launch(&self) -> Session {
        self.driver.new_session(&self.app)
    }

    fn wait_for_driver(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.driver.is_ready() {
                return;
            }
            if let Ok(Some(status)) = self.tauri_driver.try_wait() {
                panic!(
                    "tauri-driver exited ({status}) before it was ready; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "tauri-driver did not answer within 20 s; log:\n{}",
            self.log()
        );
    }

    /// What tauri-driver, WebKitWebDriver, the app and Xvfb wrote.
    pub fn log(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.home.path().join(name)).unwrap_or_default();
        format!(
            "{}\n---- Xvfb ----\n{}",
            read("tauri-driver.log"),
            read("xvfb.log")
        )
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "---- tauri-driver / WebKitWebDriver / app log ----\n{}",
                self.log()
            );
        }
        stop_group(&mut self.tauri_driver);
        if let Some(xvfb) = &mut self.xvfb {
            stop_group(xvfb);
        }
    }
}

/// Fills the first-run form with a village's basic facts (flood hazard, communications not
/// guaranteed), without saving it.
pub fn fill_setup_form(s: &Session, village: &str, code: &str) {
    s.wait_for("[data-test=setup]");
    s.fill("village-name", village);
    s.fill("village-code", code);
    s.fill("village-province", "浙江省湖州市");
    s.fill("village-county", "吴兴区");
    s.fill("village-township", "八里店镇");
    s.fill("village-households", "320");
    s.fill("village-officer", "王建国");
    s.fill("village-officer-phone", "13800001234");
    s.click(&s.wait_for("[data-test=village-hazards] input[value=flood]"));
    // Communications cannot be guaranteed: the satellite phone becomes required too.
    s.click(&s.wait_for("[data-test=village-comms] input[type=radio]:not(:checked)"));
}

/// Where the test writes its screenshots: `target/e2e/`, next to the binary's profile folder.
pub fn screenshot_dir(app: &Path) -> PathBuf {
    let target = app
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("target"));
    let dir = target.join("e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    dir
}

/// SIGTERM to the child's process group, then SIGKILL if it has not gone within 5 s.
fn stop_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = child.wait();
}

fn find_tool(name: &str, fix: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.push(PathBuf::from("/usr/bin"));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("the end-to-end test needs `{name}`, which is not installed: {fix}")
        })
}

/// Starts Xvfb on the first free display from :90 up and waits for its socket.
fn start_xvfb(xvfb: &Path, home: &Path) -> (Child, String) {
    for n in 90..190 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists()
            || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        {
            continue;
        }
        let log = File::create(home.join("xvfb.log")).expect("create log file");
        let mut child = Command::new(xvfb)
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("start Xvfb");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            // Ready when it accepts a connection, not merely when the socket file appears.
            if UnixStream::connect(&socket).is_ok() {
                return (child, format!(":{n}"));
            }
            if let Ok(Some(_)) = child.try_wait() {
                break; // lost a race for this display; try the next one
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        stop_group(&mut child);
    }
    panic!("could not start Xvfb on any display from :90 to :189");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("find a free TCP port")
}
