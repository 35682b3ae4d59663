//! The footer: the keys that act now (from the key map), and the latest
//! notice above it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{self, Phrase, pack};
use super::format::duration;
use crate::app::keymap;
use crate::app::state::{AppState, NoticeLevel};
use crate::domain::rollout::ActionScope;
use crate::ui::theme::{Role, Theme};

pub struct Footer<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let keys = keymap::offered(state);
        let mut phrases = vec![Phrase::new(u8::MAX, vec![Span::raw(" ")])];
        for f in &state.in_flight {
            let scope = match &f.scope {
                ActionScope::Rollout => String::new(),
                ActionScope::Region(r) => format!(" {r}"),
            };
            phrases.push(Phrase::new(
                u8::MAX - 1,
                vec![
                    Span::styled(
                        format!(
                            " {} {}{scope}… {} ",
                            theme.symbols.pending,
                            f.action,
                            duration(state.now - f.since)
                        ),
                        theme.badge(Role::Warn),
                    ),
                    Span::raw(" "),
                ],
            ));
        }
        // Hints are dropped whole, the last first, but the help and quit
        // keys stay longest: they lead to everything else.
        let count = keys.len();
        for (i, (key, what)) in keys.into_iter().enumerate() {
            let keep = match key {
                "?" | "q" => 200,
                _ => u8::try_from(count.saturating_sub(i))
                    .unwrap_or(u8::MAX)
                    .min(199),
            };
            phrases.push(Phrase::new(
                keep,
                vec![
                    Span::styled(key, theme.role(Role::Accent)),
                    Span::styled(format!(" {what}  "), theme.role(Role::Muted)),
                ],
            ));
        }
        Paragraph::new(Line::from(pack(phrases, usize::from(area.width)))).render(area, buf);
    }
}

/// The keys that act now in an overlay, from the key map, as one line for
/// the overlay itself; keys named in `leave_out` are shown elsewhere in it.
/// The first key is `first`'s badge when given (roll back's `y`).
pub fn key_hints(
    state: &AppState,
    theme: &Theme,
    leave_out: &[&str],
    first: Option<Role>,
) -> Line<'static> {
    let mut spans = Vec::new();
    let offered = keymap::offered(state);
    let shown = offered.into_iter().filter(|(k, _)| !leave_out.contains(k));
    for (i, (key, what)) in shown.enumerate() {
        let style = match first {
            Some(role) if i == 0 => theme.badge(role),
            _ => theme.role(Role::Accent),
        };
        let key = if i == 0 && first.is_some() {
            format!(" {key} ")
        } else {
            key.to_string()
        };
        spans.push(Span::styled(key, style));
        spans.push(Span::raw(format!(" {what}    ")));
    }
    Line::from(spans)
}

pub struct NoticeLine<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

impl Widget for NoticeLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(notice) = &self.state.notice else {
            return;
        };
        let (glyph, role) = match notice.level {
            NoticeLevel::Info => (&self.theme.symbols.ok, Role::Text),
            NoticeLevel::Warn => (&self.theme.symbols.warn, Role::Warn),
            NoticeLevel::Error => (&self.theme.symbols.breach, Role::Breach),
        };
        let line = Line::from(vec![
            Span::styled(format!(" {glyph} "), self.theme.role(role)),
            Span::styled(
                fit::words(
                    &super::shared(self.state, &notice.text),
                    usize::from(area.width).saturating_sub(4),
                ),
                self.theme.role(role),
            ),
        ]);
        Paragraph::new(line).render(area, buf);
    }
}
