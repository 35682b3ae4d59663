//! Drawing: a pure function of state and theme. Layout adapts to the terminal
//! size; nothing here changes state or does I/O.

mod columns;
mod confirm;
mod detail;
mod dora;
mod drafts;
mod fit;
mod footer;
pub mod format;
mod guardrails;
mod header;
mod health;
mod help;
mod scorecard;
mod sources;
pub mod svg;
pub mod theme;
mod timeline;
mod waves;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::app::state::{AppState, Overlay};
use crate::ui::theme::{Role, Theme};

/// The smallest terminal the dashboard is drawn in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Rows the timeline keeps on a two-column screen, frame included, when
/// the screen has five times as many.
const TIMELINE_MIN: u16 = 8;

/// From this size on, the dashboard uses two columns.
const WIDE_WIDTH: u16 = 120;
const WIDE_HEIGHT: u16 = 30;

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, state: &AppState, theme: &Theme) {
    let area = frame.area();
    Dashboard { state, theme }.render(area, frame.buffer_mut());
}

/// The whole screen as one widget, so it can be drawn into any buffer.
pub struct Dashboard<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

impl Widget for Dashboard<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Dashboard { state, theme } = self;
        Block::new().style(theme.base()).render(area, buf);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            too_small(area, buf, theme);
            return;
        }
        let notice = u16::from(state.notice.is_some());
        let [header_area, body, notice_area, footer_area] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(0),
            Constraint::Length(notice),
            Constraint::Length(1),
        ])
        .areas(area);
        header::Header { state, theme }.render(header_area, buf);
        if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
            wide_body(body, buf, state, theme);
        } else {
            narrow_body(body, buf, state, theme);
        }
        footer::NoticeLine { state, theme }.render(notice_area, buf);
        footer::Footer { state, theme }.render(footer_area, buf);
        match &state.overlay {
            Overlay::None => {}
            Overlay::Help => help::Help { theme }.render(area, buf),
            Overlay::Confirm(pending) => confirm::Confirm {
                state,
                theme,
                pending,
            }
            .render(area, buf),
            Overlay::Scorecard(view) => {
                scorecard::ScorecardOverlay { state, theme, view }.render(area, buf)
            }
            Overlay::Override { reason, .. } => scorecard::OverrideModal {
                state,
                theme,
                reason,
            }
            .render(area, buf),
            Overlay::Drafts(view) => drafts::DraftsOverlay { state, theme, view }.render(area, buf),
        }
    }
}

/// One column: compact wave line, matrix, stop conditions, timeline.
fn narrow_body(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let guard = state.guardrails.conditions().len() as u16 + 1;
    let timeline_min = 3;
    let wanted = state.health.regions().len() as u16 + 3 + health::extra_rows(state);
    let room = area.height.saturating_sub(2 + guard + timeline_min);
    let matrix = wanted.min(room).max(4);
    let [waves_area, health_area, guard_area, timeline_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(matrix),
        Constraint::Length(guard),
        Constraint::Min(0),
    ])
    .areas(area);
    let areas = [waves_area, health_area, guard_area, timeline_area];
    core_panels(areas, buf, state, theme, true);
}

/// The panels every layout has — waves, health matrix, stop conditions,
/// timeline — in the areas given, in that order.
fn core_panels(areas: [Rect; 4], buf: &mut Buffer, state: &AppState, theme: &Theme, compact: bool) {
    let [waves_area, health_area, guard_area, timeline_area] = areas;
    waves::Waves {
        state,
        theme,
        compact,
    }
    .render(waves_area, buf);
    health::Matrix {
        state,
        theme,
        compact,
    }
    .render(health_area, buf);
    guardrails::StopConditions {
        state,
        theme,
        compact,
    }
    .render(guard_area, buf);
    timeline::TimelinePanel {
        state,
        theme,
        compact,
    }
    .render(timeline_area, buf);
}

