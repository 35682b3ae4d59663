use std::path::{Path, PathBuf};

use super::reader::{Follower, Look};
use super::*;
use crate::domain::Timestamp;
use crate::domain::action::{ActionRequest, ControlError};
use crate::domain::rollout::{Action, ActionScope};

pub(super) fn request() -> ActionRequest {
    ActionRequest {
        id: 7,
        action: Action::Pause,
        scope: ActionScope::Rollout,
        service: "checkout-api".into(),
        stable_version: "v1".into(),
        canary_version: "v2".into(),
        operator: "alice".into(),
        reason: None,
    }
}

pub(super) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("warroom-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("nested/audit.jsonl")
}

pub(super) fn write_three(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let log = AuditLog::open(path)?;
    let first = log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
    let failed = Err(ControlError::Refused(
        "the rollout is already paused".into(),
    ));
    log.append(
        &AuditRecord::outcome(&request(), Timestamp::default(), &failed).answering(first.seq),
    )?;
    drop(log);
    // Reopening continues the chain.
    let log = AuditLog::open(path)?;
    log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
    Ok(())
}

pub(super) fn verify_file(path: &Path) -> Result<Verdict, AuditError> {
    Ok(chain::verdict(&reader::read(path)?.walked))
}

#[test]
fn appends_chained_json_lines() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("append");
    write_three(&path)?;
    let text = std::fs::read_to_string(&path)?;
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["record"], "attempt");
    assert_eq!(lines[0]["operator"], "alice");
    assert_eq!(lines[0]["prev"], GENESIS);
    assert_eq!(lines[0]["seq"], 1);
    // The log gives ids: an attempt's is its position, its outcome's the same.
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[1]["id"], 1);
    assert_eq!(lines[2]["id"], 3);
    assert_eq!(lines[1]["result"], "failed");
    assert_eq!(
        lines[1]["detail"],
        "refused by the target: the rollout is already paused"
    );
    assert_eq!(lines[1]["prev"], lines[0]["hash"]);
    assert_eq!(lines[2]["prev"], lines[1]["hash"]);
    assert_eq!(verify(&text), Verdict::Intact { records: 3 });
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 3 });
    let entries = reader::verified(&path)?;
    assert!(matches!(&entries[1], AuditRecord::Outcome(o) if o.result == entry::Answer::Failed));
    Ok(())
}

#[test]
fn a_timeout_is_an_unknown_outcome() {
    let timed_out = Err(ControlError::Timeout(std::time::Duration::from_secs(10)));
    let record = AuditRecord::outcome(&request(), Timestamp::default(), &timed_out);
    let json = serde_json::to_value(&record).unwrap_or_default();
    assert_eq!(json["result"], "unknown");
    assert_eq!(json["record"], "outcome");
    assert_eq!(json["action"], "pause");
}

#[test]
fn two_writers_on_one_log_keep_one_chain() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("two-writers");
    let dashboard = AuditLog::open(&path)?;
    let other = AuditLog::open(&path)?;
    let attempt = AuditRecord::attempt(&request(), Timestamp::default());
    let mut ids = Vec::new();
    for i in 0..10 {
        let log = if i % 3 == 0 { &other } else { &dashboard };
        ids.push(log.append(&attempt)?.seq);
    }
    assert_eq!(
        ids,
        (1..=10).collect::<Vec<_>>(),
        "ids are the log's, not each writer's"
    );
    // And from threads at once.
    let shared = std::sync::Arc::new(AuditLog::open(&path)?);
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let log = shared.clone();
            let record = attempt.clone();
            std::thread::spawn(move || (0..25).try_for_each(|_| log.append(&record).map(|_| ())))
        })
        .collect();
    for w in writers {
        w.join().map_err(|_| "a writer panicked")??;
    }
    let text = std::fs::read_to_string(&path)?;
    assert_eq!(verify(&text), Verdict::Intact { records: 110 });
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 110 });
    Ok(())
}

