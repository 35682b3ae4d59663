use crate::domain::drill::scenario::{
    DeployFailure, FaultKind, FleetChoice, Injection, Scenario, Start, Target, Versions,
};
use crate::domain::health::VersionRole;
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::{Span, Timestamp};
use crate::runtime::demo::epoch;
use crate::sim::drill::DrillHandle;
use crate::sim::{Fleet, FleetSpec, Truth};

fn fault(id: &str, at: i64, versions: Versions, fault: FaultKind) -> Injection {
    Injection {
        id: id.to_string(),
        start: Start::At(Span::seconds(at)),
        target: Target {
            region: Some("eu-west-1".to_string()),
            versions,
        },
        fault,
        duration: None,
    }
}

fn drill(injections: Vec<Injection>) -> (Fleet, DrillHandle) {
    let scenario = Scenario {
        name: "t".to_string(),
        title: "t".to_string(),
        briefing: String::new(),
        fleet: FleetChoice::Demo,
        seed: 1,
        pace: Span::seconds(30),
        injections,
        expect: vec![],
        forbid: vec![],
        objectives: vec![],
        comms: None,
    };
    let handle = DrillHandle::new(scenario, epoch());
    let spec = FleetSpec::drill_demo(1, Span::seconds(30), None);
    (Fleet::new(spec, epoch()).with_drill(handle.clone()), handle)
}

fn at(s: i64) -> Timestamp {
    epoch() + Span::seconds(s)
}

fn row(truth: &[Truth], version: VersionRole) -> Truth {
    truth
        .iter()
        .find(|t| t.region == "eu-west-1" && t.version == version)
        .cloned()
        .unwrap()
}

#[test]
fn an_error_rate_ramps_in_the_versions_it_targets() {
    let rate = |_: u8| FaultKind::ErrorRate {
        rate: 0.1,
        ramp: Span::seconds(20),
    };
    let (mut canary, _) = drill(vec![fault("a", 10, Versions::Canary, rate(0))]);
    let (mut both, _) = drill(vec![fault("a", 10, Versions::Both, rate(0))]);
    let (mut stable, _) = drill(vec![fault("a", 10, Versions::Stable, rate(0))]);
    let base = row(&canary.truth(at(5)), VersionRole::Canary).error_rate;
    let t = canary.truth(at(20));
    assert!((row(&t, VersionRole::Canary).error_rate - base - 0.05).abs() < 1e-9);
    assert_eq!(row(&t, VersionRole::Stable).error_rate, base);
    let t = both.truth(at(40));
    assert!((row(&t, VersionRole::Stable).error_rate - base - 0.1).abs() < 1e-9);
    assert!((row(&t, VersionRole::Canary).error_rate - base - 0.1).abs() < 1e-9);
    let t = stable.truth(at(40));
    assert_eq!(row(&t, VersionRole::Canary).error_rate, base);
}

#[test]
fn latency_multiplies_the_p99_up_its_ramp() {
    let (mut fleet, _) = drill(vec![fault(
        "a",
        0,
        Versions::Canary,
        FaultKind::Latency {
            factor: 3.0,
            ramp: Span::seconds(10),
        },
    )]);
    let base = FleetSpec::demo(1).profiles[0].p99;
    let t = fleet.truth(at(5));
    assert!((row(&t, VersionRole::Canary).p99 - base * 2.0).abs() < 1e-9);
    assert_eq!(row(&t, VersionRole::Stable).p99, base);
}

#[test]
fn failed_requests_are_counted_for_the_fault_that_failed_them() {
    let (mut fleet, handle) = drill(vec![
        fault(
            "drop",
            0,
            Versions::Both,
            FaultKind::TrafficDrop { share: 0.5 },
        ),
        fault(
            "errors",
            0,
            Versions::Stable,
            FaultKind::ErrorRate {
                rate: 0.1,
                ramp: Span::zero(),
            },
        ),
    ]);
    let served = FleetSpec::demo(1).profiles[0].rps;
    for s in 1..=10 {
        fleet.sample(at(s));
    }
    let t = fleet.truth(at(10));
    let stable = row(&t, VersionRole::Stable);
    let view = handle.view(at(10));
    let dropped = view.injections[0].failed_requests as f64;
    // Half the region's traffic (about 1200/s) dropped for 10 s.
    assert!(
        (dropped - served * 0.5 * 10.0).abs() < served * 0.5 * 10.0 * 0.2,
        "{dropped} of {served}/s"
    );
    let failed = view.injections[1].failed_requests as f64;
    assert!(
        (failed - stable.rps * 0.1 * 10.0).abs() < stable.rps * 0.2,
        "{failed}"
    );
    assert!(row(&t, VersionRole::Canary).rps < served * 0.6);
}

#[test]
fn the_metrics_source_goes_dark_the_deploy_api_fails_and_alerts_fire() {
    let (mut fleet, handle) = drill(vec![
        fault("dark", 10, Versions::Canary, FaultKind::MetricsGap),
        fault(
            "api",
            0,
            Versions::Canary,
            FaultKind::DeployApi(DeployFailure::Forbidden),
        ),
        fault(
            "alert",
            5,
            Versions::Canary,
            FaultKind::Alert {
                name: "HighErrorRate".to_string(),
            },
        ),
    ]);
    assert_eq!(fleet.deploy_failure(at(1)), Some(DeployFailure::Forbidden));
    assert!(fleet.alerts(at(4)).is_empty());
    assert_eq!(
        fleet.alerts(at(5)),
        ["alert HighErrorRate firing for eu-west-1"]
    );
    assert!(!fleet.metrics_dark(at(9)));
    assert!(fleet.metrics_dark(at(10)));
    handle.clear("api", at(12)).unwrap();
    assert_eq!(fleet.deploy_failure(at(12)), None);
    // None of them changes the traffic.
    let (mut calm, _) = drill(vec![]);
    assert_eq!(fleet.truth(at(20)), calm.truth(at(20)));
    assert!(
        fleet
            .apply(Action::Pause, &ActionScope::Rollout, at(21))
            .is_ok()
    );
}

#[test]
fn a_paused_drill_clock_holds_the_waves() {
    let (mut fleet, handle) = drill(vec![]);
    fleet.advance(at(20));
    handle.pause_clock(true, at(20));
    fleet.advance(at(100));
    assert_eq!(fleet.status().wave, 0);
    handle.pause_clock(false, at(100));
    fleet.advance(at(109));
    assert_eq!(fleet.status().wave, 0);
    fleet.advance(at(110));
    assert_eq!(fleet.status().wave, 1);
}

#[test]
fn a_drill_is_the_same_for_a_seed_and_times() {
    let script = || {
        vec![
            fault(
                "a",
                3,
                Versions::Both,
                FaultKind::ErrorRate {
                    rate: 0.05,
                    ramp: Span::seconds(4),
                },
            ),
            fault(
                "b",
                5,
                Versions::Canary,
                FaultKind::TrafficDrop { share: 0.3 },
            ),
        ]
    };
    let run = || {
        let (mut fleet, handle) = drill(script());
        let samples: Vec<_> = (1..20).map(|s| fleet.sample(at(s))).collect();
        (samples, handle.view(at(20)))
    };
    assert_eq!(run(), run());
}
