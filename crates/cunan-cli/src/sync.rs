//! `cunan enroll`, `cunan sync`, `cunan bundle export`: thin calls into `cunan-sync`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use cunan_core::Store;
use cunan_sync::{bundle, SyncClient, SyncError, SyncProgress};

use crate::Failure;

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Write this device's unacknowledged changes (or all, with --all) to one file for a USB stick.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// Every change this device ever made, acknowledged or not.
        #[arg(long)]
        all: bool,
    },
    /// Read the county's bundle for this village (`cunan-county bundle-for-village` or
    /// `import-bundle --reply`): county data comes in, and its receipt stops re-sending what the
    /// county already has.
    Import { file: PathBuf },
}

impl From<SyncError> for Failure {
    fn from(e: SyncError) -> Self {
        if let Some(detail) = e.detail() {
            eprintln!("详情（供技术人员）：{detail}");
        }
        Failure {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<bundle::BundleError> for Failure {
    fn from(e: bundle::BundleError) -> Self {
        if let Some(detail) = e.detail() {
            eprintln!("详情（供技术人员）：{detail}");
        }
        Failure {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

pub fn enroll(store: &mut Store, server: &str, code: &str) -> Result<(), Failure> {
    let client = SyncClient::new(server)?;
    let enrolled = client.enroll(store, code)?;
    println!(
        "已登记到 {}：{}（{}）。现在可以运行 `cunan sync` 同步。",
        client.server_url(),
        enrolled.village_name,
        enrolled.village_code
    );
    Ok(())
}

pub fn sync(store: &mut Store, server: Option<&str>) -> Result<(), Failure> {
    let server = match server {
        Some(s) => s.trim_end_matches('/').to_string(),
        None => cunan_core::sync::current_server(store)?
            .map(|s| s.connect_url().to_string())
            .ok_or(SyncError::NotEnrolled)?,
    };
    let client = SyncClient::new(&server)?;
    let report = client.sync_once(store, &mut |p| match p {
        SyncProgress::Pushing { sent, total } if total > 0 => {
            eprintln!("上传 {sent}/{total}");
        }
        SyncProgress::Pulling { received } if received > 0 => {
            eprintln!("已下载 {received}");
        }
        _ => {}
    })?;
    println!(
        "同步完成：上传 {} 条，下载 {} 条，冲突 {} 条。",
        report.pushed, report.pulled, report.conflicts
    );
    Ok(())
}

pub fn bundle(store: &mut Store, command: BundleCommand) -> Result<(), Failure> {
    match command {
        BundleCommand::Export { out, all } => export(store, &out, all),
        BundleCommand::Import { file } => import(store, &file),
    }
}

fn import(store: &mut Store, file: &Path) -> Result<(), Failure> {
    let bytes = std::fs::read(file).map_err(cunan_core::CoreError::from)?;
    let report = bundle::import_county_bundle(store, &bytes)?;
    println!(
        "已读入县里发回的数据包：{} 条记录，其中新的或更新的 {} 条，冲突 {} 条。",
        report.changes, report.applied, report.conflicts
    );
    println!(
        "县里已确认收到本机 {} 条修改；还有 {} 条等待上传。",
        report.acknowledged, report.still_waiting
    );
    Ok(())
}

fn export(store: &Store, out: &Path, all: bool) -> Result<(), Failure> {
    let n = bundle::export_to_file(store, out, all)?;
    println!(
        "已导出 {n} 条变更到 {}。请把文件交给县应急管理局导入。",
        out.display()
    );
    Ok(())
}
