//! The device's signing key (ed25519). A village device signs every USB bundle it writes; the
//! county registers the device's public key when the device enrolls (online, or through a
//! bundle carrying a one-time enrollment code) and takes bundles of that device only under it.
//! The seed is the store's (`device.signing_seed`), so the key goes wherever the store goes.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use cunan_core::{CoreError, Store};

/// This device's signing key.
pub fn device_key(store: &Store) -> Result<SigningKey, CoreError> {
    Ok(SigningKey::from_bytes(&store.signing_seed()?))
}

/// The public half of `key`, as the county stores it: 64 hex digits.
pub fn public_key_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}

/// Signs `message`: 128 hex digits.
pub fn sign(key: &SigningKey, message: &[u8]) -> String {
    hex::encode(key.sign(message).to_bytes())
}

/// Whether `signature` (hex) is `public_key`'s (hex) over `message`. Anything malformed is
/// simply not a valid signature.
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let Some(key) = hex::decode(public_key.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
    else {
        return false;
    };
    let Some(signature) = hex::decode(signature.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
    else {
        return false;
    };
    key.verify_strict(message, &signature).is_ok()
}

/// Whether `public_key` is a well-formed ed25519 public key (hex).
pub fn is_public_key(public_key: &str) -> bool {
    hex::decode(public_key.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .is_some_and(|b| VerifyingKey::from_bytes(&b).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_only_for_its_key_and_message() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let other = SigningKey::from_bytes(&[8; 32]);
        let signature = sign(&key, b"bundle");
        assert!(verify(&public_key_hex(&key), b"bundle", &signature));
        assert!(!verify(&public_key_hex(&key), b"bundlf", &signature));
        assert!(!verify(&public_key_hex(&other), b"bundle", &signature));
        assert!(!verify("zz", b"bundle", &signature));
        assert!(!verify(&public_key_hex(&key), b"bundle", "00"));
        assert!(is_public_key(&public_key_hex(&key)));
        assert!(!is_public_key("abcd"));
    }
}
