//! The bake after the last wave: BAKING with time left, every stop condition
//! armed, COMPLETE only once it passes clean.

use super::*;
use crate::app::verdict::Call;
use crate::domain::Timestamp;
use crate::domain::bake::BakeState;
use crate::domain::guardrail::{Consequence, Guardrails};
use crate::domain::health::{Sample, VersionRole};

/// The demo's regions, every one at 100 % on the last wave.
fn at_the_end(phase: Phase) -> RolloutStatus {
    let mut st = status(phase, 3);
    for r in &mut st.regions {
        r.canary_weight = 100;
    }
    st
}

/// The healthy canary numbers of every region.
fn everywhere(wobble: f64) -> Vec<Sample> {
    let canary: Vec<Sample> = healthy_samples(wobble)
        .into_iter()
        .filter(|s| s.version == VersionRole::Canary)
        .collect();
    ["eu-west-1", "us-east-1", "ap-southeast-1", "sa-east-1"]
        .iter()
        .flat_map(|r| {
            canary.iter().map(|s| Sample {
                region: r.to_string(),
                ..s.clone()
            })
        })
        .collect()
}

fn later(seconds: i64) -> Timestamp {
    epoch() + Span::seconds(seconds)
}

/// The clock ticks at `t` and the deployment source says again what it said.
fn tick(s: &mut AppState, t: i64) {
    update(s, Msg::Tick(later(t)));
    if let Some(rollout) = s.rollout.clone() {
        update(s, polled(0, later(t), Ok(Report::Rollout(rollout))));
    }
}

/// A second of the live loop at `t`: the clock ticks, the sources answer.
fn healthy_second(s: &mut AppState, t: i64) -> Vec<Effect> {
    tick(s, t);
    let wobble = if t % 2 == 0 { 1.0 } else { 1.02 };
    update(
        s,
        polled(1, later(t), Ok(Report::Metrics(everywhere(wobble)))),
    )
}

/// The rollout at its end in `phase`, the first stop condition (error
/// rate) acting at once as `consequence`, healthy until now.
fn baking(phase: Phase, consequence: Consequence) -> AppState {
    let mut s = state();
    let mut conditions = s.plan.stop_conditions.clone();
    conditions[0].consequence = consequence;
    conditions[0].hold = Span::zero();
    s.guardrails = Guardrails::new(conditions);
    for t in -11..=0 {
        healthy_second(&mut s, t);
    }
    update(
        &mut s,
        polled(0, epoch(), Ok(Report::Rollout(at_the_end(phase)))),
    );
    s
}

/// The canary of eu-west-1 failing at `t`, the others healthy.
fn breach_at(s: &mut AppState, t: i64) -> Vec<Effect> {
    tick(s, t);
    let mut samples = everywhere(1.0);
    for x in samples.iter_mut().filter(|x| x.region == "eu-west-1") {
        x.value = match x.signal.name() {
            "error_rate" => 0.2,
            "success_rate" => 0.79,
            _ => x.value,
        };
    }
    update(s, polled(1, later(t), Ok(Report::Metrics(samples))))
}

fn said(s: &AppState, start: &str) -> bool {
    s.timeline.newest_first().any(|e| e.text.starts_with(start))
}

fn left(s: &AppState) -> Option<Span> {
    s.verdict().bake_left
}

#[test]
fn a_clean_bake_counts_down_then_completes() {
    let mut s = baking(Phase::Complete, Consequence::Alert);
    assert!(said(&s, "bake started: 1m at 100 %"));
    assert_eq!(s.verdict().call, Call::Baking);
    assert!(
        s.verdict().call.is_go(),
        "nothing is wrong: promote needs no override"
    );
    assert_eq!(left(&s), Some(Span::seconds(60)));
    for t in 1..=20 {
        healthy_second(&mut s, t);
    }
    assert_eq!(left(&s), Some(Span::seconds(40)));
    for t in 21..=59 {
        healthy_second(&mut s, t);
        assert_eq!(s.verdict().call, Call::Baking, "at {t}s");
    }
    assert_eq!(left(&s), Some(Span::seconds(1)));
    assert!(!said(&s, "bake passed"));
    healthy_second(&mut s, 60);
    let v = s.verdict();
    assert_eq!(v.call, Call::Complete, "{:?}", v.reasons);
    assert_eq!(v.bake_left, None);
    assert!(matches!(s.bake, Some(BakeState::Passed { .. })));
    assert!(said(&s, "bake passed: 1m at 100 % with no breach"));
}

#[test]
fn a_bake_passed_before_the_source_completes_leaves_it_go() {
    // The last wave holds (a gate, a long hold) past the bake.
    let mut s = baking(Phase::Progressing, Consequence::Alert);
    for t in 1..=60 {
        healthy_second(&mut s, t);
    }
    assert!(matches!(s.bake, Some(BakeState::Passed { .. })));
    assert!(said(
        &s,
        "bake passed: 1m at 100 % with no breach: a promote"
    ));
    assert_eq!(
        s.verdict().call,
        Call::Go,
        "not COMPLETE before the source says so"
    );
    update(
        &mut s,
        polled(
            0,
            later(61),
            Ok(Report::Rollout(at_the_end(Phase::Complete))),
        ),
    );
    assert_eq!(s.verdict().call, Call::Complete);
}

