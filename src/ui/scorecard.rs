//! The go / no-go scorecard: a panel on wide screens, and an overlay (`s`)
//! where items are read in full and set with a note. Also the modal that asks
//! for a reason to promote in spite of NO-GO.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Widget, Wrap};

use super::fit;
use super::footer::key_hints;
use super::format::duration;
use super::{centered, clear, panel};
use crate::app::state::{AppState, ScorecardView};
use crate::domain::scorecard::{Item, Scorecard, Status};
use crate::ui::theme::{Role, Theme};

/// Rows the panel needs: one per item and its frame.
pub const HEIGHT: u16 = Item::ALL.len() as u16 + 2;

/// The glyph and role a status is shown with.
pub fn status_look(status: Status, theme: &Theme) -> (&str, Role) {
    let s = &theme.symbols;
    match status {
        Status::Green => (&s.ok, Role::Ok),
        Status::Amber => (&s.warn, Role::Warn),
        Status::Red => (&s.breach, Role::Breach),
        Status::Unknown => (&s.no_data, Role::NoData),
    }
}

/// "GO" or "NO-GO" with the count of items not green. When the scorecard
/// alone is GO but the war room's verdict is not, the title says both, so
/// it never reads as a GO under a NO-GO header.
pub fn verdict_title(card: &Scorecard, call: crate::app::verdict::Call) -> String {
    let not_green = card.not_green().count();
    let items = match not_green {
        0 => String::new(),
        n => format!(", {n} of 7 not green"),
    };
    match (card.is_no_go(), call.is_go()) {
        (true, _) => format!("Scorecard · NO-GO{items}"),
        (false, true) => format!("Scorecard · GO{items}"),
        (false, false) => format!("Scorecard · items GO{items} · overall {}", call.word()),
    }
}

/// A short title of each item, for the panel.
fn short(item: Item) -> &'static str {
    match item {
        Item::SuccessMetrics => "stop conditions approved",
        Item::Baseline => "baseline documented",
        Item::Pilot => "pilot feedback re-tested",
        Item::Support => "support staffed",
        Item::Dashboards => "dashboards, alerts live",
        Item::Runbooks => "rollback rehearsed",
        Item::Communications => "communications ready",
    }
}

/// The fewest columns of evidence worth showing beside an item.
const EVIDENCE_MIN: usize = 12;

pub struct ScorecardPanel<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

impl Widget for ScorecardPanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let card = state.scorecard();
        let title = verdict_title(&card, state.verdict().call);
        let block = panel(&title, theme, false, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width as usize;
        let lines: Vec<Line> = card
            .lines
            .iter()
            .map(|l| {
                let (glyph, role) = status_look(l.status, theme);
                let head = format!(
                    "{glyph} {:<7} {:<25}",
                    l.status.word().to_uppercase(),
                    short(l.item)
                );
                let rest = width.saturating_sub(head.chars().count() + 1);
                // A word or two of evidence says nothing ("4…"): none then.
                let evidence = if rest >= EVIDENCE_MIN {
                    format!(" {}", fit::words(&super::shared(state, &l.evidence), rest))
                } else {
                    String::new()
                };
                Line::from(vec![
                    Span::styled(head, theme.role(role)),
                    Span::styled(evidence, theme.role(Role::Muted)),
                ])
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}

/// The scorecard in full, with the selected item and the note being typed.
pub struct ScorecardOverlay<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub view: &'a ScorecardView,
}

impl Widget for ScorecardOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme, view) = (self.state, self.theme, self.view);
        let card = state.scorecard();
        let no_go = card.is_no_go();
        let role = if no_go { Role::Breach } else { Role::Ok };
        let width = area.width.saturating_sub(4).min(100);
        let text_width = width.saturating_sub(4) as usize;
        let mut lines = Vec::new();
        // Where the selected item's lines end, so a short screen scrolls to it.
        let mut selected_end = 0;
        for (i, l) in card.lines.iter().enumerate() {
            let (glyph, status_role) = status_look(l.status, theme);
            let selected = i == view.selected;
            let marker = if selected { "›" } else { " " };
            let kind = if l.item.is_judged() {
                "judged"
            } else {
                "set by hand"
            };
            // The title wraps under itself, after the status.
            let heading = format!("{}  ({kind})", l.item.title());
            let parts = fit::wrap(&heading, text_width.saturating_sub(12));
            for (i, part) in parts.into_iter().enumerate() {
                let lead = if i == 0 {
                    format!("{marker} {glyph} {:<7} ", l.status.word().to_uppercase())
                } else {
                    " ".repeat(12)
                };
                let (title, kind) = match part.find("  (") {
                    Some(at) => (part[..at].to_string(), part[at..].to_string()),
                    None if part.starts_with('(') => (String::new(), part),
                    None => (part, String::new()),
                };
                let mut spans = vec![
                    Span::styled(lead, theme.role(status_role)),
                    Span::styled(title, theme.role(Role::Text)),
                    Span::styled(kind, theme.role(Role::Muted)),
                ];
                if selected {
                    for s in &mut spans {
                        s.style = s.style.patch(theme.selection());
                    }
                }
                lines.push(Line::from(spans));
            }
            let owner = l
                .owner
                .as_deref()
                .map_or_else(|| "no owner".to_string(), |o| format!("owner {o}"));
            let mut detail = format!("{owner} · {}", super::shared(state, &l.evidence));
            if let Some((who, at)) = &l.set_by {
                detail.push_str(&format!(" — {who}, {} ago", duration(state.now - *at)));
            }
            for part in fit::wrap(&detail, text_width.saturating_sub(12)) {
                lines.push(Line::styled(
                    format!("            {part}"),
                    theme.role(Role::Muted),
                ));
            }
            if selected {
                selected_end = lines.len();
            }
        }
        lines.push(Line::raw(""));
        match &view.editing {
            Some((status, note)) => {
                let item = Item::ALL
                    .get(view.selected)
                    .copied()
                    .unwrap_or(Item::Baseline);
                let (glyph, status_role) = status_look(*status, theme);
                lines.push(Line::from(vec![
                    Span::raw(format!("{item} → ")),
                    Span::styled(
                        format!("{glyph} {}", status.word()),
                        theme.role(status_role),
                    ),
                    Span::raw(" · note: "),
                    Span::styled(format!("{note}▏"), theme.role(Role::Accent)),
                ]));
                lines.push(key_hints(state, theme, &[], None));
            }
            None => lines.push(key_hints(state, theme, &[], None)),
        }
        // Too short for all of it: the items above the selected one scroll
        // away, and a line says so.
        let room = usize::from(area.height.saturating_sub(2));
        let below = lines.len() - selected_end;
        let wanted = selected_end + below.min(3);
        if wanted > room && room > 2 {
            let skip = (wanted - room + 1).min(selected_end);
            lines.drain(..skip);
            lines.insert(
                0,
                Line::styled(
                    fit::words(&format!("↑ {skip} more lines above"), usize::from(width)),
                    theme.role(Role::Warn),
                ),
            );
        }
        let (lines, rows) = fit_rows(
            lines,
            area.height.saturating_sub(2),
            width.saturating_sub(4),
            theme,
        );
        let rect = centered(area, width, rows + 2);
        clear(rect, buf, theme);
        let title = format!(" {} ", verdict_title(&card, state.verdict().call));
        let block = Block::bordered()
            .border_style(theme.role(role))
            .title(Line::styled(title, theme.role(role)))
            .padding(Padding::horizontal(1));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block)
            .render(rect, buf);
    }
}

