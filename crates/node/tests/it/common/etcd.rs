//! A real etcd for the tests: Debian's `etcd` (from `etcd-server`, which
//! `.ci/run` installs; `$ITIN_ETCD` names another binary) on loopback
//! ports of its own, in a temporary data directory; killed and removed
//! when dropped. Each test starts its own, so tests never share state.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use itinerant_node::cluster::{ClusterConfig, EtcdConfig};

/// Longest wait for etcd to answer after it starts.
const READY: Duration = Duration::from_secs(30);

pub struct EtcdServer {
    child: Child,
    dir: PathBuf,
    /// `127.0.0.1:PORT`.
    pub endpoint: String,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl EtcdServer {
    pub async fn start() -> EtcdServer {
        EtcdServer::start_on(free_port()).await
    }

    /// Serving clients on `client` (a port the test chose).
    pub async fn start_on(client: u16) -> EtcdServer {
        let binary = std::env::var("ITIN_ETCD").unwrap_or_else(|_| "etcd".into());
        let peer = free_port();
        let dir = std::env::temp_dir().join(format!("itin-etcd-{}-{client}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let log = std::fs::File::create(dir.join("etcd.log")).unwrap();
        let child = Command::new(&binary)
            .args(["--name", "test", "--data-dir"])
            .arg(dir.join("data"))
            .args(["--listen-client-urls", &format!("http://127.0.0.1:{client}")])
            .args(["--advertise-client-urls", &format!("http://127.0.0.1:{client}")])
            .args(["--listen-peer-urls", &format!("http://127.0.0.1:{peer}")])
            .args(["--initial-advertise-peer-urls", &format!("http://127.0.0.1:{peer}")])
            .args(["--initial-cluster", &format!("test=http://127.0.0.1:{peer}")])
            .args(["--log-level", "warn"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary} (apt-get install etcd-server): {e}"));
        let server = EtcdServer { child, dir, endpoint: format!("127.0.0.1:{client}") };
        let deadline = Instant::now() + READY;
        loop {
            let probe = async {
                let mut c = etcd_client::Client::connect([server.endpoint.as_str()], None).await.ok()?;
                c.put("/ready", "1", None).await.ok()
            };
            if tokio::time::timeout(Duration::from_secs(2), probe).await.ok().flatten().is_some() {
                return server;
            }
            assert!(Instant::now() < deadline, "etcd did not answer within {READY:?}: see {:?}", server.dir);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A node configuration for this etcd: keys under `/NAMESPACE/`, the
    /// default 5 s lease (a loaded machine never lets it lapse by accident).
    pub fn cluster(&self, namespace: &str) -> ClusterConfig {
        self.cluster_with_lease(namespace, itinerant_node::cluster::DEFAULT_LEASE_TTL)
    }

    /// The same with a lease of `ttl` (the shortest etcd grants: 2 s).
    pub fn cluster_with_lease(&self, namespace: &str, ttl: Duration) -> ClusterConfig {
        ClusterConfig::Etcd(EtcdConfig {
            endpoints: vec![self.endpoint.clone()],
            namespace: namespace.into(),
            lease_ttl: ttl,
        })
    }
}

impl Drop for EtcdServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
