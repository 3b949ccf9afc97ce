//! The roster's columns, the header names (and synonyms) villages use for them, and finding the
//! header row.

use crate::cells::{clean_header, Cell};

/// How many rows at the top of a sheet are searched for the header row.
pub const HEADER_SCAN_ROWS: usize = 15;

/// A roster column the import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    HeadName,
    Name,
    Relation,
    Gender,
    BirthDate,
    IdNumber,
    Phone,
    Address,
    Grid,
    HouseType,
    DangerZone,
    Vulnerable,
    VulnerableNote,
    Helper,
    HelperPhone,
    Note,
}

impl Column {
    pub const ALL: [Column; 16] = [
        Column::HeadName,
        Column::Name,
        Column::Relation,
        Column::Gender,
        Column::BirthDate,
        Column::IdNumber,
        Column::Phone,
        Column::Address,
        Column::Grid,
        Column::HouseType,
        Column::DangerZone,
        Column::Vulnerable,
        Column::VulnerableNote,
        Column::Helper,
        Column::HelperPhone,
        Column::Note,
    ];

    /// The header names understood for this column; the first is the one the export writes.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Column::HeadName => &["户主", "户主姓名"],
            Column::Name => &["姓名", "居民姓名", "成员姓名"],
            Column::Relation => &["与户主关系", "关系", "与户主的关系", "户主关系", "家庭关系"],
            Column::Gender => &["性别"],
            Column::BirthDate => &["出生日期", "出生年月", "出生年月日"],
            Column::IdNumber => &["身份证号", "身份证号码", "公民身份号码", "身份证"],
            Column::Phone => &["联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"],
            Column::Address => &["住址", "地址", "家庭住址", "门牌号", "现住址"],
            Column::Grid => &["网格", "所属网格", "网格名称"],
            Column::HouseType => &["房屋类型", "房屋结构"],
            Column::DangerZone => &["是否危险区", "危险区", "是否在危险区"],
            Column::Vulnerable => &["重点人群", "重点人群类别", "重点人员类别"],
            Column::VulnerableNote => &["重点人群说明", "重点人群备注"],
            Column::Helper => &["帮扶人", "帮扶责任人", "帮扶人姓名"],
            Column::HelperPhone => &["帮扶人电话", "帮扶责任人电话"],
            Column::Note => &["备注"],
        }
    }

    /// The name the export writes and error messages use.
    pub fn label(self) -> &'static str {
        self.names()[0]
    }

    /// The column a header cell names, if any: exact match after cleaning, or a known name
    /// followed by a note in brackets ("身份证号（18位）").
    pub fn from_header(text: &str) -> Option<Column> {
        let h = clean_header(text);
        if h.is_empty() {
            return None;
        }
        if let Some(c) = Column::ALL
            .into_iter()
            .find(|c| c.names().contains(&h.as_str()))
        {
            return Some(c);
        }
        let mut best: Option<(usize, Column)> = None;
        for c in Column::ALL {
            for name in c.names() {
                if let Some(rest) = h.strip_prefix(name) {
                    if rest.starts_with('(') && best.is_none_or(|(n, _)| name.len() > n) {
                        best = Some((name.len(), c));
                    }
                }
            }
        }
        best.map(|(_, c)| c)
    }
}

/// The header row found in a sheet.
#[derive(Debug, Clone)]
pub struct Header {
    /// Index of the header row in the sheet's rows (0-based).
    pub row_index: usize,
    /// (column index, column) for every recognised column; the first header of a column wins.
    pub columns: Vec<(usize, Column)>,
    /// Recognised header names as written (whitespace removed), in sheet order.
    pub recognised: Vec<String>,
    /// Other non-empty header cells, in sheet order.
    pub ignored: Vec<String>,
}

impl Header {
    pub fn index_of(&self, column: Column) -> Option<usize> {
        self.columns
            .iter()
            .find(|(_, c)| *c == column)
            .map(|(i, _)| *i)
    }

    pub fn has(&self, column: Column) -> bool {
        self.index_of(column).is_some()
    }

    /// How well this row looks like a roster header: distinct columns recognised.
    pub fn score(&self) -> usize {
        self.columns.len()
    }
}

/// The row among the first [`HEADER_SCAN_ROWS`] that names the most known columns.
pub fn find_header(rows: &[Vec<Cell>]) -> Option<Header> {
    let mut best: Option<Header> = None;
    for (row_index, row) in rows.iter().take(HEADER_SCAN_ROWS).enumerate() {
        let header = header_of(row_index, row);
        if header.score() > best.as_ref().map_or(0, Header::score) {
            best = Some(header);
        }
    }
    best
}

fn header_of(row_index: usize, row: &[Cell]) -> Header {
    let mut columns: Vec<(usize, Column)> = Vec::new();
    let mut recognised = Vec::new();
    let mut ignored = Vec::new();
    for (i, cell) in row.iter().enumerate() {
        let Cell::Text(text) = cell else { continue };
        let shown: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if shown.is_empty() {
            continue;
        }
        match Column::from_header(text) {
            Some(c) if !columns.iter().any(|(_, k)| *k == c) => {
                columns.push((i, c));
                recognised.push(shown);
            }
            _ => ignored.push(shown),
        }
    }
    Header {
        row_index,
        columns,
        recognised,
        ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_with_stray_spaces_synonyms_and_notes() {
        for (text, want) in [
            ("户主", Some(Column::HeadName)),
            (" 户主姓名 ", Some(Column::HeadName)),
            ("姓\u{3000}名", Some(Column::Name)),
            ("与户主\n关系", Some(Column::Relation)),
            ("*身份证号码", Some(Column::IdNumber)),
            ("身份证号（18位）", Some(Column::IdNumber)),
            ("公民身份号码", Some(Column::IdNumber)),
            ("手机号", Some(Column::Phone)),
            ("帮扶责任人电话", Some(Column::HelperPhone)),
            ("帮扶人", Some(Column::Helper)),
            ("出生年月", Some(Column::BirthDate)),
            ("所属网格", Some(Column::Grid)),
            ("是否危险区", Some(Column::DangerZone)),
            ("房屋结构", Some(Column::HouseType)),
            ("序号", None),
            ("户主电话号码本", None),
            ("", None),
        ] {
            assert_eq!(Column::from_header(text), want, "{text:?}");
        }
    }
}
