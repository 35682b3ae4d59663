//! The bake on screen and in `status`: the calm demo reaches 100 %, shows
//! BAKING with the time left counting down, then COMPLETE.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use warroom::app::verdict::Call;
use warroom::cli::report;
use warroom::domain::rollout::Phase;
use warroom::runtime::demo::{Replay, built_in_theme_names};
use warroom::sim::FleetSpec;

/// The calm demo: its last wave (100 %) starts at 120 s and its bake lasts 60 s.
fn calm() -> Replay {
    Replay::new(FleetSpec::calm(42), built_in_theme_names())
}

#[test]
fn the_calm_demo_bakes_then_completes() {
    let mut replay = calm();
    replay.run_to(110);
    assert_eq!(replay.state.verdict().call, Call::Go, "before 100 %");
    assert!(replay.state.bake.is_none());
    replay.run_to(130);
    let v = replay.state.verdict();
    assert_eq!(v.call, Call::Baking, "{:?}", v.reasons);
    let first = v.bake_left.unwrap();
    let top = common::screen(&replay.state, 160, 48);
    let header = top.lines().next().unwrap();
    assert!(header.contains("BAKING 5"), "{header}");
    assert!(header.contains("s left"), "{header}");
    assert!(top.contains("baking "), "the waves panel says it: {top}");
    insta::assert_snapshot!("baking_160x48", top);
    insta::assert_snapshot!("baking_80x24", common::screen(&replay.state, 80, 24));
    // The last wave's hold passes and the simulator completes: still baking.
    replay.run_to(160);
    assert_eq!(
        replay.state.rollout.as_ref().map(|r| r.phase),
        Some(Phase::Complete)
    );
    let v = replay.state.verdict();
    assert_eq!(v.call, Call::Baking);
    assert!(v.bake_left.unwrap() < first, "the time left runs down");
    replay.run_to(200);
    assert_eq!(replay.state.verdict().call, Call::Complete);
    let header = common::screen(&replay.state, 160, 48);
    assert!(header.lines().next().unwrap().contains("COMPLETE"));
    let said: Vec<&str> = replay
        .state
        .timeline
        .newest_first()
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        said.iter().any(|t| t.starts_with("bake started: 1m")),
        "{said:?}"
    );
    assert!(
        said.iter().any(|t| t.starts_with("bake passed: 1m")),
        "{said:?}"
    );
}

#[test]
fn status_says_baking_with_time_left_and_exits_healthy() {
    let mut replay = calm();
    replay.run_to(135);
    let r = report::build(&replay.state);
    assert_eq!(r.verdict, "BAKING");
    assert_eq!(
        r.outcome.exit_code(),
        0,
        "baking is healthy and in progress"
    );
    let bake = r.bake.as_ref().unwrap();
    assert_eq!((bake.state, bake.for_seconds), ("baking", 60));
    let left = bake.left_seconds.unwrap();
    assert!((40..=46).contains(&left), "{left}");
    let text = report::text(&r);
    let first = text.lines().next().unwrap();
    assert!(first.contains("HEALTHY · BAKING "), "{first}");
    assert!(text.contains("bake "), "{text}");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["bake"]["state"], "baking");
    assert_eq!(json["verdict"], "BAKING");
    // Once it passed: COMPLETE, and the bake says so.
    replay.run_to(200);
    let r = report::build(&replay.state);
    assert_eq!(r.verdict, "COMPLETE");
    assert_eq!(r.bake.as_ref().map(|b| b.state), Some("passed"));
    assert_eq!(r.outcome.exit_code(), 0);
}
