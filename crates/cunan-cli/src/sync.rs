//! `cunan enroll`, `cunan sync`, `cunan bundle …`: the application layer's enrollment, sync
//! round (with the background worker's retries and backoff) and USB bundles.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use cunan_app_api::core::Store;
use cunan_app_api::worker::{sync_with_retries, SyncProgress, WorkerConfig};
use cunan_app_api::{enroll as enrollment, usb, ApiResult};

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Write this device's unacknowledged changes (or all, with --all) to one file for a USB stick.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// Every change this device ever made, acknowledged or not.
        #[arg(long)]
        all: bool,
        /// The county's one-time enrollment code, needed until the county holds this device's
        /// key (never enrolled online, nor sent a bundle with a code the county took).
        #[arg(long)]
        code: Option<String>,
    },
    /// Read the county's bundle for this village (`cunan-county bundle-for-village` or
    /// `import-bundle --reply`): county data comes in, and its receipt stops re-sending what the
    /// county already has.
    Import { file: PathBuf },
}

pub fn enroll(store: &mut Store, server: &str, code: &str, allow_http: bool) -> ApiResult<()> {
    let enrolled = enrollment::enroll(store, server, code, allow_http)?;
    println!(
        "已登记到 {}：{}（{}）。现在可以运行 `cunan sync` 同步。",
        enrollment::check_server_url(server)?,
        enrolled.village_name,
        enrolled.village_code
    );
    Ok(())
}

pub fn sync(store: &mut Store, server: Option<&str>, attempts: u32) -> ApiResult<()> {
    let url = enrollment::sync_url(store, server)?;
    let report = sync_with_retries(
        store,
        &url,
        attempts.max(1),
        WorkerConfig::default().backoff,
        &mut |p| match p {
            SyncProgress::Pushing { sent, total } if total > 0 => {
                eprintln!("上传 {sent}/{total}");
            }
            SyncProgress::Pulling { received } if received > 0 => {
                eprintln!("已下载 {received}");
            }
            _ => {}
        },
        &mut |attempt, delay, _why| {
            eprintln!(
                "连不上县级服务器（第 {attempt} 次），{} 秒后重试……",
                delay.as_secs().max(1)
            );
        },
    )?;
    println!(
        "同步完成：上传 {} 条，下载 {} 条，冲突 {} 条。",
        report.pushed, report.pulled, report.conflicts
    );
    Ok(())
}

pub fn bundle(store: &mut Store, command: BundleCommand) -> ApiResult<()> {
    match command {
        BundleCommand::Export { out, all, code } => export(store, &out, all, code.as_deref()),
        BundleCommand::Import { file } => import(store, &file),
    }
}

fn import(store: &mut Store, file: &Path) -> ApiResult<()> {
    let bytes = std::fs::read(file)?;
    let read = usb::import_county_bundle(store, &bytes)?;
    println!(
        "已读入县里发回的数据包：{} 条记录，其中新的或更新的 {} 条，冲突 {} 条。",
        read.changes, read.applied, read.conflicts
    );
    println!(
        "县里已确认收到本机 {} 条修改；还有 {} 条等待上传。",
        read.acknowledged, read.still_waiting
    );
    Ok(())
}

fn export(store: &Store, out: &Path, all: bool, code: Option<&str>) -> ApiResult<()> {
    let n = usb::export_to_file(store, out, all, code)?;
    println!(
        "已导出 {n} 条变更到 {}。请把文件交给县应急管理局导入。",
        out.display()
    );
    Ok(())
}
