//! The header: what is rolling out, where it stands, and how fresh the data is.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{self, Phrase, pack};
use super::format::{clock, duration};
use crate::app::state::{AppState, SourceCondition};
use crate::app::verdict::Call;
use crate::domain::rollout::Phase;
use crate::ui::theme::{Role, Theme};

pub struct Header<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

pub(crate) fn phase_role(phase: Phase) -> Role {
    match phase {
        Phase::Progressing => Role::Accent,
        Phase::Paused => Role::Paused,
        Phase::Aborted | Phase::RolledBack => Role::Breach,
        Phase::Complete => Role::Ok,
    }
}

impl Header<'_> {
    /// The first line's phrases. `compact` below 110 columns; below 90 the
    /// versions give way to the hold (the matrix names them). Whatever
    /// still does not fit is dropped whole, the versions and the wave's
    /// name first.
    fn rollout_line(&self, compact: bool, tiny: bool) -> Vec<Phrase> {
        let (state, theme) = (self.state, self.theme);
        let plan = &state.plan;
        let gap = if compact { " " } else { "  " };
        let mut phrases = vec![Phrase::new(
            10,
            vec![Span::styled(
                format!(" {} ", plan.service),
                theme.role(Role::Accent),
            )],
        )];
        if !tiny {
            phrases.push(Phrase::new(
                3,
                vec![Span::raw(format!(
                    "{} → {}{gap}",
                    plan.stable_version, plan.canary_version
                ))],
            ));
        }
        let Some(rollout) = &state.rollout else {
            let has_deploy = state
                .sources
                .iter()
                .any(|s| s.info.kind == crate::domain::source::SourceKind::Deployment);
            if !has_deploy {
                // Nothing will ever report the waves: say so, not "waiting".
                phrases.push(Phrase::new(
                    9,
                    vec![Span::styled(" METRICS ONLY ", theme.badge(Role::Accent))],
                ));
                let note = if compact {
                    " no deploy source"
                } else {
                    "  no [sources.deploy] in the plan: waves and actions are off"
                };
                phrases.push(Phrase::new(
                    4,
                    vec![Span::styled(note, theme.role(Role::Muted))],
                ));
                return phrases;
            }
            phrases.push(Phrase::new(
                9,
                vec![Span::styled(" WAITING ", theme.badge(Role::NoData))],
            ));
            let waiting = if compact {
                " waiting…"
            } else {
                "  waiting for the deployment source…"
            };
            phrases.push(Phrase::new(
                4,
                vec![Span::styled(waiting, theme.role(Role::Muted))],
            ));
            return phrases;
        };
        let symbol = match rollout.phase {
            Phase::Paused => &theme.symbols.paused,
            Phase::Progressing => &theme.symbols.current,
            Phase::Complete => &theme.symbols.done,
            Phase::Aborted | Phase::RolledBack => &theme.symbols.cancelled,
        };
        phrases.push(Phrase::new(
            9,
            vec![Span::styled(
                format!(" {symbol} {} ", rollout.phase.label()),
                theme.badge(phase_role(rollout.phase)),
            )],
        ));
        let waves = &plan.waves;
        if let Some(wave) = waves.waves.get(rollout.wave) {
            phrases.push(Phrase::new(
                8,
                vec![Span::raw(format!(
                    "{gap}wave {}/{}",
                    rollout.wave + 1,
                    waves.len()
                ))],
            ));
            if !compact {
                phrases.push(Phrase::new(2, vec![Span::raw(format!(" {}", wave.name))]));
            }
            // After a rollback the canary takes nothing, whatever the wave was.
            let weight = match rollout.phase {
                Phase::RolledBack | Phase::Aborted => 0,
                _ => wave.weight,
            };
            phrases.push(Phrase::new(7, vec![Span::raw(format!(" · {weight}%"))]));
            let left = (wave.hold - rollout.held).max(crate::domain::Span::zero());
            let at_gate = state.held_at_gate();
            let hold = match (rollout.phase, compact) {
                (Phase::Progressing, false) if at_gate && left.is_zero() => {
                    Some("  held at its gate".to_string())
                }
                (Phase::Progressing, true) if at_gate && left.is_zero() => {
                    Some(" at gate".to_string())
                }
                (Phase::Progressing, false) => Some(format!("  hold {} left", duration(left))),
                (Phase::Progressing, true) => Some(format!(" hold {}", duration(left))),
                (Phase::Paused, false) => Some(format!("  hold {} left (frozen)", duration(left))),
                (Phase::Paused, true) => Some(format!(" hold {} frozen", duration(left))),
                _ => None,
            };
            if let Some(hold) = hold {
                let mut spans = vec![Span::styled(hold, theme.role(Role::Text))];
                if super::deploy_stale(state) {
                    spans.push(Span::styled(
                        format!(" {}", theme.symbols.stale),
                        theme.role(Role::Stale),
                    ));
                }
                phrases.push(Phrase::new(6, spans));
            }
        }
        phrases
    }

    /// The second line's phrases: the age of the data, the sources in
    /// trouble and the stop conditions' worst news.
    fn data_line(&self) -> Vec<Phrase> {
        let (state, theme) = (self.state, self.theme);
        let mut ages = vec![Span::raw(" data ")];
        let (freshest, stalest) = state.data_ages();
        match (freshest, stalest) {
            (None, _) => ages.push(Span::styled("loading…", theme.role(Role::Muted))),
            (Some(f), Some(Some(s))) => {
                let stale = s > state.plan.stale_after;
                let role = if stale { Role::Stale } else { Role::Text };
                // Said once when both read the same.
                let (f, s) = (duration(f), duration(s));
                let text = if f == s {
                    format!("{f} old")
                } else {
                    format!("{f}–{s} old")
                };
                ages.push(Span::styled(text, theme.role(role)));
                if stale {
                    ages.push(Span::styled(
                        format!(" {} STALE", theme.symbols.stale),
                        theme.role(Role::Stale),
                    ));
                }
            }
            (Some(f), _) => {
                ages.push(Span::raw(format!("{} old", duration(f))));
                ages.push(Span::styled(
                    format!(" {} a source has not answered", theme.symbols.no_data),
                    theme.role(Role::NoData),
                ));
            }
        }
        let mut phrases = vec![Phrase::new(9, ages)];
        for source in &state.sources {
            let trouble = match source.condition(state.now) {
                SourceCondition::Failing { .. } => {
                    Some((&theme.symbols.breach, "failing", Role::Breach))
                }
                SourceCondition::Slow { .. } => Some((&theme.symbols.warn, "slow", Role::Warn)),
                SourceCondition::Waiting | SourceCondition::Ok { .. } => None,
            };
            if let Some((glyph, word, role)) = trouble {
                phrases.push(Phrase::new(
                    5,
                    vec![Span::styled(
                        format!(
                            "  {glyph} {} {word}",
                            super::shared(state, &source.info.name)
                        ),
                        theme.role(role),
                    )],
                ));
            }
        }
        phrases.push(Phrase::new(
            10,
            vec![Span::raw("  stop conditions "), self.guardrail_summary()],
        ));
        phrases.extend(self.next_update());
        phrases
    }

    /// When the next status update is due, once there is something to
    /// tell: amber within minutes of it, red and OVERDUE past it. It gives
    /// way before a source in trouble does.
    fn next_update(&self) -> Option<Phrase> {
        use crate::domain::comms::DueState;
        let (state, theme) = (self.state, self.theme);
        let due = crate::app::comms::next_due(state)?;
        let (at, sym) = (due.at.format("%H:%M"), &theme.symbols);
        let (text, role, keep) = match due.state {
            DueState::Later => (format!("  next update due {at}"), Role::Muted, 3),
            DueState::Soon => (
                format!("  {} next update due {at}", sym.warn),
                Role::Warn,
                4,
            ),
            DueState::Overdue => (
                format!("  {} next update OVERDUE {at}", sym.breach),
                Role::Breach,
                4,
            ),
        };
        Some(Phrase::new(
            keep,
            vec![Span::styled(text, theme.role(role))],
        ))
    }

    /// The worst news about the stop conditions, in one phrase. Unknown is
    /// never summarised as fine.
    fn guardrail_summary(&self) -> Span<'static> {
        let (state, theme) = (self.state, self.theme);
        let counts = state.verdict().conditions;
        let (breached, tripping, blind) = (counts.breached, counts.tripping, counts.no_data);
        let sym = &theme.symbols;
        let (text, role) = if breached > 0 && state.metrics_stale() {
            // The breach was seen; the rows now say the data is stale.
            let text = format!(
                "{} {breached} BREACHED when last seen {} stale",
                sym.breach, sym.stale
            );
            (text, Role::Breach)
        } else if breached > 0 {
            (format!("{} {breached} BREACHED", sym.breach), Role::Breach)
        } else if state.metrics_stale() {
            (format!("{} stale", sym.stale), Role::Stale)
        } else if tripping > 0 {
            (format!("{} {tripping} tripping", sym.warn), Role::Warn)
        } else if blind == counts.total {
            (format!("{} no data", sym.no_data), Role::NoData)
        } else if blind > 0 {
            (
                format!("{} {blind} without data", sym.no_data),
                Role::NoData,
            )
        } else {
            (format!("{} none breached", sym.ok), Role::Ok)
        };
        Span::styled(text, theme.role(role))
    }

    fn badges(&self) -> Line<'static> {
        let (state, theme) = (self.state, self.theme);
        let verdict = state.verdict();
        let (glyph, word, role) = verdict_badge(verdict.call, theme);
        // Baking says how long it still has to go.
        let word = match verdict.bake_left {
            Some(left) => format!("{word} {} left", duration(left)),
            None => word.to_string(),
        };
        let mut spans = vec![
            Span::styled(format!(" {glyph} {word} "), theme.badge(role)),
            Span::raw(" "),
            Span::styled(
                format!(" {} ", state.mode.label()),
                theme.badge(Role::Accent),
            ),
        ];
        if state.read_only {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" READ-ONLY ", theme.badge(Role::Paused)));
        }
        if state.showing.sharing() {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" SHARE ", theme.badge(Role::Ok)));
        }
        Line::from(spans)
    }
}

