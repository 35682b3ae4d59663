//! The presenter view (`b`): for a shared screen on an incident bridge.
//! Fewer, larger things — the verdict in big letters with its reason, one
//! row per region, the wave and its gate, the last events, the time in UTC
//! and local. Always safe to share; every verdict has a word and a glyph.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::big::{self, BigWord};
use super::fit;
use super::format::{clock, duration};
use super::header::{phase_role, verdict_badge};
use super::presenter_regions::Regions;
use crate::app::state::AppState;
use crate::app::verdict::{Call, Verdict};
use crate::domain::gate::Blocker;
use crate::domain::rollout::Phase;
use crate::ui::theme::{Role, Theme};

pub struct Presenter<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// Rows the timeline keeps at least, its title included.
const TIMELINE_MIN: u16 = 4;

impl Presenter<'_> {
    /// The big word and its role: the rollout's phase when a person or a
    /// target paused it (the room needs to know it stands still), else the
    /// one verdict's word.
    fn headline(&self, verdict: &Verdict) -> (&'static str, Role) {
        let phase = self.state.rollout.as_ref().map(|r| r.phase);
        if phase == Some(Phase::Paused) {
            return (Phase::Paused.label(), phase_role(Phase::Paused));
        }
        let (_, word, role) = verdict_badge(verdict.call, self.theme);
        (word, role)
    }

    /// The line beneath the big word: the verdict's glyph and word when the
    /// big word is the phase, and why, in one line.
    fn reason(&self, verdict: &Verdict, width: usize) -> Line<'static> {
        let state = self.state;
        let (glyph, word, role) = verdict_badge(verdict.call, self.theme);
        let paused = state.rollout.as_ref().map(|r| r.phase) == Some(Phase::Paused);
        let why: Vec<String> = verdict.reasons.iter().map(|r| r.text.clone()).collect();
        let why = match (why.is_empty(), verdict.call) {
            (false, _) => why.join(" · "),
            (true, Call::RolledBack) => {
                format!("all traffic is back on {}", state.plan.stable_version)
            }
            (true, Call::Aborted) => "the rollout was aborted; stable serves all".to_string(),
            (true, Call::Complete) => {
                format!("{} serves all traffic", state.plan.canary_version)
            }
            (true, Call::Baking) => match verdict.bake_left {
                Some(left) => format!("watched at its end, {} left", duration(left)),
                None => "watched at its end".to_string(),
            },
            (true, _) => "nothing holds the rollout back".to_string(),
        };
        let text = match paused {
            true => format!("{glyph} {word} · {why}"),
            false => format!("{glyph} {why}"),
        };
        let text = super::shared(state, &text);
        Line::styled(fit::words(&text, width), self.theme.role(role))
    }

    /// Service and versions, the phase, the mode and sharing badges, on the
    /// left; the time in UTC and local on the right.
    fn top(&self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let now = state.now;
        let local = now.with_timezone(&state.showing.local_offset());
        let time = format!("{} UTC · {} local ", clock(now), local.format("%H:%M:%S"));
        let mut spans = vec![
            Span::styled(
                format!(" {} ", super::shared(state, &state.plan.service)),
                theme.role(Role::Accent),
            ),
            Span::raw(super::shared(
                state,
                &format!(
                    "{} → {}  ",
                    state.plan.stable_version, state.plan.canary_version
                ),
            )),
        ];
        if let Some(rollout) = &state.rollout {
            let sym = &theme.symbols;
            let glyph = match rollout.phase {
                Phase::Paused => &sym.paused,
                Phase::Progressing => &sym.current,
                Phase::Complete => &sym.done,
                Phase::Aborted | Phase::RolledBack => &sym.cancelled,
            };
            spans.push(Span::styled(
                format!(" {glyph} {} ", rollout.phase.label()),
                theme.badge(phase_role(rollout.phase)),
            ));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            format!(" {} ", state.mode.label()),
            theme.badge(Role::Accent),
        ));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" SHARE ", theme.badge(Role::Ok)));
        // Old or missing data is said on the room's screen too, however the
        // verdict reads: a source that stopped answering holds what it last said.
        if let Some((glyph, word, role)) = data_trouble(state, theme) {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!(" {glyph} {word} "), theme.badge(role)));
        }
        if state.read_only {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" READ-ONLY ", theme.badge(Role::Paused)));
        }
        let time_width = fit::width(&time) as u16;
        // The versions give way to the time.
        if fit::spans_width(&spans) as u16 + time_width > area.width {
            spans.remove(1);
        }
        let with_time = fit::spans_width(&spans) as u16 + time_width <= area.width;
        Paragraph::new(Line::from(spans)).render(area, buf);
        if with_time {
            let at = Rect {
                x: area.x + area.width - time_width,
                width: time_width,
                ..area
            };
            Paragraph::new(Span::styled(time, theme.role(Role::Text))).render(at, buf);
        }
    }

    /// The wave in progress and its gate, in one line.
    fn wave_line(&self, width: usize) -> Line<'static> {
        let (state, theme) = (self.state, self.theme);
        let waves = &state.plan.waves;
        let Some(rollout) = &state.rollout else {
            return Line::styled(
                format!(
                    "{} waiting for the deployment source",
                    theme.symbols.no_data
                ),
                theme.role(Role::NoData),
            );
        };
        let Some(wave) = waves.waves.get(rollout.wave) else {
            return Line::raw("");
        };
        let weight = match rollout.phase {
            Phase::RolledBack | Phase::Aborted => 0,
            _ => wave.weight,
        };
        let mut spans = vec![Span::styled(
            format!(
                "wave {}/{} {} · {weight}%",
                rollout.wave + 1,
                waves.len(),
                wave.name
            ),
            theme.role(Role::Text),
        )];
        let next = waves.waves.get(rollout.wave + 1);
        let gate = state.gate();
        match (next, gate, rollout.phase.is_terminal()) {
            (_, _, true) => {}
            (None, _, false) => spans.push(Span::styled(
                " · the last wave".to_string(),
                theme.role(Role::Muted),
            )),
            (Some(next), Some(gate), false) => {
                let to = format!(" · gate to wave {} {}: ", rollout.wave + 2, next.name);
                spans.push(Span::styled(to, theme.role(Role::Text)));
                let sym = &theme.symbols;
                let why = gate.summary().join(" · ");
                let breach = gate
                    .blockers
                    .iter()
                    .any(|b| matches!(b, Blocker::Condition { state, .. } if *state == "breach"));
                let hold_only = gate.blockers.iter().all(|b| matches!(b, Blocker::Hold(_)));
                // A hold running out is the plan at work, not trouble.
                let (text, role) = match () {
                    _ if gate.is_open() => (format!("{} open", sym.ok), Role::Ok),
                    _ if breach => (format!("{} blocked: {why}", sym.breach), Role::Breach),
                    _ if hold_only => (format!("{} {why}", sym.current), Role::Accent),
                    _ => (format!("{} blocked: {why}", sym.warn), Role::Warn),
                };
                // The gate's state stays; its reasons are cut between words.
                let room = width.saturating_sub(fit::spans_width(&spans));
                let text = fit::words(&super::shared(state, &text), room);
                spans.push(Span::styled(text, theme.role(role)));
            }
            (Some(next), None, false) => spans.push(Span::styled(
                format!(" · next: wave {} {}", rollout.wave + 2, next.name),
                theme.role(Role::Muted),
            )),
        }
        fit::line(spans, width)
    }

    /// The latest events, newest first, as many as `rows` hold.
    fn timeline(&self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let [title, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        Line::styled("Latest", theme.role(Role::Accent)).render(title, buf);
        let room = usize::from(rest.width).saturating_sub(11);
        let lines: Vec<Line> = state
            .timeline
            .newest_first()
            .take(usize::from(rest.height))
            .map(|e| {
                let text = super::shared(state, &e.text);
                Line::from(vec![
                    Span::styled(format!("{} ", clock(e.at)), theme.role(Role::Muted)),
                    Span::styled(
                        format!("{} ", super::timeline::glyph(theme, e.kind).0),
                        theme.role(super::timeline::glyph(theme, e.kind).1),
                    ),
                    Span::styled(fit::words(&text, room), theme.role(Role::Text)),
                ])
            })
            .collect();
        if lines.is_empty() {
            Line::styled("nothing yet", theme.role(Role::Muted)).render(rest, buf);
        } else {
            Paragraph::new(lines).render(rest, buf);
        }
    }
}

