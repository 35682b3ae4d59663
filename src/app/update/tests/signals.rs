//! Signals of the plan's own: one that is none of the standard four,
//! judged against stable; one of a region's own; one of the service's.

use super::*;
use crate::domain::guardrail::{Consequence, Direction, Guardrails, StopCondition};
use crate::domain::health::{Per, Sample, Signal, VersionRole};
use crate::domain::signal::{SignalDef, Signals, Unit, Worse};

/// The demo's plan with three signals of its own, and `conditions` on
/// them made by `make` from the plan's signals.
fn with_signals(make: impl Fn(&Signals) -> Vec<StopCondition>) -> AppState {
    let mut plan = FleetSpec::demo(1).plan;
    let mut checkout = SignalDef::new("checkout_completion", Unit::Ratio, Worse::Lower);
    checkout.column = Some(1);
    let mut queue = SignalDef::new("queue_depth", Unit::Count, Worse::Higher);
    queue.per = Per::Region;
    let mut tickets = SignalDef::new("support_tickets", Unit::named("tickets/h"), Worse::Higher);
    tickets.per = Per::Service;
    tickets.column = None;
    plan.signals = Signals::new(
        Signals::standard()
            .iter()
            .map(|s| s.def().clone())
            .chain([checkout, queue, tickets]),
    );
    plan.stop_conditions = make(&plan.signals);
    let mut s = AppState::new(
        plan.clone(),
        RunMode::Demo,
        source_infos(),
        crate::app::state::Seat::new("alice", vec!["dark".into()]),
        epoch(),
    );
    s.guardrails = Guardrails::new(plan.stop_conditions);
    // Every region takes canary traffic.
    let mut st = status(Phase::Progressing, 2);
    for r in &mut st.regions {
        r.canary_weight = 50;
    }
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    s
}

fn named(s: &AppState, name: &str) -> Signal {
    s.plan.signals.get(name).cloned().unwrap()
}

fn sample(signal: &Signal, region: &str, version: VersionRole, value: f64) -> Sample {
    Sample {
        region: region.into(),
        version,
        signal: signal.clone(),
        value,
        basis: Default::default(),
    }
}

/// One poll at `t` seconds: every region's stable and canary checkout
/// completion (the canary's in `region` at `canary`), queue depths (the
/// one in `region` at `queue`) and the service's tickets.
fn poll(
    s: &mut AppState,
    t: i64,
    region: &str,
    canary: f64,
    queue: f64,
    tickets: f64,
) -> Vec<Effect> {
    let checkout = named(s, "checkout_completion");
    let depth = named(s, "queue_depth");
    let service = named(s, "support_tickets");
    let mut samples = Vec::new();
    for r in s.plan.regions.clone() {
        let here = r == region;
        samples.push(sample(&checkout, &r, VersionRole::Stable, 0.72));
        let c = if here { canary } else { 0.71 };
        samples.push(sample(&checkout, &r, VersionRole::Canary, c));
        let q = if here { queue } else { 120.0 };
        samples.push(sample(&depth, &r, VersionRole::Stable, q));
    }
    samples.push(sample(&service, "", VersionRole::Stable, tickets));
    let at = epoch() + Span::seconds(t);
    update(s, polled(1, at, Ok(Report::Metrics(samples))))
}

/// The demo with its own signals and one alerting condition on `name`.
fn guarded(name: &str, direction: Direction, warn: f64, breach: f64) -> AppState {
    with_signals(|signals| {
        vec![condition(
            signals.get(name).cloned().unwrap(),
            direction,
            warn,
            breach,
        )]
    })
}

/// The canary row's verdict of `region`, as the screen shows it.
fn row(s: &AppState, region: &str) -> crate::domain::health::Verdict {
    let i = s.health.regions().iter().position(|r| r == region).unwrap();
    crate::app::verdict::canary_row(s, i)
}

fn condition(signal: Signal, direction: Direction, warn: f64, breach: f64) -> StopCondition {
    StopCondition::absolute(
        signal,
        direction,
        warn,
        breach,
        Span::seconds(10),
        Consequence::Alert,
    )
}

#[test]
fn a_signal_of_the_plans_own_is_judged_against_stable() {
    let mut s = with_signals(|signals| {
        let mut c = condition(
            signals.get("checkout_completion").cloned().unwrap(),
            Direction::Below,
            0.95,
            0.9,
        );
        c.baseline = crate::domain::guardrail::Baseline::Stable;
        vec![c]
    });
    // 0.70 of stable's 0.72 is 97%: healthy.
    for t in 0..3 {
        poll(&mut s, t * 5, "us-east-1", 0.70, 120.0, 10.0);
    }
    assert!(s.verdict().breached_in.is_empty());
    // 0.5 is 69% of stable: past 0.9×, held 10 s, a breach in that region alone.
    for t in 3..7 {
        poll(&mut s, t * 5, "us-east-1", 0.5, 120.0, 10.0);
    }
    let verdict = s.verdict();
    assert_eq!(verdict.breached_in, ["us-east-1"], "{verdict:?}");
    let said = s
        .timeline
        .newest_first()
        .any(|e| e.text.contains("BREACH checkout completion < 0.9× stable"));
    assert!(said, "the timeline names the signal by its label");
    assert_eq!(row(&s, "us-east-1"), crate::domain::health::Verdict::Breach);
    assert_eq!(
        crate::app::verdict::canary_row(&s, 0),
        crate::domain::health::Verdict::Healthy
    );
}

