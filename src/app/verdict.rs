//! The one verdict: whether the rollout may go on, and why not. The header
//! badge, the scorecard's title, the stop-condition summary, the promote
//! override and `warroom status` all read it here, so they cannot disagree.

use super::state::AppState;
use crate::domain::Span;
use crate::domain::bake::BakeState;
use crate::domain::gate::Blocker;
use crate::domain::guardrail::GuardrailState;
use crate::domain::guardrail::SERVICE_WIDE;
use crate::domain::health::{Gap, Per};
use crate::domain::rollout::Phase;
use crate::domain::source::SourceKind;

/// The call the war room makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Nothing holds the rollout back.
    Go,
    /// Something does: a breach, a blocked gate, the scorecard.
    NoGo,
    /// Nothing is wrong, but a canary in the wave has no score yet: the
    /// judgment is still gathering its window.
    Pending,
    /// The metrics are older than the plan allows: nothing can be judged.
    Stale,
    /// No stop condition has a number to judge.
    NoData,
    /// The deployment source has not said where the rollout stands.
    Waiting,
    /// All traffic went back to stable.
    RolledBack,
    Aborted,
    /// At its end, every stop condition still armed, for the plan's bake
    /// time: nothing is wrong, and it is not complete yet.
    Baking,
    /// The new version serves all traffic and nothing is wrong (and, with
    /// a bake, the bake passed clean).
    Complete,
}

impl Call {
    /// The word on screen and in `status`.
    pub fn word(self) -> &'static str {
        match self {
            Call::Go => "GO",
            Call::NoGo => "NO-GO",
            Call::Pending => "NOT YET",
            Call::Stale => "STALE",
            Call::NoData => "NO DATA",
            Call::Waiting => "WAITING",
            Call::RolledBack => "ROLLED BACK",
            Call::Aborted => "ABORTED",
            Call::Baking => "BAKING",
            Call::Complete => "COMPLETE",
        }
    }

    /// Whether promoting needs no override.
    pub fn is_go(self) -> bool {
        matches!(self, Call::Go | Call::Baking | Call::Complete)
    }
}

/// How the stop conditions stand, counted once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conditions {
    pub total: usize,
    pub breached: usize,
    pub tripping: usize,
    pub no_data: usize,
}

/// What a reason is about: callers decide by this, never by its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The deployment source has not said where the rollout stands.
    NoState,
    /// A stop condition is in breach in a region.
    Breach,
    Stale,
    NoData,
    /// A canary in the wave has no score yet.
    Unscored,
    /// Anything else that holds the wave at its gate.
    Gate,
    /// The scorecard alone is NO-GO.
    ScorecardNoGo,
    /// Said with a NO-GO the scorecard alone would not make.
    ScorecardGo,
    /// The bake failed: a breach (or a rollback) came before it passed.
    Bake,
}

/// One reason the verdict is what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub why: Why,
    pub text: String,
}

impl Reason {
    fn new(why: Why, text: impl Into<String>) -> Reason {
        Reason {
            why,
            text: text.into(),
        }
    }

    /// In few words, for a header: a breach names its region only
    /// (`breach in us-east-1`), the conditions being on screen below.
    pub fn short(&self) -> &str {
        match (self.why, self.text.split_once(": ")) {
            (Why::Breach | Why::Bake, Some((head, _))) => head,
            _ => &self.text,
        }
    }
}

impl std::ops::Deref for Reason {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<str> for Reason {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

/// The verdict and everything said with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub call: Call,
    /// Why the call is not GO, worst first, in short phrases; with a NO-GO
    /// that the scorecard alone would not make, the last says `scorecard GO`.
    pub reasons: Vec<Reason>,
    /// The scorecard on its own: GO or not, and how many items are not green.
    pub scorecard_go: bool,
    pub not_green: usize,
    pub conditions: Conditions,
    /// Regions where a stop condition is in breach.
    pub breached_in: Vec<String>,
    /// With `Baking`, the bake time still to run.
    pub bake_left: Option<Span>,
}

impl Verdict {
    /// The reasons in few words, for a header.
    pub fn short_reasons(&self) -> Vec<String> {
        self.reasons.iter().map(|r| r.short().to_string()).collect()
    }

