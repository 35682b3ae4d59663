//! The go / no-go scorecard: seven questions to answer before the next wave.
//! Three are judged from data (stop conditions approved, sources answering,
//! a rollback rehearsed lately); the others are set by people, with a note.
//! Two or more items not green is NO-GO.

use std::fmt;

use super::{Span, Timestamp};

/// The seven items, in the order they are shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Item {
    SuccessMetrics,
    Baseline,
    Pilot,
    Support,
    Dashboards,
    Runbooks,
    Communications,
}

impl Item {
    pub const ALL: [Item; 7] = [
        Item::SuccessMetrics,
        Item::Baseline,
        Item::Pilot,
        Item::Support,
        Item::Dashboards,
        Item::Runbooks,
        Item::Communications,
    ];

    /// The name used in plans, the audit log and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Item::SuccessMetrics => "success_metrics",
            Item::Baseline => "baseline",
            Item::Pilot => "pilot",
            Item::Support => "support",
            Item::Dashboards => "dashboards",
            Item::Runbooks => "runbooks",
            Item::Communications => "communications",
        }
    }

    pub fn from_key(key: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.key() == key)
    }

    /// The question the item answers, as the screen shows it.
    pub fn title(self) -> &'static str {
        match self {
            Item::SuccessMetrics => "Success metrics and stop conditions approved",
            Item::Baseline => "Baseline configs and change controls documented",
            Item::Pilot => "Pilot feedback addressed and re-tested",
            Item::Support => "Champions and support staffed",
            Item::Dashboards => "Dashboards and alerts validated",
            Item::Runbooks => "Incident and rollback runbooks tested",
            Item::Communications => "Communications ready",
        }
    }

    /// Whether the war room judges the item from data rather than a person.
    pub fn is_judged(self) -> bool {
        matches!(
            self,
            Item::SuccessMetrics | Item::Dashboards | Item::Runbooks
        )
    }
}

/// An item in a message is named by its title: keys such as
/// `success_metrics` are for plans, the audit log and the command line.
impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Status {
    Green,
    Amber,
    Red,
    /// Nobody has said, or the data to judge it is missing.
    Unknown,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Green, Status::Amber, Status::Red, Status::Unknown];

    pub fn word(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
            Status::Unknown => "unknown",
        }
    }

    pub fn from_word(word: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.word() == word)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The longest note a person may give an item.
pub const MAX_NOTE: usize = 200;

/// A note as it may be recorded: trimmed, plain text, not empty, not long.
pub fn check_note(note: &str) -> Result<String, &'static str> {
    let note = note.trim();
    if note.is_empty() {
        Err("the note must say what the status rests on")
    } else if note.chars().any(char::is_control) {
        Err("the note must be plain text, without control characters")
    } else if note.chars().count() > MAX_NOTE {
        Err("the note is too long: at most 200 characters")
    } else {
        Ok(note.to_string())
    }
}

/// Text read back from a file, made safe to print: no control characters
/// (an escape sequence must never reach the terminal), at most `MAX_NOTE`.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NOTE)
        .collect()
}

/// A person's answer to an item, as recorded in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Setting {
    pub item: Item,
    pub status: Status,
    pub note: String,
    pub operator: String,
    pub at: Timestamp,
}

/// The scorecard settings of a plan: who owns each item, who approved the
/// stop conditions, and how recent a rollback rehearsal must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorecardPlan {
    /// Who approved the success metrics and stop conditions, if anyone.
    pub approved_by: Option<String>,
    /// The owner of each item, in `Item::ALL` order.
    pub owners: [Option<String>; 7],
    /// A rollback done or rehearsed longer ago than this no longer counts.
    pub rehearsal_within: Span,
}

impl Default for ScorecardPlan {
    fn default() -> Self {
        ScorecardPlan {
            approved_by: None,
            owners: Default::default(),
            rehearsal_within: Span::days(30),
        }
    }
}

impl ScorecardPlan {
    pub fn owner(&self, item: Item) -> Option<&str> {
        let i = Item::ALL.iter().position(|x| *x == item)?;
        self.owners.get(i)?.as_deref()
    }
}

/// How the sources are doing, as the scorecard needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    Answering,
    /// Answering, with warnings that part of the answer is missing (a
    /// store or replica that did not answer): not validated.
    Partial,
    Slow,
    Waiting,
    Failing,
}

/// What the war room knows that the judged items are judged from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence<'a> {
    pub stop_conditions: usize,
    /// Each source's name and state.
    pub feeds: Vec<(&'a str, Feed)>,
    /// The latest successful rollback of this service on record, if any.
    pub last_rollback: Option<Timestamp>,
    /// False when the audit log could not be read: rehearsals are unknown.
    pub audit_readable: bool,
    pub now: Timestamp,
}

