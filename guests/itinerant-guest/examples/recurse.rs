//! A recursive computation that jumps in the middle: at depth `at1` it
//! jumps to `to1`, at depth `at2` to `to2`, and each frame checks on the way
//! back that its locals and its heap vector are what it made before the
//! jumps. Result: `sum=S path=NODE,NODE,...` (the node of each frame on the
//! way down, innermost last).
use itinerant_guest as itin;

struct Plan {
    depth: u64,
    jumps: Vec<(u64, String)>,
}

fn walk(d: u64, plan: &Plan, path: &mut Vec<String>) -> Result<u64, String> {
    let local = d * 7 + 3;
    let mut heap: Vec<u64> = (0..=d).map(|i| i * d).collect();
    let float = d as f64 * 0.5;
    if let Some((_, to)) = plan.jumps.iter().find(|(at, _)| *at == d) {
        itin::jump(to)?;
    }
    path.push(itin::node());
    let below = if d < plan.depth { walk(d + 1, plan, path)? } else { 0 };
    heap.push(local);
    let heap_ok = heap.len() as u64 == d + 2 && heap.iter().take(d as usize + 1).enumerate().all(|(i, v)| *v == i as u64 * d);
    if local != d * 7 + 3 || !heap_ok || float != d as f64 * 0.5 {
        return Err(format!("frame {d} lost its state"));
    }
    Ok(below + local)
}

fn run() -> Result<String, String> {
    let num = |k: &str, default: u64| itin::param(k).and_then(|v| v.parse().ok()).unwrap_or(default);
    let mut jumps = Vec::new();
    for i in 1..=2 {
        if let Some(to) = itin::param(&format!("to{i}")) {
            jumps.push((num(&format!("at{i}"), 5 * i), to));
        }
    }
    let plan = Plan { depth: num("depth", 20), jumps };
    let mut path = Vec::new();
    let sum = walk(0, &plan, &mut path)?;
    path.dedup();
    Ok(format!("sum={sum} path={}", path.join(",")))
}

itin::agent_main!(run);
