//! Gates that gate: holds, pauses and promotes the gate asks for.

use super::*;
use crate::domain::gate::GatePolicy;

/// The rollout at wave 2 (`early`, hold 45 s) with `held` of it gone.
fn at_wave_two(mut s: AppState, held: i64) -> AppState {
    // Judged healthy early in the hold, then the hold runs on.
    update(
        &mut s,
        polled(
            0,
            epoch(),
            Ok(Report::Rollout(status(Phase::Progressing, 1))),
        ),
    );
    healthy_polls(&mut s);
    assert!(s.gate_hold.is_none(), "an open gate holds nothing");
    let mut st = status(Phase::Progressing, 1);
    st.held = Span::seconds(held);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    assert!(s.gate_hold.is_none(), "an open gate holds nothing");
    s
}

fn live() -> AppState {
    let mut s = state();
    s.mode = RunMode::Live;
    s
}

fn holds(effects: &[Effect]) -> Vec<usize> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::HoldAtGate { wave, hold: true } => Some(*wave),
            _ => None,
        })
        .collect()
}

fn requests(effects: &[Effect]) -> Vec<ActionRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Execute(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_blocked_gate_holds_the_simulators_wave_once() {
    let mut s = at_wave_two(state(), 44);
    let effects = breaching_poll(&mut s);
    assert_eq!(holds(&effects), [1], "{effects:?}");
    assert!(
        requests(&effects).is_empty(),
        "the simulator is held, not paused"
    );
    let said = s
        .timeline
        .newest_first()
        .any(|e| e.text.contains("wave 2 holds"));
    assert!(said, "the timeline says why the wave holds");
    // The next polls, still blocked, do not ask again.
    assert!(holds(&breaching_poll(&mut s)).is_empty());
    assert!(s.gate_hold.is_some());
}

#[test]
fn a_blocked_gate_far_from_the_end_of_the_hold_does_nothing_yet() {
    let mut s = at_wave_two(state(), 10);
    assert!(breaching_poll(&mut s).is_empty());
    assert!(s.gate_hold.is_none());
}

#[test]
fn a_live_target_is_paused_once_through_the_action_path() {
    let mut s = at_wave_two(live(), 43);
    let sent = requests(&breaching_poll(&mut s));
    assert_eq!(sent.len(), 1, "{sent:?}");
    let pause = &sent[0];
    assert_eq!(pause.action, Action::Pause);
    assert_eq!(pause.scope, ActionScope::Rollout);
    assert_eq!(pause.operator, AUTOMATIC_OPERATOR);
    let reason = pause.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("gate to wave 3/4 broad blocked"),
        "{reason}"
    );
    assert!(reason.contains("eu-west-1"), "{reason}");
    assert_eq!(
        s.in_flight.len(),
        1,
        "recorded as in flight like any action"
    );
    // Poll after poll, one pause, not one per poll.
    update(
        &mut s,
        Msg::ActionDone {
            id: pause.id,
            action: Action::Pause,
            at: epoch(),
            outcome: ActionOutcome::Done("paused".into()),
        },
    );
    let mut st = status(Phase::Paused, 1);
    st.held = Span::seconds(43);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    for _ in 0..3 {
        assert!(requests(&breaching_poll(&mut s)).is_empty());
    }
}

#[test]
fn a_gate_pause_that_failed_is_sent_again_a_few_times_not_every_poll() {
    let mut s = at_wave_two(live(), 43);
    let mut sent = 0;
    for _ in 0..10 {
        for r in requests(&breaching_poll(&mut s)) {
            assert_eq!(r.action, Action::Pause);
            sent += 1;
            let failed = ActionOutcome::Failed("403 Forbidden".into());
            let done = Msg::ActionDone {
                id: r.id,
                action: Action::Pause,
                at: epoch(),
                outcome: failed,
            };
            update(&mut s, done);
        }
    }
    assert_eq!(sent, 3, "retried, and bounded");
    // A read-only screen sends nothing at all.
    let mut ro = live();
    ro.read_only = true;
    let mut ro = at_wave_two(ro, 43);
    for _ in 0..5 {
        assert!(requests(&breaching_poll(&mut ro)).is_empty());
    }
}

