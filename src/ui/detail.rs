//! The selected region up close: each signal's trend for stable and canary.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::format::sparkline_between;
use super::panel;
use crate::app::state::AppState;
use crate::domain::health::{Signal, VersionRole};
use crate::theme::{Role, Theme};

/// Rows the panel needs: two per signal and its frame.
pub const HEIGHT: u16 = 2 * Signal::ALL.len() as u16 + 2;

pub struct RegionDetail<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// The smallest range a trend is stretched over, so ordinary noise does not
/// fill the whole height.
fn noise_floor(signal: Signal, level: f64) -> f64 {
    match signal {
        Signal::RequestRate => level.abs() * 0.1,
        Signal::LatencyP99 => 0.05,
        Signal::ErrorRate | Signal::SuccessRate => 0.005,
    }
}

impl Widget for RegionDetail<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < 4 {
            return;
        }
        let (state, theme) = (self.state, self.theme);
        let Some(region) = state.health.regions().get(state.selected) else {
            return;
        };
        let weight = state
            .canary_weight(region)
            .map_or_else(|| "?".to_string(), |w| format!("{w}%"));
        let title = format!("{region} · canary {weight} of traffic");
        let block = panel(&title, theme, false);
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width.saturating_sub(30) as usize;
        let mut lines = Vec::new();
        for signal in Signal::ALL {
            // One scale for both versions, so their bars compare.
            let cells = VersionRole::ALL.map(|v| state.health.cell_by_name(region, v));
            let (lo, hi) = cells
                .iter()
                .flatten()
                .flat_map(|c| c.series(signal).values().rev().take(width))
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let lo = lo.min(hi - noise_floor(signal, hi));
            for (version, cell) in VersionRole::ALL.into_iter().zip(cells) {
                let label = if version == VersionRole::Stable {
                    signal.label()
                } else {
                    ""
                };
                let latest = cell
                    .and_then(|c| c.latest(signal))
                    .map_or_else(|| "—".to_string(), |v| signal.format(v));
                let bars = cell
                    .map(|c| sparkline_between(c.series(signal).values(), width, lo, hi))
                    .unwrap_or_default();
                let role = if version == VersionRole::Canary {
                    Role::Accent
                } else {
                    Role::Muted
                };
                lines.push(Line::from(vec![
                    Span::styled(format!(" {label:<13}"), theme.role(Role::Text)),
                    Span::styled(format!("{:<7}", version.label()), theme.role(role)),
                    Span::raw(format!("{latest:>8} ")),
                    Span::styled(bars, theme.role(role)),
                ]));
            }
            if lines.len() as u16 >= inner.height {
                break;
            }
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
