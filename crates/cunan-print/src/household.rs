//! Household evacuation cards (避险明白卡): three labelled copies of one
//! household's card on an A4 sheet, one copy per third, dashed cut lines in
//! between. Body type is 11 pt, shrinking to no less than 9 pt; a card that
//! still does not fit is refused naming the household and the field.

use cunan_core::printouts::{HouseholdCard, HouseholdCards, HOUSEHOLD_CARD_COPIES};

use crate::canvas::{
    grey, ink, label_fill, red, rule, warn_fill, Align, Block, Canvas, Pdf, PAGE_H, PAGE_W,
};
use crate::fonts::{Fonts, Weight};
use crate::PrintError;

const MARGIN_X: f32 = 34.0157;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Height of one copy: a third of the page.
const SLOT_H: f32 = PAGE_H / 3.0;
const SLOT_TOP_PAD: f32 = 18.0;
const SLOT_BOTTOM_PAD: f32 = 12.0;
const COPY_NUMBERS: [&str; 3] = ["第一联", "第二联", "第三联"];
const MOTTO: &str = "听到预警信号，立即按转移路线到安置点；先避险、再抢险";

/// Body sizes tried in order (never below 9 pt on a household card), with
/// line height factor and cell padding.
const LADDER: [(f32, f32, f32); 6] = [
    (11.0, 1.3, 2.6),
    (10.5, 1.28, 2.4),
    (10.0, 1.25, 2.2),
    (9.5, 1.22, 1.8),
    (9.0, 1.2, 1.4),
    (9.0, 1.15, 1.0),
];

/// Every string of the cards that gets printed.
pub fn texts(cards: &HouseholdCards) -> Vec<&str> {
    let m = &cards.masthead;
    let mut out = vec![
        m.village_name.as_str(),
        m.village_code.as_str(),
        cards.issuer.as_str(),
    ];
    for c in &cards.cards {
        out.extend([
            c.serial.as_str(),
            c.head_name.as_str(),
            c.address.as_str(),
            c.phone.as_str(),
            c.house_type.as_str(),
            c.grid_name.as_str(),
            c.hazard_label.as_str(),
            c.monitor.as_str(),
            c.warning_signal.as_str(),
            c.warning_giver.as_str(),
            c.route.as_str(),
            c.shelter.as_str(),
            c.shelter_contact.as_str(),
            c.grid_contact.as_str(),
        ]);
        for member in &c.members {
            out.extend([
                member.name.as_str(),
                member.relation.as_str(),
                member.gender.as_str(),
                member.phone.as_str(),
            ]);
            out.extend(member.vulnerable.as_deref());
        }
        out.extend(c.threats.iter().map(String::as_str));
        out.extend(c.helpers.iter().map(String::as_str));
    }
    out
}

/// One style rung.
#[derive(Clone, Copy)]
struct Style {
    body: f32,
    lh: f32,
    pad: f32,
}

/// Renders all cards, one sheet per household.
pub fn render(
    cards: &HouseholdCards,
    fonts: &Fonts,
    fallback: bool,
) -> Result<Vec<u8>, PrintError> {
    let m = &cards.masthead;
    let pdf = Pdf::new(
        fonts,
        &format!("{} 避险明白卡", m.village_name),
        "避险明白卡（一式三联）",
        m.printed_on,
        fallback,
    );
    let mut pages = Vec::with_capacity(cards.cards.len().max(1));
    for card in &cards.cards {
        pages.push(sheet(cards, card, fonts, &pdf)?);
    }
    if pages.is_empty() {
        // Nothing threatened: one page that says so, rather than an empty file.
        let mut cv = Canvas::new(fonts, &pdf.ids);
        let text = format!(
            "{}：没有位于危险区或受隐患点威胁的住户，无需发放避险明白卡。",
            m.village_name
        );
        let block = cv.block(&text, Weight::Regular, 12.0, 18.0, CONTENT_W);
        cv.draw_block(&block, MARGIN_X, 60.0, CONTENT_W, Align::Left);
        pages.push(cv.into_ops());
    }
    pdf.finish(pages)
}

