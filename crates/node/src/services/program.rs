//! External programs serving connections (inetd-style), as the node's
//! operator declared them in the services file:
//!
//! - `nowait`, relayed: the program's stdin and stdout are pipes; the node
//!   copies the connection's bytes (decrypted, under TLS, or spliced from
//!   the node's port) into stdin and stdout's bytes back. The client's
//!   end of input closes stdin; the program's end of output ends the
//!   connection.
//! - `nowait`, handed over: on a port of its own of a node without TLS,
//!   the accepted TCP socket itself is the program's stdin and stdout, as
//!   under inetd (the node keeps no copy; it only waits for the exit).
//! - `wait`: the listening socket is the program's stdin; it accepts
//!   connections itself. The node starts it when a connection is pending
//!   and watches the port again when it exits.
//!
//! Every program runs at most the service's timeout (then it is killed),
//! with an empty environment but `PATH`, `ITIN_SERVICE` and, per
//! connection, `REMOTE_ADDR`/`REMOTE_PORT`; its stderr is the node's.

use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{unix::AsyncFd, AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a program may take to exit after its connection ended.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// `wait` services: at most this many starts in `START_WINDOW`; beyond,
/// the service pauses (a program that exits without accepting would
/// otherwise be restarted in a loop), as inetd does.
const MAX_STARTS: usize = 40;
const START_WINDOW: Duration = Duration::from_secs(60);

/// A program ready to start for one connection.
pub(super) struct Program<'a> {
    pub service: &'a str,
    pub argv: &'a [String],
    pub remote: Option<SocketAddr>,
}

impl Program<'_> {
    fn command(&self) -> Command {
        let mut c = Command::new(&self.argv[0]);
        c.args(&self.argv[1..])
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("ITIN_SERVICE", self.service)
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(r) = self.remote {
            c.env("REMOTE_ADDR", r.ip().to_string()).env("REMOTE_PORT", r.port().to_string());
        }
        c
    }

    fn failed(&self, e: std::io::Error) -> String {
        format!("service {}: cannot start {}: {e}", self.service, self.argv[0])
    }

    /// Starts the program with piped stdin and stdout (see `relay`).
    pub fn spawn_piped(&self) -> Result<Child, String> {
        self.command().stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().map_err(|e| self.failed(e))
    }

    /// Starts the program on `tcp` itself (stdin and stdout) and waits
    /// for it, at most `lifetime`. A program that cannot start: the
    /// client reads why.
    pub async fn hand_socket(&self, tcp: tokio::net::TcpStream, lifetime: Duration) -> Result<(), String> {
        let tcp = tcp.into_std().map_err(|e| e.to_string())?;
        tcp.set_nonblocking(false).map_err(|e| e.to_string())?;
        let (input, output) = (tcp.try_clone(), tcp.try_clone());
        let (input, output) = (input.map_err(|e| e.to_string())?, output.map_err(|e| e.to_string())?);
        let mut cmd = self.command();
        cmd.stdin(Stdio::from(OwnedFd::from(input))).stdout(Stdio::from(OwnedFd::from(output)));
        let spawned = cmd.spawn();
        // The command holds copies of the socket: gone, only the child has it.
        drop(cmd);
        match spawned {
            Ok(child) => {
                drop(tcp);
                reap(child, lifetime).await
            }
            Err(e) => {
                let why = self.failed(e);
                let mut tcp = tcp;
                let _ = std::io::Write::write_all(&mut tcp, format!("itin: {why}\n").as_bytes());
                Err(why)
            }
        }
    }
}

/// Waits for `child` at most `limit`, then kills it.
async fn reap(mut child: Child, limit: Duration) -> Result<(), String> {
    match tokio::time::timeout(limit, child.wait()).await {
        Ok(_) => Ok(()),
        Err(_) => {
            let _ = child.kill().await;
            Err(format!("killed after {limit:?}"))
        }
    }
}

