//! What a session keeps, counted: the sizes that must not grow with time or
//! with messages, for the soak test and the benchmarks.

use super::state::AppState;

/// How many scorecard settings a session keeps: the newest of each item
/// always, and the latest others up to this many.
pub const SETTINGS_KEPT: usize = 64;

/// How many keys are remembered as told they do nothing.
pub const TOLD_UNBOUND_KEPT: usize = 128;

/// The sizes of everything in the state that time or messages could grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub timeline_entries: usize,
    pub timeline_text_bytes: usize,
    /// Points in every series of the health matrix.
    pub samples: usize,
    pub regions: usize,
    /// Hold clocks, breach marks and region states of the stop conditions.
    pub guardrail_tracked: usize,
    pub scorecard_settings: usize,
    pub annotation_echoes: usize,
    pub told_unbound: usize,
    pub in_flight: usize,
    /// Breaches told and not recovered, and their texts.
    pub outbox: usize,
    /// Notes and error texts of the sources.
    pub source_text_bytes: usize,
}

impl Footprint {
    pub fn of(state: &AppState) -> Footprint {
        let source_text_bytes = state
            .sources
            .iter()
            .map(|s| {
                s.notes.iter().map(String::len).sum::<usize>()
                    + s.error.as_ref().map_or(0, String::len)
            })
            .sum();
        Footprint {
            timeline_entries: state.timeline.len(),
            timeline_text_bytes: state.timeline.text_bytes(),
            samples: state.health.points(),
            regions: state.health.regions().len(),
            guardrail_tracked: state.guardrails.tracked(),
            scorecard_settings: state.scorecard_settings.len(),
            annotation_echoes: state.annotation_echoes.len(),
            told_unbound: state.told_unbound.len(),
            in_flight: state.in_flight.len(),
            outbox: state.outbox.len(),
            source_text_bytes,
        }
    }
}
