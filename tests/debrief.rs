//! The debrief screen at the end of a drill: a demo drill where the
//! operator looked at us-east-1, paused it a little late and rolled back a
//! region the script forbade, graded and drawn at 100×30.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use warroom::app::state::{AppState, Overlay, RunMode};
use warroom::app::{Effect, Msg, update};
use warroom::domain::Span;
use warroom::domain::action::ActionOutcome;
use warroom::domain::drill::grade::{Ran, Script};
use warroom::domain::drill::scenario::{
    CommsExpectation, Expectation, FaultKind, FleetChoice, Forbidden, Injection, Objective,
    ObjectiveCheck, Scenario, ScopeRule, Start, Target, Versions,
};
use warroom::domain::rollout::Action;
use warroom::runtime::demo::{Replay, built_in_theme_names, epoch};
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::theme;

fn ch(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The demo's fault (us-east-1's canary from 50 s), and a red herring in
/// sa-east-1 from 60 s that must not be rolled back.
fn script() -> Script {
    let target = |r: Option<&str>| Target {
        region: r.map(str::to_string),
        versions: Versions::Canary,
    };
    let scenario = Scenario {
        name: "red-herring".into(),
        title: "two faults at once, one of them a red herring".into(),
        briefing: String::new(),
        fleet: FleetChoice::Demo,
        seed: 42,
        pace: Span::seconds(30),
        injections: vec![
            Injection {
                id: "regress".into(),
                start: Start::At(Span::seconds(50)),
                target: target(None),
                fault: FaultKind::ErrorRate {
                    rate: 0.06,
                    ramp: Span::seconds(20),
                },
                duration: None,
            },
            Injection {
                id: "herring".into(),
                start: Start::At(Span::seconds(60)),
                target: target(Some("sa-east-1")),
                fault: FaultKind::Alert {
                    name: "disk full".into(),
                },
                duration: None,
            },
        ],
        expect: vec![Expectation {
            injection: "regress".into(),
            actions: vec![Action::Pause, Action::Rollback],
            scope: ScopeRule::Injected,
            within: Span::seconds(20),
        }],
        forbid: vec![Forbidden {
            injection: Some("herring".into()),
            action: Action::Rollback,
            scope: ScopeRule::Injected,
            why: "sa-east-1 takes no canary traffic: nothing to roll back".into(),
        }],
        objectives: vec![
            Objective {
                text: "pause or roll back the regression in time".into(),
                check: ObjectiveCheck::Expectations,
            },
            Objective {
                text: "do no harm".into(),
                check: ObjectiveCheck::NoHarm,
            },
            Objective {
                text: "first status update within 2 minutes".into(),
                check: ObjectiveCheck::Comms,
            },
        ],
        comms: Some(CommsExpectation {
            first_update_within: Span::minutes(2),
        }),
    };
    let ran = |id: &str, summary: &str, at: i64, failed| Ran {
        id: id.into(),
        summary: summary.into(),
        region: None,
        started: Some(epoch() + Span::seconds(at)),
        ended: None,
        failed_requests: failed,
    };
    Script {
        scenario,
        injections: vec![
            ran("regress", "error rate +6 % in us-east-1 (canary)", 50, 1830),
            ran("herring", "alert disk full in sa-east-1", 60, 0),
        ],
    }
}

/// Send the confirmed action's outcome back, as the executor would.
fn answer(r: &mut Replay, effects: &[Effect]) {
    let Some(request) = effects.iter().find_map(|e| match e {
        Effect::Execute(r) => Some(r.clone()),
        _ => None,
    }) else {
        panic!("nothing sent: {effects:?}");
    };
    let now = r.now;
    update(
        &mut r.state,
        Msg::ActionDone {
            id: request.id,
            action: request.action,
            at: now,
            outcome: ActionOutcome::Done("simulator: applied".into()),
        },
    );
}

fn drilled() -> AppState {
    let mut r = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    r.state.mode = RunMode::Drill;
    r.run_to(80);
    update(&mut r.state, ch('j'));
    r.run_to(96);
    update(&mut r.state, ch('p'));
    let effects = update(&mut r.state, ch('p'));
    answer(&mut r, &effects);
    r.run_to(110);
    // Down to sa-east-1, and roll it back alone (Tab narrows the scope).
    update(&mut r.state, ch('G'));
    update(&mut r.state, ch('r'));
    update(
        &mut r.state,
        Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
    );
    let effects = update(&mut r.state, ch('y'));
    answer(&mut r, &effects);
    r.run_to(130);
    update(&mut r.state, ch('q'));
    assert_eq!(r.state.overlay, Overlay::EndDrill);
    assert_eq!(update(&mut r.state, ch('y')), vec![Effect::EndDrill]);
    update(&mut r.state, Msg::DrillEnded(Some(Box::new(script()))));
    r.state
}

#[test]
fn the_debrief_screen_at_100x30() {
    let state = drilled();
    let grade = state.observed.graded.clone().unwrap();
    assert!(!grade.passed());
    let themes = theme::resolve(None, false).map(|(t, _)| t).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::draw(f, &state, &themes[0])).unwrap();
    let text = format!("{}", terminal.backend());
    // The verdicts are words, not colours alone.
    for word in [
        "NOT PASSED",
        "LATE",
        "HARMFUL",
        "NOT MET",
        "drill length 2m 09s",
    ] {
        assert!(text.contains(word), "{word}: {text}");
    }
    insta::assert_snapshot!("debrief_100x30", terminal.backend());
}

#[test]
fn the_debrief_reads_the_same_without_colour() {
    let state = drilled();
    let (themes, _) = theme::resolve(None, true).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| ui::draw(f, &state, &themes[0])).unwrap();
    let text = format!("{}", terminal.backend());
    assert!(text.contains("NOT PASSED"), "{text}");
    assert!(text.contains("HARMFUL"), "{text}");
}
