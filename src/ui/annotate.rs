//! The field for a line on the timeline: who writes it, the text so far,
//! and what happens to it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::footer::key_hints;
use super::scorecard::typing_modal;
use crate::app::state::AppState;
use crate::domain::timeline::MAX_ANNOTATION;
use crate::ui::theme::{Role, Theme};

pub struct AnnotateModal<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub text: &'a str,
}

impl Widget for AnnotateModal<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let left = MAX_ANNOTATION.saturating_sub(self.text.chars().count());
        let lines = vec![
            Line::from(vec![
                Span::raw(format!("{} on the timeline of ", state.operator)),
                Span::styled(state.plan.service.clone(), theme.role(Role::Accent)),
            ]),
            Line::styled(
                "Audited with your name and time; shown on every screen on the log.",
                theme.role(Role::Muted),
            ),
            Line::raw(""),
            Line::from(vec![
                Span::raw("Note: "),
                Span::styled(format!("{}▏", self.text), theme.role(Role::Accent)),
            ]),
            Line::styled(format!("{left} characters left"), theme.role(Role::Muted)),
            Line::raw(""),
            key_hints(state, theme, &[], None),
        ];
        typing_modal(lines, " Annotate ", Role::Accent, area, buf, theme);
    }
}
