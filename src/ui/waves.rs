//! The wave plan: each wave's weight, scope and hold, and where it stands.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Widget};

use super::columns::{self, Column, Give};
use super::fit::{self, Phrase, pack};
use super::format::duration;
use super::panel;
use crate::app::state::AppState;
use crate::domain::bake::BakeState;
use crate::domain::gate::Gate;
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
            // The hold has passed and warroom holds the wave at its gate.
            Some(WaveState::Holding { left })
                if left.is_zero() && self.state.gate_hold.is_some() =>
            {
                (&s.current, Role::Warn, "held at gate".to_string())
            }
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

/// Rows the wave panel needs in `width` columns: its waves, the header,
/// the gate's lines (three at least, six at most) and the frame.
pub fn height(state: &AppState, theme: &Theme, width: u16) -> u16 {
    let panel = Waves {
        state,
        theme,
        compact: false,
    };
    let room = usize::from(width.saturating_sub(2));
    let gate = panel.lines(room, GATE_ROWS_MAX).len();
    let gate = u16::try_from(gate)
        .unwrap_or(u16::MAX)
        .clamp(3, GATE_ROWS_MAX as u16);
    state.plan.waves.len() as u16 + 3 + gate
}

/// The most rows the gate's reasons take before the rest is cut with `…`.
const GATE_ROWS_MAX: usize = 6;

