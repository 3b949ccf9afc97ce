//! The not-yet-safe sheets of an evacuation roll call (转移点名 未转移人员名单),
//! on the sheets' engine: each grid from a new page, for the grid member who
//! answers for it — who is still to be moved, household by household (the
//! threatened ones first), how each stands, the phone to call, the helper of
//! each vulnerable person, and a box to tick and a note to write by hand.
//!
//! A normal grid (about 40 people) fits one page: the type is set as large as
//! one page allows (10.5 pt down to 8 pt). A grid that does not fit even then
//! runs on, with the header repeated and "（续）".

use cunan_core::printouts::{
    Masthead, NotSafeHousehold, NotSafePerson, NotSafeSheet, NotSafeSheets, TransferFacts,
};
use cunan_core::rollcall::{Count, Mark};

use crate::canvas::{Align, FontIds};
use crate::fonts::Fonts;
use crate::sheets::{
    col, layout_sheet, masthead_texts, pdf_for, render_sheets, Cell, Column, Figure, Group, Sheet,
};
use crate::PrintError;

/// The title of the sheets.
pub const TITLE: &str = "未转移人员名单";

/// Body sizes tried, largest first, for a grid to fit one page.
const ONE_PAGE_SIZES: [f32; 6] = [10.5, 10.0, 9.5, 9.0, 8.5, 8.0];
/// The body size of a grid too long for one page.
const RUN_ON_SIZE: f32 = 9.0;

/// Every string of `sheets` that gets printed.
pub fn texts(sheets: &NotSafeSheets) -> Vec<&str> {
    let t = &sheets.transfer;
    let mut out: Vec<&str> = masthead_texts(&sheets.masthead).to_vec();
    out.extend([
        t.hazard_label.as_str(),
        t.level_label.as_str(),
        t.reason.as_str(),
        t.started_at.as_str(),
        t.as_of.as_str(),
    ]);
    out.extend(t.ended_at.as_deref());
    for s in &sheets.sheets {
        out.extend([s.grid_name.as_str(), s.grid_member.as_str()]);
        for h in &s.households {
            out.extend([h.head_name.as_str(), h.address.as_str(), h.phone.as_str()]);
            for p in &h.people {
                out.extend([
                    p.name.as_str(),
                    p.relation.as_str(),
                    p.status_label.as_str(),
                    p.marked.as_str(),
                    p.note.as_str(),
                ]);
                out.extend(p.vulnerable.as_deref());
                out.extend(p.helper.as_deref());
            }
        }
    }
    out
}

pub fn render(
    sheets: &NotSafeSheets,
    fonts: &Fonts,
    fallback: bool,
) -> Result<Vec<u8>, PrintError> {
    let m = &sheets.masthead;
    let pdf = pdf_for(
        fonts,
        &format!("{} {TITLE}", m.village_name),
        TITLE,
        m,
        fallback,
    );
    let mut laid = Vec::with_capacity(sheets.sheets.len());
    for s in &sheets.sheets {
        let build = |home: Home| grid_sheet(s, &sheets.transfer, m, home);
        laid.push(fitted(build, m, fonts, &pdf.ids));
    }
    if laid.is_empty() {
        laid.push(everyone_safe(&sheets.transfer, m));
    }
    render_sheets(&laid, m, pdf, fonts)
}

/// How a household's head and address are set in the first column.
#[derive(Clone, Copy)]
enum Home {
    /// "方海峰家", then the address on a line of its own.
    TwoLines,
    /// "方海峰家 · 青石村1组14号" on one line where it fits, to save a line.
    Joined,
}

/// The sheet set as large as fits one page — the households' addresses on lines of their own
/// if they can be, joined to the head's name otherwise — else at [`RUN_ON_SIZE`] over several
/// pages (addresses on lines of their own: the pages are not saved by then).
fn fitted(build: impl Fn(Home) -> Sheet, m: &Masthead, fonts: &Fonts, ids: &FontIds) -> Sheet {
    for home in [Home::TwoLines, Home::Joined] {
        let mut sheet = build(home);
        for body in ONE_PAGE_SIZES {
            sheet.body = body;
            if layout_sheet(&sheet, m, fonts, ids).is_ok_and(|pages| pages.len() == 1) {
                return sheet;
            }
        }
    }
    let mut sheet = build(Home::TwoLines);
    sheet.body = RUN_ON_SIZE;
    sheet
}

fn columns() -> Vec<Column> {
    vec![
        col("住户 / 电话", 0.22, Align::Left),
        col("姓名", 0.10, Align::Left),
        col("关系", 0.07, Align::Center),
        col("转移情况", 0.11, Align::Center),
        col("重点人群 / 帮扶人", 0.24, Align::Left),
        col("已转移", 0.07, Align::Center),
        col("备注（去向、原因）", 0.19, Align::Left),
    ]
}

/// "青石村 · 防汛防台 · 红色预警 · 2026-07-01 09:00 开始转移 · 截至 2026-07-01 10:30".
fn transfer_line(m: &Masthead, t: &TransferFacts) -> String {
    let mut parts = vec![m.village_name.clone(), t.hazard_label.clone()];
    if !t.level_label.is_empty() {
        parts.push(t.level_label.clone());
    }
    parts.push(format!("{} 开始转移", t.started_at));
    if let Some(ended) = &t.ended_at {
        parts.push(format!("{ended} 已解除"));
    }
    parts.push(format!("截至 {}", t.as_of));
    parts.join(" · ")
}

