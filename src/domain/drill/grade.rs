//! The graded debrief of a scripted drill: per injection, when the screen
//! first showed it, when the operator first turned to it, mitigated it and
//! saw it recover; each action a person took, graded against the script's
//! `expect` and `forbid`; the signals nobody looked at; the objectives.
//!
//! Decisions the grading makes, so that a debrief reads the same for all:
//! - An injection's region is resolved by the caller ([`resolve_region`]:
//!   a named region, else the region the second wave adds, as the
//!   simulator places it). `ScopeRule::Injected` means that region; an
//!   action on the whole rollout covers every region, so it meets (or
//!   breaks) a rule on any one of them.
//! - A signal is the first trouble the screen showed after the injection
//!   began, in its region or on a source (a stale source hides every
//!   region); a failing deploy API's signal is also the first failed action.
//! - An expectation is met by the first matching action a person *asked*
//!   for (confirmed) after the injection began, whatever the target said:
//!   a refused pause still was the right call. It is in time when asked
//!   within `within` of the signal (of the injection's start when no signal
//!   was shown). Mitigation is the first matching action *done*.
//! - An action is harmful when a `forbid` names it on its scope while its
//!   injection is active (any time for a `forbid` with no injection);
//!   correct or late when it meets an expectation; unnecessary otherwise.

use super::Debrief;
use super::observation::Observation;
use super::scenario::{Scenario, Target};
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::{Span, Timestamp};

/// An injection as it ran: what the drill's script reports at its end,
/// with its region resolved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ran {
    pub id: String,
    pub summary: String,
    pub region: Option<String>,
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    pub failed_requests: u64,
}

/// A drill's script as it stood at its end: the scenario, and how each
/// injection ran (regions not yet resolved: `None` where the target named
/// none).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Script {
    pub scenario: Scenario,
    pub injections: Vec<Ran>,
}

impl Script {
    /// Grade the drill on `plan` from what was `seen`.
    pub fn grade(
        &self,
        plan: &RolloutPlan,
        seen: &[Observation],
        began: Timestamp,
        ended: Timestamp,
    ) -> Grade {
        let ran: Vec<Ran> = self
            .injections
            .iter()
            .map(|r| {
                let target = self.scenario.injections.iter().find(|i| i.id == r.id);
                Ran {
                    region: r
                        .region
                        .clone()
                        .or_else(|| target.and_then(|i| resolve_region(&i.target, plan))),
                    ..r.clone()
                }
            })
            .collect();
        grade(&self.scenario, &ran, seen, began, ended)
    }
}

