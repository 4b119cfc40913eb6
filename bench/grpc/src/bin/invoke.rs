//! Invocation throughput and latency of the object server beside a tonic
//! gRPC unary echo, built in the same run and measured on the same machine
//! in the same process (one tokio runtime of 2 workers for both), over
//! plaintext TCP on loopback; then the parallel client against 8 servers
//! that each add 10 ms, against calling them one after another.
//! Run: scripts/bench-objects.sh (env: BENCH_SECS, BENCH_RUNS).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use itinerant_bench_grpc::{closed_loop, env_or, median, micros, Stats};
use itinerant_node::node::{Node, NodeConfig};
use itinerant_node::objects::client::ObjectClient;
use itinerant_node::objects::reference::ObjectRef;
use itinerant_node::objects::servant::{Body, CallControl, Servant};

const PAYLOAD: &str = "0123456789abcdef";

// ----- gRPC: the messages and the service, written as tonic-build would --

#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoMessage {
    #[prost(string, tag = "1")]
    pub text: String,
}

const ECHO_PATH: &str = "/bench.Echo/Say";

#[derive(Clone)]
struct EchoService;

impl tonic::server::NamedService for EchoService {
    const NAME: &'static str = "bench.Echo";
}

struct Say;

impl tonic::server::UnaryService<EchoMessage> for Say {
    type Response = EchoMessage;
    type Future = Pin<Box<dyn Future<Output = Result<tonic::Response<EchoMessage>, tonic::Status>> + Send>>;
    fn call(&mut self, request: tonic::Request<EchoMessage>) -> Self::Future {
        Box::pin(async move { Ok(tonic::Response::new(request.into_inner())) })
    }
}

impl<B> tower_service::Service<http::Request<B>> for EchoService
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::BoxBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        if req.uri().path() != ECHO_PATH {
            return Box::pin(async { Ok(tonic::Status::unimplemented("no such method").into_http()) });
        }
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(tonic::codec::ProstCodec::<EchoMessage, EchoMessage>::default());
            Ok(grpc.unary(Say, req).await)
        })
    }
}

async fn grpc_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    tokio::spawn(
        tonic::transport::Server::builder().tcp_nodelay(true).add_service(EchoService).serve_with_incoming(incoming),
    );
    addr
}

type GrpcClient = tonic::client::Grpc<tonic::transport::Channel>;

