//! Line breaking for mixed Chinese / ASCII text by measured width.
//!
//! Rules (a simplified 禁则, enough for a response card):
//! - Chinese text may break between any two characters.
//! - Closing punctuation (，。、；：？！）》」』” …) never starts a line: it is
//!   glued to the character before it.
//! - Opening punctuation (（《「『“ …) never ends a line: it is glued to the
//!   character after it.
//! - A run of ASCII letters and digits, with the joiners that occur inside
//!   phone numbers, codes and times (`-*._/+#@&:'`), is never split, so
//!   `0572-2123456` and `138****1234` stay whole; a number keeps the unit
//!   right after it (`36岁`, `800米`).
//! - Whitespace is a break opportunity; runs of it collapse to one space, and
//!   spaces at the start or end of a line are dropped. `\n` forces a break.
//!
//! Only when a single unbreakable group is wider than the whole line is it
//! split between characters, as a last resort, so that no text is ever lost.

/// Characters that must not start a line.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '”'
            | '’'
            | '〕'
            | '】'
            | '〗'
            | '〙'
            | '〛'
            | '］'
            | '｝'
            | '〉'
            | '．'
            | '％'
            | '…'
            | '‥'
            | '—'
            | '～'
            | '·'
            | '・'
            | '々'
            | '〃'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Characters that must not end a line.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '（' | '《'
            | '「'
            | '『'
            | '“'
            | '‘'
            | '〔'
            | '【'
            | '〖'
            | '〘'
            | '〚'
            | '［'
            | '｛'
            | '〈'
            | '('
            | '['
            | '{'
            | '￥'
            | '$'
    )
}

/// ASCII letters and digits: the core of an unbreakable run.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// ASCII characters that continue a word run (phone numbers, codes, times).
fn is_joiner(c: char) -> bool {
    matches!(
        c,
        '-' | '*' | '.' | '_' | '/' | '+' | '#' | '@' | '&' | ':' | '\''
    )
}

/// Units and measure words that stay on the line of the number before them.
fn is_unit(c: char) -> bool {
    matches!(
        c,
        '岁' | '人'
            | '户'
            | '号'
            | '组'
            | '米'
            | '里'
            | '台'
            | '个'
            | '件'
            | '只'
            | '部'
            | '套'
            | '艘'
            | '面'
            | '把'
            | '箱'
            | '袋'
            | '天'
            | '日'
            | '月'
            | '年'
            | '时'
            | '分'
            | '秒'
            | '次'
            | '遍'
            | '层'
            | '栋'
            | '间'
            | '元'
    )
}

/// A piece of a paragraph between two break opportunities.
#[derive(Debug, PartialEq)]
enum Segment {
    /// Collapsed whitespace: a break opportunity that prints as one space
    /// when it falls inside a line.
    Space,
    /// Text that must stay on one line.
    Text(String),
}

