//! The sources: each one's state (ok, slow, failing with its error, waiting),
//! how long its last poll took and how old its last good answer is.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::format::{duration, fit};
use super::panel;
use crate::app::state::{AppState, SourceCondition};
use crate::ui::theme::{Role, Theme};

pub struct Sources<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// Rows the panel needs for `n` sources.
pub fn height(n: usize) -> u16 {
    n as u16 + 2
}

fn ms(d: std::time::Duration) -> String {
    format!("{} ms", d.as_millis())
}

impl Widget for Sources<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let block = panel("Sources", theme, false);
        let inner = block.inner(area);
        block.render(area, buf);
        let sym = &theme.symbols;
        let width = inner.width as usize;
        let lines: Vec<Line> = state
            .sources
            .iter()
            .map(|s| {
                let (glyph, role, words) = match s.condition(state.now) {
                    SourceCondition::Waiting => (
                        &sym.no_data,
                        Role::NoData,
                        "waiting for a first answer".to_string(),
                    ),
                    SourceCondition::Ok { age, took } => (
                        &sym.ok,
                        Role::Ok,
                        format!("ok · {} · {} ago", ms(took), duration(age)),
                    ),
                    SourceCondition::Slow { age, took } => (
                        &sym.warn,
                        Role::Warn,
                        format!("slow · {} · last answer {} ago", ms(took), duration(age)),
                    ),
                    SourceCondition::Failing {
                        error,
                        failures,
                        since_ok,
                    } => {
                        let last = since_ok.map_or_else(
                            || "never ok".to_string(),
                            |a| format!("ok {} ago", duration(a)),
                        );
                        (
                            &sym.breach,
                            Role::Breach,
                            format!("failing ×{failures} · {last} · {error}"),
                        )
                    }
                };
                let mut spans = vec![
                    Span::styled(format!("{glyph} "), theme.role(role)),
                    Span::styled(format!("{} ", s.info.name), theme.role(Role::Text)),
                    Span::styled(
                        fit(&words, width.saturating_sub(s.info.name.len() + 3)),
                        theme.role(role),
                    ),
                ];
                if let Some(note) = s.notes.first() {
                    spans.push(Span::styled(
                        format!("  {} {note}", sym.warn),
                        theme.role(Role::Warn),
                    ));
                }
                Line::from(spans)
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}
