//! Multi-page sheets: grid sheets (网格入户名单), the kit checklist sheet
//! (应急物资清单), the contacts sheet (应急通讯录) and the education sign-in
//! sheets (预案宣传教育签到表); `notsafe.rs` lays the roll call's not-yet-safe
//! sheets (未转移人员名单) out on the same engine.
//!
//! One engine lays out all of them: a title block, then a table whose header
//! row is repeated on every page, groups of rows kept together on a page where
//! they fit (a household's residents, a level of contacts), and a footer with
//! "第 x 页 / 共 y 页" on every page of a sheet.

use cunan_core::printouts::{ContactsSheet, GridSheets, KitSheet, Masthead, SignInSheets};

use crate::canvas::{
    grey, head_fill, ink, label_fill, red, rule, Align, Block, Canvas, FontIds, Pdf, PAGE_H, PAGE_W,
};
use crate::fonts::{Fonts, Weight};
use crate::PrintError;

const MARGIN: f32 = 34.0157;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.4;
const FOOTER_SIZE: f32 = 8.0;
/// Lowest `y` the table may reach (the footer sits below).
const BOTTOM: f32 = PAGE_H - MARGIN - 16.0;

/// A column of a sheet's table.
pub(crate) struct Column {
    title: &'static str,
    frac: f32,
    align: Align,
}

pub(crate) const fn col(title: &'static str, frac: f32, align: Align) -> Column {
    Column { title, frac, align }
}

/// What goes in a cell.
#[derive(Clone)]
pub(crate) enum Cell {
    Text(String),
    /// Bold.
    Strong(String),
    /// Bold and red: problems, vulnerable people.
    Alert(String),
    /// A phone number, bold and a little larger.
    Phone(String),
    /// Bold and a little larger: who is still to be moved, and how they stand.
    Large(String),
    /// Bold, a little larger and red: a vulnerable person, a refusal.
    LargeAlert(String),
    /// An empty tick box.
    Tick,
}

impl Cell {
    fn text(&self) -> &str {
        match self {
            Cell::Text(s)
            | Cell::Strong(s)
            | Cell::Alert(s)
            | Cell::Phone(s)
            | Cell::Large(s)
            | Cell::LargeAlert(s) => s,
            Cell::Tick => "",
        }
    }
}

/// Rows kept together on a page where they fit.
pub(crate) struct Group {
    /// A full-width shaded heading row above the rows.
    pub heading: Option<String>,
    /// Paragraphs of the first column, spanning all rows of the group
    /// (then each row has one cell fewer).
    pub lead: Option<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
}

/// One sheet: its own page numbers.
pub(crate) struct Sheet {
    /// Body type size in points (line height follows).
    pub body: f32,
    pub title: String,
    /// Lines under the title on the first page.
    pub intro: Vec<String>,
    /// A short line repeated under the title on later pages.
    pub running: String,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
    /// Signature fields under the table, e.g. "检查人：".
    pub sign: Vec<&'static str>,
    /// Lines to fill in on the first page, between the title block and the table.
    pub fields: Vec<Field>,
    /// Boxed figures on the first page, between the fields and the table.
    pub figures: Vec<Figure>,
    /// The least height of a body row (room to sign in), or 0.
    pub min_row: f32,
    /// The space above and below the text of a body row.
    pub row_pad: f32,
}

/// A boxed figure on a sheet's first page: a small label over a large value, e.g.
/// "未转移" over "12 人", with "重点 2 人" set smaller after it.
pub(crate) struct Figure {
    pub label: String,
    pub value: String,
    /// Set smaller after the value, e.g. "重点 2 人"; may be empty.
    pub note: String,
    /// Share of the content width; figures sit side by side.
    pub frac: f32,
    /// The value in red.
    pub alert: bool,
}

/// Draws `figures` side by side from `y` on; returns the `y` below them.
fn draw_figures(cv: &mut Canvas, figures: &[Figure], y: f32) -> f32 {
    const LABEL: f32 = 8.5;
    const VALUE: f32 = 13.0;
    const NOTE: f32 = 9.0;
    let value_lh = VALUE * 1.3;
    let laid: Vec<(Vec<String>, f32)> = figures
        .iter()
        .map(|f| {
            let w = f.frac * CONTENT_W - 2.0 * PAD_X;
            let note_w = if f.note.is_empty() {
                0.0
            } else {
                cv.width(&f.note, Weight::Regular, NOTE) + 4.0
            };
            (cv.wrap(&f.value, Weight::Bold, VALUE, w - note_w), note_w)
        })
        .collect();
    let lines = laid.iter().map(|(l, _)| l.len().max(1)).max().unwrap_or(1);
    let h = 2.0 * PAD_Y + LABEL * 1.4 + lines as f32 * value_lh;
    let mut x = MARGIN;
    for (f, (value, _)) in figures.iter().zip(&laid) {
        let w = f.frac * CONTENT_W;
        cv.rect(x, y, w, h, Some(label_fill()), Some((0.6, rule())));
        let top = y + PAD_Y;
        cv.text(
            x + PAD_X,
            top,
            LABEL * 1.4,
            &f.label,
            Weight::Bold,
            LABEL,
            grey(),
        );
        let color = if f.alert { red() } else { ink() };
        let mut vy = top + LABEL * 1.4;
        for line in value {
            cv.text(
                x + PAD_X,
                vy,
                value_lh,
                line,
                Weight::Bold,
                VALUE,
                color.clone(),
            );
            vy += value_lh;
        }
        if let Some(last) = value.last() {
            let nx = x + PAD_X + cv.width(last, Weight::Bold, VALUE) + 4.0;
            let ny = vy - value_lh;
            cv.text(nx, ny, value_lh, &f.note, Weight::Regular, NOTE, ink());
        }
        x += w;
    }
    y + h
}

