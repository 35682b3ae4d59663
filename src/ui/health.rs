//! The health matrix: a row per region, stable and canary side by side, each
//! with its values, the canary's delta against stable, a trend and a verdict.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{HighlightSpacing, Row, StatefulWidget, Table, TableState, Widget};

use super::columns::{self, Column, Give};
use super::format::sparkline;
use super::{fit, panel};
use crate::app::state::AppState;
use crate::domain::guardrail::{cell_state, judge_cell};
use crate::domain::health::{Cell as HealthCell, Per, Signal, Verdict, VersionRole};
use crate::domain::judgment::{Judgment, Outcome};
use crate::domain::rollout::{Phase, RegionRollout, WeightKnown};
use crate::domain::signal::Unit;
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
    /// The region's own signals, measured whatever the version.
    region_cell: Option<&'a HealthCell>,
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

fn value(cell: Option<&HealthCell>, signal: &Signal) -> Option<f64> {
    cell.and_then(|c| c.latest(signal))
}

fn shown(cell: Option<&HealthCell>, signal: &Signal) -> String {
    value(cell, signal).map_or_else(|| "—".to_string(), |v| signal.format(v))
}

/// The cell a row shows `signal` from: the canary's, or the region's own.
fn source<'a>(f: &RowFacts<'a>, signal: &Signal) -> Option<&'a HealthCell> {
    match signal.per() {
        Per::Region => f.region_cell,
        _ => f.canary,
    }
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
                    region_cell: state.health.region_cell(i),
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

    /// The region's name, marked when it was paused or rolled back on its
    /// own: the name gives way (`…`), the mark does not.
    fn region_cell(&self, f: &RowFacts) -> Vec<Span<'static>> {
        let symbols = &self.theme.symbols;
        let mark = match f.own_phase {
            Some(Phase::Paused) => Some((&symbols.paused, Role::Warn)),
            Some(Phase::RolledBack | Phase::Aborted) => Some((&symbols.cancelled, Role::Breach)),
            _ => None,
        };
        let mut spans = vec![Span::raw(super::shared(self.state, f.region))];
        if let Some((glyph, role)) = mark {
            spans.push(Span::styled(format!(" {glyph}"), self.theme.role(role)));
        }
        spans
    }

    /// The canary's judgment score, 0–100, coloured by its outcome.
    fn score_cell(&self, f: &RowFacts) -> Span<'static> {
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
        Span::styled(text, theme.role(role))
    }

    fn verdict_cell(&self, f: &RowFacts) -> Span<'static> {
        let theme = self.theme;
        if f.weight == Some(0) && f.canary_verdict == Verdict::NoData {
            return Span::styled(
                format!("{} no traffic", theme.symbols.no_data),
                theme.role(Role::Muted),
            );
        }
        let v = f.canary_verdict;
        // Nothing to judge says why: stale, partial, not finite, no data.
        let conditions = self.state.guardrails.conditions();
        let stale = self.state.metrics_stale();
        let word = match cell_state(f.canary, f.stable, conditions, stale) {
            (Verdict::NoData | Verdict::Stale, Some(gap)) => gap.word(),
            _ => v.word(),
        };
        Span::styled(
            format!("{} {word}", theme.verdict_symbol(v)),
            theme.verdict(v),
        )
    }

    fn value_style(&self, verdict: Verdict) -> ratatui::style::Style {
        match verdict {
            Verdict::Stale | Verdict::NoData => self.theme.role(Role::Muted),
            _ => self.theme.role(Role::Text),
        }
    }

    fn trend(&self, f: &RowFacts, signal: &Signal, width: usize) -> Span<'static> {
        let ceiling = self
            .state
            .guardrails
            .conditions()
            .iter()
            .find(|c| c.signal == *signal)
            .map_or(0.0, |c| c.breach);
        let line = f
            .canary
            .map(|c| sparkline(c.series(signal).values(), width, ceiling))
            .unwrap_or_else(|| " ".repeat(width));
        // Reverse video would turn bars into a blank box: keep only the colour.
        let style = self
            .theme
            .verdict(f.canary_verdict)
            .remove_modifier(Modifier::REVERSED);
        Span::styled(line, style)
    }

    /// Every column the matrix can show, most important kept longest: the
    /// region and the canary's verdict, the first two signals compared
    /// with stable (error rate and latency by default) and their deltas,
    /// the weight, the score; stable's values, the other signals, the
    /// second delta and the trend go first. Signals come in the plan's
    /// column order; a region's own signals stand beside its name.
    fn columns(&self, facts: &[RowFacts]) -> (Vec<Column>, std::ops::Range<usize>) {
        let theme = self.theme;
        let shown_signals = self.state.plan.signals.columns();
        let compared = self.state.plan.signals.compared();
        let rank = |s: &Signal| compared.iter().position(|c| *c == s);
        let mut region = Column::text("Region", 20, Give::Name, 6);
        let mut own: Vec<(&Signal, Column)> = shown_signals
            .iter()
            .filter(|s| s.per() == Per::Region)
            .map(|s| (*s, Column::values(s.short(), 3)))
            .collect();
        let mut stable: Vec<(&Signal, Column)> = compared
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, Column::values(s.short(), 5 - i as u8)))
            .collect();
        let mut stable_mark = Column::text("", 6, Give::Never, 1);
        let mut weight = Column::values("wt", 12);
        // Each canary signal, and beside a compared one its delta.
        let mut canary: Vec<(&Signal, Column, Option<Column>)> = shown_signals
            .iter()
            .filter(|s| s.per() == Per::Version)
            .map(|s| {
                let (keep, delta_keep) = match rank(s) {
                    Some(0) => (15, Some(13)),
                    Some(_) => (14, Some(2)),
                    None if *s.unit() == Unit::PerSecond => (1, None),
                    None => (3, None),
                };
                let delta = delta_keep.map(|k| Column::values(&format!("Δ{}", s.short()), k));
                (*s, Column::values(s.short(), keep), delta)
            })
            .collect();
        let trended = compared.first().copied();
        let mut trend = trended.map(|s| {
            Column::text(&format!("{} trend", s.short()), 0, Give::Bars, 6)
                .up_to(TREND_MAX)
                .or_short("trend")
        });
        let mut score = Column::values("score", 10);
        let mut verdict = Column::text("Verdict", 18, Give::Never, 0);
        for f in facts {
            let stable_style = self.value_style(f.stable_verdict);
            let canary_style = self.value_style(f.canary_verdict);
            region.push(self.region_cell(f));
            for (signal, column) in &mut own {
                column.push_text(shown(source(f, signal), signal), theme.role(Role::Text));
            }
            for (signal, column) in &mut stable {
                column.push_text(shown(f.stable, signal), stable_style);
            }
            stable_mark.push_text(
                theme.verdict_symbol(f.stable_verdict).to_string(),
                theme.verdict(f.stable_verdict),
            );
            // An estimate is marked; `~all` keeps an estimated 100 whole in four columns.
            let w = match f.weight {
                None => "?".to_string(),
                Some(w) if f.estimated && w >= 100 => "~all".to_string(),
                Some(w) if f.estimated => format!("~{w}%"),
                Some(w) => format!("{w}%"),
            };
            weight.push_text(w, theme.role(Role::Text));
            for (signal, column, delta) in &mut canary {
                column.push_text(shown(f.canary, signal), canary_style);
                if let Some(delta) = delta {
                    let d = signal.delta(value(f.canary, signal), value(f.stable, signal));
                    delta.push_text(d, canary_style);
                }
            }
            if let (Some(column), Some(signal)) = (&mut trend, trended) {
                column.push(vec![self.trend(f, signal, usize::from(TREND_MAX))]);
            }
            score.push(vec![self.score_cell(f)]);
            verdict.push(vec![self.verdict_cell(f)]);
        }
        let mut out = vec![region];
        out.extend(own.into_iter().map(|(_, c)| c));
        let stable_start = out.len();
        out.extend(stable.into_iter().map(|(_, c)| c));
        out.push(stable_mark);
        let stable_end = out.len();
        out.push(weight);
        for (_, column, delta) in canary {
            out.push(column);
            out.extend(delta);
        }
        out.extend(trend);
        out.push(score);
        out.push(verdict);
        (out, stable_start..stable_end)
    }

    /// The line above the column names that says which columns are which
    /// version: stable over its first column shown, canary over the weight
    /// or the first of its columns shown. A label that does not fit is left
    /// out whole.
    fn version_line(
        &self,
        area: Rect,
        buf: &mut Buffer,
        widths: &[Option<u16>],
        stable_columns: std::ops::Range<usize>,
    ) {
        let mut x = area.x + SELECTION;
        let mut xs: Vec<Option<u16>> = Vec::new();
        for w in widths {
            xs.push(w.map(|_| x));
            if let Some(w) = w {
                x += w + 1;
            }
        }
        let first_in = |range: std::ops::Range<usize>| {
            range.filter_map(|i| xs.get(i).copied().flatten()).next()
        };
        let end = area.x + area.width;
        let stable_x = first_in(stable_columns.clone());
        let canary_x = first_in(stable_columns.end..xs.len());
        let style = self.theme.role(Role::Muted);
        let label = |role: &str, version: &str, room: u16| -> String {
            let long = format!("{role} {version}");
            [long, role.to_string()]
                .into_iter()
                .find(|s| fit::width(s) <= usize::from(room))
                .unwrap_or_default()
        };
        let plan = &self.state.plan;
        if let Some(sx) = stable_x {
            let room = canary_x.unwrap_or(end).saturating_sub(sx + 1);
            buf.set_string(
                sx,
                area.y,
                label("stable", &plan.stable_version, room),
                style,
            );
        }
        if let Some(cx) = canary_x {
            let room = end.saturating_sub(cx);
            buf.set_string(
                cx,
                area.y,
                label("canary", &plan.canary_version, room),
                style,
            );
        }
    }
}