    /// The reasons that are about `why`.
    pub fn about(&self, why: Why) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(move |r| r.why == why)
    }
}

/// The conditions counted, and each region in breach with the conditions
/// breached there.
fn count(state: &AppState) -> (Conditions, Vec<(String, Vec<String>)>) {
    let status = state.guardrails.status();
    let mut c = Conditions {
        total: status.len(),
        ..Conditions::default()
    };
    let mut breached_in: Vec<(String, Vec<String>)> = Vec::new();
    for (cond, s) in state.guardrails.conditions().iter().zip(status) {
        match s.state {
            GuardrailState::Breach { .. } => {
                c.breached += 1;
                let region = s.region.clone().unwrap_or_default();
                let label = cond.signal.label().to_string();
                match breached_in.iter_mut().find(|(r, _)| *r == region) {
                    Some((_, labels)) => labels.push(label),
                    None => breached_in.push((region, vec![label])),
                }
            }
            GuardrailState::Tripping { .. } => c.tripping += 1,
            GuardrailState::NoData => c.no_data += 1,
            GuardrailState::Ok | GuardrailState::Warning => {}
        }
    }
    (c, breached_in)
}

/// The verdict on the state as it is.
pub fn verdict(state: &AppState) -> Verdict {
    let card = state.scorecard();
    let not_green = card.not_green().count();
    let scorecard_go = !card.is_no_go();
    let (conditions, mut breaches) = count(state);
    // A condition's status names its worst region only: every other region
    // in breach is named too.
    for region in state.health.regions() {
        let breached = matches!(
            state.guardrails.state_in(region),
            Some(GuardrailState::Breach { .. })
        );
        if breached && !breaches.iter().any(|(r, _)| r == region) {
            breaches.push((region.clone(), Vec::new()));
        }
    }
    let breached_in: Vec<String> = breaches.iter().map(|(r, _)| r.clone()).collect();
    let mut reasons: Vec<Reason> = Vec::new();
    let phase = state.rollout.as_ref().map(|r| r.phase);
    // While the bake runs, the end is BAKING; once it passed, COMPLETE is
    // still the source's to say (a last wave waiting for its promote is GO).
    let bake_left = match (&state.plan.bake, &state.bake) {
        (Some(plan), Some(bake @ BakeState::Baking { .. })) => Some(bake.left(plan, state.now)),
        _ => None,
    };
    let has_deploy = state
        .sources
        .iter()
        .any(|s| s.info.kind == SourceKind::Deployment);
    let call = match phase {
        Some(Phase::RolledBack) => Call::RolledBack,
        Some(Phase::Aborted) => Call::Aborted,
        None if has_deploy => {
            reasons.push(Reason::new(
                Why::NoState,
                "no state from the deployment source yet",
            ));
            Call::Waiting
        }
        _ => {
            for (region, labels) in &breaches {
                let place = match region.as_str() {
                    SERVICE_WIDE => "service-wide breach".to_string(),
                    region => format!("breach in {region}"),
                };
                let text = match labels.is_empty() {
                    true => place,
                    false => format!("{place}: {}", labels.join(", ")),
                };
                reasons.push(Reason::new(Why::Breach, text));
            }
            if let Some(BakeState::Failed { why, .. }) = &state.bake {
                reasons.push(Reason::new(Why::Bake, format!("bake failed: {why}")));
            }
            let stale = state.metrics_stale();
            // Not a number to judge in any region watched.
            // Service-wide conditions are no region's: blind only when they
            // have no numbers either.
            let service_blind = state
                .guardrails
                .conditions()
                .iter()
                .zip(state.guardrails.status())
                .filter(|(c, _)| c.signal.per() == Per::Service)
                .all(|(_, s)| s.state == GuardrailState::NoData);
            let blind = conditions.total > 0
                && service_blind
                && state
                    .health
                    .regions()
                    .iter()
                    .filter_map(|r| state.guardrails.state_in(r))
                    .all(|s| s == GuardrailState::NoData);
            if stale {
                reasons.push(Reason::new(Why::Stale, "metrics stale"));
            } else if blind {
                // Say why when every condition lacks numbers for one reason.
                let gaps: Vec<_> = state
                    .guardrails
                    .blind()
                    .into_iter()
                    .map(|(_, g)| g)
                    .collect();
                let why = match gaps.first() {
                    Some(g) if gaps.iter().all(|x| x == g) && *g != Gap::NoData => {
                        format!("no data to judge ({})", g.word().to_lowercase())
                    }
                    _ => "no data to judge".to_string(),
                };
                reasons.push(Reason::new(Why::NoData, why));
            }
            // What else holds the wave at its gate: tripping, scores, no data.
            // Canaries not scored yet are said apart: alone they are NOT YET.
            if let Some(gate) = state.gate() {
                let (unscored, rest): (Vec<Blocker>, Vec<Blocker>) = gate
                    .holding()
                    .filter(|b| !is_said(b, stale))
                    .cloned()
                    .partition(|b| matches!(b, Blocker::Score { score: None, .. }));
                for (why, blockers) in [(Why::Gate, rest), (Why::Unscored, unscored)] {
                    let part = crate::domain::gate::Gate {
                        wave: gate.wave,
                        blockers,
                    };
                    reasons.extend(
                        part.summary()
                            .into_iter()
                            .map(|r| Reason::new(why, format!("gate: {r}"))),
                    );
                }
            }
            if !scorecard_go {
                let text = format!("scorecard NO-GO ({not_green} of 7 not green)");
                reasons.push(Reason::new(Why::ScorecardNoGo, text));
            }
            match () {
                // A breach or a NO-GO scorecard is a definite no, whatever
                // else cannot be judged.
                _ if !breached_in.is_empty() || !scorecard_go => Call::NoGo,
                _ if stale => Call::Stale,
                _ if blind => Call::NoData,
                _ if !reasons.is_empty() && reasons.iter().all(|r| r.why == Why::Unscored) => {
                    Call::Pending
                }
                _ if !reasons.is_empty() => Call::NoGo,
                _ if bake_left.is_some() => Call::Baking,
                _ if phase == Some(Phase::Complete) => Call::Complete,
                _ => Call::Go,
            }
        }
    };
    if call == Call::NoGo && scorecard_go {
        reasons.push(Reason::new(Why::ScorecardGo, "scorecard GO"));
    }
    Verdict {
        call,
        reasons,
        scorecard_go,
        not_green,
        conditions,
        breached_in,
        bake_left: bake_left.filter(|_| call == Call::Baking),
    }
}