/// A line to fill in: "日期：______", or with its value printed on the line.
pub(crate) struct Field {
    pub label: &'static str,
    /// Printed on the line; empty leaves the line blank to write on.
    pub value: String,
    /// Share of the content width, the label included; fields flow left to right.
    pub frac: f32,
}

/// Draws `fields` from `y` on; returns the `y` below them.
fn draw_fields(cv: &mut Canvas, fields: &[Field], mut y: f32) -> f32 {
    const SIZE: f32 = 10.5;
    const LH: f32 = 21.0;
    let mut x = MARGIN;
    let mut row_h: f32 = 0.0;
    for f in fields {
        let w = f.frac * CONTENT_W;
        if x > MARGIN && x + w > MARGIN + CONTENT_W + 0.5 {
            y += row_h;
            x = MARGIN;
            row_h = 0.0;
        }
        let label_w = cv.width(f.label, Weight::Bold, SIZE);
        cv.text(x, y, LH, f.label, Weight::Bold, SIZE, ink());
        let vx = x + label_w + 2.0;
        let vw = (w - label_w - 14.0).max(20.0);
        let lines = if f.value.trim().is_empty() {
            vec![String::new()]
        } else {
            cv.wrap(f.value.trim(), Weight::Regular, SIZE, vw - 4.0)
        };
        for (i, line) in lines.iter().enumerate() {
            let top = y + i as f32 * LH;
            cv.text(vx + 3.0, top, LH, line, Weight::Regular, SIZE, ink());
            cv.line(vx, top + LH - 3.5, vx + vw, top + LH - 3.5, 0.6, ink());
        }
        row_h = row_h.max(lines.len() as f32 * LH);
        x += w;
    }
    y + row_h
}

/// A page being filled.
struct Page<'a> {
    cv: Canvas<'a>,
}

pub(crate) fn pdf_for(
    fonts: &Fonts,
    title: &str,
    subject: &str,
    m: &Masthead,
    fallback: bool,
) -> Pdf {
    Pdf::new(fonts, title, subject, m.printed_on, fallback)
}

/// Lays out `sheets` one after another (each from a new page) and saves them.
pub(crate) fn render_sheets(
    sheets: &[Sheet],
    m: &Masthead,
    pdf: Pdf,
    fonts: &Fonts,
) -> Result<Vec<u8>, PrintError> {
    let mut all = Vec::new();
    for sheet in sheets {
        let pages = layout_sheet(sheet, m, fonts, &pdf.ids)?;
        all.extend(pages);
    }
    pdf.finish(all)
}

fn col_x(columns: &[Column]) -> Vec<(f32, f32)> {
    let mut x = MARGIN;
    columns
        .iter()
        .map(|c| {
            let w = c.frac * CONTENT_W;
            let out = (x, w);
            x += w;
            out
        })
        .collect()
}

/// A cell measured for drawing.
enum Laid {
    Block(Block),
    Tick,
}

impl Laid {
    fn height(&self, lh: f32) -> f32 {
        match self {
            Laid::Block(b) => b.height(),
            Laid::Tick => lh,
        }
    }
}

fn lay(cv: &Canvas, cell: &Cell, width: f32, body: f32) -> Laid {
    let w = width - 2.0 * PAD_X;
    let (weight, size, color) = match cell {
        Cell::Tick => return Laid::Tick,
        Cell::Text(_) => (Weight::Regular, body, ink()),
        Cell::Strong(_) => (Weight::Bold, body, ink()),
        Cell::Alert(_) => (Weight::Bold, body, red()),
        Cell::Phone(_) | Cell::Large(_) => (Weight::Bold, body * 1.15, ink()),
        Cell::LargeAlert(_) => (Weight::Bold, body * 1.15, red()),
    };
    let line_h = match cell {
        // A name or a status: one short line, set close.
        Cell::Large(_) | Cell::LargeAlert(_) => size * 1.15,
        _ if size > body => size * 1.25,
        _ => body * 1.3,
    };
    let mut b = cv.block_or_blank(cell.text(), weight, size, line_h, w);
    b.color = color;
    Laid::Block(b)
}

