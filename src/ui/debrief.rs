//! The end of a drill: the question whether to end it, and its graded
//! debrief — per injection its times, each action graded, the signals
//! nobody looked at, the objectives, and PASSED or NOT PASSED in words.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Widget, Wrap};

use super::clear;
use super::footer::key_hints;
use super::scorecard::typing_modal;
use crate::app::state::AppState;
use crate::domain::Timestamp;
use crate::domain::drill::grade::{Grade, Verdict, said};
use crate::domain::health::Verdict as Health;
use crate::ui::theme::{Role, Theme};

/// `q` in a drill: end it?
pub struct EndDrillModal<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

impl Widget for EndDrillModal<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let lines = vec![
            Line::from(vec![
                Span::raw("End the drill of "),
                Span::styled(state.plan.service.clone(), theme.role(Role::Accent)),
                Span::raw("?"),
            ]),
            Line::styled(
                "It is graded now: its debrief is shown, written and recorded.",
                theme.role(Role::Muted),
            ),
            Line::raw(""),
            key_hints(state, theme, &[], Some(Role::Accent)),
        ];
        typing_modal(lines, " End the drill ", Role::Accent, area, buf, theme);
    }
}

/// The debrief over the whole screen.
pub struct DebriefScreen<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub grade: &'a Grade,
    pub scroll: u16,
}

fn clock(t: Timestamp) -> String {
    t.format("%H:%M:%S").to_string()
}

/// The glyph, the word and the role of an action's grade.
fn graded(theme: &Theme, verdict: Verdict) -> (String, Role) {
    let (health, role) = match verdict {
        Verdict::Correct => (Health::Healthy, Role::Ok),
        Verdict::Late => (Health::Warning, Role::Warn),
        Verdict::Unnecessary => (Health::Warning, Role::Muted),
        Verdict::Harmful => (Health::Breach, Role::Breach),
    };
    let word = format!("{} {:<11}", theme.verdict_symbol(health), verdict.word());
    (word, role)
}

fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), theme.role(Role::Accent))
}

/// Every line of the debrief, top to bottom.
pub fn lines(grade: &Grade, theme: &Theme) -> Vec<Line<'static>> {
    let muted = theme.role(Role::Muted);
    let mut out = Vec::new();
    let (word, role) = match grade.passed() {
        true => (
            format!(" {} PASSED ", theme.verdict_symbol(Health::Healthy)),
            Role::Ok,
        ),
        false => (
            format!(" {} NOT PASSED ", theme.verdict_symbol(Health::Breach)),
            Role::Breach,
        ),
    };
    let name = grade
        .scenario
        .clone()
        .unwrap_or_else(|| "classic drill".to_string());
    out.push(Line::from(vec![
        Span::styled(word, theme.badge(role)),
        Span::raw(format!("  {name}: {}", grade.title)),
    ]));
    out.push(Line::styled(
        format!(
            "drill length {} · {} → {} UTC",
            said(Some(grade.length())),
            clock(grade.began),
            clock(grade.ended)
        ),
        muted,
    ));
    out.push(heading("Injections", theme));
    for i in &grade.injections {
        let began = i
            .started
            .map_or("never began".to_string(), |t| format!("began {}", clock(t)));
        out.push(Line::from(vec![
            Span::styled(format!("  {} ", i.id), theme.role(Role::Text)),
            Span::styled(format!("{}, {began}", i.summary), muted),
        ]));
        out.push(Line::raw(format!(
            "    signal {} · acknowledged {} · mitigated {} · recovered {} · {} failed requests",
            said(i.time_to_signal()),
            said(i.time_to_acknowledge()),
            said(i.time_to_mitigate()),
            said(i.time_to_recover()),
            i.failed_requests
        )));
    }
    if !grade.classic {
        out.push(heading("Actions", theme));
        if grade.actions.is_empty() {
            out.push(Line::styled("  none taken", muted));
        }
        for a in &grade.actions {
            let (word, role) = graded(theme, a.verdict);
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(word, theme.role(role)),
                Span::raw(format!(
                    " {} {} ({})",
                    clock(a.at),
                    a.action,
                    a.scope.label()
                )),
            ]));
            out.push(Line::styled(format!("      {}", a.why), muted));
        }
        for e in grade.expectations.iter().filter(|e| !e.in_time()) {
            let by = e.deadline.map_or("—".to_string(), clock);
            let (_, role) = graded(theme, Verdict::Late);
            let when = match e.met {
                Some(at) => format!("asked only at {}", clock(at)),
                None => "never asked for".to_string(),
            };
            out.push(Line::styled(
                format!(
                    "  expected {} for {} by {by}: {when}",
                    e.wanted, e.injection
                ),
                theme.role(role),
            ));
        }
        out.push(heading("Signals nobody looked at", theme));
        if grade.missed.is_empty() {
            out.push(Line::styled(
                "  none: every signal shown was looked at",
                muted,
            ));
        }
        for m in &grade.missed {
            out.push(Line::raw(format!("  {} {}", clock(m.at), m.line)));
        }
        out.push(heading("Objectives", theme));
        for o in &grade.objectives {
            let (mark, role) = match o.met {
                true => (
                    format!("{} met    ", theme.verdict_symbol(Health::Healthy)),
                    Role::Ok,
                ),
                false => (
                    format!("{} NOT MET", theme.verdict_symbol(Health::Breach)),
                    Role::Breach,
                ),
            };
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(mark, theme.role(role)),
                Span::raw(format!(" {}", o.text)),
            ]));
        }
        if let Some(c) = &grade.comms {
            let text = match (c.due, c.first_sent) {
                (None, _) => "nothing was shown: no update was due".to_string(),
                (Some(due), Some(sent)) => format!(
                    "first status update marked sent {} (due by {})",
                    clock(sent),
                    clock(due)
                ),
                (Some(due), None) if c.met() => format!(
                    "no status update marked sent; none was due before the drill ended ({})",
                    clock(due)
                ),
                (Some(due), None) => {
                    format!("no status update marked sent (due by {})", clock(due))
                }
            };
            let role = if c.met() { Role::Text } else { Role::Breach };
            out.push(Line::styled(format!("  comms: {text}"), theme.role(role)));
        }
    }
    out
}

impl Widget for DebriefScreen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        clear(area, buf, theme);
        let [body, footer] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
        let block = Block::bordered()
            .border_style(theme.role(Role::Border))
            .title(Line::styled(" Drill debrief ", theme.role(Role::Accent)))
            .padding(Padding::horizontal(1));
        Paragraph::new(lines(self.grade, theme))
            .wrap(Wrap { trim: false })
            .scroll((self.scroll, 0))
            .block(block)
            .render(body, buf);
        key_hints(self.state, theme, &[], None).render(footer, buf);
    }
}
