//! Weights that are guesses say so on screen: an estimated weight is
//! marked `~`, one that cannot be known is `?`, never a number; a region
//! whose Rollout has nothing in flight says there is no canary, not `?`.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use warroom::app::state::AppState;
use warroom::domain::rollout::{TargetDetail, WeightKnown};
use warroom::runtime::demo::state_at;
use warroom::sim::FleetSpec;

fn screen(state: &AppState) -> String {
    common::screen(state, 160, 48)
}

fn row<'a>(screen: &'a str, region: &str) -> &'a str {
    // The health matrix is the left of the two panels side by side.
    screen
        .lines()
        .map(|l| l.split("││").next().unwrap_or(l))
        .find(|l| l.contains(&format!(" {region} ")) && l.contains("ms "))
        .unwrap_or_else(|| panic!("no row for {region}:\n{screen}"))
}

#[test]
fn estimated_and_unknown_weights_are_marked_not_stated() {
    // The demo 85 s in: wave 2 held at its gate by the breach in us-east-1.
    let mut state = state_at(FleetSpec::demo(42), 85);
    // The selection followed the breach; the detail is asked of the first.
    state.selected = 0;
    let rollout = state.rollout.as_mut().unwrap();
    for r in &mut rollout.regions {
        match r.region.as_str() {
            "eu-west-1" => {
                r.canary_weight = 27;
                r.weight_known = WeightKnown::Estimated;
            }
            "us-east-1" => {
                r.canary_weight = 27;
                r.weight_known = WeightKnown::Unknown;
            }
            _ => {}
        }
    }
    let shown = screen(&state);
    let eu = row(&shown, "eu-west-1");
    assert!(eu.contains(" ~27% "), "{eu}");
    let us = row(&shown, "us-east-1");
    assert!(
        !us.contains("27%"),
        "an unknown weight shown as a number: {us}"
    );
    assert!(us.contains(" ? "), "{us}");
    // The detail of the selected region (the first) says it is a guess.
    assert!(
        shown.contains("eu-west-1 · canary ~27% of traffic"),
        "{shown}"
    );
}

#[test]
fn a_rollout_with_nothing_in_flight_has_no_canary_rather_than_a_question_mark() {
    let mut state = state_at(FleetSpec::demo(42), 85);
    let rollout = state.rollout.as_mut().unwrap();
    for r in &mut rollout.regions {
        r.target = Some(TargetDetail {
            name: format!("prod/checkout/{}", r.region),
            status: Some("Healthy".into()),
            stable_revision: Some("6cf78c66c5".into()),
            stable_images: vec!["registry/checkout-api:v2.4.0".into()],
            ..TargetDetail::default()
        });
    }
    let shown = screen(&state);
    assert!(shown.contains("· no canary "), "{shown}");
    assert!(!shown.contains("canary ?"), "{shown}");
    assert!(
        shown.contains("stable 6cf78c66c5 checkout-api:v2.4.0"),
        "{shown}"
    );
}
