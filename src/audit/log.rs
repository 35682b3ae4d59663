//! Writing the audit log. Several processes may share one (a dashboard and
//! `warroom scorecard set`, two dashboards): every append, and every repair,
//! happens under an exclusive lock on the log, after checking what others
//! wrote since this process last looked, so each record chains onto a
//! verified last record and the head beside the log moves with it.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::catch_up::{Caught, Repair, catch_up};
use super::chain::{self, Chain};
use super::entry::AuditRecord;
use super::head::{self, FileId, Head, Pending};
use super::key::Sealing;
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
    /// The log as opened; `None` when read-only and there is no log yet.
    file: Option<File>,
    /// Opened to read only (`--read-only`): nothing is appended or repaired.
    read_only: bool,
    /// The chain as this process last verified it.
    chain: Chain,
    /// A write failed part-way: nothing more is appended.
    poisoned: bool,
    /// How its records are hashed.
    sealing: Sealing,
}

/// What opening the log found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opening {
    /// A last record that never finished, kept here and cut off the log.
    pub torn_aside: Option<PathBuf>,
    /// Why the log cannot be appended to (it is damaged); the dashboard
    /// still starts, and says so.
    pub damaged: Option<String>,
    /// The head left by a log that was here before (moved aside or
    /// deleted), replaced by a fresh one for this new, empty log: why.
    pub replaced_head: Option<String>,
}

/// Where an append put its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The record's position in the log, from 1: unique among every process
    /// writing it. An attempt's id is this.
    pub seq: u64,
}

impl AuditLog {
    /// Open `path` for appending, creating it (0600) and its folder (0700)
    /// when missing; a link is refused. The log is checked from its start: a
    /// last record that never finished is kept beside it and cut off; a log
    /// that does not verify opens, but refuses appends (see [`Self::opening`]).
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(path, Sealing::from_env()?)
    }

    /// [`AuditLog::open`], with records sealed the way `sealing` says.
    pub fn open_with(path: &Path, sealing: Sealing) -> Result<AuditLog, AuditError> {
        let open_err = |cause| AuditError::Open {
            path: path.to_path_buf(),
            cause,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_dirs(dir).map_err(open_err)?;
        }
        let mut file = files::open_append(path).map_err(open_err)?;
        files::lock_within(&file, false).map_err(open_err)?;
        let caught = catch_up(&mut file, path, &Chain::default(), Repair::Yes, &sealing);
        let _ = file.unlock();
        Ok(Self::opened(path, Some(file), caught?, false, sealing))
    }

    /// Open `path` to read only, for a `--read-only` dashboard: nothing is
    /// created, appended or repaired, so a log the operator may only read
    /// (0400, a read-only mount) still lets it start. A log not there yet
    /// is an empty one; every append is refused.
    pub fn open_read_only(path: &Path) -> Result<AuditLog, AuditError> {
        let sealing = Sealing::from_env()?;
        let open_err = |cause| AuditError::Open {
            path: path.to_path_buf(),
            cause,
        };
        let mut file = files::open_read(path).map_err(open_err)?;
        let caught = match file.as_mut() {
            Some(file) => {
                files::lock_within(file, true).map_err(open_err)?;
                let caught = catch_up(file, path, &Chain::default(), Repair::No, &sealing);
                let _ = file.unlock();
                caught?
            }
            None => Caught::default(),
        };
        Ok(Self::opened(path, file, caught, true, sealing))
    }

    fn opened(
        path: &Path,
        file: Option<File>,
        caught: Caught,
        read_only: bool,
        sealing: Sealing,
    ) -> AuditLog {
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
            replaced_head: caught.replaced_head,
        };
        if let Some(why) = &opening.damaged {
            tracing::error!(log = %path.display(), "{why}");
        }
        AuditLog {
            path: path.to_path_buf(),
            writer: Mutex::new(Writer {
                file,
                read_only,
                chain: caught.chain,
                poisoned: false,
                sealing,
            }),
            opening,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What opening found: a torn record kept aside, a damaged log.
    pub fn opening(&self) -> &Opening {
        &self.opening
    }

    /// The open file's descriptor, for tests that check how it was opened.
    #[cfg(test)]
    pub(crate) fn raw_fd(&self) -> Option<i32> {
        use std::os::fd::AsRawFd;
        let w = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        w.file.as_ref().map(|f| f.as_raw_fd())
    }

    /// Whether this log was opened to read only.
    pub fn read_only(&self) -> bool {
        self.writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .read_only
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
        if w.read_only {
            return Err(write_err(std::io::Error::other(
                "it was opened read-only (--read-only): nothing is recorded",
            )));
        }
        if w.poisoned {
            return Err(write_err(std::io::Error::other(
                "an earlier write failed part-way; restart warroom to recover the log",
            )));
        }
        let Some(file) = w.file.as_mut() else {
            return Err(write_err(std::io::Error::other("it is not open")));
        };
        files::lock_within(file, false).map_err(write_err)?;
        let result =
            still_at_path(w, &self.path).and_then(|()| append_locked(w, &self.path, record));
        if let Some(file) = &w.file {
            let _ = file.unlock();
        }
        result
    }
}

