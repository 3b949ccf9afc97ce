//! The folders the app writes files into for the officer (printouts, Excel exports), and the
//! one check that keeps the UI from naming any other file.

use std::path::PathBuf;

use chrono::NaiveDate;
use cunan_core::paths;

use crate::error::{ApiError, ErrorCode};

/// A folder under the app-data folder, holding files of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// `<app data>/printouts/*.pdf`
    Printouts,
    /// `<app data>/exports/*.xlsx`
    Exports,
}

impl Folder {
    fn name(self) -> &'static str {
        match self {
            Folder::Printouts => "printouts",
            Folder::Exports => "exports",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Folder::Printouts => "pdf",
            Folder::Exports => "xlsx",
        }
    }

    pub fn dir(self) -> Result<PathBuf, ApiError> {
        Ok(paths::app_data_dir()
            .ok_or_else(ApiError::no_data_dir)?
            .join(self.name()))
    }

    /// The path of an existing file in this folder; refuses anything that is not a plain file
    /// name with this folder's extension.
    pub fn existing(self, file_name: &str) -> Result<PathBuf, ApiError> {
        let plain = !file_name.is_empty()
            && file_name.ends_with(&format!(".{}", self.extension()))
            && !file_name.starts_with('.')
            && !file_name.contains(['/', '\\', '\0']);
        if !plain {
            return Err(ApiError::new(
                ErrorCode::BadFileName,
                "文件名称不对，无法打开。请重新生成。",
            ));
        }
        let path = self.dir()?.join(file_name);
        if !path.is_file() {
            return Err(ApiError::new(
                ErrorCode::FileMissing,
                "找不到这个文件（可能已被删除或移走）。请重新生成。",
            ));
        }
        Ok(path)
    }

    /// Writes `bytes` as `file_name` in this folder (made if needed); returns the full path.
    pub fn write(self, file_name: &str, bytes: &[u8]) -> Result<PathBuf, ApiError> {
        let dir = self.dir()?;
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(file_name);
        std::fs::write(&path, bytes)?;
        Ok(path)
    }

    /// A file name the officer recognises in a folder, e.g. `避险明白卡-青石村-2025-06-01.pdf`.
    /// Making the same file again on the same day replaces that day's file.
    pub fn file_name(self, parts: &[&str], day: NaiveDate) -> String {
        let mut name = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        name.push_str(&format!("-{day}.{}", self.extension()));
        safe_file_name(&name)
    }
}

/// A file name any system (Windows too) takes: control characters and `/\:*?"<>|` become `_`.
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || r#"/\:*?"<>|"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_readable_and_safe() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
        assert_eq!(
            Folder::Printouts.file_name(&["避险明白卡", "青石村"], day),
            "避险明白卡-青石村-2025-06-01.pdf"
        );
        assert_eq!(
            Folder::Exports.file_name(&["网格花名册", "上/下村", " ", "一组"], day),
            "网格花名册-上_下村-一组-2025-06-01.xlsx"
        );
    }

    #[test]
    fn only_plain_names_of_the_folders_kind_are_accepted() {
        for bad in [
            "", "../x.pdf", "a/b.pdf", "a\\b.pdf", ".pdf", "x.txt", "x.xlsx",
        ] {
            let e = Folder::Printouts.existing(bad).err().map(|e| e.code);
            assert_eq!(e, Some(ErrorCode::BadFileName), "{bad}");
        }
        let e = Folder::Exports.existing("x.pdf").err().map(|e| e.code);
        assert_eq!(e, Some(ErrorCode::BadFileName));
    }
}
