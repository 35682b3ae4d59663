//! Golden screens of the whole dashboard, and the colours of verdict cells
//! (which text snapshots cannot see).

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use warroom::app::state::{ActionScope, AppState, Overlay, PendingAction};
use warroom::app::{Msg, update};
use warroom::domain::Span;
use warroom::domain::rollout::Action;
use warroom::runtime::demo::{Replay, built_in_theme_names, epoch, state_at};
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::theme::{self, Theme};

fn themes() -> Vec<Theme> {
    theme::resolve(None, false)
        .map(|(t, _)| t)
        .unwrap_or_default()
}

fn render(state: &AppState, theme: &Theme, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| ui::draw(f, state, theme)).unwrap();
    terminal
}

/// The default demo 85 s in: wave 2 held at its gate, the us-east-1 canary in breach.
fn breaching() -> AppState {
    state_at(FleetSpec::demo(42), 85)
}

/// Where `text` starts on the row that also holds `row_marker`.
fn find(buf: &Buffer, row_marker: &str, text: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    (0..area.height).find_map(|y| {
        let line: Vec<&str> = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        let joined = line.concat();
        if !joined.contains(row_marker) {
            return None;
        }
        let byte = joined.find(text)?;
        // Columns, not bytes: count the cells before the match.
        let mut seen = 0;
        let col = line.iter().position(|s| {
            let here = seen;
            seen += s.len();
            here >= byte
        })?;
        Some((col as u16, y))
    })
}

#[test]
fn dashboard_in_every_theme_at_80x24_and_160x48() {
    let state = breaching();
    for theme in themes() {
        for (w, h) in [(80, 24), (160, 48)] {
            let terminal = render(&state, &theme, w, h);
            insta::assert_snapshot!(
                format!("dashboard_{}_{w}x{h}", theme.name),
                terminal.backend()
            );
        }
    }
}

