//! Recovering from a crash mid-append, a log moved aside or replaced, a
//! follower's start, and read-only openings.

use std::io::Write;
use std::path::Path;

use super::chain::HeadState;
use super::head::{self, Head, Pending};
use super::reader::{Follower, Look};
use super::tests::{request, temp, verify_file, write_three};
use super::*;
use crate::domain::Timestamp;

fn attempt() -> AuditRecord {
    AuditRecord::attempt(&request(), Timestamp::default())
}

fn read_head(path: &Path) -> Result<Head, Box<dyn std::error::Error>> {
    match head::read(path) {
        HeadState::Read(h) => Ok(h),
        other => Err(format!("no head: {other:?}").into()),
    }
}

/// What a process that died between writing its record and counting it in
/// the head leaves: the record on disk, the head naming it as pending (or,
/// with `announce` false, not naming it at all).
fn crash_after_record(path: &Path, announce: bool) -> Result<String, Box<dyn std::error::Error>> {
    let was = read_head(path)?;
    let (line, hash) = chain::seal(&attempt(), was.records + 1, &was.hash, &Sealing::default())?;
    if announce {
        let mut pending = was.clone();
        pending.pending = Some(Pending {
            records: was.records + 1,
            hash: hash.clone(),
        });
        head::write(path, &pending, true)?;
    }
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(line.as_bytes())?;
    Ok(hash)
}

fn broken_because(path: &Path) -> String {
    match verify_file(path) {
        Ok(Verdict::Broken { problem, .. }) => problem,
        other => format!("not broken: {other:?}"),
    }
}

#[test]
fn a_crash_between_the_record_and_its_head_rolls_forward() -> Result<(), Box<dyn std::error::Error>>
{
    let path = temp("crash-mid-append");
    write_three(&path)?;
    let hash = crash_after_record(&path, true)?;
    // Readers count the announced record…
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 4 });
    // …and the next writer brings the head up to it and goes on.
    let log = AuditLog::open(&path)?;
    assert_eq!(log.opening().damaged, None);
    assert_eq!(
        read_head(&path)?,
        Head::at(4, &hash, read_head(&path)?.file)
    );
    assert_eq!(log.append(&attempt())?.seq, 5);
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 5 });
    Ok(())
}

#[test]
fn a_record_past_the_head_that_no_append_announced_is_reported()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("unannounced");
    write_three(&path)?;
    crash_after_record(&path, false)?;
    assert!(broken_because(&path).contains("added after"));
    let log = AuditLog::open(&path)?;
    assert!(log.opening().damaged.is_some());
    assert!(log.append(&attempt()).is_err());

    // Announced, but another record written in its place.
    let path = temp("announced-other");
    write_three(&path)?;
    let was = read_head(&path)?;
    let mut pending = was.clone();
    pending.pending = Some(Pending {
        records: 4,
        hash: "ab".repeat(32),
    });
    crash_after_record(&path, false)?;
    head::write(&path, &pending, true)?;
    assert!(broken_because(&path).contains("added after"));
    // And a second record past the announced one.
    let path = temp("announced-and-more");
    write_three(&path)?;
    crash_after_record(&path, true)?;
    let (line, _) = chain::seal(
        &attempt(),
        5,
        &read_head(&path)?.pending.ok_or("no pending")?.hash,
        &Sealing::default(),
    )?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)?
        .write_all(line.as_bytes())?;
    assert!(broken_because(&path).contains("added after"));
    Ok(())
}

#[test]
fn a_log_moved_aside_without_its_head_is_reported_then_started_anew()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("moved-aside");
    write_three(&path)?;
    let aside = path.with_file_name("audit.jsonl.old");
    std::fs::rename(&path, &aside)?;
    // Gone, with its head still there: readers say so rather than count 0.
    let why = broken_because(&path);
    assert!(
        why.contains("the log is gone") && why.contains("3 records"),
        "{why}"
    );
    assert!(recall::recall_file(&path, "checkout-api").is_err());
    let mut history = crate::domain::dora::History::default();
    assert!(history::read_audit_rollbacks(&path, None, &mut history).is_err());
    // The next writer starts a new log with a head of its own, and says so.
    let log = AuditLog::open(&path)?;
    assert_eq!(log.opening().damaged, None);
    let said = log.opening().replaced_head.clone().unwrap_or_default();
    assert!(said.contains("3 records"), "{said}");
    assert_eq!(log.append(&attempt())?.seq, 1);
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 1 });
    // Moved with its head, the old log still verifies.
    let path = temp("moved-with-head");
    write_three(&path)?;
    let aside = path.with_file_name("kept.jsonl");
    std::fs::rename(&path, &aside)?;
    std::fs::rename(head::path_of(&path), head::path_of(&aside))?;
    assert_eq!(verify_file(&aside)?, Verdict::Intact { records: 3 });
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 0 });
    Ok(())
}

#[test]
fn a_log_emptied_in_place_is_cut_off_but_a_new_empty_one_is_not()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("emptied");
    write_three(&path)?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)?
        .set_len(0)?;
    let why = broken_because(&path);
    assert!(why.contains("holds 3 records but it holds 0"), "{why}");
    let log = AuditLog::open(&path)?;
    assert!(log.opening().damaged.is_some());
    assert!(log.opening().replaced_head.is_none());
    drop(log);
    // A new file in its place: until a writer starts it, readers report it.
    // (Made before the old one goes, so that it cannot reuse its inode.)
    let new = path.with_file_name("audit.jsonl.new");
    std::fs::File::create(&new)?;
    std::fs::rename(&new, &path)?;
    let why = broken_because(&path);
    assert!(why.contains("new, empty file"), "{why}");
    let log = AuditLog::open(&path)?;
    assert_eq!(log.opening().damaged, None);
    log.append(&attempt())?;
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 1 });
    Ok(())
}

