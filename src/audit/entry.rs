//! The entries of the audit log, one type for writing and reading: each line
//! is one of these, tagged by its `record` field. The field names are those
//! the log has always had, so older logs read back as the same entries.

use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::action::{ActionRequest, ControlError};
use crate::domain::drill::Debrief;
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::Action;
use crate::domain::scorecard::{Item, Setting, Status};

/// One record of the audit log. Holds names, versions and words: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "lowercase")]
pub enum AuditRecord {
    /// An action about to be sent; written and flushed before it is.
    Attempt(ActionEntry),
    /// What came of an action: its `id` is its attempt's.
    Outcome(OutcomeEntry),
    /// A scorecard item set by a person.
    Scorecard(ScorecardEntry),
    /// The end of a tabletop drill, with its debrief in a line.
    Drill(DrillEntry),
    /// A line a person wrote on the timeline.
    Annotation(AnnotationEntry),
    /// A message to a notification receiver, delivered or given up on.
    Notification(super::delivery::DeliveryEntry),
}

/// A person's line on the timeline (an annotation, a status update marked
/// sent): who, when, about which service, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnotationEntry {
    pub time: Timestamp,
    pub operator: String,
    /// The service.
    pub target: String,
    pub text: String,
    /// Set for lines written in the demo or a drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
}

/// Who asked for which action on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionEntry {
    pub time: Timestamp,
    /// The action's id: the position of its attempt in the log, given when
    /// the attempt is appended under the log's lock, so that no two
    /// processes sharing a log hand out the same one.
    pub id: u64,
    pub operator: String,
    #[serde(with = "verb")]
    pub action: Action,
    pub scope: String,
    pub target: String,
    pub from_version: String,
    pub to_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Set for actions that reached only the embedded simulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
}

/// An action and what the target said of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeEntry {
    #[serde(flatten)]
    pub action: ActionEntry,
    pub result: Answer,
    pub detail: String,
}

/// A scorecard setting. The action-like fields are what the log has always
/// carried for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardEntry {
    pub time: Timestamp,
    #[serde(default)]
    pub id: u64,
    pub operator: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub scope: String,
    pub target: String,
    #[serde(default)]
    pub from_version: String,
    #[serde(default)]
    pub to_version: String,
    /// The person's note.
    #[serde(default)]
    pub reason: String,
    #[serde(with = "item")]
    pub item: Item,
    #[serde(with = "status")]
    pub status: Status,
    /// Set for settings made in the demo or a drill: they count for no
    /// real plan. Absent in older records, which stay real.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
}

/// A drill run to its debrief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillEntry {
    pub time: Timestamp,
    #[serde(default)]
    pub id: u64,
    pub operator: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub scope: String,
    pub target: String,
    #[serde(default)]
    pub from_version: String,
    #[serde(default)]
    pub to_version: String,
    #[serde(default)]
    pub result: String,
    /// The debrief's times.
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// Whether the fault was shown as a breach. Absent in older records,
    /// which said it in `detail` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<bool>,
    /// Whether a pause or a rollback took effect after the fault began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigated: Option<bool>,
    /// Whether the drill rehearsed a plan file (`false`: the built-in demo,
    /// which is no rehearsal of any real plan's runbook). Absent in older
    /// records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of_plan: Option<bool>,
    /// Whether the graded debrief passed it. Absent in older records, which
    /// count when detected and mitigated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
    /// The scenario drilled, by name. Absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

impl DrillEntry {
    /// Whether the drill counts as a rehearsal of the runbook: it passed
    /// its graded debrief; for older records without a grade, the fault
    /// was detected and mitigated. A drill where nobody acted rehearsed
    /// nothing.
    pub fn rehearsed(&self) -> bool {
        if let Some(passed) = self.passed {
            return passed;
        }
        match (self.detected, self.mitigated) {
            (Some(detected), Some(mitigated)) => detected && mitigated,
            // Older records: "time to detect 21s, time to mitigate 34s",
            // with a dash for what never happened.
            _ => {
                let said = |what: &str| {
                    self.detail
                        .split(", ")
                        .find_map(|part| part.strip_prefix(what))
                        .is_some_and(|v| v.trim() != "—")
                };
                said("time to detect ") && said("time to mitigate ")
            }
        }
    }
}

