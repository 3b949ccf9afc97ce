//! `cunan print …` on a real demo store: each product becomes a PDF that poppler reads back.

mod common;

use std::path::Path;

use common::{cunan, ok, poppler, squeeze};

fn pages(pdf: &Path) -> usize {
    poppler("pdfinfo", pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("Pages")
}

fn no_full_id(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(18) {
        assert!(
            !(w[..17].iter().all(char::is_ascii_digit) && (w[17].is_ascii_digit() || w[17] == 'X')),
            "unmasked ID {}",
            w.iter().collect::<String>()
        );
    }
}

#[test]
fn every_print_product_from_the_demo_village() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "150", "--seed", "4"]));

    let path = |name: &str| dir.path().join(name);
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_owned();

    let hh = path("hh.pdf");
    let said = ok(&cunan(&db, &["print", "household-cards", "--out", &s(&hh)]));
    // "已生成避险明白卡（N 户，每户一式三联）"
    let n: usize = said
        .split('（')
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("household count in {said:?}"));
    assert!(n > 0);
    assert_eq!(pages(&hh), n, "one sheet per household");
    let text = squeeze(&poppler("pdftotext", &hh));
    for label in ["户主留存", "村委会留存", "发放单位留存"] {
        assert_eq!(text.matches(label).count(), n, "{label}");
    }
    no_full_id(&text);

    let grid = path("grid.pdf");
    ok(&cunan(&db, &["print", "grid-sheets", "--out", &s(&grid)]));
    let all_pages = pages(&grid);
    let text = squeeze(&poppler("pdftotext", &grid));
    assert!(text.contains("第1页/共"), "{text}");
    no_full_id(&text);

    let one = path("grid1.pdf");
    let said = ok(&cunan(
        &db,
        &[
            "print",
            "grid-sheets",
            "--grid",
            "第1网格",
            "--out",
            &s(&one),
        ],
    ));
    assert!(said.contains("2 份"), "{said}");
    assert!(pages(&one) < all_pages);
    let text = squeeze(&poppler("pdftotext", &one));
    assert!(
        text.contains("第1网格") && !text.contains("第2网格"),
        "{text}"
    );

    for (product, needle) in [("kit", "应急物资清单"), ("contacts", "应急通讯录")] {
        let pdf = path(&format!("{product}.pdf"));
        ok(&cunan(&db, &["print", product, "--out", &s(&pdf)]));
        assert!(pages(&pdf) >= 1);
        let fonts = poppler("pdffonts", &pdf);
        for row in fonts.lines().skip(2) {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "{row}");
        }
        let text = squeeze(&poppler("pdftotext", &pdf));
        assert!(text.contains(needle), "{text}");
        no_full_id(&text);
    }
}

#[test]
fn the_sign_in_sheet_for_every_grid_and_for_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("village.sqlite3");
    ok(&cunan(&db, &["demo", "--households", "100", "--seed", "4"]));
    let all = dir.path().join("signin.pdf");
    let s = |p: &Path| p.to_str().expect("utf-8 path").to_owned();
    let said = ok(&cunan(&db, &["print", "sign-in-sheet", "--out", &s(&all)]));
    // The app's title for the same printout.
    assert!(
        said.contains("预案宣传教育签到表（全部网格，2 份）"),
        "{said}"
    );
    let text = squeeze(&poppler("pdftotext", &all));
    for needle in [
        "预案宣传教育签到表",
        "第1网格",
        "第2网格",
        "签名",
        "宣讲人签字",
        "第1页/共",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    no_full_id(&text);

    let one = dir.path().join("signin1.pdf");
    let said = ok(&cunan(
        &db,
        &[
            "print",
            "sign-in-sheet",
            "--grid",
            "第2网格",
            "--out",
            &s(&one),
        ],
    ));
    assert!(said.contains("（第2网格，1 份）"), "{said}");
    assert!(pages(&one) < pages(&all));
    let text = squeeze(&poppler("pdftotext", &one));
    assert!(
        text.contains("第2网格") && !text.contains("第1网格"),
        "{text}"
    );
}

#[test]
fn print_errors_are_chinese_and_say_what_to_do() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("village.sqlite3");
    let out_pdf = dir.path().join("x.pdf");
    let out = out_pdf.to_str().expect("utf-8");

    // No store yet.
    let r = cunan(&db, &["print", "kit", "--out", out]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("store_missing") && err.contains("demo"),
        "{err}"
    );

    ok(&cunan(&db, &["demo", "--households", "30"]));
    let r = cunan(
        &db,
        &["print", "grid-sheets", "--grid", "第99网格", "--out", out],
    );
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("not_found") && err.contains("网格"), "{err}");

    let r = cunan(&db, &["print", "kit", "--grid", "第1网格", "--out", out]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("grid_not_applicable"), "{err}");
    assert!(!out_pdf.exists(), "nothing written on error");
}
