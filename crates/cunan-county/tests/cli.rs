//! The real `cunan-county` binary: a village's USB bundle imported with `--reply`, and the
//! county's bundle for a village written on its own; both read back by the village.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;
use cunan_sync::bundle;

fn county(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cunan-county"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("cunan-county runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn import_bundle_with_reply_writes_the_county_bundle_the_village_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite3");
    let mut village = demo_store(&dir.path().join("v.db"), 8, 2);
    let code = village_code(&village);
    let enrollment = ok(&county(
        &db,
        &["village", "add", "--code", &code, "--name", "演示村"],
    ));
    let out = dir.path().join("out.cunan");
    let waiting = bundle::export_to_file(&village, &out, false, Some(enrollment.trim())).unwrap();

    let reply = dir.path().join("县里发回.cunan");
    let said = ok(&county(
        &db,
        &[
            "--by",
            "王干事",
            "import-bundle",
            out.to_str().unwrap(),
            "--reply",
            reply.to_str().unwrap(),
        ],
    ));
    assert!(said.contains(&format!("新接收 {waiting} 条")), "{said}");
    assert!(said.contains("已按数据包里的登记码登记"), "{said}");
    let devices = ok(&county(&db, &["village", "devices", "--code", &code]));
    assert!(
        devices.contains(village.device_id()) && devices.contains("有效"),
        "{devices}"
    );
    assert!(said.contains("附 1 台设备的回执"), "{said}");
    let report =
        bundle::import_county_bundle(&mut village, &std::fs::read(&reply).unwrap()).unwrap();
    assert_eq!(report.acknowledged, waiting);
    assert_eq!(report.still_waiting, 0);

    // On its own, and for a village the county does not know: a Chinese error, no file.
    let again = dir.path().join("again.cunan");
    ok(&county(
        &db,
        &[
            "bundle-for-village",
            "--village",
            &code,
            "--out",
            again.to_str().unwrap(),
        ],
    ));
    assert!(again.is_file());
    let missing = dir.path().join("missing.cunan");
    let refused = county(
        &db,
        &[
            "bundle-for-village",
            "--village",
            "330599101288",
            "--out",
            missing.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("还没有登记"));
    assert!(!missing.exists());

    // The county's bundle offered back to the county is refused with what to do.
    let wrong = county(&db, &["import-bundle", reply.to_str().unwrap()]);
    assert!(!wrong.status.success());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.contains("[bundle_not_for_county]") && err.contains("村里的电脑"),
        "{err}"
    );

    // The audit trail: who imported what (the file's SHA-256), and the refused attempt.
    let audit = ok(&county(&db, &["audit"]));
    let lines: Vec<&str> = audit.lines().collect();
    assert!(
        lines[0].contains("import_bundle") && lines[0].contains("bundle_not_for_county"),
        "{audit}"
    );
    let imported = lines
        .iter()
        .find(|l| l.contains("import_bundle") && l.contains(" ok "))
        .unwrap_or_else(|| panic!("{audit}"));
    assert!(imported.contains("operator 王干事"), "{imported}");
    let sha = {
        use sha2::Digest;
        let bytes = std::fs::read(&out).unwrap();
        let header_end = bytes.iter().position(|b| *b == b'\n').unwrap();
        hex::encode(sha2::Sha256::digest(&bytes[header_end + 1..]))
    };
    assert!(imported.contains(&sha), "{imported}");
    assert!(audit.contains("village_add"), "{audit}");
}

#[test]
fn village_add_takes_how_many_days_the_code_works() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite3");
    let add = |days: &str| {
        county(
            &db,
            &[
                "village",
                "add",
                "--code",
                "330599101201",
                "--name",
                "青石村",
                "--expires-days",
                days,
            ],
        )
    };
    let out = add("3");
    let code = ok(&out);
    assert_eq!(code.trim().len(), 14, "{code}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("3 天内有效"), "{said}");
    assert!(said.contains("已作废"), "{said}");
    for days in ["0", "91", "abc"] {
        assert!(!add(days).status.success(), "--expires-days {days}");
    }
}
