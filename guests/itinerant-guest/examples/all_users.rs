//! The seed's `all_users` tour (examples/all_users.tcl) as a wasm agent:
//! it jumps from node to node and runs `who` (or the program given as
//! `program`) on each; the list it builds, the loop and its position travel
//! with it. Parameters: `machines` (default "alpha beta gamma"), `program`.
use itinerant_guest as itin;

fn all_users(machines: &[&str], program: &str) -> Result<String, String> {
    let mut list = String::new();
    for m in machines {
        itin::jump(m)?;
        let users = itin::exec(program, &[])?;
        list.push_str(&format!("{}: {}\n", itin::node(), users.trim_end()));
    }
    Ok(list)
}

fn run() -> Result<String, String> {
    let machines = itin::param("machines").unwrap_or_else(|| "alpha beta gamma".into());
    let program = itin::param("program").unwrap_or_else(|| "who".into());
    let machines: Vec<&str> = machines.split_whitespace().collect();
    let list = all_users(&machines, &program)?;
    itin::puts(&list);
    Ok(list)
}

itin::agent_main!(run);
