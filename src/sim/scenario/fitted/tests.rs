use super::*;
use crate::config::plan::PlanFile;
use crate::domain::drill::scenario::LATER;

fn plan(path: &str) -> RolloutPlan {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    PlanFile::load(&root.join(path)).map(|p| p.plan).unwrap()
}

#[test]
fn healthy_values_sit_halfway_to_the_warning_line() {
    let spec = FleetSpec::fitted(&plan("examples/kubernetes.toml"), 1, Span::seconds(40));
    for p in &spec.profiles {
        // error_rate warns at 0.5 %; success_rate breaches at 99.5 %.
        assert!(p.error_rate <= 0.0025, "{p:?}");
        assert!(p.error_rate + p.client_errors <= 0.0025 + 1e-12, "{p:?}");
        assert!(p.error_rate > 0.0, "{p:?}");
    }
    assert!(spec.faults.is_empty());
    assert!(
        spec.plan
            .waves
            .waves
            .iter()
            .all(|w| w.hold == Span::seconds(40))
    );
    // The demo's own conditions: latency warns at 320 ms, success at 99 %.
    let spec = FleetSpec::fitted(&FleetSpec::demo(1).plan, 1, Span::seconds(30));
    for p in &spec.profiles {
        assert!(p.p99 <= 0.16 && p.error_rate <= 0.005, "{p:?}");
        assert!(p.error_rate + p.client_errors <= 0.005 + 1e-12, "{p:?}");
    }
}

#[test]
fn fitting_knows_directions_and_percentages() {
    let mut p = RegionProfile {
        name: "x".to_string(),
        rps: 100.0,
        error_rate: 0.01,
        p99: 0.5,
        client_errors: 0.004,
    };
    use crate::domain::signal::{SignalDef, Signals};
    let mut percent = SignalDef::standard(SUCCESS_RATE).unwrap();
    percent.unit = Unit::Percent;
    let signals = Signals::new([percent, SignalDef::standard(REQUEST_RATE).unwrap()]);
    let success = signals.get(SUCCESS_RATE).cloned().unwrap();
    let hold = Span::seconds(15);
    let conditions = [
        StopCondition::absolute(
            success,
            Direction::Below,
            99.0,
            98.0,
            hold,
            crate::domain::guardrail::Consequence::Alert,
        ),
        StopCondition::absolute(
            signals.get(REQUEST_RATE).cloned().unwrap(),
            Direction::Below,
            500.0,
            400.0,
            hold,
            crate::domain::guardrail::Consequence::Alert,
        ),
    ];
    fit(&mut p, &conditions);
    // 99 % warns: healthy is 99.5 %, so at most 0.5 % fail in all.
    assert!(
        (p.error_rate + p.client_errors - 0.005).abs() < 1e-9,
        "{p:?}"
    );
    assert_eq!(p.rps, 1000.0);
}

#[test]
fn scenario_regions_are_placed_on_the_fleet() {
    let plan = plan("examples/kubernetes.toml");
    assert_eq!(second_wave_region(&plan), "us-east");
    assert_eq!(later_region(&plan), "ap-south");
    let demo = FleetSpec::demo(1).plan;
    assert_eq!(
        (second_wave_region(&demo), later_region(&demo)),
        ("us-east-1".to_string(), "sa-east-1".to_string())
    );
    let regions = demo.regions.clone();
    let red = crate::config::scenario::built_in("red-herring", &regions)
        .unwrap()
        .unwrap();
    assert_eq!(red.injections[0].target.region.as_deref(), Some(LATER));
    let placed = place(&red, &plan).unwrap();
    let at: Vec<_> = placed
        .injections
        .iter()
        .map(|i| i.target.region.clone().unwrap())
        .collect();
    assert_eq!(at, ["ap-south", "ap-south", "us-east"]);
    let mut named = red.clone();
    named.injections[0].target.region = Some("us-east-1".to_string());
    let e = place(&named, &plan).unwrap_err();
    assert!(e.contains("`us-east-1`") && e.contains("eu-central"), "{e}");
}

#[test]
fn the_classic_faults_become_a_script() {
    let (spec, script) = FleetSpec::demo(4).into_script();
    assert!(spec.faults.is_empty());
    let ids: Vec<&str> = script.injections.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["regression", "slowdown"]);
    assert_eq!(script.injections[0].start, Start::At(Span::seconds(50)));
    assert_eq!(
        script.injections[0].target.region.as_deref(),
        Some("us-east-1")
    );
    assert_eq!(script.expect[0].actions, [Action::Pause, Action::Rollback]);
}
