//! Stop conditions: each guardrail's threshold, where it stands now, the
//! region that drives it, time past the threshold and what a breach does.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, Widget};

use super::format::{duration, fit};
use super::panel;
use crate::app::state::AppState;
use crate::domain::guardrail::{ConditionStatus, GuardrailState, StopCondition};
use crate::domain::health::Verdict;
use crate::ui::theme::{Role, Theme};

pub struct StopConditions<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub compact: bool,
}

impl StopConditions<'_> {
    /// The state cell: glyph and word, `STALE` when the metrics behind it are old.
    fn state_cell(&self, status: &ConditionStatus) -> Cell<'static> {
        let theme = self.theme;
        let (verdict, word) = if self.state.metrics_stale() {
            (Verdict::Stale, "STALE")
        } else {
            let word = match status.state {
                GuardrailState::Ok => "OK",
                GuardrailState::Warning => "WARN",
                GuardrailState::Tripping { .. } => "TRIPPING",
                GuardrailState::Breach { .. } => "BREACH",
                GuardrailState::NoData => "NO DATA",
            };
            (status.state.verdict(), word)
        };
        Cell::from(Span::styled(
            format!("{} {word}", theme.verdict_symbol(verdict)),
            theme.verdict(verdict),
        ))
    }

    fn row(&self, cond: &StopCondition, status: &ConditionStatus, full: bool) -> Row<'static> {
        let since = match status.state {
            GuardrailState::Tripping { since } | GuardrailState::Breach { since } => {
                duration(self.state.now - since)
            }
            _ => String::new(),
        };
        let value = status
            .value
            .map_or_else(|| "—".to_string(), |v| cond.show(v));
        let region = status.region.clone().unwrap_or_else(|| "—".to_string());
        let mut cells = vec![
            self.state_cell(status),
            Cell::from(cond.to_string()),
            Cell::from(Line::from(value).right_aligned()),
            Cell::from(fit(&region, if full { 15 } else { 11 })),
            Cell::from(Line::from(since).right_aligned()),
        ];
        if full {
            cells.push(Cell::from(format!("→ {}", cond.on_breach())));
        } else {
            cells.push(Cell::from(cond.on_breach()));
        }
        Row::new(cells)
    }
}

impl Widget for StopConditions<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = panel(
            "Stop conditions · canary, per region",
            self.theme,
            self.compact,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let conditions = self.state.guardrails.conditions();
        if conditions.is_empty() {
            Line::styled(
                "  the plan has no stop conditions",
                self.theme.role(Role::Warn),
            )
            .render(inner, buf);
            return;
        }
        // Room for the long form: header, wide region and the consequence arrow.
        let full = inner.width >= 90;
        let rows = conditions
            .iter()
            .zip(self.state.guardrails.status())
            .map(|(c, s)| self.row(c, s, full));
        let widths = [
            Constraint::Length(10),
            Constraint::Min(30),
            Constraint::Length(7),
            Constraint::Length(if full { 15 } else { 11 }),
            Constraint::Length(6),
            Constraint::Length(if full { 10 } else { 5 }),
        ];
        let mut table = Table::new(rows, widths).column_spacing(1);
        if full && !self.compact {
            let header = Row::new([
                "State",
                "Condition",
                "Now",
                "Worst region",
                "Past",
                "On breach",
            ])
            .style(self.theme.role(Role::Muted));
            table = table.header(header);
        }
        table.render(inner, buf);
    }
}