#[test]
fn verify_points_at_the_first_changed_removed_or_inserted_record()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("verify");
    write_three(&path)?;
    let text = std::fs::read_to_string(&path)?;
    let lines: Vec<&str> = text.lines().collect();
    // One byte changed in record 2.
    let edited = text.replacen("already paused", "already pausee", 1);
    assert!(matches!(verify(&edited), Verdict::Broken { line: 2, .. }));
    // Record 2 removed: record 3 no longer follows record 1.
    let removed = format!("{}\n{}\n", lines[0], lines[2]);
    assert!(
        matches!(verify(&removed), Verdict::Broken { line: 2, ref problem } if problem.contains("does not follow"))
    );
    // A record copied in twice.
    let inserted = format!("{}\n{}\n{}\n", lines[0], lines[0], lines[1]);
    assert!(matches!(verify(&inserted), Verdict::Broken { line: 2, .. }));
    // The last record cut short.
    let torn = &text[..text.len() - 10];
    assert!(matches!(verify(torn), Verdict::Broken { line: 3, .. }));
    Ok(())
}

#[test]
fn a_damaged_log_opens_but_is_not_appended_to() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("damaged");
    write_three(&path)?;
    let text = std::fs::read_to_string(&path)?;
    std::fs::write(&path, text.replacen("alice", "mallory", 3))?;
    // A dashboard still starts on it, and hears why.
    let log = AuditLog::open(&path)?;
    let why = log.opening().damaged.clone().unwrap_or_default();
    assert!(
        why.contains("damaged at line 1") && why.contains("audit verify"),
        "{why}"
    );
    let err = log
        .append(&AuditRecord::attempt(&request(), Timestamp::default()))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("damaged at line 1"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path)?,
        text.replacen("alice", "mallory", 3)
    );
    Ok(())
}

#[test]
fn a_write_that_never_finished_is_kept_aside_and_the_chain_goes_on()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("torn");
    write_three(&path)?;
    let whole = std::fs::read_to_string(&path)?;
    // A writer that died part-way through a fourth record: the head never
    // counted it.
    let partial = r#"{"record":"attempt","time":"2026-"#;
    std::fs::write(&path, format!("{whole}{partial}"))?;
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 3 });
    let log = AuditLog::open(&path)?;
    let aside = log.opening().torn_aside.clone().ok_or("not kept aside")?;
    assert_eq!(aside, path.with_file_name("audit.jsonl.torn-4"));
    assert_eq!(std::fs::read_to_string(&aside)?, partial);
    assert_eq!(std::fs::read_to_string(&path)?, whole);
    log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 4 });
    Ok(())
}

#[test]
fn a_torn_line_that_is_no_record_is_left_alone() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("not-a-log");
    std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
    std::fs::write(&path, "my notes, without a final newline")?;
    let log = AuditLog::open(&path)?;
    assert!(log.opening().torn_aside.is_none());
    assert!(log.opening().damaged.is_some());
    assert_eq!(
        std::fs::read_to_string(&path)?,
        "my notes, without a final newline"
    );
    Ok(())
}

#[test]
fn a_follower_verifies_what_it_reads_and_says_when_the_log_breaks()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("follow");
    write_three(&path)?;
    let mut follower = Follower::from_end(&path);
    assert_eq!(follower.look(), Look::Appended(vec![]));
    let log = AuditLog::open(&path)?;
    let attempt = AuditRecord::attempt(&request(), Timestamp::default());
    log.append(&attempt)?;
    let Look::Appended(seen) = follower.look() else {
        return Err("broken too early".into());
    };
    assert_eq!(seen.len(), 1);
    // A line with no hash at all, added by hand.
    let mut text = std::fs::read_to_string(&path)?;
    text.push_str("{\"record\":\"scorecard\",\"item\":\"support\",\"status\":\"green\"}\n");
    std::fs::write(&path, text)?;
    let look = follower.look();
    assert!(
        matches!(&look, Look::Broken(why) if why.contains("line 5")),
        "{look:?}"
    );
    assert_eq!(follower.look(), Look::Appended(vec![]), "reported once");
    Ok(())
}

#[test]
fn open_names_the_path_on_failure() {
    let err = AuditLog::open(Path::new("/proc/warroom-cannot-write/audit.jsonl"));
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("/proc/warroom-cannot-write/audit.jsonl"),
        "{msg}"
    );
}