#[test]
fn the_bake_passes_on_the_clock_alone_but_never_on_stale_numbers() {
    let mut s = baking(Phase::Complete, Consequence::Alert);
    for t in 1..=55 {
        healthy_second(&mut s, t);
    }
    // The metrics stop answering: time passes, the bake does not.
    for t in 56..=70 {
        tick(&mut s, t);
    }
    let v = s.verdict();
    assert_ne!(v.call, Call::Complete);
    assert!(v.reasons.iter().any(|r| r.text == "metrics stale"), "{v:?}");
    assert!(matches!(s.bake, Some(BakeState::Baking { .. })));
    // They answer again: it passes on the next second with nothing wrong.
    healthy_second(&mut s, 71);
    assert_eq!(s.verdict().call, Call::Complete);
}

#[test]
fn a_breach_while_baking_rolls_back_through_the_action_path() {
    let mut s = baking(Phase::Complete, Consequence::Rollback);
    for t in 1..=30 {
        healthy_second(&mut s, t);
    }
    assert_eq!(s.verdict().call, Call::Baking);
    let effects = breach_at(&mut s, 31);
    let request = effects.iter().find_map(|e| match e {
        Effect::Execute(r) => Some(r.clone()),
        _ => None,
    });
    let request = request.unwrap_or_else(|| panic!("no automatic rollback: {effects:?}"));
    assert_eq!(request.action, Action::Rollback);
    assert_eq!(request.scope, ActionScope::Rollout);
    assert_eq!(request.operator, "warroom");
    assert!(
        request
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("stop condition breached: error rate")),
        "{request:?}"
    );
    // The one path: in flight (no second send) and on the timeline.
    assert_eq!(
        s.in_flight.first().map(|f| f.action),
        Some(Action::Rollback)
    );
    assert!(said(&s, "warroom asked to roll back (all regions)"));
    assert!(said(&s, "bake failed after 31s: breach in eu-west-1"));
    let v = s.verdict();
    assert_eq!(v.call, Call::NoGo);
    assert!(v.reasons.iter().any(|r| r.text.starts_with("bake failed")));
    // The numbers recover and the time passes: never COMPLETE.
    for t in 32..=100 {
        assert!(executed(&healthy_second(&mut s, t)).is_empty(), "one send");
        assert_ne!(s.verdict().call, Call::Complete, "at {t}s");
    }
    // The target confirms, and reports the rollout rolled back.
    let id = s.in_flight.first().map(|f| f.id).unwrap_or_default();
    let done = ActionOutcome::Done("undone to v2.3.1".into());
    update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Rollback,
            at: later(101),
            outcome: done,
        },
    );
    assert_eq!(s.last_rollback, Some(later(101)));
    let mut back = at_the_end(Phase::RolledBack);
    for r in &mut back.regions {
        r.canary_weight = 0;
    }
    update(&mut s, polled(0, later(102), Ok(Report::Rollout(back))));
    assert_eq!(s.verdict().call, Call::RolledBack);
    assert!(matches!(s.bake, Some(BakeState::Failed { .. })));
}

#[test]
fn a_pause_on_breach_pauses_the_last_wave_while_it_bakes() {
    // The last wave still holding at 100 %: pause means something.
    let mut s = baking(Phase::Progressing, Consequence::Pause);
    assert_eq!(s.verdict().call, Call::Baking);
    let effects = breach_at(&mut s, 5);
    assert_eq!(executed(&effects), [Action::Pause]);
    assert!(matches!(s.bake, Some(BakeState::Failed { .. })));
    assert_eq!(s.verdict().call, Call::NoGo);
    // Complete, there is nothing to pause: held back, said, and NO-GO.
    let mut s = baking(Phase::Complete, Consequence::Pause);
    assert!(executed(&breach_at(&mut s, 5)).is_empty());
    assert!(said(&s, "automatic pause held back"));
    assert!(said(&s, "bake failed after 5s"));
    assert_eq!(s.verdict().call, Call::NoGo);
}

#[test]
fn a_breach_only_alerted_still_fails_the_bake() {
    let mut s = baking(Phase::Complete, Consequence::Alert);
    assert!(executed(&breach_at(&mut s, 10)).is_empty(), "alert only");
    assert!(said(&s, "BREACH"));
    for t in 11..=120 {
        healthy_second(&mut s, t);
    }
    let v = s.verdict();
    assert_eq!(
        v.call,
        Call::NoGo,
        "a breach seen at 100 % is not forgotten"
    );
    let short = v.short_reasons();
    assert_eq!(
        short.first().map(String::as_str),
        Some("bake failed"),
        "{short:?}"
    );
    assert!(!said(&s, "bake passed"));
}

