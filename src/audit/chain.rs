//! The hash chain: how a record becomes a line and how lines are checked.
//!
//! A line is the record's JSON with its position (`seq`) and the hash of the
//! line before it (`prev`), then `"hash"`: the SHA-256 of everything before
//! it, closed. Logs written before `seq` existed lack it and still verify.
//! The chain's head (its count and last hash) is also kept beside the log
//! (see `head.rs`), so that records cut off its end are noticed.

use serde::{Deserialize, Serialize};

use super::entry::AuditRecord;
use super::head::Head;
use super::key::Sealing;

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How every line this version writes begins; older ones began with `time`.
/// A torn last line must begin like one of them to be moved aside.
const LINE_STARTS: [&str; 2] = [r#"{"record":""#, r#"{"time":""#];

/// `record` as the line at position `seq` after the record hashed `prev`,
/// newline included, and its hash (made the way `sealing` says).
pub(crate) fn seal(
    record: &AuditRecord,
    seq: u64,
    prev: &str,
    sealing: &Sealing,
) -> Result<(String, String), serde_json::Error> {
    #[derive(Serialize)]
    struct Sealed<'a> {
        #[serde(flatten)]
        record: &'a AuditRecord,
        seq: u64,
        prev: &'a str,
    }
    let mut line = serde_json::to_string(&Sealed { record, seq, prev })?;
    let hash = sealing.hash(line.as_bytes());
    line.pop();
    line.push_str(&format!(",\"hash\":\"{hash}\"}}\n"));
    Ok((line, hash))
}

/// A line's body (the record with `prev`, closed) and its stated hash.
fn split_line(line: &str) -> Option<(String, &str)> {
    let cut = line.len().checked_sub(r#","hash":""#.len() + 64 + 2)?;
    let (head, tail) = (line.get(..cut)?, line.get(cut..)?);
    let hash = tail.strip_prefix(r#","hash":""#)?.strip_suffix("\"}")?;
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (format!("{head}}}"), hash))
}

/// The chain's links inside a record.
#[derive(Deserialize)]
struct Links {
    prev: Option<String>,
    seq: Option<u64>,
}

/// Check one line at position `seq` against the hash before it: its own
/// hash and its entry (`None` for a record of a kind this version does not
/// know: it chains, but counts for nothing).
fn check_line(line: &str, prev: &str, seq: u64, sealing: &Sealing) -> Result<Checked, String> {
    let (body, hash) = split_line(line).ok_or("no `hash` at the end of the record")?;
    if sealing.hash(body.as_bytes()) != hash {
        let or = if sealing.is_keyed() {
            "or it was not sealed with this audit key"
        } else {
            "or the log is sealed with an audit key: name its file in WARROOM_AUDIT_KEY_FILE"
        };
        return Err(format!(
            "its content does not match its hash: the record was changed ({or})"
        ));
    }
    let links: Links =
        serde_json::from_str(&body).map_err(|e| format!("not a JSON record: {e}"))?;
    match links.prev {
        Some(p) if p == prev => {}
        Some(_) => return Err("it does not follow the record before it: a record was removed, inserted or changed before it".to_string()),
        None => return Err("no `prev` hash".to_string()),
    }
    if links.seq.is_some_and(|s| s != seq) {
        return Err(format!(
            "it says it is record {} but it is record {seq}: records were removed or inserted",
            links.seq.unwrap_or_default()
        ));
    }
    Ok(Checked {
        hash: hash.to_string(),
        entry: serde_json::from_str(&body).ok(),
        headed: links.seq.is_some(),
    })
}

/// A line that checked out.
struct Checked {
    hash: String,
    entry: Option<AuditRecord>,
    /// It carries `seq`.
    headed: bool,
}

/// Where a chain stands after some of a log: what the next record must follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Records so far.
    pub records: u64,
    /// The last record's hash; the genesis before the first.
    pub hash: String,
    /// Bytes of the log read so far (whole lines only).
    pub bytes: u64,
    /// Lines read so far, blank ones included: for line numbers.
    pub lines: usize,
    /// Whether a record carried `seq`: written by a version that keeps a
    /// head, whose absence is then a fault.
    pub headed: bool,
}

impl Default for Chain {
    fn default() -> Self {
        Chain {
            records: 0,
            hash: GENESIS.to_string(),
            bytes: 0,
            lines: 0,
            headed: false,
        }
    }
}

/// What the head beside the log says, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadState {
    /// Not looked at: the text alone is checked.
    Unchecked,
    /// No head file: a log from before heads were kept, or a new one.
    Missing,
    Read(Head),
    /// There, but not readable as a head.
    Unreadable(String),
    /// The head of another log file: the log was deleted, or replaced by a
    /// new, empty one (see `head::of_log`). Why, for the reader.
    Foreign {
        records: u64,
        problem: String,
    },
}

/// The first record that cannot be trusted, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// 1-based line.
    pub line: usize,
    pub problem: String,
}

/// A last line without its newline: a write that did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Torn {
    /// Its 1-based line.
    pub line: usize,
    pub text: Vec<u8>,
    /// Whether it begins like a record: only then is it moved aside.
    pub like_a_record: bool,
}

/// The result of reading some of a log on from a [`Chain`].
#[derive(Debug, Clone, Default)]
pub struct Walked {
    /// Where the chain stands after the last verified record.
    pub chain: Chain,
    /// The verified records' entries, in order.
    pub entries: Vec<AuditRecord>,
    pub broken: Option<Broken>,
    pub torn: Option<Torn>,
    /// The last record is the one the head named as pending: an append
    /// that stopped after writing its record and before counting it in the
    /// head. The record counts; the next writer brings the head up to it.
    pub finished_append: bool,
}