/// Draws a cell whose content starts at `top` (below the cell's padding).
fn draw_laid(cv: &mut Canvas, laid: &Laid, x: f32, top: f32, width: f32, align: Align, body: f32) {
    match laid {
        Laid::Block(b) => cv.draw_block(b, x + PAD_X, top, width - 2.0 * PAD_X, align),
        Laid::Tick => {
            let side = body;
            let lh = body * 1.3;
            cv.tick_box(x + (width - side) / 2.0, top + (lh - side) / 2.0, side);
        }
    }
}

/// A laid-out row: its cells and height.
struct LaidRow {
    cells: Vec<Laid>,
    h: f32,
}

fn lay_row(
    cv: &Canvas,
    row: &[Cell],
    xs: &[(f32, f32)],
    body: f32,
    pad: f32,
    min_h: f32,
) -> LaidRow {
    let lh = body * 1.3;
    let cells: Vec<Laid> = row
        .iter()
        .zip(xs)
        .map(|(cell, (_, w))| lay(cv, cell, *w, body))
        .collect();
    let h = cells.iter().map(|c| c.height(lh)).fold(lh, f32::max) + 2.0 * pad;
    LaidRow {
        cells,
        h: h.max(min_h),
    }
}

/// Draws the page header (title block) and the table header; returns where
/// the table body starts.
fn page_header(cv: &mut Canvas, sheet: &Sheet, m: &Masthead, first: bool) -> f32 {
    let mut y = MARGIN;
    if first {
        let size = 16.0;
        let title = cv.block(&sheet.title, Weight::Bold, size, size * 1.3, CONTENT_W);
        cv.draw_block(&title, MARGIN, y, CONTENT_W, Align::Center);
        y += title.height() + 2.0;
        for line in &sheet.intro {
            let b = Block {
                lines: cv.wrap(line, Weight::Regular, 9.5, CONTENT_W),
                weight: Weight::Regular,
                size: 9.5,
                line_h: 13.0,
                color: grey(),
            };
            cv.draw_block(&b, MARGIN, y, CONTENT_W, Align::Center);
            y += b.height();
        }
        y += 3.0;
        cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 1.6, red());
        cv.line(MARGIN, y + 2.4, MARGIN + CONTENT_W, y + 2.4, 0.5, red());
        y += 8.0;
        if !sheet.fields.is_empty() {
            y = draw_fields(cv, &sheet.fields, y) + 8.0;
        }
        if !sheet.figures.is_empty() {
            y = draw_figures(cv, &sheet.figures, y) + 6.0;
        }
    } else {
        let line = format!("{}（续）", sheet.title);
        cv.text(MARGIN, y, 14.0, &line, Weight::Bold, 10.5, ink());
        let run_w = cv.width(&sheet.running, Weight::Regular, 9.0);
        let title_w = cv.width(&line, Weight::Bold, 10.5);
        if title_w + 12.0 + run_w <= CONTENT_W {
            cv.text(
                MARGIN + CONTENT_W - run_w,
                y,
                14.0,
                &sheet.running,
                Weight::Regular,
                9.0,
                grey(),
            );
        }
        y += 16.0;
        cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.8, red());
        y += 5.0;
    }
    let _ = m;
    // Column headers.
    let xs = col_x(&sheet.columns);
    let (body, lh) = (sheet.body.min(10.0), sheet.body.min(10.0) * 1.3);
    let heads: Vec<Block> = sheet
        .columns
        .iter()
        .zip(&xs)
        .map(|(c, (_, w))| cv.block_or_blank(c.title, Weight::Bold, body, lh, w - 2.0 * PAD_X))
        .collect();
    let h = heads.iter().map(Block::height).fold(lh, f32::max) + 2.0 * PAD_Y;
    cv.rect(MARGIN, y, CONTENT_W, h, Some(head_fill()), None);
    for (b, (x, w)) in heads.iter().zip(&xs) {
        let top = y + PAD_Y + (h - 2.0 * PAD_Y - b.height()) / 2.0;
        cv.draw_block(b, x + PAD_X, top, w - 2.0 * PAD_X, Align::Center);
    }
    for (x, _) in xs.iter().skip(1) {
        cv.line(*x, y, *x, y + h, 0.4, rule());
    }
    cv.rect(MARGIN, y, CONTENT_W, h, None, Some((0.9, ink())));
    y + h
}

