//! Conditions relative to before the rollout, on signals that are none of
//! the standard four: asked for once, retried after a failure, no data
//! until known, and tripping past their multiple.

use super::*;
use crate::domain::baseline::{BaselineRequest, BaselineValues, Baselines};
use crate::domain::guardrail::Guardrails;
use crate::domain::guardrail::{Baseline, Consequence, Direction, GuardrailState, StopCondition};
use crate::domain::health::{Gap, Sample, VersionRole};
use crate::domain::signal::{Per, Signal, SignalDef, Signals, Unit, Worse};

/// Checkout completion per version, "no less than 0.98 × the hour
/// before"; support tickets for the whole service, "no more than 1.01 ×
/// the day before", pausing the rollout.
const CHECKOUT: usize = 3;
const TICKETS: usize = 4;

fn signals() -> Signals {
    let mut tickets = SignalDef::new(
        "support_tickets",
        Unit::Other("tickets/h".into()),
        Worse::Higher,
    );
    tickets.per = Per::Service;
    let checkout = SignalDef::new("checkout_completion", Unit::Ratio, Worse::Lower);
    let standard = crate::domain::signal::STANDARD
        .iter()
        .filter_map(|n| SignalDef::standard(n));
    Signals::new(standard.chain([checkout, tickets]))
}

fn signal(name: &str) -> Signal {
    signals().get(name).cloned().unwrap()
}

fn relative_to_before(
    signal: Signal,
    direction: Direction,
    level: f64,
    hours: i64,
    consequence: Consequence,
) -> StopCondition {
    let mut c = StopCondition::absolute(signal, direction, level, level, Span::zero(), consequence);
    c.baseline = Baseline::Before {
        window: Span::hours(hours),
        end: None,
    };
    c
}

fn before_state() -> AppState {
    let mut plan = FleetSpec::demo(1).plan;
    plan.signals = signals();
    // The demo's own absolute guardrail on checkouts is not this test's.
    plan.stop_conditions
        .retain(|c| !c.signal.is("checkout_completion"));
    plan.stop_conditions.push(relative_to_before(
        signal("checkout_completion"),
        Direction::Below,
        0.98,
        1,
        Consequence::Alert,
    ));
    plan.stop_conditions.push(relative_to_before(
        signal("support_tickets"),
        Direction::Above,
        1.01,
        24,
        Consequence::Pause,
    ));
    // The demo's state, seat and scorecard, judged by this plan.
    let mut s = state();
    s.guardrails = Guardrails::new(plan.stop_conditions.clone());
    s.baselines = Baselines::new(&plan.stop_conditions);
    s.plan = plan;
    s
}

fn baseline_requests(effects: &[Effect]) -> Vec<BaselineRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Baseline(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

/// The rollout reported at wave 1, 3 s into its hold: it started 3 s
/// before the epoch.
fn rollout_reported(s: &mut AppState) -> Vec<Effect> {
    update(
        s,
        polled(
            0,
            epoch(),
            Ok(Report::Rollout(status(Phase::Progressing, 0))),
        ),
    )
}

/// One poll: eu-west-1's canary checkout completion and the service's
/// support tickets.
fn poll(s: &mut AppState, at: i64, checkout: f64, tickets: f64) -> Vec<Effect> {
    let samples = vec![
        Sample {
            region: "eu-west-1".into(),
            version: VersionRole::Canary,
            signal: signal("checkout_completion"),
            value: checkout,
            basis: Default::default(),
        },
        Sample {
            region: String::new(),
            version: VersionRole::Stable,
            signal: signal("support_tickets"),
            value: tickets,
            basis: Default::default(),
        },
    ];
    let at = epoch() + Span::seconds(at);
    update(s, polled(1, at, Ok(Report::Metrics(samples))))
}

fn answer(
    s: &mut AppState,
    key: usize,
    at: i64,
    result: Result<BaselineValues, String>,
) -> Vec<Effect> {
    let at = epoch() + Span::seconds(at);
    update(s, Msg::Baseline { key, at, result })
}

/// What the day before looked like: 90 % checkout completion in
/// eu-west-1, 12 support tickets an hour.
fn known() -> BaselineValues {
    BaselineValues {
        regions: [("eu-west-1".to_string(), 0.9)].into_iter().collect(),
        service: Some(12.0),
    }
}

fn state_of(s: &AppState, i: usize) -> GuardrailState {
    s.guardrails.status()[i].state
}

#[test]
fn the_baseline_is_asked_once_the_rollout_start_is_known_and_only_once() {
    let mut s = before_state();
    assert!(
        baseline_requests(&update(&mut s, Msg::Tick(epoch()))).is_empty(),
        "no start known yet"
    );
    assert!(baseline_requests(&poll(&mut s, 0, 0.9, 12.0)).is_empty());
    let asked = baseline_requests(&rollout_reported(&mut s));
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[0].signal.name(), "checkout_completion");
    assert_eq!(asked[0].window, Span::hours(1));
    assert_eq!(asked[1].window, Span::hours(24));
    // Started 3 s before it was seen at wave 1.
    assert!(asked.iter().all(|r| r.end == epoch() - Span::seconds(3)));
    assert!(baseline_requests(&rollout_reported(&mut s)).is_empty());
    assert!(baseline_requests(&poll(&mut s, 1, 0.9, 12.0)).is_empty());
    assert!(baseline_requests(&update(&mut s, Msg::Tick(epoch() + Span::seconds(60)))).is_empty());
}

