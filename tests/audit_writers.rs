//! Six processes opening one audit log at the same moment and appending to
//! it, three hundred times over: no record is lost, none is taken for a torn
//! one, every action id is different and the log verifies.
//!
//! The writers are this test binary itself, run as `writer` with the log's
//! path in the environment; each waits for a byte on its standard input, so
//! that all six start together.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use warroom::audit::chain::{Verdict, verdict};
use warroom::audit::{AuditLog, AuditRecord, reader};
use warroom::domain::action::ActionRequest;
use warroom::domain::rollout::{Action, ActionScope};

/// Set in a writer's environment: the log it writes.
const LOG: &str = "WARROOM_TEST_AUDIT_WRITER_LOG";
const WRITERS: usize = 6;
const TRIALS: usize = 300;
/// Records each writer appends: one attempt, so that three hundred trials
/// stay well under a minute on two cores (every append waits for the disk).
const EACH: usize = 1;

fn request() -> ActionRequest {
    ActionRequest {
        id: 1,
        action: Action::Pause,
        scope: ActionScope::Rollout,
        service: "checkout-api".into(),
        stable_version: "v1".into(),
        canary_version: "v2".into(),
        operator: format!("writer-{}", std::process::id()),
        // Long, so that a write takes long enough for a reader that does
        // not wait for the lock to catch it half-done.
        reason: Some("r".repeat(8 * 1024)),
    }
}

/// One writer: does nothing unless started by the test below.
#[test]
fn writer() {
    let Some(path) = std::env::var_os(LOG) else {
        return;
    };
    let mut go = [0u8; 1];
    std::io::stdin().read_exact(&mut go).unwrap();
    let log = AuditLog::open(Path::new(&path)).unwrap();
    let now = chrono::Utc::now();
    log.append(&AuditRecord::attempt(&request(), now)).unwrap();
}

#[test]
fn six_writers_at_once_lose_nothing() {
    let me = std::env::current_exe().unwrap();
    let dir = common::temp_dir("audit-writers");
    let started = Instant::now();
    for trial in 0..TRIALS {
        let log = dir.join(format!("{trial}/audit.jsonl"));
        let mut writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                Command::new(&me)
                    .args(["--exact", "writer", "--test-threads=1", "--quiet"])
                    .env(LOG, &log)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for w in &mut writers {
            w.stdin.take().unwrap().write_all(b"g").unwrap();
        }
        for w in writers {
            let out = w.wait_with_output().unwrap();
            assert!(out.status.success(), "trial {trial}: a writer failed");
        }
        let reading = reader::read(&log).unwrap();
        assert_eq!(
            verdict(&reading.walked),
            Verdict::Intact {
                records: WRITERS * EACH
            },
            "trial {trial}: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let mut ids: Vec<u64> = reading
            .walked
            .entries
            .iter()
            .filter_map(|e| match e {
                AuditRecord::Attempt(a) => Some(a.id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), WRITERS, "trial {trial}: ids shared: {ids:?}");
        let aside = std::fs::read_dir(log.parent().unwrap())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().contains("torn"))
            })
            .count();
        assert_eq!(
            aside, 0,
            "trial {trial}: a finished record was taken for a torn one"
        );
        std::fs::remove_dir_all(log.parent().unwrap()).unwrap();
    }
    eprintln!(
        "{TRIALS} trials of {WRITERS} writers took {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