/// As many of `phrases` as fit in `room` columns, joined by ` · `, whole.
fn whole_phrases(phrases: &[String], room: usize) -> String {
    let mut out = String::new();
    for p in phrases {
        let joined = if out.is_empty() {
            p.clone()
        } else {
            format!("{out} · {p}")
        };
        if fit::width(&joined) > room {
            break;
        }
        out = joined;
    }
    out
}

/// The glyph, word and colour of the one verdict's badge.
pub(crate) fn verdict_badge(call: Call, theme: &Theme) -> (&str, &'static str, Role) {
    let sym = &theme.symbols;
    let (glyph, role) = match call {
        Call::Go | Call::Complete => (&sym.ok, Role::Ok),
        Call::Baking => (&sym.current, Role::Accent),
        Call::NoGo | Call::RolledBack | Call::Aborted => (&sym.breach, Role::Breach),
        Call::Stale => (&sym.stale, Role::Stale),
        Call::NoData | Call::Waiting | Call::Pending => (&sym.no_data, Role::NoData),
    };
    (glyph.as_str(), call.word(), role)
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [top, bottom] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
        let mut badges = self.badges();
        let room = usize::from(area.width).saturating_sub(badges.width() + 1);
        let first = pack(self.rollout_line(area.width < 110, area.width < 90), room);
        // Why the verdict is what it is, in as many whole phrases as fit.
        let spare = room.saturating_sub(fit::spans_width(&first) + 2);
        let reasons: Vec<String> = self
            .state
            .verdict()
            .short_reasons()
            .iter()
            .map(|r| super::shared(self.state, r))
            .collect();
        let because = whole_phrases(&reasons, spare);
        if !because.is_empty() {
            let muted = self.theme.role(Role::Muted);
            badges
                .spans
                .insert(0, Span::styled(format!("{because} "), muted));
        }
        let [left, right] = Layout::horizontal([
            Constraint::Min(0),
            Constraint::Length(badges.width() as u16 + 1),
        ])
        .areas(top);
        Paragraph::new(Line::from(first)).render(left, buf);
        Paragraph::new(badges).render(right, buf);
        // The clock keeps two columns from the data line, or gives way.
        let clock_text = format!("{} UTC ", clock(self.state.now));
        let clock_width = fit::width(&clock_text) as u16;
        let phrases = self.data_line();
        let essential: usize = phrases
            .iter()
            .filter(|p| p.keep >= 9)
            .map(|p| fit::spans_width(&p.spans))
            .sum();
        let with_clock = essential + 2 + usize::from(clock_width) <= usize::from(bottom.width);
        let room = if with_clock {
            bottom.width - clock_width - 2
        } else {
            bottom.width
        };
        Paragraph::new(Line::from(pack(phrases, usize::from(room)))).render(bottom, buf);
        if with_clock {
            let at = Rect {
                x: bottom.x + bottom.width - clock_width,
                width: clock_width,
                ..bottom
            };
            Paragraph::new(Span::styled(clock_text, self.theme.role(Role::Muted))).render(at, buf);
        }
    }
}
