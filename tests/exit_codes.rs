//! Exit codes a pipeline can trust: a mistyped flag, an unknown command or
//! a missing argument exits 1 (2 means a breach, NO-GO or a broken audit
//! log); `--help` and `--version` exit 0 and print to standard output.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn warroom(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn usage_errors_exit_1_on_standard_error() {
    for args in [
        &["status", "--bogus"][..],
        &["launch-missiles"],
        &["status"],
        &["scorecard", "set", "--plan", "p.toml"],
        &["audit"],
        &["dora", "--window", "12"],
    ] {
        let (code, out, err) = warroom(args);
        assert_eq!(code, Some(1), "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?} printed to stdout: {out}");
        assert!(!err.trim().is_empty(), "{args:?} said nothing");
    }
    let (_, _, err) = warroom(&["status", "--bogus"]);
    assert!(err.contains("--bogus"), "{err}");
}

#[test]
fn help_and_version_exit_0_on_standard_output() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["status", "--help"],
        &["help", "drill"],
        &["--version"],
    ] {
        let (code, out, err) = warroom(args);
        assert_eq!(code, Some(0), "{args:?}: {out}{err}");
        assert!(!out.trim().is_empty(), "{args:?} printed nothing: {err}");
    }
    let (_, out, _) = warroom(&["--version"]);
    assert!(out.starts_with("warroom "), "{out}");
}
