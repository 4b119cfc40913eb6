//! Forks onto `to`: the original and the clone both go on from the call,
//! each with the state from before it; each ends with what it is.
use itinerant_guest as itin;

fn run() -> Result<String, String> {
    let to = itin::param("to").ok_or("no parameter \"to\"")?;
    let before: Vec<u32> = (1..=10).collect();
    let home = itin::node();
    let forked = itin::fork(&to)?;
    let total: u32 = before.iter().sum();
    Ok(match forked {
        itin::Forked::Parent(child) => format!("parent on {} of {child} total={total}", itin::node()),
        itin::Forked::Clone => format!("clone on {} from {home} total={total}", itin::node()),
    })
}

itin::agent_main!(run);
