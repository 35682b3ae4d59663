//! When the next status update is due: a cadence from the plan, counted
//! from the start of the incident (the first breach, NO-GO or rollback) or
//! from the last update marked sent, whichever is later.

use crate::domain::{Span, Timestamp};

/// The cadence when the plan's `[comms]` does not give one.
pub const DEFAULT_CADENCE: Span = Span::minutes(30);

/// How long before it is due the countdown turns amber.
pub const SOON: Span = Span::minutes(5);

/// How near the next update is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Later,
    /// Within [`SOON`] of being due.
    Soon,
    Overdue,
}

/// The next update: when, and how near.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: Timestamp,
    pub state: DueState,
}

/// The next update due at `now`, or `None` while nothing has happened that
/// needs telling (`incident` is `None`).
pub fn due(
    incident: Option<Timestamp>,
    last_sent: Option<Timestamp>,
    cadence: Span,
    now: Timestamp,
) -> Option<Due> {
    let from = incident?.max(last_sent.unwrap_or(incident?));
    let at = from + cadence;
    let state = if now > at {
        DueState::Overdue
    } else if at - now <= SOON {
        DueState::Soon
    } else {
        DueState::Later
    };
    Some(Due { at, state })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> Timestamp {
        Timestamp::default() + Span::minutes(min)
    }

    #[test]
    fn nothing_is_due_before_an_incident() {
        assert_eq!(due(None, Some(t(3)), Span::minutes(20), t(100)), None);
    }

    #[test]
    fn due_counts_from_the_incident_then_from_the_last_sent() {
        let cadence = Span::minutes(20);
        let d = due(Some(t(0)), None, cadence, t(1)).unwrap();
        assert_eq!((d.at, d.state), (t(20), DueState::Later));
        let d = due(Some(t(0)), None, cadence, t(16)).unwrap();
        assert_eq!(d.state, DueState::Soon);
        let d = due(Some(t(0)), None, cadence, t(21)).unwrap();
        assert_eq!(d.state, DueState::Overdue);
        // Marked sent at 21: the clock starts again.
        let d = due(Some(t(0)), Some(t(21)), cadence, t(22)).unwrap();
        assert_eq!((d.at, d.state), (t(41), DueState::Later));
        // A "sent" older than the incident does not count.
        let d = due(Some(t(30)), Some(t(2)), cadence, t(31)).unwrap();
        assert_eq!(d.at, t(50));
    }
}
