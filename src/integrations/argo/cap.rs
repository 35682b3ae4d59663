//! A bound on what a cluster's answer may make warroom hold: a layer on the
//! Kubernetes client that counts the bytes of each answer as they arrive and
//! stops reading, with [`TooLarge`], once more than `max_answer` came.
//!
//! The rule differs for watches. A watch is one answer that lasts minutes
//! and carries one event per line; kube's watcher keeps only the line it is
//! reading. A cap on the whole answer would cut every long watch, so a watch
//! is capped per line instead: no one event may pass `max_answer`, which
//! bounds memory just as well. Every other answer (a get, a list, a patch's
//! answer, an error's Status) is capped as a whole, since kube collects it
//! whole before reading it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame, SizeHint};

use crate::integrations::http::size_words;

/// An answer, or one event of a watch, larger than the cap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the answer is larger than {cap} (max_answer); refused, the rest was not read")]
pub struct TooLarge {
    /// The cap in words: `16 MiB`.
    pub cap: String,
}

/// The layer: `max` bytes per answer, or per line of a watch.
#[derive(Debug, Clone, Copy)]
pub struct AnswerCap {
    pub max: u64,
}

impl<S> tower::Layer<S> for AnswerCap {
    type Service = Capped<S>;

    fn layer(&self, inner: S) -> Capped<S> {
        Capped {
            inner,
            max: self.max,
        }
    }
}

/// The client's service with every answer's body capped.
#[derive(Debug, Clone)]
pub struct Capped<S> {
    inner: S,
    max: u64,
}

/// How an answer is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// All of it: a get, list or patch.
    Whole,
    /// Each line on its own: a watch's events.
    PerLine,
}

/// A watch request: `watch=true` (or `1`) in its query, as kube sends it.
fn is_watch<B>(request: &Request<B>) -> bool {
    request.uri().query().is_some_and(|q| {
        q.split('&')
            .any(|pair| matches!(pair, "watch=true" | "watch=1"))
    })
}

impl<S, Q, B> tower::Service<Request<Q>> for Capped<S>
where
    S: tower::Service<Request<Q>, Response = Response<B>>,
    S::Future: Unpin,
{
    type Response = Response<CappedBody<B>>;
    type Error = S::Error;
    type Future = CappedAnswer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Q>) -> Self::Future {
        let rule = if is_watch(&request) {
            Rule::PerLine
        } else {
            Rule::Whole
        };
        CappedAnswer {
            inner: self.inner.call(request),
            rule,
            max: self.max,
        }
    }
}

/// The answer's head as it comes, its body wrapped in the cap.
pub struct CappedAnswer<F> {
    inner: F,
    rule: Rule,
    max: u64,
}

impl<F, B, E> Future for CappedAnswer<F>
where
    F: Future<Output = Result<Response<B>, E>> + Unpin,
{
    type Output = Result<Response<CappedBody<B>>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (rule, max) = (self.rule, self.max);
        Pin::new(&mut self.inner).poll(cx).map_ok(|answer| {
            // Only a watch that answers with events is read a line at a
            // time; an error is read whole by kube, so it is capped whole.
            let rule = if answer.status().is_success() {
                rule
            } else {
                Rule::Whole
            };
            answer.map(|inner| CappedBody {
                inner,
                rule,
                max,
                counted: 0,
                refused: false,
            })
        })
    }
}

/// A body that errors with [`TooLarge`] once it passes its cap, and reads
/// nothing more after that.
pub struct CappedBody<B> {
    inner: B,
    rule: Rule,
    max: u64,
    /// Bytes of the whole answer, or of the line being read.
    counted: u64,
    refused: bool,
}

impl<B> CappedBody<B> {
    fn too_large(&mut self) -> Poll<Option<Result<Frame<Bytes>, tower::BoxError>>> {
        self.refused = true;
        Poll::Ready(Some(Err(Box::new(TooLarge {
            cap: size_words(self.max),
        }))))
    }

