//! The whole state of the war room. Drawing reads it; only `update` writes it.

use std::time::Duration;

use super::verdict::Why;
use crate::domain::gate::{Gate, GateInputs, Judgments, current_gate};
use crate::domain::guardrail::Guardrails;
use crate::domain::health::HealthMatrix;
use crate::domain::judgment::Judgment;
use crate::domain::plan::RolloutPlan;
pub use crate::domain::rollout::ActionScope;
use crate::domain::rollout::{Action, RolloutStatus};
use crate::domain::scorecard::{self, Evidence, Feed, Recalled, Scorecard, Setting, Status};
use crate::domain::source::{SourceInfo, SourceKind};
use crate::domain::timeline::Timeline;
use crate::domain::{Span, Timestamp};

/// What the war room is connected to, shown as the mode badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunMode {
    /// The embedded simulated rollout: nothing real is touched.
    Demo,
    /// A real rollout.
    Live,
    /// A tabletop drill: a plan rehearsed on the embedded simulator.
    Drill,
}

impl RunMode {
    pub fn label(self) -> &'static str {
        match self {
            RunMode::Demo => "DEMO",
            RunMode::Live => "LIVE",
            RunMode::Drill => "DRILL",
        }
    }

    /// How the audit log marks this mode's actions: absent for real ones,
    /// so that no history takes the simulator's for real.
    pub fn audit_mode(self) -> Option<&'static str> {
        match self {
            RunMode::Demo => Some("demo"),
            RunMode::Drill => Some("drill"),
            RunMode::Live => None,
        }
    }
}

/// An action waiting for the operator's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAction {
    pub action: Action,
    pub scope: ActionScope,
}

/// The scorecard overlay: an item selected and, while a status is being
/// set, the status chosen and the note typed so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScorecardView {
    pub selected: usize,
    pub editing: Option<(Status, String)>,
}

/// The longest note or reason the operator may type.
pub const MAX_TYPED: usize = crate::domain::scorecard::MAX_NOTE;

/// What is drawn over the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    Help,
    Confirm(PendingAction),
    Scorecard(ScorecardView),
    /// Promote while the scorecard says NO-GO: the reason typed so far.
    Override {
        scope: ActionScope,
        reason: String,
    },
    /// A line for the timeline: the text typed so far.
    Annotate(String),
    /// The status drafts (`c`).
    Drafts(DraftsView),
    /// `q` in a drill: end the drill and see its debrief?
    EndDrill,
    /// The drill's debrief (its grade is in `AppState::observed`), scrolled
    /// down this many lines.
    Debrief {
        scroll: u16,
    },
}

/// The drafts overlay: which draft is shown, how far it is scrolled, and
/// whether it is being edited in place.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DraftsView {
    pub audience: crate::domain::comms::Audience,
    /// Lines scrolled past at the top.
    pub scroll: u16,
    /// Keys are typed into the draft.
    pub typing: bool,
}

/// Status updates: when the incident started, the last update sent, and
/// drafts a person edited (which no longer follow the state).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comms {
    /// The first breach, NO-GO or rollback seen: from then on updates are due.
    pub incident_since: Option<Timestamp>,
    /// When the first stop condition was breached.
    pub first_breach: Option<Timestamp>,
    /// The last update marked sent.
    pub last_sent: Option<Timestamp>,
    /// By audience (`Audience::index`): the text as a person edited it.
    pub edited: [Option<String>; 3],
}

/// An action sent and not yet answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub id: u64,
    pub action: Action,
    pub scope: ActionScope,
    pub since: Timestamp,
    /// Sent by warroom itself (a stop condition's consequence, a gate).
    pub automatic: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warn,
    Error,
}

/// A one-line message to the operator: an outcome, a refusal, a breach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub at: Timestamp,
    pub level: NoticeLevel,
    pub text: String,
}

impl Notice {
    /// How long a notice stays on screen.
    pub fn lifetime() -> Span {
        Span::seconds(10)
    }
}

/// A wave warroom holds at its blocked gate (told the target to hold it, or
/// paused the rollout before the hold ended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateHold {
    pub wave: usize,
    pub since: Timestamp,
    /// The gate has opened since: said once on the timeline.
    pub open: bool,
    /// Pauses sent for it (a target that advances on its own).
    pub tries: u8,
    /// A person acted on the rollout since: warroom then never promotes
    /// by itself over them.
    pub person_acted: bool,
}

/// How a source is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceHealth {
    pub info: SourceInfo,
    pub last_ok: Option<Timestamp>,
    /// When the latest poll ended, good or bad.
    pub last_attempt: Option<Timestamp>,
    /// How long the latest poll took.
    pub last_took: Option<std::time::Duration>,
    /// The latest error, while the source keeps failing.
    pub error: Option<String>,
    pub failures: u32,
    /// Warnings of the latest poll that still answered.
    pub notes: Vec<String>,
}

