//! History for DORA from an NDJSON event file (docs/dora-events.md).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::domain::dora::History;

pub use crate::domain::dora::HistoryFileError;

mod line;
mod time;

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
    if history.is_empty() {
        // About a hundred bytes a line: room for them all up front, so the
        // tables are not grown (and copied) while the file is read.
        let size = file.metadata().map_or(0, |m| m.len());
        *history = History::with_room(usize::try_from(size / BYTES_PER_EVENT).unwrap_or(0));
    }
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::with_capacity(256);
    let mut number = 0;
    let mut taken = 0;
    loop {
        buf.clear();
        number += 1;
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(err(number, format!("cannot read: {e}"))),
        }
        let line = std::str::from_utf8(&buf)
            .map_err(|e| err(number, format!("not UTF-8 text: {e}")))?
            .trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        line::take(line, history).map_err(|e| err(number, e))?;
        taken += 1;
    }
    Ok(taken)
}

/// A typical event file's bytes per line, for the room made before reading.
const BYTES_PER_EVENT: u64 = 100;

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
}
