//! The facilitator's seat (`warroom drill facilitate`): the running drill's
//! script in a second terminal, which the participants never see. A pure
//! function of what the seat last heard from the drill, and of the theme.
//! Its keys are its own (`SEAT_KEYS`): it is another program than the
//! dashboard, and shares none of the dashboard's key map.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{self, Phrase, pack};
use super::format::duration;
use crate::domain::drill::control::{Script, Scripted, Stage};
use crate::ui::theme::{Role, Theme};

/// What the seat shows: the script as the drill last told it, the cursor,
/// and the outcome of the facilitator's last request.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilitatorScreen {
    /// The socket the seat speaks to, as shown when the drill is gone.
    pub socket: String,
    pub script: Option<Script>,
    /// The injection under the cursor.
    pub selected: usize,
    /// The drill no longer answers: it ended, or its socket is gone.
    pub ended: bool,
    pub note: Option<Note>,
}

/// The outcome of the last request, in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Done(String),
    Refused(String),
}

/// A key as the seat reads it, whatever the terminal library calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Up,
    Down,
    Char(char),
}

/// What a key does at the seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatCommand {
    Up,
    Down,
    Inject,
    Clear,
    PauseClock,
    Quit,
}

/// One key of the seat: the presses that give it, how the footer names it
/// (`None`: said by the key before it), and what it does.
pub struct SeatKey {
    pub presses: &'static [Press],
    pub shown: Option<&'static str>,
    pub command: SeatCommand,
    pub label: &'static str,
    /// The label while the drill clock is stopped.
    pub label_paused: &'static str,
}

/// The seat's keys: read by the seat's loop and by its footer.
pub const SEAT_KEYS: &[SeatKey] = &[
    SeatKey {
        presses: &[Press::Up, Press::Char('k')],
        shown: Some("↑↓"),
        command: SeatCommand::Up,
        label: "select",
        label_paused: "select",
    },
    SeatKey {
        presses: &[Press::Down, Press::Char('j')],
        shown: None,
        command: SeatCommand::Down,
        label: "select",
        label_paused: "select",
    },
    SeatKey {
        presses: &[Press::Char('i')],
        shown: Some("i"),
        command: SeatCommand::Inject,
        label: "inject",
        label_paused: "inject",
    },
    SeatKey {
        presses: &[Press::Char('c')],
        shown: Some("c"),
        command: SeatCommand::Clear,
        label: "clear",
        label_paused: "clear",
    },
    SeatKey {
        presses: &[Press::Char(' ')],
        shown: Some("space"),
        command: SeatCommand::PauseClock,
        label: "pause",
        label_paused: "resume",
    },
    SeatKey {
        presses: &[Press::Char('q')],
        shown: Some("q"),
        command: SeatCommand::Quit,
        label: "quit",
        label_paused: "quit",
    },
];

/// What `press` does at the seat, if anything.
pub fn seat_command(press: Press) -> Option<SeatCommand> {
    SEAT_KEYS
        .iter()
        .find(|k| k.presses.contains(&press))
        .map(|k| k.command)
}

/// Draw the seat over the whole frame.
pub fn draw(frame: &mut Frame, screen: &FacilitatorScreen, theme: &Theme) {
    let area = frame.area();
    Seat { screen, theme }.render(area, frame.buffer_mut());
}

struct Seat<'a> {
    screen: &'a FacilitatorScreen,
    theme: &'a Theme,
}

impl Widget for Seat<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (screen, theme) = (self.screen, self.theme);
        buf.set_style(area, theme.base());
        if area.height == 0 || area.width == 0 {
            return;
        }
        let room = usize::from(area.width);
        let mut lines = vec![header(screen, theme, room)];
        let body_rows = usize::from(area.height).saturating_sub(2);
        let body = match (&screen.script, screen.ended) {
            (_, true) => ended(screen, theme, room),
            (None, false) => vec![Line::styled(
                " waiting for the drill's first answer…",
                theme.role(Role::Muted),
            )],
            (Some(script), false) => script_lines(screen, script, theme, room, body_rows),
        };
        lines.extend(body.into_iter().take(body_rows));
        lines.resize(usize::from(area.height) - 1, Line::default());
        lines.push(footer(screen, theme, room));
        Paragraph::new(lines).render(area, buf);
    }
}

