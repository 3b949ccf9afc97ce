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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleBody {
    pub village_code: String,
    pub device_id: String,
    pub created_at: String,
    /// This device's changes in `seq` order.
    pub changes: Vec<Change>,
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
    #[error("数据包内容无法读取：{0}。没有导入任何数据。")]
    Body(String),
    #[error("{0}")]
    Core(#[from] cunan_core::CoreError),
    #[error("读写数据包文件出错：{0}")]
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
            BundleError::Core(e) => e.code(),
            BundleError::Io(_) => "io",
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
        village_code: village.code,
        device_id: store.device_id().to_string(),
        created_at: store.clock().now().to_rfc3339(),
        changes,
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
    let bytes = encode(&body)?;
    let tmp = path.with_extension("partial");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(body.changes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> BundleBody {
        BundleBody {
            village_code: "330502101201".into(),
            device_id: "d".into(),
            created_at: "2026-06-01T00:00:00Z".into(),
            changes: vec![],
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
