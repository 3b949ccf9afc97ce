//! The USB bundle: a village's changes in one file, for when the only link is a USB stick.
//!
//! Layout: one header line `CUNAN-BUNDLE 2 <length> <sha256-hex> <signature-hex or ->\n`, then
//! `length` bytes of gzip-compressed JSON ([`BundleBody`]). The length and SHA-256 of the body
//! are checked before anything is read from it, so a truncated or altered file is refused whole.
//! A village device signs its bundles with its own key ([`crate::keys`]) over the SHA-256: the
//! county takes a bundle only under the key it registered for that village's device, so a
//! bundle cannot be forged for another village or device, nor altered and checksummed again.
//! (Format 1 had no signature field; such files still decode, unsigned.)

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use cunan_core::sync::Change;
use cunan_core::Store;

const MAGIC: &str = "CUNAN-BUNDLE";
const FORMAT: u32 = 2;
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
    /// The county holds this device's public key: its signed bundles are taken.
    #[serde(default)]
    pub key_registered: bool,
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
    /// Village bundles: the public key (hex) of the device that signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Village bundles of a device the county does not know yet: the one-time enrollment code
    /// the county gave the village, which registers `public_key` for the device on import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_code: Option<String>,
}

/// A bundle read and checked whole, with what its header said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub body: BundleBody,
    /// The SHA-256 of the body (hex), as the header gave it and the body matched: the file's
    /// fingerprint in the county's audit trail.
    pub sha256: String,
    /// The signature over the SHA-256 (hex), if the file is signed.
    pub signature: Option<String>,
}

impl Decoded {
    /// Checks the file was signed with `public_key` (hex): neither written by another key nor
    /// changed since.
    pub fn verify(&self, public_key: &str) -> Result<(), BundleError> {
        let signature = self.signature.as_deref().ok_or(BundleError::Unsigned)?;
        if crate::keys::verify(public_key, &signed_message(&self.sha256), signature) {
            Ok(())
        } else {
            Err(BundleError::BadSignature)
        }
    }
}

