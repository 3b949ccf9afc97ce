//! Helpers shared by the CLI tests: run the real `cunan` binary, read PDFs back with poppler.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `cunan --db DB ARGS…` (ignoring any `CUNAN_DB` in the environment).
pub fn cunan(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cunan"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CUNAN_DB")
        .output()
        .expect("run cunan")
}

/// Asserts the command succeeded and returns what it printed.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a poppler tool on a PDF (`pdftotext` in raw order, to stdout); a missing tool fails the
/// test with what to install.
pub fn poppler(tool: &str, pdf: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.arg(pdf);
    if tool == "pdftotext" {
        cmd.args(["-raw", "-"]);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{tool} not runnable ({e}): apt-get install poppler-utils"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Text without any white space, so that wrapped lines compare whole.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A valid ID number of county 330599: birth date (YYYYMMDD), sequence, check character.
pub fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("330599{birth}{seq:03}");
    let check = cunan_core::validate::resident_id_check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// A tiny deterministic generator for kill moments (the crash campaigns).
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}
