//! The incident bridge's screens: the presenter view in every theme and
//! without colour, zoomed panels, the focus, and what a shared screen hides.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use warroom::app::state::{AppState, Notice, NoticeLevel};
use warroom::app::view::{Panel, View};
use warroom::app::{Msg, update};
use warroom::domain::rollout::Action;
use warroom::runtime::demo::{Replay, built_in_theme_names, state_at};
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::theme::{self, Theme};

fn themes() -> Vec<Theme> {
    theme::resolve(None, false)
        .map(|(t, _)| t)
        .unwrap_or_default()
}

fn no_color() -> Theme {
    theme::resolve(None, true).unwrap().0.remove(0)
}

fn render(state: &AppState, theme: &Theme, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ui::draw(f, state, theme)).unwrap();
    terminal
}

fn text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn press(state: &mut AppState, code: KeyCode) {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The default demo 85 s in (the us-east-1 canary in breach), an hour east
/// of UTC, in the presenter view (by its key).
fn presenting(mut state: AppState) -> AppState {
    state.showing.utc_offset = 3600;
    press(&mut state, KeyCode::Char('b'));
    assert_eq!(state.showing.view, View::Presenter);
    state
}

fn breaching() -> AppState {
    presenting(state_at(FleetSpec::demo(42), 85))
}

/// The cells of the big verdict: block glyphs between the top line and the
/// reason beneath.
fn big_cells(buf: &Buffer) -> Vec<(u16, u16)> {
    (1..12)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].symbol() == "█")
        .collect()
}

#[test]
fn presenter_in_every_theme_and_without_colour_at_100x30_and_160x48() {
    let state = breaching();
    let mut all = themes();
    let mut plain = no_color();
    plain.name = "no_color".to_string();
    all.push(plain);
    for theme in all {
        for (w, h) in [(100, 30), (160, 48)] {
            let terminal = render(&state, &theme, w, h);
            let screen = text(terminal.backend().buffer());
            for says in [
                "✖ breach in us-east-1",
                "us-east-1",
                "09:01:25 UTC",
                "10:01:25 local",
            ] {
                assert!(
                    screen.contains(says),
                    "{} {w}×{h}: no `{says}`\n{screen}",
                    theme.name
                );
            }
            assert!(
                screen.contains("SHARE"),
                "{} {w}×{h}: no SHARE badge",
                theme.name
            );
            insta::assert_snapshot!(
                format!("presenter_{}_{w}x{h}", theme.name),
                terminal.backend()
            );
        }
    }
}

#[test]
fn the_big_verdict_carries_its_role_colour() {
    let cases = [
        (breaching(), "NO-GO"),
        (presenting(state_at(FleetSpec::calm(42), 85)), "GO"),
    ];
    for (state, word) in cases {
        assert_eq!(state.verdict().call.word(), word);
        for theme in themes() {
            let terminal = render(&state, &theme, 100, 30);
            let buf = terminal.backend().buffer();
            let cells = big_cells(buf);
            assert!(cells.len() > 40, "{}: {word} is not big", theme.name);
            let want = match word {
                "GO" => theme.colors.ok,
                _ => theme.colors.breach,
            };
            for (x, y) in cells {
                assert_eq!(buf[(x, y)].fg, want, "{} {word} at {x},{y}", theme.name);
            }
        }
    }
    // Without colour, the letters are bold and not reversed (reverse video
    // would turn the blocks into holes).
    let terminal = render(&breaching(), &no_color(), 100, 30);
    let buf = terminal.backend().buffer();
    for (x, y) in big_cells(buf) {
        let cell = &buf[(x, y)];
        assert_eq!(cell.fg, Color::Reset);
        assert!(cell.modifier.contains(Modifier::BOLD));
        assert!(!cell.modifier.contains(Modifier::REVERSED));
    }
}

#[test]
fn paused_and_rolled_back_in_big_letters() {
    let mut replay = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    replay.run_to(60).act(Action::Pause).run_to(70);
    let paused = presenting(replay.state.clone());
    let theme = &themes()[0];
    let terminal = render(&paused, theme, 100, 30);
    let buf = terminal.backend().buffer();
    let (x, y) = big_cells(buf)[0];
    assert_eq!(buf[(x, y)].fg, theme.colors.paused);
    insta::assert_snapshot!("presenter_paused_100x30", terminal.backend());
    replay.act(Action::Rollback).run_to(75);
    let rolled_back = presenting(replay.state.clone());
    assert_eq!(rolled_back.verdict().call.word(), "ROLLED BACK");
    let terminal = render(&rolled_back, theme, 100, 30);
    let screen = text(terminal.backend().buffer());
    assert!(screen.contains("all traffic is back on v2.3.1"), "{screen}");
    insta::assert_snapshot!("presenter_rolled_back_100x30", terminal.backend());
}

