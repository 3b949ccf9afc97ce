//! Drawing on an A4 page and assembling pages into a PDF, shared by every
//! printout.
//!
//! Coordinates are in points with `y` growing downwards from the top of the
//! page; [`Canvas`] flips to PDF coordinates when it emits operations. Text is
//! split into runs by face (main or rare-character fallback); bold is the main
//! face filled and outlined in the same colour.

use chrono::NaiveDate;
use printpdf::{
    Color, FontId, Line, LineDashPattern, LinePoint, Mm, OffsetDateTime, Op, PaintMode,
    PdfDocument, PdfFontHandle, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Point, Pt, Rect,
    Rgb, TextItem, TextRenderingMode,
};

use crate::fonts::{Fonts, Weight, Which};
use crate::linebreak::break_lines;
use crate::PrintError;

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.2756;
pub const PAGE_H: f32 = 841.8898;
/// Top of the ideographic em box above the baseline, in em (Noto Sans SC).
const EM_TOP: f32 = 0.88;
/// Outline width of synthetic bold, in em.
const BOLD_STROKE_EM: f32 = 0.035;

pub const NOT_FILLED: &str = "（未填写）";

pub fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}
pub fn ink() -> Color {
    rgb(0.1, 0.1, 0.1)
}
pub fn grey() -> Color {
    rgb(0.38, 0.38, 0.38)
}
pub fn red() -> Color {
    rgb(0.72, 0.1, 0.1)
}
pub fn rule() -> Color {
    rgb(0.35, 0.35, 0.35)
}
pub fn head_fill() -> Color {
    rgb(0.89, 0.89, 0.89)
}
pub fn label_fill() -> Color {
    rgb(0.95, 0.95, 0.95)
}
pub fn warn_fill() -> Color {
    rgb(1.0, 0.965, 0.94)
}

/// Horizontal placement of a line inside a box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// Wrapped text, ready to be measured and drawn.
#[derive(Clone)]
pub struct Block {
    pub lines: Vec<String>,
    pub weight: Weight,
    pub size: f32,
    pub line_h: f32,
    pub color: Color,
}

impl Block {
    /// Height of the block; an empty block still takes one line.
    pub fn height(&self) -> f32 {
        self.lines.len().max(1) as f32 * self.line_h
    }
}

/// The fonts of one PDF document.
#[derive(Clone)]
pub struct FontIds {
    pub main: FontId,
    /// Present only when the document uses rare characters.
    pub fallback: Option<FontId>,
}

/// Collects one page's drawing operations in two layers: background fills,
/// then lines and text on top, so a cell's shading never hides a rule.
pub struct Canvas<'a> {
    fonts: &'a Fonts,
    ids: FontIds,
    fills: Vec<Op>,
    ops: Vec<Op>,
}

impl<'a> Canvas<'a> {
    pub fn new(fonts: &'a Fonts, ids: &FontIds) -> Self {
        Self {
            fonts,
            ids: ids.clone(),
            fills: Vec::with_capacity(128),
            ops: Vec::with_capacity(2048),
        }
    }

    /// All operations, backgrounds first.
    pub fn into_ops(self) -> Vec<Op> {
        let mut ops = self.fills;
        ops.extend(self.ops);
        ops
    }

