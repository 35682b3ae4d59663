//! One line of an NDJSON event file turned into an event in one pass: the
//! fields are read straight into a flat record, borrowing the line's text,
//! and only then checked against the event's type. serde's tagged enums
//! would first copy every field of every line into an intermediate tree,
//! which for a million lines is most of the time spent reading.

use std::borrow::Cow;

use serde::Deserialize;

use crate::domain::Timestamp;
use crate::domain::dora::{Event, History};

/// Every field any event type has, each present or not. Times are read as
/// text and then by [`super::time::parse`], which is quick for the usual shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    commits: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    hotfix: Option<bool>,
    #[serde(default, borrow)]
    commit: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    deployment: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    opened: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    resolved: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    fix_deployment: Option<Cow<'a, str>>,
}

const TYPES: &str = "deployment, change, incident, rollback or hotfix";

/// One line's event, borrowing the line's text where it can.
enum Line<'a> {
    Deployment {
        id: Cow<'a, str>,
        time: Timestamp,
        version: Option<Cow<'a, str>>,
        commits: Vec<Cow<'a, str>>,
        hotfix: bool,
    },
    Change {
        commit: Cow<'a, str>,
        time: Timestamp,
    },
    /// An incident, a rollback or a hotfix: few, so owned.
    Failure(Event),
}

/// Read `line` and take its event into `history`, or say what is wrong
/// with it in words that name the field.
pub fn take(line: &str, history: &mut History) -> Result<(), String> {
    match read(line)? {
        Line::Deployment {
            id,
            time,
            version,
            commits,
            hotfix,
        } => history
            .add_deployment(&id, time, version.as_deref(), &commits, hotfix)
            .map_err(|e| e.to_string()),
        Line::Change { commit, time } => {
            history.add_change(&commit, time);
            Ok(())
        }
        Line::Failure(event) => history.add(event).map_err(|e| e.to_string()),
    }
}

/// The event on `line`, or what is wrong with it in words that name the field.
#[cfg(test)]
pub fn parse(line: &str) -> Result<Event, String> {
    let owned = |s: Option<Cow<str>>| s.map(Cow::into_owned);
    Ok(match read(line)? {
        Line::Deployment {
            id,
            time,
            version,
            commits,
            hotfix,
        } => Event::Deployment {
            id: id.into_owned(),
            time,
            version: owned(version),
            commits: commits.into_iter().map(Cow::into_owned).collect(),
            hotfix,
        },
        Line::Change { commit, time } => Event::Change {
            commit: commit.into_owned(),
            time,
        },
        Line::Failure(event) => event,
    })
}

fn read(line: &str) -> Result<Line<'_>, String> {
    let f: Fields = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let kind = f.kind.as_ref();
    let allowed: &[&str] = match kind {
        "deployment" => &["id", "time", "version", "commits", "hotfix"],
        "change" => &["commit", "time"],
        "incident" => &["deployment", "opened", "resolved"],
        "rollback" => &["deployment", "version", "time"],
        "hotfix" => &["deployment", "time", "fix_deployment"],
        other => return Err(format!("unknown type `{other}`: one of {TYPES}")),
    };
    if let Some(stray) = f.present().into_iter().find(|n| !allowed.contains(n)) {
        return Err(format!(
            "unknown field `{stray}` for a {kind}: expected {}",
            allowed.join(", ")
        ));
    }
    let need = |field: &str| format!("missing field `{field}` for a {kind}");
    let when = |field: &str, text: &Option<Cow<str>>| -> Result<Option<Timestamp>, String> {
        text.as_deref()
            .map(|t| super::time::parse(t).map_err(|e| format!("field `{field}`: {e}")))
            .transpose()
    };
    let time = when("time", &f.time)?;
    let owned = |s: Option<Cow<str>>| s.map(Cow::into_owned);
    Ok(match kind {
        "deployment" => Line::Deployment {
            id: f.id.ok_or_else(|| need("id"))?,
            time: time.ok_or_else(|| need("time"))?,
            version: f.version,
            commits: f.commits.unwrap_or_default(),
            hotfix: f.hotfix.unwrap_or(false),
        },
        "change" => Line::Change {
            commit: f.commit.ok_or_else(|| need("commit"))?,
            time: time.ok_or_else(|| need("time"))?,
        },
        "incident" => Line::Failure(Event::Incident {
            deployment: owned(f.deployment).ok_or_else(|| need("deployment"))?,
            opened: when("opened", &f.opened)?.ok_or_else(|| need("opened"))?,
            resolved: when("resolved", &f.resolved)?,
        }),
        "rollback" => Line::Failure(Event::Rollback {
            deployment: owned(f.deployment),
            version: owned(f.version),
            time: time.ok_or_else(|| need("time"))?,
        }),
        _ => Line::Failure(Event::Hotfix {
            deployment: owned(f.deployment).ok_or_else(|| need("deployment"))?,
            time: time.ok_or_else(|| need("time"))?,
            fix_deployment: owned(f.fix_deployment),
        }),
    })
}

