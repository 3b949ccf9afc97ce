//! End-to-end tests: render real cards and read them back with poppler-utils
//! (`pdfinfo`, `pdffonts`, `pdftotext`). These tests fail, not skip, when the
//! tools are missing.

mod sample;

use std::path::Path;
use std::process::Command;

use cunan_core::card::{CardPhase, CardStep};
use cunan_print::{render_response_card, PrintError};

/// Runs a poppler tool on `pdf` and returns its stdout.
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(pdf);
    if tool == "pdftotext" {
        cmd.arg("-"); // to stdout, not to card.txt
    }
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}): install poppler-utils (apt-get install -y poppler-utils)"
        )
    });
    assert!(
        out.status.success(),
        "`{tool}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler output is UTF-8")
}

/// Renders `card` into a temp file and returns the directory (kept alive by
/// the caller) and the path.
fn render_to_file(
    card: &cunan_core::card::ResponseCard,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let bytes = render_response_card(card).expect("card renders");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("card.pdf");
    std::fs::write(&path, &bytes).expect("write PDF");
    (dir, path)
}

fn assert_one_a4_page(pdf: &Path) {
    let info = poppler("pdfinfo", &[], pdf);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(str::trim)
        .expect("pdfinfo prints Pages");
    assert_eq!(pages, "1", "{info}");
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("pdfinfo prints Page size");
    let nums: Vec<f32> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        nums.len() >= 2 && (nums[0] - 595.28).abs() < 0.5 && (nums[1] - 841.89).abs() < 0.5,
        "not A4 portrait: {size}"
    );
}

/// Text of the page in content order, with all whitespace removed so that
/// text wrapped inside a cell reads as one string again.
fn page_text(pdf: &Path) -> String {
    squash(&poppler("pdftotext", &["-raw", "-enc", "UTF-8"], pdf))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn sample_card_is_one_a4_page_with_subset_fonts_and_real_text() {
    let card = sample::flood_card();
    let (_dir, pdf) = render_to_file(&card);
    assert_one_a4_page(&pdf);

    // One face (bold is drawn, not embedded twice), as a subset with a
    // ToUnicode map; no fallback face when no rare character is used.
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "expected only Noto Sans SC:\n{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type… encoding emb sub uni object-id gen
        let n = cols.len();
        assert!(n >= 7, "{row}");
        let (emb, sub, uni) = (cols[n - 5], cols[n - 4], cols[n - 3]);
        assert_eq!((emb, sub, uni), ("yes", "yes", "yes"), "{row}");
        assert!(
            cols[0].contains('+') && cols[0].contains("NotoSansSC"),
            "{row}"
        );
    }

    let text = page_text(&pdf);
    for needle in [
        card.village_name.as_str(),
        card.hazard_label.as_str(),
        "应急处置明白卡",
        "区划代码330502102213",
        "打印日期2025-06-01",
        "先避险、再抢险",
        "一、处置流程",
        "阶段谁来做做什么怎么做",
        "二、六落实",
        "三、避险安置点",
        "四、转移路线",
        "五、应急物资位置",
        "六、重要电话",
    ] {
        assert!(
            text.contains(&squash(needle)),
            "missing {needle:?} in\n{text}"
        );
    }
    for item in &card.six_items {
        assert!(
            text.contains(&squash(&item.value)),
            "missing six-item value {:?} in\n{text}",
            item.value
        );
    }
    for phone in &card.phones {
        assert!(
            text.contains(&phone.value),
            "missing phone {:?}",
            phone.value
        );
    }
    // A phone number inside running text comes back unbroken, on one line.
    let raw = poppler("pdftotext", &["-raw", "-enc", "UTF-8"], &pdf);
    assert!(
        raw.lines().any(|l| l.contains("0572-2123456")),
        "0572-2123456 is broken across lines:\n{raw}"
    );
    for step in card.phases.iter().flat_map(|p| &p.steps) {
        assert!(
            text.contains(&squash(&step.how)),
            "missing step {:?}",
            step.how
        );
    }
}

#[test]
fn sample_card_is_at_most_70_kb() {
    let bytes = render_response_card(&sample::flood_card()).expect("card renders");
    assert!(
        bytes.len() <= 70 * 1024,
        "response card is {} bytes, over the 70 KB budget",
        bytes.len()
    );
}

