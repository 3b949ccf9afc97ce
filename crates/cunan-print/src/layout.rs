//! Lays the card out on one A4 page and turns it into a PDF.
//!
//! The layout works top-down in points, `y` growing downwards from the top of
//! the page; [`Canvas`] flips to PDF coordinates when it emits operations.
//! [`render`] tries a ladder of body sizes from 10.5 pt down to 7 pt (with
//! tighter line spacing at the small end) and keeps the first one where every
//! section fits above the footer. A section that does not fit stops the
//! attempt and names itself, so the caller can say what to shorten.

use crate::canvas::{
    grey, head_fill, ink, label_fill, red, rule, warn_fill, Align, Block, Canvas, Pdf, PAGE_H,
    PAGE_W,
};
use crate::fonts::{Fonts, Weight};
use crate::PrintError;
use cunan_core::card::{CardLine, CardPhase, ResponseCard};

/// 12 mm on every side.
const MARGIN: f32 = 34.0157;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// The footer line's size; fixed so it reads the same on every card.
const FOOTER_SIZE: f32 = 7.5;
/// Height kept free at the bottom for the footer (rule, gap, one line).
const FOOTER_H: f32 = FOOTER_SIZE * 1.4 + 8.0;
/// Lowest `y` any section may reach.
const CONTENT_BOTTOM: f32 = PAGE_H - MARGIN - FOOTER_H;

const FOOTER_TEXT: &str = "先避险、再抢险 · 本卡由村安（Cun'an）生成";

/// Section names, as reported in [`PrintError::TooLong`].
mod section {
    pub const TITLE: &str = "标题";
    pub const WARNING: &str = "预警信号";
    pub const STEPS: &str = "处置步骤表";
    pub const SIX: &str = "六落实";
    pub const SHELTERS: &str = "避险安置点";
    pub const ROUTES: &str = "转移路线";
    pub const KIT: &str = "应急物资位置";
    pub const PHONES: &str = "重要电话";
}

/// One rung of the shrink ladder: body size and line height factor.
#[derive(Debug, Clone, Copy)]
struct Style {
    body: f32,
    leading: f32,
}

/// From comfortable to the smallest legible setting, tried in order.
const LADDER: [Style; 10] = [
    Style {
        body: 10.5,
        leading: 1.5,
    },
    Style {
        body: 10.0,
        leading: 1.45,
    },
    Style {
        body: 9.5,
        leading: 1.45,
    },
    Style {
        body: 9.0,
        leading: 1.4,
    },
    Style {
        body: 8.5,
        leading: 1.4,
    },
    Style {
        body: 8.0,
        leading: 1.35,
    },
    Style {
        body: 7.5,
        leading: 1.3,
    },
    Style {
        body: 7.0,
        leading: 1.3,
    },
    Style {
        body: 7.0,
        leading: 1.22,
    },
    Style {
        body: 7.0,
        leading: 1.15,
    },
];

impl Style {
    /// Line height of body text.
    fn lh(&self) -> f32 {
        self.body * self.leading
    }
    fn title(&self) -> f32 {
        (self.body * 2.0).min(21.0)
    }
    fn heading(&self) -> f32 {
        self.body * 1.15
    }
    /// Space between sections.
    fn gap(&self) -> f32 {
        self.body * (self.leading - 0.3)
    }
    /// Horizontal cell padding.
    fn pad_x(&self) -> f32 {
        self.body * 0.45
    }
    /// Vertical cell padding.
    fn pad_y(&self) -> f32 {
        self.body * 0.3
    }
}

