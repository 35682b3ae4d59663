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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditLog, Mode};
    use crate::domain::Timestamp;
    use crate::domain::action::ActionRequest;
    use crate::domain::drill::debrief;
    use crate::domain::rollout::ActionScope;
    use crate::domain::timeline::{EventKind, Timeline};
    use crate::sim::FleetSpec;

    #[test]
    fn only_real_rollbacks_are_history() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("warroom-dora-play-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("audit.jsonl");
        let log = AuditLog::open(&path)?;
        let plan = FleetSpec::demo(1).plan;
        let request = ActionRequest {
            id: 1,
            action: Action::Rollback,
            scope: ActionScope::Rollout,
            service: plan.service.clone(),
            stable_version: plan.stable_version.clone(),
            canary_version: plan.canary_version.clone(),
            operator: "alice".into(),
            reason: None,
        };
        let t0 = Timestamp::default();
        let done = AuditRecord::outcome(&request, t0, &Ok("done".into()));
        log.append(&done.clone().marked(Some(Mode::Demo)))?;
        log.append(&done.clone().marked(Some(Mode::Drill)))?;
        // A drill that was detected and mitigated: a rehearsal, not a rollback.
        let mut acted = Timeline::default();
        acted.push(t0, EventKind::Breach, "BREACH error rate");
        acted.push(t0, EventKind::ActionOk, "roll back done: simulator");
        log.append(&AuditRecord::drill(
            &plan,
            true,
            "dana",
            t0,
            &debrief(&acted, t0, t0 + crate::domain::Span::minutes(1)),
        ))?;
        // A graded drill that passed: no rollback either.
        let graded = crate::domain::drill::grade::Grade::classic(
            &debrief(&acted, t0, t0 + crate::domain::Span::minutes(1)),
            t0,
        );
        log.append(&AuditRecord::graded(&plan, true, "dana", t0, &graded))?;
        let mut history = History::default();
        assert_eq!(read_audit_rollbacks(&path, None, &mut history)?, 0);
        log.append(&done)?;
        let mut history = History::default();
        assert_eq!(read_audit_rollbacks(&path, None, &mut history)?, 1);
        Ok(())
    }
}
