//! DORA's keys from a history of deployments, changes, incidents, rollbacks
//! and hotfixes: deployment frequency, lead time for changes, change failure
//! rate, failed-deployment recovery time and deployment rework rate, each with
//! its tier in the 2024 State of DevOps report and a weekly trend.
//!
//! Events are taken in one at a time, in any order, and each updates only the
//! week it belongs to; a summary reads only the weeks of its window. A new
//! event never recomputes the whole history. A million events are held in a
//! few tens of MiB: times as milliseconds, names as fingerprints.

mod event;
mod keys;
mod stats;
mod summary;
mod tier;

pub use event::{Event, HistoryFileError};
pub use stats::{median, percentile};
pub use summary::{MIN_DEPLOYMENTS, Measure, Summary, WeekPoint};
pub use tier::Tier;

use std::collections::HashMap;

use super::Timestamp;
use keys::{ByPrint, Fingerprint};

/// Seconds from the Unix epoch to the Monday 00:00 UTC that starts week 0.
const WEEK_ZERO: i64 = 4 * 86_400;
const WEEK: i64 = 7 * 86_400;

/// A time as the history keeps it: milliseconds since the Unix epoch.
type Millis = i64;

/// No time known.
const NEVER: Millis = i64::MIN;

fn millis(t: Timestamp) -> Millis {
    t.timestamp_millis()
}

fn week_of(t: Millis) -> i64 {
    (t.div_euclid(1000) - WEEK_ZERO).div_euclid(WEEK)
}

/// Whole seconds from `from` to `to`, rounded toward zero (as chrono's
/// `num_seconds` does).
fn seconds_between(from: Millis, to: Millis) -> i64 {
    (to - from) / 1000
}

/// One week's share of every metric.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Week {
    deployments: Vec<u32>,
    /// (deployment, seconds from commit) for changes first deployed this week.
    lead_times: Vec<(u32, u32)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Deployment {
    time: Millis,
    /// When its failure started (an incident opening), if later than the deploy.
    failure_start: Millis,
    /// The earliest time it was restored: rollback, hotfix, incident resolved.
    restored: Millis,
    /// The deployment of the same version before this one, `Commit::NONE`
    /// for none: each version's deployments are a chain from its latest.
    same_version: u32,
    hotfix: bool,
    failed: bool,
}

impl Deployment {
    fn recovery_seconds(&self) -> Option<i64> {
        let start = if self.failure_start == NEVER {
            self.time
        } else {
            self.failure_start
        };
        if self.restored == NEVER {
            return None;
        }
        let s = seconds_between(start, self.restored);
        (s >= 0).then_some(s)
    }
}

/// What is known of one commit.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Commit {
    made: Millis,
    /// The first deployment that carried it, `NONE` before any did.
    first: u32,
}

impl Commit {
    const NONE: u32 = u32::MAX;

    fn first(&self) -> Option<usize> {
        (self.first != Self::NONE).then_some(self.first as usize)
    }

    fn made(&self) -> Option<Millis> {
        (self.made != NEVER).then_some(self.made)
    }
}

