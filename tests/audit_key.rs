//! An audit key (`WARROOM_AUDIT_KEY_FILE`): records written under it verify
//! only under it, so that rewriting the chain with plain hashes, head and
//! all, is found by `audit verify`; a key file others can read is warned of.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn warroom(args: &[&str], key: Option<&Path>) -> (Option<i32>, String) {
    common::warroom_run(args, key)
}

fn set(log: &Path, item: &str, key: Option<&Path>) -> (Option<i32>, String) {
    common::scorecard_set(log, item, "green", key)
}

#[test]
fn a_keyed_log_verifies_only_under_its_key() {
    let dir = common::temp_dir("audit-key");
    let key = dir.join("audit.key");
    std::fs::write(&key, "a long random secret\n").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let log = dir.join("audit.jsonl");
    for item in ["baseline", "pilot"] {
        let (code, out) = set(&log, item, Some(&key));
        assert_eq!(code, Some(0), "{out}");
        assert!(!out.contains("warning"), "{out}");
    }
    let verify = |key: Option<&Path>| warroom(&["audit", "verify", log.to_str().unwrap()], key);
    let (code, out) = verify(Some(&key));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact, 2 records"), "{out}");
    let (code, out) = verify(None);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(":1: BROKEN") && out.contains("WARROOM_AUDIT_KEY_FILE"),
        "{out}"
    );

    // A key others can read still works, with a warning.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, out) = verify(Some(&key));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("can be read by others"), "{out}");
    // A key file that is not there stops everything, naming the variable.
    let (code, out) = set(&log, "support", Some(&dir.join("missing.key")));
    assert_ne!(code, Some(0), "{out}");
    assert!(
        out.contains("WARROOM_AUDIT_KEY_FILE") && out.contains("missing.key"),
        "{out}"
    );
    assert_eq!(verify(Some(&key)).0, Some(0), "nothing was written");
}
