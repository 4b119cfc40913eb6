//! TCP urgent data as the second out-of-band path beside the urgent lane
//! (`channel.rs`): a client interrupts the calls of its call channel by
//! sending one urgent byte (`MSG_OOB`) on the channel's own connection
//! (`ObjectClient::interrupt`). The urgent byte cancels every call of that
//! channel in flight (like telnet's Interrupt Process: one byte says
//! "stop", not which call).
//!
//! The node watches the socket for urgent data apart from its reader (a
//! thread that takes the socket's `SIGURG`, see `watch`), so it never
//! reads through the in-band bytes queued before the urgent byte: the
//! signal comes with the first segment announcing the urgent pointer.
//! The byte itself must find room in the client's send buffer; the client
//! library keeps that buffer small (`CHANNEL_BUFFER`) and grows it for
//! the one byte when the data lane filled it (`send_urgent`).
//!
//! Under TLS the urgent byte is outside the record stream: `SO_OOBINLINE`
//! is off (the default), so the kernel keeps the byte out of the in-band
//! bytes the TLS layer reads, and the records stay intact. One caveat of
//! TCP (RFC 6093): a second urgent byte sent before the node took the
//! first turns the first into an in-band byte, which breaks a TLS stream
//! (the node then closes the connection as garbage). A client sends one
//! urgent byte and waits for the answers of the calls it interrupted
//! before it sends another.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::channel::Flights;
use super::Objects;
use crate::net::tls::Stream;

/// The TCP socket under a connection (TLS or plain).
pub fn socket_of(stream: &Stream) -> RawFd {
    match stream {
        Stream::Plain(s) => s.as_raw_fd(),
        Stream::Tls(s) => s.get_ref().0.as_raw_fd(),
    }
}

/// A descriptor of its own for the socket `fd` (the socket lives while it does).
pub fn duplicate(fd: RawFd) -> std::io::Result<OwnedFd> {
    // SAFETY: dup of a descriptor the caller holds open; the new one is owned here.
    let dup = unsafe { libc::dup(fd) };
    if dup < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `dup` is a fresh, open descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(dup) })
}

fn send_byte(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: one byte from a valid buffer.
    let sent = unsafe { libc::send(fd, b"!".as_ptr().cast(), 1, libc::MSG_OOB | libc::MSG_DONTWAIT) };
    match sent {
        1 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Sends one urgent byte on socket `fd` (whose send buffer is capped at
/// `CHANNEL_BUFFER`). A full buffer (the data lane saturated) is grown
/// for that one byte, so it need not wait for the client's own writer to
/// leave room; `WouldBlock` if even that fails.
pub fn send_urgent(fd: RawFd) -> std::io::Result<()> {
    let mut sent = send_byte(fd);
    for grown in [4, 16, 64] {
        match &sent {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                set_buffer(fd, libc::SO_SNDBUF, grown * CHANNEL_BUFFER)?;
                sent = send_byte(fd);
            }
            _ => break,
        }
    }
    set_buffer(fd, libc::SO_SNDBUF, CHANNEL_BUFFER)?;
    sent
}

/// Kernel buffer of a call channel's socket, each side: an urgent byte
/// is never more than about this many bytes behind (Linux doubles it).
pub const CHANNEL_BUFFER: usize = 64 * 1024;

/// Caps socket `fd`'s kernel buffer `option` (`SO_SNDBUF`, `SO_RCVBUF`)
/// at `CHANNEL_BUFFER`, so that urgent data waits behind little.
pub fn cap_buffer(fd: RawFd, option: libc::c_int) -> std::io::Result<()> {
    set_buffer(fd, option, CHANNEL_BUFFER)
}

fn set_buffer(fd: RawFd, option: libc::c_int, bytes: usize) -> std::io::Result<()> {
    let size = bytes as libc::c_int;
    // SAFETY: a valid int option value of the right length.
    let set = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            option,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    match set {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Takes the urgent byte waiting on `fd`, if there is one.
fn take_urgent(fd: RawFd) -> bool {
    let mut byte = 0u8;
    // SAFETY: one byte into a valid buffer.
    let n = unsafe { libc::recv(fd, (&mut byte as *mut u8).cast(), 1, libc::MSG_OOB | libc::MSG_DONTWAIT) };
    n == 1
}

/// How often a watcher looks whether its channel ended.
const WATCH_TICK: Duration = Duration::from_millis(50);

/// `fcntl(F_SETOWN_EX)` with an owner of kind `F_OWNER_TID` (Linux; not
/// in the libc crate for glibc targets).
const F_SETOWN_EX: libc::c_int = 15;
const F_OWNER_TID: libc::c_int = 0;
#[repr(C)]
struct OwnerEx {
    kind: libc::c_int,
    pid: libc::pid_t,
}

/// Watches a call channel's socket for urgent data while it lives
/// (dropped: the watcher ends within `WATCH_TICK`).
pub(crate) struct Watch(Arc<AtomicBool>);

impl Drop for Watch {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Starts watching socket `fd` of the channel whose calls in flight are
/// `flights`: urgent data cancels them all.
///
/// The watcher is a thread that owns the socket's `SIGURG` (`F_SETOWN_EX`
/// naming the thread; the signal blocked there and taken with
/// `sigtimedwait`). The kernel raises it when a segment announcing the
/// urgent pointer arrives — the first segment the client sends after its
/// urgent byte, before the bytes queued ahead of that byte — so neither
/// the node's reader nor the data in flight delays it. Waiting for the
/// byte itself (`POLLPRI`) would wait behind those bytes, and loses the
/// race with a busy reader: the kernel drops an urgent byte the in-band
/// reader passed.
pub(crate) fn watch(fd: RawFd, objects: Arc<Objects>, flights: Flights) -> std::io::Result<Watch> {
    let socket = duplicate(fd)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    // Weak: the last reference to the object server must not be dropped
    // on this small stack (its servants' interpreters go with it).
    let objects = Arc::downgrade(&objects);
    std::thread::Builder::new().name("itin-urgent".into()).stack_size(64 * 1024).spawn(move || {
        // SAFETY: plain libc calls on a signal set and a descriptor owned here.
        unsafe {
            let mut urg: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut urg);
            libc::sigaddset(&mut urg, libc::SIGURG);
            libc::pthread_sigmask(libc::SIG_BLOCK, &urg, std::ptr::null_mut());
            let owner = OwnerEx { kind: F_OWNER_TID, pid: libc::gettid() };
            if libc::fcntl(socket.as_raw_fd(), F_SETOWN_EX, &owner) < 0 {
                tracing::warn!("urgent data not watched: {}", std::io::Error::last_os_error());
                return;
            }
            let tick = libc::timespec { tv_sec: 0, tv_nsec: WATCH_TICK.as_nanos() as libc::c_long };
            while !stopped.load(Ordering::Relaxed) {
                if libc::sigtimedwait(&urg, std::ptr::null_mut(), &tick) == libc::SIGURG {
                    take_urgent(socket.as_raw_fd());
                    let numbers: Vec<u64> =
                        flights.lock().unwrap_or_else(|e| e.into_inner()).values().copied().collect();
                    let Some(objects) = objects.upgrade() else { return };
                    for number in numbers.into_iter().filter(|n| *n != u64::MAX) {
                        objects.cancel(number);
                    }
                }
            }
        }
    })?;
    Ok(Watch(stop))
}
