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
use super::observation::{Observation, Observed};
use super::scenario::{FaultKind, ObjectiveCheck, Scenario, ScopeRule, Target};
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::{Span, Timestamp};

/// An injection as it ran: what the drill's script reports at its end,
/// with its region resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq)]
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

/// Whether an action on `scope` falls under `rule` for an injection in `region`.
fn covers(rule: &ScopeRule, scope: &ActionScope, region: Option<&str>) -> bool {
    match (rule, scope) {
        (ScopeRule::Any, _) => true,
        (ScopeRule::Rollout, s) => *s == ActionScope::Rollout,
        (_, ActionScope::Rollout) => true,
        (ScopeRule::Injected, ActionScope::Region(r)) => region.is_none_or(|x| x == r),
        (ScopeRule::Region(n), ActionScope::Region(r)) => n == r,
    }
}

fn active(ran: &Ran, at: Timestamp) -> bool {
    ran.started.is_some_and(|s| s <= at) && ran.ended.is_none_or(|e| at < e)
}

/// Grade a drill of `scenario` that ran `ran` (regions resolved), from
/// `began` to `ended`, from what was `seen` (oldest first).
pub fn grade(
    scenario: &Scenario,
    ran: &[Ran],
    seen: &[Observation],
    began: Timestamp,
    ended: Timestamp,
) -> Grade {
    let find = |id: &str| ran.iter().find(|r| r.id == id);
    let injections: Vec<InjectionGrade> = ran
        .iter()
        .map(|r| grade_injection(scenario, r, seen))
        .collect();
    let signal_of = |id: &str| {
        injections
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.signal)
    };
    let asked: Vec<(Timestamp, Action, &ActionScope)> = seen
        .iter()
        .filter_map(|o| match &o.what {
            Observed::Asked { action, scope } => Some((o.at, *action, scope)),
            _ => None,
        })
        .collect();
    let expectations: Vec<ExpectationGrade> = scenario
        .expect
        .iter()
        .map(|e| {
            let r = find(&e.injection);
            let started = r.and_then(|r| r.started);
            let deadline = signal_of(&e.injection).or(started).map(|t| t + e.within);
            let met = asked
                .iter()
                .find(|(at, action, scope)| {
                    started.is_some_and(|s| *at >= s)
                        && e.actions.contains(action)
                        && covers(&e.scope, scope, r.and_then(|r| r.region.as_deref()))
                })
                .map(|(at, _, _)| *at);
            ExpectationGrade {
                injection: e.injection.clone(),
                wanted: words(&e.actions),
                deadline,
                met,
            }
        })
        .collect();
    let actions = asked
        .iter()
        .map(|&(at, action, scope)| {
            let (verdict, why) = judge(scenario, ran, &injections, at, action, scope);
            GradedAction {
                at,
                action,
                scope: scope.clone(),
                verdict,
                why,
            }
        })
        .collect();
    let first_signal = injections.iter().filter_map(|i| i.signal).min();
    let comms = scenario.comms.map(|c| CommsGrade {
        within: c.first_update_within,
        due: first_signal.map(|s| s + c.first_update_within),
        first_sent: seen
            .iter()
            .find(|o| o.what == Observed::UpdateSent && first_signal.is_none_or(|s| o.at >= s))
            .map(|o| o.at),
        ended,
    });
    let mut graded = Grade {
        scenario: Some(scenario.name.clone()),
        title: scenario.title.clone(),
        began,
        ended,
        injections,
        expectations,
        actions,
        missed: missed(seen),
        objectives: Vec::new(),
        comms,
        timeline: timeline(ran, seen),
        classic: false,
    };
    let since = first_signal.or_else(|| ran.iter().filter_map(|r| r.started).min());
    graded.objectives = scenario
        .objectives
        .iter()
        .map(|o| ObjectiveGrade {
            text: o.text.clone(),
            met: match o.check {
                ObjectiveCheck::Expectations => {
                    graded.expectations.iter().all(ExpectationGrade::in_time)
                }
                ObjectiveCheck::NoHarm => graded.harmful().next().is_none(),
                ObjectiveCheck::Annotated => since.is_some_and(|s| {
                    seen.iter()
                        .any(|x| x.at >= s && matches!(x.what, Observed::Annotated { .. }))
                }),
                ObjectiveCheck::Comms => graded.comms.as_ref().is_none_or(CommsGrade::met),
            },
        })
        .collect();
    graded
}

fn words(actions: &[Action]) -> String {
    let all: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    all.join(" or ")
}