/// Fails with `section` when something would end below the content area.
fn fits(bottom: f32, section: &'static str) -> Result<(), &'static str> {
    if bottom <= CONTENT_BOTTOM + 0.01 {
        Ok(())
    } else {
        Err(section)
    }
}

/// Renders the card into a one-page PDF, shrinking until it fits.
pub fn render(
    card: &ResponseCard,
    fonts: &Fonts,
    needs_fallback: bool,
) -> Result<Vec<u8>, PrintError> {
    let pdf = Pdf::new(
        fonts,
        &title_text(card),
        "应急处置明白卡",
        card.printed_on,
        needs_fallback,
    );
    let mut overflow = section::STEPS;
    for style in LADDER {
        let mut canvas = Canvas::new(fonts, &pdf.ids);
        match compose(card, &style, &mut canvas) {
            Ok(()) => return pdf.finish(vec![canvas.into_ops()]),
            Err(section) => overflow = section,
        }
    }
    Err(PrintError::TooLong {
        section: overflow.to_owned(),
    })
}

/// "{村名} {灾种} 应急处置明白卡".
fn title_text(card: &ResponseCard) -> String {
    [
        card.village_name.trim(),
        card.hazard_label.trim(),
        "应急处置明白卡",
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Lays out the whole card with one style; `Err` names the section that did
/// not fit.
fn compose(card: &ResponseCard, st: &Style, cv: &mut Canvas) -> Result<(), &'static str> {
    let mut y = MARGIN;
    y = header(card, st, cv, y)?;
    y = warning_box(card, st, cv, y)?;
    y += st.gap();
    y = heading(
        st,
        cv,
        y,
        "一、处置流程（谁来做 · 做什么 · 怎么做）",
        section::STEPS,
    )?;
    y = steps_table(&card.phases, st, cv, y)?;
    y += st.gap();
    y = heading(st, cv, y, "二、六落实", section::SIX)?;
    y = six_items(&card.six_items, st, cv, y)?;
    y += st.gap();
    y = shelters_and_routes(card, st, cv, y)?;
    y += st.gap();
    y = heading(st, cv, y, "五、应急物资位置", section::KIT)?;
    y = two_column_list(&card.kit_lines, st, cv, y, section::KIT)?;
    y += st.gap();
    y = heading(st, cv, y, "六、重要电话", section::PHONES)?;
    phones(&card.phones, st, cv, y)?;
    footer(cv);
    Ok(())
}

/// Title, the place / code / date line and the red double rule.
fn header(
    card: &ResponseCard,
    st: &Style,
    cv: &mut Canvas,
    mut y: f32,
) -> Result<f32, &'static str> {
    let size = st.title();
    let title = cv.block(&title_text(card), Weight::Bold, size, size * 1.3, CONTENT_W);
    let sub_size = st.body;
    let sub_lh = sub_size * 1.45;
    let date = card.printed_on.format("%Y-%m-%d").to_string();
    let parts: Vec<String> = [
        card.place_line.trim().to_owned(),
        format!("区划代码 {}", card.village_code.trim()),
        format!("打印日期 {date}"),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect();
    // One line with wide gaps if it fits, otherwise one (wrapped) line per part.
    let sep = "    ";
    let joined = parts.join(sep);
    let sub = if cv.width(&joined, Weight::Regular, sub_size) <= CONTENT_W {
        vec![joined]
    } else {
        parts
            .iter()
            .flat_map(|p| cv.wrap(p, Weight::Regular, sub_size, CONTENT_W))
            .collect()
    };
    let sub = Block {
        lines: sub,
        weight: Weight::Regular,
        size: sub_size,
        line_h: sub_lh,
        color: grey(),
    };
    let rule_gap = st.body * 0.5;
    let height = title.height() + st.body * 0.2 + sub.height() + rule_gap + 3.0;
    fits(y + height, section::TITLE)?;

    cv.draw_block(&title, MARGIN, y, CONTENT_W, Align::Center);
    y += title.height() + st.body * 0.2;
    cv.draw_block(&sub, MARGIN, y, CONTENT_W, Align::Center);
    y += sub.height() + rule_gap;
    // 红头 style: a thick and a thin red rule.
    cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 1.8, red());
    cv.line(MARGIN, y + 2.6, MARGIN + CONTENT_W, y + 2.6, 0.5, red());
    Ok(y + 3.0 + st.gap())
}

/// The boxed 预警信号 / 发布人 line.
fn warning_box(
    card: &ResponseCard,
    st: &Style,
    cv: &mut Canvas,
    y: f32,
) -> Result<f32, &'static str> {
    let pad = st.body * 0.6;
    let col_gap = st.body * 1.5;
    let col_w = (CONTENT_W - 2.0 * pad - col_gap) / 2.0;
    let labels = ["预警信号", "发布人"];
    let label_w = labels
        .iter()
        .map(|l| cv.width(l, Weight::Bold, st.body))
        .fold(0.0_f32, f32::max)
        + st.body * 0.8;
    let value_w = col_w - label_w;
    let values = [
        cv.block(
            &card.warning_signal,
            Weight::Bold,
            st.body,
            st.lh(),
            value_w,
        ),
        cv.block(
            &card.warning_giver,
            Weight::Regular,
            st.body,
            st.lh(),
            value_w,
        ),
    ];
    let inner_h = values.iter().map(Block::height).fold(0.0_f32, f32::max);
    let h = inner_h + 2.0 * pad;
    fits(y + h, section::WARNING)?;

    cv.rect(
        MARGIN,
        y,
        CONTENT_W,
        h,
        Some(warn_fill()),
        Some((0.8, red())),
    );
    for (i, (label, value)) in labels.iter().zip(&values).enumerate() {
        let x = MARGIN + pad + i as f32 * (col_w + col_gap);
        cv.text(x, y + pad, st.lh(), label, Weight::Bold, st.body, red());
        cv.draw_block(value, x + label_w, y + pad, value_w, Align::Left);
    }
    Ok(y + h)
}