/// Check `bytes` (the log from `from.bytes` on) record by record, on from
/// `from`, and against `head`. Stops at the first record that cannot be
/// trusted: nothing after it counts.
pub fn walk(bytes: &[u8], from: &Chain, head: &HeadState, sealing: &Sealing) -> Walked {
    let mut out = Walked {
        chain: from.clone(),
        ..Walked::default()
    };
    let head_at = match head {
        HeadState::Read(h) => Some(h),
        _ => None,
    };
    if let HeadState::Unreadable(problem) | HeadState::Foreign { problem, .. } = head {
        out.broken = Some(Broken {
            line: from.lines + 1,
            problem: problem.clone(),
        });
        return out;
    }
    // The record an unfinished append announced, one past the head.
    let pending = head_at.and_then(|h| h.next());
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_no = out.chain.lines + 1;
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            out.torn = Some(Torn {
                line: line_no,
                text: rest.to_vec(),
                like_a_record: begins_like_a_record(rest),
            });
            break;
        };
        let raw = &rest[..end];
        rest = &rest[end + 1..];
        let fail = |problem: String| Broken {
            line: line_no,
            problem,
        };
        let Ok(line) = std::str::from_utf8(raw) else {
            out.broken = Some(fail("not UTF-8 text".to_string()));
            return out;
        };
        if !line.trim().is_empty() {
            let seq = out.chain.records + 1;
            match check_line(line, &out.chain.hash, seq, sealing) {
                Ok(checked) => {
                    let announced = pending.is_some_and(|p| {
                        p.records == seq
                            && p.hash == checked.hash
                            && out.chain.hash == h_hash(head_at)
                    });
                    if let Some(h) = head_at
                        && out.chain.records >= h.records
                        && !announced
                    {
                        out.broken = Some(fail(format!(
                            "the log's head says it ends at record {}: this record was added after the last one warroom wrote (by hand, or by a process that stopped before it could record the head)",
                            h.records
                        )));
                        return out;
                    }
                    out.chain.hash = checked.hash;
                    out.chain.records = seq;
                    out.chain.headed |= checked.headed;
                    out.entries.extend(checked.entry);
                }
                Err(problem) => {
                    out.broken = Some(fail(problem));
                    return out;
                }
            }
            if let Some(h) = head_at
                && out.chain.records == h.records
                && out.chain.hash != h.hash
            {
                out.broken = Some(fail(format!(
                    "record {} is not the one the log's head names: the log was rewritten",
                    h.records
                )));
                return out;
            }
        }
        out.chain.lines = line_no;
        out.chain.bytes += end as u64 + 1;
    }
    let line = out.chain.lines + 1;
    let (records, hash) = (out.chain.records, &out.chain.hash);
    out.finished_append = pending.is_some_and(|p| p.records == records && p.hash == *hash);
    let problem = match head {
        _ if out.finished_append => None,
        HeadState::Read(h) if records < h.records => {
            let cut = if out.torn.is_some() {
                " (the last one is cut short)"
            } else {
                ""
            };
            // A record the head counted is no crash's leftover.
            out.torn = None;
            Some(format!(
                "the log's head says it holds {} records but it holds {records}: {} cut off its end{cut}",
                h.records,
                h.records - records
            ))
        }
        HeadState::Read(h) if records > h.records => Some(format!(
            "the log's head says it holds {} records but {records} were read before: the head was replaced",
            h.records
        )),
        HeadState::Read(h) if *hash != h.hash => Some(format!(
            "record {records} is not the one the log's head names: the log was rewritten"
        )),
        HeadState::Missing if out.chain.headed => Some(
            "the log's head file is missing: whether records were cut off its end cannot be told"
                .to_string(),
        ),
        // The text alone cannot tell a write that did not finish from a
        // record cut short.
        HeadState::Unchecked if out.torn.is_some() => {
            Some("the last record is cut short: a write did not finish".to_string())
        }
        _ => None,
    };
    if let Some(problem) = problem {
        let line = out.torn.as_ref().map_or(line, |t| t.line);
        out.broken = Some(Broken { line, problem });
    }
    out
}

/// The hash of the record the head counts last.
fn h_hash(head: Option<&Head>) -> &str {
    head.map_or(GENESIS, |h| h.hash.as_str())
}

fn begins_like_a_record(text: &[u8]) -> bool {
    LINE_STARTS.iter().any(|start| {
        let start = start.as_bytes();
        text.starts_with(start) || start.starts_with(text)
    })
}

/// The result of checking a whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        records: usize,
    },
    /// The first broken record: its 1-based line and what is wrong.
    Broken {
        line: usize,
        problem: String,
    },
}

/// The verdict on a walk over a whole log. A last write that did not finish
/// and that the head does not count is no fault: nothing in it happened.
pub fn verdict(walked: &Walked) -> Verdict {
    match &walked.broken {
        Some(b) => Verdict::Broken {
            line: b.line,
            problem: b.problem.clone(),
        },
        None => Verdict::Intact {
            records: usize::try_from(walked.chain.records).unwrap_or(usize::MAX),
        },
    }
}

/// Check the hash chain of the log text alone (no head, no key).
pub fn verify(text: &str) -> Verdict {
    verdict(&walk(
        text.as_bytes(),
        &Chain::default(),
        &HeadState::Unchecked,
        &Sealing::default(),
    ))
}