/// One A4 sheet: the card three times, with cut lines.
fn sheet(
    cards: &HouseholdCards,
    card: &HouseholdCard,
    fonts: &Fonts,
    pdf: &Pdf,
) -> Result<Vec<printpdf::Op>, PrintError> {
    let mut overflow = "家庭成员";
    for (body, leading, pad) in LADDER {
        let st = Style {
            body,
            lh: body * leading,
            pad,
        };
        let mut cv = Canvas::new(fonts, &pdf.ids);
        let mut ok = true;
        for (i, label) in HOUSEHOLD_CARD_COPIES.iter().enumerate() {
            let top = i as f32 * SLOT_H;
            if let Err(section) = copy(cards, card, i, label, &st, &mut cv, top) {
                overflow = section;
                ok = false;
                break;
            }
        }
        if ok {
            for i in 1..3 {
                let y = i as f32 * SLOT_H;
                cv.dashed_line(12.0, PAGE_W - 12.0, y, 0.6, grey());
            }
            return Ok(cv.into_ops());
        }
    }
    Err(PrintError::TooLong {
        section: format!(
            "第{}号避险明白卡（户主 {}）的{overflow}栏，每联只有三分之一页",
            card.serial, card.head_name
        ),
    })
}

/// "王建国（户主，男，62岁）【独居老人】、…".
fn members_text(card: &HouseholdCard) -> String {
    let list: Vec<String> = card
        .members
        .iter()
        .map(|m| {
            // "子" / "女" (son / daughter) already say the gender.
            let relation = m.relation.trim();
            let gender = if matches!(relation, "子" | "女" | "儿子" | "女儿") {
                ""
            } else {
                m.gender.trim()
            };
            let mut details: Vec<String> = [relation, gender]
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(age) = m.age {
                details.push(format!("{age}岁"));
            }
            let mut s = m.name.clone();
            if !details.is_empty() {
                s.push_str(&format!("（{}）", details.join("，")));
            }
            if let Some(v) = &m.vulnerable {
                s.push_str(&format!("【{v}】"));
            }
            s
        })
        .collect();
    if list.is_empty() {
        String::new()
    } else {
        format!("共{}人：{}", list.len(), list.join("、"))
    }
}