/// Copies between `stream` and the piped `child` until the program
/// closes its output (or `lifetime` passes), then reaps it.
pub(super) async fn relay<S>(stream: S, mut child: Child, lifetime: Duration) -> Result<(), String>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("program without pipes".into());
    };
    let (mut from_client, mut to_client) = tokio::io::split(stream);
    let into_program = async move {
        let _ = tokio::io::copy(&mut from_client, &mut stdin).await;
        // Dropping stdin tells the program the input ended.
    };
    let out_of_program = async move {
        let _ = tokio::io::copy(&mut stdout, &mut to_client).await;
        let _ = to_client.shutdown().await;
    };
    tokio::pin!(into_program, out_of_program);
    let both = async {
        tokio::select! {
            () = &mut out_of_program => {}
            () = &mut into_program => out_of_program.await,
        }
    };
    let timed_out = tokio::time::timeout(lifetime, both).await.is_err();
    match reap(child, if timed_out { Duration::ZERO } else { EXIT_GRACE }).await {
        _ if timed_out => Err(format!("connection ended after {lifetime:?}")),
        r => r,
    }
}

/// Is a connection waiting on `listener` (without accepting it)?
fn pending(listener: &std::net::TcpListener) -> bool {
    let mut p = libc::pollfd { fd: listener.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd, a zero timeout.
    unsafe { libc::poll(&mut p, 1, 0) == 1 && p.revents & libc::POLLIN != 0 }
}

/// A `wait` service: whenever a connection is pending on `listener`, the
/// program is started with the listening socket as stdin and waited for
/// (at most `lifetime`); the node never accepts on it itself, except to
/// tell a client why the program could not start.
pub(super) async fn wait_loop(
    listener: std::net::TcpListener,
    program: (String, Vec<String>),
    lifetime: Duration,
    processes: Arc<Semaphore>,
) {
    let (service, argv) = program;
    let program = Program { service: &service, argv: &argv, remote: None };
    // SAFETY: the listener is moved in: its fd stays open while registered.
    let listener = match unsafe { AsyncFd::register(listener) } {
        Ok(l) => l,
        Err(e) => return tracing::warn!("service {service}: cannot watch its port: {e}"),
    };
    let mut starts: Vec<Instant> = Vec::new();
    loop {
        match listener.readable().await {
            Ok(mut ready) => ready.clear_ready(),
            Err(e) => return tracing::warn!("service {service}: {e}"),
        }
        // Edge-triggered readiness: after a run, connections the program
        // left in the backlog start the next one at once.
        while pending(listener.get_ref()) {
            starts.retain(|t| t.elapsed() < START_WINDOW);
            if starts.len() >= MAX_STARTS {
                tracing::warn!("service {service}: started {MAX_STARTS} times within {START_WINDOW:?}; pausing");
                tokio::time::sleep(START_WINDOW).await;
                continue;
            }
            starts.push(Instant::now());
            let permit: Option<OwnedSemaphorePermit> = processes.clone().try_acquire_owned().ok();
            if permit.is_none() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            if let Err(why) = run_on_listener(&program, listener.get_ref(), lifetime).await {
                tracing::warn!("{why}");
            }
        }
    }
}

/// One run of a `wait` program on the listening socket.
async fn run_on_listener(
    program: &Program<'_>,
    listener: &std::net::TcpListener,
    lifetime: Duration,
) -> Result<(), String> {
    let socket = listener.try_clone().map_err(|e| e.to_string())?;
    // Shared by every copy of the socket: restored for the node below.
    socket.set_nonblocking(false).map_err(|e| e.to_string())?;
    let mut cmd = program.command();
    cmd.stdin(Stdio::from(OwnedFd::from(socket))).stdout(Stdio::null());
    let spawned = cmd.spawn();
    drop(cmd);
    let ran = match spawned {
        Ok(child) => reap(child, lifetime).await.map_err(|e| format!("service {}: {e}", program.service)),
        Err(e) => {
            let why = program.failed(e);
            let _ = listener.set_nonblocking(true);
            // Tell the client that came why, rather than leave it waiting.
            if let Ok((mut tcp, _)) = listener.accept() {
                let _ = tcp.set_write_timeout(Some(Duration::from_secs(1)));
                let _ = std::io::Write::write_all(&mut tcp, format!("itin: {why}\n").as_bytes());
            }
            Err(why)
        }
    };
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    ran
}
