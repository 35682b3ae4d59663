//! The session journal: a header, then every message that reached `update`
//! with its time, one JSON object a line (docs/replay.md). Each line is
//! written and flushed as it comes, so a journal cut short by a crash is a
//! valid journal up to its last whole line.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::app::state::{AppState, RunMode, Seat};
use crate::app::{Msg, update};
use crate::domain::Timestamp;
use crate::domain::plan::RolloutPlan;
use crate::domain::source::SourceInfo;

/// The journal format this build writes and reads.
pub const FORMAT: u32 = 1;

/// What was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Demo,
    Drill,
    Watch,
}

/// What rebuilds the rollout plan the session started on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Origin {
    /// The embedded simulator's own rollout: `fault` or `calm`, its seed,
    /// and the number of regions of a large fleet (`None`: the demo's four).
    Sim {
        scenario: String,
        seed: u64,
        #[serde(default)]
        regions: Option<usize>,
    },
    /// A drill: the seed, the pace and the regions its fleet was made with,
    /// and the plan it rehearsed (its path and text), if any.
    Drill {
        scenario: String,
        seed: u64,
        pace_ms: i64,
        #[serde(default)]
        regions: Option<usize>,
        #[serde(default)]
        plan: Option<(String, String)>,
    },
    /// A plan file: its path and its text as it was read (a watch, or a
    /// drill of a plan). Token values live in files the plan names, never
    /// in its text.
    Plan {
        path: String,
        text: String,
        #[serde(default)]
        seed: Option<u64>,
    },
}

impl Origin {
    /// The plan the session started on.
    pub fn plan(&self) -> Result<RolloutPlan, String> {
        match self {
            Origin::Sim {
                scenario,
                seed,
                regions,
            } => Ok(match (scenario.as_str(), regions) {
                (_, Some(n)) => crate::sim::FleetSpec::large((*n).max(1), *seed),
                ("calm", None) => crate::sim::FleetSpec::calm(*seed),
                ("fault", None) => crate::sim::FleetSpec::demo(*seed),
                (other, None) => {
                    return Err(format!(
                        "the journal's simulated scenario `{other}` is unknown to this warroom"
                    ));
                }
            }
            .plan),
            Origin::Drill {
                seed,
                pace_ms,
                regions,
                plan,
                ..
            } => {
                let pace = chrono::TimeDelta::milliseconds(*pace_ms);
                Ok(match plan {
                    Some((path, text)) => {
                        let plan = crate::config::plan::PlanFile::parse(text, Path::new(path))
                            .map_err(|e| format!("the journal's plan: {e}"))?;
                        crate::sim::FleetSpec::fitted(&plan.plan, *seed, pace).plan
                    }
                    None => crate::sim::FleetSpec::drill_demo(*seed, pace, *regions).plan,
                })
            }
            Origin::Plan { path, text, .. } => {
                crate::config::plan::PlanFile::parse(text, Path::new(path))
                    .map(|p| p.plan)
                    .map_err(|e| format!("the journal's plan: {e}"))
            }
        }
    }
}

/// The journal's first line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    /// [`FORMAT`] of the writer.
    pub format: u32,
    /// The warroom version that wrote it.
    pub warroom: String,
    pub kind: Kind,
    pub started: Timestamp,
    /// The terminal's width and height at the start.
    pub size: (u16, u16),
    /// The theme in use at the start.
    pub theme: String,
    pub operator: String,
    pub read_only: bool,
    pub origin: Origin,
    pub mode: RunMode,
    /// The seat the state was made with (the scorecard remembered included).
    pub seat: Seat,
    pub sources: Vec<SourceInfo>,
    /// The notification receivers on screen: name and kind.
    #[serde(default)]
    pub receivers: Vec<(String, String)>,
    /// How many of the first messages were applied before the screen opened
    /// (the demo's delivery history, the plan's notes): the replay starts
    /// after them.
    pub opening: usize,
}

