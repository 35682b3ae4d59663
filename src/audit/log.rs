//! Writing the audit log. Several processes may share one (a dashboard and
//! `warroom scorecard set`, two dashboards): every append, and every repair,
//! happens under an exclusive lock on the log, after checking what others
//! wrote since this process last looked, so each record chains onto a
//! verified last record and the head beside the log moves with it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::chain::{self, Chain, HeadState};
use super::entry::AuditRecord;
use super::head::{self, Head};
use super::{AuditError, files};

/// An append-only, hash-chained audit log file, open for appending.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    writer: Mutex<Writer>,
    opening: Opening,
}

#[derive(Debug)]
struct Writer {
    file: File,
    /// The chain as this process last verified it.
    chain: Chain,
    /// A write failed part-way: nothing more is appended.
    poisoned: bool,
}

/// What opening the log found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opening {
    /// A last record that never finished, kept here and cut off the log.
    pub torn_aside: Option<PathBuf>,
    /// Why the log cannot be appended to (it is damaged); the dashboard
    /// still starts, and says so.
    pub damaged: Option<String>,
}

/// Where an append put its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The record's position in the log, from 1: unique among every process
    /// writing it. An attempt's id is this.
    pub seq: u64,
}

/// What catching up with the log on disk found.
struct Caught {
    chain: Chain,
    torn_aside: Option<PathBuf>,
    damaged: Option<(usize, String)>,
}