/// A full-width section heading with a red bar in front.
fn heading(
    st: &Style,
    cv: &mut Canvas,
    y: f32,
    text: &str,
    section: &'static str,
) -> Result<f32, &'static str> {
    let head_h = st.heading() * 1.35 + st.body * 0.35;
    // A heading must not be left alone at the bottom: ask for one body line too.
    fits(y + head_h + st.lh(), section)?;
    Ok(y + sub_heading(st, cv, MARGIN, y, text))
}

/// The 阶段 | 谁来做 | 做什么 | 怎么做 table, one group of rows per phase.
fn steps_table(
    phases: &[CardPhase],
    st: &Style,
    cv: &mut Canvas,
    top: f32,
) -> Result<f32, &'static str> {
    const FRACTIONS: [f32; 4] = [0.12, 0.17, 0.29, 0.42];
    const HEADERS: [&str; 4] = ["阶段", "谁来做", "做什么", "怎么做"];
    let widths = FRACTIONS.map(|f| f * CONTENT_W);
    let mut xs = [MARGIN; 5];
    for i in 0..4 {
        xs[i + 1] = xs[i] + widths[i];
    }
    let (px, py) = (st.pad_x(), st.pad_y());
    let lh = st.lh();

    // Header row.
    let head_h = lh + 2.0 * py;
    fits(top + head_h + lh + 2.0 * py, section::STEPS)?;
    cv.rect(MARGIN, top, CONTENT_W, head_h, Some(head_fill()), None);
    for (i, h) in HEADERS.iter().enumerate() {
        let block = Block {
            lines: vec![(*h).to_owned()],
            weight: Weight::Bold,
            size: st.body,
            line_h: lh,
            color: ink(),
        };
        cv.draw_block(
            &block,
            xs[i] + px,
            top + py,
            widths[i] - 2.0 * px,
            Align::Center,
        );
    }
    let mut y = top + head_h;
    cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.6, rule());

    if phases.is_empty() {
        // One full-width row with the "not filled in" mark.
        let none = cv.block("", Weight::Regular, st.body, lh, CONTENT_W - 2.0 * px);
        let h = none.height() + 2.0 * py;
        fits(y + h, section::STEPS)?;
        cv.draw_block(
            &none,
            MARGIN + px,
            y + py,
            CONTENT_W - 2.0 * px,
            Align::Left,
        );
        cv.rect(
            MARGIN,
            top,
            CONTENT_W,
            y + h - top,
            None,
            Some((0.9, ink())),
        );
        for x in &xs[1..4] {
            cv.line(*x, top, *x, y, 0.4, rule());
        }
        return Ok(y + h);
    }

    for phase in phases {
        let name = cv.block(&phase.name, Weight::Bold, st.body, lh, widths[0] - 2.0 * px);
        let mut rows: Vec<([Block; 3], f32)> = phase
            .steps
            .iter()
            .map(|s| {
                let cells = [&s.who, &s.what, &s.how];
                let blocks = [0, 1, 2].map(|i| {
                    let w = widths[i + 1] - 2.0 * px;
                    let text = cells[i];
                    let lines = cv.wrap(text, Weight::Regular, st.body, w);
                    Block {
                        lines,
                        weight: Weight::Regular,
                        size: st.body,
                        line_h: lh,
                        color: ink(),
                    }
                });
                let h = blocks.iter().map(Block::height).fold(0.0_f32, f32::max) + 2.0 * py;
                (blocks, h)
            })
            .collect();
        let name_h = name.height() + 2.0 * py;
        let rows_h: f32 = rows.iter().map(|r| r.1).sum();
        let group_h = rows_h.max(name_h);
        if let Some(last) = rows.last_mut() {
            last.1 += group_h - rows_h;
        }
        fits(y + group_h, section::STEPS)?;

        cv.rect(MARGIN, y, widths[0], group_h, Some(label_fill()), None);
        let name_top = y + (group_h - name.height()) / 2.0;
        cv.draw_block(
            &name,
            xs[0] + px,
            name_top,
            widths[0] - 2.0 * px,
            Align::Center,
        );
        let mut row_y = y;
        for (i, (blocks, h)) in rows.iter().enumerate() {
            for (c, block) in blocks.iter().enumerate() {
                cv.draw_block(
                    block,
                    xs[c + 1] + px,
                    row_y + py,
                    widths[c + 1] - 2.0 * px,
                    Align::Left,
                );
            }
            row_y += h;
            if i + 1 < rows.len() {
                cv.line(xs[1], row_y, MARGIN + CONTENT_W, row_y, 0.4, rule());
            }
        }
        y += group_h;
        cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.7, rule());
    }

    // Column lines and the outer frame, over the whole table.
    for x in &xs[1..4] {
        cv.line(*x, top, *x, y, 0.4, rule());
    }
    cv.rect(MARGIN, top, CONTENT_W, y - top, None, Some((0.9, ink())));
    Ok(y)
}

