//! What the audit log remembers for the scorecard: the items people set and
//! the latest rollback that worked, for one service.

use std::path::Path;

use crate::domain::Timestamp;
pub use crate::domain::scorecard::Recalled;
use crate::domain::scorecard::{Item, Setting, Status, printable};

/// Read `text` (an audit log) for `service`. Lines that are not records of
/// this service are passed over; a torn last line is ignored.
pub fn recall(text: &str, service: &str) -> Recalled {
    let mut out = Recalled::default();
    for line in text.lines() {
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let field = |k: &str| record.get(k).and_then(|v| v.as_str());
        if field("target") != Some(service) {
            continue;
        }
        let Some(time) = field("time").and_then(|t| t.parse::<Timestamp>().ok()) else {
            continue;
        };
        match field("record") {
            // A rollback that worked, or a drill run to its debrief: rehearsals.
            Some("outcome")
                if field("action") == Some("roll back") && field("result") == Some("ok") =>
            {
                out.last_rollback = out.last_rollback.max(Some(time));
            }
            Some("drill") => out.last_rollback = out.last_rollback.max(Some(time)),
            Some("scorecard") => {
                let item = field("item").and_then(Item::from_key);
                let status = field("status").and_then(Status::from_word);
                if let (Some(item), Some(status)) = (item, status) {
                    out.settings.push(Setting {
                        item,
                        status,
                        note: printable(field("reason").unwrap_or_default()),
                        operator: printable(field("operator").unwrap_or_default()),
                        at: time,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Read the audit log at `path`; a log that does not exist yet remembers nothing.
pub fn recall_file(path: &Path, service: &str) -> std::io::Result<Recalled> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(recall(&text, service)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Recalled::default()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditRecord;
    use crate::domain::Span;
    use crate::domain::action::ActionRequest;
    use crate::domain::rollout::Action;
    use crate::domain::rollout::ActionScope;
    use crate::sim::FleetSpec;

    fn line(record: &AuditRecord) -> String {
        serde_json::to_string(record).unwrap_or_default()
    }

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
        let text = [
            line(&AuditRecord::scorecard(&setting, &plan)),
            line(&AuditRecord::attempt(&request, later)),
            line(&AuditRecord::outcome(&request, later, &Ok("done".into()))),
            line(&AuditRecord::outcome(
                &other,
                later + Span::days(1),
                &Ok("done".into()),
            )),
            line(&AuditRecord::outcome(
                &request,
                later + Span::days(2),
                &Err(crate::domain::action::ControlError::Refused("409".into())),
            )),
            "{\"torn".to_string(),
        ]
        .join("\n");
        let recalled = recall(&text, &plan.service);
        assert_eq!(recalled.settings, [setting]);
        assert_eq!(recalled.last_rollback, Some(later));
    }

    #[test]
    fn a_missing_log_remembers_nothing() {
        let path = std::env::temp_dir().join("warroom-recall-none/audit.jsonl");
        assert_eq!(recall_file(&path, "x").ok(), Some(Recalled::default()));
    }
}
