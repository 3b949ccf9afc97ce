//! The bundled fonts and the questions the layout asks of them: "can this
//! character be printed, and in which face?" and "how wide is it?".
//!
//! - Noto Sans SC Regular sets all text. Emphasis (titles, labels) is the same
//!   face drawn with a thin outline of its own colour ("synthetic bold"), so a
//!   PDF embeds one subset instead of two (see `assets/fonts/README.md`).
//! - A subset of Noto Sans CJK SC with the ideographs Noto Sans SC lacks
//!   (CJK Ext. B and later, e.g. 𠮷 U+20BB7) is the fallback: a run of such
//!   characters is set in it, and it is embedded only when a printout uses it.
//!
//! The TTFs are compiled into the binary with `include_bytes!`; nothing is
//! looked up on the system or fetched at run time. Each face is parsed once
//! per process and kept in a [`OnceLock`].

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PrintError;

/// Noto Sans SC Regular (SIL OFL 1.1), see `assets/fonts/README.md`.
static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular.ttf");
/// Rare ideographs from Noto Sans CJK SC (SIL OFL 1.1), see `assets/fonts/README.md`.
static FALLBACK_TTF: &[u8] = include_bytes!("../../../assets/fonts/NotoSansCJKsc-RareSubset.ttf");

/// How a run of text is emphasised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Plain text.
    Regular,
    /// Titles, headings, labels: the regular face filled and outlined.
    Bold,
}

/// Which bundled face draws a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Main,
    Fallback,
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

    fn advance_of(&self, gid: u16) -> f32 {
        f32::from(self.parsed.get_horizontal_advance(gid)) * self.em_per_unit
    }
}

/// The bundled faces.
pub struct Fonts {
    /// All text, regular and (synthetic) bold.
    pub main: Face,
    /// Rare ideographs the main face lacks.
    pub fallback: Face,
}

impl Fonts {
    /// The face that draws `c`: the main face when it can (whitespace too),
    /// else the fallback when it can, else `None`.
    pub fn which(&self, c: char) -> Option<Which> {
        if c.is_whitespace() || self.main.glyph(c).is_some() {
            Some(Which::Main)
        } else if self.fallback.glyph(c).is_some() {
            Some(Which::Fallback)
        } else {
            None
        }
    }

    /// Advance width of `c` in em, from whichever face draws it (0 for
    /// characters no face has; those are rejected before layout anyway).
    pub fn advance_em(&self, c: char) -> f32 {
        if let Some(gid) = self.main.glyph(c) {
            return self.main.advance_of(gid);
        }
        if let Some(gid) = self.fallback.glyph(c) {
            return self.fallback.advance_of(gid);
        }
        if c.is_whitespace() {
            // Not in the cmap (e.g. a tab): as wide as a space.
            return self
                .main
                .glyph(' ')
                .map_or(0.25, |g| self.main.advance_of(g));
        }
        0.0
    }

    /// Width of `text` in points at `size` pt (bold is as wide as regular).
    pub fn width(&self, text: &str, _weight: Weight, size: f32) -> f32 {
        text.chars().map(|c| self.advance_em(c)).sum::<f32>() * size
    }

    /// Whether some bundled face can draw `c`. Whitespace always counts as
    /// printable: the layout turns it into line breaks or plain spaces.
    pub fn can_print(&self, c: char) -> bool {
        self.which(c).is_some()
    }

    /// Every character of `texts` that no bundled font can draw, each listed
    /// once, in order of first appearance.
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

    /// Whether any of `texts` needs the fallback face.
    pub fn needs_fallback<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        texts
            .into_iter()
            .any(|t| t.chars().any(|c| self.which(c) == Some(Which::Fallback)))
    }

    /// Splits `text` into runs drawn by one face each (characters no face has
    /// stay with the main face).
    pub fn runs<'t>(&self, text: &'t str) -> Vec<(Which, &'t str)> {
        let mut out: Vec<(Which, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current = Which::Main;
        for (i, c) in text.char_indices() {
            let which = self.which(c).unwrap_or(Which::Main);
            if which != current {
                if i > start {
                    out.push((current, &text[start..i]));
                }
                start = i;
                current = which;
            }
        }
        if start < text.len() {
            out.push((current, &text[start..]));
        }
        out
    }
}

/// The bundled fonts, parsed on first use and shared afterwards.
pub fn fonts() -> Result<&'static Fonts, PrintError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                main: Face::parse(REGULAR_TTF, "NotoSansSC-Regular")?,
                fallback: Face::parse(FALLBACK_TTF, "NotoSansCJKsc-RareSubset")?,
            })
        })
        .as_ref()
        .map_err(|e| PrintError::Pdf(e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_text_is_covered_by_the_main_face() {
        let f = fonts().expect("bundled fonts parse");
        let sample =
            "青石村防汛防台应急处置明白卡，。、；：？！（）《》“”0572-2123456 138****1234 ×①";
        assert!(!f.needs_fallback([sample]));
        assert!(f.missing_chars([sample]).is_empty());
    }

    #[test]
    fn rare_names_are_covered_and_emoji_is_missing() {
        let f = fonts().expect("bundled fonts parse");
        for c in ['堃', '喆', '赟', '玥', '䶮'] {
            assert_eq!(f.which(c), Some(Which::Main), "{c}");
        }
        // U+20BB7 (𠮷, CJK Ext. B) comes from the fallback.
        assert_eq!(f.which('𠮷'), Some(Which::Fallback));
        assert_eq!(f.missing_chars(["吉𠮷村😀", "😀"]), vec!['😀']);
        assert_eq!(
            f.runs("𠮷大海𠮷"),
            vec![
                (Which::Fallback, "𠮷"),
                (Which::Main, "大海"),
                (Which::Fallback, "𠮷")
            ]
        );
        assert!((f.width("𠮷", Weight::Regular, 10.0) - 10.0).abs() < 0.01);
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
