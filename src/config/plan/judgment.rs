//! The plan's canary judgment and go / no-go scorecard, checked.

use std::time::Duration;

use toml::Spanned;

use super::*;
use crate::domain::signal::Per;

impl Checker<'_> {
    /// The judgment settings, checked against the metrics `interval`: the
    /// window must hold at least `min_samples` polls and at most the 120 a
    /// series keeps. Without a window the default grows to fit slow polls.
    pub(super) fn judgment(
        &self,
        raw: Option<&Spanned<RawJudgment>>,
        signals: &Signals,
        interval: Duration,
    ) -> Result<JudgmentPlan, PlanError> {
        let mut plan = self.judgment_settings(raw, signals)?;
        let poll = Span::from_std(interval).unwrap_or(Span::MAX);
        let wanted = plan.thresholds.min_samples as i32;
        let kept = crate::domain::health::Series::CAPACITY as i32;
        let window = raw.and_then(|r| r.get_ref().window.as_ref());
        let Some(window) = window else {
            // Room for a couple more than the minimum, within what is kept.
            plan.window = plan.window.max(poll * (wanted + 2)).min(poll * kept);
            return Ok(plan);
        };
        let holds = plan.window.num_milliseconds() / poll.num_milliseconds().max(1);
        let at_least = humantime::format_duration((poll * wanted).to_std().unwrap_or_default());
        let at_most = humantime::format_duration((poll * kept).to_std().unwrap_or_default());
        let every = humantime::format_duration(interval);
        if holds < i64::from(wanted) {
            return self.err(
                window.span(),
                "judgment.window",
                format!(
                    "with metrics every {every} it holds {holds} samples, fewer than min_samples = {wanted}: make it at least {at_least}"
                ),
            );
        }
        if holds > i64::from(kept) {
            return self.err(
                window.span(),
                "judgment.window",
                format!(
                    "with metrics every {every} it needs {holds} samples, but {kept} are kept per signal: make it at most {at_most}"
                ),
            );
        }
        Ok(plan)
    }

    fn judgment_settings(
        &self,
        raw: Option<&Spanned<RawJudgment>>,
        signals: &Signals,
    ) -> Result<JudgmentPlan, PlanError> {
        let mut plan = JudgmentPlan::for_signals(signals);
        let Some(raw) = raw else {
            return Ok(plan);
        };
        let j = raw.get_ref();
        let score = |v: &Option<Spanned<f64>>, field: &str, default: f64| match v {
            None => Ok(default),
            Some(v) if (0.0..=100.0).contains(v.get_ref()) => Ok(*v.get_ref()),
            Some(v) => self.err(v.span(), field, "must be a score from 0 to 100"),
        };
        let t = &mut plan.thresholds;
        t.pass = score(&j.pass, "judgment.pass", t.pass)?;
        t.marginal = score(&j.marginal, "judgment.marginal", t.marginal)?;
        if t.marginal > t.pass {
            let span = j.marginal.as_ref().map_or(raw.span(), |m| m.span());
            return self.err(
                span,
                "judgment.marginal",
                format!("must not be above the pass score {}", t.pass),
            );
        }
        if let Some(a) = &j.alpha {
            let v = *a.get_ref();
            if !(v > 0.0 && v <= 0.5) {
                return self.err(
                    a.span(),
                    "judgment.alpha",
                    "must be a significance level above 0 and at most 0.5 (e.g. 0.02)",
                );
            }
            t.alpha = v;
        }
        if let Some(m) = &j.min_samples {
            let v = *m.get_ref();
            if !(3..=10_000).contains(&v) {
                return self.err(m.span(), "judgment.min_samples", "must be from 3 to 10000");
            }
            t.min_samples = v as usize;
        }
        if let Some(w) = &j.window {
            let d = self.duration(w, "judgment.window")?;
            plan.window = Span::from_std(d).unwrap_or(plan.window);
        }
        if !j.rules.is_empty() {
            plan.rules = j
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| self.rule(i, r, signals))
                .collect::<Result<_, _>>()?;
        }
        Ok(plan)
    }

    fn rule(
        &self,
        i: usize,
        raw: &Spanned<RawRule>,
        signals: &Signals,
    ) -> Result<MetricRule, PlanError> {
        let r = raw.get_ref();
        let field = |f: &str| format!("judgment.rules[{i}].{f}");
        let signal = match signals.get(r.signal.get_ref()) {
            Some(s) if s.per() == Per::Version => s.clone(),
            Some(s) => {
                return self.err(
                    r.signal.span(),
                    field("signal"),
                    format!(
                        "`{}` is not measured per version: a canary is judged against its stable only on signals that are",
                        s.name()
                    ),
                );
            }
            None => {
                let known: Vec<&str> = signals.iter().map(|s| s.name()).collect();
                return self.err(
                    r.signal.span(),
                    field("signal"),
                    format!(
                        "`{}` is not a signal of this plan; [signals] defines {}",
                        shown(r.signal.get_ref()),
                        known.join(", ")
                    ),
                );
            }
        };
        let bad = match r.bad.get_ref().as_str() {
            "higher" => Bad::Higher,
            "lower" => Bad::Lower,
            "either" => Bad::Either,
            other => {
                return self.err(
                    r.bad.span(),
                    field("bad"),
                    format!("`{other}` is not a direction; use higher, lower or either"),
                );
            }
        };
        let tolerance = match &r.tolerance {
            None => 0.1,
            Some(t) if t.get_ref().is_finite() && *t.get_ref() >= 0.0 => *t.get_ref(),
            Some(t) => {
                return self.err(
                    t.span(),
                    field("tolerance"),
                    "must be a share of stable's median, 0 or more (0.1 = 10%)",
                );
            }
        };
        Ok(MetricRule {
            signal,
            bad,
            tolerance,
            critical: r.critical,
        })
    }

    pub(super) fn scorecard(
        &self,
        raw: Option<&Spanned<RawScorecard>>,
    ) -> Result<ScorecardPlan, PlanError> {
        let mut plan = ScorecardPlan::default();
        let Some(raw) = raw else {
            return Ok(plan);
        };
        let s = raw.get_ref();
        if let Some(a) = &s.approved_by {
            plan.approved_by = Some(self.text(a, "scorecard.approved_by", NAME)?);
        }
        if let Some(w) = &s.rehearsal_within {
            let field = "scorecard.rehearsal_within";
            match humantime::parse_duration(w.get_ref().trim()) {
                Ok(d) if !d.is_zero() && d <= MAX_REHEARSAL_AGE => {
                    plan.rehearsal_within = Span::from_std(d).unwrap_or(plan.rehearsal_within);
                }
                Ok(_) => {
                    return self.err(w.span(), field, "must be above zero and at most 365 days");
                }
                Err(_) => {
                    return self.err(
                        w.span(),
                        field,
                        format!("`{}` is not a duration; write e.g. \"30days\"", w.get_ref()),
                    );
                }
            }
        }
        for (key, owner) in &s.owners {
            let field = format!("scorecard.owners.{key}");
            let Some(i) = Item::ALL.iter().position(|item| item.key() == key) else {
                let keys: Vec<&str> = Item::ALL.iter().map(|i| i.key()).collect();
                return self.err(
                    owner.span(),
                    field,
                    format!("`{key}` is not a scorecard item; use {}", keys.join(", ")),
                );
            };
            if let Some(slot) = plan.owners.get_mut(i) {
                *slot = Some(self.text(owner, &field, NAME)?);
            }
        }
        Ok(plan)
    }
}
