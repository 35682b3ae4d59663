//! DORA's keys from a history of deployments, changes, incidents, rollbacks
//! and hotfixes: deployment frequency, lead time for changes, change failure
//! rate, failed-deployment recovery time and deployment rework rate, each with
//! its tier in the 2024 State of DevOps report and a weekly trend.
//!
//! Events are taken in one at a time, in any order, and each updates only the
//! week it belongs to; a summary reads only the weeks of its window. A new
//! event never recomputes the whole history.

mod event;
mod stats;
mod tier;

pub use event::{Event, HistoryFileError};
pub use stats::{median, percentile};
pub use tier::Tier;

use std::collections::HashMap;

use super::{Span, Timestamp};

/// Seconds from the Unix epoch to the Monday 00:00 UTC that starts week 0.
const WEEK_ZERO: i64 = 4 * 86_400;
const WEEK: i64 = 7 * 86_400;

fn week_of(t: Timestamp) -> i64 {
    (t.timestamp() - WEEK_ZERO).div_euclid(WEEK)
}

/// One week's share of every metric.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Week {
    deployments: Vec<usize>,
    /// (deployed at, seconds from commit), for changes first deployed this week.
    lead_times: Vec<(Timestamp, i64)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Deployment {
    time: Timestamp,
    hotfix: bool,
    failed: bool,
    /// When its failure started (an incident opening), if later than the deploy.
    failure_start: Option<Timestamp>,
    /// The earliest time it was restored: rollback, hotfix, incident resolved.
    restored: Option<Timestamp>,
}

impl Deployment {
    fn recovery_seconds(&self) -> Option<i64> {
        let start = self.failure_start.unwrap_or(self.time);
        let end = self.restored?;
        let s = (end - start).num_seconds();
        (s >= 0).then_some(s)
    }
}

/// A commit id as 128 bits of its hash: a history of millions of commits
/// keeps no copy of their names, and two names share a fingerprint with a
/// chance of about one in 10^26 at a million commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
struct Fingerprint(u64, u64);

impl Fingerprint {
    fn of(commit: &str) -> Fingerprint {
        use std::hash::{Hash, Hasher};
        // Two SipHash sums of the name, told apart by what precedes it.
        let half = |salt: u8| {
            let mut h = std::hash::DefaultHasher::new();
            salt.hash(&mut h);
            commit.hash(&mut h);
            h.finish()
        };
        Fingerprint(half(0), half(1))
    }
}

/// What is known of one commit.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Commit {
    made: Option<Timestamp>,
    /// The first deployment that carried it, `NONE` before any did.
    first: u32,
}

impl Commit {
    const NONE: u32 = u32::MAX;

    fn first(&self) -> Option<usize> {
        (self.first != Self::NONE).then_some(self.first as usize)
    }
}

impl Default for Commit {
    fn default() -> Commit {
        Commit {
            made: None,
            first: Commit::NONE,
        }
    }
}

/// Why an event could not be taken in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("deployment `{0}` appears twice")]
    DuplicateDeployment(String),
    #[error("more than {} deployments: the history holds no more", u32::MAX - 1)]
    TooMany,
}

/// Everything known about a service's delivery history.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct History {
    deployments: Vec<Deployment>,
    by_id: HashMap<String, usize>,
    weeks: HashMap<i64, Week>,
    /// Each commit by its fingerprint: when it was made, and the first
    /// deployment that carried it.
    #[serde(with = "pairs")]
    commits: HashMap<Fingerprint, Commit>,
    /// Failures that name a deployment not seen yet: applied when it arrives.
    waiting: HashMap<String, Vec<Event>>,
    /// Latest deployment index per version, for rollbacks that name a version.
    by_version: HashMap<String, Vec<usize>>,
    /// Rollbacks naming a version no deployment of has been seen yet.
    waiting_versions: HashMap<String, Vec<Event>>,
    /// Deployments named as hotfixes before they arrived.
    pending_fixes: std::collections::HashSet<String>,
    events: usize,
}