/// The region a target lands on in `plan`: the named one, else the region
/// the second wave adds, else the first region of the first wave.
pub fn resolve_region(target: &Target, plan: &RolloutPlan) -> Option<String> {
    if let Some(r) = &target.region {
        return Some(r.clone());
    }
    let first: Vec<&String> = plan
        .regions
        .iter()
        .filter(|r| plan.waves.weight_in(0, r) > 0)
        .collect();
    plan.regions
        .iter()
        .find(|r| plan.waves.weight_in(1, r) > 0 && !first.contains(r))
        .or_else(|| first.first().copied())
        .or_else(|| plan.regions.first())
        .cloned()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectionGrade {
    pub id: String,
    pub summary: String,
    pub region: Option<String>,
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    /// First shown on screen after it began.
    pub signal: Option<Timestamp>,
    /// First interaction with its region after it began.
    pub acknowledged: Option<Timestamp>,
    /// The first expected action done.
    pub mitigated: Option<Timestamp>,
    /// Ended or mitigated, and the screen healthy again.
    pub recovered: Option<Timestamp>,
    pub failed_requests: u64,
}

impl InjectionGrade {
    fn since_start(&self, t: Option<Timestamp>) -> Option<Span> {
        Some(t? - self.started?)
    }
    pub fn time_to_signal(&self) -> Option<Span> {
        self.since_start(self.signal)
    }
    pub fn time_to_acknowledge(&self) -> Option<Span> {
        self.since_start(self.acknowledged)
    }
    pub fn time_to_mitigate(&self) -> Option<Span> {
        self.since_start(self.mitigated)
    }
    pub fn time_to_recover(&self) -> Option<Span> {
        self.since_start(self.recovered)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Correct,
    Late,
    Unnecessary,
    Harmful,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Correct => "CORRECT",
            Verdict::Late => "LATE",
            Verdict::Unnecessary => "UNNECESSARY",
            Verdict::Harmful => "HARMFUL",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradedAction {
    pub at: Timestamp,
    pub action: Action,
    pub scope: ActionScope,
    pub verdict: Verdict,
    /// Why: the expectation it met, or the script's reason it was wrong.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectationGrade {
    pub injection: String,
    /// The actions that meet it, as words ("pause or roll back").
    pub wanted: String,
    pub deadline: Option<Timestamp>,
    /// When a person asked for a matching action.
    pub met: Option<Timestamp>,
}

impl ExpectationGrade {
    pub fn in_time(&self) -> bool {
        matches!((self.met, self.deadline), (Some(m), Some(d)) if m <= d)
    }
}

/// A signal the screen showed that nobody turned to afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissedSignal {
    pub at: Timestamp,
    pub line: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveGrade {
    pub text: String,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommsGrade {
    pub within: Span,
    /// The first signal plus `within`; `None`: nothing was shown, none due.
    pub due: Option<Timestamp>,
    pub first_sent: Option<Timestamp>,
    /// When the drill ended: an update not yet due then was not missed.
    pub ended: Timestamp,
}

impl CommsGrade {
    pub fn met(&self) -> bool {
        match (self.due, self.first_sent) {
            (None, _) => true,
            (Some(due), Some(sent)) => sent <= due,
            (Some(due), None) => due > self.ended,
        }
    }
}

/// A drill graded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// The scenario's name; `None` for a drill without a script.
    pub scenario: Option<String>,
    pub title: String,
    pub began: Timestamp,
    pub ended: Timestamp,
    pub injections: Vec<InjectionGrade>,
    pub expectations: Vec<ExpectationGrade>,
    pub actions: Vec<GradedAction>,
    pub missed: Vec<MissedSignal>,
    pub objectives: Vec<ObjectiveGrade>,
    pub comms: Option<CommsGrade>,
    /// What happened, oldest first, for the written debrief.
    pub timeline: Vec<(Timestamp, String)>,
    /// Graded the classic way (no script): passed when detected and mitigated.
    pub classic: bool,
}

impl Grade {
    /// The whole drill's length, from its beginning to its end.
    pub fn length(&self) -> Span {
        self.ended - self.began
    }

    pub fn harmful(&self) -> impl Iterator<Item = &GradedAction> {
        self.actions
            .iter()
            .filter(|a| a.verdict == Verdict::Harmful)
    }

    /// Every expectation met in time, nothing harmful, every objective met.
    /// A classic drill passes when its fault was shown and mitigated.
    pub fn passed(&self) -> bool {
        if self.classic {
            return self
                .injections
                .iter()
                .all(|i| i.signal.is_some() && i.mitigated.is_some());
        }
        self.expectations.iter().all(ExpectationGrade::in_time)
            && self.harmful().next().is_none()
            && self.objectives.iter().all(|o| o.met)
    }

    /// The verdict in words.
    pub fn verdict_word(&self) -> &'static str {
        if self.passed() {
            "PASSED"
        } else {
            "NOT PASSED"
        }
    }

    /// A drill with no script, graded from what its debrief read off the
    /// timeline: one fault, shown and mitigated or not.
    pub fn classic(debrief: &Debrief, began: Timestamp) -> Grade {
        let mut timeline = vec![(debrief.fault_at, "the fault began".to_string())];
        if let Some(at) = debrief.detected {
            timeline.push((at, "screen showed a breach".to_string()));
        }
        timeline.extend(debrief.actions.iter().cloned());
        timeline.sort_by_key(|(at, _)| *at);
        Grade {
            scenario: None,
            title: "the canary regresses in the region the second wave adds".to_string(),
            began,
            ended: debrief.ended,
            injections: vec![InjectionGrade {
                id: "fault".to_string(),
                summary: "the scripted fault".to_string(),
                region: None,
                started: Some(debrief.fault_at),
                ended: None,
                signal: debrief.detected,
                acknowledged: None,
                mitigated: debrief.mitigated.as_ref().map(|(t, _)| *t),
                recovered: None,
                failed_requests: 0,
            }],
            expectations: Vec::new(),
            actions: Vec::new(),
            missed: Vec::new(),
            objectives: Vec::new(),
            comms: None,
            timeline,
            classic: true,
        }
    }
}

/// A duration as the debrief says it: `15s`, `1m 10s`, `—` for never.
pub fn said(span: Option<Span>) -> String {
    match span {
        None => "—".to_string(),
        Some(d) => {
            let s = d.num_seconds().max(0);
            match s < 60 {
                true => format!("{s}s"),
                false => format!("{}m {:02}s", s / 60, s % 60),
            }
        }
    }
}

mod score;

pub use score::grade;

#[cfg(test)]
mod tests;