/// Rows the matrix needs beyond a row per region: one for the service's
/// own signals when the plan has any.
pub fn extra_rows(state: &AppState) -> u16 {
    u16::from(state.plan.signals.per(Per::Service).next().is_some())
}

impl Matrix<'_> {
    /// The service's own signals in one line beneath the regions, each
    /// coloured by the worst of its stop conditions: `service · support
    /// tickets 28 tickets/h · adoption 41.20%`. Whole phrases are left out
    /// from the end when the line is narrow.
    fn service_line(&self, width: u16) -> Option<Line<'static>> {
        let state = self.state;
        let theme = self.theme;
        let signals: Vec<&Signal> = state.plan.signals.per(Per::Service).collect();
        if signals.is_empty() {
            return None;
        }
        let stale = state.metrics_stale();
        let mut phrases = vec![fit::Phrase::new(
            9,
            vec![Span::styled(
                "  service-wide".to_string(),
                theme.role(Role::Muted),
            )],
        )];
        for (i, signal) in signals.iter().enumerate() {
            let value = state.health.service().latest(signal);
            let verdict = state
                .guardrails
                .conditions()
                .iter()
                .zip(state.guardrails.status())
                .filter(|(c, _)| c.signal == **signal)
                .map(|(_, s)| s.state.verdict())
                .max();
            let verdict = match (value, stale) {
                (_, true) => Verdict::Stale,
                (None, _) => Verdict::NoData,
                _ => verdict.unwrap_or(Verdict::Healthy),
            };
            let shown = value.map_or_else(|| "—".to_string(), |v| signal.format(v));
            let style = match verdict {
                Verdict::Healthy => theme.role(Role::Text),
                v => theme.verdict(v),
            };
            let mut spans = vec![
                Span::styled(" · ".to_string(), theme.role(Role::Muted)),
                Span::styled(format!("{} ", signal.label()), theme.role(Role::Text)),
                Span::styled(shown, style),
            ];
            if verdict != Verdict::Healthy {
                spans.push(Span::styled(
                    format!(" {}", theme.verdict_symbol(verdict)),
                    theme.verdict(verdict),
                ));
            }
            phrases.push(fit::Phrase::new(8u8.saturating_sub(i as u8), spans));
        }
        Some(Line::from(fit::pack(phrases, usize::from(width))))
    }
}

