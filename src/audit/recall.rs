//! What the audit log remembers for the scorecard: the items people set and
//! the latest rehearsal (a rollback that worked, or a drill that was
//! detected and mitigated), for one service; and the lines people wrote on
//! its timeline, which are play or real by the same rule as settings.
//!
//! Play never counts as real: the demo's and drills' settings and rollbacks
//! never count for a real plan. The demo counts only its own; a drill,
//! a rehearsal of a real plan, starts from the real plan's records and adds
//! its own. Records older than the marks carry none, and stay real. A
//! drill's debrief counts as a rehearsal wherever it is read — never as a
//! rollback.

use std::path::Path;

use super::AuditError;
use super::entry::{Answer, AuditRecord, Mode};
use super::reader;
use crate::domain::rollout::Action;
pub use crate::domain::scorecard::Recalled;
use crate::domain::scorecard::{Setting, printable};
use crate::domain::timeline::{Annotation, annotation_text};

/// What verified `entries` remember of `service` for a screen in `mode`
/// (`None`: a real plan); other services' records, and settings and
/// rollbacks made in another mode, are passed over.
pub fn recall(entries: &[AuditRecord], service: &str, mode: Option<Mode>) -> Recalled {
    let mut out = Recalled::default();
    for entry in entries.iter().filter(|e| e.target() == service) {
        match entry {
            // A drill of the built-in demo rehearses no real plan's runbook.
            AuditRecord::Drill(d)
                if d.rehearsed() && (mode.is_some() || d.of_plan != Some(false)) =>
            {
                out.last_rollback = out.last_rollback.max(Some(d.time));
            }
            _ if !counts(entry.mode(), mode) => {}
            AuditRecord::Outcome(o)
                if o.action.action == Action::Rollback && o.result == Answer::Ok =>
            {
                out.last_rollback = out.last_rollback.max(Some(o.action.time));
            }
            AuditRecord::Scorecard(s) => out.settings.push(Setting {
                item: s.item,
                status: s.status,
                note: printable(&s.reason),
                operator: printable(&s.operator),
                at: s.time,
            }),
            AuditRecord::Annotation(a) => out.annotations.push(Annotation {
                at: a.time,
                operator: printable(&a.operator),
                text: annotation_text(&a.text),
            }),
            _ => {}
        }
    }
    out
}

/// Whether a record made in `made` counts for a screen in `reading`.
fn counts(made: Option<Mode>, reading: Option<Mode>) -> bool {
    made == reading || (made.is_none() && reading == Some(Mode::Drill))
}

