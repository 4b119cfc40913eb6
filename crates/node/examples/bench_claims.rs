//! The seed's claims about processes, threads and user-level threads,
//! measured in one run on this machine (`scripts/bench-claims.sh`,
//! `docs/CLAIMS.md`): where an Itinerant agent sits between a function
//! call and a process.
//!
//! 1. create + exit (+ wait for it): a function call, a process (fork +
//!    exit, fork + exec), an OS thread, a tokio task, an agent;
//! 2. a switch between two of each (a round trip is two switches; all on
//!    one CPU, so every switch is a real one): processes and threads over
//!    pipes, tokio tasks over channels on one thread, agents exchanging
//!    messages on one worker;
//! 3. a blocking call among user-level threads: round trips of a
//!    ping-pong pair during a second in which others block in `sleep 1`,
//!    for agents (`exec` goes to the blocking pool: the two-level model),
//!    tokio tasks with `spawn_blocking` (the same), and tokio tasks calling
//!    the program on their one thread (what a pure user-level system
//!    does: everyone waits).
//!
//! Prints markdown tables; every figure is the median of `REPEATS` runs.
//! Usage: bench_claims [SCALE] (1 = default iteration counts; 0.1 for a
//! quick look).

use std::time::{Duration, Instant};

use itinerant_core::{Runtime, RuntimeConfig};

// The same allocator as `itin` (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REPEATS: usize = 5;
const WAIT: Duration = Duration::from_secs(120);

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

/// Median nanoseconds per operation of `run(n)` (which does n operations).
fn per_op(n: usize, mut run: impl FnMut(usize)) -> f64 {
    let runs = (0..REPEATS)
        .map(|_| {
            let t = Instant::now();
            run(n);
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    median(runs)
}

fn pin_to_cpu0() -> libc::cpu_set_t {
    // SAFETY: plain libc calls on a zeroed cpu_set_t of this thread.
    unsafe {
        let mut old: libc::cpu_set_t = std::mem::zeroed();
        libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut old);
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut one);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &one);
        old
    }
}

fn restore_affinity(old: &libc::cpu_set_t) {
    // SAFETY: restores the mask read by `pin_to_cpu0`.
    unsafe {
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), old);
    }
}

// ----- 1. create + exit ----------------------------------------------------

#[inline(never)]
fn empty_function(x: u64) -> u64 {
    std::hint::black_box(x) + 1
}

fn function_calls(n: usize) {
    let mut x = 0;
    for _ in 0..n {
        x = empty_function(x);
    }
    std::hint::black_box(x);
}

fn fork_exit(n: usize) {
    for _ in 0..n {
        // SAFETY: the child only calls _exit, which is async-signal-safe.
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                libc::_exit(0);
            }
            assert!(pid > 0, "fork failed");
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
    }
}

fn fork_exec(n: usize) {
    let path = c"/bin/true";
    let argv = [path.as_ptr(), std::ptr::null()];
    for _ in 0..n {
        // SAFETY: the child only calls execv and _exit (async-signal-safe),
        // with arguments built before the fork.
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                libc::execv(path.as_ptr(), argv.as_ptr());
                libc::_exit(127);
            }
            assert!(pid > 0, "fork failed");
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
    }
}

fn threads(n: usize) {
    for _ in 0..n {
        std::thread::spawn(|| std::hint::black_box(1)).join().expect("thread");
    }
}

fn tokio_tasks(rt: &tokio::runtime::Runtime, n: usize) {
    rt.block_on(async {
        for _ in 0..n {
            tokio::spawn(async { std::hint::black_box(1) }).await.expect("task");
        }
    });
}

fn agents(rt: &Runtime, n: usize) {
    for _ in 0..n {
        let id = rt.spawn("set x 1", None).expect("spawn");
        rt.wait(&id, WAIT).expect("ended");
    }
}

// ----- 2. switches -----------------------------------------------------------