/// How a source is doing, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceCondition {
    /// No answer yet.
    Waiting,
    /// Answering in good time; `age` since the last good poll.
    Ok { age: Span, took: Duration },
    /// Answering, but the last poll took more than half its timeout, or the
    /// next poll is overdue.
    Slow { age: Span, took: Duration },
    /// The last poll failed; `since_ok` is the age of the last good one.
    Failing {
        error: String,
        failures: u32,
        since_ok: Option<Span>,
    },
}

impl SourceHealth {
    /// Where the source stands at `now`.
    pub fn condition(&self, now: Timestamp) -> SourceCondition {
        let age = |t: Timestamp| (now - t).max(Span::zero());
        if let Some(error) = &self.error {
            return SourceCondition::Failing {
                error: error.clone(),
                failures: self.failures,
                since_ok: self.last_ok.map(age),
            };
        }
        let Some(last_ok) = self.last_ok else {
            return SourceCondition::Waiting;
        };
        let took = self.last_took.unwrap_or_default();
        let overdue =
            Span::from_std(self.info.interval * 2 + self.info.timeout).unwrap_or(Span::MAX);
        if took * 2 > self.info.timeout || age(last_ok) > overdue {
            SourceCondition::Slow {
                age: age(last_ok),
                took,
            }
        } else {
            SourceCondition::Ok {
                age: age(last_ok),
                took,
            }
        }
    }

    pub fn new(info: SourceInfo) -> Self {
        SourceHealth {
            info,
            last_ok: None,
            last_attempt: None,
            last_took: None,
            error: None,
            failures: 0,
            notes: Vec::new(),
        }
    }
}

/// The DORA panel's data.
#[derive(Debug, Clone, Default)]
pub enum Dora {
    /// No history source configured.
    #[default]
    Off,
    Loading,
    Failed(String),
    Ready {
        history: Box<crate::domain::dora::History>,
        summary: Box<crate::domain::dora::Summary>,
    },
}

/// The window the DORA panel shows, in days.
pub const DORA_WINDOW_DAYS: i64 = 30;

/// Who sits at this screen and how they see it, chosen at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Seat {
    /// The name recorded in the audit log for actions.
    pub operator: String,
    /// Show everything, allow no action.
    pub read_only: bool,
    /// The themes `t` cycles through, and the one in use.
    pub theme_names: Vec<String>,
    pub theme: usize,
    /// A delivery history is being read for the DORA panel.
    pub history_loading: bool,
    /// What the scorecard remembers at start: settings and the last rollback
    /// read back from the audit log (or the demo's own).
    pub remembered: Recalled,
    /// Start in the presenter view (`--presenter`).
    pub presenter: bool,
    /// Hide hosts, URLs, tokens and private words (`--share`).
    pub share: bool,
    /// The local time's offset from UTC in seconds, for the presenter's clock.
    pub utc_offset: i32,
}

impl Seat {
    /// An operator's seat with these themes, the first in use.
    pub fn new(operator: &str, theme_names: Vec<String>) -> Seat {
        Seat {
            operator: operator.to_string(),
            theme_names,
            ..Seat::default()
        }
    }
}

