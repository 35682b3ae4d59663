use super::*;
use serde_json::json;

fn rollout(spec_paused: bool, status: Value) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "checkout-api", "namespace": "checkout", "uid": "ro-uid"},
        "spec": {
            "paused": spec_paused,
            "selector": {"matchLabels": {"app": "checkout-api"}},
            "strategy": {"canary": {"steps": [{"setWeight": 20}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": 60}}]}}
        },
        "status": status
    }))
    .unwrap()
}

#[test]
fn each_move_is_offered_only_where_it_means_something() {
    use Stage::*;
    assert_eq!(decide(Move::Pause, Progressing), Ok(Move::Pause));
    assert!(decide(Move::Pause, Paused).is_err());
    assert!(decide(Move::Pause, Aborted).is_err());
    assert_eq!(decide(Move::Resume, Paused), Ok(Move::Resume));
    assert!(decide(Move::Resume, Progressing).is_err());
    assert_eq!(decide(Move::Promote, Paused), Ok(Move::Promote));
    assert_eq!(decide(Move::Promote, Progressing), Ok(Move::Promote));
    assert_eq!(
        decide(Move::Promote, Aborted),
        Err("aborted: nothing to promote (retry it first)")
    );
    assert!(decide(Move::Promote, Complete).is_err());
    assert_eq!(decide(Move::Rollback, Progressing), Ok(Move::Abort));
    assert_eq!(decide(Move::Rollback, Paused), Ok(Move::Abort));
    assert_eq!(decide(Move::Rollback, Complete), Ok(Move::Undo));
    assert!(decide(Move::Rollback, Aborted).is_err());
    assert!(decide(Move::Rollback, NotStarted).is_err());
    assert_eq!(decide(Move::Retry, Aborted), Ok(Move::Retry));
    assert!(decide(Move::Retry, Paused).is_err());
    assert_eq!(decide(Move::Undo, Aborted), Ok(Move::Undo));
    assert!(decide(Move::Undo, NotStarted).is_err());
}

#[test]
fn promote_clears_pause_conditions_or_steps_on_never_both() {
    let held = rollout(
        true,
        json!({"currentStepIndex": 1, "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-03-14T09:00:00Z"}]}),
    );
    let (spec, status, unified) = promote_patches(&held, true);
    assert_eq!(spec, Some(json!({"spec": {"paused": false}})));
    assert_eq!(status, Some(json!({"status": {"pauseConditions": null}})));
    assert_eq!(
        unified,
        json!({"spec": {"paused": false}, "status": {"pauseConditions": null}})
    );

    let running = rollout(false, json!({"currentStepIndex": 2}));
    let (spec, status, unified) = promote_patches(&running, true);
    assert_eq!(spec, None);
    assert_eq!(
        status,
        Some(json!({"status": {"pauseConditions": null, "currentStepIndex": 3}}))
    );
    assert_eq!(unified["status"]["currentStepIndex"], json!(3));
    // Resume never steps on.
    assert_eq!(promote_patches(&running, false).1, None);
    // Past the last step the index stays.
    let last = rollout(false, json!({"currentStepIndex": 4}));
    assert_eq!(
        promote_patches(&last, true).1,
        Some(json!({"status": {"pauseConditions": null, "currentStepIndex": 4}}))
    );
}

fn replicaset(name: &str, owner: &str, revision: Option<&str>, image: &str) -> ReplicaSet {
    let mut annotations = serde_json::Map::new();
    if let Some(r) = revision {
        annotations.insert(wire::REVISION.into(), json!(r));
    }
    serde_json::from_value(json!({
        "metadata": {
            "name": name,
            "annotations": annotations,
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "checkout-api", "uid": owner, "controller": true}]
        },
        "spec": {
            "selector": {"matchLabels": {"app": "checkout-api"}},
            "template": {
                "metadata": {"labels": {"app": "checkout-api", "rollouts-pod-template-hash": name}},
                "spec": {"containers": [{"name": "api", "image": image}]}
            }
        }
    }))
    .unwrap()
}

#[test]
fn undo_goes_to_the_second_newest_revision_the_rollout_owns() {
    let ro = rollout(false, json!({}));
    let all = [
        replicaset("a", "ro-uid", Some("1"), "api:v1"),
        replicaset("c", "ro-uid", Some("3"), "api:v3"),
        replicaset("x", "someone-else", Some("9"), "api:v9"),
        replicaset("b", "ro-uid", Some("2"), "api:v2"),
        replicaset("bad", "ro-uid", Some("two"), "api:v?"),
    ];
    let (revision, rs) = previous_revision(&ro, &all).unwrap();
    assert_eq!(revision, 2);
    assert_eq!(rs.metadata.name.as_deref(), Some("b"));
    assert!(previous_revision(&ro, &all[..1]).is_none());

    let template = template_without_hash(&rs.spec.template);
    assert_eq!(
        template,
        json!({
            "metadata": {"labels": {"app": "checkout-api"}},
            "spec": {"containers": [{"name": "api", "image": "api:v2"}]}
        })
    );
}

#[test]
fn the_selector_reads_as_a_query() {
    let mut ro = rollout(false, json!({}));
    assert_eq!(selector(&ro), "app=checkout-api");
    ro.spec.selector = serde_json::from_value(json!({
        "matchLabels": {"app": "a", "tier": "web"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "eu"]}, {"key": "canary", "operator": "DoesNotExist"}]
    }))
    .unwrap();
    assert_eq!(selector(&ro), "app=a,tier=web,env in (prod,eu),!canary");
}