/// Splits one paragraph (no `\n`) into unbreakable segments.
fn segments(paragraph: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let chars: Vec<char> = paragraph.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            match out.last_mut() {
                // No break right after opening punctuation: keep the space
                // inside the group ("（ 张三" stays together).
                Some(Segment::Text(prev)) if prev.chars().next_back().is_some_and(is_opening) => {
                    prev.push(' ');
                }
                Some(Segment::Text(_)) => out.push(Segment::Space),
                Some(Segment::Space) | None => {}
            }
            continue;
        }
        // The next unit: an ASCII word run, or a single character.
        let start = i;
        if is_word(c) {
            i += 1;
            while i < chars.len() && (is_word(chars[i]) || is_joiner(chars[i])) {
                i += 1;
            }
            // A number keeps its unit: "36岁", "800米", "3号".
            if i < chars.len() && chars[i - 1].is_ascii_digit() && is_unit(chars[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
        let unit: String = chars[start..i].iter().collect();

        // No break right before closing punctuation, even after a space
        // ("张三 ，" keeps the space and the comma with 张三).
        if is_closing(c) && matches!(out.last(), Some(Segment::Space)) && out.len() > 1 {
            out.pop();
            if let Some(Segment::Text(prev)) = out.last_mut() {
                prev.push(' ');
            }
        }
        match out.last_mut() {
            Some(Segment::Text(prev))
                if is_closing(c) || prev.trim_end().chars().next_back().is_some_and(is_opening) =>
            {
                prev.push_str(&unit);
            }
            _ => out.push(Segment::Text(unit)),
        }
    }
    if matches!(out.last(), Some(Segment::Space)) {
        out.pop();
    }
    out
}

/// Breaks `text` into lines no wider than `max_width`, measuring each
/// character with `measure` (same unit as `max_width`).
///
/// Returns no lines for empty or all-whitespace text. An empty line inside the
/// text (two `\n` in a row) is kept as an empty line.
pub fn break_lines(text: &str, max_width: f32, measure: &dyn Fn(char) -> f32) -> Vec<String> {
    const EPS: f32 = 1e-3;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let width_of = |s: &str| s.chars().map(measure).sum::<f32>();
    let space_w = measure(' ');

    let mut lines = Vec::new();
    for paragraph in text.trim().split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0_f32;
        let mut pending_space = false;
        for seg in segments(paragraph) {
            let word = match seg {
                Segment::Space => {
                    pending_space = !line.is_empty();
                    continue;
                }
                Segment::Text(word) => word,
            };
            let word_w = width_of(&word);
            let gap = if pending_space { space_w } else { 0.0 };
            pending_space = false;
            if !line.is_empty() && line_w + gap + word_w <= max_width + EPS {
                if gap > 0.0 {
                    line.push(' ');
                }
                line.push_str(&word);
                line_w += gap + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if word_w <= max_width + EPS {
                line = word;
                line_w = word_w;
            } else {
                // Last resort: the group alone is wider than a line.
                line_w = 0.0;
                for c in word.chars() {
                    let w = measure(c);
                    if !line.is_empty() && line_w + w > max_width + EPS {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
        }
        lines.push(line);
    }
    if lines.len() == 1 && lines[0].is_empty() {
        lines.clear();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test metric: ASCII is half an em, everything else one em.
    fn em(c: char) -> f32 {
        if c.is_ascii() {
            0.5
        } else {
            1.0
        }
    }

    #[track_caller]
    fn check(input: &str, width: f32, expected: &[&str]) {
        let got = break_lines(input, width, &em);
        assert_eq!(got, expected, "input {input:?} at width {width}");
        for line in &got {
            let w: f32 = line.chars().map(em).sum();
            let first = line.chars().next();
            let last = line.chars().next_back();
            // The invariants the rules promise, checked on every line too.
            if line.chars().count() > 1 {
                assert!(
                    w <= width + 1e-3,
                    "line {line:?} is {w} wide, limit {width}"
                );
            }
            assert!(
                !first.is_some_and(is_closing),
                "line starts with closing punctuation: {line:?}"
            );
            assert!(
                !last.is_some_and(is_opening),
                "line ends with opening punctuation: {line:?}"
            );
        }
    }

    #[test]
    fn table() {
        let cases: &[(&str, f32, &[&str])] = &[
            // Plain Chinese fills each line.
            ("立即组织群众转移", 4.0, &["立即组织", "群众转移"]),
            ("", 4.0, &[]),
            ("   ", 4.0, &[]),
            // 。 would start line 2: it is pulled back with its character
            // (the line breaks one character earlier instead).
            ("通知到户到人。再转移", 6.0, &["通知到户到", "人。再转移"]),
            // ，after a full line.
            ("一二三四，五六", 4.0, &["一二三", "四，五六"]),
            // Several closing marks in a row stay together.
            ("甲乙丙丁）。戊", 4.0, &["甲乙丙", "丁）。戊"]),
            // Opening punctuation never ends a line.
            ("联系人（张三）", 4.0, &["联系人", "（张三）"]),
            ("看《预案》", 3.0, &["看《预", "案》"]),
            // Phone numbers are never split.
            ("电话0572-2123456", 7.0, &["电话", "0572-2123456"]),
            ("预警员138****1234", 8.0, &["预警员", "138****1234"]),
            ("拨打110、119或120", 5.0, &["拨打110、", "119或120"]),
            // A number followed by closing punctuation keeps it.
            ("号码是12345。好", 6.0, &["号码是", "12345。好"]),
            // Spaces break, collapse, and vanish at line ends.
            ("鸣锣 +   村应急广播", 3.0, &["鸣锣 +", "村应急", "广播"]),
            ("Cun'an card", 3.0, &["Cun'an", "card"]),
            // …also when a space sits next to the punctuation.
            ("甲乙 ，丙丁", 4.0, &["甲乙 ，", "丙丁"]),
            ("甲乙（ 丙丁", 4.0, &["甲乙", "（ 丙丁"]),
            // Hard line breaks are kept.
            ("第一行\n第二行", 10.0, &["第一行", "第二行"]),
            ("甲\r\n\r\n乙", 10.0, &["甲", "", "乙"]),
            // Phones inside Chinese punctuation stay whole, the punctuation
            // stays with them.
            (
                "帮扶人王芳（13812345678）；",
                9.0,
                &["帮扶人王芳", "（13812345678）；"],
            ),
            ("电话：0572-5012110。", 7.0, &["电话：", "0572-5012110。"]),
            // A masked ID number is one group too.
            (
                "身份证330599**********7X号",
                10.0,
                &["身份证", "330599**********7X号"],
            ),
            // A number keeps its unit.
            ("男，36岁", 3.0, &["男，", "36岁"]),
            ("约800米远", 3.0, &["约", "800米", "远"]),
            // Rare characters break like any ideograph.
            ("王𠮷李堃张喆", 3.0, &["王𠮷李", "堃张喆"]),
            // Last resort: a group wider than the line is split, nothing lost.
            ("1234567890", 2.0, &["1234", "5678", "90"]),
        ];
        for (input, width, expected) in cases {
            check(input, *width, expected);
        }
    }

    #[test]
    fn no_text_is_lost() {
        let input = "村应急广播（手摇报警器）响起后，立即拨打0572-2123456报告，并通知138****1234。";
        for width in [1.0, 2.0, 3.0, 5.5, 8.0, 40.0] {
            let joined: String = break_lines(input, width, &em).concat();
            assert_eq!(joined, input, "width {width}");
        }
    }
}