impl Header {
    /// The header of a journal of `recording`, on a `size` terminal in `theme`.
    pub fn new(recording: &Recording, opening: &Opening, size: (u16, u16), theme: &str) -> Header {
        Header {
            format: FORMAT,
            warroom: env!("CARGO_PKG_VERSION").to_string(),
            kind: recording.kind,
            started: opening.now,
            size,
            theme: theme.to_string(),
            operator: opening.seat.operator.clone(),
            read_only: opening.seat.read_only,
            origin: recording.origin.clone(),
            mode: opening.mode,
            seat: opening.seat.clone(),
            sources: opening.sources.clone(),
            receivers: opening.receivers.clone(),
            opening: opening.msgs.len(),
        }
    }

    /// The opening this header describes, with its first messages.
    pub fn opening(&self, msgs: Vec<Msg>) -> Opening {
        Opening {
            seat: self.seat.clone(),
            sources: self.sources.clone(),
            mode: self.mode,
            now: self.started,
            receivers: self.receivers.clone(),
            msgs,
        }
    }
}

/// One message that reached `update`, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub t: Timestamp,
    /// The terminal's new size, on a resize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<(u16, u16)>,
    pub msg: Msg,
}

/// What a session was made of before its first message: the arguments of
/// `AppState::new` and the messages applied to it before the loop.
#[derive(Debug, Clone)]
pub struct Opening {
    pub seat: Seat,
    pub sources: Vec<SourceInfo>,
    pub mode: RunMode,
    pub now: Timestamp,
    /// The notification receivers on screen: name and kind, never a URL.
    pub receivers: Vec<(String, String)>,
    pub msgs: Vec<Msg>,
}

impl Opening {
    pub fn new(seat: &Seat, sources: Vec<SourceInfo>, mode: RunMode, now: Timestamp) -> Opening {
        Opening {
            seat: seat.clone(),
            sources,
            mode,
            now,
            receivers: Vec::new(),
            msgs: Vec::new(),
        }
    }

    /// Apply `msg` to `state` before the loop, and keep it for the journal.
    pub fn apply(&mut self, state: &mut AppState, msg: Msg) {
        self.msgs.push(msg.clone());
        // Before the loop, nothing has been asked of the world yet.
        let _ = update(state, msg);
    }

    /// The state this opening made, on `plan`.
    pub fn state(&self, plan: RolloutPlan) -> AppState {
        let mut state = AppState::new(
            plan,
            self.mode,
            self.sources.clone(),
            self.seat.clone(),
            self.now,
        );
        for (name, kind) in &self.receivers {
            state
                .receivers
                .push(crate::app::receivers::ReceiverHealth::new(
                    name,
                    kind_word(kind),
                ));
        }
        for msg in &self.msgs {
            let _ = update(&mut state, msg.clone());
        }
        state
    }
}

/// A receiver's kind as the screen names it.
fn kind_word(kind: &str) -> &'static str {
    ["webhook", "slack", "pagerduty"]
        .into_iter()
        .find(|k| *k == kind)
        .unwrap_or("receiver")
}

/// Where a journal is wanted and what rebuilds its session.
#[derive(Debug, Clone)]
pub struct Recording {
    pub path: PathBuf,
    pub kind: Kind,
    pub origin: Origin,
}

/// An open journal, appended to line by line.
pub struct Journal {
    file: std::fs::File,
    path: PathBuf,
    lines: Arc<AtomicUsize>,
    failed: bool,
}

