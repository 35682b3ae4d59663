//! DORA: how the service has been delivering, so a risky rollout is seen in
//! context. Each key with its value, its 2024 tier and a weekly trend.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::format::sparkline;
use super::{fit, panel};
use crate::app::state::{AppState, DORA_WINDOW_DAYS, Dora};
use crate::domain::dora::{Measure, Summary, Tier, WeekPoint};
use crate::ui::format::human_seconds;
use crate::ui::theme::{Role, Theme};

/// Rows the panel takes: five keys, the trend and the frame.
pub const HEIGHT: u16 = 8;

pub struct DoraPanel<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

fn tier_role(tier: Option<Tier>) -> Role {
    match tier {
        Some(Tier::Elite | Tier::High) => Role::Ok,
        Some(Tier::Medium) => Role::Warn,
        Some(Tier::Low) => Role::Breach,
        None => Role::Muted,
    }
}

/// Columns before a key's trend.
const TREND_AT: usize = 1 + 22 + 22 + 8;

impl DoraPanel<'_> {
    fn key(
        &self,
        name: &str,
        m: &Measure,
        shown: &dyn Fn(f64) -> String,
        trend: Vec<f64>,
        width: usize,
    ) -> Line<'static> {
        let theme = self.theme;
        let (value, tier) = match m {
            Measure::Value { value, tier } => (shown(*value), *tier),
            Measure::NotEnough { why } => (why.clone(), None),
        };
        let tier_word = tier.map_or("", |t| t.label());
        let value_role = if matches!(m, Measure::NotEnough { .. }) {
            Role::Muted
        } else {
            Role::Text
        };
        let room = width.saturating_sub(TREND_AT).min(trend.len());
        // A value whole in its column, or the marker; a reason cut between words.
        let value = match m {
            Measure::Value { .. } => fit::value(&value, 21),
            Measure::NotEnough { .. } => fit::words(&value, 21),
        };
        Line::from(vec![
            Span::styled(format!(" {name:<22}"), theme.role(Role::Text)),
            Span::styled(format!("{value:<22}"), theme.role(value_role)),
            Span::styled(format!("{tier_word:<8}"), theme.role(tier_role(tier))),
            // A week with nothing to measure is a gap, not a zero.
            Span::styled(
                sparkline(trend.into_iter(), room, 0.0),
                theme.role(Role::Accent),
            ),
        ])
    }

    fn lines(&self, s: &Summary, width: usize) -> Vec<Line<'static>> {
        let percent = |v: f64| format!("{:.1}%", v * 100.0);
        let p90 = match &s.lead_time_p90 {
            Measure::Value { value, .. } => format!(" (p90 {})", human_seconds(*value)),
            Measure::NotEnough { .. } => String::new(),
        };
        let weekly = |f: fn(&WeekPoint) -> Option<f64>| -> Vec<f64> {
            s.weekly.iter().map(|w| f(w).unwrap_or(f64::NAN)).collect()
        };
        vec![
            self.key(
                "deploys",
                &s.deployment_frequency,
                &|v| format!("{v:.1} a day"),
                weekly(|w| Some(w.deployments as f64)),
                width,
            ),
            self.key(
                "lead time",
                &s.lead_time_median,
                &|v| format!("{}{p90}", human_seconds(v)),
                weekly(|w| w.lead_time_median),
                width,
            ),
            self.key(
                "change failure rate",
                &s.change_failure_rate,
                &percent,
                weekly(|w| w.change_failure_rate),
                width,
            ),
            self.key(
                "recovery (median)",
                &s.recovery_time_median,
                &human_seconds,
                weekly(|w| w.recovery_time_median),
                width,
            ),
            self.key(
                "rework rate",
                &s.rework_rate,
                &percent,
                weekly(|w| w.rework_rate),
                width,
            ),
            // Under the trends, when there is room for the words.
            Line::styled(
                if width >= TREND_AT + 20 {
                    format!(" {:<52}weekly, oldest first", "")
                } else {
                    String::new()
                },
                self.theme.role(Role::Muted),
            ),
        ]
    }
}

impl Widget for DoraPanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let title = match &state.dora {
            Dora::Ready { summary, .. } => format!(
                "DORA · {DORA_WINDOW_DAYS} days · {} deploys, {} failed",
                summary.deployments, summary.failed_deployments
            ),
            _ => format!("DORA · {DORA_WINDOW_DAYS} days"),
        };
        let block = panel(&title, theme, false, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        let lines = match &state.dora {
            Dora::Off => vec![Line::styled(
                " no delivery history: add [sources.history] to the plan",
                theme.role(Role::Muted),
            )],
            Dora::Loading => vec![Line::styled(
                " reading the delivery history…",
                theme.role(Role::Muted),
            )],
            Dora::Failed(e) => {
                let room = usize::from(inner.width).saturating_sub(3);
                let mut rows = fit::wrap(e, room).into_iter();
                let first = rows.next().unwrap_or_default();
                let mut lines = vec![Line::styled(
                    format!(" {} {first}", theme.symbols.breach),
                    theme.role(Role::Breach),
                )];
                lines.extend(
                    rows.map(|r| Line::styled(format!("   {r}"), theme.role(Role::Breach))),
                );
                lines
            }
            Dora::Ready { summary, .. } => self.lines(summary, inner.width as usize),
        };
        Paragraph::new(lines).render(inner, buf);
    }
}