fn header(screen: &FacilitatorScreen, theme: &Theme, room: usize) -> Line<'static> {
    let mut phrases = vec![Phrase::new(
        u8::MAX,
        vec![
            Span::styled(" FACILITATOR ", theme.badge(Role::Accent)),
            Span::raw(" "),
        ],
    )];
    if let Some(script) = &screen.script {
        phrases.push(Phrase::new(
            100,
            vec![
                Span::styled(fit::name(&script.scenario, 30), theme.role(Role::Text)),
                Span::raw("  "),
            ],
        ));
    }
    if screen.ended {
        phrases.push(Phrase::new(
            200,
            vec![Span::styled(
                format!(" {} DRILL ENDED ", theme.symbols.stale),
                theme.badge(Role::Stale),
            )],
        ));
    } else if let Some(script) = &screen.script {
        phrases.push(Phrase::new(
            150,
            vec![
                Span::styled("clock ", theme.role(Role::Muted)),
                Span::styled(drill_time(script.clock), theme.role(Role::Accent)),
                Span::raw(" "),
            ],
        ));
        if script.paused {
            phrases.push(Phrase::new(
                200,
                vec![Span::styled(
                    format!(" {} PAUSED ", theme.symbols.paused),
                    theme.badge(Role::Paused),
                )],
            ));
        }
    }
    Line::from(pack(phrases, room))
}

fn ended(screen: &FacilitatorScreen, theme: &Theme, room: usize) -> Vec<Line<'static>> {
    let text = format!(
        "the drill ended: nothing answers on {}. This seat reconnects when a drill starts again; q quits.",
        screen.socket
    );
    let mut lines = vec![Line::default()];
    lines.extend(
        fit::wrap(&text, room.saturating_sub(2))
            .into_iter()
            .map(|l| Line::styled(format!(" {l}"), theme.role(Role::Stale))),
    );
    lines
}

/// The injections, the cursor kept in view, then the selected one's
/// summary and the last request's outcome.
fn script_lines(
    screen: &FacilitatorScreen,
    script: &Script,
    theme: &Theme,
    room: usize,
    rows: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        fit::words(" the participants do not see this screen", room),
        theme.role(Role::Muted),
    )];
    let selected = screen
        .selected
        .min(script.injections.len().saturating_sub(1));
    let summary = script
        .injections
        .get(selected)
        .map(|i| fit::wrap(&i.summary, room.saturating_sub(2)))
        .unwrap_or_default();
    // Rows below the list: the summary (up to two lines) and the note.
    let below = summary.len().min(2) + 1;
    let list_rows = rows.saturating_sub(1 + below).max(1);
    if script.injections.is_empty() {
        lines.push(Line::styled(
            " this scenario injects nothing",
            theme.role(Role::Muted),
        ));
    }
    let first = (selected + 1).saturating_sub(list_rows);
    for (n, injection) in script
        .injections
        .iter()
        .enumerate()
        .skip(first)
        .take(list_rows)
    {
        lines.push(row(injection, script, n == selected, theme, room));
    }
    lines.extend(
        summary
            .into_iter()
            .take(2)
            .map(|l| Line::styled(format!("  {l}"), theme.role(Role::Text))),
    );
    if let Some(note) = &screen.note {
        let (role, symbol, text) = match note {
            Note::Done(t) => (Role::Ok, &theme.symbols.ok, t),
            Note::Refused(t) => (Role::Breach, &theme.symbols.breach, t),
        };
        lines.push(Line::styled(
            fit::words(&format!(" {symbol} {text}"), room),
            theme.role(role),
        ));
    }
    lines
}

/// Room for "12345 failed"; more is cut at the line's end, never mid-number.
const FAILED_COLUMNS: usize = 12;
/// Room for "due 10:00 in 7m46s".
const WHEN_COLUMNS: usize = 18;

