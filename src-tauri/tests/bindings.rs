//! `ui/src/bindings.ts` must match the Rust types. Stale? Run
//! `UPDATE_BINDINGS=1 cargo test -p cunan-app bindings`.

use std::path::Path;

#[test]
fn bindings_are_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let expected = cunan_app_lib::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &expected).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "ui/src/bindings.ts is stale (or missing): the Rust types that cross IPC have changed.\n\
         run `UPDATE_BINDINGS=1 cargo test -p cunan-app bindings` and commit the result."
    );
}