/// Columns the selection marker takes before the table's first column.
const SELECTION: u16 = 2;
/// The widest the trend gets.
const TREND_MAX: u16 = 30;

impl Widget for Matrix<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = panel(
            "Health · region × version",
            self.theme,
            self.compact,
            area.width,
        );
        let inner = block.inner(area);
        block.render(area, buf);
        let facts = self.facts();
        if facts.is_empty() {
            Line::styled("  no regions reported yet", self.theme.role(Role::Muted))
                .render(inner, buf);
            return;
        }
        let service = self.service_line(inner.width);
        let inner = match service {
            Some(line) if inner.height > 3 => {
                let [rest, bottom] =
                    ratatui::layout::Layout::vertical([Constraint::Min(0), Constraint::Length(1)])
                        .areas(inner);
                line.render(bottom, buf);
                rest
            }
            _ => inner,
        };
        let (columns, stable_columns) = self.columns(&facts);
        let room = inner.width.saturating_sub(SELECTION);
        let widths = columns::widths(&columns, room, 1);
        let (constraints, header, cells) = columns::layout(columns, room, 1);
        let rows: Vec<Row> = cells.into_iter().map(Row::new).collect();
        let [versions, table_area] =
            ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(0)])
                .areas(inner);
        self.version_line(versions, buf, &widths, stable_columns);
        let selected = self.state.selected.min(facts.len() - 1);
        let (table_area, offset) = self.unseen_line(table_area, buf, facts.len(), selected);
        let table = Table::new(rows, constraints)
            .header(header.style(self.theme.role(Role::Muted)))
            .column_spacing(1)
            .highlight_symbol("› ")
            .highlight_spacing(HighlightSpacing::Always)
            .row_highlight_style(self.theme.selection());
        let mut table_state = TableState::default()
            .with_offset(offset)
            .with_selected(Some(selected));
        StatefulWidget::render(table, table_area, buf, &mut table_state);
    }
}

