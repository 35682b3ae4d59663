//! The plan's stop conditions, checked.

use toml::Spanned;

use super::*;

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
        let breach_value = *breach.get_ref();
        if !breach_value.is_finite() {
            return self.err(
                breach.span(),
                field("above/below"),
                "must be a finite number",
            );
        }
        let warn = match &c.warn {
            None => breach_value,
            Some(w) => {
                let v = *w.get_ref();
                let safe_side = match direction {
                    Direction::Above => v <= breach_value,
                    Direction::Below => v >= breach_value,
                };
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
                        field("above/below"),
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
