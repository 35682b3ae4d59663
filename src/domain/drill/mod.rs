//! The debrief of a tabletop drill: when the scripted fault began, when the
//! war room first showed a breach, and when the operator's pause or rollback
//! took effect, read from the timeline the drill left.

pub mod control;
pub mod grade;
pub mod markdown;
pub mod observation;
pub mod scenario;

use std::fmt;

use crate::domain::timeline::{EventKind, Timeline};
use crate::domain::{Span, Timestamp};

/// What a drill shows about the team's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debrief {
    pub fault_at: Timestamp,
    /// The first breach on screen at or after the fault began.
    pub detected: Option<Timestamp>,
    /// The first pause or rollback done at or after the fault began.
    pub mitigated: Option<(Timestamp, String)>,
    /// Every action asked for, failed or done after the fault, oldest first.
    pub actions: Vec<(Timestamp, String)>,
    pub ended: Timestamp,
}

impl Debrief {
    /// Whether the drill lasted until its fault began: only then was
    /// anything rehearsed.
    pub fn fault_began(&self) -> bool {
        self.ended > self.fault_at
    }

    pub fn time_to_detect(&self) -> Option<Span> {
        self.detected.map(|t| t - self.fault_at)
    }

    pub fn time_to_mitigate(&self) -> Option<Span> {
        self.mitigated.as_ref().map(|(t, _)| *t - self.fault_at)
    }

    /// Whether the drill rehearsed the runbook: the fault was shown as a
    /// breach and paused or rolled back. Only then does it count as a
    /// rehearsal on the scorecard.
    pub fn rehearsed(&self) -> bool {
        self.detected.is_some() && self.mitigated.is_some()
    }

    /// The debrief's times in a line, as the audit log keeps them:
    /// `time to detect 21s, time to mitigate 34s`, a dash for what never happened.
    pub fn summary(&self) -> String {
        let said = |d: Option<Span>| d.map_or("—".to_string(), seconds);
        format!(
            "time to detect {}, time to mitigate {}",
            said(self.time_to_detect()),
            said(self.time_to_mitigate())
        )
    }
}

/// Read the debrief from `timeline`, for a fault that began at `fault_at`
/// and a drill that ended at `ended`.
pub fn debrief(timeline: &Timeline, fault_at: Timestamp, ended: Timestamp) -> Debrief {
    let mut events: Vec<_> = timeline
        .newest_first()
        .filter(|e| e.at >= fault_at)
        .collect();
    events.reverse();
    let detected = events
        .iter()
        .find(|e| e.kind == EventKind::Breach)
        .map(|e| e.at);
    let mitigated = events
        .iter()
        .find(|e| {
            // A person's pause or rollback: warroom's own say "done by warroom".
            e.kind == EventKind::ActionOk
                && (e.text.starts_with("pause done: ") || e.text.starts_with("roll back done: "))
        })
        .map(|e| (e.at, e.text.clone()));
    let actions = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::ActionAttempt
                    | EventKind::ActionOk
                    | EventKind::ActionFailed
                    | EventKind::ActionUnknown
            )
        })
        .map(|e| (e.at, e.text.clone()))
        .collect();
    Debrief {
        fault_at,
        detected,
        mitigated,
        actions,
        ended,
    }
}

fn seconds(span: Span) -> String {
    format!("{}s", span.num_seconds().max(0))
}

impl fmt::Display for Debrief {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "drill debrief")?;
        writeln!(
            f,
            "  fault began      {}",
            self.fault_at.format("%H:%M:%S UTC")
        )?;
        match self.time_to_detect() {
            Some(d) => writeln!(
                f,
                "  time to detect   {} (first breach on screen)",
                seconds(d)
            )?,
            None => writeln!(f, "  time to detect   — no breach was shown")?,
        }
        match (&self.mitigated, self.time_to_mitigate()) {
            (Some((_, what)), Some(d)) => {
                writeln!(f, "  time to mitigate {} ({what})", seconds(d))?;
            }
            _ => writeln!(f, "  time to mitigate — nothing was paused or rolled back")?,
        }
        writeln!(
            f,
            "  fault to end     {}",
            seconds(self.ended - self.fault_at)
        )?;
        if !self.actions.is_empty() {
            writeln!(f, "  actions after the fault")?;
            for (at, text) in &self.actions {
                writeln!(
                    f,
                    "    {} +{}  {text}",
                    at.format("%H:%M:%S"),
                    seconds(*at - self.fault_at)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::default() + Span::seconds(s)
    }

    #[test]
    fn detection_and_mitigation_count_from_the_fault() {
        let mut tl = Timeline::default();
        tl.push(t(10), EventKind::Breach, "BREACH before the fault");
        tl.push(t(10), EventKind::ActionOk, "pause done: before");
        tl.push(t(62), EventKind::Progress, "wave 2/4");
        tl.push(t(71), EventKind::Breach, "BREACH error rate in us-east-1");
        tl.push(
            t(80),
            EventKind::ActionAttempt,
            "dana asked to roll back (us-east-1)",
        );
        tl.push(t(80), EventKind::ActionFailed, "roll back failed: 409");
        tl.push(
            t(84),
            EventKind::ActionOk,
            "roll back done: simulator: roll back applied",
        );
        let d = debrief(&tl, t(50), t(100));
        assert_eq!(d.time_to_detect(), Some(Span::seconds(21)));
        assert_eq!(d.time_to_mitigate(), Some(Span::seconds(34)));
        assert_eq!(d.actions.len(), 3);
        let text = d.to_string();
        assert!(text.contains("time to detect   21s"), "{text}");
        assert!(
            text.contains("time to mitigate 34s (roll back done"),
            "{text}"
        );
        assert!(d.rehearsed());
        assert_eq!(d.summary(), "time to detect 21s, time to mitigate 34s");
    }

    #[test]
    fn a_breach_nobody_acted_on_is_no_rehearsal() {
        let mut tl = Timeline::default();
        tl.push(t(71), EventKind::Breach, "BREACH error rate in us-east-1");
        let d = debrief(&tl, t(50), t(100));
        assert!(!d.rehearsed());
        assert_eq!(d.summary(), "time to detect 21s, time to mitigate —");
        let mut tl = Timeline::default();
        tl.push(t(60), EventKind::ActionOk, "pause done: simulator");
        assert!(
            !debrief(&tl, t(50), t(100)).rehearsed(),
            "nothing was detected"
        );
    }

    #[test]
    fn warroom_pausing_by_itself_is_no_mitigation() {
        let mut tl = Timeline::default();
        tl.push(t(71), EventKind::Breach, "BREACH error rate in us-east-1");
        tl.push(
            t(72),
            EventKind::ActionOk,
            "pause done by warroom: simulator",
        );
        let d = debrief(&tl, t(50), t(100));
        assert!(!d.rehearsed(), "nobody acted");
        tl.push(t(90), EventKind::ActionOk, "roll back done: simulator");
        assert!(debrief(&tl, t(50), t(100)).rehearsed());
    }

    #[test]
    fn a_drill_with_no_response_says_so() {
        assert!(!debrief(&Timeline::default(), t(50), t(40)).fault_began());
        let d = debrief(&Timeline::default(), t(50), t(60));
        assert!(d.fault_began());
        let text = d.to_string();
        assert!(text.contains("no breach was shown"), "{text}");
        assert!(text.contains("nothing was paused or rolled back"), "{text}");
    }
}
