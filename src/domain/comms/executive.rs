//! The executive update: status, customer impact and share of traffic,
//! time since the first breach, what changed, next step and decision, the
//! change's effect on the change failure rate (DORA).

use super::internal::{needs, status};
use super::words::{and_list, hhmm, next_update, percent, span};
use super::{DoraEffect, Inputs};

pub(super) fn draft(i: &Inputs) -> String {
    let mut out = vec![
        format!("{}: executive summary, {}", i.service, hhmm(i.now)),
        String::new(),
        format!("Status: {}", status(i)),
        format!("Customer impact: {}", impact(i)),
    ];
    out.push(match i.first_breach {
        Some(since) => format!(
            "Since the first breach: {} (at {})",
            span(i.now - since),
            hhmm(since)
        ),
        None => "Since the first breach: no breach".to_string(),
    });
    let wave = i
        .wave
        .as_ref()
        .map(|w| format!(", wave {}/{} {}", w.number, w.of, w.name))
        .unwrap_or_default();
    out.push(format!(
        "What changed: {} {} → {}{wave}{}",
        i.service,
        i.from_version,
        i.to_version,
        if i.rolled_back { " (rolled back)" } else { "" }
    ));
    let steps = needs(i);
    out.push(format!("Next step: {}", steps.join("; ")));
    out.push(format!("Decision needed: {}", decision(i)));
    out.push(format!("DORA: {}", dora(i)));
    out.push(match next_update(i.next_update) {
        Some(at) => format!("Next update: {at}"),
        None => "Next update: when there is something to tell".to_string(),
    });
    out.join("\n") + "\n"
}

fn impact(i: &Inputs) -> String {
    let affected: Vec<String> = i
        .regions
        .iter()
        .filter(|r| r.breached)
        .map(|r| r.region.clone())
        .collect();
    let share = i
        .traffic_share
        .map(|s| format!("; the new version takes {} of traffic", percent(s)))
        .unwrap_or_default();
    if affected.is_empty() && i.breaches.is_empty() {
        return match i.rolled_back {
            true => format!("none now: all traffic is back on {}{share}", i.from_version),
            false => format!("none seen{share}"),
        };
    }
    let symptoms: Vec<String> = i.symptoms().iter().map(|s| s.words().to_string()).collect();
    let regions = match affected.is_empty() {
        true => "service-wide".to_string(),
        false => format!(
            "in {} of {} regions ({})",
            affected.len(),
            i.regions.len(),
            and_list(&affected)
        ),
    };
    format!("{} {regions}{share}", and_list(&symptoms))
}

fn decision(i: &Inputs) -> String {
    let breached = i.troubled() && !i.rolled_back;
    match (i.rolled_back, breached) {
        (true, _) => "none now; whether to retry after the cause is found".to_string(),
        (false, true) => "roll back, or hold and investigate".to_string(),
        (false, false) => "none".to_string(),
    }
}

fn rate(failed: usize, of: usize) -> String {
    match of {
        0 => "no deployments".to_string(),
        n => format!("{:.0}% ({failed} of {n})", failed as f64 * 100.0 / n as f64),
    }
}

fn dora(i: &Inputs) -> String {
    let Some(d @ DoraEffect { window_days, .. }) = i.dora else {
        return "no delivery history to rate".to_string();
    };
    let now = format!(
        "change failure rate over {window_days} days {}",
        rate(d.failed, d.deployments)
    );
    if d.counted_failed {
        return format!("{now}, this change counted as failed");
    }
    let of = d.deployments + usize::from(!d.includes_this);
    let failed = rate(d.failed + 1, of);
    match i.troubled() {
        true => format!("{now}; {failed} once this change counts as failed"),
        false => format!("{now}; {failed} if this change fails"),
    }
}
