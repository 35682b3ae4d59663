//! The footer: the keys that act now, and the latest notice above it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::format::duration;
use crate::app::state::{AppState, NoticeLevel, Overlay};
use crate::domain::rollout::{Action, ActionScope, Phase, check_action};
use crate::ui::theme::{Role, Theme};

pub struct Footer<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// The action keys that would open a confirmation right now.
pub fn action_keys(state: &AppState) -> Vec<(&'static str, &'static str)> {
    let Some(rollout) = &state.rollout else {
        return vec![];
    };
    if state.read_only || state.in_flight_on(&ActionScope::Rollout).is_some() {
        return vec![];
    }
    let possible = |a| check_action(a, &ActionScope::Rollout, rollout, &state.plan.waves).is_ok();
    let mut keys = vec![];
    if rollout.phase == Phase::Paused && possible(Action::Resume) {
        keys.push(("p", "resume"));
    } else if possible(Action::Pause) {
        keys.push(("p", "pause"));
    }
    if possible(Action::Promote) {
        keys.push(("P", "promote"));
    }
    if possible(Action::Rollback) {
        keys.push(("r", "roll back"));
    }
    if possible(Action::Retry) {
        keys.push(("R", "retry"));
    }
    keys
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let keys: Vec<(&str, &str)> = match &state.overlay {
            Overlay::Help => vec![("?/Esc", "close help"), ("q", "quit")],
            Overlay::Confirm(p) if p.action == Action::Rollback => {
                vec![("y", "roll back"), ("Tab", "scope"), ("Esc", "cancel")]
            }
            Overlay::Confirm(p) if p.action == Action::Resume => {
                vec![("y", "resume"), ("Tab", "scope"), ("Esc", "cancel")]
            }
            Overlay::Confirm(p) if p.action == Action::Retry => {
                vec![("y", "retry"), ("Tab", "scope"), ("Esc", "cancel")]
            }
            Overlay::Confirm(p) if p.action == Action::Pause => {
                vec![
                    ("p/y/Enter", "confirm"),
                    ("Tab", "scope"),
                    ("Esc", "cancel"),
                ]
            }
            Overlay::Confirm(_) => {
                vec![("y/Enter", "confirm"), ("Tab", "scope"), ("Esc", "cancel")]
            }
            Overlay::Scorecard(view) if view.editing.is_some() => {
                vec![("Enter", "record"), ("Esc", "cancel")]
            }
            Overlay::Scorecard(_) => vec![("↑↓", "item"), ("g/a/r/u", "set"), ("s/Esc", "close")],
            Overlay::Override { .. } => vec![("Enter", "promote"), ("Esc", "cancel")],
            Overlay::None => {
                let mut keys = action_keys(state);
                keys.extend([
                    ("↑↓", "region"),
                    ("s", "scorecard"),
                    ("t", "theme"),
                    ("?", "help"),
                    ("q", "quit"),
                ]);
                keys
            }
        };
        let mut spans = vec![Span::raw(" ")];
        for f in &state.in_flight {
            let scope = match &f.scope {
                ActionScope::Rollout => String::new(),
                ActionScope::Region(r) => format!(" {r}"),
            };
            spans.push(Span::styled(
                format!(
                    " {} {}{scope}… {} ",
                    theme.symbols.pending,
                    f.action,
                    duration(state.now - f.since)
                ),
                theme.badge(Role::Warn),
            ));
            spans.push(Span::raw(" "));
        }
        for (key, what) in keys {
            spans.push(Span::styled(key.to_string(), theme.role(Role::Accent)));
            spans.push(Span::styled(format!(" {what}  "), theme.role(Role::Muted)));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }
}

pub struct NoticeLine<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

impl Widget for NoticeLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(notice) = &self.state.notice else {
            return;
        };
        let (glyph, role) = match notice.level {
            NoticeLevel::Info => (&self.theme.symbols.ok, Role::Text),
            NoticeLevel::Warn => (&self.theme.symbols.warn, Role::Warn),
            NoticeLevel::Error => (&self.theme.symbols.breach, Role::Breach),
        };
        let line = Line::from(vec![
            Span::styled(format!(" {glyph} "), self.theme.role(role)),
            Span::styled(notice.text.clone(), self.theme.role(role)),
        ]);
        Paragraph::new(line).render(area, buf);
    }
}
