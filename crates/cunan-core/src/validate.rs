//! Checks on what a person typed, each failing with a Chinese message that says how to fix it.

use chrono::NaiveDate;
use std::fmt;

/// A field that failed a check. `code` is for programs, `message` for the officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Machine code, e.g. `division_code`, `phone`, `resident_id`, `required`, `date`.
    pub code: &'static str,
    /// The field's Chinese label, e.g. `区划代码`.
    pub field: String,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

impl ValidationError {
    pub fn new(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        ValidationError {
            code,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

type Check = Result<(), ValidationError>;

/// A field that must not be empty (spaces alone count as empty).
pub fn required(field: &str, value: &str) -> Check {
    if value.trim().is_empty() {
        return Err(ValidationError::new(
            "required",
            field,
            format!("{field}不能为空，请填写。"),
        ));
    }
    Ok(())
}

pub fn max_chars(field: &str, value: &str, max: usize) -> Check {
    let n = value.chars().count();
    if n > max {
        return Err(ValidationError::new(
            "too_long",
            field,
            format!("{field}最多 {max} 个字，现在有 {n} 个字，请精简。"),
        ));
    }
    Ok(())
}

/// Digits in a row from which a number reads as an ID number (18, or the old 15) or a bank card.
pub const LONG_NUMBER_DIGITS: usize = 15;

/// Where `text` holds a run of at least [`LONG_NUMBER_DIGITS`] digits (an `X` may go on one, as
/// in an ID number), as byte ranges. Phones (11 digits) and counts are not such runs.
pub fn long_numbers(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte offset, digits so far)
    let mut end_run = |start: &mut Option<(usize, usize)>, at: usize| {
        if let Some((from, n)) = start.take() {
            if n >= LONG_NUMBER_DIGITS {
                found.push(from..at);
            }
        }
    };
    for (i, c) in text.char_indices() {
        let continues = c.is_ascii_digit() || (matches!(c, 'X' | 'x') && start.is_some());
        if continues {
            let (from, n) = start.unwrap_or((i, 0));
            start = Some((from, n + 1));
        } else {
            end_run(&mut start, i);
        }
    }
    end_run(&mut start, text.len());
    found
}

/// Free text that is kept as sent (an incident report) must not hold an ID number.
pub fn no_id_number(field: &str, value: &str) -> Check {
    if long_numbers(value).is_empty() {
        return Ok(());
    }
    Err(ValidationError::new(
        "id_number_in_text",
        field,
        format!(
            "{field}里有一串 {LONG_NUMBER_DIGITS} 位以上的数字，像是身份证号。报告报送后不能修改，请删去这串数字（需要说明是谁时写姓名）。"
        ),
    ))
}

/// A count of people or things: not negative, and not absurdly large.
pub fn optional_count(field: &str, value: Option<i64>) -> Check {
    match value {
        Some(n) if !(0..=10_000_000).contains(&n) => Err(ValidationError::new(
            "out_of_range",
            field,
            format!("{field}应为 0 或正整数，请重新填写。"),
        )),
        _ => Ok(()),
    }
}

/// 统计用区划代码: 12 digits — province 2, prefecture 2, county 2, township 3, village 3.
pub fn division_code(field: &str, value: &str) -> Check {
    let bad = |why: &str| {
        Err(ValidationError::new(
            "division_code",
            field,
            format!("{why}区划代码应为 12 位数字（省2位、市2位、县2位、乡镇3位、村3位），如 330502101201，请核对后重新填写。"),
        ))
    };
    if value.chars().count() != 12 {
        return bad(&format!("现在是 {} 位。", value.chars().count()));
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return bad("含有非数字字符。");
    }
    let province: u32 = value[..2].parse().unwrap_or(0);
    if !(11..=82).contains(&province) {
        return bad("前两位不是有效的省级代码。");
    }
    if &value[9..] == "000" {
        return bad("最后 3 位为 000，这是乡镇的代码，不是村的代码。");
    }
    Ok(())
}

/// Mobile (11 digits starting 13–19), landline with area code (0xx-xxxxxxx, hyphen optional,
/// optional extension), or a short public service number (110, 119, 120, 122, 12345, 12350 …).
pub fn phone(field: &str, value: &str) -> Check {
    if is_phone(value) {
        return Ok(());
    }
    Err(ValidationError::new(
        "phone",
        field,
        // The value is never quoted back: phones are personal data.
        format!("{field}不是有效的电话号码，请重新填写：手机号为 11 位（如 13812345678），固定电话需带区号（如 0572-2123456）。"),
    ))
}

/// Like [`phone`], but an empty value is allowed.
pub fn optional_phone(field: &str, value: &str) -> Check {
    if value.trim().is_empty() {
        return Ok(());
    }
    phone(field, value)
}

fn is_phone(value: &str) -> bool {
    let v = value.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // Mobile.
    if v.len() == 11 && digits(v) && v.starts_with('1') && (b'3'..=b'9').contains(&v.as_bytes()[1])
    {
        return true;
    }
    // Short service numbers: 110, 119, 120, 122, 12345, 12350, 12395 …
    if ["110", "119", "120", "122"].contains(&v)
        || (v.len() == 5 && v.starts_with("12") && digits(v))
    {
        return true;
    }
    // Landline: area code 0 + 2–3 digits, then 7–8 digits, optional "-ext".
    let (main, ext) = match v.rsplit_once(['转', '#']) {
        Some((m, e)) => (m, Some(e)),
        None => (v, None),
    };
    if let Some(e) = ext {
        if !digits(e) || e.len() > 6 {
            return false;
        }
    }
    let compact: String = main.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let hyphens = main.matches('-').count();
    if !v.starts_with('0') || hyphens > 1 || !digits(&compact) {
        return false;
    }
    if hyphens == 1 {
        let (area, number) = main.split_once('-').unwrap_or(("", ""));
        let area = area.trim();
        let number = number.trim();
        return (3..=4).contains(&area.len())
            && (7..=8).contains(&number.len())
            && digits(area)
            && digits(number);
    }
    (10..=12).contains(&compact.len())
}

/// 18-digit 居民身份证号 with its ISO 7064 MOD 11-2 check character and a real birth date.
pub fn resident_id(field: &str, value: &str) -> Check {
    let v = value.trim();
    let bad = |why: &str| {
        Err(ValidationError::new(
            "resident_id",
            field,
            format!("身份证号{why}请对照身份证重新填写（18 位，最后一位可以是 X）。"),
        ))
    };
    let chars: Vec<char> = v.chars().collect();
    if chars.len() != 18 {
        return bad(&format!("应为 18 位，现在是 {} 位。", chars.len()));
    }
    if !chars[..17].iter().all(|c| c.is_ascii_digit()) {
        return bad("前 17 位应全为数字。");
    }
    let birth = &v[6..14];
    if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
        return bad("中的出生日期不存在。");
    }
    let expected = resident_id_check_char(&v[..17]);
    if Some(chars[17].to_ascii_uppercase()) != expected {
        return bad("校验位不对，可能有一位输错了。");
    }
    Ok(())
}

/// The check character an 18-digit ID would have for these first 17 digits (for the demo village).
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(CHECK[(sum % 11) as usize])
}