/// 六落实 as a grid: label | value | label | value, two items per row.
fn six_items(
    items: &[CardLine],
    st: &Style,
    cv: &mut Canvas,
    top: f32,
) -> Result<f32, &'static str> {
    const FRACTIONS: [f32; 4] = [0.12, 0.38, 0.12, 0.38];
    let widths = FRACTIONS.map(|f| f * CONTENT_W);
    let mut xs = [MARGIN; 5];
    for i in 0..4 {
        xs[i + 1] = xs[i] + widths[i];
    }
    let (px, py) = (st.pad_x(), st.pad_y());
    let lh = st.lh();

    let mut y = top;
    for pair in items.chunks(2) {
        let blocks: Vec<(Block, Block)> = pair
            .iter()
            .map(|item| {
                (
                    cv.block(&item.label, Weight::Bold, st.body, lh, widths[0] - 2.0 * px),
                    cv.block(
                        &item.value,
                        Weight::Regular,
                        st.body,
                        lh,
                        widths[1] - 2.0 * px,
                    ),
                )
            })
            .collect();
        let h = blocks
            .iter()
            .map(|(l, v)| l.height().max(v.height()))
            .fold(0.0_f32, f32::max)
            + 2.0 * py;
        fits(y + h, section::SIX)?;
        for (i, (label, value)) in blocks.iter().enumerate() {
            let c = 2 * i;
            cv.rect(xs[c], y, widths[c], h, Some(label_fill()), None);
            let label_top = y + (h - label.height()) / 2.0;
            cv.draw_block(
                label,
                xs[c] + px,
                label_top,
                widths[c] - 2.0 * px,
                Align::Center,
            );
            cv.draw_block(
                value,
                xs[c + 1] + px,
                y + py,
                widths[c + 1] - 2.0 * px,
                Align::Left,
            );
        }
        y += h;
        cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.4, rule());
    }
    if y > top {
        for x in &xs[1..4] {
            cv.line(*x, top, *x, y, 0.4, rule());
        }
        cv.rect(MARGIN, top, CONTENT_W, y - top, None, Some((0.9, ink())));
    } else {
        let none = cv.block("", Weight::Regular, st.body, lh, CONTENT_W);
        fits(y + none.height(), section::SIX)?;
        cv.draw_block(&none, MARGIN, y, CONTENT_W, Align::Left);
        y += none.height();
    }
    Ok(y)
}