    /// Width of `text` in points.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.fonts.width(text, weight, size)
    }

    /// Wraps `text` to `width` points.
    pub fn wrap(&self, text: &str, _weight: Weight, size: f32, width: f32) -> Vec<String> {
        let fonts = self.fonts;
        break_lines(text, width, &|c| fonts.advance_em(c) * size)
    }

    /// Wraps `text` into a block (body colour, given size and line height);
    /// empty text becomes the grey "not filled in" mark.
    pub fn block(&self, text: &str, weight: Weight, size: f32, line_h: f32, width: f32) -> Block {
        let lines = self.wrap(text, weight, size, width);
        if lines.is_empty() {
            return Block {
                lines: self.wrap(NOT_FILLED, Weight::Regular, size, width),
                weight: Weight::Regular,
                size,
                line_h,
                color: grey(),
            };
        }
        Block {
            lines,
            weight,
            size,
            line_h,
            color: ink(),
        }
    }

    /// Like [`Canvas::block`], but empty text stays empty (no mark).
    pub fn block_or_blank(
        &self,
        text: &str,
        weight: Weight,
        size: f32,
        line_h: f32,
        width: f32,
    ) -> Block {
        Block {
            lines: self.wrap(text, weight, size, width),
            weight,
            size,
            line_h,
            color: ink(),
        }
    }

    /// Draws one line of text whose line box starts at `top` and is `line_h`
    /// high; the ideographic em box is centred in the line box.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: f32,
        top: f32,
        line_h: f32,
        text: &str,
        weight: Weight,
        size: f32,
        color: Color,
    ) {
        if text.is_empty() {
            return;
        }
        let baseline = top + (line_h - size) / 2.0 + EM_TOP * size;
        let bold = weight == Weight::Bold;
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: color.clone() });
        if bold {
            self.ops.extend([
                Op::SetTextRenderingMode {
                    mode: TextRenderingMode::FillStroke,
                },
                Op::SetOutlineColor { col: color },
                Op::SetOutlineThickness {
                    pt: Pt(size * BOLD_STROKE_EM),
                },
            ]);
        }
        self.ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(x),
                y: Pt(PAGE_H - baseline),
            },
        });
        for (which, run) in self.fonts.runs(text) {
            let font = match (which, &self.ids.fallback) {
                (Which::Fallback, Some(fb)) => fb.clone(),
                _ => self.ids.main.clone(),
            };
            self.ops.extend([
                Op::SetFont {
                    font: PdfFontHandle::External(font),
                    size: Pt(size),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(run.to_owned())],
                },
            ]);
        }
        if bold {
            self.ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::Fill,
            });
        }
        self.ops.push(Op::EndTextSection);
    }

    /// Draws a block at (`x`, `top`), each line aligned within `width`.
    pub fn draw_block(&mut self, block: &Block, x: f32, top: f32, width: f32, align: Align) {
        for (i, line) in block.lines.iter().enumerate() {
            let free = (width - self.width(line, block.weight, block.size)).max(0.0);
            let dx = match align {
                Align::Left => 0.0,
                Align::Center => free / 2.0,
            };
            let line_top = top + i as f32 * block.line_h;
            self.text(
                x + dx,
                line_top,
                block.line_h,
                line,
                block.weight,
                block.size,
                block.color.clone(),
            );
        }
    }

    /// A rectangle with its top-left corner at (`x`, `top`): the fill goes to
    /// the background layer, the outline to the front.
    pub fn rect(
        &mut self,
        x: f32,
        top: f32,
        w: f32,
        h: f32,
        fill: Option<Color>,
        stroke: Option<(f32, Color)>,
    ) {
        let rect = |mode| Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(PAGE_H - top - h),
                width: Pt(w),
                height: Pt(h),
                mode: Some(mode),
                winding_order: None,
            },
        };
        if let Some(col) = fill {
            self.fills.push(Op::SetFillColor { col });
            self.fills.push(rect(PaintMode::Fill));
        }
        if let Some((pt, col)) = stroke {
            self.ops.push(Op::SetOutlineColor { col });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(pt) });
            self.ops.push(rect(PaintMode::Stroke));
        }
    }

    /// An empty square tick box (drawn, so it never depends on a glyph)
    /// with its top-left corner at (`x`, `top`).
    pub fn tick_box(&mut self, x: f32, top: f32, side: f32) {
        self.rect(x, top, side, side, None, Some((0.7, ink())));
    }

    /// A straight line from (`x1`, `y1`) to (`x2`, `y2`).
    #[allow(clippy::too_many_arguments)]
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, pt: f32, col: Color) {
        let point = |x: f32, y: f32| LinePoint {
            p: Point {
                x: Pt(x),
                y: Pt(PAGE_H - y),
            },
            bezier: false,
        };
        self.ops.extend([
            Op::SetOutlineColor { col },
            Op::SetOutlineThickness { pt: Pt(pt) },
            Op::DrawLine {
                line: Line {
                    points: vec![point(x1, y1), point(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// A dashed horizontal line at `y` (cut lines between copies).
    pub fn dashed_line(&mut self, x1: f32, x2: f32, y: f32, pt: f32, col: Color) {
        self.ops.push(Op::SetLineDashPattern {
            dash: LineDashPattern::new(0.0, &[6.0, 4.0]),
        });
        self.line(x1, y, x2, y, pt, col);
        self.ops.push(Op::SetLineDashPattern {
            dash: LineDashPattern::solid(),
        });
    }
}

/// A printpdf document with the bundled fonts added, ready for pages.
pub struct Pdf {
    doc: PdfDocument,
    pub ids: FontIds,
}

impl Pdf {
    /// A new document titled `title`; the fallback face is added only when
    /// `needs_fallback`, so it is embedded only when used.
    pub fn new(
        fonts: &Fonts,
        title: &str,
        subject: &str,
        printed_on: NaiveDate,
        needs_fallback: bool,
    ) -> Self {
        let mut doc = PdfDocument::new(title);
        let info = &mut doc.metadata.info;
        info.subject = subject.to_owned();
        info.creator = "村安（Cun'an）".to_owned();
        info.producer = "cunan-print".to_owned();
        // Dated by the printed-on day (not the epoch), so the file says how old it is.
        let printed = printed_on
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp();
        if let Ok(date) = OffsetDateTime::from_unix_timestamp(printed) {
            info.creation_date = date;
            info.modification_date = date;
            info.metadata_date = date;
        }
        let main = doc.add_font(&fonts.main.parsed);
        let fallback = needs_fallback.then(|| doc.add_font(&fonts.fallback.parsed));
        Self {
            doc,
            ids: FontIds { main, fallback },
        }
    }

    /// Saves the pages (each a list of operations) as an A4 PDF.
    pub fn finish(mut self, pages: Vec<Vec<Op>>) -> Result<Vec<u8>, PrintError> {
        let pages = pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        let opts = PdfSaveOptions {
            subset_fonts: true,
            // Streams are compressed once, after `compact` has slimmed them.
            optimize: false,
            ..PdfSaveOptions::default()
        };
        let mut warnings = Vec::new();
        let mut doc = self
            .doc
            .with_pages(pages)
            .to_lopdf_document(&opts, &mut warnings);
        if let Some(w) = warnings
            .iter()
            .find(|w| w.severity == PdfParseErrorSeverity::Error)
        {
            return Err(PrintError::Pdf(w.msg.clone()));
        }
        crate::compact::compact(&mut doc);
        crate::compact::save(&mut doc).map_err(|e| PrintError::Pdf(e.to_string()))
    }
}
