//! The help overlay: every key of the key map, and what the glyphs mean.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::scorecard::fit_rows;
use super::{centered, clear, fit};
use crate::app::keymap::{self, Binding, Context};
use crate::domain::health::Verdict;
use crate::ui::theme::{Role, Theme};

pub struct Help<'a> {
    pub theme: &'a Theme,
}

/// Columns before a key's words on the dashboard's lines.
const KEY_COLUMNS: usize = 11;

/// The help's width, borders included, when the terminal has it.
const WIDTH: u16 = 76;

/// One context's keys as `title: keys what  keys what …`, packed into lines
/// of at most `width` columns.
fn packed<'a>(theme: &Theme, title: String, rows: &[&'a Binding], width: usize) -> Vec<Line<'a>> {
    let indent = 4;
    let mut lines = Vec::new();
    let mut used = title.chars().count();
    let mut spans = vec![Span::styled(title, theme.role(Role::Muted))];
    for (i, b) in rows.iter().enumerate() {
        let what = format!(" {}", b.help);
        let wide = b.shown.chars().count() + what.chars().count();
        if i > 0 && used + 2 + wide > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::raw(" ".repeat(indent)));
            used = indent;
        } else if i > 0 {
            spans.push(Span::raw("  "));
            used += 2;
        }
        spans.push(Span::styled(b.shown, theme.role(Role::Accent)));
        spans.push(Span::raw(what));
        used += wide;
    }
    lines.push(Line::from(spans));
    lines
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let inner = usize::from(WIDTH.min(area.width).saturating_sub(2)).max(1);
        let mut lines: Vec<Line> = Vec::new();
        let mut title = vec![Span::styled(" Keys ", theme.role(Role::Accent))];
        // One blank line between the dashboard's keys and the overlays'.
        let mut apart = false;
        for (context, rows) in keymap::by_context() {
            match context {
                // The dashboard's keys one a line, this help's own in the
                // title, the overlays' a line or two each.
                // A long line wraps under its own text, not under the key.
                Context::Dashboard => {
                    for b in rows {
                        let parts = fit::wrap(b.help, inner.saturating_sub(KEY_COLUMNS));
                        for (i, part) in parts.into_iter().enumerate() {
                            let key = if i == 0 { b.shown } else { "" };
                            lines.push(Line::from(vec![
                                Span::styled(format!("  {key:<9}"), theme.role(Role::Accent)),
                                Span::raw(part),
                            ]));
                        }
                    }
                }
                Context::Help => {
                    for b in rows {
                        title.push(Span::styled(
                            format!("· {} ", b.shown),
                            theme.role(Role::Accent),
                        ));
                        title.push(Span::styled(
                            format!("{} ", b.help),
                            theme.role(Role::Muted),
                        ));
                    }
                }
                other => {
                    if !apart {
                        lines.push(Line::raw(""));
                        apart = true;
                    }
                    lines.extend(packed(
                        theme,
                        format!("  {}: ", other.title()),
                        &rows,
                        inner,
                    ));
                }
            }
        }
        lines.push(Line::raw(""));
        let mut legend = vec![Span::raw("  ")];
        for v in [
            Verdict::Healthy,
            Verdict::Warning,
            Verdict::Breach,
            Verdict::NoData,
            Verdict::Stale,
        ] {
            legend.push(Span::styled(
                format!("{} {}", theme.verdict_symbol(v), v.word()),
                theme.verdict(v),
            ));
            legend.push(Span::raw("  "));
        }
        lines.push(Line::from(legend));
        lines.push(Line::styled(
            "  A paste is text, never keys. The mouse is left alone: select to copy.",
            theme.role(Role::Muted),
        ));
        // A narrow terminal wraps the longer lines; a short one says what
        // it leaves out.
        let width = WIDTH.min(area.width);
        let (lines, rows) = fit_rows(
            lines,
            area.height.saturating_sub(2),
            width.saturating_sub(2),
            theme,
        );
        let rect = centered(area, WIDTH, rows.saturating_add(2));
        clear(rect, buf, theme);
        let block = Block::bordered()
            .border_style(theme.role(Role::Accent))
            .title(Line::from(title));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block)
            .render(rect, buf);
    }
}
