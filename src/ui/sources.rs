//! The sources: each one's state (ok, slow, failing with its error, waiting),
//! how long its last poll took and how old its last good answer is.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit::{self, Phrase, pack};
use super::format::duration;
use super::panel;
use crate::app::receivers::{DeliveryState, ReceiverHealth};
use crate::app::state::{AppState, SourceCondition};
use crate::ui::theme::{Role, Theme};

pub struct Sources<'a> {
    pub state: &'a AppState,
    pub theme: &'a Theme,
}

/// Rows of one source's error, wrapped between words, at most.
const ERROR_ROWS: usize = 3;

/// Rows the panel needs in `width` columns: a line per source, the error
/// of a failing one wrapped below it, and the frame.
pub fn height(state: &AppState, theme: &Theme, width: u16) -> u16 {
    lines(state, theme, usize::from(width.saturating_sub(2))).len() as u16 + 2
}

fn ms(d: std::time::Duration) -> String {
    format!("{} ms", d.as_millis())
}

/// Each source's line: its glyph, name and condition as whole phrases;
/// a failing source's error below it, wrapped between words.
fn lines(state: &AppState, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let sym = &theme.symbols;
    let mut out = Vec::new();
    for s in &state.sources {
        let mut error = None;
        let (glyph, role, words) = match s.condition(state.now) {
            SourceCondition::Waiting => (
                &sym.no_data,
                Role::NoData,
                vec!["waiting for a first answer".to_string()],
            ),
            SourceCondition::Ok { age, took } => (
                &sym.ok,
                Role::Ok,
                vec!["ok".to_string(), ms(took), format!("{} ago", duration(age))],
            ),
            SourceCondition::Slow { age, took } => (
                &sym.warn,
                Role::Warn,
                vec![
                    "slow".to_string(),
                    ms(took),
                    format!("last answer {} ago", duration(age)),
                ],
            ),
            SourceCondition::Failing {
                error: e,
                failures,
                since_ok,
            } => {
                error = Some(super::shared(state, &e));
                let last = since_ok.map_or_else(
                    || "never ok".to_string(),
                    |a| format!("ok {} ago", duration(a)),
                );
                (
                    &sym.breach,
                    Role::Breach,
                    vec![format!("failing ×{failures}"), last],
                )
            }
        };
        let mut phrases = vec![Phrase::new(
            9,
            vec![
                Span::styled(format!("{glyph} "), theme.role(role)),
                Span::styled(
                    format!("{} ", super::shared(state, &s.info.name)),
                    theme.role(Role::Text),
                ),
            ],
        )];
        for (i, w) in words.into_iter().enumerate() {
            let text = if i == 0 { w } else { format!(" · {w}") };
            let keep = 8u8.saturating_sub(u8::try_from(i).unwrap_or(u8::MAX));
            phrases.push(Phrase::new(
                keep,
                vec![Span::styled(text, theme.role(role))],
            ));
        }
        if let Some(note) = s.notes.first() {
            let note = super::shared(state, note);
            phrases.push(Phrase::new(
                1,
                vec![Span::styled(
                    format!("  {} {note}", sym.warn),
                    theme.role(Role::Warn),
                )],
            ));
        }
        out.push(Line::from(pack(phrases, width)));
        if let Some(e) = error {
            let rows = fit::at_most(
                fit::wrap(&e, width.saturating_sub(2)),
                ERROR_ROWS,
                width.saturating_sub(2),
            );
            out.extend(
                rows.into_iter()
                    .map(|r| Line::styled(format!("  {r}"), theme.role(role))),
            );
        }
    }
    for r in &state.receivers {
        out.extend(receiver_lines(r, state, theme, width));
    }
    out
}

/// A notification receiver's line, by its name and kind (never its URL):
/// how the last delivery went, retries, what waits and what was dropped;
/// a failure's reason below it.
fn receiver_lines(
    r: &ReceiverHealth,
    state: &AppState,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let sym = &theme.symbols;
    let ago =
        |t: crate::domain::Timestamp| duration((state.now - t).max(crate::domain::Span::zero()));
    let mut error = None;
    let mut age = None;
    let (glyph, role, mut words) = match &r.last {
        None => (
            &sym.no_data,
            Role::NoData,
            vec!["nothing sent yet".to_string()],
        ),
        Some((at, event, DeliveryState::Delivered { .. })) => {
            age = Some(format!("{} ago", ago(*at)));
            (&sym.ok, Role::Ok, vec![format!("ok · {event} delivered")])
        }
        Some((_, event, DeliveryState::Retrying { tries, why })) => {
            error = Some(super::shared(state, why));
            (
                &sym.warn,
                Role::Warn,
                vec![format!("retrying {event} · try {tries} failed")],
            )
        }
        Some((at, event, DeliveryState::Failed { tries, why })) => {
            error = Some(super::shared(state, why));
            age = Some(format!("{} ago", ago(*at)));
            (
                &sym.breach,
                Role::Breach,
                vec![format!("FAILED {event} after {tries} tries")],
            )
        }
    };
    if r.retries > 0 {
        words.push(format!("retries {}", r.retries));
    }
    if r.queued > 0 {
        words.push(format!("queued {}", r.queued));
    }
    if r.dropped > 0 {
        words.push(format!("dropped {}", r.dropped));
    }
    words.extend(age);
    let mut phrases = vec![Phrase::new(
        9,
        vec![
            Span::styled(format!("{glyph} "), theme.role(role)),
            Span::styled(format!("{} {} ", r.kind, r.name), theme.role(Role::Text)),
        ],
    )];
    for (i, w) in words.into_iter().enumerate() {
        let text = if i == 0 { w } else { format!(" · {w}") };
        let keep = 8u8.saturating_sub(u8::try_from(i).unwrap_or(u8::MAX));
        phrases.push(Phrase::new(
            keep,
            vec![Span::styled(text, theme.role(role))],
        ));
    }
    let mut out = vec![Line::from(pack(phrases, width))];
    if let Some(e) = error {
        let rows = fit::at_most(
            fit::wrap(&e, width.saturating_sub(2)),
            ERROR_ROWS,
            width.saturating_sub(2),
        );
        out.extend(
            rows.into_iter()
                .map(|row| Line::styled(format!("  {row}"), theme.role(role))),
        );
    }
    out
}

impl Widget for Sources<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (state, theme) = (self.state, self.theme);
        let block = panel("Sources", theme, false, area.width);
        let inner = block.inner(area);
        block.render(area, buf);
        Paragraph::new(lines(state, theme, usize::from(inner.width))).render(inner, buf);
    }
}