/// What the audit log at `path` remembers of `service` for a real plan; a
/// log that does not exist yet remembers nothing, and one that does not
/// verify is an error: none of it counts.
pub fn recall_file(path: &Path, service: &str) -> Result<Recalled, AuditError> {
    Ok(recall(&reader::verified(path)?, service, None))
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
        let recalled = recall(&entries, &plan.service, None);
        assert_eq!(recalled.settings, [setting]);
        assert_eq!(recalled.last_rollback, Some(later));
    }

    fn rollback(plan: &crate::domain::plan::RolloutPlan) -> ActionRequest {
        ActionRequest {
            id: 1,
            action: Action::Rollback,
            scope: ActionScope::Rollout,
            service: plan.service.clone(),
            stable_version: plan.stable_version.clone(),
            canary_version: plan.canary_version.clone(),
            operator: "alice".into(),
            reason: None,
        }
    }

    #[test]
    fn play_never_counts_for_a_real_plan() {
        let plan = FleetSpec::demo(1).plan;
        let t0 = Timestamp::default();
        let setting = |at| Setting {
            item: Item::Pilot,
            status: Status::Green,
            note: "re-tested".into(),
            operator: "pat".into(),
            at,
        };
        let done = AuditRecord::outcome(&rollback(&plan), t0, &Ok("done".into()));
        let mut entries = Vec::new();
        for mode in [Mode::Demo, Mode::Drill] {
            entries.push(AuditRecord::scorecard(&setting(t0), &plan).marked(Some(mode)));
            entries.push(done.clone().marked(Some(mode)));
        }
        let real = recall(&entries, &plan.service, None);
        assert_eq!(real, Recalled::default(), "play counted for the real plan");
        let demo = recall(&entries, &plan.service, Some(Mode::Demo));
        assert_eq!(demo.settings, [setting(t0)]);
        assert_eq!(demo.last_rollback, Some(t0));

        // Records older than the marks carry none: real.
        let later = t0 + Span::hours(1);
        entries.push(AuditRecord::scorecard(&setting(later), &plan));
        entries.push(AuditRecord::outcome(
            &rollback(&plan),
            later,
            &Ok("done".into()),
        ));
        let real = recall(&entries, &plan.service, None);
        assert_eq!(real.settings, [setting(later)]);
        assert_eq!(real.last_rollback, Some(later));
        // A drill starts from the real plan's records and adds its own;
        // the demo keeps to its own.
        assert_eq!(
            recall(&entries, &plan.service, Some(Mode::Drill)).settings,
            [setting(t0), setting(later)]
        );
        assert_eq!(
            recall(&entries, &plan.service, Some(Mode::Demo)).settings,
            [setting(t0)]
        );
    }

    #[test]
    fn a_drill_counts_as_a_rehearsal_only_when_detected_and_mitigated() {
        use crate::domain::drill::debrief;
        use crate::domain::timeline::{EventKind, Timeline};
        let plan = FleetSpec::demo(1).plan;
        let t0 = Timestamp::default();
        let mut idle = Timeline::default();
        idle.push(
            t0 + Span::seconds(5),
            EventKind::Breach,
            "BREACH error rate",
        );
        let mut acted = idle.clone();
        acted.push(
            t0 + Span::seconds(9),
            EventKind::ActionOk,
            "roll back done: simulator",
        );
        let ended = t0 + Span::minutes(1);
        let nobody = AuditRecord::drill(&plan, true, "dana", ended, &debrief(&idle, t0, ended));
        assert_eq!(recall(&[nobody], &plan.service, None).last_rollback, None);
        let drilled = AuditRecord::drill(&plan, true, "dana", ended, &debrief(&acted, t0, ended));
        for mode in [None, Some(Mode::Drill)] {
            assert_eq!(
                recall(std::slice::from_ref(&drilled), &plan.service, mode).last_rollback,
                Some(ended)
            );
        }
        // A drill of the built-in demo, of the same service name: no
        // rehearsal of the real plan's runbook.
        let demo = AuditRecord::drill(&plan, false, "dana", ended, &debrief(&acted, t0, ended));
        assert_eq!(recall(&[demo], &plan.service, None).last_rollback, None);
    }

    #[test]
    fn a_graded_drill_counts_as_a_rehearsal_only_when_it_passed() {
        use crate::domain::drill::debrief;
        use crate::domain::drill::grade::Grade;
        use crate::domain::timeline::{EventKind, Timeline};
        let plan = FleetSpec::demo(1).plan;
        let t0 = Timestamp::default();
        let ended = t0 + Span::minutes(1);
        let mut acted = Timeline::default();
        acted.push(
            t0 + Span::seconds(5),
            EventKind::Breach,
            "BREACH error rate",
        );
        acted.push(
            t0 + Span::seconds(9),
            EventKind::ActionOk,
            "pause done: simulator",
        );
        let passed = Grade::classic(&debrief(&acted, t0, ended), t0);
        assert!(passed.passed());
        // Detected and mitigated, but the grade says NOT PASSED (a late
        // pause, a harmful rollback): no rehearsal.
        let mut failed = passed.clone();
        failed.classic = false;
        failed
            .objectives
            .push(crate::domain::drill::grade::ObjectiveGrade {
                text: "no harm".into(),
                met: false,
            });
        assert!(!failed.passed());
        let record = |g: &Grade, of_plan| AuditRecord::graded(&plan, of_plan, "dana", ended, g);
        let AuditRecord::Drill(d) = record(&failed, true) else {
            panic!("not a drill record");
        };
        assert_eq!(
            (d.detected, d.mitigated, d.passed),
            (Some(true), Some(true), Some(false))
        );
        assert!(!d.rehearsed());
        assert_eq!(
            recall(&[record(&failed, true)], &plan.service, None).last_rollback,
            None
        );
        let counted = recall(&[record(&passed, true)], &plan.service, None);
        assert_eq!(counted.last_rollback, Some(ended));
        // A passed drill of the built-in demo still rehearses no real plan.
        assert_eq!(
            recall(&[record(&passed, false)], &plan.service, None).last_rollback,
            None
        );
        assert_eq!(
            recall(&[record(&passed, false)], &plan.service, Some(Mode::Demo)).last_rollback,
            Some(ended)
        );
        // The record reads back, scenario and all; one without them is older.
        let line = serde_json::to_string(&record(&passed, true)).unwrap();
        assert!(line.contains(r#""passed":true"#), "{line}");
        let old = r#"{"record":"drill","time":"2026-01-01T00:00:00Z","operator":"dana","target":"checkout-api","detail":"x","detected":true,"mitigated":true}"#;
        let AuditRecord::Drill(d) = serde_json::from_str(old).unwrap() else {
            panic!("not a drill record");
        };
        assert_eq!((d.passed, d.scenario.as_deref()), (None, None));
        assert!(d.rehearsed(), "today's rule for records without a grade");
    }

    #[test]
    fn older_drill_records_are_read_from_their_detail() {
        let line = |detail: &str| {
            format!(
                r#"{{"record":"drill","time":"2026-01-01T00:00:00Z","operator":"dana","target":"checkout-api","detail":"{detail}","mode":"drill"}}"#
            )
        };
        for (detail, rehearsed) in [
            ("time to detect 21s, time to mitigate 34s", true),
            ("time to detect 21s, time to mitigate —", false),
            ("time to detect —, time to mitigate 9s", false),
            ("time to detect —, time to mitigate —", false),
        ] {
            let record: AuditRecord = serde_json::from_str(&line(detail)).unwrap();
            let AuditRecord::Drill(d) = &record else {
                panic!("not a drill: {record:?}");
            };
            assert_eq!(d.rehearsed(), rehearsed, "{detail}");
        }
    }

    #[test]
    fn a_missing_log_remembers_nothing() {
        let path = std::env::temp_dir().join("warroom-recall-none/audit.jsonl");
        assert_eq!(recall_file(&path, "x").ok(), Some(Recalled::default()));
    }
}
