//! A client's call channel (`ObjectRequest::OpenChannel`): the connection
//! then carries `ObjectWire::Call` frames (data lane) and `Cancel` frames
//! (urgent lane) from the client, and `Reply` frames back, in the order
//! calls end. Calls are numbered by the client; many are in flight at once.
//!
//! The reader never waits for a call: a call goes to its adapter's queue
//! and the reader reads on. Still, one TCP stream delivers bytes in order:
//! a cancel written after megabytes of calls arrives after them. So the
//! urgent lane has a connection of its own (`ObjectRequest::OpenUrgent`
//! with the channel's token), carrying only cancels: a cancel never waits
//! behind call bytes, in the client, in the kernel or in the node.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::proto::{CallOutcome, ObjectReply, ObjectRequest, ObjectWire};
use super::Objects;
use crate::control::{ReplyBody, Response};
use crate::net::frame::{Frame, FrameDecoder, Lane};

/// A channel's calls in flight: the client's number -> the node's.
pub(crate) type Flights = Arc<std::sync::Mutex<HashMap<u64, u64>>>;

/// Does `req` turn its connection into a call channel or an urgent lane?
pub fn opens(req: &ObjectRequest) -> bool {
    matches!(req, ObjectRequest::OpenChannel | ObjectRequest::OpenUrgent { .. })
}

async fn answer<W: AsyncWrite + Unpin>(w: &mut W, id: u64, result: Result<ObjectReply, String>) -> Result<(), String> {
    let frame = Response { id, result: result.map(ReplyBody::Object) }.frame();
    match tokio::time::timeout(WRITE_TIMEOUT, w.write_all(&frame.encode())).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("client does not read".into()),
    }
}

/// Serves the connection that request `id` (`req`, see `opens`) turned
/// into a call channel or an urgent lane, until the client closes it;
/// `socket`: its TCP socket, watched for urgent data (`oob.rs`).
pub async fn serve<S>(
    stream: S,
    decoder: FrameDecoder,
    pending: Vec<Frame>,
    objects: Arc<Objects>,
    (id, req): (u64, ObjectRequest),
    socket: Option<std::os::fd::RawFd>,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    match req {
        ObjectRequest::OpenUrgent { token } => serve_urgent(stream, decoder, pending, objects, id, token).await,
        _ => {
            let (token, flights) = objects.open_channel();
            let _urgent_data = socket.and_then(|fd| super::oob::watch(fd, objects.clone(), flights.clone()).ok());
            let served = serve_calls(stream, decoder, pending, &objects, id, token, flights).await;
            objects.close_channel(token);
            served
        }
    }
}

/// An urgent lane: cancels for the calls of channel `token`.
async fn serve_urgent<S>(
    mut stream: S,
    mut decoder: FrameDecoder,
    pending: Vec<Frame>,
    objects: Arc<Objects>,
    id: u64,
    token: u64,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Some(flights) = objects.channel(token) else {
        return answer(&mut stream, id, Err("no such call channel".into())).await;
    };
    answer(&mut stream, id, Ok(ObjectReply::Done)).await?;
    let mut frames = pending;
    let mut buf = vec![0u8; 4096];
    loop {
        for f in frames.drain(..) {
            match (f.lane, ObjectWire::decode(f.kind, &f.payload)) {
                (Lane::Urgent, Ok(ObjectWire::Cancel { call })) => {
                    let number = flights.lock().unwrap_or_else(|e| e.into_inner()).get(&call).copied();
                    if let Some(number) = number.filter(|n| *n != u64::MAX) {
                        objects.cancel(number);
                    }
                }
                _ => return Err(format!("an urgent lane carries only cancels, not kind {}", f.kind)),
            }
        }
        let n = match tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut buf)).await {
            Ok(Ok(0)) => return decoder.finish().map_err(|e| e.to_string()),
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("urgent lane idle too long".into()),
        };
        frames = decoder.push(&buf[..n]).map_err(|e| e.to_string())?;
    }
}