/// Lays out one sheet on as many pages as it needs; returns the pages' ops.
pub(crate) fn layout_sheet(
    sheet: &Sheet,
    m: &Masthead,
    fonts: &Fonts,
    ids: &FontIds,
) -> Result<Vec<Vec<printpdf::Op>>, PrintError> {
    let xs = col_x(&sheet.columns);
    let has_lead = sheet.groups.iter().any(|g| g.lead.is_some());
    let body_xs: &[(f32, f32)] = if has_lead { &xs[1..] } else { &xs };
    let body_cols: &[Column] = if has_lead {
        &sheet.columns[1..]
    } else {
        &sheet.columns
    };
    let (body, pad) = (sheet.body, sheet.row_pad);
    let lh = body * 1.3;
    let mut pages: Vec<Page> = Vec::new();
    let mut cv = Canvas::new(fonts, ids);
    let mut table_top = page_header(&mut cv, sheet, m, true);
    let mut y = table_top;
    let mut groups_on_page = 0usize;

    // Closes the current page's table frame.
    fn frame(cv: &mut Canvas, top: f32, y: f32) {
        if y > top {
            cv.rect(MARGIN, top, CONTENT_W, y - top, None, Some((0.9, ink())));
        }
    }
    // Column rules over rows drawn from `top` to `y` (not over headings).
    fn column_rules(cv: &mut Canvas, xs: &[(f32, f32)], top: f32, y: f32) {
        for (x, _) in xs.iter().skip(1) {
            cv.line(*x, top, *x, y, 0.4, rule());
        }
    }

    for group in &sheet.groups {
        let heading = group.heading.as_ref().map(|t| {
            let b = Block {
                lines: cv.wrap(t, Weight::Bold, body + 1.0, CONTENT_W - 2.0 * PAD_X),
                weight: Weight::Bold,
                size: body + 1.0,
                line_h: (body + 1.0) * 1.3,
                color: ink(),
            };
            let h = b.height() + 2.0 * PAD_Y;
            (b, h)
        });
        let lead: Option<Vec<Laid>> = group.lead.as_ref().map(|cells| {
            cells
                .iter()
                .map(|c| lay(&cv, c, xs[0].1, body))
                .collect::<Vec<_>>()
        });
        let lead_h = lead.as_ref().map_or(0.0, |l| {
            l.iter().map(|c| c.height(lh)).sum::<f32>() + 2.0 * pad
        });
        let rows: Vec<LaidRow> = group
            .rows
            .iter()
            .map(|r| lay_row(&cv, r, body_xs, body, pad, sheet.min_row))
            .collect();
        let mut start = 0;
        loop {
            // How many rows from `start` fit on this page.
            let head_h = if start == 0 {
                heading.as_ref().map_or(0.0, |h| h.1)
            } else {
                0.0
            };
            let mut n = 0;
            let mut rows_h = 0.0;
            for r in &rows[start..] {
                let total = head_h + (rows_h + r.h).max(lead_h);
                if y + total > BOTTOM + 0.01 {
                    break;
                }
                rows_h += r.h;
                n += 1;
            }
            let all_fit = start + n == rows.len();
            if n == 0 || (!all_fit && groups_on_page > 0) {
                // Nothing fits, or the group would be split needlessly: new page.
                if groups_on_page == 0 {
                    return Err(PrintError::TooLong {
                        section: group
                            .lead
                            .as_ref()
                            .and_then(|l| l.first())
                            .map(|c| c.text().to_owned())
                            .or_else(|| group.heading.clone())
                            .unwrap_or_else(|| sheet.title.clone()),
                    });
                }
                frame(&mut cv, table_top, y);
                pages.push(Page {
                    cv: std::mem::replace(&mut cv, Canvas::new(fonts, ids)),
                });
                table_top = page_header(&mut cv, sheet, m, false);
                y = table_top;
                groups_on_page = 0;
                continue;
            }
            // Draw the heading, lead and rows start..start+n.
            if let (0, Some((b, h))) = (start, &heading) {
                cv.rect(MARGIN, y, CONTENT_W, *h, Some(label_fill()), None);
                cv.draw_block(b, MARGIN + PAD_X, y + PAD_Y, CONTENT_W, Align::Left);
                y += h;
                cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.4, rule());
            }
            let group_h = rows_h.max(lead_h);
            if let Some(lead) = &lead {
                let mut ly = y + pad;
                for laid in lead {
                    draw_laid(&mut cv, laid, xs[0].0, ly, xs[0].1, Align::Left, body);
                    ly += laid.height(lh);
                }
            }
            let mut ry = y;
            for (i, r) in rows[start..start + n].iter().enumerate() {
                let mut h = r.h;
                if i + 1 == n {
                    h += group_h - rows_h;
                }
                for ((laid, (x, w)), c) in r.cells.iter().zip(body_xs).zip(body_cols) {
                    draw_laid(&mut cv, laid, *x, ry + pad, *w, c.align, body);
                }
                ry += h;
                if i + 1 < n {
                    let x0 = body_xs.first().map_or(MARGIN, |c| c.0);
                    cv.line(x0, ry, MARGIN + CONTENT_W, ry, 0.3, grey());
                }
            }
            column_rules(&mut cv, &xs, y, y + group_h);
            y += group_h;
            cv.line(MARGIN, y, MARGIN + CONTENT_W, y, 0.6, rule());
            groups_on_page += 1;
            start += n;
            if start >= rows.len() {
                break;
            }
        }
    }
    frame(&mut cv, table_top, y);

    if !sheet.sign.is_empty() {
        let need = 30.0;
        if y + need > BOTTOM {
            pages.push(Page {
                cv: std::mem::replace(&mut cv, Canvas::new(fonts, ids)),
            });
            y = page_header(&mut cv, sheet, m, false);
        }
        let sy = y + 12.0;
        let lh = 16.0;
        let mut x = MARGIN;
        for label in &sheet.sign {
            cv.text(x, sy, lh, label, Weight::Bold, 10.0, ink());
            x += cv.width(label, Weight::Bold, 10.0) + 2.0;
            cv.line(x, sy + lh - 1.5, x + 110.0, sy + lh - 1.5, 0.6, ink());
            x += 130.0;
        }
    }
    pages.push(Page { cv });

    // Footers, now that the page count is known.
    let total = pages.len();
    Ok(pages
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            footer(&mut p.cv, sheet, m, i + 1, total);
            p.cv.into_ops()
        })
        .collect())
}

