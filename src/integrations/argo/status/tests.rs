use super::*;
use crate::domain::rollout::{Scope, Wave};
use serde_json::{Value, json};

const VERSIONS: Versions = Versions {
    stable: "v2.3.1",
    canary: "v2.4.0",
};

/// Argo's canary example (examples/rollout-canary.yaml), with traffic
/// routing and the status `patch` gives.
fn rollout(status: Value) -> Rollout {
    let mut ro = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {
            "name": "checkout-api",
            "namespace": "checkout",
            "generation": 4,
            "annotations": {"rollout.argoproj.io/revision": "2"}
        },
        "spec": {
            "replicas": 5,
            "selector": {"matchLabels": {"app": "checkout-api"}},
            "template": {
                "metadata": {"labels": {"app": "checkout-api"}},
                "spec": {"containers": [{"name": "api", "image": "registry.example:5000/shop/checkout-api:v2.4.0"}]}
            },
            "strategy": {"canary": {
                "trafficRouting": {"nginx": {"stableIngress": "checkout-api"}},
                "steps": [
                    {"setWeight": 20}, {"pause": {}},
                    {"setWeight": 40}, {"pause": {"duration": 40}},
                    {"setWeight": 60}, {"pause": {"duration": 20}},
                    {"setWeight": 80}, {"pause": {"duration": 20}}
                ]
            }}
        },
        "status": {
            "phase": "Progressing",
            "observedGeneration": "4",
            "stableRS": "6cf78c66c5",
            "currentPodHash": "7bf84f9696",
            "currentStepIndex": 0,
            "replicas": 6, "updatedReplicas": 1, "readyReplicas": 6, "availableReplicas": 6,
            "canary": {}
        }
    });
    merge(&mut ro["status"], status);
    serde_json::from_value(ro).unwrap()
}

fn merge(into: &mut Value, patch: Value) {
    match (into, patch) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(&k);
                } else {
                    merge(a.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn paused() -> Rollout {
    rollout(json!({
        "phase": "Paused",
        "message": "CanaryPauseStep",
        "currentStepIndex": 1,
        "controllerPause": true,
        "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-14T09:00:00Z"}],
        "canary": {
            "weights": {
                "canary": {"weight": 20, "podTemplateHash": "7bf84f9696", "serviceName": "checkout-api-canary"},
                "stable": {"weight": 80, "podTemplateHash": "6cf78c66c5", "serviceName": "checkout-api-stable"}
            },
            "currentStepAnalysisRunStatus": {"name": "checkout-api-7bf84f9696-2-1", "status": "Running"}
        }
    }))
}

fn view(region: &str, ro: &Rollout) -> RegionView {
    let stable = ["registry.example:5000/shop/checkout-api:v2.3.1".to_string()];
    region_view(
        region,
        format!("prod/checkout/{region}"),
        ro,
        &stable,
        VERSIONS,
        &[],
    )
}