/// A map whose keys are not strings, as a list of pairs (for a session
/// journal, which is JSON).
mod pairs {
    use std::collections::HashMap;
    use std::hash::Hash;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K, V, S>(map: &HashMap<K, V>, s: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize,
        V: Serialize,
        S: Serializer,
    {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<HashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        let pairs: Vec<(K, V)> = Vec::deserialize(d)?;
        Ok(pairs.into_iter().collect())
    }
}

impl History {
    pub fn len(&self) -> usize {
        self.events
    }

    /// Whether a deployment of `version` is known.
    pub fn has_version(&self, version: &str) -> bool {
        self.by_version.contains_key(version)
    }

    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// Take in one event. Only the weeks it touches change.
    pub fn add(&mut self, event: Event) -> Result<(), HistoryError> {
        self.events += 1;
        match event {
            Event::Deployment {
                id,
                time,
                version,
                commits,
                hotfix,
            } => self.add_deployment(id, time, version, commits, hotfix),
            Event::Change { commit, time } => {
                let entry = self.commits.entry(Fingerprint::of(&commit)).or_default();
                // The earliest time given for a commit counts, whatever the order.
                let earlier = match entry.made {
                    Some(known) if known <= time => return Ok(()),
                    known => known,
                };
                entry.made = Some(time);
                if let Some(d) = entry.first() {
                    if let Some(old) = earlier {
                        self.forget_lead_time(d, old);
                    }
                    self.record_lead_time(d, time);
                }
                Ok(())
            }
            failure => {
                self.apply_failure(failure);
                Ok(())
            }
        }
    }

    fn add_deployment(
        &mut self,
        id: String,
        time: Timestamp,
        version: Option<String>,
        commits: Vec<String>,
        hotfix: bool,
    ) -> Result<(), HistoryError> {
        if self.by_id.contains_key(&id) {
            return Err(HistoryError::DuplicateDeployment(id));
        }
        let index = self.deployments.len();
        if index >= Commit::NONE as usize {
            return Err(HistoryError::TooMany);
        }
        self.deployments.push(Deployment {
            time,
            hotfix,
            failed: false,
            failure_start: None,
            restored: None,
        });
        if self.pending_fixes.remove(&id) {
            self.deployments[index].hotfix = true;
        }
        self.by_id.insert(id.clone(), index);
        if let Some(v) = version {
            self.by_version.entry(v.clone()).or_default().push(index);
            if let Some(rollbacks) = self.waiting_versions.remove(&v) {
                for r in rollbacks {
                    self.apply_failure(r);
                }
            }
        }
        self.weeks
            .entry(week_of(time))
            .or_default()
            .deployments
            .push(index);
        for commit in commits {
            // A change counts once, from the first deployment that carried it:
            // an earlier deployment arriving late takes the lead time over.
            let entry = self.commits.entry(Fingerprint::of(&commit)).or_default();
            let made = entry.made;
            match entry.first() {
                Some(first) if self.deployments[first].time <= time => continue,
                Some(later) => {
                    entry.first = index as u32;
                    if let Some(made) = made {
                        self.forget_lead_time(later, made);
                    }
                }
                None => entry.first = index as u32,
            }
            if let Some(made) = made {
                self.record_lead_time(index, made);
            }
        }
        if let Some(failures) = self.waiting.remove(&id) {
            for f in failures {
                self.apply_failure(f);
            }
        }
        Ok(())
    }

    fn record_lead_time(&mut self, deployment: usize, made: Timestamp) {
        let deployed = self.deployments[deployment].time;
        let seconds = (deployed - made).num_seconds();
        // A commit "made" after it was deployed is a clock or data error.
        if seconds >= 0 {
            self.weeks
                .entry(week_of(deployed))
                .or_default()
                .lead_times
                .push((deployed, seconds));
        }
    }

