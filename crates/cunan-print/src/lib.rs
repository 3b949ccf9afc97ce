//! Prints the village's paper: the one-page response card (一页纸预案 /
//! 应急处置明白卡), household evacuation cards (避险明白卡) in triplicate, grid
//! sheets, the kit checklist sheet, the contacts sheet, the education
//! sign-in sheets (预案宣传教育签到表) and the not-yet-safe sheets of an
//! evacuation roll call (未转移人员名单), as A4 PDFs.
//!
//! [`render`] takes any [`Printout`] (plain data from `cunan_core::printouts`)
//! and returns the bytes of an A4 portrait PDF, set in the bundled Noto Sans SC
//! (embedded as a subset, with a ToUnicode map so the text can be searched and
//! copied). Rare ideographs the main font lacks (CJK Ext. B and later, e.g.
//! 𠮷) are set in a bundled fallback font. [`check_glyphs`] answers cheaply,
//! before printing, whether every character can be printed.
//!
//! The card is always exactly one page. Long content is set smaller (body
//! text from 10.5 pt down to 7 pt, with tighter line spacing); if it still
//! does not fit, the card is refused with [`PrintError::TooLong`] naming the
//! section that overflowed. Text is never cut and never spills onto a second
//! page. Household cards never go below 9 pt. The sheets run to as many pages
//! as they need, with the table header repeated and "第 x 页 / 共 y 页".
//! Characters no bundled font can draw are refused up front with
//! [`PrintError::MissingGlyphs`], instead of printing as empty boxes.
//!
//! Nothing is loaded from the network or the system at run time.

mod canvas;
mod compact;
mod fonts;
mod household;
mod layout;
pub mod linebreak;
mod notsafe;
mod sheets;

use cunan_core::card::ResponseCard;
pub use cunan_core::printouts::Printout;
use cunan_core::printouts::{
    ContactsSheet, GridSheets, HouseholdCards, KitSheet, NotSafeSheets, SignInSheets,
};

/// Why a card could not be printed. The `Display` text is in Chinese and is
/// meant to be shown to the village officer as is.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// Characters that no bundled font has, each listed once, in order of
    /// first appearance.
    #[error("以下字符在打印字体中缺失，无法打印：{}。请改用常用字（或在字后注明拼音）后重新打印；如必须使用这些字，请联系县应急管理局。", format_chars(.chars))]
    MissingGlyphs { chars: Vec<char> },
    /// The content does not fit on one page even at the smallest legible
    /// size; `section` is the Chinese name of the section that overflowed.
    #[error("内容太多，缩到最小字号仍排不进一页纸，排到“{section}”时超出。请精简内容（合并相近的条目、缩短说明文字）后重新打印。")]
    TooLong { section: String },
    /// The PDF could not be produced (should not happen; a bug or a broken
    /// build).
    /// The PDF library's own text is for the log ([`PrintError::detail`]), not the officer.
    #[error("生成 PDF 文件失败。请重试；如仍失败，请联系技术支持。")]
    Pdf(String),
}

impl PrintError {
    /// A stable, machine-readable code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::MissingGlyphs { .. } => "missing_glyphs",
            PrintError::TooLong { .. } => "card_too_long",
            PrintError::Pdf(_) => "pdf_failed",
        }
    }

    /// The technical detail behind the message, for the log only.
    pub fn detail(&self) -> Option<&str> {
        match self {
            PrintError::Pdf(detail) => Some(detail),
            _ => None,
        }
    }
}

/// Lists characters for a message: printable ones as themselves, invisible
/// ones (control characters, format characters) as `U+XXXX` so they can be
/// found and removed.
fn format_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|&c| {
            if c.is_control() || is_invisible(c) {
                format!("U+{:04X}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Format characters that have no visible form of their own.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
}

/// Every string of `card` that gets printed.
fn card_texts(card: &ResponseCard) -> Vec<&str> {
    let mut texts = vec![
        card.village_name.as_str(),
        card.village_code.as_str(),
        card.place_line.as_str(),
        card.hazard_label.as_str(),
        card.warning_signal.as_str(),
        card.warning_giver.as_str(),
    ];
    for phase in &card.phases {
        texts.push(&phase.name);
        for step in &phase.steps {
            texts.extend([step.who.as_str(), step.what.as_str(), step.how.as_str()]);
        }
    }
    for line in card.six_items.iter().chain(&card.phones) {
        texts.extend([line.label.as_str(), line.value.as_str()]);
    }
    texts.extend(card.shelters.iter().map(String::as_str));
    texts.extend(card.routes.iter().map(String::as_str));
    texts.extend(card.kit_lines.iter().map(String::as_str));
    texts
}

/// Renders `card` as a one-page A4 portrait PDF and returns its bytes.
///
/// # Errors
/// - [`PrintError::MissingGlyphs`] if any text has characters no bundled
///   font can draw (checked before anything is laid out);
/// - [`PrintError::TooLong`] if the content does not fit on one page even at
///   the smallest size;
/// - [`PrintError::Pdf`] if the PDF itself could not be produced.
pub fn render_response_card(card: &ResponseCard) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(card_texts(card))?;
    layout::render(card, fonts, fallback)
}

/// Renders the household evacuation cards: three labelled copies of each
/// card (户主留存 / 村委会留存 / 发放单位留存) on one A4 sheet, with dashed cut
/// lines between them.
///
/// # Errors
/// As [`render_response_card`]; `TooLong` names the household whose card does
/// not fit a third of a page at 9 pt.
pub fn render_household_cards(cards: &HouseholdCards) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(household::texts(cards))?;
    household::render(cards, fonts, fallback)
}