/// Everything the screen shows and the keys act on.
#[derive(Debug, Clone)]
pub struct AppState {
    pub plan: RolloutPlan,
    pub mode: RunMode,
    pub read_only: bool,
    pub operator: String,
    pub now: Timestamp,
    pub rollout: Option<RolloutStatus>,
    pub health: HealthMatrix,
    pub guardrails: Guardrails,
    /// The values before the rollout that conditions relative to before
    /// compare with: asked for, failed, or known.
    pub baselines: crate::domain::baseline::Baselines,
    pub sources: Vec<SourceHealth>,
    pub timeline: Timeline,
    pub overlay: Overlay,
    /// Actions sent and not yet answered: at most one per target.
    pub in_flight: Vec<InFlight>,
    pub notice: Option<Notice>,
    /// The selected row of the health matrix.
    pub selected: usize,
    /// Index into `theme_names` of the theme in use.
    pub theme: usize,
    pub theme_names: Vec<String>,
    pub next_action_id: u64,
    pub dora: Dora,
    /// Each region's canary judgment, from the latest metrics.
    pub judgments: Judgments,
    /// Scorecard items set by people, oldest first (from the audit log, then
    /// from this screen).
    pub scorecard_settings: Vec<Setting>,
    /// The latest successful rollback of this service on record.
    pub last_rollback: Option<Timestamp>,
    /// False when the audit log could not be read for the scorecard.
    pub audit_readable: bool,
    /// When the operator last moved the selection: a breach takes the
    /// selection to its region unless they moved it in the last minute.
    pub selection_moved: Option<Timestamp>,
    /// Keys already told they do nothing here (each is told once).
    pub told_unbound: std::collections::BTreeSet<String>,
    /// The wave held at its blocked gate, if any.
    pub gate_hold: Option<GateHold>,
    /// The bake since the rollout reached its end (with a `[bake]` plan).
    /// Kept here only: a restart mid-bake starts the clock again.
    pub bake: Option<crate::domain::bake::BakeState>,
    /// How many events newer than the first one shown the timeline is
    /// scrolled back by; 0 shows the newest. Events arriving while it is
    /// scrolled back grow it, so that the view stays put.
    pub timeline_scroll: usize,
    /// Annotations asked of the audit log and not yet answered.
    pub annotations_writing: usize,
    /// Annotations shown that are to arrive once more (this screen's own,
    /// both from the writer's answer and from following the log): the
    /// second arrival is passed over.
    pub annotation_echoes: Vec<crate::domain::timeline::Annotation>,
    /// What has been told to the notification receivers so far.
    pub outbox: super::update::outbox::Outbox,
    /// The notification receivers and how their deliveries go; empty when
    /// nothing is sent.
    pub receivers: Vec<super::receivers::ReceiverHealth>,
    /// The view, the focused and the zoomed panel, sharing.
    pub showing: super::view::Showing,
    /// Status updates: the cadence's clock and the drafts edited.
    pub comms: Comms,
    /// In a drill: what the operator looked at and did, what the screen
    /// showed, and the grade once it ended.
    pub observed: super::observe::DrillRecord,
    /// Set when something on screen changed since the last draw.
    pub dirty: bool,
}

impl AppState {
    /// The action in flight that an action on `scope` would collide with:
    /// one on the same region, or either of them on the whole rollout.
    pub fn in_flight_on(&self, scope: &ActionScope) -> Option<&InFlight> {
        self.in_flight.iter().find(|f| {
            matches!(f.scope, ActionScope::Rollout)
                || matches!(scope, ActionScope::Rollout)
                || &f.scope == scope
        })
    }

    /// The name of the selected region, if any.
    pub fn selected_region(&self) -> Option<&str> {
        self.health.regions().get(self.selected).map(String::as_str)
    }

    /// The state a war room starts from; everything after arrives as messages.
    pub fn new(
        plan: RolloutPlan,
        mode: RunMode,
        sources: Vec<SourceInfo>,
        seat: Seat,
        now: Timestamp,
    ) -> Self {
        let Seat {
            operator,
            read_only,
            theme_names,
            theme,
            history_loading,
            remembered,
            presenter,
            share,
            utc_offset,
        } = seat;
        AppState {
            health: HealthMatrix::new(plan.regions.iter().cloned()),
            guardrails: Guardrails::new(plan.stop_conditions.clone()),
            baselines: crate::domain::baseline::Baselines::new(&plan.stop_conditions),
            plan,
            mode,
            read_only,
            operator,
            now,
            rollout: None,
            sources: sources.into_iter().map(SourceHealth::new).collect(),
            timeline: Timeline::default(),
            overlay: Overlay::None,
            in_flight: Vec::new(),
            notice: None,
            selected: 0,
            theme: theme.min(theme_names.len().saturating_sub(1)),
            theme_names,
            next_action_id: 1,
            dora: if history_loading {
                Dora::Loading
            } else {
                Dora::Off
            },
            judgments: Judgments::new(),
            scorecard_settings: remembered.settings,
            last_rollback: remembered.last_rollback,
            audit_readable: true,
            gate_hold: None,
            bake: None,
            told_unbound: Default::default(),
            selection_moved: None,
            timeline_scroll: 0,
            annotations_writing: 0,
            annotation_echoes: Vec::new(),
            outbox: Default::default(),
            receivers: Vec::new(),
            showing: super::view::Showing {
                view: match presenter {
                    true => super::view::View::Presenter,
                    false => super::view::View::Dashboard,
                },
                share,
                utc_offset,
                ..Default::default()
            },
            comms: Comms::default(),
            observed: Default::default(),
            dirty: true,
        }
        .with_annotations(remembered.annotations)
    }

    /// The lines people wrote on the timeline before this screen opened.
    fn with_annotations(mut self, annotations: Vec<crate::domain::timeline::Annotation>) -> Self {
        for a in annotations {
            self.timeline.push(
                a.at,
                crate::domain::timeline::EventKind::Annotation,
                a.line(),
            );
        }
        self
    }

