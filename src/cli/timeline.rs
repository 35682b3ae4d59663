//! `warroom timeline`: the timeline of a plan's service for the incident
//! document, from the verified audit log, in order, in UTC, with authors:
//! actions asked and what came of them, scorecard settings, drills and the
//! lines people wrote. Markdown (docs/timeline.md) or JSON with stable
//! field names.

use anyhow::{Context, Result, bail};
use chrono::SecondsFormat;
use serde::Serialize;

use super::args::{TimelineArgs, TimelineFormat};
use super::paths;
use crate::audit::entry::{Answer, AuditRecord, Mode};
use crate::audit::reader;
use crate::config::plan::PlanFile;
use crate::domain::Timestamp;
use crate::domain::scorecard::printable;

/// One entry of the exported timeline. Field names are part of the JSON
/// format: documented in docs/timeline.md, never renamed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// RFC 3339, UTC, whole seconds.
    pub time: String,
    /// `action asked`, `action outcome`, `scorecard`, `drill` or `annotation`.
    pub kind: &'static str,
    pub operator: String,
    pub service: String,
    /// The entry in a line, as the markdown shows it.
    pub text: String,
    /// `demo` or `drill` for records made in play; `null` for real ones.
    pub mode: Option<&'static str>,
    /// Actions: the verb (`pause`, `roll back`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Actions: `all regions` or a region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Actions: the id that ties an outcome to its ask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Outcomes: `done`, `failed` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'static str>,
    #[serde(skip)]
    at: Timestamp,
}

/// Which records make the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filter {
    /// Only records at or after this time.
    pub since: Option<Timestamp>,
    /// Also the demo's and drills' records (marked); else real ones only.
    pub play: bool,
    /// Also each message delivered to (or given up on by) a notification
    /// receiver; else what happened to the rollout only.
    pub notifications: bool,
}

fn mode_word(mode: Option<Mode>) -> Option<&'static str> {
    match mode {
        Some(Mode::Demo) => Some("demo"),
        Some(Mode::Drill) => Some("drill"),
        None => None,
    }
}

fn result_word(answer: Answer) -> &'static str {
    match answer {
        Answer::Ok => "done",
        Answer::Failed => "failed",
        Answer::Unknown => "unknown",
    }
}

/// The row of one record; text read back is made safe to print.
fn row(record: &AuditRecord) -> Row {
    let mut row = Row {
        time: record.time().to_rfc3339_opts(SecondsFormat::Secs, true),
        kind: "",
        operator: String::new(),
        service: printable(record.target()),
        text: String::new(),
        mode: mode_word(record.mode()),
        action: None,
        scope: None,
        id: None,
        result: None,
        at: record.time(),
    };
    match record {
        AuditRecord::Attempt(a) => {
            row.kind = "action asked";
            row.operator = printable(&a.operator);
            row.text = format!("asked to {} ({})", a.action, printable(&a.scope));
            if let Some(reason) = &a.reason {
                row.text = format!("{}: {}", row.text, printable(reason));
            }
            row.action = Some(a.action.verb().to_string());
            row.scope = Some(printable(&a.scope));
            row.id = Some(a.id);
        }
        AuditRecord::Outcome(o) => {
            let a = &o.action;
            row.kind = "action outcome";
            row.operator = printable(&a.operator);
            let result = result_word(o.result);
            row.text = format!(
                "{} ({}) {}: {}",
                a.action,
                printable(&a.scope),
                result,
                printable(&o.detail)
            );
            row.action = Some(a.action.verb().to_string());
            row.scope = Some(printable(&a.scope));
            row.id = Some(a.id);
            row.result = Some(result);
        }
        AuditRecord::Scorecard(s) => {
            row.kind = "scorecard";
            row.operator = printable(&s.operator);
            row.text = format!("set {} {}: {}", s.item, s.status, printable(&s.reason));
        }
        AuditRecord::Drill(d) => {
            row.kind = "drill";
            row.operator = printable(&d.operator);
            row.text = format!("drill ended: {}", printable(&d.detail));
        }
        AuditRecord::Annotation(a) => {
            row.kind = "annotation";
            row.operator = printable(&a.operator);
            row.text = crate::domain::timeline::annotation_text(&a.text);
        }
        AuditRecord::Notification(n) => {
            row.kind = "notification";
            row.operator = printable(&n.operator);
            row.text = format!(
                "{} to {} ({}): {}",
                printable(&n.event),
                printable(&n.receiver),
                printable(&n.kind),
                printable(&n.result)
            );
            if !n.detail.is_empty() {
                row.text = format!("{}: {}", row.text, printable(&n.detail));
            }
        }
    }
    row
}

