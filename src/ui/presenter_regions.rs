//! The presenter's regions: one entry per region with its verdict (word and
//! glyph) and the one number that matters, the plan's first compared
//! signal on the canary. Many regions go into columns; more than fit are
//! counted, the worst shown first, never silently dropped.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit;
use crate::app::state::AppState;
use crate::app::verdict::canary_row;
use crate::domain::health::{Verdict, VersionRole};
use crate::ui::theme::{Role, Theme};

pub struct Regions<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// Columns between two entries side by side.
const GAP: u16 = 4;
/// The verdict's glyph and word (`✖ BREACH`, `∅ no traffic`).
const VERDICT: usize = 12;
/// The number's column.
const VALUE: usize = 10;
/// Up to this many regions stay in one column.
const ONE_COLUMN: usize = 8;
/// The longest region name kept whole.
const NAME_MAX: usize = 24;

/// One region as the room sees it.
struct Entry {
    name: String,
    verdict: Verdict,
    no_traffic: bool,
    value: String,
}

/// Worst first, for when not every region fits; a region the canary does
/// not reach yet is the least news.
fn severity(e: &Entry) -> u8 {
    match e.verdict {
        _ if e.no_traffic => 5,
        Verdict::Breach => 0,
        Verdict::Warning => 1,
        Verdict::Stale => 2,
        Verdict::NoData => 3,
        Verdict::Healthy => 4,
    }
}

impl Regions<'_> {
    fn entries(&self) -> Vec<Entry> {
        let state = self.state;
        let signals = state.plan.signals.compared();
        let signal = signals.first();
        state
            .health
            .regions()
            .iter()
            .enumerate()
            .map(|(i, region)| {
                let verdict = canary_row(state, i);
                let value = signal
                    .and_then(|s| {
                        let cell = state.health.cell(i, VersionRole::Canary)?;
                        cell.latest(s).map(|v| s.format(v))
                    })
                    .unwrap_or_else(|| "—".to_string());
                Entry {
                    name: super::shared(state, region),
                    verdict,
                    no_traffic: verdict == Verdict::NoData
                        && state.canary_weight(region) == Some(0),
                    value,
                }
            })
            .collect()
    }

    fn name_width(entries: &[Entry]) -> usize {
        entries
            .iter()
            .map(|e| fit::width(&e.name))
            .max()
            .unwrap_or(0)
            .clamp(6, NAME_MAX)
    }

    /// Columns of entries that fit in `width`.
    fn columns(width: u16, entry: usize) -> usize {
        let entry = u16::try_from(entry).unwrap_or(u16::MAX);
        usize::from((width + GAP) / (entry + GAP)).max(1)
    }

    /// Rows wanted in `width` columns: a heading, and the entries in one
    /// column or, past a few, as many columns as fit.
    pub fn rows_wanted(&self, width: u16) -> u16 {
        let entries = self.entries();
        let n = entries.len();
        let entry = VERDICT + 1 + Self::name_width(&entries) + 2 + VALUE;
        let rows = match n {
            0..=ONE_COLUMN => n,
            _ => n.div_ceil(Self::columns(width, entry)),
        };
        u16::try_from(rows + 1).unwrap_or(u16::MAX)
    }

    /// The entry's verdict as glyph and word, and its role.
    fn verdict(&self, e: &Entry) -> (String, Role) {
        let theme = self.theme;
        match e.no_traffic {
            true => (format!("{} no traffic", theme.symbols.no_data), Role::Muted),
            false => (
                format!("{} {}", theme.verdict_symbol(e.verdict), e.verdict.word()),
                Theme::verdict_role(e.verdict),
            ),
        }
    }

    fn entry_line(&self, e: &Entry, name_width: usize) -> Line<'static> {
        let theme = self.theme;
        let (verdict, role) = self.verdict(e);
        let name = fit::name(&e.name, name_width);
        let pad = name_width.saturating_sub(fit::width(&name));
        let verdict_pad = VERDICT.saturating_sub(fit::width(&verdict));
        let value_pad = VALUE.saturating_sub(fit::width(&e.value));
        Line::from(vec![
            Span::styled(verdict, theme.role(role)),
            Span::raw(" ".repeat(verdict_pad + 1)),
            Span::styled(
                format!("{name}{}", " ".repeat(pad + 2)),
                theme.role(Role::Text),
            ),
            Span::styled(
                format!("{}{}", " ".repeat(value_pad), e.value),
                theme.role(Role::Text),
            ),
        ])
    }
}

impl Widget for Regions<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let mut entries = self.entries();
        let name_width = Self::name_width(&entries);
        let entry = VERDICT + 1 + name_width + 2 + VALUE;
        let rows = usize::from(area.height - 1);
        let n = entries.len();
        let columns = match n {
            _ if n <= rows => 1,
            _ => Self::columns(area.width, entry),
        };
        let room = rows * columns;
        let mut more = None;
        if n > room {
            // The worst are shown; the rest are counted by verdict.
            entries.sort_by_key(severity);
            let kept = room.saturating_sub(1);
            let rest = entries.split_off(kept);
            more = Some(self.count(&rest, entry));
        }
        let label = self
            .state
            .plan
            .signals
            .compared()
            .first()
            .map_or_else(String::new, |s| s.label().to_string());
        let used = u16::try_from(columns * entry + (columns - 1) * usize::from(GAP))
            .unwrap_or(area.width)
            .min(area.width);
        let x0 = area.x + (area.width - used) / 2;
        let heading = format!(
            "{:VERDICT$} {:name_width$}  {:>VALUE$}",
            "canary",
            "region",
            fit::name(&label, VALUE),
        );
        let head_area = Rect::new(x0, area.y, used, 1);
        Line::styled(heading, self.theme.role(Role::Muted)).render(head_area, buf);
        let mut lines: Vec<Line> = entries
            .iter()
            .map(|e| self.entry_line(e, name_width))
            .collect();
        if let Some(more) = more {
            lines.push(more);
        }
        let per_column = rows.max(1);
        for (c, chunk) in lines.chunks(per_column).enumerate() {
            let x = x0 + u16::try_from(c * (entry + usize::from(GAP))).unwrap_or(0);
            let width = u16::try_from(entry)
                .unwrap_or(0)
                .min(area.right().saturating_sub(x));
            let column = Rect::new(x, area.y + 1, width, area.height - 1);
            Paragraph::new(chunk.to_vec()).render(column, buf);
        }
    }
}

impl Regions<'_> {
    /// `+12 more: 11 ✓ OK, 1 ∅ no traffic`, in `width` columns.
    fn count(&self, rest: &[Entry], width: usize) -> Line<'static> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for e in rest {
            let (word, _) = self.verdict(e);
            match counts.iter_mut().find(|(w, _)| *w == word) {
                Some((_, n)) => *n += 1,
                None => counts.push((word, 1)),
            }
        }
        let parts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
        let text = format!("+{} more: {}", rest.len(), parts.join(", "));
        Line::styled(fit::words(&text, width), self.theme.role(Role::Muted))
    }
}