/// Two columns over a full-width timeline: the matrix beside the wave plan;
/// stop conditions, the scorecard and DORA beside the sources and the
/// selected region. Room goes first to the matrix and the stop conditions,
/// then the scorecard, then DORA and the timeline.
fn wide_body(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) {
    let columns = [Constraint::Percentage(62), Constraint::Percentage(38)];
    let [_, right_column] = Layout::horizontal(columns).areas(area);
    let waves = waves::height(state, theme, right_column.width);
    let matrix = (state.health.regions().len() as u16 + 4 + health::extra_rows(state)).max(waves);
    let sources_height = sources::height(state, theme, right_column.width);
    let guard_height = state.guardrails.conditions().len() as u16 + 3;
    // The timeline keeps room for a few entries; DORA, then the scorecard,
    // give way to it.
    let timeline_min = TIMELINE_MIN.min(area.height / 5).max(3);
    let matrix = matrix
        .min(area.height.saturating_sub(guard_height + timeline_min))
        .max(6);
    let room = area.height.saturating_sub(matrix + timeline_min);
    let with_scorecard = room >= guard_height + scorecard::HEIGHT;
    let scorecard_height = if with_scorecard { scorecard::HEIGHT } else { 0 };
    let with_dora = room >= guard_height + scorecard_height + dora::HEIGHT;
    let dora_height = if with_dora { dora::HEIGHT } else { 0 };
    let wanted =
        (guard_height + scorecard_height + dora_height).max(detail::height(state) + sources_height);
    let lower = wanted.min(room);
    let [top, middle, timeline_area] = Layout::vertical([
        Constraint::Length(matrix),
        Constraint::Length(lower),
        Constraint::Min(0),
    ])
    .areas(area);
    let [health_area, waves_area] = Layout::horizontal(columns).areas(top);
    let [left, right] = Layout::horizontal(columns).areas(middle);
    let [guard_area, scorecard_area, dora_area] = Layout::vertical([
        Constraint::Length(guard_height),
        Constraint::Length(scorecard_height),
        Constraint::Min(0),
    ])
    .areas(left);
    let [sources_area, detail_area] =
        Layout::vertical([Constraint::Length(sources_height), Constraint::Min(0)]).areas(right);
    let areas = [waves_area, health_area, guard_area, timeline_area];
    core_panels(areas, buf, state, theme, false);
    sources::Sources { state, theme }.render(sources_area, buf);
    if with_scorecard {
        scorecard::ScorecardPanel { state, theme }.render(scorecard_area, buf);
    }
    if with_dora {
        dora::DoraPanel { state, theme }.render(dora_area, buf);
    }
    detail::RegionDetail { state, theme }.render(detail_area, buf);
}

/// A panel's frame: a titled block, with only a top rule when space is
/// short. The title fits the panel's `width`: its last ` · ` phrases go
/// first, and what is left is cut between words.
pub(crate) fn panel<'a>(title: &str, theme: &Theme, compact: bool, width: u16) -> Block<'a> {
    let block = if compact {
        Block::new().borders(ratatui::widgets::Borders::TOP)
    } else {
        Block::bordered()
    };
    block
        .border_style(theme.role(Role::Border))
        .title(Line::styled(
            format!(
                " {} ",
                title_in(title, usize::from(width).saturating_sub(4))
            ),
            theme.role(Role::Accent),
        ))
}

/// `title` in `room` columns, whole phrases first.
fn title_in(title: &str, room: usize) -> String {
    let phrases: Vec<&str> = title.split(" · ").collect();
    (1..=phrases.len())
        .rev()
        .map(|n| phrases[..n].join(" · "))
        .find(|t| fit::width(t) <= room)
        .unwrap_or_else(|| fit::words(phrases.first().copied().unwrap_or(""), room))
}

fn too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let text = vec![
        Line::styled("Terminal too small", theme.role(Role::Warn)),
        Line::raw(format!(
            "{}×{} now, {MIN_WIDTH}×{MIN_HEIGHT} needed.",
            area.width, area.height
        )),
        Line::styled(
            "Enlarge the window, or press q to quit.",
            theme.role(Role::Muted),
        ),
    ];
    let top = area.height.saturating_sub(3) / 2;
    let inner = Rect {
        y: area.y + top,
        height: area.height.saturating_sub(top),
        ..area
    };
    Paragraph::new(text)
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

/// True when what the deployment source last said can no longer be
/// trusted to be current: it is failing, or its last good answer is older
/// than the plan's `stale_after`. Its countdowns are then marked stale.
pub(crate) fn deploy_stale(state: &AppState) -> bool {
    use crate::app::state::SourceCondition;
    use crate::domain::source::SourceKind;
    state
        .sources
        .iter()
        .filter(|s| s.info.kind == SourceKind::Deployment)
        .any(|s| {
            matches!(s.condition(state.now), SourceCondition::Failing { .. })
                || s.last_ok
                    .is_some_and(|t| state.now - t > state.plan.stale_after)
        })
}

/// A rectangle of at most `width` × `height` in the middle of `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clear `area` and paint it with the theme's base, for overlays.
pub(crate) fn clear(area: Rect, buf: &mut Buffer, theme: &Theme) {
    Clear.render(area, buf);
    Block::new().style(theme.base()).render(area, buf);
}