/// How an action ended, as far as warroom knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// The target said it was done.
    Ok,
    /// The target said no, or could not be reached: nothing happened.
    Failed,
    /// No clear answer: it may or may not have happened.
    Unknown,
}

/// The play a record was made in (the demo, a drill); absent for real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Demo,
    Drill,
}

impl Mode {
    /// The mode the app names (`demo`, `drill`); `None` for anything else.
    pub fn from_word(word: &str) -> Option<Mode> {
        match word {
            "demo" => Some(Mode::Demo),
            "drill" => Some(Mode::Drill),
            _ => None,
        }
    }
}

impl ActionEntry {
    fn of(request: &ActionRequest, time: Timestamp) -> Self {
        ActionEntry {
            time,
            id: request.id,
            operator: request.operator.clone(),
            action: request.action,
            scope: request.scope.label(),
            target: request.service.clone(),
            from_version: request.stable_version.clone(),
            to_version: request.canary_version.clone(),
            reason: request.reason.clone(),
            mode: None,
        }
    }
}

impl AuditRecord {
    /// The end of a tabletop drill of `plan`, with its debrief in a line and
    /// whether it was detected and mitigated: a drill that was is the
    /// rehearsal the scorecard's runbooks item looks for.
    pub fn drill(
        plan: &RolloutPlan,
        of_plan: bool,
        operator: &str,
        time: Timestamp,
        debrief: &Debrief,
    ) -> Self {
        AuditRecord::Drill(DrillEntry {
            time,
            id: 0,
            operator: operator.to_string(),
            action: "drill".to_string(),
            scope: "all regions".to_string(),
            target: plan.service.clone(),
            from_version: plan.stable_version.clone(),
            to_version: plan.canary_version.clone(),
            result: "done".to_string(),
            detail: debrief.summary(),
            mode: Some(Mode::Drill),
            detected: Some(debrief.detected.is_some()),
            mitigated: Some(debrief.mitigated.is_some()),
            of_plan: Some(of_plan),
            passed: None,
            scenario: None,
        })
    }

    /// The end of a graded drill of `plan`: its times in a line, whether it
    /// passed (only then does the scorecard count it), and its scenario.
    pub fn graded(
        plan: &RolloutPlan,
        of_plan: bool,
        operator: &str,
        time: Timestamp,
        grade: &crate::domain::drill::grade::Grade,
    ) -> Self {
        use crate::domain::drill::grade::said;
        let first =
            |f: fn(&crate::domain::drill::grade::InjectionGrade) -> Option<crate::domain::Span>| {
                grade.injections.iter().filter_map(f).min()
            };
        let detail = format!(
            "time to detect {}, time to mitigate {}, drill length {}, {}",
            said(first(|i| i.time_to_signal())),
            said(first(|i| i.time_to_mitigate())),
            said(Some(grade.length())),
            grade.verdict_word()
        );
        AuditRecord::Drill(DrillEntry {
            time,
            id: 0,
            operator: operator.to_string(),
            action: "drill".to_string(),
            scope: "all regions".to_string(),
            target: plan.service.clone(),
            from_version: plan.stable_version.clone(),
            to_version: plan.canary_version.clone(),
            result: "done".to_string(),
            detail,
            mode: Some(Mode::Drill),
            detected: Some(grade.injections.iter().any(|i| i.signal.is_some())),
            mitigated: Some(grade.injections.iter().any(|i| i.mitigated.is_some())),
            of_plan: Some(of_plan),
            passed: Some(grade.passed()),
            scenario: grade.scenario.clone(),
        })
    }

    /// A scorecard item set by a person: the note is the reason.
    pub fn scorecard(setting: &Setting, plan: &RolloutPlan) -> Self {
        AuditRecord::Scorecard(ScorecardEntry {
            time: setting.at,
            id: 0,
            operator: setting.operator.clone(),
            action: "set scorecard item".to_string(),
            scope: "all regions".to_string(),
            target: plan.service.clone(),
            from_version: plan.stable_version.clone(),
            to_version: plan.canary_version.clone(),
            reason: setting.note.clone(),
            item: setting.item,
            status: setting.status,
            mode: None,
        })
    }

    /// A line `operator` wrote on the timeline of `service` at `time`.
    pub fn annotation(service: &str, operator: &str, time: Timestamp, text: &str) -> Self {
        AuditRecord::Annotation(AnnotationEntry {
            time,
            operator: operator.to_string(),
            target: service.to_string(),
            text: text.to_string(),
            mode: None,
        })
    }