    /// Count `data`; false once the cap is passed.
    fn count(&mut self, data: &[u8]) -> bool {
        match self.rule {
            Rule::Whole => {
                self.counted = self.counted.saturating_add(data.len() as u64);
                self.counted <= self.max
            }
            Rule::PerLine => {
                let mut line = self.counted;
                for (i, piece) in data.split(|b| *b == b'\n').enumerate() {
                    if i > 0 {
                        line = 0;
                    }
                    line = line.saturating_add(piece.len() as u64);
                    if line > self.max {
                        return false;
                    }
                }
                self.counted = line;
                true
            }
        }
    }
}

impl<B> Body for CappedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<tower::BoxError>,
{
    type Data = Bytes;
    type Error = tower::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.refused {
            return Poll::Ready(None);
        }
        // A whole answer that says up front it is too large is not read.
        if self.rule == Rule::Whole
            && self.counted == 0
            && self.inner.size_hint().lower() > self.max
        {
            return self.too_large();
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let fits = frame.data_ref().is_none_or(|data| self.count(data));
                if fits {
                    Poll::Ready(Some(Ok(frame)))
                } else {
                    self.too_large()
                }
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.refused || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The cap's refusal somewhere in `e`'s chain of causes.
pub fn refusal<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a TooLarge> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(t) = c.downcast_ref::<TooLarge>() {
            return Some(t);
        }
        // A watch's reader wraps the body's error in an io::Error, whose
        // `source` skips the error it wraps.
        if let Some(inner) = c
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| refusal(inner))
        {
            return Some(inner);
        }
        cause = c.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(rule: Rule, max: u64) -> CappedBody<()> {
        CappedBody {
            inner: (),
            rule,
            max,
            counted: 0,
            refused: false,
        }
    }

    /// A watch answered with an error is read whole by kube: capped whole.
    #[tokio::test]
    async fn a_watch_that_answers_an_error_is_capped_whole() {
        for (status, expected) in [(200, Rule::PerLine), (500, Rule::Whole)] {
            let answer = Response::builder().status(status).body(());
            let Ok(answer) = answer else {
                panic!("a response");
            };
            let capped = CappedAnswer {
                inner: std::future::ready(Ok::<_, ()>(answer)),
                rule: Rule::PerLine,
                max: 10,
            };
            let Ok(capped) = capped.await else {
                panic!("an answer");
            };
            assert_eq!(capped.body().rule, expected, "status {status}");
        }
    }

    #[test]
    fn a_whole_answer_is_counted_across_chunks() {
        let mut b = body(Rule::Whole, 10);
        assert!(b.count(b"12345"));
        assert!(b.count(b"12345"));
        assert!(!b.count(b"1"));
    }

    #[test]
    fn a_watch_is_counted_per_line_so_many_small_events_pass() {
        let mut b = body(Rule::PerLine, 10);
        for _ in 0..1000 {
            assert!(b.count(b"{\"e\":1}\n"));
        }
        // One line split over chunks still counts as one.
        assert!(b.count(b"123456"));
        assert!(!b.count(b"78901\n"));
    }

    #[test]
    fn only_watch_requests_are_counted_per_line() {
        let watch = Request::get("/apis/x?&watch=true&fieldSelector=a").body(());
        let get = Request::get("/apis/x?fieldSelector=watch%3Dtrue").body(());
        assert!(watch.is_ok_and(|r| is_watch(&r)));
        assert!(get.is_ok_and(|r| !is_watch(&r)));
    }

    #[test]
    fn the_refusal_is_found_through_an_io_error() {
        let too_large = TooLarge {
            cap: "64 KiB".to_string(),
        };
        let wrapped = std::io::Error::other(too_large.clone());
        assert_eq!(refusal(&wrapped), Some(&too_large));
        let other = std::io::Error::other("reset");
        assert_eq!(refusal(&other), None);
    }
}
