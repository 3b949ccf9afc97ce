//! Signed USB bundles (issue #12): the county takes a village device's bundle only under the key
//! it registered for that device. A bundle re-written for another village, one signed by
//! another key, one of a device the county does not know (or has revoked) is refused whole,
//! nothing stored, and the refusal is in the audit trail with the file's SHA-256.

mod common;

use common::*;
use cunan_core::Store;
use cunan_county::{import_bundle, CountyStorage, SqliteStorage};
use cunan_sync::bundle;
use cunan_sync::keys;
use ed25519_dalek::SigningKey;

const OTHER: &str = "330599101299";

struct Setup {
    _dir: tempfile::TempDir,
    storage: SqliteStorage,
    village: Store,
    code: String,
}

/// A county that knows the village's device: its first bundle carried a code.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut village = demo_store(&dir.path().join("a.db"), 5, 7);
    let code = village_code(&village);
    let storage = SqliteStorage::open(&dir.path().join("county.db")).unwrap();
    let usb_code = storage.add_village(&code, "演示村").unwrap();
    storage.add_village(OTHER, "邻村").unwrap();
    let (_, bytes) = bundle::export_signed(&village, false, Some(&usb_code)).unwrap();
    let report = import_bundle(&storage, &bytes, "测试").unwrap();
    assert!(report.enrolled && report.stored > 0);
    // The county's reply read back: nothing left to send, and the key known to be registered.
    let reply = cunan_county::county_bundle(&storage, &code, "2026-06-15T10:00:00Z").unwrap();
    let reply = cunan_county::encode_county_bundle(&storage, &reply).unwrap();
    bundle::import_county_bundle(&mut village, &reply).unwrap();
    assert_eq!(village.unpushed_changes().unwrap(), 0);
    assert!(village.key_registered().unwrap());
    Setup {
        _dir: dir,
        storage,
        village,
        code,
    }
}

fn refused_as(storage: &SqliteStorage, bytes: &[u8], code: &str) {
    let before = storage.change_count().unwrap();
    let err = import_bundle(storage, bytes, "测试").unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert!(err.to_string().contains("没有导入"), "{err}");
    assert_eq!(storage.change_count().unwrap(), before, "nothing stored");
    let last = &storage.audit_log(1).unwrap()[0];
    assert_eq!(
        (last.entry.action.as_str(), last.entry.outcome.as_str()),
        ("import_bundle", code)
    );
    assert!(last.entry.detail.starts_with("sha256 "), "{:?}", last.entry);
}

/// The village's bundle with its changes moved to another village, as someone with the file
/// and a text editor would.
fn moved_to(body: &bundle::BundleBody, village: &str) -> bundle::BundleBody {
    let mut body = body.clone();
    body.village_code = village.into();
    for change in &mut body.changes {
        change.village_code = village.into();
        change.data["village_code"] = village.into();
    }
    body
}

#[test]
fn a_bundle_rewritten_for_another_village_is_refused() {
    let mut s = setup();
    s.village
        .save(&cunan_core::Grid {
            name: "新网格".into(),
            ..Default::default()
        })
        .unwrap();
    let body = bundle::export(&s.village, false).unwrap();
    assert_eq!(body.changes.len(), 1);

    // Re-checksummed, unsigned.
    refused_as(
        &s.storage,
        &bundle::encode(&moved_to(&body, OTHER)).unwrap(),
        "bundle_unknown_device",
    );
    // Signed by a key of the forger's own, claiming the device the county knows in village A.
    let forger = SigningKey::from_bytes(&[9; 32]);
    let mut claimed = body.clone();
    claimed.public_key = Some(keys::public_key_hex(&forger));
    refused_as(
        &s.storage,
        &bundle::encode_signed(&claimed, &forger).unwrap(),
        "bundle_bad_signature",
    );
    // The device's own signature over the original, spliced onto the altered content.
    let genuine = bundle::encode_signed(&body, &keys::device_key(&s.village).unwrap()).unwrap();
    let signature = header_field(&genuine, 4);
    let altered = bundle::encode(&{
        let mut b = body.clone();
        b.changes[0].data["name"] = "改过的网格".into();
        b
    })
    .unwrap();
    refused_as(
        &s.storage,
        &with_signature(&altered, &signature),
        "bundle_bad_signature",
    );
    // Unsigned, under the known device.
    refused_as(
        &s.storage,
        &bundle::encode(&body).unwrap(),
        "bundle_unsigned",
    );
    // And the genuine one lands.
    let report = import_bundle(&s.storage, &genuine, "测试").unwrap();
    assert_eq!((report.stored, report.enrolled), (1, false));
    assert!(s
        .storage
        .live_rows(&s.code)
        .unwrap()
        .values()
        .any(|row| row["name"] == "新网格"));
}