impl Fields<'_> {
    /// The names of the fields the line gave, besides its type.
    fn present(&self) -> Vec<&'static str> {
        let given = [
            ("id", self.id.is_some()),
            ("time", self.time.is_some()),
            ("version", self.version.is_some()),
            ("commits", self.commits.is_some()),
            ("hotfix", self.hotfix.is_some()),
            ("commit", self.commit.is_some()),
            ("deployment", self.deployment.is_some()),
            ("opened", self.opened.is_some()),
            ("resolved", self.resolved.is_some()),
            ("fix_deployment", self.fix_deployment.is_some()),
        ];
        given.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event the file format has reads the same as serde's own
    /// reading of the event type, for all the shapes the docs show.
    #[test]
    fn reads_every_type_as_the_event_type_does() {
        let lines = [
            r#"{"type":"change","commit":"9f1c2ab","time":"2026-03-02T10:00:00Z"}"#,
            r#"{"type":"deployment","id":"deploy-812","time":"2026-03-02T14:00:00Z","version":"v2.4.0","commits":["9f1c2ab"]}"#,
            r#"{"type":"deployment","id":"d\"q","time":"2026-03-02T14:00:00+02:00"}"#,
            r#"{"type":"incident","deployment":"deploy-812","opened":"2026-03-02T14:20:00Z","resolved":"2026-03-02T15:05:00Z"}"#,
            r#"{"type":"incident","deployment":"deploy-812","opened":"2026-03-02T14:20:00Z"}"#,
            r#"{"type":"rollback","deployment":"deploy-812","time":"2026-03-02T14:35:00Z"}"#,
            r#"{"type":"rollback","version":"v2.4.0","time":"2026-03-02T14:35:00Z"}"#,
            r#"{"type":"hotfix","deployment":"deploy-812","time":"2026-03-02T16:00:00Z","fix_deployment":"deploy-813"}"#,
            r#"{"type":"deployment","id":"deploy-813","time":"2026-03-02T16:00:00Z","hotfix":true,"commits":["a77e010","b"]}"#,
        ];
        for line in lines {
            let expected: Event = serde_json::from_str(line).expect(line);
            assert_eq!(parse(line), Ok(expected), "{line}");
        }
    }

    #[test]
    fn a_wrong_line_names_what_is_wrong() {
        let cases = [
            (
                r#"{"type":"deployment","id":"d2","tme":"2026-03-02T12:00:00Z"}"#,
                "tme",
            ),
            (r#"{"type":"deployment","id":"d2"}"#, "missing field `time`"),
            (
                r#"{"type":"change","time":"2026-03-02T12:00:00Z"}"#,
                "missing field `commit`",
            ),
            (r#"{"type":"deploy","id":"d2"}"#, "unknown type `deploy`"),
            (r#"{"id":"d2"}"#, "type"),
            (
                r#"{"type":"change","commit":"a","time":"2026-03-02T12:00:00Z","hotfix":true}"#,
                "unknown field `hotfix` for a change",
            ),
            (
                r#"{"type":"change","commit":"a","time":"yesterday"}"#,
                "field `time`: `yesterday` is not an RFC 3339 time",
            ),
            (
                r#"{"type":"deployment","id":7,"time":"2026-03-02T12:00:00Z"}"#,
                "invalid type",
            ),
            ("not json", "expected"),
        ];
        for (line, said) in cases {
            let err = parse(line).expect_err(line);
            assert!(err.contains(said), "{line}: {err}");
            // serde's reading of the event type refuses the same lines.
            assert!(serde_json::from_str::<Event>(line).is_err(), "{line}");
        }
    }
}
