//! The end of a drill: `q` asks, yes asks the loop for the script, the
//! drill is graded and its debrief shown, and `q` then quits. Outside
//! drills `q` quits at once. What the operator sees and does is recorded
//! in drills only.

use super::*;
use crate::app::msg::Effect;
use crate::domain::drill::grade::{Ran, Script, Verdict};
use crate::domain::drill::observation::{Level, Observed};
use crate::domain::drill::scenario::{
    Expectation, FaultKind, FleetChoice, Injection, Scenario, ScopeRule, Start, Target, Versions,
};

fn drilling() -> AppState {
    let mut s = with_rollout(Phase::Progressing, 1);
    s.mode = RunMode::Drill;
    s
}

/// A regression in eu-west-1 from the epoch on: pause it within a minute.
fn script() -> Script {
    let scenario = Scenario {
        name: "canary-regression".into(),
        title: "the canary regresses".into(),
        briefing: String::new(),
        fleet: FleetChoice::Demo,
        seed: 1,
        pace: Span::seconds(30),
        injections: vec![Injection {
            id: "regress".into(),
            start: Start::At(Span::zero()),
            target: Target {
                region: Some("eu-west-1".into()),
                versions: Versions::Canary,
            },
            fault: FaultKind::ErrorRate {
                rate: 0.2,
                ramp: Span::zero(),
            },
            duration: None,
        }],
        expect: vec![Expectation {
            injection: "regress".into(),
            actions: vec![Action::Pause, Action::Rollback],
            scope: ScopeRule::Injected,
            within: Span::minutes(1),
        }],
        forbid: vec![],
        objectives: vec![],
        comms: None,
    };
    Script {
        scenario,
        injections: vec![Ran {
            id: "regress".into(),
            summary: "error rate +20 % in eu-west-1 (canary)".into(),
            region: None,
            started: Some(epoch() - Span::seconds(1)),
            ended: None,
            failed_requests: 120,
        }],
    }
}

fn seen(s: &AppState) -> Vec<Observed> {
    s.observed.seen.iter().map(|o| o.what.clone()).collect()
}

#[test]
fn outside_a_drill_q_quits_at_once() {
    let mut s = with_rollout(Phase::Progressing, 1);
    assert_eq!(update(&mut s, ch('q')), vec![Effect::Quit]);
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn in_a_drill_q_asks_then_ends_grades_and_shows_the_debrief() {
    let mut s = drilling();
    let footer = crate::app::keymap::offered(&s);
    assert!(
        footer
            .iter()
            .any(|(k, what)| *k == "q" && what == "end drill"),
        "{footer:?}"
    );
    assert_eq!(update(&mut s, ch('q')), vec![]);
    assert_eq!(s.overlay, Overlay::EndDrill);
    // n goes on with the drill.
    assert_eq!(update(&mut s, ch('n')), vec![]);
    assert_eq!(s.overlay, Overlay::None);
    update(&mut s, ch('q'));
    // A pasted `y` ends nothing.
    let burst = Msg::Keys(vec![KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)]);
    assert_eq!(update(&mut s, burst), vec![]);
    assert_eq!(s.overlay, Overlay::EndDrill);
    assert_eq!(update(&mut s, ch('y')), vec![Effect::EndDrill]);
    assert!(
        s.observed.graded.is_none(),
        "graded only once the script came"
    );
    update(&mut s, Msg::DrillEnded(Some(Box::new(script()))));
    assert_eq!(s.overlay, Overlay::Debrief { scroll: 0 });
    let grade = s.observed.graded.clone().unwrap();
    assert_eq!(grade.scenario.as_deref(), Some("canary-regression"));
    assert_eq!(
        grade.injections[0].region.as_deref(),
        Some("eu-west-1"),
        "resolved"
    );
    assert!(!grade.passed(), "nobody paused");
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.overlay, Overlay::Debrief { scroll: 1 });
    assert_eq!(update(&mut s, ch('q')), vec![Effect::Quit]);
}

#[test]
fn ctrl_c_or_a_signal_quits_a_drill_at_once_graded_first() {
    let mut s = drilling();
    assert_eq!(
        update(&mut s, ctrl_c()),
        vec![Effect::EndDrill, Effect::Quit]
    );
    assert_eq!(
        update(&mut s, Msg::Terminate("SIGTERM")),
        vec![Effect::EndDrill, Effect::Quit]
    );
    update(&mut s, Msg::DrillEnded(None));
    assert_eq!(
        update(&mut s, ctrl_c()),
        vec![Effect::Quit],
        "graded already"
    );
    let mut live = with_rollout(Phase::Progressing, 1);
    assert_eq!(update(&mut live, ctrl_c()), vec![Effect::Quit]);
}

