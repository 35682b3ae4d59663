//! From Rollouts to warroom's words: one region per Rollout, then one status
//! for the whole rollout. Pure: the clock and the plan come in as arguments.

use super::wire::{self, Rollout};
use crate::domain::rollout::{
    Phase, RegionRollout, Replicas, RolloutStatus, TargetDetail, WavePlan, WeightKnown,
};
use crate::domain::text;
use crate::domain::{Span, Timestamp};

/// Where one Rollout stands, as warroom's actions see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `status.abort`: traffic is back on stable, the new template waits.
    Aborted,
    /// `spec.paused`, or a pause condition (a pause step, an inconclusive analysis).
    Paused,
    /// A canary is in flight.
    Progressing,
    /// Stable is the current template: nothing is in flight.
    Complete,
    /// Stable is the current template and it runs the plan's stable
    /// version: this region has not started the rollout.
    NotStarted,
}

/// The plan's versions, to tell a region that finished from one that has not begun.
#[derive(Debug, Clone, Copy)]
pub struct Versions<'a> {
    pub stable: &'a str,
    pub canary: &'a str,
}

/// One region's Rollout in warroom's words.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionView {
    pub rollout: RegionRollout,
    pub stage: Stage,
    /// When the current pause began, from the pause conditions.
    pub paused_since: Option<Timestamp>,
    /// Argo's own phase is `Degraded` (or the spec is invalid).
    pub degraded: bool,
}

fn status(ro: &Rollout) -> wire::RolloutStatus {
    ro.status.clone().unwrap_or_default()
}

fn steps(ro: &Rollout) -> &[wire::CanaryStep] {
    ro.spec
        .strategy
        .canary
        .as_ref()
        .map(|c| c.steps.as_slice())
        .unwrap_or_default()
}

/// Whether the controller has seen the latest spec. Older controllers wrote
/// a hash here: then there is no telling, and the status is taken as it is.
fn observed(ro: &Rollout) -> bool {
    let seen = ro
        .status
        .as_ref()
        .and_then(|s| match &s.observed_generation {
            Some(serde_json::Value::String(s)) => s.parse::<i64>().ok(),
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            _ => None,
        });
    match (ro.metadata.generation, seen) {
        (Some(generation), Some(seen)) => generation == seen,
        _ => true,
    }
}

/// No canary in flight: the stable ReplicaSet is the current template's.
fn settled(ro: &Rollout) -> bool {
    let s = status(ro);
    !s.stable_rs.is_empty() && s.stable_rs == s.current_pod_hash && observed(ro)
}

/// Whether any image's tag is `version` (with or without a leading `v`).
fn runs(images: &[String], version: &str) -> bool {
    let bare = |v: &str| v.strip_prefix('v').unwrap_or(v).to_string();
    images.iter().any(|image| {
        let name = image.split('@').next().unwrap_or(image);
        let last = name.rsplit('/').next().unwrap_or(name);
        last.rsplit_once(':')
            .is_some_and(|(_, tag)| bare(tag) == bare(version))
    })
}

/// Whether `ro` is held only by a canary `pause` step with a duration: no
/// person's pause (`spec.paused`), no other pause condition.
pub fn timed_step_pause(ro: &Rollout) -> bool {
    let s = status(ro);
    let by_step = !s.pause_conditions.is_empty()
        && s.pause_conditions
            .iter()
            .all(|p| p.reason == "CanaryPauseStep");
    let step = s
        .current_step_index
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| ro.spec.strategy.canary.as_ref()?.steps.get(i).cloned());
    let timed = step
        .and_then(|st| st.pause)
        .and_then(|p| p.duration)
        .is_some_and(|d| !d.is_null());
    !ro.spec.paused && by_step && timed
}

/// Where `ro` stands. Abort wins over a pause, a pause over the rest.
pub fn stage(ro: &Rollout, versions: Versions) -> Stage {
    let s = status(ro);
    if s.abort {
        return Stage::Aborted;
    }
    // A timed pause step is the controller holding the wave, moving on by
    // itself when it ends: progressing, its hold running, so that a blocked
    // gate can pause it before it does.
    if timed_step_pause(ro) {
        return Stage::Progressing;
    }
    if ro.spec.paused || !s.pause_conditions.is_empty() || s.phase == "Paused" {
        return Stage::Paused;
    }
    if !settled(ro) {
        return Stage::Progressing;
    }
    let images = wire::images(ro.spec.template.as_ref());
    if runs(&images, versions.stable) && !runs(&images, versions.canary) {
        Stage::NotStarted
    } else {
        Stage::Complete
    }
}

fn percent(v: i64) -> u8 {
    v.clamp(0, 100) as u8
}

/// The weight the Rollout asks for now, as Argo's controller reckons it:
/// 0 once aborted, 100 with nothing in flight or past the last step, else
/// the last `setWeight` at or before the current step.
pub fn desired_weight(ro: &Rollout) -> u8 {
    let s = status(ro);
    if s.abort {
        return 0;
    }
    if s.promote_full || settled(ro) {
        return 100;
    }
    let steps = steps(ro);
    let index = s.current_step_index.unwrap_or(0).max(0) as usize;
    if index >= steps.len() {
        return 100;
    }
    steps
        .iter()
        .take(index + 1)
        .rev()
        .find_map(|step| step.set_weight)
        .map_or(0, |w| percent(w.into()))
}