/// What a bundle's signature is made over: its body's SHA-256, under a fixed label (so that the
/// key's signature on anything else is never a bundle's).
fn signed_message(sha256: &str) -> Vec<u8> {
    format!("CUNAN-BUNDLE-SIGNATURE {sha256}").into_bytes()
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
    #[error("数据包没有签名（可能来自旧版村安，或被人改过），没有导入任何数据。请把村里的村安升级到最新版本后重新导出。")]
    Unsigned,
    #[error("数据包的签名对不上：它不是由县里登记的这台设备写的，或写好后被改过。没有导入任何数据。请在村里那台电脑上重新导出，并当面交接 U 盘；如果电脑重装或更换过，请用新的登记码重新登记。")]
    BadSignature,
    #[error("写这个数据包的设备（{device}）还没有在县里登记，或凭证已停用、已过期，没有导入任何数据。请给村里一个新的登记码（cunan-county village add），让村里导出数据包时填上它。")]
    UnknownDevice { device: String },
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
            BundleError::Unsigned => "bundle_unsigned",
            BundleError::BadSignature => "bundle_bad_signature",
            BundleError::UnknownDevice { .. } => "bundle_unknown_device",
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

/// Encodes a bundle to bytes, unsigned (the county's bundles for villages).
pub fn encode(body: &BundleBody) -> Result<Vec<u8>, BundleError> {
    encode_with(body, None)
}

/// Encodes a bundle to bytes, signed with `key` (a village device's bundles).
pub fn encode_signed(
    body: &BundleBody,
    key: &ed25519_dalek::SigningKey,
) -> Result<Vec<u8>, BundleError> {
    encode_with(body, Some(key))
}

fn encode_with(
    body: &BundleBody,
    key: Option<&ed25519_dalek::SigningKey>,
) -> Result<Vec<u8>, BundleError> {
    let json = serde_json::to_vec(body).map_err(|e| BundleError::Body(e.to_string()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)?;
    let payload = gz.finish()?;
    let digest = hex::encode(Sha256::digest(&payload));
    let signature = match key {
        Some(key) => crate::keys::sign(key, &signed_message(&digest)),
        None => "-".to_string(),
    };
    let mut out = format!("{MAGIC} {FORMAT} {} {digest} {signature}\n", payload.len()).into_bytes();
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes and checks a bundle; nothing is returned unless the whole file is intact. (Whether
/// it is signed, and by whom, is [`decode_checked`]'s.)
pub fn decode(bytes: &[u8]) -> Result<BundleBody, BundleError> {
    decode_checked(bytes).map(|d| d.body)
}

/// Decodes and checks a bundle, keeping its fingerprint and signature for [`Decoded::verify`].
pub fn decode_checked(bytes: &[u8]) -> Result<Decoded, BundleError> {
    let Some(newline) = bytes.iter().take(400).position(|b| *b == b'\n') else {
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
    let (magic, format, length, digest, signature) = match parts[..] {
        [magic, format, length, digest] => (magic, format, length, digest, None),
        [magic, format, length, digest, signature] => {
            (magic, format, length, digest, Some(signature))
        }
        _ => return Err(BundleError::NotABundle),
    };
    if magic != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let format: u32 = format.parse().map_err(|_| BundleError::NotABundle)?;
    if format > FORMAT {
        return Err(BundleError::TooNew(format));
    }
    // Format 1 has no signature field; format 2 always has one: "-" when unsigned, else an
    // ed25519 signature in hex.
    let signature_shape = |s: &str| s == "-" || (s.len() == 128 && hex::decode(s).is_ok());
    if (format >= 2) != signature.is_some() || !signature.is_none_or(signature_shape) {
        return Err(BundleError::NotABundle);
    }
    let expected: usize = length.parse().map_err(|_| BundleError::NotABundle)?;
    let payload = &bytes[newline + 1..];
    if payload.len() != expected {
        return Err(BundleError::Truncated {
            expected,
            found: payload.len(),
        });
    }
    let sha256 = hex::encode(Sha256::digest(payload));
    if sha256 != digest {
        return Err(BundleError::Checksum);
    }
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(payload)
        .take(MAX_BUNDLE_BYTES as u64)
        .read_to_end(&mut json)
        .map_err(|e| BundleError::Body(e.to_string()))?;
    let body = serde_json::from_slice(&json).map_err(|e| BundleError::Body(e.to_string()))?;
    Ok(Decoded {
        body,
        sha256,
        signature: signature.filter(|s| *s != "-").map(str::to_string),
    })
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
        public_key: Some(crate::keys::public_key_hex(&crate::keys::device_key(
            store,
        )?)),
        enrollment_code: None,
    })
}

/// This device's bundle for the county, signed with its key: the body and the file's bytes.
/// `enrollment_code`: a one-time code from the county, for a device the county does not know
/// yet (never enrolled, or its registration lapsed); it registers the device's key on import.
pub fn export_signed(
    store: &Store,
    all: bool,
    enrollment_code: Option<&str>,
) -> Result<(BundleBody, Vec<u8>), BundleError> {
    let mut body = export(store, all)?;
    body.enrollment_code = enrollment_code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let bytes = encode_signed(&body, &crate::keys::device_key(store)?)?;
    Ok((body, bytes))
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
    let decoded = decode_checked(bytes)?;
    let body = &decoded.body;
    if body.kind != BundleKind::County {
        return Err(BundleError::NotForVillage);
    }
    let village = store.village()?.ok_or(cunan_core::CoreError::NoVillage)?;
    if body.village_code != village.code {
        return Err(BundleError::WrongVillage(body.village_code.clone()));
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
    check_county_signature(store, &decoded)?;
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
            if receipt.key_registered {
                store.set_key_registered()?;
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

/// A county bundle must be signed with the key this store pinned for its server (learnt at
/// enrollment, or from that server's first bundle read here, which then pins it). A bundle of
/// a server whose key is not known and that is not signed is taken as from a server older than
/// keys, unless this store already pinned some server's key (then the signature was stripped).
fn check_county_signature(store: &mut Store, decoded: &Decoded) -> Result<(), BundleError> {
    let body = &decoded.body;
    let pinned = match &body.server_id {
        Some(id) => cunan_core::sync::server_key(store, id)?,
        None => None,
    };
    match (pinned, &body.public_key, &body.server_id) {
        (Some(key), _, _) => decoded.verify(&key),
        (None, Some(key), Some(id)) => {
            decoded.verify(key)?;
            cunan_core::sync::pin_server_key(store, id, key, "bundle")?;
            Ok(())
        }
        (None, _, _) if decoded.signature.is_some() => Err(BundleError::BadSignature),
        (None, _, _) => {
            let any_pinned: bool = store
                .conn()
                .query_row("SELECT EXISTS (SELECT 1 FROM server_key)", [], |r| r.get(0))
                .map_err(cunan_core::CoreError::from)?;
            if any_pinned {
                Err(BundleError::Unsigned)
            } else {
                Ok(())
            }
        }
    }
}

/// Writes a bundle file (to a temporary name first, so a pulled USB stick never leaves half a
/// file under the real name). Returns how many changes it holds.
pub fn export_to_file(
    store: &Store,
    path: &std::path::Path,
    all: bool,
    enrollment_code: Option<&str>,
) -> Result<usize, BundleError> {
    let (body, bytes) = export_signed(store, all, enrollment_code)?;
    write_file(path, &bytes)?;
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
            public_key: None,
            enrollment_code: None,
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

    #[test]
    fn a_signed_bundle_verifies_only_under_its_key_and_unchanged() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let public = crate::keys::public_key_hex(&key);
        let bytes = encode_signed(&body(), &key).unwrap();
        let decoded = decode_checked(&bytes).unwrap();
        assert_eq!(decoded.body, body());
        decoded.verify(&public).unwrap();
        let other = crate::keys::public_key_hex(&ed25519_dalek::SigningKey::from_bytes(&[4; 32]));
        assert!(matches!(
            decoded.verify(&other),
            Err(BundleError::BadSignature)
        ));

        // Re-encoded by someone else (changed body, fresh checksum) under the old signature.
        let mut forged_body = body();
        forged_body.village_code = "330502101202".into();
        let forged = encode(&forged_body).unwrap();
        let header_end = bytes.iter().position(|b| *b == b'\n').unwrap();
        let signature = std::str::from_utf8(&bytes[..header_end])
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string();
        let forged_end = forged.iter().position(|b| *b == b'\n').unwrap();
        let mut spliced = std::str::from_utf8(&forged[..forged_end])
            .unwrap()
            .trim_end_matches(" -")
            .to_string();
        spliced.push(' ');
        spliced.push_str(&signature);
        let mut spliced = spliced.into_bytes();
        spliced.extend_from_slice(&forged[forged_end..]);
        let decoded = decode_checked(&spliced).unwrap();
        assert!(matches!(
            decoded.verify(&public),
            Err(BundleError::BadSignature)
        ));

        // Unsigned, and a format-1 file (no signature field): readable, never verified.
        let unsigned = encode(&body()).unwrap();
        assert!(matches!(
            decode_checked(&unsigned).unwrap().verify(&public),
            Err(BundleError::Unsigned)
        ));
        let end = unsigned.iter().position(|b| *b == b'\n').unwrap();
        let header = std::str::from_utf8(&unsigned[..end]).unwrap();
        let mut v1 = header
            .replacen("CUNAN-BUNDLE 2 ", "CUNAN-BUNDLE 1 ", 1)
            .trim_end_matches(" -")
            .to_string()
            .into_bytes();
        v1.extend_from_slice(&unsigned[end..]);
        let decoded = decode_checked(&v1).unwrap();
        assert_eq!(decoded.body, body());
        assert!(matches!(
            decoded.verify(&public),
            Err(BundleError::Unsigned)
        ));
    }
}
