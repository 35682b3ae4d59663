//! The confirmation modal: names the action, the service, the regions and
//! the versions, and says what will happen.

use crate::app::verdict::Why;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::footer::key_hints;
use super::scorecard::fit_rows;
use super::{centered, clear};
use ratatui::style::Modifier;

use crate::app::state::{AppState, PendingAction};
use crate::domain::rollout::{Action, ActionScope, Phase};
use crate::ui::theme::{Role, Theme};

pub struct Confirm<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub pending: &'a PendingAction,
}

impl Confirm<'_> {
    /// What the action does, and for a resume while stop conditions are in
    /// breach, that they are.
    fn consequence(&self) -> String {
        let mut text = self.effect();
        if self.pending.action == Action::Resume {
            // Resuming lets the wave go on: say what would stop it.
            let v = self.state.verdict();
            let against: Vec<&str> = v
                .reasons
                .iter()
                .filter(|r| r.why != Why::ScorecardGo)
                .map(|r| r.text.as_str())
                .collect();
            if v.about(Why::Breach).next().is_some() {
                text = format!(
                    "{text} Stop conditions are in breach: {}.",
                    against.join("; ")
                );
            } else if !against.is_empty() {
                text = format!("{text} The gate is blocked: {}.", against.join("; "));
            }
        }
        text
    }

    fn effect(&self) -> String {
        let plan = &self.state.plan;
        if let ActionScope::Region(region) = &self.pending.scope {
            let weight = self
                .state
                .canary_weight(region)
                .map_or_else(|| "its current weight".to_string(), |w| format!("{w}%"));
            return match self.pending.action {
                Action::Pause => format!(
                    "The canary weight in {region} stays at {weight}; the other regions go on with the waves."
                ),
                Action::Resume => format!("{region} follows the waves again."),
                Action::Promote => format!("{region}'s rollout moves to its next step now."),
                Action::Rollback => format!(
                    "All traffic in {region} goes back to {}; the other regions are untouched.",
                    plan.stable_version
                ),
                Action::Retry => format!("{region}'s aborted rollout starts again."),
            };
        }
        let wave = self.state.rollout.as_ref().map_or(0, |r| r.wave);
        match self.pending.action {
            Action::Pause => {
                "Traffic weights stay as they are and the hold clock stops.".to_string()
            }
            Action::Resume => {
                "The hold clock runs again; the next wave follows when it ends.".to_string()
            }
            Action::Promote => match plan.waves.waves.get(wave.saturating_add(1)) {
                Some(next) => {
                    let paused = self
                        .state
                        .rollout
                        .as_ref()
                        .is_some_and(|r| r.phase == Phase::Paused);
                    format!(
                        "Skips the rest of this hold: {} gets {}% in {} now.{}",
                        plan.canary_version,
                        next.weight,
                        next.scope,
                        if paused { " The rollout resumes." } else { "" }
                    )
                }
                None => format!(
                    "The last wave: {} serves all traffic now.",
                    plan.canary_version
                ),
            },
            Action::Rollback => format!(
                "All traffic in {} regions goes back to {}; {} leaves every region.",
                plan.regions.len(),
                plan.stable_version,
                plan.canary_version
            ),
            Action::Retry => format!(
                "The aborted rollout of {} starts again from its first step.",
                plan.canary_version
            ),
        }
    }
}

impl Widget for Confirm<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let action = self.pending.action;
        let danger = action == Action::Rollback;
        let role = if danger { Role::Breach } else { Role::Accent };
        let verb = action.verb();
        let title = format!(" Confirm: {verb} ");
        let target = format!(
            "{} {} → {}",
            state.plan.service, state.plan.stable_version, state.plan.canary_version,
        );
        let (scope, other) = match &self.pending.scope {
            ActionScope::Rollout => (
                format!("all {} regions", state.plan.regions.len()),
                state
                    .selected_region()
                    .map(|r| format!("only {r}"))
                    .unwrap_or_default(),
            ),
            ActionScope::Region(r) => (format!("{r} only"), "all regions".to_string()),
        };
        let mut scope_line = vec![
            Span::styled("Scope ", theme.role(Role::Muted)),
            Span::styled(scope, theme.role(role).add_modifier(Modifier::BOLD)),
        ];
        if !other.is_empty() {
            scope_line.extend([
                Span::raw("    "),
                Span::styled("Tab", theme.role(Role::Accent)),
                Span::styled(format!(" {other}"), theme.role(Role::Muted)),
            ]);
        }
        // Tab is named on the scope line above.
        let first = (action == Action::Rollback).then_some(Role::Breach);
        let keys = key_hints(state, theme, &["Tab"], first);
        let mut heading = verb.to_string();
        if let Some(first) = heading.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        let lines = vec![
            Line::from(vec![
                Span::styled(format!("{heading} "), theme.role(role)),
                Span::raw(target),
            ]),
            Line::from(scope_line),
            Line::raw(""),
            Line::raw(self.consequence()),
            Line::raw(""),
            keys,
        ];
        let width = area.width.min(64);
        let (lines, rows) = fit_rows(
            lines,
            area.height.saturating_sub(2),
            width.saturating_sub(4),
            theme,
        );
        let rect = centered(area, width, rows + 2);
        clear(rect, buf, theme);
        let block = Block::bordered()
            .border_style(theme.role(role))
            .title(Line::styled(title, theme.role(role)));
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
            .render(rect, buf);
    }
}
