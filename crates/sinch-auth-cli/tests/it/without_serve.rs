//! A CLI built with `--no-default-features`: minting works, and `serve` and
//! `healthcheck` explain that they are not in this build.

use crate::common::*;

#[test]
fn serve_and_healthcheck_explain_the_missing_feature() {
    for args in [
        &["serve"][..],
        &["serve", "--listen", "127.0.0.1:8080", "--check-config"],
        &["healthcheck", "--url", "http://127.0.0.1:9/"],
    ] {
        let stderr = failure(bare().args(args), 2);
        assert!(stderr.contains("`serve` feature"), "{stderr}");
        assert!(stderr.contains("cargo install --locked"), "{stderr}");
    }
}

#[test]
fn minting_still_works() {
    let ticket = success(configured().args(["ticket", "--user", "alice"]));
    success(configured().args(["verify", &ticket]));
}