fn pipe() -> (i32, i32) {
    let mut fds = [0; 2];
    // SAFETY: pipe fills the two descriptors.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    (fds[0], fds[1])
}

fn one_byte(fd: i32, write: bool) {
    let mut b = [0u8; 1];
    // SAFETY: one byte to or from a valid descriptor and buffer.
    let n = unsafe {
        if write {
            libc::write(fd, b.as_ptr().cast(), 1)
        } else {
            libc::read(fd, b.as_mut_ptr().cast(), 1)
        }
    };
    assert_eq!(n, 1, "pipe i/o");
}

/// `n` round trips over two pipes with `echo` (which answers each byte)
/// running elsewhere; closes the pipes.
/// `start_echo` gets the echo's two ends and the caller's (which a forked
/// echo must close, or it never sees end of file).
fn pipe_round_trips(n: usize, start_echo: impl FnOnce(i32, i32, [i32; 2]) -> Box<dyn FnOnce()>) {
    let (to_echo_r, to_echo_w) = pipe();
    let (from_echo_r, from_echo_w) = pipe();
    let finish = start_echo(to_echo_r, from_echo_w, [to_echo_w, from_echo_r]);
    for _ in 0..n {
        one_byte(to_echo_w, true);
        one_byte(from_echo_r, false);
    }
    // SAFETY: closing descriptors this function opened; the echo side
    // sees end of file and stops.
    unsafe {
        libc::close(to_echo_w);
        libc::close(from_echo_r);
    }
    finish();
}

fn echo_loop(from: i32, to: i32) {
    let mut b = [0u8; 1];
    // SAFETY: reads and writes one byte on valid descriptors until EOF.
    unsafe {
        while libc::read(from, b.as_mut_ptr().cast(), 1) == 1 {
            libc::write(to, b.as_ptr().cast(), 1);
        }
    }
}

fn process_switches(n: usize) {
    pipe_round_trips(n, |from, to, callers| {
        // SAFETY: the child runs only close/read/write/_exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork");
        if pid == 0 {
            unsafe {
                libc::close(callers[0]);
                libc::close(callers[1]);
            }
            echo_loop(from, to);
            unsafe { libc::_exit(0) };
        }
        unsafe {
            libc::close(from);
            libc::close(to);
        }
        Box::new(move || unsafe {
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        })
    });
}

fn thread_switches(n: usize) {
    pipe_round_trips(n, |from, to, _| {
        let echo = std::thread::spawn(move || {
            echo_loop(from, to);
            // SAFETY: the thread owns these two descriptors.
            unsafe {
                libc::close(from);
                libc::close(to);
            }
        });
        Box::new(move || echo.join().expect("echo thread"))
    });
}

/// A task on the current runtime answering each byte sent on the first
/// channel on the second: the other half of a ping-pong pair.
fn spawn_echo_task() -> (tokio::sync::mpsc::Sender<u8>, tokio::sync::mpsc::Receiver<u8>) {
    let (to_echo, mut echo_in) = tokio::sync::mpsc::channel::<u8>(1);
    let (echo_out, from_echo) = tokio::sync::mpsc::channel::<u8>(1);
    tokio::spawn(async move {
        while let Some(b) = echo_in.recv().await {
            if echo_out.send(b).await.is_err() {
                break;
            }
        }
    });
    (to_echo, from_echo)
}

fn task_switches(n: usize) {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("tokio");
    rt.block_on(async {
        let (to_echo, mut from_echo) = spawn_echo_task();
        for _ in 0..n {
            to_echo.send(1).await.expect("send");
            from_echo.recv().await.expect("recv");
        }
    });
}

fn agent_runtime(workers: usize) -> Runtime {
    let mut config = RuntimeConfig::for_node("claims");
    config.workers = workers;
    config.exec_allow = vec!["sleep".into(), "/bin/true".into(), "true".into()];
    config.blocking_threads = 8;
    Runtime::new(config)
}

