//! The audit log after the things that happen to it during an incident: a
//! log moved aside (the documented way out of a damaged one) or deleted, as
//! `scorecard show`, `dora --audit-log`, `audit verify` and the next writer
//! see it; and an action whose attempt waits for the log's lock while the
//! dashboard's async workers go on.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{scorecard_set, scorecard_show, temp_dir, warroom_run};
use tokio::sync::mpsc;
use warroom::app::Msg;
use warroom::audit::chain::{Verdict, verdict};
use warroom::audit::{AuditLog, AuditRecord, reader};
use warroom::domain::action::{ActionOutcome, ActionRequest, NoControl};
use warroom::domain::clock::{Clock, SystemClock};
use warroom::domain::rollout::{Action, ActionScope};
use warroom::runtime::executor::Executor;

fn warroom(args: &[&str]) -> (Option<i32>, String) {
    warroom_run(args, None)
}

fn set(log: &Path, item: &str) -> (Option<i32>, String) {
    scorecard_set(log, item, "green", None)
}

fn show(log: &Path) -> String {
    scorecard_show(log)
}

#[test]
fn a_log_moved_aside_is_reported_by_readers_and_started_anew_by_the_next_writer() {
    let log = temp_dir("audit-recovery-moved").join("audit.jsonl");
    for item in ["baseline", "pilot"] {
        assert_eq!(set(&log, item).0, Some(0));
    }
    let aside = log.with_file_name("audit.jsonl.damaged");
    std::fs::rename(&log, &aside).unwrap();

    let card = show(&log);
    assert!(card.contains("the log is gone"), "{card}");
    let (code, out) = warroom(&["dora", "--audit-log", log.to_str().unwrap()]);
    assert_ne!(code, Some(0), "{out}");
    assert!(out.contains("the log is gone"), "{out}");
    let (code, out) = warroom(&["audit", "verify", log.to_str().unwrap()]);
    assert_eq!(
        code,
        Some(2),
        "a log gone with its head left is broken: {out}"
    );
    assert!(
        out.contains("BROKEN") && out.contains("the log is gone"),
        "{out}"
    );

    // The next writer gives the new log a head of its own; verify says the
    // log was started anew until the old head is moved away.
    let (code, out) = set(&log, "support");
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = warroom(&["audit", "verify", log.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("started anew"), "{out}");
    // The old head is kept: put beside the old log, it checks out as it was.
    let (code, out) = warroom(&["audit", "verify", aside.to_str().unwrap()]);
    assert_eq!(code, Some(2), "no head beside it yet: {out}");
    let kept = log.with_file_name("audit.jsonl.head.before");
    std::fs::rename(&kept, aside.with_file_name("audit.jsonl.damaged.head")).unwrap();
    let (code, out) = warroom(&["audit", "verify", aside.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact, 2 records"), "{out}");
    let (code, out) = warroom(&["audit", "verify", log.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact, 1 records"), "{out}");
}

fn rollback() -> ActionRequest {
    ActionRequest {
        id: 1,
        action: Action::Rollback,
        scope: ActionScope::Rollout,
        service: "checkout-api".into(),
        stable_version: "v1".into(),
        canary_version: "v2".into(),
        operator: "alice".into(),
        reason: None,
    }
}

/// On one async worker, an action whose attempt waits for the log's lock
/// (held by another writer) leaves the worker free for everything else;
/// the attempt is still written before the call, the outcome after it.
#[tokio::test(flavor = "current_thread")]
async fn an_append_waiting_for_the_lock_does_not_hold_the_async_worker() {
    let path = temp_dir("audit-recovery-lock").join("audit.jsonl");
    let audit = Arc::new(AuditLog::open(&path).unwrap());
    let (tx, _rx) = mpsc::channel::<Msg>(8);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let executor = Executor::new(
        Arc::new(NoControl),
        audit,
        clock,
        tx,
        Duration::from_secs(5),
    );

    // Another writer holds the lock; it lets go after two seconds whatever
    // happens, so that a worker stuck in the wait fails this test, not hangs.
    let other = std::fs::File::options()
        .read(true)
        .append(true)
        .open(&path)
        .unwrap();
    other.lock().unwrap();
    let letting_go = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        other.unlock().unwrap();
    });
    let action = tokio::spawn(async move { executor.perform(&rollback()).await });
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(1),
        "the worker was held for {waited:?} by an append waiting for the lock"
    );
    let msg = action.await.unwrap();
    letting_go.join().unwrap();
    let Msg::ActionDone { outcome, .. } = msg else {
        panic!("not an outcome: {msg:?}");
    };
    // NoControl refuses: the call was made, after its attempt was recorded.
    assert!(
        matches!(&outcome, ActionOutcome::Failed(why) if why.contains("refused")),
        "{outcome:?}"
    );
    let reading = reader::read(&path).unwrap();
    assert_eq!(verdict(&reading.walked), Verdict::Intact { records: 2 });
    assert!(matches!(
        reading.walked.entries.as_slice(),
        [AuditRecord::Attempt(a), AuditRecord::Outcome(o)] if o.action.id == a.id
    ));
}