/// The canary's share of traffic now, and how it is known:
///
/// - nothing in flight: 100 (or 0 for a region not started), reported;
/// - blue-green: the new version takes none while only the preview service
///   selects it, and all once the active one does (promoted);
/// - canary with a traffic router: what the router was told; before it was
///   told anything, unknown;
/// - canary without one: the share of pods on the new template, estimated.
pub fn actual_weight(ro: &Rollout, stage: Stage) -> (u8, WeightKnown) {
    let s = status(ro);
    let routed = s
        .canary
        .weights
        .as_ref()
        .map(|w| percent(w.canary.weight.into()));
    let reported = |w| (w, WeightKnown::Reported);
    match stage {
        Stage::NotStarted => reported(0),
        Stage::Complete => reported(100),
        Stage::Aborted => reported(routed.unwrap_or(0)),
        Stage::Paused | Stage::Progressing if settled(ro) => reported(100),
        Stage::Paused | Stage::Progressing if ro.spec.strategy.blue_green.is_some() => {
            match s.blue_green.active_selector.as_str() {
                "" => (0, WeightKnown::Unknown),
                active if active == s.current_pod_hash => reported(100),
                _ => reported(0),
            }
        }
        Stage::Paused | Stage::Progressing => match routed {
            Some(w) => reported(w),
            None if routing(ro) => (0, WeightKnown::Unknown),
            None if s.replicas > 0 => (
                percent(i64::from(s.updated_replicas) * 100 / i64::from(s.replicas)),
                WeightKnown::Estimated,
            ),
            None => (0, WeightKnown::Estimated),
        },
    }
}

/// Whether a traffic router (a mesh, an ingress) splits the canary's traffic.
fn routing(ro: &Rollout) -> bool {
    ro.spec
        .strategy
        .canary
        .as_ref()
        .is_some_and(|c| c.traffic_routing.is_some())
}

/// Step `i` of `n`, 1-based; `n` of `n` once past the last step.
pub fn step(ro: &Rollout) -> Option<(u32, u32)> {
    let n = u32::try_from(steps(ro).len()).ok().filter(|n| *n > 0)?;
    let index = status(ro).current_step_index.unwrap_or(0).max(0) as u32;
    Some(((index + 1).min(n), n))
}

/// Why the Rollout was aborted, in Argo's words: its message, else the
/// condition that says so, else the failed analysis.
fn abort_reason(s: &wire::RolloutStatus) -> Option<String> {
    let nonempty = |m: &str| (!m.trim().is_empty()).then(|| m.trim().to_string());
    nonempty(&s.message)
        .or_else(|| {
            s.conditions
                .iter()
                .find(|c| c.reason == "RolloutAborted")
                .and_then(|c| nonempty(&c.message))
        })
        .or_else(|| {
            [
                &s.canary.current_step_analysis_run_status,
                &s.canary.current_background_analysis_run_status,
            ]
            .into_iter()
            .flatten()
            .find(|a| a.status != "Successful")
            .and_then(|a| nonempty(&a.message))
        })
}

fn message(s: &wire::RolloutStatus, stage: Stage) -> Option<String> {
    if stage == Stage::Aborted {
        return abort_reason(s);
    }
    let invalid = s
        .conditions
        .iter()
        .find(|c| c.kind == "InvalidSpec" && !c.message.is_empty());
    match invalid {
        Some(c) => Some(c.message.clone()),
        None => (!s.message.is_empty()).then(|| s.message.clone()),
    }
}

fn analysis(s: &wire::RolloutStatus) -> Option<String> {
    let c = &s.canary;
    if let Some(a) = &c.current_step_analysis_run_status {
        return Some(a.status.clone());
    }
    c.current_background_analysis_run_status
        .as_ref()
        .map(|a| format!("{} (background)", a.status))
}

fn timestamp(text: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.to_utc())
}

/// The longest phase word, revision, image or reason shown from a Rollout.
const WORD_CHARS: usize = 200;

