//! Follows the audit log while the dashboard runs, so that what another
//! process records there — `warroom scorecard set` from a colleague's
//! terminal, a second dashboard's rollback — reaches this screen too.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc;

use super::recall::{Recalled, recall};

/// Read what was appended to `path` since `from` (a byte offset): the
/// complete lines only, and the offset to carry on from. A log that shrank
/// (replaced, rotated) is read again from its start.
pub fn read_new(path: &std::path::Path, from: u64) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let from = if len < from { 0 } else { from };
    file.seek(SeekFrom::Start(from))?;
    let mut text = String::new();
    file.take(len - from).read_to_string(&mut text)?;
    // A line still being written waits for the next look.
    let complete = text.rfind('\n').map_or(0, |i| i + 1);
    text.truncate(complete);
    Ok((text, from + complete as u64))
}

/// Look at the log every `every` and report new scorecard settings and
/// rollbacks of `service` on `tx`.
pub fn spawn(path: PathBuf, service: String, every: Duration, tx: mpsc::Sender<Recalled>) {
    tokio::spawn(async move {
        let start = std::fs::metadata(&path).map_or(0, |m| m.len());
        let mut offset = start;
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            let (p, from) = (path.clone(), offset);
            let read = tokio::task::spawn_blocking(move || read_new(&p, from)).await;
            let Ok(Ok((text, next))) = read else {
                // Not there yet, or unreadable for now: the dashboard says so
                // when an append fails; try again at the next look.
                continue;
            };
            offset = next;
            let recalled = recall(&text, &service);
            if recalled == Recalled::default() {
                continue;
            }
            if tx.send(recalled).await.is_err() {
                break;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_complete_new_lines_are_read() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("warroom-tail-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("audit.jsonl");
        std::fs::write(&path, "one\ntwo\nthr")?;
        let (text, at) = read_new(&path, 0)?;
        assert_eq!((text.as_str(), at), ("one\ntwo\n", 8));
        std::fs::write(&path, "one\ntwo\nthree\n")?;
        let (text, at) = read_new(&path, at)?;
        assert_eq!((text.as_str(), at), ("three\n", 14));
        // Replaced by something shorter: read from the start.
        std::fs::write(&path, "new\n")?;
        assert_eq!(read_new(&path, at)?, ("new\n".to_string(), 4));
        Ok(())
    }
}