/// A row of label/value cells; fractions of the content width add up to 1.
type Row = Vec<(&'static str, String, f32, bool)>;

/// Lays out one copy in the slot starting at `slot_top`.
#[allow(clippy::too_many_arguments)]
fn copy(
    cards: &HouseholdCards,
    card: &HouseholdCard,
    index: usize,
    keeper: &str,
    st: &Style,
    cv: &mut Canvas,
    slot_top: f32,
) -> Result<(), &'static str> {
    let bottom = slot_top + SLOT_H - SLOT_BOTTOM_PAD;
    let m = &cards.masthead;
    let mut y = slot_top + SLOT_TOP_PAD;

    // Title row: 避险明白卡 · village · hazards, and the copy label on the right.
    let title_size = 16.0;
    let title_h = title_size * 1.25;
    cv.text(
        MARGIN_X,
        y,
        title_h,
        "避险明白卡",
        Weight::Bold,
        title_size,
        red(),
    );
    let title_w = cv.width("避险明白卡", Weight::Bold, title_size);
    let copy_label = format!("{} {keeper}", COPY_NUMBERS[index]);
    let label_size = 10.5;
    let label_w = cv.width(&copy_label, Weight::Bold, label_size) + 12.0;
    let label_h = label_size * 1.7;
    let label_x = MARGIN_X + CONTENT_W - label_w;
    cv.rect(
        label_x,
        y + (title_h - label_h) / 2.0,
        label_w,
        label_h,
        None,
        Some((0.9, red())),
    );
    cv.text(
        label_x + 6.0,
        y + (title_h - label_h) / 2.0,
        label_h,
        &copy_label,
        Weight::Bold,
        label_size,
        red(),
    );
    let place = [m.village_name.trim(), card.hazard_label.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let place_x = MARGIN_X + title_w + 10.0;
    let place_w = label_x - 8.0 - place_x;
    let place_lines = cv.wrap(&place, Weight::Bold, 11.0, place_w);
    if let Some(first) = place_lines.first() {
        cv.text(place_x, y, title_h, first, Weight::Bold, 11.0, ink());
    }
    y += title_h + 1.0;
    let sub = format!(
        "编号 {}-{}    打印日期 {}    {MOTTO}",
        m.village_code,
        card.serial,
        m.printed_on.format("%Y-%m-%d")
    );
    let sub_lines = cv.wrap(&sub, Weight::Regular, 9.0, CONTENT_W);
    let sub_block = Block {
        lines: sub_lines,
        weight: Weight::Regular,
        size: 9.0,
        line_h: 11.5,
        color: grey(),
    };
    cv.draw_block(&sub_block, MARGIN_X, y, CONTENT_W, Align::Left);
    y += sub_block.height() + 3.0;

    let helpers = card.helpers.join("；");
    let mut rows: Vec<Row> = vec![
        vec![
            ("户主", card.head_name.clone(), 0.34, true),
            ("联系电话", card.phone.clone(), 0.36, false),
            ("房屋类型", card.house_type.clone(), 0.30, false),
        ],
        vec![
            ("住址", card.address.clone(), 0.70, false),
            ("所属网格", card.grid_name.clone(), 0.30, false),
        ],
        vec![("家庭成员", members_text(card), 1.0, false)],
        vec![("威胁隐患", card.threats.join("；"), 1.0, false)],
        vec![
            ("监测人", card.monitor.clone(), 0.5, false),
            ("发布人", card.warning_giver.clone(), 0.5, false),
        ],
        vec![("预警信号", card.warning_signal.clone(), 1.0, true)],
        vec![("转移路线", card.route.clone(), 1.0, false)],
        vec![
            ("安置点", card.shelter.clone(), 0.64, true),
            ("联系人", card.shelter_contact.clone(), 0.36, false),
        ],
        vec![("网格员", card.grid_contact.clone(), 1.0, false)],
    ];
    if !helpers.is_empty() {
        rows.push(vec![("帮扶人", helpers, 1.0, false)]);
    }

    let label_cell_w = 4.0 * st.body + 2.0 * st.pad + 2.0;
    let sign_h = st.body * 2.6;
    let table_top = y;
    for row in &rows {
        let mut cells = Vec::new();
        let mut x = MARGIN_X;
        for (label, value, frac, strong) in row {
            let w = frac * CONTENT_W;
            let value_w = w - label_cell_w - 2.0 * st.pad;
            let mut block = cv.block(value, Weight::Regular, st.body, st.lh, value_w);
            if *strong && !value.trim().is_empty() {
                block.weight = Weight::Bold;
            }
            cells.push((x, w, *label, block));
            x += w;
        }
        let h = cells.iter().map(|c| c.3.height()).fold(0.0_f32, f32::max) + 2.0 * st.pad;
        if y + h + sign_h > bottom + 0.01 {
            return Err(row.first().map_or("家庭成员", |c| c.0));
        }
        for (x, w, label, block) in &cells {
            cv.rect(*x, y, label_cell_w, h, Some(label_fill()), None);
            let label_block = Block {
                lines: vec![(*label).to_owned()],
                weight: Weight::Bold,
                size: st.body,
                line_h: st.lh,
                color: ink(),
            };
            cv.draw_block(
                &label_block,
                *x,
                y + (h - st.lh) / 2.0,
                label_cell_w,
                Align::Center,
            );
            cv.draw_block(
                block,
                x + label_cell_w + st.pad,
                y + st.pad,
                w - label_cell_w - 2.0 * st.pad,
                Align::Left,
            );
            cv.line(x + label_cell_w, y, x + label_cell_w, y + h, 0.4, rule());
            if *x > MARGIN_X {
                cv.line(*x, y, *x, y + h, 0.4, rule());
            }
        }
        if *row.first().map_or(&"", |c| &c.0) == "预警信号" {
            cv.rect(
                MARGIN_X + label_cell_w,
                y,
                CONTENT_W - label_cell_w,
                h,
                Some(warn_fill()),
                None,
            );
        }
        y += h;
        cv.line(MARGIN_X, y, MARGIN_X + CONTENT_W, y, 0.4, rule());
    }
    cv.rect(
        MARGIN_X,
        table_top,
        CONTENT_W,
        y - table_top,
        None,
        Some((0.9, ink())),
    );

    // Signature line: the householder signs, the issuing unit stamps.
    let sy = y + st.body * 0.8;
    let lh = st.body * 1.6;
    let mut x = MARGIN_X;
    let field = |cv: &mut Canvas, label: &str, blank: f32, x: &mut f32| {
        cv.text(*x, sy, lh, label, Weight::Bold, st.body, ink());
        *x += cv.width(label, Weight::Bold, st.body) + 2.0;
        cv.line(*x, sy + lh - 1.5, *x + blank, sy + lh - 1.5, 0.6, ink());
        *x += blank + 14.0;
    };
    field(cv, "户主签字：", 96.0, &mut x);
    field(cv, "签收日期：", 80.0, &mut x);
    let issuer = format!("发放单位：{}（盖章）", cards.issuer.trim());
    let issuer_w = cv.width(&issuer, Weight::Regular, st.body);
    cv.text(
        (MARGIN_X + CONTENT_W - issuer_w).max(x),
        sy,
        lh,
        &issuer,
        Weight::Regular,
        st.body,
        ink(),
    );
    Ok(())
}
