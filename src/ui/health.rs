//! The health matrix: a row per region, stable and canary side by side, each
//! with its values, the canary's delta against stable, a trend and a verdict.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Row, StatefulWidget, Table, TableState, Widget};

use super::format::{fit, sparkline};
use super::panel;
use crate::app::state::AppState;
use crate::domain::guardrail::{cell_state, judge_cell};
use crate::domain::health::{Cell as HealthCell, Signal, Verdict, VersionRole};
use crate::domain::judgment::{Judgment, Outcome};
use crate::domain::rollout::{Phase, RegionRollout, WeightKnown};
use crate::ui::theme::{Role, Theme};

pub struct Matrix<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub compact: bool,
}

/// The numbers behind one row, gathered once.
struct RowFacts<'a> {
    region: &'a str,
    stable: Option<&'a HealthCell>,
    canary: Option<&'a HealthCell>,
    /// The canary's weight; `None` when it cannot be known.
    weight: Option<u8>,
    /// The weight is reckoned from pods, not reported.
    estimated: bool,
    /// The region's phase when it differs from the rollout's.
    own_phase: Option<Phase>,
    judgment: Option<&'a Judgment>,
    stable_verdict: Verdict,
    canary_verdict: Verdict,
}

fn value(cell: Option<&HealthCell>, signal: Signal) -> Option<f64> {
    cell.and_then(|c| c.latest(signal))
}

fn shown(cell: Option<&HealthCell>, signal: Signal) -> String {
    value(cell, signal).map_or_else(|| "—".to_string(), |v| signal.format(v))
}

fn error_delta(f: &RowFacts) -> String {
    Signal::ErrorRate.delta(
        value(f.canary, Signal::ErrorRate),
        value(f.stable, Signal::ErrorRate),
    )
}

fn latency_delta(f: &RowFacts) -> String {
    Signal::LatencyP99.delta(
        value(f.canary, Signal::LatencyP99),
        value(f.stable, Signal::LatencyP99),
    )
}