/// Make sure the open log is still the file at `path`, under its lock. One
/// moved aside or replaced while warroom ran is left alone: the log now at
/// `path` is opened, locked and checked from its start instead, so that no
/// record goes to the old file and no head is written for the wrong one.
fn still_at_path(w: &mut Writer, path: &Path) -> Result<(), AuditError> {
    let open_err = |cause| AuditError::Open {
        path: path.to_path_buf(),
        cause,
    };
    let Some(file) = &w.file else {
        return Ok(());
    };
    let opened = file.metadata().map_err(open_err)?;
    let named = match std::fs::symlink_metadata(path) {
        Ok(named) => Some(named),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(open_err(e)),
    };
    if named.is_some_and(|n| files::identity(&n) == files::identity(&opened)) {
        return Ok(());
    }
    tracing::warn!(log = %path.display(), "the audit log was moved or replaced while warroom ran; writing to the one now at its path");
    let fresh = files::open_append(path).map_err(open_err)?;
    files::lock_within(&fresh, false).map_err(open_err)?;
    if let Some(old) = w.file.replace(fresh) {
        let _ = old.unlock();
    }
    w.chain = Chain::default();
    Ok(())
}

/// The append itself, under the log's exclusive lock: the head first names
/// the record as pending, then the record is written, then counted.
fn append_locked(
    w: &mut Writer,
    path: &Path,
    record: &AuditRecord,
) -> Result<Appended, AuditError> {
    let write_err = |cause| AuditError::Write {
        path: path.to_path_buf(),
        cause,
    };
    let Some(file) = w.file.as_mut() else {
        return Err(write_err(std::io::Error::other("it is not open")));
    };
    let caught = catch_up(file, path, &w.chain, Repair::Yes, &w.sealing)?;
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
    let (line, hash) =
        chain::seal(&record, seq, &w.chain.hash, &w.sealing).map_err(|e| write_err(e.into()))?;
    let id = Some(FileId::of(&file.metadata().map_err(write_err)?));
    let mut announced = Head::at(w.chain.records, &w.chain.hash, id);
    announced.pending = Some(Pending {
        records: seq,
        hash: hash.clone(),
    });
    // Nothing is written yet: a failure here leaves the log as it was.
    head::write(path, &announced, true).map_err(write_err)?;
    if let Err(e) = file
        .write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
    {
        w.poisoned = true;
        return Err(write_err(e));
    }
    w.chain.records = seq;
    w.chain.hash = hash.clone();
    w.chain.bytes += line.len() as u64;
    w.chain.lines += 1;
    w.chain.headed = true;
    // The record counts from here on: the head announced it, so a head
    // that lags it is brought up to it by the next writer. If this rename
    // is lost to a power cut, the announcing head is what the disk keeps.
    if let Err(e) = head::write(path, &Head::at(seq, &hash, id), false) {
        tracing::warn!(log = %path.display(), error = %e, "the audit record is written but its head is not moved yet; the next append moves it");
    }
    Ok(Appended { seq })
}
