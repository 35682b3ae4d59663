//! The selected region up close: each signal's trend for stable and canary.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{self, Phrase, pack};
use super::format::{sparkline_between, trend_range};
use super::panel;
use crate::app::state::AppState;
use crate::domain::baseline::window_words;
use crate::domain::health::{Cell, Per, Signal, VersionRole};
use crate::domain::rollout::TargetDetail;
use crate::domain::signal::Unit;
use crate::ui::theme::{Role, Theme};

/// Rows the signals need: two for each measured per version (stable and
/// canary), one for each measured per region, and the frame.
fn signals_height(state: &AppState) -> u16 {
    let signals = &state.plan.signals;
    let rows = 2 * signals.per(Per::Version).count() + signals.per(Per::Region).count();
    u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2)
}

/// The widest a value gets in the detail: past it, the marker.
const MAX_VALUE: usize = 16;

/// Lines of the deployment target's own account, when it gives one.
const TARGET_LINES: u16 = 3;

/// Rows the panel needs for `state`: more when targets report their detail.
pub fn height(state: &AppState) -> u16 {
    let detailed = state
        .rollout
        .as_ref()
        .is_some_and(|r| r.regions.iter().any(|g| g.target.is_some()));
    signals_height(state) + if detailed { TARGET_LINES } else { 0 }
}

/// The target's step, weights and replicas; its revisions, images and
/// analysis; then its message, its pause reasons, or where it lives.
/// `state` decides only what a shared screen hides of the target's words.
fn target_lines(
    t: &TargetDetail,
    state: &AppState,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let mut first: Vec<String> = t.status.iter().cloned().collect();
    if let Some((i, n)) = t.step {
        first.push(format!("step {i}/{n}"));
    }
    if let Some(w) = t.desired_weight {
        first.push(format!("{w}% asked"));
    }
    if let Some(r) = t.replicas {
        first.push(format!(
            "{}/{} ready, {} updated",
            r.ready, r.desired, r.updated
        ));
    }
    // An image's last path segment says enough: `checkout:v2.4.0`.
    let short = |image: &String| image.rsplit('/').next().unwrap_or(image).to_string();
    let rev = |label: &str, rev: &Option<String>, images: &[String]| {
        let mut s = format!("{label} {}", rev.as_deref().unwrap_or("?"));
        if let Some(image) = images.first() {
            s.push_str(&format!(" {}", short(image)));
        }
        s
    };
    let mut second = vec![
        rev("stable", &t.stable_revision, &t.stable_images),
        match (&t.canary_revision, t.canary_images.is_empty()) {
            // Finished or not begun: stable (above) serves all.
            (None, true) => "no canary".to_string(),
            _ => rev("canary", &t.canary_revision, &t.canary_images),
        },
    ];
    if let Some(a) = &t.analysis {
        second.push(format!("analysis {a}"));
    }
    let (third, role) = match (&t.message, t.pause_reasons.is_empty()) {
        (Some(m), _) => (m.clone(), Role::Warn),
        (None, false) => (
            format!("paused: {}", t.pause_reasons.join(", ")),
            Role::Warn,
        ),
        (None, true) => (t.name.clone(), Role::Muted),
    };
    let third = super::shared(state, &third);
    let second: Vec<String> = second.iter().map(|p| super::shared(state, p)).collect();
    // Whole phrases, the first ones kept longest; prose cut between words.
    let phrases = |parts: Vec<String>, role: Role| -> Line<'static> {
        let count = parts.len();
        let phrases = parts
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let text = if i == 0 {
                    format!(" {p}")
                } else {
                    format!(" · {p}")
                };
                let keep = u8::try_from(count - i).unwrap_or(u8::MAX);
                Phrase::new(keep, vec![Span::styled(text, theme.role(role))])
            })
            .collect();
        Line::from(pack(phrases, width + 1))
    };
    vec![
        phrases(first, Role::Text),
        phrases(second, Role::Muted),
        Line::styled(format!(" {}", fit::words(&third, width)), theme.role(role)),
    ]
}

