//! The audit log against someone editing it by hand: forged lines without a
//! hash, a chain rewritten with fresh hashes, a record cut short, the last
//! record deleted; links where its files should be; and its file modes.
//! What does not verify counts for nothing (`scorecard show`) and `audit
//! verify` says BROKEN.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{scorecard_set, scorecard_show, temp_dir, warroom_run};
use sha2::{Digest, Sha256};
use warroom::audit::{AuditLog, AuditRecord};
use warroom::domain::action::ActionRequest;
use warroom::domain::rollout::{Action, ActionScope};

fn warroom(args: &[&str]) -> (Option<i32>, String) {
    warroom_run(args, None)
}

fn set(log: &Path, item: &str, status: &str) -> (Option<i32>, String) {
    scorecard_set(log, item, status, None)
}

fn show(log: &Path) -> String {
    scorecard_show(log)
}

fn verify(log: &Path) -> (Option<i32>, String) {
    warroom(&["audit", "verify", log.to_str().unwrap()])
}

fn green(card: &str, title: &str) -> bool {
    card.lines()
        .any(|l| l.trim_start().starts_with("GREEN") && l.contains(title))
}

/// A log of three settings made through the command line.
fn three(name: &str) -> PathBuf {
    let log = temp_dir(name).join("audit.jsonl");
    for item in ["baseline", "pilot", "support"] {
        let (code, out) = set(&log, item, "green");
        assert_eq!(code, Some(0), "{out}");
    }
    assert!(green(&show(&log), "Baseline configs"));
    log
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `line` with `edit` applied to its body and its hash made anew, chained
/// onto `prev`: what someone who knows the format can write.
fn reseal(line: &str, prev: &str, edit: impl Fn(&mut serde_json::Value)) -> (String, String) {
    let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
    let object = value.as_object_mut().unwrap();
    object.remove("hash");
    object.insert("prev".into(), prev.into());
    edit(&mut value);
    let body = serde_json::to_string(&value).unwrap();
    let hash = sha256_hex(&body);
    let sealed = format!("{},\"hash\":\"{hash}\"}}", &body[..body.len() - 1]);
    (sealed, hash)
}

#[test]
fn forged_lines_without_a_hash_count_for_nothing_and_are_reported() {
    let log = three("audit-forged");
    let mut text = std::fs::read_to_string(&log).unwrap();
    for item in ["communications", "baseline"] {
        text.push_str(&format!(
            "{{\"record\":\"scorecard\",\"time\":\"2026-03-01T00:00:00Z\",\"operator\":\"mallory\",\"target\":\"checkout-api\",\"reason\":\"trust me\",\"item\":\"{item}\",\"status\":\"green\"}}\n"
        ));
    }
    std::fs::write(&log, text).unwrap();

    let (code, out) = verify(&log);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains(":4: BROKEN"), "{out}");
    let card = show(&log);
    assert!(card.contains("damaged at line 4"), "{card}");
    assert!(!green(&card, "Communications ready"), "{card}");
    assert!(!green(&card, "Baseline configs"), "nothing counts: {card}");
    assert!(card.contains("the audit log cannot be read"), "{card}");
    // And nothing is chained onto it.
    let (code, out) = set(&log, "communications", "green");
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("damaged at line 4"), "{out}");
}

#[test]
fn a_chain_rewritten_with_fresh_hashes_counts_for_nothing() {
    let log = three("audit-rewritten");
    let text = std::fs::read_to_string(&log).unwrap();
    let mut prev = warroom::audit::GENESIS.to_string();
    let mut rewritten = String::new();
    for line in text.lines() {
        let (sealed, hash) = reseal(line, &prev, |v| {
            v["operator"] = "mallory".into();
        });
        rewritten.push_str(&sealed);
        rewritten.push('\n');
        prev = hash;
    }
    // Without the head beside it, the text alone checks out…
    assert_eq!(
        warroom::audit::verify(&rewritten),
        warroom::audit::Verdict::Intact { records: 3 }
    );
    std::fs::write(&log, rewritten).unwrap();
    // …but the head names another last record.
    let (code, out) = verify(&log);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(":3: BROKEN") && out.contains("rewritten"),
        "{out}"
    );
    let card = show(&log);
    assert!(!green(&card, "Baseline configs"), "{card}");
    assert!(!card.contains("mallory"), "{card}");
}

#[test]
fn a_hashed_line_added_after_the_head_is_reported() {
    let log = three("audit-added");
    let text = std::fs::read_to_string(&log).unwrap();
    let last = text.lines().last().unwrap();
    let prev: serde_json::Value = serde_json::from_str(last).unwrap();
    let (forged, _) = reseal(last, prev["hash"].as_str().unwrap(), |v| {
        v["item"] = "communications".into();
        v["seq"] = 4.into();
    });
    std::fs::write(&log, format!("{text}{forged}\n")).unwrap();
    let (code, out) = verify(&log);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(":4: BROKEN") && out.contains("added after"),
        "{out}"
    );
    assert!(!green(&show(&log), "Communications ready"));
}