impl AuditLog {
    /// Open `path` for appending, creating it (0600) and its folder (0700)
    /// when missing; a link is refused. The log is checked from its start: a
    /// last record that never finished is kept beside it and cut off; a log
    /// that does not verify opens, but refuses appends (see [`Self::opening`]).
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let open_err = |cause| AuditError::Open {
            path: path.to_path_buf(),
            cause,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_dirs(dir).map_err(open_err)?;
        }
        let mut file = files::open_append(path).map_err(open_err)?;
        file.lock().map_err(open_err)?;
        let caught = catch_up(&mut file, path, &Chain::default());
        let _ = file.unlock();
        let caught = caught?;
        let opening = Opening {
            torn_aside: caught.torn_aside,
            damaged: caught.damaged.map(|(line, problem)| {
                let e = AuditError::Damaged {
                    path: path.to_path_buf(),
                    line,
                    problem,
                };
                e.to_string()
            }),
        };
        if let Some(why) = &opening.damaged {
            tracing::error!(log = %path.display(), "{why}");
        }
        Ok(AuditLog {
            path: path.to_path_buf(),
            writer: Mutex::new(Writer {
                file,
                chain: caught.chain,
                poisoned: false,
            }),
            opening,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What opening found: a torn record kept aside, a damaged log.
    pub fn opening(&self) -> &Opening {
        &self.opening
    }

    /// Write one record, chained to the last on disk, flush it, and move the
    /// head. An attempt is given its position as its id.
    pub fn append(&self, record: &AuditRecord) -> Result<Appended, AuditError> {
        let write_err = |cause| AuditError::Write {
            path: self.path.clone(),
            cause,
        };
        let mut guard = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let w = &mut *guard;
        if w.poisoned {
            return Err(write_err(std::io::Error::other(
                "an earlier write failed part-way; restart warroom to recover the log",
            )));
        }
        w.file.lock().map_err(write_err)?;
        let result = append_locked(w, &self.path, record);
        let _ = w.file.unlock();
        result
    }
}

/// The append itself, under the log's exclusive lock.
fn append_locked(
    w: &mut Writer,
    path: &Path,
    record: &AuditRecord,
) -> Result<Appended, AuditError> {
    let write_err = |cause| AuditError::Write {
        path: path.to_path_buf(),
        cause,
    };
    let caught = catch_up(&mut w.file, path, &w.chain)?;
    if let Some((line, problem)) = caught.damaged {
        return Err(AuditError::Damaged {
            path: path.to_path_buf(),
            line,
            problem,
        });
    }
    w.chain = caught.chain;
    let seq = w.chain.records + 1;
    let record = match record {
        AuditRecord::Attempt(a) => {
            let mut a = a.clone();
            a.id = seq;
            AuditRecord::Attempt(a)
        }
        other => other.clone(),
    };
    let (line, hash) = chain::seal(&record, seq, &w.chain.hash).map_err(|e| write_err(e.into()))?;
    if let Err(e) = w
        .file
        .write_all(line.as_bytes())
        .and_then(|()| w.file.sync_data())
    {
        w.poisoned = true;
        return Err(write_err(e));
    }
    w.chain.records = seq;
    w.chain.hash = hash.clone();
    w.chain.bytes += line.len() as u64;
    w.chain.lines += 1;
    w.chain.headed = true;
    if let Err(e) = head::write(path, &Head { records: seq, hash }) {
        // The record is on disk but the head lags it: the log now reads as
        // one with a record added by hand. Stop rather than hide that.
        w.poisoned = true;
        return Err(write_err(std::io::Error::other(format!(
            "the record is written but its head ({}) is not: {e}",
            head::path_of(path).display()
        ))));
    }
    Ok(Appended { seq })
}

/// Check what the log holds past `from` (what this process verified), under
/// the caller's exclusive lock; keep a torn last record aside and cut it
/// off, and write the head of a log from before heads were kept.
fn catch_up(file: &mut File, path: &Path, from: &Chain) -> Result<Caught, AuditError> {
    let open_err = |cause| AuditError::Open {
        path: path.to_path_buf(),
        cause,
    };
    let len = file.metadata().map_err(open_err)?.len();
    let damaged = |chain: Chain, line, problem: String| Caught {
        chain,
        torn_aside: None,
        damaged: Some((line, problem)),
    };
    if len < from.bytes {
        return Ok(damaged(
            from.clone(),
            from.lines,
            format!(
                "it is shorter than when it was last read ({len} bytes, was {}): it was cut or replaced",
                from.bytes
            ),
        ));
    }
    let mut rest = Vec::new();
    file.seek(SeekFrom::Start(from.bytes))
        .and_then(|_| file.read_to_end(&mut rest))
        .map_err(open_err)?;
    let state = head::read(path);
    let walked = chain::walk(&rest, from, &state);
    if let Some(b) = walked.broken {
        return Ok(damaged(walked.chain, b.line, b.problem));
    }
    let mut torn_aside = None;
    if let Some(torn) = &walked.torn {
        if !torn.like_a_record {
            let problem = "its last line is cut short and does not begin like a record: left as it is (is this an audit log?)".to_string();
            return Ok(damaged(walked.chain, torn.line, problem));
        }
        let aside = match keep_aside(path, walked.chain.records + 1, &torn.text) {
            Ok(aside) => aside,
            Err(e) => {
                let problem = format!(
                    "its last record never finished and cannot be kept aside ({e}): left as it is"
                );
                return Ok(damaged(walked.chain, torn.line, problem));
            }
        };
        file.set_len(walked.chain.bytes)
            .and_then(|()| file.sync_all())
            .map_err(open_err)?;
        tracing::warn!(log = %path.display(), aside = %aside.display(), line = torn.line, "the audit log ended with a record that never finished; kept aside and cut off");
        torn_aside = Some(aside);
    }
    if state == HeadState::Missing && walked.chain.records > 0 {
        // A log from before heads were kept: its end is trusted as found.
        let head = Head {
            records: walked.chain.records,
            hash: walked.chain.hash.clone(),
        };
        head::write(path, &head).map_err(open_err)?;
    }
    Ok(Caught {
        chain: walked.chain,
        torn_aside,
        damaged: None,
    })
}

/// Write `text` to a new file beside the log, `<log>.torn-<position>`,
/// never through a link and never over another file.
fn keep_aside(path: &Path, position: u64, text: &[u8]) -> std::io::Result<PathBuf> {
    let base = format!(".torn-{position}");
    let mut last = None;
    for n in 0..10 {
        let name = if n == 0 {
            base.clone()
        } else {
            format!("{base}.{n}")
        };
        let aside = files::beside(path, &name);
        match files::create_new(&aside) {
            Ok(mut f) => {
                f.write_all(text).and_then(|()| f.sync_all())?;
                files::sync_dir_of(&aside)?;
                return Ok(aside);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "cannot keep the torn last record beside {}: {} and nine more names are taken ({})",
        path.display(),
        files::beside(path, &base).display(),
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}
