//! `warroom status`: one poll's worth of state as text or JSON, and the exit
//! code pipelines gate on. A pure function of the state.

use std::fmt::Write;

use serde::Serialize;

mod baseline;

use crate::app::state::AppState;
use crate::app::verdict::{Call, Why};
use crate::domain::guardrail::{GuardrailState, cell_state};
use crate::domain::health::{Cell, Gap, Per, Signal, Verdict, VersionRole};
use crate::domain::signal::Signals;

/// The overall answer, which is also the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every watched canary cell has data and no stop condition is past its threshold.
    Healthy,
    /// A stop condition is past its threshold in some region.
    Breach,
    /// A source could not be polled.
    Unreachable,
    /// The sources answered, but there is nothing to judge.
    NoData,
    /// All is well with the numbers, but the go / no-go scorecard says NO-GO.
    NoGo,
}

impl Outcome {
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Healthy => 0,
            Outcome::Breach => 2,
            Outcome::Unreachable => 3,
            Outcome::NoData => 4,
            Outcome::NoGo => 5,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceLine {
    pub name: String,
    pub ok: bool,
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub took_ms: Option<u128>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellLine {
    pub verdict: &'static str,
    /// Every signal of the plan measured here, in the plan's order.
    pub signals: Vec<SignalLine>,
}

/// One signal's latest value, by name, with its unit.
#[derive(Debug, Clone, Serialize)]
pub struct SignalLine {
    pub name: String,
    pub label: String,
    pub unit: String,
    /// `null` when there is no finite value.
    pub value: Option<f64>,
    /// The value as the screen writes it: `1.23%`, `470ms`, `—`.
    pub shown: String,
    /// Whether the health matrix shows it as a column.
    pub column: bool,
    /// Whether stable's value is shown beside the canary's.
    pub compared: bool,
}

impl SignalLine {
    fn of(signal: &Signal, cell: Option<&Cell>, signals: &Signals) -> SignalLine {
        let latest = cell.and_then(|c| c.latest(signal));
        SignalLine {
            name: signal.name().to_string(),
            label: signal.label().to_string(),
            unit: signal.unit().name().to_string(),
            value: latest.filter(|v| v.is_finite()),
            shown: latest.map_or_else(|| "—".to_string(), |v| signal.format(v)),
            column: signal.def().column.is_some(),
            compared: signals.compared().contains(&signal),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionLine {
    pub region: String,
    pub canary_weight: Option<u8>,
    pub stable: CellLine,
    pub canary: CellLine,
    /// The region's own signals (measured per region, whatever the version).
    pub signals: Vec<SignalLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConditionLine {
    pub condition: String,
    pub state: &'static str,
    /// With `no_data`, why there is nothing to judge: `NO DATA`, `STALE`,
    /// `PARTIAL` or `NOT FINITE`, as the screen says it.
    pub gap: Option<&'static str>,
    pub region: Option<String>,
    pub value: Option<f64>,
    /// The value in the condition's terms, e.g. `1.80× stable`.
    pub shown: Option<String>,
    pub on_breach: String,
    /// For a condition relative to before: its window and the value it
    /// compares with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<baseline::ConditionBaseline>,
}

/// The bake after the last wave, with a `[bake]` plan.
#[derive(Debug, Clone, Serialize)]
pub struct BakeLine {
    /// `waiting` (not at the end yet), `baking`, `passed` or `failed`.
    pub state: &'static str,
    /// The plan's bake time, in seconds.
    pub for_seconds: i64,
    /// While baking, the seconds still to go.
    pub left_seconds: Option<i64>,
    /// When the bake started: one poll sees the end now, unless the
    /// deployment source says when its last wave started.
    pub since: Option<crate::domain::Timestamp>,
    /// Why it failed.
    pub why: Option<String>,
}

fn bake_line(state: &AppState) -> Option<BakeLine> {
    use crate::domain::bake::BakeState;
    let plan = state.plan.bake?;
    let bake = state.bake.as_ref();
    Some(BakeLine {
        state: bake.map_or("waiting", BakeState::word),
        for_seconds: plan.period.num_seconds(),
        left_seconds: match bake {
            Some(b @ BakeState::Baking { .. }) => Some(b.left(&plan, state.now).num_seconds()),
            _ => None,
        },
        since: bake.map(BakeState::since),
        why: match bake {
            Some(BakeState::Failed { why, .. }) => Some(why.clone()),
            _ => None,
        },
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub outcome: Outcome,
    /// The dashboard's verdict word, and why it is not GO.
    pub verdict: &'static str,
    pub reasons: Vec<String>,
    pub service: String,
    pub stable_version: String,
    pub canary_version: String,
    pub phase: Option<&'static str>,
    pub wave: Option<usize>,
    /// With a `[bake]` plan: where the bake stands.
    pub bake: Option<BakeLine>,
    pub sources: Vec<SourceLine>,
    pub regions: Vec<RegionLine>,
    /// The signals measured for the whole service.
    pub service_signals: Vec<SignalLine>,
    pub stop_conditions: Vec<ConditionLine>,
    pub scorecard: ScorecardReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScorecardLine {
    pub item: &'static str,
    pub title: &'static str,
    pub status: &'static str,
    pub owner: Option<String>,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScorecardReport {
    pub no_go: bool,
    pub items: Vec<ScorecardLine>,
}

impl From<&crate::domain::scorecard::Scorecard> for ScorecardReport {
    fn from(card: &crate::domain::scorecard::Scorecard) -> Self {
        ScorecardReport {
            no_go: card.is_no_go(),
            items: card
                .lines
                .iter()
                .map(|l| ScorecardLine {
                    item: l.item.key(),
                    title: l.item.title(),
                    status: l.status.word(),
                    owner: l.owner.clone(),
                    evidence: l.evidence.clone(),
                })
                .collect(),
        }
    }
}

/// One line per item, then the verdict.
fn write_scorecard(out: &mut String, card: &ScorecardReport) {
    for l in &card.items {
        let owner = l
            .owner
            .as_deref()
            .map_or_else(|| "no owner".to_string(), |o| format!("owner {o}"));
        let _ = writeln!(
            out,
            "  {:<8} {:<50} {owner}: {}",
            l.status.to_uppercase(),
            l.title,
            l.evidence
        );
    }
    let not_green = card.items.iter().filter(|l| l.status != "green").count();
    let verdict = if card.no_go { "NO-GO" } else { "GO" };
    let _ = writeln!(out, "{verdict}: {not_green} of 7 not green");
}

fn cell_line(state: &AppState, region: usize, version: VersionRole) -> CellLine {
    let cell = state.health.cell(region, version);
    let baseline = match version {
        VersionRole::Canary => state.health.cell(region, VersionRole::Stable),
        VersionRole::Stable => None,
    };
    let conditions = state.guardrails.conditions();
    // Nothing to judge says why: no data, partial, not finite, stale.
    // A canary cell no condition judges (they watch the region's own
    // signals, or the value before) takes its region's state, as its row
    // on screen does; one poll sees no durations, so past a limit is a breach.
    let region_state = || {
        let name = state.health.regions().get(region)?;
        state.guardrails.state_in(name)
    };
    let canary = version == VersionRole::Canary;
    let verdict = match (
        cell_state(cell, baseline, conditions, state.metrics_stale()),
        region_state(),
    ) {
        // Old numbers say so first; then a breach in the region is the
        // news, whatever signal it is on.
        ((Verdict::Stale, Some(gap)), _) => gap.word(),
        (_, Some(GuardrailState::Breach { .. } | GuardrailState::Tripping { .. })) if canary => {
            Verdict::Breach.word()
        }
        ((Verdict::NoData, Some(gap)), _) => gap.word(),
        ((Verdict::NoData, None), region) if canary => match region {
            Some(s) => s.verdict().word(),
            None => Verdict::NoData.word(),
        },
        ((verdict, _), _) => verdict.word(),
    };
    CellLine {
        verdict,
        signals: state
            .plan
            .signals
            .per(Per::Version)
            .map(|s| SignalLine::of(s, cell, &state.plan.signals))
            .collect(),
    }
}

fn state_word(state: GuardrailState) -> &'static str {
    match state {
        GuardrailState::Ok => "ok",
        GuardrailState::Warning => "warning",
        // One poll cannot tell how long: past the threshold counts.
        GuardrailState::Tripping { .. } | GuardrailState::Breach { .. } => "breach",
        GuardrailState::NoData => "no_data",
    }
}

/// What one poll says.
pub fn build(state: &AppState) -> StatusReport {
    let sources: Vec<SourceLine> = state
        .sources
        .iter()
        .map(|s| SourceLine {
            name: s.info.name.clone(),
            ok: s.last_ok.is_some() && s.error.is_none(),
            error: s.error.clone(),
            notes: s.notes.clone(),
            took_ms: s.last_took.map(|d| d.as_millis()),
        })
        .collect();
    let stop_conditions: Vec<ConditionLine> = state
        .guardrails
        .conditions()
        .iter()
        .zip(state.guardrails.status())
        .enumerate()
        .map(|(i, (c, s))| ConditionLine {
            condition: c.to_string(),
            state: state_word(s.state),
            gap: state.guardrails.gap(i).map(|g| g.word()),
            region: s.region.clone(),
            value: s.value.filter(|v| v.is_finite()),
            shown: s.value.map(|v| c.show(v)),
            on_breach: c.on_breach(),
            baseline: baseline::line(state, i, s.region.as_deref()),
        })
        .collect();
    let regions: Vec<RegionLine> = state
        .health
        .regions()
        .iter()
        .enumerate()
        .map(|(i, r)| RegionLine {
            region: r.clone(),
            canary_weight: state.canary_weight(r),
            stable: cell_line(state, i, VersionRole::Stable),
            canary: cell_line(state, i, VersionRole::Canary),
            signals: state
                .plan
                .signals
                .per(Per::Region)
                .map(|s| SignalLine::of(s, state.health.region_cell(i), &state.plan.signals))
                .collect(),
        })
        .collect();
    let blind = |word: &str| {
        [Gap::NoData, Gap::Partial, Gap::NotFinite]
            .iter()
            .any(|g| g.word() == word)
    };
    let watched_blind = regions
        .iter()
        .any(|r| r.canary_weight.is_none_or(|w| w > 0) && blind(r.canary.verdict));
    let card = state.scorecard();
    let verdict = state.verdict();
    let nothing_to_judge = state.health.last_poll.is_none()
        || watched_blind
        || stop_conditions.iter().any(|c| c.state == "no_data");
    // A breach seen is the news even when another source is down.
    let outcome = if stop_conditions.iter().any(|c| c.state == "breach") {
        Outcome::Breach
    } else if sources.iter().any(|s| !s.ok) {
        Outcome::Unreachable
    } else {
        match verdict.call {
            Call::NoData | Call::Stale | Call::Waiting => Outcome::NoData,
            _ if nothing_to_judge => Outcome::NoData,
            // One poll cannot score a canary (the judgment needs a window of
            // samples): a verdict waiting for that alone is left to the dashboard.
            Call::Pending => Outcome::Healthy,
            Call::NoGo | Call::RolledBack | Call::Aborted => Outcome::NoGo,
            // Baking is a healthy rollout still in progress, as GO is.
            Call::Go | Call::Baking | Call::Complete => Outcome::Healthy,
        }
    };
    let scorecard = ScorecardReport::from(&card);
    // One poll cannot score a canary: "no score yet" is not news here.
    let reasons = match outcome {
        Outcome::Healthy => Vec::new(),
        _ => verdict
            .reasons
            .iter()
            .filter(|r| r.why != Why::Unscored)
            .map(|r| r.text.clone())
            .collect(),
    };
    StatusReport {
        outcome,
        verdict: verdict.call.word(),
        reasons,
        service: state.plan.service.clone(),
        stable_version: state.plan.stable_version.clone(),
        canary_version: state.plan.canary_version.clone(),
        phase: state.rollout.as_ref().map(|r| r.phase.label()),
        wave: state.rollout.as_ref().map(|r| r.wave + 1),
        bake: bake_line(state),
        sources,
        regions,
        service_signals: state
            .plan
            .signals
            .per(Per::Service)
            .map(|s| SignalLine::of(s, Some(state.health.service()), &state.plan.signals))
            .collect(),
        stop_conditions,
        scorecard,
    }
}

/// What a cell line says of `name`, as written on screen.
fn shown<'a>(signals: &'a [SignalLine], name: &str) -> &'a str {
    signals
        .iter()
        .find(|s| s.name == name)
        .map_or("—", |s| s.shown.as_str())
}

/// The region table: stable's first two signals and verdict, the
/// weight, every canary signal and its verdict, then the region's own
/// signals; the service's signals beneath.
fn regions_table(out: &mut String, r: &StatusReport) {
    let Some(first) = r.regions.first() else {
        out.push_str("\nno regions reported yet\n");
        return;
    };
    // The matrix's columns, in the plan's order; `--json` has them all.
    let names: Vec<&str> = first
        .canary
        .signals
        .iter()
        .filter(|s| s.column)
        .map(|s| s.name.as_str())
        .collect();
    let stable_names: Vec<&str> = first
        .stable
        .signals
        .iter()
        .filter(|s| s.compared)
        .map(|s| s.name.as_str())
        .collect();
    let own: Vec<&str> = first
        .signals
        .iter()
        .filter(|s| s.column)
        .map(|s| s.name.as_str())
        .collect();
    let width = |n: &str| n.len().clamp(8, 20);
    let mut head = format!("\n{:<16}", "region");
    for n in &stable_names {
        let _ = write!(head, " {:>w$}", format!("st.{n}"), w = width(n) + 3);
    }
    let _ = write!(head, " {:>9}  {:>5}", "st", "wt");
    for n in names.iter().chain(&own) {
        let _ = write!(head, " {:>w$}", n, w = width(n));
    }
    let _ = writeln!(out, "{head}  canary");
    for row in &r.regions {
        let weight = row
            .canary_weight
            .map_or_else(|| "?".to_string(), |w| format!("{w}%"));
        let mut line = format!("{:<16}", row.region);
        for n in &stable_names {
            let _ = write!(
                line,
                " {:>w$}",
                shown(&row.stable.signals, n),
                w = width(n) + 3
            );
        }
        let _ = write!(line, " {:>9}  {:>5}", row.stable.verdict, weight);
        for n in &names {
            let _ = write!(line, " {:>w$}", shown(&row.canary.signals, n), w = width(n));
        }
        for n in &own {
            let _ = write!(line, " {:>w$}", shown(&row.signals, n), w = width(n));
        }
        let _ = writeln!(out, "{line}  {}", row.canary.verdict);
    }
    if !r.service_signals.is_empty() {
        out.push_str("\nservice-wide\n");
        for s in &r.service_signals {
            let _ = writeln!(out, "  {:<24} {}", s.label, s.shown);
        }
    }
}

fn bake_span(seconds: i64) -> String {
    crate::ui::format::duration(crate::domain::Span::seconds(seconds))
}

/// The report as plain text for a terminal or a CI log.
pub fn text(r: &StatusReport) -> String {
    let mut out = String::new();
    let outcome = match r.outcome {
        Outcome::Healthy => "HEALTHY",
        Outcome::Breach => "BREACH",
        Outcome::Unreachable => "SOURCES UNREACHABLE",
        Outcome::NoData => "NO DATA",
        Outcome::NoGo => "NO-GO",
    };
    let mut outcome = match r.reasons.is_empty() {
        true => outcome.to_string(),
        false => format!("{outcome} · {}", r.reasons.join(" · ")),
    };
    // Healthy is not done while the bake runs: the first line says so.
    if let Some(left) = r.bake.as_ref().and_then(|b| b.left_seconds) {
        outcome = format!("{outcome} · {} {} left", r.verdict, bake_span(left));
    }
    let _ = writeln!(
        out,
        "{} {} → {}: {outcome}",
        r.service, r.stable_version, r.canary_version
    );
    match (r.phase, r.wave) {
        (Some(p), Some(w)) => {
            let _ = writeln!(out, "rollout {p}, wave {w}");
        }
        _ => out.push_str("rollout state unknown (no deployment source answered)\n"),
    }
    if let Some(b) = &r.bake {
        let period = bake_span(b.for_seconds);
        let _ = match (b.state, b.left_seconds, &b.why) {
            ("baking", Some(left), _) => writeln!(
                out,
                "bake {} left of {period}, every stop condition armed: COMPLETE once it passes clean",
                bake_span(left)
            ),
            ("passed", _, _) => writeln!(out, "bake passed: {period} at 100 % with no breach"),
            ("failed", _, Some(why)) => writeln!(out, "bake FAILED: {why}"),
            _ => writeln!(out, "bake of {period} once the rollout is at 100 %"),
        };
    }
    out.push_str("\nsources\n");
    for s in &r.sources {
        let took = s.took_ms.map(|t| format!(" in {t} ms")).unwrap_or_default();
        match &s.error {
            None if s.ok => {
                let _ = writeln!(out, "  ok       {}{took}", s.name);
            }
            None => {
                let _ = writeln!(out, "  no answer {}", s.name);
            }
            Some(e) => {
                let _ = writeln!(out, "  FAILING  {}: {e}", s.name);
            }
        }
        for n in &s.notes {
            let _ = writeln!(out, "           note: {n}");
        }
    }
    regions_table(&mut out, r);
    out.push_str("\nstop conditions (canary; one poll cannot see durations: past the threshold is a breach)\n");
    if r.stop_conditions.is_empty() {
        out.push_str("  none in the plan\n");
    }
    for c in &r.stop_conditions {
        let mut at = match (&c.region, &c.shown) {
            (Some(region), Some(v)) => format!(" — {region} at {v}"),
            (Some(region), None) => format!(" — {region}"),
            _ => String::new(),
        };
        if let Some(b) = &c.baseline {
            match &b.shown {
                Some(v) => at.push_str(&format!(" (before {v})")),
                None => at.push_str(&format!(" (baseline {})", b.state)),
            }
        }
        let _ = writeln!(
            out,
            "  {:<8} {}{at} → {}",
            c.gap
                .map_or_else(|| c.state.replace('_', " ").to_uppercase(), str::to_string),
            c.condition,
            c.on_breach
        );
    }
    out.push_str("\ngo / no-go scorecard\n");
    write_scorecard(&mut out, &r.scorecard);
    out
}

/// DORA's keys as text.
pub fn dora_text(s: &crate::domain::dora::Summary) -> String {
    use crate::domain::dora::Measure;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "DORA · last {} days · {} deployments, {} failed",
        s.window_days, s.deployments, s.failed_deployments
    );
    let line = |out: &mut String, name: &str, m: &Measure, shown: &dyn Fn(f64) -> String| {
        let (value, tier) = match m {
            Measure::Value { value, tier } => (shown(*value), tier.map_or("—", |t| t.label())),
            Measure::NotEnough { why } => (why.clone(), "—"),
        };
        let _ = writeln!(out, "  {name:<36} {value:<44} {tier}");
    };
    line(
        &mut out,
        "deployment frequency",
        &s.deployment_frequency,
        &|v| format!("{v:.2} a day"),
    );
    line(
        &mut out,
        "lead time for changes (median)",
        &s.lead_time_median,
        &crate::ui::format::human_seconds,
    );
    line(
        &mut out,
        "lead time for changes (p90)",
        &s.lead_time_p90,
        &crate::ui::format::human_seconds,
    );
    line(
        &mut out,
        "change failure rate",
        &s.change_failure_rate,
        &|v| format!("{:.1}%", v * 100.0),
    );
    line(
        &mut out,
        "failed deployment recovery (median)",
        &s.recovery_time_median,
        &crate::ui::format::human_seconds,
    );
    line(&mut out, "deployment rework rate", &s.rework_rate, &|v| {
        format!("{:.1}%", v * 100.0)
    });
    let weeks: Vec<String> = s.weekly.iter().map(|w| w.deployments.to_string()).collect();
    let _ = writeln!(
        out,
        "  deployments per week, oldest first: {}",
        weeks.join(" ")
    );
    out
}

/// The scorecard as text: one line per item, then the verdict.
pub fn scorecard_text(service: &str, card: &crate::domain::scorecard::Scorecard) -> String {
    let mut out = format!("{service}: go / no-go scorecard\n");
    write_scorecard(&mut out, &ScorecardReport::from(card));
    out
}