#[test]
fn a_gate_open_again_before_the_hold_ends_lets_the_simulator_go_on() {
    let mut s = at_wave_two(state(), 43);
    assert_eq!(holds(&breaching_poll(&mut s)), [1]);
    let later = |t: i64| epoch() + Span::seconds(t);
    let mut released = false;
    for t in 1..=30 {
        let effects = update(&mut s, polled(1, later(t), Ok(Report::Metrics(calm()))));
        released |= effects.iter().any(|e| {
            matches!(
                e,
                Effect::HoldAtGate {
                    wave: 1,
                    hold: false
                }
            )
        });
    }
    assert!(released, "the hold is lifted");
    assert!(s.gate_hold.is_none());
}

#[test]
fn auto_promote_never_overrides_a_person() {
    let mut s = state();
    s.mode = RunMode::Live;
    s.plan.gates.auto_promote = true;
    let mut s = at_wave_two(s, 45);
    breaching_poll(&mut s);
    s.in_flight.clear();
    // A person acts meanwhile: a region paused by hand.
    update(&mut s, ch('p'));
    update(&mut s, ch('p'));
    s.in_flight.clear();
    let mut st = status(Phase::Paused, 1);
    st.held = Span::seconds(45);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    for t in 1..=30 {
        let at = epoch() + Span::seconds(t);
        let effects = update(&mut s, polled(1, at, Ok(Report::Metrics(calm()))));
        assert!(requests(&effects).is_empty(), "{effects:?}");
    }
}

#[test]
fn auto_promote_promotes_once_when_the_gate_opens() {
    let mut s = state();
    s.mode = RunMode::Live;
    s.plan.gates = GatePolicy {
        enforce: true,
        auto_promote: true,
    };
    let mut s = at_wave_two(s, 45);
    breaching_poll(&mut s);
    assert!(s.gate_hold.is_some());
    s.in_flight.clear();
    // Healthy again for a whole window: the gate opens.
    let mut st = status(Phase::Paused, 1);
    st.held = Span::seconds(45);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    let later = |t: i64| epoch() + Span::seconds(t);
    let mut promotes = Vec::new();
    for t in 1..=30 {
        let effects = update(&mut s, polled(1, later(t), Ok(Report::Metrics(calm()))));
        promotes.extend(
            requests(&effects)
                .into_iter()
                .filter(|r| r.action == Action::Promote),
        );
    }
    assert_eq!(promotes.len(), 1, "{promotes:?}");
    assert_eq!(promotes[0].operator, AUTOMATIC_OPERATOR);
}

#[test]
fn without_auto_promote_an_open_gate_waits_for_a_person() {
    let mut s = at_wave_two(live(), 43);
    breaching_poll(&mut s);
    s.in_flight.clear();
    let mut st = status(Phase::Paused, 1);
    st.held = Span::seconds(43);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(st))));
    for t in 1..=30 {
        let at = epoch() + Span::seconds(t);
        let effects = update(&mut s, polled(1, at, Ok(Report::Metrics(calm()))));
        assert!(requests(&effects).is_empty(), "{effects:?}");
    }
    let said = s
        .timeline
        .newest_first()
        .any(|e| e.text.contains("waits for a person"));
    assert!(said);
}

#[test]
fn advisory_gates_hold_nothing() {
    let mut s = state();
    s.plan.gates.enforce = false;
    let mut s = at_wave_two(s, 44);
    let effects = breaching_poll(&mut s);
    assert!(holds(&effects).is_empty() && requests(&effects).is_empty());
}

#[test]
fn promoting_through_a_blocked_gate_takes_a_reason() {
    let mut s = at_wave_two(state(), 20);
    breaching_poll(&mut s);
    update(&mut s, ch('P'));
    assert!(
        matches!(s.overlay, Overlay::Override { .. }),
        "{:?}",
        s.overlay
    );
    // No reason, no promote.
    assert!(requests(&update(&mut s, key(KeyCode::Enter))).is_empty());
    for c in "eu-west-1 checked by hand".chars() {
        update(&mut s, ch(c));
    }
    let sent = requests(&update(&mut s, key(KeyCode::Enter)));
    assert_eq!(sent.len(), 1);
    let reason = sent[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("tripping in eu-west-1"),
        "lists what blocked: {reason}"
    );
    assert!(reason.contains("checked by hand"), "{reason}");
}

/// Healthy samples for the canary and stable of eu-west-1.
fn calm() -> Vec<crate::domain::health::Sample> {
    healthy_samples(1.0)
}
