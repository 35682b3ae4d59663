//! A drill's fleet: a plan rehearsed with each region's healthy behaviour
//! fitted inside the plan's stop conditions, so a healthy canary is healthy
//! and only the script's faults break it; and the script's regions placed on
//! the fleet.

use super::{FleetSpec, RegionProfile};
use crate::domain::Span;
use crate::domain::drill::scenario::{
    Expectation, FaultKind, FleetChoice, Injection, LATER, Objective, ObjectiveCheck, Scenario,
    ScopeRule, Start, Target, Versions,
};
use crate::domain::guardrail::{Baseline, Direction, StopCondition};
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::Action;
use crate::domain::signal::{ERROR_RATE, LATENCY_P99, REQUEST_RATE, SUCCESS_RATE, Unit};

/// The region the second wave adds (the classic drill's), the first region
/// when no wave adds one.
pub fn second_wave_region(plan: &RolloutPlan) -> String {
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
        .unwrap_or_default()
}

/// The last region the first two waves leave alone: not under rollout yet
/// while the drill's faults play out. The last region when every one is in.
pub fn later_region(plan: &RolloutPlan) -> String {
    plan.regions
        .iter()
        .rev()
        .find(|r| plan.waves.weight_in(1, r) == 0)
        .or_else(|| plan.regions.last())
        .cloned()
        .unwrap_or_default()
}

/// `scenario` with every region it names placed on `plan`'s fleet: the
/// second wave's region where it names none, `@later` resolved, and a
/// region the fleet lacks refused.
pub fn place(scenario: &Scenario, plan: &RolloutPlan) -> Result<Scenario, String> {
    let mut placed = scenario.clone();
    let known = |name: &str, what: &str| {
        if plan.regions.iter().any(|r| r == name) {
            Ok(name.to_string())
        } else {
            Err(format!(
                "scenario {}: {what} names region `{name}`, which the fleet lacks; it has {}",
                scenario.name,
                plan.regions.join(", ")
            ))
        }
    };
    for inj in &mut placed.injections {
        let region = match inj.target.region.as_deref() {
            None => second_wave_region(plan),
            Some(LATER) => later_region(plan),
            Some(name) => known(name, &format!("injection {}", inj.id))?,
        };
        inj.target.region = Some(region);
    }
    let rules = placed
        .expect
        .iter_mut()
        .map(|e| &mut e.scope)
        .chain(placed.forbid.iter_mut().map(|f| &mut f.scope));
    for scope in rules {
        if let ScopeRule::Region(name) = scope {
            *name = match name.as_str() {
                LATER => later_region(plan),
                other => known(other, "an expectation")?,
            };
        }
    }
    Ok(placed)
}

/// Where a healthy value sits: halfway between the perfect value and the
/// nearest warning line, whichever the direction.
fn halfway(perfect: f64, line: f64) -> f64 {
    perfect + (line - perfect) / 2.0
}

/// The warning line of `c`: where it starts to say WARN (its breach when
/// that comes first).
fn warn_line(c: &StopCondition) -> f64 {
    match c.direction {
        Direction::Above => c.warn.min(c.breach),
        Direction::Below => c.warn.max(c.breach),
    }
}

/// The share scale of a signal: 1 for a ratio, 100 for a percentage.
fn scale(unit: &Unit) -> Option<f64> {
    match unit {
        Unit::Ratio => Some(1.0),
        Unit::Percent => Some(100.0),
        _ => None,
    }
}

