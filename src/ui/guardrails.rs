//! Stop conditions: each guardrail's threshold, where it stands now, the
//! region that drives it, time past the threshold and what a breach does.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Row, Table, Widget};

use super::columns::{self, Column, Give};
use super::format::duration;
use super::panel;
use crate::app::state::AppState;
use crate::domain::guardrail::{Baseline, ConditionStatus, GuardrailState, StopCondition};
use crate::domain::health::{Verdict, VersionRole};
use crate::ui::theme::{Role, Theme};

pub struct StopConditions<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub compact: bool,
}

impl StopConditions<'_> {
    /// The state cell: glyph and word, `STALE` when the metrics behind it are old.
    fn state_cell(&self, status: &ConditionStatus) -> Span<'static> {
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
        Span::styled(
            format!("{} {word}", theme.verdict_symbol(verdict)),
            theme.verdict(verdict),
        )
    }

    /// For a condition relative to before: the value now beside the value
    /// before, `14/h (before 12/h)`, or why there is no comparison yet.
    fn before_value(&self, i: usize, cond: &StopCondition, status: &ConditionStatus) -> String {
        let guardrails = &self.state.guardrails;
        if guardrails.before_pending(i) {
            return "baseline pending".to_string();
        }
        let Some(region) = status.region.as_deref() else {
            return "—".to_string();
        };
        let Some(before) = guardrails.before(i, region) else {
            return "no value before".to_string();
        };
        let now = self
            .state
            .health
            .place(&cond.signal, region, VersionRole::Canary)
            .and_then(|c| c.latest(&cond.signal))
            .filter(|_| status.value.is_some())
            .map_or_else(|| "—".to_string(), |v| cond.signal.format(v));
        format!("{now} (before {})", cond.signal.format(before))
    }

    /// The columns, most important kept longest: the state, the value now
    /// and the condition; then the time past it, the region, and what a
    /// breach does.
    fn columns(&self, full: bool, headed: bool) -> Vec<Column> {
        let state = self.state;
        let text = self.theme.role(Role::Text);
        // Headings that are not shown do not widen their columns.
        let h = |title: &'static str| if headed { title } else { "" };
        let mut status_col = Column::text(h("State"), 20, Give::Never, 0);
        let mut condition = Column::text(h("Condition"), 15, Give::Words, 12);
        let mut now = Column::values(h("Now"), 18);
        let mut region = Column::text(h("Worst region"), 10, Give::Name, 6).or_short(h("Region"));
        let mut past = Column::values(h("Past"), 12);
        let mut action = Column::text(h("On breach"), 8, Give::Never, 0);
        for (i, (cond, status)) in state
            .guardrails
            .conditions()
            .iter()
            .zip(state.guardrails.status())
            .enumerate()
        {
            // The time seen past the limit as of the last poll: it does not
            // run on while the metrics are out.
            let since = state.guardrails.past(i).map(duration).unwrap_or_default();
            let value = match cond.baseline {
                Baseline::Before { .. } => self.before_value(i, cond, status),
                _ => status
                    .value
                    .map_or_else(|| "—".to_string(), |v| cond.show(v)),
            };
            status_col.push(vec![self.state_cell(status)]);
            condition.push_text(cond.to_string(), text);
            now.push_text(value, text);
            region.push_text(
                status.region.clone().unwrap_or_else(|| "—".to_string()),
                text,
            );
            past.push_text(since, text);
            let consequence = if full {
                format!("→ {}", cond.on_breach())
            } else {
                cond.on_breach().to_string()
            };
            action.push_text(consequence, text);
        }
        vec![status_col, condition, now, region, past, action]
    }
}

impl StopConditions<'_> {
    /// Whether a condition's window before ends when the rollout started.
    fn uses_start(&self) -> bool {
        self.state
            .guardrails
            .conditions()
            .iter()
            .any(|c| matches!(c.baseline, Baseline::Before { end: None, .. }))
    }
}

