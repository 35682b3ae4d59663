//! A replayed session's timeline in Markdown, laid out as `warroom
//! timeline` lays out the audit log's: a heading, where it comes from, one
//! table row per event, times in UTC.

use super::Player;
use crate::domain::timeline::EventKind;

/// A cell of a markdown table: a `|` would end it, a newline break it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn kind_word(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Progress => "progress",
        EventKind::Breach => "breach",
        EventKind::ActionAttempt => "action asked",
        EventKind::ActionOk => "action done",
        EventKind::ActionFailed => "action failed",
        EventKind::ActionUnknown => "action unknown",
        EventKind::Source => "source",
        EventKind::Annotation => "annotation",
        EventKind::Notification => "notification",
        EventKind::Failed => "failed",
    }
}

/// Every event the session's timeline showed, in order.
pub fn export(player: &Player, journal: &str) -> String {
    let header = &player.header;
    let service = &player.state().plan.service;
    let mut out = format!("## Timeline of {}\n\n", cell(service));
    out.push_str(&format!(
        "Replayed from the journal `{}` ({:?}, operator {}, started {}); times in UTC.\n\n",
        journal.replace('`', "'"),
        header.kind,
        cell(&header.operator),
        header.started.format("%Y-%m-%d %H:%M:%S"),
    ));
    if player.torn {
        out.push_str("The journal's last line was cut short and is left out.\n\n");
    }
    let events = player.events();
    if events.is_empty() {
        out.push_str("Nothing happened.\n");
        return out;
    }
    out.push_str("| time (UTC) | kind | what |\n| --- | --- | --- |\n");
    for (_, event) in events {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            event.at.format("%Y-%m-%d %H:%M:%S"),
            kind_word(event.kind),
            cell(&event.text)
        ));
    }
    out
}