fn footer(cv: &mut Canvas, sheet: &Sheet, m: &Masthead, page: usize, total: usize) {
    let top = PAGE_H - MARGIN - FOOTER_SIZE * 1.4;
    let lh = FOOTER_SIZE * 1.4;
    cv.line(
        MARGIN,
        top - 2.0,
        MARGIN + CONTENT_W,
        top - 2.0,
        0.4,
        grey(),
    );
    let left = format!("{} · {}", m.village_name, sheet.title);
    cv.text(MARGIN, top, lh, &left, Weight::Regular, FOOTER_SIZE, grey());
    let number = format!("第 {page} 页 / 共 {total} 页");
    let w = cv.width(&number, Weight::Bold, 9.0);
    cv.text(
        MARGIN + (CONTENT_W - w) / 2.0,
        top,
        lh,
        &number,
        Weight::Bold,
        9.0,
        ink(),
    );
    let right = format!("打印日期 {}", m.printed_on.format("%Y-%m-%d"));
    let w = cv.width(&right, Weight::Regular, FOOTER_SIZE);
    cv.text(
        MARGIN + CONTENT_W - w,
        top,
        lh,
        &right,
        Weight::Regular,
        FOOTER_SIZE,
        grey(),
    );
}

pub(crate) fn masthead_texts(m: &Masthead) -> [&str; 3] {
    [
        m.village_name.as_str(),
        m.village_code.as_str(),
        m.place_line.as_str(),
    ]
}

// ---------------------------------------------------------------- grid sheets

pub fn grid_texts(sheets: &GridSheets) -> Vec<&str> {
    let mut out: Vec<&str> = masthead_texts(&sheets.masthead).to_vec();
    for s in &sheets.sheets {
        out.extend([
            s.grid_name.as_str(),
            s.grid_area.as_str(),
            s.carrier.as_str(),
        ]);
        out.extend(s.others.iter().map(String::as_str));
        for h in &s.households {
            out.extend([
                h.head_name.as_str(),
                h.address.as_str(),
                h.phone.as_str(),
                h.threats.as_str(),
            ]);
            for r in &h.residents {
                out.extend([
                    r.name.as_str(),
                    r.relation.as_str(),
                    r.gender.as_str(),
                    r.id_masked.as_str(),
                    r.phone.as_str(),
                ]);
                out.extend(r.vulnerable.as_deref());
                out.extend(r.helper.as_deref());
            }
        }
    }
    out
}

