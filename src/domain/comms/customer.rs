//! The customer update: the symptom in plain words, where (by public
//! names), what was done, the next update. Never a version, host, URL,
//! ETA or internal name: the last step removes any line that would.

use super::words::{and_list, hhmm};
use super::{Inputs, guard, leaks};

pub(super) fn draft(i: &Inputs) -> String {
    let text = compose(i);
    let guarded = guard(&text, &i.forbidden());
    if guarded.trim().is_empty() {
        return fallback(i);
    }
    guarded
}

/// The plan's product name, unless it names something internal itself.
fn product(i: &Inputs) -> String {
    i.comms
        .product
        .clone()
        .filter(|p| leaks(p, &i.forbidden()).is_empty())
        .unwrap_or_else(|| "our service".to_string())
}

fn compose(i: &Inputs) -> String {
    let product = product(i);
    let mut out = Vec::new();
    if !i.troubled() {
        out.push(format!("{product}: operating normally"));
        out.push(String::new());
        out.push(format!(
            "{product} is operating normally. We are not aware of any customer impact."
        ));
        if let Some(next) = i.next_update {
            out.push(format!("We will post another update by {}.", hhmm(next)));
        }
        return out.join("\n") + "\n";
    }
    let place = places(i);
    let heading = match i.rolled_back {
        true => "recovering",
        false => "degraded service",
    };
    out.push(format!("{product}: {heading}"));
    out.push(String::new());
    let symptoms = symptom_words(i);
    out.push(format!(
        "Some customers{place} may have experienced {symptoms} when using {product}."
    ));
    let done = if i.rolled_back {
        "We rolled back a recent change and are watching the service recover."
    } else if i.phase == Some(crate::domain::rollout::Phase::Paused) {
        "We have stopped a recent change from reaching more customers and are investigating."
    } else {
        "We are investigating and will act to limit the impact."
    };
    out.push(done.to_string());
    out.push(String::new());
    out.push(match i.next_update {
        Some(next) => format!("We will post the next update by {}.", hhmm(next)),
        None => "We will post the next update as soon as we know more.".to_string(),
    });
    out.join("\n") + "\n"
}

/// ` in North America East and Europe`, or nothing when no affected
/// region has a public name.
fn places(i: &Inputs) -> String {
    let named: Vec<String> = i
        .regions
        .iter()
        .filter(|r| r.breached)
        .filter_map(|r| i.comms.public_name(&r.region))
        .filter(|name| leaks(name, &i.forbidden()).is_empty())
        .map(str::to_string)
        .collect();
    match named.is_empty() {
        true => String::new(),
        false => format!(" in {}", and_list(&named)),
    }
}

fn symptom_words(i: &Inputs) -> String {
    let words: Vec<String> = i
        .symptoms()
        .into_iter()
        .map(|s| s.words().to_string())
        .collect();
    match words.is_empty() {
        true => "degraded service".to_string(),
        false => and_list(&words),
    }
}

/// Said when every line of the draft named something it must not: the
/// plan's names themselves are internal then.
fn fallback(i: &Inputs) -> String {
    let next = match i.next_update {
        Some(next) => format!("We will post the next update by {}.", hhmm(next)),
        None => "We will post the next update as soon as we know more.".to_string(),
    };
    format!(
        "Service update\n\nWe are looking into an issue that may affect some customers.\n{next}\n"
    )
}