impl Widget for StopConditions<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = match self.state.baselines.started() {
            // Where "before" ends, when it is not a time the plan fixed.
            Some(_) if self.uses_start() => {
                "Stop conditions · canary, per region · before: up to the rollout's start (estimated)"
            }
            _ => "Stop conditions · canary, per region",
        };
        let block = panel(title, self.theme, self.compact, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        if self.state.guardrails.conditions().is_empty() {
            Line::styled(
                "  the plan has no stop conditions",
                self.theme.role(Role::Warn),
            )
            .render(inner, buf);
            return;
        }
        // Room for the long form: header and the consequence arrow.
        let full = inner.width >= 90;
        let headed = full && !self.compact;
        let (widths, header, rows) = columns::layout(self.columns(full, headed), inner.width, 1);
        let mut table = Table::new(rows.into_iter().map(Row::new), widths).column_spacing(1);
        if headed {
            table = table.header(header.style(self.theme.role(Role::Muted)));
        }
        table.render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::widgets::Widget;

    use super::StopConditions;
    use crate::app::state::{AppState, RunMode, Seat};
    use crate::domain::Span;
    use crate::domain::baseline::BaselineValues;
    use crate::domain::guardrail::{Baseline, Consequence, Direction, Guardrails, StopCondition};
    use crate::domain::health::{Sample, VersionRole};
    use crate::domain::signal::{Per, SignalDef, Signals, Unit, Worse};
    use crate::runtime::demo::epoch;
    use crate::sim::FleetSpec;
    use crate::sim::adapter::source_infos;
    use crate::ui::detail::RegionDetail;
    use crate::ui::theme;

    /// The demo with two conditions relative to before: support tickets for
    /// the service, checkout completion per version; `known` gives them
    /// their values before.
    fn state(known: bool) -> AppState {
        let mut plan = FleetSpec::demo(1).plan;
        let mut tickets =
            SignalDef::new("support_tickets", Unit::Other("/h".into()), Worse::Higher);
        tickets.per = Per::Service;
        let checkout = SignalDef::new("checkout_completion", Unit::Ratio, Worse::Lower);
        let standard = crate::domain::signal::STANDARD
            .iter()
            .filter_map(|n| SignalDef::standard(n));
        plan.signals = Signals::new(standard.chain([tickets, checkout]));
        let before = |name: &str, direction, level| {
            let signal = plan.signals.get(name).cloned().unwrap();
            let mut c = StopCondition::absolute(
                signal,
                direction,
                level,
                level,
                Span::seconds(60),
                Consequence::Alert,
            );
            c.baseline = Baseline::Before {
                window: Span::hours(24),
                end: None,
            };
            c
        };
        plan.stop_conditions = vec![
            before("support_tickets", Direction::Above, 1.01),
            before("checkout_completion", Direction::Below, 0.98),
        ];
        let seat = Seat::new("alice", vec!["dark".into()]);
        let mut s = AppState::new(plan.clone(), RunMode::Demo, source_infos(), seat, epoch());
        s.guardrails = Guardrails::new(plan.stop_conditions.clone());
        let sample = |name: &str, region: &str, version, value| Sample {
            region: region.into(),
            version,
            signal: plan.signals.get(name).cloned().unwrap(),
            value,
            basis: Default::default(),
        };
        s.health.ingest_poll(
            epoch(),
            &[
                sample("support_tickets", "", VersionRole::Stable, 14.0),
                sample(
                    "checkout_completion",
                    "eu-west-1",
                    VersionRole::Canary,
                    0.95,
                ),
                sample(
                    "checkout_completion",
                    "eu-west-1",
                    VersionRole::Stable,
                    0.97,
                ),
            ],
        );
        if known {
            let values = BaselineValues {
                regions: [("eu-west-1".to_string(), 0.97)].into_iter().collect(),
                service: Some(12.0),
            };
            s.guardrails.set_before(0, values.clone());
            s.guardrails.set_before(1, values);
        }
        s.guardrails
            .evaluate(&s.health, &|r| r == "eu-west-1", epoch());
        s
    }

    fn text(buf: &Buffer) -> String {
        let area = buf.area;
        (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buf[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn panel(state: &AppState) -> String {
        let themes = theme::resolve(None, false).unwrap().0;
        let mut buf = Buffer::empty(Rect::new(0, 0, 120, 6));
        let panel = StopConditions {
            state,
            theme: &themes[0],
            compact: false,
        };
        panel.render(buf.area, &mut buf);
        text(&buf)
    }

    #[test]
    fn the_value_before_stands_beside_the_value_now() {
        let shown = panel(&state(true));
        assert!(shown.contains("14 /h (before 12 /h)"), "{shown}");
        assert!(
            shown.contains("support tickets > 1.01× before (24h)"),
            "{shown}"
        );
        assert!(shown.contains("95.00% (before 97.00%)"), "{shown}");
        assert!(
            shown.contains("BREACH") || shown.contains("TRIPPING"),
            "{shown}"
        );
    }

    #[test]
    fn a_baseline_not_yet_known_is_pending_and_no_data() {
        let shown = panel(&state(false));
        assert_eq!(shown.matches("baseline pending").count(), 2, "{shown}");
        assert!(shown.contains("NO DATA"), "{shown}");
        assert!(!shown.contains("OK "), "{shown}");
    }

    #[test]
    fn the_region_detail_shows_the_value_before() {
        let s = state(true);
        let themes = theme::resolve(None, false).unwrap().0;
        let mut buf = Buffer::empty(Rect::new(0, 0, 100, 14));
        RegionDetail {
            state: &s,
            theme: &themes[0],
        }
        .render(buf.area, &mut buf);
        let shown = text(&buf);
        assert!(shown.contains("before 97.00% (24h)"), "{shown}");
    }
}
