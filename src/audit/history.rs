//! DORA history from warroom's own audit log: the rollbacks it carried out.

use std::path::Path;

use crate::domain::Timestamp;
use crate::domain::dora::HistoryFileError;
use crate::domain::dora::{Event, History};

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
