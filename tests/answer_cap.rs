//! An answer over the cap costs no more memory than the cap: a stand-in
//! Prometheus streams a 1 GB warning (made as it is sent, never held), the
//! poll is refused naming the cap, little of it is read, and the process's
//! peak resident memory stays far below the answer's size. Alone in its
//! binary, so no other test's memory counts.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::any;
use warroom::config::plan::PlanFile;
use warroom::integrations::prometheus::PrometheusSource;

const ANSWER: u64 = 1 << 30;
const CHUNK: usize = 64 << 10;
static FILLER: [u8; CHUNK] = [b'w'; CHUNK];

/// Peak resident memory of this process so far, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

/// A 1 GB answer made chunk by chunk; `sent` counts what left.
fn huge_answer(sent: Arc<AtomicU64>) -> Body {
    let head = Bytes::from_static(br#"{"status":"success","warnings":[""#);
    let chunks = (ANSWER / CHUNK as u64) as usize;
    let filler = (0..chunks).map(move |_| {
        sent.fetch_add(CHUNK as u64, Ordering::Relaxed);
        Ok::<_, Infallible>(Bytes::from_static(&FILLER))
    });
    let tail = Bytes::from_static(br#""],"data":{"resultType":"vector","result":[]}}"#);
    let all = std::iter::once(Ok(head))
        .chain(filler)
        .chain(std::iter::once(Ok(tail)));
    Body::from_stream(futures_util::stream::iter(all))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_answer_is_refused_with_bounded_memory() {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let app = Router::new().fallback(any(move || {
        let counter = counter.clone();
        async move { huge_answer(counter) }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let text = format!(
        "service = \"svc\"\n[versions]\nstable = \"v1\"\ncanary = \"v2\"\n[[regions]]\nname = \"r0\"\n\
         [signals]\nrequest_rate = 'a'\nerror_rate = 'b'\nlatency_p99 = 'c'\nsuccess_rate = 'd'\n\
         [[stop_conditions]]\nsignal = \"error_rate\"\nabove = 0.02\nfor = \"1m\"\n\
         [[waves]]\nname = \"all\"\nweight = 100\nregions = \"all\"\nhold = \"1m\"\n\
         [sources.metrics]\nkind = \"prometheus\"\nurl = \"http://{addr}\"\ntimeout = \"30s\"\n"
    );
    let plan = PlanFile::parse(&text, Path::new("cap.toml")).unwrap();
    // The default cap: the plan says nothing about it.
    assert_eq!(plan.metrics.endpoint.max_answer, 16 << 20);
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();

    let before = peak_rss();
    let started = Instant::now();
    let err = source.poll().await.unwrap_err().0;
    let took = started.elapsed();
    // Let the server notice the closed connections before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let peak = peak_rss();
    let sent = sent.load(Ordering::Relaxed);
    eprintln!(
        "refused in {took:?}; peak RSS {} MiB (before {} MiB); the server sent {} MiB for four queries",
        peak >> 20,
        before >> 20,
        sent >> 20
    );
    assert!(
        err.contains("16 MiB") && err.contains("max_answer"),
        "{err}"
    );
    assert!(err.contains("refused"), "{err}");
    assert!(peak < 200 << 20, "peak RSS {} MiB", peak >> 20);
    // Four queries, each cut off soon after its cap: nothing like 4 GB.
    assert!(sent < 4 * (64 << 20), "the server sent {} MiB", sent >> 20);
}