#[test]
fn long_but_possible_card_shrinks_onto_one_page() {
    let mut card = sample::flood_card();
    // Double every phase: too much for 10.5 pt, fine at a smaller size.
    for phase in &mut card.phases {
        let extra = phase.steps.clone();
        phase.steps.extend(extra);
    }
    let (_dir, pdf) = render_to_file(&card);
    assert_one_a4_page(&pdf);
    let text = page_text(&pdf);
    let last = card
        .phases
        .last()
        .and_then(|p| p.steps.last())
        .expect("has steps");
    assert!(text.contains(&squash(&last.how)), "last step lost:\n{text}");
    assert!(text.contains("120"), "phones lost:\n{text}");
}

#[test]
fn missing_glyph_is_refused_with_the_characters() {
    // 𠮷 (U+20BB7, CJK Ext. B) prints from the fallback face; no face has
    // the emoji or the private-use character.
    let mut card = sample::flood_card();
    card.six_items[0].value = "𠮷大海（村党支部书记）138****5678".into();
    card.routes.push("经𠮷家桥往东😀\u{E000}".into());
    match render_response_card(&card) {
        Err(PrintError::MissingGlyphs { chars }) => {
            assert_eq!(chars, vec!['😀', '\u{E000}']);
            let e = PrintError::MissingGlyphs { chars };
            assert_eq!(e.code(), "missing_glyphs");
            assert!(e.to_string().contains("😀、\u{E000}"), "{e}");
        }
        other => panic!("expected MissingGlyphs, got {other:?}"),
    }
}

#[test]
fn rare_characters_print_from_the_fallback_face() {
    let mut card = sample::flood_card();
    card.six_items[0].value = "𠮷大海（村党支部书记）138****5678".into();
    card.warning_giver = "李堃、张喆、赵赟、陈玥、刘䶮（预警员）".into();
    let (_dir, pdf) = render_to_file(&card);
    assert_one_a4_page(&pdf);
    let fonts = poppler("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "main and fallback:\n{fonts}");
    assert!(
        rows.iter()
            .any(|r| r.contains("RareSubset") && r.contains('+')),
        "{fonts}"
    );
    let text = page_text(&pdf);
    for needle in ["𠮷大海", "李堃、张喆、赵赟、陈玥、刘䶮"] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}

#[test]
fn whitespace_and_newlines_are_fine() {
    let mut card = sample::flood_card();
    card.warning_signal = "鸣锣三长声\n村应急广播\t手摇报警器\r\n".into();
    card.kit_lines.push("   ".into());
    let (_dir, pdf) = render_to_file(&card);
    assert_one_a4_page(&pdf);
}

#[test]
fn far_too_many_steps_is_refused_naming_the_table() {
    let mut card = sample::flood_card();
    let long = "立即组织危险区域内的全部群众，按照预定转移路线有序撤离到指定的避险安置点，并逐户逐人清点核对人数，确保不漏一户、不落一人";
    card.phases = vec![CardPhase {
        name: "转移避险".into(),
        steps: (1..=80)
            .map(|i| CardStep {
                who: format!("第{i}网格 网格员"),
                what: "组织群众转移并清点人数".into(),
                how: long.into(),
            })
            .collect(),
    }];
    match render_response_card(&card) {
        Err(e @ PrintError::TooLong { .. }) => {
            assert_eq!(e.code(), "card_too_long");
            let PrintError::TooLong { section } = &e else {
                unreachable!()
            };
            assert_eq!(section, "处置步骤表");
            assert!(e.to_string().contains("处置步骤表"), "{e}");
        }
        other => panic!("expected TooLong, got {other:?}"),
    }
}

#[test]
fn overflow_after_the_table_names_its_own_section() {
    let mut card = sample::flood_card();
    card.routes = (1..=60)
        .map(|i| format!("第{i}片：沿村道往北经石桥至村文化礼堂，约800米，步行15分钟，注意避开山塘下游和低洼路段"))
        .collect();
    match render_response_card(&card) {
        Err(PrintError::TooLong { section }) => assert_eq!(section, "转移路线"),
        other => panic!("expected TooLong, got {other:?}"),
    }
}

#[test]
fn empty_card_still_prints() {
    let mut card = sample::flood_card();
    card.phases.clear();
    card.six_items.clear();
    card.shelters.clear();
    card.routes.clear();
    card.kit_lines.clear();
    card.phones.clear();
    card.warning_giver.clear();
    let (_dir, pdf) = render_to_file(&card);
    assert_one_a4_page(&pdf);
    assert!(page_text(&pdf).contains("（未填写）"));
}