impl Matrix<'_> {
    fn facts(&self) -> Vec<RowFacts<'_>> {
        let state = self.state;
        let stale = state.metrics_stale();
        let conditions = state.guardrails.conditions();
        let weights: HashMap<&str, &RegionRollout> = state
            .rollout
            .iter()
            .flat_map(|r| r.regions.iter())
            .map(|r| (r.region.as_str(), r))
            .collect();
        let own_phases: HashMap<&str, Phase> = state
            .rollout
            .iter()
            .flat_map(|r| {
                r.regions
                    .iter()
                    .filter(|g| g.phase.is_some())
                    .map(|g| (g.region.as_str(), g.phase_in(r.phase)))
            })
            .collect();
        state
            .health
            .regions()
            .iter()
            .enumerate()
            .map(|(i, region)| {
                let stable = state.health.cell(i, VersionRole::Stable);
                let canary = state.health.cell(i, VersionRole::Canary);
                RowFacts {
                    region,
                    stable,
                    canary,
                    weight: weights
                        .get(region.as_str())
                        .filter(|r| r.weight_known != WeightKnown::Unknown)
                        .map(|r| r.canary_weight),
                    estimated: weights
                        .get(region.as_str())
                        .is_some_and(|r| r.weight_known == WeightKnown::Estimated),
                    own_phase: own_phases.get(region.as_str()).copied(),
                    judgment: state.judgment(region),
                    stable_verdict: judge_cell(stable, None, conditions, stale),
                    canary_verdict: crate::app::verdict::canary_row(state, i),
                }
            })
            .collect()
    }

    /// The region's name, marked when it was paused or rolled back on its own.
    fn region_cell(&self, f: &RowFacts) -> Cell<'static> {
        let symbols = &self.theme.symbols;
        let mark = match f.own_phase {
            Some(Phase::Paused) => Some((&symbols.paused, Role::Warn)),
            Some(Phase::RolledBack | Phase::Aborted) => Some((&symbols.cancelled, Role::Breach)),
            _ => None,
        };
        match mark {
            None => Cell::from(fit(f.region, 15)),
            Some((glyph, role)) => Cell::from(Line::from(vec![
                Span::raw(format!("{} ", fit(f.region, 13))),
                Span::styled(glyph.clone(), self.theme.role(role)),
            ])),
        }
    }

    /// The canary's judgment score, 0–100, coloured by its outcome.
    fn score_cell(&self, f: &RowFacts) -> Cell<'static> {
        let theme = self.theme;
        let stale = self.state.metrics_stale();
        let (text, role) = match f.judgment.map(|j| (j.score, j.outcome)) {
            _ if f.weight == Some(0) => ("—".to_string(), Role::Muted),
            _ if stale => (theme.symbols.stale.clone(), Role::Stale),
            Some((Some(score), outcome)) => (
                format!("{score:.0}"),
                match outcome {
                    Outcome::Pass => Role::Ok,
                    Outcome::Marginal => Role::Warn,
                    Outcome::Fail => Role::Breach,
                    Outcome::NoData => Role::NoData,
                },
            ),
            _ => (theme.symbols.no_data.clone(), Role::NoData),
        };
        Cell::from(Line::styled(text, theme.role(role)).right_aligned())
    }

    fn verdict_cell(&self, f: &RowFacts) -> Cell<'static> {
        let theme = self.theme;
        if f.weight == Some(0) && f.canary_verdict == Verdict::NoData {
            return Cell::from(Span::styled(
                format!("{} no traffic", theme.symbols.no_data),
                theme.role(Role::Muted),
            ));
        }
        let v = f.canary_verdict;
        // Nothing to judge says why: stale, partial, not finite, no data.
        let conditions = self.state.guardrails.conditions();
        let stale = self.state.metrics_stale();
        let word = match cell_state(f.canary, f.stable, conditions, stale) {
            (Verdict::NoData | Verdict::Stale, Some(gap)) => gap.word(),
            _ => v.word(),
        };
        Cell::from(Span::styled(
            format!("{} {word}", theme.verdict_symbol(v)),
            theme.verdict(v),
        ))
    }

    fn value_style(&self, verdict: Verdict) -> ratatui::style::Style {
        match verdict {
            Verdict::Stale | Verdict::NoData => self.theme.role(Role::Muted),
            _ => self.theme.role(Role::Text),
        }
    }

    fn trend(&self, f: &RowFacts, width: usize) -> Cell<'static> {
        let ceiling = self
            .state
            .guardrails
            .conditions()
            .iter()
            .find(|c| c.signal == Signal::ErrorRate)
            .map_or(0.01, |c| c.breach);
        let line = f
            .canary
            .map(|c| sparkline(c.series(Signal::ErrorRate).values(), width, ceiling))
            .unwrap_or_default();
        // Reverse video would turn bars into a blank box: keep only the colour.
        let style = self
            .theme
            .verdict(f.canary_verdict)
            .remove_modifier(Modifier::REVERSED);
        Cell::from(Span::styled(line, style))
    }

    fn row(&self, f: &RowFacts, full: bool, trend_width: usize) -> Row<'static> {
        let theme = self.theme;
        let stable_style = self.value_style(f.stable_verdict);
        let canary_style = self.value_style(f.canary_verdict);
        let right = |text: String, style| Cell::from(Line::styled(text, style).right_aligned());
        // An estimate is marked; `~all` keeps an estimated 100 whole in four columns.
        let weight = match f.weight {
            None => "?".to_string(),
            Some(w) if f.estimated && w >= 100 => "~all".to_string(),
            Some(w) if f.estimated => format!("~{w}%"),
            Some(w) => format!("{w}%"),
        };
        let mut cells = vec![
            self.region_cell(f),
            right(shown(f.stable, Signal::ErrorRate), stable_style),
            right(shown(f.stable, Signal::LatencyP99), stable_style),
            Cell::from(Span::styled(
                theme.verdict_symbol(f.stable_verdict).to_string(),
                theme.verdict(f.stable_verdict),
            )),
            right(weight, theme.role(Role::Text)),
        ];
        if full {
            cells.push(right(shown(f.canary, Signal::RequestRate), canary_style));
        }
        cells.push(right(shown(f.canary, Signal::ErrorRate), canary_style));
        cells.push(right(error_delta(f), canary_style));
        cells.push(right(shown(f.canary, Signal::LatencyP99), canary_style));
        if full {
            cells.push(right(latency_delta(f), canary_style));
            cells.push(right(shown(f.canary, Signal::SuccessRate), canary_style));
        }
        if trend_width > 0 {
            cells.push(self.trend(f, trend_width));
        }
        cells.push(self.score_cell(f));
        cells.push(self.verdict_cell(f));
        Row::new(cells)
    }

    fn columns(&self, full: bool, trend_width: u16) -> Vec<Constraint> {
        use Constraint::Length;
        let mut c = vec![Length(15), Length(6), Length(5), Length(1), Length(4)];
        if full {
            c.push(Length(6));
        }
        c.extend([Length(6), Length(7), Length(5)]);
        if full {
            c.extend([Length(5), Length(6)]);
        }
        if trend_width > 0 {
            c.push(Length(trend_width));
        }
        c.extend([Length(5), Length(12)]);
        c
    }

    fn header(&self, full: bool, trend_width: u16) -> Row<'static> {
        let right = |label: &str| Cell::from(Line::from(label.to_string()).right_aligned());
        let mut cells = vec![
            Cell::from("Region"),
            right("err"),
            right("p99"),
            Cell::from(""),
            right("wt"),
        ];
        if full {
            cells.push(right("rps"));
        }
        cells.extend([right("err"), right("Δerr"), right("p99")]);
        if full {
            cells.extend([right("Δp99"), right("succ")]);
        }
        if trend_width > 0 {
            cells.push(Cell::from(if trend_width >= 9 {
                "err trend"
            } else {
                "trend"
            }));
        }
        cells.push(right("score"));
        cells.push(Cell::from("Verdict"));
        Row::new(cells).style(self.theme.role(Role::Muted))
    }

    /// The line above the column names that says which columns are which
    /// version. Columns are fixed widths laid out from the left, after the
    /// two-column selection marker.
    fn version_line(&self, area: Rect, buf: &mut Buffer, full: bool, trend_width: u16) {
        let widths: Vec<u16> = self
            .columns(full, trend_width)
            .iter()
            .map(|c| match c {
                Constraint::Length(n) => *n,
                _ => 0,
            })
            .collect();
        let x_of = |col: usize| area.x + 2 + widths.iter().take(col).map(|w| w + 1).sum::<u16>();
        let style = self.theme.role(Role::Muted);
        let stable = format!("stable {}", self.state.plan.stable_version);
        let canary = format!("canary {}", self.state.plan.canary_version);
        let (stable_x, canary_x) = (x_of(1), x_of(4));
        let stable_room = canary_x.saturating_sub(stable_x + 1);
        let end = area.x + area.width;
        buf.set_stringn(
            stable_x,
            area.y,
            fit(&stable, stable_room as usize),
            stable_room as usize,
            style,
        );
        let canary_room = end.saturating_sub(canary_x) as usize;
        buf.set_stringn(
            canary_x,
            area.y,
            fit(&canary, canary_room),
            canary_room,
            style,
        );
    }
}