pub fn render_grid(
    sheets: &GridSheets,
    fonts: &Fonts,
    fallback: bool,
) -> Result<Vec<u8>, PrintError> {
    let m = &sheets.masthead;
    let pdf = pdf_for(
        fonts,
        &format!("{} 网格入户名单", m.village_name),
        "网格入户名单",
        m,
        fallback,
    );
    let laid: Vec<Sheet> = sheets
        .sheets
        .iter()
        .map(|s| {
            let carrier = if s.carrier.is_empty() {
                "（本网格尚未指定网格员）".to_owned()
            } else {
                s.carrier.clone()
            };
            let mut intro = vec![format!(
                "{}    携带人：{carrier}",
                [m.village_name.as_str(), s.grid_name.as_str(), s.grid_area.as_str()]
                    .into_iter()
                    .filter(|x| !x.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ")
            )];
            if !s.others.is_empty() {
                intro.push(format!("同网格：{}", s.others.join("；")));
            }
            intro.push(format!(
                "共 {} 户 {} 人，其中危险区 {} 户，重点人群 {} 人。转移时逐户逐人核对，在“已转移”栏打勾。",
                s.households.len(),
                s.resident_count,
                s.danger_household_count,
                s.vulnerable_count
            ));
            let groups = s
                .households
                .iter()
                .map(|h| {
                    let mut lead = vec![
                        Cell::Strong(format!("户主 {}", h.head_name)),
                        Cell::Text(h.address.clone()),
                    ];
                    if !h.phone.trim().is_empty() {
                        lead.push(Cell::Text(h.phone.clone()));
                    }
                    if h.in_danger_zone {
                        lead.push(Cell::Alert(if h.threats.is_empty() {
                            "【危险区】".to_owned()
                        } else {
                            format!("【危险区】{}", h.threats)
                        }));
                    }
                    let rows: Vec<Vec<Cell>> = if h.residents.is_empty() {
                        vec![vec![
                            Cell::Text("（未登记成员）".into()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                            Cell::Tick,
                        ]]
                    } else {
                        h.residents
                            .iter()
                            .map(|r| {
                                let who = match (&r.vulnerable, &r.helper) {
                                    (Some(v), Some(helper)) => {
                                        Cell::Alert(format!("{v}\n帮扶人：{helper}"))
                                    }
                                    (Some(v), None) => Cell::Alert(v.clone()),
                                    _ => Cell::Text(String::new()),
                                };
                                let age = r.age.map(|a| format!("{a}岁")).unwrap_or_default();
                                vec![
                                    if r.vulnerable.is_some() {
                                        Cell::Alert(r.name.clone())
                                    } else {
                                        Cell::Strong(r.name.clone())
                                    },
                                    Cell::Text(r.relation.clone()),
                                    Cell::Text(format!("{} {age}", r.gender).trim().to_owned()),
                                    Cell::Text(r.id_masked.clone()),
                                    Cell::Text(r.phone.clone()),
                                    who,
                                    Cell::Tick,
                                ]
                            })
                            .collect()
                    };
                    Group {
                        heading: None,
                        lead: Some(lead),
                        rows,
                    }
                })
                .collect();
            Sheet {
                body: 9.0,
                title: format!("{} 网格入户名单", s.grid_name),
                intro,
                running: format!("携带人：{carrier}"),
                columns: vec![
                    col("户主 / 住址 / 电话", 0.20, Align::Left),
                    col("姓名", 0.095, Align::Left),
                    col("关系", 0.065, Align::Center),
                    col("性别年龄", 0.085, Align::Center),
                    col("身份证号（已遮盖）", 0.185, Align::Left),
                    col("电话", 0.135, Align::Left),
                    col("重点人群 / 帮扶人", 0.175, Align::Left),
                    col("已转移", 0.065, Align::Center),
                ],
                groups,
                sign: vec![],
                fields: vec![],
                figures: vec![],
                min_row: 0.0,
                row_pad: PAD_Y,
            }
        })
        .collect();
    if laid.is_empty() {
        let empty = Sheet {
            body: 9.0,
            title: format!("{} 网格入户名单", m.village_name),
            intro: vec!["还没有网格。请先在“网格”中添加网格和网格员。".into()],
            running: String::new(),
            columns: vec![col("户主 / 住址 / 电话", 1.0, Align::Left)],
            groups: vec![],
            sign: vec![],
            fields: vec![],
            figures: vec![],
            min_row: 0.0,
            row_pad: PAD_Y,
        };
        return render_sheets(&[empty], m, pdf, fonts);
    }
    render_sheets(&laid, m, pdf, fonts)
}

// ------------------------------------------------------------------ kit sheet

pub fn kit_texts(sheet: &KitSheet) -> Vec<&str> {
    let mut out: Vec<&str> = masthead_texts(&sheet.masthead).to_vec();
    out.push(sheet.standard_name.as_str());
    for l in &sheet.lines {
        out.extend([
            l.name.as_str(),
            l.required.as_str(),
            l.actual.as_str(),
            l.location.as_str(),
            l.custodian.as_str(),
            l.condition.as_str(),
            l.last_inspected.as_str(),
            l.next_due.as_str(),
            l.problems.as_str(),
        ]);
    }
    out
}

pub fn render_kit(sheet: &KitSheet, fonts: &Fonts, fallback: bool) -> Result<Vec<u8>, PrintError> {
    let m = &sheet.masthead;
    let pdf = pdf_for(
        fonts,
        &format!("{} 应急物资清单", m.village_name),
        "应急物资清单",
        m,
        fallback,
    );
    let rows: Vec<Group> = sheet
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let name = if l.standard {
                l.name.clone()
            } else {
                format!("{}（X）", l.name)
            };
            let status = if l.problems.is_empty() {
                Cell::Text(l.condition.clone())
            } else {
                Cell::Alert(l.problems.clone())
            };
            Group {
                heading: None,
                lead: None,
                rows: vec![vec![
                    Cell::Text(format!("{}", i + 1)),
                    Cell::Strong(name),
                    Cell::Text(l.required.clone()),
                    if l.problems.contains("缺少") || l.problems.contains("数量不足") {
                        Cell::Alert(l.actual.clone())
                    } else {
                        Cell::Text(l.actual.clone())
                    },
                    Cell::Text(l.location.clone()),
                    Cell::Text(l.custodian.clone()),
                    Cell::Text(l.last_inspected.clone()),
                    Cell::Text(l.next_due.clone()),
                    status,
                    Cell::Tick,
                    Cell::Tick,
                ]],
            }
        })
        .collect();
    let laid = Sheet {
        body: 9.0,
        title: format!("{} 应急物资清单（5+X）", m.village_name),
        intro: vec![
            format!(
                "{} · 区划代码 {} · 标准：{}",
                m.place_line, m.village_code, sheet.standard_name
            ),
            format!(
                "共 {} 项，其中 {} 项有问题（红字）。检查时逐项清点数量、试机，在“数量”“完好”栏打勾。",
                sheet.lines.len(),
                sheet.problem_count
            ),
        ],
        running: sheet.standard_name.clone(),
        columns: vec![
            col("序号", 0.055, Align::Center),
            col("器材名称", 0.14, Align::Left),
            col("应配", 0.065, Align::Center),
            col("实有", 0.065, Align::Center),
            col("存放位置", 0.14, Align::Left),
            col("保管人", 0.135, Align::Left),
            col("上次检查", 0.1, Align::Center),
            col("下次检查", 0.1, Align::Center),
            col("问题", 0.09, Align::Left),
            col("数量", 0.055, Align::Center),
            col("完好", 0.055, Align::Center),
        ],
        groups: rows,
        sign: vec!["检查人：", "检查日期："],
        fields: vec![],
        figures: vec![],
        min_row: 0.0,
        row_pad: PAD_Y,
    };
    render_sheets(&[laid], m, pdf, fonts)
}

