#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::domain::Span;
use crate::domain::Timestamp;

fn at() -> Timestamp {
    "2026-03-01T14:00:00Z".parse().unwrap()
}

fn injection(id: &str, stage: Stage) -> Scripted {
    let (due, started, ended, failed) = match stage {
        Stage::Pending => (Some(600), None, None, 0),
        Stage::Active => (None, Some(at() - Span::seconds(42)), None, 1_203),
        Stage::Ended => (
            None,
            Some(at() - Span::seconds(300)),
            Some(at() - Span::seconds(220)),
            880,
        ),
    };
    Scripted {
        id: id.into(),
        summary: format!("{id}: error rate +6 % in us-east-1 (canary), ramp 30s"),
        stage,
        due,
        started,
        ended,
        failed_requests: failed,
    }
}

fn screen(paused: bool) -> FacilitatorScreen {
    FacilitatorScreen {
        socket: "/home/pat/.local/state/warroom/drill.sock".into(),
        script: Some(Script {
            scenario: "canary-regression".into(),
            clock: 134,
            paused,
            now: at(),
            injections: vec![
                injection("canary-errors", Stage::Active),
                injection("latency-creep", Stage::Pending),
                Scripted {
                    due: None,
                    ..injection("herring-alert", Stage::Pending)
                },
                injection("warm-up-blip", Stage::Ended),
            ],
        }),
        selected: 0,
        ended: false,
        note: Some(Note::Done("injected canary-errors".into())),
    }
}

fn theme(no_color: bool) -> Theme {
    crate::ui::theme::resolve(None, no_color)
        .unwrap()
        .0
        .remove(0)
}

fn render(s: &FacilitatorScreen, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(f, s, theme)).unwrap();
    terminal
}

fn text(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_script_at_60x16() {
    let t = render(&screen(false), &theme(false), 60, 16);
    insta::assert_snapshot!("facilitator_60x16", text(&t));
}

#[test]
fn the_script_paused_at_100x30() {
    let mut s = screen(true);
    s.selected = 1;
    s.note = Some(Note::Refused("no injection \"x\" in this drill".into()));
    let t = render(&s, &theme(false), 100, 30);
    insta::assert_snapshot!("facilitator_paused_100x30", text(&t));
}

#[test]
fn every_state_has_a_word_and_the_clock_says_paused() {
    let shown = text(&render(&screen(true), &theme(true), 60, 16));
    for word in [
        "ACTIVE",
        "PENDING",
        "ENDED",
        "PAUSED",
        "clock 02:14",
        "began 42s ago",
        "1203 failed",
        "due 10:00 in 7m46s",
        "after another",
        "ran 1m20s",
        "space resume",
    ] {
        assert!(shown.contains(word), "{word} missing from\n{shown}");
    }
}

#[test]
fn colours_come_from_the_theme_by_role_and_none_without_colour() {
    let th = theme(false);
    let t = render(&screen(false), &th, 60, 16);
    let buf = t.backend().buffer();
    let (y, line) = text(&t)
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("PENDING"))
        .map(|(y, l)| (y, l.to_string()))
        .unwrap();
    let x = line.find("PENDING").unwrap();
    let x = u16::try_from(line[..x].chars().count()).unwrap();
    assert_eq!(buf[(x, y as u16)].fg, th.color(Role::Muted));
    let active = text(&t).lines().position(|l| l.contains("ACTIVE")).unwrap();
    let line = text(&t).lines().nth(active).unwrap().to_string();
    let x = u16::try_from(line[..line.find("ACTIVE").unwrap()].chars().count()).unwrap();
    assert_eq!(buf[(x, active as u16)].fg, th.color(Role::Breach));

    let mono = theme(true);
    let t = render(&screen(false), &mono, 60, 16);
    let buf = t.backend().buffer();
    for y in 0..16 {
        for x in 0..60 {
            assert_eq!(buf[(x, y)].fg, ratatui::style::Color::Reset, "{x},{y}");
            assert_eq!(buf[(x, y)].bg, ratatui::style::Color::Reset, "{x},{y}");
        }
    }
}

#[test]
fn the_cursor_stays_in_view_of_a_long_script() {
    let mut s = screen(false);
    let script = s.script.as_mut().unwrap();
    script.injections = (0..30)
        .map(|n| injection(&format!("fault-{n:02}"), Stage::Pending))
        .collect();
    s.selected = 27;
    let shown = text(&render(&s, &theme(false), 60, 16));
    assert!(shown.contains("▶ fault-27"), "{shown}");
    assert!(shown.contains("fault-27: error rate"), "{shown}");
    assert_eq!(shown.lines().count(), 16);
    assert!(shown.lines().last().unwrap().contains("q quit"), "{shown}");
}

#[test]
fn a_drill_that_ended_is_said_not_frozen() {
    let mut s = screen(false);
    s.ended = true;
    let shown = text(&render(&s, &theme(false), 60, 16));
    assert!(shown.contains("DRILL ENDED"), "{shown}");
    assert!(shown.contains("the drill ended"), "{shown}");
    assert!(!shown.contains("i inject"), "{shown}");
    assert!(shown.contains("q quit"), "{shown}");
    insta::assert_snapshot!("facilitator_ended_60x16", shown);
}

#[test]
fn nothing_panics_on_a_tiny_terminal() {
    for (w, h) in [(1, 1), (10, 3), (20, 2), (60, 4), (0, 0)] {
        render(&screen(true), &theme(false), w, h);
    }
}

#[test]
fn each_press_does_one_thing_and_the_footer_names_every_command() {
    let mut seen = Vec::new();
    for key in SEAT_KEYS {
        for p in key.presses {
            assert!(!seen.contains(p), "{p:?} twice");
            seen.push(*p);
            assert_eq!(seat_command(*p), Some(key.command));
        }
    }
    assert_eq!(seat_command(Press::Char('r')), None, "no roll back here");
    assert_eq!(seat_command(Press::Char('p')), None);
    let footer = text(&render(&screen(false), &theme(false), 60, 16));
    let last = footer.lines().last().unwrap();
    assert_eq!(
        last.trim(),
        "↑↓ select  i inject  c clear  space pause  q quit"
    );
}
