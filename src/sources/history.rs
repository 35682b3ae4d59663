//! History for DORA: an NDJSON event file, warroom's own audit log, and the
//! GitHub Deployments API.

pub mod github;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::domain::Timestamp;
use crate::domain::dora::{Event, History};

/// A history file that cannot be read, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct HistoryFileError {
    pub file: String,
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    pub problem: String,
}

/// Read an NDJSON event file (docs/dora-events.md) into `history`, line by
/// line, without holding the file in memory. Blank lines and lines starting
/// with `#` are skipped; any other line that is not an event stops the read
/// with its line number.
pub fn read_events(path: &Path, history: &mut History) -> Result<usize, HistoryFileError> {
    let file_name = path.display().to_string();
    let err = |line, problem: String| HistoryFileError {
        file: file_name.clone(),
        line,
        problem,
    };
    let file = File::open(path).map_err(|e| err(0, format!("cannot open: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = String::new();
    let mut number = 0;
    let mut taken = 0;
    loop {
        buf.clear();
        number += 1;
        match reader.read_line(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(err(number, format!("cannot read: {e}"))),
        }
        let line = buf.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let event: Event = serde_json::from_str(line).map_err(|e| err(number, e.to_string()))?;
        history.add(event).map_err(|e| err(number, e.to_string()))?;
        taken += 1;
    }
    Ok(taken)
}

/// The rollbacks warroom itself carried out, from its audit log: each marks
/// the canary version it rolled back as a failed deployment. With `service`,
/// only that service's rollbacks (a log may be shared by several).
pub fn read_audit_rollbacks(
    path: &Path,
    service: Option<&str>,
    history: &mut History,
) -> Result<usize, HistoryFileError> {
    let file_name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| HistoryFileError {
        file: file_name.clone(),
        line: 0,
        problem: format!("cannot read: {e}"),
    })?;
    let mut taken = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
            // A last line cut short by a crash holds nothing that finished.
            if i + 1 == lines.len() && !text.ends_with('\n') {
                tracing::warn!(file = %file_name, line = i + 1, "audit log ends with a torn record; skipped");
                break;
            }
            return Err(HistoryFileError {
                file: file_name,
                line: i + 1,
                problem: "not a JSON audit record".to_string(),
            });
        };
        let field = |k: &str| record.get(k).and_then(|v| v.as_str());
        // The demo's and drills' rollbacks touched only the simulator: not history.
        if field("record") != Some("outcome")
            || field("action") != Some("roll back")
            || field("result") != Some("ok")
            || matches!(field("mode"), Some("demo" | "drill"))
            || service.is_some_and(|s| field("target") != Some(s))
        {
            continue;
        }
        let (Some(time), Some(version)) = (field("time"), field("to_version")) else {
            continue;
        };
        let Ok(time) = time.parse::<Timestamp>() else {
            continue;
        };
        let rollback = Event::Rollback {
            deployment: None,
            version: Some(version.to_string()),
            time,
        };
        if history.add(rollback).is_ok() {
            taken += 1;
        }
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("warroom-{name}-{}", std::process::id()));
        std::fs::write(&path, text).unwrap_or_default();
        path
    }

    #[test]
    fn reads_events_and_names_the_bad_line() {
        let path = write(
            "events.ndjson",
            concat!(
                "# history of checkout-api\n",
                r#"{"type":"change","commit":"a1","time":"2026-03-02T10:00:00Z"}"#,
                "\n\n",
                r#"{"type":"deployment","id":"d1","time":"2026-03-02T12:00:00Z","commits":["a1"]}"#,
                "\n",
                r#"{"type":"deployment","id":"d2","tme":"2026-03-02T12:00:00Z"}"#,
                "\n"
            ),
        );
        let mut h = History::default();
        let e = read_events(&path, &mut h).err();
        assert_eq!(e.as_ref().map(|e| e.line), Some(5));
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("tme"), "{msg}");
        assert_eq!(h.len(), 2, "the good lines before it were taken");
        std::fs::remove_file(path).unwrap_or_default();
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = read_events(
            Path::new("/nonexistent/events.ndjson"),
            &mut History::default(),
        )
        .err();
        assert!(e.is_some_and(|e| e.line == 0 && e.file == "/nonexistent/events.ndjson"));
    }

    #[test]
    fn audit_rollbacks_become_failures() {
        let path = write(
            "audit.jsonl",
            concat!(
                r#"{"time":"2026-03-02T13:00:00Z","record":"attempt","action":"roll back","to_version":"v2"}"#,
                "\n",
                r#"{"time":"2026-03-02T13:00:01Z","record":"outcome","action":"roll back","result":"ok","to_version":"v2"}"#,
                "\n",
                r#"{"time":"2026-03-02T13:00:01Z","record":"outcome","action":"pause","result":"ok","to_version":"v2"}"#,
                "\n",
                r#"{"time":"2026-03-02T13:00:02Z","record":"outcome","action":"roll back","result":"ok","to_version":"v2","mode":"demo"}"#,
                "\n",
                r#"{"time":"2026-03-03T09:00:00Z","record":"outcome","action":"roll back","result":"ok","to_version":"v7","target":"payments"}"#,
                "\n",
            ),
        );
        let mut h = History::default();
        let taken = read_audit_rollbacks(&path, None, &mut h).unwrap_or_default();
        assert_eq!(taken, 2, "every service's rollbacks, but not the demo's");
        let mut h = History::default();
        let payments = read_audit_rollbacks(&path, Some("payments"), &mut h).unwrap_or_default();
        assert_eq!(payments, 1, "only the records that name the service");
        std::fs::remove_file(path).unwrap_or_default();
    }
}
