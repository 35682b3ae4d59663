//! The plan's stop conditions, checked.

use toml::Spanned;

use super::*;
use crate::domain::guardrail::Baseline;
use crate::domain::signal::{Per, REQUEST_RATE};

/// Why a level on `signal` cannot work: one every value is past (it would
/// act on every poll) or one no value can pass (it would never trip).
/// `None` when some values are past it and some are not. `verb` is what
/// passing it does: breach or warn.
fn impossible(signal: &Signal, direction: Direction, level: f64, verb: &str) -> Option<String> {
    let (range, lowest, highest) = signal.unit().range();
    let name = signal.label();
    let (every, never) = match direction {
        Direction::Above => (level < lowest, highest.is_some_and(|h| level >= h)),
        Direction::Below => (highest.is_some_and(|h| level > h), level <= lowest),
    };
    let side = match direction {
        Direction::Above => "above",
        Direction::Below => "below",
    };
    if every {
        return Some(format!(
            "{name} is {range}: every value is {side} {level}, so it would {verb} on every poll"
        ));
    }
    if never {
        return Some(format!(
            "{name} is {range}: no value can be {side} {level}, so it would never {verb}"
        ));
    }
    None
}

impl Checker<'_> {
    pub(super) fn condition(
        &self,
        i: usize,
        raw: &Spanned<RawCondition>,
        signals: &Signals,
    ) -> Result<StopCondition, PlanError> {
        let c = raw.get_ref();
        let field = |f: &str| format!("stop_conditions[{i}].{f}");
        let Some(signal) = signals.get(c.signal.get_ref()).cloned() else {
            let known: Vec<&str> = signals.iter().map(|s| s.name()).collect();
            return self.err(
                c.signal.span(),
                field("signal"),
                format!(
                    "`{}` is not a signal of this plan; [signals] defines {}",
                    shown(c.signal.get_ref()),
                    known.join(", ")
                ),
            );
        };
        let (direction, breach) = match (&c.above, &c.below) {
            (Some(v), None) => (Direction::Above, v),
            (None, Some(v)) => (Direction::Below, v),
            _ => {
                return self.err(
                    raw.span(),
                    field("above"),
                    "give exactly one of above = … or below = …",
                );
            }
        };
        let level_key = match direction {
            Direction::Above => "above",
            Direction::Below => "below",
        };
        let breach_value = *breach.get_ref();
        if !breach_value.is_finite() {
            return self.err(breach.span(), field(level_key), "must be a finite number");
        }
        let relative = c.relative_to.is_some();
        if !relative && let Some(problem) = impossible(&signal, direction, breach_value, "breach") {
            return self.err(breach.span(), field(level_key), problem);
        }
        let warn = match &c.warn {
            None => breach_value,
            Some(w) => {
                let v = *w.get_ref();
                let safe_side = match direction {
                    Direction::Above => v <= breach_value,
                    Direction::Below => v >= breach_value,
                };
                if !relative
                    && v.is_finite()
                    && let Some(problem) = impossible(&signal, direction, v, "warn")
                {
                    return self.err(w.span(), field("warn"), problem);
                }
                if !v.is_finite() || !safe_side {
                    let side = if direction == Direction::Above {
                        "below"
                    } else {
                        "above"
                    };
                    return self.err(
                        w.span(),
                        field("warn"),
                        format!("the warning level must be {side} the breach level {breach_value}"),
                    );
                }
                v
            }
        };
        let hold = self.duration(&c.hold, &field("for"))?;
        let consequence = match c.on_breach.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("alert") => Consequence::Alert,
            Some("pause") => Consequence::Pause,
            Some("rollback") => Consequence::Rollback,
            Some(other) => {
                let span = c.on_breach.as_ref().map(|s| s.span()).unwrap_or(raw.span());
                let problem = format!(
                    "`{other}` is not a consequence; use \"alert\", \"pause\" or \"rollback\""
                );
                return self.err(span, field("on_breach"), problem);
            }
        };
        let region_only = match c.act_on.as_ref().map(|s| (s.get_ref().as_str(), s.span())) {
            None | Some(("rollout", _)) => false,
            Some(("region", span)) => {
                if consequence == Consequence::Alert {
                    return self.err(
                        span,
                        field("act_on"),
                        "an alert does not act; act_on goes with on_breach = \"pause\" or \"rollback\"",
                    );
                }
                true
            }
            Some((other, span)) => {
                return self.err(
                    span,
                    field("act_on"),
                    format!("`{other}` is not a scope; use \"rollout\" or \"region\""),
                );
            }
        };
        if region_only && signal.per() == Per::Service {
            let span = c.act_on.as_ref().map_or(raw.span(), |a| a.span());
            return self.err(
                span,
                field("act_on"),
                format!(
                    "`{}` is one value for the whole service: a breach acts on the rollout, not a region",
                    signal.name()
                ),
            );
        }
        let baseline = self.baseline(i, c, signal.name(), signal.per())?;
        if baseline != Baseline::Absolute {
            let levels = [
                Some((breach, level_key)),
                c.warn.as_ref().map(|w| (w, "warn")),
            ];
            for (level, key) in levels.into_iter().flatten() {
                if *level.get_ref() <= 0.0 {
                    let problem = format!(
                        "relative to {}, the level is a multiple such as 1.5, above 0",
                        baseline.word()
                    );
                    return self.err(level.span(), field(key), problem);
                }
            }
        }
        let min_request_rate = match &c.min_request_rate {
            None => None,
            Some(m) if !(m.get_ref().is_finite() && *m.get_ref() >= 0.0) => {
                return self.err(
                    m.span(),
                    field("min_request_rate"),
                    "must be a number of requests per second, 0 or more",
                );
            }
            Some(m) => match signals.get(REQUEST_RATE) {
                Some(rate) if rate.per() == Per::Version && signal.per() == Per::Version => {
                    Some((rate.clone(), *m.get_ref()))
                }
                _ => {
                    return self.err(
                        m.span(),
                        field("min_request_rate"),
                        "needs a request_rate signal measured per version, and a condition on a signal measured per version",
                    );
                }
            },
        };
        Ok(StopCondition {
            signal,
            direction,
            warn,
            breach: breach_value,
            hold: Span::from_std(hold).unwrap_or(Span::MAX),
            consequence,
            baseline,
            min_request_rate,
            region_only,
        })
    }

    /// What condition `i`'s levels are measured against: `relative_to`,
    /// with `baseline` and `baseline_end` for "before".
    fn baseline(
        &self,
        i: usize,
        c: &RawCondition,
        name: &str,
        per: Per,
    ) -> Result<Baseline, PlanError> {
        let field = |f: &str| format!("stop_conditions[{i}].{f}");
        let before = c
            .relative_to
            .as_ref()
            .is_some_and(|r| r.get_ref() == "before");
        if !before {
            let stray = [("baseline", &c.baseline), ("baseline_end", &c.baseline_end)];
            if let Some((key, Some(v))) = stray.into_iter().find(|(_, v)| v.is_some()) {
                return self.err(
                    v.span(),
                    field(key),
                    format!("{key} goes with relative_to = \"before\""),
                );
            }
        }
        match &c.relative_to {
            None => Ok(Baseline::Absolute),
            Some(r) if r.get_ref() == "stable" => {
                if per != Per::Version {
                    return self.err(
                        r.span(),
                        field("relative_to"),
                        format!(
                            "`{name}` is not measured per version, so there is no stable value to compare with"
                        ),
                    );
                }
                Ok(Baseline::Stable)
            }
            Some(r) if r.get_ref() == "before" => {
                let Some(window) = &c.baseline else {
                    return self.err(
                        r.span(),
                        field("baseline"),
                        "relative to before needs baseline = \"24h\" (or another window) to average the value before over",
                    );
                };
                let window = self.duration(window, &field("baseline"))?;
                let end = match &c.baseline_end {
                    None => None,
                    Some(e) => match chrono::DateTime::parse_from_rfc3339(e.get_ref().trim()) {
                        Ok(t) => Some(t.with_timezone(&chrono::Utc)),
                        Err(_) => {
                            return self.err(
                                e.span(),
                                field("baseline_end"),
                                format!(
                                    "`{}` is not a time; write it as RFC 3339, e.g. \"2026-11-25T09:00:00Z\"",
                                    shown(e.get_ref())
                                ),
                            );
                        }
                    },
                };
                Ok(Baseline::Before {
                    window: Span::from_std(window).unwrap_or(Span::MAX),
                    end,
                })
            }
            Some(r) => self.err(
                r.span(),
                field("relative_to"),
                format!(
                    "`{}` is not a baseline; use \"stable\" or \"before\"",
                    shown(r.get_ref())
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests;
