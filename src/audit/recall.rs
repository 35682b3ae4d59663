//! What the audit log remembers for the scorecard: the items people set and
//! the latest rehearsal (a rollback that worked, or a drill), for one service.

use std::path::Path;

use super::AuditError;
use super::entry::{Answer, AuditRecord};
use super::reader;
use crate::domain::rollout::Action;
pub use crate::domain::scorecard::Recalled;
use crate::domain::scorecard::{Setting, printable};

/// What verified `entries` remember of `service`; others' are passed over.
pub fn recall(entries: &[AuditRecord], service: &str) -> Recalled {
    let mut out = Recalled::default();
    for entry in entries.iter().filter(|e| e.target() == service) {
        match entry {
            AuditRecord::Outcome(o)
                if o.action.action == Action::Rollback && o.result == Answer::Ok =>
            {
                out.last_rollback = out.last_rollback.max(Some(o.action.time));
            }
            AuditRecord::Drill(d) => out.last_rollback = out.last_rollback.max(Some(d.time)),
            AuditRecord::Scorecard(s) => out.settings.push(Setting {
                item: s.item,
                status: s.status,
                note: printable(&s.reason),
                operator: printable(&s.operator),
                at: s.time,
            }),
            _ => {}
        }
    }
    out
}

/// Read the audit log at `path`; a log that does not exist yet remembers
/// nothing, and one that does not verify is an error: none of it counts.
pub fn recall_file(path: &Path, service: &str) -> Result<Recalled, AuditError> {
    Ok(recall(&reader::verified(path)?, service))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Span;
    use crate::domain::Timestamp;
    use crate::domain::action::ActionRequest;
    use crate::domain::rollout::ActionScope;
    use crate::domain::scorecard::{Item, Status};
    use crate::sim::FleetSpec;

    #[test]
    fn settings_and_rollbacks_of_the_service_come_back() {
        let plan = FleetSpec::demo(1).plan;
        let t0 = Timestamp::default();
        let setting = Setting {
            item: Item::Communications,
            status: Status::Red,
            note: "status page not drafted".into(),
            operator: "pat".into(),
            at: t0,
        };
        let request = ActionRequest {
            id: 1,
            action: Action::Rollback,
            scope: ActionScope::Region("eu-west-1".into()),
            service: plan.service.clone(),
            stable_version: plan.stable_version.clone(),
            canary_version: plan.canary_version.clone(),
            operator: "alice".into(),
            reason: None,
        };
        let later = t0 + Span::days(2);
        let mut other = request.clone();
        other.service = "another-service".into();
        let entries = [
            AuditRecord::scorecard(&setting, &plan),
            AuditRecord::attempt(&request, later),
            AuditRecord::outcome(&request, later, &Ok("done".into())),
            AuditRecord::outcome(&other, later + Span::days(1), &Ok("done".into())),
            AuditRecord::outcome(
                &request,
                later + Span::days(2),
                &Err(crate::domain::action::ControlError::Refused("409".into())),
            ),
        ];
        let recalled = recall(&entries, &plan.service);
        assert_eq!(recalled.settings, [setting]);
        assert_eq!(recalled.last_rollback, Some(later));
    }

    #[test]
    fn a_missing_log_remembers_nothing() {
        let path = std::env::temp_dir().join("warroom-recall-none/audit.jsonl");
        assert_eq!(recall_file(&path, "x").ok(), Some(Recalled::default()));
    }
}
