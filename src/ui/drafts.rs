//! The drafts overlay (`c`): the three status updates, one at a time, in
//! full, wrapped and scrolled; which one is shown, and whether it follows
//! the rollout or was edited.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Widget};

use super::{clear, fit};
use crate::app::comms::{draft_text, is_edited};
use crate::app::state::{AppState, DraftsView};
use crate::domain::comms::Audience;
use crate::ui::theme::{Role, Theme};

pub struct DraftsOverlay<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub view: &'a DraftsView,
}

/// `text` as rows of at most `width` columns: its own lines kept, blank
/// ones too, long ones wrapped at words.
pub fn rows(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            out.push(String::new());
            continue;
        }
        // A list item's continuation sits under its text.
        let indent = line.len() - line.trim_start_matches(['-', ' ']).len();
        let parts = fit::wrap(line, width.saturating_sub(indent).max(1));
        for (i, part) in parts.into_iter().enumerate() {
            match i {
                0 => out.push(part),
                _ => out.push(format!("{}{part}", " ".repeat(indent))),
            }
        }
    }
    // The text's own last line break makes no row.
    if out.last().is_some_and(String::is_empty) && text.ends_with('\n') {
        out.pop();
    }
    out
}

impl DraftsOverlay<'_> {
    fn tabs(&self) -> Line<'static> {
        let theme = self.theme;
        let mut spans = Vec::new();
        for a in Audience::ALL {
            let selected = a == self.view.audience;
            let word = match selected {
                true => format!("[{}]", a.word()),
                false => format!(" {} ", a.word()),
            };
            let style = match selected {
                true => theme.role(Role::Accent).patch(theme.selection()),
                false => theme.role(Role::Muted),
            };
            spans.push(Span::styled(word, style));
            spans.push(Span::raw(" "));
        }
        let (words, role) = match (self.view.typing, is_edited(self.state, self.view.audience)) {
            (true, _) => ("editing: Esc when done", Role::Warn),
            (false, true) => ("edited: u follows the rollout again", Role::Paused),
            (false, false) => ("live: follows the rollout", Role::Ok),
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(words.to_string(), theme.role(role)));
        Line::from(spans)
    }
}

impl Widget for DraftsOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme, view) = (self.state, self.theme, self.view);
        // Under the header and over the message line and the footer, which
        // stay in sight: what was written where, and the keys.
        let bottom = 1 + u16::from(state.notice.is_some());
        let rect = Rect {
            x: area.x,
            y: area.y + 2,
            width: area.width,
            height: area.height.saturating_sub(2 + bottom),
        };
        if rect.width < 20 || rect.height < 5 {
            return;
        }
        clear(rect, buf, theme);
        let width = usize::from(rect.width.saturating_sub(4));
        // A shared screen shows the draft with hosts, URLs and private
        // words hidden; what is copied, written or edited stays whole.
        let mut text = super::shared(state, &draft_text(state, view.audience));
        if view.typing {
            text.push('▏');
        }
        let all = rows(&text, width);
        // Two rows for the tabs and a blank one, one for what is below.
        let room = usize::from(rect.height.saturating_sub(2))
            .saturating_sub(3)
            .max(1);
        let most = all.len().saturating_sub(room);
        let skip = match view.typing {
            // Typing: the end, where the cursor is, stays in sight.
            true => most,
            false => usize::from(view.scroll).min(most),
        };
        let mut lines = vec![self.tabs(), Line::raw("")];
        lines.extend(
            all.iter()
                .skip(skip)
                .take(room)
                .map(|r| Line::styled(r.clone(), theme.role(Role::Text))),
        );
        let below = all.len().saturating_sub(skip + room);
        let more = match (skip, below) {
            (0, 0) => String::new(),
            (_, 0) => format!("↑ {skip} lines above"),
            (0, b) => format!("↓ {b} more lines (↓ scrolls)"),
            (a, b) => format!("↑ {a} above · ↓ {b} more"),
        };
        if !more.is_empty() {
            lines.push(Line::styled(
                fit::words(&more, width),
                theme.role(Role::Muted),
            ));
        }
        let title = format!(" Status update: {} ", view.audience.word());
        let block = Block::bordered()
            .border_style(theme.role(Role::Accent))
            .title(Line::styled(title, theme.role(Role::Accent)))
            .padding(Padding::horizontal(1));
        Paragraph::new(lines).block(block).render(rect, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::rows;

    #[test]
    fn rows_keep_lines_and_wrap_list_items_under_their_text() {
        let r = rows("# Title\n\n- one two three four\nend\n", 11);
        assert_eq!(r, ["# Title", "", "- one two", "  three", "  four", "end"]);
    }
}
