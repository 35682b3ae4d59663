//! The end of `warroom drill`: the graded debrief written as Markdown to
//! `<state dir>/drills/<service>-<UTC>.md` (readable by its owner only,
//! never overwriting), printed in short, and recorded in the audit log,
//! where the scorecard counts the drill as a rehearsal only if it passed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::app::AppState;
use crate::audit::AuditRecord;
use crate::audit::log::AuditLog;
use crate::domain::drill::grade::{Grade, said};
use crate::domain::drill::markdown::markdown;
use crate::domain::plan::RolloutPlan;
use crate::domain::{Span, Timestamp};

/// How a drill ran, for its conclusion.
pub struct Drilled<'a> {
    /// The dashboard's state when it returned.
    pub state: &'a AppState,
    pub plan: &'a RolloutPlan,
    /// A plan file was drilled (`false`: the built-in demo).
    pub of_plan: bool,
    pub began: Timestamp,
    /// When a drill without a script had its fault begin, after `began`.
    pub fault_at: Span,
}

/// Grade the drill (unless the debrief screen already did), write its
/// debrief, record it. Returns the exit code.
pub fn conclude(drilled: &Drilled<'_>, audit: &AuditLog) -> Result<i32> {
    let Some(grade) = grade_of(drilled) else {
        println!("the drill ended before its fault began: nothing was rehearsed or recorded");
        return Ok(0);
    };
    let dir = crate::cli::paths::state_dir()?.join("drills");
    let text = markdown(&grade, &drilled.plan.service, &drilled.state.operator);
    let path = write_new(&dir, &file_name(&drilled.plan.service, grade.ended), &text)?;
    println!(
        "drill debrief: {} — drill length {}",
        grade.verdict_word(),
        said(Some(grade.length()))
    );
    for i in &grade.injections {
        println!(
            "  {}: signal {}, acknowledged {}, mitigated {}, recovered {}, {} failed requests",
            i.id,
            said(i.time_to_signal()),
            said(i.time_to_acknowledge()),
            said(i.time_to_mitigate()),
            said(i.time_to_recover()),
            i.failed_requests
        );
    }
    println!("debrief written to {}", path.display());
    audit.append(&AuditRecord::graded(
        drilled.plan,
        drilled.of_plan,
        &drilled.state.operator,
        grade.ended,
        &grade,
    ))?;
    println!("recorded in {}", audit.path().display());
    if grade.passed() {
        println!("the scorecard counts it as a rehearsal of the rollback runbook");
    } else {
        println!("not a rehearsal: the scorecard counts a drill only when it passed");
    }
    Ok(0)
}

/// The drill's grade: the one the debrief screen showed, or (quit at once,
/// or a drill without a script) the classic grade from the timeline.
/// `None` when nothing began, so nothing was rehearsed.
fn grade_of(drilled: &Drilled<'_>) -> Option<Grade> {
    let state = drilled.state;
    if let Some(grade) = state.observed.graded.as_deref().filter(|g| !g.classic) {
        return grade
            .injections
            .iter()
            .any(|i| i.started.is_some_and(|s| s < grade.ended))
            .then(|| grade.clone());
    }
    let ended = state
        .observed
        .graded
        .as_deref()
        .map_or_else(chrono::Utc::now, |g| g.ended);
    let fault_at = drilled.began + drilled.fault_at;
    let debrief = crate::domain::drill::debrief(&state.timeline, fault_at, ended);
    debrief
        .fault_began()
        .then(|| Grade::classic(&debrief, drilled.began))
}

/// `checkout-api-20261202T134500Z.md`: the service's name kept to what a
/// file name may safely hold.
fn file_name(service: &str, at: Timestamp) -> String {
    let service: String = service
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                true => c,
                false => '-',
            },
        )
        .collect();
    let service = service.trim_start_matches('.');
    format!("{service}-{}.md", at.format("%Y%m%dT%H%M%SZ"))
}

/// Write `text` to a new file `name` in `dir` (made if need be), mode
/// 0600, never over an existing file or through a link (`O_NOFOLLOW`).
fn write_new(dir: &Path, name: &str, text: &str) -> Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot make {}", dir.display()))?;
    let path = dir.join(name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .with_context(|| format!("cannot create {} (is one there already?)", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_named_for_the_service_and_the_time() {
        let at = Timestamp::default() + Span::seconds(3723);
        assert_eq!(
            file_name("checkout-api", at),
            "checkout-api-19700101T010203Z.md"
        );
        assert_eq!(file_name("../etc/x y", at), "-etc-x-y-19700101T010203Z.md");
    }

    #[test]
    fn a_debrief_is_written_once_and_private() {
        let dir = std::env::temp_dir().join(format!("warroom-debrief-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = write_new(&dir, "a.md", "# x\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = write_new(&dir, "a.md", "# y\n").unwrap_err().to_string();
        assert!(again.contains("is one there already"), "{again}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# x\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