#[test]
fn fifty_regions_are_counted_when_they_do_not_fit() {
    let state = presenting(state_at(FleetSpec::large(50, 42), 85));
    let theme = &themes()[0];
    let terminal = render(&state, theme, 100, 30);
    let screen = text(terminal.backend().buffer());
    assert!(screen.contains("more:"), "{screen}");
    insta::assert_snapshot!("presenter_50_regions_100x30", terminal.backend());
    // On a big screen, every region in columns.
    let terminal = render(&state, theme, 240, 70);
    let screen = text(terminal.backend().buffer());
    for region in state.health.regions() {
        assert!(screen.contains(region.as_str()), "{region} missing");
    }
    assert!(!screen.contains("more:"), "{screen}");
}

#[test]
fn small_and_odd_sizes_degrade_without_panic() {
    for state in [
        breaching(),
        presenting(state_at(FleetSpec::large(50, 42), 85)),
    ] {
        for (w, h) in [
            (0, 0),
            (1, 1),
            (60, 16),
            (64, 20),
            (80, 24),
            (99, 29),
            (300, 20),
            (70, 90),
        ] {
            let terminal = render(&state, &themes()[0], w, h);
            let screen = text(terminal.backend().buffer());
            if w >= ui::MIN_WIDTH && h >= ui::MIN_HEIGHT {
                // The verdict is never cut: in big letters or in its word.
                let big = !big_cells(terminal.backend().buffer()).is_empty();
                assert!(big || screen.contains("NO-GO"), "{w}×{h}\n{screen}");
            }
        }
    }
    let terminal = render(&breaching(), &themes()[0], 80, 24);
    insta::assert_snapshot!("presenter_80x24", terminal.backend());
}

#[test]
fn the_zoomed_matrix_shows_fifty_regions() {
    let mut state = state_at(FleetSpec::large(50, 42), 85);
    press(&mut state, KeyCode::Char('z'));
    assert_eq!(state.showing.zoom, Some(Panel::Health));
    let terminal = render(&state, &themes()[0], 240, 70);
    let screen = text(terminal.backend().buffer());
    for region in state.health.regions() {
        assert!(screen.contains(region.as_str()), "{region} missing");
    }
    assert!(
        screen.contains("z unzoom"),
        "the footer says how to go back"
    );
    insta::assert_snapshot!("zoom_matrix_50_regions_240x70", terminal.backend());
}

#[test]
fn the_zoomed_timeline_shows_as_many_entries_as_fit() {
    let mut state = state_at(FleetSpec::demo(42), 85);
    // More events than any screen holds.
    for i in 0..60 {
        let at = state.now - warroom::domain::Span::seconds(600 - i);
        let text = format!("note {i}");
        state
            .timeline
            .push(at, warroom::domain::timeline::EventKind::Progress, text);
    }
    for _ in 0..8 {
        press(&mut state, KeyCode::Tab);
    }
    assert_eq!(state.showing.focus, Panel::Timeline);
    press(&mut state, KeyCode::Char('z'));
    let terminal = render(&state, &themes()[0], 100, 30);
    let buf = terminal.backend().buffer();
    let screen = text(buf);
    // Header 2, notice 0-1, footer 1, frame 2: the rest are entries.
    let notice = u16::from(state.notice.is_some());
    let rows = usize::from(30 - 2 - notice - 1 - 2);
    let shown = screen
        .lines()
        .filter(|l| l.starts_with("│09:") || l.starts_with("│08:"))
        .count();
    assert!(state.timeline.len() > rows);
    assert_eq!(shown, rows, "{screen}");
    insta::assert_snapshot!("zoom_timeline_100x30", terminal.backend());
}

