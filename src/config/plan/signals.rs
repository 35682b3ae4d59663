//! `[signals]`: every signal a plan watches, by its own name. A standard
//! signal may be given as its query alone (`error_rate = '…'`); any other
//! is a table with its query, unit and the way it goes bad:
//!
//! ```toml
//! [signals.checkout_completion]
//! query = 'sum by (region, version) (…) / sum by (region, version) (…)'
//! unit = "ratio"
//! bad = "lower"
//! label = "checkout completion"   # optional
//! column = 2                      # optional: its place in the matrix, or false
//! scope = "version"               # or "region", or "global"
//! ```

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use super::freshness::RawFreshness;
use super::*;
use crate::domain::signal::{Per, STANDARD, SignalDef, Signals, Unit, Worse, short_of};

/// `[signals]` as written: each signal in the file's order, and the
/// freshness settings that share the table.
pub(super) struct RawSignals {
    pub(super) entries: Vec<(String, Spanned<RawSignal>)>,
    pub(super) freshness: Option<Spanned<RawFreshness>>,
}

/// One signal as written: its query alone, or a table.
pub(super) enum RawSignal {
    Query(String),
    Table(Box<RawSignalTable>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSignalTable {
    query: Spanned<String>,
    unit: Option<Spanned<String>>,
    bad: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    short: Option<Spanned<String>>,
    column: Option<Spanned<RawColumn>>,
    scope: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumn {
    Place(i64),
    Shown(bool),
}

impl<'de> Deserialize<'de> for RawSignal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = RawSignal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a query, or a table with query, unit and bad")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawSignal, E> {
                Ok(RawSignal::Query(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSignal, A::Error> {
                RawSignalTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| RawSignal::Table(Box::new(t)))
            }
        }
        d.deserialize_any(Either)
    }
}

impl<'de> Deserialize<'de> for RawSignals {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = RawSignals;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of signals")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSignals, A::Error> {
                let mut out = RawSignals {
                    entries: Vec::new(),
                    freshness: None,
                };
                while let Some(key) = map.next_key::<String>()? {
                    if key == FRESHNESS {
                        out.freshness = Some(map.next_value()?);
                    } else {
                        out.entries.push((key, map.next_value()?));
                    }
                }
                // The file's order is the matrix's default column order.
                out.entries.sort_by_key(|(_, v)| v.span().start);
                Ok(out)
            }
        }
        d.deserialize_map(Entries)
    }
}

/// The key of `[signals.freshness]`, which no signal may take.
const FRESHNESS: &str = "freshness";

/// The longest signal name: a name is a key, not a sentence.
const MAX_NAME: usize = 64;

/// The longest column header.
const MAX_SHORT: usize = 10;

const UNITS: &str = "ratio, percent, seconds, per_second, count, bytes, or a label of your own";

/// Why a unit that is not one of the known names looks like a mistake
/// for one: a free label is fine ("tickets/h"), but "second" or "%"
/// would be written after the number instead of formatting it.
fn mistaken_unit(label: &str) -> Option<String> {
    let lower = label.to_ascii_lowercase();
    let meant = match lower.as_str() {
        "ratios" | "share" | "fraction" => "ratio",
        "%" | "pct" | "percents" | "percentage" => "percent",
        "s" | "sec" | "secs" | "second" => "seconds",
        "ms" | "millis" | "milliseconds" => {
            return Some(
                "milliseconds are not a unit here: give the value in seconds (divide by 1000 in the query) with unit = \"seconds\"".to_string(),
            );
        }
        "rps" | "/s" | "per-second" | "persecond" | "per_sec" | "hz" => "per_second",
        "b" | "byte" => "bytes",
        _ if lower != label && Unit::named(&lower) != Unit::Other(lower.clone()) => {
            return Some(format!(
                "`{}`: unit names are lower-case; write \"{lower}\"",
                shown(label)
            ));
        }
        _ => return None,
    };
    Some(format!(
        "`{}` is not a unit; did you mean \"{meant}\"? (known: {UNITS})",
        shown(label)
    ))
}

