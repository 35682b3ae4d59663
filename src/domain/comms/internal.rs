//! The internal update: conditions, actions, needs, next update.

use super::words::{hhmm, hhmmss, next_update, percent, span};
use super::{Inputs, RegionLine};
use crate::domain::rollout::Phase;

/// How many of the latest actions the update lists.
const ACTIONS_SHOWN: usize = 8;

pub(super) fn draft(i: &Inputs) -> String {
    let mut out = vec![
        format!(
            "# {} {} → {}: internal update, {}",
            i.service,
            i.from_version,
            i.to_version,
            hhmm(i.now)
        ),
        String::new(),
        format!("Status: {}", status(i)),
    ];
    if let Some(since) = i.first_breach {
        out.push(format!(
            "First breach: {} ({} ago)",
            hhmm(since),
            span(i.now - since)
        ));
    }
    out.push(String::new());
    out.push("## Conditions".to_string());
    out.extend(i.regions.iter().map(region));
    if i.breaches.is_empty() {
        out.push("- no stop condition in breach".to_string());
    } else {
        out.push("Stop conditions in breach:".to_string());
        out.extend(i.breaches.iter().map(|b| {
            format!(
                "- {} {}: {} (on breach: {})",
                b.condition, b.place, b.value, b.consequence
            )
        }));
    }
    out.push(String::new());
    out.push("## Actions".to_string());
    if i.actions.is_empty() {
        out.push("- none taken".to_string());
    }
    let skip = i.actions.len().saturating_sub(ACTIONS_SHOWN);
    out.extend(
        i.actions
            .iter()
            .skip(skip)
            .map(|a| format!("- {} {}", hhmmss(a.at), a.text)),
    );
    out.push(String::new());
    out.push("## Needs".to_string());
    out.extend(needs(i).into_iter().map(|n| format!("- {n}")));
    out.push(String::new());
    out.push(match next_update(i.next_update) {
        Some(at) => format!("Next update: {at}"),
        None => "Next update: when there is something to tell".to_string(),
    });
    out.join("\n") + "\n"
}

/// `NO-GO · PAUSED · wave 2/4 early (25%)`.
pub(super) fn status(i: &Inputs) -> String {
    let mut parts = vec![i.call.clone()];
    // Said once when the verdict and the phase are the same words.
    if let Some(phase) = i.phase.filter(|p| p.label() != i.call) {
        parts.push(phase.label().to_string());
    }
    if let Some(w) = &i.wave {
        parts.push(format!(
            "wave {}/{} {} ({}%)",
            w.number, w.of, w.name, w.weight
        ));
    }
    if let Some(share) = i.traffic_share {
        parts.push(format!("new version on {} of traffic", percent(share)));
    }
    let mut s = parts.join(" · ");
    if !i.reasons.is_empty() {
        s = format!("{s}: {}", i.reasons.join("; "));
    }
    s
}

fn region(r: &RegionLine) -> String {
    let weight = r
        .canary_weight
        .map(|w| format!(" (new version {w}%)"))
        .unwrap_or_default();
    format!("- {}: {}{weight}", r.region, r.word)
}

/// What the team needs now, from where the rollout stands.
pub(super) fn needs(i: &Inputs) -> Vec<String> {
    let breached = i.troubled() && !i.rolled_back;
    match (i.rolled_back, breached, i.phase) {
        (true, _, _) => vec![
            "confirm every region is back to normal on the old version".to_string(),
            "find the cause before the change is retried".to_string(),
        ],
        (false, true, Some(Phase::Paused)) => {
            vec!["a decision: roll back, or resume once the cause is understood".to_string()]
        }
        (false, true, Some(Phase::Progressing)) => {
            vec!["pause or roll back now: the change is still spreading".to_string()]
        }
        (false, true, _) => vec!["a decision on the change in breach".to_string()],
        (false, false, Some(Phase::Paused)) => {
            vec!["a decision: resume the paused change, or roll it back".to_string()]
        }
        // No breach, yet no GO (a condition tripping, stale numbers, a
        // NO-GO scorecard): the wave waits, and that is what to watch.
        _ if matches!(i.call.as_str(), "NO-GO" | "STALE" | "NO DATA") => {
            let why = match i.reasons.first() {
                Some(r) => format!(" ({r})"),
                None => String::new(),
            };
            vec![format!("a close watch: the next wave waits{why}")]
        }
        _ => vec!["nothing: the change proceeds as planned".to_string()],
    }
}
