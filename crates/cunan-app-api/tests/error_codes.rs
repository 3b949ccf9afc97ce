//! Every error code the village side's crates can give is in `ErrorCode`, the closed list the UI
//! matches on: the codes are looked for in the sources (`ValidationError::new("…"`, the arms of
//! each `fn code(&self)`, `code: "…"`), so a new code that is not added fails here, not in the
//! officer's hands as "internal".

use std::path::{Path, PathBuf};

use cunan_app_api::ErrorCode;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace root")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The snake_case literal that starts right after `at` (after spaces and newlines), if any.
fn literal_after(text: &str, at: usize) -> Option<&str> {
    let rest = text[at..].trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    let code = &rest[..end];
    // Starts with a letter: `code: "330502101201"` is a village's division code, not an error's.
    let snake = code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    snake.then_some(code)
}

/// Codes given in one source file.
fn codes_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["ValidationError::new(", "code: \""] {
        for (at, _) in text.match_indices(marker) {
            let from = if marker.ends_with('"') {
                at + marker.len() - 1
            } else {
                at + marker.len()
            };
            if let Some(code) = literal_after(text, from) {
                out.push(code.to_string());
            }
        }
    }
    // The arms of `fn code(&self)`: `=> "code"` up to the end of the function.
    for (at, _) in text.match_indices("fn code(&self)") {
        let body = &text[at..];
        let end = body.find("\n    }\n").unwrap_or(body.len());
        for (arm, _) in body[..end].match_indices("=> ") {
            if let Some(code) = literal_after(&body[..end], arm + 3) {
                out.push(code.to_string());
            }
        }
    }
    out
}

#[test]
fn every_code_in_the_sources_is_an_error_code() {
    let root = workspace();
    let mut files = Vec::new();
    for krate in [
        "crates/cunan-core/src",
        "crates/cunan-print/src",
        "crates/cunan-sync/src",
        "crates/cunan-excel/src",
        "crates/cunan-app-api/src",
    ] {
        rust_files(&root.join(krate), &mut files);
    }
    assert!(files.len() > 20, "the sources are found: {}", files.len());
    let mut found = 0;
    let mut missing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        for code in codes_in(&text) {
            found += 1;
            if ErrorCode::from_code(&code).is_none() {
                missing.push(format!("{code} ({})", file.display()));
            }
        }
    }
    assert!(found > 40, "codes are found in the sources: {found}");
    assert!(missing.is_empty(), "not in ErrorCode: {missing:?}");
}

#[test]
fn the_scan_finds_codes_in_each_form() {
    let text = r#"
        ValidationError::new(
            "phone_x", "电话", "…")
        Failure { code: "store_y", message }
        pub fn code(&self) -> &'static str {
            match self {
                E::A => "bundle_z",
                E::B(e) => e.code(),
            }
        }
    "#;
    let mut codes = codes_in(text);
    codes.sort();
    assert_eq!(codes, ["bundle_z", "phone_x", "store_y"]);
}