/// Most calls one channel may have in flight; more are refused.
pub const MAX_IN_FLIGHT: usize = 65_536;
/// How long a channel with no call in flight may stay silent.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest wait for one write to the client.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves a call channel until the client closes it; `pending` are the
/// frames already read after the request that opened it.
async fn serve_calls<S>(
    mut stream: S,
    mut decoder: FrameDecoder,
    pending: Vec<Frame>,
    objects: &Arc<Objects>,
    id: u64,
    token: u64,
    in_flight: Flights,
) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    answer(&mut stream, id, Ok(ObjectReply::Channel { token })).await?;
    let (mut reader, mut writer) = tokio::io::split(stream);
    let (tx, mut rx) = mpsc::unbounded_channel::<ObjectWire>();
    objects.attach_writer(token, &tx);
    let counted = objects.clone();
    // Writes answers as they come, coalescing those already there.
    let write_task = tokio::spawn(async move {
        let mut batch = Vec::new();
        while let Some(answer) = rx.recv().await {
            batch.clear();
            batch.extend(answer.frame().encode());
            while batch.len() < 64 * 1024 {
                match rx.try_recv() {
                    Ok(answer) => batch.extend(answer.frame().encode()),
                    Err(_) => break,
                }
            }
            counted.channel_bytes_out.fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
            match tokio::time::timeout(WRITE_TIMEOUT, writer.write_all(&batch)).await {
                Ok(Ok(())) => {}
                _ => return,
            }
        }
    });
    let mut frames = pending;
    let mut buf = vec![0u8; 64 * 1024];
    let result = loop {
        for frame in frames.drain(..) {
            let decoded = ObjectWire::decode(frame.kind, &frame.payload);
            let (call, body, caching) = match decoded {
                Ok(ObjectWire::Call { call, body }) => (call, body, false),
                Ok(ObjectWire::CallCaching { call, body }) => (call, body, true),
                Ok(ObjectWire::InvalidateAck { seq }) => {
                    objects.invalidation_acked(seq, &super::Holder::Channel(token));
                    continue;
                }
                other => {
                    match other {
                        Ok(ObjectWire::Cancel { call }) => {
                            let number = in_flight.lock().unwrap_or_else(|e| e.into_inner()).get(&call).copied();
                            if let Some(number) = number.filter(|n| *n != u64::MAX) {
                                objects.cancel(number);
                            }
                        }
                        Ok(other) => {
                            let why = format!("unexpected frame on a call channel: kind {}", other.kind());
                            return finish(tx, write_task, Err(why)).await;
                        }
                        Err(e) => {
                            return finish(tx, write_task, Err(format!("bad frame on a call channel: {e}"))).await
                        }
                    }
                    continue;
                }
            };
            // A fronted service in handoff mode: the client is told where
            // to go; the call is not made here.
            match objects.hand_off(&body) {
                Some(Ok((reference, addr))) => {
                    let _ = tx.send(ObjectWire::HandOff { call, reference, addr });
                    continue;
                }
                Some(Err(why)) => {
                    let _ = tx.send(ObjectWire::Reply { call, outcome: CallOutcome::Unavailable(why) });
                    continue;
                }
                None => {}
            }
            let mut flights = in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if flights.len() >= MAX_IN_FLIGHT {
                let refused = CallOutcome::Err(format!("over {MAX_IN_FLIGHT} calls in flight"));
                let _ = tx.send(ObjectWire::Reply { call, outcome: refused });
                continue;
            }
            // Reserved before the call may end (and remove it).
            flights.insert(call, u64::MAX);
            drop(flights);
            let (tx, flights) = (tx.clone(), in_flight.clone());
            let sink = super::LeaseSink::default();
            let leased = sink.clone();
            let epoch = objects.epoch();
            let reply: super::Answer = Box::new(move |outcome, cookie| {
                flights.lock().unwrap_or_else(|e| e.into_inner()).remove(&call);
                let lease = leased.lock().unwrap_or_else(|e| e.into_inner()).take();
                let w = match lease {
                    Some((d, _)) => ObjectWire::ReplyLease { call, outcome, lease_ms: d.as_millis() as u64, epoch },
                    None => ObjectWire::answer(call, outcome, cookie),
                };
                let _ = tx.send(w);
            });
            let number = match caching {
                true => objects.invoke_leased(body, super::Holder::Channel(token), sink, reply),
                false => objects.invoke_answered(body, reply),
            };
            if let Some(n) = in_flight.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&call) {
                *n = number;
            }
        }
        let idle = in_flight.lock().unwrap_or_else(|e| e.into_inner()).is_empty();
        let read = reader.read(&mut buf);
        let n = if idle {
            match tokio::time::timeout(IDLE_TIMEOUT, read).await {
                Ok(r) => r,
                Err(_) => break Err("call channel idle too long".to_string()),
            }
        } else {
            read.await
        };
        match n {
            Ok(0) => break decoder.finish().map_err(|e| e.to_string()),
            Ok(n) => match decoder.push(&buf[..n]) {
                Ok(f) => frames = f,
                Err(e) => break Err(e.to_string()),
            },
            Err(e) => break Err(e.to_string()),
        }
    };
    finish(tx, write_task, result).await
}

/// Lets the writer send the answers of calls still running (they hold
/// senders; the writer ends when the last is answered), within a bound.
async fn finish(
    tx: mpsc::UnboundedSender<ObjectWire>,
    write_task: tokio::task::JoinHandle<()>,
    result: Result<(), String>,
) -> Result<(), String> {
    drop(tx);
    let _ = tokio::time::timeout(Duration::from_secs(1), write_task).await;
    result
}
