//! The USB bundle: a village's changes in one file, for when the only link is a USB stick.
//!
//! Layout: one header line `CUNAN-BUNDLE 1 <length> <sha256-hex>\n`, then `length` bytes of
//! gzip-compressed JSON ([`BundleBody`]). The length and SHA-256 of the body are checked before
//! anything is read from it, so a truncated or altered file is refused whole. (The checksum
//! detects damage, not a deliberate forger; the county imports bundles it was handed in person.)

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use cunan_core::sync::Change;
use cunan_core::Store;

const MAGIC: &str = "CUNAN-BUNDLE";
const FORMAT: u32 = 1;
/// A bundle is refused above this size (a whole village is a few MB).
pub const MAX_BUNDLE_BYTES: usize = 256 * 1024 * 1024;

/// Which way a bundle goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundleKind {
    /// A village device's own changes, for the county (`cunan bundle export`, the app's 写入 U 盘).
    #[default]
    Village,
    /// The county's reply for one village (`cunan-county bundle for-village`): county contacts,
    /// settings and templates, the village's rows the county holds from all its devices, and a
    /// receipt per device of what the county has.
    County,
}

/// The county has every change of `device_id` up to `seq`: that device need not send them again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub device_id: String,
    pub seq: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleBody {
    #[serde(default)]
    pub kind: BundleKind,
    pub village_code: String,
    /// The device that wrote it (village bundles); `county` for the county's.
    pub device_id: String,
    pub created_at: String,
    /// Village bundles: this device's changes in `seq` order. County bundles: changes in the
    /// server's order, as a pull would bring them.
    pub changes: Vec<Change>,
    /// County bundles: the server's id and the pull cursor the changes reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    #[serde(default)]
    pub cursor: i64,
    /// County bundles: each change's place in the server's order (`server_seq`), parallel to
    /// `changes`, so a village skips what it already has from that server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<i64>,
    /// County bundles: what the county already holds from each device of the village.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<Receipt>,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("这不是村安数据包，或文件头已损坏。没有导入任何数据。请重新从村里的电脑导出。")]
    NotABundle,
    #[error("数据包格式版本 {0} 太新，县里的程序不认识，没有导入任何数据。请升级县级服务器程序。")]
    TooNew(u32),
    #[error("数据包不完整（应有 {expected} 字节，实际 {found} 字节），可能拷贝中断。没有导入任何数据。请重新导出并拷贝。")]
    Truncated { expected: usize, found: usize },
    #[error("数据包不完整（文件头不全），可能拷贝中断。没有导入任何数据。请重新导出并拷贝。")]
    TruncatedHeader,
    #[error("数据包校验失败，内容已被改动或损坏。没有导入任何数据。请重新导出并拷贝。")]
    Checksum,
    /// The decoder's own text is for the log ([`BundleError::detail`]).
    #[error("数据包内容无法读取（格式不对或已损坏）。没有导入任何数据。请重新导出并拷贝。")]
    Body(String),
    #[error("这是村里导出给县里的数据包，应在县里导入（cunan-county import-bundle）。要读入的是县里发回的数据包（文件名含“县里发回”）。没有导入任何数据。")]
    NotForVillage,
    #[error("这是县里发给村里的数据包，应在村里的电脑上读入（同步页面“从 U 盘读入”）。没有导入任何数据。")]
    NotForCounty,
    #[error("这个数据包是发给另一个村的（区划代码 {0}），与本机的村庄不一致。没有导入任何数据。请向县应急管理局要本村的数据包。")]
    WrongVillage(String),
    #[error("数据包里有不属于本村的记录，整个数据包没有导入。请向县应急管理局核对。")]
    ForeignRows,
    #[error("这个数据包来自另一台县级服务器，不是本机登记的那台（或无法确认是同一台）。没有导入任何数据。请用本机登记的服务器发回的数据包；如果县里换了服务器，请先用新的登记码重新登记。")]
    OtherServer,
    #[error("{0}")]
    Core(#[from] cunan_core::CoreError),
    /// The system's own text stays out of the message ([`BundleError::detail`]).
    #[error("读写数据包文件出错，请检查 U 盘是否插好、是否还有空间，然后重试。")]
    Io(#[from] std::io::Error),
}

impl BundleError {
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::NotABundle => "bundle_not_a_bundle",
            BundleError::TooNew(_) => "bundle_too_new",
            BundleError::Truncated { .. } | BundleError::TruncatedHeader => "bundle_truncated",
            BundleError::Checksum => "bundle_checksum",
            BundleError::Body(_) => "bundle_body",
            BundleError::NotForVillage => "bundle_not_for_village",
            BundleError::NotForCounty => "bundle_not_for_county",
            BundleError::WrongVillage(_) => "bundle_wrong_village",
            BundleError::ForeignRows => "bundle_foreign_rows",
            BundleError::OtherServer => "bundle_other_server",
            BundleError::Core(e) => e.code(),
            BundleError::Io(_) => "io",
        }
    }

    /// The technical detail behind the message, for the log only.
    pub fn detail(&self) -> Option<String> {
        match self {
            BundleError::Io(e) => Some(format!("{:?}: {e}", e.kind())),
            BundleError::Body(detail) => Some(detail.clone()),
            BundleError::Core(e) => e.detail(),
            _ => None,
        }
    }
}