impl Journal {
    /// Create the journal at `path` (never over an existing file; readable
    /// by its owner only) and write the header and the opening messages.
    pub fn create(path: &Path, header: &Header, opening: &[Msg]) -> io::Result<Journal> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .map_err(|e| io::Error::new(e.kind(), format!("journal {}: {e}", path.display())))?;
        let mut journal = Journal {
            file,
            path: path.to_path_buf(),
            lines: Arc::new(AtomicUsize::new(0)),
            failed: false,
        };
        journal.line(header)?;
        for msg in opening {
            journal.line(&EntryRef {
                t: header.started,
                size: None,
                msg,
            })?;
        }
        journal.lines.store(0, Ordering::Relaxed);
        Ok(journal)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many messages the loop has journaled so far (the opening ones
    /// not counted): for a test to tell which frame followed which message.
    pub fn counter(&self) -> Arc<AtomicUsize> {
        self.lines.clone()
    }

    /// Append `msg`, received at `t`. After a first failure nothing more is
    /// written (the prefix stays valid); that failure is returned once.
    pub fn record(&mut self, t: Timestamp, size: Option<(u16, u16)>, msg: &Msg) -> Option<String> {
        if self.failed {
            return None;
        }
        match self.line(&EntryRef { t, size, msg }) {
            Ok(()) => {
                self.lines.fetch_add(1, Ordering::Relaxed);
                None
            }
            Err(e) => {
                self.failed = true;
                Some(format!(
                    "the journal {} stopped recording: {e}",
                    self.path.display()
                ))
            }
        }
    }

    /// One JSON line, written with one call and flushed.
    fn line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        let mut text = serde_json::to_vec(value).map_err(io::Error::other)?;
        text.push(b'\n');
        self.file.write_all(&text)?;
        self.file.flush()
    }
}

/// An [`Entry`] written without cloning its message.
#[derive(Serialize)]
struct EntryRef<'a> {
    t: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<(u16, u16)>,
    msg: &'a Msg,
}

/// A journal read back.
#[derive(Debug, Clone)]
pub struct Read {
    pub header: Header,
    pub entries: Vec<Entry>,
    /// The journal ended in a line cut short (a crash while writing): it
    /// was left out.
    pub torn: bool,
}

/// Why a journal cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: empty, not a warroom journal")]
    Empty { path: String },
    #[error("{path} line 1: not a warroom journal header: {why}")]
    Header { path: String, why: String },
    #[error("{path}: journal format {found}; this warroom reads format {FORMAT}")]
    Format { path: String, found: u32 },
    #[error("{path} line {line}: {why}")]
    Line {
        path: String,
        line: usize,
        why: String,
    },
}

/// Read the journal at `path`. A last line without its newline is a line
/// the writer never finished: it is dropped and `torn` set. Any other line
/// that does not parse is an error naming it.
pub fn read(path: &Path) -> Result<Read, ReadError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        path: shown.clone(),
        source,
    })?;
    let mut reader = io::BufReader::new(file);
    let mut header: Option<Header> = None;
    let mut entries = Vec::new();
    let mut torn = false;
    let mut buf = String::new();
    let mut number = 0;
    loop {
        buf.clear();
        let n = reader.read_line(&mut buf).map_err(|source| ReadError::Io {
            path: shown.clone(),
            source,
        })?;
        if n == 0 {
            break;
        }
        number += 1;
        if !buf.ends_with('\n') {
            torn = true;
            break;
        }
        let line = buf.trim_end();
        match &header {
            None => header = Some(parse_header(line, &shown)?),
            Some(_) => {
                let entry = serde_json::from_str(line).map_err(|e| ReadError::Line {
                    path: shown.clone(),
                    line: number,
                    why: e.to_string(),
                })?;
                entries.push(entry);
            }
        }
    }
    let header = header.ok_or(ReadError::Empty { path: shown })?;
    Ok(Read {
        header,
        entries,
        torn,
    })
}

fn parse_header(line: &str, path: &str) -> Result<Header, ReadError> {
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let version: Version = serde_json::from_str(line).map_err(|e| ReadError::Header {
        path: path.to_string(),
        why: e.to_string(),
    })?;
    if version.format != FORMAT {
        return Err(ReadError::Format {
            path: path.to_string(),
            found: version.format,
        });
    }
    serde_json::from_str(line).map_err(|e| ReadError::Header {
        path: path.to_string(),
        why: e.to_string(),
    })
}

/// The default journal of a drill of `service` started at `now`:
/// `<state dir>/journals/<service>-<UTC>.jsonl`.
pub fn default_path(state_dir: &Path, service: &str, now: Timestamp) -> PathBuf {
    let name: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    state_dir
        .join("journals")
        .join(format!("{name}-{}.jsonl", now.format("%Y%m%dT%H%M%SZ")))
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
