//! What the simulated service's users go through: logins that succeed,
//! checkouts that complete, the work queued in each region and the support
//! tickets they open. Every value is made from the fleet's [`Truth`], so a
//! fault that raises errors or latency hurts the users too, the way it would
//! in a real service.

use super::Truth;
use super::exposition::{below, mean_latency};
use super::fleet::normal;
use crate::domain::health::{Sample, VersionRole};
use crate::domain::signal::{Per, SignalDef, Signals, Unit, Worse};

/// Share of sign-in attempts that succeed, per region and version.
pub const LOGIN_SUCCESS: &str = "login_success";
/// Share of started checkouts that end in an order, per region and version.
pub const CHECKOUT_COMPLETION: &str = "checkout_completion";
/// Requests waiting or in service in a region, whatever their version.
pub const QUEUE_DEPTH: &str = "queue_depth";
/// Support tickets opened per hour, for the whole service.
pub const SUPPORT_TICKETS: &str = "support_tickets";

/// Share of requests that are sign-in attempts.
pub const LOGIN_SHARE: f64 = 0.06;
/// Share of requests that start a checkout.
pub const CHECKOUT_SHARE: f64 = 0.08;

/// Sign-ins that fail whatever the service does (a mistyped password).
const MISTYPED: f64 = 0.012;
/// Requests one sign-in makes: each may fail.
const LOGIN_REQUESTS: i32 = 2;
/// Seconds a client waits for a sign-in before it gives up.
const LOGIN_TIMEOUT: f64 = 1.0;

/// Share of checkouts people mean to finish: the others only look.
const INTENT: f64 = 0.80;
/// Requests from cart to order, each of which can lose the buyer.
const CHECKOUT_STEPS: i32 = 4;
/// Share of buyers who give up at a failed step rather than retry.
const GIVE_UP_ON_ERROR: f64 = 0.7;
/// Seconds of p99 latency per step that lose a buyer in e (abandonment
/// grows with slowness).
const PATIENCE: f64 = 10.0;

/// Times a failed request is tried again, adding to the queue.
const RETRIES: f64 = 2.0;

/// Support tickets opened per hour when nothing fails.
const TICKETS_BASE: f64 = 4.0;
/// Share of failed requests that end in a ticket.
const TICKETS_PER_FAILURE: f64 = 1.0 / 5000.0;

/// People's behaviour is judged over a longer window than requests: a
/// minute of sign-ins or checkouts, so a thin canary is not all noise.
const WINDOW_SECONDS: f64 = 60.0;

/// Share of sign-ins that succeed: not mistyped, no failed request, not
/// slower than the client waits.
pub fn login_success(t: &Truth) -> f64 {
    let served = (1.0 - t.error_rate).clamp(0.0, 1.0).powi(LOGIN_REQUESTS);
    let in_time = below(LOGIN_TIMEOUT, t.p99);
    ((1.0 - MISTYPED) * served * in_time).clamp(0.0, 1.0)
}

/// Share of checkouts that end in an order: those meant to, less the
/// buyers lost at a failed step or to a slow one.
pub fn checkout_completion(t: &Truth) -> f64 {
    let step = (1.0 - GIVE_UP_ON_ERROR * t.error_rate).clamp(0.0, 1.0)
        * (-t.p99.max(0.0) / PATIENCE).exp();
    (INTENT * step.powi(CHECKOUT_STEPS)).clamp(0.0, 1.0)
}

/// What one region × version adds to its region's queue (Little's law:
/// arrivals, retries included, times the mean time in service).
pub fn in_queue(t: &Truth) -> f64 {
    let arrivals = t.rps * (1.0 + RETRIES * t.error_rate);
    (arrivals * mean_latency(t.p99)).max(0.0)
}

/// The queue of `region`: what each of its versions adds.
pub fn queue_depth(truth: &[Truth], region: &str) -> f64 {
    truth
        .iter()
        .filter(|t| t.region == region)
        .map(in_queue)
        .sum()
}

/// Support tickets per hour across the service: a steady few, and a share
/// of every failed request.
pub fn support_tickets(truth: &[Truth]) -> f64 {
    let failed: f64 = truth.iter().map(|t| t.rps * t.error_rate).sum();
    TICKETS_BASE + failed.max(0.0) * 3600.0 * TICKETS_PER_FAILURE
}

