//! Annotations in the audit log: their record, read back verified, and
//! followed by every screen on the log, each line once.

use super::reader::{Follower, Look};
use super::recall::recall;
use super::tests::temp;
use super::*;
use crate::domain::Span;
use crate::domain::Timestamp;
use crate::domain::timeline::Annotation;

fn at(s: i64) -> Timestamp {
    Timestamp::default() + Span::seconds(s)
}

fn lines(entries: &[AuditRecord], mode: Option<Mode>) -> Vec<(String, String)> {
    recall(entries, "checkout-api", mode)
        .annotations
        .into_iter()
        .map(|a| (a.operator, a.text))
        .collect()
}

#[test]
fn an_annotation_is_its_own_record_and_reads_back_the_same() {
    let record = AuditRecord::annotation("checkout-api", "dana", at(5), "db failover started")
        .marked(Some(Mode::Drill));
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["record"], "annotation");
    assert_eq!(json["operator"], "dana");
    assert_eq!(json["target"], "checkout-api");
    assert_eq!(json["text"], "db failover started");
    assert_eq!(json["mode"], "drill");
    assert_eq!(json["time"], "1970-01-01T00:00:05Z");
    let back: AuditRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, record);
    assert_eq!(back.mode(), Some(Mode::Drill));
    assert_eq!(back.target(), "checkout-api");
    assert_eq!(back.time(), at(5));
}

#[test]
fn annotations_come_back_by_service_and_mode_made_safe() {
    let entries = [
        AuditRecord::annotation("checkout-api", "dana", at(1), "real line"),
        AuditRecord::annotation("checkout-api", "kim", at(2), "demo line").marked(Some(Mode::Demo)),
        AuditRecord::annotation("other", "sam", at(3), "not ours"),
        AuditRecord::annotation("checkout-api", "e\u{1b}ve", at(4), "a\u{1b}[2J\nb"),
    ];
    assert_eq!(
        lines(&entries, None),
        [
            ("dana".to_string(), "real line".to_string()),
            ("eve".to_string(), "a[2J b".to_string())
        ]
    );
    assert_eq!(
        lines(&entries, Some(Mode::Demo)),
        [("kim".to_string(), "demo line".to_string())]
    );
    // A drill starts from the real plan's lines.
    assert_eq!(lines(&entries, Some(Mode::Drill)).len(), 2);
    let recalled = recall(&entries, "checkout-api", None);
    assert_eq!(
        recalled.annotations[0],
        Annotation {
            at: at(1),
            operator: "dana".into(),
            text: "real line".into()
        }
    );
}

#[test]
fn two_writers_on_one_log_are_each_followed_once() -> Result<(), Box<dyn std::error::Error>> {
    let path = temp("annotations");
    let first = AuditLog::open(&path)?;
    let second = AuditLog::open(&path)?;
    first.append(&AuditRecord::annotation(
        "checkout-api",
        "dana",
        at(0),
        "before",
    ))?;
    // Both screens start reading after what they read at start.
    let mut screen_a = Follower::from_end(&path);
    let mut screen_b = Follower::from_end(&path);
    first.append(&AuditRecord::annotation(
        "checkout-api",
        "dana",
        at(1),
        "from a",
    ))?;
    second.append(&AuditRecord::annotation(
        "checkout-api",
        "sam",
        at(2),
        "from b",
    ))?;
    first.append(&AuditRecord::annotation(
        "checkout-api",
        "dana",
        at(3),
        "from a again",
    ))?;
    let expected = [
        ("dana".to_string(), "from a".to_string()),
        ("sam".to_string(), "from b".to_string()),
        ("dana".to_string(), "from a again".to_string()),
    ];
    for follower in [&mut screen_a, &mut screen_b] {
        let Look::Appended(entries) = follower.look() else {
            panic!("the log broke");
        };
        assert_eq!(lines(&entries, None), expected);
        // Nothing new: nothing again, not even a screen's own lines.
        assert_eq!(follower.look(), Look::Appended(vec![]));
    }
    // The whole log, verified, holds each line once.
    let all = reader::verified(&path)?;
    assert_eq!(lines(&all, None).len(), 4);
    Ok(())
}

#[test]
fn a_changed_annotation_breaks_the_chain_and_counts_for_nothing()
-> Result<(), Box<dyn std::error::Error>> {
    let path = temp("annotation-changed");
    let log = AuditLog::open(&path)?;
    let mut follower = Follower::from_end(&path);
    log.append(&AuditRecord::annotation(
        "checkout-api",
        "dana",
        at(1),
        "we paused",
    ))?;
    drop(log);
    let text = std::fs::read_to_string(&path)?;
    std::fs::write(&path, text.replace("we paused", "we did not"))?;
    assert!(matches!(follower.look(), Look::Broken(_)));
    assert!(reader::verified(&path).is_err());
    Ok(())
}
