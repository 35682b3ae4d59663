//! The timeline: waves entered, breaches, actions and their outcomes, lines
//! people wrote, newest first. Scrolled back, its first row says how many
//! newer events are above and where the view stands, in any height.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::format::clock;
use super::{fit, panel};
use crate::app::state::AppState;
use crate::domain::timeline::EventKind;
use crate::ui::theme::{Role, Theme};

pub struct TimelinePanel<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub compact: bool,
}

impl TimelinePanel<'_> {
    fn glyph(&self, kind: EventKind) -> (&str, Role) {
        glyph(self.theme, kind)
    }
}

/// An event's glyph and role, wherever events are listed.
pub(crate) fn glyph(theme: &Theme, kind: EventKind) -> (&str, Role) {
    let s = &theme.symbols;
    match kind {
        EventKind::Progress => (&s.current, Role::Accent),
        EventKind::Breach => (&s.breach, Role::Breach),
        EventKind::ActionAttempt => (&s.pending, Role::Accent),
        EventKind::ActionOk => (&s.ok, Role::Ok),
        EventKind::ActionFailed => (&s.breach, Role::Breach),
        EventKind::ActionUnknown => (&s.warn, Role::Warn),
        EventKind::Source => (&s.stale, Role::Stale),
        EventKind::Annotation => (&s.done, Role::Accent),
        EventKind::Notification => (&s.pending, Role::Muted),
        EventKind::Failed => (&s.breach, Role::Breach),
    }
}

impl Widget for TimelinePanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = panel("Timeline", self.theme, self.compact, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        // A clock, a glyph and their spaces before the text.
        let room = usize::from(inner.width).saturating_sub(11);
        let timeline = &self.state.timeline;
        let total = timeline.len();
        let scroll = self.state.timeline_scroll.min(total.saturating_sub(1));
        let mut rows = usize::from(inner.height);
        let mut lines: Vec<Line> = Vec::new();
        if scroll > 0 && rows > 0 {
            rows -= 1;
            let last = (scroll + rows).min(total);
            let text = format!("↑ {scroll} newer · {}–{last} of {total} · PgUp", scroll + 1);
            lines.push(Line::styled(
                fit::words(&text, usize::from(inner.width)),
                self.theme.role(Role::Warn),
            ));
        }
        lines.extend(timeline.newest_first().skip(scroll).take(rows).map(|e| {
            let (glyph, role) = self.glyph(e.kind);
            let text_role = if matches!(
                e.kind,
                EventKind::Breach
                    | EventKind::ActionFailed
                    | EventKind::ActionUnknown
                    | EventKind::Failed
            ) {
                role
            } else {
                Role::Text
            };
            Line::from(vec![
                Span::styled(format!("{} ", clock(e.at)), self.theme.role(Role::Muted)),
                Span::styled(format!("{glyph} "), self.theme.role(role)),
                Span::styled(
                    fit::words(&super::shared(self.state, &e.text), room),
                    self.theme.role(text_role),
                ),
            ])
        }));
        if lines.is_empty() {
            Line::styled("nothing yet", self.theme.role(Role::Muted)).render(inner, buf);
            return;
        }
        Paragraph::new(lines).render(inner, buf);
    }
}