// ------------------------------------------------------------- contacts sheet

pub fn contacts_texts(sheet: &ContactsSheet) -> Vec<&str> {
    let mut out: Vec<&str> = masthead_texts(&sheet.masthead).to_vec();
    for g in &sheet.groups {
        out.push(g.title.as_str());
        for e in &g.entries {
            out.extend([
                e.name.as_str(),
                e.role.as_str(),
                e.phone.as_str(),
                e.backup.as_str(),
            ]);
        }
    }
    out
}

pub fn render_contacts(
    sheet: &ContactsSheet,
    fonts: &Fonts,
    fallback: bool,
) -> Result<Vec<u8>, PrintError> {
    let m = &sheet.masthead;
    let pdf = pdf_for(
        fonts,
        &format!("{} 应急通讯录", m.village_name),
        "应急通讯录",
        m,
        fallback,
    );
    let groups: Vec<Group> = sheet
        .groups
        .iter()
        .map(|g| Group {
            heading: Some(g.title.clone()),
            lead: None,
            rows: g
                .entries
                .iter()
                .map(|e| {
                    vec![
                        if e.duty_line && !e.name.contains("值班") {
                            Cell::Strong(format!("{}（值班）", e.name))
                        } else {
                            Cell::Strong(e.name.clone())
                        },
                        Cell::Text(e.role.clone()),
                        Cell::Phone(e.phone.clone()),
                        Cell::Text(e.backup.clone()),
                    ]
                })
                .collect(),
        })
        .collect();
    let laid = Sheet {
        body: 10.5,
        title: format!("{} 应急通讯录", m.village_name),
        intro: vec![
            format!("{} · 区划代码 {}", m.place_line, m.village_code),
            "遇险先拨 110 / 119 / 120；A 岗联系不上时打 B 岗或备用电话。".to_owned(),
        ],
        running: String::new(),
        columns: vec![
            col("名称", 0.27, Align::Left),
            col("单位 · 职务", 0.28, Align::Left),
            col("电话", 0.20, Align::Left),
            col("备用电话 / B 岗", 0.25, Align::Left),
        ],
        groups,
        sign: vec![],
        fields: vec![],
        figures: vec![],
        min_row: 0.0,
        row_pad: PAD_Y,
    };
    render_sheets(&[laid], m, pdf, fonts)
}

// ----------------------------------------------------------- sign-in sheets

pub fn sign_in_texts(sheets: &SignInSheets) -> Vec<&str> {
    let mut out: Vec<&str> = masthead_texts(&sheets.masthead).to_vec();
    if let Some(s) = &sheets.session {
        out.extend([s.topic.as_str(), s.taught_by.as_str(), s.place.as_str()]);
    }
    for s in &sheets.sheets {
        out.extend([s.grid_name.as_str(), s.grid_area.as_str()]);
        for h in &s.households {
            out.extend([h.head_name.as_str(), h.address.as_str()]);
            for r in &h.residents {
                out.extend([r.name.as_str(), r.relation.as_str()]);
            }
        }
    }
    out
}

