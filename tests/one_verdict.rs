//! One verdict: the header's badge, the scorecard's title, the rows, the
//! stop-condition summary and `warroom status` say the same thing, drawn
//! from the same state.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::state::AppState;
use warroom::app::verdict::Call;
use warroom::cli::report::{self, Outcome};
use warroom::domain::rollout::Action;
use warroom::runtime::demo::{Replay, built_in_theme_names, state_at};
use warroom::sim::FleetSpec;
use warroom::ui::{self, theme};

fn screen(state: &AppState, width: u16, height: u16) -> Vec<String> {
    let theme = theme::resolve(None, false).unwrap().0.remove(0);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ui::draw(f, state, &theme)).unwrap();
    let buf = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// The health matrix's row of `region`: its first cell names it.
fn row_of(lines: &[String], region: &str) -> String {
    let first = |l: &&String| {
        l.strip_prefix('│')
            .map(|r| r.trim_start_matches(['›', ' ']).starts_with(region))
            .unwrap_or(false)
    };
    lines.iter().find(first).cloned().unwrap_or_default()
}

#[test]
fn a_breach_is_no_go_everywhere_and_says_the_scorecard_alone_is_go() {
    let state = state_at(FleetSpec::demo(42), 85);
    let verdict = state.verdict();
    assert_eq!(verdict.call, Call::NoGo);
    assert!(
        verdict.reasons[0].starts_with("breach in us-east-1"),
        "{verdict:?}"
    );
    assert_eq!(verdict.reasons.last().unwrap(), "scorecard GO");
    let lines = screen(&state, 160, 48);
    let all = lines.join("\n");
    assert!(lines[0].contains("✖ NO-GO"), "{all}");
    assert!(
        lines[0].contains("breach in us-east-1"),
        "the badge says why: {all}"
    );
    assert!(lines[1].contains("BREACHED"), "{all}");
    assert!(
        all.contains("Scorecard · items GO"),
        "never a bare GO under NO-GO: {all}"
    );
    assert!(all.contains("overall NO-GO"), "{all}");
    let row = row_of(&lines, "us-east-1");
    assert!(row.contains("BREACH"), "{row}");
    let status = report::build(&state);
    assert_eq!(status.outcome, Outcome::Breach);
    assert_eq!(status.verdict, "NO-GO");
}

#[test]
fn a_rollback_says_rolled_back_and_zero_traffic() {
    let mut replay = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    replay.run_to(85).act(Action::Rollback).run_to(88);
    let state = &replay.state;
    assert_eq!(state.verdict().call, Call::RolledBack);
    let lines = screen(state, 160, 48);
    assert!(lines[0].contains("ROLLED BACK"), "{}", lines[0]);
    assert!(lines[0].contains("· 0%"), "{}", lines[0]);
    assert!(!lines[0].contains("✓ GO"), "{}", lines[0]);
    assert_ne!(report::build(state).outcome, Outcome::Healthy);
}

#[test]
fn nothing_to_judge_is_never_go() {
    // Before any metrics: the deployment source has reported, the metrics not.
    let mut replay = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    replay.run_to(1);
    let mut state = replay.state.clone();
    state.health = warroom::domain::health::HealthMatrix::new(state.plan.regions.clone());
    state.guardrails =
        warroom::domain::guardrail::Guardrails::new(state.plan.stop_conditions.clone());
    let verdict = state.verdict();
    assert!(!verdict.call.is_go(), "{verdict:?}");
    let lines = screen(&state, 160, 48);
    assert!(!lines[0].contains("✓ GO"), "{}", lines[0]);
    assert_ne!(report::build(&state).outcome, Outcome::Healthy);
}

#[test]
fn a_tripping_row_is_not_called_a_breach() {
    // 62 s in, the fault has started and the hold has not run out yet.
    let mut replay = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    let mut seen_tripping = false;
    for t in 50..80 {
        replay.run_to(t);
        let state = &replay.state;
        let v = state.verdict();
        let lines = screen(state, 160, 48);
        let row = row_of(&lines, "us-east-1");
        if v.conditions.breached == 0 {
            assert!(
                !row.contains("BREACH"),
                "{t}s: a row in breach the header does not count: {row}"
            );
        }
        if row.contains("BREACH") {
            assert!(v.conditions.breached > 0, "{t}s: {row}");
        }
        seen_tripping |= v.conditions.tripping > 0 && v.conditions.breached == 0;
    }
    assert!(seen_tripping, "the fault never showed as tripping first");
}