#[test]
fn a_device_the_county_does_not_know_needs_a_code_of_its_own_village() {
    let dir = tempfile::tempdir().unwrap();
    let village = demo_store(&dir.path().join("a.db"), 3, 8);
    let code = village_code(&village);
    let storage = SqliteStorage::open(&dir.path().join("county.db")).unwrap();
    storage.add_village(&code, "演示村").unwrap();
    let other_code = storage.add_village(OTHER, "邻村").unwrap();

    let (_, no_code) = bundle::export_signed(&village, false, None).unwrap();
    refused_as(&storage, &no_code, "bundle_unknown_device");
    let err = import_bundle(&storage, &no_code, "测试").unwrap_err();
    assert!(err.to_string().contains("登记码"), "{err}");

    // A code of the neighbouring village does not enroll this village's device, and stays
    // unused.
    let (_, wrong_code) = bundle::export_signed(&village, false, Some(&other_code)).unwrap();
    refused_as(&storage, &wrong_code, "forbidden");
    assert!(storage
        .enroll(&other_code, "neighbour-pc", None)
        .unwrap()
        .is_some());

    // A used or made-up code neither.
    let (_, made_up) = bundle::export_signed(&village, false, Some("AAAA-BBBB-CCCC")).unwrap();
    refused_as(&storage, &made_up, "forbidden");
    assert!(storage.devices(&code).unwrap().is_empty());
}

#[test]
fn a_revoked_device_is_refused_until_it_enrols_again() {
    let s = setup();
    let device = s.village.device_id().to_string();
    assert_eq!(s.storage.revoke_device(&s.code, &device).unwrap(), 1);
    let (_, bytes) = bundle::export_signed(&s.village, true, None).unwrap();
    refused_as(&s.storage, &bytes, "bundle_unknown_device");

    // A new code from the county brings it back, under the same key.
    let code = s.storage.add_village(&s.code, "演示村").unwrap();
    let (_, bytes) = bundle::export_signed(&s.village, true, Some(&code)).unwrap();
    let report = import_bundle(&s.storage, &bytes, "测试").unwrap();
    assert!(report.enrolled);
    assert_eq!(report.stored, 0, "everything was there already");
    let audit = s.storage.audit_log(10).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.entry.outcome == "bundle_unknown_device"));
}

#[test]
fn online_enrollment_registers_the_key_so_bundles_need_no_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut village = demo_store(&dir.path().join("a.db"), 3, 9);
    assert!(!village.key_registered().unwrap());
    let county = County::start(&dir.path().join("county.db"));
    enrolled_and_synced(&county, &mut village);
    assert!(village.key_registered().unwrap());
    assert_eq!(
        county
            .storage
            .device_key(&village_code(&village), village.device_id())
            .unwrap(),
        Some(keys::public_key_hex(&keys::device_key(&village).unwrap()))
    );
    village
        .save(&cunan_core::Grid {
            name: "离线时新建".into(),
            ..Default::default()
        })
        .unwrap();
    let (_, bytes) = bundle::export_signed(&village, false, None).unwrap();
    let report = import_bundle(county.storage.as_ref(), &bytes, "测试").unwrap();
    assert_eq!(report.stored, 1);
}

/// A device enrolled before keys existed registers its key on its next sync (once; another key
/// for the same device is refused).
#[test]
fn a_device_enrolled_before_keys_registers_its_key_on_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let mut village = demo_store(&dir.path().join("a.db"), 3, 10);
    let code = village_code(&village);
    let county = County::start(&dir.path().join("county.db"));
    // Enrolled as an older app did: no key sent.
    let enrollment = county.storage.add_village(&code, "演示村").unwrap();
    let old = county
        .storage
        .enroll(&enrollment, village.device_id(), None)
        .unwrap()
        .unwrap();
    cunan_core::sync::save_enrollment(
        &mut village,
        &county.url(),
        Some(&county.storage.server_id().unwrap()),
        &old.token,
        &code,
    )
    .unwrap();
    assert_eq!(
        county
            .storage
            .device_key(&code, village.device_id())
            .unwrap(),
        None
    );
    let client = cunan_sync::SyncClient::new(&county.url()).unwrap();
    client.sync_once(&mut village, &mut |_| {}).unwrap();
    assert!(village.key_registered().unwrap());
    let registered = county
        .storage
        .device_key(&code, village.device_id())
        .unwrap();
    assert_eq!(
        registered,
        Some(keys::public_key_hex(&keys::device_key(&village).unwrap()))
    );

    let auth = county.storage.authenticate(&old.token).unwrap().unwrap();
    let other = keys::public_key_hex(&SigningKey::from_bytes(&[5; 32]));
    assert!(county.storage.register_key(&auth, &other).is_err());
    assert_eq!(
        county
            .storage
            .device_key(&code, village.device_id())
            .unwrap(),
        registered
    );
}