/// The title of the sign-in sheets.
pub const SIGN_IN_TITLE: &str = "预案宣传教育签到表";

pub fn render_sign_in(
    sheets: &SignInSheets,
    fonts: &Fonts,
    fallback: bool,
) -> Result<Vec<u8>, PrintError> {
    let m = &sheets.masthead;
    let pdf = pdf_for(
        fonts,
        &format!("{} {SIGN_IN_TITLE}", m.village_name),
        SIGN_IN_TITLE,
        m,
        fallback,
    );
    let since = sheets.cycle_since;
    let fields = || {
        let s = sheets.session.as_ref();
        let value =
            |f: fn(&cunan_core::printouts::SignInSession) -> String| s.map(f).unwrap_or_default();
        vec![
            Field {
                label: "日期：",
                value: value(|s| s.date.format("%Y-%m-%d").to_string()),
                frac: 0.3,
            },
            Field {
                label: "宣讲人：",
                value: value(|s| s.taught_by.clone()),
                frac: 0.34,
            },
            Field {
                label: "地点：",
                value: value(|s| s.place.clone()),
                frac: 0.36,
            },
            Field {
                label: "宣传主题：",
                value: value(|s| s.topic.clone()),
                frac: 1.0,
            },
        ]
    };
    let columns = || {
        vec![
            col("户主 / 住址", 0.21, Align::Left),
            col("序号", 0.06, Align::Center),
            col("姓名", 0.12, Align::Left),
            col("关系", 0.07, Align::Center),
            col("上次受教育", 0.13, Align::Center),
            col("签名", 0.27, Align::Left),
            col("备注", 0.14, Align::Left),
        ]
    };
    let place = |grid: &str, area: &str| {
        [m.place_line.as_str(), m.village_name.as_str(), grid, area]
            .into_iter()
            .filter(|x| !x.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let since_text = since.format("%Y-%m-%d").to_string();
    let how = "本人到场请签名，一人代全户签到的在备注栏写“代全户”；“上次受教育”空白或注“超 3 年”的请重点宣传。";
    let laid: Vec<Sheet> = sheets
        .sheets
        .iter()
        .map(|s| {
            let mut seq = 0;
            let groups = s
                .households
                .iter()
                .map(|h| {
                    let lead = vec![
                        Cell::Strong(format!("户主 {}", h.head_name)),
                        Cell::Text(h.address.clone()),
                    ];
                    let rows: Vec<Vec<Cell>> = if h.residents.is_empty() {
                        vec![vec![
                            Cell::Text(String::new()),
                            Cell::Text("（未登记成员）".into()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                            Cell::Text(String::new()),
                        ]]
                    } else {
                        h.residents
                            .iter()
                            .map(|r| {
                                seq += 1;
                                let last = match r.last_taught {
                                    Some(d) if d >= since => {
                                        Cell::Text(d.format("%Y-%m-%d").to_string())
                                    }
                                    Some(d) => {
                                        Cell::Alert(format!("{}\n超 3 年", d.format("%Y-%m-%d")))
                                    }
                                    None => Cell::Text(String::new()),
                                };
                                vec![
                                    Cell::Text(seq.to_string()),
                                    Cell::Strong(r.name.clone()),
                                    Cell::Text(r.relation.clone()),
                                    last,
                                    Cell::Text(String::new()),
                                    Cell::Text(String::new()),
                                ]
                            })
                            .collect()
                    };
                    Group {
                        heading: None,
                        lead: Some(lead),
                        rows,
                    }
                })
                .collect();
            Sheet {
                body: 9.5,
                title: SIGN_IN_TITLE.to_owned(),
                intro: vec![
                    place(&s.grid_name, &s.grid_area),
                    format!(
                        "本表 {} 户 {} 人，近 3 年（{since_text} 以来）已受教育 {} 人。",
                        s.households.len(),
                        s.resident_count,
                        s.taught_count
                    ),
                    how.to_owned(),
                ],
                running: format!("{} · {}", m.village_name, s.grid_name),
                columns: columns(),
                groups,
                sign: vec!["宣讲人签字：", "记录人签字："],
                fields: fields(),
                figures: vec![],
                min_row: 21.0,
                row_pad: PAD_Y,
            }
        })
        .collect();
    if laid.is_empty() {
        let empty = Sheet {
            body: 9.5,
            title: SIGN_IN_TITLE.to_owned(),
            intro: vec![
                place("", ""),
                "还没有录入住户和居民。请先在“网格花名册”中录入（可从 Excel 导入）后再打印签到表。"
                    .into(),
            ],
            running: String::new(),
            columns: columns(),
            groups: vec![],
            sign: vec!["宣讲人签字：", "记录人签字："],
            fields: fields(),
            figures: vec![],
            min_row: 21.0,
            row_pad: PAD_Y,
        };
        return render_sheets(&[empty], m, pdf, fonts);
    }
    render_sheets(&laid, m, pdf, fonts)
}
