//! What a cell holds, and the tolerant reading of names, phones, ID numbers, dates and yes/no
//! out of the way people type them into spreadsheets.

use calamine::Data;
use chrono::{Datelike, NaiveDate};

/// A cell's value, reduced to what the import needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// A formula error such as `#N/A`.
    Error(String),
}

impl Cell {
    pub fn from_data(data: &Data) -> Cell {
        match data {
            Data::Empty => Cell::Empty,
            Data::String(s) => {
                if s.chars().all(is_blank_char) {
                    Cell::Empty
                } else {
                    Cell::Text(s.clone())
                }
            }
            Data::Int(n) => Cell::Number(*n as f64),
            Data::Float(x) => Cell::Number(*x),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => match dt.as_datetime() {
                Some(d) if dt.is_datetime() => Cell::Date(d.date()),
                _ => Cell::Number(dt.as_f64()),
            },
            Data::DateTimeIso(s) => match s.get(..10).and_then(|d| d.parse::<NaiveDate>().ok()) {
                Some(d) => Cell::Date(d),
                None => Cell::Text(s.clone()),
            },
            Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Error(e) => Cell::Error(format!("{e}")),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as text: numbers without a trailing ".0" (13800000000.0 → "13800000000"),
    /// dates as YYYY-MM-DD, trimmed.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim_matches(is_blank_char).to_string(),
            Cell::Number(x) => number_text(*x),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

fn is_blank_char(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e17 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Full-width ASCII (１３８, ＡＢ, （）) to half-width, the ideographic space to a space.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A header cell as compared with the known names: half-width, no white space anywhere, no `*`
/// marks or trailing colon.
pub fn clean_header(s: &str) -> String {
    half_width(s)
        .chars()
        .filter(|c| !is_blank_char(*c) && *c != '*')
        .collect::<String>()
        .trim_end_matches(':')
        .to_string()
}

/// A person's name: trimmed; inside a Chinese name, spaces used to line names up ("张  三") are
/// dropped; elsewhere runs of spaces become one.
pub fn person_name(cell: &Cell) -> String {
    let text = cell.text();
    let has_cjk = text.chars().any(is_cjk);
    if has_cjk {
        text.chars().filter(|c| !is_blank_char(*c)).collect()
    } else {
        text.split(is_blank_char)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Plain text (address, note, relation): trimmed, inner text as typed.
pub fn plain(cell: &Cell) -> String {
    cell.text()
}

/// A phone as the validators expect it: half-width, no spaces; a mobile written with hyphens
/// or a +86 prefix is joined up. Landlines keep their hyphen.
pub fn phone_text(cell: &Cell) -> String {
    let mut s: String = half_width(&cell.text())
        .chars()
        .filter(|c| !is_blank_char(*c))
        .collect();
    for prefix in ["+86", "0086"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start_matches('-').to_string();
        }
    }
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits;
    }
    s
}

/// What is wrong with an ID number, in words for the officer (never quoting the number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// Stored as a number: Excel keeps 15 significant digits, so the last ones are lost.
    StoredAsNumber,
    Length(usize),
    NotDigits,
    BirthDate,
    CheckDigit,
}

/// An ID number as written, half-width, without spaces, `x` upper-cased; or why it cannot be one.
pub fn id_number_text(cell: &Cell) -> Result<String, IdProblem> {
    if let Cell::Number(x) = cell {
        if x.abs() >= 1e15 {
            return Err(IdProblem::StoredAsNumber);
        }
    }
    let s: String = half_width(&cell.text())
        .chars()
        .filter(|c| !is_blank_char(*c) && *c != '\'')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Ok(s)
}

/// Checks an ID number with the core's validator; says which part is wrong.
pub fn check_id_number(id: &str) -> Result<(), IdProblem> {
    if cunan_core::validate::resident_id("身份证号", id).is_ok() {
        return Ok(());
    }
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 {
        return Err(IdProblem::Length(chars.len()));
    }
    if !chars[..17].iter().all(char::is_ascii_digit)
        || !(chars[17].is_ascii_digit() || chars[17] == 'X')
    {
        return Err(IdProblem::NotDigits);
    }
    if NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_err() {
        return Err(IdProblem::BirthDate);
    }
    Err(IdProblem::CheckDigit)
}

/// The birth date and gender written in a valid 18-digit ID number.
pub fn id_birth_and_gender(id: &str) -> Option<(NaiveDate, &'static str)> {
    let birth = NaiveDate::parse_from_str(id.get(6..14)?, "%Y%m%d").ok()?;
    let digit = id.get(16..17)?.parse::<u32>().ok()?;
    Some((birth, if digit % 2 == 1 { "男" } else { "女" }))
}

/// A date as villages type it. `Ok(None)` for an empty cell; `Err(())` if it is not a date.
/// A year and month alone ("1956.3", "1956年3月") is the 1st of that month.
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, ()> {
    let d = match cell {
        Cell::Empty => return Ok(None),
        Cell::Date(d) => *d,
        Cell::Number(x) if x.fract() == 0.0 && (1.0..100_000.0).contains(x) => {
            // An Excel serial date in a cell without a date format.
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(*x as u64)))
                .ok_or(())?
        }
        Cell::Number(_) | Cell::Text(_) => date_text(&half_width(&cell.text())).ok_or(())?,
        Cell::Bool(_) | Cell::Error(_) => return Err(()),
    };
    if !(1880..=2200).contains(&d.year()) {
        return Err(());
    }
    Ok(Some(d))
}

fn date_text(s: &str) -> Option<NaiveDate> {
    let s: String = s.chars().filter(|c| !is_blank_char(*c)).collect();
    let s = s.trim_end_matches('日');
    // 19560302
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    // 1956-03-02, 1956/3/2, 1956.3.2, 1956年3月2日, 1956-03-02 00:00:00
    let s = s.split('T').next().unwrap_or(s);
    let s = s
        .get(..s.find(':').map_or(s.len(), |i| i.saturating_sub(2)))
        .unwrap_or(s);
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    let num = |p: &str| p.parse::<u32>().ok();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?),
        [y, m] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, 1),
        _ => None,
    }
}