impl Waves<'_> {
    /// The bake's line, then the gate's, in at most `rows`.
    fn lines(&self, room: usize, rows: usize) -> Vec<Line<'static>> {
        let bake = self.bake_line(room);
        let rows = rows.saturating_sub(usize::from(bake.is_some()));
        let gate = self.gate_lines(room, rows).unwrap_or_default();
        bake.into_iter().chain(gate).take(rows + 1).collect()
    }

    /// Where the bake stands, in words: its time left, passed or failed;
    /// `None` without a `[bake]` or before the rollout reached its end.
    fn bake_words(&self) -> Option<(&str, Role, String)> {
        let plan = self.state.plan.bake?;
        let bake = self.state.bake.as_ref()?;
        let s = &self.theme.symbols;
        let period = duration(plan.period);
        Some(match bake {
            BakeState::Baking { .. } => {
                let left = duration(bake.left(&plan, self.state.now));
                let text = format!("baking {left} left of {period} · stop conditions armed");
                (&s.current, Role::Accent, text)
            }
            BakeState::Passed { .. } => {
                let text = format!("bake passed · {period} at 100 % with no breach");
                (&s.done, Role::Ok, text)
            }
            BakeState::Failed { why, .. } => {
                (&s.breach, Role::Breach, format!("bake failed · {why}"))
            }
        })
    }

    fn bake_line(&self, room: usize) -> Option<Line<'static>> {
        let (glyph, role, text) = self.bake_words()?;
        let spans = vec![Span::styled(
            format!("{glyph} {text}"),
            self.theme.role(role),
        )];
        Some(fit::line(spans, room))
    }

    /// What the current wave's gate waits for, as lines of whole phrases in
    /// `room` columns, at most `rows` of them; `None` when there is no gate
    /// (no report yet, or the rollout has finished).
    fn gate_lines(&self, room: usize, rows: usize) -> Option<Vec<Line<'static>>> {
        let theme = self.theme;
        let gate = self.state.gate()?;
        let next = self.state.plan.waves.waves.get(gate.wave + 1);
        let target = next.map_or_else(
            || "completion".to_string(),
            |w| format!("wave {} {}", gate.wave + 2, w.name),
        );
        if gate.is_open() {
            let spans = vec![
                Span::styled(
                    format!("{} gate open", theme.symbols.ok),
                    theme.role(Role::Ok),
                ),
                Span::styled(format!(" · ready for {target}"), theme.role(Role::Muted)),
            ];
            return Some(vec![fit::line(spans, room)]);
        }
        // Advisory gates (`[gates] enforce = false`) are shown, never acted on.
        let advisory = if self.state.plan.gates.enforce {
            ""
        } else {
            " (advisory)"
        };
        let head = format!("{} gate to {target} blocked{advisory}", theme.symbols.warn);
        let mut phrases = vec![head.clone()];
        phrases.extend(self.reasons(&gate));
        let lines = fit::at_most(fit::flow(&phrases, " · ", room), rows, room);
        Some(
            lines
                .into_iter()
                .map(|l| match l.strip_prefix(&head) {
                    Some(rest) => Line::from(vec![
                        Span::styled(head.clone(), theme.role(Role::Warn)),
                        Span::styled(rest.to_string(), theme.role(Role::Text)),
                    ]),
                    None => Line::styled(l, theme.role(Role::Text)),
                })
                .collect(),
        )
    }

    /// The gate's reasons in few words, the hold marked stale when the
    /// deployment source cannot vouch for its countdown.
    fn reasons(&self, gate: &Gate) -> Vec<String> {
        let stale = super::deploy_stale(self.state);
        gate.summary()
            .into_iter()
            .map(|r| {
                if stale && r.starts_with("hold ") {
                    format!("{r} {}", self.theme.symbols.stale)
                } else {
                    r
                }
            })
            .collect()
    }

    /// The one-line form: each wave with its weight, the current one's
    /// hold, then the gate's first reason; whole phrases only, the current
    /// wave and the gate kept longest.
    fn compact_line(&self, states: &[Option<WaveState>], room: usize) -> Line<'static> {
        let theme = self.theme;
        let plan = &self.state.plan.waves;
        let stale = super::deploy_stale(self.state);
        let mut phrases = Vec::new();
        for (i, (wave, st)) in plan.waves.iter().zip(states).enumerate() {
            let mut spans = Vec::new();
            if i > 0 {
                spans.push(Span::styled(" › ", theme.role(Role::Muted)));
            }
            let (glyph, role, _) = self.describe(*st);
            spans.push(Span::styled(
                format!("{glyph} {} {}%", wave.name, wave.weight),
                theme.role(role),
            ));
            let current = matches!(
                st,
                Some(WaveState::Holding { .. } | WaveState::Paused { .. })
            );
            if let Some(WaveState::Holding { left } | WaveState::Paused { left }) = st {
                spans.push(Span::styled(
                    format!(" {}", duration(*left)),
                    theme.role(role),
                ));
                if stale {
                    spans.push(Span::styled(
                        format!(" {}", theme.symbols.stale),
                        theme.role(Role::Stale),
                    ));
                }
            }
            phrases.push(Phrase::new(if current { 9 } else { 5 }, spans));
        }
        if let Some((glyph, role, text)) = self.bake_words() {
            // The compact line has room for the bake's first words only.
            let short = text.split(" · ").next().unwrap_or_default();
            let text = format!("  {glyph} {short}");
            phrases.push(Phrase::new(9, vec![Span::styled(text, theme.role(role))]));
        }
        if let Some(gate) = self.state.gate() {
            let (text, role) = if gate.is_open() {
                (format!("  {} gate open", theme.symbols.ok), Role::Ok)
            } else {
                let first = self.reasons(&gate).into_iter().next().unwrap_or_default();
                (
                    match self.state.plan.gates.enforce {
                        true => format!("  {} gate: {first}", theme.symbols.warn),
                        false => format!("  {} advisory gate: {first}", theme.symbols.warn),
                    },
                    Role::Warn,
                )
            };
            phrases.push(Phrase::new(8, vec![Span::styled(text, theme.role(role))]));
        }
        Line::from(pack(phrases, room))
    }

    /// The wave table's columns: the wave's number, name and weight stay
    /// longest, then where it stands; the scope gives way first.
    fn columns(&self, states: &[Option<WaveState>], scope_room: Option<u16>) -> Vec<Column> {
        let plan = &self.state.plan.waves;
        let stale = super::deploy_stale(self.state);
        let mut number = Column::text("", 20, Give::Never, 0);
        let mut name = Column::text("Wave", 15, Give::Name, 4);
        let mut weight = Column::values("%", 18);
        let mut scope = Column::text("Scope", 5, Give::Words, 5);
        let mut gate = Column::text("Gate", 12, Give::Never, 0);
        for (i, (wave, st)) in plan.waves.iter().zip(states).enumerate() {
            let (glyph, role, words) = self.describe(*st);
            let words = match st {
                Some(WaveState::Pending) | None => format!("hold {}", duration(wave.hold)),
                Some(WaveState::Holding { .. } | WaveState::Paused { .. }) if stale => {
                    format!("{words} {}", self.theme.symbols.stale)
                }
                _ => words,
            };
            let style = self.theme.role(role);
            let mut text = wave.scope.to_string();
            if let (Some(room), Scope::Regions(list)) = (scope_room, &wave.scope)
                && fit::width(&text) > usize::from(room)
            {
                text = format!("{} regions", list.len());
            }
            number.push_text(format!("{glyph} {}", i + 1), style);
            name.push_text(wave.name.clone(), self.theme.role(Role::Text));
            weight.push_text(format!("{}%", wave.weight), self.theme.role(Role::Text));
            scope.push_text(text, self.theme.role(Role::Text));
            gate.push_text(words, style);
        }
        vec![number, name, weight, scope, gate]
    }
}

impl Widget for Waves<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let plan = &self.state.plan.waves;
        let block = panel("Waves", self.theme, self.compact, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        let states: Vec<Option<WaveState>> = (0..plan.len())
            .map(|i| self.state.rollout.as_ref().map(|r| wave_state(plan, r, i)))
            .collect();
        let room = usize::from(inner.width);
        if self.compact {
            Paragraph::new(self.compact_line(&states, room)).render(inner, buf);
            return;
        }
        let [table_area, gate_area] = ratatui::layout::Layout::vertical([
            Constraint::Length(plan.len() as u16 + 1),
            Constraint::Min(0),
        ])
        .areas(inner);
        Paragraph::new(self.lines(room, usize::from(gate_area.height))).render(gate_area, buf);
        // A scope list too long for its column is named by its count.
        let scope_room = columns::widths(&self.columns(&states, None), inner.width, 1)[3];
        let (widths, header, rows) = columns::layout(
            self.columns(&states, Some(scope_room.unwrap_or(0))),
            inner.width,
            1,
        );
        Table::new(rows.into_iter().map(Row::new), widths)
            .header(header.style(self.theme.role(Role::Muted)))
            .column_spacing(1)
            .render(table_area, buf);
    }
}
