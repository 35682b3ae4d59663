//! Drawing: a pure function of state and theme. Layout adapts to the terminal
//! size; nothing here changes state or does I/O.

mod annotate;
mod big;
mod columns;
mod confirm;
mod debrief;
mod detail;
mod dora;
mod drafts;
pub mod facilitator;
mod fit;
mod footer;
pub mod format;
mod guardrails;
mod header;
mod health;
mod help;
pub mod picture;
mod presenter;
mod presenter_regions;
mod scorecard;
mod sources;
pub mod svg;
pub mod theme;
mod timeline;
mod waves;
mod zoom;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::app::state::{AppState, Overlay};
use crate::app::view::{Panel, View};
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
        let [screen, notice_area, footer_area] = Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(notice),
            Constraint::Length(1),
        ])
        .areas(area);
        let [header_area, body] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(screen);
        match (state.showing.zoom, state.showing.view) {
            (Some(zoomed), _) => {
                header::Header { state, theme }.render(header_area, buf);
                zoom::draw_panel(zoomed, body, buf, state, theme, false);
            }
            (None, View::Presenter) => presenter::Presenter { state, theme }.render(screen, buf),
            (None, View::Dashboard) => {
                header::Header { state, theme }.render(header_area, buf);
                let drawn = if area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT {
                    wide_body(body, buf, state, theme)
                } else {
                    narrow_body(body, buf, state, theme)
                };
                let focus = Some(state.showing.focus).filter(|_| state.showing.focus_shown);
                if let Some((_, rect, compact)) = drawn.iter().find(|(p, _, _)| Some(*p) == focus) {
                    zoom::mark_focus(*rect, buf, theme, *compact);
                }
            }
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
            Overlay::Annotate(text) => {
                annotate::AnnotateModal { state, theme, text }.render(area, buf)
            }
            Overlay::Drafts(view) => drafts::DraftsOverlay { state, theme, view }.render(area, buf),
            Overlay::EndDrill => debrief::EndDrillModal { state, theme }.render(area, buf),
            Overlay::Debrief { scroll } => {
                if let Some(grade) = &state.observed.graded {
                    let scroll = *scroll;
                    debrief::DebriefScreen {
                        state,
                        theme,
                        grade,
                        scroll,
                    }
                    .render(area, buf);
                }
            }
        }
    }
}

/// The panels a layout drew, where, and whether compact (a top rule only).
type Drawn = Vec<(Panel, Rect, bool)>;

/// One column: compact wave line, matrix, stop conditions, timeline.
fn narrow_body(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) -> Drawn {
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
    let (timeline_area, side) = beside_timeline(timeline_area, state, theme);
    let areas = [waves_area, health_area, guard_area, timeline_area];
    let mut drawn = core_panels(areas, buf, state, theme, true);
    if let Some([scorecard_area, sources_area]) = side {
        for (panel, area) in [
            (Panel::Scorecard, scorecard_area),
            (Panel::Sources, sources_area),
        ] {
            if area.height > 0 {
                zoom::draw_panel(panel, area, buf, state, theme, false);
                drawn.push((panel, area, false));
            }
        }
    }
    drawn
}

/// Columns a one-column screen needs before the scorecard and the sources
/// go beside the timeline, and the width they take there.
const SIDE_FROM: u16 = 96;
const SIDE_WIDTH: u16 = 40;

/// On a one-column screen wide enough, the scorecard (then the sources, if
/// they fit whole) beside the timeline rather than nowhere: the timeline
/// area left, and the two areas (either may be empty).
fn beside_timeline(area: Rect, state: &AppState, theme: &Theme) -> (Rect, Option<[Rect; 2]>) {
    if area.width < SIDE_FROM || area.height < scorecard::HEIGHT {
        return (area, None);
    }
    let [timeline, side] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(SIDE_WIDTH)]).areas(area);
    let sources = sources::height(state, theme, SIDE_WIDTH);
    let sources = if scorecard::HEIGHT + sources <= side.height {
        sources
    } else {
        0
    };
    let [card, feeds, _] = Layout::vertical([
        Constraint::Length(scorecard::HEIGHT),
        Constraint::Length(sources),
        Constraint::Min(0),
    ])
    .areas(side);
    (timeline, Some([card, feeds]))
}

/// The panels every layout has — waves, health matrix, stop conditions,
/// timeline — in the areas given, in that order.
fn core_panels(
    areas: [Rect; 4],
    buf: &mut Buffer,
    state: &AppState,
    theme: &Theme,
    compact: bool,
) -> Drawn {
    let panels = [
        Panel::Waves,
        Panel::Health,
        Panel::StopConditions,
        Panel::Timeline,
    ];
    panels
        .into_iter()
        .zip(areas)
        .map(|(panel, area)| {
            zoom::draw_panel(panel, area, buf, state, theme, compact);
            (panel, area, compact)
        })
        .collect()
}

/// Two columns over a full-width timeline: the matrix beside the wave plan;
/// stop conditions, the scorecard and DORA beside the sources and the
/// selected region. Room goes first to the matrix and the stop conditions,
/// then the scorecard, then DORA and the timeline.
fn wide_body(area: Rect, buf: &mut Buffer, state: &AppState, theme: &Theme) -> Drawn {
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
    let mut drawn = core_panels(areas, buf, state, theme, false);
    let mut more = vec![(Panel::Sources, sources_area), (Panel::Detail, detail_area)];
    if with_scorecard {
        more.push((Panel::Scorecard, scorecard_area));
    }
    if with_dora {
        more.push((Panel::Dora, dora_area));
    }
    for (panel, area) in more {
        zoom::draw_panel(panel, area, buf, state, theme, false);
        drawn.push((panel, area, false));
    }
    drawn
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

/// Text from outside as this screen may show it: with hosts, URLs,
/// tokens and the plan's private words hidden while the screen is shared
/// (`--share`, the presenter view).
pub(crate) fn shared(state: &AppState, text: &str) -> String {
    if state.showing.sharing() {
        crate::domain::share::redact(text, &state.plan.share)
    } else {
        text.to_string()
    }
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
