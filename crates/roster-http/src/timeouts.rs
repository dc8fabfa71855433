//! Time limits on every request: its body must arrive whole within the body
//! timeout of the request's head (a client trickling a body is cut off), and the
//! answer must be ready within the request timeout. Either answers 408
//! `request_timeout` and closes the connection. The head's own limit is hyper's
//! (`serve`).

use crate::api::error::ApiError;
use crate::startup::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::CONNECTION;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use tokio::time::{Instant, Sleep};

/// A middleware on every route.
pub async fn limit_time(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let config = &state.config;
    let late = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + config.body_timeout;
    let api = req.uri().path().starts_with("/api/");
    let req = req.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            late: late.clone(),
        })
    });
    match tokio::time::timeout(config.request_timeout, next.run(req)).await {
        Ok(response) if !late.load(Ordering::Relaxed) => response,
        _ => timed_out(api),
    }
}

fn timed_out(api: bool) -> Response {
    let mut response = if api {
        ApiError::RequestTimeout.into_response()
    } else {
        (StatusCode::REQUEST_TIMEOUT, ApiError::RequestTimeout.to_string()).into_response()
    };
    response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body that fails once its deadline has passed, and says so in `late`.
struct DeadlineBody {
    inner: Body,
    deadline: Pin<Box<Sleep>>,
    late: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        // The deadline first: a client trickling bytes always has one ready.
        if self.deadline.as_mut().poll(cx).is_ready() {
            self.late.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(axum::Error::new("the request body did not arrive in time"))));
        }
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
