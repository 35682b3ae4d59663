//! Pure data and pure functions of a rollout: waves, health, stop conditions,
//! the timeline. Nothing here does I/O or knows about the terminal.

pub mod action;
pub mod bake;
pub mod baseline;
pub mod clock;
pub mod comms;
pub mod dora;
pub mod drill;
pub mod gate;
pub mod guardrail;
pub mod health;
pub mod judgment;
pub mod notification;
pub mod plan;
pub mod rollout;
pub mod scorecard;
pub mod share;
pub mod signal;
pub mod source;
pub mod stats;
pub mod text;
pub mod timeline;

/// A point in time. Every timestamp comes from the clock the app is given.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// A span of time (holds, data ages, time in breach).
pub type Span = chrono::TimeDelta;
