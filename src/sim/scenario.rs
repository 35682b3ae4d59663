//! What a simulated fleet looks like: regions and their traffic, the plan, and
//! the faults the scenario scripts.

use crate::domain::Span;
use crate::domain::bake::Bake;
use crate::domain::guardrail::{Consequence, Direction, StopCondition};
use crate::domain::judgment::JudgmentPlan;
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::{Scope, Wave, WavePlan};
use crate::domain::scorecard::ScorecardPlan;
use crate::domain::signal::{
    ERROR_RATE, LATENCY_P99, REQUEST_RATE, STANDARD, SUCCESS_RATE, SignalDef, Signals,
};

use super::users::{self, CHECKOUT_COMPLETION};

mod fitted;
pub use fitted::{later_region, place, second_wave_region};

/// The normal behaviour of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionProfile {
    pub name: String,
    /// Requests per second across both versions.
    pub rps: f64,
    /// Share of requests that fail with no fault, 0..=1.
    pub error_rate: f64,
    /// p99 latency in seconds with no fault.
    pub p99: f64,
    /// Share of requests that fail with a client error (4xx), 0..=1: not
    /// the service's fault, but not a success either.
    pub client_errors: f64,
}

/// The share of client errors (4xx) of a typical service.
pub const CLIENT_ERRORS: f64 = 0.004;

/// A scripted regression in the canary of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub region: String,
    /// Time from the start of the rollout until the fault begins.
    pub starts_after: Span,
    /// Time the fault takes to reach its peak.
    pub ramp: Span,
    /// Extra error rate at the peak, 0..=1.
    pub error_rate: f64,
    /// Latency multiplier at the peak (1.0 = none).
    pub latency_factor: f64,
}

impl Fault {
    /// How far into the fault the fleet is at `elapsed`, 0..=1.
    pub fn intensity(&self, elapsed: Span) -> f64 {
        if elapsed < self.starts_after {
            return 0.0;
        }
        let into = (elapsed - self.starts_after).num_milliseconds() as f64;
        let ramp = self.ramp.num_milliseconds().max(1) as f64;
        (into / ramp).min(1.0)
    }
}

/// The demo's scorecard: an approver for the stop conditions and an owner
/// for each item.
fn demo_scorecard() -> ScorecardPlan {
    let owners = [
        "dana",
        "lee",
        "kim",
        "sam",
        "ops on call",
        "ops on call",
        "pat",
    ];
    ScorecardPlan {
        approved_by: Some("dana (SRE lead)".to_string()),
        owners: owners.map(|o| Some(o.to_string())),
        ..ScorecardPlan::default()
    }
}

/// A whole simulated rollout.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetSpec {
    pub plan: RolloutPlan,
    pub profiles: Vec<RegionProfile>,
    pub faults: Vec<Fault>,
    pub seed: u64,
}

fn profile(name: &str, rps: f64, error_rate: f64, p99_ms: f64) -> RegionProfile {
    RegionProfile {
        name: name.to_string(),
        rps,
        error_rate,
        p99: p99_ms / 1000.0,
        client_errors: CLIENT_ERRORS,
    }
}

fn default_stop_conditions(signals: &Signals) -> Vec<StopCondition> {
    let hold = Span::seconds(15);
    let signal = |name: &str| signals.get(name).cloned();
    let conditions = [
        signal(ERROR_RATE).map(|s| {
            StopCondition::absolute(s, Direction::Above, 0.01, 0.02, hold, Consequence::Alert)
        }),
        signal(LATENCY_P99).map(|s| {
            StopCondition::absolute(s, Direction::Above, 0.32, 0.40, hold, Consequence::Alert)
        }),
        signal(SUCCESS_RATE).map(|s| {
            StopCondition::absolute(s, Direction::Below, 0.99, 0.98, hold, Consequence::Alert)
        }),
        // What the users feel: fewer checkouts completed.
        signal(CHECKOUT_COMPLETION).map(|s| {
            StopCondition::absolute(s, Direction::Below, 0.65, 0.60, hold, Consequence::Alert)
        }),
    ];
    conditions.into_iter().flatten().collect()
}

/// The demo's bake, in seconds: at demo pace (holds of 30–45 s) a minute at
/// 100 % is long enough to watch BAKING count down, short enough to wait for.
const DEMO_BAKE: i64 = 60;

/// The demo's signals: the four of an HTTP service, then what its users go
/// through (see [`users::signal_defs`]). The matrix shows traffic, errors,
/// latency and checkout completion; success rate, sign-ins and each
/// region's queue stay in the region detail, so that 80 columns still hold
/// checkout completion; support tickets are the service's own.
fn demo_signals() -> Signals {
    let place = |name: &str| match name {
        REQUEST_RATE => Some(1),
        ERROR_RATE => Some(2),
        LATENCY_P99 => Some(3),
        CHECKOUT_COMPLETION => Some(4),
        _ => None,
    };
    let standard = STANDARD.iter().filter_map(|n| SignalDef::standard(n));
    Signals::new(standard.chain(users::signal_defs()).map(|mut def| {
        def.column = place(&def.name);
        def
    }))
}

