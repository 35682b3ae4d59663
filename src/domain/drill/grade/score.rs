//! The grading itself: each injection's times, each action's verdict,
//! the expectations, the signals nobody looked at, the objectives (the
//! rules are written at the top of `grade`).

use super::{
    CommsGrade, ExpectationGrade, Grade, GradedAction, InjectionGrade, MissedSignal,
    ObjectiveGrade, Ran, Verdict,
};
use crate::domain::Timestamp;
use crate::domain::drill::observation::{Observation, Observed};
use crate::domain::drill::scenario::{FaultKind, ObjectiveCheck, Scenario, ScopeRule};
use crate::domain::rollout::{Action, ActionScope};

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