#[test]
fn the_clock_starts_when_warroom_sees_the_end_whatever_the_source_held() {
    // Restarted 50 s into the last wave: nothing before was watched, so the
    // whole bake is still to come.
    let mut s = baking(Phase::Complete, Consequence::Alert);
    s.bake = None;
    let mut st = at_the_end(Phase::Progressing);
    st.held = Span::seconds(50);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    assert_eq!(left(&s), Some(Span::seconds(60)));
}

#[test]
fn leaving_full_traffic_stops_the_bake_and_a_rollback_ends_it() {
    let mut s = baking(Phase::Progressing, Consequence::Alert);
    let mut st = at_the_end(Phase::Progressing);
    st.regions[1].canary_weight = 0;
    st.regions[1].phase = Some(Phase::RolledBack);
    update(&mut s, polled(0, later(1), Ok(Report::Rollout(st))));
    assert!(s.bake.is_none());
    assert!(said(&s, "bake stopped"));
    // Back at 100 %: a new bake, a new clock.
    update(
        &mut s,
        polled(
            0,
            later(2),
            Ok(Report::Rollout(at_the_end(Phase::Complete))),
        ),
    );
    assert!(matches!(s.bake, Some(BakeState::Baking { since, .. }) if since == later(2)));
    // Rolled back by a person before it passed.
    let mut back = at_the_end(Phase::RolledBack);
    for r in &mut back.regions {
        r.canary_weight = 0;
    }
    update(&mut s, polled(0, later(3), Ok(Report::Rollout(back))));
    assert!(said(&s, "bake failed: the rollout is ROLLED BACK"));
    assert_eq!(s.verdict().call, Call::RolledBack);
}

#[test]
fn without_a_bake_the_end_is_complete_at_once() {
    let mut s = state();
    s.plan.bake = None;
    for t in -11..=0 {
        healthy_second(&mut s, t);
    }
    update(
        &mut s,
        polled(0, epoch(), Ok(Report::Rollout(at_the_end(Phase::Complete)))),
    );
    assert_eq!(s.verdict().call, Call::Complete);
    assert!(s.bake.is_none());
}

#[test]
fn time_without_numbers_does_not_bake() {
    let mut s = baking(Phase::Complete, Consequence::Alert);
    for t in 1..=20 {
        healthy_second(&mut s, t);
    }
    // Forty seconds without metrics: the clock stops once they are stale.
    for t in 21..=60 {
        tick(&mut s, t);
    }
    healthy_second(&mut s, 61);
    let left = left(&s).unwrap_or_default();
    assert!(
        left >= Span::seconds(25),
        "only watched time bakes: {left:?} left"
    );
    assert_eq!(s.verdict().call, Call::Baking);
    for t in 62..=100 {
        healthy_second(&mut s, t);
    }
    assert_eq!(s.verdict().call, Call::Complete);
}

#[test]
fn a_condition_past_its_limit_when_the_time_is_up_holds_the_pass() {
    let mut s = baking(Phase::Complete, Consequence::Alert);
    for t in 1..=55 {
        healthy_second(&mut s, t);
    }
    // The canary's p99 goes past 400ms in eu-west-1: tripping, 15 s to go.
    let slow = |s: &mut AppState, t: i64| {
        tick(s, t);
        let mut samples = everywhere(1.0);
        for x in samples.iter_mut().filter(|x| x.region == "eu-west-1") {
            if x.signal.name() == "latency_p99" {
                x.value = 0.9;
            }
        }
        update(s, polled(1, later(t), Ok(Report::Metrics(samples))));
    };
    for t in 56..=62 {
        slow(&mut s, t);
    }
    assert_eq!(left(&s), Some(Span::zero()));
    assert!(
        matches!(s.bake, Some(BakeState::Baking { .. })),
        "a tripping condition does not pass: {:?}",
        s.bake
    );
    for t in 63..=75 {
        slow(&mut s, t);
    }
    assert!(
        matches!(s.bake, Some(BakeState::Failed { .. })),
        "{:?}",
        s.bake
    );
    assert_ne!(s.verdict().call, Call::Complete);
}

#[test]
fn a_condition_relative_to_stable_does_not_hold_the_bake_once_stable_is_gone() {
    let mut s = baking(Phase::Complete, Consequence::Alert);
    let mut conditions = s.guardrails.conditions().to_vec();
    let mut relative = conditions[1].clone();
    relative.baseline = crate::domain::guardrail::Baseline::Stable;
    relative.breach = 1.5;
    relative.warn = 1.2;
    conditions.push(relative);
    s.guardrails = Guardrails::new(conditions);
    // Only canaries report at 100 %: nothing to compare with, nothing wrong.
    for t in 1..=65 {
        healthy_second(&mut s, t);
    }
    assert_eq!(s.verdict().call, Call::Complete, "{:?}", s.bake);
}
