//! Stop conditions relative to before: every key, every error with its
//! line and field.

use std::path::Path;

use super::*;
use crate::config::plan::PlanFile;
use crate::domain::Timestamp;

/// The simulator example (whose `support_tickets` signal is service-wide)
/// with a fourth stop condition made of `lines`.
fn with_condition(lines: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml"),
    )
    .unwrap();
    assert!(text.contains("[signals.support_tickets]"));
    let judgment = "# How each region's canary is scored";
    assert!(text.contains(judgment));
    text.replacen(
        judgment,
        &format!("[[stop_conditions]]\n{lines}\n\n{judgment}"),
        1,
    )
}

fn parse(text: &str) -> Result<PlanFile, PlanError> {
    PlanFile::parse(text, Path::new("plan.toml"))
}

/// The error the plan with condition `lines` gives, and the line of
/// `needle` in that plan.
fn refused(lines: &str, needle: &str) -> (PlanError, usize) {
    let text = with_condition(lines);
    let line = text
        .lines()
        .position(|l| !l.starts_with('#') && l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0);
    let e = parse(&text)
        .err()
        .unwrap_or_else(|| panic!("accepted: {lines}"));
    (e, line)
}

fn at(text: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[test]
fn before_reads_its_window_and_its_end() {
    let plan = parse(&with_condition(
        "signal = \"support_tickets\"\nabove = 1.01\nrelative_to = \"before\"\nbaseline = \"24h\"\nbaseline_end = \"2026-11-25T09:00:00Z\"\nfor = \"10m\"\non_breach = \"pause\"",
    ))
    .unwrap();
    let c = &plan.plan.stop_conditions[3];
    assert_eq!(
        c.baseline,
        Baseline::Before {
            window: Span::hours(24),
            end: Some(at("2026-11-25T09:00:00Z")),
        }
    );
    assert_eq!(
        c.to_string(),
        "support tickets > 1.01× before (24h) for 600s"
    );
    assert_eq!(c.show(1.2), "1.20× before");
}

#[test]
fn without_an_end_the_window_ends_when_the_rollout_started() {
    let plan = parse(&with_condition(
        "signal = \"success_rate\"\nbelow = 0.98\nwarn = 0.99\nrelative_to = \"before\"\nbaseline = \"7d\"\nfor = \"1m\"",
    ))
    .unwrap();
    let c = &plan.plan.stop_conditions[3];
    assert_eq!(
        c.baseline,
        Baseline::Before {
            window: Span::days(7),
            end: None
        }
    );
    assert_eq!((c.warn, c.breach), (0.99, 0.98));
}

#[test]
fn a_region_signal_may_be_relative_to_before_but_not_to_stable() {
    let queue = "[signals.queue]\nquery = 'max by (region) (q)'\nunit = \"count\"\nbad = \"higher\"\nscope = \"region\"\n\n";
    let base = with_condition(
        "signal = \"queue\"\nabove = 2\nrelative_to = \"before\"\nbaseline = \"1h\"\nfor = \"1m\"",
    );
    let text = base.replacen(
        "[signals.support_tickets]",
        &format!("{queue}[signals.support_tickets]"),
        1,
    );
    let plan = parse(&text).unwrap();
    assert!(matches!(
        plan.plan.stop_conditions[3].baseline,
        Baseline::Before { .. }
    ));
    let e = parse(&text.replace(
        "relative_to = \"before\"\nbaseline = \"1h\"",
        "relative_to = \"stable\"",
    ))
    .unwrap_err();
    assert_eq!(e.field, "stop_conditions[3].relative_to");
}

#[test]
fn every_mistake_names_its_line_and_field() {
    let cases = [
        (
            "signal = \"support_tickets\"\nabove = 1.01\nrelative_to = \"before\"\nfor = \"10m\"",
            "relative_to = \"before\"",
            "stop_conditions[3].baseline",
            "needs baseline",
        ),
        (
            "signal = \"support_tickets\"\nabove = 12\nbaseline = \"24h\"\nfor = \"10m\"",
            "baseline = \"24h\"",
            "stop_conditions[3].baseline",
            "goes with relative_to = \"before\"",
        ),
        (
            "signal = \"error_rate\"\nabove = 1.5\nrelative_to = \"stable\"\nbaseline_end = \"2026-11-25T09:00:00Z\"\nfor = \"10m\"",
            "baseline_end",
            "stop_conditions[3].baseline_end",
            "goes with relative_to = \"before\"",
        ),
        (
            "signal = \"support_tickets\"\nabove = 1.01\nrelative_to = \"before\"\nbaseline = \"a day\"\nfor = \"10m\"",
            "baseline = \"a day\"",
            "stop_conditions[3].baseline",
            "not a duration",
        ),
        (
            "signal = \"support_tickets\"\nabove = 1.01\nrelative_to = \"before\"\nbaseline = \"24h\"\nbaseline_end = \"yesterday 9am\"\nfor = \"10m\"",
            "baseline_end",
            "stop_conditions[3].baseline_end",
            "RFC 3339",
        ),
        (
            "signal = \"support_tickets\"\nabove = -2\nrelative_to = \"before\"\nbaseline = \"24h\"\nfor = \"10m\"",
            "above = -2",
            "stop_conditions[3].above",
            "multiple",
        ),
        (
            "signal = \"success_rate\"\nbelow = 0.98\nwarn = -1\nrelative_to = \"before\"\nbaseline = \"24h\"\nfor = \"10m\"",
            "warn = -1",
            "stop_conditions[3].warn",
            "above",
        ),
        (
            "signal = \"support_tickets\"\nabove = 1.01\nrelative_to = \"yesterday\"\nfor = \"10m\"",
            "relative_to = \"yesterday\"",
            "stop_conditions[3].relative_to",
            "\"stable\" or \"before\"",
        ),
    ];
    for (lines, needle, field, words) in cases {
        let (e, line) = refused(lines, needle);
        assert_eq!(e.field, field, "{lines}");
        assert_eq!(e.line, line, "{lines}: {e}");
        assert!(e.problem.contains(words), "{lines}: {}", e.problem);
    }
}

#[test]
fn a_window_ending_at_the_start_needs_a_deployment_source_or_an_end() {
    let lines = "signal = \"support_tickets\"\nabove = 1.01\nrelative_to = \"before\"\nbaseline = \"24h\"\nfor = \"10m\"";
    let deploy = "[sources.deploy]\nkind = \"http\"\nurl = \"http://127.0.0.1:9464\"\ninterval = \"1s\"\ntimeout = \"1s\"\n";
    let text = with_condition(lines);
    assert!(text.contains(deploy));
    let without = text.replacen(deploy, "", 1);
    let e = parse(&without).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.field, "stop_conditions[3].relative_to", "{e}");
    let line = without
        .lines()
        .position(|l| l == "relative_to = \"before\"")
        .unwrap()
        + 1;
    assert_eq!(e.line, line, "{e}");
    assert!(e.problem.contains("baseline_end"), "{e}");
    // With its end given, the same plan loads.
    let ended = without.replacen(
        "baseline = \"24h\"",
        "baseline = \"24h\"\nbaseline_end = \"2026-11-25T09:00:00Z\"",
        1,
    );
    assert!(parse(&ended).is_ok());
}