    /// An action about to be sent. Its id is given when it is appended.
    pub fn attempt(request: &ActionRequest, time: Timestamp) -> Self {
        AuditRecord::Attempt(ActionEntry::of(request, time))
    }

    /// What came of `request`. `id` should be the one its attempt was given
    /// ([`crate::audit::Appended::id`]).
    pub fn outcome(
        request: &ActionRequest,
        time: Timestamp,
        result: &Result<String, ControlError>,
    ) -> Self {
        let (result, detail) = match result {
            Ok(what) => (Answer::Ok, what.clone()),
            Err(e) => (answer_to(e), e.to_string()),
        };
        AuditRecord::Outcome(OutcomeEntry {
            action: ActionEntry::of(request, time),
            result,
            detail,
        })
    }

    /// The same record marked as one made in the demo or a drill (an
    /// action that reached only a simulator, a setting made in play).
    pub fn marked(mut self, mode: Option<Mode>) -> Self {
        match &mut self {
            AuditRecord::Attempt(a) => a.mode = mode,
            AuditRecord::Outcome(o) => o.action.mode = mode,
            AuditRecord::Drill(d) => d.mode = mode.or(d.mode),
            AuditRecord::Scorecard(s) => s.mode = mode,
            AuditRecord::Annotation(a) => a.mode = mode,
            AuditRecord::Notification(n) => n.mode = mode,
        }
        self
    }

    /// The mode the record was made in; `None` for real ones (and for
    /// records older than the marks).
    pub fn mode(&self) -> Option<Mode> {
        match self {
            AuditRecord::Attempt(a) => a.mode,
            AuditRecord::Outcome(o) => o.action.mode,
            AuditRecord::Scorecard(s) => s.mode,
            AuditRecord::Drill(d) => d.mode,
            AuditRecord::Annotation(a) => a.mode,
            AuditRecord::Notification(n) => n.mode,
        }
    }

    /// The same outcome, answering the attempt that was given `id`.
    pub fn answering(mut self, id: u64) -> Self {
        if let AuditRecord::Outcome(o) = &mut self {
            o.action.id = id;
        }
        self
    }

    /// The service the record is about.
    pub fn target(&self) -> &str {
        match self {
            AuditRecord::Attempt(a) => &a.target,
            AuditRecord::Outcome(o) => &o.action.target,
            AuditRecord::Scorecard(s) => &s.target,
            AuditRecord::Drill(d) => &d.target,
            AuditRecord::Annotation(a) => &a.target,
            AuditRecord::Notification(n) => &n.target,
        }
    }

    /// When it was recorded.
    pub fn time(&self) -> Timestamp {
        match self {
            AuditRecord::Attempt(a) => a.time,
            AuditRecord::Outcome(o) => o.action.time,
            AuditRecord::Scorecard(s) => s.time,
            AuditRecord::Drill(d) => d.time,
            AuditRecord::Annotation(a) => a.time,
            AuditRecord::Notification(n) => n.time,
        }
    }
}

/// Whether the target's error leaves the action's fate open, by the
/// domain's one rule.
fn answer_to(error: &ControlError) -> Answer {
    if error.outcome_unknown() {
        Answer::Unknown
    } else {
        Answer::Failed
    }
}

/// `action` as the verb the log has always carried (`pause`, `roll back`).
mod verb {
    use super::Action;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(action: &Action, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(action.verb())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let word = String::deserialize(d)?;
        [
            Action::Pause,
            Action::Resume,
            Action::Promote,
            Action::Rollback,
            Action::Retry,
        ]
        .into_iter()
        .find(|a| a.verb() == word)
        .ok_or_else(|| serde::de::Error::custom(format!("`{word}` is not an action")))
    }
}

/// A scorecard item by its key.
mod item {
    use super::Item;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(item: &Item, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(item.key())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
        let key = String::deserialize(d)?;
        Item::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("`{key}` is not a scorecard item")))
    }
}

/// A scorecard status by its word.
mod status {
    use super::Status;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(status: &Status, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.word())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        let word = String::deserialize(d)?;
        Status::from_word(&word)
            .ok_or_else(|| serde::de::Error::custom(format!("`{word}` is not a status")))
    }
}
