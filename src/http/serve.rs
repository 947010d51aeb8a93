//! The connection loop: accepts TCP connections, serves HTTP/1.1 on each
//! with a deadline for reading a request's head, and stops gracefully.
//!
//! axum's own `serve` sets no such deadline: a client that opens a
//! connection and never finishes its request holds it, and its task, for
//! as long as it likes, and a stop waits for it. Here each connection gets
//! hyper's header timer, handlers get the client address as
//! [`ConnectInfo`], and a stop asks every connection to finish the request
//! in flight, waiting at most a grace period before closing the rest. The
//! number of connections served at once is capped, so clients that hold
//! connections open cannot use up the process's file descriptors.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// How the loop treats connections.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// Longest time a client may take to send a request's head (request
    /// line and headers), idle keep-alive time included.
    pub header_read_timeout: Duration,
    /// Longest time a stop waits for requests in flight.
    pub grace: Duration,
    /// Connections served at once; past it, new ones wait in the kernel's
    /// backlog until one closes.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `stop` resolves, then stops
/// accepting, lets requests in flight finish within the grace period, and
/// returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    stop: impl Future<Output = ()>,
) {
    let (closing, closed) = tokio::sync::watch::channel(());
    let mut connections = JoinSet::new();
    let mut stop = pin!(stop);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::debug!(error = %error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let router = router.clone();
        let mut closed = closed.clone();
        connections.spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |mut request| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                router.clone().oneshot(request.map(Body::new::<Incoming>))
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = closed.changed() => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
        while connections.try_join_next().is_some() {}
    }

    drop(listener);
    tracing::info!("stopped accepting; finishing open requests");
    let _ = closing.send(());
    let finished = tokio::time::timeout(limits.grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            connections = connections.len(),
            grace_s = limits.grace.as_secs(),
            "connections still open after the grace period; closing them"
        );
        connections.shutdown().await;
    }
}