/// A numbered list: "1." hanging in front of each wrapped item. An empty
/// list shows the grey "not filled in" mark instead.
struct NumberedList {
    items: Vec<Block>,
    /// Number of the first item (lists split over two columns go on counting).
    first: usize,
    /// Width kept for the numbers; 0 for the "not filled in" mark.
    number_w: f32,
    item_gap: f32,
}

/// Width of the number column for a list whose highest number is `last`.
fn number_width(last: usize, st: &Style, cv: &Canvas) -> f32 {
    cv.width(&format!("{last}."), Weight::Bold, st.body) + st.body * 0.45
}

impl NumberedList {
    fn new(
        texts: &[String],
        first: usize,
        number_w: f32,
        st: &Style,
        cv: &Canvas,
        width: f32,
    ) -> Self {
        let item_gap = st.body * 0.25;
        if texts.is_empty() {
            return Self {
                items: vec![cv.block("", Weight::Regular, st.body, st.lh(), width)],
                first,
                number_w: 0.0,
                item_gap,
            };
        }
        let items = texts
            .iter()
            .map(|t| cv.block(t, Weight::Regular, st.body, st.lh(), width - number_w))
            .collect();
        Self {
            items,
            first,
            number_w,
            item_gap,
        }
    }

    fn height(&self) -> f32 {
        let n = self.items.len() as f32;
        self.items.iter().map(Block::height).sum::<f32>() + (n - 1.0).max(0.0) * self.item_gap
    }

    fn draw(&self, cv: &mut Canvas, x: f32, mut y: f32, width: f32) {
        for (i, item) in self.items.iter().enumerate() {
            if self.number_w > 0.0 {
                let n = format!("{}.", self.first + i);
                cv.text(x, y, item.line_h, &n, Weight::Bold, item.size, red());
            }
            cv.draw_block(
                item,
                x + self.number_w,
                y,
                width - self.number_w,
                Align::Left,
            );
            y += item.height() + self.item_gap;
        }
    }
}

/// A small heading (red bar and bold text) at `x`, `line_h` high.
fn sub_heading(st: &Style, cv: &mut Canvas, x: f32, y: f32, text: &str) -> f32 {
    let size = st.heading();
    let line_h = size * 1.35;
    let bar_h = size * 0.95;
    cv.rect(
        x,
        y + (line_h - bar_h) / 2.0,
        size * 0.28,
        bar_h,
        Some(red()),
        None,
    );
    cv.text(x + size * 0.7, y, line_h, text, Weight::Bold, size, ink());
    line_h + st.body * 0.35
}

/// 避险安置点 and 转移路线 side by side, each with its own heading.
fn shelters_and_routes(
    card: &ResponseCard,
    st: &Style,
    cv: &mut Canvas,
    y: f32,
) -> Result<f32, &'static str> {
    let gutter = st.body * 2.0;
    let col_w = (CONTENT_W - gutter) / 2.0;
    let head_h = st.heading() * 1.35 + st.body * 0.35;
    let list = |texts: &[String], cv: &Canvas| {
        NumberedList::new(texts, 1, number_width(texts.len(), st, cv), st, cv, col_w)
    };
    let shelters = list(&card.shelters, cv);
    let routes = list(&card.routes, cv);
    let list_top = y + head_h;
    fits(list_top + shelters.height(), section::SHELTERS)?;
    fits(list_top + routes.height(), section::ROUTES)?;

    for (i, (title, list)) in [("三、避险安置点", &shelters), ("四、转移路线", &routes)]
        .into_iter()
        .enumerate()
    {
        let x = MARGIN + i as f32 * (col_w + gutter);
        sub_heading(st, cv, x, y, title);
        list.draw(cv, x, list_top, col_w);
    }
    Ok(list_top + shelters.height().max(routes.height()))
}

