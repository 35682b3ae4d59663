//! The written debrief of a drill, in the outline of PagerDuty's
//! postmortem template: overview, what happened, impact, timeline (UTC),
//! what went well, what did not, action items.

use std::fmt::Write;

use super::grade::{Grade, Verdict, said};
use crate::domain::Timestamp;

fn utc(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Markdown's special characters in text from a scenario or a person,
/// escaped so a line stays a line of text.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The debrief of `grade`, a drill of `service` run by `operator`.
pub fn markdown(grade: &Grade, service: &str, operator: &str) -> String {
    let mut md = String::new();
    let name = grade.scenario.as_deref().unwrap_or("classic drill");
    let _ = writeln!(md, "# Drill debrief: {} ({})", plain(service), plain(name));
    let _ = writeln!(md);
    let _ = writeln!(md, "## Overview");
    let _ = writeln!(md);
    let _ = writeln!(md, "- Result: **{}**", grade.verdict_word());
    let _ = writeln!(md, "- Scenario: {}: {}", plain(name), plain(&grade.title));
    let _ = writeln!(md, "- Operator: {}", plain(operator));
    let _ = writeln!(
        md,
        "- Drill: {} to {} (drill length {})",
        utc(grade.began),
        utc(grade.ended),
        said(Some(grade.length()))
    );
    let _ = writeln!(md);
    let _ = writeln!(md, "## What happened");
    let _ = writeln!(md);
    for i in &grade.injections {
        let began = i
            .started
            .map_or("never began".to_string(), |t| format!("began {}", utc(t)));
        let _ = writeln!(
            md,
            "- **{}**: {} ({began})",
            plain(&i.id),
            plain(&i.summary)
        );
        let _ = writeln!(
            md,
            "  - time to signal {}, to acknowledge {}, to mitigate {}, to recover {}",
            said(i.time_to_signal()),
            said(i.time_to_acknowledge()),
            said(i.time_to_mitigate()),
            said(i.time_to_recover())
        );
    }
    let _ = writeln!(md);
    let _ = writeln!(md, "## Impact");
    let _ = writeln!(md);
    let total: u64 = grade.injections.iter().map(|i| i.failed_requests).sum();
    let _ = writeln!(md, "- Simulated failed requests: {total}");
    for i in grade.injections.iter().filter(|i| i.failed_requests > 0) {
        let _ = writeln!(md, "  - {}: {}", plain(&i.id), i.failed_requests);
    }
    let _ = writeln!(md);
    let _ = writeln!(md, "## Timeline");
    let _ = writeln!(md);
    let _ = writeln!(md, "| time (UTC) | event |");
    let _ = writeln!(md, "| --- | --- |");
    for (at, line) in &grade.timeline {
        let _ = writeln!(md, "| {} | {} |", at.format("%H:%M:%S"), plain(line));
    }
    let (well, not) = went(grade);
    let _ = writeln!(md);
    let _ = writeln!(md, "## What went well");
    let _ = writeln!(md);
    list(&mut md, &well, "nothing stood out");
    let _ = writeln!(md);
    let _ = writeln!(md, "## What did not go so well");
    let _ = writeln!(md);
    list(&mut md, &not, "nothing");
    let _ = writeln!(md);
    let _ = writeln!(md, "## Action items");
    let _ = writeln!(md);
    list(&mut md, &action_items(grade), "none");
    md
}

fn list(md: &mut String, items: &[String], none: &str) {
    if items.is_empty() {
        let _ = writeln!(md, "- {none}");
    }
    for item in items {
        let _ = writeln!(md, "- {}", plain(item));
    }
}

fn went(grade: &Grade) -> (Vec<String>, Vec<String>) {
    let (mut well, mut not) = (Vec::new(), Vec::new());
    for a in &grade.actions {
        let line = format!(
            "{} ({}) at {}: {}",
            a.action,
            a.scope.label(),
            a.at.format("%H:%M:%S"),
            a.why
        );
        match a.verdict {
            Verdict::Correct => well.push(format!("correct: {line}")),
            Verdict::Late => not.push(format!("late: {line}")),
            Verdict::Unnecessary => not.push(format!("unnecessary: {line}")),
            Verdict::Harmful => not.push(format!("harmful: {line}")),
        }
    }
    for o in &grade.objectives {
        match o.met {
            true => well.push(format!("objective met: {}", o.text)),
            false => not.push(format!("objective not met: {}", o.text)),
        }
    }
    if grade.classic {
        for i in &grade.injections {
            match i.signal {
                Some(_) => well.push(format!(
                    "the fault was shown in {}",
                    said(i.time_to_signal())
                )),
                None => not.push("the fault was never shown as a breach".to_string()),
            }
            match i.mitigated {
                Some(_) => well.push(format!("mitigated in {}", said(i.time_to_mitigate()))),
                None => not.push("nothing was paused or rolled back".to_string()),
            }
        }
    }
    for m in &grade.missed {
        not.push(format!(
            "signal nobody looked at: {} ({})",
            m.line,
            m.at.format("%H:%M:%S")
        ));
    }
    (well, not)
}

/// What to practise or fix: every late or harmful action, every
/// expectation not met in time, every signal missed.
pub fn action_items(grade: &Grade) -> Vec<String> {
    let mut items = Vec::new();
    for a in &grade.actions {
        match a.verdict {
            Verdict::Late => items.push(format!(
                "Act sooner on the signal: {} ({}) came late ({})",
                a.action,
                a.scope.label(),
                a.why
            )),
            Verdict::Harmful => items.push(format!(
                "Review the runbook: {} ({}) was harmful: {}",
                a.action,
                a.scope.label(),
                a.why
            )),
            Verdict::Correct | Verdict::Unnecessary => {}
        }
    }
    for e in grade.expectations.iter().filter(|e| e.met.is_none()) {
        items.push(format!(
            "Rehearse the response to {}: {} was expected and never asked for",
            e.injection, e.wanted
        ));
    }
    for m in &grade.missed {
        items.push(format!(
            "Look at what the screen shows: {} went unexamined",
            m.line
        ));
    }
    if let Some(c) = grade.comms.as_ref().filter(|c| !c.met()) {
        items.push(format!(
            "Send the first status update within {} of the first signal",
            said(Some(c.within))
        ));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Span;
    use crate::domain::drill::grade::{GradedAction, InjectionGrade, MissedSignal, ObjectiveGrade};
    use crate::domain::rollout::{Action, ActionScope};

    fn t(s: i64) -> Timestamp {
        Timestamp::default() + Span::seconds(s)
    }

    fn grade() -> Grade {
        Grade {
            scenario: Some("red-herring".into()),
            title: "two faults at once".into(),
            began: t(0),
            ended: t(330),
            injections: vec![InjectionGrade {
                id: "regress".into(),
                summary: "error rate +6 % in us-east-1 (canary)".into(),
                region: Some("us-east-1".into()),
                started: Some(t(60)),
                ended: None,
                signal: Some(t(75)),
                acknowledged: Some(t(84)),
                mitigated: Some(t(160)),
                recovered: Some(t(200)),
                failed_requests: 412,
            }],
            expectations: vec![],
            actions: vec![
                GradedAction {
                    at: t(158),
                    action: Action::Pause,
                    scope: ActionScope::Region("us-east-1".into()),
                    verdict: Verdict::Late,
                    why: "answers error rate, 23s late".into(),
                },
                GradedAction {
                    at: t(170),
                    action: Action::Rollback,
                    scope: ActionScope::Region("ap-south-1".into()),
                    verdict: Verdict::Harmful,
                    why: "ap-south-1 is not under rollout".into(),
                },
            ],
            missed: vec![MissedSignal {
                at: t(95),
                line: "screen showed a warning in ap-south-1: latency_p99".into(),
            }],
            objectives: vec![ObjectiveGrade {
                text: "put the decision on the timeline".into(),
                met: true,
            }],
            comms: None,
            timeline: vec![
                (t(60), "injection regress began: error rate".into()),
                (
                    t(75),
                    "screen showed a breach in us-east-1: error_rate".into(),
                ),
            ],
            classic: false,
        }
    }

    #[test]
    fn the_debrief_follows_the_postmortem_outline() {
        let md = markdown(&grade(), "checkout-api", "dana");
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(
            headings,
            [
                "# Drill debrief: checkout-api (red-herring)",
                "## Overview",
                "## What happened",
                "## Impact",
                "## Timeline",
                "## What went well",
                "## What did not go so well",
                "## Action items",
            ]
        );
        assert!(md.contains("- Result: **NOT PASSED**"), "{md}");
        assert!(md.contains("(drill length 5m 30s)"), "{md}");
        assert!(md.contains("- Simulated failed requests: 412"), "{md}");
        assert!(
            md.contains(
                "time to signal 15s, to acknowledge 24s, to mitigate 1m 40s, to recover 2m 20s"
            ),
            "{md}"
        );
        assert!(
            md.contains("| 00:01:15 | screen showed a breach in us-east-1: error\\_rate |"),
            "{md}"
        );
        assert!(
            md.contains("- objective met: put the decision on the timeline"),
            "{md}"
        );
        let items: Vec<&str> = md
            .split("## Action items")
            .nth(1)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("- "))
            .collect();
        assert_eq!(items.len(), 3, "late, harmful, missed: {items:?}");
        assert!(items[0].starts_with("- Act sooner"), "{items:?}");
        assert!(
            items[1].contains("was harmful: ap-south-1 is not under rollout"),
            "{items:?}"
        );
        assert!(items[2].contains("went unexamined"), "{items:?}");
    }

    #[test]
    fn text_from_a_scenario_cannot_break_the_outline() {
        let mut g = grade();
        g.title = "# heading\n| pipe".into();
        let md = markdown(&g, "svc", "dana");
        assert!(md.contains("\\# heading \\| pipe"), "{md}");
        assert_eq!(md.lines().filter(|l| l.starts_with("# ")).count(), 1);
    }
}
