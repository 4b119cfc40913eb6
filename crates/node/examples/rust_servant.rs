//! A node embedded in a program, serving a Rust servant: a trait made into
//! a stub and a skeleton by `object_interface!`, the skeleton registered on
//! the node, an object added, and the stub calling it through another node.
//! Usage: cargo run -p itinerant-node --example rust_servant

use std::sync::Arc;
use std::time::Duration;

use itinerant_node::node::{Node, NodeConfig};
use itinerant_node::objects::client::ObjectClient;
use itinerant_node::objects::reference::ObjectRef;
use itinerant_node::objects::servant::Body;

itinerant_node::object_interface! {
    /// A bank account.
    pub trait Account {
        fn deposit(&mut self, amount: i64) -> i64;
        fn withdraw(&mut self, amount: i64) -> i64;
        fn balance(&mut self) -> i64;
    }
    stub AccountStub;
    skeleton AccountSkeleton;
}

#[derive(Default)]
struct Ledger {
    balance: i64,
}

impl Account for Ledger {
    fn deposit(&mut self, amount: i64) -> Result<i64, String> {
        self.balance += amount;
        Ok(self.balance)
    }

    fn withdraw(&mut self, amount: i64) -> Result<i64, String> {
        if amount > self.balance {
            return Err(format!("insufficient funds: {} < {amount}", self.balance));
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    fn balance(&mut self) -> Result<i64, String> {
        Ok(self.balance)
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let any = "127.0.0.1:0".parse().unwrap();
    let bank = Node::start(NodeConfig::new("bank", any)).await?;
    let branch = Node::start(NodeConfig::new("branch", any)).await?;
    bank.add_peer("branch", branch.addr());
    branch.add_peer("bank", bank.addr());

    bank.objects().register_rust("Ledger", Arc::new(|| Box::new(AccountSkeleton(Ledger::default()))));
    bank.objects().create_adapter("accounts", "threading=per-object")?;
    bank.objects().add_object("accounts", "alice", Body::Rust("Ledger".into()), Vec::new())?;

    // A client of the branch calls the account on the bank node.
    let client = ObjectClient::connect(branch.addr(), "example").await?;
    let alice = AccountStub {
        client,
        target: ObjectRef::parse("itin://bank/accounts/alice")?,
        deadline: Duration::from_secs(5),
    };
    assert_eq!(alice.deposit(100).await.map_err(|e| e.to_string())?, 100);
    assert_eq!(alice.withdraw(30).await.map_err(|e| e.to_string())?, 70);
    let refused = alice.withdraw(1000).await.unwrap_err();
    println!("withdrawing 1000: {refused}");
    println!("alice's balance: {}", alice.balance().await.map_err(|e| e.to_string())?);
    bank.stop();
    branch.stop();
    Ok(())
}
