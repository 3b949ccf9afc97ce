//! `cunan import roster FILE` and `cunan export roster|kit|contacts FILE`: the application
//! layer's `excel`, as the app does them.
//!
//! Bad rows: the preview lists every one ("第 N 行：原因"); the good rows are imported and the
//! bad ones are not. With `--strict` nothing is imported if any row is bad. The exit code is 0
//! when the file was read and (unless `--dry-run`) something was imported or there was nothing
//! to import; non-zero when the file cannot be read, when nothing could be imported because
//! every row is bad, or when `--strict` refused.

use std::path::Path;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use cunan_app_api::core::Store;
use cunan_app_api::excel::{self, ExportKind};
use cunan_app_api::{ApiError, ApiResult, ErrorCode, ImportPreview};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import households and residents from an Excel roster (.xlsx/.xls). Shows a preview with
    /// every bad row ("第 N 行：原因"), then imports the good rows in one transaction; bad rows
    /// are skipped (fix them and import the file again: rows already imported are refused as
    /// duplicates by ID number).
    Roster {
        /// The workbook.
        file: std::path::PathBuf,
        /// Only show the preview; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import nothing if any row is bad (exit non-zero).
        #[arg(long)]
        strict: bool,
    },
}

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportProduct {
    /// 花名册: sheets 住户, 居民 (re-importable, full ID numbers), 重点人群.
    Roster,
    /// 花名册（脱敏）: ID numbers and phones masked, for sharing; not re-importable.
    RosterMasked,
    /// 应急器材 5+X checklist and the flood responsible persons' four small items.
    Kit,
    /// 应急通讯录.
    Contacts,
}

impl From<ExportProduct> for ExportKind {
    fn from(p: ExportProduct) -> Self {
        match p {
            ExportProduct::Roster => ExportKind::Roster,
            ExportProduct::RosterMasked => ExportKind::RosterMasked,
            ExportProduct::Kit => ExportKind::Kit,
            ExportProduct::Contacts => ExportKind::Contacts,
        }
    }
}

pub fn import(store: &mut Store, command: ImportCommand) -> ApiResult<()> {
    match command {
        ImportCommand::Roster {
            file,
            dry_run,
            strict,
        } => import_roster(store, &file, dry_run, strict),
    }
}

fn import_roster(store: &mut Store, file: &Path, dry_run: bool, strict: bool) -> ApiResult<()> {
    let bytes = std::fs::read(file).map_err(|_| {
        ApiError::new(
            ErrorCode::FileUnreadable,
            format!(
                "读不到文件 {}。请检查路径；如果文件正在 Excel/WPS 中打开，请先关闭再导入。",
                file.display()
            ),
        )
    })?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let import = excel::read_roster(store, &name, &bytes)?;
    let preview = import.preview();
    print_preview(preview);
    let bad = preview.bad_rows().len();
    if strict && bad > 0 {
        return Err(ApiError::new(
            ErrorCode::ImportBadRows,
            format!(
                "有 {bad} 行有问题，按 --strict 的要求没有导入任何数据。请改正上面列出的行后再导入，或去掉 --strict 只导入没有问题的行。"
            ),
        ));
    }
    if preview.rows_ok == 0 && bad > 0 {
        return Err(ApiError::new(
            ErrorCode::ImportNothing,
            "没有一行可以导入，没有写入任何数据。请改正上面列出的行后再导入。",
        ));
    }
    if dry_run {
        println!("试运行：没有写入任何数据。去掉 --dry-run 即可导入。");
        return Ok(());
    }
    if preview.rows_ok == 0 {
        println!("表格里没有居民，没有写入任何数据。");
        return Ok(());
    }
    let summary = import.commit(store)?;
    println!(
        "已导入：新增 {} 户，{} 人（其中重点人群 {} 人），新建网格 {} 个。",
        summary.households, summary.residents, summary.vulnerable, summary.grids_created
    );
    if bad > 0 {
        println!("有问题的 {bad} 行没有导入：改正后可以再导入同一个文件，已导入的居民会按身份证号被识别为重复而跳过。");
    }
    Ok(())
}

fn print_preview(p: &ImportPreview) {
    println!("工作表“{}”，表头在第 {} 行。", p.sheet, p.header_row);
    println!("识别的列：{}", p.columns.join("、"));
    if !p.ignored_columns.is_empty() {
        println!("未使用的列：{}", p.ignored_columns.join("、"));
    }
    let bad = p.bad_rows().len();
    println!(
        "读到 {} 行居民，可导入 {} 行，有问题 {} 行。",
        p.rows_read, p.rows_ok, bad
    );
    let mut plan = format!(
        "将新增 {} 户、{} 人（其中重点人群 {} 人",
        p.new_households, p.new_residents, p.new_vulnerable
    );
    if p.new_helper_pending > 0 {
        plan.push_str(&format!(
            "，{} 人帮扶人待落实，导入后请在花名册中补上",
            p.new_helper_pending
        ));
    }
    plan.push('）');
    if p.existing_households > 0 {
        plan.push_str(&format!(
            "，其中有人加入已有的 {} 户",
            p.existing_households
        ));
    }
    if !p.new_grids.is_empty() {
        plan.push_str(&format!(
            "，新建网格 {} 个：{}",
            p.new_grids.len(),
            p.new_grids.join("、")
        ));
    }
    println!("{plan}。");
    if !p.note_rows.is_empty() {
        let rows: Vec<String> = p.note_rows.iter().map(|r| r.to_string()).collect();
        println!("跳过的说明行（不是居民）：第 {} 行。", rows.join("、"));
    }
    if !p.errors.is_empty() {
        println!("有问题的行（不会导入）：");
        for e in &p.errors {
            println!("  第 {} 行：{}", e.row, e.reason);
        }
    }
}

pub fn export(
    store: &Store,
    product: ExportProduct,
    out: &Path,
    today: NaiveDate,
) -> ApiResult<()> {
    let kind = ExportKind::from(product);
    if kind.holds_id_numbers() {
        eprintln!(
            "注意：这个文件含全村居民的完整身份证号和电话，请只存放在村委会的电脑或 U 盘里，不要通过微信、QQ 或邮件发送。要分享给乡镇或他人，请导出脱敏版：cunan export roster-masked FILE。"
        );
    }
    let made = excel::export(store, kind, today)?;
    std::fs::write(out, made.bytes)?;
    let note = if kind.holds_id_numbers() {
        "（含完整身份证号，请妥善保管）"
    } else {
        ""
    };
    println!("已导出{}{note}：{}", made.title, out.display());
    Ok(())
}
