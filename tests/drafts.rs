//! The drafts overlay (`c`) on the demo's breach: golden screens at the
//! bridge's sizes, and what each tab shows.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use warroom::app::state::AppState;
use warroom::app::{Effect, Msg, update};
use warroom::runtime::demo::state_at;
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::theme::{self, Theme};

fn theme() -> Theme {
    theme::resolve(None, false).unwrap().0.remove(0)
}

fn screen(state: &AppState, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ui::draw(f, state, &theme())).unwrap();
    format!("{}", terminal.backend())
}

fn key(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// The demo 85 s in, us-east-1 in breach, with the drafts open.
fn breaching_with_drafts() -> AppState {
    let mut state = state_at(FleetSpec::demo(42), 85);
    key(&mut state, KeyCode::Char('c'));
    state
}

#[test]
fn drafts_overlay_at_100x30_and_160x48() {
    let mut state = breaching_with_drafts();
    for tab in ["internal", "customer", "executive"] {
        for (w, h) in [(100, 30), (160, 48)] {
            insta::assert_snapshot!(format!("drafts_{tab}_{w}x{h}"), screen(&state, w, h));
        }
        key(&mut state, KeyCode::Tab);
    }
}

/// Where `text` starts in the buffer, by columns.
fn find(buf: &ratatui::buffer::Buffer, text: &str) -> Option<(u16, u16)> {
    (0..buf.area.height).find_map(|y| {
        let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let joined = cells.concat();
        let byte = joined.find(text)?;
        let mut seen = 0;
        let col = cells.iter().position(|s| {
            let here = seen;
            seen += s.len();
            here >= byte
        })?;
        Some((col as u16, y))
    })
}

#[test]
fn the_header_counts_down_to_the_next_update_in_words_and_colour() {
    use warroom::app::comms::next_due;
    use warroom::ui::theme::Role;
    let mut state = state_at(FleetSpec::demo(42), 85);
    let due = next_due(&state).unwrap().at;
    let theme = theme();
    let draw = |state: &AppState| {
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
        terminal.draw(|f| ui::draw(f, state, &theme)).unwrap();
        terminal.backend().buffer().clone()
    };
    let at = due.format("%H:%M").to_string();
    let buf = draw(&state);
    let (x, y) = find(&buf, &format!("next update due {at}")).expect("the header says when");
    assert_eq!(buf[(x, y)].fg, theme.color(Role::Muted));
    update(
        &mut state,
        Msg::Tick(due - warroom::domain::Span::minutes(3)),
    );
    let buf = draw(&state);
    let (x, y) = find(&buf, &format!("next update due {at}")).unwrap();
    assert_eq!(
        buf[(x, y)].fg,
        theme.color(Role::Warn),
        "amber when due soon"
    );
    update(
        &mut state,
        Msg::Tick(due + warroom::domain::Span::minutes(1)),
    );
    let buf = draw(&state);
    let top: String = (0..buf.area.width).map(|x| buf[(x, 1)].symbol()).collect();
    let (x, y) = find(&buf, &format!("next update OVERDUE {at}"))
        .unwrap_or_else(|| panic!("OVERDUE in words: {top}"));
    assert_eq!(
        buf[(x, y)].fg,
        theme.color(Role::Breach),
        "red when overdue"
    );
    // Marking an update sent starts the clock again.
    key(&mut state, KeyCode::Char('c'));
    key(&mut state, KeyCode::Char('m'));
    let buf = draw(&state);
    assert!(find(&buf, "OVERDUE").is_none());
}

#[test]
fn a_calm_rollout_shows_no_countdown() {
    let state = state_at(FleetSpec::calm(42), 60);
    assert!(!screen(&state, 160, 48).contains("next update"));
}

/// The demo rolled back after its breach: every draft says so in its own
/// words, and the customer's names nothing internal.
#[test]
fn after_a_rollback_each_draft_says_so_in_its_own_words() {
    use warroom::app::comms::draft_text;
    use warroom::domain::comms::Audience;
    use warroom::domain::rollout::Action;
    use warroom::runtime::demo::{Replay, built_in_theme_names};
    let mut replay = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    replay.run_to(85).act(Action::Rollback).run_to(95);
    let state = &replay.state;
    assert!(state.comms.incident_since.is_some());
    let customer = draft_text(state, Audience::Customer);
    assert!(
        customer.contains("We rolled back a recent change"),
        "{customer}"
    );
    for never in [
        "v2.4.0",
        "v2.3.1",
        "us-east-1",
        "checkout-api",
        "http",
        "ETA",
    ] {
        assert!(
            !customer.contains(never),
            "customer draft says {never}:\n{customer}"
        );
    }
    let internal = draft_text(state, Audience::Internal);
    assert!(internal.contains("ROLLED BACK"), "{internal}");
    assert!(
        internal.contains("Status: ROLLED BACK · wave 2/4"),
        "{internal}"
    );
    assert!(internal.contains("roll back done"), "{internal}");
    assert!(
        internal.contains("find the cause before the change is retried"),
        "{internal}"
    );
    let executive = draft_text(state, Audience::Executive);
    assert!(executive.contains("(rolled back)"), "{executive}");
    assert!(
        executive.contains("all traffic is back on v2.3.1"),
        "{executive}"
    );
    assert!(
        executive.contains("this change counted as failed"),
        "{executive}"
    );
}
