//! The core's one error type. `Display` is the Chinese message the officer sees; `code()` is
//! what programs (the UI, scripts) match on.

use std::path::PathBuf;

use crate::validate::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    Validation(#[from] ValidationError),

    #[error("这个数据文件由更新版本的村安创建（数据版本 {found}，本程序支持到 {supported}）。为避免损坏数据，本程序不会打开它。请升级村安后再打开。")]
    StoreTooNew { found: i64, supported: i64 },

    #[error("文件 {} 已存在，不会覆盖。请换一个文件名，或先把旧文件移走。", .0.display())]
    StoreExists(PathBuf),

    #[error("还没有填写村庄基本信息。请先在“村庄信息”中填写村名和区划代码并保存。")]
    NoVillage,

    #[error("找不到要操作的{what}，可能已被删除。请刷新后重试。")]
    NotFound { what: &'static str },

    #[error("还没有{hazard}预案，无法打印明白卡。请先编写{hazard}预案。")]
    NoPlan { hazard: &'static str },

    // The database's and the system's own (English) text stays out of the message: it goes to
    // the log through `detail()`.
    #[error("数据存储出错，本次操作没有保存，之前保存的数据不受影响。请重试；如反复出现，请联系县应急管理局。")]
    Storage(#[from] rusqlite::Error),

    #[error("读写文件出错，请检查磁盘空间和文件权限后重试。")]
    Io(#[from] std::io::Error),

    #[error("数据格式有误：{0}")]
    Format(String),
}

impl CoreError {
    /// A stable machine code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Validation(v) => v.code,
            CoreError::StoreTooNew { .. } => "store_too_new",
            CoreError::StoreExists(_) => "store_exists",
            CoreError::NoVillage => "no_village",
            CoreError::NotFound { .. } => "not_found",
            CoreError::NoPlan { .. } => "no_plan",
            CoreError::Storage(_) => "storage",
            CoreError::Io(_) => "io",
            CoreError::Format(_) => "format",
        }
    }

    /// The technical detail behind the message, for the log only (never shown to the officer,
    /// never holding personal data): the database's or the system's own error text.
    pub fn detail(&self) -> Option<String> {
        match self {
            CoreError::Storage(e) => Some(e.to_string()),
            CoreError::Io(e) => Some(format!("{:?}: {e}", e.kind())),
            _ => None,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// True if `s` holds an English word (three Latin letters in a row).
    fn has_english(s: &str) -> bool {
        s.as_bytes()
            .windows(3)
            .any(|w| w.iter().all(u8::is_ascii_alphabetic))
    }

    #[test]
    fn the_database_and_the_system_keep_their_english_to_the_log() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let sqlite = conn
            .execute("INSERT INTO missing VALUES (1)", [])
            .unwrap_err();
        let io = std::fs::read("/nonexistent/cunan/file").unwrap_err();
        for e in [CoreError::from(sqlite), CoreError::from(io)] {
            let message = e.to_string();
            assert!(!has_english(&message), "{message}");
            assert!(message.contains('请'), "says what to do: {message}");
            let detail = e.detail().expect("the detail is kept for the log");
            assert!(has_english(&detail), "{detail}");
        }
    }
}