impl Checker<'_> {
    /// The plan's signals and the query of each, in the file's order.
    pub(super) fn signals(
        &self,
        raw: &Spanned<RawSignals>,
    ) -> Result<(Signals, Vec<(Signal, String)>), PlanError> {
        let mut defs = Vec::new();
        let mut queries = Vec::new();
        for (name, entry) in &raw.get_ref().entries {
            let field = format!("signals.{name}");
            self.signal_name(name, entry.span(), &field)?;
            let (def, query) = match entry.get_ref() {
                RawSignal::Query(q) => {
                    let Some(def) = SignalDef::standard(name) else {
                        return self.err(
                            entry.span(),
                            field,
                            format!(
                                "`{name}` is not one of the standard signals ({}): give it a table, [signals.{name}] with query, unit and bad",
                                STANDARD.join(", ")
                            ),
                        );
                    };
                    let query = Spanned::new(entry.span(), q.clone());
                    (def, self.text(&query, &field, QUERY)?)
                }
                RawSignal::Table(t) => self.signal_table(name, t, entry.span(), &field)?,
            };
            defs.push(def);
            queries.push(query);
        }
        if defs.is_empty() {
            return self.err(
                raw.span(),
                "signals",
                format!(
                    "no signal given; set at least one, e.g. one of {}",
                    STANDARD.join(", ")
                ),
            );
        }
        let signals = Signals::new(defs);
        let queries = signals.iter().cloned().zip(queries).collect();
        Ok((signals, queries))
    }

    fn signal_name(
        &self,
        name: &str,
        span: std::ops::Range<usize>,
        field: &str,
    ) -> Result<(), PlanError> {
        let well_formed = !name.is_empty()
            && name.len() <= MAX_NAME
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && name.starts_with(|c: char| c.is_ascii_lowercase());
        if !well_formed {
            return self.err(
                span,
                field,
                format!(
                    "`{}` is not a signal name: use lower-case letters, digits and `_`, starting with a letter, at most {MAX_NAME} characters",
                    shown(name)
                ),
            );
        }
        Ok(())
    }

    fn signal_table(
        &self,
        name: &str,
        t: &RawSignalTable,
        span: std::ops::Range<usize>,
        field: &str,
    ) -> Result<(SignalDef, String), PlanError> {
        let sub = |f: &str| format!("{field}.{f}");
        let query = self.text(&t.query, &sub("query"), QUERY)?;
        let standard = SignalDef::standard(name);
        let unit = match (&t.unit, &standard) {
            (Some(u), _) => {
                let text = self.text(u, &sub("unit"), LABEL)?;
                if text.chars().count() > 16 {
                    return self.err(u.span(), sub("unit"), "must be at most 16 characters");
                }
                if let Some(problem) = mistaken_unit(&text) {
                    return self.err(u.span(), sub("unit"), problem);
                }
                Unit::named(&text)
            }
            (None, Some(d)) => d.unit.clone(),
            (None, None) => {
                return self.err(
                    span,
                    sub("unit"),
                    format!("is missing: give one of {UNITS}"),
                );
            }
        };
        let worse = match (&t.bad, &standard) {
            (Some(b), _) => match b.get_ref().as_str() {
                "higher" => Worse::Higher,
                "lower" => Worse::Lower,
                other => {
                    return self.err(
                        b.span(),
                        sub("bad"),
                        format!(
                            "`{}`: say which way it goes bad, \"higher\" or \"lower\"",
                            shown(other)
                        ),
                    );
                }
            },
            (None, Some(d)) => d.worse,
            (None, None) => {
                return self.err(
                    span,
                    sub("bad"),
                    "is missing: say which way it goes bad, \"higher\" or \"lower\"",
                );
            }
        };
        let mut def = standard.unwrap_or_else(|| SignalDef::new(name, unit.clone(), worse));
        def.unit = unit;
        def.worse = worse;
        if let Some(l) = &t.label {
            def.label = self.text(l, &sub("label"), LABEL)?;
            def.short = short_of(&def.label);
        }
        if let Some(s) = &t.short {
            let short = self.text(s, &sub("short"), LABEL)?;
            if short.chars().count() > MAX_SHORT {
                return self.err(
                    s.span(),
                    sub("short"),
                    format!("must be at most {MAX_SHORT} characters: it heads a column"),
                );
            }
            def.short = short;
        }
        def.per = match t.scope.as_ref() {
            None => Per::Version,
            Some(s) => match s.get_ref().as_str() {
                "version" => Per::Version,
                "region" => Per::Region,
                "global" => Per::Service,
                other => {
                    return self.err(
                        s.span(),
                        sub("scope"),
                        format!(
                            "`{}`: use \"version\" (per region and version), \"region\" (per region) or \"global\" (one value for the service)",
                            shown(other)
                        ),
                    );
                }
            },
        };
        def.column = match t.column.as_ref() {
            None => def.column,
            Some(c) => match c.get_ref() {
                RawColumn::Shown(true) => Some(u16::MAX),
                RawColumn::Shown(false) => None,
                RawColumn::Place(n) if (1..=99).contains(n) => Some(*n as u16),
                RawColumn::Place(_) => {
                    return self.err(
                        c.span(),
                        sub("column"),
                        "must be a place from 1 to 99, or false to keep it out of the matrix",
                    );
                }
            },
        };
        if def.per == Per::Service && t.column.is_some() {
            let span = t.column.as_ref().map_or(span, |c| c.span());
            return self.err(
                span,
                sub("column"),
                "a global signal has one value for the service: it is shown beneath the matrix, not as a column",
            );
        }
        Ok((def, query))
    }
}

#[cfg(test)]
mod tests;
