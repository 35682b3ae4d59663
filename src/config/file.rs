//! Reading a hand-written file with a bound on its size, so that a wrong
//! path (a log, a disk image, `/dev/zero`) is refused before it is parsed
//! rather than read whole into memory.

use std::io::Read;
use std::path::Path;

/// The largest plan file: plans are a few kilobytes; a megabyte is a mistake.
pub const PLAN_MAX_BYTES: usize = 1 << 20;

/// The largest theme file.
pub const THEME_MAX_BYTES: usize = 64 << 10;

/// Why a file could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum ReadProblem {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("is larger than {}; {what} is a short text file: is this the right file?", size(*.max))]
    TooLarge { max: usize, what: &'static str },
    #[error("is not UTF-8 text")]
    NotText,
}

/// `n` bytes in the largest whole unit.
pub fn size(n: usize) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// The text of `path`, refusing it once more than `max` bytes have been read
/// (what a file is, a pipe or a device, decides nothing). `what` names the
/// kind of file in the error: "a plan".
pub fn read_capped(path: &Path, max: usize, what: &'static str) -> Result<String, ReadProblem> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    // One byte past the cap tells "exactly at the cap" from "over it".
    file.take(max as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max {
        return Err(ReadProblem::TooLarge { max, what });
    }
    String::from_utf8(bytes).map_err(|_| ReadProblem::NotText)
}