/// The demo's status updates: every 20 minutes, its regions by the names
/// customers know.
fn demo_comms() -> crate::domain::comms::CommsPlan {
    let names = [
        ("eu-west-1", "Europe West"),
        ("us-east-1", "North America East"),
        ("ap-southeast-1", "Asia Pacific Southeast"),
        ("sa-east-1", "South America East"),
    ];
    crate::domain::comms::CommsPlan {
        cadence: Span::minutes(20),
        public_names: names
            .iter()
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect(),
        product: Some("Checkout".to_string()),
    }
}

fn wave(name: &str, weight: u8, scope: Scope, hold_s: i64) -> Wave {
    Wave {
        name: name.to_string(),
        weight,
        scope,
        hold: Span::seconds(hold_s),
    }
}

impl FleetSpec {
    /// The default demo: checkout-api going from v2.3.1 to v2.4.0 across four
    /// regions in four waves (5% → 25% → 50% → 100%, holds of 30–45 s) and a
    /// bake of a minute at 100 %, with the canary's error rate and latency
    /// climbing in us-east-1 from 50 s on, and with them its failed sign-ins
    /// and abandoned checkouts, the region's queue and the support tickets.
    pub fn demo(seed: u64) -> FleetSpec {
        let profiles = vec![
            profile("eu-west-1", 1200.0, 0.0030, 190.0),
            profile("us-east-1", 1800.0, 0.0025, 210.0),
            profile("ap-southeast-1", 700.0, 0.0040, 240.0),
            profile("sa-east-1", 350.0, 0.0035, 260.0),
        ];
        let eu = || "eu-west-1".to_string();
        let us = || "us-east-1".to_string();
        let waves = vec![
            wave("canary", 5, Scope::Regions(vec![eu()]), 30),
            wave("early", 25, Scope::Regions(vec![eu(), us()]), 45),
            wave("broad", 50, Scope::All, 45),
            wave("full", 100, Scope::All, 30),
        ];
        let signals = demo_signals();
        FleetSpec {
            plan: RolloutPlan {
                service: "checkout-api".to_string(),
                stable_version: "v2.3.1".to_string(),
                canary_version: "v2.4.0".to_string(),
                regions: profiles.iter().map(|p| p.name.clone()).collect(),
                waves: WavePlan { waves },
                stop_conditions: default_stop_conditions(&signals),
                stale_after: Span::seconds(5),
                judgment: JudgmentPlan::for_signals(&signals),
                signals,
                scorecard: demo_scorecard(),
                gates: Default::default(),
                share: Default::default(),
                bake: Some(Bake {
                    period: Span::seconds(DEMO_BAKE),
                }),
                comms: demo_comms(),
            },
            profiles,
            faults: vec![Fault {
                region: us(),
                starts_after: Span::seconds(50),
                ramp: Span::seconds(20),
                error_rate: 0.06,
                latency_factor: 2.2,
            }],
            seed,
        }
    }