/// The user signals this module serves, as the demo's plan defines them:
/// checkout completion and the queue as columns, sign-ins in the region
/// detail, tickets beneath the matrix.
pub fn signal_defs() -> [SignalDef; 4] {
    let mut login = SignalDef::new(LOGIN_SUCCESS, Unit::Ratio, Worse::Lower);
    login.short = "login".to_string();
    login.column = None;
    let mut checkout = SignalDef::new(CHECKOUT_COMPLETION, Unit::Ratio, Worse::Lower);
    checkout.short = "chk".to_string();
    let mut queue = SignalDef::new(QUEUE_DEPTH, Unit::Count, Worse::Higher);
    queue.short = "queue".to_string();
    queue.per = Per::Region;
    let mut tickets = SignalDef::new(SUPPORT_TICKETS, Unit::named("tickets/h"), Worse::Higher);
    tickets.per = Per::Service;
    tickets.column = None;
    [login, checkout, queue, tickets]
}

/// The users' side of one poll, with sampling noise of its own.
#[derive(Debug, Clone)]
pub struct Users {
    rng: fastrand::Rng,
}

impl Users {
    /// Noise from its own seed, so that serving these signals leaves the
    /// request signals' numbers as they were.
    pub fn new(seed: u64) -> Users {
        Users {
            rng: fastrand::Rng::with_seed(seed ^ 0x05e7_5ca1_ab1e),
        }
    }

    /// One reading of each user signal `signals` names: sign-ins and
    /// checkouts per region × version, the queue per region, tickets for
    /// the service. A signal the plan does not name is not served.
    pub fn sample(&mut self, truth: &[Truth], signals: &Signals) -> Vec<Sample> {
        let mut out = Vec::new();
        let mut push = |name: &str, region: &str, version: VersionRole, value: f64| {
            if let Some(signal) = signals.get(name) {
                out.push(Sample {
                    region: region.to_string(),
                    version,
                    signal: signal.clone(),
                    value,
                    basis: Default::default(),
                });
            }
        };
        for t in truth {
            let logins = t.rps * LOGIN_SHARE * WINDOW_SECONDS;
            let login = self.share(login_success(t), logins);
            push(LOGIN_SUCCESS, &t.region, t.version, login);
            let checkouts = t.rps * CHECKOUT_SHARE * WINDOW_SECONDS;
            let checkout = self.share(checkout_completion(t), checkouts);
            push(CHECKOUT_COMPLETION, &t.region, t.version, checkout);
        }
        let mut regions: Vec<&str> = Vec::new();
        for t in truth {
            if !regions.contains(&t.region.as_str()) {
                regions.push(&t.region);
            }
        }
        for region in regions {
            // A count of things in the queue: Poisson, about √n either way.
            let depth = queue_depth(truth, region);
            let depth = (depth + depth.sqrt() * normal(&mut self.rng)).max(0.0);
            push(QUEUE_DEPTH, region, VersionRole::Stable, depth);
        }
        // Tickets arrive in bursts the hourly rate smooths only so much.
        let tickets = support_tickets(truth);
        let tickets = (tickets * (1.0 + 0.05 * normal(&mut self.rng))).max(0.0);
        push(SUPPORT_TICKETS, "", VersionRole::Stable, tickets);
        out
    }

