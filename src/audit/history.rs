//! DORA history from warroom's own audit log: the rollbacks it carried out.

use std::path::Path;

use super::entry::{Answer, AuditRecord};
use super::reader;
use crate::domain::dora::HistoryFileError;
use crate::domain::dora::{Event, History};
use crate::domain::rollout::Action;

/// The rollbacks warroom itself carried out, from the verified records of
/// its audit log: each marks the canary version it rolled back as a failed
/// deployment. With `service`, only that service's rollbacks (a log may be
/// shared by several). A log that does not verify is refused whole.
pub fn read_audit_rollbacks(
    path: &Path,
    service: Option<&str>,
    history: &mut History,
) -> Result<usize, HistoryFileError> {
    let file = path.display().to_string();
    let reading = reader::read(path).map_err(|e| HistoryFileError {
        file: file.clone(),
        line: 0,
        problem: e.to_string(),
    })?;
    if let Some(b) = &reading.walked.broken {
        return Err(HistoryFileError {
            file,
            line: b.line,
            problem: format!(
                "{}; the audit log does not verify, so none of it counts (check it with `warroom audit verify`)",
                b.problem
            ),
        });
    }
    if let Some(t) = &reading.walked.torn {
        tracing::warn!(file = %file, line = t.line, "audit log ends with a record that never finished; skipped");
    }
    let mut taken = 0;
    for entry in &reading.walked.entries {
        let AuditRecord::Outcome(o) = entry else {
            continue;
        };
        let a = &o.action;
        // The demo's and drills' rollbacks touched only the simulator: not history.
        if a.action != Action::Rollback
            || o.result != Answer::Ok
            || a.mode.is_some()
            || service.is_some_and(|s| a.target != s)
        {
            continue;
        }
        let rollback = Event::Rollback {
            deployment: None,
            version: Some(a.to_version.clone()),
            time: a.time,
        };
        if history.add(rollback).is_ok() {
            taken += 1;
        }
    }
    Ok(taken)
}