/// `lines` wrapped at `width` in at most `rows` rows, and the rows they
/// take: when they do not fit, the last row says so, so an overlay never
/// hides its end without a word.
pub(crate) fn fit_rows(
    mut lines: Vec<Line<'static>>,
    rows: u16,
    width: u16,
    theme: &Theme,
) -> (Vec<Line<'static>>, u16) {
    let width = usize::from(width).max(1);
    let rows = usize::from(rows);
    // Rows as a word wrap takes them, which may be more than width alone says.
    let tall = |l: &Line| {
        let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        fit::wrap(&text, width)
            .len()
            .max(l.width().div_ceil(width))
            .max(1)
    };
    let total: usize = lines.iter().map(tall).sum();
    if total <= rows {
        return (lines, total as u16);
    }
    let mut used = 0;
    let mut kept = 0;
    for l in &lines {
        if used + tall(l) + 1 > rows {
            break;
        }
        used += tall(l);
        kept += 1;
    }
    let hidden = lines.len() - kept;
    lines.truncate(kept);
    if rows > used {
        let note = format!("… {hidden} more lines: enlarge the terminal to read them");
        lines.push(Line::styled(
            fit::words(&note, width),
            theme.role(Role::Warn),
        ));
        used += 1;
    }
    (lines, used as u16)
}

/// Promote in spite of NO-GO: says what is not green and takes a reason.
pub struct OverrideModal<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
    pub reason: &'a str,
}

impl Widget for OverrideModal<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let plan = &state.plan;
        let mut lines = vec![
            Line::from(vec![
                Span::styled("Promote ", theme.role(Role::Breach)),
                Span::raw(format!(
                    "{} {} → {} in spite of NO-GO",
                    plan.service, plan.stable_version, plan.canary_version
                )),
            ]),
            Line::raw(""),
        ];
        for reason in state.no_go_reasons() {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} ", theme.symbols.breach),
                    theme.role(Role::Breach),
                ),
                Span::raw(reason),
            ]));
        }
        lines.extend([
            Line::raw(""),
            Line::raw("The reason is recorded in the audit log with the promote."),
            Line::from(vec![
                Span::raw("Reason: "),
                Span::styled(format!("{}▏", self.reason), theme.role(Role::Accent)),
            ]),
            Line::raw(""),
            key_hints(state, theme, &[], None),
        ]);
        typing_modal(lines, " NO-GO: override ", Role::Breach, area, buf, theme);
    }
}

/// A modal where a line is typed: `lines` in a frame of `role`, titled,
/// at most 72 columns wide, centred in `area`, cut to fit its height.
pub(crate) fn typing_modal(
    lines: Vec<Line<'static>>,
    title: &str,
    role: Role,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let width = area.width.min(72);
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
        .title(Line::styled(title.to_string(), theme.role(role)))
        .padding(Padding::horizontal(1));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(rect, buf);
}