/// The `n`th space-separated field of a bundle's header line.
fn header_field(bytes: &[u8], n: usize) -> String {
    let end = bytes.iter().position(|b| *b == b'\n').unwrap();
    std::str::from_utf8(&bytes[..end])
        .unwrap()
        .split(' ')
        .nth(n)
        .unwrap()
        .to_string()
}

/// `bytes` (an unsigned bundle) with `signature` put in its header.
fn with_signature(bytes: &[u8], signature: &str) -> Vec<u8> {
    let end = bytes.iter().position(|b| *b == b'\n').unwrap();
    let header = std::str::from_utf8(&bytes[..end]).unwrap();
    let mut out = format!("{} {signature}", header.trim_end_matches(" -")).into_bytes();
    out.extend_from_slice(&bytes[end..]);
    out
}

/// The county's bundles are signed with the server's key, which a village pins: at enrollment,
/// or from the first bundle of that server it reads. A county bundle altered (a duty phone
/// changed, say) and re-encoded, or signed by any other key, is refused whole.
#[test]
fn a_forged_county_bundle_is_refused_by_the_village() {
    let dir = tempfile::tempdir().unwrap();
    let county = County::start(&dir.path().join("county.db"));
    county
        .storage
        .publish("contact", &[county_contact("")])
        .unwrap();
    // One village enrolled online (key pinned at enrollment), one only ever on USB.
    let mut online = demo_store(&dir.path().join("online.db"), 3, 11);
    enrolled_and_synced(&county, &mut online);
    let server_id = county.storage.server_id().unwrap();
    let server_key = cunan_county::server_public_key(county.storage.as_ref()).unwrap();
    assert_eq!(
        cunan_core::sync::server_key(&online, &server_id).unwrap(),
        Some(server_key.clone())
    );
    let code = village_code(&online);
    let genuine =
        cunan_county::county_bundle(county.storage.as_ref(), &code, "2026-06-15T10:00:00Z")
            .unwrap();

    // The duty line's phone changed in the file.
    let mut altered = genuine.clone();
    for change in &mut altered.changes {
        if change.table == "contact" {
            change.data["phone"] = "13900000000".into();
        }
    }
    let forger = SigningKey::from_bytes(&[6; 32]);
    let mut reclaimed = altered.clone();
    reclaimed.public_key = Some(keys::public_key_hex(&forger));
    let rows = cunan_core::sync::live_rows(&online).unwrap();
    for (bytes, code) in [
        (bundle::encode(&altered).unwrap(), "bundle_unsigned"),
        (
            bundle::encode_signed(&altered, &forger).unwrap(),
            "bundle_bad_signature",
        ),
        (
            bundle::encode_signed(&reclaimed, &forger).unwrap(),
            "bundle_bad_signature",
        ),
    ] {
        let err = bundle::import_county_bundle(&mut online, &bytes).unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(
            cunan_core::sync::live_rows(&online).unwrap(),
            rows,
            "nothing applied"
        );
    }
    let bytes = cunan_county::encode_county_bundle(county.storage.as_ref(), &genuine).unwrap();
    bundle::import_county_bundle(&mut online, &bytes).unwrap();

    // A village on USB only pins the key of the first bundle it reads, then holds to it.
    let mut usb = demo_store(&dir.path().join("usb.db"), 3, 12);
    let first = cunan_county::encode_county_bundle(county.storage.as_ref(), &genuine).unwrap();
    bundle::import_county_bundle(&mut usb, &first).unwrap();
    assert_eq!(
        cunan_core::sync::server_key(&usb, &server_id).unwrap(),
        Some(server_key)
    );
    let err = bundle::import_county_bundle(
        &mut usb,
        &bundle::encode_signed(&reclaimed, &forger).unwrap(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "bundle_bad_signature", "{err}");
    let mut stripped = altered.clone();
    stripped.public_key = None;
    let err =
        bundle::import_county_bundle(&mut usb, &bundle::encode(&stripped).unwrap()).unwrap_err();
    assert_eq!(err.code(), "bundle_unsigned", "{err}");
}