/// The timeline of `service` in verified `entries`, oldest first (records
/// of the same second keep the log's order).
pub fn rows(entries: &[AuditRecord], service: &str, filter: Filter) -> Vec<Row> {
    let mut rows: Vec<Row> = entries
        .iter()
        .filter(|e| e.target() == service)
        .filter(|e| filter.play || e.mode().is_none())
        .filter(|e| filter.notifications || !matches!(e, AuditRecord::Notification(_)))
        .filter(|e| filter.since.is_none_or(|since| e.time() >= since))
        .map(row)
        .collect();
    rows.sort_by_key(|r| r.at);
    rows
}

/// A cell of a markdown table: a `|` would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The timeline as markdown: a heading, where it comes from, one table row
/// per entry; play marked in the text.
pub fn markdown(service: &str, source: &str, rows: &[Row]) -> String {
    let mut out = format!("## Timeline of {}\n\n", cell(service));
    out.push_str(&format!(
        "From the verified audit log `{}`; times in UTC.\n\n",
        source.replace('`', "'")
    ));
    if rows.is_empty() {
        out.push_str("Nothing recorded.\n");
        return out;
    }
    out.push_str("| time (UTC) | who | what |\n| --- | --- | --- |\n");
    for r in rows {
        let time = r.at.format("%Y-%m-%d %H:%M:%S");
        let play = r.mode.map(|m| format!("[{m}] ")).unwrap_or_default();
        out.push_str(&format!(
            "| {time} | {} | {play}{} |\n",
            cell(&r.operator),
            cell(&r.text)
        ));
    }
    out
}

/// `--since`: an RFC 3339 time, or a duration back from `now` (`2h`, `30m`,
/// `1h30m`, `2d`).
pub fn since(given: &str, now: Timestamp) -> Result<Timestamp> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(given) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let back = humantime::parse_duration(given).map_err(|e| {
        anyhow::anyhow!(
            "--since `{given}`: neither an RFC 3339 time (2026-03-01T14:00:00Z) nor a duration (2h, 30m): {e}"
        )
    })?;
    let back = chrono::Duration::from_std(back)
        .with_context(|| format!("--since `{given}`: too long ago"))?;
    now.checked_sub_signed(back)
        .with_context(|| format!("--since `{given}`: too long ago"))
}

/// `warroom timeline`: 0 printed, 2 the log does not verify (nothing printed).
pub fn run(args: &TimelineArgs) -> Result<i32> {
    let plan = PlanFile::load(&args.plan)?.plan;
    let path = paths::audit_log(args.audit_log.as_deref())?;
    let filter = Filter {
        since: args
            .since
            .as_deref()
            .map(|s| since(s, chrono::Utc::now()))
            .transpose()?,
        play: args.include_play,
        notifications: args.notifications,
    };
    if !path.exists() && !crate::audit::head::path_of(&path).exists() {
        bail!(
            "no audit log at {} (give the one the dashboards write with --audit-log)",
            path.display()
        );
    }
    let entries = match reader::verified(&path) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("warroom: {e}; no timeline is printed from a log that does not verify");
            return Ok(2);
        }
    };
    let rows = rows(&entries, &plan.service, filter);
    match args.format {
        TimelineFormat::Md => print!(
            "{}",
            markdown(&plan.service, &path.display().to_string(), &rows)
        ),
        TimelineFormat::Json => {
            let text = serde_json::to_string_pretty(&rows).context("cannot write JSON")?;
            println!("{text}");
        }
    }
    Ok(0)
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