#[test]
fn the_focused_panel_is_marked_heavy_in_the_accent() {
    let mut state = state_at(FleetSpec::demo(42), 85);
    let screen = text(render(&state, &themes()[0], 160, 48).backend().buffer());
    assert!(!screen.contains('┏'), "no focus shown before Tab\n{screen}");
    press(&mut state, KeyCode::Tab);
    press(&mut state, KeyCode::Tab);
    assert_eq!(state.showing.focus, Panel::Waves);
    for theme in themes() {
        let terminal = render(&state, &theme, 160, 48);
        let buf = terminal.backend().buffer();
        let screen = text(buf);
        let row = screen.lines().position(|l| l.contains("┏ Waves")).unwrap();
        let line: Vec<&str> = screen.lines().nth(row).unwrap().split("┏").collect();
        let x = line[0].chars().count() as u16;
        let y = row as u16;
        assert_eq!(buf[(x, y)].fg, theme.colors.accent, "{}", theme.name);
        // The title is the accent's badge.
        assert_eq!(buf[(x + 2, y)].bg, theme.colors.accent, "{}", theme.name);
        // The other panels keep their light frames.
        assert!(screen.contains("┌ Health"), "{}", theme.name);
    }
    press(&mut state, KeyCode::BackTab);
    assert_eq!(state.showing.focus, Panel::Health);
    let terminal = render(&state, &themes()[0], 80, 24);
    insta::assert_snapshot!("focus_health_80x24", terminal.backend());
}

#[test]
fn a_shared_screen_hides_hosts_urls_tokens_and_private_words() {
    let mut state = state_at(FleetSpec::demo(42), 85);
    state.plan.share.private = vec!["acme".to_string()];
    state.sources[1].error = Some("GET http://prom.internal:9090/api failed for acme".to_string());
    state.sources[1].failures = 2;
    state.notice = Some(Notice {
        at: state.now,
        level: NoticeLevel::Warn,
        text: "deploy at 10.0.0.7:8443 said: Bearer abc123def".to_string(),
    });
    let theme = &themes()[0];
    let screen = text(render(&state, theme, 160, 48).backend().buffer());
    assert!(
        screen.contains("prom.internal"),
        "not shared: shown as it is"
    );
    assert!(!screen.contains("SHARE"));
    state.showing.share = true;
    let screen = text(render(&state, theme, 160, 48).backend().buffer());
    for hidden in ["prom.internal", "http://", "acme", "10.0.0.7", "abc123def"] {
        assert!(
            !screen.contains(hidden),
            "`{hidden}` on a shared screen\n{screen}"
        );
    }
    for mark in ["‹url›", "‹private›", "‹host›", "Bearer ‹token›", " SHARE "] {
        assert!(screen.contains(mark), "no `{mark}`\n{screen}");
    }
    // The presenter view hides them without --share.
    state.showing.share = false;
    press(&mut state, KeyCode::Char('b'));
    let screen = text(render(&state, theme, 100, 30).backend().buffer());
    assert!(!screen.contains("10.0.0.7"), "{screen}");
    assert!(screen.contains("‹host›"), "{screen}");
}

#[test]
fn a_shared_screen_hides_source_names_and_private_regions_in_every_panel() {
    let mut state = state_at(FleetSpec::demo(42), 85);
    state.plan.share.private = vec!["sa-east-1".to_string()];
    state.sources[1].info.name = "prometheus prom.internal:9090".to_string();
    state.showing.share = true;
    let theme = &themes()[0];
    for (w, h) in [(160, 48), (100, 30)] {
        let screen = text(render(&state, theme, w, h).backend().buffer());
        for hidden in ["prom.internal", "sa-east-1"] {
            assert!(
                !screen.contains(hidden),
                "`{hidden}` on a shared {w}×{h} screen\n{screen}"
            );
        }
        // The matrix's columns stay aligned with a name hidden.
        let rows: Vec<&str> = screen
            .lines()
            .filter(|l| l.contains("us-east-1") || l.contains("‹private›"))
            .filter(|l| l.contains('%'))
            .collect();
        assert!(rows.len() >= 2, "{screen}");
    }
    // The drafts drawn on a shared screen are redacted too.
    press(&mut state, KeyCode::Char('c'));
    let screen = text(render(&state, theme, 160, 48).backend().buffer());
    assert!(screen.contains("Status update"), "{screen}");
    assert!(!screen.contains("sa-east-1"), "{screen}");
}

#[test]
fn the_presenter_says_when_its_data_is_old() {
    let mut state = state_at(FleetSpec::demo(42), 85);
    press(&mut state, KeyCode::Char('b'));
    let theme = &themes()[0];
    let top = |state: &warroom::app::state::AppState| {
        text(render(state, theme, 100, 30).backend().buffer())
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert!(!top(&state).contains("STALE"), "{}", top(&state));
    // The deployment source stopped answering a while ago.
    let old = state.now - state.plan.stale_after - warroom::domain::Span::seconds(30);
    state.sources[0].last_ok = Some(old);
    let line = top(&state);
    assert!(line.contains("STALE"), "{line}");
    state.sources[0].last_ok = Some(state.now);
    state.sources[0].error = Some("cannot connect".to_string());
    assert!(top(&state).contains("SOURCE FAILING"), "{}", top(&state));
}