#[test]
fn a_failed_baseline_is_asked_again_after_a_backoff_not_on_every_poll() {
    let mut s = before_state();
    let asked = baseline_requests(&rollout_reported(&mut s));
    let key = asked[1].key;
    answer(&mut s, key, 0, Err("HTTP 503: overloaded".to_string()));
    let noted = |s: &AppState| {
        s.timeline
            .newest_first()
            .filter(|e| {
                e.text
                    .contains("support tickets before the rollout (24h) not known")
            })
            .count()
    };
    assert_eq!(noted(&s), 1);
    assert!(baseline_requests(&poll(&mut s, 2, 0.9, 12.0)).is_empty());
    assert!(baseline_requests(&update(&mut s, Msg::Tick(epoch() + Span::seconds(5)))).is_empty());
    let again = baseline_requests(&update(&mut s, Msg::Tick(epoch() + Span::seconds(10))));
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].key, key);
    answer(&mut s, key, 11, Err("HTTP 503: overloaded".to_string()));
    assert_eq!(noted(&s), 1, "a failure is told once");
    assert!(
        baseline_requests(&update(&mut s, Msg::Tick(epoch() + Span::seconds(25)))).is_empty(),
        "the wait doubles"
    );
    assert_eq!(
        baseline_requests(&update(&mut s, Msg::Tick(epoch() + Span::seconds(31)))).len(),
        1
    );
}

#[test]
fn no_data_while_the_baseline_is_unknown_never_healthy() {
    let mut s = before_state();
    rollout_reported(&mut s);
    // Far past any multiple, but against nothing known.
    let effects = poll(&mut s, 0, 0.1, 500.0);
    for i in [CHECKOUT, TICKETS] {
        assert_eq!(state_of(&s, i), GuardrailState::NoData);
        assert_eq!(s.guardrails.gap(i), Some(Gap::NoData));
        assert!(s.guardrails.before_pending(i));
    }
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Execute(_))),
        "{effects:?}"
    );
}

#[test]
fn trips_when_the_value_moves_past_its_multiple_of_before() {
    let mut s = before_state();
    let asked = baseline_requests(&rollout_reported(&mut s));
    poll(&mut s, 0, 0.89, 12.1);
    for r in &asked {
        answer(&mut s, r.key, 0, Ok(known()));
    }
    // Judged again as soon as the values are known: 0.99× and 1.01×.
    assert_eq!(state_of(&s, CHECKOUT), GuardrailState::Ok);
    assert_eq!(state_of(&s, TICKETS), GuardrailState::Ok);
    assert!(!s.guardrails.before_pending(TICKETS));
    assert_eq!(s.guardrails.before(CHECKOUT, "eu-west-1"), Some(0.9));
    assert_eq!(s.guardrails.before(TICKETS, "all"), Some(12.0));
    // Checkout completion falls to 0.94× the hour before.
    poll(&mut s, 1, 0.85, 12.1);
    assert!(matches!(
        state_of(&s, CHECKOUT),
        GuardrailState::Breach { .. }
    ));
    assert_eq!(
        s.guardrails.status()[CHECKOUT].region.as_deref(),
        Some("eu-west-1")
    );
    // Support tickets rise to 1.08× the day before: the rollout pauses.
    let effects = poll(&mut s, 2, 0.85, 13.0);
    assert!(matches!(
        state_of(&s, TICKETS),
        GuardrailState::Breach { .. }
    ));
    let pause = effects.iter().find_map(|e| match e {
        Effect::Execute(r) => Some(r.clone()),
        _ => None,
    });
    let pause = pause.unwrap_or_else(|| panic!("no automatic pause: {effects:?}"));
    assert_eq!(pause.action, Action::Pause);
    assert_eq!(pause.scope, crate::domain::rollout::ActionScope::Rollout);
    let breach = s
        .timeline
        .newest_first()
        .find(|e| e.kind == EventKind::Breach)
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(
        breach.contains("support tickets > 1.01× before (24h)") && breach.contains("1.08× before"),
        "{breach}"
    );
}