/// One line of the scorecard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub item: Item,
    pub status: Status,
    pub owner: Option<String>,
    /// Why the item has its status: the data, or the person's note.
    pub evidence: String,
    /// Who set it and when, for items set by people.
    pub set_by: Option<(String, Timestamp)>,
}

/// The whole scorecard and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scorecard {
    pub lines: Vec<Line>,
}

impl Scorecard {
    /// Items not green.
    pub fn not_green(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.status != Status::Green)
    }

    /// Two or more items not green.
    pub fn is_no_go(&self) -> bool {
        self.not_green().count() >= 2
    }

    pub fn line(&self, item: Item) -> Option<&Line> {
        self.lines.iter().find(|l| l.item == item)
    }

    /// The card as judged without polling the plan's `sources` (their
    /// names): "dashboards and alerts" is unknown, and says so rather than
    /// "no sources".
    pub fn unpolled(mut self, sources: &[&str]) -> Scorecard {
        if sources.is_empty() {
            return self;
        }
        for line in self.lines.iter_mut().filter(|l| l.item == Item::Dashboards) {
            line.status = Status::Unknown;
            line.evidence = format!(
                "not polled here: {} (`warroom status` polls them)",
                sources.join(", ")
            );
        }
        self
    }
}

fn human_days(span: Span) -> String {
    match span.num_days() {
        0 => match span.num_hours() {
            0 => format!("{} min", span.num_minutes().max(0)),
            h => format!("{h} h"),
        },
        1 => "1 day".to_string(),
        d => format!("{d} days"),
    }
}

fn judge(item: Item, plan: &ScorecardPlan, evidence: &Evidence) -> (Status, String) {
    match item {
        Item::SuccessMetrics => match (&plan.approved_by, evidence.stop_conditions) {
            (_, 0) => (Status::Red, "the plan has no stop conditions".to_string()),
            (Some(who), n) => (
                Status::Green,
                format!("{n} stop conditions, approved by {who}"),
            ),
            (None, n) => (
                Status::Amber,
                format!("{n} stop conditions, no approver in the plan"),
            ),
        },
        Item::Dashboards => {
            let named = |want: fn(&Feed) -> bool| -> Vec<&str> {
                evidence
                    .feeds
                    .iter()
                    .filter(|(_, f)| want(f))
                    .map(|(n, _)| *n)
                    .collect()
            };
            let failing = named(|f| *f == Feed::Failing);
            let partial = named(|f| *f == Feed::Partial);
            let waiting = named(|f| matches!(f, Feed::Waiting | Feed::Slow));
            if evidence.feeds.is_empty() {
                (Status::Unknown, "no sources".to_string())
            } else if !failing.is_empty() {
                (Status::Red, format!("failing: {}", failing.join(", ")))
            } else if !partial.is_empty() {
                (
                    Status::Amber,
                    format!("partial answers: {}", partial.join(", ")),
                )
            } else if !waiting.is_empty() {
                (
                    Status::Amber,
                    format!("slow or waiting: {}", waiting.join(", ")),
                )
            } else {
                (
                    Status::Green,
                    format!("all {} sources fresh and answering", evidence.feeds.len()),
                )
            }
        }
        Item::Runbooks => {
            let within = plan.rehearsal_within;
            match (evidence.last_rollback, evidence.audit_readable) {
                (_, false) => (Status::Unknown, "the audit log cannot be read".to_string()),
                (None, true) => (
                    Status::Red,
                    "no rollback done or rehearsed on record".to_string(),
                ),
                (Some(t), true) => {
                    let ago = (evidence.now - t).max(Span::zero());
                    let text = format!("last rollback or drill {} ago", human_days(ago));
                    if ago <= within {
                        (Status::Green, text)
                    } else if ago <= within * 2 {
                        (
                            Status::Amber,
                            format!("{text}, over {}", human_days(within)),
                        )
                    } else {
                        (Status::Red, format!("{text}, over {}", human_days(within)))
                    }
                }
            }
        }
        _ => (Status::Unknown, String::new()),
    }
}