fn agent_switches(rt: &Runtime, n: usize) {
    let pong = rt.spawn("while 1 { set from [agent_receive c b]; agent_send $from 0 $b }", None).expect("spawn");
    let ping = rt
        .spawn(&format!("for {{set i 0}} {{$i < {n}}} {{incr i}} {{ agent_send {pong} 0 x; agent_receive c b }}"), None)
        .expect("spawn");
    rt.wait(&ping, WAIT).expect("done");
    rt.kill(&pong).expect("kill");
}

// ----- 3. a blocking call among user-level threads ---------------------------

const WINDOW: Duration = Duration::from_secs(1);
const BLOCKERS: usize = 4;

/// What a ping-pong pair did in `WINDOW`: round trips, and the longest
/// pause between two of them.
#[derive(Clone, Copy, Default)]
struct Window {
    round_trips: u64,
    longest_pause: Duration,
}

/// The median of `REPEATS` windows, by round trips.
fn median_window(mut run: impl FnMut() -> Window) -> Window {
    let mut ws: Vec<Window> = (0..REPEATS).map(|_| run()).collect();
    ws.sort_by_key(|w| w.round_trips);
    ws[ws.len() / 2]
}

/// An agent pair's `Window`, with `blockers` agents in `exec sleep 1`
/// meanwhile.
fn agent_round_trips_while(rt: &Runtime, blockers: usize) -> Window {
    let pong = rt.spawn("while 1 { set from [agent_receive c b]; agent_send $from 0 $b }", None).expect("spawn");
    let sleepers: Vec<_> = (0..blockers).map(|_| rt.spawn("exec sleep 1", None).expect("spawn")).collect();
    let us = WINDOW.as_micros();
    let ping = rt
        .spawn(
            &format!(
                "set n 0; set longest 0; set last [clock microseconds]; set end [expr {{$last + {us}}}]
                 while {{$last < $end}} {{
                     agent_send {pong} 0 x; agent_receive c b; incr n
                     set now [clock microseconds]
                     if {{$now - $last > $longest}} {{ set longest [expr {{$now - $last}}] }}
                     set last $now
                 }}
                 list $n $longest"
            ),
            None,
        )
        .expect("spawn");
    let result = rt.wait(&ping, WAIT).expect("done").result.unwrap_or_default();
    let mut fields = result.split_whitespace().map(|f| f.parse::<u64>().unwrap_or(0));
    let (round_trips, pause_us) = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
    for s in &sleepers {
        rt.wait(s, WAIT).expect("sleeper ended");
    }
    rt.kill(&pong).expect("kill");
    Window { round_trips, longest_pause: Duration::from_micros(pause_us) }
}

#[derive(Clone, Copy)]
enum Blocking {
    None,
    /// `spawn_blocking`: the program waits on another kernel thread.
    OffThread,
    /// The task itself waits for the program: its thread is blocked.
    OnThread,
}

/// A task pair's `Window` on a one-thread tokio runtime, with
/// `BLOCKERS` tasks running `sleep 1` as `how` says.
fn task_round_trips_while(how: Blocking) -> Window {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("tokio");
    rt.block_on(async move {
        let (to_echo, mut from_echo) = spawn_echo_task();
        let sleep = || std::process::Command::new("sleep").arg("1").status().map(|_| ());
        let blockers: Vec<_> = (0..BLOCKERS)
            .map(|_| match how {
                Blocking::None => tokio::spawn(async { Ok(()) }),
                Blocking::OffThread => tokio::spawn(async move { tokio::task::spawn_blocking(sleep).await? }),
                Blocking::OnThread => tokio::spawn(async move { sleep() }),
            })
            .collect();
        // The window opens as the blockers start (a task blocking its
        // thread runs as soon as this one first waits).
        let mut last = Instant::now();
        let end = last + WINDOW;
        let mut w = Window::default();
        while last < end {
            to_echo.send(1).await.expect("send");
            from_echo.recv().await.expect("recv");
            w.round_trips += 1;
            let now = Instant::now();
            w.longest_pause = w.longest_pause.max(now - last);
            last = now;
        }
        for b in blockers {
            let _ = b.await;
        }
        w
    })
}