impl Default for Commit {
    fn default() -> Commit {
        Commit {
            made: NEVER,
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

/// Everything known about a service's delivery history (serialisable for a
/// session's journal).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct History {
    deployments: Vec<Deployment>,
    #[serde(with = "keys::pairs")]
    by_id: ByPrint<u32>,
    weeks: HashMap<i64, Week>,
    /// Each commit by its fingerprint: when it was made, and the first
    /// deployment that carried it.
    #[serde(with = "keys::pairs")]
    commits: ByPrint<Commit>,
    /// Failures that name a deployment not seen yet: applied when it arrives.
    waiting: HashMap<String, Vec<Event>>,
    /// The latest deployment of each version, for rollbacks that name a
    /// version; the others follow from it (`Deployment::same_version`).
    #[serde(with = "keys::pairs")]
    by_version: ByPrint<u32>,
    /// Rollbacks naming a version no deployment of has been seen yet.
    waiting_versions: HashMap<String, Vec<Event>>,
    /// Deployments named as hotfixes before they arrived.
    pending_fixes: std::collections::HashSet<String>,
    events: usize,
}

impl History {
    /// An empty history with room for about `events` events, so that a
    /// long file is read without the tables growing (and copying) as it goes.
    pub fn with_room(events: usize) -> History {
        // Of a typical history's events, about 7 in 10 are changes and 3 in
        // 10 deployments.
        let deployments = events / 3;
        History {
            deployments: Vec::with_capacity(deployments),
            by_id: keys::with_capacity(deployments),
            by_version: keys::with_capacity(deployments),
            commits: keys::with_capacity(events * 3 / 4),
            ..History::default()
        }
    }

    pub fn len(&self) -> usize {
        self.events
    }

    /// Whether a deployment of `version` is known.
    pub fn has_version(&self, version: &str) -> bool {
        self.by_version.contains_key(&Fingerprint::of(version))
    }

    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    /// Take in one event. Only the weeks it touches change.
    pub fn add(&mut self, event: Event) -> Result<(), HistoryError> {
        match event {
            Event::Deployment {
                id,
                time,
                version,
                commits,
                hotfix,
            } => self.add_deployment(&id, time, version.as_deref(), &commits, hotfix),
            Event::Change { commit, time } => {
                self.add_change(&commit, time);
                Ok(())
            }
            failure => {
                self.events += 1;
                self.apply_failure(failure);
                Ok(())
            }
        }
    }

    /// Take in a change: `commit` was made at `time`.
    pub fn add_change(&mut self, commit: &str, time: Timestamp) {
        self.events += 1;
        let time = millis(time);
        let entry = self.commits.entry(Fingerprint::of(commit)).or_default();
        // The earliest time given for a commit counts, whatever the order.
        let earlier = match entry.made() {
            Some(known) if known <= time => return,
            known => known,
        };
        entry.made = time;
        if let Some(d) = entry.first() {
            if let Some(old) = earlier {
                self.forget_lead_time(d, old);
            }
            self.record_lead_time(d, time);
        }
    }

    /// Take in a deployment, as `Event::Deployment` says it.
    pub fn add_deployment<C: AsRef<str>>(
        &mut self,
        id: &str,
        time: Timestamp,
        version: Option<&str>,
        commits: &[C],
        hotfix: bool,
    ) -> Result<(), HistoryError> {
        let index = self.deployments.len();
        if index >= Commit::NONE as usize {
            return Err(HistoryError::TooMany);
        }
        match self.by_id.entry(Fingerprint::of(id)) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(HistoryError::DuplicateDeployment(id.to_string()));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index as u32);
            }
        }
        self.events += 1;
        let time = millis(time);
        let named_a_fix = !self.pending_fixes.is_empty() && self.pending_fixes.remove(id);
        let same_version = version
            .and_then(|v| self.by_version.insert(Fingerprint::of(v), index as u32))
            .unwrap_or(Commit::NONE);
        self.deployments.push(Deployment {
            time,
            failure_start: NEVER,
            restored: NEVER,
            same_version,
            hotfix: hotfix || named_a_fix,
            failed: false,
        });
        if let Some(v) = version
            && !self.waiting_versions.is_empty()
            && let Some(rollbacks) = self.waiting_versions.remove(v)
        {
            for r in rollbacks {
                self.apply_failure(r);
            }
        }
        self.weeks
            .entry(week_of(time))
            .or_default()
            .deployments
            .push(index as u32);
        for commit in commits {
            // A change counts once, from the first deployment that carried it:
            // an earlier deployment arriving late takes the lead time over.
            let entry = self
                .commits
                .entry(Fingerprint::of(commit.as_ref()))
                .or_default();
            let made = entry.made();
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
        if !self.waiting.is_empty()
            && let Some(failures) = self.waiting.remove(id)
        {
            for f in failures {
                self.apply_failure(f);
            }
        }
        Ok(())
    }

    /// The lead time of a change made at `made` and first deployed by
    /// `deployment`, in whole seconds; `None` for a commit "made" after it
    /// was deployed (a clock or data error).
    fn lead_time(&self, deployment: usize, made: Millis) -> Option<u32> {
        let seconds = seconds_between(made, self.deployments[deployment].time);
        (seconds >= 0).then(|| u32::try_from(seconds).unwrap_or(u32::MAX))
    }

    fn record_lead_time(&mut self, deployment: usize, made: Millis) {
        if let Some(seconds) = self.lead_time(deployment, made) {
            let deployed = self.deployments[deployment].time;
            self.weeks
                .entry(week_of(deployed))
                .or_default()
                .lead_times
                .push((deployment as u32, seconds));
        }
    }

    fn forget_lead_time(&mut self, deployment: usize, made: Millis) {
        let Some(seconds) = self.lead_time(deployment, made) else {
            return;
        };
        let entry = (deployment as u32, seconds);
        let deployed = self.deployments[deployment].time;
        if let Some(week) = self.weeks.get_mut(&week_of(deployed))
            && let Some(i) = week.lead_times.iter().position(|x| *x == entry)
        {
            week.lead_times.swap_remove(i);
        }
    }

    fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(&Fingerprint::of(id)).map(|&i| i as usize)
    }

    /// The deployment a failure names: by id, or the latest of a version
    /// deployed before the failure.
    fn target(&self, id: Option<&str>, version: Option<&str>, at: Millis) -> Option<usize> {
        if let Some(id) = id {
            return self.index_of(id);
        }
        let latest = *self.by_version.get(&Fingerprint::of(version?))?;
        let chain = std::iter::successors(Some(latest), |&i| {
            let before = self.deployments[i as usize].same_version;
            (before != Commit::NONE).then_some(before)
        });
        // Of two at the same time, the one taken in last (the first in the chain).
        let time = |i: usize| self.deployments[i].time;
        chain
            .map(|i| i as usize)
            .filter(|&i| time(i) <= at)
            .reduce(|best, i| if time(i) > time(best) { i } else { best })
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
                Some(millis(*opened)),
                resolved.map(millis),
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
                Some(millis(*time)),
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
                Some(millis(*time)),
                fix_deployment.clone(),
            ),
            Event::Deployment { .. } | Event::Change { .. } => return,
        };
        let at = restored.or(start).unwrap_or(0);
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
            match self.index_of(&fix) {
                Some(f) => self.deployments[f].hotfix = true,
                None => {
                    self.pending_fixes.insert(fix);
                }
            }
        }
        let d = &mut self.deployments[index];
        d.failed = true;
        if let Some(s) = start.filter(|s| *s > d.time) {
            d.failure_start = if d.failure_start == NEVER {
                s
            } else {
                d.failure_start.min(s)
            };
        }
        if let Some(r) = restored {
            d.restored = if d.restored == NEVER {
                r
            } else {
                d.restored.min(r)
            };
        }
    }
}

#[cfg(test)]
mod tests;