/// One region's Rollout in warroom's words. `target` names where it lives;
/// `stable_images` are the stable ReplicaSet's, when a canary is in flight
/// and they could be read; `secrets`, the credentials the client sent, are
/// masked in every word the cluster wrote.
pub fn region_view(
    region: &str,
    target: String,
    ro: &Rollout,
    stable_images: &[String],
    versions: Versions,
    secrets: &[&str],
) -> RegionView {
    let s = status(ro);
    let stage = stage(ro, versions);
    let template_images = wire::images(ro.spec.template.as_ref());
    let in_flight = !s.current_pod_hash.is_empty() && s.current_pod_hash != s.stable_rs;
    let revision = ro
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(wire::REVISION));
    let canary_revision = in_flight.then(|| match revision {
        Some(r) => format!("{} (revision {r})", s.current_pod_hash),
        None => s.current_pod_hash.clone(),
    });
    let (stable_images, canary_images) = if in_flight {
        (stable_images.to_vec(), template_images)
    } else {
        (template_images, Vec::new())
    };
    let mut pause_reasons: Vec<String> = s
        .pause_conditions
        .iter()
        .map(|p| p.reason.clone())
        .collect();
    if ro.spec.paused {
        pause_reasons.push("spec.paused".to_string());
    }
    let paused_since = s
        .pause_conditions
        .iter()
        .filter_map(|p| p.start_time.as_deref().and_then(timestamp))
        .min();
    let word = if !s.phase.is_empty() {
        s.phase.clone()
    } else if stage == Stage::Aborted {
        "Degraded".to_string()
    } else {
        "Unknown".to_string()
    };
    let degraded = word == "Degraded" || s.conditions.iter().any(|c| c.kind == "InvalidSpec");
    let phase = match stage {
        Stage::Aborted => Phase::Aborted,
        Stage::Paused => Phase::Paused,
        Stage::Complete => Phase::Complete,
        Stage::Progressing | Stage::NotStarted => Phase::Progressing,
    };
    // Every word the cluster wrote is made safe here, where it arrives.
    let said = |t: &str| text::outside(t, WORD_CHARS, secrets);
    let all_said = |list: Vec<String>| list.iter().map(|t| said(t)).collect();
    let detail = TargetDetail {
        name: target,
        status: Some(said(&word)),
        message: message(&s, stage).map(|m| text::message(&m, secrets)),
        step: step(ro),
        // A blue-green Rollout has no steps to ask for a weight.
        desired_weight: ro
            .spec
            .strategy
            .blue_green
            .is_none()
            .then(|| desired_weight(ro)),
        stable_revision: (!s.stable_rs.is_empty()).then(|| said(&s.stable_rs)),
        canary_revision: canary_revision.as_deref().map(said),
        stable_images: all_said(stable_images),
        canary_images: all_said(canary_images),
        replicas: Some(Replicas {
            desired: ro.spec.replicas.unwrap_or(1).max(0) as u32,
            ready: s.ready_replicas.max(0) as u32,
            updated: s.updated_replicas.max(0) as u32,
            available: s.available_replicas.max(0) as u32,
        }),
        pause_reasons: all_said(pause_reasons),
        analysis: analysis(&s).as_deref().map(said),
    };
    let (canary_weight, weight_known) = actual_weight(ro, stage);
    RegionView {
        rollout: RegionRollout {
            region: region.to_string(),
            canary_weight,
            weight_known,
            phase: Some(phase),
            target: Some(detail),
        },
        stage,
        paused_since,
        degraded,
    }
}

/// One status for the whole rollout from its regions, in the plan's order.
///
/// - phase: any region aborted → ABORTED; else any paused → PAUSED; else
///   every region complete → COMPLETE; else PROGRESSING.
/// - wave: the latest wave whose weight every region it scopes has reached
///   (the first wave while none has).
/// - held: since the most recent start of a pause among paused regions
///   (a pause step is the wave's hold); zero when no region says when.
/// - message: the first aborted region's reason, else the first degraded
///   region's message, with the region's name up front.
pub fn aggregate(views: &[RegionView], waves: &WavePlan, now: Timestamp) -> RolloutStatus {
    let phases: Vec<Phase> = views
        .iter()
        .map(|v| v.rollout.phase.unwrap_or(Phase::Progressing))
        .collect();
    let phase = if phases.contains(&Phase::Aborted) {
        Phase::Aborted
    } else if phases.contains(&Phase::Paused) {
        Phase::Paused
    } else if !phases.is_empty() && phases.iter().all(|p| *p == Phase::Complete) {
        Phase::Complete
    } else {
        Phase::Progressing
    };
    let reached = |wave: usize| {
        views
            .iter()
            .all(|v| v.rollout.canary_weight >= waves.weight_in(wave, &v.rollout.region))
    };
    let wave = (0..waves.len()).rev().find(|w| reached(*w)).unwrap_or(0);
    let held = views
        .iter()
        // A pause (a person's, or a timed step's, which is progressing).
        .filter(|v| matches!(v.stage, Stage::Paused | Stage::Progressing))
        .filter_map(|v| v.paused_since)
        .max()
        .map_or(Span::zero(), |since| (now - since).max(Span::zero()));
    let said = |v: &RegionView| {
        v.rollout
            .target
            .as_ref()
            .and_then(|t| t.message.clone())
            .map(|m| format!("{}: {m}", v.rollout.region))
    };
    let aborted = views.iter().filter(|v| v.stage == Stage::Aborted);
    let message = aborted
        .clone()
        .find_map(said)
        .or_else(|| {
            aborted
                .map(|v| format!("{}: aborted", v.rollout.region))
                .next()
        })
        .or_else(|| views.iter().filter(|v| v.degraded).find_map(said));
    RolloutStatus {
        phase,
        wave,
        held,
        message,
        regions: views.iter().map(|v| v.rollout.clone()).collect(),
        observed_at: now,
    }
}

#[cfg(test)]
mod tests;