    /// A share `p` seen over `n` tries: binomial noise, jumpy when few.
    fn share(&mut self, p: f64, n: f64) -> f64 {
        let sd = (p * (1.0 - p) / n.max(1.0)).sqrt();
        (p + sd * normal(&mut self.rng)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn healthy(rps: f64, p99: f64) -> Truth {
        Truth {
            region: "eu".into(),
            version: VersionRole::Canary,
            rps,
            error_rate: 0.003,
            client_error_rate: 0.004,
            p99,
        }
    }

    fn errors(share: f64) -> Truth {
        Truth {
            error_rate: share,
            ..healthy(1000.0, 0.2)
        }
    }

    fn slow(factor: f64) -> Truth {
        healthy(1000.0, 0.2 * factor)
    }

    #[test]
    fn a_healthy_service_keeps_its_users() {
        for p99 in [0.15, 0.19, 0.26, 0.3] {
            let t = healthy(1000.0, p99);
            let login = login_success(&t);
            assert!((0.98..=0.99).contains(&login), "login {login} at {p99}");
            let checkout = checkout_completion(&t);
            assert!((0.70..=0.75).contains(&checkout), "checkout {checkout}");
        }
        let truth = [healthy(1000.0, 0.2), healthy(200.0, 0.2)];
        let depth = queue_depth(&truth, "eu");
        assert!((80.0..120.0).contains(&depth), "queue {depth}");
        let tickets = support_tickets(&truth);
        assert!((5.0..20.0).contains(&tickets), "tickets {tickets}");
    }

    #[test]
    fn errors_cost_sign_ins_checkouts_queue_and_tickets() {
        let (calm, bad) = (errors(0.003), errors(0.06));
        assert!(login_success(&bad) < login_success(&calm) - 0.05);
        assert!(checkout_completion(&bad) < checkout_completion(&calm) - 0.08);
        assert!(in_queue(&bad) > in_queue(&calm));
        let calm_tickets = support_tickets(std::slice::from_ref(&calm));
        assert!(support_tickets(&[bad]) > 2.0 * calm_tickets);
    }

    #[test]
    fn slowness_loses_buyers_times_out_sign_ins_and_fills_the_queue() {
        let (calm, bad) = (slow(1.0), slow(2.2));
        assert!(checkout_completion(&bad) < checkout_completion(&calm) - 0.05);
        assert!(in_queue(&bad) > 2.0 * in_queue(&calm));
        // Sign-ins wait long: only a latency near the timeout costs them.
        assert!(login_success(&slow(5.0)) < login_success(&calm) - 0.005);
        assert!(login_success(&bad) <= login_success(&calm));
    }

    #[test]
    fn nothing_is_ever_nan_even_with_nothing_or_everything_failing() {
        let cases = [
            healthy(0.0, 0.2),
            healthy(1000.0, 0.0),
            healthy(1000.0, 1e9),
            errors(1.0),
            Truth {
                rps: 1e12,
                ..errors(0.5)
            },
        ];
        let signals = Signals::new(signal_defs());
        let mut users = Users::new(7);
        for t in &cases {
            for v in [
                login_success(t),
                checkout_completion(t),
                in_queue(t),
                support_tickets(std::slice::from_ref(t)),
            ] {
                assert!(v.is_finite() && v >= 0.0, "{v} from {t:?}");
            }
            for s in users.sample(std::slice::from_ref(t), &signals) {
                assert!(s.value.is_finite() && s.value >= 0.0, "{s:?}");
            }
        }
    }

    #[test]
    fn each_signal_is_served_where_it_is_measured_and_only_when_named() {
        let truth = [
            healthy(1000.0, 0.2),
            Truth {
                version: VersionRole::Stable,
                ..healthy(1000.0, 0.2)
            },
        ];
        let mut users = Users::new(1);
        let all = users.sample(&truth, &Signals::new(signal_defs()));
        let count = |name: &str| all.iter().filter(|s| s.signal.is(name)).count();
        assert_eq!(count(LOGIN_SUCCESS), 2);
        assert_eq!(count(CHECKOUT_COMPLETION), 2);
        assert_eq!(count(QUEUE_DEPTH), 1);
        assert_eq!(count(SUPPORT_TICKETS), 1);
        let tickets = all.iter().find(|s| s.signal.is(SUPPORT_TICKETS));
        assert_eq!(tickets.map(|s| s.region.as_str()), Some(""));
        assert!(users.sample(&truth, &Signals::standard()).is_empty());
    }

    #[test]
    fn noise_stays_near_the_truth() {
        let truth = [healthy(1200.0, 0.19)];
        let signals = Signals::new(signal_defs());
        let mut users = Users::new(3);
        let mut sum = [0.0; 4];
        let polls = 200;
        for _ in 0..polls {
            for s in users.sample(&truth, &signals) {
                sum[s.signal.slot()] += s.value / f64::from(polls);
            }
        }
        let truth_of = [
            login_success(&truth[0]),
            checkout_completion(&truth[0]),
            queue_depth(&truth, "eu"),
            support_tickets(&truth),
        ];
        for (mean, truth) in sum.iter().zip(truth_of) {
            assert!((mean - truth).abs() < truth * 0.01, "{mean} vs {truth}");
        }
    }
}
