//! A small W3C WebDriver client: just what the end-to-end tests use.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

/// The key W3C WebDriver puts an element reference under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long `wait_*` polls before failing.
pub const WAIT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct WebDriver {
    base: String,
    agent: ureq::Agent,
    /// For screenshots, which are retried (see [`Session::screenshot`]).
    short: ureq::Agent,
}

impl WebDriver {
    pub fn new(base: String) -> WebDriver {
        let agent = |secs| {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(secs)))
                .build()
                .into()
        };
        WebDriver {
            base,
            agent: agent(90),
            short: agent(10),
        }
    }

    pub fn is_ready(&self) -> bool {
        self.agent
            .get(format!("{}/status", self.base))
            .call()
            .is_ok()
    }

    /// Starts the app at `app` (tauri-driver launches it through WebKitWebDriver).
    pub fn new_session(&self, app: &Path) -> Session {
        let caps = json!({
            "capabilities": { "alwaysMatch": { "tauri:options": { "application": app } } }
        });
        let value = self.send("POST", "/session", Some(caps));
        let id = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {value}"))
            .to_string();
        Session {
            driver: self.clone(),
            id,
        }
    }

    /// One WebDriver call; panics with the driver's error if it fails.
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.try_send(method, path, body);
        if status >= 400 {
            panic!("WebDriver {method} {path} failed ({status}): {value}");
        }
        value
    }

    fn try_send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call(&self.agent, method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    fn call(
        &self,
        agent: &ureq::Agent,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), ureq::Error> {
        let url = format!("{}{path}", self.base);
        let mut response = match (method, body) {
            ("GET", _) => agent.get(&url).call(),
            ("DELETE", _) => agent.delete(&url).call(),
            (_, body) => agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        }?;
        let status = response.status().as_u16();
        let body: Value = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_json()?;
        Ok((status, body["value"].clone()))
    }
}

/// One running app, driven over WebDriver.
pub struct Session {
    driver: WebDriver,
    pub id: String,
}

#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.driver
            .send(method, &format!("/session/{}{path}", self.id), body)
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let (status, value) = self.driver.try_send(
            "POST",
            &format!("/session/{}/elements", self.id),
            Some(json!({ "using": "css selector", "value": css })),
        );
        if status >= 400 {
            return Vec::new();
        }
        value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str())
                    .map(|id| Element(id.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first element matching `css`, waiting up to [`WAIT`] for it to appear.
    pub fn wait_for(&self, css: &str) -> Element {
        self.wait_until(&format!("an element matching `{css}`"), || {
            self.find_all(css).into_iter().next()
        })
    }

    /// Waits until the first element matching `css` has text containing `text`.
    pub fn wait_for_text(&self, css: &str, text: &str) -> Element {
        self.wait_until(&format!("`{css}` to contain {text:?}"), || {
            self.find_all(css)
                .into_iter()
                .next()
                .filter(|e| self.text(e).contains(text))
        })
    }

    /// Polls `f` until it gives something, or panics after [`WAIT`] with a screenshot saved.
    pub fn wait_until<T>(&self, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(v) = f() {
                return v;
            }
            if Instant::now() > deadline {
                let body = self.execute(
                    "return document.body ? document.body.innerText : ''",
                    json!([]),
                );
                panic!("timed out after {WAIT:?} waiting for {what}; page text:\n{body}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn click(&self, e: &Element) {
        self.send("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// Clears the field and types `text` into it.
    pub fn type_into(&self, e: &Element, text: &str) {
        self.send("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
        self.send(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    /// Types into the input marked `data-test=NAME` and checks it holds the text.
    pub fn fill(&self, name: &str, text: &str) {
        let input = self.wait_for(&format!("[data-test={name}]"));
        self.type_into(&input, text);
        let value = self.property(&input, "value");
        assert_eq!(value, text, "typing into {name}");
    }

    pub fn text(&self, e: &Element) -> String {
        let (status, value) = self.driver.try_send(
            "GET",
            &format!("/session/{}/element/{}/text", self.id, e.0),
            None,
        );
        if status >= 400 {
            return String::new();
        }
        value.as_str().unwrap_or_default().to_string()
    }

    pub fn property(&self, e: &Element, name: &str) -> Value {
        self.send("GET", &format!("/element/{}/property/{name}", e.0), None)
    }

    pub fn execute(&self, script: &str, args: Value) -> Value {
        let (_, value) = self.driver.try_send(
            "POST",
            &format!("/session/{}/execute/sync", self.id),
            Some(json!({ "script": script, "args": args })),
        );
        value
    }

    /// Saves a PNG of the page, scrolled to the top, to `path`.
    ///
    /// WebKitWebDriver takes the shot on the page's next repaint, and under Xvfb a page where
    /// nothing changes never repaints: the call hangs. So while the shot is taken a 1-pixel,
    /// nearly transparent element in the corner is kept animating.
    pub fn screenshot(&self, path: &Path) {
        self.execute(
            "if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0); \
             const s = document.createElement('style'); s.id = 'e2e-tick-style'; \
             s.textContent = '@keyframes e2e-tick { from { opacity: 0 } to { opacity: 0.02 } }'; \
             const d = document.createElement('div'); d.id = 'e2e-tick'; \
             d.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;background:#000;\
             pointer-events:none;animation:e2e-tick 0.2s infinite alternate'; \
             document.head.append(s); document.body.append(d); return 0;",
            json!([]),
        );
        let shot = format!("/session/{}/screenshot", self.id);
        let result = (0..3).find_map(|attempt| {
            match self.driver.call(&self.driver.short, "GET", &shot, None) {
                Ok((200, value)) => Some(value),
                Ok((status, value)) => {
                    eprintln!("screenshot attempt {attempt}: {status} {value}");
                    None
                }
                Err(e) => {
                    eprintln!("screenshot attempt {attempt}: {e}");
                    None
                }
            }
        });
        self.execute(
            "for (const id of ['e2e-tick', 'e2e-tick-style']) document.getElementById(id)?.remove(); return 0;",
            json!([]),
        );
        let value = result.expect("WebKitWebDriver took no screenshot in 3 tries");
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        std::fs::write(path, png).expect("write screenshot");
    }

    /// Ends the session, which closes the app.
    pub fn quit(self) {
        self.send("DELETE", "", None);
    }
}