    /// The canary's traffic share in `region`, as the deployment source last
    /// said; `None` when it has not said or there is no telling.
    pub fn canary_weight(&self, region: &str) -> Option<u8> {
        self.rollout
            .as_ref()
            .and_then(|r| r.regions.iter().find(|x| x.region == region))
            .filter(|r| r.weight_known != crate::domain::rollout::WeightKnown::Unknown)
            .map(|r| r.canary_weight)
    }

    /// Age of the freshest and of the stalest source's last good poll; `None`
    /// for the stalest when some source has never answered.
    pub fn data_ages(&self) -> (Option<Span>, Option<Option<Span>>) {
        let ages: Vec<Option<Span>> = self
            .sources
            .iter()
            .map(|s| s.last_ok.map(|t| (self.now - t).max(Span::zero())))
            .collect();
        let freshest = ages.iter().flatten().min().copied();
        let stalest = if ages.iter().any(Option::is_none) {
            Some(None)
        } else {
            ages.iter().flatten().max().copied().map(Some)
        };
        (freshest, stalest)
    }

    /// The go / no-go scorecard as it stands now.
    pub fn scorecard(&self) -> Scorecard {
        let stale = self.metrics_stale();
        let feeds = self
            .sources
            .iter()
            .map(|s| {
                let feed = match s.condition(self.now) {
                    // Older than the plan allows: not validated, however it answers.
                    _ if stale && s.info.kind == SourceKind::Metrics => Feed::Failing,
                    SourceCondition::Ok { .. }
                        if s.info.kind == SourceKind::Metrics && self.health.partial() =>
                    {
                        Feed::Partial
                    }
                    SourceCondition::Ok { .. } => Feed::Answering,
                    SourceCondition::Slow { .. } => Feed::Slow,
                    SourceCondition::Waiting => Feed::Waiting,
                    SourceCondition::Failing { .. } => Feed::Failing,
                };
                (s.info.name.as_str(), feed)
            })
            .collect();
        let evidence = Evidence {
            stop_conditions: self.plan.stop_conditions.len(),
            feeds,
            last_rollback: self.last_rollback,
            audit_readable: self.audit_readable,
            now: self.now,
        };
        scorecard::evaluate(&self.plan.scorecard, &evidence, &self.scorecard_settings)
    }

    /// The one verdict on going on, and why.
    pub fn verdict(&self) -> super::verdict::Verdict {
        super::verdict::verdict(self)
    }

    /// Why the war room does not say GO, in short phrases: the verdict's
    /// reasons, with the scorecard's items not green named. Empty means GO.
    pub fn no_go_reasons(&self) -> Vec<String> {
        let v = self.verdict();
        if v.call.is_go() {
            return Vec::new();
        }
        // The scorecard is named by its items below, not in a phrase.
        let mut out: Vec<String> = v
            .reasons
            .iter()
            .filter(|r| !matches!(r.why, Why::ScorecardGo | Why::ScorecardNoGo))
            .map(|r| r.text.clone())
            .collect();
        if !v.scorecard_go {
            let card = self.scorecard();
            out.extend(card.not_green().map(|l| format!("{} {}", l.item, l.status)));
        }
        out
    }

    /// The gate of the wave in progress, or `None` before the deployment
    /// source reports and once the rollout has finished.
    pub fn gate(&self) -> Option<Gate> {
        let status = self.rollout.as_ref()?;
        current_gate(&GateInputs {
            waves: &self.plan.waves,
            status,
            conditions: self.guardrails.conditions(),
            condition_status: self.guardrails.status(),
            judgments: &self.judgments,
            stale: self.metrics_stale(),
        })
    }

    /// Whether the target itself holds the wave in progress at its gate (the
    /// simulator, told to): what the screen says instead of a hold of 0 s.
    pub fn held_at_gate(&self) -> bool {
        let wave = self.rollout.as_ref().map(|r| r.wave);
        self.mode != RunMode::Live
            && self.gate_hold.as_ref().map(|h| h.wave) == wave
            && wave.is_some()
    }

    /// The judgment of `region`'s canary, if it has one.
    pub fn judgment(&self, region: &str) -> Option<&Judgment> {
        self.judgments.get(region)
    }

    /// True when metrics arrived once but are now older than the plan allows.
    /// A source that never answered is "no data", not stale.
    pub fn metrics_stale(&self) -> bool {
        self.sources
            .iter()
            .filter(|s| s.info.kind == SourceKind::Metrics)
            .any(|s| {
                s.last_ok
                    .is_some_and(|t| self.now - t > self.plan.stale_after)
            })
    }
}