/// 是/否 and the marks people use for them. `Err(())` for anything else.
pub fn yes_no(cell: &Cell) -> Result<Option<bool>, ()> {
    if let Cell::Bool(b) = cell {
        return Ok(Some(*b));
    }
    let t = half_width(&cell.text()).to_ascii_uppercase();
    match t.as_str() {
        "" => Ok(None),
        "是" | "√" | "✓" | "✔" | "Y" | "YES" | "1" | "TRUE" | "在" | "危险区" | "是危险区" => {
            Ok(Some(true))
        }
        "否" | "×" | "X" | "✗" | "N" | "NO" | "0" | "FALSE" | "不在" | "无" | "-" | "/" => {
            Ok(Some(false))
        }
        _ => Err(()),
    }
}

/// 男 / 女, or `Err(())`.
pub fn gender(cell: &Cell) -> Result<Option<&'static str>, ()> {
    let t = half_width(&cell.text()).to_ascii_uppercase();
    match t.as_str() {
        "" => Ok(None),
        "男" | "男性" | "M" => Ok(Some("男")),
        "女" | "女性" | "F" => Ok(Some("女")),
        _ => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_as_typed() {
        let t = |s: &str| date(&Cell::Text(s.into()));
        assert_eq!(t("1956-03-02"), Ok(d(1956, 3, 2)));
        assert_eq!(t("1956/3/2"), Ok(d(1956, 3, 2)));
        assert_eq!(t("1956.3.2"), Ok(d(1956, 3, 2)));
        assert_eq!(t("19560302"), Ok(d(1956, 3, 2)));
        assert_eq!(t("１９５６．３．２"), Ok(d(1956, 3, 2)));
        assert_eq!(t("1956年3月2日"), Ok(d(1956, 3, 2)));
        assert_eq!(t("1956.3"), Ok(d(1956, 3, 1)));
        assert_eq!(t("1956-03-02 00:00:00"), Ok(d(1956, 3, 2)));
        assert_eq!(t("1956-02-30"), Err(()));
        assert_eq!(t("五六年"), Err(()));
        assert_eq!(date(&Cell::Number(19560302.0)), Ok(d(1956, 3, 2)));
        assert_eq!(date(&Cell::Number(20516.0)), Ok(d(1956, 3, 2)));
        assert_eq!(date(&Cell::Empty), Ok(None));
    }

    #[test]
    fn phones_and_ids_are_cleaned_not_judged() {
        assert_eq!(phone_text(&Cell::Number(13800000000.0)), "13800000000");
        assert_eq!(
            phone_text(&Cell::Text("138 0000 0000".into())),
            "13800000000"
        );
        assert_eq!(
            phone_text(&Cell::Text("１３８００００００００".into())),
            "13800000000"
        );
        assert_eq!(
            phone_text(&Cell::Text("138-0000-0000".into())),
            "13800000000"
        );
        assert_eq!(
            phone_text(&Cell::Text("+86 13800000000".into())),
            "13800000000"
        );
        assert_eq!(
            phone_text(&Cell::Text("0572-2123456".into())),
            "0572-2123456"
        );
        assert_eq!(
            id_number_text(&Cell::Text(" 11010519491231002x ".into())),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            id_number_text(&Cell::Number(110105194912310020.0)),
            Err(IdProblem::StoredAsNumber)
        );
        assert_eq!(check_id_number("11010519491231002X"), Ok(()));
        assert_eq!(
            check_id_number("110105194912310021"),
            Err(IdProblem::CheckDigit)
        );
        assert_eq!(
            check_id_number("1101051949123100"),
            Err(IdProblem::Length(16))
        );
        assert_eq!(
            check_id_number("11010519491331002X"),
            Err(IdProblem::BirthDate)
        );
        assert_eq!(
            id_birth_and_gender("11010519491231002X"),
            Some((NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(), "女"))
        );
    }

    #[test]
    fn names_lose_alignment_spaces() {
        assert_eq!(person_name(&Cell::Text(" 张\u{3000}三 ".into())), "张三");
        assert_eq!(person_name(&Cell::Text("Ali  Han".into())), "Ali Han");
    }
}
