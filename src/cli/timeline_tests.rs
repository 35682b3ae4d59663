use super::*;
use crate::audit::AuditLog;
use crate::domain::Span;
use crate::domain::action::ActionRequest;
use crate::domain::rollout::{Action, ActionScope};
use crate::domain::scorecard::{Item, Setting, Status};
use crate::sim::FleetSpec;

fn t(s: i64) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339("2026-03-01T14:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
        + Span::seconds(s)
}

fn request(service: &str) -> ActionRequest {
    ActionRequest {
        id: 7,
        action: Action::Rollback,
        scope: ActionScope::Region("us-east-1".into()),
        service: service.into(),
        stable_version: "v1".into(),
        canary_version: "v2".into(),
        operator: "alice".into(),
        reason: Some("error rate | climbing".into()),
    }
}

/// A log of one incident: an annotation, a rollback asked and done, a
/// setting, a demo line, another service's action; recorded out of order.
fn entries() -> Vec<AuditRecord> {
    let plan = FleetSpec::demo(1).plan;
    let service = plan.service.clone();
    let setting = Setting {
        item: Item::Communications,
        status: Status::Green,
        note: "status page updated".into(),
        operator: "pat".into(),
        at: t(30),
    };
    vec![
        AuditRecord::annotation(&service, "dana", t(5), "paging the db team"),
        AuditRecord::attempt(&request(&service), t(10)),
        AuditRecord::outcome(&request(&service), t(12), &Ok("rolled back".into())).answering(7),
        AuditRecord::scorecard(&setting, &plan),
        AuditRecord::annotation(&service, "sam", t(1), "noted late, happened first"),
        AuditRecord::annotation(&service, "kim", t(20), "demo line").marked(Some(Mode::Demo)),
        AuditRecord::attempt(&request("another-service"), t(15)),
    ]
}

fn service() -> String {
    FleetSpec::demo(1).plan.service
}

#[test]
fn rows_come_in_time_order_for_the_service_with_authors() {
    let rows = rows(&entries(), &service(), Filter::default());
    let seen: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.time.as_str(), r.kind, r.operator.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-03-01T14:00:01Z", "annotation", "sam"),
            ("2026-03-01T14:00:05Z", "annotation", "dana"),
            ("2026-03-01T14:00:10Z", "action asked", "alice"),
            ("2026-03-01T14:00:12Z", "action outcome", "alice"),
            ("2026-03-01T14:00:30Z", "scorecard", "pat"),
        ]
    );
    assert_eq!(
        rows[2].text,
        "asked to roll back (us-east-1): error rate | climbing"
    );
    assert_eq!(rows[3].text, "roll back (us-east-1) done: rolled back");
    assert_eq!(rows[3].result, Some("done"));
    assert_eq!(rows[3].id, Some(7));
    assert_eq!(
        rows[4].text,
        "set communications green: status page updated"
            .replace("communications", &Item::Communications.to_string())
    );
}

#[test]
fn play_is_left_out_unless_asked_and_then_marked() {
    let play = Filter {
        play: true,
        notifications: false,
        ..Filter::default()
    };
    let rows = rows(&entries(), &service(), play);
    let demo: Vec<&Row> = rows.iter().filter(|r| r.mode.is_some()).collect();
    assert_eq!(demo.len(), 1);
    assert_eq!(demo[0].text, "demo line");
    let md = markdown(&service(), "audit.jsonl", &rows);
    assert!(md.contains("| kim | [demo] demo line |"), "{md}");
}

#[test]
fn since_keeps_what_came_after() {
    let filter = Filter {
        since: Some(t(10)),
        ..Filter::default()
    };
    let kinds: Vec<&str> = rows(&entries(), &service(), filter)
        .iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds, ["action asked", "action outcome", "scorecard"]);
}

#[test]
fn since_takes_a_time_or_a_duration() {
    let now = t(7200);
    assert_eq!(since("2026-03-01T14:00:00Z", now).unwrap(), t(0));
    assert_eq!(since("2026-03-01T15:00:00+01:00", now).unwrap(), t(0));
    assert_eq!(since("2h", now).unwrap(), t(0));
    assert_eq!(since("1h30m", now).unwrap(), t(1800));
    let e = since("yesterday", now).unwrap_err().to_string();
    assert!(e.contains("--since `yesterday`"), "{e}");
}

