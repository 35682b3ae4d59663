//! The wave plan: each wave's weight, scope and hold, and where it stands.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use super::format::duration;
use super::panel;
use crate::app::state::AppState;
use crate::domain::rollout::{Scope, WaveState, wave_state};
use crate::ui::theme::{Role, Theme};

pub struct Waves<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub compact: bool,
}

impl Waves<'_> {
    /// Glyph, role and words for a wave's state.
    fn describe(&self, state: Option<WaveState>) -> (&str, Role, String) {
        let s = &self.theme.symbols;
        match state {
            None => (&s.pending, Role::Muted, "waiting".to_string()),
            Some(WaveState::Done) => (&s.done, Role::Ok, "done".to_string()),
            Some(WaveState::Holding { left }) => (
                &s.current,
                Role::Accent,
                format!("holding {}", duration(left)),
            ),
            Some(WaveState::Paused { left }) => (
                &s.paused,
                Role::Paused,
                format!("paused {}", duration(left)),
            ),
            Some(WaveState::Pending) => (&s.pending, Role::Muted, "pending".to_string()),
            Some(WaveState::Cancelled) => (&s.cancelled, Role::Breach, "cancelled".to_string()),
        }
    }
}

/// Rows the wave panel needs: its waves, the header, the gate's three lines
/// and the frame.
pub fn height(waves: usize) -> u16 {
    waves as u16 + 6
}

impl Waves<'_> {
    /// What the current wave's gate waits for, in words; `None` when there
    /// is no gate (no report yet, or the rollout has finished).
    fn gate_line(&self) -> Option<Line<'static>> {
        let theme = self.theme;
        let gate = self.state.gate()?;
        let next = self.state.plan.waves.waves.get(gate.wave + 1);
        let target = next.map_or_else(
            || "completion".to_string(),
            |w| format!("wave {} {}", gate.wave + 2, w.name),
        );
        if gate.is_open() {
            return Some(Line::from(vec![
                Span::styled(
                    format!("{} gate open", theme.symbols.ok),
                    theme.role(Role::Ok),
                ),
                Span::styled(format!(" · ready for {target}"), theme.role(Role::Muted)),
            ]));
        }
        let reasons = gate.summary();
        Some(Line::from(vec![
            Span::styled(
                format!("{} gate to {target} blocked: ", theme.symbols.warn),
                theme.role(Role::Warn),
            ),
            Span::styled(reasons.join(" · "), theme.role(Role::Text)),
        ]))
    }
}

impl Widget for Waves<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let plan = &self.state.plan.waves;
        let block = panel("Waves", self.theme, self.compact);
        let inner = block.inner(area);
        block.render(area, buf);
        let states: Vec<Option<WaveState>> = (0..plan.len())
            .map(|i| self.state.rollout.as_ref().map(|r| wave_state(plan, r, i)))
            .collect();
        if self.compact {
            let mut spans = Vec::new();
            for (i, (wave, st)) in plan.waves.iter().zip(&states).enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" › ", self.theme.role(Role::Muted)));
                }
                let (glyph, role, _) = self.describe(*st);
                spans.push(Span::styled(
                    format!("{glyph} {} {}%", wave.name, wave.weight),
                    self.theme.role(role),
                ));
                if let Some(WaveState::Holding { left } | WaveState::Paused { left }) = st {
                    spans.push(Span::styled(
                        format!(" {}", duration(*left)),
                        self.theme.role(role),
                    ));
                }
            }
            if let Some(gate) = self.state.gate() {
                let (text, role) = if gate.is_open() {
                    (format!("  {} gate open", self.theme.symbols.ok), Role::Ok)
                } else {
                    let first = gate
                        .blockers
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default();
                    (
                        format!("  {} gate: {first}", self.theme.symbols.warn),
                        Role::Warn,
                    )
                };
                spans.push(Span::styled(text, self.theme.role(role)));
            }
            Paragraph::new(Line::from(spans)).render(inner, buf);
            return;
        }
        let [table_area, gate_area] = ratatui::layout::Layout::vertical([
            Constraint::Length(plan.len() as u16 + 1),
            Constraint::Min(0),
        ])
        .areas(inner);
        if let Some(line) = self.gate_line() {
            Paragraph::new(line)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .render(gate_area, buf);
        }
        let fixed = 3 + 7 + 4 + 13 + 4;
        let scope_width = inner.width.saturating_sub(fixed) as usize;
        let rows = plan
            .waves
            .iter()
            .zip(&states)
            .enumerate()
            .map(|(i, (wave, st))| {
                let (glyph, role, words) = self.describe(*st);
                let words = match st {
                    Some(WaveState::Pending) | None => format!("hold {}", duration(wave.hold)),
                    _ => words,
                };
                let style = self.theme.role(role);
                let mut scope = wave.scope.to_string();
                if scope.chars().count() > scope_width
                    && let Scope::Regions(list) = &wave.scope
                {
                    scope = format!("{} regions", list.len());
                }
                Row::new(vec![
                    Cell::from(Span::styled(format!("{glyph} {}", i + 1), style)),
                    Cell::from(wave.name.clone()),
                    Cell::from(Line::from(format!("{}%", wave.weight)).right_aligned()),
                    Cell::from(scope),
                    Cell::from(Span::styled(words, style)),
                ])
            });
        let header =
            Row::new(["", "Wave", "  %", "Scope", "Gate"]).style(self.theme.role(Role::Muted));
        Table::new(
            rows,
            [
                Constraint::Length(3),
                Constraint::Length(7),
                Constraint::Length(4),
                Constraint::Fill(1),
                Constraint::Length(13),
            ],
        )
        .header(header)
        .render(table_area, buf);
    }
}
