//! Serving connections with hyper's HTTP/1 and a timer, so a client cannot hold
//! a connection by trickling its request head: the head must arrive whole within
//! the header timeout of the connection opening or of the previous answer, so an
//! idle kept-alive connection is closed too. (axum's own `serve` sets no timer,
//! and without one hyper has no header timeout.) The body and whole-request
//! limits are `timeouts::limit_time`'s.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    // Told to every connection at shutdown; closed once every connection has ended.
    let (stop_tx, stop_rx) = watch::channel(());
    let (ended_tx, ended_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            let mut router = router.clone();
            async move { tower_service::Service::call(&mut router, req.map(Body::new)).await }
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let (mut stop, ended) = (stop_rx.clone(), ended_rx.clone());
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(ended);
        });
    }
    drop(listener);
    let _ = stop_tx.send(());
    drop(ended_rx);
    ended_tx.closed().await;
    Ok(())
}