async fn grpc_client(addr: SocketAddr) -> GrpcClient {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .tcp_nodelay(true)
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

async fn grpc_echo(mut client: GrpcClient) -> Result<(), String> {
    client.ready().await.map_err(|e| e.to_string())?;
    let codec = tonic::codec::ProstCodec::<EchoMessage, EchoMessage>::default();
    let path = http::uri::PathAndQuery::from_static(ECHO_PATH);
    let answer = client
        .unary(tonic::Request::new(EchoMessage { text: PAYLOAD.into() }), path, codec)
        .await
        .map_err(|e| e.to_string())?;
    match answer.into_inner().text == PAYLOAD {
        true => Ok(()),
        false => Err("wrong echo".into()),
    }
}

// ----- ours -----------------------------------------------------------------

/// Answers with its first argument.
struct Echo;

impl Servant for Echo {
    fn call(&mut self, _: &str, args: &[String], _: &CallControl) -> Result<String, String> {
        Ok(args.first().cloned().unwrap_or_default())
    }
}

/// Waits 10 ms, then answers (a server with latency).
struct Slow;

impl Servant for Slow {
    fn call(&mut self, _: &str, _: &[String], _: &CallControl) -> Result<String, String> {
        std::thread::sleep(Duration::from_millis(10));
        Ok("done".into())
    }
}

async fn ours_echo(client: ObjectClient, target: ObjectRef) -> Result<(), String> {
    let args = [PAYLOAD.to_string()];
    match client.invoke(&target, "say", &args, Duration::from_secs(10)).await {
        Ok(r) if r == PAYLOAD => Ok(()),
        Ok(_) => Err("wrong echo".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Our adapters for the echo, by name and policy.
const ADAPTERS: [(&str, &str); 3] = [
    ("threaded", "organisation=threaded threading=per-request instance=per-call"),
    ("iterative", "organisation=iterative instance=single"),
    ("event", "organisation=event threading=per-request instance=per-call"),
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let time = Duration::from_secs(env_or("BENCH_SECS", 3));
    let runs = env_or("BENCH_RUNS", 3) as usize;
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let node = Node::start(NodeConfig::new("srv", any)).await?;
    node.objects().register_rust("Echo", Arc::new(|| Box::new(Echo)));
    for (name, policy) in ADAPTERS {
        node.objects().create_adapter(name, policy)?;
        node.objects().add_object(name, "echo", Body::Rust("Echo".into()), Vec::new())?;
    }
    let ours = ObjectClient::connect(node.addr(), "bench").await?;
    let grpc_addr = grpc_server().await;
    let grpc = grpc_client(grpc_addr).await;

    println!("echo of {} bytes, plaintext TCP on loopback, {runs} runs of {time:?}, medians", PAYLOAD.len());
    println!("| concurrency | server | calls/s | p50 | p99 | / tonic |");
    println!("|---|---|---|---|---|---|");
    for concurrency in [1, 64] {
        // Alternate the servers run by run, so drift hits all alike.
        let mut tonic_runs = Vec::new();
        let mut our_runs: Vec<Vec<Stats>> = vec![Vec::new(); ADAPTERS.len()];
        for _ in 0..runs {
            let g = grpc.clone();
            tonic_runs.push(closed_loop(concurrency, time, move |_| grpc_echo(g.clone())).await);
            for (i, (name, _)) in ADAPTERS.iter().enumerate() {
                let (c, t) = (ours.clone(), ObjectRef::new("srv", name, "echo")?);
                our_runs[i].push(closed_loop(concurrency, time, move |_| ours_echo(c.clone(), t.clone())).await);
            }
        }
        let tonic = median(tonic_runs);
        println!(
            "| {concurrency} | tonic 0.12 unary | {:.0} | {} | {} | 1.00 |",
            tonic.per_sec,
            micros(tonic.p50),
            micros(tonic.p99)
        );
        for (i, (name, _)) in ADAPTERS.iter().enumerate() {
            let s = median(std::mem::take(&mut our_runs[i]));
            println!(
                "| {concurrency} | itinerant, {name} adapter | {:.0} | {} | {} | {:.2} |",
                s.per_sec,
                micros(s.p50),
                micros(s.p99),
                s.per_sec / tonic.per_sec
            );
        }
    }

    // The parallel client: 8 servers each adding 10 ms.
    let mut servers = Vec::new();
    let mut targets = Vec::new();
    for i in 0..8 {
        let name = format!("s{i}");
        let s = Node::start(NodeConfig::new(&name, any)).await?;
        s.objects().register_rust("Slow", Arc::new(|| Box::new(Slow)));
        s.objects().create_adapter("slow", "threading=per-request instance=per-call")?;
        s.objects().add_object("slow", "x", Body::Rust("Slow".into()), Vec::new())?;
        node.add_peer(&name, s.addr());
        s.add_peer("srv", node.addr());
        targets.push(ObjectRef::new(&name, "slow", "x")?);
        servers.push(s);
    }
    let calls: Vec<(ObjectRef, String, Vec<String>)> =
        targets.iter().map(|t| (t.clone(), "wait".to_string(), Vec::new())).collect();
    let d = Duration::from_secs(10);
    // Warm the links.
    for r in ours.invoke_many(&calls, d).await {
        r.map_err(|e| e.to_string())?;
    }
    let (mut one_by_one, mut parallel) = (Vec::new(), Vec::new());
    for _ in 0..(runs * 5) {
        let t0 = Instant::now();
        for t in &targets {
            ours.invoke(t, "wait", &[], d).await.map_err(|e| e.to_string())?;
        }
        one_by_one.push(t0.elapsed());
        let t0 = Instant::now();
        for r in ours.invoke_many(&calls, d).await {
            r.map_err(|e| e.to_string())?;
        }
        parallel.push(t0.elapsed());
    }
    one_by_one.sort();
    parallel.sort();
    let (a, b) = (one_by_one[one_by_one.len() / 2], parallel[parallel.len() / 2]);
    println!(
        "8 servers adding 10 ms each (through node srv), medians of {}: one after another {}, in parallel {}: {:.1}x",
        one_by_one.len(),
        micros(a),
        micros(b),
        a.as_secs_f64() / b.as_secs_f64()
    );
    for s in servers {
        s.stop();
    }
    node.stop();
    Ok(())
}