#[test]
fn a_regions_own_signal_breaches_in_that_region_only() {
    let mut s = guarded("queue_depth", Direction::Above, 400.0, 500.0);
    for t in 0..4 {
        poll(&mut s, t * 5, "ap-southeast-1", 0.71, 900.0, 10.0);
    }
    assert_eq!(s.verdict().breached_in, ["ap-southeast-1"]);
    let status = &s.guardrails.status()[0];
    assert_eq!(status.region.as_deref(), Some("ap-southeast-1"));
    assert_eq!(
        s.guardrails.conditions()[0].show(status.value.unwrap()),
        "900"
    );
    // The region's row says so, though no condition judges its canary cell.
    assert_eq!(
        row(&s, "ap-southeast-1"),
        crate::domain::health::Verdict::Breach
    );
}

#[test]
fn a_plan_watching_only_the_service_is_not_blind_while_it_has_numbers() {
    let mut s = guarded("support_tickets", Direction::Above, 30.0, 40.0);
    for t in 0..4 {
        poll(&mut s, t * 5, "eu-west-1", 0.71, 120.0, 10.0);
    }
    let verdict = s.verdict();
    assert_ne!(
        verdict.call,
        crate::app::verdict::Call::NoData,
        "{verdict:?}"
    );
    assert_ne!(
        verdict.call,
        crate::app::verdict::Call::Stale,
        "{verdict:?}"
    );
}

#[test]
fn a_service_wide_breach_starts_afresh_once_no_canary_takes_traffic() {
    let mut s = with_signals(|signals| {
        let mut c = condition(
            signals.get("support_tickets").cloned().unwrap(),
            Direction::Above,
            30.0,
            40.0,
        );
        c.consequence = Consequence::Pause;
        vec![c]
    });
    s.mode = RunMode::Live;
    let pauses = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Execute(r) if r.action == Action::Pause))
            .count()
    };
    let mut first = Vec::new();
    for t in 0..4 {
        first.extend(poll(&mut s, t * 5, "eu-west-1", 0.71, 120.0, 55.0));
    }
    assert_eq!(pauses(&first), 1);
    s.in_flight.clear();
    // Every canary at 0 %: nothing is watched, the breach is over.
    let mut idle = status(Phase::Progressing, 2);
    for r in &mut idle.regions {
        r.canary_weight = 0;
    }
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(idle))));
    poll(&mut s, 25, "eu-west-1", 0.71, 120.0, 55.0);
    // A retry at 50 % with the tickets still high breaches anew, and acts.
    let mut again = status(Phase::Progressing, 2);
    for r in &mut again.regions {
        r.canary_weight = 50;
    }
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(again))));
    let mut second = Vec::new();
    for t in 6..10 {
        second.extend(poll(&mut s, t * 5, "eu-west-1", 0.71, 120.0, 55.0));
    }
    let said: Vec<String> = s.timeline.newest_first().map(|e| e.text.clone()).collect();
    assert_eq!(pauses(&second), 1, "{second:?} {said:#?}");
}

#[test]
fn a_breach_of_a_service_wide_signal_pauses_the_whole_rollout() {
    let mut s = with_signals(|signals| {
        let mut c = condition(
            signals.get("support_tickets").cloned().unwrap(),
            Direction::Above,
            30.0,
            40.0,
        );
        c.consequence = Consequence::Pause;
        vec![c]
    });
    s.mode = RunMode::Live;
    let mut effects = Vec::new();
    for t in 0..4 {
        effects.extend(poll(&mut s, t * 5, "eu-west-1", 0.71, 120.0, 55.0));
    }
    let pauses: Vec<&crate::domain::action::ActionRequest> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Execute(r) if r.action == Action::Pause => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(pauses.len(), 1, "{effects:?}");
    assert_eq!(pauses[0].scope, ActionScope::Rollout);
    assert!(
        pauses[0].reason.as_deref().is_some_and(
            |r| r.contains("support tickets > 40 tickets/h") && r.contains("service-wide")
        ),
        "{:?}",
        pauses[0].reason
    );
    let verdict = s.verdict();
    assert_eq!(verdict.call, crate::app::verdict::Call::NoGo);
    assert!(
        verdict
            .reasons
            .iter()
            .any(|r| r.text.starts_with("service-wide breach")),
        "{verdict:?}"
    );
    // No region's row is blamed for the service's tickets.
    for row in 0..s.health.regions().len() {
        assert_ne!(
            crate::app::verdict::canary_row(&s, row),
            crate::domain::health::Verdict::Breach
        );
    }
}

#[test]
fn a_service_wide_signal_without_data_is_no_data_never_healthy() {
    let mut s = guarded("support_tickets", Direction::Above, 30.0, 40.0);
    poll(&mut s, 0, "eu-west-1", 0.71, 120.0, f64::NAN);
    assert_eq!(
        s.guardrails.status()[0].state,
        crate::domain::guardrail::GuardrailState::NoData
    );
}