/// One injection: cursor, id, state, when, failed requests.
fn row(i: &Scripted, script: &Script, selected: bool, theme: &Theme, room: usize) -> Line<'static> {
    let (symbol, word, role) = match i.stage {
        Stage::Pending => (&theme.symbols.pending, "PENDING", Role::Muted),
        Stage::Active => (&theme.symbols.breach, "ACTIVE", Role::Breach),
        Stage::Ended => (&theme.symbols.done, "ENDED", Role::Muted),
    };
    let state = format!("{symbol} {word:<7}");
    let when = when(i, script);
    let failed = match i.stage {
        Stage::Pending => String::new(),
        _ => format!("{} failed", i.failed_requests),
    };
    let cursor = if selected { "▶ " } else { "  " };
    // Every row the same columns, whatever its own numbers' widths.
    let fixed = 2 + 1 + fit::width(&state) + 1 + WHEN_COLUMNS + 1 + FAILED_COLUMNS;
    let id_room = room.saturating_sub(fixed).clamp(4, 40);
    let style = |role| {
        if selected {
            theme.role(role).patch(theme.selection())
        } else {
            theme.role(role)
        }
    };
    let spans = vec![
        Span::styled(cursor, style(Role::Accent)),
        Span::styled(
            format!("{:<id_room$} ", fit::name(&i.id, id_room)),
            style(Role::Text),
        ),
        Span::styled(state, style(role)),
        Span::styled(
            format!(" {:<WHEN_COLUMNS$}", fit::value(&when, WHEN_COLUMNS)),
            style(Role::Text),
        ),
        Span::styled(format!(" {failed}"), style(Role::Muted)),
    ];
    fit::line(spans, room)
}

/// When a pending injection is due, or how long an active or ended one
/// has run, read against the drill's own clocks.
fn when(i: &Scripted, script: &Script) -> String {
    match (i.stage, i.due, i.started, i.ended) {
        (Stage::Pending, Some(due), _, _) if due > script.clock => format!(
            "due {} in {}",
            drill_time(due),
            duration(crate::domain::Span::seconds(due - script.clock))
        ),
        (Stage::Pending, Some(_), _, _) => "due now".to_string(),
        (Stage::Pending, None, _, _) => "after another".to_string(),
        (Stage::Active, _, Some(start), _) => {
            format!("began {} ago", duration(script.now - start))
        }
        (Stage::Ended, _, Some(start), Some(end)) => format!("ran {}", duration(end - start)),
        (Stage::Active, ..) => "began".to_string(),
        (Stage::Ended, ..) => "cleared".to_string(),
    }
}

/// Drill time as a clock on the wall: `04:05`, `1:02:03`.
fn drill_time(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..3600 => format!("{:02}:{:02}", s / 60, s % 60),
        _ => format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60),
    }
}

fn footer(screen: &FacilitatorScreen, theme: &Theme, room: usize) -> Line<'static> {
    let paused = screen.script.as_ref().is_some_and(|s| s.paused);
    let mut phrases = vec![Phrase::new(u8::MAX, vec![Span::raw(" ")])];
    let shown: Vec<&SeatKey> = SEAT_KEYS
        .iter()
        .filter(|k| k.shown.is_some())
        .filter(|k| !screen.ended || k.command == SeatCommand::Quit)
        .collect();
    let count = shown.len();
    for (n, key) in shown.into_iter().enumerate() {
        let keep = match key.command {
            SeatCommand::Quit => 200,
            _ => u8::try_from(count - n).unwrap_or(0),
        };
        let label = if paused { key.label_paused } else { key.label };
        phrases.push(Phrase::new(
            keep,
            vec![
                Span::styled(key.shown.unwrap_or_default(), theme.role(Role::Accent)),
                Span::styled(format!(" {label}  "), theme.role(Role::Muted)),
            ],
        ));
    }
    Line::from(pack(phrases, room)).style(Style::default())
}

#[cfg(test)]
#[path = "facilitator_tests.rs"]
mod tests;