#[test]
fn a_drill_without_a_script_is_graded_the_classic_way() {
    let mut s = drilling();
    update(&mut s, ch('q'));
    update(&mut s, ch('y'));
    update(&mut s, Msg::DrillEnded(None));
    let grade = s.observed.graded.clone().unwrap();
    assert!(grade.classic);
    assert!(!grade.passed());
    assert!(matches!(s.overlay, Overlay::Debrief { .. }));
}

#[test]
fn what_the_operator_saw_and_did_is_recorded_with_times() {
    let mut s = drilling();
    s.observed.seen.clear();
    update(&mut s, ch('j'));
    breaching_poll(&mut s);
    update(&mut s, ch('k'));
    update(&mut s, ch('p'));
    let effects = update(&mut s, ch('p'));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Execute(r) => Some(r.id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no pause sent: {effects:?}"));
    update(
        &mut s,
        Msg::ActionDone {
            id,
            action: Action::Pause,
            at: epoch() + Span::seconds(2),
            outcome: ActionOutcome::Done("paused".into()),
        },
    );
    let got = seen(&s);
    // Past the threshold, not yet for its hold: a warning on screen.
    assert_eq!(
        got[0],
        Observed::Selected {
            region: "us-east-1".into()
        }
    );
    assert!(
        got.iter().any(|o| matches!(o, Observed::Shown { region: Some(r), level: Level::Warn, .. } if r == "eu-west-1")),
        "{got:?}"
    );
    assert!(
        got.contains(&Observed::Selected {
            region: "eu-west-1".into()
        }),
        "{got:?}"
    );
    let scope = crate::domain::rollout::ActionScope::Rollout;
    assert!(
        got.contains(&Observed::Asked {
            action: Action::Pause,
            scope: scope.clone()
        }),
        "{got:?}"
    );
    assert!(
        got.contains(&Observed::Done {
            action: Action::Pause,
            scope
        }),
        "{got:?}"
    );
    let done = s
        .observed
        .seen
        .iter()
        .find(|o| matches!(o.what, Observed::Done { .. }));
    assert_eq!(done.map(|o| o.at), Some(epoch() + Span::seconds(2)));
    // Graded from it: the pause answered the regression, in time.
    update(&mut s, Msg::DrillEnded(Some(Box::new(script()))));
    let grade = s.observed.graded.clone().unwrap();
    assert_eq!(grade.actions.len(), 1);
    assert_eq!(grade.actions[0].verdict, Verdict::Correct);
    assert_eq!(
        grade.injections[0].mitigated,
        Some(epoch() + Span::seconds(2))
    );
    assert!(grade.passed());
}

#[test]
fn a_region_rolled_back_out_of_trouble_is_recorded_healthy_again() {
    let mut s = drilling();
    breaching_poll(&mut s);
    assert!(
        seen(&s)
            .iter()
            .any(|o| matches!(o, Observed::Shown { region: Some(r), .. } if r == "eu-west-1")),
        "{:?}",
        seen(&s)
    );
    // Rolled back: eu-west-1's canary takes no traffic, nothing is judged there.
    let mut rolled = status(Phase::RolledBack, 1);
    rolled.regions[0] = RegionRollout::following("eu-west-1", 0);
    update(&mut s, polled(0, epoch(), Ok(Report::Rollout(rolled))));
    breaching_poll(&mut s);
    let cleared = Observed::Cleared {
        region: Some("eu-west-1".into()),
    };
    assert_eq!(seen(&s).last(), Some(&cleared), "{:?}", seen(&s));
}

#[test]
fn nothing_is_recorded_outside_drills() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('j'));
    breaching_poll(&mut s);
    assert!(s.observed.seen.is_empty(), "{:?}", s.observed.seen);
    update(&mut s, Msg::DrillEnded(None));
    assert!(s.observed.graded.is_none());
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn opening_a_regions_detail_and_moving_the_focus_are_looks() {
    let mut s = drilling();
    s.observed.seen.clear();
    // z on the matrix zooms the selected region's rows: its detail.
    update(&mut s, ch('z'));
    update(&mut s, ch('z'));
    update(&mut s, key(KeyCode::Tab));
    let got = seen(&s);
    assert_eq!(
        got,
        [
            Observed::Detail {
                region: "eu-west-1".into()
            },
            Observed::Focused {
                panel: "waves".into()
            },
        ]
    );
}

#[test]
fn the_record_is_bounded() {
    let mut s = drilling();
    for _ in 0..crate::app::observe::MAX_OBSERVATIONS + 5 {
        update(&mut s, ch('j'));
        update(&mut s, ch('k'));
    }
    assert_eq!(s.observed.seen.len(), crate::app::observe::MAX_OBSERVATIONS);
    assert!(s.observed.dropped > 0);
}