impl Widget for Matrix<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = panel("Health · region × version", self.theme, self.compact);
        let inner = block.inner(area);
        block.render(area, buf);
        let facts = self.facts();
        if facts.is_empty() {
            Line::styled("  no regions reported yet", self.theme.role(Role::Muted))
                .render(inner, buf);
            return;
        }
        let fixed = |full| -> u16 {
            let widths = self.columns(full, 0);
            widths
                .iter()
                .map(|c| match c {
                    Constraint::Length(n) => n + 1,
                    _ => 1,
                })
                .sum::<u16>()
                + 2
        };
        // All columns when they fit with a trend of at least 6 cells.
        let full = inner.width >= fixed(true) + 7;
        let trend_width = inner.width.saturating_sub(fixed(full)).min(30);
        let trend_width = if trend_width >= 6 { trend_width } else { 0 };
        let rows: Vec<Row> = facts
            .iter()
            .map(|f| self.row(f, full, trend_width as usize))
            .collect();
        let [versions, table_area] =
            ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(0)])
                .areas(inner);
        self.version_line(versions, buf, full, trend_width);
        let table = Table::new(rows, self.columns(full, trend_width))
            .header(self.header(full, trend_width))
            .column_spacing(1)
            .highlight_symbol("› ")
            .highlight_spacing(HighlightSpacing::Always)
            .row_highlight_style(self.theme.selection());
        let mut table_state =
            TableState::default().with_selected(Some(self.state.selected.min(facts.len() - 1)));
        StatefulWidget::render(table, table_area, buf, &mut table_state);
    }
}