#[test]
fn a_record_cut_short_then_appended_to_fails_verify() {
    let log = three("audit-cut");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, &text[..text.len() - 20]).unwrap();
    // The next writer does not take the cut record for a crash's leftover.
    let (code, out) = set(&log, "communications", "green");
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("cut off its end"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        text[..text.len() - 20]
    );
    let (code, out) = verify(&log);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(":3: BROKEN") && out.contains("cut short"),
        "{out}"
    );
    // A dashboard opening it starts, and is told.
    let opened = AuditLog::open(&log).unwrap();
    assert!(
        opened
            .opening()
            .damaged
            .as_deref()
            .is_some_and(|d| d.contains("cut off its end")),
        "{:?}",
        opened.opening()
    );
    assert!(opened.opening().torn_aside.is_none());
}

#[test]
fn the_last_record_deleted_fails_verify() {
    let log = three("audit-deleted");
    let text = std::fs::read_to_string(&log).unwrap();
    let kept: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&log, kept).unwrap();
    let (code, out) = verify(&log);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(":3: BROKEN") && out.contains("holds 3 records but it holds 2"),
        "{out}"
    );
    assert!(!green(&show(&log), "Baseline configs"));
    // Deleting the head too does not hide it: the records say a head was kept.
    std::fs::remove_file(log.with_file_name("audit.jsonl.head")).unwrap();
    let (code, out) = verify(&log);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("head file is missing"), "{out}");
}

#[test]
fn a_linked_log_is_refused() {
    let dir = temp_dir("audit-link");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    let log = dir.join("audit.jsonl");
    std::os::unix::fs::symlink(&victim, &log).unwrap();
    let err = AuditLog::open(&log)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("symbolic link"), "{err}");
    let (code, out) = set(&log, "baseline", "green");
    assert_ne!(code, Some(0), "{out}");
    let (code, out) = verify(&log);
    assert_ne!(code, Some(0), "{out}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn a_link_where_the_torn_record_would_be_kept_is_refused() {
    let log = three("audit-torn-link");
    let whole = std::fs::read_to_string(&log).unwrap();
    let torn = format!("{whole}{{\"record\":\"attempt\",\"ti");
    std::fs::write(&log, &torn).unwrap();
    let victim = log.with_file_name("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    let aside = log.with_file_name("audit.jsonl.torn-4");
    std::os::unix::fs::symlink(&victim, &aside).unwrap();

    let opened = AuditLog::open(&log).unwrap();
    let why = opened.opening().damaged.clone().unwrap_or_default();
    assert!(why.contains("symbolic link"), "{why}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(
        std::fs::symlink_metadata(&aside)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        torn,
        "left as it was"
    );
    // Once the link is gone, the record is kept aside and the log goes on.
    std::fs::remove_file(&aside).unwrap();
    let (code, out) = set(&log, "communications", "green");
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        std::fs::read_to_string(&aside).unwrap(),
        "{\"record\":\"attempt\",\"ti"
    );
    assert_eq!(verify(&log).0, Some(0));
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn files_are_0600_and_folders_0700() {
    let dir = temp_dir("audit-modes");
    let log = dir.join("state/warroom/audit.jsonl");
    let (code, out) = set(&log, "baseline", "green");
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(mode(&dir.join("state")), 0o700);
    assert_eq!(mode(&dir.join("state/warroom")), 0o700);
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(&log.with_file_name("audit.jsonl.head")), 0o600);
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, format!("{text}{{\"record\":\"sc")).unwrap();
    let (code, out) = set(&log, "pilot", "green");
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(mode(&log.with_file_name("audit.jsonl.torn-2")), 0o600);
}

fn request(operator: &str) -> ActionRequest {
    ActionRequest {
        id: 1,
        action: Action::Rollback,
        scope: ActionScope::Rollout,
        service: "checkout-api".into(),
        stable_version: "v1".into(),
        canary_version: "v2".into(),
        operator: operator.into(),
        reason: None,
    }
}

#[test]
fn a_log_from_before_heads_and_positions_still_verifies_and_goes_on() {
    let dir = temp_dir("audit-older");
    let log = dir.join("audit.jsonl");
    // Written the way warroom wrote before: no `seq`, no head beside it.
    let mut prev = warroom::audit::GENESIS.to_string();
    let mut text = String::new();
    let now = chrono::Utc::now();
    for record in [
        AuditRecord::attempt(&request("alice"), now),
        AuditRecord::outcome(&request("alice"), now, &Ok("rolled back".into())),
    ] {
        let mut value = serde_json::to_value(&record).unwrap();
        value["prev"] = prev.clone().into();
        let body = serde_json::to_string(&value).unwrap();
        let hash = sha256_hex(&body);
        text.push_str(&format!(
            "{},\"hash\":\"{hash}\"}}\n",
            &body[..body.len() - 1]
        ));
        prev = hash;
    }
    std::fs::write(&log, &text).unwrap();
    let (code, out) = verify(&log);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("intact, 2 records") && out.contains("no head"),
        "{out}"
    );
    // It still counts: the rollback is a rehearsal.
    assert!(green(&show(&log), "Incident and rollback runbooks"));
    let (code, out) = set(&log, "baseline", "green");
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = verify(&log);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("intact, 3 records") && !out.contains("no head"),
        "{out}"
    );
}
