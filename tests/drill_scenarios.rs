//! Drills of scenarios: `drill --list` and `--scenario` from the binary, a
//! plan's drill fitted inside its stop conditions (no breach before the
//! first fault, over several seeds), and each built-in scenario showing on
//! screen what it sets out to teach, headless on a simulated clock.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Tmux, require, temp_dir};

use warroom::config::plan::PlanFile;
use warroom::config::scenario::{BUILT_IN, built_in};
use warroom::domain::Span;
use warroom::domain::drill::scenario::{Scenario, Start};
use warroom::domain::guardrail::GuardrailState;
use warroom::domain::rollout::{Action, ActionScope};
use warroom::domain::timeline::EventKind;
use warroom::runtime::rehearsal::Rehearsal;
use warroom::sim::{FleetSpec, place};

fn warroom(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn drill_list_names_and_titles_every_built_in_scenario() {
    let (code, out, err) = warroom(&["drill", "--list"]);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    for ((name, _), line) in BUILT_IN.iter().zip(&lines) {
        assert!(line.starts_with(name), "{line}");
        assert!(line.len() > name.len() + 10, "no title: {line}");
    }
    assert!(
        out.contains("red-herring") && out.contains("not under rollout"),
        "{out}"
    );
}

#[test]
fn an_unknown_or_broken_scenario_is_refused_with_what_to_fix() {
    let (code, out, err) = warroom(&["drill", "--scenario", "nope"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("no scenario `nope`") && err.contains("canary-regression"),
        "{err}"
    );
    let dir = std::env::temp_dir().join(format!("warroom-drill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    let text = "name = \"x\"\ntitle = \"x\"\nbriefing = \"x\"\n[[inject]]\nid = \"a\"\nat = \"1s\"\nfault = \"error_rate\"\nrate = 2.0\n";
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = warroom(&["drill", "--scenario", file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("bad.toml:8: inject[0].rate: 2 is not a share"),
        "{err}"
    );
    // A scenario on the plan's fleet needs a plan.
    let plan_only = text
        .replace("rate = 2.0", "rate = 0.2")
        .replace("briefing = \"x\"", "briefing = \"x\"\nfleet = \"plan\"");
    std::fs::write(&file, plan_only).unwrap();
    let (code, _, err) = warroom(&["drill", "--scenario", file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("give --plan FILE"), "{err}");
}

fn demo_regions() -> Vec<String> {
    FleetSpec::demo(0).plan.regions
}

fn scenario(name: &str) -> Scenario {
    built_in(name, &demo_regions()).unwrap().unwrap()
}

/// The first injection's start, in seconds, for a script whose first is timed.
fn first_at(s: &Scenario) -> i64 {
    s.injections
        .iter()
        .filter_map(|i| match i.start {
            Start::At(at) => Some(at.num_seconds()),
            Start::After { .. } => None,
        })
        .min()
        .unwrap()
}

fn breaches(r: &Rehearsal) -> Vec<String> {
    let g = &r.state.guardrails;
    g.conditions()
        .iter()
        .zip(g.status())
        .filter(|(_, s)| matches!(s.state, GuardrailState::Breach { .. }))
        .map(|(c, s)| format!("{} in {:?}", c.signal.name(), s.region))
        .collect()
}

#[test]
fn a_plans_drill_trips_no_stop_condition_before_the_first_fault() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = scenario("canary-regression");
    let until = first_at(&s);
    for plan in [
        "examples/kubernetes.toml",
        "examples/web-service.toml",
        "examples/simulator.toml",
    ] {
        let plan = PlanFile::load(&root.join(plan)).unwrap().plan;
        for seed in 1..=6 {
            let spec = FleetSpec::fitted(&plan, seed, s.pace);
            let placed = place(&s, &spec.plan).unwrap();
            let mut r = Rehearsal::new(spec, placed);
            for second in 1..until {
                r.run_to(second);
                let found = breaches(&r);
                assert!(
                    found.is_empty(),
                    "{} seed {seed} at {second}s: {found:?}",
                    plan.service
                );
            }
        }
    }
    // Unfitted, the simulator's own baseline fails the Kubernetes plan's
    // 99.5 % success rate: what the fitting is for.
    let plan = PlanFile::load(&root.join("examples/kubernetes.toml"))
        .unwrap()
        .plan;
    let mut spec = FleetSpec::rehearsal(&plan, 1, Span::hours(1));
    spec.faults.clear();
    let mut calm = place(&s, &spec.plan).unwrap();
    calm.injections.clear();
    let mut r = Rehearsal::new(spec, calm);
    let mut tripped = false;
    for second in 1..120 {
        r.run_to(second);
        tripped |= !breaches(&r).is_empty();
    }
    assert!(tripped, "the unfitted baseline no longer breaches");
}

fn demo_drill(name: &str) -> Rehearsal {
    let s = scenario(name);
    let spec = FleetSpec::drill_demo(s.seed, s.pace, None);
    let placed = place(&s, &spec.plan).unwrap();
    Rehearsal::new(spec, placed)
}

fn timeline_has(r: &Rehearsal, kind: EventKind, says: &str) -> bool {
    r.state
        .timeline
        .newest_first()
        .any(|e| e.kind == kind && e.text.contains(says))
}

#[test]
fn the_canary_regression_breaches_in_the_second_waves_region() {
    let mut r = demo_drill("canary-regression");
    r.run_to(49);
    assert!(breaches(&r).is_empty());
    r.run_to(100);
    let found = breaches(&r);
    assert!(found.iter().any(|b| b.contains("us-east-1")), "{found:?}");
    assert!(
        r.drill
            .view(r.now)
            .injections
            .iter()
            .all(|i| i.failed_requests > 0 || i.id == "slowdown")
    );
}

#[test]
fn the_latency_creep_warns_long_before_it_breaches() {
    let mut r = demo_drill("latency-creep");
    let mut warned = None;
    let mut breached = None;
    for s in 1..=300 {
        r.run_to(s);
        let g = &r.state.guardrails;
        let states: Vec<GuardrailState> = g
            .conditions()
            .iter()
            .zip(g.status())
            .filter(|(c, _)| c.signal.name() == "latency_p99")
            .map(|(_, s)| s.state)
            .collect();
        if warned.is_none()
            && states
                .iter()
                .any(|s| *s != GuardrailState::Ok && *s != GuardrailState::NoData)
        {
            warned = Some(s);
        }
        if breached.is_none()
            && states
                .iter()
                .any(|s| matches!(s, GuardrailState::Breach { .. }))
        {
            breached = Some(s);
        }
    }
    let (warned, breached) = (warned.unwrap(), breached.unwrap());
    assert!(warned >= 70, "warned at {warned}s, before the creep");
    assert!(
        breached - warned >= 45,
        "warned at {warned}s, breached at {breached}s"
    );
}

#[test]
fn the_dependency_failure_hits_stable_as_hard_as_the_canary() {
    let mut r = demo_drill("dependency-failure");
    r.run_to(90);
    let truth = r.fleet.truth(r.now);
    let rate = |v| {
        truth
            .iter()
            .find(|t| t.region == "us-east-1" && t.version == v)
            .map(|t| t.error_rate)
            .unwrap()
    };
    use warroom::domain::health::VersionRole;
    assert!(
        rate(VersionRole::Stable) > 0.05,
        "{}",
        rate(VersionRole::Stable)
    );
    assert!((rate(VersionRole::Stable) - rate(VersionRole::Canary)).abs() < 1e-9);
}

#[test]
fn the_metrics_going_dark_shows_a_source_that_stopped_answering() {
    let mut r = demo_drill("metrics-dark");
    r.run_to(59);
    assert!(r.state.sources[1].error.is_none());
    r.run_to(70);
    assert!(r.state.sources[1].error.is_some());
    assert!(
        timeline_has(&r, EventKind::Source, "no answer"),
        "{:?}",
        r.state.timeline.newest_first().take(5).collect::<Vec<_>>()
    );
    r.run_to(245);
    assert!(
        r.state.sources[1].error.is_none(),
        "back after its 3 minutes"
    );
}

#[test]
fn the_deploy_api_refusing_is_shown_as_a_failed_action() {
    let mut r = demo_drill("deploy-api-403");
    r.run_to(80);
    r.act(Action::Pause, ActionScope::Rollout);
    assert!(
        timeline_has(&r, EventKind::ActionFailed, "403 forbidden"),
        "{:?}",
        r.state.timeline.newest_first().next()
    );
    assert_ne!(
        r.fleet.status().phase,
        warroom::domain::rollout::Phase::Paused
    );
}

#[test]
fn the_red_herring_fires_in_a_region_not_under_rollout() {
    let mut r = demo_drill("red-herring");
    r.run_to(60);
    assert!(timeline_has(
        &r,
        EventKind::Source,
        "alert HighErrorRate firing for sa-east-1"
    ));
    let weight = r
        .fleet
        .status()
        .regions
        .iter()
        .find(|g| g.region == "sa-east-1")
        .map(|g| g.canary_weight);
    assert_eq!(weight, Some(0), "sa-east-1 is not under rollout yet");
}

#[test]
fn a_deploy_api_that_never_answers_leaves_the_outcome_unknown() {
    let text = "name = \"hang\"\ntitle = \"t\"\nbriefing = \"b\"\n[[inject]]\nid = \"hang\"\nat = \"5s\"\nfault = \"deploy_api\"\nstatus = \"timeout\"\n";
    let s = warroom::config::scenario::parse(text, "hang.toml", &demo_regions()).unwrap();
    let spec = FleetSpec::drill_demo(s.seed, s.pace, None);
    let placed = place(&s, &spec.plan).unwrap();
    let mut r = Rehearsal::new(spec, placed);
    r.run_to(10);
    r.act(Action::Pause, ActionScope::Rollout);
    assert!(
        timeline_has(&r, EventKind::ActionUnknown, "no answer within 10s"),
        "{:?}",
        r.state.timeline.newest_first().next()
    );
    assert_ne!(
        r.fleet.status().phase,
        warroom::domain::rollout::Phase::Paused
    );
}

#[test]
fn a_drill_on_a_larger_demo_fleet_places_its_faults_there() {
    let s = scenario("red-herring");
    let spec = FleetSpec::drill_demo(1, s.pace, Some(30));
    let placed = place(&s, &spec.plan).unwrap();
    let regions: Vec<_> = placed
        .injections
        .iter()
        .map(|i| i.target.region.clone().unwrap())
        .collect();
    assert!(
        regions.iter().all(|r| spec.plan.regions.contains(r)),
        "{regions:?}"
    );
    assert_ne!(regions[0], regions[2], "the red herring is elsewhere");
}

#[test]
fn a_scenario_played_in_a_terminal_shows_its_fault_on_screen() {
    if !require("tmux", "-V", "drill scenario in tmux") {
        return;
    }
    let dir = temp_dir("drill-scenario");
    let tmux = Tmux::start("drill-scenario", 140, 40);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {} drill --scenario metrics-dark --fault-at 3 --audit-log {} --operator lead; echo EXIT:$?",
        dir.display(),
        env!("CARGO_BIN_EXE_warroom"),
        dir.join("audit.jsonl").display()
    ));
    let long = Duration::from_secs(40);
    tmux.expect("the drill", long, |s| {
        s.lines().next().unwrap_or("").contains("DRILL")
    });
    let screen = tmux.expect("the metrics going dark", long, |s| {
        s.contains("sim-metrics failing") && s.contains("no answer within 1s")
    });
    // The participants see the fault, never the script.
    assert!(
        !screen.contains("metrics-dark") && !screen.contains("goes dark"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.expect("the question", long, |s| s.contains("End the drill"));
    tmux.keys(&["y"]);
    tmux.expect("the debrief screen", long, |s| s.contains("Drill debrief"));
    tmux.keys(&["q"]);
    tmux.expect("the end", long, |s| s.lines().any(|l| l == "EXIT:0"));
}
