use super::*;
use crate::domain::drill::scenario::{FleetChoice, Target, Versions};
use crate::runtime::demo::epoch;

fn inj(id: &str, start: Start, duration: Option<i64>) -> Injection {
    Injection {
        id: id.to_string(),
        start,
        target: Target {
            region: Some("us-east-1".to_string()),
            versions: Versions::Canary,
        },
        fault: FaultKind::ErrorRate {
            rate: 0.06,
            ramp: Span::seconds(20),
        },
        duration: duration.map(Span::seconds),
    }
}

fn after(id: &str, delay: i64) -> Start {
    Start::After {
        injection: id.to_string(),
        delay: Span::seconds(delay),
    }
}

fn script(injections: Vec<Injection>) -> Scenario {
    Scenario {
        name: "test".to_string(),
        title: "a test".to_string(),
        briefing: String::new(),
        fleet: FleetChoice::Demo,
        seed: 1,
        pace: Span::seconds(30),
        injections,
        expect: vec![],
        forbid: vec![],
        objectives: vec![],
        comms: None,
    }
}

fn at(s: i64) -> Timestamp {
    epoch() + Span::seconds(s)
}

fn states(h: &DrillHandle, now: Timestamp) -> Vec<InjectionState> {
    h.view(now).injections.iter().map(|i| i.state).collect()
}

#[test]
fn injections_begin_when_due_and_end_after_their_duration() {
    let h = DrillHandle::new(
        script(vec![inj("a", Start::At(Span::seconds(10)), Some(30))]),
        epoch(),
    );
    let due = Some(Span::seconds(10));
    assert_eq!(states(&h, at(9)), [InjectionState::Pending { due }]);
    assert_eq!(states(&h, at(10)), [InjectionState::Active]);
    let view = h.view(at(45));
    assert_eq!(view.injections[0].state, InjectionState::Ended);
    assert_eq!(view.injections[0].started, Some(at(10)));
    assert_eq!(view.injections[0].ended, Some(at(40)));
    assert_eq!(
        view.injections[0].summary,
        "error rate +6 % over 20s in us-east-1 (canary), for 30s"
    );
}

#[test]
fn after_chains_follow_the_injection_they_name() {
    let h = DrillHandle::new(
        script(vec![
            inj("b", after("a", 5), None),
            inj("a", Start::At(Span::seconds(100)), None),
            inj("c", after("b", 0), None),
        ]),
        epoch(),
    );
    let pending = |due: Option<i64>| InjectionState::Pending {
        due: due.map(Span::seconds),
    };
    assert_eq!(
        states(&h, at(1)),
        [pending(None), pending(Some(100)), pending(None)]
    );
    // Injected early, `a` brings `b` (and with it `c`) forward.
    h.inject_now("a", at(20)).unwrap();
    assert_eq!(
        states(&h, at(21)),
        [pending(Some(25)), InjectionState::Active, pending(None)]
    );
    let view = h.view(at(25));
    assert!(
        view.injections
            .iter()
            .all(|i| i.state == InjectionState::Active)
    );
    assert_eq!(view.injections[2].started, Some(at(25)));
}

#[test]
fn inject_now_and_clear_say_what_cannot_be_done() {
    let h = DrillHandle::new(
        script(vec![inj("a", Start::At(Span::seconds(60)), None)]),
        epoch(),
    );
    assert!(h.clear("a", at(1)).unwrap_err().contains("has not begun"));
    assert!(h.inject_now("zz", at(1)).unwrap_err().contains("it has a"));
    h.inject_now("a", at(2)).unwrap();
    assert!(h.inject_now("a", at(3)).unwrap_err().contains("already"));
    h.clear("a", at(4)).unwrap();
    let view = h.view(at(100));
    assert_eq!(view.injections[0].state, InjectionState::Ended);
    assert_eq!(view.injections[0].started, Some(at(2)));
    assert_eq!(view.injections[0].ended, Some(at(4)));
    assert!(h.inject_now("a", at(101)).is_err());
}

#[test]
fn a_paused_clock_holds_the_script() {
    let h = DrillHandle::new(
        script(vec![inj("a", Start::At(Span::seconds(30)), Some(20))]),
        epoch(),
    );
    h.pause_clock(true, at(10));
    assert!(h.view(at(50)).paused);
    assert_eq!(h.clock(at(50)), Span::seconds(10));
    assert_eq!(
        states(&h, at(50))[0],
        InjectionState::Pending {
            due: Some(Span::seconds(30))
        }
    );
    h.pause_clock(false, at(70));
    assert_eq!(h.clock(at(70)), Span::seconds(10));
    // Due at drill time 30: wall time 90, after 60 s paused.
    assert_eq!(
        states(&h, at(89))[0],
        InjectionState::Pending {
            due: Some(Span::seconds(30))
        }
    );
    let view = h.view(at(90));
    assert_eq!(view.injections[0].started, Some(at(90)));
    assert!(!view.paused);
    // The ramp and the duration run on drill time too.
    h.pause_clock(true, at(95));
    let live = h.live(at(200));
    assert_eq!(live[0].into, Span::seconds(5));
    assert_eq!(live[0].intensity(), 0.25);
    h.pause_clock(false, at(300));
    assert_eq!(states(&h, at(314))[0], InjectionState::Active);
    assert_eq!(states(&h, at(315))[0], InjectionState::Ended);
}

#[test]
fn failed_requests_are_counted_per_injection() {
    let h = DrillHandle::new(
        script(vec![
            inj("a", Start::At(Span::zero()), None),
            inj("b", Start::At(Span::zero()), None),
        ]),
        epoch(),
    );
    h.count_failed(1, 10.4);
    h.count_failed(1, 10.4);
    h.count_failed(7, 5.0);
    let failed: Vec<u64> = h
        .view(at(1))
        .injections
        .iter()
        .map(|i| i.failed_requests)
        .collect();
    assert_eq!(failed, [0, 21]);
}