/// A date typed as YYYY-MM-DD (also accepts YYYY/MM/DD and YYYY.MM.DD).
pub fn date(field: &str, value: &str) -> Result<NaiveDate, ValidationError> {
    let v = value.trim().replace(['/', '.'], "-");
    NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
        ValidationError::new(
            "date",
            field,
            format!("{field}不是有效日期，请按 2025-06-01 的格式填写。"),
        )
    })
}

/// Masks an ID number for printouts that don't need it: first 6 and last 2 stay.
pub fn mask_resident_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let keep_end = 2;
    chars[..6]
        .iter()
        .chain(std::iter::repeat_n(&'*', chars.len() - 6 - keep_end))
        .chain(&chars[chars.len() - keep_end..])
        .collect()
}

/// Masks a phone number for copies that leave the office: the first 3 and last 4 digits stay
/// (138****5678); a short number keeps only its last 4.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        n if n >= 11 => chars[..3]
            .iter()
            .chain(std::iter::repeat_n(&'*', n - 7))
            .chain(&chars[n - 4..])
            .collect(),
        n if n > 4 => std::iter::repeat_n('*', n - 4)
            .chain(chars[n - 4..].iter().copied())
            .collect(),
        n => "*".repeat(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_keeping_only_what_identifies_no_one() {
        assert_eq!(mask_phone("13857212345"), "138****2345");
        assert_eq!(mask_phone(" 0572-2220000 "), "057*****0000");
        assert_eq!(mask_phone("2220000"), "***0000");
        assert_eq!(mask_phone("110"), "***");
        assert_eq!(mask_phone(""), "");
    }

    fn check(f: fn(&str, &str) -> Check, good: &[&str], bad: &[(&str, &str)]) {
        for g in good {
            assert_eq!(f("字段", g), Ok(()), "{g:?} should pass");
        }
        for (b, code) in bad {
            let err = f("字段", b).expect_err(&format!("{b:?} should fail"));
            assert_eq!(err.code, *code, "{b:?}");
            assert!(
                err.message.contains("请"),
                "message should say what to do: {}",
                err.message
            );
        }
    }

    #[test]
    fn division_codes() {
        check(
            division_code,
            &["330502101201", "110101001001", "820000000001"],
            &[
                ("33050210120", "division_code"),
                ("3305021012011", "division_code"),
                ("33050210120A", "division_code"),
                ("990502101201", "division_code"),
                ("330502101000", "division_code"),
                ("３３０５０２１０１２０１", "division_code"),
                ("", "division_code"),
            ],
        );
    }

    #[test]
    fn phones() {
        check(
            phone,
            &[
                "13812345678",
                "19912345678",
                "0572-2123456",
                "057222123456",
                "010-12345678",
                "0572-2123456转801",
                "110",
                "119",
                "12345",
                " 13812345678 ",
            ],
            &[
                ("1381234567", "phone"),
                ("12812345678", "phone"),
                ("23812345678", "phone"),
                ("0572-212", "phone"),
                ("572-2123456", "phone"),
                ("0572--2123456", "phone"),
                ("138-1234-5678", "phone"),
                ("电话", "phone"),
                ("", "phone"),
            ],
        );
        assert_eq!(optional_phone("电话", ""), Ok(()));
        assert!(optional_phone("电话", "123").is_err());
    }

    #[test]
    fn resident_ids() {
        check(
            resident_id,
            &[
                "11010519491231002X",
                "11010519491231002x",
                "440524188001010014",
            ],
            &[
                ("110105194912310021", "resident_id"),
                ("11010519491331002X", "resident_id"),
                ("1101051949123100", "resident_id"),
                ("1101051949123100AX", "resident_id"),
            ],
        );
        assert_eq!(resident_id_check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn required_and_dates() {
        assert!(required("村名", "  ").is_err());
        assert!(required("村名", "青石村").is_ok());
        assert_eq!(
            date("日期", "2025/6/1").ok(),
            NaiveDate::from_ymd_opt(2025, 6, 1)
        );
        assert!(date("日期", "2025-02-30").is_err());
        assert!(date("日期", "明天").is_err());
        assert_eq!(
            optional_count("人数", Some(-1)).unwrap_err().code,
            "out_of_range"
        );
    }

    #[test]
    fn id_masking_keeps_only_region_and_tail() {
        assert_eq!(mask_resident_id("11010519491231002X"), "110105**********2X");
        assert_eq!(mask_resident_id("123"), "***");
    }
}