    /// A rehearsal of `plan` for a tabletop drill: its service, versions,
    /// regions, waves and stop conditions at drill pace (holds of 30 s,
    /// conditions holding at most 15 s, a bake of at most a minute), regions
    /// of a typical service, and the canary failing from `fault_at` in the
    /// region the second wave adds (the first region when there is no such
    /// wave).
    pub fn rehearsal(plan: &RolloutPlan, seed: u64, fault_at: Span) -> FleetSpec {
        let profiles = plan
            .regions
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let k = (i % 5) as f64;
                profile(
                    name,
                    600.0 + 250.0 * k,
                    0.0025 + 0.0004 * k,
                    180.0 + 20.0 * k,
                )
            })
            .collect();
        let mut plan = plan.clone();
        for w in &mut plan.waves.waves {
            w.hold = Span::seconds(30);
        }
        for c in &mut plan.stop_conditions {
            c.hold = c.hold.min(Span::seconds(15));
        }
        if let Some(bake) = &mut plan.bake {
            bake.period = bake.period.min(Span::seconds(DEMO_BAKE));
        }
        plan.stale_after = Span::seconds(5);
        let region = second_wave_region(&plan);
        FleetSpec {
            plan,
            profiles,
            faults: vec![Fault {
                region,
                starts_after: fault_at,
                ramp: Span::seconds(20),
                error_rate: 0.06,
                latency_factor: 2.2,
            }],
            seed,
        }
    }

    /// The demo without its fault: a rollout that goes well.
    pub fn calm(seed: u64) -> FleetSpec {
        FleetSpec {
            faults: vec![],
            ..FleetSpec::demo(seed)
        }
    }

    /// A large fleet of `n` regions (for benchmarks and layout checks), with
    /// the demo's waves scaled: the first wave takes one region, the second a
    /// tenth of them, then all.
    pub fn large(n: usize, seed: u64) -> FleetSpec {
        let mut spec = FleetSpec::demo(seed);
        let mut rng = fastrand::Rng::with_seed(seed);
        let areas = ["eu", "us", "ap", "sa", "me", "af", "ca"];
        spec.profiles = (0..n)
            .map(|i| {
                let name = format!(
                    "{}-{}-{}",
                    areas[i % areas.len()],
                    i / areas.len() + 1,
                    i % 3 + 1
                );
                profile(
                    &name,
                    rng.f64() * 1500.0 + 100.0,
                    0.002 + rng.f64() * 0.003,
                    150.0 + rng.f64() * 150.0,
                )
            })
            .collect();
        let names: Vec<String> = spec.profiles.iter().map(|p| p.name.clone()).collect();
        spec.plan.regions = names.clone();
        let tenth = names.len().div_ceil(10).max(1);
        let waves = &mut spec.plan.waves.waves;
        waves[0].scope = Scope::Regions(names.iter().take(1).cloned().collect());
        waves[1].scope = Scope::Regions(names.iter().take(tenth).cloned().collect());
        if let Some(f) = spec.faults.first_mut() {
            f.region = names
                .get(tenth.saturating_sub(1))
                .cloned()
                .unwrap_or_default();
        }
        spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_ramps_from_its_start() {
        let f = FleetSpec::demo(1).faults[0].clone();
        assert_eq!(f.intensity(Span::seconds(10)), 0.0);
        assert_eq!(f.intensity(Span::seconds(60)), 0.5);
        assert_eq!(f.intensity(Span::seconds(500)), 1.0);
    }

    #[test]
    fn demo_has_four_regions_and_four_waves() {
        let spec = FleetSpec::demo(1);
        assert!(spec.plan.regions.len() >= 4);
        let weights: Vec<u8> = spec.plan.waves.waves.iter().map(|w| w.weight).collect();
        assert_eq!(weights, [5, 25, 50, 100]);
    }

    #[test]
    fn the_demo_watches_its_users_and_guards_checkout_completion() {
        let plan = FleetSpec::demo(1).plan;
        let names: Vec<&str> = plan.signals.iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            [
                "request_rate",
                "error_rate",
                "latency_p99",
                "success_rate",
                "login_success",
                "checkout_completion",
                "queue_depth",
                "support_tickets"
            ]
        );
        let columns: Vec<&str> = plan.signals.columns().iter().map(|s| s.name()).collect();
        assert_eq!(
            columns,
            [
                "request_rate",
                "error_rate",
                "latency_p99",
                "checkout_completion"
            ]
        );
        let guard = plan
            .stop_conditions
            .iter()
            .find(|c| c.signal.is(CHECKOUT_COMPLETION));
        assert!(
            guard.is_some_and(|c| c.direction == Direction::Below && c.breach == 0.6),
            "{guard:?}"
        );
        // A drill of the demo's plan keeps its signals.
        let drill = FleetSpec::rehearsal(&plan, 1, Span::seconds(5)).plan;
        assert_eq!(drill.signals, plan.signals);
    }

    #[test]
    fn a_rehearsal_keeps_the_plan_at_drill_pace_and_fails_the_second_wave() {
        let mut plan = FleetSpec::demo(1).plan;
        plan.stop_conditions[0].hold = Span::minutes(5);
        plan.waves.waves[0].hold = Span::hours(1);
        plan.bake = Some(Bake {
            period: Span::minutes(30),
        });
        let spec = FleetSpec::rehearsal(&plan, 1, Span::seconds(5));
        assert_eq!(spec.plan.service, plan.service);
        assert!(
            spec.plan
                .waves
                .waves
                .iter()
                .all(|w| w.hold == Span::seconds(30))
        );
        assert_eq!(spec.plan.stop_conditions[0].hold, Span::seconds(15));
        assert_eq!(spec.plan.bake.map(|b| b.period), Some(Span::seconds(60)));
        assert_eq!(spec.profiles.len(), plan.regions.len());
        // eu-west-1 opens the rollout; us-east-1 joins in the second wave.
        assert_eq!(spec.faults[0].region, "us-east-1");
        assert_eq!(spec.faults[0].starts_after, Span::seconds(5));
    }

    #[test]
    fn large_fleet_has_unique_regions() {
        let spec = FleetSpec::large(50, 7);
        let mut names = spec.plan.regions.clone();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 50);
    }
}
