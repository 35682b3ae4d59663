//! Values from before the rollout: what a signal was, averaged over a
//! window that ends when the rollout started (or at a time the plan
//! fixes), for conditions written `relative_to = "before"`. Each is asked
//! for once per rollout, and again after a failure with a backoff.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::guardrail::{Baseline, StopCondition};
use super::signal::{Per, Signal};
use super::source::backoff;
use super::{Span, Timestamp};

/// One question to a metrics source: `signal`, averaged over `window`
/// ending at `end`. `key` says which of the app's baselines it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineRequest {
    pub key: usize,
    pub signal: Signal,
    pub window: Span,
    pub end: Timestamp,
}

/// A source's answer: the value per region (for a signal measured per
/// version, the stable version's, which was all of the traffic then), or
/// the service's one value.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct BaselineValues {
    pub regions: BTreeMap<String, f64>,
    pub service: Option<f64>,
}

impl BaselineValues {
    /// The value that applies to `region` for a signal measured `per`.
    pub fn get(&self, per: Per, region: &str) -> Option<f64> {
        match per {
            Per::Service => self.service,
            _ => self.regions.get(region).copied(),
        }
        .filter(|v| v.is_finite())
    }
}

/// What a baseline query may end in: the values, or why there are none.
pub type BaselineFuture<'a> =
    Pin<Box<dyn Future<Output = Result<BaselineValues, String>> + Send + 'a>>;

/// A metrics source that can say what a signal was before the rollout.
pub trait BaselineSource: Send + Sync {
    fn before<'a>(&'a self, request: &'a BaselineRequest) -> BaselineFuture<'a>;
}

/// Where one baseline stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// Not asked yet: its end is not known, or nobody asked.
    Unasked,
    /// Asked at `at`, no answer yet.
    Asked {
        at: Timestamp,
        failures: u32,
    },
    /// The last question failed; asked again once the backoff has passed.
    Failed {
        at: Timestamp,
        failures: u32,
        why: String,
    },
    Known(BaselineValues),
}

/// One baseline the plan needs: a signal over a window, ending at a fixed
/// time or when the rollout started.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub signal: Signal,
    pub window: Span,
    pub fixed_end: Option<Timestamp>,
    /// The end asked for, once known.
    pub end: Option<Timestamp>,
    pub fetch: Fetch,
}

