//! Enrollment with the county and the server address, the same in the app and the CLI: the
//! address check, the one-time code, and the Chinese messages for what can go wrong. These block
//! on the network: the shell runs them off the UI thread.

use std::path::Path;
use std::time::Duration;

use cunan_core::sync as core_sync;
use cunan_core::Store;
use cunan_sync::client::ClientOptions;
use cunan_sync::protocol::EnrollResponse;
use cunan_sync::{SyncClient, SyncError};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The form field of the address, where its errors are shown.
pub const ADDRESS_FIELD: &str = "服务器地址";
/// The form field of the one-time code.
pub const CODE_FIELD: &str = "登记码";

/// The server address as typed, trimmed; `http://` or `https://` only.
pub fn check_server_url(url: &str) -> ApiResult<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(url.to_string())
        }
        _ => Err(ApiError::field(
            ErrorCode::Input,
            ADDRESS_FIELD,
            "服务器地址应以 http:// 或 https:// 开头，例如 https://yjj.example.gov.cn，请照县应急管理局给的地址填写。",
        )),
    }
}

/// The one-time code as typed, trimmed; refused if empty.
pub fn check_code(code: &str) -> ApiResult<String> {
    let code = code.trim();
    if code.is_empty() {
        return Err(ApiError::field(
            ErrorCode::Input,
            CODE_FIELD,
            "请填写县应急管理局给的一次性登记码（形如 ABCD-EFGH-JKLM）。",
        ));
    }
    Ok(code.to_string())
}

/// The file of further certificate authorities a county may hand out with a server certificate
/// of its own authority, looked for next to the store (the app's data folder).
pub const COUNTY_CA_FILE: &str = "county-ca.pem";

/// How this store's sync client reaches the county: the county's certificate authority if
/// `county-ca.pem` lies next to the store, and whether plain http to another computer is allowed
/// for this call (an enrollment made with it allowed keeps it).
pub fn client_options(store: &Store, allow_plain_http: bool) -> ClientOptions {
    let ca = store
        .path()
        .parent()
        .map(|dir| dir.join(COUNTY_CA_FILE))
        .and_then(|path| std::fs::read(path).ok());
    ClientOptions {
        extra_roots_pem: ca,
        allow_plain_http,
    }
}

/// Exchanges the county's one-time code for this device's token, on `store`. Plain http to
/// another computer only with `allow_plain_http` (the officer ticked 允许不加密连接).
pub fn enroll(
    store: &mut Store,
    url: &str,
    code: &str,
    allow_plain_http: bool,
) -> ApiResult<EnrollResponse> {
    let url = check_server_url(url)?;
    let code = check_code(code)?;
    let options = client_options(store, allow_plain_http);
    let client =
        SyncClient::with_options(&url, Duration::from_secs(30), &options).map_err(address_error)?;
    client.enroll(store, &code).map_err(|e| match e {
        SyncError::PlainHttp(_) | SyncError::Certificate(_) => address_error(e),
        SyncError::Network(_) | SyncError::BadResponse => ApiError::new(
            ErrorCode::of(e.code()),
            "连不上这个地址的县级服务器。请检查地址是否填写正确、电脑是否已联网，然后重试。",
        ),
        SyncError::Unauthorized(_) => ApiError::field(
            ErrorCode::SyncUnauthorized,
            CODE_FIELD,
            "登记码不对、已经用过或已过期（登记码 7 天内有效）。请核对登记码；如仍不行，请向县应急管理局重新领取。",
        ),
        SyncError::Forbidden(message) => {
            ApiError::field(ErrorCode::SyncForbidden, CODE_FIELD, message)
        }
        other => other.into(),
    })
}

/// [`enroll`] on a connection of its own to the store file (the session's stays free).
pub fn enroll_at(
    path: &Path,
    url: &str,
    code: &str,
    allow_plain_http: bool,
) -> ApiResult<EnrollResponse> {
    enroll(&mut Store::open(path)?, url, code, allow_plain_http)
}

/// A refused address (plain http, an untrusted certificate), shown at the address field.
fn address_error(e: SyncError) -> ApiError {
    let code = ErrorCode::of(e.code());
    ApiError::field(code, ADDRESS_FIELD, e.to_string())
}

/// Uses another address of the enrolled server (an IP at the township office, a host name
/// elsewhere, a proxy), or with `None` goes back to the enrolled one. The address is asked who it
/// is first: one that answers as another county server is refused, and nothing (no token, no
/// data) is sent to it.
pub fn set_address(store: &mut Store, address: Option<&str>) -> ApiResult<()> {
    let current = core_sync::current_server(store)?.ok_or(SyncError::NotEnrolled)?;
    let Some(address) = address.filter(|a| !a.trim().is_empty()) else {
        return Ok(core_sync::set_address(store, &current.server_url, None)?);
    };
    let address = check_server_url(address)?;
    let options = client_options(store, false);
    let client = SyncClient::with_options(&address, Duration::from_secs(15), &options)
        .map_err(address_error)?;
    let state = client.resolve_enrollment(store).map_err(|e| match e {
        SyncError::PlainHttp(_) | SyncError::Certificate(_) => address_error(e),
        SyncError::Network(_) | SyncError::BadResponse => ApiError::field(
            ErrorCode::of(e.code()),
            ADDRESS_FIELD,
            "这个地址现在连不上，没有保存。请检查地址是否填写正确、电脑是否已联网，然后重试。",
        ),
        SyncError::WrongServer(message) => {
            ApiError::field(ErrorCode::SyncWrongServer, ADDRESS_FIELD, message)
        }
        other => other.into(),
    })?;
    Ok(core_sync::set_address(
        store,
        &state.server_url,
        Some(&address),
    )?)
}

/// [`set_address`] on a connection of its own to the store file.
pub fn set_address_at(path: &Path, address: Option<&str>) -> ApiResult<()> {
    set_address(&mut Store::open(path)?, address)
}

/// The address a sync round goes to: the one given (checked), else the one set in the
/// settings, else the one enrolled through.
pub fn sync_url(store: &Store, given: Option<&str>) -> ApiResult<String> {
    match given {
        Some(url) => check_server_url(url),
        None => Ok(core_sync::current_server(store)?
            .map(|s| s.connect_url().to_string())
            .ok_or(SyncError::NotEnrolled)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_must_be_http_urls() {
        assert_eq!(
            check_server_url(" http://10.1.2.3:8080/ ").ok().as_deref(),
            Some("http://10.1.2.3:8080")
        );
        assert!(check_server_url("https://yjj.example.gov.cn").is_ok());
        for bad in ["", "10.1.2.3", "ftp://x", "http://", "http://a b"] {
            let e = check_server_url(bad).err();
            assert_eq!(
                e.as_ref().and_then(|e| e.field.as_deref()),
                Some(ADDRESS_FIELD),
                "{bad:?}"
            );
            assert_eq!(e.map(|e| e.code), Some(ErrorCode::Input));
        }
    }

    #[test]
    fn an_empty_code_is_refused_at_its_field() {
        let e = check_code("   ").err();
        assert_eq!(
            e.and_then(|e| e.field).as_deref(),
            Some(CODE_FIELD),
            "shown at the code field"
        );
        assert_eq!(check_code(" AB-CD ").ok().as_deref(), Some("AB-CD"));
    }
}