/// A gate blocker the verdict has already said in its own words: breaches
/// (named by region) and staleness.
fn is_said(b: &Blocker, stale: bool) -> bool {
    match b {
        Blocker::Condition { state, .. } => *state == "breach",
        Blocker::Stale => stale,
        _ => false,
    }
}

/// The verdict of a region's canary row: what its stop conditions say there
/// (so a row in breach is counted in the header, and a tripping one is not
/// called a breach), or, where no condition watches it, what its latest
/// numbers say.
pub fn canary_row(state: &AppState, region: usize) -> crate::domain::health::Verdict {
    use crate::domain::guardrail::cell_state;
    use crate::domain::health::{Verdict as Cell, VersionRole};
    let stale = state.metrics_stale();
    let canary = state.health.cell(region, VersionRole::Canary);
    let stable = state.health.cell(region, VersionRole::Stable);
    let (judged, gap) = cell_state(canary, stable, state.guardrails.conditions(), stale);
    let name = state.health.regions().get(region);
    match name.and_then(|r| state.guardrails.state_in(r)) {
        // Old numbers say so, whatever they said when they were new.
        Some(_) if judged == Cell::Stale => judged,
        // A breach (or one coming) in the region is the news, even when the
        // canary's own numbers are gone.
        Some(s @ (GuardrailState::Breach { .. } | GuardrailState::Tripping { .. })) => s.verdict(),
        // Numbers too old or missing say so, whatever the last judgment was;
        // a cell no condition judges leaves it to the region's own state.
        Some(_) if judged == Cell::Stale || (judged == Cell::NoData && gap.is_some()) => judged,
        Some(s) => s.verdict(),
        None => judged,
    }
}