pub struct RegionDetail<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// The smallest range a trend is stretched over, so ordinary noise does not
/// fill the whole height.
fn noise_floor(signal: &Signal, level: f64) -> f64 {
    match signal.unit() {
        Unit::Seconds => 0.05,
        Unit::Ratio => 0.005,
        Unit::Percent => 0.5,
        Unit::PerSecond | Unit::Count | Unit::Bytes | Unit::Other(_) => level.abs() * 0.1,
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
        let reported = state.rollout.as_ref().and_then(|r| {
            r.regions
                .iter()
                .find(|g| &g.region == region)
                .map(|g| (r, g))
        });
        let weight = reported.map_or_else(|| "?".to_string(), |(_, g)| g.weight_label());
        let mut title = format!("{region} · canary {weight} of traffic");
        if let Some((rollout, own)) = reported
            && own.phase.is_some()
        {
            title.push_str(&format!(" · {}", own.phase_in(rollout.phase).label()));
        }
        let block = panel(&title, theme, false, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        // Values are whole: the column is as wide as the widest (within
        // reason), and the trends give way.
        let shown = |signal: &Signal, cell: Option<&Cell>| {
            cell.and_then(|c| c.latest(signal))
                .map_or_else(|| "—".to_string(), |v| signal.format(v))
        };
        let widest = state
            .plan
            .signals
            .iter()
            .filter(|s| s.per() != Per::Service)
            .flat_map(|s| {
                VersionRole::ALL.map(|v| fit::width(&shown(s, state.health.place(s, region, v))))
            })
            .max()
            .unwrap_or(0)
            .clamp(8, MAX_VALUE);
        let width = usize::from(inner.width).saturating_sub(23 + widest);
        let mut lines = Vec::new();
        if height(state) > signals_height(state) {
            match reported.and_then(|(_, g)| g.target.as_ref()) {
                Some(t) => lines.extend(target_lines(
                    t,
                    state,
                    theme,
                    inner.width.saturating_sub(2) as usize,
                )),
                None => lines.extend((0..TARGET_LINES).map(|_| Line::raw(""))),
            }
        }
        for signal in state.plan.signals.iter() {
            // One scale for every version shown, so their bars compare.
            let rows: Vec<(&str, Role, Option<&Cell>)> = match signal.per() {
                Per::Version => VersionRole::ALL
                    .into_iter()
                    .map(|v| {
                        let role = match v {
                            VersionRole::Canary => Role::Accent,
                            VersionRole::Stable => Role::Muted,
                        };
                        (v.label(), role, state.health.cell_by_name(region, v))
                    })
                    .collect(),
                Per::Region => {
                    let cell = state.health.place(signal, region, VersionRole::Stable);
                    vec![("region", Role::Muted, cell)]
                }
                // The service's own signals are shown beneath the matrix.
                Per::Service => continue,
            };
            let (lo, hi) = rows
                .iter()
                .filter_map(|r| r.2)
                .flat_map(|c| c.series(signal).values().rev().take(width))
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let (lo, hi) = trend_range(lo, hi, noise_floor(signal, hi));
            // What the signal was before the rollout, when a stop condition
            // compares with it: beside the first row, whole or not at all.
            let before = state
                .guardrails
                .before_of(signal, region)
                .map(|(v, window)| {
                    format!(" before {} ({})", signal.format(v), window_words(window))
                })
                .filter(|b| fit::width(b) + 4 <= width);
            for (i, (version, role, cell)) in rows.into_iter().enumerate() {
                let suffix = before.as_ref().filter(|_| i == 0);
                let room = width - suffix.map_or(0, |b| fit::width(b));
                let label = if i == 0 {
                    fit::name(signal.label(), 13)
                } else {
                    String::new()
                };
                let latest = fit::value(&shown(signal, cell), widest);
                let bars = cell
                    .map(|c| sparkline_between(c.series(signal).values(), room, lo, hi))
                    .unwrap_or_default();
                let mut spans = vec![
                    Span::styled(format!(" {label:<13} "), theme.role(Role::Text)),
                    Span::styled(format!("{version:<7}"), theme.role(role)),
                    Span::raw(format!("{latest:>widest$} ")),
                    Span::styled(bars, theme.role(role)),
                ];
                if let Some(b) = suffix {
                    // Beyond the trend's room, wherever its last bar is.
                    let short = room.saturating_sub(fit::spans_width(&spans[3..]));
                    spans.push(Span::raw(" ".repeat(short)));
                    spans.push(Span::styled(b.clone(), theme.role(Role::Muted)));
                }
                lines.push(Line::from(spans));
            }
            if lines.len() as u16 >= inner.height {
                break;
            }
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