/// "转移原因：青石溪水位超警戒", or nothing.
fn reason_line(t: &TransferFacts) -> String {
    if t.reason.is_empty() {
        String::new()
    } else {
        format!("转移原因：{}", t.reason)
    }
}

fn grid_member(s: &NotSafeSheet) -> String {
    if s.grid_member.is_empty() {
        "（尚未指定网格员，请村应急管理员负责）".to_owned()
    } else {
        s.grid_member.clone()
    }
}

/// The space above and below a person's row: tight, so that about 40 fit a page.
const ROW_PAD: f32 = 1.2;

fn grid_sheet(s: &NotSafeSheet, t: &TransferFacts, m: &Masthead, home: Home) -> Sheet {
    let how = "红字优先：危险区住户、重点人群、拒绝转移、未联系上、已返回。逐户电话核实，转移后打勾，去向写备注。";
    Sheet {
        body: RUN_ON_SIZE,
        title: format!("{} {TITLE}", s.grid_name),
        intro: [transfer_line(m, t), reason_line(t), how.to_owned()]
            .into_iter()
            .filter(|line| !line.is_empty())
            .collect(),
        running: format!("{} · 截至 {} · {}", t.hazard_label, t.as_of, grid_member(s)),
        columns: columns(),
        groups: s
            .households
            .iter()
            .map(|h| household_group(h, home))
            .collect(),
        sign: vec![],
        fields: vec![],
        figures: figures(s),
        min_row: 0.0,
        row_pad: ROW_PAD,
    }
}

fn count_note(c: Count) -> String {
    if c.vulnerable > 0 {
        format!("重点 {} 人", c.vulnerable)
    } else {
        String::new()
    }
}

/// Who answers for the grid, and its 应转移 / 已转移 / 未转移.
fn figures(s: &NotSafeSheet) -> Vec<Figure> {
    let t = &s.totals;
    let figure = |label: &str, c: Count, alert: bool| Figure {
        label: label.to_owned(),
        value: format!("{} 人", c.people),
        note: count_note(c),
        frac: 0.19,
        alert,
    };
    vec![
        Figure {
            label: match s.grid_id {
                Some(_) => "负责网格员（请逐户打电话）",
                None => "负责人（请逐户打电话）",
            }
            .to_owned(),
            value: grid_member(s),
            note: String::new(),
            frac: 0.43,
            alert: false,
        },
        figure("应转移", t.expected, false),
        figure("已转移", t.moved, false),
        figure("未转移", t.not_moved, true),
    ]
}

/// Whose home and where ("方海峰家", "青石村1组14号"; red for a household in a hazard area),
/// then the phone to call.
fn household_group(h: &NotSafeHousehold, home: Home) -> Group {
    let head = h.head_name.trim();
    let head = if head.is_empty() {
        "（户主未登记）".to_owned()
    } else {
        format!("{head}家")
    };
    let address = h.address.trim();
    let mut lead = match (home, h.threatened, address.is_empty()) {
        (_, true, _) => vec![Cell::Alert(format!("【危险区】{head}\n{address}"))],
        (_, false, true) => vec![Cell::Strong(head)],
        (Home::TwoLines, false, false) => vec![Cell::Strong(head), Cell::Text(address.to_owned())],
        (Home::Joined, false, false) => vec![Cell::Strong(format!("{head} · {address}"))],
    };
    if !h.phone.is_empty() {
        lead.push(Cell::Phone(h.phone.clone()));
    }
    Group {
        heading: None,
        lead: Some(lead),
        rows: h.people.iter().map(person_row).collect(),
    }
}

fn person_row(p: &NotSafePerson) -> Vec<Cell> {
    let name = match &p.vulnerable {
        Some(_) => Cell::LargeAlert(p.name.clone()),
        None => Cell::Large(p.name.clone()),
    };
    let status = match p.status {
        Mark::Pending => Cell::Large(p.status_label.clone()),
        _ => Cell::LargeAlert(p.status_label.clone()),
    };
    let who = match (&p.vulnerable, &p.helper) {
        (Some(v), Some(helper)) => Cell::Alert(format!("{v}\n帮扶人：{helper}")),
        (Some(v), None) => Cell::Alert(v.clone()),
        _ => Cell::Text(String::new()),
    };
    vec![
        name,
        Cell::Text(p.relation.clone()),
        status,
        who,
        Cell::Tick,
        Cell::Text(last_mark(p)),
    ]
}

/// The note of the latest mark, with when and by whom: "不肯走（07-01 10:20 李四）".
fn last_mark(p: &NotSafePerson) -> String {
    match (p.note.is_empty(), p.marked.is_empty()) {
        (true, true) => String::new(),
        (true, false) => format!("{} 标记", p.marked),
        (false, true) => p.note.clone(),
        (false, false) => format!("{}（{}）", p.note, p.marked),
    }
}

/// The one page printed when nobody is left to move (the app says so before printing).
fn everyone_safe(t: &TransferFacts, m: &Masthead) -> Sheet {
    Sheet {
        body: RUN_ON_SIZE,
        title: format!("{} {TITLE}", m.village_name),
        intro: vec![
            transfer_line(m, t),
            "这次转移的人员都已安全，没有未转移的人员。".to_owned(),
        ],
        running: String::new(),
        columns: columns(),
        groups: vec![],
        sign: vec![],
        fields: vec![],
        figures: vec![],
        min_row: 0.0,
        row_pad: ROW_PAD,
    }
}
