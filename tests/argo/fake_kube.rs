//! A stand-in Kubernetes API server on loopback for the Argo Rollouts tests:
//! Rollouts (argoproj.io/v1alpha1, status included) and ReplicaSets, list
//! and GET, watch (`?watch=true`: newline-delimited WatchEvents carrying
//! resourceVersions, a bookmark when asked), merge and JSON patches on the
//! Rollout and on `/status` as a CRD with the status subresource takes them.
//! It checks the bearer token when given one (or, over TLS, the client
//! certificate), can be told to fail or stall a request (echoing the
//! credential it was sent, if asked), and records every request it gets.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    pub authorization: Option<String>,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The value of query parameter `key`.
    pub fn param(&self, key: &str) -> Option<String> {
        let url = reqwest::Url::parse(&format!("http://x/?{}", self.query)).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

/// A scripted answer for the next requests that match.
struct Scripted {
    method: Method,
    path_suffix: String,
    status: u16,
    message: String,
    delay: Duration,
    times: usize,
}

struct Event {
    rv: u64,
    namespace: String,
    name: String,
    kind: &'static str,
    object: Value,
}

#[derive(Default)]
struct Store {
    rv: u64,
    rollouts: BTreeMap<(String, String), Value>,
    replicasets: Vec<Value>,
    events: Vec<Event>,
    requests: Vec<Recorded>,
    scripted: Vec<Scripted>,
    token: Option<String>,
    handshakes_refused: usize,
}

#[derive(Clone)]
struct Shared {
    store: Arc<Mutex<Store>>,
    changed: Arc<tokio::sync::watch::Sender<u64>>,
}

/// A running stand-in; it stops with the test's runtime.
pub struct FakeKube {
    pub url: String,
    shared: Shared,
}

fn status_body(code: u16, message: &str) -> Value {
    let reason = match code {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        415 => "UnsupportedMediaType",
        500 => "InternalError",
        _ => "Unknown",
    };
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

fn answer(code: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// RFC 7386: `null` removes, objects merge, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = json!({});
            }
            let Some(obj) = target.as_object_mut() else {
                return;
            };
            for (k, v) in fields {
                if v.is_null() {
                    obj.remove(k);
                } else {
                    merge_patch(obj.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

impl FakeKube {
    /// Over plain HTTP; every request must carry `Bearer {token}` if given.
    pub async fn start(token: Option<&str>) -> FakeKube {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let fake = FakeKube::new(format!("http://{addr}"), token);
        let app = fake.router();
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    /// Over TLS, with `config` (which may demand a client certificate).
    pub async fn start_tls(config: rustls::ServerConfig) -> FakeKube {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        let fake = FakeKube::new(format!("https://{addr}"), None);
        let listener = TlsListener {
            tcp,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            store: fake.shared.store.clone(),
        };
        let app = fake.router();
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    fn new(url: String, token: Option<&str>) -> FakeKube {
        let store = Store {
            rv: 1000,
            token: token.map(str::to_string),
            ..Store::default()
        };
        let (changed, _) = tokio::sync::watch::channel(1000);
        FakeKube {
            url,
            shared: Shared {
                store: Arc::new(Mutex::new(store)),
                changed: Arc::new(changed),
            },
        }
    }

    fn router(&self) -> Router {
        Router::new()
            .fallback(handle)
            .with_state(self.shared.clone())
    }

    /// Add or replace a Rollout, as the controller or `kubectl apply` would.
    pub fn put_rollout(&self, rollout: Value) {
        let mut store = self.shared.store.lock().unwrap();
        let ns = rollout["metadata"]["namespace"]
            .as_str()
            .unwrap()
            .to_string();
        let name = rollout["metadata"]["name"].as_str().unwrap().to_string();
        let kind = if store.rollouts.contains_key(&(ns.clone(), name.clone())) {
            "MODIFIED"
        } else {
            "ADDED"
        };
        let object = store.stamp(rollout);
        store
            .rollouts
            .insert((ns.clone(), name.clone()), object.clone());
        store.event(kind, ns, name, object);
        let rv = store.rv;
        drop(store);
        self.shared.changed.send_replace(rv);
    }

    /// Change a Rollout in place (the controller moving it on).
    pub fn update_rollout(&self, ns: &str, name: &str, change: impl FnOnce(&mut Value)) {
        let mut object = self.rollout(ns, name);
        change(&mut object);
        self.put_rollout(object);
    }

    pub fn rollout(&self, ns: &str, name: &str) -> Value {
        let store = self.shared.store.lock().unwrap();
        store
            .rollouts
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
            .unwrap()
    }

    pub fn put_replicaset(&self, rs: Value) {
        let mut store = self.shared.store.lock().unwrap();
        let rs = store.stamp(rs);
        store.replicasets.push(rs);
    }

    /// Answer the next `times` requests `method … path_suffix` with `status`
    /// and a Status whose message is `message`, with `{authorization}` in it
    /// replaced by the request's Authorization header.
    pub fn fail(
        &self,
        method: Method,
        path_suffix: &str,
        status: u16,
        message: &str,
        times: usize,
    ) {
        self.script(method, path_suffix, status, message, Duration::ZERO, times);
    }

    /// Hold the next `times` matching requests for `delay` before answering.
    pub fn stall(&self, method: Method, path_suffix: &str, delay: Duration, times: usize) {
        self.script(method, path_suffix, 0, "", delay, times);
    }

    fn script(
        &self,
        method: Method,
        path_suffix: &str,
        status: u16,
        message: &str,
        delay: Duration,
        times: usize,
    ) {
        self.shared.store.lock().unwrap().scripted.push(Scripted {
            method,
            path_suffix: path_suffix.to_string(),
            status,
            message: message.to_string(),
            delay,
            times,
        });
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.store.lock().unwrap().requests.clone()
    }

    /// The requests that change something (PATCH).
    pub fn patches(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "PATCH")
            .collect()
    }

    pub fn clear_requests(&self) {
        self.shared.store.lock().unwrap().requests.clear();
    }

    /// TLS handshakes refused (a client without an acceptable certificate).
    pub fn handshakes_refused(&self) -> usize {
        self.shared.store.lock().unwrap().handshakes_refused
    }
}

impl Store {
    /// A new resourceVersion on `object`, and a generation bump if it is new.
    fn stamp(&mut self, mut object: Value) -> Value {
        self.rv += 1;
        object["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        if object["metadata"]["generation"].is_null() {
            object["metadata"]["generation"] = json!(1);
        }
        object
    }

    fn event(&mut self, kind: &'static str, namespace: String, name: String, object: Value) {
        self.events.push(Event {
            rv: self.rv,
            namespace,
            name,
            kind,
            object,
        });
    }
}

const ROLLOUTS: &str = "/apis/argoproj.io/v1alpha1/namespaces/";
const REPLICASETS: &str = "/apis/apps/v1/namespaces/";

async fn handle(State(shared): State<Shared>, request: Request<Body>) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        content_type: header("content-type"),
        authorization: header("authorization"),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let scripted = {
        let mut store = shared.store.lock().unwrap();
        store.requests.push(recorded.clone());
        if let Some(token) = &store.token
            && recorded.authorization.as_deref() != Some(&format!("Bearer {token}"))
        {
            return answer(401, &status_body(401, "Unauthorized"));
        }
        let found = store.scripted.iter_mut().find(|s| {
            s.times > 0 && s.method == parts.method && recorded.path.ends_with(&s.path_suffix)
        });
        // A server that quotes the credential back, as some proxies and
        // webhooks do: `{authorization}` in a message is the header's value.
        let sent = recorded.authorization.clone().unwrap_or_default();
        found.map(|s| {
            s.times -= 1;
            (
                s.status,
                s.message.replace("{authorization}", &sent),
                s.delay,
            )
        })
    };
    if let Some((status, message, delay)) = scripted {
        tokio::time::sleep(delay).await;
        if status != 0 {
            return answer(status, &status_body(status, &message));
        }
    }
    route(&shared, &parts.method, &recorded)
}

fn route(shared: &Shared, method: &Method, r: &Recorded) -> Response {
    if let Some(rest) = r.path.strip_prefix(REPLICASETS) {
        let parts: Vec<&str> = rest.split('/').collect();
        if let [ns, "replicasets"] = parts.as_slice()
            && method == Method::GET
        {
            return list_replicasets(shared, ns, r);
        }
        return answer(
            404,
            &status_body(404, "the server could not find the requested resource"),
        );
    }
    let Some(rest) = r.path.strip_prefix(ROLLOUTS) else {
        return answer(
            404,
            &status_body(404, "the server could not find the requested resource"),
        );
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match (method.clone(), parts.as_slice()) {
        (Method::GET, [ns, "rollouts"]) if r.param("watch").as_deref() == Some("true") => {
            watch(shared, ns, r)
        }
        (Method::GET, [ns, "rollouts"]) => list_rollouts(shared, ns, r),
        (Method::GET, [ns, "rollouts", name]) | (Method::GET, [ns, "rollouts", name, "status"]) => {
            match shared
                .store
                .lock()
                .unwrap()
                .rollouts
                .get(&(ns.to_string(), name.to_string()))
            {
                Some(ro) => answer(200, ro),
                None => not_found(name),
            }
        }
        (Method::PATCH, [ns, "rollouts", name]) => patch(shared, ns, name, false, r),
        (Method::PATCH, [ns, "rollouts", name, "status"]) => patch(shared, ns, name, true, r),
        _ => answer(405, &status_body(405, "method not allowed")),
    }
}

fn not_found(name: &str) -> Response {
    answer(
        404,
        &status_body(404, &format!("rollouts.argoproj.io \"{name}\" not found")),
    )
}

/// `metadata.name=x` from a field selector.
fn name_selected(r: &Recorded) -> Option<String> {
    r.param("fieldSelector")
        .and_then(|s| s.strip_prefix("metadata.name=").map(str::to_string))
}

fn list_rollouts(shared: &Shared, ns: &str, r: &Recorded) -> Response {
    let store = shared.store.lock().unwrap();
    let name = name_selected(r);
    let items: Vec<Value> = store
        .rollouts
        .iter()
        .filter(|((n, m), _)| n == ns && name.as_ref().is_none_or(|x| x == m))
        .map(|(_, v)| v.clone())
        .collect();
    answer(
        200,
        &json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "RolloutList",
                "metadata": {"resourceVersion": store.rv.to_string()}, "items": items}),
    )
}

fn list_replicasets(shared: &Shared, ns: &str, r: &Recorded) -> Response {
    let store = shared.store.lock().unwrap();
    let wanted: Vec<(String, String)> = r
        .param("labelSelector")
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let items: Vec<Value> = store
        .replicasets
        .iter()
        .filter(|rs| rs["metadata"]["namespace"] == ns)
        .filter(|rs| {
            wanted
                .iter()
                .all(|(k, v)| rs["metadata"]["labels"][k].as_str() == Some(v))
        })
        .cloned()
        .collect();
    answer(
        200,
        &json!({"apiVersion": "apps/v1", "kind": "ReplicaSetList",
                "metadata": {"resourceVersion": store.rv.to_string()}, "items": items}),
    )
}

fn patch(shared: &Shared, ns: &str, name: &str, on_status: bool, r: &Recorded) -> Response {
    let Ok(body) = serde_json::from_str::<Value>(&r.body) else {
        return answer(400, &status_body(400, "the body is not JSON"));
    };
    let key = (ns.to_string(), name.to_string());
    let mut store = shared.store.lock().unwrap();
    let Some(mut object) = store.rollouts.get(&key).cloned() else {
        return not_found(name);
    };
    let before_spec = object["spec"].clone();
    match r.content_type.as_deref() {
        Some("application/merge-patch+json") => {
            // A CRD with the status subresource: `/status` changes only the
            // status, the object everything but.
            if on_status {
                merge_patch(&mut object["status"], &body["status"]);
            } else {
                let mut rest = body.clone();
                if let Some(o) = rest.as_object_mut() {
                    o.remove("status");
                }
                merge_patch(&mut object, &rest);
            }
        }
        Some("application/json-patch+json") => {
            for op in body.as_array().cloned().unwrap_or_default() {
                let (Some(path), Some(kind)) = (op["path"].as_str(), op["op"].as_str()) else {
                    return answer(422, &status_body(422, "bad JSON patch"));
                };
                match (kind, object.pointer_mut(path)) {
                    ("replace", Some(slot)) => *slot = op["value"].clone(),
                    _ => return answer(422, &status_body(422, "unsupported JSON patch")),
                }
            }
        }
        other => {
            return answer(
                415,
                &status_body(
                    415,
                    &format!("the body of the request was in an unknown format: {other:?}"),
                ),
            );
        }
    }
    if object["spec"] != before_spec {
        let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
        object["metadata"]["generation"] = json!(generation + 1);
    }
    let object = store.stamp(object);
    store.rollouts.insert(key, object.clone());
    store.event("MODIFIED", ns.to_string(), name.to_string(), object.clone());
    let rv = store.rv;
    drop(store);
    shared.changed.send_replace(rv);
    answer(200, &object)
}

/// Newline-delimited WatchEvents after the given resourceVersion, for as
/// long as the client listens; a bookmark first when asked for.
fn watch(shared: &Shared, ns: &str, r: &Recorded) -> Response {
    let from: u64 = r
        .param("resourceVersion")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let name = name_selected(r);
    let bookmark = (r.param("allowWatchBookmarks").as_deref() == Some("true")).then(|| {
        let rv = shared.store.lock().unwrap().rv;
        json!({"type": "BOOKMARK", "object": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
               "metadata": {"resourceVersion": rv.to_string()}}})
    });
    let state = (
        shared.clone(),
        shared.changed.subscribe(),
        from,
        bookmark,
        ns.to_string(),
        name,
    );
    let events = futures_util::stream::unfold(
        state,
        |(shared, mut rx, cursor, bookmark, ns, name)| async move {
            if let Some(b) = bookmark {
                let line = format!("{b}\n");
                return Some((
                    Ok::<_, std::io::Error>(line),
                    (shared, rx, cursor, None, ns, name),
                ));
            }
            loop {
                let next = {
                    let store = shared.store.lock().unwrap();
                    store
                        .events
                        .iter()
                        .find(|e| {
                            e.rv > cursor
                                && e.namespace == ns
                                && name.as_ref().is_none_or(|n| *n == e.name)
                        })
                        .map(|e| (e.rv, json!({"type": e.kind, "object": e.object})))
                };
                if let Some((rv, event)) = next {
                    return Some((Ok(format!("{event}\n")), (shared, rx, rv, None, ns, name)));
                }
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        },
    );
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from_stream(events))
        .unwrap()
}

/// Plain TCP made TLS; a refused handshake is counted and the next
/// connection accepted.
struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    store: Arc<Mutex<Store>>,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            match self.acceptor.accept(tcp).await {
                Ok(tls) => return (tls, addr),
                Err(_) => self.store.lock().unwrap().handshakes_refused += 1,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