/// `profile` moved inside every absolute stop condition of `conditions`.
/// Conditions relative to stable or to before the rollout hold already:
/// a healthy canary behaves like stable, and like before.
pub fn fit(profile: &mut RegionProfile, conditions: &[StopCondition]) {
    let mut failures = 1.0_f64;
    for c in conditions
        .iter()
        .filter(|c| c.baseline == Baseline::Absolute)
    {
        let line = warn_line(c);
        let unit = c.signal.unit().clone();
        match (c.signal.name(), c.direction) {
            (ERROR_RATE, Direction::Above) => {
                if let Some(s) = scale(&unit) {
                    profile.error_rate = profile.error_rate.min(halfway(0.0, line / s));
                }
            }
            (SUCCESS_RATE, Direction::Below) => {
                if let Some(s) = scale(&unit) {
                    failures = failures.min(1.0 - halfway(1.0, line / s));
                }
            }
            (LATENCY_P99, Direction::Above) if unit == Unit::Seconds => {
                profile.p99 = profile.p99.min(halfway(0.0, line));
            }
            (REQUEST_RATE, Direction::Below) => profile.rps = profile.rps.max(2.0 * line),
            (REQUEST_RATE, Direction::Above) => profile.rps = profile.rps.min(halfway(0.0, line)),
            _ => {}
        }
    }
    // What fails, server and client errors together, stays inside the
    // success rate's budget, shared as a typical service's would be.
    if profile.error_rate + profile.client_errors > failures {
        profile.error_rate = profile.error_rate.min(failures * 0.6);
        profile.client_errors = (failures - profile.error_rate)
            .max(0.0)
            .min(profile.client_errors);
    }
}

impl FleetSpec {
    /// A drill of `plan`: [`FleetSpec::rehearsal`] without its fault (the
    /// script brings the faults), every wave holding `pace`, and each
    /// region's healthy behaviour fitted inside the plan's stop conditions.
    pub fn fitted(plan: &RolloutPlan, seed: u64, pace: Span) -> FleetSpec {
        let mut spec = FleetSpec::rehearsal(plan, seed, Span::zero());
        spec.faults.clear();
        for w in &mut spec.plan.waves.waves {
            w.hold = pace;
        }
        let conditions = spec.plan.stop_conditions.clone();
        for p in &mut spec.profiles {
            fit(p, &conditions);
        }
        spec
    }

    /// This fleet's own scripted faults as a drill's script (the classic
    /// drill: the canary failing from a time on), and the fleet without
    /// them: a drill's faults come from its script.
    pub fn into_script(mut self) -> (FleetSpec, Scenario) {
        let mut injections = Vec::new();
        for (i, f) in self.faults.drain(..).enumerate() {
            let target = Target {
                region: Some(f.region.clone()),
                versions: Versions::Canary,
            };
            let id = |what: &str| match i {
                0 => what.to_string(),
                n => format!("{what}-{}", n + 1),
            };
            injections.push(Injection {
                id: id("regression"),
                start: Start::At(f.starts_after),
                target: target.clone(),
                fault: FaultKind::ErrorRate {
                    rate: f.error_rate,
                    ramp: f.ramp,
                },
                duration: None,
            });
            if f.latency_factor > 1.0 {
                injections.push(Injection {
                    id: id("slowdown"),
                    start: Start::At(f.starts_after),
                    target,
                    fault: FaultKind::Latency {
                        factor: f.latency_factor,
                        ramp: f.ramp,
                    },
                    duration: None,
                });
            }
        }
        let expect = injections
            .first()
            .map(|first| Expectation {
                injection: first.id.clone(),
                actions: vec![Action::Pause, Action::Rollback],
                scope: ScopeRule::Any,
                within: Span::minutes(2),
            })
            .into_iter()
            .collect();
        let scenario = Scenario {
            name: "canary-regression".to_string(),
            title: "The canary regresses in the region the second wave adds".to_string(),
            briefing: "Watch the canary; if it hurts users, stop the harm first.".to_string(),
            fleet: FleetChoice::Demo,
            seed: self.seed,
            pace: Span::seconds(30),
            injections,
            expect,
            forbid: vec![],
            objectives: vec![Objective {
                text: "Stop the harm within two minutes of the breach".to_string(),
                check: ObjectiveCheck::Expectations,
            }],
            comms: None,
        };
        (self, scenario)
    }

    /// The demo for a drill: its fleet (or `regions` of the large one),
    /// every wave holding `pace`, no fault of its own.
    pub fn drill_demo(seed: u64, pace: Span, regions: Option<usize>) -> FleetSpec {
        let mut spec = match regions {
            Some(n) => FleetSpec::large(n, seed),
            None => FleetSpec::demo(seed),
        };
        spec.faults.clear();
        for w in &mut spec.plan.waves.waves {
            w.hold = pace;
        }
        spec
    }
}

#[cfg(test)]
mod tests;