fn main() {
    let scale: f64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let count = |n: usize| ((n as f64 * scale) as usize).max(10);

    // Processes first, while this process is small (fork copies its
    // page tables).
    let fork_exit_ns = per_op(count(2_000), fork_exit);
    let fork_exec_ns = per_op(count(1_000), fork_exec);
    let thread_ns = per_op(count(5_000), threads);
    let tokio_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().expect("tokio");
    let task_ns = per_op(count(100_000), |n| tokio_tasks(&tokio_rt, n));
    drop(tokio_rt);
    let function_ns = per_op(count(10_000_000), function_calls);
    let rt2 = agent_runtime(2);
    let agent_ns = per_op(count(50_000), |n| agents(&rt2, n));
    drop(rt2);

    println!("### Create and exit (and wait for the end), one at a time\n");
    println!("| what | ns per create+exit | × a function call | × an agent |");
    println!("|---|---:|---:|---:|");
    for (what, ns) in [
        ("function call (not inlined)", function_ns),
        ("tokio task (spawn + await, 2 worker threads)", task_ns),
        ("Itinerant agent (spawn `set x 1` + wait, 2 workers)", agent_ns),
        ("OS thread (spawn + join)", thread_ns),
        ("process: fork + _exit + waitpid", fork_exit_ns),
        ("process: fork + exec /bin/true + waitpid", fork_exec_ns),
    ] {
        println!("| {what} | {ns:.0} | {:.0} | {:.2} |", ns / function_ns, ns / agent_ns);
    }

    let old = pin_to_cpu0();
    let process_ns = per_op(count(50_000), process_switches) / 2.0;
    let thread_sw_ns = per_op(count(50_000), thread_switches) / 2.0;
    let task_sw_ns = per_op(count(500_000), task_switches) / 2.0;
    let rt1 = agent_runtime(1);
    let agent_sw_ns = per_op(count(200_000), |n| agent_switches(&rt1, n)) / 2.0;
    restore_affinity(&old);

    println!("\n### A switch between two (half a round trip), everything on one CPU\n");
    println!("| what | ns per switch | × a process switch |");
    println!("|---|---:|---:|");
    for (what, ns) in [
        ("two processes, a byte over pipes", process_ns),
        ("two threads of a process, a byte over pipes", thread_sw_ns),
        ("two tokio tasks on one thread, channels", task_sw_ns),
        ("two Itinerant agents on one worker, agent_send/agent_receive", agent_sw_ns),
    ] {
        println!("| {what} | {ns:.0} | {:.3} |", ns / process_ns);
    }

    let quiet = median_window(|| agent_round_trips_while(&rt1, 0));
    let busy = median_window(|| agent_round_trips_while(&rt1, BLOCKERS));
    drop(rt1);
    let task_quiet = median_window(|| task_round_trips_while(Blocking::None));
    let task_off = median_window(|| task_round_trips_while(Blocking::OffThread));
    let task_on = median_window(|| task_round_trips_while(Blocking::OnThread));
    println!("\n### A ping-pong pair during {} s while {BLOCKERS} others run `sleep 1`\n", WINDOW.as_secs());
    println!("| who blocks, and where | round trips, nobody blocking | while they block | ratio | longest pause while they block |");
    println!("|---|---:|---:|---:|---:|");
    for (what, a, b) in [
        ("Itinerant agents, `exec sleep 1` (blocking pool), 1 worker", quiet, busy),
        ("tokio tasks, `spawn_blocking` (a kernel thread each), 1 thread", task_quiet, task_off),
        ("tokio tasks calling the program themselves, 1 thread", task_quiet, task_on),
    ] {
        println!(
            "| {what} | {} | {} | {:.3} | {:.1} ms |",
            a.round_trips,
            b.round_trips,
            b.round_trips as f64 / a.round_trips.max(1) as f64,
            b.longest_pause.as_secs_f64() * 1000.0
        );
    }
}