/// A window in few characters, in the largest unit that divides it:
/// `7d`, `24h`, `30m`, `45s`.
pub fn window_words(window: Span) -> String {
    let s = window.num_seconds();
    match s {
        s if s >= 2 * 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3_600 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The first wait before asking again after a failure; doubled each time
/// up to a minute (see [`backoff`]).
const RETRY: Duration = Duration::from_secs(5);

/// Every baseline of a plan, and which condition reads which.
#[derive(Debug, Clone, Default)]
pub struct Baselines {
    wanted: Vec<Wanted>,
    /// By condition: the index into `wanted`, for conditions relative to before.
    of_condition: Vec<Option<usize>>,
    /// When the rollout started, as far as it is known, and how.
    started: Option<(Timestamp, &'static str)>,
}

impl Baselines {
    /// One baseline per distinct signal, window and end among `conditions`.
    pub fn new(conditions: &[StopCondition]) -> Baselines {
        let mut wanted: Vec<Wanted> = Vec::new();
        let of_condition = conditions
            .iter()
            .map(|c| {
                let Baseline::Before { window, end } = c.baseline else {
                    return None;
                };
                let same =
                    |w: &Wanted| w.signal == c.signal && w.window == window && w.fixed_end == end;
                Some(wanted.iter().position(same).unwrap_or_else(|| {
                    wanted.push(Wanted {
                        signal: c.signal.clone(),
                        window,
                        fixed_end: end,
                        end,
                        fetch: Fetch::Unasked,
                    });
                    wanted.len() - 1
                }))
            })
            .collect();
        Baselines {
            wanted,
            of_condition,
            started: None,
        }
    }

    pub fn wanted(&self) -> &[Wanted] {
        &self.wanted
    }

    /// The baseline condition `i` reads, if it is relative to before.
    pub fn of_condition(&self, i: usize) -> Option<&Wanted> {
        self.wanted.get(self.key_of(i)?)
    }

    /// Which baseline condition `i` reads, by its key.
    pub fn key_of(&self, i: usize) -> Option<usize> {
        self.of_condition.get(i).copied().flatten()
    }

    /// The values condition `i` compares with, once known.
    pub fn values(&self, i: usize) -> Option<&BaselineValues> {
        match &self.of_condition(i)?.fetch {
            Fetch::Known(values) => Some(values),
            _ => None,
        }
    }

    /// When the rollout started and how that is known, once it is.
    pub fn started(&self) -> Option<(Timestamp, &'static str)> {
        self.started
    }

    /// Take the rollout's start (`how` it is known, in a few words): the
    /// first one given stands, so that a baseline is asked once per rollout.
    pub fn rollout_started(&mut self, at: Timestamp, how: &'static str) {
        if self.started.is_some() {
            return;
        }
        self.started = Some((at, how));
        for w in &mut self.wanted {
            w.end = w.end.or(Some(at));
        }
    }

    /// The questions to ask now: each baseline whose end is known and past,
    /// that was never asked, or whose last failure's backoff has passed. They
    /// are marked asked, so that none is asked twice at once.
    pub fn due(&mut self, now: Timestamp) -> Vec<BaselineRequest> {
        let mut out = Vec::new();
        for (key, w) in self.wanted.iter_mut().enumerate() {
            // A window that has not ended yet has no value to give.
            let Some(end) = w.end.filter(|end| *end <= now) else {
                continue;
            };
            let failures = match &w.fetch {
                Fetch::Unasked => 0,
                Fetch::Failed { at, failures, .. } => {
                    let wait = Span::from_std(backoff(RETRY, *failures)).unwrap_or(Span::MAX);
                    if now - *at < wait {
                        continue;
                    }
                    *failures
                }
                Fetch::Asked { .. } | Fetch::Known(_) => continue,
            };
            w.fetch = Fetch::Asked { at: now, failures };
            out.push(BaselineRequest {
                key,
                signal: w.signal.clone(),
                window: w.window,
                end,
            });
        }
        out
    }

    /// Take a source's answer to baseline `key`.
    pub fn answer(&mut self, key: usize, at: Timestamp, result: Result<BaselineValues, String>) {
        let Some(w) = self.wanted.get_mut(key) else {
            return;
        };
        let failures = match w.fetch {
            Fetch::Asked { failures, .. } | Fetch::Failed { failures, .. } => failures,
            _ => 0,
        };
        w.fetch = match result {
            Ok(values) => Fetch::Known(values),
            Err(why) => Fetch::Failed {
                at,
                failures: failures + 1,
                why,
            },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::guardrail::{Consequence, Direction};
    use crate::domain::signal::{SignalDef, Signals, Unit, Worse};

    fn at(s: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn tickets() -> Signal {
        let mut def = SignalDef::new("support_tickets", Unit::Other("/h".into()), Worse::Higher);
        def.per = Per::Service;
        Signals::new([def]).iter().next().cloned().unwrap()
    }

    fn before(window: i64, end: Option<Timestamp>) -> StopCondition {
        let mut c = StopCondition::absolute(
            tickets(),
            Direction::Above,
            1.01,
            1.01,
            Span::seconds(30),
            Consequence::Alert,
        );
        c.baseline = Baseline::Before {
            window: Span::hours(window),
            end,
        };
        c
    }

    #[test]
    fn windows_read_in_their_largest_unit() {
        let words: Vec<String> = [7 * 86_400, 86_400, 5_400, 90, 600]
            .into_iter()
            .map(|s| window_words(Span::seconds(s)))
            .collect();
        assert_eq!(words, ["7d", "24h", "90m", "90s", "10m"]);
    }

    #[test]
    fn one_question_per_distinct_baseline_once_the_start_is_known() {
        let conditions = [before(24, None), before(24, None), before(1, None)];
        let mut b = Baselines::new(&conditions);
        assert_eq!(b.wanted().len(), 2);
        assert!(b.due(at(0)).is_empty(), "no end known yet");
        b.rollout_started(at(-60), "reported");
        let asked = b.due(at(0));
        assert_eq!(asked.len(), 2);
        assert_eq!(asked[0].end, at(-60));
        assert!(b.due(at(1)).is_empty(), "asked once");
        b.rollout_started(at(-30), "later");
        assert_eq!(b.started(), Some((at(-60), "reported")));
    }

    #[test]
    fn a_fixed_end_is_asked_without_a_start_and_failures_back_off() {
        let mut b = Baselines::new(&[before(24, Some(at(-100)))]);
        let asked = b.due(at(0));
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].end, at(-100));
        b.answer(0, at(1), Err("down".into()));
        assert!(b.due(at(2)).is_empty(), "not on every poll");
        assert_eq!(b.due(at(11)).len(), 1, "again after the backoff");
        b.answer(0, at(12), Err("down".into()));
        assert!(b.due(at(25)).is_empty(), "the wait doubles");
        assert_eq!(b.due(at(32)).len(), 1);
        let values = BaselineValues {
            service: Some(12.0),
            ..Default::default()
        };
        b.answer(0, at(20), Ok(values.clone()));
        assert_eq!(b.values(0), Some(&values));
        assert!(b.due(at(100)).is_empty());
    }
}
