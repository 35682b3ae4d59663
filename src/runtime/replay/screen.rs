//! What a replay draws: the dashboard as it was, with the REPLAY bar on
//! its last row (the recorded time, the speed, the position), and the
//! replay keys' help over it when asked.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};

use super::Player;
use crate::ui::Dashboard;
use crate::ui::theme::{Role, Theme};

/// How the replay is going, for its bar.
#[derive(Debug, Clone, Default)]
pub struct Bar {
    pub playing: bool,
    pub speed: u32,
    /// A line for the operator: a refusal, a seek that found nothing.
    pub says: Option<String>,
    /// The time being typed after `g`.
    pub typing: Option<String>,
    pub help: bool,
}

/// The screen as it was at the player's position, the size of `area`.
pub fn dashboard(player: &Player, theme: &Theme, area: Rect, buf: &mut Buffer) {
    Dashboard {
        state: player.state(),
        theme,
    }
    .render(area, buf);
}

/// The dashboard over all but the last row, the bar on it, the help on top.
pub fn draw(player: &Player, theme: &Theme, bar: &Bar, area: Rect, buf: &mut Buffer) {
    if area.height < 2 {
        return;
    }
    let top = Rect {
        height: area.height - 1,
        ..area
    };
    dashboard(player, theme, top, buf);
    let row = Rect {
        y: area.y + area.height - 1,
        height: 1,
        ..area
    };
    bar_line(player, theme, bar).render(row, buf);
    if bar.help {
        help(theme, top, buf);
    }
}

fn bar_line<'a>(player: &Player, theme: &Theme, bar: &'a Bar) -> Paragraph<'a> {
    let state = if bar.playing {
        "▶ playing"
    } else {
        "❚❚ paused"
    };
    let time = player.time().format("%Y-%m-%d %H:%M:%S UTC");
    let mut spans = vec![
        Span::styled(" REPLAY ", theme.badge(Role::Accent)),
        Span::styled(format!(" {time} "), theme.role(Role::Text)),
        Span::styled(
            format!(" {state} ×{} ", bar.speed.max(1)),
            theme.role(Role::Accent),
        ),
        Span::styled(
            format!(" {}/{} ", player.pos(), player.len()),
            theme.role(Role::Muted),
        ),
    ];
    match (&bar.typing, &bar.says) {
        (Some(typed), _) => spans.push(Span::styled(
            format!(" go to (HH:MM:SS or +10m): {typed}▏"),
            theme.role(Role::Warn),
        )),
        (None, Some(says)) => spans.push(Span::styled(format!(" {says}"), theme.role(Role::Warn))),
        (None, None) => spans.push(Span::styled(" ? keys · q quit", theme.role(Role::Muted))),
    }
    Paragraph::new(Line::from(spans)).style(theme.base())
}

fn help(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines: Vec<Line> = super::keys::help()
        .into_iter()
        .map(|l| Line::styled(l, theme.role(Role::Text)))
        .collect();
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 60.min(area.width);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .style(theme.base())
        .block(
            Block::new()
                .borders(Borders::ALL)
                .border_style(theme.role(Role::Border))
                .title(" replay keys "),
        )
        .render(rect, buf);
}
