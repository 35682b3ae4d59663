//! A timeline people write in, end to end: two dashboards (the demo) in
//! two real terminals (tmux) on one audit log. A line typed with `a` in
//! one appears in the other within 2 s, once in each, with its author; and
//! `warroom timeline` prints it for the incident document.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Tmux, require, simulator_plan, temp_dir, warroom_run};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(20);

fn launch(tmux: &Tmux, dir: &Path, audit: &Path, who: &str) {
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator {who} --audit-log {}; echo EXIT:$?",
        dir.display(),
        audit.display()
    ));
}

/// The screen's lines that carry `text`.
fn count(screen: &str, text: &str) -> usize {
    screen.lines().filter(|l| l.contains(text)).count()
}

#[test]
fn an_annotation_typed_in_one_dashboard_appears_in_the_other_and_in_the_export() {
    if !require("tmux", "-V", "e2e annotate") {
        return;
    }
    let dir = temp_dir("e2e-annotate");
    let audit = dir.join("audit.jsonl");
    let (a, b) = (
        Tmux::start("annotate-a", 140, 40),
        Tmux::start("annotate-b", 140, 40),
    );
    launch(&a, &dir, &audit, "dana");
    launch(&b, &dir, &audit, "sam");
    for tmux in [&a, &b] {
        tmux.expect("the dashboard", LONG, |s| s.contains("Timeline"));
    }

    a.keys(&["a"]);
    a.expect("the annotation field", LONG, |s| s.contains("Annotate"));
    // Typed one key at a time: `p` and `r` are text here, never actions.
    for c in "db failover started, pr".chars() {
        a.keys(&["-l", &c.to_string()]);
        std::thread::sleep(Duration::from_millis(30));
    }
    a.expect("the typed text", LONG, |s| {
        s.contains("db failover started, pr")
    });
    a.keys(&["Enter"]);
    let line = "dana: db failover started, pr";
    let sent = Instant::now();
    let seen = b
        .wait_for(Duration::from_secs(2), |s| s.contains(line))
        .unwrap_or_else(|screen| {
            panic!("the other dashboard did not show it within 2 s:\n{screen}")
        });
    eprintln!(
        "annotation seen on the other screen after {:?}",
        sent.elapsed()
    );
    assert_eq!(count(&seen, line), 1, "shown twice:\n{seen}");
    // On its own screen too, once: the writer's answer and the log's copy
    // are one line. Wait past the next look at the log to be sure.
    let own = a.expect("the own line", LONG, |s| s.contains(line));
    std::thread::sleep(Duration::from_millis(2500));
    let own_later = a.screen();
    assert_eq!(count(&own, line), 1, "{own}");
    assert_eq!(count(&own_later, line), 1, "{own_later}");
    assert_eq!(count(&b.screen(), line), 1);
    assert!(!own_later.contains("PAUSED"), "typing acted:\n{own_later}");

    // An answer from the other side.
    b.keys(&["a"]);
    b.expect("the annotation field", LONG, |s| s.contains("Annotate"));
    b.keys(&["-l", "ack"]);
    b.expect("the typed text", LONG, |s| s.contains("ack▏"));
    // Enter on its own: a key that comes with others commits nothing.
    b.keys(&["Enter"]);
    a.wait_for(Duration::from_secs(2), |s| s.contains("sam: ack"))
        .unwrap_or_else(|screen| panic!("sam's line did not reach dana:\n{screen}"));

    for tmux in [&a, &b] {
        tmux.keys(&["q"]);
        tmux.expect("the exit", LONG, |s| s.contains("EXIT:0"));
    }

    // The export: demo lines only when asked, marked as such.
    let plan = simulator_plan();
    let (plan, audit) = (plan.to_str().unwrap(), audit.to_str().unwrap());
    let (code, real) = warroom_run(&["timeline", "--plan", plan, "--audit-log", audit], None);
    assert_eq!(code, Some(0), "{real}");
    assert!(
        !real.contains("db failover"),
        "demo lines counted as real:\n{real}"
    );
    let (code, md) = warroom_run(
        &[
            "timeline",
            "--plan",
            plan,
            "--audit-log",
            audit,
            "--include-play",
        ],
        None,
    );
    assert_eq!(code, Some(0), "{md}");
    assert!(
        md.contains("| dana | [demo] db failover started, pr |"),
        "{md}"
    );
    let dana = md.find("db failover").unwrap();
    let sam = md.find("[demo] ack").unwrap();
    assert!(dana < sam, "not in order:\n{md}");
    let (code, json) = warroom_run(
        &[
            "timeline",
            "--plan",
            plan,
            "--audit-log",
            audit,
            "--include-play",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, Some(0), "{json}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let notes: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["kind"] == "annotation")
        .map(|r| (r["operator"].as_str().unwrap(), r["text"].as_str().unwrap()))
        .collect();
    assert_eq!(notes, [("dana", "db failover started, pr"), ("sam", "ack")]);
    assert!(rows.iter().all(|r| r["mode"] == "demo"));
    assert!(
        rows.iter()
            .all(|r| r["time"].as_str().unwrap().ends_with('Z'))
    );
}