/// The scorecard from the plan, the evidence and the latest setting of each
/// item set by people (later settings of an item replace earlier ones).
pub fn evaluate(plan: &ScorecardPlan, evidence: &Evidence, settings: &[Setting]) -> Scorecard {
    let lines = Item::ALL
        .into_iter()
        .map(|item| {
            let owner = plan.owner(item).map(str::to_string);
            if item.is_judged() {
                let (status, evidence) = judge(item, plan, evidence);
                return Line {
                    item,
                    status,
                    owner,
                    evidence,
                    set_by: None,
                };
            }
            // The latest by time wins; of two at the same time, the later listed.
            match settings
                .iter()
                .filter(|s| s.item == item)
                .max_by_key(|s| s.at)
            {
                Some(s) => Line {
                    item,
                    status: s.status,
                    owner,
                    evidence: s.note.clone(),
                    set_by: Some((s.operator.clone(), s.at)),
                },
                None => Line {
                    item,
                    status: Status::Unknown,
                    owner,
                    evidence: "not set".to_string(),
                    set_by: None,
                },
            }
        })
        .collect();
    Scorecard { lines }
}

/// What the audit log remembers of a service for a screen: the scorecard's
/// memory and the lines people wrote on the timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recalled {
    /// Items set by people, oldest first.
    pub settings: Vec<Setting>,
    /// The latest successful rollback (of any scope).
    pub last_rollback: Option<Timestamp>,
    /// Annotations, oldest first.
    pub annotations: Vec<crate::domain::timeline::Annotation>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::default() + Span::seconds(s)
    }

    fn plan() -> ScorecardPlan {
        ScorecardPlan {
            approved_by: Some("dana".into()),
            ..ScorecardPlan::default()
        }
    }

    fn evidence(feeds: Vec<(&str, Feed)>, last_rollback: Option<Timestamp>) -> Evidence<'_> {
        Evidence {
            stop_conditions: 3,
            feeds,
            last_rollback,
            audit_readable: true,
            now: t(100 * 86_400),
        }
    }

    fn set(item: Item, status: Status, at: i64) -> Setting {
        Setting {
            item,
            status,
            note: format!("{item} {status}"),
            operator: "alice".into(),
            at: t(at),
        }
    }

    fn all_people_green() -> Vec<Setting> {
        Item::ALL
            .into_iter()
            .filter(|i| !i.is_judged())
            .map(|i| set(i, Status::Green, 1))
            .collect()
    }

    fn fresh() -> Vec<(&'static str, Feed)> {
        vec![("deploy", Feed::Answering), ("prometheus", Feed::Answering)]
    }

    #[test]
    fn all_green_is_go() {
        let e = evidence(fresh(), Some(t(99 * 86_400)));
        let card = evaluate(&plan(), &e, &all_people_green());
        assert!(
            card.lines.iter().all(|l| l.status == Status::Green),
            "{card:?}"
        );
        assert!(!card.is_no_go());
    }

    #[test]
    fn one_not_green_is_still_go_two_is_no_go() {
        let e = evidence(fresh(), Some(t(99 * 86_400)));
        let mut settings = all_people_green();
        settings.push(set(Item::Pilot, Status::Amber, 2));
        assert!(!evaluate(&plan(), &e, &settings).is_no_go());
        settings.push(set(Item::Communications, Status::Red, 3));
        let card = evaluate(&plan(), &e, &settings);
        assert!(card.is_no_go());
        assert_eq!(card.not_green().count(), 2);
    }

    #[test]
    fn items_never_set_are_unknown_and_count_against() {
        let e = evidence(fresh(), Some(t(99 * 86_400)));
        let card = evaluate(&plan(), &e, &[]);
        assert_eq!(
            card.line(Item::Support).map(|l| l.status),
            Some(Status::Unknown)
        );
        assert!(card.is_no_go());
    }

    #[test]
    fn the_latest_setting_of_an_item_wins() {
        let e = evidence(fresh(), None);
        let settings = [
            set(Item::Pilot, Status::Red, 1),
            set(Item::Pilot, Status::Green, 2),
        ];
        let card = evaluate(&plan(), &e, &settings);
        let pilot = card.line(Item::Pilot).cloned();
        assert_eq!(pilot.as_ref().map(|l| l.status), Some(Status::Green));
        assert_eq!(
            pilot.and_then(|l| l.set_by),
            Some(("alice".to_string(), t(2)))
        );
    }

    #[test]
    fn judged_items_ignore_settings() {
        let e = evidence(vec![("prometheus", Feed::Failing)], None);
        let card = evaluate(&plan(), &e, &[set(Item::Dashboards, Status::Green, 1)]);
        let line = card.line(Item::Dashboards).cloned();
        assert_eq!(line.as_ref().map(|l| l.status), Some(Status::Red));
        assert_eq!(
            line.map(|l| l.evidence),
            Some("failing: prometheus".to_string())
        );
    }

    #[test]
    fn stop_conditions_need_an_approver() {
        let e = evidence(fresh(), None);
        let unapproved = evaluate(&ScorecardPlan::default(), &e, &[]);
        assert_eq!(
            unapproved.line(Item::SuccessMetrics).map(|l| l.status),
            Some(Status::Amber)
        );
        let approved = evaluate(&plan(), &e, &[]);
        assert_eq!(
            approved
                .line(Item::SuccessMetrics)
                .map(|l| l.evidence.as_str()),
            Some("3 stop conditions, approved by dana")
        );
    }

    #[test]
    fn a_partial_answer_is_not_validated() {
        let e = evidence(
            vec![("deploy", Feed::Answering), ("thanos", Feed::Partial)],
            None,
        );
        let card = evaluate(&plan(), &e, &[set(Item::Dashboards, Status::Green, 1)]);
        let line = card.line(Item::Dashboards).cloned();
        assert_eq!(line.as_ref().map(|l| l.status), Some(Status::Amber));
        assert_eq!(
            line.map(|l| l.evidence),
            Some("partial answers: thanos".to_string())
        );
    }

    #[test]
    fn sources_slow_or_waiting_are_amber() {
        let e = evidence(vec![("a", Feed::Answering), ("b", Feed::Waiting)], None);
        let card = evaluate(&plan(), &e, &[]);
        assert_eq!(
            card.line(Item::Dashboards).map(|l| l.status),
            Some(Status::Amber)
        );
    }

    #[test]
    fn a_rehearsal_ages_from_green_to_amber_to_red() {
        let day = 86_400;
        let now = 100 * day;
        for (ago_days, want) in [
            (1, Status::Green),
            (30, Status::Green),
            (31, Status::Amber),
            (60, Status::Amber),
            (61, Status::Red),
        ] {
            let e = evidence(fresh(), Some(t(now - ago_days * day)));
            let card = evaluate(&plan(), &e, &[]);
            assert_eq!(
                card.line(Item::Runbooks).map(|l| l.status),
                Some(want),
                "{ago_days} days ago"
            );
        }
        let never = evaluate(&plan(), &evidence(fresh(), None), &[]);
        assert_eq!(
            never.line(Item::Runbooks).map(|l| l.status),
            Some(Status::Red)
        );
        let unreadable = Evidence {
            audit_readable: false,
            ..evidence(fresh(), None)
        };
        assert_eq!(
            evaluate(&plan(), &unreadable, &[])
                .line(Item::Runbooks)
                .map(|l| l.status),
            Some(Status::Unknown)
        );
    }

    #[test]
    fn sources_not_polled_are_unknown_and_named() {
        let e = evidence(vec![], None);
        let card = evaluate(&plan(), &e, &[]);
        assert_eq!(
            card.line(Item::Dashboards).map(|l| l.evidence.as_str()),
            Some("no sources")
        );
        let card = card.unpolled(&["metrics", "deployment"]);
        let line = card.line(Item::Dashboards).cloned();
        assert_eq!(line.as_ref().map(|l| l.status), Some(Status::Unknown));
        assert_eq!(
            line.map(|l| l.evidence),
            Some("not polled here: metrics, deployment (`warroom status` polls them)".to_string())
        );
    }

    #[test]
    fn messages_name_items_by_their_title() {
        assert_eq!(
            Item::SuccessMetrics.to_string(),
            "Success metrics and stop conditions approved"
        );
        assert_eq!(
            Item::from_key("success_metrics"),
            Some(Item::SuccessMetrics)
        );
    }

    #[test]
    fn notes_are_plain_short_text() {
        assert_eq!(check_note("  fine  "), Ok("fine".to_string()));
        assert!(check_note(" ").is_err());
        assert!(check_note("fine\u{1b}[2J").is_err());
        assert!(check_note(&"x".repeat(201)).is_err());
        assert_eq!(printable("a\u{1b}]0;owned\u{7}b"), "a]0;ownedb");
    }

    fn any_status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        /// NO-GO exactly when two or more of the seven are not green.
        #[test]
        fn no_go_counts_what_is_not_green(statuses in prop::collection::vec(any_status(), 4)) {
            let settings: Vec<Setting> = Item::ALL
                .into_iter()
                .filter(|i| !i.is_judged())
                .zip(&statuses)
                .map(|(i, s)| set(i, *s, 1))
                .collect();
            let e = evidence(fresh(), Some(t(99 * 86_400)));
            let card = evaluate(&plan(), &e, &settings);
            let not_green = statuses.iter().filter(|s| **s != Status::Green).count();
            prop_assert_eq!(card.is_no_go(), not_green >= 2);
        }
    }
}
