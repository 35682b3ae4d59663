//! The scripted operators: for each built-in scenario one who acts
//! correctly, one who acts late, one who does harm.

use crossterm::event::KeyCode;

use warroom::runtime::rehearsal::Rehearsal;

use super::drive::{annotate, look_at, press, promote, prompt, send_update, tardy};

pub type Script = fn(&mut Rehearsal, i64);

pub const EAST: &str = "us-east-1";

pub fn operators() -> Vec<(&'static str, &'static str, Option<&'static str>, Script)> {
    vec![
        (
            "canary_regression_correct",
            "canary-regression",
            Some(EAST),
            |r, s| prompt(r, s, EAST, "ry"),
        ),
        (
            "canary_regression_late",
            "canary-regression",
            Some(EAST),
            |r, s| tardy(r, s, EAST, "pp", 130),
        ),
        (
            "canary_regression_harmful",
            "canary-regression",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "");
                promote(r);
            },
        ),
        (
            "latency_creep_correct",
            "latency-creep",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "pp");
                annotate(r, "paused on the p99 warning: the canary gets slower");
            },
        ),
        ("latency_creep_late", "latency-creep", Some(EAST), |r, s| {
            tardy(r, s, EAST, "pp", 190);
            annotate(r, "paused at last");
        }),
        (
            "latency_creep_harmful",
            "latency-creep",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "");
                promote(r);
            },
        ),
        (
            "dependency_failure_correct",
            "dependency-failure",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "pp");
                annotate(
                    r,
                    "stable fails as much as the canary: the payments gateway, not the release",
                );
            },
        ),
        (
            "dependency_failure_late",
            "dependency-failure",
            Some(EAST),
            |r, s| {
                tardy(r, s, EAST, "pp", 130);
                annotate(r, "the payments gateway, not the release");
            },
        ),
        (
            "dependency_failure_harmful",
            "dependency-failure",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "ry");
                annotate(r, "rolled back the canary");
            },
        ),
        ("metrics_dark_correct", "metrics-dark", None, |r, s| {
            prompt(r, s, EAST, "pp")
        }),
        ("metrics_dark_late", "metrics-dark", None, |r, s| {
            tardy(r, s, EAST, "pp", 100)
        }),
        ("metrics_dark_harmful", "metrics-dark", None, |r, s| {
            prompt(r, s, EAST, "");
            promote(r);
        }),
        (
            "deploy_api_403_correct",
            "deploy-api-403",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "pp");
                annotate(
                    r,
                    "the deploy API refuses with 403: asked the platform on-call to pause",
                );
                send_update(r);
            },
        ),
        (
            "deploy_api_403_late",
            "deploy-api-403",
            Some(EAST),
            |r, s| {
                tardy(r, s, EAST, "pp", 130);
                annotate(
                    r,
                    "the deploy API refuses with 403: asked the platform on-call to pause",
                );
                send_update(r);
            },
        ),
        (
            "deploy_api_403_harmful",
            "deploy-api-403",
            Some(EAST),
            |r, s| {
                prompt(r, s, EAST, "");
                promote(r);
            },
        ),
        ("red_herring_correct", "red-herring", Some(EAST), |r, s| {
            prompt(r, s, EAST, "pp")
        }),
        ("red_herring_late", "red-herring", Some(EAST), |r, s| {
            tardy(r, s, EAST, "pp", 130)
        }),
        ("red_herring_harmful", "red-herring", Some(EAST), |r, s| {
            r.run_to(s + 3);
            look_at(r, "sa-east-1");
            r.run_to(s + 8);
            press(r, KeyCode::Char('r'));
            press(r, KeyCode::Tab);
            press(r, KeyCode::Char('y'));
        }),
    ]
}