impl Widget for Presenter<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let verdict = self.state.verdict();
        let (word, role) = self.headline(&verdict);
        // A margin on both sides, when there is room for one.
        let margin = if area.width >= 80 { 2 } else { 0 };
        let inner = Rect {
            x: area.x + margin,
            width: area.width.saturating_sub(margin * 2),
            ..area
        };
        let regions = Regions {
            state: self.state,
            theme: self.theme,
        };
        let region_rows = regions.rows_wanted(inner.width);
        // Top line, gaps, reason and wave lines take 6 rows; the big word
        // is as large as leaves room for eight regions and a few events.
        let fixed = 6;
        let wanted_below = region_rows.min(9) + TIMELINE_MIN;
        let room = inner.height.saturating_sub(fixed + wanted_below);
        let big_rows = big::rows(word, inner.width, room.max(1));
        let left = inner.height.saturating_sub(fixed + big_rows);
        let region_height = region_rows.min(left.saturating_sub(TIMELINE_MIN).max(1));
        let [
            top,
            _,
            big_area,
            reason_area,
            _,
            wave_area,
            _,
            regions_area,
            timeline_area,
        ] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(big_rows),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(region_height),
            Constraint::Min(0),
        ])
        .areas(area);
        self.top(top, buf);
        let inset = |r: Rect| Rect {
            x: inner.x,
            width: inner.width,
            ..r
        };
        BigWord {
            word,
            style: self.theme.role(role),
        }
        .render(inset(big_area), buf);
        Paragraph::new(self.reason(&verdict, usize::from(inner.width)))
            .alignment(Alignment::Center)
            .render(inset(reason_area), buf);
        Paragraph::new(self.wave_line(usize::from(inner.width))).render(inset(wave_area), buf);
        regions.render(inset(regions_area), buf);
        let timeline = Rect {
            y: timeline_area.y + u16::from(timeline_area.height > TIMELINE_MIN),
            height: timeline_area
                .height
                .saturating_sub(u16::from(timeline_area.height > TIMELINE_MIN)),
            ..inset(timeline_area)
        };
        self.timeline(timeline, buf);
    }
}

/// What is wrong with the data, if anything: a source failing or older than
/// the plan allows (STALE, with the age of the oldest answer), or one that
/// has not answered yet.
fn data_trouble<'t>(state: &AppState, theme: &'t Theme) -> Option<(&'t str, String, Role)> {
    let (_, stalest) = state.data_ages();
    let failing = state.sources.iter().any(|s| {
        matches!(
            s.condition(state.now),
            crate::app::state::SourceCondition::Failing { .. }
        )
    });
    match stalest {
        Some(None) => Some((
            &theme.symbols.no_data,
            "NO ANSWER YET".to_string(),
            Role::NoData,
        )),
        Some(Some(age)) if age > state.plan.stale_after => Some((
            &theme.symbols.stale,
            format!("STALE {}", super::format::duration(age)),
            Role::Stale,
        )),
        _ if failing => Some((
            &theme.symbols.breach,
            "SOURCE FAILING".to_string(),
            Role::Stale,
        )),
        _ => None,
    }
}
