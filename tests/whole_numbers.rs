//! Numbers are never cut: at every terminal size the dashboard can be drawn
//! in, every number-like word on screen is a whole value the state would
//! show — never `94ms` for `494ms`, `0.16pp` for `-0.16pp` or `01s` for
//! `2m01s`. A value that does not fit is dropped or shown as a marker; a
//! name that does not fit ends in `…`.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use warroom::app::state::{AppState, Dora, SourceCondition};
use warroom::domain::Span;
use warroom::domain::dora::Measure;
use warroom::domain::health::VersionRole;
use warroom::runtime::demo::state_at;
use warroom::sim::FleetSpec;
use warroom::ui;
use warroom::ui::format::{clock, duration};
use warroom::ui::theme::{self, Theme};

fn theme() -> Theme {
    theme::resolve(None, false).unwrap().0.remove(0)
}

fn screen(state: &AppState, theme: &Theme, width: u16, height: u16) -> Vec<String> {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    ui::Dashboard { state, theme }.render(area, &mut buf);
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// Characters that end a word on screen: spaces, frames, separators and
/// the brackets and punctuation that sit around values.
fn separator(c: char) -> bool {
    c.is_whitespace()
        || ('\u{2500}'..='\u{257f}').contains(&c) // box drawing
        || ('\u{2580}'..='\u{259f}').contains(&c) // bars of the sparklines
        || "·()[],;:\"'→›".contains(c)
}

/// The words of `text` that hold a digit: the ones that must be whole.
fn number_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(separator)
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// Everything the state would show, formatted as the screen formats it:
/// its values, the texts it carries (timeline, notice, scorecard evidence,
/// source errors, the gate's reasons) and the counts the panels name.
/// Clock times are kept whole (`09:01:25`) as well as word by word.
fn vocabulary(state: &AppState) -> (BTreeSet<String>, Vec<String>) {
    // The matrix's column names that hold a digit.
    let mut texts: Vec<String> = vec!["p99 Δp99".to_string()];
    let plan = &state.plan;
    texts.push(format!(
        "{} {} {}",
        plan.service, plan.stable_version, plan.canary_version
    ));
    texts.push(clock(state.now));
    // When the next status update is due, as the header says it.
    if let Some(due) = warroom::app::comms::next_due(state) {
        texts.push(due.at.format("%H:%M").to_string());
    }
    for (i, wave) in plan.waves.waves.iter().enumerate() {
        texts.push(format!(
            "{} {} {}% {} {} {}/{}",
            i + 1,
            wave.name,
            wave.weight,
            wave.scope,
            duration(wave.hold),
            i + 1,
            plan.waves.len()
        ));
        if let warroom::domain::rollout::Scope::Regions(list) = &wave.scope {
            texts.push(format!("{} regions", list.len()));
        }
    }
    if let Some(rollout) = &state.rollout {
        if let Some(wave) = plan.waves.waves.get(rollout.wave) {
            texts.push(duration((wave.hold - rollout.held).max(Span::zero())));
        }
        for r in &rollout.regions {
            texts.push(format!("{} {}%", r.region, r.canary_weight));
        }
    }
    let regions = state.health.regions();
    for (i, region) in regions.iter().enumerate() {
        texts.push(region.clone());
        let cells = VersionRole::ALL.map(|v| state.health.cell(i, v));
        let own = state.health.region_cell(i);
        for signal in plan.signals.iter() {
            for cell in cells.iter().flatten().chain(own.iter()) {
                if let Some(v) = cell.latest(signal) {
                    texts.push(signal.format(v));
                }
            }
            let [stable, canary] = cells;
            let latest =
                |c: Option<&warroom::domain::health::Cell>| c.and_then(|c| c.latest(signal));
            if latest(canary).is_some() && latest(stable).is_some() {
                texts.push(signal.delta(latest(canary), latest(stable)));
            }
        }
        if let Some(score) = state.judgment(region).and_then(|j| j.score) {
            texts.push(format!("{score:.0}"));
        }
    }
    // The service's own signals, beneath the matrix.
    for signal in plan.signals.iter() {
        if let Some(v) = state.health.service().latest(signal) {
            texts.push(signal.format(v));
        }
    }
    let conditions = state.guardrails.conditions();
    for (c, s) in conditions.iter().zip(state.guardrails.status()) {
        texts.push(c.to_string());
        if let Some(v) = s.value {
            texts.push(c.show(v));
        }
        use warroom::domain::guardrail::GuardrailState::{Breach, Tripping};
        if let Tripping { since } | Breach { since } = s.state {
            texts.push(duration(state.now - since));
        }
    }
    let count = conditions.len();
    texts.extend((0..=count).map(|n| n.to_string()));
    if let Some(gate) = state.gate() {
        texts.push(format!("wave {}", gate.wave + 2));
        texts.extend(gate.summary());
        texts.extend(gate.blockers.iter().map(ToString::to_string));
    }
    for e in state.timeline.newest_first() {
        texts.push(clock(e.at));
        texts.push(e.text.clone());
    }
    if let Some(n) = &state.notice {
        texts.push(n.text.clone());
    }
    for s in &state.sources {
        texts.push(s.info.name.clone());
        match s.condition(state.now) {
            SourceCondition::Ok { age, took } | SourceCondition::Slow { age, took } => {
                texts.push(format!("{} ms {}", took.as_millis(), duration(age)));
            }
            SourceCondition::Failing {
                error,
                failures,
                since_ok,
            } => {
                texts.push(format!("×{failures} {error}"));
                texts.extend(since_ok.map(duration));
            }
            SourceCondition::Waiting => {}
        }
        texts.extend(s.notes.iter().cloned());
    }
    let (freshest, stalest) = state.data_ages();
    texts.extend(freshest.map(duration));
    texts.extend(stalest.flatten().map(duration));
    let card = state.scorecard();
    texts.push(format!("{} of 7", card.not_green().count()));
    for line in &card.lines {
        texts.push(line.evidence.clone());
        texts.extend(line.owner.clone());
    }
    if let Dora::Ready { summary, .. } = &state.dora {
        texts.push(format!(
            "{} days {} {}",
            warroom::app::state::DORA_WINDOW_DAYS,
            summary.deployments,
            summary.failed_deployments
        ));
        let measures = [
            &summary.deployment_frequency,
            &summary.lead_time_median,
            &summary.lead_time_p90,
            &summary.change_failure_rate,
            &summary.recovery_time_median,
            &summary.rework_rate,
        ];
        for m in measures {
            match m {
                Measure::Value { value, .. } => {
                    texts.push(format!("{value:.1}"));
                    texts.push(ui::format::human_seconds(*value));
                    texts.push(format!("{:.1}%", value * 100.0));
                    texts.push(format!("p90 {}", ui::format::human_seconds(*value)));
                }
                Measure::NotEnough { why } => texts.push(why.clone()),
            }
        }
    }
    let mut words: BTreeSet<String> = BTreeSet::new();
    for t in &texts {
        words.extend(number_words(t).map(str::to_string));
        // The clock is one word on screen, whole.
        if t.len() == 8 && t.as_bytes().get(2) == Some(&b':') {
            words.insert(t.clone());
        }
    }
    // Names that may be shortened with a final `…`.
    let mut names: Vec<String> = regions.to_vec();
    names.extend(state.sources.iter().map(|s| s.info.name.clone()));
    (words, names)
}

/// Every number-like word on `lines` that the state would not show, with
/// where it is.
fn strangers(lines: &[String], words: &BTreeSet<String>, names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (y, line) in lines.iter().enumerate() {
        // Clocks first: `09:01:25` is one word although `:` splits others.
        let mut rest = line.clone();
        for w in words.iter().filter(|w| w.len() == 8 && w.contains(':')) {
            rest = rest.replace(w.as_str(), " ");
        }
        for word in number_words(&rest) {
            if words.contains(word) {
                continue;
            }
            // A whole word, then `…` for what did not fit after it.
            if word.strip_suffix('…').is_some_and(|w| words.contains(w)) {
                continue;
            }
            if let Some(cut) = word.strip_suffix('…')
                && !cut.is_empty()
                && names.iter().any(|n| n.starts_with(cut) && n != cut)
            {
                continue;
            }
            out.push(format!("row {y}: `{word}` in `{}`", line.trim_end()));
        }
    }
    out
}

/// The line beneath a scrolled matrix, `21 of 50 regions shown · ↑ 0 above
/// · ↓ 29 below`, whose counts depend on the window rather than the state:
/// they must add up to the fleet, and once checked the phrase is blanked so
/// the word check does not see it. Phrases that did not fit may be left out,
/// but what is shown is whole.
fn unseen_counts(line: &mut String, regions: usize) -> Result<(), String> {
    let Some(at) = line.find(" regions shown") else {
        return Ok(());
    };
    let head = &line[..at];
    let mut back = head.rsplitn(4, ' ');
    let count = back.next().unwrap_or_default();
    let of = back.next().unwrap_or_default();
    let rows = back.next().unwrap_or_default();
    let start = at - count.len() - of.len() - rows.len() - 2;
    let number = |w: &str| {
        w.parse::<usize>()
            .map_err(|_| format!("`{w}` is not a count"))
    };
    let (rows, count) = (number(rows)?, number(count)?);
    if of != "of" || count != regions {
        return Err(format!("{count} regions named, the fleet has {regions}"));
    }
    let mut end = at + " regions shown".len();
    let mut total = rows;
    for (arrow, word) in [("↑", "above"), ("↓", "below")] {
        let prefix = format!(" · {arrow} ");
        let rest = &line[end..];
        if let Some(tail) = rest.strip_prefix(&prefix) {
            let n = tail.split(' ').next().unwrap_or_default();
            let after = &tail[n.len()..];
            if !after.starts_with(&format!(" {word}")) {
                return Err(format!("`{n}` is cut"));
            }
            total += number(n)?;
            end += prefix.len() + n.len() + 1 + word.len();
        }
    }
    let both = line[at..end].contains("above") && line[at..end].contains("below");
    if both && total != regions {
        return Err(format!("{total} counted of {regions}"));
    }
    let blank = " ".repeat(line[start..end].chars().count());
    line.replace_range(start..end, &blank);
    Ok(())
}

fn check(state: &AppState, sizes: impl Iterator<Item = (u16, u16)>) {
    let theme = theme();
    let (words, names) = vocabulary(state);
    let regions = state.health.regions().len();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for (w, h) in sizes {
        let mut lines = screen(state, &theme, w, h);
        for (y, line) in lines.iter_mut().enumerate() {
            if let Err(e) = unseen_counts(line, regions) {
                failures.push(format!("{w}×{h} row {y}: {e} in `{}`", line.trim_end()));
            }
        }
        for s in strangers(&lines, &words, &names) {
            // One line per cut word, at the first size it shows.
            let word = s.split('`').nth(1).unwrap_or_default().to_string();
            if seen.insert(word) {
                failures.push(format!("{w}×{h} {s}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cut or unknown words, each where it first shows:\n{}",
        failures.len(),
        failures
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every width from 60 to 240 at the heights where the layout changes
/// (the smallest, 80×24's, the two-column threshold and the largest), and
/// every height from 16 to 70 at the widths where it changes. Not the full
/// 181 × 55 grid: a screen takes about 20 ms to draw in a debug build, so
/// the grid would take minutes; this is about 1 200 screens.
fn sizes(heights: &'static [u16], widths: &'static [u16]) -> impl Iterator<Item = (u16, u16)> {
    let across = (60..=240).flat_map(move |w| heights.iter().map(move |&h| (w, h)));
    let down = (16..=70).flat_map(move |h| widths.iter().map(move |&w| (w, h)));
    across.chain(down)
}

/// The demo 85 s in, us-east-1's canary in breach.
#[test]
fn every_number_on_screen_is_whole_at_every_size() {
    let state = state_at(FleetSpec::demo(42), 85);
    assert!(
        state.guardrails.status().iter().any(|s| matches!(
            s.state,
            warroom::domain::guardrail::GuardrailState::Breach { .. }
        )),
        "the fixture must have a breach on screen"
    );
    check(
        &state,
        sizes(
            &[16, 24, 29, 30, 40, 70],
            &[60, 64, 80, 100, 119, 120, 160, 240],
        ),
    );
}

/// Fifty regions: long gates, scrolling matrices and the region names of a
/// large fleet, at fewer heights and widths than the demo.
#[test]
fn every_number_is_whole_with_fifty_regions() {
    let state = state_at(FleetSpec::large(50, 42), 85);
    check(&state, sizes(&[16, 40, 70], &[60, 120, 240]));
}

#[test]
fn the_check_sees_a_cut_value() {
    let words: BTreeSet<String> = ["494ms", "-0.16pp", "2m01s"].map(String::from).into();
    let names = vec!["ap-southeast-1".to_string()];
    let lines = vec![
        " 94ms 0.16pp 01s ".to_string(),
        " 494ms -0.16pp 2m01s ap-south… ".to_string(),
    ];
    let found = strangers(&lines, &words, &names);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|f| f.starts_with("row 0")));
}

#[test]
fn the_check_sees_a_miscounted_window() {
    let mut fine = "│  21 of 50 regions shown · ↑ 0 above · ↓ 29 below   ││ 12ms".to_string();
    assert_eq!(unseen_counts(&mut fine, 50), Ok(()));
    assert!(!fine.contains("21") && fine.contains("12ms"), "{fine}");
    let mut short = "  21 of 50 regions shown · ↑ 0 above · ↓ 9 below".to_string();
    assert!(unseen_counts(&mut short, 50).is_err());
    let mut cut = "  21 of 50 regions shown · ↑ 0 above · ↓ 2".to_string();
    assert!(unseen_counts(&mut cut, 50).is_err());
    let mut other = "  21 of 60 regions shown".to_string();
    assert!(unseen_counts(&mut other, 50).is_err());
}