#[test]
fn markdown_is_a_table_with_pipes_escaped() {
    let rows = rows(&entries(), &service(), Filter::default());
    let md = markdown(&service(), "/var/audit.jsonl", &rows);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], format!("## Timeline of {}", service()));
    assert!(md.contains("| time (UTC) | who | what |\n| --- | --- | --- |\n"));
    assert!(
        md.contains(
            "| 2026-03-01 14:00:10 | alice | asked to roll back (us-east-1): error rate \\| climbing |"
        ),
        "{md}"
    );
    // Every row has its three cells.
    for line in lines.iter().filter(|l| l.starts_with("| 2026")) {
        assert_eq!(line.replace("\\|", "").matches('|').count(), 4, "{line}");
    }
    assert!(markdown("x", "log", &[]).contains("Nothing recorded."));
}

#[test]
fn json_has_stable_field_names() {
    let rows = rows(&entries(), &service(), Filter::default());
    let value = serde_json::to_value(&rows).unwrap();
    let first = &value[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["kind", "mode", "operator", "service", "text", "time"],
        "{first}"
    );
    assert_eq!(first["mode"], serde_json::Value::Null);
    let outcome = &value[3];
    assert_eq!(outcome["action"], "roll back");
    assert_eq!(outcome["scope"], "us-east-1");
    assert_eq!(outcome["result"], "done");
    assert_eq!(outcome["id"], 7);
}

#[test]
fn text_read_back_cannot_reach_the_terminal() {
    let service = service();
    let entries = [AuditRecord::annotation(
        &service,
        "mal\u{1b}]52;c;x\u{7}lory",
        t(0),
        "ok\u{1b}[2J\u{202e} done",
    )];
    let rows = rows(&entries, &service, Filter::default());
    assert!(!rows[0].operator.chars().any(char::is_control));
    assert_eq!(rows[0].text, "ok[2J done");
}

#[test]
fn a_written_log_reads_back_and_a_broken_one_is_refused() {
    let dir = std::env::temp_dir().join(format!("warroom-timeline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    for e in entries() {
        log.append(&e).unwrap();
    }
    drop(log);
    let read = reader::verified(&path).unwrap();
    // An attempt's id is given where it is appended; the rest comes back as written.
    let notes = |e: &[AuditRecord]| -> Vec<AuditRecord> {
        e.iter()
            .filter(|r| matches!(r, AuditRecord::Annotation(_)))
            .cloned()
            .collect()
    };
    assert_eq!(
        notes(&read),
        notes(&entries()),
        "annotations changed in the log"
    );
    assert_eq!(notes(&read).len(), 3);
    assert_eq!(rows(&read, &service(), Filter::default()).len(), 5);
    // A changed record: the chain no longer verifies, and nothing counts.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("paging the db team", "paging nobody")).unwrap();
    assert!(reader::verified(&path).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deliveries_of_notifications_are_left_out_unless_asked() {
    let service = FleetSpec::demo(1).plan.service;
    let mut log = entries();
    log.push(AuditRecord::Notification(
        crate::audit::delivery::DeliveryEntry {
            time: t(40),
            operator: "warroom".into(),
            target: service.clone(),
            receiver: "ops-slack".into(),
            kind: "slack".into(),
            event: "breach".into(),
            result: "delivered".into(),
            tries: 1,
            detail: String::new(),
            mode: None,
        },
    ));
    let kinds = |filter: Filter| -> Vec<&'static str> {
        rows(&log, &service, filter)
            .iter()
            .map(|r| r.kind)
            .collect()
    };
    assert!(!kinds(Filter::default()).contains(&"notification"));
    let with = kinds(Filter {
        notifications: true,
        ..Filter::default()
    });
    assert_eq!(with.iter().filter(|k| **k == "notification").count(), 1);
}
