//! The timeline panel with lines people wrote, scrolled back: a marker says
//! how many newer events are above and where the view stands, in any height.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use warroom::app::state::{AppState, Overlay};
use warroom::app::{Msg, update};
use warroom::domain::Span;
use warroom::domain::scorecard::Recalled;
use warroom::domain::timeline::Annotation;
use warroom::runtime::demo::{epoch, state_at};
use warroom::sim::FleetSpec;

fn annotated() -> AppState {
    let mut state = state_at(FleetSpec::demo(42), 85);
    let annotations = (0..12)
        .map(|i| Annotation {
            at: epoch() + Span::seconds(86 + i),
            operator: "dana".into(),
            text: format!("note {i}"),
        })
        .collect();
    update(
        &mut state,
        Msg::Recalled(Recalled {
            annotations,
            ..Recalled::default()
        }),
    );
    state
}

/// The rows of the timeline panel (bordered on big screens, a titled
/// section on small ones): its marker and its events.
fn timeline_rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains("┌ Timeline") || l.starts_with(" Timeline "))
        .unwrap_or_else(|| panic!("no timeline:\n{screen}"));
    let title = lines[top].find("Timeline").unwrap();
    let left = lines[top][..title].chars().count().saturating_sub(2);
    lines[top + 1..]
        .iter()
        .map(|l| {
            let row: String = l.chars().skip(left).collect();
            row.trim_start_matches('│').to_string()
        })
        .take_while(|r| r.starts_with(|c: char| c.is_ascii_digit() || c == '↑'))
        .collect()
}

fn main_screen_sizes() -> [(u16, u16); 3] {
    [(80, 24), (100, 30), (160, 48)]
}

#[test]
fn annotations_show_newest_first_with_their_author() {
    let state = annotated();
    for (w, h) in main_screen_sizes() {
        let rows = timeline_rows(&common::screen(&state, w, h));
        let first = rows.first().unwrap();
        assert!(
            first.contains("dana: note 11"),
            "{w}x{h}:\n{}",
            rows.join("\n")
        );
        assert!(
            !rows.iter().any(|r| r.contains("newer")),
            "{w}x{h}: marker at the newest"
        );
    }
}

#[test]
fn scrolled_back_the_panel_says_how_many_are_newer_in_any_height() {
    let mut state = annotated();
    state.timeline_scroll = 3;
    for (w, h) in main_screen_sizes() {
        let rows = timeline_rows(&common::screen(&state, w, h));
        let total = state.timeline.len();
        assert!(
            rows[0].contains("↑ 3 newer · 4–") && rows[0].contains(&format!("of {total}")),
            "{w}x{h}:\n{}",
            rows.join("\n")
        );
        if rows.len() > 1 {
            assert!(
                rows[1].contains("dana: note 8"),
                "{w}x{h}:\n{}",
                rows.join("\n")
            );
        }
    }
    // Taller than the timeline is long, or one row high: still drawn, no panic.
    state.timeline_scroll = state.timeline.len() + 50;
    for (w, h) in [(160, 48), (240, 70), (80, 24), (40, 12)] {
        let _ = common::screen(&state, w, h);
    }
}

#[test]
fn the_annotation_field_names_who_writes_and_where_it_goes() {
    let mut state = annotated();
    state.overlay = Overlay::Annotate("db failover started".into());
    for (w, h) in [(80, 24), (100, 30), (60, 16)] {
        let screen = common::screen(&state, w, h);
        assert!(screen.contains("Annotate"), "{w}x{h}:\n{screen}");
        assert!(
            screen.contains("db failover started▏"),
            "{w}x{h}:\n{screen}"
        );
    }
    let screen = common::screen(&state, 100, 30);
    assert!(screen.contains("Audited with your name"), "{screen}");
    assert!(screen.contains("Enter record"), "{screen}");
    assert!(screen.contains("Esc cancel"), "{screen}");
}

#[test]
fn the_marker_and_the_annotation_glyph_carry_their_theme_roles() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use warroom::ui::theme::Role;
    let themes = warroom::ui::theme::resolve(None, false)
        .map(|(t, _)| t)
        .unwrap();
    let mut state = annotated();
    state.timeline_scroll = 2;
    for theme in &themes {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal
            .draw(|f| warroom::ui::draw(f, &state, theme))
            .unwrap();
        let buf = terminal.backend().buffer();
        let cell = |symbol: &str| {
            let area = buf.area;
            (0..area.height)
                .flat_map(|y| (0..area.width).map(move |x| (x, y)))
                .map(|p| &buf[p])
                .find(|c| c.symbol() == symbol)
                .unwrap_or_else(|| panic!("{}: no {symbol} on screen", theme.name))
        };
        assert_eq!(cell("↑").fg, theme.color(Role::Warn), "{}", theme.name);
        assert_eq!(
            cell(&theme.symbols.done).fg,
            theme.color(Role::Accent),
            "{}",
            theme.name
        );
    }
}