fn judge(
    scenario: &Scenario,
    ran: &[Ran],
    injections: &[InjectionGrade],
    at: Timestamp,
    action: Action,
    scope: &ActionScope,
) -> (Verdict, String) {
    let find = |id: &str| ran.iter().find(|r| r.id == id);
    for f in scenario.forbid.iter().filter(|f| f.action == action) {
        let wrong = match &f.injection {
            Some(id) => find(id)
                .is_some_and(|r| active(r, at) && covers(&f.scope, scope, r.region.as_deref())),
            None if f.scope == ScopeRule::Injected => ran.iter().any(|r| {
                r.started.is_some_and(|s| s <= at) && covers(&f.scope, scope, r.region.as_deref())
            }),
            None => covers(&f.scope, scope, None),
        };
        if wrong {
            return (Verdict::Harmful, f.why.clone());
        }
    }
    for e in scenario
        .expect
        .iter()
        .filter(|e| e.actions.contains(&action))
    {
        let Some(r) = find(&e.injection) else {
            continue;
        };
        if r.started.is_none_or(|s| at < s) || !covers(&e.scope, scope, r.region.as_deref()) {
            continue;
        }
        let signal = injections
            .iter()
            .find(|i| i.id == e.injection)
            .and_then(|i| i.signal)
            .or(r.started);
        let deadline = signal.map(|s| s + e.within);
        let why = format!("answers {}", r.summary);
        return match deadline {
            Some(d) if at > d => (
                Verdict::Late,
                format!("{why}, {}s late", (at - d).num_seconds()),
            ),
            _ => (Verdict::Correct, why),
        };
    }
    (
        Verdict::Unnecessary,
        "no injection called for it".to_string(),
    )
}

fn shows_for(o: &Observation, region: Option<&str>, kind: &FaultKind) -> bool {
    match &o.what {
        Observed::Shown { region: r, .. } => {
            r.is_none() || region.is_none() || r.as_deref() == region
        }
        Observed::Failed { .. } => matches!(kind, FaultKind::DeployApi(_)),
        _ => false,
    }
}

fn grade_injection(scenario: &Scenario, r: &Ran, seen: &[Observation]) -> InjectionGrade {
    let region = r.region.as_deref();
    let kind = scenario
        .injections
        .iter()
        .find(|i| i.id == r.id)
        .map(|i| i.fault.clone())
        .unwrap_or(FaultKind::MetricsGap);
    let after = |t: Timestamp| r.started.is_some_and(|s| t >= s);
    let signal = seen
        .iter()
        .find(|o| after(o.at) && shows_for(o, region, &kind))
        .map(|o| o.at);
    let acknowledged = seen
        .iter()
        .find(|o| {
            after(o.at) && region.map_or(o.what.touches().is_some(), |x| o.what.interacts_with(x))
        })
        .map(|o| o.at);
    let mitigated = seen
        .iter()
        .find(|o| {
            after(o.at)
                && match &o.what {
                    Observed::Done { action, scope } => scenario.expect.iter().any(|e| {
                        e.injection == r.id
                            && e.actions.contains(action)
                            && covers(&e.scope, scope, region)
                    }),
                    _ => false,
                }
        })
        .map(|o| o.at);
    let over = match (r.ended, mitigated) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let recovered = over.and_then(|point| match signal {
        None => Some(point),
        Some(_) => healthy_from(seen, region, point),
    });
    InjectionGrade {
        id: r.id.clone(),
        summary: r.summary.clone(),
        region: r.region.clone(),
        started: r.started,
        ended: r.ended,
        signal,
        acknowledged,
        mitigated,
        recovered,
        failed_requests: r.failed_requests,
    }
}

/// When the screen showed `region` healthy at or after `point`.
fn healthy_from(seen: &[Observation], region: Option<&str>, point: Timestamp) -> Option<Timestamp> {
    let about = |r: &Option<String>| r.is_none() || region.is_none() || r.as_deref() == region;
    let last_before = seen.iter().rev().find(|o| {
        o.at <= point
            && matches!(&o.what, Observed::Shown { region: r, .. } | Observed::Cleared { region: r } if about(r))
    });
    if matches!(last_before.map(|o| &o.what), Some(Observed::Cleared { .. })) {
        return Some(point);
    }
    seen.iter()
        .find(|o| o.at >= point && matches!(&o.what, Observed::Cleared { region: r } if about(r)))
        .map(|o| o.at)
}

/// The signals shown that no look or action turned to afterwards.
fn missed(seen: &[Observation]) -> Vec<MissedSignal> {
    let mut out: Vec<MissedSignal> = Vec::new();
    for (i, o) in seen.iter().enumerate() {
        let Observed::Shown { region, .. } = &o.what else {
            continue;
        };
        let later = &seen[i..];
        let looked = later.iter().any(|x| match region {
            Some(r) => x.what.interacts_with(r),
            None => matches!(&x.what, Observed::Focused { panel } if panel == "sources"),
        });
        let line = o.what.line();
        if !looked && !out.iter().any(|m| m.line == line) {
            out.push(MissedSignal { at: o.at, line });
        }
    }
    out
}

fn timeline(ran: &[Ran], seen: &[Observation]) -> Vec<(Timestamp, String)> {
    let mut out: Vec<(Timestamp, String)> = Vec::new();
    for r in ran {
        if let Some(s) = r.started {
            out.push((s, format!("injection {} began: {}", r.id, r.summary)));
        }
        if let Some(e) = r.ended {
            out.push((e, format!("injection {} ended", r.id)));
        }
    }
    out.extend(seen.iter().map(|o| (o.at, o.what.line())));
    out.sort_by_key(|(at, _)| *at);
    out
}

#[cfg(test)]
mod tests;