/// Renders the grid sheets, each starting on a new page and running to as
/// many pages as it needs.
///
/// # Errors
/// As [`render_response_card`], without `TooLong` (except for one household
/// too big for a whole page).
pub fn render_grid_sheets(sheets: &GridSheets) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(sheets::grid_texts(sheets))?;
    sheets::render_grid(sheets, fonts, fallback)
}

/// Renders the kit checklist sheet with tick boxes.
///
/// # Errors
/// As [`render_grid_sheets`].
pub fn render_kit_sheet(sheet: &KitSheet) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(sheets::kit_texts(sheet))?;
    sheets::render_kit(sheet, fonts, fallback)
}

/// Renders the contacts sheet.
///
/// # Errors
/// As [`render_grid_sheets`].
pub fn render_contacts_sheet(sheet: &ContactsSheet) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(sheets::contacts_texts(sheet))?;
    sheets::render_contacts(sheet, fonts, fallback)
}

/// Renders the education sign-in sheets (预案宣传教育签到表): each grid from a
/// new page, with the session's lines to fill in (or its facts printed) and
/// a row to sign for every resident.
///
/// # Errors
/// As [`render_grid_sheets`].
pub fn render_sign_in_sheets(sheets: &SignInSheets) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(sheets::sign_in_texts(sheets))?;
    sheets::render_sign_in(sheets, fonts, fallback)
}

/// Renders the not-yet-safe sheets of an evacuation roll call (未转移人员名单):
/// each grid from a new page, on one page where it fits (the type set as
/// large as one page allows), else running on with the header repeated and
/// "（续）". Sheets with no grid on them print one page saying everyone is safe
/// (the app refuses to print those first).
///
/// # Errors
/// As [`render_grid_sheets`].
pub fn render_not_safe_sheets(sheets: &NotSafeSheets) -> Result<Vec<u8>, PrintError> {
    let (fonts, fallback) = prepare(notsafe::texts(sheets))?;
    notsafe::render(sheets, fonts, fallback)
}

/// Renders any printout (one entry point for the app's print action).
///
/// # Errors
/// See the per-product functions.
pub fn render(printout: &Printout) -> Result<Vec<u8>, PrintError> {
    match printout {
        Printout::ResponseCard(card) => render_response_card(card),
        Printout::HouseholdCards(cards) => render_household_cards(cards),
        Printout::GridSheets(sheets) => render_grid_sheets(sheets),
        Printout::KitSheet(sheet) => render_kit_sheet(sheet),
        Printout::ContactsSheet(sheet) => render_contacts_sheet(sheet),
        Printout::SignInSheets(sheets) => render_sign_in_sheets(sheets),
        Printout::NotSafeSheets(sheets) => render_not_safe_sheets(sheets),
    }
}

/// Checks, without laying anything out, that every character of `printout`
/// can be printed (by the main font or the rare-character fallback). Cheap
/// enough to call before showing a print preview.
///
/// # Errors
/// [`PrintError::MissingGlyphs`] with the characters no bundled font has;
/// [`PrintError::Pdf`] if the bundled fonts are broken.
pub fn check_glyphs(printout: &Printout) -> Result<(), PrintError> {
    let texts = match printout {
        Printout::ResponseCard(card) => card_texts(card),
        Printout::HouseholdCards(cards) => household::texts(cards),
        Printout::GridSheets(sheets) => sheets::grid_texts(sheets),
        Printout::KitSheet(sheet) => sheets::kit_texts(sheet),
        Printout::ContactsSheet(sheet) => sheets::contacts_texts(sheet),
        Printout::SignInSheets(s) => sheets::sign_in_texts(s),
        Printout::NotSafeSheets(s) => notsafe::texts(s),
    };
    prepare(texts).map(|_| ())
}

/// The fonts, after checking that `texts` can all be printed; also says
/// whether the fallback face is needed.
fn prepare(texts: Vec<&str>) -> Result<(&'static fonts::Fonts, bool), PrintError> {
    let fonts = fonts::fonts()?;
    let missing = fonts.missing_chars(texts.iter().copied());
    if !missing.is_empty() {
        return Err(PrintError::MissingGlyphs { chars: missing });
    }
    Ok((fonts, fonts.needs_fallback(texts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_chinese_and_actionable() {
        let e = PrintError::MissingGlyphs {
            chars: vec!['䶮', '𠮷', '\u{200B}'],
        };
        assert_eq!(e.code(), "missing_glyphs");
        let msg = e.to_string();
        assert!(msg.contains("䶮、𠮷、U+200B"), "{msg}");
        assert!(msg.contains("请改用常用字"), "{msg}");

        let e = PrintError::TooLong {
            section: "处置步骤表".into(),
        };
        assert_eq!(e.code(), "card_too_long");
        assert!(e.to_string().contains("排到“处置步骤表”时超出"), "{e}");
        assert!(e.to_string().contains("请精简"), "{e}");

        let e = PrintError::Pdf("x".into());
        assert_eq!(e.code(), "pdf_failed");
        assert!(e.to_string().starts_with("生成 PDF 文件失败"), "{e}");
    }
}