/// Encodes a bundle to bytes.
pub fn encode(body: &BundleBody) -> Result<Vec<u8>, BundleError> {
    let json = serde_json::to_vec(body).map_err(|e| BundleError::Body(e.to_string()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)?;
    let payload = gz.finish()?;
    let digest = hex::encode(Sha256::digest(&payload));
    let mut out = format!("{MAGIC} {FORMAT} {} {digest}\n", payload.len()).into_bytes();
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes and checks a bundle; nothing is returned unless the whole file is intact.
pub fn decode(bytes: &[u8]) -> Result<BundleBody, BundleError> {
    let Some(newline) = bytes.iter().take(200).position(|b| *b == b'\n') else {
        return Err(
            if bytes.len() > MAGIC.len() && bytes.starts_with(MAGIC.as_bytes()) {
                BundleError::TruncatedHeader
            } else {
                BundleError::NotABundle
            },
        );
    };
    let header = std::str::from_utf8(&bytes[..newline]).map_err(|_| BundleError::NotABundle)?;
    let parts: Vec<&str> = header.split(' ').collect();
    let [magic, format, length, digest] = parts[..] else {
        return Err(BundleError::NotABundle);
    };
    if magic != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let format: u32 = format.parse().map_err(|_| BundleError::NotABundle)?;
    if format > FORMAT {
        return Err(BundleError::TooNew(format));
    }
    let expected: usize = length.parse().map_err(|_| BundleError::NotABundle)?;
    let payload = &bytes[newline + 1..];
    if payload.len() != expected {
        return Err(BundleError::Truncated {
            expected,
            found: payload.len(),
        });
    }
    if hex::encode(Sha256::digest(payload)) != digest {
        return Err(BundleError::Checksum);
    }
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(payload)
        .take(MAX_BUNDLE_BYTES as u64)
        .read_to_end(&mut json)
        .map_err(|e| BundleError::Body(e.to_string()))?;
    serde_json::from_slice(&json).map_err(|e| BundleError::Body(e.to_string()))
}

/// Collects this device's changes not yet acknowledged (or all of them, with `all`).
pub fn export(store: &Store, all: bool) -> Result<BundleBody, BundleError> {
    let village = store.village()?.ok_or(cunan_core::CoreError::NoVillage)?;
    let mut changes = Vec::new();
    let mut after = 0;
    loop {
        let batch = if all {
            cunan_core::sync::all_changes(store, after, 5_000)?
        } else {
            cunan_core::sync::unpushed(store, after, 5_000)?
        };
        let Some(last) = batch.last() else { break };
        after = last.seq;
        changes.extend(batch);
    }
    Ok(BundleBody {
        kind: BundleKind::Village,
        village_code: village.code,
        device_id: store.device_id().to_string(),
        created_at: store.clock().now().to_rfc3339(),
        changes,
        server_id: None,
        cursor: 0,
        positions: Vec::new(),
        receipts: Vec::new(),
    })
}

/// Writes bytes to `path` through a temporary name, so a pulled USB stick never leaves half a
/// file under the real name.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), BundleError> {
    let tmp = path.with_extension("partial");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// What reading the county's bundle did in the village store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountyBundleReport {
    /// Changes in the bundle.
    pub changes: usize,
    /// Of them, rows that were new or newer here.
    pub applied: usize,
    pub conflicts: usize,
    /// This device's changes the county confirmed it has: no longer sent again.
    pub acknowledged: usize,
    /// This device's changes still waiting for the county after this.
    pub still_waiting: i64,
}

/// Reads the county's bundle for this village: applies its rows with the same merge as a pull
/// (all or nothing), and takes its receipt, so changes the county already has are not sent again.
/// Refuses, before writing anything, a village bundle, another village's bundle, or one with rows
/// of another village.
pub fn import_county_bundle(
    store: &mut Store,
    bytes: &[u8],
) -> Result<CountyBundleReport, BundleError> {
    let body = decode(bytes)?;
    if body.kind != BundleKind::County {
        return Err(BundleError::NotForVillage);
    }
    let village = store.village()?.ok_or(cunan_core::CoreError::NoVillage)?;
    if body.village_code != village.code {
        return Err(BundleError::WrongVillage(body.village_code));
    }
    if body
        .changes
        .iter()
        .any(|c| c.village_code != village.code && c.village_code != cunan_core::sync::COUNTY_SCOPE)
    {
        return Err(BundleError::ForeignRows);
    }
    if !body.positions.is_empty() && body.positions.len() != body.changes.len() {
        return Err(BundleError::Body(
            "positions and changes differ in length".into(),
        ));
    }
    // A store enrolled online takes bundles from that server only: another server's receipt
    // would mark as sent changes the enrolled county never got.
    let enrolled: Vec<_> = cunan_core::sync::sync_states(store)?
        .into_iter()
        .filter(|s| s.device_token.is_some())
        .collect();
    if !enrolled.is_empty()
        && !enrolled
            .iter()
            .any(|s| s.server_id.is_some() && s.server_id == body.server_id)
    {
        return Err(BundleError::OtherServer);
    }
    // Where this store has got with that server (online or by earlier bundles): only what comes
    // after, and never this device's own changes (it has them, or newer), as a pull would.
    let own = store.device_id().to_string();
    let row = match &body.server_id {
        Some(id) => Some(cunan_core::sync::server_row(store, id)?),
        None => None,
    };
    let after = row.as_ref().map_or(0, |r| r.pull_cursor);
    let fresh: Vec<Change> = body
        .changes
        .iter()
        .enumerate()
        .filter(|(i, c)| c.device_id != own && body.positions.get(*i).is_none_or(|p| *p > after))
        .map(|(_, c)| c.clone())
        .collect();
    let applied = cunan_core::sync::apply_changes(
        store,
        &fresh,
        row.as_ref().map(|r| (r.server_url.as_str(), body.cursor)),
    )?;
    // The receipt: this device's changes the county holds. Only those whose copy in the bundle is
    // the very change written here are taken as received (a store restored from an old copy
    // reuses numbers the county holds for other changes: those still go, and the county's import
    // then says what is wrong).
    let held: std::collections::HashMap<i64, &str> = body
        .changes
        .iter()
        .filter(|c| c.device_id == own)
        .map(|c| (c.seq, c.hlc.as_str()))
        .collect();
    let acknowledged = match (
        &body.server_id,
        body.receipts.iter().find(|r| r.device_id == own),
    ) {
        (Some(_), Some(receipt)) => {
            let mut upto = 0;
            'scan: loop {
                let batch = cunan_core::sync::unpushed(store, upto, 5_000)?;
                if batch.is_empty() {
                    break;
                }
                for change in &batch {
                    if change.seq > receipt.seq
                        || held.get(&change.seq) != Some(&change.hlc.as_str())
                    {
                        break 'scan;
                    }
                    upto = change.seq;
                }
            }
            cunan_core::sync::mark_pushed(store, upto)?
        }
        _ => 0,
    };
    Ok(CountyBundleReport {
        changes: body.changes.len(),
        applied: applied.applied,
        conflicts: applied.conflicts,
        acknowledged,
        still_waiting: store.unpushed_changes()?,
    })
}

/// Writes a bundle file (to a temporary name first, so a pulled USB stick never leaves half a
/// file under the real name). Returns how many changes it holds.
pub fn export_to_file(
    store: &Store,
    path: &std::path::Path,
    all: bool,
) -> Result<usize, BundleError> {
    let body = export(store, all)?;
    write_file(path, &encode(&body)?)?;
    Ok(body.changes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> BundleBody {
        BundleBody {
            kind: BundleKind::Village,
            village_code: "330502101201".into(),
            device_id: "d".into(),
            created_at: "2026-06-01T00:00:00Z".into(),
            changes: vec![],
            server_id: None,
            cursor: 0,
            positions: vec![],
            receipts: vec![],
        }
    }

    #[test]
    fn a_bundle_round_trips_and_any_damage_is_refused() {
        let bytes = encode(&body()).unwrap();
        assert_eq!(decode(&bytes).unwrap(), body());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x20;
            assert!(decode(&damaged).is_err(), "byte {i} flipped");
        }
    }
}