/// A numbered list split over two columns (first half left, rest right).
fn two_column_list(
    texts: &[String],
    st: &Style,
    cv: &mut Canvas,
    y: f32,
    section: &'static str,
) -> Result<f32, &'static str> {
    let gutter = st.body * 2.0;
    let col_w = (CONTENT_W - gutter) / 2.0;
    let number_w = number_width(texts.len(), st, cv);
    let half = texts.len().div_ceil(2);
    let left = NumberedList::new(&texts[..half], 1, number_w, st, cv, col_w);
    let right = if half < texts.len() {
        Some(NumberedList::new(
            &texts[half..],
            half + 1,
            number_w,
            st,
            cv,
            col_w,
        ))
    } else {
        None
    };
    let h = left
        .height()
        .max(right.as_ref().map_or(0.0, NumberedList::height));
    fits(y + h, section)?;
    left.draw(cv, MARGIN, y, col_w);
    if let Some(right) = right {
        right.draw(cv, MARGIN + col_w + gutter, y, col_w);
    }
    Ok(y + h)
}

/// Phone numbers in a grid, four per row: the label, and under it the number
/// in larger bold red type so it can be read at a glance.
fn phones(phones: &[CardLine], st: &Style, cv: &mut Canvas, top: f32) -> Result<f32, &'static str> {
    const PER_ROW: usize = 4;
    let cell_w = CONTENT_W / PER_ROW as f32;
    let (px, py) = (st.pad_x(), st.pad_y());
    let inner = cell_w - 2.0 * px;
    let number_size = st.body * 1.2;

    if phones.is_empty() {
        let none = cv.block("", Weight::Regular, st.body, st.lh(), CONTENT_W);
        fits(top + none.height(), section::PHONES)?;
        cv.draw_block(&none, MARGIN, top, CONTENT_W, Align::Left);
        return Ok(top + none.height());
    }

    let mut y = top;
    for (r, row) in phones.chunks(PER_ROW).enumerate() {
        let cells: Vec<(Block, Block)> = row
            .iter()
            .map(|p| {
                let label = cv.block(&p.label, Weight::Regular, st.body, st.lh(), inner);
                let mut number = cv.block(
                    &p.value,
                    Weight::Bold,
                    number_size,
                    number_size * 1.3,
                    inner,
                );
                if !p.value.trim().is_empty() {
                    number.color = red();
                }
                (label, number)
            })
            .collect();
        let h = cells
            .iter()
            .map(|(label, number)| label.height() + number.height())
            .fold(0.0_f32, f32::max)
            + 2.0 * py;
        fits(y + h, section::PHONES)?;
        if r > 0 {
            cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.4, rule());
        }
        for (i, (label, number)) in cells.iter().enumerate() {
            let x = MARGIN + i as f32 * cell_w + px;
            cv.draw_block(label, x, y + py, inner, Align::Left);
            cv.draw_block(number, x, y + py + label.height(), inner, Align::Left);
        }
        y += h;
    }
    for i in 1..PER_ROW {
        let x = MARGIN + i as f32 * cell_w;
        cv.line(x, top, x, y, 0.4, rule());
    }
    cv.rect(MARGIN, top, CONTENT_W, y - top, None, Some((0.9, ink())));
    Ok(y)
}

/// The fixed footer at the bottom of the page.
fn footer(cv: &mut Canvas) {
    let line_h = FOOTER_SIZE * 1.4;
    let top = PAGE_H - MARGIN - line_h;
    cv.line(
        MARGIN,
        top - 3.0,
        MARGIN + CONTENT_W,
        top - 3.0,
        0.4,
        grey(),
    );
    let w = cv.width(FOOTER_TEXT, Weight::Regular, FOOTER_SIZE);
    cv.text(
        MARGIN + (CONTENT_W - w) / 2.0,
        top,
        line_h,
        FOOTER_TEXT,
        Weight::Regular,
        FOOTER_SIZE,
        grey(),
    );
}
