//! The dashboard's HTTP server loop: hyper's HTTP/1 connections under the
//! limits a node needs against a browser or anything else on its port
//! (`axum::serve` sets none): a bounded number of connections, a time
//! limit on reading a request's headers (so a client that connects and
//! sends nothing, or sends headers a byte at a time, is dropped) and a
//! bounded read buffer (so headers cannot grow without end).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The limits of the dashboard's HTTP connections.
#[derive(Clone, Copy, Debug)]
pub struct HttpLimits {
    /// Connections served at once; more are closed as they arrive.
    pub connections: usize,
    /// Time to receive a request's headers, from the connection's start
    /// or the end of the previous response.
    pub header_read: Duration,
    /// Bytes a connection may buffer while reading a request's headers.
    pub read_buffer: usize,
}

impl Default for HttpLimits {
    fn default() -> HttpLimits {
        HttpLimits { connections: 128, header_read: Duration::from_secs(10), read_buffer: 64 << 10 }
    }
}

/// Serves `router` on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, router: Router, limits: HttpLimits) {
    let slots = Arc::new(Semaphore::new(limits.connections));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: wait rather than spin.
                tracing::warn!("dashboard: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!("dashboard: {peer} refused, {} connections open", limits.connections);
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .max_buf_size(limits.read_buffer)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = connection.await {
                tracing::debug!("dashboard: connection from {peer}: {e}");
            }
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn start(limits: HttpLimits) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = Router::new().route("/", get(|| async { "hello" }));
        (addr, tokio::spawn(serve(listener, router, limits)))
    }

    /// Reads until the server closes, at most `within`.
    async fn read_to_close(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<Vec<u8>> {
        let mut got = Vec::new();
        tokio::time::timeout(within, stream.read_to_end(&mut got)).await.ok().map(|_| got)
    }

    #[tokio::test]
    async fn answers_a_request() {
        let (addr, server) = start(HttpLimits::default()).await;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
        let got = read_to_close(&mut s, Duration::from_secs(5)).await.expect("answer");
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.ends_with("hello"), "{text}");
        server.abort();
    }

    #[tokio::test]
    async fn a_silent_or_slow_client_is_dropped() {
        let limits = HttpLimits { header_read: Duration::from_millis(300), ..HttpLimits::default() };
        let (addr, server) = start(limits).await;
        let started = Instant::now();
        let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HT").await.unwrap();
        for s in [&mut silent, &mut slow] {
            let got = read_to_close(s, Duration::from_secs(5)).await.expect("closed by the server");
            assert!(!String::from_utf8_lossy(&got).contains("hello"));
        }
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(5), "{took:?}");
        server.abort();
    }

    #[tokio::test]
    async fn endless_headers_are_refused() {
        let limits = HttpLimits { read_buffer: 8 << 10, ..HttpLimits::default() };
        let (addr, server) = start(limits).await;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let header = format!("x-filler: {}\r\n", "a".repeat(1000));
        // The server closes once its buffer is full; writing may then fail.
        for _ in 0..64 {
            if s.write_all(header.as_bytes()).await.is_err() {
                break;
            }
        }
        let got = read_to_close(&mut s, Duration::from_secs(5)).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&got);
        assert!(!text.contains("hello"), "{text}");
        assert!(text.is_empty() || text.starts_with("HTTP/1.1 431"), "{text}");
        server.abort();
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_are_closed() {
        let limits = HttpLimits { connections: 2, ..HttpLimits::default() };
        let (addr, server) = start(limits).await;
        let _a = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _b = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
        let _ = third.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").await;
        let got = read_to_close(&mut third, Duration::from_secs(5)).await.expect("closed at once");
        assert!(got.is_empty());
        server.abort();
    }
}
