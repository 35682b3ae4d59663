//! A window's summary of the five keys, and the weekly trend.

use super::stats::{median, percentile};
use super::{Deployment, History, Millis, Tier, WEEK, WEEK_ZERO, millis, week_of};
use crate::domain::Timestamp;

impl History {
    pub fn summary(&self, now: Timestamp, days: i64) -> Summary {
        let now = millis(now);
        let start = now - days * 86_400_000;
        let in_window = |t: Millis| t > start && t <= now;
        let mut deployments = 0usize;
        let mut failed = 0usize;
        let mut reworks = 0usize;
        let mut leads = Vec::new();
        let mut recoveries = Vec::new();
        for week in week_of(start)..=week_of(now) {
            let Some(w) = self.weeks.get(&week) else {
                continue;
            };
            for &i in &w.deployments {
                let d = &self.deployments[i as usize];
                if !in_window(d.time) {
                    continue;
                }
                deployments += 1;
                failed += usize::from(d.failed);
                reworks += usize::from(d.hotfix);
                if d.failed
                    && let Some(r) = d.recovery_seconds()
                {
                    recoveries.push(r);
                }
            }
            leads.extend(
                w.lead_times
                    .iter()
                    .filter(|(d, _)| in_window(self.deployments[*d as usize].time))
                    .map(|(_, s)| i64::from(*s)),
            );
        }
        // Twelve or thirteen weeks of trend, whatever the window, for context.
        let trend = self.weekly(now, ((days + 6) / 7).clamp(12, 13));
        Summary::new(days, deployments, failed, reworks, leads, recoveries, trend)
    }

    /// Each key, week by week, for the `weeks` weeks up to `now`, oldest first.
    fn weekly(&self, now: Millis, weeks: i64) -> Vec<WeekPoint> {
        let last = week_of(now);
        (last - weeks + 1..=last)
            .map(|week| {
                let starts =
                    Timestamp::from_timestamp(WEEK_ZERO + week * WEEK, 0).unwrap_or_default();
                let Some(w) = self.weeks.get(&week) else {
                    return WeekPoint::empty(starts);
                };
                // Nothing after `now` counts, in the current week either.
                let deployments: Vec<&Deployment> = w
                    .deployments
                    .iter()
                    .map(|&i| &self.deployments[i as usize])
                    .filter(|d| d.time <= now)
                    .collect();
                let n = deployments.len();
                let failed = deployments.iter().filter(|d| d.failed).count();
                let reworks = deployments.iter().filter(|d| d.hotfix).count();
                let mut leads: Vec<f64> = w
                    .lead_times
                    .iter()
                    .filter(|(d, _)| self.deployments[*d as usize].time <= now)
                    .map(|(_, s)| *s as f64)
                    .collect();
                leads.sort_unstable_by(f64::total_cmp);
                let mut recoveries: Vec<f64> = deployments
                    .iter()
                    .filter(|d| d.failed)
                    .filter_map(|d| d.recovery_seconds())
                    .map(|s| s as f64)
                    .collect();
                recoveries.sort_unstable_by(f64::total_cmp);
                let share = |k: usize| (n > 0).then(|| k as f64 / n as f64);
                WeekPoint {
                    starts,
                    deployments: n,
                    failed,
                    lead_time_median: median(&leads),
                    change_failure_rate: share(failed),
                    recovery_time_median: median(&recoveries),
                    rework_rate: share(reworks),
                }
            })
            .collect()
    }
}

/// One week of every key; `None` where the week has nothing to measure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WeekPoint {
    pub starts: Timestamp,
    pub deployments: usize,
    pub failed: usize,
    pub lead_time_median: Option<f64>,
    pub change_failure_rate: Option<f64>,
    pub recovery_time_median: Option<f64>,
    pub rework_rate: Option<f64>,
}

impl WeekPoint {
    fn empty(starts: Timestamp) -> WeekPoint {
        WeekPoint {
            starts,
            deployments: 0,
            failed: 0,
            lead_time_median: None,
            change_failure_rate: None,
            recovery_time_median: None,
            rework_rate: None,
        }
    }
}

/// A metric's value, or why there is none.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    Value { value: f64, tier: Option<Tier> },
    NotEnough { why: String },
}

/// The five keys over one window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    pub window_days: i64,
    pub deployments: usize,
    pub failed_deployments: usize,
    /// Deployments per day.
    pub deployment_frequency: Measure,
    /// Seconds from commit to production: median.
    pub lead_time_median: Measure,
    /// Seconds from commit to production: 90th percentile.
    pub lead_time_p90: Measure,
    /// Share of deployments that failed, 0..=1.
    pub change_failure_rate: Measure,
    /// Seconds from failure to restore: median.
    pub recovery_time_median: Measure,
    /// Share of deployments that were unplanned fixes, 0..=1.
    pub rework_rate: Measure,
    pub weekly: Vec<WeekPoint>,
}

/// Fewer deployments than this in a window is too little to rate.
pub const MIN_DEPLOYMENTS: usize = 3;

impl Summary {
    fn new(
        days: i64,
        deployments: usize,
        failed: usize,
        reworks: usize,
        mut leads: Vec<i64>,
        mut recoveries: Vec<i64>,
        weekly: Vec<WeekPoint>,
    ) -> Summary {
        let few = |what: &str| Measure::NotEnough {
            why: format!(
                "{deployments} deployment{} in {days} days: too few to rate {what}",
                if deployments == 1 { "" } else { "s" }
            ),
        };
        let enough = deployments >= MIN_DEPLOYMENTS;
        let per_day = deployments as f64 / days.max(1) as f64;
        let deployment_frequency = if deployments == 0 {
            few("frequency")
        } else {
            Measure::Value {
                value: per_day,
                tier: enough.then(|| Tier::for_frequency(per_day)),
            }
        };
        let leads_f: Vec<f64> = {
            leads.sort_unstable();
            leads.iter().map(|&s| s as f64).collect()
        };
        let lead = |p: f64| match percentile(&leads_f, p) {
            Some(v) => Measure::Value {
                value: v,
                tier: (p == 0.5).then(|| Tier::for_lead_time(v)),
            },
            None => Measure::NotEnough {
                why: "no commit times for the changes deployed".to_string(),
            },
        };
        let ratio = |n: usize, tiered: fn(f64) -> Tier, what: &str| {
            if !enough {
                return few(what);
            }
            let r = n as f64 / deployments as f64;
            Measure::Value {
                value: r,
                tier: Some(tiered(r)),
            }
        };
        recoveries.sort_unstable();
        let recovery_f: Vec<f64> = recoveries.iter().map(|&s| s as f64).collect();
        let recovery_time_median = match percentile(&recovery_f, 0.5) {
            Some(v) => Measure::Value {
                value: v,
                tier: Some(Tier::for_recovery(v)),
            },
            None if failed == 0 => Measure::NotEnough {
                why: "no failed deployments".to_string(),
            },
            None => Measure::NotEnough {
                why: format!("{failed} failed, none restored yet"),
            },
        };
        let rework_rate = if enough {
            Measure::Value {
                value: reworks as f64 / deployments as f64,
                tier: None,
            }
        } else {
            few("rework")
        };
        Summary {
            window_days: days,
            deployments,
            failed_deployments: failed,
            deployment_frequency,
            lead_time_median: lead(0.5),
            lead_time_p90: lead(0.9),
            change_failure_rate: ratio(failed, Tier::for_failure_rate, "change failures"),
            recovery_time_median,
            rework_rate,
            weekly,
        }
    }
}
