//! The bundled fonts (Noto Sans SC Regular and Bold) and the two questions the
//! layout asks of them: "can this character be printed?" and "how wide is it?".
//!
//! The TTFs are compiled into the binary with `include_bytes!`; nothing is
//! looked up on the system or fetched at run time. Parsing a 10 MB CJK font is
//! not free, so each face is parsed once per process and kept in a
//! [`OnceLock`].

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PrintError;

/// Noto Sans SC Regular (SIL OFL 1.1), see `assets/fonts/README.md`.
static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular.ttf");
/// Noto Sans SC Bold (SIL OFL 1.1), see `assets/fonts/README.md`.
static BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Bold.ttf");

/// Which of the two bundled faces a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Noto Sans SC Regular (400).
    Regular,
    /// Noto Sans SC Bold (700).
    Bold,
}

/// One parsed face plus the scale from font units to em.
pub struct Face {
    /// The parsed font, handed to printpdf for embedding (as a subset).
    pub parsed: ParsedFont,
    /// `1 / unitsPerEm`, to turn `hmtx` advances into em.
    em_per_unit: f32,
}

impl Face {
    fn parse(bytes: &[u8], name: &str) -> Result<Self, String> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings)
            .ok_or_else(|| format!("内置字体 {name} 无法解析：{warnings:?}"))?;
        let upem = parsed.font_metrics.units_per_em;
        if upem == 0 {
            return Err(format!("内置字体 {name} 的 unitsPerEm 为 0"));
        }
        Ok(Self {
            parsed,
            em_per_unit: 1.0 / f32::from(upem),
        })
    }

    /// The glyph id for `c`, or `None` when the font's cmap has no (real) glyph
    /// for it. A mapping to glyph 0 (`.notdef`) counts as missing: it would
    /// print as an empty box.
    pub fn glyph(&self, c: char) -> Option<u16> {
        match self.parsed.lookup_glyph_index(u32::from(c)) {
            Some(0) | None => None,
            Some(gid) => Some(gid),
        }
    }

    /// Advance width of `c` in em (0 for characters the font lacks; those are
    /// rejected before layout anyway).
    pub fn advance_em(&self, c: char) -> f32 {
        self.glyph(c).map_or(0.0, |gid| {
            f32::from(self.parsed.get_horizontal_advance(gid)) * self.em_per_unit
        })
    }
}

/// Both bundled faces.
pub struct Fonts {
    /// Body text.
    pub regular: Face,
    /// Title, headings, labels.
    pub bold: Face,
}

impl Fonts {
    /// The face for `weight`.
    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Width of `text` in points when set in `weight` at `size` pt.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let face = self.face(weight);
        text.chars().map(|c| face.advance_em(c)).sum::<f32>() * size
    }

    /// Whether both faces can draw `c`. Whitespace always counts as printable:
    /// the layout turns it into line breaks or plain spaces.
    pub fn can_print(&self, c: char) -> bool {
        c.is_whitespace() || (self.regular.glyph(c).is_some() && self.bold.glyph(c).is_some())
    }

    /// Every character of `texts` that the bundled fonts cannot draw, each
    /// listed once, in order of first appearance.
    pub fn missing_chars<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Vec<char> {
        let mut missing: Vec<char> = Vec::new();
        for text in texts {
            for c in text.chars() {
                if !self.can_print(c) && !missing.contains(&c) {
                    missing.push(c);
                }
            }
        }
        missing
    }
}

/// The bundled fonts, parsed on first use and shared afterwards.
pub fn fonts() -> Result<&'static Fonts, PrintError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: Face::parse(REGULAR_TTF, "NotoSansSC-Regular")?,
                bold: Face::parse(BOLD_TTF, "NotoSansSC-Bold")?,
            })
        })
        .as_ref()
        .map_err(|e| PrintError::Pdf(e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_text_is_covered() {
        let f = fonts().expect("bundled fonts parse");
        let sample =
            "青石村防汛防台应急处置明白卡，。、；：？！（）《》“”0572-2123456 138****1234 ×①";
        assert!(
            f.missing_chars([sample]).is_empty(),
            "{:?}",
            f.missing_chars([sample])
        );
    }

    #[test]
    fn rare_and_emoji_are_missing_and_deduped() {
        let f = fonts().expect("bundled fonts parse");
        // U+20BB7 (𠮷, CJK Ext. B) is not in Noto Sans SC; neither is an emoji.
        let got = f.missing_chars(["吉𠮷村😀", "𠮷"]);
        assert_eq!(got, vec!['𠮷', '😀']);
        // 䶮 (U+4DAE, Ext. A) looks rare but is covered.
        assert!(f.can_print('䶮'));
    }

    #[test]
    fn cjk_is_one_em_and_digits_are_narrower() {
        let f = fonts().expect("bundled fonts parse");
        let cjk = f.width("村", Weight::Regular, 10.0);
        assert!((cjk - 10.0).abs() < 0.01, "CJK advance {cjk}");
        let digit = f.width("1", Weight::Regular, 10.0);
        assert!(digit > 3.0 && digit < 7.0, "digit advance {digit}");
    }
}