/// The breach on the small and middle screens, where columns are dropped
/// and names shortened rather than numbers cut.
#[test]
fn the_breach_at_small_and_middle_sizes() {
    let state = breaching();
    let theme = &themes()[0];
    for (w, h) in [(60, 16), (64, 20), (100, 30), (120, 40)] {
        let terminal = render(&state, theme, w, h);
        let text: String = {
            let buf = terminal.backend().buffer();
            (0..h)
                .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(text.contains("BREACH"), "{w}×{h}: no breach on screen");
        insta::assert_snapshot!(format!("breach_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn verdict_cells_carry_the_theme_colours() {
    let state = breaching();
    for theme in themes() {
        let terminal = render(&state, &theme, 160, 48);
        let buf = terminal.backend().buffer();
        let breach = find(buf, "us-east-1", "✖ BREACH");
        let (x, y) =
            breach.unwrap_or_else(|| panic!("{}: no breach cell for us-east-1", theme.name));
        assert_eq!(
            buf[(x, y)].fg,
            theme.colors.breach,
            "{}: breach glyph",
            theme.name
        );
        assert_eq!(
            buf[(x + 2, y)].fg,
            theme.colors.breach,
            "{}: breach word",
            theme.name
        );
        assert!(buf[(x + 2, y)].modifier.contains(Modifier::BOLD));
        let (x, y) =
            find(buf, "eu-west-1", "✓ OK").unwrap_or_else(|| panic!("{}: no ok cell", theme.name));
        assert_eq!(buf[(x, y)].fg, theme.colors.ok, "{}: ok glyph", theme.name);
        assert_ne!(theme.colors.ok, theme.colors.breach);
        let (x, y) = find(buf, "Stop conditions", "Stop conditions").unwrap_or((0, 0));
        assert_eq!(
            buf[(x, y)].fg,
            theme.colors.accent,
            "{}: panel title",
            theme.name
        );
        // The whole screen is painted with the theme's background.
        assert_eq!(buf[(0, 47)].bg, theme.colors.background, "{}", theme.name);
    }
}

#[test]
fn no_color_reads_by_glyph_and_reverse_video() {
    let state = breaching();
    let (themes, _) = theme::resolve(None, true).unwrap_or_default();
    let theme = &themes[0];
    let terminal = render(&state, theme, 80, 24);
    let buf = terminal.backend().buffer();
    for y in 0..24 {
        for x in 0..80 {
            let cell = &buf[(x, y)];
            assert!(
                matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
                "colour at {x},{y}"
            );
        }
    }
    let (x, y) = find(buf, "us-east-1", "✖ BREACH").unwrap_or_default();
    assert!(
        buf[(x + 2, y)]
            .modifier
            .contains(Modifier::REVERSED | Modifier::BOLD)
    );
    let (x, y) = find(buf, "eu-west-1", "✓ OK").unwrap_or_default();
    assert!(!buf[(x, y)].modifier.contains(Modifier::REVERSED));
    insta::assert_snapshot!("dashboard_no_color_80x24", terminal.backend());
}

#[test]
fn confirmations_name_the_target() {
    let themes = themes();
    for action in [Action::Pause, Action::Promote, Action::Rollback] {
        let mut state = breaching();
        state.overlay = Overlay::Confirm(PendingAction {
            action,
            scope: ActionScope::Rollout,
        });
        let terminal = render(&state, &themes[0], 80, 24);
        insta::assert_snapshot!(
            format!("confirm_{}", action.verb().replace(' ', "_")),
            terminal.backend()
        );
    }
}

#[test]
fn help_overlay() {
    let mut state = breaching();
    state.overlay = Overlay::Help;
    insta::assert_snapshot!("help_80x24", render(&state, &themes()[0], 80, 24).backend());
}

#[test]
fn paused_then_rolled_back() {
    let mut replay = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    replay.run_to(60).act(Action::Pause).run_to(70);
    let paused = render(&replay.state, &themes()[0], 80, 24);
    insta::assert_snapshot!("paused_80x24", paused.backend());
    replay.act(Action::Rollback).run_to(75);
    let rolled_back = render(&replay.state, &themes()[0], 80, 24);
    insta::assert_snapshot!("rolled_back_80x24", rolled_back.backend());
}

#[test]
fn a_silent_metrics_source_turns_the_screen_stale() {
    let mut state = state_at(FleetSpec::demo(42), 40);
    update(&mut state, Msg::Tick(epoch() + Span::seconds(60)));
    let theme = &themes()[0];
    let terminal = render(&state, theme, 80, 24);
    let buf = terminal.backend().buffer();
    let (x, y) = find(buf, "eu-west-1", "◷ STALE").unwrap_or_else(|| panic!("no stale verdict"));
    assert_eq!(buf[(x, y)].fg, theme.colors.stale);
    assert!(
        find(buf, "eu-west-1", "✓ OK").is_none(),
        "stale data shown as healthy"
    );
    insta::assert_snapshot!("stale_80x24", terminal.backend());
}

#[test]
fn before_any_report_the_screen_says_it_is_waiting() {
    let state = AppState::new(
        FleetSpec::demo(1).plan,
        warroom::app::state::RunMode::Demo,
        warroom::sim::adapter::source_infos(),
        warroom::app::state::Seat::new("demo", built_in_theme_names()),
        epoch(),
    );
    insta::assert_snapshot!(
        "waiting_80x24",
        render(&state, &themes()[0], 80, 24).backend()
    );
}

#[test]
fn too_small_and_tiny_terminals_do_not_panic() {
    let state = breaching();
    let theme = &themes()[0];
    insta::assert_snapshot!("too_small_40x10", render(&state, theme, 40, 10).backend());
    for (w, h) in [
        (1, 1),
        (0, 0),
        (59, 30),
        (200, 15),
        (60, 16),
        (61, 17),
        (119, 29),
        (120, 30),
    ] {
        render(&state, theme, w, h);
    }
}

#[test]
fn fifty_regions_on_a_big_screen() {
    let state = state_at(FleetSpec::large(50, 42), 85);
    insta::assert_snapshot!(
        "large_fleet_240x70",
        render(&state, &themes()[0], 240, 70).backend()
    );
}

#[test]
fn the_dora_panel_colours_its_tiers() {
    let state = breaching();
    let theme = &themes()[0];
    let terminal = render(&state, theme, 160, 48);
    let buf = terminal.backend().buffer();
    let (x, y) = find(buf, "change failure rate", "elite")
        .unwrap_or_else(|| panic!("no tier on the DORA panel"));
    assert_eq!(buf[(x, y)].fg, theme.colors.ok);
    assert!(find(buf, "DORA · 30 days", "deploys").is_some());
}

/// The demo at 85 s with two items red: NO-GO.
fn no_go() -> AppState {
    use warroom::domain::scorecard::{Item, Setting, Status};
    let mut state = breaching();
    for (item, note) in [
        (Item::Support, "on-call rota has a gap on Sunday"),
        (Item::Communications, "status page not drafted"),
    ] {
        state.scorecard_settings.push(Setting {
            item,
            status: Status::Red,
            note: note.to_string(),
            operator: "pat".to_string(),
            at: epoch() + Span::seconds(80),
        });
    }
    state
}

#[test]
fn go_and_no_go_in_the_header_and_scorecard() {
    for theme in themes() {
        for (state, word, colour) in [
            (state_at(FleetSpec::calm(42), 85), "✓ GO", theme.colors.ok),
            (breaching(), "✖ NO-GO", theme.colors.breach),
            (no_go(), "✖ NO-GO", theme.colors.breach),
        ] {
            let terminal = render(&state, &theme, 160, 48);
            let buf = terminal.backend().buffer();
            let (x, y) =
                find(buf, word, word).unwrap_or_else(|| panic!("{}: no {word} badge", theme.name));
            assert_eq!(y, 0, "{}: the badge is on the first line", theme.name);
            // A badge is reverse video of its role's colour.
            assert_eq!(buf[(x, y)].bg, colour, "{}: {word}", theme.name);
        }
    }
    let terminal = render(&no_go(), &themes()[0], 160, 48);
    insta::assert_snapshot!("no_go_160x48", terminal.backend());
}

#[test]
fn scores_carry_the_outcome_colours() {
    let state = breaching();
    for theme in themes() {
        let terminal = render(&state, &theme, 160, 48);
        let buf = terminal.backend().buffer();
        let (x, y) = find(buf, "us-east-1", "    0 ✖")
            .unwrap_or_else(|| panic!("{}: no failing score for us-east-1", theme.name));
        assert_eq!(buf[(x + 4, y)].fg, theme.colors.breach, "{}", theme.name);
        let (x, y) = find(buf, "eu-west-1", "  100 ✓")
            .unwrap_or_else(|| panic!("{}: no passing score for eu-west-1", theme.name));
        assert_eq!(buf[(x + 2, y)].fg, theme.colors.ok, "{}", theme.name);
    }
}

#[test]
fn scorecard_overlay_and_the_override() {
    use warroom::app::state::ScorecardView;
    use warroom::domain::scorecard::Status;
    let mut state = no_go();
    state.overlay = Overlay::Scorecard(ScorecardView {
        selected: 6,
        editing: Some((Status::Green, "draft appro".to_string())),
    });
    insta::assert_snapshot!(
        "scorecard_editing_120x32",
        render(&state, &themes()[0], 120, 32).backend()
    );
    state.overlay = Overlay::Override {
        scope: ActionScope::Rollout,
        reason: "fix is in the next wave".to_string(),
    };
    insta::assert_snapshot!(
        "override_80x24",
        render(&state, &themes()[0], 80, 24).backend()
    );
}

/// Regions that each report their own target, as Argo Rollouts does: the
/// region detail shows the target's step, weights, revisions and pause.
#[test]
fn a_target_per_region_shows_its_own_account() {
    use warroom::domain::rollout::{Phase, Replicas, TargetDetail};
    let mut state = breaching();
    if let Some(rollout) = state.rollout.as_mut() {
        for r in &mut rollout.regions {
            r.phase = Some(Phase::Progressing);
            r.target = Some(TargetDetail {
                name: format!("prod-{}/checkout/checkout-api", r.region),
                status: Some("Paused".into()),
                step: Some((3, 8)),
                desired_weight: Some(50),
                stable_revision: Some("4".into()),
                canary_revision: Some("5".into()),
                stable_images: vec!["registry/checkout:v2.3.1".into()],
                canary_images: vec!["registry/checkout:v2.4.0".into()],
                replicas: Some(Replicas {
                    desired: 10,
                    ready: 10,
                    updated: 5,
                    available: 10,
                }),
                pause_reasons: vec!["CanaryPauseStep".into()],
                analysis: Some("Running".into()),
                message: None,
            });
        }
        rollout.regions[1].phase = Some(Phase::Paused);
    }
    state.selected = 1;
    insta::assert_snapshot!(
        "target_detail_160x48",
        render(&state, &themes()[0], 160, 48).backend()
    );
}

/// A read-only seat is offered only the keys that work there: no action,
/// no scorecard setting.
#[test]
fn a_read_only_footer_offers_only_what_works() {
    use warroom::app::state::ScorecardView;
    let mut state = breaching();
    state.read_only = true;
    for overlay in [
        Overlay::None,
        Overlay::Scorecard(ScorecardView {
            selected: 3,
            editing: None,
        }),
    ] {
        state.overlay = overlay;
        for (w, h) in [(80, 24), (160, 48)] {
            let terminal = render(&state, &themes()[0], w, h);
            let buf = terminal.backend().buffer();
            let screen: Vec<String> = (0..h)
                .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
                .collect();
            let footer = &screen[usize::from(h) - 1];
            assert!(!footer.trim().is_empty(), "{w}×{h}: no footer");
            for dead in ["p pause", "P promote", "r roll back"] {
                assert!(
                    !footer.contains(dead),
                    "{w}×{h}: the footer offers `{dead}`"
                );
            }
            assert!(
                !screen.iter().any(|l| l.contains("g/a/r/u")),
                "{w}×{h}: g/a/r/u offered:\n{}",
                screen.join("\n")
            );
        }
    }
}

/// Overlays on the smallest screen: wrapped between words, and saying so
/// when they cannot show everything.
#[test]
fn overlays_on_the_smallest_screen() {
    use warroom::app::state::ScorecardView;
    let theme = &themes()[0];
    let overlays = [
        ("help", Overlay::Help),
        (
            "scorecard",
            Overlay::Scorecard(ScorecardView {
                selected: 0,
                editing: None,
            }),
        ),
        (
            "confirm",
            Overlay::Confirm(PendingAction {
                action: Action::Rollback,
                scope: ActionScope::Rollout,
            }),
        ),
        (
            "override",
            Overlay::Override {
                scope: ActionScope::Rollout,
                reason: "fix is in the next wave".to_string(),
            },
        ),
    ];
    for (name, overlay) in overlays {
        let mut state = no_go();
        state.overlay = overlay;
        let terminal = render(&state, theme, 60, 16);
        insta::assert_snapshot!(format!("{name}_60x16"), terminal.backend());
    }
}

/// On a short screen the scorecard scrolls to the selected item and says
/// what is above and below it.
#[test]
fn the_scorecard_scrolls_to_the_selected_item() {
    use warroom::app::state::ScorecardView;
    let mut state = no_go();
    state.overlay = Overlay::Scorecard(ScorecardView {
        selected: 6,
        editing: None,
    });
    let terminal = render(&state, &themes()[0], 60, 16);
    let buf = terminal.backend().buffer();
    let screen: String = (0..16)
        .map(|y| (0..60).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect();
    assert!(screen.contains("› ✖ RED     Communications"), "{screen}");
    assert!(screen.contains("more lines above"), "{screen}");
}

/// The deployment source failing: its error wrapped between words in the
/// sources panel, and the hold countdown it can no longer vouch for marked
/// stale wherever it is shown.
#[test]
fn a_failing_deploy_source_marks_the_hold_stale() {
    use warroom::domain::source::{Polled, SourceError, SourceId};
    let mut state = breaching();
    let error = "deploy API at https://deploy.internal.example/api/v1/rollouts/checkout \
                 answered 503 Service Unavailable: upstream connect error or disconnect \
                 before headers";
    let now = state.now;
    update(
        &mut state,
        Msg::Source {
            source: SourceId(0),
            polled: Polled {
                at: now,
                took: std::time::Duration::from_secs(3),
                result: Err(SourceError(error.to_string())),
                notes: vec![],
            },
        },
    );
    let stale = &themes()[0].symbols.stale;
    for (w, h) in [(80, 24), (120, 40)] {
        let terminal = render(&state, &themes()[0], w, h);
        let buf = terminal.backend().buffer();
        let screen: Vec<String> = (0..h)
            .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        assert!(
            screen.iter().any(
                |l| ["hold 35s", "hold 35s left", "at gate", "held at its gate"]
                    .iter()
                    .any(|h| l.contains(&format!("{h} {stale}")))
            ),
            "{w}×{h}: the hold is not marked stale:\n{}",
            screen.join("\n")
        );
        insta::assert_snapshot!(format!("deploy_failing_{w}x{h}"), terminal.backend());
    }
}

/// At 120×40 the timeline keeps room for several entries, in a drill (no
/// delivery history, more to say in the detail) as in the demo.
#[test]
fn the_timeline_keeps_room_at_120x40() {
    use warroom::app::state::{Dora, RunMode};
    for drill in [false, true] {
        let mut state = breaching();
        if drill {
            state.mode = RunMode::Drill;
            state.dora = Dora::Off;
        }
        let terminal = render(&state, &themes()[0], 120, 40);
        let buf = terminal.backend().buffer();
        let rows: Vec<String> = (0..40)
            .map(|y| (0..120).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        let top = rows
            .iter()
            .position(|l| l.contains("┌ Timeline"))
            .unwrap_or_else(|| panic!("no timeline:\n{}", rows.join("\n")));
        let entries = rows[top + 1..]
            .iter()
            .take_while(|l| !l.starts_with('└'))
            .filter(|l| l.contains(':'))
            .count();
        assert!(
            entries >= 5,
            "drill {drill}: {entries} timeline entries:\n{}",
            rows.join("\n")
        );
    }
}