    fn forget_lead_time(&mut self, deployment: usize, made: Timestamp) {
        let deployed = self.deployments[deployment].time;
        let entry = (deployed, (deployed - made).num_seconds());
        if let Some(week) = self.weeks.get_mut(&week_of(deployed))
            && let Some(i) = week.lead_times.iter().position(|x| *x == entry)
        {
            week.lead_times.swap_remove(i);
        }
    }

    /// The deployment a failure names: by id, or the latest of a version
    /// deployed before the failure.
    fn target(&self, id: Option<&str>, version: Option<&str>, at: Timestamp) -> Option<usize> {
        if let Some(id) = id {
            return self.by_id.get(id).copied();
        }
        let list = self.by_version.get(version?)?;
        list.iter()
            .copied()
            .filter(|&i| self.deployments[i].time <= at)
            .max_by_key(|&i| self.deployments[i].time)
    }

    fn apply_failure(&mut self, event: Event) {
        let (id, version, start, restored, fix) = match &event {
            Event::Incident {
                deployment,
                opened,
                resolved,
            } => (
                Some(deployment.as_str()),
                None,
                Some(*opened),
                *resolved,
                None,
            ),
            Event::Rollback {
                deployment,
                version,
                time,
            } => (
                deployment.as_deref(),
                version.as_deref(),
                None,
                Some(*time),
                None,
            ),
            Event::Hotfix {
                deployment,
                time,
                fix_deployment,
            } => (
                Some(deployment.as_str()),
                None,
                None,
                Some(*time),
                fix_deployment.clone(),
            ),
            Event::Deployment { .. } | Event::Change { .. } => return,
        };
        let at = restored.or(start).unwrap_or_default();
        let Some(index) = self.target(id, version, at) else {
            match (id, version) {
                (Some(id), _) => self.waiting.entry(id.to_string()).or_default().push(event),
                // Applied to the latest deployment of the version before it, once
                // one arrives (a later one arriving afterwards does not move it).
                (None, Some(v)) => self
                    .waiting_versions
                    .entry(v.to_string())
                    .or_default()
                    .push(event),
                (None, None) => {}
            }
            return;
        };
        if let Some(fix) = fix {
            match self.by_id.get(&fix) {
                Some(&f) => self.deployments[f].hotfix = true,
                None => {
                    self.pending_fixes.insert(fix);
                }
            }
        }
        let d = &mut self.deployments[index];
        d.failed = true;
        if let Some(s) = start.filter(|s| *s > d.time) {
            d.failure_start = Some(d.failure_start.map_or(s, |old| old.min(s)));
        }
        if let Some(r) = restored {
            d.restored = Some(d.restored.map_or(r, |old| old.min(r)));
        }
    }

    /// The five keys over the `days` before `now`, and their weekly trend.
    pub fn summary(&self, now: Timestamp, days: i64) -> Summary {
        let start = now - Span::days(days);
        let in_window = |t: Timestamp| t > start && t <= now;
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
                let d = &self.deployments[i];
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
                    .filter(|(t, _)| in_window(*t))
                    .map(|(_, s)| *s),
            );
        }
        // Twelve or thirteen weeks of trend, whatever the window, for context.
        let trend = self.weekly(now, ((days + 6) / 7).clamp(12, 13));
        Summary::new(days, deployments, failed, reworks, leads, recoveries, trend)
    }

    /// Each key, week by week, for the `weeks` weeks up to `now`, oldest first.
    fn weekly(&self, now: Timestamp, weeks: i64) -> Vec<WeekPoint> {
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
                    .map(|&i| &self.deployments[i])
                    .filter(|d| d.time <= now)
                    .collect();
                let n = deployments.len();
                let failed = deployments.iter().filter(|d| d.failed).count();
                let reworks = deployments.iter().filter(|d| d.hotfix).count();
                let mut leads: Vec<f64> = w
                    .lead_times
                    .iter()
                    .filter(|(t, _)| *t <= now)
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

#[cfg(test)]
mod tests;
