//! Panels by name: drawn in a layout or zoomed over the whole body (`z`),
//! and the focused one marked with the theme's accent and a heavy frame.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::{detail, dora, guardrails, health, scorecard, sources, timeline, waves};
use crate::app::state::AppState;
use crate::app::view::Panel;
use crate::ui::theme::{Role, Theme};

/// Draw `panel` in `area`; `compact` gives it a top rule only, where the
/// panel has such a form.
pub(super) fn draw_panel(
    panel: Panel,
    area: Rect,
    buf: &mut Buffer,
    state: &AppState,
    theme: &Theme,
    compact: bool,
) {
    match panel {
        Panel::Health => health::Matrix {
            state,
            theme,
            compact,
        }
        .render(area, buf),
        Panel::Waves => waves::Waves {
            state,
            theme,
            compact,
        }
        .render(area, buf),
        Panel::StopConditions => guardrails::StopConditions {
            state,
            theme,
            compact,
        }
        .render(area, buf),
        Panel::Timeline => timeline::TimelinePanel {
            state,
            theme,
            compact,
        }
        .render(area, buf),
        Panel::Scorecard => scorecard::ScorecardPanel { state, theme }.render(area, buf),
        Panel::Dora => dora::DoraPanel { state, theme }.render(area, buf),
        Panel::Sources => sources::Sources { state, theme }.render(area, buf),
        Panel::Detail => detail::RegionDetail { state, theme }.render(area, buf),
    }
}

/// The heavy form of a light frame glyph, if it is one.
fn heavy(symbol: &str) -> Option<&'static str> {
    Some(match symbol {
        "─" => "━",
        "│" => "┃",
        "┌" => "┏",
        "┐" => "┓",
        "└" => "┗",
        "┘" => "┛",
        _ => return None,
    })
}

/// Mark the panel drawn in `area` as focused: its frame heavy and in the
/// accent, its title as an accent badge. Seen without colour too.
pub(super) fn mark_focus(area: Rect, buf: &mut Buffer, theme: &Theme, compact: bool) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let border = theme.role(Role::Accent);
    let title = theme.badge(Role::Accent);
    let top = area.y;
    let bottom = area.bottom() - 1;
    let mut frame: Vec<(u16, u16)> = (area.x..area.right()).map(|x| (x, top)).collect();
    if !compact {
        frame.extend((area.x..area.right()).map(|x| (x, bottom)));
        frame.extend((top + 1..bottom).flat_map(|y| [(area.x, y), (area.right() - 1, y)]));
    }
    for (x, y) in frame {
        let cell = &mut buf[(x, y)];
        match heavy(cell.symbol()) {
            Some(h) => {
                cell.set_symbol(h).set_style(border);
            }
            // The top row holds only the frame and the title.
            None if y == top => {
                cell.set_style(title);
            }
            None => {}
        }
    }
}