fn at(text: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[test]
fn a_rollout_at_a_pause_step_reads_in_full() {
    let v = view("eu-west-1", &paused());
    assert_eq!(v.stage, Stage::Paused);
    assert_eq!(v.rollout.phase, Some(Phase::Paused));
    assert_eq!(v.rollout.canary_weight, 20);
    assert_eq!(v.paused_since, Some(at("2026-03-14T09:00:00Z")));
    let t = v.rollout.target.unwrap();
    assert_eq!(t.name, "prod/checkout/eu-west-1");
    assert_eq!(t.status.as_deref(), Some("Paused"));
    assert_eq!(t.step, Some((2, 8)));
    assert_eq!(t.desired_weight, Some(20));
    assert_eq!(t.stable_revision.as_deref(), Some("6cf78c66c5"));
    assert_eq!(
        t.canary_revision.as_deref(),
        Some("7bf84f9696 (revision 2)")
    );
    assert_eq!(
        t.canary_images,
        ["registry.example:5000/shop/checkout-api:v2.4.0"]
    );
    assert_eq!(
        t.stable_images,
        ["registry.example:5000/shop/checkout-api:v2.3.1"]
    );
    assert_eq!(
        t.replicas,
        Some(Replicas {
            desired: 5,
            ready: 6,
            updated: 1,
            available: 6
        })
    );
    assert_eq!(t.pause_reasons, ["CanaryPauseStep"]);
    assert_eq!(t.analysis.as_deref(), Some("Running"));
}

#[test]
fn weights_follow_the_steps_and_the_router() {
    // Step index 3 is a pause after setWeight 40; the router still says 20.
    let ro = rollout(json!({
        "currentStepIndex": 3,
        "canary": {"weights": {"canary": {"weight": 20}, "stable": {"weight": 80}}}
    }));
    assert_eq!(desired_weight(&ro), 40);
    assert_eq!(
        actual_weight(&ro, Stage::Progressing),
        (20, WeightKnown::Reported)
    );
    assert_eq!(step(&ro), Some((4, 8)));
    // Past the last step: everything on the new template.
    let ro = rollout(json!({"currentStepIndex": 8}));
    assert_eq!(desired_weight(&ro), 100);
    assert_eq!(step(&ro), Some((8, 8)));
    // Without a traffic router, replicas split the traffic.
    let mut ro = rollout(json!({"currentStepIndex": 2, "replicas": 5, "updatedReplicas": 2}));
    ro.spec.strategy.canary.as_mut().unwrap().traffic_routing = None;
    assert_eq!(
        actual_weight(&ro, Stage::Progressing),
        (40, WeightKnown::Estimated)
    );
    let v = view("eu", &ro);
    assert_eq!(v.rollout.canary_weight, 40);
    assert_eq!(v.rollout.weight_label(), "~40%");
    assert_eq!(v.rollout.target.unwrap().analysis, None);
}

#[test]
fn an_abort_puts_its_reason_up_front() {
    let reason = "RolloutAborted: Rollout aborted update to revision 2: Metric \"success-rate\" assessed Failed due to failed (3) > failureLimit (2)";
    let ro = rollout(json!({
        "abort": true,
        "abortedAt": "2026-03-14T09:03:00Z",
        "phase": "Degraded",
        "message": reason,
        "currentStepIndex": 0,
        "canary": {
            "weights": {"canary": {"weight": 0}, "stable": {"weight": 100}},
            "currentBackgroundAnalysisRunStatus": {"name": "checkout-api-7bf84f9696-2", "status": "Failed", "message": "Metric \"success-rate\" assessed Failed"}
        }
    }));
    let eu = view("eu-west-1", &ro);
    assert_eq!(eu.stage, Stage::Aborted);
    assert_eq!(eu.rollout.phase, Some(Phase::Aborted));
    assert_eq!(eu.rollout.canary_weight, 0);
    let t = eu.rollout.target.clone().unwrap();
    assert_eq!(t.desired_weight, Some(0));
    assert_eq!(t.message.as_deref(), Some(reason));
    assert_eq!(t.analysis.as_deref(), Some("Failed (background)"));
    let us = view("us-east-1", &paused());
    let status = aggregate(&[us, eu], &plan(), at("2026-03-14T09:05:00Z"));
    assert_eq!(status.phase, Phase::Aborted);
    assert_eq!(status.message, Some(format!("eu-west-1: {reason}")));

    // An older controller says it only in a condition.
    let ro = rollout(json!({
        "abort": true,
        "phase": null,
        "conditions": [{"type": "Progressing", "status": "False", "reason": "RolloutAborted",
                        "message": "metric \"web\" assessed Failed due to failed (1) > failureLimit (0)"}]
    }));
    let t = view("eu", &ro).rollout.target.unwrap();
    assert_eq!(t.status.as_deref(), Some("Degraded"));
    assert_eq!(
        t.message.as_deref(),
        Some("metric \"web\" assessed Failed due to failed (1) > failureLimit (0)")
    );
}

#[test]
fn finished_and_not_started_are_told_apart_by_version() {
    let settled = json!({"phase": "Healthy", "currentPodHash": "7bf84f9696", "stableRS": "7bf84f9696", "currentStepIndex": 8});
    let done = rollout(settled.clone());
    assert_eq!(stage(&done, VERSIONS), Stage::Complete);
    let v = view("eu", &done);
    assert_eq!(v.rollout.canary_weight, 100);
    let t = v.rollout.target.unwrap();
    assert_eq!(t.canary_revision, None);
    assert_eq!(
        t.stable_images,
        ["registry.example:5000/shop/checkout-api:v2.4.0"]
    );
    assert!(t.canary_images.is_empty());

    let mut before = rollout(settled);
    before
        .spec
        .template
        .as_mut()
        .unwrap()
        .spec
        .as_mut()
        .unwrap()
        .containers[0]
        .image = Some("shop/checkout-api:2.3.1@sha256:abc".to_string());
    assert_eq!(stage(&before, VERSIONS), Stage::NotStarted);
    let v = view("eu", &before);
    assert_eq!(v.rollout.phase, Some(Phase::Progressing));
    assert_eq!(v.rollout.canary_weight, 0);

    // The controller has not seen the newest spec: nothing is settled yet.
    let mut lagging = done.clone();
    lagging.metadata.generation = Some(5);
    assert_eq!(stage(&lagging, VERSIONS), Stage::Progressing);
}

#[test]
fn a_manual_pause_is_a_pause() {
    let mut ro = rollout(json!({"currentStepIndex": 2}));
    ro.spec.paused = true;
    let v = view("eu", &ro);
    assert_eq!(v.stage, Stage::Paused);
    assert_eq!(v.paused_since, None);
    assert_eq!(v.rollout.target.unwrap().pause_reasons, ["spec.paused"]);
}

fn plan() -> WavePlan {
    let wave = |name: &str, weight, scope| Wave {
        name: name.into(),
        weight,
        scope,
        hold: Span::minutes(30),
    };
    let only = |r: &[&str]| Scope::Regions(r.iter().map(|s| s.to_string()).collect());
    WavePlan {
        waves: vec![
            wave("canary", 5, only(&["eu-west-1"])),
            wave("early", 25, only(&["eu-west-1", "us-east-1"])),
            wave("full", 100, Scope::All),
        ],
    }
}

fn at_weight(region: &str, weight: u8, phase: Phase) -> RegionView {
    let stage = match phase {
        Phase::Aborted => Stage::Aborted,
        Phase::Paused => Stage::Paused,
        Phase::Complete => Stage::Complete,
        _ => Stage::Progressing,
    };
    RegionView {
        rollout: RegionRollout {
            phase: Some(phase),
            target: Some(TargetDetail::default()),
            ..RegionRollout::following(region, weight)
        },
        stage,
        paused_since: None,
        degraded: false,
    }
}

#[test]
fn the_wave_is_the_latest_every_region_has_reached() {
    let now = at("2026-03-14T09:05:00Z");
    let p = Phase::Progressing;
    let status = |views: &[RegionView]| aggregate(views, &plan(), now);
    let s = status(&[at_weight("eu-west-1", 0, p), at_weight("us-east-1", 0, p)]);
    assert_eq!((s.wave, s.phase), (0, Phase::Progressing));
    let s = status(&[at_weight("eu-west-1", 5, p), at_weight("us-east-1", 0, p)]);
    assert_eq!(s.wave, 0);
    let s = status(&[at_weight("eu-west-1", 25, p), at_weight("us-east-1", 20, p)]);
    assert_eq!(s.wave, 0, "us-east-1 has not reached 25%");
    let s = status(&[
        at_weight("eu-west-1", 40, p),
        at_weight("us-east-1", 25, p),
        at_weight("ap-south-1", 0, p),
    ]);
    assert_eq!(s.wave, 1);
    let c = Phase::Complete;
    let s = status(&[
        at_weight("eu-west-1", 100, c),
        at_weight("us-east-1", 100, c),
    ]);
    assert_eq!((s.wave, s.phase), (2, Phase::Complete));
    assert_eq!(s.regions.len(), 2);
    assert_eq!(s.observed_at, now);
}

#[test]
fn aborted_beats_paused_beats_progressing_and_held_counts_from_the_pause() {
    let now = at("2026-03-14T09:05:00Z");
    let mut paused_eu = at_weight("eu-west-1", 20, Phase::Paused);
    paused_eu.paused_since = Some(at("2026-03-14T09:03:30Z"));
    let mut paused_us = at_weight("us-east-1", 20, Phase::Paused);
    paused_us.paused_since = Some(at("2026-03-14T09:01:00Z"));
    let s = aggregate(&[paused_eu.clone(), paused_us], &plan(), now);
    assert_eq!(s.phase, Phase::Paused);
    assert_eq!(s.held, Span::seconds(90), "since the latest pause began");
    let progressing = at_weight("us-east-1", 20, Phase::Progressing);
    let s = aggregate(&[paused_eu.clone(), progressing.clone()], &plan(), now);
    assert_eq!(s.phase, Phase::Paused);
    let s = aggregate(std::slice::from_ref(&progressing), &plan(), now);
    assert_eq!((s.phase, s.held), (Phase::Progressing, Span::zero()));
    let aborted = at_weight("ap-south-1", 0, Phase::Aborted);
    let s = aggregate(&[paused_eu, progressing, aborted], &plan(), now);
    assert_eq!(s.phase, Phase::Aborted);
    assert_eq!(s.message.as_deref(), Some("ap-south-1: aborted"));
    let complete = at_weight("eu-west-1", 100, Phase::Complete);
    let s = aggregate(
        &[complete, at_weight("us-east-1", 100, Phase::Progressing)],
        &plan(),
        now,
    );
    assert_eq!(s.phase, Phase::Progressing);
}

/// A blue-green Rollout shaped like the Argo project's `rollout-bluegreen`
/// example (active and preview services, no automatic promotion), with a
/// new image waiting behind the preview service.
fn blue_green(status: Value) -> Rollout {
    let mut waiting = json!({
        "phase": "Paused",
        "message": "BlueGreenPause",
        "currentPodHash": "5ffbfbbd64",
        "stableRS": "8464d6ff4f",
        "pauseConditions": [{"reason": "BlueGreenPause", "startTime": "2026-03-14T09:00:00Z"}],
        "replicas": 11, "updatedReplicas": 3, "readyReplicas": 11, "availableReplicas": 11,
        "blueGreen": {"activeSelector": "8464d6ff4f", "previewSelector": "5ffbfbbd64"}
    });
    merge(&mut waiting, status);
    let mut ro = rollout(waiting);
    let spec = json!({
        "blueGreen": {
            "activeService": "rollout-bluegreen-active",
            "previewService": "rollout-bluegreen-preview",
            "autoPromotionEnabled": false
        }
    });
    ro.spec.strategy = serde_json::from_value(spec).unwrap();
    ro
}

#[test]
fn a_blue_green_preview_takes_no_traffic_until_promotion() {
    // Paused before promotion: 3 of 11 pods are the new version's, but
    // only the preview service selects them.
    let v = view("eu", &blue_green(json!({})));
    assert_eq!(v.stage, Stage::Paused);
    assert_eq!(
        (v.rollout.canary_weight, v.rollout.weight_known),
        (0, WeightKnown::Reported)
    );
    assert_eq!(v.rollout.weight_label(), "0%");
    let t = v.rollout.target.clone().unwrap();
    assert_eq!((t.desired_weight, t.step), (None, None));
    assert_eq!(t.pause_reasons, ["BlueGreenPause"]);
    // Promoted: the active service selects the new version, which serves
    // all while the old one waits to scale down.
    let promoted = blue_green(json!({
        "blueGreen": {"activeSelector": "5ffbfbbd64", "previewSelector": "5ffbfbbd64"}
    }));
    let v = view("eu", &promoted);
    assert_eq!(v.rollout.weight_label(), "100%");
    // No selector written yet: there is no telling.
    let unread = blue_green(json!({"blueGreen": {"activeSelector": null}}));
    let v = view("eu", &unread);
    assert_eq!(v.rollout.weight_known, WeightKnown::Unknown);
    assert_eq!(v.rollout.weight_label(), "?");
}

#[test]
fn a_router_not_yet_told_is_no_reason_to_guess_from_pods() {
    let ro = rollout(json!({"currentStepIndex": 2, "replicas": 5, "updatedReplicas": 2}));
    assert_eq!(
        actual_weight(&ro, Stage::Progressing),
        (0, WeightKnown::Unknown)
    );
    assert_eq!(view("eu", &ro).rollout.weight_label(), "?");
}

#[test]
fn a_timed_pause_step_is_the_hold_running_not_a_pause() {
    let timed = rollout(json!({
        "phase": "Paused",
        "currentStepIndex": 3,
        "controllerPause": true,
        "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-14T09:00:00Z"}],
        "canary": {"weights": {
            "canary": {"weight": 40, "podTemplateHash": "7bf84f9696", "serviceName": "c"},
            "stable": {"weight": 60, "podTemplateHash": "6cf78c66c5", "serviceName": "s"}
        }}
    }));
    let v = view("eu-west-1", &timed);
    assert_eq!(
        v.stage,
        Stage::Progressing,
        "the controller moves on by itself"
    );
    assert_eq!(v.paused_since, Some(at("2026-03-14T09:00:00Z")));
    let s = aggregate(
        std::slice::from_ref(&v),
        &plan(),
        at("2026-03-14T09:00:25Z"),
    );
    assert_eq!((s.phase, s.held), (Phase::Progressing, Span::seconds(25)));
    // A person's pause on top of it is a pause; so is an indefinite step.
    let mut by_hand = timed.clone();
    by_hand.spec.paused = true;
    assert_eq!(view("eu-west-1", &by_hand).stage, Stage::Paused);
    assert_eq!(view("eu-west-1", &paused()).stage, Stage::Paused);
}
