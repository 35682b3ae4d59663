//! The plan's stop conditions, checked.

use toml::Spanned;

use super::*;

/// What values `signal` can take, in words, and its bounds: shares are
/// from 0 to 1; rates and latencies are 0 or more.
fn range_of(signal: Signal) -> (&'static str, f64, Option<f64>) {
    match signal {
        Signal::ErrorRate => ("a share from 0 to 1 (0.02 is 2%)", 0.0, Some(1.0)),
        Signal::SuccessRate => ("a share from 0 to 1 (0.98 is 98%)", 0.0, Some(1.0)),
        Signal::LatencyP99 => ("in seconds, 0 or more (0.4 is 400ms)", 0.0, None),
        Signal::RequestRate => ("in requests per second, 0 or more", 0.0, None),
    }
}

/// Why a level on `signal` cannot work: one every value is past (it would
/// act on every poll) or one no value can pass (it would never trip).
/// `None` when some values are past it and some are not. `verb` is what
/// passing it does: breach or warn.
fn impossible(signal: Signal, direction: Direction, level: f64, verb: &str) -> Option<String> {
    let (range, lowest, highest) = range_of(signal);
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
        queries: &[(Signal, String)],
    ) -> Result<StopCondition, PlanError> {
        let c = raw.get_ref();
        let field = |f: &str| format!("stop_conditions[{i}].{f}");
        let Some(signal) = signal_named(c.signal.get_ref()) else {
            return self.err(
                c.signal.span(),
                field("signal"),
                format!(
                    "`{}` is not a signal; use {}",
                    c.signal.get_ref(),
                    SIGNAL_NAMES.join(", ")
                ),
            );
        };
        if !queries.iter().any(|(s, _)| *s == signal) {
            return self.err(
                c.signal.span(),
                field("signal"),
                format!("`{}` has no query in [signals]", c.signal.get_ref()),
            );
        }
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
        if !relative && let Some(problem) = impossible(signal, direction, breach_value, "breach") {
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
                    && let Some(problem) = impossible(signal, direction, v, "warn")
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
        let relative = match &c.relative_to {
            None => false,
            Some(r) if r.get_ref() == "stable" => {
                if breach_value <= 0.0 {
                    return self.err(
                        breach.span(),
                        field(level_key),
                        "relative to stable, the level is a multiple such as 1.5",
                    );
                }
                true
            }
            Some(r) => {
                return self.err(
                    r.span(),
                    field("relative_to"),
                    format!("`{}`: the only baseline is \"stable\"", r.get_ref()),
                );
            }
        };
        let min_request_rate = match &c.min_request_rate {
            None => None,
            Some(m) if m.get_ref().is_finite() && *m.get_ref() >= 0.0 => Some(*m.get_ref()),
            Some(m) => {
                return self.err(
                    m.span(),
                    field("min_request_rate"),
                    "must be a number of requests per second, 0 or more",
                );
            }
        };
        Ok(StopCondition {
            signal,
            direction,
            warn,
            breach: breach_value,
            hold: Span::from_std(hold).unwrap_or(Span::MAX),
            consequence,
            relative,
            min_request_rate,
            region_only,
        })
    }
}
