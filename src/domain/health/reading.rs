//! What is known of the data behind a value: whether it is current and
//! whole (`Basis`), and when there is no number to judge, why (`Gap`).

use super::Verdict;
use crate::domain::Timestamp;

/// What a source knows of the data behind a value: whether it is current,
/// whole, or neither. A value computed over a window (a `rate()`) goes on
/// being answered after its samples stopped; this says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Basis {
    /// Current and whole, as far as the source can tell.
    #[default]
    Current,
    /// The answer came with warnings (a store or replica that did not
    /// answer): the value may leave part of the fleet out.
    Partial,
    /// The samples behind the value are older than the source allows, or
    /// gone (a dead scrape target): `newest` is when the newest was taken,
    /// when that is known.
    Stale { newest: Option<Timestamp> },
}

/// Why there is no number to judge: each its own state, never healthy and
/// never counted as OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gap {
    /// Nothing arrived: no series, or NaN (a 0/0 of no requests).
    NoData,
    /// An infinity where the signal cannot be infinite (a share divided by
    /// zero requests).
    NotFinite,
    /// The answer was partial: some of the fleet may be left out.
    Partial,
    /// The samples behind the value are old or gone.
    Stale,
}

impl Gap {
    /// The word the screen and `status` show for it.
    pub fn word(self) -> &'static str {
        match self {
            Gap::NoData => "NO DATA",
            Gap::NotFinite => "NOT FINITE",
            Gap::Partial => "PARTIAL",
            Gap::Stale => "STALE",
        }
    }

    /// The verdict whose colour and glyph it is shown with: stale data is
    /// stale; everything else is "nothing to judge".
    pub fn verdict(self) -> Verdict {
        match self {
            Gap::Stale => Verdict::Stale,
            Gap::NoData | Gap::NotFinite | Gap::Partial => Verdict::NoData,
        }
    }
}

/// The latest of one signal in one cell, as far as it can be judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// A number to judge (finite, or a p99 of +Inf).
    Number(f64),
    /// No number to judge, and why.
    Gap(Gap),
}

impl Reading {
    /// The number, when there is one to judge.
    pub fn number(self) -> Option<f64> {
        match self {
            Reading::Number(v) => Some(v),
            Reading::Gap(_) => None,
        }
    }
}
