//! `warroom timeline` as a user runs it: markdown and JSON from a log other
//! commands wrote, `--since`, and a log that does not verify refused with
//! exit 2 and nothing printed.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{scorecard_set, simulator_plan, temp_dir, warroom_run};

fn timeline(log: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let plan = simulator_plan();
    let mut args = vec![
        "timeline",
        "--plan",
        plan.to_str().unwrap(),
        "--audit-log",
        log.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    warroom_run(&args, None)
}

#[test]
fn the_timeline_prints_what_the_log_holds_and_refuses_a_broken_one() {
    let dir = temp_dir("timeline-export");
    let log = dir.join("audit.jsonl");
    assert_eq!(
        scorecard_set(&log, "communications", "green", None).0,
        Some(0)
    );
    assert_eq!(scorecard_set(&log, "pilot", "amber", None).0, Some(0));

    let (code, md) = timeline(&log, &[]);
    assert_eq!(code, Some(0), "{md}");
    assert!(md.starts_with("## Timeline of checkout-api\n"), "{md}");
    let green = md.find("green: on record").unwrap();
    let amber = md.find("amber: on record").unwrap();
    assert!(green < amber, "not in order:\n{md}");
    assert!(md.contains("| pat | set "), "{md}");

    let (code, json) = timeline(&log, &["--format", "json", "--since", "1h"]);
    assert_eq!(code, Some(0), "{json}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["kind"] == "scorecard" && r["operator"] == "pat")
    );
    // Nothing since a moment in the future.
    let (code, json) = timeline(
        &log,
        &["--format", "json", "--since", "2999-01-01T00:00:00Z"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(json.trim(), "[]");
    let (code, said) = timeline(&log, &["--since", "soon"]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("--since `soon`"), "{said}");

    // A record changed by hand: refused, nothing printed but the reason.
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("on record", "off record", 1)).unwrap();
    let (code, said) = timeline(&log, &[]);
    assert_eq!(code, Some(2), "{said}");
    assert!(!said.contains("| pat |"), "{said}");
    assert!(said.contains("damaged at line 1"), "{said}");

    let (code, said) = timeline(&dir.join("none.jsonl"), &[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("no audit log at"), "{said}");
}