impl Matrix<'_> {
    /// When the regions do not all fit: the first shown so that the selected
    /// one is, and a line beneath them counting the regions above and below
    /// the window (`8 of 1000 regions shown · ↑ 12 above · ↓ 980 below`). The area left
    /// for the table and its first row.
    fn unseen_line(
        &self,
        area: Rect,
        buf: &mut Buffer,
        count: usize,
        selected: usize,
    ) -> (Rect, usize) {
        // The table's own header takes a row.
        let rows = usize::from(area.height.saturating_sub(1));
        if count <= rows || rows < 2 {
            return (area, 0);
        }
        let rows = rows - 1;
        let offset = (selected + 1).saturating_sub(rows);
        let above = offset;
        let below = count.saturating_sub(offset + rows);
        let [table, bottom] =
            ratatui::layout::Layout::vertical([Constraint::Min(0), Constraint::Length(1)])
                .areas(area);
        let muted = self.theme.role(Role::Muted);
        let phrases = vec![
            fit::Phrase::new(
                9,
                vec![Span::styled(
                    format!("  {rows} of {count} regions shown"),
                    muted,
                )],
            ),
            fit::Phrase::new(7, vec![Span::styled(format!(" · ↑ {above} above"), muted)]),
            fit::Phrase::new(8, vec![Span::styled(format!(" · ↓ {below} below"), muted)]),
        ];
        Line::from(fit::pack(phrases, usize::from(area.width))).render(bottom, buf);
        (table, offset)
    }
}