#[test]
fn a_log_moved_while_open_is_not_written_through_the_old_file()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("moved-while-open");
    write_three(&path)?;
    let log = AuditLog::open(&path)?;
    let aside = path.with_file_name("audit.jsonl.old");
    std::fs::rename(&path, &aside)?;
    let before = std::fs::read_to_string(&aside)?;
    assert_eq!(log.append(&attempt())?.seq, 1);
    assert_eq!(
        std::fs::read_to_string(&aside)?,
        before,
        "the old file is left alone"
    );
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 1 });
    // Replaced by another log while open: that one is appended to, checked.
    let other = temp("moved-while-open-other");
    write_three(&other)?;
    std::fs::rename(&other, &path)?;
    std::fs::rename(head::path_of(&other), head::path_of(&path))?;
    assert_eq!(log.append(&attempt())?.seq, 4);
    assert_eq!(verify_file(&path)?, Verdict::Intact { records: 4 });
    Ok(())
}

#[test]
fn a_follower_starts_where_the_start_up_reading_ended() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("follow-from-reading");
    write_three(&path)?;
    let reading = reader::read(&path);
    // Recorded after the start-up reading, before the tail starts.
    AuditLog::open(&path)?.append(&attempt())?;
    let mut follower = Follower::after(&path, &reading);
    let Look::Appended(seen) = follower.look() else {
        return Err("broken".into());
    };
    assert_eq!(seen.len(), 1);
    assert_eq!(follower.look(), Look::Appended(vec![]));
    Ok(())
}

#[test]
fn a_follower_that_cannot_start_reports_it_and_never_replays()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("follow-unstarted");
    let dir = path.parent().ok_or("no parent")?;
    std::fs::create_dir_all(dir)?;
    std::os::unix::fs::symlink(dir.join("elsewhere"), &path)?;
    let mut follower = Follower::from_end(&path);
    std::fs::remove_file(&path)?;
    write_three(&path)?;
    let look = follower.look();
    assert!(
        matches!(&look, Look::Broken(why) if why.contains("not followed")),
        "{look:?}"
    );
    assert_eq!(follower.look(), Look::Appended(vec![]), "nothing replayed");
    Ok(())
}

/// The access mode the descriptor `fd` was opened with.
fn access_mode(fd: i32) -> Result<i32, Box<dyn std::error::Error>> {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}"))?;
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .ok_or("no flags")?;
    Ok(i32::from_str_radix(flags.trim(), 8)? & libc::O_ACCMODE)
}

#[test]
fn a_read_only_opening_reads_only_and_repairs_nothing() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("read-only");
    write_three(&path)?;
    let whole = std::fs::read_to_string(&path)?;
    let torn = format!("{whole}{{\"record\":\"attempt\",\"ti");
    std::fs::write(&path, &torn)?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o400))?;
    let log = AuditLog::open_read_only(&path)?;
    assert!(log.read_only());
    let fd = log.raw_fd().ok_or("not open")?;
    assert_eq!(access_mode(fd)?, libc::O_RDONLY);
    assert_eq!(log.opening(), &Opening::default());
    let err = log
        .append(&attempt())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(std::fs::read_to_string(&path)?, torn, "not cut");
    assert!(!path.with_file_name("audit.jsonl.torn-4").exists());
    // A writer's opening is for writing.
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    let writer = AuditLog::open(&path)?;
    assert_eq!(
        access_mode(writer.raw_fd().ok_or("not open")?)?,
        libc::O_RDWR
    );
    // No log yet: nothing is created.
    let missing = temp("read-only-missing");
    let log = AuditLog::open_read_only(&missing)?;
    assert!(log.raw_fd().is_none());
    assert!(!missing.parent().ok_or("no parent")?.exists());
    Ok(())
}

#[test]
fn a_keyed_chain_rewritten_with_plain_hashes_does_not_verify()
-> Result<(), Box<dyn std::error::Error>> {
    let keyed = Sealing::keyed(b"incident-key");
    let path = temp("keyed");
    let log = AuditLog::open_with(&path, keyed.clone())?;
    for _ in 0..3 {
        log.append(&attempt())?;
    }
    let checked = |sealing: &Sealing| -> Result<Verdict, AuditError> {
        Ok(chain::verdict(&reader::read_with(&path, sealing)?.walked))
    };
    assert_eq!(checked(&keyed)?, Verdict::Intact { records: 3 });
    assert!(
        matches!(checked(&Sealing::default())?, Verdict::Broken { line: 1, ref problem } if problem.contains("WARROOM_AUDIT_KEY_FILE"))
    );
    assert!(matches!(
        checked(&Sealing::keyed(b"another"))?,
        Verdict::Broken { line: 1, .. }
    ));
    // The same records chained with plain hashes, head and all, in its place.
    let plain = temp("keyed-rewritten");
    let rewriter = AuditLog::open_with(&plain, Sealing::default())?;
    for _ in 0..3 {
        rewriter.append(&attempt())?;
    }
    std::fs::rename(&plain, &path)?;
    std::fs::rename(head::path_of(&plain), head::path_of(&path))?;
    assert!(
        matches!(checked(&keyed)?, Verdict::Broken { line: 1, ref problem } if problem.contains("audit key"))
    );
    // Nor is anything chained onto it under the key.
    let log = AuditLog::open_with(&path, keyed)?;
    assert!(log.opening().damaged.is_some());
    assert!(log.append(&attempt()).is_err());
    Ok(())
}
