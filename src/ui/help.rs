//! The help overlay: every key, and what the glyphs mean.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::{centered, clear};
use crate::domain::health::Verdict;
use crate::ui::theme::{Role, Theme};

pub struct Help<'a> {
    pub theme: &'a Theme,
}

const KEYS: [(&str, &str); 13] = [
    (
        "p",
        "pause the rollout (p again to confirm); when paused, resume (y)",
    ),
    ("P", "promote to the next wave now (y to confirm)"),
    ("r", "roll back every region to stable (y to confirm)"),
    ("R", "retry an aborted rollout (y to confirm)"),
    ("Tab", "in a confirmation: selected region only / all"),
    (
        "s",
        "go / no-go scorecard: read it, set an item with a note",
    ),
    ("↑ ↓ j k", "select a region in the health matrix"),
    ("g G", "first / last region"),
    ("t", "next theme"),
    ("Esc", "cancel a confirmation, clear the message"),
    ("?", "this help"),
    ("q", "quit"),
    ("Ctrl-C", "quit at once, from anywhere"),
];

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let mut lines: Vec<Line> = KEYS
            .iter()
            .map(|(k, what)| {
                Line::from(vec![
                    Span::styled(format!("  {k:<9}"), theme.role(Role::Accent)),
                    Span::raw(*what),
                ])
            })
            .collect();
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
            "  The mouse is left alone: select text with it to copy.",
            theme.role(Role::Muted),
        ));
        let height = lines.len() as u16 + 2;
        let rect = centered(area, 72, height);
        clear(rect, buf, theme);
        let block = Block::bordered()
            .border_style(theme.role(Role::Accent))
            .title(Line::styled(" Keys ", theme.role(Role::Accent)));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block)
            .render(rect, buf);
    }
}
